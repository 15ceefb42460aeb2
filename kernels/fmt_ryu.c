/* fmt_ryu.c - shortest round-trip doubles (Ryu) and fast integers for CSV output. */
#include "kernels/fmt_ryu.h"

#include <math.h>   /* for isnan, isinf, signbit */
#include <stdio.h>  /* for snprintf (the _ref twin only) */
#include <stdlib.h> /* for strtod */
#include <string.h> /* for memcpy, memset */

#include "kernels/fmt_pow5_table.h"

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

/* ---- digits -------------------------------------------------------------- */
static const char DIGIT_PAIRS[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

static const uint64_t POW10[20] = {1ull,
                                   10ull,
                                   100ull,
                                   1000ull,
                                   10000ull,
                                   100000ull,
                                   1000000ull,
                                   10000000ull,
                                   100000000ull,
                                   1000000000ull,
                                   10000000000ull,
                                   100000000000ull,
                                   1000000000000ull,
                                   10000000000000ull,
                                   100000000000000ull,
                                   1000000000000000ull,
                                   10000000000000000ull,
                                   100000000000000000ull,
                                   1000000000000000000ull,
                                   10000000000000000000ull};

/* Number of decimal digits of v (1..20): log10 estimated from the bit length
 * (1233/4096 ~ log10(2)), corrected with one comparison. */
static inline int dec_len(uint64_t v)
{
    v |= 1; /* 0 has one digit; never changes the count (10^k is even) */
    int t = ((64 - __builtin_clzll(v)) * 1233) >> 12;
    return t + 1 - (v < POW10[t]);
}

static inline void put2(char *p, uint32_t v) { memcpy(p, DIGIT_PAIRS + 2 * v, 2); }

/* v < 10^8 as exactly 8 digits. The two 4-digit halves are independent. */
static inline void put8(char *p, uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    put2(p, hi / 100);
    put2(p + 2, hi % 100);
    put2(p + 4, lo / 100);
    put2(p + 6, lo % 100);
}

/* The nd = dec_len(v) digits of v at p[0 .. nd), written from the right:
 * 8 digits per 64-bit division, then pairs. */
static inline void put_digits(char *p, uint64_t v, int nd)
{
    char *e = p + nd;
    while (v >= 100000000u) {
        uint64_t q = v / 100000000u;
        e -= 8;
        put8(e, (uint32_t)(v - q * 100000000u));
        v = q;
    }
    uint32_t s = (uint32_t)v;
    while (s >= 100) {
        e -= 2;
        put2(e, s % 100);
        s /= 100;
    }
    if (s >= 10) put2(e - 2, s);
    else e[-1] = (char)('0' + s);
}

/* ---- layout ------------------------------------------------------------ */
int fmt_layout(int negative, const char *digits, int n, int decpt, char *out)
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

int fmt_double(double v, char *out)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const uint32_t ieee_exp = (uint32_t)((bits >> 52) & 0x7ff);
    if (ieee_exp == 0x7ff || (bits << 1) == 0) return fmt_special(v, out); /* nan, inf, zeros */
    uint64_t d;
    int32_t e10;
    ryu_d2d(bits & ((1ull << 52) - 1), ieee_exp, &d, &e10);
    const int nd = dec_len(d), decpt = e10 + nd;
    char *p = out;
    if (bits >> 63) *p++ = '-';
    /* The same layouts as fmt_layout, with the digits written in place. */
    if (decpt <= 0 && decpt > -4) { /* 0.000ddd: rates and probabilities */
        memcpy(p, "0.000", 5);
        p += 2 - decpt;
        put_digits(p, d, nd);
        return (int)(p + nd - out);
    }
    if (decpt > 0 && decpt <= 16) {
        if (decpt >= nd) { /* ddd000.0 */
            put_digits(p, d, nd);
            p += nd;
            for (int i = nd; i < decpt; ++i) *p++ = '0';
            memcpy(p, ".0", 2);
            return (int)(p + 2 - out);
        }
        put_digits(p + 1, d, nd); /* dd.ddd: digits one to the right, then the head moves back */
        memmove(p, p + 1, (size_t)decpt);
        p[decpt] = '.';
        return (int)(p + nd + 1 - out);
    }
    put_digits(p + 1, d, nd); /* d.ddde+XX */
    p[0] = p[1];
    if (nd > 1) {
        p[1] = '.';
        p += nd + 1;
    } else {
        p += 1;
    }
    int e = decpt - 1;
    *p++ = 'e';
    *p++ = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 100) {
        *p++ = (char)('0' + e / 100);
        e %= 100;
    }
    put2(p, (uint32_t)e);
    return (int)(p + 2 - out);
}

int fmt_double_ref(double v, char *out)
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
    return fmt_layout(v < 0, digits, nd, decpt, out);
}

int fmt_i64(int64_t v, char *out)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int neg = v < 0;
    out[0] = '-';
    int nd = dec_len(u);
    put_digits(out + neg, u, nd);
    return neg + nd;
}

int fmt_i64_ref(int64_t v, char *out)
{
    char rev[FMT_I64_MAX];
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
