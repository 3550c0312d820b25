"""check_runfile.py RUN.h5 -- read the file test_runfile.c wrote, as users do.

Run by tests/test_runfile.c with Debian's /usr/bin/python3 (h5py required;
xarray and h5netcdf optional: "no xarray" is printed and the rest skipped).
Exits non-zero, with the reason, on the first mismatch.

1. h5py: every data set's shape, the scale names of its axes, units and
   long_name; every value (recomputed with the same formulas as the C test,
   in the same floating-point order, so equality is exact); the strings come
   back as str; the root attributes with their types.
2. xarray (engine h5netcdf): the root holds the coordinates, the groups
   "series" and "summary" hold the data with named dimensions, NaN survives.
3. The Python blocks of docs/output.md, run in order in one namespace, with
   their "run.h5" replaced by this file, so the documentation cannot drift
   from what works; then what they computed is checked.
"""
import math
import os
import re
import sys

import h5py
import numpy as np

PATH = sys.argv[1]
H, ACT, REP, CH = 5, 3, 3, 7
NV, NO, NSEG, NS, NA, WINDOW = 2, 3, 2, 2, 3, 2
CHANNELS = ["none", "waiting", "direct", "onshore", "offshore", "gray",
            "domestic"]
ACTORS = ["openai", "\u4e16\u7eaa\u4e92\u8054", "gray_resellers"]
RT = ["payments", "adopters", "frontier_access_share", "switches",
      "detections", "days_without_access", "capability_gap"]
VENDORS = ["openai", "qwen"]
OPTIONS = ["direct openai", "onshore openai via azure_cn", "domestic qwen"]
SEGMENTS = ["ordinary", "large"]
SECTORS = ["internet", "finance"]
ACCOUNTS = ["bytedance", "tencent", "icbc"]
# Issue 12's float data sets, in the C test's order (nd_value's k).
ND = ["series/frontier_access_index", "series/channel_count_by_sector",
      "series/tokens", "series/tokens_by_vendor", "series/tokens_by_channel",
      "series/tokens_by_sector", "summary/final_frontier_access_index",
      "summary/final_channel_share", "series/compliance_cost"]
UNITS = {
    "series/channel_count": "firms",
    "series/revenue": "USD per month",
    "series/payments": "USD per month",
    "series/adopters": "firms",
    "series/frontier_access_share": "1",
    "series/switches": "firms per month",
    "series/detections": "firms per month",
    "series/days_without_access": "firm-days per month",
    "series/capability_gap": "points",
    "summary/cumulative_revenue": "USD",
    "summary/final_frontier_access_share": "1",
    "summary/months_to_half_access": "months",
    "summary/events": "events",
    "series/frontier_access_index": "1",
    "series/channel_count_by_sector": "firms",
    "series/tokens": "Mtok per month",
    "series/tokens_by_vendor": "Mtok per month",
    "series/tokens_by_channel": "Mtok per month",
    "series/tokens_by_sector": "Mtok per month",
    "series/account_option": "1",
    "summary/final_frontier_access_index": "1",
    "summary/final_channel_share": "1",
    "series/compliance_cost": "USD per month",
}
AXES = {"series/channel_count": ("replication", "time", "channel"),
        "series/revenue": ("replication", "time", "actor"),
        "summary/cumulative_revenue": ("replication", "actor")}
for k in RT:
    AXES["series/" + k] = ("replication", "time")
for k in ("final_frontier_access_share", "months_to_half_access", "events",
          "final_frontier_access_index"):
    AXES["summary/" + k] = ("replication",)
AXES.update({
    "series/frontier_access_index": ("replication", "time"),
    "series/channel_count_by_sector": ("replication", "time", "segment",
                                       "sector", "channel"),
    "series/tokens": ("replication", "time", "option", "segment", "sector"),
    "series/tokens_by_vendor": ("replication", "time", "vendor"),
    "series/tokens_by_channel": ("replication", "time", "channel"),
    "series/tokens_by_sector": ("replication", "time", "segment", "sector"),
    "series/account_option": ("replication", "time", "account"),
    "summary/final_channel_share": ("replication", "channel"),
    "series/compliance_cost": ("replication", "time", "actor"),
})
LEN = {"replication": REP, "time": H, "channel": CH, "actor": ACT,
       "vendor": NV, "option": NO, "segment": NSEG, "sector": NS,
       "account": NA}


# The C test's formulas (test_runfile.c), t 0-based.
def cc(r, t, c):
    return 2.385 * (1000 * r + 100 * t + c) + 0.125


def rev(r, t, a):
    return 1e6 * (r + 1) + 1000.5 * t + 7.25 * a


def rt(k, r, t):
    if k == len(RT) - 1 and r == 1 and t == 2:
        return math.nan
    return 0.001 * k + 10.0 * r + 0.5 * t + 0.0625


def nd(k, r, i):
    if k == 0 and r == 2 and i == 4:
        return math.nan
    return 100.0 * k + 10.0 * r + 0.25 * i + 0.5


def expected(name):
    """The whole array the C test wrote into data set `name`."""
    if name == "summary/events":
        return np.array([2**60 + r for r in range(REP)], dtype=np.int64)
    shape = tuple(LEN[d] for d in AXES[name])
    if name in ND:
        k = ND.index(name)
        cells = int(np.prod(shape[1:]))
        return np.array([[nd(k, r, i) for i in range(cells)]
                         for r in range(REP)]).reshape(shape)
    if name == "series/account_option":
        x = np.empty(shape, dtype=np.int64)
        for r, t, a in np.ndindex(*shape):
            x[r, t, a] = (r + 2 * t + a) % (NO + 2) - 2
        return x
    x = np.empty(shape)
    for i in np.ndindex(*shape):
        r = i[0]
        if name == "series/channel_count":
            x[i] = cc(r, i[1], i[2])
        elif name == "series/revenue":
            x[i] = rev(r, i[1], i[2])
        elif name.startswith("series/"):
            x[i] = rt(RT.index(name[7:]), r, i[1])
        elif name == "summary/cumulative_revenue":
            x[i] = 5e8 * (r + 1) + 3.5 * i[1]
        elif name == "summary/final_frontier_access_share":
            x[i] = 0.2385 * (r + 1)
        elif name == "summary/months_to_half_access":
            x[i] = math.nan if r == 1 else 3.75 + r
    return x


def same(got, want, what):
    got = np.asarray(got)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    ok = got == want
    if got.dtype.kind == "f":
        ok |= np.isnan(got) & np.isnan(want)
    assert np.all(ok), (what, got, want)


# ---- 1. h5py -------------------------------------------------------------

with h5py.File(PATH, "r") as f:
    a = f.attrs
    for k, v in {"format": "aims-run", "aims_version": "0.3.0",
                 "git_commit": "0123abc", "scenario_file":
                 "scenarios/test.cfg", "scenario_name": "runfile test",
                 "start": "2026-03",
                 "scenario": 'scenario = { name = "x"; };'}.items():
        assert isinstance(a[k], str) and a[k] == v, (k, a[k])
    for k, v in {"format_version": 2, "seed": 9007199254740993,
                 "replications": REP, "horizon_months": H,
                 "final_window_months": WINDOW}.items():
        assert a[k].dtype == np.int64 and a[k] == v, (k, a[k])
    for k, v in {"frontier_tolerance": 1.5, "frontier_tau": 2.5}.items():
        assert a[k].dtype == np.float64 and a[k] == v, (k, a[k])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created"]), \
        a["created"]
    assert sorted(f.keys()) == ["account", "accounts", "actor", "agents", "channel",
                                "option", "options", "replication",
                                "sector", "segment", "series", "summary",
                                "time", "vendor"], list(f.keys())
    for coord, want in (("channel", CHANNELS), ("actor", ACTORS),
                        ("vendor", VENDORS), ("option", OPTIONS),
                        ("segment", SEGMENTS), ("sector", SECTORS),
                        ("account", ACCOUNTS)):
        assert list(f[coord].asstr()[()]) == want, (coord, want)
    for name, want in (("options/channel", ["direct", "onshore",
                                            "domestic"]),
                       ("options/vendor", ["openai", "openai", "qwen"]),
                       ("options/intermediary", ["", "azure_cn", ""]),
                       ("accounts/sector", ["internet", "internet",
                                            "finance"])):
        assert list(f[name].asstr()[()]) == want, (name, want)
        assert f[name].dims[0].label or list(f[name].dims[0].keys())
    fv = f["series/account_option"].attrs["flag_values"]
    assert fv.dtype == np.int64 and list(fv) == [-1, -2], fv
    assert f["series/account_option"].attrs["flag_meanings"] == \
        "waiting none"
    same(f["time"][()], np.arange(1.0, H + 1), "time")
    same(f["replication"][()], np.arange(REP, dtype=np.int64), "replication")
    assert f["time"].attrs["units"] == "months"
    assert f["time"].attrs["start"] == "2026-03"
    names = set()
    for g in ("series", "summary"):
        names |= {g + "/" + k for k in f[g].keys()}
    assert names == set(UNITS), sorted(names ^ set(UNITS))
    for name in sorted(UNITS):
        d = f[name]
        axes = tuple(list(dim.keys())[0] for dim in d.dims)
        assert axes == AXES[name], (name, axes)
        assert all(dim[0].name == "/" + ax for dim, ax in zip(d.dims, axes))
        assert d.attrs["units"] == UNITS[name], (name, d.attrs["units"])
        assert isinstance(d.attrs["long_name"], str) \
            and len(d.attrs["long_name"]) > 10, name
        same(d[()], expected(name), name)
print("h5py ok")

# ---- 2. xarray -------------------------------------------------------------

try:
    import xarray as xr
    import h5netcdf  # noqa: F401  (the engine; absent means skip)
except ImportError:
    print("no xarray")
    sys.exit(0)

root = xr.open_dataset(PATH, engine="h5netcdf")
assert dict(root.sizes) == LEN, dict(root.sizes)
assert len(root.data_vars) == 0, list(root.data_vars)
assert root["time"].dtype == np.float64 and list(root["time"].values) == \
    [1.0, 2.0, 3.0, 4.0, 5.0], root["time"]
assert root["time"].attrs["units"] == "months", root["time"].attrs
assert root["time"].attrs["start"] == "2026-03"
assert root["replication"].dtype == np.int64
assert list(root["replication"].values) == [0, 1, 2]
for coord, want in (("channel", CHANNELS), ("actor", ACTORS),
                    ("vendor", VENDORS), ("option", OPTIONS),
                    ("segment", SEGMENTS), ("sector", SECTORS),
                    ("account", ACCOUNTS)):
    v = list(root[coord].values)
    assert all(isinstance(x, str) for x in v) and v == want, (coord, v)
assert root.attrs["seed"] == 9007199254740993 and \
    root.attrs["scenario_name"] == "runfile test", root.attrs

for group in ("series", "/series"):
    s = xr.open_dataset(PATH, engine="h5netcdf", group=group)
    assert sorted(s.data_vars) == sorted(k[7:] for k in UNITS
                                         if k.startswith("series/"))
    for k in s.data_vars:
        assert s[k].dims == AXES["series/" + k], (k, s[k].dims)
        assert s[k].attrs["units"] == UNITS["series/" + k]
        same(s[k].values, expected("series/" + k), k)
    assert math.isnan(float(s["capability_gap"][1, 2]))
    assert s["account_option"].dtype == np.int64
    s.close()

# The tables open with their dimension named, and take the root's labels.
o = xr.open_dataset(PATH, engine="h5netcdf", group="options")
assert dict(o.sizes) == {"option": NO}, dict(o.sizes)
o = o.assign_coords(option=root["option"])
assert o["vendor"].sel(option="onshore openai via azure_cn") == "openai"
acc = xr.open_dataset(PATH, engine="h5netcdf", group="accounts")
assert list(acc["sector"].values) == ["internet", "internet", "finance"]

m = xr.open_dataset(PATH, engine="h5netcdf", group="summary")
for k in m.data_vars:
    assert m[k].dims == AXES["summary/" + k], (k, m[k].dims)
    same(m[k].values, expected("summary/" + k), k)
half = m["months_to_half_access"].values
assert math.isnan(half[1]) and half[0] == 3.75 and half[2] == 5.75, half
assert m["events"].dtype == np.int64 and int(m["events"][2]) == 2**60 + 2
m.close()
root.close()
print("xarray ok")

# ---- 3. docs/output.md -----------------------------------------------------

doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "docs", "output.md")
with open(doc, encoding="utf-8") as fh:
    blocks = re.findall(r"```python\n(.*?)```", fh.read(), re.S)
assert len(blocks) >= 3, "docs/output.md lost its Python examples"
ns = {}
for i, code in enumerate(blocks):
    assert '"run.h5"' in code or i > 0, "the first block names run.h5"
    exec(compile(code.replace('"run.h5"', repr(PATH)),
                 "docs/output.md block %d" % (i + 1), "exec"), ns)

# What the examples computed, recomputed here with numpy.
x = expected("series/frontier_access_share")
mean = x.mean(axis=0)
half_width = ns["q"] * x.std(axis=0, ddof=1) / np.sqrt(REP)
np.testing.assert_allclose(ns["mean"].values, mean, rtol=1e-12)
np.testing.assert_allclose(ns["lo"].values, mean - half_width, rtol=1e-12)
np.testing.assert_allclose(ns["hi"].values, mean + half_width, rtol=1e-12)
assert ns["mean"].dims == ("time",), ns["mean"].dims
assert abs(ns["q"] - 4.302652729911275) < 1e-9 or ns["q"] == 1.96, ns["q"]
same(ns["gray"].values, expected("series/channel_count")[:, :, 5], "gray")
assert str(ns["months"][0]) == "2026-03" and len(ns["months"]) == H, \
    ns["months"]
ts = ns["token_share"]
assert ts.dims == ("replication", "vendor"), ts.dims
np.testing.assert_allclose(ts.sum("vendor").values, 1.0, rtol=1e-12)
want = expected("series/tokens_by_vendor")[:, -WINDOW:, :].sum(axis=1)
np.testing.assert_allclose(ts.values, want / want.sum(axis=1, keepdims=True),
                           rtol=1e-12)
assert ns["large"].dims == ("replication", "time"), ns["large"].dims
np.testing.assert_allclose(ns["large"].values,
                           expected("series/tokens")[:, :, :, 1, :]
                           .sum(axis=(2, 3)), rtol=1e-12)
held = expected("series/account_option")[:, -1, :].ravel()
assert ns["names"] == [OPTIONS[k] if k >= 0 else ("waiting", "none")[-1 - k]
                       for k in held], ns["names"]
print("docs ok")
