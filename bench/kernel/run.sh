#!/usr/bin/env bash
# make bench-kernel: builds bench/kernel, boots it in QEMU (TCG) for the micro-benchmarks, then boots it
# idle and measures the QEMU process's host CPU over a window. Results: bench/results/kernel.txt.
# Boots go through tools/guest (the harness's one QEMU command line).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=iso/bench-kernel
mkdir -p "$out" bench/results
elf=$(tools/guest build bench/kernel --image-dir "$out")
accel=${COSMOS_ACCEL:-tcg}
qemu=(tools/guest qemu --kernel "$elf" --memory 512)
result=bench/results/kernel.txt
{
  echo "# make bench-kernel, $(date -u +%FT%TZ), QEMU accel=$accel, host $(nproc) CPUs ($(uname -r))"
  "${qemu[@]}" --timeout 300 </dev/null 2>&1 | tr -d '\r' | grep '^BENCH ' | sed 's/^BENCH //' || true
} >"$result.tmp"

# Idle guest: the kernel waits in Task.Delay (hlt, one-shot timer off); sample QEMU's CPU time from /proc.
window=10
rm -f "$out/qemu.pid"
"${qemu[@]}" --append "idle $((window + 10))" --pid-file "$out/qemu.pid" --timeout 600 </dev/null >"$out/idle.log" 2>&1 &
guest=$!
trap 'kill $guest 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q IDLE-START "$out/idle.log" 2>/dev/null && break; sleep 0.1; done
pid=$(cat "$out/qemu.pid")
sleep 2
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
hz=$(getconf CLK_TCK)
t0=$(ticks); sleep $window; t1=$(ticks)
kill $guest 2>/dev/null || true; wait $guest 2>/dev/null || true
trap - EXIT
echo "idle_guest_host_cpu $(awk -v a=$t0 -v b=$t1 -v hz=$hz -v w=$window 'BEGIN{printf "%.2f", (b-a)*100/hz/w}') percent_of_one_core_over_${window}s" >>"$result.tmp"
mv "$result.tmp" "$result"
cat "$result"
