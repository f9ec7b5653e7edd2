# Sourced (after `set -u`) by the scripts that run the `spdz2k` binary on loopback. Sets
# ROOT and BIN (SPDZ2K_BIN, or target/release/spdz2k, built if missing) and defines
# `free_base_port [COUNT=2]`: a base port whose COUNT consecutive ports are all free.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SPDZ2K_BIN:-$ROOT/target/release/spdz2k}
if [ ! -x "$BIN" ]; then
    (cd "$ROOT" && cargo build --release -p spdz2k-cli) || exit 2
fi

free_base_port() {
    local count=${1:-2} p i ok
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 40000))
        ok=1
        for i in $(seq 0 $((count - 1))); do
            if (echo >"/dev/tcp/127.0.0.1/$((p + i))") 2>/dev/null; then ok=0; fi
        done
        if [ $ok = 1 ]; then
            echo "$p"
            return
        fi
    done
    echo "no $count free consecutive ports found" >&2
    exit 2
}
