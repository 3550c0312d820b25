"""extend_runfile.py SRC DST [PERTURB] -- DST: a copy of the run file SRC with
one data set more, /series/extra, attached to the same dimension scales as
/series/adopters (so those scales' REFERENCE_LIST grows, as a newer aims's
file with more series has); with PERTURB (a data set path), its first value
is changed too. For tests/test_cli.c's check of scripts/h5same OBJECT...."""
import shutil
import sys

import h5py


def main():
    src, dst = sys.argv[1], sys.argv[2]
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        ref = f["/series/adopters"]
        extra = f.create_dataset("/series/extra", data=ref[...] * 2)
        for k, dim in enumerate(ref.dims):
            for scale in dim.values():
                extra.dims[k].attach_scale(scale)
        if len(sys.argv) > 3:
            d = f[sys.argv[3]]
            flat = d[...].reshape(-1)
            flat[0] += 1
            d[...] = flat.reshape(d.shape)


if __name__ == "__main__":
    main()
