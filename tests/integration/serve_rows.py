#!/usr/bin/env python3
"""serve_rows.py - request bodies for `shardboost serve` from the rows `predict`
scores, and the bit-for-bit comparison of the two answers.

A feature value goes into JSON as the double Python reads from the file's
text (correctly rounded, as ingest's parser; repr writes it back exactly),
so serve holds the same double, then the same float, as `predict`.

  serve_rows.py bodies MODEL.json DATA.csv OUTDIR [--singles]
      OUTDIR/rows.json (all rows, {"rows": [...]}), OUTDIR/rows.csv (text/csv,
      the label columns dropped), with --singles OUTDIR/curl.cfg: one request
      per row for one curl process (keep-alive), answers in OUTDIR/a_N.json
  serve_rows.py compare PART.csv.gz ANSWER.json [ANSWER.json ...]
      the predictions (text, in order) and ids of the answers equal predict's
      part file's, exit 0; otherwise print the first difference, exit 1
"""
import csv
import gzip
import json
import os
import re
import sys

MISSING = {"", "NA", "NaN", "nan", "N/A", "null"}
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def value(text, categorical):
    if text in MISSING:
        return None
    if categorical:
        return text
    if not NUMBER.match(text):
        sys.exit("serve_rows.py: %r is not a JSON number" % text)
    return float(text)


def read_rows(model, path):
    """(header names, rows as lists of text) in the model's layout."""
    if model["layout"] == "forms":  # (id,submissions,views,f0-f1-...)
        names = ["form_id"] + [f["name"] for f in model["features"]]
        rows = []
        with open(path) as f:
            for line in f:
                a = line.strip().strip("()").split(",")
                rows.append([a[0]] + a[3].split("-"))
        return names, rows
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        keep = [i for i, h in enumerate(header) if h not in ("Clicks", "Conversions")]
        return [header[i] for i in keep], [[row[i] for i in keep] for row in r]


def bodies(model_path, data, out, singles):
    model = json.load(open(model_path))
    cats = {f["name"] for f in model["features"] if f.get("levels")}
    names, rows = read_rows(model, data)
    objs = [{n: value(t, n in cats) for n, t in zip(names, row)} for row in rows]
    ids = set(model["id_names"])
    objs = [{k: (int(v) if k in ids and isinstance(v, float) else v) for k, v in o.items()} for o in objs]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "rows.json"), "w") as f:
        json.dump({"rows": objs}, f, separators=(",", ":"))
    with open(os.path.join(out, "rows.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows(rows)
    if singles:
        with open(os.path.join(out, "curl.cfg"), "w") as cfg:
            for i, o in enumerate(objs):
                p = os.path.join(out, "r_%d.json" % i)
                with open(p, "w") as f:
                    json.dump([o], f, separators=(",", ":"))
                cfg.write('url = "%s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\n'
                          'output = "%s"\nnext\n' % (os.environ["SB_URL"], p, os.path.join(out, "a_%d.json" % i)))


def compare(part, answers):
    with gzip.open(part, "rt", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        want = list(r)
    got = []
    for a in answers:
        doc = json.load(open(a), parse_float=str, parse_int=str)  # keep the numbers' text
        ids = doc["ids"]
        for k, p in enumerate(doc["predictions"]):
            got.append([str((ids[k] or {}).get(h, "")) for h in header[:-1]] + [p])
    if len(got) != len(want):
        print("compare: %d answers, %d rows in %s" % (len(got), len(want), part))
        return 1
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            print("compare: row %d differs: serve %s, predict %s" % (i, g, w))
            return 1
    print("compare: %d rows identical (ids and prediction text)" % len(got))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "bodies":
        bodies(sys.argv[2], sys.argv[3], sys.argv[4], "--singles" in sys.argv)
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3:]))
    else:
        sys.exit(__doc__)
