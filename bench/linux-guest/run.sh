#!/usr/bin/env bash
# make bench-linux: the Linux-guest side of the comparison. Builds the guest (build.sh) and Apps/Hello into
# iso/bench-boot/, then compare.py boots both under QEMU and writes bench/results/kernel-vs-linux.md.
# CosmosNet's micro-benchmark column is read from bench/results/kernel.txt (make bench-kernel, run before).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench/linux-guest/build.sh
mkdir -p iso/bench-boot bench/results
tools/guest build Apps/Hello --image-dir iso/bench-boot >/dev/null
timeout --kill-after=10 900 /usr/bin/python3 bench/linux-guest/compare.py
