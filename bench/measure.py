#!/usr/bin/env python3
"""Time Noodle and the peer runtimes on the bench/ workloads.

Normally started by bench/run.sh, which builds the Go and Erlang peers into
bench/out/ and generates bench/out/big.nd first. Each cell is the median wall
time of --runs runs of the whole process and the peak RSS over those runs
(GNU time's %M). Every run's stdout is checked against
bench/expected/<workload>.out.

usage: python3 bench/measure.py [--runs 3] [--only fib,loop] [--rt noodle,python3]
                                [--noodle target/release/noodle] [--noodlec PATH]
                                [--peers DIR] [--timeout 300]

Prints markdown tables to stdout (progress goes to stderr) and writes
bench/out/results.json and bench/out/results.md.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")
PROGRAMS = os.path.join(BENCH, "programs")
OUR_PEERS = os.path.join(BENCH, "peers")
DEFAULT_SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "peers"))

# N for idle-actors; every runtime gets the same N (and expected/idle-actors.out
# must match). At 1,000,000 python3 peaks at about 5 GB, the others at 3 GB or
# less; lower it on a machine with less memory.
IDLE_N = 1000000
# workload -> arguments given to the peers (the CPU Noodle programs have them built in)
PEER_ARGS = {
    "hello": [],
    "fib": ["32"],
    "loop": ["30000000"],
    "nbody": ["500000"],
    "spectralnorm": ["1000"],
    "binarytrees": ["16"],
    "fannkuchredux": ["10"],
    "skynet": ["1000000"],
    "skynet-w1": ["1000000"],
    "skynet-w2": ["1000000"],
    "pingpong": ["1000000"],
    "ring": ["1000", "1000000"],
    "idle-actors": [str(IDLE_N)],
}
# workload -> (options of `noodle run`, program arguments) for the Noodle programs
# that read their sizes with args(); the others have them built in
NOODLE_ARGS = {
    "skynet": ([], PEER_ARGS["skynet"]),
    "skynet-w1": (["--workers", "1"], PEER_ARGS["skynet"]),
    "skynet-w2": (["--workers", "2"], PEER_ARGS["skynet"]),
    "pingpong": ([], PEER_ARGS["pingpong"]),
    "ring": ([], PEER_ARGS["ring"]),
    "idle-actors": ([], PEER_ARGS["idle-actors"]),
}
# workload -> program file stem (programs/<stem>.nd, peers <stem>.<ext>, expected/<stem>.out)
STEM = {"skynet-w1": "skynet", "skynet-w2": "skynet", "idle-actors": "idle_actors"}
# expected/<name>.out when it is not the workload's own
EXPECTED = {"skynet-w1": "skynet", "skynet-w2": "skynet"}
# skynet with a fixed number of scheduler threads: only Noodle (--workers) and Go (GOMAXPROCS)
THREADS = {"skynet-w1": 1, "skynet-w2": 2}
# workloads whose Erlang peer needs a higher process limit than the default 262144
ERL_MANY = {"skynet", "skynet-w1", "skynet-w2", "idle-actors"}
# messages sent in one run, for the throughput table
MESSAGES = {"pingpong": 1000000, "ring": 1000000}
# row order; compile-100k .. run-100k are Noodle-only (plus a Python twin for the 100k
# program), skynet-w1/w2 are Noodle and Go only
WORKLOADS = ["hello", "hello-nbc", "fib", "loop", "nbody", "spectralnorm", "binarytrees",
             "fannkuchredux", "compile-100k", "check-100k", "run-100k",
             "skynet", "skynet-w1", "skynet-w2", "pingpong", "ring", "idle-actors"]
ALIASES = {"startup": "hello", "fannkuch": "fannkuchredux", "fannkuch-redux": "fannkuchredux",
           "idle_actors": "idle-actors", "idle": "idle-actors"}
DESCRIPTION = {
    "hello": "start-up: print ok (`noodle run hello.nd`)",
    "hello-nbc": "start-up from bytecode (`noodle run hello.nbc`, compiled by noodlec first)",
    "fib": "recursive fib(32)",
    "loop": "sum of i*i % 7 for i < 30,000,000",
    "nbody": "n-body, 500,000 steps",
    "spectralnorm": "spectral-norm, N = 1000",
    "binarytrees": "binary-trees, depth 16",
    "fannkuchredux": "fannkuch-redux, n = 10",
    "compile-100k": "`noodlec big.nd -o big.nbc` on 100,000 generated lines (python3: `compile()` of its Python twin)",
    "check-100k": "`noodle check big.nd`",
    "run-100k": "`noodle run big.nbc` (python3: its Python twin)",
    "skynet": "skynet: a tree of 1,000,000 leaf tasks, ten children per node, each parent sums "
              "its children (`skynet.nd 1000000`; Noodle uses one worker per core)",
    "skynet-w1": "skynet 1,000,000 on one scheduler thread (`noodle run --workers 1`; go: `GOMAXPROCS=1`)",
    "skynet-w2": "skynet 1,000,000 on two scheduler threads (`noodle run --workers 2`; go: `GOMAXPROCS=2`)",
    "pingpong": "ping-pong: two actors exchange 1,000,000 messages (500,000 round trips)",
    "ring": "ring: 1,000 actors pass a token around for 1,000,000 hops",
    "idle-actors": f"spawn {IDLE_N:,} actors that each block waiting for a message and hold their id, "
                   "then ask the last one for its id; the figure to read is peak RSS per actor",
}
RUNTIMES = ["noodle", "python3", "lua5.4", "luajit", "node", "ruby", "erlang", "go"]
EXT = {"python3": "py", "lua5.4": "lua", "luajit": "lua", "node": "js", "ruby": "rb"}
VERSION_CMD = {
    "python3": ["python3", "--version"],
    "lua5.4": ["lua5.4", "-v"],
    "luajit": ["luajit", "-v"],
    "node": ["node", "--version"],
    "ruby": ["ruby", "--version"],
    "erlang": ["erl", "-noshell", "-eval",
               'io:format("Erlang/OTP ~s (erts ~s)~n",[erlang:system_info(otp_release),'
               'erlang:system_info(version)]), halt().'],
    "go": ["go", "version"],
}

NA = "–"  # runtime missing or workload not implemented for it


class Cell:
    """What to run for one (workload, runtime) pair."""

    def __init__(self, cmd, expected=None, check_file=None, prepare=None):
        self.cmd = cmd              # argv
        self.expected = expected    # expected stdout, or None to check only the exit status
        self.check_file = check_file  # a file the command must (re)create
        self.prepare = prepare      # called before each run


class Unavailable(Exception):
    """The cell shows "–" (runtime missing, no program for that workload)."""


class Broken(Exception):
    """The cell shows FAIL without running anything (e.g. a peer that failed to build)."""


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def expected_of(workload):
    workload = EXPECTED.get(workload, workload)
    path = os.path.join(BENCH, "expected", f"{workload}.out")
    return read(path) if os.path.exists(path) else None


def is_exe(path):
    return path is not None and os.path.isfile(path) and os.access(path, os.X_OK)


def rm(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def noodle_cell(w, o):
    if not is_exe(o.noodle) and w not in ("compile-100k",):
        raise Unavailable(f"no noodle binary at {o.noodle}")
    big_nd = os.path.join(OUT, "big.nd")
    big_nbc = os.path.join(OUT, "big.nbc")
    if w == "hello-nbc":
        nbc = os.path.join(OUT, "hello.nbc")
        if not os.path.exists(nbc):
            raise Broken(f"{nbc} missing: `noodlec bench/programs/hello.nd -o {nbc}` failed")
        return Cell([o.noodle, "run", nbc], expected_of("hello"))
    if w == "compile-100k":
        if not is_exe(o.noodlec):
            raise Unavailable(f"no noodlec binary at {o.noodlec}")
        if not os.path.exists(big_nd):
            raise Broken("bench/out/big.nd missing (run bench/run.sh, which generates it)")
        return Cell([o.noodlec, big_nd, "-o", big_nbc], None, check_file=big_nbc,
                    prepare=lambda: rm(big_nbc))
    if w == "check-100k":
        if not os.path.exists(big_nd):
            raise Broken("bench/out/big.nd missing")
        return Cell([o.noodle, "check", big_nd], None)
    if w == "run-100k":
        if not os.path.exists(big_nbc):
            raise Broken("bench/out/big.nbc missing: compile-100k did not produce it")
        return Cell([o.noodle, "run", big_nbc], big_expected())
    src = os.path.join(PROGRAMS, f"{STEM.get(w, w)}.nd")
    if not os.path.exists(src):
        raise Unavailable(f"no {src}")
    opts, args = NOODLE_ARGS.get(w, ([], []))
    return Cell([o.noodle, "run"] + opts + [src] + args, expected_of(w))


def big_expected():
    path = os.path.join(OUT, "big.expected")
    return read(path) if os.path.exists(path) else None


def peer_source(o, w, ext):
    for d in (OUR_PEERS, os.path.join(o.peers, ext)):
        p = os.path.join(d, f"{w}.{ext}")
        if os.path.exists(p):
            return p
    return None


def peer_cell(rt, w, o):
    if rt == "python3" and w in ("compile-100k", "run-100k"):
        py = os.path.join(OUT, "big.py")
        if not shutil.which("python3") or not os.path.exists(py):
            raise Unavailable("python3 or bench/out/big.py missing")
        if w == "compile-100k":
            code = f"compile(open({py!r}).read(), 'big.py', 'exec')"
            return Cell(["python3", "-c", code], "")
        return Cell(["python3", py], big_expected())
    if w not in PEER_ARGS:
        raise Unavailable("Noodle-only workload")
    if w in THREADS and rt != "go":
        raise Unavailable("Noodle and Go only")
    args = PEER_ARGS[w]
    stem = STEM.get(w, w)
    if rt in EXT:
        exe = rt
        if not shutil.which(exe):
            raise Unavailable(f"{exe} not installed")
        src = peer_source(o, stem, EXT[rt])
        if src is None:
            raise Unavailable(f"no {stem}.{EXT[rt]} peer")
        return Cell([exe, src] + args, expected_of(w))
    if rt == "erlang":
        if not shutil.which("erl"):
            raise Unavailable("erl not installed")
        if peer_source(o, stem, "erl") is None:
            raise Unavailable(f"no {stem}.erl peer")
        ebin = os.path.join(OUT, "ebin")
        if not os.path.exists(os.path.join(ebin, f"{stem}.beam")):
            raise Broken(f"{stem}.beam missing: erlc failed or was not run")
        extra = ["+P", "2000000"] if w in ERL_MANY else []
        return Cell(["erl"] + extra + ["-noshell", "-pa", ebin, "-run", stem, "main"] + args,
                    expected_of(w))
    if rt == "go":
        if peer_source(o, stem, "go") is None:
            raise Unavailable(f"no {stem}.go peer")
        exe = os.path.join(OUT, f"go_{stem}")
        if not is_exe(exe):
            if not shutil.which("go"):
                raise Unavailable("go not installed")
            raise Broken(f"{exe} missing: go build failed or was not run")
        env = ["env", f"GOMAXPROCS={THREADS[w]}"] if w in THREADS else []
        return Cell(env + [exe] + args, expected_of(w))
    raise Unavailable(f"unknown runtime {rt}")


GNU_TIME = "/usr/bin/time"


def run_once(cell, timeout):
    """Run cell.cmd once; return (rc, stdout, stderr, wall_s, maxrss_kb, timed_out).

    Peak RSS comes from GNU time (`%M`) when /usr/bin/time exists: a child
    forked straight from this Python process would start its high-water mark
    at Python's own size, which hides small runtimes. Without GNU time it falls
    back to wait4's rusage, which has that bias.
    """
    if cell.prepare:
        cell.prepare()
    use_time = is_exe(GNU_TIME)
    with tempfile.TemporaryFile() as fout, tempfile.TemporaryFile() as ferr, \
            tempfile.NamedTemporaryFile(suffix=".time") as ftime:
        cmd = ([GNU_TIME, "-f", "%M", "-o", ftime.name] if use_time else []) + cell.cmd
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=fout,
                                 stderr=ferr, start_new_session=True)
        except OSError as e:
            return 127, "", str(e), 0.0, 0, False
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the run's own process group
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        p.returncode = rc  # already reaped by wait4
        rss_kb = ru.ru_maxrss
        if use_time:
            # GNU time writes "Command exited with non-zero status N" (or
            # "terminated by signal") before the %M line.
            lines = open(ftime.name, encoding="utf-8", errors="replace").read().split()
            rss_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        fout.seek(0)
        ferr.seek(0)
        out = fout.read().decode("utf-8", "replace")
        err = ferr.read().decode("utf-8", "replace")
    return rc, out, err, wall, rss_kb, bool(timed_out)


def measure(cell, runs, timeout):
    walls, rss = [], []
    for _ in range(runs):
        rc, out, err, wall, rss_kb, timed_out = run_once(cell, timeout)
        problem = None
        if timed_out:
            problem = f"timed out after {timeout} s"
        elif rc != 0:
            problem = f"exit status {rc}"
        elif cell.expected is not None and out.rstrip("\n") != cell.expected.rstrip("\n"):
            problem = "wrong output"
        elif cell.check_file and not os.path.exists(cell.check_file):
            problem = f"{os.path.relpath(cell.check_file, ROOT)} not written"
        if problem:
            detail = f"{problem}; stdout: {out[-300:]!r}; stderr: {err[-500:]!r}"
            return {"ok": False, "note": detail, "walls": walls}
        walls.append(wall)
        rss.append(rss_kb)
    return {"ok": True, "note": "", "walls": [round(x, 4) for x in walls],
            "wall_s": statistics.median(walls), "rss_mb": max(rss) / 1024, "rss_kb": max(rss)}


def versions(o, rts):
    vs = {}
    for rt in rts:
        if rt == "noodle":
            cmd = [o.noodle, "--version"] if is_exe(o.noodle) else None
        else:
            cmd = VERSION_CMD.get(rt)
            if cmd and not shutil.which(cmd[0]):
                cmd = None
        if cmd is None:
            vs[rt] = "not installed"
            continue
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=20, text=True)
            lines = p.stdout.strip().splitlines()
            vs[rt] = lines[0] if lines and p.returncode == 0 else f"? (exit {p.returncode})"
        except (OSError, subprocess.TimeoutExpired) as e:
            vs[rt] = f"? ({e})"
    return vs


def fmt_cell(r):
    if r is None or r["status"] == "na":
        return NA
    if r["status"] == "fail":
        return "FAIL"
    return f"{r['wall_s']:.3f} s / {r['rss_mb']:.0f} MB"


def ratio(a, b):
    if a is None or b is None or b <= 0 or a <= 0:
        return NA
    r = a / b
    return f"{r:.2f}" if r >= 0.1 else f"{r:.2g}"


def tables(results, wls, rts, vs, o):
    by = {(r["workload"], r["runtime"]): r for r in results}

    def wall(w, rt):
        r = by.get((w, rt))
        return r["wall_s"] if r and r["status"] == "ok" else None

    head = lambda cols: ["| workload | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    lines = [f"Median wall time of {o.runs} run(s) / peak RSS. {NA} = runtime not installed or no "
             "program for it; FAIL = non-zero exit, timeout or wrong output (details below).", ""]
    lines += head(rts)
    for w in wls:
        lines.append(f"| {w} | " + " | ".join(fmt_cell(by.get((w, rt))) for rt in rts) + " |")

    peers = [rt for rt in rts if rt != "noodle"]
    if "noodle" in rts and peers:
        lines += ["", "noodle time / peer time (wall; above 1 = Noodle is slower):", ""]
        lines += head(peers)
        for w in wls:
            if w not in PEER_ARGS and w not in ("compile-100k", "run-100k"):
                continue
            lines.append(f"| {w} | " + " | ".join(ratio(wall(w, "noodle"), wall(w, rt)) for rt in peers) + " |")
        if "hello" in wls:
            lines += ["", "The same ratio after subtracting each runtime's own start-up time "
                      "(its `hello` wall time):", ""]
            lines += head(peers)
            for w in wls:
                if w not in PEER_ARGS or w == "hello":
                    continue
                cells = []
                for rt in peers:
                    n, p = wall(w, "noodle"), wall(w, rt)
                    ns, ps = wall("hello", "noodle"), wall("hello", rt)
                    cells.append(ratio(n - ns, p - ps) if None not in (n, p, ns, ps) else NA)
                lines.append(f"| {w} | " + " | ".join(cells) + " |")

    lines += derived_tables(by, wls, rts)

    lines += ["", "Workloads:", ""]
    lines += [f"- **{w}**: {DESCRIPTION[w]}" for w in wls]
    lines += ["", "Runtimes:", ""]
    lines += [f"- **{rt}**: {vs.get(rt, '?')}" for rt in rts]
    fails = [r for r in results if r["status"] == "fail"]
    if fails:
        lines += ["", "Failures:", ""]
        lines += [f"- {r['workload']} / {r['runtime']}: `{' '.join(r['cmd'])}`: {r['note']}" for r in fails]
    missing = [r for r in results if r["status"] == "na" and r["runtime"] == "noodle"]
    if missing:
        notes = sorted({r["note"] for r in missing})
        lines += ["", "Not run for noodle: " + "; ".join(notes)]
    return "\n".join(lines) + "\n"


def derived_tables(by, wls, rts):
    """Message throughput (pingpong, ring), skynet scaling (w1 / w2) and bytes per idle actor."""
    def ok(w, rt):
        r = by.get((w, rt))
        return r if r and r["status"] == "ok" else None

    def startup(w, rt):  # the runtime's hello row, when it was measured
        return ok("hello", rt)

    head = lambda cols: ["| workload | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    lines = []

    msg = [w for w in wls if w in MESSAGES]
    if msg:
        net = ("; in brackets: after subtracting that runtime's start-up time, its `hello` row"
               if "hello" in wls else "")
        lines += ["", f"Message throughput (messages / median wall; 1,000,000 messages per run{net}):", ""]
        lines += head(rts)
        for w in msg:
            cells = []
            for rt in rts:
                r = ok(w, rt)
                if r is None:
                    cells.append(NA if not by.get((w, rt)) or by[(w, rt)]["status"] == "na" else "FAIL")
                    continue
                cell = f"{MESSAGES[w] / r['wall_s'] / 1e6:.2f}M/s"
                s = startup(w, rt)
                if s and r["wall_s"] > s["wall_s"]:
                    cell += f" ({MESSAGES[w] / (r['wall_s'] - s['wall_s']) / 1e6:.2f}M/s)"
                cells.append(cell)
            lines.append(f"| {w} | " + " | ".join(cells) + " |")

    if "skynet-w1" in wls and "skynet-w2" in wls:
        cols = [rt for rt in rts if rt in ("noodle", "go")]
        if cols:
            lines += ["", "skynet scaling: wall time with one scheduler thread / with two "
                      "(2.00 = twice as fast on two; 1.00 = no gain):", ""]
            lines += ["| | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
            cells = []
            for rt in cols:
                a, b = ok("skynet-w1", rt), ok("skynet-w2", rt)
                cells.append(ratio(a["wall_s"], b["wall_s"]) if a and b else NA)
            lines.append("| skynet-w1 / skynet-w2 | " + " | ".join(cells) + " |")

    if "idle-actors" in wls:
        n = int(PEER_ARGS["idle-actors"][0])
        net = ("; in brackets: after subtracting that runtime's start-up RSS, its `hello` row"
               if "hello" in wls else "")
        lines += ["", f"Memory per idle actor (peak RSS / {n:,}{net}):", ""]
        lines += head(rts)
        cells = []
        for rt in rts:
            r = ok("idle-actors", rt)
            if r is None:
                st = by.get(("idle-actors", rt))
                cells.append(NA if not st or st["status"] == "na" else "FAIL")
                continue
            kb = r.get("rss_kb", r["rss_mb"] * 1024)
            cell = f"{kb * 1024 / n:,.0f} B"
            s = startup("idle-actors", rt)
            if s:
                cell += f" ({(kb - s.get('rss_kb', s['rss_mb'] * 1024)) * 1024 / n:,.0f} B)"
            cells.append(cell)
        lines.append("| idle-actors: bytes per actor | " + " | ".join(cells) + " |")
    return lines


def parse_list(s, valid, aliases, what):
    if not s:
        return list(valid)
    items = [aliases.get(x.strip(), x.strip()) for x in s.split(",") if x.strip()]
    bad = [x for x in items if x not in valid]
    if bad:
        sys.exit(f"measure.py: unknown {what} {', '.join(bad)}; choose from {', '.join(valid)}")
    return [x for x in valid if x in items]  # keep the table order


def main():
    ap = argparse.ArgumentParser(description="Time Noodle and its peers on the bench/ workloads.")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated workloads (default: all)")
    ap.add_argument("--rt", default="", help="comma-separated runtimes (default: all)")
    ap.add_argument("--noodle", default=os.path.join(ROOT, "target", "release", "noodle"))
    ap.add_argument("--noodlec", default=None, help="default: noodlec next to --noodle")
    ap.add_argument("--peers", default=os.environ.get("NOODLE_PEERS", DEFAULT_SHARED),
                    help="the shared peer programs (folders py/ lua/ js/ rb/ go/ erl/)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    o = ap.parse_args()
    if o.runs < 1:
        sys.exit("measure.py: --runs must be at least 1")
    o.noodle = os.path.abspath(o.noodle)
    o.peers = os.path.normpath(os.path.abspath(o.peers))
    o.noodlec = os.path.abspath(o.noodlec or os.path.join(os.path.dirname(o.noodle), "noodlec"))
    wls = parse_list(o.only, WORKLOADS, ALIASES, "workload")
    rts = parse_list(o.rt, RUNTIMES, {}, "runtime")
    os.makedirs(OUT, exist_ok=True)

    results = []
    for w in wls:
        for rt in rts:
            base = {"workload": w, "runtime": rt, "cmd": []}
            try:
                cell = noodle_cell(w, o) if rt == "noodle" else peer_cell(rt, w, o)
            except Unavailable as e:
                results.append(dict(base, status="na", note=str(e)))
                continue
            except Broken as e:
                results.append(dict(base, status="fail", note=str(e)))
                print(f"{w:14s} {rt:8s} FAIL {e}", file=sys.stderr, flush=True)
                continue
            if cell.expected is None and cell.check_file is None and w not in ("check-100k",):
                results.append(dict(base, cmd=cell.cmd, status="fail",
                                    note=f"no expected output (bench/expected/{w}.out)"))
                continue
            m = measure(cell, o.runs, o.timeout)
            r = dict(base, cmd=cell.cmd, status="ok" if m["ok"] else "fail", note=m["note"],
                     walls=m["walls"])
            if m["ok"]:
                r.update(wall_s=round(m["wall_s"], 4), rss_mb=round(m["rss_mb"], 1),
                         rss_kb=m["rss_kb"])
            results.append(r)
            print(f"{w:14s} {rt:8s} {fmt_cell(r):22s} {m['note'][:200]}", file=sys.stderr, flush=True)

    vs = versions(o, rts)
    md = tables(results, wls, rts, vs, o)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"runs": o.runs, "versions": vs, "results": results}, f, indent=1)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
