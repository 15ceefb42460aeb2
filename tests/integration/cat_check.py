#!/usr/bin/python3
"""cat_check.py - native categorical splits against XGBoost 1.7 (categorical.sh).

xgb-parity: an exported shardboost model (XGBoost JSON) scores the rows of a
generic-layout CSV in XGBoost as shardboost predict did; categorical columns
are given to XGBoost as the model's level codes (levels sorted bytewise, an
unseen level or an empty field as NaN). Prints the max abs difference, exits 1
above the tolerance.

usage: cat_check.py xgb-parity --data D.csv --model M_xgb.json --pred P.csv.gz
       --levels-from TRAIN.csv --cat COL[,COL] --label y --id id [--tol 1e-5]
"""
import argparse
import csv
import gzip
import sys

import numpy as np
import xgboost as xgb


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def matrix(rows, feats, cats, levels):
    x = np.full((len(rows), len(feats)), np.nan, dtype=np.float32)
    for i, r in enumerate(rows):
        for j, c in enumerate(feats):
            v = r[c]
            if c in cats:
                code = levels[c].get(v)
                x[i, j] = np.nan if code is None else code
            elif v not in ("", "NA", "NaN", "nan", "null"):
                x[i, j] = float(v)
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["xgb-parity"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--levels-from", required=True)
    ap.add_argument("--cat", required=True)
    ap.add_argument("--label", default="y")
    ap.add_argument("--id", default="id")
    ap.add_argument("--tol", type=float, default=1e-5)
    a = ap.parse_args()
    cats = a.cat.split(",")
    train = read_rows(a.levels_from)
    levels = {c: {v: k for k, v in enumerate(sorted({r[c] for r in train if r[c] != ""}, key=lambda s: s.encode()))}
              for c in cats}
    rows = read_rows(a.data)
    feats = [c for c in rows[0].keys() if c not in (a.label, a.id)]
    x = matrix(rows, feats, set(cats), levels)
    b = xgb.Booster(model_file=a.model)
    got = b.predict(xgb.DMatrix(x, missing=np.nan, feature_names=feats, feature_types=b.feature_types))
    with gzip.open(a.pred, "rt") as f:
        want = np.array([float(r["prediction"]) for r in csv.DictReader(f)])
    d = float(np.max(np.abs(got - want)))
    print("%d rows, max abs diff %.3g" % (len(rows), d))
    sys.exit(0 if d <= a.tol else 1)


if __name__ == "__main__":
    main()
