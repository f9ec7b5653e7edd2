#!/usr/bin/env bash
# The sub-batch size of pipelined multiplications, measured: 1,000,000 two-party
# multiplications and a 1,000,000-term dot product (K64S64, loopback mutual TLS, P0 and P1
# as separate processes, preprocessing from the INSECURE dealer preloaded in memory) for
# each size, the sizes interleaved round by round so that a change of load hits them all.
#
#   scripts/bench-sub-batch.sh [BINARY]       (default: target/release/spdz2k)
#
# Env: SIZES (default "32768 65536 131072 262144"), REPS (default 3), COUNT (1000000).
# Per run and party it prints the engine's timers (mul, dot) and, from the same lines, the
# CPU time (all threads, user + system) and minor page faults of the process between the
# timers; then per size the medians over runs and parties. CPU time is the steadier
# figure on a loaded machine: it does not count waiting for a CPU.
set -euo pipefail
BIN=${1:-target/release/spdz2k}
SIZES=${SIZES:-"32768 65536 131072 262144"}
REPS=${REPS:-3}
COUNT=${COUNT:-1000000}
port=$((20000 + RANDOM % 20000))
results=$(mktemp)

field() { # field FILE KIND KEY -> KEY's value on the BENCH line of KIND
  sed -n "s/^BENCH .*kind=$2 .*$3=\([0-9.]*\).*/\1/p" "$1"
}

echo "load: $(uptime)"
for rep in $(seq 1 "$REPS"); do
  for size in $SIZES; do
    dir=$(mktemp -d)
    port=$((port + 2))
    "$BIN" setup --parties 2 --clients 0 --out "$dir" --host 127.0.0.1 \
      --base-port "$port" > /dev/null
    sid=$("$BIN" session-id)
    seed=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    for p in 0 1; do
      "$BIN" party --config "$dir/P$p/node.toml" --session "$sid" --program mul-bench \
        --count "$COUNT" --outputs 0 --insecure-dealer-seed "$seed" \
        --allow-insecure-preprocessing --sub-batch "$size" > "$dir/out-P$p" 2>&1 &
    done
    wait
    for p in 0 1; do
      o="$dir/out-P$p"
      mul=$(field "$o" mul seconds); dot=$(field "$o" dot seconds)
      mcpu=$(field "$o" mul cpu_s); dcpu=$(field "$o" dot cpu_s)
      mflt=$(field "$o" mul minflt); dflt=$(field "$o" dot minflt)
      if [ -z "$mul" ]; then tail -5 "$o"; continue; fi
      printf 'sub %7s rep %s P%s: mul %s s (cpu %s s, %s faults), dot %s s (cpu %s s, %s faults)\n' \
        "$size" "$rep" "$p" "$mul" "$mcpu" "$mflt" "$dot" "$dcpu" "$dflt"
      echo "$size $mul $mcpu $mflt $dot $dcpu $dflt" >> "$results"
    done
    rm -rf "$dir"
  done
done
echo "load: $(uptime)"
echo "medians over runs and parties:"
echo "sub-batch   mul s  mul cpu s  mul faults   dot s  dot cpu s  dot faults"
for size in $SIZES; do
  med() { # med COLUMN
    awk -v s="$size" -v c="$1" '$1 == s { print $c }' "$results" | sort -g |
      awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
  }
  printf '%9s  %6.3f  %9.3f  %10.0f  %6.3f  %9.3f  %10.0f\n' "$size" \
    "$(med 2)" "$(med 3)" "$(med 4)" "$(med 5)" "$(med 6)" "$(med 7)"
done
rm -f "$results"
