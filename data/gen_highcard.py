#!/usr/bin/python3
"""gen_highcard.py - generic-layout CSV with a high-cardinality categorical that
carries real signal (the accuracy check of native categorical splits).

Columns: id, city (LEVELS levels, names in an order unrelated to their effect,
so their codes say nothing ordinally), channel (3 levels: the one-vs-rest
path), x1, x2 (numeric), y = effect[city] + channel effect + smooth x terms +
noise. Some city values are empty (missing). Writes the CSV and its schema.

usage: gen_highcard.py --rows N --seed S --levels L -o out.csv [--schema out.yaml]
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--levels", type=int, default=200)
    ap.add_argument("-o", required=True)
    ap.add_argument("--schema")
    a = ap.parse_args()
    # the level effects come from a fixed seed: every file of one --levels shares them
    fx = np.random.default_rng(12345)
    effect = fx.normal(0.0, 1.0, a.levels)
    names = np.array(["c%03d" % i for i in fx.permutation(a.levels)])
    rng = np.random.default_rng(a.seed)
    n = a.rows
    city = rng.zipf(1.3, n) % a.levels  # skewed frequencies, as real categories are
    channel = rng.integers(0, 3, n)
    x1 = rng.uniform(-2, 2, n)
    x2 = rng.normal(0, 1, n)
    y = effect[city] + np.array([0.0, 0.4, -0.3])[channel] + 0.5 * np.sin(2 * x1) + 0.3 * x2
    y += rng.normal(0, 0.5, n)
    missing = rng.random(n) < 0.02
    with open(a.o, "w") as f:
        f.write("id,city,channel,x1,x2,y\n")
        for i in range(n):
            c = "" if missing[i] else names[city[i]]
            f.write("%d,%s,%s,%.5f,%.5f,%.5f\n" % (i, c, "abc"[channel[i]], x1[i], x2[i], y[i]))
    if a.schema:
        with open(a.schema, "w") as f:
            f.write("ids: [id]\nlabel: y\ncategorical: [city, channel]\n")


if __name__ == "__main__":
    main()
