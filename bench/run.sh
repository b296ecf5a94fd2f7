#!/usr/bin/env bash
# Benchmark Noodle against peer runtimes. See bench/README.md.
#
# usage: bench/run.sh [--runs N] [--only a,b] [--noodle PATH] [--noodlec PATH]
#                     [--rt noodle,python3,...] [--peers DIR] [--timeout SECONDS]
#
#   --runs N        runs per cell; the table shows the median wall time (default 3)
#   --only a,b      workloads: hello hello-nbc fib loop nbody spectralnorm binarytrees
#                   fannkuchredux compile-100k check-100k run-100k skynet skynet-w1
#                   skynet-w2 pingpong ring idle-actors (default: all)
#   --noodle PATH   the noodle runner (default target/release/noodle)
#   --noodlec PATH  the compiler (default: noodlec next to the runner)
#   --rt a,b        runtimes: noodle python3 lua5.4 luajit node ruby erlang go (default: all)
#   --peers DIR     the shared peer programs (default ../shared/bench/peers)
#   --timeout S     seconds before a run counts as FAIL (default 300)
#
# Builds the Go and Erlang peers into bench/out/, compiles hello.nbc, generates
# the 100,000-line program, then runs bench/measure.py, which prints markdown
# tables to stdout and writes bench/out/results.{md,json}. Missing runtimes show
# as "–" and failing runs as FAIL; neither stops the script.
set -uo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
OUT="$BENCH/out"

runs=3 only="" rt="" timeout=300
noodle="$ROOT/target/release/noodle" noodlec=""
peers="${NOODLE_PEERS:-$ROOT/../shared/bench/peers}"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) need "$@"; runs="$2"; shift 2 ;;
    --only) need "$@"; only="$2"; shift 2 ;;
    --noodle) need "$@"; noodle="$2"; shift 2 ;;
    --noodlec) need "$@"; noodlec="$2"; shift 2 ;;
    --rt) need "$@"; rt="$2"; shift 2 ;;
    --peers) need "$@"; peers="$2"; shift 2 ;;
    --timeout) need "$@"; timeout="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --only=*) only="${1#*=}"; shift ;;
    --noodle=*) noodle="${1#*=}"; shift ;;
    --noodlec=*) noodlec="${1#*=}"; shift ;;
    --rt=*) rt="${1#*=}"; shift ;;
    --peers=*) peers="${1#*=}"; shift ;;
    --timeout=*) timeout="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$runs" in ''|*[!0-9]*) echo "run.sh: --runs wants a positive integer" >&2; exit 2 ;; esac

# relative paths are taken from where the script was started; measure.py runs from the repo root
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
noodle="$(abspath "$noodle")"
[ -n "$noodlec" ] && noodlec="$(abspath "$noodlec")" || noodlec="$(dirname "$noodle")/noodlec"
peers="$(abspath "$peers")"

PY=python3
command -v "$PY" >/dev/null 2>&1 || PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || { echo "run.sh: python3 is needed to run bench/measure.py" >&2; exit 1; }

log() { echo "run.sh: $*" >&2; }
wants_wl() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
wants_rt() { [ -z "$rt" ] || [[ ",$rt," == *",$1,"* ]]; }

mkdir -p "$OUT"
[ -d "$peers" ] || log "no shared peers at $peers (use --peers DIR); only bench/peers/ will be used"

# peer programs: ours (bench/peers/) first, then the shared ones
peer_src() {  # peer_src EXT WORKLOAD
  local f
  for f in "$BENCH/peers/$2.$1" "$peers/$1/$2.$1"; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}
# peer program stems (a stem can serve several workloads: skynet-w1 runs skynet.go)
PEER_WORKLOADS="hello fib loop nbody spectralnorm binarytrees fannkuchredux skynet pingpong ring idle_actors"
selected_peer_workloads() {
  local w
  for w in $PEER_WORKLOADS; do
    if wants_wl "$w" || { [ "$w" = hello ] && wants_wl startup; } || { [ "$w" = fannkuchredux ] && wants_wl fannkuch; } ||
       { [ "$w" = skynet ] && { wants_wl skynet-w1 || wants_wl skynet-w2; }; } ||
       { [ "$w" = idle_actors ] && { wants_wl idle-actors || wants_wl idle; }; }; then
      echo "$w"
    fi
  done
}

# --- Erlang peers -> bench/out/ebin/*.beam
if wants_rt erlang && command -v erlc >/dev/null 2>&1; then
  mkdir -p "$OUT/ebin"
  for w in $(selected_peer_workloads); do
    src="$(peer_src erl "$w")" || continue
    rm -f "$OUT/ebin/$w.beam"
    timeout 120 erlc -o "$OUT/ebin" "$src" >&2 || log "erlc $src failed (its cells will show FAIL)"
  done
fi

# --- Go peers -> bench/out/go_<workload>
if wants_rt go && command -v go >/dev/null 2>&1; then
  export GOCACHE="$OUT/gocache" GOFLAGS=-buildvcs=false
  for w in $(selected_peer_workloads); do
    src="$(peer_src go "$w")" || continue
    rm -f "$OUT/go_$w"
    timeout 300 go build -o "$OUT/go_$w" "$src" >&2 || log "go build $src failed (its cells will show FAIL)"
  done
fi

# --- hello.nbc for the bytecode start-up row
if wants_rt noodle && wants_wl hello-nbc; then
  rm -f "$OUT/hello.nbc"
  if [ -x "$noodlec" ]; then
    timeout 120 "$noodlec" "$BENCH/programs/hello.nd" -o "$OUT/hello.nbc" >&2 ||
      log "noodlec hello.nd failed (hello-nbc will show FAIL)"
  else
    log "no noodlec at $noodlec"
  fi
fi

# --- the 100,000-line program (and its Python twin and expected output)
if wants_wl compile-100k || wants_wl check-100k || wants_wl run-100k; then
  if [ ! -f "$OUT/big.nd" ] || [ "$BENCH/gen_big.py" -nt "$OUT/big.nd" ]; then
    log "generating bench/out/big.nd"
    "$PY" "$BENCH/gen_big.py" > "$OUT/big.nd" &&
      "$PY" "$BENCH/gen_big.py" --python > "$OUT/big.py" &&
      "$PY" "$BENCH/gen_big.py" --expected > "$OUT/big.expected" ||
      { log "gen_big.py failed"; rm -f "$OUT/big.nd" "$OUT/big.py" "$OUT/big.expected"; }
  fi
  # run-100k needs big.nbc; if compile-100k is not selected, build it here
  if wants_rt noodle && wants_wl run-100k && ! wants_wl compile-100k; then
    rm -f "$OUT/big.nbc"
    [ -x "$noodlec" ] && [ -f "$OUT/big.nd" ] &&
      { timeout 600 "$noodlec" "$OUT/big.nd" -o "$OUT/big.nbc" >&2 || log "noodlec big.nd failed"; }
  fi
fi

args=(--runs "$runs" --noodle "$noodle" --noodlec "$noodlec" --peers "$peers" --timeout "$timeout")
[ -n "$only" ] && args+=(--only "$only")
[ -n "$rt" ] && args+=(--rt "$rt")
exec "$PY" "$BENCH/measure.py" "${args[@]}"
