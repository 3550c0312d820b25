#!/usr/bin/python3
"""rebase_market.py CALIB.h5 [--month M] [--aims PATH] -- carry a calibration
of the 2023 history forward to the date the shipped market starts.

A calibration of scenarios/calibrate_history.cfg estimates parameters of the
January 2023 market (market/china_2023.cfg). The shipped market
(market/china_2026.cfg) starts in January 2026, month 36 of the history. A
vendor's capability there is, by the model's own rule (models/ent.c: a level
plus growth x years, plus every capability_jump up to then),

    capability(M) = capability(0) + capability_growth * M / 12
                    + the deltas of the capability_jump events before M,

so each posterior summary (mean, 2.5%, 97.5%) moves by the same shift. A
parameter that is not a capability (bass_q, say) is a property of the
population and is carried over as it is.

The scenario is the one the calibration ran (the file's `scenario`
attribute, its `set` list applied); `aims params` reads it, so the shift
uses exactly the growth rates and events the evaluations did. Prints one
line per parameter and the lines to put into china_2026.cfg.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import h5py


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def leaves(aims, scenario_text):
    """Every leaf of the scenario: {path: value text}, from `aims params`."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "scenario.cfg")
        with open(path, "w") as f:
            f.write(scenario_text)
        out = subprocess.run([aims, "params", path], capture_output=True,
                             text=True)
    if out.returncode != 0:
        sys.exit("rebase_market: aims params failed: " + out.stderr.strip())
    values = {}
    for line in out.stdout.splitlines():
        m = re.match(r'^(\S+)\s+("(?:[^"]*)"|\S+)', line)
        if m:
            values[m.group(1)] = m.group(2).strip('"')
    return values


def vendor_ids(values):
    """The vendors' ids in file order (aims params names list elements
    that have an id by it: vendors.ID.capability)."""
    return [v for k, v in values.items()
            if re.match(r"^vendors\.[^.]+\.id$", k)]


def shift_of(values, vendor_index, month):
    """capability_growth * month / 12 plus the jumps before month."""
    ids = vendor_ids(values)
    if vendor_index >= len(ids):
        sys.exit("rebase_market: the calibration's scenario has %d vendors, "
                 "so no vendors.[%d]: was the file written by another "
                 "aims? (aims report FILE shows its parameters)"
                 % (len(ids), vendor_index))
    vid = ids[vendor_index]
    growth = float(values.get("vendors.%s.capability_growth" % vid, "0"))
    shift = growth * month / 12.0
    jumps = []
    k = 0
    while "timeline.[%d].type" % k in values:
        t = "timeline.[%d]." % k
        if (values[t + "type"] == "capability_jump"
                and values.get(t + "vendor") == vid
                and float(values[t + "month"]) < month):
            d = float(values[t + "delta"])
            shift += d
            jumps.append((float(values[t + "month"]), d))
        k += 1
    return vid, growth, jumps, shift


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("calib")
    ap.add_argument("--month", type=float, default=36.0,
                    help="the history's month the market starts at "
                         "(default 36: January 2026)")
    ap.add_argument("--aims", default=os.environ.get("AIMS", "build/aims"))
    a = ap.parse_args()
    with h5py.File(a.calib, "r") as f:
        if text(f.attrs.get("format", "")) != "aims-calibration":
            sys.exit("rebase_market: %s: not an aims calibration file"
                     % a.calib)
        params = [text(p) for p in f["parameter"][()]]
        post = {k: f["posterior/" + k][()]
                for k in ("mean", "sd", "q025", "q50", "q975")}
        values = leaves(a.aims, text(f.attrs["scenario"]))
    print("parameter                          2023 mean [95%%]"
          "            shift  at month %g: mean [95%%]" % a.month)
    lines = []
    for i, p in enumerate(params):
        mean, lo, hi = post["mean"][i], post["q025"][i], post["q975"][i]
        m = re.match(r"^vendors\.\[(\d+)\]\.capability$", p)
        if m:
            vid, growth, jumps, shift = shift_of(values, int(m.group(1)),
                                                 a.month)
            why = "growth %g/yr" % growth + "".join(
                ", jump %+g at month %g" % (d, mo) for mo, d in jumps)
            name = "%s (%s)" % (p, vid)
        else:
            shift, why, name = 0.0, "carried over", p
        print("%-34s %8.3f [%.3f, %.3f]  %+7.3f  %8.3f [%.3f, %.3f]  (%s)"
              % (name, mean, lo, hi, shift, mean + shift, lo + shift,
                 hi + shift, why))
        lines.append("%s = %.1f;  # posterior mean, 95%% [%.1f, %.1f]"
                     % (name, mean + shift, lo + shift, hi + shift))
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
