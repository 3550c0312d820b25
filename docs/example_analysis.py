#!/usr/bin/python3
"""example_analysis.py RUN.h5 [SWEEP.h5] -- a worked example of reading aims
results with analysis/aims_data.py (docs/output.md, "Tables and Python").

    build/aims run scenarios/commerce_tightening.cfg -o run.h5
    build/aims sweep scenarios/sweep_enforcement.cfg -o sweep.h5
    /usr/bin/python3 docs/example_analysis.py run.h5 sweep.h5

It prints: the headline summaries with 95% intervals over replications;
frontier access by calendar month; revenue by actor; and, for a sweep, how
the mean of each metric moves with each parameter. The test suite runs it
(tests/test_export.c), so it stays in step with the module.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "analysis"))
import aims_data  # noqa: E402

try:
    from scipy.stats import t as student_t
except ImportError:               # no python3-scipy: the normal quantile,
    student_t = None              # too narrow below about 30 replications


def interval(x):
    """Mean and 95% Student t interval of the non-NaN values of x."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    m = x.mean()
    if n < 2:
        return m, np.nan, np.nan, n
    q = student_t.ppf(0.975, n - 1) if student_t else 1.96
    h = q * x.std(ddof=1) / np.sqrt(n)
    return m, m - h, m + h, n


def run_part(path):
    ds = aims_data.open_run(path)
    print(f"{path}: scenario {ds.attrs['scenario_name']}, "
          f"{ds.sizes['replication']} replications, from {ds.attrs['start']}")

    # 1. Summaries, from the tidy table: one row per value. Group by the
    # variable and its coordinate; n counts the replications where the value
    # is defined (months_to_half_access is NaN where access never halved).
    df = aims_data.tidy(ds, part="summaries")
    key = ["variable"] + [c for c in ("channel", "actor") if c in df]
    print(f"\n{'summary':44} {'mean':>12} {'95% lo':>12} {'95% hi':>12}"
          f" {'n':>3}  unit")
    for k, g in df.groupby(key, sort=False, dropna=False):
        name = ":".join(str(v) for v in k if isinstance(v, str))
        m, lo, hi, n = interval(g["value"])
        print(f"{name:44} {m:12.5g} {lo:12.5g} {hi:12.5g} {n:3d}  "
              f"{g['unit'].iloc[0]}")

    # 2. A series by calendar month, from the Dataset (the `date`
    # coordinate says which month each time is).
    share = ds["frontier_access_share"]
    print(f"\nfrontier_access_share ({share.attrs['units']}), mean over "
          f"replications, every 12th month:")
    mean = share.mean("replication")
    for d, v in zip(ds["date"].values[::12], mean.values[::12]):
        print(f"  {d}  {v:.4f}")

    # 3. Revenue by actor over the horizon, in $M.
    rev = ds["cumulative_revenue"].mean("replication") / 1e6
    print("\ncumulative revenue, mean over replications, $M:")
    for a, v in sorted(zip(ds["actor"].values, rev.values),
                       key=lambda p: -p[1]):
        print(f"  {a:20} {v:12.1f}")


def sweep_part(path):
    ds = aims_data.open_sweep(path)
    params = ds.attrs["parameters"]
    ok = ds["status"] == 0
    print(f"\n{path}: sweep {ds.attrs['name']}, {ds.sizes['point']} points "
          f"({int(ok.sum())} ok), {ds.sizes['replication']} replications")
    # The mean over replications of each metric, against each parameter:
    # the parameters are coordinates along `point`, so group by them.
    for m in ds.data_vars:
        y = ds[m].where(ok).mean("replication")
        for p in params:
            by = y.groupby(ds[p]).mean()
            pairs = ", ".join(f"{x:g}: {v:.4g}" for x, v in
                              zip(by[p].values, by.values))
            print(f"  {m} by {p}: {pairs}")


def main():
    if not 2 <= len(sys.argv) <= 3:
        print("usage: example_analysis.py RUN.h5 [SWEEP.h5]", file=sys.stderr)
        sys.exit(2)
    run_part(sys.argv[1])
    if len(sys.argv) == 3:
        sweep_part(sys.argv[2])


if __name__ == "__main__":
    main()
