/* csvz_fmt.c - shortest round-trip doubles (Ryu) and fast integers for CSV output. */
#include "io/csvz_fmt.h"

#include <math.h>   /* for isnan, isinf, signbit */
#include <stdio.h>  /* for snprintf (the _ref twin only) */
#include <stdlib.h> /* for strtod */
#include <string.h> /* for memcpy, memset */

#include "io/csvz_pow5_table.h"

__extension__ typedef unsigned __int128 u128; /* GCC/Clang: Ryu needs 64x64->128 products */

/* ---- Ryu helpers (names follow the paper's d2s.c) ------------------------ */
static inline int32_t pow5bits(int32_t e) { return (int32_t)((((uint32_t)e) * 1217359u) >> 19) + 1; }
static inline uint32_t log10_pow2(int32_t e) { return (((uint32_t)e) * 78913u) >> 18; }
static inline uint32_t log10_pow5(int32_t e) { return (((uint32_t)e) * 732923u) >> 20; }

static inline uint32_t pow5_factor(uint64_t v)
{
    uint32_t count = 0;
    while (v % 5 == 0) {
        v /= 5;
        ++count;
    }
    return count;
}
static inline int multiple_of_pow5(uint64_t v, uint32_t p) { return pow5_factor(v) >= p; }
static inline int multiple_of_pow2(uint64_t v, uint32_t p) { return (v & ((1ull << p) - 1)) == 0; }

/* (m * mul) >> j for a 128-bit multiplier, j >= 64. */
static inline uint64_t mul_shift64(uint64_t m, const uint64_t *mul, int32_t j)
{
    const u128 b0 = (u128)m * mul[0];
    const u128 b2 = (u128)m * mul[1];
    return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}

/* Shortest decimal (*digits * 10^*exp10) in the rounding interval of a finite
 * positive double given by its raw mantissa and exponent fields. */
static void ryu_d2d(uint64_t ieee_mant, uint32_t ieee_exp, uint64_t *digits, int32_t *exp10)
{
    int32_t e2;
    uint64_t m2;
    if (ieee_exp == 0) {
        e2 = 1 - 1023 - 52 - 2; /* 2 extra bits for the interval bounds */
        m2 = ieee_mant;
    } else {
        e2 = (int32_t)ieee_exp - 1023 - 52 - 2;
        m2 = (1ull << 52) | ieee_mant;
    }
    const int accept_bounds = (m2 & 1) == 0; /* round-half-even in strtod */
    const uint64_t mv = 4 * m2;
    const uint32_t mm_shift = ieee_mant != 0 || ieee_exp <= 1; /* lower gap is half at powers of 2 */
    uint64_t vr, vp, vm;
    int32_t e10;
    int vm_trailing_zeros = 0, vr_trailing_zeros = 0;
    if (e2 >= 0) {
        const uint32_t q = log10_pow2(e2) - (e2 > 3);
        e10 = (int32_t)q;
        const int32_t k = CSVZ_POW5_INV_BITCOUNT + pow5bits((int32_t)q) - 1;
        const int32_t i = -e2 + (int32_t)q + k;
        vr = mul_shift64(4 * m2, CSVZ_POW5_INV[q], i);
        vp = mul_shift64(4 * m2 + 2, CSVZ_POW5_INV[q], i);
        vm = mul_shift64(4 * m2 - 1 - mm_shift, CSVZ_POW5_INV[q], i);
        if (q <= 21) {
            if (mv % 5 == 0)
                vr_trailing_zeros = multiple_of_pow5(mv, q);
            else if (accept_bounds)
                vm_trailing_zeros = multiple_of_pow5(mv - 1 - mm_shift, q);
            else
                vp -= (uint64_t)multiple_of_pow5(mv + 2, q);
        }
    } else {
        const uint32_t q = log10_pow5(-e2) - (-e2 > 1);
        e10 = (int32_t)q + e2;
        const int32_t i = -e2 - (int32_t)q;
        const int32_t k = pow5bits(i) - CSVZ_POW5_BITCOUNT;
        const int32_t j = (int32_t)q - k;
        vr = mul_shift64(4 * m2, CSVZ_POW5[i], j);
        vp = mul_shift64(4 * m2 + 2, CSVZ_POW5[i], j);
        vm = mul_shift64(4 * m2 - 1 - mm_shift, CSVZ_POW5[i], j);
        if (q <= 1) {
            vr_trailing_zeros = 1;
            if (accept_bounds)
                vm_trailing_zeros = mm_shift == 1;
            else
                --vp;
        } else if (q < 63) {
            vr_trailing_zeros = multiple_of_pow2(mv, q);
        }
    }
    int32_t removed = 0;
    uint64_t output;
    if (vm_trailing_zeros || vr_trailing_zeros) {
        /* Rare general case (~0.7%): exact ties and bounds that are decimals. */
        uint32_t last = 0;
        while (vp / 10 > vm / 10) {
            vm_trailing_zeros &= vm % 10 == 0;
            vr_trailing_zeros &= last == 0;
            last = (uint32_t)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
            ++removed;
        }
        if (vm_trailing_zeros) {
            while (vm % 10 == 0) {
                vr_trailing_zeros &= last == 0;
                last = (uint32_t)(vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
                ++removed;
            }
        }
        if (vr_trailing_zeros && last == 5 && vr % 2 == 0) last = 4; /* exact .5: round to even */
        output = vr + ((vr == vm && (!accept_bounds || !vm_trailing_zeros)) || last >= 5);
    } else {
        int round_up = 0;
        if (vp / 100 > vm / 100) { /* drop two digits at once (most values) */
            round_up = vr % 100 >= 50;
            vr /= 100;
            vp /= 100;
            vm /= 100;
            removed += 2;
        }
        while (vp / 10 > vm / 10) {
            round_up = vr % 10 >= 5;
            vr /= 10;
            vp /= 10;
            vm /= 10;
            ++removed;
        }
        output = vr + (vr == vm || round_up);
    }
    *digits = output;
    *exp10 = e10 + removed;
}

/* ---- layout ------------------------------------------------------------ */
int csvz_fmt_layout(int negative, const char *digits, int n, int decpt, char *out)
{
    char *p = out;
    if (negative) *p++ = '-';
    if (decpt > -4 && decpt <= 16) { /* Python repr: fixed notation in this window */
        if (decpt <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -decpt; ++i) *p++ = '0';
            memcpy(p, digits, (size_t)n);
            p += n;
        } else if (decpt >= n) {
            memcpy(p, digits, (size_t)n);
            p += n;
            for (int i = n; i < decpt; ++i) *p++ = '0';
            *p++ = '.';
            *p++ = '0';
        } else {
            memcpy(p, digits, (size_t)decpt);
            p += decpt;
            *p++ = '.';
            memcpy(p, digits + decpt, (size_t)(n - decpt));
            p += n - decpt;
        }
    } else {
        *p++ = digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, (size_t)(n - 1));
            p += n - 1;
        }
        int e = decpt - 1;
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        if (e < 0) e = -e;
        if (e >= 100) *p++ = (char)('0' + e / 100);
        *p++ = (char)('0' + e / 10 % 10);
        *p++ = (char)('0' + e % 10);
    }
    return (int)(p - out);
}

/* nan, inf, -inf and signed zeros, as repr writes them; 0 if v is none of these. */
static int fmt_special(double v, char *out)
{
    const char *s = NULL;
    if (isnan(v)) s = "nan";
    else if (isinf(v)) s = v < 0 ? "-inf" : "inf";
    else if (v == 0) s = signbit(v) ? "-0.0" : "0.0";
    if (s == NULL) return 0;
    size_t n = strlen(s);
    memcpy(out, s, n);
    return (int)n;
}

int csvz_fmt_double(double v, char *out)
{
    int n = fmt_special(v, out);
    if (n > 0) return n;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t d;
    int32_t e10;
    ryu_d2d(bits & ((1ull << 52) - 1), (uint32_t)((bits >> 52) & 0x7ff), &d, &e10);
    char digits[20];
    int nd = 0;
    char rev[20];
    while (d > 0) {
        rev[nd++] = (char)('0' + d % 10);
        d /= 10;
    }
    for (int i = 0; i < nd; ++i) digits[i] = rev[nd - 1 - i];
    return csvz_fmt_layout(v < 0, digits, nd, e10 + nd, out);
}

int csvz_fmt_double_ref(double v, char *out)
{
    int n = fmt_special(v, out);
    if (n > 0) return n;
    char buf[40];
    int prec = 1;
    for (; prec < 17; ++prec) { /* shortest correctly rounded digit count that reads back */
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) break;
    }
    snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    const char *s = buf + (buf[0] == '-');
    char digits[20];
    int nd = 0;
    for (const char *c = s; *c != 'e'; ++c)
        if (*c != '.') digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0') --nd; /* %.e pads with zeros */
    int decpt = atoi(strchr(s, 'e') + 1) + 1;
    return csvz_fmt_layout(v < 0, digits, nd, decpt, out);
}

int csvz_fmt_i64(int64_t v, char *out)
{
    char rev[CSVZ_FMT_I64_MAX];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    int len = 0;
    if (v < 0) out[len++] = '-';
    while (n > 0) out[len++] = rev[--n];
    return len;
}
