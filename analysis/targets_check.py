#!/usr/bin/python3
"""targets_check.py RUN.h5 TARGETS.cfg [TARGETS.cfg ...] -- where a run stands
against the observed targets (scenarios/targets/, docs/calibration.md).

For every target it computes the simulated value in each replication of the
run file (docs/output.md), then prints one row: the observed value and its sd,
the simulated mean, the 2.5% and 97.5% quantiles over replications, and

    z = (sim mean - value) / sqrt(sd^2 + sim var / reps)

It is an independent reading of the target format, written apart from
`aims calibrate` (C), so that the two can be checked against each other on the
same run: the definitions below are the format's, nothing more.

  level        the `of` coordinates of the series' last axis, summed (other
               axes summed too), over the months [from, to]: summed for a
               flow, averaged for a stock
  share        level of `of` / level of `among` (same window)
  ratio        level of `of` / level of `per_of` in the series `per`
  growth       level over [from, to] / level over [base_from, base_to]
  probability  1 in a replication where large account `account` holds, at
               month `to`, an option whose /option name contains
               `option_contains` (waiting or none: 0); the mean is the share

Months "YYYY-MM" map to the time axis by the file's /time@start: the month
of `start` is time 1 (the flow over that month, the stock at its end).
Whether a series is a stock or a flow is docs/output.md's table (the file
does not say), kept in STOCKS below.

A target that names a `scenario` other than the run's is skipped with a note.
Bad input (a missing series or coordinate, a month outside the horizon, a
malformed file) is a message naming file:line:key and exit status 2.

Debian's python3 with python3-h5py and numpy; no other module.
"""
import math
import os
import re
import sys

import h5py
import numpy as np

# docs/output.md, "Series": the stocks; every other /series/* is a flow.
STOCKS = {"channel_count", "adopters", "frontier_access_share", "capability_gap",
          "frontier_access_index", "channel_count_by_sector", "account_option"}
KINDS = ("share", "level", "ratio", "growth", "probability")
REQUIRED = ("id", "source", "observed", "value", "sd", "sd_how", "kind", "series",
            "from", "to", "held_out")
# Every key the format knows (a key a kind does not use is ignored, as aims calibrate does);
# `note` is free text.
KEYS = set(REQUIRED) | {"of", "among", "per", "per_of", "base_from", "base_to", "account",
                        "option_contains", "scenario", "note"}


class Bad(Exception):
    """Bad input: the message names file:line:key."""


# --- a small reader for the restricted libconfig of target files ----------------------
# Groups { }, lists ( ), arrays [ ], "strings" (adjacent ones concatenated), numbers,
# true/false; settings `name = value;` (or `:`), comments #, //, /* */. No @include.

TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\n]+) | (?P<c1>(\#|//)[^\n]*) | (?P<c2>/\*.*?\*/) |
    (?P<str>"(?:[^"\\]|\\.)*") |
    (?P<num>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?L{0,2}|0[xX][0-9a-fA-F]+L{0,2}) |
    (?P<name>[A-Za-z\*][-A-Za-z0-9_\*]*) | (?P<punct>[=:;,{}()\[\]])''', re.X | re.S)


def tokenize(text, path):
    out, pos, line = [], 0, 1
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise Bad(f"{path}:{line}: unexpected character {text[pos]!r}")
        kind = m.lastgroup
        if kind not in ("ws", "c1", "c2"):
            out.append((kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    out.append(("eof", "", line))
    return out


class Setting:
    """A parsed value with the line it starts on."""
    def __init__(self, value, line):
        self.value, self.line = value, line


class Parser:
    def __init__(self, text, path):
        self.t, self.i, self.path = tokenize(text, path), 0, path

    def peek(self):
        return self.t[self.i]

    def take(self, want=None):
        tok = self.t[self.i]
        if want is not None and tok[1] != want:
            raise Bad(f"{self.path}:{tok[2]}: expected '{want}', got '{tok[1] or 'end of file'}'")
        self.i += 1
        return tok

    def settings(self, close):
        """name = value; ... up to `close` (a '}' or end of file)."""
        group = {}
        while self.peek()[1] != close and self.peek()[0] != "eof":
            kind, name, line = self.take()
            if kind != "name":
                raise Bad(f"{self.path}:{line}: expected a setting name, got '{name}'")
            if self.peek()[1] not in ("=", ":"):
                raise Bad(f"{self.path}:{line}:{name}: expected '=' after the name")
            self.take()
            if name in group:
                raise Bad(f"{self.path}:{line}:{name}: set twice")
            group[name] = self.value()
            if self.peek()[1] in (";", ","):
                self.take()
        return group

    def value(self):
        kind, text, line = self.peek()
        if text == "{":
            self.take()
            g = self.settings("}")
            self.take("}")
            return Setting(g, line)
        if text in ("(", "["):
            close = ")" if text == "(" else "]"
            self.take()
            items = []
            while self.peek()[1] != close:
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take()
                elif self.peek()[1] != close:
                    t = self.peek()
                    raise Bad(f"{self.path}:{t[2]}: expected ',' or '{close}', got '{t[1]}'")
            self.take(close)
            return Setting(items, line)
        self.take()
        if kind == "str":
            s = bytes(text[1:-1], "utf-8").decode("unicode_escape")
            while self.peek()[0] == "str":   # "a" "b" is "ab", as libconfig
                s += bytes(self.take()[1][1:-1], "utf-8").decode("unicode_escape")
            return Setting(s, line)
        if kind == "num":
            t = text.rstrip("L")
            try:
                v = int(t, 0) if re.fullmatch(r"[-+]?(\d+|0[xX][0-9a-fA-F]+)", t) else float(t)
            except ValueError:
                raise Bad(f"{self.path}:{line}: bad number '{text}'") from None
            return Setting(v, line)
        if kind == "name" and text.lower() in ("true", "false"):
            return Setting(text.lower() == "true", line)
        raise Bad(f"{self.path}:{line}: expected a value, got '{text or 'end of file'}'")


def plain(s):
    """A Setting tree as Python values (lines dropped)."""
    if isinstance(s.value, list):
        return [plain(x) for x in s.value]
    if isinstance(s.value, dict):
        return {k: plain(v) for k, v in s.value.items()}
    return s.value


def read_targets(path):
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise Bad(f"{path}: cannot read: {e.strerror}") from None
    p = Parser(text, path)
    top = p.settings(None)
    if p.peek()[0] != "eof":
        raise Bad(f"{path}:{p.peek()[2]}: unexpected '{p.peek()[1]}'")
    if "targets" not in top or not isinstance(top["targets"].value, list):
        raise Bad(f"{path}:1:targets: expected a list targets = ( {{...}}, ... )")
    out = []
    for s in top["targets"].value:
        if not isinstance(s.value, dict):
            raise Bad(f"{path}:{s.line}:targets: each target is a group {{ ... }}")
        t = {k: plain(v) for k, v in s.value.items()}
        t["_line"] = {k: v.line for k, v in s.value.items()}
        t["_line"][""] = s.line
        t["_file"] = path
        out.append(t)
    return out


# --- checking a target against the run file -------------------------------------------

def where(t, key):
    return f"{t['_file']}:{t['_line'].get(key, t['_line'][''])}:{key}"


def month_index(t, key, start, horizon):
    """'YYYY-MM' -> 0-based index into the time axis; refuses months outside it."""
    s = t.get(key)
    if not isinstance(s, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", s):
        raise Bad(f"{where(t, key)}: expected a month \"YYYY-MM\", got {s!r}")
    y, m = int(s[:4]), int(s[5:])
    sy, sm = int(start[:4]), int(start[5:7])
    i = (y - sy) * 12 + (m - sm)
    if not 0 <= i < horizon:
        raise Bad(f"{where(t, key)}: {s} is outside the run's months "
                  f"{start} + {horizon} (time 1..{horizon})")
    return i


def names(f, path):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in f[path][()]]


def last_axis_names(f, series):
    """The coordinate names of a series' last axis, or None if it has only [rep, time]."""
    d = f["series"][series]
    if d.ndim <= 2:
        return None
    scale = d.dims[d.ndim - 1]
    if len(scale) == 0:
        return None
    return [x.decode() if isinstance(x, bytes) else str(x) for x in scale[0][()]]


def selection(f, t, series, key):
    """Boolean mask over the last axis for the coordinates listed under `key`."""
    coords = last_axis_names(f, series)
    want = t.get(key, [])
    if not isinstance(want, list) or not all(isinstance(w, str) for w in want):
        raise Bad(f"{where(t, key)}: expected a list of coordinate names")
    if coords is None:
        if want:
            raise Bad(f"{where(t, key)}: /series/{series} has no axis beyond time")
        return None
    if not want:
        return np.ones(len(coords), bool)
    for w in want:
        if w not in coords:
            raise Bad(f"{where(t, key)}: \"{w}\" is not a coordinate of /series/{series} "
                      f"(it has: {', '.join(coords)})")
    return np.array([c in want for c in coords])


def level(f, t, series, key, i0, i1):
    """Per replication: the selected coordinates summed over every non-time axis, then
    summed (flow) or averaged (stock) over months i0..i1."""
    if series not in f["series"]:
        raise Bad(f"{where(t, 'series' if key in ('of', 'among') else 'per')}: "
                  f"no /series/{series} in the run file")
    d = f["series"][series][()].astype(float)
    mask = selection(f, t, series, key)
    if mask is not None:
        d = d[..., mask]
    d = d[:, i0:i1 + 1]
    d = d.reshape(d.shape[0], d.shape[1], -1).sum(axis=2)    # [rep, month]
    if series not in STOCKS:
        return d.sum(axis=1)             # a NaN month makes the flow NaN
    used = np.isfinite(d).sum(axis=1)    # a stock averages the months it is defined in
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(used > 0, np.nansum(d, axis=1) / used, np.nan)


def simulate(f, t, start, horizon):
    """The target's value in each replication of the run (NaN where undefined)."""
    kind = t["kind"]
    series = t["series"]
    i0 = month_index(t, "from", start, horizon)
    i1 = month_index(t, "to", start, horizon)
    if i1 < i0:
        raise Bad(f"{where(t, 'to')}: {t['to']} is before from = {t['from']}")
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "level":
            return level(f, t, series, "of", i0, i1)
        if kind == "share":
            return level(f, t, series, "of", i0, i1) / level(f, t, series, "among", i0, i1)
        if kind == "ratio":
            return level(f, t, series, "of", i0, i1) / level(f, t, t["per"], "per_of", i0, i1)
        if kind == "growth":
            b0 = month_index(t, "base_from", start, horizon)
            b1 = month_index(t, "base_to", start, horizon)
            if b1 < b0:
                raise Bad(f"{where(t, 'base_to')}: before base_from")
            return level(f, t, series, "of", i0, i1) / level(f, t, series, "of", b0, b1)
    # probability
    if series != "account_option":
        raise Bad(f"{where(t, 'series')}: a probability target reads account_option")
    accounts = names(f, "account")
    if t.get("account") not in accounts:
        raise Bad(f"{where(t, 'account')}: \"{t.get('account')}\" is not a large account "
                  f"of the run (it has: {', '.join(accounts)})")
    opts = names(f, "option")
    hit = np.array([t["option_contains"] in o for o in opts])
    if not hit.any():
        raise Bad(f"{where(t, 'option_contains')}: no /option name contains "
                  f"\"{t['option_contains']}\"")
    held = f["series/account_option"][:, i1, accounts.index(t["account"])]
    return np.array([1.0 if k >= 0 and hit[k] else 0.0 for k in held])


def check_keys(t):
    for k in REQUIRED:
        if k not in t:
            raise Bad(f"{where(t, '')}{k}: missing (a target needs {', '.join(REQUIRED)})")
    if t["kind"] not in KINDS:
        raise Bad(f"{where(t, 'kind')}: expected one of {', '.join(KINDS)}, got {t['kind']!r}")
    for k in t:
        if k not in KEYS and k not in ("_line", "_file"):
            raise Bad(f"{where(t, k)}: not a key of a target (expected one of "
                      f"{', '.join(sorted(KEYS))})")
    need = {"share": ("of", "among"), "ratio": ("per",), "growth": ("base_from", "base_to"),
            "probability": ("account", "option_contains")}.get(t["kind"], ())
    for k in need:
        if k not in t:
            raise Bad(f"{where(t, '')}{k}: missing (a {t['kind']} target needs it)")
    if not re.fullmatch(r"[a-z0-9_]+", str(t["id"])):
        raise Bad(f"{where(t, 'id')}: expected [a-z0-9_]+, got {t['id']!r}")
    for k in ("value", "sd"):
        if not isinstance(t[k], (int, float)) or isinstance(t[k], bool) or not math.isfinite(t[k]):
            raise Bad(f"{where(t, k)}: expected a number")
    if not t["sd"] > 0:
        raise Bad(f"{where(t, 'sd')}: expected a number > 0, got {t['sd']}")
    if not isinstance(t["held_out"], bool):
        raise Bad(f"{where(t, 'held_out')}: expected true or false")


def fmt(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan"
    return f"{x:.4g}"


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__.split("\n\n")[0] + "\n")
        return 2
    run = argv[1]
    try:
        targets = []
        for p in argv[2:]:
            targets += read_targets(p)
        seen = {}
        for t in targets:
            check_keys(t)
            if t["id"] in seen:
                raise Bad(f"{where(t, 'id')}: \"{t['id']}\" also at {seen[t['id']]}")
            seen[t["id"]] = where(t, "id")
        try:
            f = h5py.File(run, "r")
        except OSError as e:
            raise Bad(f"{run}: not a readable HDF5 run file ({e})") from None
        with f:
            start = f["time"].attrs["start"]
            start = start.decode() if isinstance(start, bytes) else str(start)
            horizon = f["time"].shape[0]
            scen = f.attrs.get("scenario_name", b"")
            scen = scen.decode() if isinstance(scen, bytes) else str(scen)
            rows = []
            for t in targets:
                name = t.get("scenario")
                if name and scen and os.path.splitext(os.path.basename(name))[0] != scen:
                    print(f"# {t['id']}: for scenario {name}, not this run's ({scen}): skipped")
                    continue
                sims = simulate(f, t, start, horizon)
                good = sims[np.isfinite(sims)]
                if len(good) < len(sims):
                    print(f"# {t['id']}: undefined (0/0) in {len(sims) - len(good)} of "
                          f"{len(sims)} replications, left out")
                n = len(good)
                mean = float(good.mean()) if n else float("nan")
                var = float(good.var(ddof=1)) if n > 1 else 0.0
                lo, hi = (np.quantile(good, [0.025, 0.975]) if n else (math.nan, math.nan))
                z = (mean - t["value"]) / math.sqrt(t["sd"] ** 2 + (var / n if n else 0.0))
                inside = lo <= t["value"] <= hi
                rows.append((t, mean, lo, hi, z, inside, n))
    except Bad as e:
        sys.stderr.write(f"targets_check: {e}\n")
        return 2
    except KeyError as e:
        sys.stderr.write(f"targets_check: {run}: not a run file of format 2 (no {e})\n")
        return 2

    print(f"{run}: {horizon} months from {start}, targets from {', '.join(argv[2:])}")
    print(f"{'target':34} {'kind':11} {'fit':4} {'observed':>10} {'sd':>9} {'sim mean':>10}"
          f" {'2.5%':>10} {'97.5%':>10} {'z':>7}  n")
    for t, mean, lo, hi, z, inside, n in rows:
        print(f"{t['id']:34} {t['kind']:11} {'held' if t['held_out'] else 'fit':4}"
              f" {fmt(float(t['value'])):>10} {fmt(float(t['sd'])):>9} {fmt(mean):>10}"
              f" {fmt(float(lo)):>10} {fmt(float(hi)):>10} {z:7.2f} {n:2d}"
              f"{'  in' if inside else ''}")
    for held in (False, True):
        sub = [r for r in rows if r[0]["held_out"] == held]
        if not sub:
            continue
        z1 = sum(1 for r in sub if abs(r[4]) <= 1)
        z2 = sum(1 for r in sub if abs(r[4]) <= 2)
        ins = sum(1 for r in sub if r[5])
        print(f"{'held-out' if held else 'fitted'}: {len(sub)} targets; |z| <= 1: {z1}, "
              f"|z| <= 2: {z2}; observed inside the replications' 95% interval: {ins}")
    print("('in': the observed value lies between the 2.5% and 97.5% quantiles of the "
          "replications)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
