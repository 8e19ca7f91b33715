#!/usr/bin/env bash
# make bench-gc: builds bench/gc, boots it in QEMU (TCG unless COSMOS_ACCEL says otherwise) with 512 MiB,
# and writes its BENCH lines to bench/results/gc.txt (allocation rate, pause p50/p99 at 16/64 MiB live).
# Boots go through tools/guest (the harness's one QEMU command line).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=iso/bench-gc
mkdir -p "$out" bench/results
elf=$(tools/guest build bench/gc --image-dir "$out")
accel=${COSMOS_ACCEL:-tcg}
result=bench/results/gc.txt
{
  echo "# make bench-gc, $(date -u +%FT%TZ), QEMU accel=$accel -m 512M, host $(nproc) CPUs ($(uname -r))"
  echo "# host load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (TCG timings scale with it: the guest's clock is wall time)"
  echo "# name value unit (gc_collect = GC.Collect: blocking full collection, mark + full sweep; pause_* = every pause of the"
  echo "# incremental collector while the program allocates 4x the live heap; live heap half 40-byte nodes, half 1 KiB buffers)"
  tools/guest qemu --kernel "$elf" --memory 512 --timeout 900 </dev/null 2>&1 \
    | tr -d '\r' | grep -E '^BENCH' | sed 's/^BENCH //' || true
} >"$result.tmp"
mv "$result.tmp" "$result"
cat "$result"
grep -q '^BENCH-DONE' "$result"
