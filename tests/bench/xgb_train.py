#!/usr/bin/python3
"""xgb_train.py - XGBoost (tree_method=hist) on the same data and parameters as
`shardboost train`, for the parity test and `make bench`.

usage: xgb_train.py --layout forms|keywords --train TR.csv --test TE.csv
                    [--rounds 100] [--depth 6] [--eta 0.1] [--lambda 1] [--max-bin 256]
                    [--nthread 1] [--repeat 1] [--evals] [--serve]
Prints one line of key=value: seconds (median of --repeat fits), peak RSS (MB),
holdout MSE (unweighted per row) and the base score used. Labels are rates
(successes / trials) with trials as weights, rows with zero trials dropped,
exactly as `shardboost ingest` does; base_score is the weighted train mean, as
shardboost computes it."""
import argparse
import csv
import resource
import statistics
import sys
import time

import numpy as np
import xgboost as xgb


def load_forms(path):
    ids, y, w, x = [], [], [], []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            a, s, v, feats = line.strip("()").split(",", 3)
            views = float(v)
            if views == 0:
                continue
            y.append(float(s) / views)
            w.append(views)
            x.append([float(t) for t in feats.split("-")])
    return np.array(x, dtype=np.float32), np.array(y), np.array(w)


def load_keywords(path):
    levels = {"Computer": 0, "Smartphone": 1, "Tablet": 2}
    y, w, x = [], [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        i_dev, i_week = head.index("device"), head.index("week")
        i_clk, i_conv = head.index("Clicks"), head.index("Conversions")
        atts = [i for i, h in enumerate(head) if h.startswith("att")]
        for row in r:
            clicks = float(row[i_clk])
            if clicks == 0:
                continue
            y.append(float(row[i_conv]) / clicks)
            w.append(clicks)
            x.append([float(row[i]) for i in atts] + [levels[row[i_dev]], float(row[i_week])])
    return np.array(x, dtype=np.float32), np.array(y), np.array(w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.1)
    ap.add_argument("--lambda", dest="lam", type=float, default=1.0)
    ap.add_argument("--max-bin", type=int, default=256)
    ap.add_argument("--nthread", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--evals", action="store_true",
                    help="evaluate train and test mse every round, as shardboost train --valid does")
    ap.add_argument("--serve", action="store_true",
                    help="load once, then fit once per stdin line 'NTHREAD [evals]' and print its line "
                         "(make bench interleaves these fits with shardboost runs)")
    a = ap.parse_args()
    load = load_forms if a.layout == "forms" else load_keywords
    xtr, ytr, wtr = load(a.train)
    xte, yte, _ = load(a.test)
    base = float(np.sum(wtr * ytr) / np.sum(wtr))

    def fit(nthread, evals):
        params = {"tree_method": "hist", "max_bin": a.max_bin, "eta": a.eta, "max_depth": a.depth,
                  "lambda": a.lam, "alpha": 0.0, "min_child_weight": 1.0, "objective": "reg:squarederror",
                  "base_score": base, "nthread": nthread, "seed": 0}
        t0 = time.perf_counter()
        dtr = xgb.DMatrix(xtr, label=ytr, weight=wtr, nthread=nthread)
        ev = []
        if evals:
            ev = [(dtr, "train"), (xgb.DMatrix(xte, label=yte, nthread=nthread), "valid")]
        bst = xgb.train(dict(params, eval_metric="rmse"), dtr, num_boost_round=a.rounds, evals=ev,
                        verbose_eval=False)
        return time.perf_counter() - t0, bst

    def report(times, bst, nthread):
        pred = bst.predict(xgb.DMatrix(xte, nthread=nthread))
        mse = float(np.mean((pred.astype(np.float64) - yte) ** 2))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"seconds={statistics.median(times):.3f} times={','.join(f'{t:.3f}' for t in times)} "
              f"rss_mb={rss:.0f} mse={mse:.10g} base={base:.17g} rows={len(ytr)}", flush=True)

    if a.serve:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            nthread = int(words[0])
            t, bst = fit(nthread, "evals" in words[1:])
            report([t], bst, nthread)
        return
    times = []
    for _ in range(a.repeat):
        t, bst = fit(a.nthread, a.evals)
        times.append(t)
    report(times, bst, a.nthread)


if __name__ == "__main__":
    main()
