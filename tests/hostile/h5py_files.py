#!/usr/bin/python3
"""h5py_files.py GOOD.h5 OUTDIR - table files written by h5py (not by shardboost) from the
contents of GOOD.h5 (a file shardboost ingest wrote), for tests/integration/hostile_files.sh.
Each is named for what it does; the ok_* ones are valid tables another tool could write
(they must read as GOOD.h5 reads), the others are hostile (an error naming the file and the
dataset or attribute is expected). Needs python3-h5py (Debian)."""
import os
import sys

import h5py
import numpy as np

good, out = sys.argv[1], sys.argv[2]
src = h5py.File(good, "r")
X = src["features"][...]
Y = src["label"][...] if "label" in src else None
W = src["weight"][...] if "weight" in src else None
IDS = {k: src["ids"][k][...] for k in src["ids"]} if "ids" in src else {}
ROOT = {k: src.attrs[k] for k in src.attrs}
FEAT = {k: src["features"].attrs[k] for k in src["features"].attrs}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def write(name, X=X, Y=Y, W=W, ids=IDS, root=None, feat=None, fx=None, strings="bytes", skip=()):
    """A table like GOOD.h5; strings: 'bytes' (numpy S: fixed NULLPAD) or 'str' (variable UTF-8)."""
    with h5py.File(os.path.join(out, name + ".h5"), "w") as f:
        def put(obj, k, v):
            if k in skip:
                return
            if isinstance(v, np.ndarray) and v.dtype.kind == "S":
                vals = [text(x) for x in v]
                obj.attrs[k] = np.array(vals, dtype="S") if strings == "bytes" else \
                    np.array(vals, dtype=h5py.string_dtype())
            elif isinstance(v, (bytes, str)):
                obj.attrs[k] = np.bytes_(text(v)) if strings == "bytes" else text(v)
            else:
                obj.attrs[k] = v
        for k, v in (root if root is not None else ROOT).items():
            put(f, k, v)
        if X is not None:
            d = f.create_dataset("features", data=X, **(fx or {}))
            for k, v in (feat if feat is not None else FEAT).items():
                put(d, k, v)
        if Y is not None:
            f["label"] = Y
        if W is not None:
            f["weight"] = W
        if ids:
            g = f.create_group("ids")
            for k, v in ids.items():
                g[k] = v


n = X.shape[0]
# valid tables another tool writes
write("ok_nullpad")                                   # attributes as numpy bytes: fixed NULLPAD
write("ok_vlen", strings="str")                       # attributes as Python str: variable length
write("ok_gzip", fx=dict(chunks=(64, X.shape[1]), compression="gzip", shuffle=True))
write("ok_fletcher", fx=dict(chunks=(50, X.shape[1]), fletcher32=True))
write("ok_f64", X=X.astype(np.float64))
write("ok_bigendian", X=X.astype(">f4"))
write("ok_label_i64", Y=np.rint(Y * 0).astype(np.int64) if Y is not None else None)
write("ok_version_f64", root=dict(ROOT, version=np.array([1.0])))
# hostile tables
write("zero_rows", X=X[:0], Y=Y[:0], W=W[:0] if W is not None else None, ids={k: v[:0] for k, v in IDS.items()})
write("zero_features", X=X[:, :0], feat=dict(FEAT, feature_names=np.array([], dtype="S1"), n_levels=np.array([], dtype=np.int32)))
write("features_1d", X=X[:, 0])
write("features_3d", X=X.reshape(n, X.shape[1], 1))
write("features_text", X=np.array([[b"1.5"] * X.shape[1]] * n, dtype="S4"))
write("features_lzf", fx=dict(chunks=(64, X.shape[1]), compression="lzf"))
write("label_text", Y=np.array([b"0.5"] * n, dtype="S3"))
write("label_2d", Y=Y.reshape(n, 1))
write("label_short", Y=Y[: n // 2])
write("ids_vlen", ids={k: np.array([str(x) for x in v], dtype=h5py.string_dtype()) for k, v in IDS.items()})
write("ids_short", ids={k: v[:-1] for k, v in IDS.items()})
write("no_format", skip=("format",))
write("format_other", root=dict(ROOT, format=b"other-tool-h5"))
write("version_text", root=dict(ROOT, version=b"1"))
write("version_2", root=dict(ROOT, version=np.array([2], dtype=np.int32)))
write("names_short", feat=dict(FEAT, feature_names=FEAT["feature_names"][:-1]))
write("n_levels_short", feat=dict(FEAT, n_levels=FEAT["n_levels"][:-1]))
write("no_feature_names", skip=("feature_names",))
with h5py.File(os.path.join(out, "empty.h5"), "w"):
    pass
with h5py.File(os.path.join(out, "features_group.h5"), "w") as f:
    for k, v in ROOT.items():
        f.attrs[k] = v
    f.create_group("features")
open(os.path.join(out, "not_hdf5.h5"), "w").write("id,a,b\n1,2,3\n")
