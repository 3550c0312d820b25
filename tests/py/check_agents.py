#!/usr/bin/python3
"""check_agents.py RUN.h5 -- the /agents group of a run file as
analysis/runfile_agents.h and docs/output.md describe it, read with h5py
and with xarray (h5netcdf) as a user would: every axis named, the log a
table of (replication, time, agent, decision, value). Prints "ok" lines;
any failure raises."""
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    reps = f["replication"].shape[0]
    months = f["time"].shape[0]
    vendors = list(f["agents/vendor"].asstr()[()])
    inter = list(f["agents/intermediary"].asstr()[()])
    assert list(f["agents/rule"].asstr()[()]) == [
        "kyc", "commerce", "approval_prob", "cac_filing", "enforcement",
        "stance"]
    assert list(f["agents/indicator"].asstr()[()]) == [
        "us_frontier_access", "gray_volume", "detections", "gray_share"]
    for name, axis in [("price", "vendor"), ("markup", "intermediary"),
                       ("capacity", "intermediary"), ("rule_state", "rule"),
                       ("indicator_value", "indicator")]:
        d = f["agents/" + name]
        n = len(vendors) if axis == "vendor" else \
            len(inter) if axis == "intermediary" else \
            f["agents/" + axis].shape[0]
        assert d.shape == (reps, months, n), (name, d.shape)
        dims = [list(x.keys())[0] for x in d.dims]
        assert dims == ["replication", "time", axis], (name, dims)
        assert "units" in d.attrs and "long_name" in d.attrs, name
    log = f["agents/log"]
    n = log["entry"].shape[0]
    for k in ["rep", "month", "agent", "decision", "value"]:
        assert log[k].shape == (n,), k
        assert [list(x.keys())[0] for x in log[k].dims] == ["entry"], k
    assert np.all(np.diff(log["rep"][()]) >= 0), "log sorted by replication"
    agents = set(vendors) | set(inter) | {"commerce", "cac"}
    assert set(log["agent"].asstr()[()]) <= agents
    print("h5py ok", n, "decisions")

try:
    import xarray as xr
except ImportError:
    print("no xarray")
    sys.exit(0)
ds = xr.open_dataset(path, engine="h5netcdf", group="agents")
assert ds["price"].dims == ("replication", "time", "vendor")
assert list(ds["vendor"].values) == vendors
lg = xr.open_dataset(path, engine="h5netcdf", group="agents/log")
df = lg.to_dataframe()
assert list(df.columns) == ["agent", "decision", "month", "rep", "value"], \
    list(df.columns)
assert len(df) == n
print("xarray ok")
