#!/usr/bin/python3
"""plot_calibration.py CALIB.h5 [-o OUTDIR] -- draw an `aims calibrate` file
(analysis/plot.py CALIB.h5 -o DIR draws the same, in its --format and --dpi).

Writes into OUTDIR (default: the file's name without .h5):
  posterior.png  one panel per parameter: the weighted histogram of the
                 accepted particles of every ABC-SMC generation (the last
                 one solid), with the posterior's 2.5/50/97.5% marked; for
                 SMM, the optimum with its normal 95% interval
  fit.png        one row per target, in units of its sd: the observation at
                 0 with its +-1 and +-2 sd, the simulated 95% interval and
                 mean as (sim - observed) / sd; held-out targets in another
                 colour and marked
  path.png       SMM only: the objective at every evaluation
The layout of the file is docs/calibration.md's.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def posterior(f):
    """The posterior marginals' figure."""
    params = [text(p) for p in f["parameter"][()]]
    method = text(f.attrs["method"])
    n = len(params)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.2), squeeze=False)
    for k, name in enumerate(params):
        ax = axes[0][k]
        if method == "abc_smc" and "abc" in f:
            x, w = f["abc/particles"][()], f["abc/weights"][()]
            G = x.shape[0]
            lo, hi = np.nanmin(x[:, :, k]), np.nanmax(x[:, :, k])
            bins = np.linspace(lo, hi, 25) if hi > lo else 10
            for g in range(G):
                last = g == G - 1
                ax.hist(x[g, :, k], bins=bins, weights=w[g], density=True,
                        histtype="stepfilled" if last else "step",
                        alpha=0.6 if last else 0.8,
                        label="generation %d" % g)
        for q, style in (("q025", ":"), ("q50", "-"), ("q975", ":")):
            ax.axvline(f["posterior/" + q][k], color="k", linestyle=style)
        ax.set_title(name, fontsize=9)
        ax.set_yticks([])
    if method == "abc_smc":
        axes[0][0].legend(fontsize=7)
    fig.suptitle("%s (%s): posterior, 2.5/50/97.5%%" %
                 (text(f.attrs["name"]), method))
    fig.tight_layout()
    return fig


def fit(f):
    """The fit table's figure."""
    ids = [text(t) for t in f["target"][()]]
    obs, sd = f["fit/observed"][()], f["fit/sd"][()]
    m, lo, hi = f["fit/sim_mean"][()], f["fit/sim_lo"][()], f["fit/sim_hi"][()]
    held = f["fit/held_out"][()].astype(bool)
    y = np.arange(len(ids))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(ids) + 1.2))
    ax.axvspan(-2, 2, color="0.92")
    ax.axvspan(-1, 1, color="0.85")
    ax.axvline(0, color="k", linewidth=0.8)
    for i in range(len(ids)):
        c = "tab:orange" if held[i] else "tab:blue"
        ax.plot([(lo[i] - obs[i]) / sd[i], (hi[i] - obs[i]) / sd[i]], [y[i]] * 2,
                color=c, linewidth=2)
        ax.plot((m[i] - obs[i]) / sd[i], y[i], "o", color=c)
    ax.set_yticks(y)
    ax.set_yticklabels([t + (" (held out)" if h else "") for t, h in zip(ids, held)],
                       fontsize=8)
    ax.set_xlabel("(simulated - observed) / sd: mean and 95% interval; "
                  "bands: 1 and 2 sd")
    ax.set_title("%s: the fit" % text(f.attrs["name"]))
    fig.tight_layout()
    return fig


def path(f):
    """The optimiser's path (SMM), or None."""
    if "smm" not in f:
        return None
    obj = f["smm/objective"][()]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.semilogy(np.arange(len(obj)), obj, ".-")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("distance squared")
    ax.set_title("%s: the simplex's path" % text(f.attrs["name"]))
    fig.tight_layout()
    return fig


def figures(f):
    """(stem, figure) of every picture of calibration file f."""
    out = [("posterior", posterior(f)), ("fit", fit(f))]
    p = path(f)
    return out + ([("path", p)] if p is not None else [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    out = a.output or os.path.splitext(a.file)[0]
    try:
        f = h5py.File(a.file, "r")
    except OSError as e:
        print("plot_calibration.py: %s: %s" % (a.file, e), file=sys.stderr)
        return 2
    with f:
        if text(f.attrs.get("format", "")) != "aims-calibration":
            print("plot_calibration.py: %s: not an aims calibration file" % a.file,
                  file=sys.stderr)
            return 2
        os.makedirs(out, exist_ok=True)
        for stem, fig in figures(f):
            fig.savefig(os.path.join(out, stem + ".png"), dpi=110)
            plt.close(fig)
    print("plot_calibration.py: wrote %s/" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
