#!/usr/bin/env python3
"""lint.py - the layering rules, checked (make lint; make test runs it).

Layers, bottom to top: base (0), kernels (1), mpi (2), io (3), engine (4), jobs (5).
  1. A file includes project headers only from its own layer or a lower one.
  2. No MPI outside mpi/ (and io/h5_mpio.c, the one parallel-HDF5 file, which only hands
     HDF5 the communicator: no MPI call there): no <mpi.h>, no mpi/run_impl.h, no MPI_
     identifier. base/run_ctx_impl.h only in base/ and mpi/.
  3. Kernels are pure: no MPI, I/O, allocation or rand(); of base/ only the pure hash.
  4. data/ (the generators) stands apart: data/ headers and base/hash.h only.
  5. No circle between modules (a module is a .c with its .h; an edge is an include).
  6. No function outside kernels/ longer than MAX_FUNC_LINES (definition to closing brace).
Exit status 1 and one line per finding ("file:line: rule: what"), else "lint: ok".
"""
import os
import re
import sys

RANK = {"base": 0, "kernels": 1, "mpi": 2, "io": 3, "engine": 4, "jobs": 5}
MPI_FILE = "io/h5_mpio.c"
MAX_FUNC_LINES = 60
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

def sources(root):
    for layer in list(RANK) + ["data"]:
        d = os.path.join(root, layer)
        for dirpath, _, names in os.walk(d):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, n), root)

def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)

def module_of(path):
    """A module is a .c with its .h; a private header (X_impl.h, X_internal.h) is
    part of module X, whose layout or shared state it spells out."""
    base = os.path.splitext(path)[0]
    return re.sub(r"_(impl|internal)$", "", base)

def function_lengths(path, code):
    """(name, first line, length) of each top-level function body: a line that
    opens a definition at column 0 up to the matching '}' at column 0."""
    lines = code.split("\n")
    out, start, name = [], None, None
    for i, line in enumerate(lines):
        if start is None and line == "{" and i > 0:
            head = " ".join(lines[max(0, i - 3):i])
            m = re.search(r"(\w+)\s*\([^;{}]*\)\s*(__attribute__\(\(.*\)\))?\s*$", head)
            if m and not re.search(r"\b(struct|enum|union)\s+\w*\s*$", lines[i - 1]) and "=" not in lines[i - 1]:
                start, name = i, m.group(1)
                # the definition's first line
                j = i - 1
                while j > 0 and lines[j - 1].strip() and not lines[j - 1].rstrip().endswith((";", "}", "*/")) \
                        and not lines[j - 1].startswith("#"):
                    j -= 1
                first = j
        elif start is not None and line.startswith("}"):
            out.append((name, first + 1, i - first + 1))
            start = None
    return out

def main(root):
    bad = []
    graph = {}
    for path in sources(root):
        layer = path.split("/")[0]
        raw = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        code = strip_comments_and_strings(raw)
        mod = module_of(path)
        graph.setdefault(mod, set())
        for n, line in enumerate(raw.split("\n"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, inc = m.groups()
            if kind == "<":
                if inc == "mpi.h" and layer != "mpi" and path != MPI_FILE:
                    bad.append(f"{path}:{n}: mpi: <mpi.h> outside mpi/")
                continue
            top = inc.split("/")[0]
            if inc == "mpi/run_impl.h" and layer != "mpi" and path != MPI_FILE:
                bad.append(f"{path}:{n}: mpi: {inc} outside mpi/")
            if inc == "base/run_ctx_impl.h" and layer not in ("base", "mpi"):
                bad.append(f"{path}:{n}: layer: {inc} is private to base/ and mpi/")
            if layer == "data":
                if top != "data" and inc != "base/hash.h":
                    bad.append(f"{path}:{n}: layer: data/ includes {inc}")
            elif layer == "kernels" and top == "base" and inc != "base/hash.h":
                bad.append(f"{path}:{n}: pure: kernels/ include {inc} (only base/hash.h)")
            elif top in RANK and RANK[top] > RANK[layer]:
                bad.append(f"{path}:{n}: layer: upward include of {inc} from {layer}/")
            if module_of(inc) != mod:
                graph[mod].add(module_of(inc))
        if (layer != "mpi" and path != MPI_FILE) and re.search(r"\bMPI_\w+", code):
            n = code[: re.search(r"\bMPI_\w+", code).start()].count("\n") + 1
            bad.append(f"{path}:{n}: mpi: MPI_ identifier outside mpi/")
        if path == MPI_FILE:  # it hands HDF5 the communicator; collectives go through comm_*
            m = re.search(r"\bMPI_\w+\s*\(", code)
            if m:
                n = code[: m.start()].count("\n") + 1
                bad.append(f"{path}:{n}: mpi: raw MPI call in {path} (use mpi/comm.h)")
        if layer == "kernels":
            m = re.search(r"\b(MPI_\w*|fopen|printf|fprintf|malloc|calloc|realloc|free|rand)\s*\(", code)
            if m:
                n = code[: m.start()].count("\n") + 1
                bad.append(f"{path}:{n}: pure: kernels call {m.group(1)}")
        if layer != "kernels" and path.endswith(".c"):
            for name, first, length in function_lengths(path, code):
                if length > MAX_FUNC_LINES:
                    bad.append(f"{path}:{first}: length: {name} is {length} lines (max {MAX_FUNC_LINES})")
    # circles: depth-first search over the module graph
    color, stack = {}, []
    def visit(m):
        color[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if d not in graph:
                continue
            if color.get(d) == 1:
                bad.append("circle: " + " -> ".join(stack[stack.index(d):] + [d]))
            elif d not in color:
                visit(d)
        stack.pop()
        color[m] = 2
    for m in sorted(graph):
        if m not in color:
            visit(m)
    for b in bad:
        print(b)
    if bad:
        print(f"lint: {len(bad)} finding(s)")
        return 1
    print("lint: ok")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
