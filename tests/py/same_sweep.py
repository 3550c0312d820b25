#!/usr/bin/python3
"""same_sweep.py A.h5 B.h5: exit 0 when two aims sweep files hold the same
data sets, byte for byte, and the same root attributes but the provenance
ones (aims_version, git_commit, created); otherwise print the first
difference and exit 1."""
import sys

import h5py
import numpy as np

PROVENANCE = {"aims_version", "git_commit", "created"}


def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
    return out


def main(a_path, b_path):
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        if sorted(da) != sorted(db):
            print(f"data sets differ: {sorted(set(da) ^ set(db))}")
            return 1
        for name in sorted(da):
            x, y = da[name][()], db[name][()]
            if x.dtype != y.dtype or x.shape != y.shape:
                print(f"{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
                return 1
            if x.dtype.kind == "O":
                same = list(x) == list(y)
            else:
                same = np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()
            if not same:
                print(f"{name}: values differ")
                return 1
        ka = set(a.attrs) - PROVENANCE
        kb = set(b.attrs) - PROVENANCE
        if ka != kb:
            print(f"attributes differ: {sorted(ka ^ kb)}")
            return 1
        for k in sorted(ka):
            if a.attrs[k] != b.attrs[k]:
                print(f"attribute {k}: {a.attrs[k]!r} vs {b.attrs[k]!r}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
