#!/usr/bin/python3
"""xgb_models.py - the XGBoost side of tests/integration/model_exchange.sh and
tests/bench/bench_import.sh (Debian's python3-xgboost 1.7).

  xgb_models.py train  --layout L --data D.csv --objective O --out M.json
                       [--grow depthwise|lossguide] [--rounds N] [--depth D] [--names]
      trains XGBoost (tree_method hist) on the rows shardboost would train on (zero-trial
      rows dropped, rates capped at 1, trials as weights) and saves M.json.
  xgb_models.py compare --layout L --data D.csv --model M.json --pred P.csv[.gz] [--names]
                        [--tol T]
      scores every row of D with XGBoost (predict on a DMatrix) and compares with the last
      column of shardboost's predictions P (same rows, same order). Prints the max abs
      difference and the number of rows; exit 1 when it exceeds T (float32 precision).
  xgb_models.py lgbm-compare --layout L --data D.csv --model M.txt --pred P.csv[.gz]
      scores every row with a LightGBM text model read by LightGBM's own rules (left iff
      double(x) <= threshold; decision_type bit 2 default left, bits 2-3 missing type, 2 = NaN
      takes the default side, 0 = NaN becomes 0.0; children >= 0 inner, ~leaf; link from the
      objective line) and compares with shardboost's predictions as compare does.
  xgb_models.py speed --layout L --data D.csv --model M.json [--threads N]
      inplace_predict rows/s, median of 3 (after a warm-up), one line key=value.
Features are built as shardboost's ingest builds them: keywords att1..att160, device as its
level code (Computer 0, Smartphone 1, Tablet 2), week; forms f0..f46; NA/nan/empty = NaN."""
import argparse
import csv
import gzip
import math
import os
import statistics
import sys
import time

import numpy as np
import xgboost as xgb

MISSING = {"", "na", "nan", "n/a", "null"}


def num(s):
    return math.nan if s.strip().lower() in MISSING else float(s)


def load_keywords(path):
    levels = {"Computer": 0, "Smartphone": 1, "Tablet": 2}
    x, num_, den = [], [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        i_dev, i_week = head.index("device"), head.index("week")
        i_clk, i_conv = head.index("Clicks"), head.index("Conversions")
        atts = [i for i, h in enumerate(head) if h.startswith("att")]
        names = [head[i] for i in atts] + ["device", "week"]
        for row in r:
            x.append([num(row[i]) for i in atts] + [levels[row[i_dev]], num(row[i_week])])
            num_.append(float(row[i_conv]))
            den.append(float(row[i_clk]))
    return np.array(x, dtype=np.float32), np.array(num_), np.array(den), names


def load_forms(path):
    op = gzip.open if path.endswith(".gz") else open
    x, num_, den = [], [], []
    with op(path, "rt") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            _, s, v, feats = line.strip("()").split(",", 3)
            x.append([num(t) for t in feats.split("-")])
            num_.append(float(s))
            den.append(float(v))
    return np.array(x, dtype=np.float32), np.array(num_), np.array(den), ["f%d" % i for i in range(x and len(x[0]))]


def load(a):
    """Rows as shardboost ingests them: a row with zero trials (Clicks, views) is dropped."""
    cache = a.data + ".npz"  # parsed once per data file: the test compares several models on it
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(a.data):
        z = np.load(cache)
        x, n, d, names = z["x"], z["n"], z["d"], list(z["names"])
    else:
        x, n, d, names = (load_keywords if a.layout == "keywords" else load_forms)(a.data)
        np.savez(cache, x=x, n=n, d=d, names=np.array(names))
    keep = d > 0
    return x[keep], n[keep], d[keep], names


def dmatrix(x, a, names, **kw):
    return xgb.DMatrix(x, feature_names=names if a.names else None, nthread=1, **kw)


def train(a):
    x, n, d, names = load(a)
    y = np.minimum(n / d, 1.0)
    params = {"tree_method": "hist", "max_depth": a.depth, "eta": 0.3, "objective": a.objective, "nthread": 1,
              "seed": 0, "grow_policy": a.grow}
    if a.grow == "lossguide":
        params.update(max_depth=0, max_leaves=24)
    dm = dmatrix(x, a, names, label=y, weight=d)
    xgb.train(params, dm, num_boost_round=a.rounds).save_model(a.out)


def read_pred(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        next(f)
        return np.array([float(line.rsplit(",", 1)[1]) for line in f if line.strip()])


def on_threshold(x, model):
    """Rows with some feature exactly equal to a split threshold on it (x == thr goes right)."""
    import json
    trees = json.load(open(model))["learner"]["gradient_booster"]["model"]["trees"]
    thr = {}
    for t in trees:
        for left, f, c in zip(t["left_children"], t["split_indices"], t["split_conditions"]):
            if left != -1:
                thr.setdefault(f, set()).add(np.float32(c))
    hit = np.zeros(len(x), dtype=bool)
    for f, s in thr.items():
        if f < x.shape[1]:
            hit |= np.isin(x[:, f], np.array(sorted(s), dtype=np.float32))
    return int(hit.sum())


def compare(a):
    x, _, _, names = load(a)
    ours = read_pred(a.pred)
    theirs = xgb.Booster(model_file=a.model).predict(dmatrix(x, a, names)).astype(np.float64)
    if len(ours) != len(theirs):
        print("rows differ: shardboost %d, xgboost %d" % (len(ours), len(theirs)))
        sys.exit(1)
    diff = np.abs(ours - theirs)
    on = on_threshold(x, a.model)
    rel = float(np.max(diff / np.maximum(np.abs(theirs), 1e-30)))
    print("rows=%d max_abs_diff=%.3g max_rel_diff=%.3g rows_on_a_threshold=%d" % (len(ours), float(np.max(diff)), rel,
                                                                              on))
    # float32 precision: XGBoost sums float32 leaves, shardboost sums in double
    sys.exit(0 if np.all(diff <= a.tol * np.maximum(1.0, np.abs(theirs))) else 1)


def lgbm_read(path):
    trees, head, cur = [], {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Tree="):
                cur = {}
                trees.append(cur)
            elif line == "end of trees":
                cur = None
            elif "=" in line:
                k, v = line.split("=", 1)
                (cur if cur is not None else head)[k] = v
    return head, trees


def lgbm_tree(t):
    """A tree's arrays, parsed once."""
    ints = lambda k: [int(v) for v in t[k].split()]
    floats = lambda k: [float(v) for v in t[k].split()]
    if int(t["num_leaves"]) <= 1:
        return None, floats("leaf_value")
    return (ints("split_feature"), floats("threshold"), ints("decision_type"), ints("left_child"),
            ints("right_child")), floats("leaf_value")


def lgbm_tree_value(tree, row):
    inner, leaf = tree
    if inner is None:
        return leaf[0]
    feat, thr, dt, left, right = inner
    node = 0
    while node >= 0:
        v = float(row[feat[node]])
        missing, default_left = (dt[node] >> 2) & 3, (dt[node] & 2) != 0
        if math.isnan(v) and missing != 2:
            v = 0.0
        if (missing == 1 and -1e-35 < v <= 1e-35) or (missing == 2 and math.isnan(v)):
            node = left[node] if default_left else right[node]
        else:
            node = left[node] if v <= thr[node] else right[node]
    return leaf[~node]


def lgbm_compare(a):
    x, _, _, _ = load(a)
    head, trees = lgbm_read(a.model)
    trees = [lgbm_tree(t) for t in trees]
    x = x.tolist()
    ours = read_pred(a.pred)
    link = {"regression": lambda m: m, "regression_l1": lambda m: m, "poisson": math.exp,
            "cross_entropy": lambda m: 1.0 / (1.0 + math.exp(-m))}[head["objective"]]
    theirs = np.array([link(sum(lgbm_tree_value(t, row) for t in trees)) for row in x])
    diff = np.abs(ours - theirs)
    print("rows=%d max_abs_diff=%.3g (LightGBM's rules, read in Python)" % (len(x), float(np.max(diff))))
    sys.exit(0 if np.all(diff <= 1e-12 * np.maximum(1.0, np.abs(theirs))) else 1)


def speed(a):
    x, _, _, _ = load(a)
    bst = xgb.Booster(model_file=a.model)
    bst.set_param({"nthread": a.threads})
    bst.inplace_predict(x[:1000])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        bst.inplace_predict(x)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print("xgboost_rows=%d threads=%d seconds_median=%.4f xgboost_rows_per_s=%.0f" % (len(x), a.threads, med,
                                                                                   len(x) / med))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "compare", "lgbm-compare", "speed"])
    ap.add_argument("--layout", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--model")
    ap.add_argument("--out")
    ap.add_argument("--pred")
    ap.add_argument("--objective", default="reg:squarederror")
    ap.add_argument("--grow", default="depthwise")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tol", type=float, default=2e-6)
    ap.add_argument("--names", action="store_true", help="DMatrix with shardboost's feature names")
    a = ap.parse_args()
    {"train": train, "compare": compare, "lgbm-compare": lgbm_compare, "speed": speed}[a.cmd](a)


if __name__ == "__main__":
    main()
