"""plot_labels.py -- what plot.py writes on its axes: scenario text read back
into Python values, the timeline's events (when each is announced and when
it takes effect), and human labels with units for parameter paths and
metrics.

Only the standard library: plot.py imports this before numpy and friends, so
a missing package is still reported by plot.py in one line.

The scenario text comes from the file itself (the root attribute `scenario`
of a run file, the resolved scenario: libconfig without semicolons) or, for a
sweep, from the scenario file the sweep names (with @include). Both are
libconfig; parse() reads the subset aims writes and ships: settings, groups,
lists, arrays, strings, numbers and booleans, comments, @include.
"""
import os
import re

# ---- libconfig text -----------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<include>@include[ \t]+"(?P<incpath>[^"]*)")
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+L{0,2}
                    |(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?L{0,2}))
  | (?P<name>[A-Za-z*][-A-Za-z0-9_*]*)
  | (?P<punct>[=:;,{}()\[\]])
""", re.S | re.X)


class ParseError(ValueError):
    pass


def _tokens(text, base_dir, depth=0):
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ParseError(f"unexpected {text[pos:pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "include":
            # libconfig resolves an include against the include directory,
            # which aims sets to the including file's folder (models/scen.c).
            if depth > 10 or base_dir is None:
                raise ParseError("cannot follow @include")
            path = os.path.join(base_dir, m.group("incpath"))
            with open(path, encoding="utf-8") as f:
                inc = f.read()
            yield from _tokens(inc, os.path.dirname(path), depth + 1)
            continue
        if kind == "incpath":
            continue
        yield kind, m.group(kind)


class _Parser:
    def __init__(self, text, base_dir):
        self.toks = list(_tokens(text, base_dir))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ParseError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def settings(self, end):
        out = {}
        while self.peek()[1] != end:
            kind, name = self.take()
            if kind != "name":
                raise ParseError(f"expected a setting name, found {name!r}")
            if self.peek()[1] not in ("=", ":"):
                raise ParseError(f"expected = after {name}")
            self.take()
            out[name] = self.value()
            if self.peek()[1] in (";", ","):
                self.take()
        return out

    def value(self):
        kind, v = self.take()
        if kind == "string":
            s = v[1:-1]
            while self.peek()[0] == "string":  # "a" "b" is "ab"
                s += self.take()[1][1:-1]
            return bytes(s, "utf-8").decode("unicode_escape") \
                if "\\" in s else s
        if kind == "number":
            t = v.rstrip("L")
            if t.lower().startswith(("0x", "+0x", "-0x")):
                return int(t, 16)
            return float(t) if re.search(r"[.eE]", t) else int(t)
        if kind == "name" and v.lower() in ("true", "false"):
            return v.lower() == "true"
        if v == "{":
            g = self.settings("}")
            self.take("}")
            return g
        if v in ("(", "["):
            end = ")" if v == "(" else "]"
            items = []
            while self.peek()[1] != end:
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take()
            self.take(end)
            return items
        raise ParseError(f"unexpected {v!r}")


def parse(text, base_dir=None):
    """The settings of libconfig text as nested dicts and lists; raises
    ParseError (or OSError for an include) when it cannot."""
    p = _Parser(text, base_dir)
    out = p.settings(None)
    return out


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), os.path.dirname(os.path.abspath(path)))


def parse_or_empty(text, base_dir=None):
    try:
        return parse(text, base_dir)
    except (ParseError, OSError, UnicodeError, ValueError):
        return {}


# ---- events -------------------------------------------------------------

# What an event is, in a legend or a label. {key} is the event's own value.
EVENT_NAMES = {
    "vendor_policy": "{vendor} policy change",
    "partnership_end": "the end of the {intermediary} partnership",
    "licence_revocation": "{vendor} licence revocation at {intermediary}",
    "commerce_rule": "Commerce cloud-access rule",
    "kyc_rule": "KYC rule",
    "cac_rule": "CAC model filing rule",
    "soe_preference": "SOE preference",
    "enforcement": "gray enforcement to level {level:g}",
    "capability_jump": "{vendor} capability {delta:+g} points",
    "price_change": "{vendor} price x {factor:g}",
    "rule": "rule {name}",
    "suspend": "suspension of {rule}",
    "restore": "restoration of {rule}",
}


def _policy_name(ev):
    """A vendor_policy event by what it changes: "openai blocks direct
    access; stops serving China-controlled firms"."""
    parts = []
    if ev.get("direct_access") is not None:
        parts.append("opens direct access" if ev["direct_access"]
                     else "blocks direct access")
    if ev.get("serve_china_controlled") is not None:
        parts.append("serves China-controlled firms again"
                     if ev["serve_china_controlled"]
                     else "stops serving China-controlled firms")
    if not parts:
        return None
    return f"{ev.get('vendor', 'a vendor')} " + "; ".join(parts)


def event_name(ev):
    kind = str(ev.get("type", "event"))
    if kind == "vendor_policy" and _policy_name(ev):
        return _policy_name(ev)
    form = EVENT_NAMES.get(kind, kind.replace("_", " "))
    try:
        name = form.format(**{k: v for k, v in ev.items()})
    except (KeyError, IndexError, ValueError):
        name = kind.replace("_", " ")
    if ev.get("active") is False:  # a rule lifted
        name = "lifting of the " + name
    return name


def timeline(settings):
    """The timeline's events (dicts) in file order; [] when there is none."""
    tl = settings.get("timeline")
    return [e for e in tl if isinstance(e, dict)] if isinstance(tl, list) \
        else []


def _voided(events, ev, start, end):
    """Whether ev stops before it takes effect at end: a later event of
    the same rule (or a suspension of it, or a later Commerce rule) in
    [start, end) voids it (docs/scenarios.md, `rule`)."""
    kind, name = ev.get("type"), ev.get("name")
    for other in events:
        if other is ev:
            continue
        try:
            t = float(other.get("month"))
        except (TypeError, ValueError):
            continue
        if not start <= t < end:
            continue
        if kind == "rule" and (
                (other.get("type") == "rule" and other.get("name") == name)
                or (other.get("type") == "suspend"
                    and other.get("rule") == name)):
            return True
        if kind == "commerce_rule" and other.get("type") == "commerce_rule" \
                and events.index(other) > events.index(ev):
            return True
    return False


def markers(events):
    """[(month, kind, text)] for the shocks (events without shock = false):
    kind "announce" at the event's month, and "effect" where the event
    takes effect later -- a Commerce rule or a rule as data after its
    compliance period (unless voided first), the end of a partnership after
    its wind-down. Events of one month and kind share one entry."""
    out = {}
    for ev in events:
        if ev.get("shock", True) is False:
            continue
        try:
            month = float(ev.get("month"))
        except (TypeError, ValueError):
            continue
        name = event_name(ev)
        kind = ev.get("type")
        try:
            if kind in ("commerce_rule", "rule") and ev.get("active", True):
                later = float(ev.get("compliance_months", 0) or 0)
                first, then = name + " announced", name + ": in force"
            elif kind == "partnership_end":
                later = float(ev.get("wind_down_months", 0) or 0)
                who = ev.get("intermediary", "onshore")
                first = f"{who} partnership: no new customers"
                then = f"{who} partnership: service ends"
            else:
                later = 0.0
        except (TypeError, ValueError):
            later = 0.0
        if later > 0:
            out.setdefault((month, "announce"), []).append(first)
            if _voided(events, ev, month, month + later):
                out[(month, "announce")][-1] += " (voided before in force)"
            else:
                out.setdefault((month + later, "effect"), []).append(then)
        else:
            out.setdefault((month, "announce"), []).append(name)
    return [(m, k, "; ".join(dict.fromkeys(v)))
            for (m, k), v in sorted(out.items())]


# ---- parameter labels ---------------------------------------------------

# Key -> (label, unit, scale): the value drawn is value x scale. A unit of
# "%" goes with a scale of 100: shares and probabilities are percent in
# every picture. {event} is the event's name (event_name).
EVENT_KEYS = {
    "month": ("Month of {event}", "months since start", 1.0),
    "wind_down_months": ("Wind-down after {event}", "months", 1.0),
    "compliance_months": ("Compliance period of {event}", "months", 1.0),
    "approval_prob": ("Licence approval probability, {event}", "%", 100.0),
    "cost": ("Compliance cost, {event}", "% of the price", 100.0),
    "detection_rate": ("Detection rate, {event}", "per year", 1.0),
    "level": ("Enforcement level, {event}", "1 = 2025-26 practice", 1.0),
    "factor": ("Price factor, {event}", "new / old", 1.0),
    "delta": ("Capability jump, {event}", "points", 1.0),
    "penalty": ("Utility penalty on foreign models, {event}", "", 1.0),
}

# Paths outside the timeline, by their form with list positions as [i].
PATH_KEYS = {
    "gray.enforcement": ("Gray-channel enforcement", "1 = 2025-26 practice",
                         1.0),
    "gray.detection_rate": ("Gray-channel detection rate", "per year", 1.0),
    "scenario.horizon_months": ("Horizon", "months", 1.0),
    "risk.premium": ("Risk premium", "", 1.0),
}

# Keys of a sector (enterprises.sectors.[i].KEY), labelled with its name.
SECTOR_KEYS = {
    "share": ("Share of enterprises", "%", 100.0),
    "bass_p": ("Bass innovation p", "per year", 1.0),
    "bass_q": ("Bass imitation q", "per year", 1.0),
    "initial_adopters": ("Initial adopters", "%", 100.0),
    "usage_median": ("Median usage", "Mtok per month", 1.0),
    "usage_sigma": ("Usage spread (log sd)", "", 1.0),
    "price_elasticity": ("Price elasticity", "", 1.0),
    "demand_growth": ("Demand growth", "per year", 1.0),
    "offshore_share": ("Share with offshore presence", "%", 100.0),
    "public_facing_share": ("Public-facing share", "%", 100.0),
    "state_owned_share": ("State-owned share", "%", 100.0),
    "choice.b_cap": ("Capability weight of choice", "", 1.0),
    "choice.b_price": ("Price weight of choice", "", 1.0),
    "choice.b_risk": ("Risk weight of choice", "", 1.0),
    "choice.switching_cost": ("Switching cost", "utility", 1.0),
}


class Label:
    """A parameter's or metric's label: text, unit, the scale from stored
    values to drawn ones, and whether it is money (drawn in $M or $B)."""

    def __init__(self, text, unit="", scale=1.0, money=False):
        self.text, self.unit, self.scale, self.money = text, unit, scale, \
            money

    def full(self):
        return f"{self.text} ({self.unit})" if self.unit else self.text

    def __repr__(self):
        return f"Label({self.full()!r}, scale={self.scale:g})"


def _split(path):
    """'timeline.[6].wind_down_months' -> ['timeline', 6, 'wind_down_months']
    (a [n] is a list position, anything else a name or an id)."""
    out = []
    for part in path.split("."):
        m = re.fullmatch(r"\[(\d+)\]", part)
        out.append(int(m.group(1)) if m else part)
    return out


def _element(items, key):
    """The list element a path part names: a position, or the element
    whose id (or name) it is."""
    if not isinstance(items, list):
        return None, None
    if isinstance(key, int):
        return (items[key], key) if 0 <= key < len(items) else (None, None)
    for i, e in enumerate(items):
        if isinstance(e, dict) and key in (e.get("id"), e.get("name")):
            return e, i
    return None, None


def _cap(s):
    return s[:1].upper() + s[1:]


def param_label(path, settings):
    """The Label of a --set or sweep path, from the scenario's settings (for
    the name of the event or sector it addresses); the raw path when the
    tables do not know it."""
    parts = _split(path)
    if len(parts) == 3 and parts[0] == "timeline":
        ev, _ = _element(timeline(settings), parts[1])
        form = EVENT_KEYS.get(parts[2])
        if form:
            what = event_name(ev) if ev else f"timeline event {parts[1]}"
            return Label(_cap(form[0].format(event=what)), form[1], form[2])
    if len(parts) >= 4 and parts[:2] == ["enterprises", "sectors"]:
        key = ".".join(str(p) for p in parts[3:])
        form = SECTOR_KEYS.get(key)
        if form:
            sec, _ = _element(
                settings.get("enterprises", {}).get("sectors")
                if isinstance(settings.get("enterprises"), dict) else None,
                parts[2])
            who = sec.get("name") if isinstance(sec, dict) else None
            who = who or f"sector {parts[2]}"
            return Label(f"{form[0]}, {who}", form[1], form[2])
    form = PATH_KEYS.get(path)
    if form:
        return Label(*form)
    return Label(path)


# ---- metric labels ------------------------------------------------------

def metric_label(metric):
    """The Label of a headline metric (docs/analysis.md): shares in percent,
    revenue as money, months as months."""
    name, _, arg = metric.partition(":")
    if name == "final_frontier_access_share":
        return Label("Frontier access share, final window", "%", 100.0)
    if name == "final_frontier_access_index":
        return Label("Frontier access index, final window", "%", 100.0)
    if name == "final_channel_share":
        return Label(f"Share of adopters in {arg or 'a channel'}, final "
                     "window", "%", 100.0)
    if name == "cumulative_revenue":
        return Label(f"Revenue of {arg or 'an actor'} over the horizon",
                     money=True)
    if name == "months_to_half_access":
        return Label("Months to half frontier access", "months", 1.0)
    return Label(metric)


def money_unit(values):
    """(scale, unit) for money: $B when the largest is a billion or more,
    else $M, so one picture uses one unit."""
    big = max((abs(v) for v in values if v == v), default=0.0)
    return (1e-9, "$B") if big >= 1e9 else (1e-6, "$M")


def money(x):
    """USD as $1.2B, $340M, $5.6k."""
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            v = x / scale
            return f"${v:.3g}{unit}" if abs(v) < 100 else f"${v:.0f}{unit}"
    return f"${x:.0f}"
