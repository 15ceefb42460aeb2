# Prints kernels/fmt_pow5_table.h: Ryu's 128-bit 5^i and 5^-i multipliers (bit count 125).
B = 125
def split(v): return "{%du, %du}" % (v & (2**64 - 1), v >> 64)
inv, fwd = [], []
for i in range(342):
    p = 5**i; L = p.bit_length(); j = L - 1 + B
    inv.append(split(2**j // p + 1))
for i in range(326):
    p = 5**i; L = p.bit_length(); j = L - B
    fwd.append(split(p >> j if j >= 0 else p << -j))
print("""/* fmt_pow5_table.h - GENERATED, do not edit: Ryu's (Ulf Adams, PLDI 2018) tables for
 * shortest round-trip double formatting. POW5_INV[i] = floor(2^(bitlen(5^i)-1+125) / 5^i) + 1,
 * POW5[i] = the top 125 bits of 5^i; each as {low 64 bits, high 64 bits}.
 * Regenerate: python3 kernels/fmt_pow5_table.py > kernels/fmt_pow5_table.h */
#ifndef SB_FMT_POW5_TABLE_H
#define SB_FMT_POW5_TABLE_H

#include <stdint.h> /* for uint64_t */

#define CSVZ_POW5_INV_BITCOUNT 125
#define CSVZ_POW5_BITCOUNT 125
""")
print("static const uint64_t CSVZ_POW5_INV[342][2] = {\n    " + ",\n    ".join(inv) + "};\n")
print("static const uint64_t CSVZ_POW5[326][2] = {\n    " + ",\n    ".join(fwd) + "};\n")
print("#endif")
