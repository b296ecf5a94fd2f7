#!/usr/bin/env python3
"""Where the interpreter's dispatch block sits in a build of `noodle`.

The hot loop (`noodle_vm::interp::hot::run`) fetches an instruction, decodes
it and jumps through a table in one block of about 60 bytes. Where that block
straddles two 64-byte lines, every interpreted workload runs several per cent
slower with the same instructions, so a timing comparison between two builds
means little until both blocks fit (see docs/performance.md).

usage: bench/dispatch_placement.py [path/to/noodle]   (default target/release/noodle)

It needs `nm` and `objdump` (binutils). The block is found as the indirect
jump that follows the opcode range check, starting at the address that the
most jumps in the function lead to. There is one loop per register-window
size: the 256-register one runs every program whose functions have at most
256 registers (all the benchmarks); the 65,536-register one, only programs
with larger functions. Exit status 1 when the 256-register block straddles.
"""

import collections
import re
import signal
import subprocess
import sys

LINE = 64


def disassemble(binary, start, size):
    out = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", f"--start-address={start}",
         f"--stop-address={start + size}", binary],
        capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+(.*)", line)
        if m:
            rows.append((int(m.group(1), 16), m.group(2)))
    return rows


def dispatch_block(rows):
    """(start, end) of the dispatch block, or None."""
    jumped_to = collections.Counter()
    for _, ins in rows:
        m = re.match(r"j\w+\s+([0-9a-f]+)", ins)
        if m:
            jumped_to[int(m.group(1), 16)] += 1
    for i, (_, ins) in enumerate(rows):
        if not re.match(r"jmp\s+\*%", ins) or i + 1 >= len(rows):
            continue
        before = rows[max(0, i - 20):i]
        if not any(re.match(r"cmp\s+\$0x[0-9a-f]+,%r", x) for _, x in before[-14:]):
            continue
        entries = [(jumped_to[a], a) for a, _ in before if jumped_to[a] >= 5]
        if entries:
            return max(entries)[1], rows[i + 1][0]
    return None


def window_of(rows):
    """The register window a loop instance was built for, from the bound it
    checks its window against."""
    text = "\n".join(ins for _, ins in rows)
    if re.search(r"\$0x(ffff|10000),", text):
        return 65536
    if re.search(r"\$0x(ff|100),", text):
        return 256
    return None


def main():
    # Piped into `head`, stop quietly.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/noodle"
    symbols = subprocess.run(["nm", "-S", "-C", binary], capture_output=True,
                             text=True, check=True).stdout
    straddles = False
    found = False
    for line in symbols.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) < 4 or not parts[3].startswith("noodle_vm::interp::hot::run"):
            continue
        start, size = int(parts[0], 16), int(parts[1], 16)
        rows = disassemble(binary, start, size)
        block = dispatch_block(rows)
        if block is None:
            continue
        found = True
        first, end = block
        fits = first // LINE == (end - 1) // LINE
        window = window_of(rows)
        if window == 256:
            straddles |= not fits
        print(f"{window or '?'}-register hot::run at {start:#x} (line offset {start % LINE:#04x}): dispatch block "
              f"{first:#x}..{end:#x}, {end - first} bytes at line offset {first % LINE:#04x}, "
              f"{'fits one line' if fits else 'STRADDLES two lines'}")
    if not found:
        sys.exit(f"no dispatch block found in {binary}")
    sys.exit(1 if straddles else 0)


if __name__ == "__main__":
    main()
