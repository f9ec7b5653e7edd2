#!/usr/bin/env bash
# Online phase: 1,000,000 two-party multiplications and a 1,000,000-term dot product, K64S64,
# over loopback mutual TLS, P0 and P1 as separate processes, each under `/usr/bin/time -v`.
#
#   scripts/bench-online.sh [BINARY ...]      (default: target/release/spdz2k)
#
# Env: COUNT (default 1000000), REPS (default 2), SOURCES (default "file memory"),
# SUB_BATCH (products per pipelined sub-batch, passed as `--sub-batch`; default: the
# engine's; binaries older than that flag need it unset).
# For every binary, source and repetition it prints one line per party: the engine's
# timers (mul = the multiplications plus their MAC check, dot = the dot product plus its
# check), the whole process's wall time, CPU time (user + system), minor page faults and
# peak RSS. Sources:
#   file    preprocessing files from `deal-insecure`, written and then `sync`ed before the run
#           (an unsynced copy would make the first cursor sync write ~100 MB inside the run);
#   memory  the INSECURE dealer from a shared seed, each party dealing its own shares.
# Binaries built from this branch draw all of it before their timers start (`preload`)
# and start both parties' timers after a barrier; older binaries deal or read inside.
set -euo pipefail
COUNT=${COUNT:-1000000}
REPS=${REPS:-2}
SOURCES=${SOURCES:-"file memory"}
SUB_BATCH=${SUB_BATCH:-}
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=(target/release/spdz2k)
port=$((20000 + RANDOM % 20000))

field() { # field FILE LABEL -> the value after "LABEL: " in a time -v report
  sed -n "s/^\s*$2: //p" "$1"
}

echo "load: $(uptime)"
for bin in "${BINS[@]}"; do
  for source in $SOURCES; do
    for rep in $(seq 1 "$REPS"); do
      dir=$(mktemp -d)
      port=$((port + 2))
      "$bin" setup --parties 2 --clients 0 --out "$dir" --host 127.0.0.1 \
        --base-port "$port" > /dev/null
      sid=$("$bin" session-id)
      if [ "$source" = file ]; then
        "$bin" deal-insecure --parties 2 --triples $((2 * COUNT + 16)) --open-masks 16 \
          --input-masks 16 --out "$dir/prep" > /dev/null
        sync
      else
        seed=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
      fi
      for p in 0 1; do
        if [ "$source" = file ]; then
          prep=(--prep "$dir/prep/prep-P$p.spdz2kprep")
        else
          prep=(--insecure-dealer-seed "$seed")
        fi
        if [ -n "$SUB_BATCH" ]; then prep+=(--sub-batch "$SUB_BATCH"); fi
        /usr/bin/time -v -o "$dir/time-P$p" "$bin" party --config "$dir/P$p/node.toml" \
          --session "$sid" --program mul-bench --count "$COUNT" --outputs 0 \
          "${prep[@]}" --allow-insecure-preprocessing > "$dir/out-P$p" 2>&1 &
      done
      wait
      for p in 0 1; do
        mul=$(sed -n 's/^BENCH .*kind=mul .*seconds=\([0-9.]*\).*/\1/p' "$dir/out-P$p")
        dot=$(sed -n 's/^BENCH .*kind=dot .*seconds=\([0-9.]*\).*/\1/p' "$dir/out-P$p")
        bytes=$(sed -n 's/^BENCH .*kind=mul .*bytes_sent=\([0-9]*\).*/\1/p' "$dir/out-P$p")
        t="$dir/time-P$p"
        cpu=$(echo "$(field "$t" 'User time (seconds)') + $(field "$t" 'System time (seconds)')" | bc)
        printf '%s %-6s rep %s P%s: mul %s s, dot %s s, bytes/mul %s, wall %s, cpu %s s, minor faults %s, max RSS %s KB\n' \
          "$(basename "$bin")" "$source" "$rep" "$p" "${mul:-?}" "${dot:-?}" \
          "$(echo "scale=2; ${bytes:-0} / $COUNT" | bc)" \
          "$(field "$t" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')" "$cpu" \
          "$(field "$t" 'Minor (reclaiming a frame) page faults')" \
          "$(field "$t" 'Maximum resident set size (kbytes)')"
        if [ -z "$mul" ]; then tail -5 "$dir/out-P$p"; fi
      done
      rm -rf "$dir"
    done
  done
done
echo "load: $(uptime)"
