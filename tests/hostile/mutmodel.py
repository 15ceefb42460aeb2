import sys, zlib, re
# Used by tests/integration/hostile.sh to craft hostile model files that still pass the crc32 check.
# mutmodel.py IN OUT PYEXPR : apply a text edit (python expression over s) and re-seal the crc32 line
s = open(sys.argv[1]).read()
s = s[:s.rindex('\n  "crc32": "') + 1]
s = eval(sys.argv[3])
s = s.rstrip('\n')
s = s[:-1] if s.endswith(',') else s
s += ',\n'
s += '  "crc32": "%08x"\n}\n' % zlib.crc32(s.encode('latin-1'))
open(sys.argv[2], 'w', encoding='latin-1').write(s)
