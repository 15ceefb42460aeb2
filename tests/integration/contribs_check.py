#!/usr/bin/python3
"""contribs_check.py - the Python side of tests/integration/contribs.sh (python3-xgboost 1.7).

  contribs_check.py sums --pred P.csv.gz --objective O [--tol T]
      every row's contribution columns (<feature>_contrib ..., bias_contrib, after the
      prediction) sum to its margin: the prediction through the inverse of the objective's
      link. Prints the largest |sum - margin|; exit 1 above T * max(1, |margin|).
  contribs_check.py xgb --layout L --data D.csv --model X.json --pred P.csv.gz [--tol T]
      XGBoost's pred_contribs of the exported model X on the rows of D (read as xgb_models.py
      reads them, zero-trial rows dropped when P lacks them as ingest drops them) against shardboost's columns, matched by feature
      name; prints the largest absolute difference (feature and bias columns); exit 1 above T.
  contribs_check.py importance --model X.json --dump D.TYPE.txt --type T|all [--tol R]
      the `dump --importance T` lines (in D with TYPE replaced by T) against
      Booster.get_score(importance_type=T) of X, for one type or all five: the same features,
      values within relative R (XGBoost keeps gain and cover as float32 and sums them in float32)."""
import argparse
import csv
import gzip
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

INVERSE_LINK = {
    "reg:squarederror": lambda p: p, "reg:absoluteerror": lambda p: p, "reg:pseudohubererror": lambda p: p,
    "reg:quantileerror": lambda p: p,
    "reg:logistic": lambda p: math.log(p / (1.0 - p)), "binary:logistic": lambda p: math.log(p / (1.0 - p)),
    "count:poisson": math.log, "reg:tweedie": math.log, "reg:gamma": math.log,
}


def read_contribs(path):
    """(prediction column, contribution column names without _contrib, values) of a predict output."""
    with gzip.open(path, "rt", newline="") as f:
        r = csv.reader(f)
        head = next(r)
        first = next(i for i, h in enumerate(head) if h.endswith("_contrib"))
        names = [h[: -len("_contrib")] for h in head[first:]]
        rows = [row for row in r if row]
    pred = np.array([float(row[first - 1]) for row in rows])
    vals = np.array([[float(v) for v in row[first:]] for row in rows])
    return pred, names, vals


def sums(a):
    pred, names, vals = read_contribs(a.pred)
    if names[-1] != "bias":
        print("last column is %s_contrib, not bias_contrib" % names[-1])
        sys.exit(1)
    link = INVERSE_LINK[a.objective]
    margin = np.array([link(p) for p in pred])
    total = vals.sum(axis=1)
    diff = np.abs(total - margin)
    print("rows=%d columns=%d max|sum-margin|=%.3g" % (len(pred), vals.shape[1], float(diff.max())))
    sys.exit(0 if np.all(diff <= a.tol * np.maximum(1.0, np.abs(margin))) else 1)


def xgb_parity(a):
    import xgboost as xgb
    import xgb_models
    a.names = True
    x, _, d, names = (xgb_models.load_keywords if a.layout == "keywords" else xgb_models.load_forms)(a.data)
    _, ours_names, ours = read_contribs(a.pred)
    if len(ours) != len(x):  # an ingested file has no zero-trial rows; predict on a CSV scores them too
        x = x[d > 0]
    booster = xgb.Booster(model_file=a.model)
    # a native categorical model (feature type "c"): XGBoost reads those columns as level codes
    types = booster.feature_types
    if types and "c" in types:
        dm = xgb_models.dmatrix(x, a, names, feature_types=types, enable_categorical=True)
    else:
        dm = xgb_models.dmatrix(x, a, names)
    theirs = booster.predict(dm, pred_contribs=True).astype(np.float64)
    # XGBoost's own rounding: its contributions (float32 arithmetic) against its own margin
    self_gap = np.abs(theirs.sum(axis=1) - booster.predict(dm, output_margin=True).astype(np.float64))
    if len(ours) != len(theirs):
        print("rows differ: shardboost %d, xgboost %d" % (len(ours), len(theirs)))
        sys.exit(1)
    col = [names.index(n) if n != "bias" else len(names) for n in ours_names]
    diff = np.abs(ours - theirs[:, col])
    worst = np.unravel_index(np.argmax(diff), diff.shape)
    feat_diff, bias_diff = float(diff[:, :-1].max()), float(diff[:, -1].max())
    scale = float(np.abs(theirs).max())
    print("rows=%d features=%d max_abs_diff=%.3g (features %.3g, bias %.3g; largest |contribution| %.3g; worst "
          "at row %d column %s_contrib; XGBoost's own max|sum - margin| %.3g, %.3g on that row)" %
          (len(ours), len(names), float(diff.max()), feat_diff, bias_diff, scale, worst[0], ours_names[worst[1]],
           float(self_gap.max()), float(self_gap[worst[0]])))
    sys.exit(0 if float(diff.max()) <= a.tol else 1)


TYPES = ["weight", "gain", "cover", "total_gain", "total_cover"]


def read_importance(path, typ):
    """The `  feature value` lines under dump's "importance TYPE" header."""
    ours, on = {}, False
    with open(path) as f:
        for line in f:
            if line.startswith("importance " + typ + " "):
                on = True
            elif on and line.startswith("  "):
                k, v = line.split()
                ours[k] = float(v)
            elif on:
                break
    return ours


def importance(a):
    import xgboost as xgb
    booster, ok, out = xgb.Booster(model_file=a.model), True, []
    for typ in TYPES if a.type == "all" else [a.type]:
        ours = read_importance(a.dump.replace("TYPE", typ), typ)
        theirs = booster.get_score(importance_type=typ)
        if not ours or set(ours) != set(theirs):
            out.append("%s: features differ: only shardboost %s, only xgboost %s" %
                       (typ, sorted(set(ours) - set(theirs))[:5], sorted(set(theirs) - set(ours))[:5]))
            ok = False
            continue
        rel = max(abs(ours[k] - theirs[k]) / max(abs(theirs[k]), 1e-30) for k in ours)
        ok = ok and rel <= a.tol
        out.append("%s %.3g" % (typ, rel))
    print("%d features; max_rel_diff: %s" % (len(booster.get_score(importance_type="weight")), ", ".join(out)))
    sys.exit(0 if ok else 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["sums", "xgb", "importance"])
    p.add_argument("--pred")
    p.add_argument("--objective", default="reg:squarederror")
    p.add_argument("--layout")
    p.add_argument("--data")
    p.add_argument("--model")
    p.add_argument("--dump")
    p.add_argument("--type")
    p.add_argument("--tol", type=float)
    a = p.parse_args()
    if a.tol is None:
        a.tol = {"sums": 1e-9, "xgb": 1e-6, "importance": 1e-5}[a.cmd]
    {"sums": sums, "xgb": xgb_parity, "importance": importance}[a.cmd](a)


if __name__ == "__main__":
    main()
