#!/usr/bin/python3
"""check_attrs.py FILE.h5... -- the netCDF/CF attributes of aims files, for
tests/test_export.c.

In every file given (run and sweep files, a sweep after `aims sensitivity`
too), every data set, in every group:
 - has a non-empty string long_name;
 - has a string units if it holds numbers (string data sets are labels, and
   CF gives labels no units);
 - where it has flag_values, they are integers of the data set's own type
   (CF: "the same type as the variable"), one per word of flag_meanings.
Prints how many data sets it looked at; exits 1 naming each one that fails.
"""
import sys

import h5py
import numpy as np


def check(path):
    bad, n = [], 0

    def visit(name, obj):
        nonlocal n
        if not isinstance(obj, h5py.Dataset):
            return
        n += 1
        a = obj.attrs
        ln = a.get("long_name")
        if not isinstance(ln, str) or not ln:
            bad.append(f"{path}: /{name}: no long_name")
        if obj.dtype.kind in "iuf":
            u = a.get("units")
            if not isinstance(u, str) or not u:
                bad.append(f"{path}: /{name}: numbers without units")
        if "flag_values" in a:
            fv = np.asarray(a["flag_values"])
            if fv.dtype != obj.dtype:
                bad.append(f"{path}: /{name}: flag_values of type {fv.dtype}, "
                           f"the data set is {obj.dtype}")
            words = str(a.get("flag_meanings", "")).split()
            if fv.size != len(words):
                bad.append(f"{path}: /{name}: {fv.size} flag_values, "
                           f"{len(words)} flag_meanings")

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return n, bad


def main():
    total, bad = 0, []
    for path in sys.argv[1:]:
        n, b = check(path)
        total += n
        bad += b
    for b in bad:
        print(f"check_attrs: {b}", file=sys.stderr)
    if bad or total == 0:
        sys.exit(1)
    print(f"check_attrs: {total} data sets in {len(sys.argv) - 1} files: "
          f"long_name on each, units on each numeric one, integer flag_values")


if __name__ == "__main__":
    main()
