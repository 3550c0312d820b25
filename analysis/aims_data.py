"""aims_data -- read the HDF5 files of aims into xarray and pandas.

Three functions, on Debian's python3-h5py, python3-xarray (h5netcdf
engine) and python3-pandas:

    open_run(path)    an `aims run` file as one xarray Dataset: every
                      /summary and /series data set, with the root's
                      coordinates (replication, time, channel, actor, ...),
                      each data set's units and long_name, the calendar
                      month of each time as the coordinate `date`, and the
                      run's provenance (seed, scenario, ...) in .attrs.
    open_sweep(path)  an `aims sweep` file as one Dataset: every metric
                      [point, replication], with each parameter (by its
                      --set path) and the point's status and message as
                      coordinates along `point`.
    tidy(path)        the long table of `aims export` as a DataFrame: one
                      row per value, the same columns, rows and values
                      (tests/py/check_export.py checks they agree, value
                      for value). tidy(path, wide=True) is `aims export
                      --wide`; part="summaries" or "series" selects as
                      --summaries and --series do.

analysis/export.h describes the table. Use Debian's Python
(/usr/bin/python3): a pyenv or virtualenv python3 does not see these
packages. Everything is loaded into memory (run files are small) and the
file is closed before the functions return.

    import sys; sys.path.insert(0, "analysis")   # or the installed copy
    import aims_data
    ds = aims_data.open_run("run.h5")
    ds["frontier_access_share"].mean("replication")
    df = aims_data.tidy("run.h5", part="summaries")
"""

import os

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["open_run", "open_sweep", "tidy"]

# The coordinate columns of the table, in the order export.c prints them.
_COORDS = ["channel", "actor", "vendor", "option", "segment", "sector",
           "account"]
# A sweep metric NAME:LABEL and the run axis of its LABEL (sweepfile.c,
# metric_table): the table names it as a run's summary.
_METRIC_AXIS = {"cumulative_revenue": "actor", "final_channel_share": "channel"}
_STATUS = {0: "ok", 1: "failed", 2: "not_run"}


def _open(path, group=None):
    """One group of path, read whole and closed."""
    with xr.open_dataset(path, engine="h5netcdf", group=group) as ds:
        return ds.load()


def _dates(start, time):
    """YYYY-MM of each month end t (1 = the start month), None where t is
    not a whole month or start is not YYYY-MM (as export.c's month_date)."""
    try:
        y, m = (int(x) for x in str(start).split("-"))
        if len(str(start)) != 7 or not 1 <= m <= 12:
            raise ValueError(start)
    except (ValueError, TypeError):
        return [None] * len(time)
    out = []
    for t in np.asarray(time, dtype=float):
        if not (1 <= t <= 1e6) or t != np.floor(t):
            out.append(None)
            continue
        k = y * 12 + (m - 1) + int(t) - 1
        out.append(f"{k // 12:04d}-{k % 12 + 1:02d}")
    return out


def open_run(path):
    """The run file at path as an xarray Dataset (see the module text)."""
    root = _open(path)
    if root.attrs.get("format") != "aims-run":
        raise ValueError(f"{path}: not an aims run file (format = "
                         f"{root.attrs.get('format')!r})")
    groups = {g: _open(path, g) for g in ("summary", "series")}
    ds = xr.merge(list(groups.values()), combine_attrs="drop_conflicts")
    for name in ds.data_vars:       # which group it came from, for tidy()
        g = "summary" if name in groups["summary"].data_vars else "series"
        ds[name].attrs["group"] = g
    coords = {d: root[d] for d in ds.dims if d in root}
    ds = ds.assign_coords(coords)
    start = root["time"].attrs.get("start")
    ds = ds.assign_coords(date=("time", _dates(start, ds["time"].values)))
    ds["date"].attrs["long_name"] = "calendar month of the month end"
    # The option table and the large accounts' sectors, along their axes.
    for g, axis in (("options", "option"), ("accounts", "account")):
        if axis in ds.dims:
            table = _open(path, g)
            for name in table.data_vars:
                ds = ds.assign_coords(
                    {f"{axis}_{name}": (axis, table[name].values)})
    ds.attrs = dict(root.attrs)
    return ds


def open_sweep(path):
    """The sweep file at path as an xarray Dataset (see the module text)."""
    root = _open(path)
    if root.attrs.get("format") != "aims-sweep":
        raise ValueError(f"{path}: not an aims sweep file (format = "
                         f"{root.attrs.get('format')!r})")
    points = _open(path, "points")
    ds = _open(path, "points/summary")
    ds = ds.assign_coords(point=root["point"], replication=root["replication"])
    params = [str(p) for p in root["parameter"].values]
    x = points["parameters"].values
    for k, name in enumerate(params):
        ds = ds.assign_coords({name: ("point", x[:, k])})
        ds[name].attrs["long_name"] = f"sweep parameter {name}"
    ds = ds.assign_coords(status=("point", points["status"].values),
                          message=("point", points["message"].values))
    ds["status"].attrs = dict(points["status"].attrs)
    ds.attrs = dict(root.attrs)
    ds.attrs["parameters"] = params
    return ds


def _column(values, n):
    """A column of n cells: an array, or one value repeated."""
    if isinstance(values, np.ndarray):
        return values
    out = np.empty(n, dtype=object)
    out[:] = values
    return out


def _frame(columns, blocks):
    """The DataFrame of blocks (dicts column -> cells) with the columns
    given, empty cells as NaN, as pandas.read_csv would give them."""
    data = {}
    for c in columns:
        parts = []
        for n, cells in blocks:
            v = cells.get(c)
            parts.append(_column(np.nan if v is None else v, n))
        col = np.concatenate(parts) if parts else np.empty(0)
        if col.dtype == object:
            s = pd.Series(col, dtype=object)
            s = s.where(s.notna(), np.nan)
            try:                      # numbers stored as objects
                s = pd.to_numeric(s)
            except (ValueError, TypeError):
                pass
            data[c] = s
        else:
            data[c] = pd.Series(col)
    df = pd.DataFrame(data, columns=columns)
    return df


def _run_vars(ds, part):
    want = {"summaries": ["summary"], "series": ["series"],
            None: ["summary", "series"]}[part]
    out = []
    for g in want:
        out += sorted(n for n in ds.data_vars if ds[n].attrs.get("group") == g)
    return out


def _run_long(ds, names):
    scenario = ds.attrs.get("scenario_name", "")
    blocks, used = [], {"scenario"}
    for name in names:
        da = ds[name]
        n = int(da.size)
        if n == 0:
            continue
        used |= {"variable", "value", "unit"} | set(da.dims)
        idx = np.indices(da.shape).reshape(len(da.dims), -1)
        cells = {"scenario": scenario, "variable": name,
                 "value": da.values.ravel().astype(float),
                 "unit": da.attrs.get("units")}
        for k, d in enumerate(da.dims):
            cells[d] = ds[d].values[idx[k]]
            if d == "time":
                used.add("date")
                cells["date"] = np.asarray(ds["date"].values,
                                           dtype=object)[idx[k]]
        blocks.append((n, cells))
    order = ["scenario", "replication", "variable", "time", "date"] + \
        _COORDS + ["value", "unit"]
    return _frame([c for c in order if c in used], blocks)


def _run_wide(ds, names):
    reps = ds["replication"].values
    cols = {"scenario": np.full(len(reps), ds.attrs.get("scenario_name", ""),
                                dtype=object),
            "replication": reps}
    for name in names:
        da = ds[name].transpose("replication", ...)
        rest = da.dims[1:]
        flat = da.values.reshape(len(reps), -1)
        labels = [()]
        for d in rest:
            labels = [lab + (str(v),) for lab in labels for v in ds[d].values]
        for k, lab in enumerate(labels):
            cols[":".join((name,) + lab)] = flat[:, k].astype(float)
    return _frame(list(cols), [(len(reps), cols)])


def _sweep_table(ds, wide):
    params = list(ds.attrs["parameters"])
    P, R = ds.sizes["point"], ds.sizes["replication"]
    status = np.array([_STATUS.get(int(s), "not_run")
                       for s in ds["status"].values], dtype=object)
    name = ds.attrs.get("name", "")
    metrics = sorted(ds.data_vars)
    pt = np.repeat(np.arange(P, dtype=np.int64), R)
    base = {"scenario": name, "point": pt, "status": np.repeat(status, R),
            "replication": np.tile(np.arange(R, dtype=np.int64), P)}
    for p in params:
        base[p] = np.repeat(ds[p].values.astype(float), R)
    head = ["scenario", "point", "status"] + params + ["replication"]
    if wide:
        cells = dict(base)
        for m in metrics:
            cells[m] = ds[m].transpose("point", "replication").values.ravel()
        return _frame(head + metrics, [(P * R, cells)])
    blocks, used = [], set()
    for m in metrics:
        var, _, label = m.partition(":")
        axis = _METRIC_AXIS.get(var) if label else None
        if axis is None:
            var = m
        cells = dict(base)
        cells.update(variable=var, unit=ds[m].attrs.get("units"),
                     value=ds[m].transpose("point", "replication")
                     .values.ravel())
        if axis is not None:
            cells[axis] = label
        if P * R > 0:
            used |= {"variable", "value", "unit"} | ({axis} - {None})
        blocks.append((P * R, cells))
    if P * R == 0:
        head = ["scenario"]
    order = head + ["variable"] + [c for c in _COORDS if c in used] + \
        ["value", "unit"]
    return _frame([c for c in order if c in head or c in used], blocks)


def tidy(source, part=None, wide=False):
    """The table of `aims export` for source (a path, or a Dataset from
    open_run or open_sweep): part None (all), "summaries" or "series";
    wide=True for one column per summary value."""
    if part not in (None, "summaries", "series"):
        raise ValueError(f"part: None, 'summaries' or 'series', not {part!r}")
    ds = source
    if isinstance(source, (str, os.PathLike)):
        fmt = _open(source).attrs.get("format")
        ds = open_sweep(source) if fmt == "aims-sweep" else open_run(source)
    if ds.attrs.get("format") == "aims-sweep":
        if part == "series":
            raise ValueError("a sweep file holds no monthly series")
        return _sweep_table(ds, wide)
    if wide:
        if part == "series":
            raise ValueError("the wide form holds summaries only")
        return _run_wide(ds, _run_vars(ds, "summaries"))
    return _run_long(ds, _run_vars(ds, part))
