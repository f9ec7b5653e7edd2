#!/usr/bin/env bash
# Reproduces the measurements of docs/BENCHMARKS.md: runs the benchmarks, writes their JSON
# (or text) into docs/bench-data/ and draws docs/plots/*.svg with scripts/plots.py.
#
#   scripts/bench.sh            everything (several minutes on 2 cores)
#   QUICK=1 scripts/bench.sh    smaller counts, no criterion benches
#
# What it runs, each file stamped with the UTC time of this run:
#   - `spdz2k bench --json` for 10,000, 100,000 and 1,000,000 multiplications (the parties
#     and the client as processes, proxied and direct delivery): bench-<stamp>-<count>.json
#   - `spdz2k bench-offline`: offline-<stamp>.txt
#   - two parties and a client computing a dot product of 100,000 private values per party
#     read from files (insecure dealer, so the online phase and the file input are timed):
#     dot-files-<stamp>.json
#   - unless QUICK=1 or SKIP_CRITERION=1: the criterion benches online_mesh and online_tls
#     (in-memory mesh and loopback TLS, one process), imported as criterion-online.json
# The load average is recorded with every figure: on a shared machine it decides them.
# SPDZ2K_BIN overrides the binary (default target/release/spdz2k, built if missing).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SPDZ2K_BIN:-$ROOT/target/release/spdz2k}
if [ ! -x "$BIN" ]; then
    (cd "$ROOT" && cargo build --release -p spdz2k-cli)
fi
DATA=$ROOT/docs/bench-data
mkdir -p "$DATA"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
QUICK=${QUICK:-0}
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }

if [ "$QUICK" = 1 ]; then COUNTS="10000 100000"; TRIPLES=5000; DOT=20000
else COUNTS="10000 100000 1000000"; TRIPLES=${OFFLINE_TRIPLES:-50000}; DOT=100000; fi

for count in $COUNTS; do
    outputs=$((count < 100000 ? count : 100000))
    echo "== spdz2k bench --count $count (load $(load))"
    "$BIN" bench --count "$count" --outputs "$outputs" --allow-insecure-preprocessing --json \
        >"$DATA/bench-$STAMP-$count.json"
done

echo "== spdz2k bench-offline --triples $TRIPLES (load $(load))"
{
    echo "# spdz2k bench-offline --triples $TRIPLES, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(load)"
    "$BIN" bench-offline --triples "$TRIPLES"
} >"$DATA/offline-$STAMP.txt"

echo "== dot product of $DOT private values per party from files (load $(load))"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 40000))
"$BIN" setup --parties 2 --clients 1 --out "$WORK/deploy" --base-port "$PORT" >/dev/null
python3 - "$WORK" "$DOT" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/a.txt", "w") as f:
    f.writelines(f"{(i % 2001) - 1000}\n" for i in range(n))
with open(f"{work}/b.txt", "w") as f:
    f.writelines(f"{(i * 7919) % 65536}\n" for i in range(n))
expect = sum(((i % 2001) - 1000) * ((i * 7919) % 65536) for i in range(n))
expect = (expect + 2**63) % 2**64 - 2**63
open(f"{work}/expect", "w").write(str(expect))
PY
SID=$("$BIN" session-id)
SEED=$(printf '5a%.0s' $(seq 1 32))
LOAD_BEFORE=$(load)
START=$(date +%s%N)
for p in 0 1; do
    f=$([ $p = 0 ] && echo a.txt || echo b.txt)
    "$BIN" party --config "$WORK/deploy/P$p/node.toml" --session "$SID" --program dot \
        --input-file "$WORK/$f" --insecure-dealer-seed "$SEED" --allow-insecure-preprocessing \
        >"$WORK/P$p.log" 2>&1 &
done
"$BIN" client --config "$WORK/deploy/C0/node.toml" --session "$SID" --program dot \
    --json --output-file "$WORK/result.json" >"$WORK/C0.log" 2>&1
wait
END=$(date +%s%N)
GOT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['values'][0])" "$WORK/result.json")
EXPECT=$(cat "$WORK/expect")
if [ "$GOT" != "$EXPECT" ]; then
    echo "dot product came out $GOT, expected $EXPECT" >&2
    exit 1
fi
SECONDS_TAKEN=$(python3 -c "print(($END - $START) / 1e9)")
cat >"$DATA/dot-files-$STAMP.json" <<JSON
{"command": "dot-files", "values_per_party": $DOT, "preprocessing": "insecure dealer (online phase only)", "seconds": $SECONDS_TAKEN, "load_average": $LOAD_BEFORE, "result_correct": true}
JSON
echo "   $DOT values per party: $SECONDS_TAKEN s, every process start to exit (result correct)"

if [ "$QUICK" != 1 ] && [ "${SKIP_CRITERION:-0}" != 1 ]; then
    echo "== criterion: online_mesh and online_tls (load $(load))"
    (cd "$ROOT" && cargo bench --bench online_mesh -- --warm-up-time 1 --measurement-time 5)
    (cd "$ROOT" && cargo bench --bench online_tls -- --warm-up-time 1 --measurement-time 5 \
        two_party_mul)
    python3 "$ROOT/scripts/plots.py" import-criterion "$ROOT/target/criterion" --data "$DATA"
fi

python3 "$ROOT/scripts/plots.py" --data "$DATA" --out "$ROOT/docs/plots"
