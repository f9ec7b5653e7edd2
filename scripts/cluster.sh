#!/usr/bin/env bash
# A local cluster from `spdz2k setup` output: N parties and one client on 127.0.0.1, each a
# separate process, running the demo program (P0 inputs a, P1 inputs b, the client c; the
# client receives a+b+c, a*b*c and (a+b+c)^2, verified).
#
#   scripts/cluster.sh [N=3] [A B C]
#
# Steps, as on separate machines: `spdz2k setup` into a temporary folder, `spdz2k check
# --listen` on every node (the preflight: passes once all are up), then `spdz2k party` on
# every party and `spdz2k client` with one session ID. Each node's output is prefixed with
# its name; the script exits 0 only if every node did.
# Preprocessing is generated securely in the session (the parties run the OT-based offline
# phase). SPDZ2K_INSECURE=1 uses the INSECURE shared-seed dealer instead (faster; tests only).
# SPDZ2K_BIN overrides the binary (default target/release/spdz2k, built if missing);
# KEEP=1 keeps the deployment folder.
set -u
N=${1:-3}
A=${2:-7}
B=${3:-6}
C=${4:-5}
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
if [ "$N" -lt 2 ]; then
    echo "cluster.sh: N must be at least 2 (got $N)" >&2
    exit 2
fi
WORK=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
    echo "deployment kept in $WORK"
else
    trap 'rm -rf "$WORK"' EXIT
fi

echo "== setup: $N parties and a client in $WORK"
"$BIN" setup --parties "$N" --clients 1 --out "$WORK/deploy" --base-port "$(free_base_port "$N")" ||
    exit 2
NODES=""
for i in $(seq 0 $((N - 1))); do NODES="$NODES P$i"; done
NODES="$NODES C0"

# Runs "$@" for every node at once (NODE in the arguments becomes the node's name), each
# node's output prefixed with its name; returns non-zero if any node failed.
on_every_node() {
    local pids="" node status=0
    for node in $NODES; do
        local args=()
        for a in "$@"; do args+=("${a//NODE/$node}"); done
        ( "${args[@]}" 2>&1 | sed -u -e "s/^$node: //" -e "s/^/[$node] /"; exit "${PIPESTATUS[0]}" ) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p" || status=1; done
    return $status
}

echo "== preflight: spdz2k check --listen on every node"
on_every_node "$BIN" check --listen --config "$WORK/deploy/NODE/node.toml" || {
    echo "preflight failed"
    exit 1
}

SID=$("$BIN" session-id)
PREP=()
if [ "${SPDZ2K_INSECURE:-0}" = 1 ]; then
    PREP=(--insecure-dealer-seed "$(printf '5a%.0s' $(seq 1 32))" --allow-insecure-preprocessing)
fi
echo "== run: session $SID, program demo, a=$A (P0), b=$B (P1), c=$C (C0)"
pids=""
for i in $(seq 0 $((N - 1))); do
    input=()
    if [ "$i" = 0 ]; then input=(--input "$A"); fi
    if [ "$i" = 1 ]; then input=(--input "$B"); fi
    ( "$BIN" party --config "$WORK/deploy/P$i/node.toml" --session "$SID" --program demo \
        "${input[@]}" "${PREP[@]}" 2>&1 | sed -u -e "s/^P$i: //" -e "s/^/[P$i] /"; exit "${PIPESTATUS[0]}" ) &
    pids="$pids $!"
done
( "$BIN" client --config "$WORK/deploy/C0/node.toml" --session "$SID" --program demo \
    --input "$C" 2>&1 | sed -u -e "s/^C0: //" -e "s/^/[C0] /"; exit "${PIPESTATUS[0]}" ) &
pids="$pids $!"
status=0
for p in $pids; do wait "$p" || status=1; done
if [ $status = 0 ]; then
    echo "cluster of $N parties and a client: every node exited 0"
else
    echo "cluster of $N parties and a client: a node failed (see its lines above)"
fi
exit $status
