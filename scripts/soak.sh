#!/usr/bin/env bash
# Soak test: COUNT sequential two-party sessions with a client, through the release `spdz2k`
# binary on loopback, alternating `--program demo` and `--program dot`. Every process
# (P0, P1, C0) of every session must exit 0. Bounded in count and in time.
#
#   scripts/soak.sh [COUNT=100] [MAX_SECONDS=1800]
#
# Prints every failed process (its log is kept), p50/p99 seconds per session, and the peak
# RSS of the processes of the first and last session. No process is long-lived: every
# session starts fresh processes (a party node lives for one session), so there is no
# RSS or fd growth across sessions to watch within one process.
# SPDZ2K_BIN overrides the binary (default target/release/spdz2k, built if missing).
set -u
COUNT=${1:-100}
MAX_SECONDS=${2:-1800}
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" setup --parties 2 --clients 1 --out "$WORK/deploy" --base-port "$(free_base_port)" \
    >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 2; }
SEED=$(printf '5a%.0s' $(seq 1 32))
TIME=""
[ -x /usr/bin/time ] && TIME="/usr/bin/time -f %M -o"

start_all=$(date +%s.%N)
failures=0
sessions=0
: >"$WORK/durations"
for i in $(seq 1 "$COUNT"); do
    now=$(date +%s.%N)
    if awk -v a="$now" -v b="$start_all" -v m="$MAX_SECONDS" 'BEGIN { exit !(a - b > m) }'; then
        echo "stopping after $MAX_SECONDS s"
        break
    fi
    if [ $((i % 2)) = 1 ]; then
        prog=demo; in0=(--input 7); in1=(--input 6); inc=(--input 5); expect="verified results: sum = 18"
    else
        prog=dot; in0=(--input 1 --input 2 --input 3); in1=(--input 4 --input 5 --input -6); inc=(); expect="verified dot: [-4]"
    fi
    sid="soak-$i-$RANDOM"
    d="$WORK/run-$i"
    mkdir -p "$d"
    t0=$(date +%s.%N)
    for p in P0 P1; do
        eval "inputs=(\"\${in${p#P}[@]}\")"
        # shellcheck disable=SC2086
        $TIME ${TIME:+"$d/$p.rss"} "$BIN" party --config "$WORK/deploy/$p/node.toml" --session "$sid" \
            --program "$prog" --client C0 --insecure-dealer-seed "$SEED" --allow-insecure-preprocessing "${inputs[@]}" \
            >"$d/$p.log" 2>&1 &
        eval "pid_$p=$!"
    done
    # shellcheck disable=SC2086
    $TIME ${TIME:+"$d/C0.rss"} "$BIN" client --config "$WORK/deploy/C0/node.toml" --session "$sid" \
        --program "$prog" "${inc[@]}" >"$d/C0.log" 2>&1 &
    pid_C0=$!
    bad=0
    for p in P0 P1 C0; do
        eval "pid=\$pid_$p"
        if ! wait "$pid"; then
            bad=1
            failures=$((failures + 1))
            echo "FAIL session $i ($prog) $p exited non-zero: $(grep -h '^error:' "$d/$p.log" | tail -1)"
        fi
    done
    if [ $bad = 0 ] && ! grep -qF "$expect" "$d/C0.log"; then
        bad=1
        failures=$((failures + 1))
        echo "FAIL session $i ($prog) C0 did not print \"$expect\""
    fi
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }' >>"$WORK/durations"
    sessions=$((sessions + 1))
    [ $i = 1 ] && first="$d"
    last="$d"
    if [ $bad = 1 ]; then
        mkdir -p "$ROOT/target/soak-failures" && cp -r "$d" "$ROOT/target/soak-failures/"
    elif [ $i != 1 ]; then
        rm -f "$d"/*.log
    fi
done

sort -n "$WORK/durations" >"$WORK/sorted"
pct() { # percentile $1 of the sorted durations (nearest rank)
    local n k
    n=$(wc -l <"$WORK/sorted")
    k=$(((n * $1 + 99) / 100))
    [ "$k" -lt 1 ] && k=1
    sed -n "${k}p" "$WORK/sorted"
}
echo "sessions: $sessions (demo and dot alternating), failed processes: $failures"
printf 'seconds per session: p50 %.3f  p99 %.3f  max %.3f\n' "$(pct 50)" "$(pct 99)" "$(tail -1 "$WORK/sorted")"
if [ -n "$TIME" ] && [ "$sessions" -gt 0 ]; then
    for p in P0 P1 C0; do
        echo "peak RSS $p: first session $(tail -1 "$first/$p.rss") KiB, last session $(tail -1 "$last/$p.rss") KiB"
    done
fi
echo "long-lived processes: none (each session runs fresh P0, P1 and C0 processes), so no per-process RSS/fd growth to report"
[ "$failures" = 0 ]
