#!/usr/bin/env bash
# TapHost's TCP throughput against Linux's own loopback TCP, measured in the same run with the same tools.
#   bench/net-tap.sh [MiB]   (default 256) — needs root (network namespace + TAP device); prints a table.
# Linux→stack: nc into TapHost's discard port; stack→Linux: TapHost --connect into nc -l; echo: both ways at once.
# Reference: the same nc pipelines over lo inside the namespace, and iperf3 over lo.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-256}
bytes=$((mib << 20))
ns=cnetbench$$
tap=cnbtap0
host=tools/TapHost/bin/Release/net10.0/CosmosNet.TapHost.dll
work=$(mktemp -d)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del $ns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build tools/TapHost -c Release --nologo -v q >/dev/null
ip netns add $ns
ip -n $ns link set lo up
ip -n $ns tuntap add dev $tap mode tap
ip -n $ns addr add 10.78.0.1/24 dev $tap
ip -n $ns link set $tap up
in_ns() { ip netns exec $ns "$@"; }   # foreground only: a backgrounded function would hide the real pid
now() { date +%s.%N; }
rate() { awk -v b="$1" -v s="$2" -v e="$3" 'BEGIN { t = e - s; printf "%8.3f Gbit/s  (%.2f s)", b * 8 / t / 1e9, t }'; }

start_host() {
  ip netns exec $ns dotnet $host --tap $tap --ip 10.78.0.2/24 --echo 7 --discard 9 "$@" > "$work/host.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '] ready' "$work/host.log" 2>/dev/null && return; sleep 0.1; done
  echo "TapHost did not start:"; cat "$work/host.log"; exit 1
}
stop_host() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

head -c $bytes /dev/urandom > "$work/data"
echo "TapHost vs Linux loopback, $mib MiB per transfer ($(nproc) cores, $(date -u +%FT%TZ))"

# Linux loopback references, inside the same namespace.
ip netns exec $ns nc -l 127.0.0.1 5101 > /dev/null & pids+=($!); sleep 0.3
s=$(now); in_ns nc -N 127.0.0.1 5101 < "$work/data"; e=$(now); wait "${pids[-1]}" || true; unset 'pids[-1]'
echo "linux lo, nc → nc:           $(rate $bytes $s $e)"
ip netns exec $ns iperf3 -s -1 -B 127.0.0.1 -p 5201 > /dev/null 2>&1 & pids+=($!); sleep 0.3
ip3=$(in_ns iperf3 -c 127.0.0.1 -p 5201 -t 3 -f g 2>/dev/null | awk '/receiver/ { print $(NF-2), $(NF-1) }')
wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
echo "linux lo, iperf3 (3 s):        ${ip3:-n/a}"

# Linux → stack (discard).
start_host
s=$(now); in_ns nc -N 10.78.0.2 9 < "$work/data"; e=$(now)
sleep 0.3
echo "linux → stack (discard):     $(rate $bytes $s $e)    [$(grep -o 'discard .*' "$work/host.log" | tail -1)]"

# Linux → stack → Linux (echo, both directions at once).
s=$(now); in_ns nc -N 10.78.0.2 7 < "$work/data" > "$work/echoed"; e=$(now)
cmp -s "$work/data" "$work/echoed" && ok=ok || ok=MISMATCH
echo "echo (each way):             $(rate $bytes $s $e)    [$ok]"
stop_host

# stack → Linux (TapHost --connect into nc -l).
ip netns exec $ns nc -l 10.78.0.1 5102 > /dev/null & pids+=($!); listener=$!
start_host --connect 10.78.0.1:5102 --send $bytes
stamp() { sed -n "s/^\[ *\([0-9.]*\)\].*$1.*/\1/p" "$work/host.log" | head -1; }
for _ in $(seq 1200); do grep -q 'done: sent' "$work/host.log" && break; sleep 0.1; done
wait $listener || true
s=$(stamp established)
e=$(stamp "done: sent")
[ -n "$s" ] && [ -n "$e" ] && echo "stack → linux (connect):     $(rate $bytes $s $e)" || { echo "stack → linux failed:"; cat "$work/host.log"; }
stop_host
