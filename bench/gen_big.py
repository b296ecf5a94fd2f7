#!/usr/bin/env python3
"""Generate a large Noodle program (100,000 lines by default) for timing the
compiler: `noodlec big.nd -o big.nbc`, `noodle check big.nd`.

The program is many small functions (lets, if/else-if/else, for and while
loops, lists, f-strings, a struct, calls to the previous function) and a
`main` that calls some of them and prints one checksum. It is deterministic
for a given --seed and --lines.

usage:
  python3 bench/gen_big.py [--lines 100000] [--seed 1] > big.nd
  python3 bench/gen_big.py --python > big.py     # the same program in Python
  python3 bench/gen_big.py --expected            # what big.nd prints (runs the Python twin)

Every value stays small (results are taken modulo 100003 and arguments modulo
97), so the Noodle program never overflows and matches its Python twin.
"""
import argparse
import io
import random
import sys
from contextlib import redirect_stdout

MOD = 100003
CHAIN = 8  # f{k} calls f{k-1} unless k % CHAIN == 0, so call chains stay short


def call_prev(k, arg_a, arg_b):
    """A call to the previous function, or 0 at the start of a chain."""
    if k % CHAIN == 0:
        return "0"
    return f"f{k - 1}(({arg_a}) % 97, ({arg_b}) % 97)"


# Each template returns (noodle_lines, python_lines) for function number k.

def t_arith(k, r):
    c1, c2, m, c3, m2 = r.randint(2, 9), r.randint(1, 50), r.randint(20, 200), r.randint(1, 30), r.randint(50, 500)
    t1 = r.randint(1, m // 3)
    t2 = r.randint(t1 + 1, m - 1)
    call = call_prev(k, "x", "y")
    nd = [
        f"def f{k}(a, b) {{",
        f"    let x = a * {c1} + b",
        f"    let y = (x + {c2}) % {m}",
        f"    if y < {t1} {{",
        f"        x += y",
        f"    }} else if y < {t2} {{",
        f"        x -= {c3}",
        f"    }} else {{",
        f"        x = x * 2 % {m2}",
        f"    }}",
        f"    return (x + y) % {MOD} + {call}",
        f"}}",
    ]
    py = [
        f"def f{k}(a, b):",
        f"    x = a * {c1} + b",
        f"    y = (x + {c2}) % {m}",
        f"    if y < {t1}:",
        f"        x += y",
        f"    elif y < {t2}:",
        f"        x -= {c3}",
        f"    else:",
        f"        x = x * 2 % {m2}",
        f"    return (x + y) % {MOD} + {call}",
    ]
    return nd, py


def t_list(k, r):
    n, m, c = r.randint(3, 12), r.randint(10, 300), r.randint(1, 9)
    call = call_prev(k, "s", "a + b")
    nd = [
        f"def f{k}(a, b) {{",
        f"    let xs = []",
        f"    for i in 0..{n} {{",
        f"        xs.push((a + i * b + {c}) % {m})",
        f"    }}",
        f"    let s = 0",
        f"    for v in xs {{",
        f"        if v % 2 == 0 {{",
        f"            s += v",
        f"        }} else {{",
        f"            s -= 1",
        f"        }}",
        f"    }}",
        f"    return (s + len(xs) + xs[{n - 1}]) % {MOD} + {call}",
        f"}}",
    ]
    py = [
        f"def f{k}(a, b):",
        f"    xs = []",
        f"    for i in range({n}):",
        f"        xs.append((a + i * b + {c}) % {m})",
        f"    s = 0",
        f"    for v in xs:",
        f"        if v % 2 == 0:",
        f"            s += v",
        f"        else:",
        f"            s -= 1",
        f"    return (s + len(xs) + xs[{n - 1}]) % {MOD} + {call}",
    ]
    return nd, py


def t_while(k, r):
    m, lim, mul = r.randint(10, 1000), r.randint(10, 60), r.randint(1, 99)
    call = call_prev(k, "n + steps", "b")
    nd = [
        f"def f{k}(a, b) {{",
        f"    let n = (a * 7 + b) % {m} + 1",
        f"    let steps = 0",
        f"    while n != 1 and steps < {lim} {{",
        f"        if n % 2 == 0 {{",
        f"            n = n // 2",
        f"        }} else {{",
        f"            n = 3 * n + 1",
        f"        }}",
        f"        steps += 1",
        f"    }}",
        f"    return steps * {mul} % {MOD} + {call}",
        f"}}",
    ]
    py = [
        f"def f{k}(a, b):",
        f"    n = (a * 7 + b) % {m} + 1",
        f"    steps = 0",
        f"    while n != 1 and steps < {lim}:",
        f"        if n % 2 == 0:",
        f"            n = n // 2",
        f"        else:",
        f"            n = 3 * n + 1",
        f"        steps += 1",
        f"    return steps * {mul} % {MOD} + {call}",
    ]
    return nd, py


def t_string(k, r):
    m, c = r.randint(5, 50), r.randint(2, 40)
    call = call_prev(k, "count", "n")
    nd = [
        f"def f{k}(a, b) {{",
        f'    let s = f"v{{a}}-{{b % {m}}}:{k}"',
        f"    let n = len(s)",
        f"    let count = 0",
        f"    for ch in s {{",
        f'        if ch == "-" or ch == ":" {{',
        f"            count += 10",
        f"        }} else {{",
        f"            count += 1",
        f"        }}",
        f"    }}",
        f"    return (n * {c} + count) % {MOD} + {call}",
        f"}}",
    ]
    py = [
        f"def f{k}(a, b):",
        f'    s = f"v{{a}}-{{b % {m}}}:{k}"',
        f"    n = len(s)",
        f"    count = 0",
        f"    for ch in s:",
        f'        if ch == "-" or ch == ":":',
        f"            count += 10",
        f"        else:",
        f"            count += 1",
        f"    return (n * {c} + count) % {MOD} + {call}",
    ]
    return nd, py


def t_struct(k, r):
    c, c2 = r.randint(1, 50), r.randint(2, 9)
    call = call_prev(k, "p.x", "p.y")
    nd = [
        f"def f{k}(a, b) {{",
        f"    let p = Pair(a, b)",
        f"    p.x += {c}",
        f"    p.y = p.y * 2 + 1",
        f"    if p.x > p.y {{",
        f"        let t = p.x",
        f"        p.x = p.y",
        f"        p.y = t",
        f"    }}",
        f"    return (p.x * {c2} + p.y) % {MOD} + {call}",
        f"}}",
    ]
    py = [
        f"def f{k}(a, b):",
        f"    p = Pair(a, b)",
        f"    p.x += {c}",
        f"    p.y = p.y * 2 + 1",
        f"    if p.x > p.y:",
        f"        t = p.x",
        f"        p.x = p.y",
        f"        p.y = t",
        f"    return (p.x * {c2} + p.y) % {MOD} + {call}",
    ]
    return nd, py


TEMPLATES = [t_arith, t_list, t_while, t_string, t_struct]
MAIN_EVERY = 7  # main calls every 7th function


def generate(lines, seed):
    r = random.Random(seed)
    nd = [
        f"# Generated by bench/gen_big.py --lines {lines} --seed {seed}: a compile-time benchmark.",
        "struct Pair { x, y }",
        "",
    ]
    py = [
        "class Pair:",
        "    __slots__ = ('x', 'y')",
        "    def __init__(self, x, y):",
        "        self.x = x",
        "        self.y = y",
        "",
    ]
    main_head = ["def main() {", "    let total = 0"]
    main_tail = ["    print(total)", "}"]
    funcs = 0
    called = []
    while True:
        t = TEMPLATES[r.randrange(len(TEMPLATES))]
        state = r.getstate()
        f_nd, f_py = t(funcs, r)
        calls_after = len(called) + (1 if funcs % MAIN_EVERY == 0 else 0)
        # +1: the blank line after each function
        if len(nd) + len(f_nd) + 1 + len(main_head) + calls_after + len(main_tail) > lines:
            r.setstate(state)
            break
        nd += f_nd + [""]
        py += f_py + [""]
        if funcs % MAIN_EVERY == 0:
            called.append(funcs)
        funcs += 1
    if funcs == 0:
        raise SystemExit("--lines too small")

    def main_call(i):
        k = called[i % len(called)]
        return f"total = (total + f{k}({i % 13}, {i % 7})) % 1000003"

    # fill main so that the file has exactly `lines` lines
    n_calls = lines - len(nd) - len(main_head) - len(main_tail)
    n_calls = max(n_calls, 1)
    nd += main_head + ["    " + main_call(i) for i in range(n_calls)] + main_tail
    py += ["def main():", "    total = 0"] + ["    " + main_call(i) for i in range(n_calls)] + \
          ["    print(total)", "", "main()"]
    return nd, py


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--python", action="store_true", help="print the Python twin instead")
    g.add_argument("--expected", action="store_true", help="print what the program prints")
    o = ap.parse_args()
    nd, py = generate(o.lines, o.seed)
    if o.python:
        sys.stdout.write("\n".join(py) + "\n")
    elif o.expected:
        buf = io.StringIO()
        with redirect_stdout(buf):
            exec(compile("\n".join(py) + "\n", "big.py", "exec"), {"__name__": "big"})
        sys.stdout.write(buf.getvalue())
    else:
        sys.stdout.write("\n".join(nd) + "\n")


if __name__ == "__main__":
    main()
