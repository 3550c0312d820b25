"""check_plot.py RUN.h5 GRID.h5 SOBOL.h5 DIR -- what analysis/plot.py draws,
checked on the figures themselves (tests/test_plot.c runs it with Debian's
/usr/bin/python3 on real aims files):

  RUN.h5    tests/fixtures/cli/tiny.cfg: a partnership ending at month 6
            with a 3-month wind-down;
  GRID.h5   a grid over gray.enforcement (unevenly spaced) and that
            wind-down, 2 replications;
  SOBOL.h5  tests/fixtures/cli/tiny_sobol.cfg after `aims sensitivity`.

Each figure is caught where plot.py would save it. Prints one line per
failed check and exits 1 if any failed, else prints "ok N checks".
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "analysis"))

import numpy as np  # noqa: E402
import plot  # noqa: E402
import plot_labels as L  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402

failed, checks = [], 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failed.append(what)
        print("FAIL:", what)


caught = {}


def catch(fig, outdir, stem):
    caught[stem] = fig
    return os.path.join(outdir, stem)


plot.save = catch
plot.style()
run_path, grid_path, sobol_path, outdir = sys.argv[1:5]

# ---- statistics and units --------------------------------------------------

# Student t 0.975 quantiles from the table: 1, 4 and 30 degrees of freedom.
for df, q in ((1, 12.706), (4, 2.776), (30, 2.042)):
    check(abs(plot.t975(df) - q) < 5e-4, f"t975({df}) = {plot.t975(df)}")
check(np.isnan(plot.t975(0)), "t975(0) is NaN")
check(L.money(3.81e8) == "$381M", f"money(3.81e8) = {L.money(3.81e8)}")
check(L.money(2.5e9) == "$2.5B", f"money(2.5e9) = {L.money(2.5e9)}")
check(L.money_unit([3e8, 2e9]) == (1e-9, "$B"), "money unit of $2B is $B")
check(L.metric_label("final_channel_share:gray").unit == "%",
      "channel shares are percent")

# ---- labels ------------------------------------------------------------

tiny = L.parse_file(os.path.join(HERE, "..", "fixtures", "cli", "tiny.cfg"))
lb = L.param_label("timeline.[0].wind_down_months", tiny)
check(lb.full() == "Wind-down after the end of the azure_china partnership "
      "(months)", f"wind-down label: {lb.full()}")
# An event named by its id rather than its position labels the same way.
with_id = {"timeline": [{"month": 3.0, "type": "price_change",
                         "vendor": "qwen", "factor": 0.7},
                        {"month": 7.0, "type": "commerce_rule",
                         "id": "cloud_rule", "compliance_months": 4.0,
                         "approval_prob": 0.7}]}
lb = L.param_label("timeline.cloud_rule.approval_prob", with_id)
check(lb.full() == "Licence approval probability, Commerce cloud-access rule "
      "(%)" and lb.scale == 100, f"id path label: {lb!r}")
check(L.param_label("no.such.path", tiny).full() == "no.such.path",
      "an unknown path is its own label")
mk = L.markers(L.timeline(with_id))
check([(m, k) for m, k, _ in mk] == [(3.0, "announce"), (7.0, "announce"),
                                     (11.0, "effect")],
      f"markers of a rule with a compliance period: {mk}")

# ---- a run: announcement and take-effect markers ---------------------------

run = plot.Run(run_path)
check([(m, k) for m, k, _ in run.shocks] == [(6.0, "announce"),
                                             (9.0, "effect")],
      f"tiny.cfg's markers: {run.shocks}")
plot.plot_frontier(run, outdir)
ax = caught["frontier_access"].axes[0]
vlines = {(float(ln.get_xdata()[0]), ln.get_linestyle())
          for ln in ax.lines if len(set(ln.get_xdata())) == 1}
check((6.0, ":") in vlines and (9.0, "--") in vlines,
      f"dotted line at month 6, dashed at 9: {vlines}")

# ---- a grid sweep: heatmaps ------------------------------------------------

with plot.h5py.File(grid_path, "r") as f:
    sw = plot.Sweep(grid_path, f)
made = plot.plot_heatmaps(sw, outdir)
check(len(made) == len(sw.metrics), f"one heatmap per metric: {made}")
fig = caught.get("heatmap_final_frontier_access_share")
check(fig is not None, "heatmap_final_frontier_access_share drawn")
if fig is not None:
    ax = fig.axes[0]
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][0]
    xy = mesh.get_coordinates()  # [rows + 1, cols + 1, 2]
    ex, ey = xy[0, :, 0], xy[:, 0, 1]
    # x: wind-down 0, 3, 6 -> edges -1.5, 1.5, 4.5, 7.5.
    check(np.allclose(ex, [-1.5, 1.5, 4.5, 7.5]), f"x edges {ex}")
    # y: enforcement 0.25, 0.5, 1, 4 spans a factor 16: a log axis with
    # geometric midpoints, so the cells are unequal on the page as the
    # values are unequal in ratio.
    va = np.array([0.25, 0.5, 1.0, 4.0])
    mid = np.sqrt(va[1:] * va[:-1])
    check(ax.get_yscale() == "log", f"y scale {ax.get_yscale()}")
    check(np.allclose(ey[1:-1], mid), f"y edges {ey} (expected {mid})")
    h = np.diff(np.log(ey))
    check(h.max() / h.min() > 1.9, f"cell heights unequal: {h}")
    check(mesh.norm.vmin == 0.0, f"colour scale starts at 0: {mesh.norm.vmin}")
    check(ax.get_xlabel() == "Wind-down after the end of the azure_china "
          "partnership (months)", f"x label: {ax.get_xlabel()}")
    check(ax.get_ylabel().replace("\n", " ").startswith(
        "Gray-channel enforcement"), f"y label: {ax.get_ylabel()}")
    check("mean of 2 replications" in ax.get_title(),
          f"title states replications: {ax.get_title()}")
    texts = [t.get_text() for t in ax.texts]
    check(len(texts) == 12 and all("e+" not in t and "e-" not in t
                                   for t in texts),
          f"12 cell values, no exponents: {texts}")
    cb = fig.axes[-1].get_ylabel().replace("\n", " ")
    check("(%)" in cb, f"colour bar in percent: {cb}")
cmap, lo, hi = plot.colour_scale(np.array([[-1.0, 0.5], [2.0, 0.1]]))
check((lo, hi) == (-2.0, 2.0) and cmap == "RdBu_r",
      f"both signs: symmetric around 0 ({cmap}, {lo}, {hi})")

# ---- a sobol sweep: the caption --------------------------------------------

with plot.h5py.File(sobol_path, "r") as f:
    sw = plot.Sweep(sobol_path, f)
plot.plot_sensitivity(sw, outdir)
fig = caught["sensitivity"]
cap = fig._suptitle.get_text().replace("\n", " ")
for want in ("first-order S_i", "total S_Ti", "95% percentile bootstrap",
             "N = 16 base samples", "N(d + 2) = 48 points",
             "1 replication per point", "mean of its replications"):
    check(want in cap, f"caption has '{want}': {cap}")
check("16 of 16 design rows used" in fig.axes[0].get_title(loc='left'),
      f"rows used: {fig.axes[0].get_title(loc='left')}")

if failed:
    sys.exit(1)
print(f"ok {checks} checks")
