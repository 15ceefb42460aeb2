#!/usr/bin/python3
"""objectives_check.py - data and XGBoost side of objectives.sh.

gen OBJ DIR: writes DIR/tr.csv, DIR/te.csv (id,x0..x4,y) drawn for objective OBJ
  (binary: 0/1 labels; pseudohuber: heavy-tailed noise; tweedie: compound
  Poisson-gamma with zeros; gamma: positive, multiplicative noise).
metric DIR PRED OBJ NAME: XGBoost 1.7's value of metric NAME (e.g.
  tweedie-nloglik@1.3) on shardboost's holdout predictions PRED of DIR/te.csv
  (as base margins of a 0-round booster of objective OBJ); quantile@ALPHA is
  XGBoost 2's pinball loss computed here (1.7 has no quantile metric).
compare OBJ DIR MODEL PRED ROUNDS DEPTH ETA [k=v ...]: trains XGBoost (hist,
  256 bins, same parameters and base_score as shardboost's MODEL) on tr.csv,
  and prints the holdout loss of both (PRED: shardboost's predictions of te.csv,
  csv.gz with id,prediction) as "ours theirs".
"""
import csv
import gzip
import json
import sys

import numpy as np
import xgboost as xgb

XGB_OBJ = {"binary": "binary:logistic", "pseudohuber": "reg:pseudohubererror", "tweedie": "reg:tweedie",
           "gamma": "reg:gamma"}


def gen(obj, d):
    rng = np.random.default_rng(16)
    n = 12000
    x = rng.normal(size=(n, 5))
    f = 0.8 * x[:, 0] - 0.5 * x[:, 1] * (x[:, 2] > 0) + 0.3 * np.sin(2 * x[:, 3])
    if obj == "binary":
        y = (rng.random(n) < 1 / (1 + np.exp(-(f - 0.7)))).astype(float)
    elif obj == "pseudohuber":
        y = 3 * f + rng.standard_t(2, size=n)
    elif obj == "tweedie":
        mu = np.exp(0.5 * f)
        k = rng.poisson(mu)
        y = np.array([rng.gamma(2.0, 0.5, size=c).sum() if c else 0.0 for c in k])
    else:
        mu = np.exp(0.6 * f + 1)
        y = rng.gamma(3.0, mu / 3.0)
    wt = np.round(0.5 + 2 * rng.random(n), 3)  # row weights for the weighted auc case
    for name, sl in (("tr.csv", slice(0, 8000)), ("te.csv", slice(8000, n))):
        with open(f"{d}/{name}", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "x0", "x1", "x2", "x3", "x4", "y", "w"])
            for i in range(sl.start, sl.stop):
                w.writerow([i] + [repr(float(v)) for v in x[i]] + [repr(float(y[i])), repr(float(wt[i]))])


def load(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1)
    return a[:, 1:6], a[:, 6]


def loss(obj, y, p, kv):
    if obj == "binary":
        p = np.clip(p, 1e-16, 1 - 1e-16)
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    if obj == "pseudohuber":
        s = float(kv.get("huber_slope", 1.0))
        z = (p - y) / s
        return float(np.mean(s * s * (np.sqrt(1 + z * z) - 1)))
    if obj == "tweedie":
        r = float(kv.get("tweedie_variance_power", 1.5))
        return float(np.mean(-y * p ** (1 - r) / (1 - r) + p ** (2 - r) / (2 - r)))
    return float(np.mean(y / p + np.log(p)))


def auc(d, pred, weighted):
    """XGBoost's auc of shardboost's holdout predictions (as margins of a 0-tree model)."""
    a = np.loadtxt(f"{d}/te.csv", delimiter=",", skiprows=1)
    with gzip.open(pred, "rt") as fh:
        rows = {int(r[0]): float(r[1]) for r in list(csv.reader(fh))[1:]}
    p = np.clip(np.array([rows[int(i)] for i in a[:, 0]]), 1e-300, 1 - 1e-16)
    dm = xgb.DMatrix(a[:, 1:6], label=a[:, 6], weight=a[:, 7] if weighted == "1" else None,
                     base_margin=np.log(p / (1 - p)))
    bst = xgb.train({"objective": "binary:logistic", "eval_metric": "auc", "nthread": 1}, dm, 0)
    print(bst.eval(dm).split(":")[-1])


def metric(d, pred, obj, name):
    x, y = load(f"{d}/te.csv")
    with gzip.open(pred, "rt") as fh:
        rows = {int(r[0]): float(r[1]) for r in list(csv.reader(fh))[1:]}
    ids = np.loadtxt(f"{d}/te.csv", delimiter=",", skiprows=1, usecols=0).astype(int)
    p = np.array([rows[i] for i in ids])
    if name.startswith("quantile@"):
        a = float(name.split("@")[1])
        e = y - p
        print(repr(float(np.mean(np.where(e >= 0, a * e, (a - 1) * e)))))
        return
    dm = xgb.DMatrix(x, label=y, base_margin=np.log(p))
    bst = xgb.train({"objective": obj, "eval_metric": name, "nthread": 1}, dm, 0)
    print(bst.eval(dm).split(":")[-1])


def compare(obj, d, model, pred, rounds, depth, eta, extra):
    kv = dict(a.split("=", 1) for a in extra)
    xtr, ytr = load(f"{d}/tr.csv")
    xte, yte = load(f"{d}/te.csv")
    base = json.load(open(model))["base_score"]
    prm = {"objective": XGB_OBJ[obj], "tree_method": "hist", "max_bin": 256, "max_depth": int(depth),
           "eta": float(eta), "lambda": 1.0, "min_child_weight": 1.0, "base_score": base, "nthread": 1}
    prm.update({k: float(v) for k, v in kv.items()})
    bst = xgb.train(prm, xgb.DMatrix(xtr, label=ytr), int(rounds))
    theirs = loss(obj, yte, bst.predict(xgb.DMatrix(xte)), kv)
    with gzip.open(pred, "rt") as fh:
        rows = {int(r[0]): float(r[1]) for r in list(csv.reader(fh))[1:]}
    ids = np.loadtxt(f"{d}/te.csv", delimiter=",", skiprows=1, usecols=0).astype(int)
    ours = loss(obj, yte, np.array([rows[i] for i in ids]), kv)
    print(f"{ours!r} {theirs!r}")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "auc":
        auc(*sys.argv[2:5])
    elif sys.argv[1] == "metric":
        metric(*sys.argv[2:6])
    else:
        compare(*sys.argv[2:9], sys.argv[9:])
