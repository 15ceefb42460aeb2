#!/usr/bin/env bash
# gen_data.sh - the synthetic data generators: same seed -> same bytes (plain and gzip),
# another seed -> other bytes, exact layouts of FORMATS.md (header, field counts, value
# kinds), the zero / over-denominator fractions, and the committed fixtures still match
# what the generators produce (so a generator change that alters them is noticed).
. "$(dirname "$0")/../lib.sh"
GEN_BIN=${GEN_BIN:-$(dirname "$SB")}
GF=$GEN_BIN/gen_forms GK=$GEN_BIN/gen_keywords
[ -x "$GF" ] && [ -x "$GK" ] || { fail "generators not built in $GEN_BIN"; finish; }
FIX=$SB_ROOT/tests/fixtures
T=$SB_TMP

md5() { md5sum "$1" | cut -d' ' -f1; }

# --- determinism -------------------------------------------------------------------
for g in forms keywords; do
    bin=$GEN_BIN/gen_$g
    "$bin" --rows 3000 --seed 11 -o "$T/$g.a.csv" && "$bin" --rows 3000 --seed 11 -o "$T/$g.b.csv" &&
        "$bin" --rows 3000 --seed 12 -o "$T/$g.c.csv" && "$bin" --rows 3000 --seed 11 -o "$T/$g.a.csv.gz" &&
        "$bin" --rows 3000 --seed 11 -o "$T/$g.b.csv.gz" || fail "$g: generator exited non-zero"
    check "$g: same seed twice -> same md5" [ "$(md5 "$T/$g.a.csv")" = "$(md5 "$T/$g.b.csv")" ]
    check "$g: other seed -> other md5" [ "$(md5 "$T/$g.a.csv")" != "$(md5 "$T/$g.c.csv")" ]
    check "$g: .gz is the same text, byte-identical twice" \
        bash -c "cmp -s <(zcat '$T/$g.a.csv.gz') '$T/$g.a.csv' && cmp -s '$T/$g.a.csv.gz' '$T/$g.b.csv.gz'"
    # A prefix property: the first rows do not depend on --rows (rows are seeded by index).
    "$bin" --rows 1000 --seed 11 -o "$T/$g.short.csv"
    check "$g: 1000 rows are a prefix of 3000 rows" cmp -s "$T/$g.short.csv" <(head -n "$(wc -l <"$T/$g.short.csv")" "$T/$g.a.csv")
    check "$g: no temp file left behind" bash -c "! ls '$T'/*.tmp.* >/dev/null 2>&1"
done

# --- forms layout (regexes without {m,n}: Debian's awk is mawk) ----------------------
"$GF" --rows 20000 --seed 3 -o "$T/forms.csv"
check "forms: 20000 lines, no header" [ "$(wc -l <"$T/forms.csv"):$(head -c1 "$T/forms.csv")" = "20000:(" ]
check "forms: every row is (id,subs,views,47 features written like 3.0 or 0.25)" \
    awk -F, 'NF != 4 || $1 !~ /^\([0-9]+$/ || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $4 !~ /\)$/ { bad++; next }
             { f = substr($4, 1, length($4) - 1); n = split(f, a, "-"); if (n != 47) bad++;
               for (i = 1; i <= n; i++) if (a[i] !~ /^[0-9]+\.[0-9][0-9]?[0-9]?$/) bad++ }
             END { exit bad > 0 }' "$T/forms.csv"
check "forms: ids unique" [ "$(cut -d, -f1 "$T/forms.csv" | sort | uniq -d | wc -l)" -eq 0 ]
stats=$(awk -F, '{ if ($3 == 0) z++; if ($2 > $3) o++; if ($3 > mx) mx = $3; if ($3 > 0) { s += $2; v += $3 } }
                 END { printf "%d %d %d %.4f", z, o, mx, s / v }' "$T/forms.csv")
read -r zeros overs maxv rate <<<"$stats"
echo "forms: views==0 rows $zeros, submissions>views rows $overs, max views $maxv, pooled rate $rate"
check "forms: ~0.5% rows with views == 0 (got $zeros of 20000)" [ "$zeros" -ge 50 ] && [ "$zeros" -le 160 ]
check "forms: a few rows with submissions > views (got $overs)" [ "$overs" -ge 20 ] && [ "$overs" -le 130 ]
check "forms: heavy-tailed views up to ~1000 (max $maxv)" [ "$maxv" -ge 300 ] && [ "$maxv" -le 1000 ]
check "forms: pooled completion rate plausible ($rate)" awk -v r="$rate" 'BEGIN { exit !(r > 0.15 && r < 0.6) }'
"$GF" --rows 5000 --seed 3 --zero-views 0 --over-views 0 -o "$T/forms0.csv"
check "forms: --zero-views 0 --over-views 0 -> none" awk -F, '$3 == 0 || $2 > $3 { bad++ } END { exit bad > 0 }' "$T/forms0.csv"

# --- keywords layout ---------------------------------------------------------------
"$GK" --rows 20000 --seed 3 -o "$T/kw.csv"
hdr='"entity_id"'
for i in $(seq 1 160); do hdr="$hdr,\"att$i\""; done
hdr="$hdr,\"device\",\"week\",\"Clicks\",\"Conversions\""
check "keywords: exact quoted header" [ "$(head -1 "$T/kw.csv")" = "$hdr" ]
check "keywords: 20000 data rows" [ "$(($(wc -l <"$T/kw.csv") - 1))" -eq 20000 ]
check "keywords: 165 fields, 0/1 attributes, quoted device, week 30/31, conversions <= clicks" \
    awk -F, 'NR == 1 { next }
             NF != 165 || $1 !~ /^[0-9]+$/ || $162 !~ /^"(Computer|Smartphone|Tablet)"$/ ||
             $163 !~ /^3[01]$/ || $164 !~ /^[0-9]+$/ || $165 !~ /^[0-9]+$/ || $165 + 0 > $164 + 0 { bad++; next }
             { for (i = 2; i <= 161; i++) if ($i != "0" && $i != "1") bad++ }
             END { exit bad > 0 }' "$T/kw.csv"
stats=$(awk -F, 'NR > 1 { n[$1]++; key = $1 SUBSEP $162 SUBSEP $163; if (key in seen) dup++; seen[key] = 1;
                          if ($164 == 0) z++; c += $164; v += $165 }
                 END { for (e in n) { ne++; if (n[e] > 1) multi++ } printf "%d %d %d %.4f %d", ne, multi, z, v / c, dup }' "$T/kw.csv")
read -r nent multi zeros cr dups <<<"$stats"
echo "keywords: $nent entities ($multi with >1 row), Clicks==0 rows $zeros, pooled cr $cr"
check "keywords: entities repeat over device/week combos ($multi of $nent)" [ "$multi" -gt $((nent / 3)) ]
check "keywords: no entity/device/week twice" [ "$dups" -eq 0 ]
check "keywords: ~0.5% rows with Clicks == 0 (got $zeros)" [ "$zeros" -ge 50 ] && [ "$zeros" -le 160 ]
check "keywords: pooled conversion rate 1-10% ($cr)" awk -v r="$cr" 'BEGIN { exit !(r > 0.01 && r < 0.1) }'
check "keywords: all three devices and both weeks" \
    [ "$(cut -d, -f162,163 "$T/kw.csv" | tail -n +2 | sort -u | wc -l)" -eq 6 ]

# --- options, errors, truth --------------------------------------------------------
"$GF" --rows 100 --seed 5 -o "$T/f.csv" --truth "$T/f_truth.csv"
check "forms: --truth has one rate per row" [ "$(wc -l <"$T/f_truth.csv")" -eq 101 ]
"$GK" --rows 100 --seed 5 -o "$T/k.csv" --truth "$T/k_truth.csv"
check "keywords: --truth has one rate per row" [ "$(wc -l <"$T/k_truth.csv")" -eq 101 ]
check "bad option -> exit 2" bash -c "'$GF' --rows 10 --bogus 1 -o '$T/x.csv' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/x.csv' ]"
check "bad value -> exit 2" bash -c "'$GK' --rows -5 -o '$T/x.csv' 2>/dev/null; [ \$? -eq 2 ]"
check "unwritable path -> exit 1, message" bash -c "'$GF' --rows 10 -o /nonexistent/dir/x.csv 2>&1 | grep -q 'cannot create'"

# --- committed fixtures are what the generators make --------------------------------
"$GF" --rows 50 --seed 7 --zero-views 0.06 --over-views 0.04 -o "$T/forms_small.csv"
"$GK" --rows 50 --seed 7 --zero-clicks 0.06 -o "$T/keywords_small.csv"
check "fixture forms_small.csv regenerates byte-identically" cmp -s "$FIX/forms_small.csv" "$T/forms_small.csv"
check "fixture keywords_small.csv regenerates byte-identically" cmp -s "$FIX/keywords_small.csv" "$T/keywords_small.csv"
finish
