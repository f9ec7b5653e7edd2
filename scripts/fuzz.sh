#!/usr/bin/env bash
# Runs every coverage-guided fuzz target in fuzz/ for SECONDS_PER_TARGET seconds (default 60)
# on the stable toolchain, starting from the committed seed corpora in fuzz/seeds/<target>.
# Installs cargo-fuzz from crates.io if it is missing. Exits non-zero on the first crash; the
# crashing input is left in fuzz/artifacts/<target>/ (add it to the regression tests).
#
#   scripts/fuzz.sh            # 60 s per target
#   scripts/fuzz.sh 2          # what CI runs (.ci/run): every target builds, runs its
#                              # seeds and 2 s of mutations (see docs/FUZZING.md, "CI")
#   scripts/fuzz.sh 600 core_wire net_frame   # chosen targets only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

seconds="${1:-60}"
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (once)"
    cargo install --locked cargo-fuzz
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

# `--sanitizer none`: the stable toolchain has no AddressSanitizer; Rust's own bounds and
# overflow checks (debug assertions are on) still turn memory errors into crashes.
cargo fuzz build --sanitizer none -O --debug-assertions

printf '%-18s %12s %8s %8s %s\n' target executions cov ft result
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log="$(mktemp)"
    status=ok
    if ! cargo fuzz run --sanitizer none -O --debug-assertions "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=128 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1; then
        status=CRASH
    fi
    runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')"
    last="$(grep -E 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
    cov="$(grep -Eo 'cov: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo '?')"
    ft="$(grep -Eo 'ft: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo '?')"
    printf '%-18s %12s %8s %8s %s\n' "$t" "$runs" "$cov" "$ft" "$status"
    if [ "$status" != ok ]; then
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -20
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
