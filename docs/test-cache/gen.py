#!/usr/bin/env python3
"""A Go module with N packages, each with tests; p00's test reads testdata."""
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
open(f"{out}/go.mod", "w").write("module example.com/tc\n\ngo 1.24\n")
for i in range(n):
    d = f"{out}/p{i:02d}"
    os.makedirs(d, exist_ok=True)
    deps = [j for j in (i - 1, i // 2) if 0 <= j < i]
    deps = sorted(set(deps))
    imp = "".join(f'\t"example.com/tc/p{j:02d}"\n' for j in deps)
    body = [f"package p{i:02d}\n\nimport (\n\t\"strings\"\n{imp})\n"]
    for k in range(20):
        call = " + ".join([f"p{j:02d}.F{k}(s)" for j in deps] or ["0"])
        body.append(f"func F{k}(s string) int {{ return len(strings.Repeat(s, {k + 1})) + {call} }}\n")
    open(f"{d}/lib.go", "w").write("\n".join(body))
    t = [f"package p{i:02d}\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nvar _ = os.ReadFile\n"]
    for k in range(5):
        t.append(f"func TestF{k}(t *testing.T) {{ if F{k}(\"ab\") <= 0 {{ t.Fatal(\"bad\") }} }}\n")
    if i == 0:
        os.makedirs(f"{d}/testdata", exist_ok=True)
        open(f"{d}/testdata/input.txt", "w").write("hello\n")
        t.append('func TestData(t *testing.T) {\n\tb, err := os.ReadFile("testdata/input.txt")\n\tif err != nil || len(b) != 6 {\n\t\tt.Fatal(err)\n\t}\n}\n')
    open(f"{d}/lib_test.go", "w").write("\n".join(t))
os.makedirs(f"{out}/cmd/tc", exist_ok=True)
open(f"{out}/cmd/tc/main.go", "w").write(
    f'package main\n\nimport (\n\t"fmt"\n\t"example.com/tc/p{n-1:02d}"\n)\n\nfunc main() {{ fmt.Println(p{n-1:02d}.F1("x")) }}\n')
