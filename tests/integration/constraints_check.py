#!/usr/bin/python3
"""constraints_check.py - the checking side of constraints.sh.

gen DIR: DIR/tr.csv (8000 rows), DIR/te.csv (4000): id,x0..x4,y,w with
  y = 2 x0 - 1.5 x1 + sin(3 x2) + x3 x4 + noise (rising in x0, falling in x1),
  every 17th x0 missing.
mono MODEL DATA FEAT SIGN: for up to 300 rows of DATA (csv: id, features..., y),
  every tree alone and the whole forest, walked from the model JSON (io/model.h:
  node [feat, left, right, default_left, bin, threshold, value, gain, cover],
  x < threshold goes left, NaN the default side), with feature FEAT set to every
  cut value the model uses for it and the float just below each: the outputs
  never decrease (SIGN 1) / never increase (SIGN -1). Prints the rows x grid
  points checked; exit 1 on the first violation.
inter MODEL SETS: SETS is a JSON list of lists of feature indices. Every
  root-to-leaf path splits on one feature only, or on features that all lie in
  one set (XGBoost's rule). Prints the paths checked.
xgb DATA_DIR PRED KEY=VALUE...: trains XGBoost 1.7 (hist, same parameters) on
  tr.csv with the same constraint and prints "ours theirs" holdout rmse
  (PRED: shardboost's predictions of te.csv, csv.gz of id,prediction).
"""
import csv
import gzip
import json
import sys

import numpy as np


def gen(d):
    rng = np.random.default_rng(3)
    n = 12000
    x = rng.normal(size=(n, 5))
    y = 2 * x[:, 0] - 1.5 * x[:, 1] + np.sin(3 * x[:, 2]) + x[:, 3] * x[:, 4] + rng.normal(scale=0.7, size=n)
    x[::17, 0] = np.nan
    for name, sl in (("tr.csv", slice(0, 8000)), ("te.csv", slice(8000, n))):
        with open(f"{d}/{name}", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "x0", "x1", "x2", "x3", "x4", "y", "w"])
            for i in range(sl.start, sl.stop):
                w.writerow([i] + [repr(float(v)) for v in x[i]] + [repr(float(y[i])), 1.0])


def trees(model):
    return [t["nodes"] for t in json.load(open(model))["trees"]]


def load(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return a


def walk_all(nodes, x):
    """Leaf values of the rows of x (float32) in one tree, all rows at once."""
    a = np.array([n[:7] for n in nodes], dtype=np.float64)
    feat, left, right, dl = a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2].astype(int), a[:, 3] != 0
    thr = a[:, 5].astype(np.float32)
    i = np.zeros(len(x), dtype=int)
    rows = np.arange(len(x))
    while True:
        inner = feat[i] >= 0
        if not inner.any():
            return a[i, 6]
        v = x[rows, np.where(inner, feat[i], 0)]
        go_left = np.where(np.isnan(v), dl[i], v < thr[i])
        i = np.where(inner, np.where(go_left, left[i], right[i]), i)


def mono(model, data, feat, sign):
    ts = trees(model)
    feat, sign = int(feat), int(sign)
    cuts = sorted({np.float32(n[5]) for t in ts for n in t if n[0] == feat})
    grid = [np.float32(-3e38)]
    for c in cuts:
        grid += [np.nextafter(c, np.float32(-np.inf)), c]
    grid.append(np.float32(3e38))
    rows = load(data)[:300, 1:-2].astype(np.float32)
    x = np.repeat(rows, len(grid), axis=0)  # row r's grid points are x[r * len(grid) ...]
    x[:, feat] = np.tile(np.array(grid, dtype=np.float32), len(rows))
    total = np.zeros((len(rows), len(grid)))
    for ti, t in enumerate(ts):
        out = walk_all(t, x).reshape(len(rows), len(grid))
        bad = np.nonzero((np.diff(out, axis=1) * sign < 0).any(axis=1))[0]
        if len(bad):
            print(f"tree {ti} not monotone ({sign}) in feature {feat} at row {list(rows[bad[0]])}")
            return 1
        total += out
    if (np.diff(total, axis=1) * sign < -1e-12).any():
        print(f"forest not monotone in feature {feat}")
        return 1
    print(f"{len(rows)} rows x {len(grid)} grid points x {len(ts)} trees")
    return 0


def paths(nodes, i=0, used=()):
    if nodes[i][0] < 0:
        yield set(used)
        return
    f = nodes[i][0]
    yield from paths(nodes, nodes[i][1], used + (f,))
    yield from paths(nodes, nodes[i][2], used + (f,))


def inter(model, sets):
    sets = [set(s) for s in json.loads(sets)]
    n = 0
    for ti, t in enumerate(trees(model)):
        for p in paths(t):
            n += 1
            if len(p) > 1 and not any(p <= s for s in sets):
                print(f"tree {ti}: a path splits on {sorted(p)}, in no one set of {sets}")
                return 1
    print(f"{n} paths")
    return 0


def preds(d, pred):
    with gzip.open(pred, "rt") as fh:
        rows = {int(r[0]): float(r[1]) for r in list(csv.reader(fh))[1:]}
    ids = np.loadtxt(f"{d}/te.csv", delimiter=",", skiprows=1, usecols=0).astype(int)
    return np.array([rows[i] for i in ids])


def xgb_compare(d, pred, kv):
    import xgboost as xgb
    tr, te = load(f"{d}/tr.csv"), load(f"{d}/te.csv")
    nf = tr.shape[1] - 3  # id, features, y, w
    prm = {"objective": "reg:squarederror", "tree_method": "hist", "max_bin": 256, "nthread": 1, "lambda": 1.0}
    for k, v in (a.split("=", 1) for a in kv):
        prm[k] = v if "constraints" in k else float(v)
    rounds = int(prm.pop("n_estimators"))
    if "max_depth" in prm:
        prm["max_depth"] = int(prm["max_depth"])
    bst = xgb.train(prm, xgb.DMatrix(tr[:, 1:1 + nf], label=tr[:, 1 + nf]), rounds)
    y = te[:, 1 + nf]
    theirs = float(np.sqrt(np.mean((bst.predict(xgb.DMatrix(te[:, 1:1 + nf])) - y) ** 2)))
    ours = float(np.sqrt(np.mean((preds(d, pred) - y) ** 2)))
    print(f"{ours!r} {theirs!r}")
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "gen":
        sys.exit(gen(*args))
    if cmd == "mono":
        sys.exit(mono(*args))
    if cmd == "inter":
        sys.exit(inter(*args))
    if cmd == "xgb":
        sys.exit(xgb_compare(args[0], args[1], args[2:]))
    sys.exit(f"unknown command {cmd}")
