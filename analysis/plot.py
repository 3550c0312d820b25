#!/usr/bin/python3
"""plot.py OUT.h5 [OTHER.h5] -o DIR [--format png|pdf|svg] [--dpi N]
-- the standard pictures of `aims run` and `aims sweep`.

Reads the file `aims run` writes (docs/output.md) with h5py and draws
pictures (PNG at 200 dpi unless --format and --dpi say otherwise) into DIR
(created if missing) with matplotlib's Agg backend, saying on stderr
"plot.py: wrote PATH" for each file, one a line:

  channel_shares.png    share of adopters by channel over time, the mean over
                        replications with a shaded 95% interval;
  frontier_access.png   frontier access of adopters, the same way: the share
                        on a model within the tolerance of the best, and the
                        continuous index exp(-gap / tau), with the final
                        window (the months the "final" metrics average)
                        shaded;
  revenue_by_actor.png  revenue by actor, stacked areas of the mean, with the
                        total paid and its 95% interval on top;
  tokens_by_vendor.png  tokens billed by vendor, stacked areas of the mean,
                        with each vendor's token share over the final window
                        (what IDC reports for the public-cloud market).

Given a calibration file (aims calibrate, docs/calibrate.md) it draws
posterior.png (each parameter's marginal in every ABC-SMC generation, the
2.5/50/97.5% marked), fit.png (each target's simulated mean and 95% interval
in units of its sd, held-out targets marked) and, for SMM, path.png.

Given a sweep file (aims sweep, docs/output.md) it draws instead

  sensitivity.png       Sobol first-order and total indices as bars, their
                        95% bootstrap intervals as whiskers, one panel per
                        metric (the file `aims sensitivity -o` writes);
  heatmap_METRIC.png    for a grid over two varied parameters: the mean of
                        each kept metric over replications at every point,
                        each cell drawn where its values lie.

Given OTHER.h5 as well, it draws only

  difference.png        the paired difference OTHER - OUT, per replication
                        then averaged, with its 95% interval: the frontier
                        access share and index, and the onshore and domestic
                        shares. The two files must share seed, replications
                        and time axis.

Run it with Debian's /usr/bin/python3 (python3-h5py, python3-numpy,
python3-matplotlib, python3-scipy; scripts/install-deps installs them).
Axis labels and units come from plot_labels.py beside this file.
docs/plots.md says what each picture shows.

Exit status: 0 success; 1 a runtime failure (a missing Python package, a
file that cannot be written); 2 bad usage or bad input. Every error is one
line on stderr, "plot.py: FILE: message", never a traceback.
"""
import argparse
import os
import re
import sys
import textwrap
import warnings

PROG = "plot.py"


class Failure(Exception):
    """An error to report as "plot.py: WHERE: MESSAGE" and exit CODE."""

    def __init__(self, where, message, code=2):
        super().__init__(message)
        self.where, self.message, self.code = where, message, code


def say(where, message):
    line = f"{PROG}: {where}: {message}" if where else f"{PROG}: {message}"
    # One line, whatever the message (HDF5's own can hold newlines).
    print(" ".join(line.split()), file=sys.stderr)


# No __pycache__ beside the script: it would be written into the source tree
# or an installed share/aims/python/, and make uninstall could not remove
# what make install did not put there.
sys.dont_write_bytecode = True

try:
    import plot_labels as labels  # beside this file (sys.path[0])
    import numpy as np
    import h5py
    import scipy.stats
    import matplotlib

    matplotlib.use("Agg")  # no display, whatever MPLBACKEND says
    import matplotlib.legend
    import matplotlib.lines
    import matplotlib.transforms
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
except ImportError as e:
    say(None, f"{e.name or e} is not installed for {sys.executable} "
        "(Debian: python3-numpy, python3-h5py, python3-matplotlib and "
        "python3-scipy; scripts/install-deps installs them as root)")
    sys.exit(1)

# ---- statistics -------------------------------------------------------------

def t975(df):
    """The 0.975 quantile of Student's t with df degrees of freedom (NaN
    below 1), from scipy; df may be an array."""
    df = np.asarray(df, dtype=float)
    with np.errstate(all="ignore"):
        q = scipy.stats.t.ppf(0.975, np.where(df >= 1, df, np.nan))
    return q if q.ndim else float(q)


def mean_band(x):
    """Mean over replications (axis 0) of x [replication, time], and the
    bounds of its 95% Student t interval; NaN values are skipped, so each
    month has its own n. The bounds are NaN where n < 2."""
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    n = ok.sum(axis=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=0)
        sd = np.nanstd(x, axis=0, ddof=1)
    q = t975(n - 1)
    half = q * sd / np.sqrt(np.maximum(n, 1))
    half[n < 2] = np.nan
    return mean, mean - half, mean + half


# ---- reading ----------------------------------------------------------------

def text(v):
    """An HDF5 string (bytes or str, scalar or 1-element array) as str."""
    if isinstance(v, np.ndarray) and v.size == 1:
        v = v.reshape(-1)[0]
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace")
    return str(v)


def strings(ds):
    return [text(v) for v in ds[()].reshape(-1)]


def parse_shocks(scenario):
    """[(month, kind, label)] markers of the timeline in the resolved
    scenario text (the root attribute `scenario`): kind "announce" when an
    event happens, "effect" when a rule takes effect or a wind-down ends
    (plot_labels.markers); [] when the text cannot be read."""
    return labels.markers(labels.timeline(labels.parse_or_empty(scenario)))


class Run:
    """What the plots need from one `aims run` file."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            raise Failure(path, "no such file")
        if os.path.isdir(path):
            raise Failure(path, "is a directory, not an aims run file")
        if not os.path.isfile(path):  # a FIFO would block the open
            raise Failure(path, "is not a regular file")
        if not os.access(path, os.R_OK):
            raise Failure(path, "permission denied")
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise Failure(path, open_error(e)) from None
        try:
            with f:
                self._read(f)
        except Failure:
            raise
        except KeyError as e:
            raise Failure(path, f"not a complete aims run file: {e}") from None
        except Exception as e:  # whatever h5py raises on a damaged file
            raise Failure(path, f"cannot read ({type(e).__name__}: {e}); "
                          "damaged or truncated?") from None

    def _attr(self, f, name):
        if name not in f.attrs:
            raise Failure(self.path, f"missing root attribute '{name}': "
                          "not a complete aims run file")
        return f.attrs[name]

    def _data(self, f, name, ndim):
        if name not in f or not isinstance(f[name], h5py.Dataset):
            raise Failure(self.path, f"missing data set /{name}: "
                          "not a complete aims run file")
        ds = f[name]
        if ds.ndim != ndim:
            raise Failure(self.path, f"/{name} has {ds.ndim} dimensions, "
                          f"expected {ndim}")
        return ds

    def _read(self, f):
        fmt = text(f.attrs["format"]) if "format" in f.attrs else None
        if fmt != "aims-run":
            what = ("no root attribute 'format'" if fmt is None
                    else f"root attribute format is '{fmt}'")
            raise Failure(self.path, f"not an aims run file ({what}, "
                          "expected 'aims-run')")
        # Version 1 is read as far as it goes, then refused (below): a
        # damaged old file meets the same checks, and HDF5's crashes on it
        # the same containment, as it always did.
        v = int(f.attrs["format_version"]) if "format_version" in f.attrs \
            else 2
        if v not in (1, 2):
            raise Failure(self.path, f"format_version {v}: this plot.py "
                          "reads version 2")
        old = v == 1
        self.name = text(self._attr(f, "scenario_name"))
        self.start = text(self._attr(f, "start"))
        self.seed = int(self._attr(f, "seed"))
        self.reps = int(self._attr(f, "replications"))
        if not old:
            self.window = int(self._attr(f, "final_window_months"))
            self.tau = float(self._attr(f, "frontier_tau"))
            self.tolerance = float(self._attr(f, "frontier_tolerance"))
        scen = f.attrs.get("scenario")
        self.shocks = parse_shocks(text(scen)) if scen is not None else []

        self.time = self._data(f, "time", 1)[()].astype(float)
        self.replication = self._data(f, "replication", 1)[()]
        self.channels = strings(self._data(f, "channel", 1))
        self.actors = strings(self._data(f, "actor", 1))
        self.count = self._data(f, "series/channel_count", 3)[()]
        self.frontier = self._data(f, "series/frontier_access_share", 2)[()]
        self.revenue = self._data(f, "series/revenue", 3)[()]
        self.payments = self._data(f, "series/payments", 2)[()]
        if old:
            raise Failure(self.path, "format_version 1, written by an "
                          "older aims (no tokens, segments or large "
                          "accounts); this plot.py reads version 2: run the "
                          "scenario again")
        self.vendors = strings(self._data(f, "vendor", 1))
        self.index = self._data(f, "series/frontier_access_index", 2)[()]
        self.tokens = self._data(f, "series/tokens_by_vendor", 3)[()]

        R, T = self.reps, len(self.time)
        for name, arr, tail in (
                ("series/channel_count", self.count, (len(self.channels),)),
                ("series/frontier_access_share", self.frontier, ()),
                ("series/frontier_access_index", self.index, ()),
                ("series/tokens_by_vendor", self.tokens,
                 (len(self.vendors),)),
                ("series/revenue", self.revenue, (len(self.actors),)),
                ("series/payments", self.payments, ())):
            if arr.shape != (R, T) + tail:
                raise Failure(self.path, f"/{name} has shape {arr.shape}, "
                              f"expected {(R, T) + tail} (replications, "
                              "time, ...): damaged file")
        if len(self.replication) != R:
            raise Failure(self.path, f"/replication has "
                          f"{len(self.replication)} values but the file says "
                          f"{R} replications")
        if R < 1 or T < 1:
            raise Failure(self.path, f"no data ({R} replications, {T} "
                          "months)")
        if not re.fullmatch(r"\d{4}-\d{2}", self.start):
            raise Failure(self.path, f"start '{self.start}' is not YYYY-MM")
        if not 1 <= self.window <= T:
            raise Failure(self.path, f"final_window_months {self.window} "
                          f"is not in 1 .. {T}: damaged file")

    def shares(self):
        """Per channel (not `none`): its share of adopters, in percent,
        [replication, time]; NaN where there is no adopter."""
        adopt = [i for i, c in enumerate(self.channels) if c != "none"]
        total = self.count[:, :, adopt].sum(axis=2)
        out = {}
        with np.errstate(all="ignore"):
            for i in adopt:
                s = 100.0 * self.count[:, :, i] / total
                s[total <= 0] = np.nan
                out[self.channels[i]] = s
        return out


def open_error(e):
    msg = str(e)
    if "file signature not found" in msg:
        return "not an HDF5 file"
    if "truncated file" in msg:
        return "truncated HDF5 file (cut short while copying or writing?)"
    if "ermission denied" in msg:
        return "permission denied"
    return f"cannot open as HDF5: {msg}"


def check_pair(a, b):
    """Refuses two files whose difference would not pair by replication."""
    why = None
    if a.seed != b.seed:
        why = f"seed {b.seed} differs from {a.path}'s seed {a.seed}"
    elif a.reps != b.reps:
        why = f"{b.reps} replications where {a.path} has {a.reps}"
    elif not np.array_equal(a.replication, b.replication):
        why = f"its replication numbers differ from {a.path}'s"
    elif a.start != b.start or not np.array_equal(a.time, b.time):
        why = (f"its time axis ({len(b.time)} months from {b.start}) "
               f"differs from {a.path}'s ({len(a.time)} months from "
               f"{a.start})")
    elif a.channels != b.channels:
        why = f"its channels differ from {a.path}'s"
    elif a.tau != b.tau:
        why = (f"its frontier_tau ({b.tau:g}) differs from {a.path}'s "
               f"({a.tau:g})")
    if why:
        raise Failure(b.path, why + ": a paired difference needs the same "
                      "seed, replications and time axis")


# ---- drawing ----------------------------------------------------------------

FIGSIZE = (9.0, 5.5)
DPI = 200        # --dpi: print quality for PNG (raster parts of PDF/SVG)
FORMAT = "png"   # --format

# One colour per channel, the same in every picture.
CHANNEL_STYLE = {
    "waiting": ("#7f7f7f", "--"),
    "direct": ("#1f77b4", "-"),
    "onshore": ("#ff7f0e", "-"),
    "offshore": ("#9467bd", "-"),
    "gray": ("#8c564b", "-"),
    "domestic": ("#d62728", "-"),
}
OTHER_COLOURS = ("#17becf", "#bcbd22", "#e377c2", "#2ca02c")


def style():
    plt.rcParams.update({
        "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11,
        "legend.fontsize": 10, "xtick.labelsize": 10, "ytick.labelsize": 10,
        "figure.dpi": DPI, "savefig.dpi": DPI, "axes.grid": True,
        "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False,
    })


def channel_style(name, k):
    return CHANNEL_STYLE.get(name,
                             (OTHER_COLOURS[k % len(OTHER_COLOURS)], "-"))


def time_axis(ax, run, label=True):
    """Months since the start on x, ticks every 3, 6 or 12 months, and the
    shocks as dotted vertical lines; returns legend entries for them."""
    t = run.time
    ax.set_xlim(min(0.0, t[0]), t[-1])
    span = t[-1] - min(0.0, t[0])
    step = 3 if span <= 24 else 6 if span <= 72 else 12 if span <= 180 else 0
    ax.xaxis.set_major_locator(MultipleLocator(step) if step
                               else MaxNLocator(integer=True))
    if label:
        ax.set_xlabel(f"months since {run.start} (values at month ends)")
    entries = []
    for month, kind, what in run.shocks:
        if t[0] <= month <= t[-1]:
            # Announcement dotted, take-effect dashed: the two moments of a
            # rule with a compliance period or a partnership's wind-down.
            line = ax.axvline(month, color="black", lw=1.2,
                              ls=":" if kind == "announce" else "--")
            entries.append((line, textwrap.fill(
                f"month {month:g}: {what}", 30, subsequent_indent="  ")))
    return entries


MAX_EVENTS = 6  # more timeline markers than this go in a legend below


def few_events(shocks, fig, below):
    """The marker entries for the legend right of the plot when they are
    few; when there are more (history_2023 has 17), a legend of two columns
    below the axes `below` instead, the figure made taller to hold it, and
    [] for the right-hand legend (which would run off the page)."""
    if len(shocks) <= MAX_EVENTS:
        return shocks
    ncol = 2
    rows = -(-len(shocks) // ncol)
    w, h = fig.get_size_inches()
    fig.set_size_inches(w, h + 0.45 + 0.2 * rows)
    # 44 points under the axes: below the tick labels and the axis label.
    where = matplotlib.transforms.offset_copy(below.transAxes, fig=fig,
                                              y=-44, units="points")
    leg = matplotlib.legend.Legend(
        below, [e[0] for e in shocks],
        [" ".join(e[1].split()) for e in shocks], loc="upper left",
        bbox_to_anchor=(0.0, 0.0), bbox_transform=where, ncol=ncol,
        fontsize=8, frameon=False, borderaxespad=0.0, alignment="left",
        title="timeline events (dotted: happens or announced; dashed: "
              "takes effect)", title_fontsize=9)
    below.add_artist(leg)
    leg.set_clip_on(False)  # add_artist clips to the axes, which it is below
    return []


def band_line(ax, t, x, colour, ls="-", label=None):
    mean, lo, hi = mean_band(x)
    ax.plot(t, mean, color=colour, ls=ls, lw=2, label=label)
    if np.isfinite(lo).any():
        ax.fill_between(t, lo, hi, color=colour, alpha=0.2, lw=0)
    return mean, lo, hi


def subtitle(run, band="shaded: 95% interval"):
    if run.reps < 2:
        return f"1 replication (no interval), seed {run.seed}"
    return f"mean of {run.reps} replications, {band}; seed {run.seed}"


def save(fig, outdir, stem):
    """Writes the figure as DIR/STEM.FORMAT, beside its target first and
    then renamed into place (an interrupted run leaves no half file)."""
    name = f"{stem}.{FORMAT}"
    path = os.path.join(outdir, name)
    tmp = os.path.join(outdir, f".{name}.tmp.{os.getpid()}")
    try:
        fig.savefig(tmp, format=FORMAT, dpi=DPI)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise Failure(path, f"cannot write: {e.strerror or e}", 1) from None
    finally:
        plt.close(fig)
    return path


def legend_outside(ax, **kw):
    """A legend right of the axes (never over the data), its title flush
    left with the entries (alignment: matplotlib >= 3.6, Debian 12 has it)."""
    leg = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    borderaxespad=0.0, frameon=False, alignment="left", **kw)
    if leg.get_title().get_text():
        leg.get_title().set_multialignment("left")
    return leg


SMALL = 15.0  # channels below this share (%) get the zoomed lower panel


def plot_channel_shares(run, outdir):
    shares = run.shares()
    shown, hidden = [], []
    for k, (ch, s) in enumerate(shares.items()):
        if np.any(np.nan_to_num(s) > 0):
            shown.append((ch, s, channel_style(ch, k)))
        else:
            hidden.append(ch)
    peak = {ch: np.nanmax(mean_band(s)[0], initial=0.0)
            for ch, s, _ in shown}
    small = [x for x in shown if peak[x[0]] < SMALL]
    zoom = bool(small) and len(small) < len(shown)
    if zoom:
        fig, (ax, az) = plt.subplots(
            2, 1, sharex=True, figsize=(FIGSIZE[0], 6.5),
            layout="constrained", gridspec_kw={"height_ratios": [3, 2]})
    else:
        fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    for ch, s, (colour, ls) in shown:
        band_line(ax, run.time, s, colour, ls, ch)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(MultipleLocator(20 if zoom else 10))
    ax.set_ylabel("share of adopters (%)")
    shocks = few_events(time_axis(ax, run, label=not zoom), fig,
                        az if zoom else ax)
    ax.set_title(f"{run.name}: share of adopters by channel\n"
                 f"{subtitle(run)}")
    h, lab = ax.get_legend_handles_labels()
    h += [e[0] for e in shocks]
    lab += [e[1] for e in shocks]
    title = "channel"
    if hidden:
        title += "\n(not shown, 0% throughout:\n" + ", ".join(hidden) + ")"
    legend_outside(ax, handles=h, labels=lab, title=title)
    if zoom:
        top = max(peak[ch] for ch, _, _ in small)
        for ch, s, (colour, ls) in small:
            band_line(az, run.time, s, colour, ls, ch)
        az.set_ylim(0, max(1.0, 1.1 * top))
        az.yaxis.set_major_locator(MaxNLocator(nbins=5))
        az.set_ylabel("share (%), zoomed")
        az.set_title(f"zoom: channels below {SMALL:g}% of adopters",
                     loc="left", fontsize=11)
        time_axis(az, run)
    return save(fig, outdir, "channel_shares")


def final_window(ax, run, line=False):
    """Marks the months the final metrics average, shaded behind the data
    (or, where stacked areas would hide a shade, by a line where the window
    starts); returns a legend entry."""
    t = run.time
    first = max(t[-1] - run.window, min(0.0, t[0]))  # window: (first, end]
    if line:
        mark = ax.axvline(first, color="#555555", lw=1.2, ls="-.")
    else:
        mark = ax.axvspan(first, t[-1], color="#999999", alpha=0.15, lw=0,
                          zorder=0)
    months = "month" if run.window == 1 else f"{run.window} months"
    return mark, f"final window (last {months})"


def plot_frontier(run, outdir):
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    share = 100.0 * np.asarray(run.frontier, dtype=float)
    index = 100.0 * np.asarray(run.index, dtype=float)
    m1, _, hi1 = band_line(ax, run.time, share, "#1f77b4")
    m2, _, hi2 = band_line(ax, run.time, index, "#2ca02c", ls="--")
    vals = np.concatenate([m1, hi1, m2, hi2])
    top = np.nanmax(vals) if np.isfinite(vals).any() else 100.0
    ax.set_ylim(0, min(100.0, max(1.0, 1.15 * top)))
    ax.set_ylabel("adopters with frontier access (%)")
    win = final_window(ax, run)
    shocks = few_events(time_axis(ax, run), fig, ax)
    ax.set_title(f"{run.name}: frontier access of adopters\n"
                 f"{subtitle(run)}")
    h = [ax.lines[0], ax.lines[1]]
    lab = [f"share within {run.tolerance:g} point"
           f"{'' if run.tolerance == 1 else 's'}\nof the best model",
           f"index: each adopter\ncounts exp(-gap / {run.tau:g})"]
    if run.reps > 1:
        h.append(plt.Rectangle((0, 0), 1, 1, color="#555555", alpha=0.2))
        lab.append("95% interval")
    h.append(win[0])
    lab.append(win[1])
    legend_outside(ax, handles=h + [e[0] for e in shocks],
                   labels=lab + [e[1] for e in shocks])
    return save(fig, outdir, "frontier_access")


money = labels.money


def plot_revenue(run, outdir):
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(run.revenue, axis=0) / 1e6  # [time, actor]
        cum = np.nanmean(np.nansum(run.revenue, axis=1), axis=0)  # [actor]
    total = np.nansum(cum)
    shown = [a for a in range(len(run.actors))
             if np.any(np.nan_to_num(mean[:, a]) > 0)]
    hidden = [run.actors[a] for a in range(len(run.actors)) if a not in shown]
    cmap = plt.get_cmap("tab20" if len(run.actors) > 10 else "tab10")
    colours = [cmap(a % cmap.N) for a in shown]
    labels = []
    for a in shown:
        pct = 100.0 * cum[a] / total if total > 0 else 0.0
        labels.append(f"{run.actors[a]}: {money(cum[a])} ({pct:.1f}%)"
                      if pct >= 0.1 else
                      f"{run.actors[a]}: {money(cum[a])} (<0.1%)")
    if shown:
        ax.stackplot(run.time, np.nan_to_num(mean[:, shown]).T,
                     colors=colours, labels=labels, alpha=0.85, lw=0)
    paid = np.asarray(run.payments, dtype=float) / 1e6
    m, lo, hi = mean_band(paid)
    paid_sum = np.nanmean(np.nansum(run.payments, axis=1))
    ax.plot(run.time, m, color="black", lw=1.5,
            label=f"total paid: {money(paid_sum)}")
    # The interval as lines, not a shade: a shade over the stack would read
    # as another colour of it.
    if np.isfinite(lo).any():
        ax.plot(run.time, hi, color="black", lw=1, ls="--",
                label="95% interval of the total")
        ax.plot(run.time, lo, color="black", lw=1, ls="--")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("revenue ($M per month)")
    shocks = few_events(time_axis(ax, run), fig, ax)
    ax.set_title(f"{run.name}: revenue by actor (stacked means)\n"
                 f"{subtitle(run, 'dashed: 95% interval of the total')}")
    # Legend: the total (and its interval), then the stack read from the top
    # down, then the shocks.
    h, lab = ax.get_legend_handles_labels()
    nline = 2 if np.isfinite(lo).any() else 1
    nstack = len(h) - nline
    order = list(range(nstack, nstack + nline)) + list(
        range(nstack - 1, -1, -1))
    h += [e[0] for e in shocks]
    lab += [e[1] for e in shocks]
    order += list(range(len(h) - len(shocks), len(h)))
    title = "actor: revenue over the horizon"
    if hidden:
        title += "\n(no revenue: " + ", ".join(hidden) + ")"
    legend_outside(ax, handles=[h[i] for i in order],
                   labels=[lab[i] for i in order], title=title)
    return save(fig, outdir, "revenue_by_actor")


def plot_tokens(run, outdir):
    """Tokens billed by vendor, stacked means, in trillions a month; the
    legend gives each vendor's share of the tokens over the final window."""
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    tok = np.asarray(run.tokens, dtype=float) / 1e6  # Mtok -> trillion
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(tok, axis=0)  # [time, vendor]
        last = np.nanmean(np.nansum(tok[:, -run.window:, :], axis=1),
                          axis=0)  # [vendor], over the final window
    total = np.nansum(last)
    shown = [v for v in range(len(run.vendors))
             if np.any(np.nan_to_num(mean[:, v]) > 0)]
    hidden = [run.vendors[v] for v in range(len(run.vendors))
              if v not in shown]
    cmap = plt.get_cmap("tab10")
    labels = []
    for v in shown:
        pct = 100.0 * last[v] / total if total > 0 else 0.0
        labels.append(f"{run.vendors[v]}: {pct:.1f}%" if pct >= 0.1
                      else f"{run.vendors[v]}: <0.1%")
    if shown:
        ax.stackplot(run.time, np.nan_to_num(mean[:, shown]).T,
                     colors=[cmap(v % cmap.N) for v in shown], labels=labels,
                     alpha=0.85, lw=0)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("tokens billed (trillion per month)")
    win = final_window(ax, run, line=True)
    shocks = few_events(time_axis(ax, run), fig, ax)
    ax.set_title(f"{run.name}: tokens by vendor (stacked means)\n"
                 f"{subtitle(run, 'no interval')}")
    h, lab = ax.get_legend_handles_labels()
    h, lab = h[::-1], lab[::-1]  # the top of the stack first
    h.append(win[0])
    lab.append(win[1])
    h += [e[0] for e in shocks]
    lab += [e[1] for e in shocks]
    title = "vendor: share of tokens\nin the final window"
    if hidden:
        title += "\n(no tokens: " + ", ".join(hidden) + ")"
    legend_outside(ax, handles=h, labels=lab, title=title)
    return save(fig, outdir, "tokens_by_vendor")


def plot_difference(a, b, outdir):
    """b - a, paired by replication."""
    sa, sb = a.shares(), b.shares()
    rows = [("frontier access share",
             100.0 * (np.asarray(b.frontier, float)
                      - np.asarray(a.frontier, float)), "#1f77b4"),
            (f"frontier access index (tau {b.tau:g})",
             100.0 * (np.asarray(b.index, float)
                      - np.asarray(a.index, float)), "#2ca02c")]
    for ch in ("onshore", "domestic"):
        if ch in sa and ch in sb:
            rows.append((f"{ch} share", sb[ch] - sa[ch],
                         channel_style(ch, 0)[0]))
    fig, axes = plt.subplots(len(rows), 1, sharex=True, squeeze=False,
                             figsize=(FIGSIZE[0], 8.0), layout="constrained")
    for k, ((what, d, colour), ax) in enumerate(zip(rows, axes[:, 0])):
        ax.axhline(0, color="black", lw=0.8)
        band_line(ax, b.time, d, colour)
        ax.set_ylabel("difference (pp)")
        ax.set_title(what, loc="left", fontsize=11)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        shocks = time_axis(ax, b, label=(k == len(rows) - 1))
        if k == 0:  # one legend, in neutral colours, for all panels
            shocks = few_events(shocks, fig, axes[-1, 0])
            h = [matplotlib.lines.Line2D([], [], color="#555555", lw=2)]
            lab = ["mean of the\npaired differences"]
            if b.reps > 1:
                h.append(plt.Rectangle((0, 0), 1, 1, color="#555555",
                                       alpha=0.2))
                lab.append("95% interval")
            legend_outside(ax, handles=h + [e[0] for e in shocks],
                           labels=lab + [e[1] for e in shocks])
    # Say so when nothing differs, or the flat lines read as a broken plot.
    same = all(np.nan_to_num(np.asarray(d, float)).any() == 0
               for _, d, _ in rows)
    fig.suptitle(f"Paired difference {b.name} \u2212 {a.name}, in "
                 f"percentage points (pp) of adopters\n{subtitle(b)}"
                 + ("\nzero in every month and replication: the runs do not "
                    "differ in these series" if same else ""),
                 fontsize=12)
    return save(fig, outdir, "difference")


# ---- sweeps -----------------------------------------------------------------


class Sweep:
    """What the sweep plots need from an `aims sweep` file."""

    def __init__(self, path, f):
        self.path = path
        try:
            self.name = text(f.attrs["name"])
            self.design = text(f.attrs["design"])
            self.reps = int(f.attrs["replications"])
            self.samples = int(f.attrs["samples"])
            self.seed = int(f.attrs["seed"])
            self.crn = bool(int(f.attrs.get("common_random_numbers", 0)))
            self.boot = int(f.attrs.get("sensitivity_bootstrap", 0))
            self.params = strings(f["parameter"])
            self.x = f["points/parameters"][()]
            self.status = f["points/status"][()]
            self.metrics = sorted(f["points/summary"].keys())
            self.y = {m: f["points/summary"][m][()] for m in self.metrics}
            self.sens = None
            if "sensitivity" in f:
                self.sens = {m: {k: f["sensitivity"][m][k][()] for k in
                                 ("first", "first_lo", "first_hi", "total",
                                  "total_lo", "total_hi")}
                             for m in self.metrics}
            self.settings = scenario_settings(
                text(f.attrs.get("scenario_file", b"")),
                text(f.attrs.get("sweep_file", b"")))
        except KeyError as e:
            raise Failure(path, f"not a complete aims sweep file: {e}") \
                from None
        P, K = len(self.status), len(self.params)
        if self.x.shape != (P, K):
            raise Failure(path, f"/points/parameters has shape {self.x.shape},"
                          f" expected {(P, K)}: damaged file")
        self.labels = [labels.param_label(p, self.settings)
                       for p in self.params]
        # The ranges the sweep file gives (min, max), else the sampled ones.
        given = {}
        sweep_text = labels.parse_or_empty(text(f.attrs.get("sweep", b"")))
        for par in sweep_text.get("parameters", []) or []:
            if isinstance(par, dict) and "min" in par and "max" in par:
                given[par.get("path")] = (float(par["min"]),
                                          float(par["max"]))
        self.ranges = [given.get(p, (float(np.nanmin(self.x[:, k])),
                                     float(np.nanmax(self.x[:, k]))))
                       for k, p in enumerate(self.params)]

    def point_means(self, m):
        """The mean of metric m over each point's replications (NaN where
        none has a value): the output the Sobol indices apportion."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(np.asarray(self.y[m], dtype=float), axis=1)

    def rows_used(self, m):
        """Design rows the indices of m used: those defined in every block
        (cli/cmd_sensitivity.c drops a row NaN in any block)."""
        N, K = self.samples, len(self.params)
        y = self.point_means(m)
        if N < 1 or len(y) != N * (K + 2):
            return 0
        return int(np.isfinite(y.reshape(K + 2, N)).all(axis=0).sum())


def scenario_settings(scenario_file, sweep_file):
    """The settings of the sweep's scenario, for labels (the name of the
    event or sector a path addresses); {} when the file is not found where
    the sweep said (absolute, from here, or beside the sweep file)."""
    if not scenario_file:
        return {}
    tries = [scenario_file]
    if not os.path.isabs(scenario_file) and sweep_file:
        tries.append(os.path.join(os.path.dirname(sweep_file),
                                  scenario_file))
    for p in tries:
        if os.path.isfile(p):
            try:
                return labels.parse_file(p)
            except (labels.ParseError, OSError, UnicodeError, ValueError):
                return {}
    return {}


def wrap(s, width):
    return "\n".join(textwrap.wrap(s, width)) or s


def plot_sensitivity(sw, outdir):
    M, K = len(sw.metrics), len(sw.params)
    fig, axes = plt.subplots(M, 1, figsize=(FIGSIZE[0] + 1.5,
                                            1.9 + (0.5 * K + 0.9) * M),
                             squeeze=False, sharex=True,
                             layout="constrained")
    pos = np.arange(K)
    lo_all, hi_all = 0.0, 1.0
    # Each parameter with the range the design sampled, in its unit.
    names = []
    for k, lb in enumerate(sw.labels):
        lo, hi = sw.ranges[k]
        rng = f"range {lo * lb.scale:.3g} to {hi * lb.scale:.3g}" + \
            (f" ({lb.unit})" if lb.unit else "")
        names.append(wrap(lb.text, 34) + "\n" + wrap(rng, 34))
    for ax, m in zip(axes[:, 0], sw.metrics):
        d = sw.sens[m]
        for off, key, colour, label in (
                (-0.19, "first", "#1f77b4", "first-order index S_i"),
                (0.19, "total", "#ff7f0e", "total index S_Ti")):
            v, lo, hi = (np.asarray(d[k], dtype=float) for k in
                         (key, key + "_lo", key + "_hi"))
            # A percentile interval need not hold its estimate: a whisker
            # never points the wrong way.
            err = np.vstack([np.clip(v - lo, 0, None),
                             np.clip(hi - v, 0, None)])
            ax.barh(pos + off, np.nan_to_num(v), height=0.36, color=colour,
                    label=label, xerr=np.nan_to_num(err), capsize=3,
                    error_kw={"lw": 1.2})
            for arr in (lo, hi, v):
                if np.isfinite(arr).any():
                    lo_all = min(lo_all, np.nanmin(arr))
                    hi_all = max(hi_all, np.nanmax(arr))
        ax.set_yticks(pos)
        ax.set_yticklabels(names, fontsize=9)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="y", visible=False)
        ml = labels.metric_label(m)
        ax.set_title(f"{ml.text}: {sw.rows_used(m)} of {sw.samples} design "
                     "rows used", loc="left", fontsize=11)
    # The whole 0..1 range of a variance share at least, the same in every
    # panel, so a small index looks small.
    axes[0, 0].set_xlim(lo_all - 0.03, hi_all + 0.03)
    axes[-1, 0].set_xlabel("Sobol index: share of the variance of the point "
                           "means (1 = all of it)")
    legend_outside(axes[0, 0])
    P = sw.samples * (K + 2)
    boot = f"{sw.boot} resamples" if sw.boot else "bootstrap"
    fig.suptitle(
        f"{sw.name}: Sobol sensitivity indices of {K} parameters\n"
        "bars: first-order S_i (the parameter alone) and total S_Ti (with "
        "all its interactions);\n"
        f"whiskers: 95% percentile bootstrap intervals ({boot}). "
        f"N = {sw.samples} base samples, N(d + 2) = {P} points,\n"
        f"{sw.reps} replication{'s' if sw.reps != 1 else ''} per point; a "
        "point's output is the mean of its replications", fontsize=11)
    return save(fig, outdir, "sensitivity")


def cell_edges(v, log):
    """Cell boundaries around sorted values v: halfway between neighbours
    (geometrically on a log axis), the outer cells as wide as their inner
    half, so each cell sits where its value lies and unevenly spaced values
    get unequal cells."""
    u = np.log(v) if log else np.asarray(v, dtype=float)
    if len(u) == 1:
        w = 0.5 if log else (abs(u[0]) * 0.1 or 0.5)
        e = np.array([u[0] - w, u[0] + w])
    else:
        mid = (u[1:] + u[:-1]) / 2
        e = np.concatenate([[u[0] - (mid[0] - u[0])], mid,
                            [u[-1] + (u[-1] - mid[-1])]])
    return np.exp(e) if log else e


def use_log(v):
    """A log axis for positive values spanning a factor of 10 or more
    (enforcement levels 0.25 .. 6): on a linear one their low cells would
    be slivers too thin to read."""
    return len(v) > 2 and v[0] > 0 and v[-1] / v[0] >= 10


def colour_scale(grid):
    """(cmap, vmin, vmax) that does not exaggerate: one sign, the scale
    starts at 0 (a cell twice as dark holds twice the value); both signs,
    symmetric around 0 in a diverging map (a difference of +x and -x look
    equally strong)."""
    vals = grid[np.isfinite(grid)]
    lo, hi = float(vals.min()), float(vals.max())
    if lo < 0 < hi:
        lim = max(-lo, hi)
        return "RdBu_r", -lim, lim
    if hi <= 0:
        return "viridis_r", (lo if lo < 0 else -1.0), 0.0
    return "viridis", 0.0, hi


def plot_heatmaps(sw, outdir):
    varied = [k for k in range(len(sw.params))
              if len(np.unique(sw.x[:, k])) > 1]
    if sw.design != "grid" or len(varied) != 2:
        return []
    a, b = varied
    la, lb = sw.labels[a], sw.labels[b]
    va, vb = np.unique(sw.x[:, a]), np.unique(sw.x[:, b])
    out = []
    for m in sw.metrics:
        ml = labels.metric_label(m)
        y = np.asarray(sw.y[m], dtype=float)
        grid = np.full((len(va), len(vb)), np.nan)
        half = np.full_like(grid, np.nan)
        count = np.zeros(grid.shape, dtype=int)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(y, axis=1)
            n = np.isfinite(y).sum(axis=1)
            hw = t975(n - 1) * np.nanstd(y, axis=1, ddof=1) / np.sqrt(n)
        for p in range(len(sw.status)):
            if sw.status[p] == 0:
                i = np.searchsorted(va, sw.x[p, a])
                j = np.searchsorted(vb, sw.x[p, b])
                grid[i, j], half[i, j] = mean[p], hw[p]
                count[i, j] = n[p]
        if np.isnan(grid).all():
            continue  # undefined everywhere (months_to_half_access, say)
        if ml.money:
            scale, unit = labels.money_unit(grid[np.isfinite(grid)])
        else:
            scale, unit = ml.scale, ml.unit
        grid, half = grid * scale, half * scale
        xa, xb = va * la.scale, vb * lb.scale
        loga, logb = use_log(xa), use_log(xb)
        cmap, vmin, vmax = colour_scale(grid)
        fig, ax = plt.subplots(figsize=(FIGSIZE[0], 6.2),
                               layout="constrained")
        ax.set_facecolor("#d9d9d9")  # what shows through: failed points
        ax.grid(False)
        mesh = ax.pcolormesh(cell_edges(xb, logb), cell_edges(xa, loga),
                             np.ma.masked_invalid(grid), cmap=cmap,
                             vmin=vmin, vmax=vmax, shading="flat",
                             edgecolors="white", linewidth=0.5)
        for axis, log, vals in ((ax.xaxis, logb, xb), (ax.yaxis, loga, xa)):
            if log:
                (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
            axis.set_ticks(vals)
            axis.set_ticklabels([f"{v:g}" for v in vals])
            axis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel(lb.full() + (" (log scale)" if logb else ""))
        ax.set_ylabel(wrap(la.full() + (" (log scale)" if loga else ""), 45))
        cm = mesh.cmap
        for i in range(len(va)):
            for j in range(len(vb)):
                v = grid[i, j]
                if not np.isfinite(v):
                    continue
                r, g, bl, _ = cm(mesh.norm(v))
                dark = 0.299 * r + 0.587 * g + 0.114 * bl < 0.55
                s = f"{v:.3g}"
                if np.isfinite(half[i, j]):
                    s += f"\n\u00b1{half[i, j]:.2g}"
                if count[i, j] < sw.reps:  # undefined in some replications
                    s += f"\nn = {count[i, j]}"
                ax.text(xb[j], xa[i], s, ha="center", va="center",
                        fontsize=8, linespacing=1.1,
                        color="white" if dark else "black")
        fig.colorbar(mesh, ax=ax, label=wrap(
            f"{ml.text} ({unit}), mean" if unit else f"{ml.text}, mean",
            40))
        reps = f"{sw.reps} replication{'s' if sw.reps != 1 else ''}"
        crn = ", common random numbers" if sw.crn else ""
        failed = int(np.sum(sw.status != 0))
        gone = (f"; grey: {failed} failed point{'s' if failed != 1 else ''}"
                if failed else "")
        ax.set_title(f"{sw.name}: {ml.text}" + (f" ({unit})" if unit else "")
                     + f"\nin each cell: the mean of {reps} \u00b1 its 95% "
                     f"interval\nseed {sw.seed}{crn}{gone}", fontsize=11)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", m)
        out.append(save(fig, outdir, f"heatmap_{safe}"))
    return out


def is_calibration(path):
    """Whether path is an `aims calibrate` file (format aims-calibration)."""
    try:
        with h5py.File(path, "r") as f:
            return text(f.attrs.get("format", b"")) == "aims-calibration"
    except Exception:
        return False  # Run() or open_sweep() says what is wrong


def calibration_figures(path):
    """posterior (the marginals of every generation), fit (each target in
    units of its sd, held out marked) and, for SMM, path: drawn by
    plot_calibration.py (while the read watchdog runs), saved by main in
    --format and --dpi."""
    import plot_calibration as pc  # beside this file (sys.path[0])
    try:
        with h5py.File(path, "r") as f:
            figs = pc.figures(f)
    except Exception as e:
        raise Failure(path, f"not a complete aims calibration file "
                      f"({type(e).__name__}: {e})") from None
    return figs


def open_sweep(path):
    """The sweep in path, or None when path is an aims run file."""
    if not os.path.isfile(path):
        return None
    try:
        f = h5py.File(path, "r")
    except OSError:
        return None  # Run() says what is wrong
    # A damaged file fails anywhere in here, with whatever h5py raises
    # ("inflate() failed", "wrong B-tree signature", a bad global heap):
    # one line and exit 2, as for a run file, never a traceback.
    try:
        with f:
            if text(f.attrs.get("format", b"")) != "aims-sweep":
                return None
            return Sweep(path, f)
    except Failure:
        raise
    except Exception as e:
        raise Failure(path, f"cannot read ({type(e).__name__}: {e}); "
                      "damaged or truncated?") from None


# ---- command line -----------------------------------------------------------

USAGE = ("usage: plot.py OUT.h5 [OTHER.h5] -o DIR [--format png|pdf|svg] "
         "[--dpi N]")


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in plot.py's form: one line, exit 2."""

    def error(self, message):
        raise Failure(None, f"{message} ({USAGE}; plot.py --help for more)")


def _dpi(v):
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{v}' is not a whole number") \
            from None
    if not 50 <= n <= 2400:
        raise argparse.ArgumentTypeError(f"{n} is not in 50 .. 2400")
    return n


def parse_args(argv):
    p = _Parser(prog=PROG, allow_abbrev=False,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                description=__doc__.split("\n\n", 1)[1].strip(),
                usage=USAGE[len("usage: "):])
    p.add_argument("files", nargs="+", metavar="FILE.h5",
                   help="a run file; two run files (their paired "
                   "difference); or a sweep file")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="directory for the pictures (created if missing)")
    p.add_argument("--format", choices=("png", "pdf", "svg"),
                   default="png", help="file format (default png)")
    p.add_argument("--dpi", type=_dpi, default=200, metavar="N",
                   help="dots per inch of a PNG (default 200; 50 .. 2400)")
    a = p.parse_args(argv)
    if len(a.files) > 2:
        p.error(f"expected one or two files, not {len(a.files)}")
    if not a.output:
        p.error("-o needs a directory")
    return a


def main(argv):
    """Draws what argv asks for; returns the paths written."""
    global DPI, FORMAT
    args = parse_args(argv)
    files, outdir = args.files, args.output
    DPI, FORMAT = args.dpi, args.format
    calib = len(files) == 1 and is_calibration(files[0])
    sweep = open_sweep(files[0]) if len(files) == 1 and not calib else None
    runs = [] if sweep or calib else [Run(p) for p in files]  # all checked
    calib_figs = calibration_figures(files[0]) if calib else None
    if len(runs) == 2:
        check_pair(runs[0], runs[1])
    read_done()
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        raise Failure(outdir, "cannot create the output directory: "
                      f"{e.strerror or e}") from None
    if not os.path.isdir(outdir):
        raise Failure(outdir, "not a directory")
    style()
    # Glyphs the font lacks (non-ASCII names) are drawn as boxes, silently.
    warnings.filterwarnings("ignore", message="Glyph .* missing")
    if calib:
        return [save(fig, outdir, stem) for stem, fig in calib_figs]
    if sweep is not None:
        if sweep.sens is None and sweep.design == "sobol":
            raise Failure(files[0], "no Sobol indices yet: run 'aims "
                          "sensitivity FILE -o OUT.h5' and plot OUT.h5")
        made = [plot_sensitivity(sweep, outdir)] if sweep.sens else []
        made += plot_heatmaps(sweep, outdir)
        if not made:
            raise Failure(files[0], "nothing to draw: a sweep plot needs "
                          "Sobol indices or a grid over two parameters")
        return made
    if len(runs) == 2:  # the pair: only their difference
        return [plot_difference(runs[0], runs[1], outdir)]
    run = runs[0]
    return [plot_channel_shares(run, outdir), plot_frontier(run, outdir),
            plot_revenue(run, outdir), plot_tokens(run, outdir)]


# HDF5 1.10.8 can spin for minutes on some damaged files (found by fuzzing
# the C reader; h5py uses the same library) and Python cannot interrupt it
# inside the C call. So the work runs in a child process, and the parent
# gives the reading a budget (30 s, plus 1 s per 10 MB; AIMS_READ_TIMEOUT
# overrides): a child still reading when it runs out is killed, and the
# input is reported as damaged, exit 2. Plotting itself is not timed.
_READ_PIPE = None


def read_done():
    """Tells the watchdog that every input has been read."""
    if _READ_PIPE is not None:
        os.write(_READ_PIPE, b"r")


def read_budget(argv):
    files = [a for a in argv if not a.startswith("-") and os.path.isfile(a)]
    env = os.environ.get("AIMS_READ_TIMEOUT", "")
    if env.isdigit() and int(env) > 0:
        return int(env), files
    size = sum(os.path.getsize(f) for f in files)
    return 30 + size // 10000000, files


def watched(argv):
    """Runs main(argv) in a child under the read watchdog; returns the exit
    status."""
    global _READ_PIPE
    import select
    import signal
    secs, files = read_budget(argv)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _READ_PIPE = w
        code = run(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(w)
    ready, _, _ = select.select([r], [], [], secs)
    if ready and os.read(r, 1) in (b"r", b""):
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code >= 0:
            return code
        if -code in (signal.SIGINT, signal.SIGTERM):
            return 128 - code
        # HDF5 itself crashes on some damaged files (found by fuzzing).
        say(" ".join(files or []) or None, "HDF5 crashed reading it "
            f"(signal {-code}): a damaged file? Write it again (aims run "
            "or sweep) or copy it again")
        return 2
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    where = files[0] if files and len(files) == 1 else " ".join(files or [])
    say(where or None, f"HDF5 did not finish reading it in {secs} s: a "
        "damaged file? Write it again (aims run or sweep); if it is just "
        "large, AIMS_READ_TIMEOUT=SECONDS allows more")
    return 2


def run(argv):
    try:
        # A message, as aims's own 'wrote ...': on stderr, one file a line,
        # so stdout stays for results (plot.py has none).
        for path in main(argv):
            print(f"{PROG}: wrote {path}", file=sys.stderr)
        return 0
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else 0
    except Failure as f:
        say(f.where, f.message)
        return f.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(watched(sys.argv[1:]))

