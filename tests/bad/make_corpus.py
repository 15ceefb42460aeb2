#!/usr/bin/python3
"""Write the malformed-input corpus (tests/bad/*) and its EXPECTED table.

Each case is one small file (plus a schema for the generic layout) with exactly
one defect; EXPECTED lists: file | layout[:schema] | line of the error ('-' if
none) | a fragment the error message must contain. Run from anywhere; rerunning
rewrites the same bytes (fixed seed)."""
import gzip, io, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)
HEADER = ['entity_id'] + [f'att{i}' for i in range(1, 161)] + ['device', 'week', 'Clicks', 'Conversions']
expected = []


def kw_row(i, **over):
    v = {'entity_id': str(1000 + i), 'device': '"%s"' % rng.choice(['Computer', 'Smartphone', 'Tablet']),
         'week': str(30 + i % 2), 'Clicks': str(rng.randint(1, 50)), 'Conversions': '0'}
    for a in range(1, 161):
        v[f'att{a}'] = str(rng.randint(0, 1))
    v.update(over)
    return ','.join(v[h] for h in HEADER)


def kw_header(names=HEADER):
    return ','.join('"%s"' % h for h in names)


def write(name, text, binary=False):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(text if binary else text.encode())


def case(name, layout, line, fragment, text=None):
    if text is not None:
        write(name, text)
    expected.append(f'{name}|{layout}|{line}|{fragment}')


def kw_file(n, bad_at=None, **over):
    """Header + n rows; row number bad_at (file line bad_at) gets the overrides."""
    rows = [kw_header()] + [kw_row(i, **(over if i + 2 == bad_at else {})) for i in range(n)]
    return '\n'.join(rows) + '\n'


# ---- keyword layout ----
ragged = [kw_header()] + [kw_row(i) for i in range(4)]
ragged[2] = ragged[2].rsplit(',', 1)[0]
case('kw_ragged.csv', 'keywords', 3, 'expected 165 fields, found 164', '\n'.join(ragged) + '\n')
case('kw_nonnumeric.csv', 'keywords', 2, "feature 'att5': 'abc' is not a number", kw_file(3, 2, att5='abc'))
case('kw_negative_clicks.csv', 'keywords', 4, "Clicks: negative value '-3'", kw_file(4, 4, Clicks='-3'))
case('kw_nan_clicks.csv', 'keywords', 3, "Clicks: 'NaN' is not a finite number", kw_file(3, 3, Clicks='NaN'))
case('kw_inf_clicks.csv', 'keywords', 2, "Clicks: 'inf' is not a finite number", kw_file(3, 2, Clicks='inf'))
case('kw_inf_feature.csv', 'keywords', 3, "feature 'week': 'inf' is infinite or outside the float32 range",
     kw_file(3, 3, week='inf'))
case('kw_float_overflow.csv', 'keywords', 2, "feature 'att9': '1e39' is infinite or outside the float32 range",
     kw_file(2, 2, att9='1e39'))
case('kw_empty.csv', 'keywords', '-', 'empty file', '')
case('kw_header_only.csv', 'keywords', 2, 'no data rows (header only)', kw_header() + '\n')
case('kw_blank_header.csv', 'keywords', 1, 'empty header line', '\n' + kw_file(2))
case('kw_unknown_device.csv', 'keywords', 3, "unknown device 'Laptop'", kw_file(3, 3, device='"Laptop"'))
wrong = list(HEADER)
wrong[2] = 'attX'
case('kw_wrong_header.csv', 'keywords', 1, "header column 3 is 'attX', expected 'att2'",
     kw_header(wrong) + '\n' + kw_row(0) + '\n')
case('kw_short_header.csv', 'keywords', 1, 'keyword header has 164 columns, expected 165',
     kw_header(HEADER[:-1]) + '\n' + kw_row(0) + '\n')
case('kw_1mb_field.csv', 'keywords', 3, "feature 'att3': 'xxxxxxxxxx", kw_file(3, 3, att3='x' * (1 << 20)))
case('kw_1mb_device.csv', 'keywords', 2, "unknown device 'AAAAAAAA", kw_file(2, 2, device='A' * (1 << 20)))
case('kw_unterminated_quote.csv', 'keywords', 3, 'malformed or unterminated quoted field',
     kw_file(3, 3, device='"Computer'))
case('kw_stray_quote.csv', 'keywords', 2, 'malformed or unterminated quoted field', kw_file(2, 2, device='Comp"uter'))
case('kw_fraction_conversions.csv', 'keywords', 3, "Conversions: '1.5' is not a whole number",
     kw_file(3, 3, Conversions='1.5'))
case('kw_bad_id.csv', 'keywords', 2, "id 'entity_id': '12a' is not an integer", kw_file(2, 2, entity_id='12a'))
case('kw_id_overflow.csv', 'keywords', 3, "id 'entity_id': '99999999999999999999' is outside the int64 range",
     kw_file(3, 3, entity_id='99999999999999999999'))
case('kw_missing_clicks.csv', 'keywords', 2, "Clicks: '' is not a number", kw_file(2, 2, Clicks=''))
# late errors: with 2 or 3 ranks they are found by the last rank; the line must still be global
case('kw_late_error.csv', 'keywords', 39, "feature 'att100': '0.5.1' is not a number",
     kw_file(40, 39, att100='0.5.1'))
case('kw_late_ragged_crlf.csv', 'keywords', 37, 'expected 165 fields, found 166',
     kw_file(40, 37, week='30,1').replace('\n', '\r\n'))
# two errors in different ranks' pieces: the first in file order is reported at any rank count
two = kw_file(40, 5, att3='y').splitlines()
two[37] = two[37].rsplit(',', 1)[0]
case('kw_late_two_errors.csv', 'keywords', 5, "feature 'att3': 'y' is not a number", '\n'.join(two) + '\n')
gz = io.BytesIO()
with gzip.GzipFile(fileobj=gz, mode='wb', mtime=0) as g:
    g.write(kw_file(200).encode())
write('kw_truncated.csv.gz', gz.getvalue()[: len(gz.getvalue()) // 2], binary=True)
case('kw_truncated.csv.gz', 'keywords', '-', 'gzip data truncated or corrupt')
case('does_not_exist.csv', 'keywords', '-', 'cannot open: No such file or directory')


# ---- forms layout ----
def form_row(i, views=None, sub=None, feats=None, open_='(', close=')'):
    f = feats if feats is not None else '-'.join('%.1f' % rng.randint(0, 5) for _ in range(47))
    v = views if views is not None else str(rng.randint(1, 90))
    s = sub if sub is not None else str(rng.randint(0, 9))
    return f'{open_}{2000 + i},{s},{v},{f}{close}'


def forms_file(n, bad_at, **kw):
    return '\n'.join(form_row(i, **(kw if i + 1 == bad_at else {})) for i in range(n)) + '\n'


case('forms_no_paren.csv', 'forms', 2, "form row must start with '('", forms_file(3, 2, open_=''))
case('forms_no_close.csv', 'forms', 3, "form row must end with ')'", forms_file(3, 3, close=''))
case('forms_46_features.csv', 'forms', 1, "expected 47 '-'-separated features, found 46",
     forms_file(2, 1, feats='-'.join(['1.0'] * 46)))
case('forms_negative_feature.csv', 'forms', 2, "more than 47 '-'-separated features",
     forms_file(2, 2, feats='-'.join(['1.0'] * 46) + '--2.0'))
case('forms_negative_views.csv', 'forms', 2, "views: negative value '-5'", forms_file(3, 2, views='-5'))
case('forms_nan_views.csv', 'forms', 1, "views: 'nan' is not a finite number", forms_file(2, 1, views='nan'))
case('forms_ragged.csv', 'forms', 3, 'expected 4 fields', '\n'.join(
    [form_row(0), form_row(1), '(2002,3,4)', form_row(3)]) + '\n')
case('forms_late_error.csv', 'forms', 47, "feature 'f3': 'x' is not a number",
     forms_file(50, 47, feats='-'.join(['1.0'] * 3 + ['x'] + ['2.0'] * 43)))
case('forms_empty.csv', 'forms', '-', 'empty file', '')
case('forms_all_dropped.csv', 'forms', '-', 'all 3 data rows were dropped (views == 0)',
     '\n'.join(form_row(i, views='0', sub='0') for i in range(3)) + '\n')


# ---- generic csv layout with a schema ----
write('generic_ok.yaml', 'ids: [id]\nnumerator: succ\ndenominator: trials\ncategorical: [color]\nignore: [note]\n')
good_csv = 'id,x1,color,succ,trials,note\n1,0.5,red,1,4,a\n2,,blue,0,3,b\n'
case('csv_bad_number.csv', 'csv:generic_ok.yaml', 4, "feature 'x1': '1,5' is not a number",
     good_csv + '3,"1,5",red,1,2,c\n')
case('csv_dup_header.csv', 'csv:generic_ok.yaml', 1, "header column 3 'x1' repeats an earlier column",
     'id,x1,x1,color,succ,trials,note\n1,1,1,red,1,1,a\n')
case('csv_missing_column.csv', 'csv:generic_ok.yaml', 1, "column 'trials' (schema",
     'id,x1,color,succ,note\n1,1,red,1,a\n')
write('unknown_key.yaml', 'ids: [id]\nlable: y\n')
case('csv_unknown_key.csv', 'csv:unknown_key.yaml', '@unknown_key.yaml:2:', "unknown key 'lable'", good_csv)
write('bad_syntax.yaml', 'ids: [id\nlabel: y\n')
case('csv_bad_yaml.csv', 'csv:bad_syntax.yaml', '@bad_syntax.yaml:2:', "did not find expected ',' or ']'", good_csv)
write('no_label.yaml', 'ids: [id]\nweight: trials\n')
case('csv_no_label.csv', 'csv:no_label.yaml', '@no_label.yaml:', "needs 'label', or both 'numerator' and 'denominator'", good_csv)

with open(os.path.join(HERE, 'EXPECTED'), 'w') as f:
    f.write('# file|layout[:schema]|line ("-": no line; "@loc": this literal location)|message fragment   (written by make_corpus.py)\n')
    f.write('\n'.join(expected) + '\n')
print(len(expected), 'cases')
