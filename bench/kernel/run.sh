#!/usr/bin/env bash
# make bench-kernel: builds bench/kernel, boots it in QEMU (TCG) for the micro-benchmarks, then boots it
# idle and measures the QEMU process's host CPU over a window. Results: bench/results/kernel.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=iso/bench-kernel
mkdir -p "$out" bench/results
dotnet publish bench/kernel -c Release --nologo -v quiet -p:CosmosNetRoot=$root/ -p:CosmosImageDir=$root/$out/
elf=$out/cosmosnet.elf
accel=${COSMOS_ACCEL:-tcg}
qemu=(qemu-system-x86_64 -accel "$accel" -m 512M -kernel "$elf" -serial stdio -display none -no-reboot
      -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04)
result=bench/results/kernel.txt
{
  echo "# make bench-kernel, $(date -u +%FT%TZ), QEMU accel=$accel, host $(nproc) CPUs ($(uname -r))"
  timeout 300 "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' | grep '^BENCH ' | sed 's/^BENCH //' || true
} >"$result.tmp"

# Idle guest: the kernel waits in Task.Delay (hlt, one-shot timer off); sample QEMU's CPU time from /proc.
window=10
"${qemu[@]}" -append "idle $((window + 10))" </dev/null >"$out/idle.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q IDLE-START "$out/idle.log" 2>/dev/null && break; sleep 0.1; done
sleep 2
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
hz=$(getconf CLK_TCK)
t0=$(ticks); sleep $window; t1=$(ticks)
kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
trap - EXIT
echo "idle_guest_host_cpu $(awk -v a=$t0 -v b=$t1 -v hz=$hz -v w=$window 'BEGIN{printf "%.2f", (b-a)*100/hz/w}') percent_of_one_core_over_${window}s" >>"$result.tmp"
mv "$result.tmp" "$result"
cat "$result"
