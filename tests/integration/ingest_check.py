#!/usr/bin/python3
"""ingest_check.py LAYOUT OUT.h5 IN.csv [IN.csv ...] - check an ingested HDF5 file
against an independent parse of the inputs with Python's csv module (used by
ingest_basic.sh). Reads datasets through h5dump so it needs no h5py."""
import csv, gzip, re, subprocess, sys, tempfile, os
import numpy as np

layout, h5, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
tmp = tempfile.mkdtemp()


def raw(ds, dtype):
    path = os.path.join(tmp, 'raw.bin')
    subprocess.run(['h5dump', '-d', ds, '-b', 'LE', '-o', path, h5], check=True, capture_output=True)
    return np.fromfile(path, dtype=dtype)


def strings(ds):
    out = subprocess.run(['h5dump', '-d', ds, h5], check=True, capture_output=True, text=True).stdout
    return [m.replace('\\000', '') for m in re.findall(r'"([^"]*)"', out.split('DATA {', 1)[1])]


def rows_of(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', newline='', encoding='utf-8-sig') as f:
        return [r for r in csv.reader(f) if r]


if layout == 'keywords':
    rows = []
    for p in inputs:
        rows += rows_of(p)[1:]
    kept = [r for r in rows if float(r[163]) != 0]
    levels = ['Computer', 'Smartphone', 'Tablet']
    want_x = np.array([[float(v) for v in r[1:161]] + [levels.index(r[161]), float(r[162])] for r in kept], np.float32)
    want_label = np.array([float(r[164]) / float(r[163]) for r in kept])
    want_w = np.array([float(r[163]) for r in kept])
    assert raw('/ids/entity_id', '<i8').tolist() == [int(r[0]) for r in kept], 'entity_id'
    assert strings('/ids/device') == [r[161] for r in kept], 'device'
elif layout == 'forms':
    rows = []
    for p in inputs:
        rows += rows_of(p)
    kept = [r for r in rows if float(r[2]) != 0]
    want_x = np.array([[float(v) for v in r[3].rstrip(')').split('-')] for r in kept], np.float32)
    want_label = np.array([float(r[1]) / float(r[2]) for r in kept])
    want_w = np.array([float(r[2]) for r in kept])
    assert raw('/ids/form_id', '<i8').tolist() == [int(r[0].lstrip('(')) for r in kept], 'form_id'
else:
    sys.exit('unknown layout ' + layout)
x = raw('/features', '<f4').reshape(want_x.shape)
assert np.array_equal(x, want_x), 'features differ'
assert np.array_equal(raw('/label', '<f8'), want_label), 'label differs'
assert np.array_equal(raw('/weight', '<f8'), want_w), 'weight differs'
print(f'content OK: {len(kept)} rows kept of {len(rows)}')
