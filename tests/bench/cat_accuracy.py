#!/usr/bin/python3
"""cat_accuracy.py - XGBoost 1.7 (tree_method=hist) on the data of `make bench-cat`,
with its categorical columns native (enable_categorical=True, feature type "c") or
as plain codes, so its holdout metric sits in the same table as shardboost's.

usage: cat_accuracy.py --layout keywords|highcard --train TR.csv --test TE.csv
                       [--rounds 200] [--depth 6] [--eta 0.1] [--native 0|1] [--nthread 2]
Prints "xgboost native=N metric=V". keywords: reg:logistic on the conversion rate
(capped at 1, as ingest --cap-rate) with clicks as weight, weighted logloss;
highcard: reg:squarederror, rmse. Categorical codes are the levels sorted bytewise
over the training file (shardboost's dictionary), unseen or empty as NaN."""
import argparse
import csv
import os
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import xgb_models  # noqa: E402  (the tests' keyword reader)


def load_keywords(path):
    """xgb_models.py's reader (device codes as shardboost's dictionary), rows with clicks only."""
    x, conv, clicks, names = xgb_models.load_keywords(path)
    keep = clicks > 0
    types = ["c" if n == "device" else "q" for n in names]
    return x[keep], np.minimum(conv[keep] / clicks[keep], 1.0), clicks[keep], types


def load_highcard(path, levels):
    rows = list(csv.DictReader(open(path, newline="")))
    if levels is None:
        levels = {c: {v: k for k, v in enumerate(sorted({r[c] for r in rows if r[c]}, key=str.encode))}
                  for c in ("city", "channel")}
    x = np.array([[levels["city"].get(r["city"], np.nan), levels["channel"].get(r["channel"], np.nan),
                   float(r["x1"]), float(r["x2"])] for r in rows], dtype=np.float32)
    y = np.array([float(r["y"]) for r in rows])
    return x, y, np.ones(len(y)), ["c", "c", "q", "q"], levels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", choices=["keywords", "highcard"], required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.1)
    ap.add_argument("--native", type=int, default=1)
    ap.add_argument("--nthread", type=int, default=2)
    a = ap.parse_args()
    if a.layout == "keywords":
        xt, yt, wt, types = load_keywords(a.train)
        xv, yv, wv, _ = load_keywords(a.test)
        obj = "reg:logistic"
    else:
        xt, yt, wt, types, lv = load_highcard(a.train, None)
        xv, yv, wv, _, _ = load_highcard(a.test, lv)
        obj = "reg:squarederror"
    if not a.native:
        types = ["q" if t == "c" else t for t in types]
    base = float(np.sum(wt * yt) / np.sum(wt))
    dt = xgb.DMatrix(xt, label=yt, weight=wt, missing=np.nan, feature_types=types, enable_categorical=bool(a.native))
    dv = xgb.DMatrix(xv, missing=np.nan, feature_types=types, enable_categorical=bool(a.native))
    p = {"tree_method": "hist", "objective": obj, "max_depth": a.depth, "eta": a.eta, "base_score": base,
         "max_bin": 256, "nthread": a.nthread}
    pred = xgb.train(p, dt, a.rounds).predict(dv).astype(np.float64)
    if a.layout == "keywords":
        q = np.clip(pred, 1e-16, 1 - 1e-16)
        m = float(np.sum(wv * -(yv * np.log(q) + (1 - yv) * np.log(1 - q))) / np.sum(wv))
    else:
        m = float(np.sqrt(np.mean((pred - yv) ** 2)))
    print("xgboost native=%d metric=%.6f" % (a.native, m))


if __name__ == "__main__":
    main()
