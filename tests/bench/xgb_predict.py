"""XGBoost in-place predict rate on the forms benchmark (same data and model size as
`make bench-predict`): train 100 trees of depth 6 on a sample, then time
Booster.inplace_predict over all rows. Prints one line: xgboost_rows_per_s=<float>.
usage: xgb_predict.py FORMS.csv[.gz] [n_threads]"""
import gzip
import sys
import time

import numpy as np
import xgboost as xgb


def load_forms(path):
    op = gzip.open if path.endswith(".gz") else open
    rows = []
    with op(path, "rt") as f:
        for line in f:
            a, b, c, feats = line.strip()[1:-1].split(",", 3)
            rows.append((float(b), float(c), feats))
    num = np.array([r[0] for r in rows])
    den = np.array([r[1] for r in rows])
    x = np.array([np.array(r[2].split("-"), dtype=np.float32) for r in rows], dtype=np.float32)
    keep = den > 0
    return x[keep], num[keep] / den[keep], den[keep]


def main():
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    x, y, w = load_forms(path)
    n_train = min(len(y), 100000)
    d = xgb.DMatrix(x[:n_train], label=y[:n_train], weight=w[:n_train], nthread=threads)
    booster = xgb.train({"max_depth": 6, "eta": 0.1, "tree_method": "hist", "nthread": threads,
                         "objective": "reg:squarederror"}, d, num_boost_round=100)
    booster.inplace_predict(x[:1000])  # warm-up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        booster.inplace_predict(x)
        times.append(time.perf_counter() - t0)
    times.sort()
    print("xgboost_rows=%d threads=%d seconds_median=%.4f xgboost_rows_per_s=%.0f"
          % (len(y), threads, times[1], len(y) / times[1]))


if __name__ == "__main__":
    main()
