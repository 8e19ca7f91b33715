#!/usr/bin/env bash
# make soak (issue 14): Apps/HttpServer in QEMU TCG on a TAP device in a fresh network namespace, SOAK_MINUTES of mixed
# load from bench/soak/soak.py inside the namespace -> bench/results/soak.md + soak.svg. Needs root. Not in make test.
#   bench/soak/run.sh [MINUTES]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-60}
ns=cnsoak$$
tap=cnsoak$$
work=$(mktemp -d)
qemu=

cleanup() {
  [ -n "$qemu" ] && kill "$qemu" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del $ns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tools/guest build Apps/HttpServer --image-dir iso/soak >/dev/null
ip netns add $ns
ip -n $ns link set lo up
ip -n $ns tuntap add dev $tap mode tap
ip -n $ns addr add 10.77.0.1/24 dev $tap
ip -n $ns link set $tap up
serial=bench/results/soak-serial.log
mkdir -p bench/results
tools/guest qemu --kernel iso/soak/cosmosnet.elf --nic e1000 --tap $tap --netns $ns --memory 256 \
  --append "ip=10.77.0.2/24 gw=10.77.0.1" --timeout $(( minutes * 60 + 600 )) > $serial 2>&1 &
qemu=$!
for _ in $(seq 300); do grep -q 'http: listening' $serial && break; sleep 1; done
grep -q 'http: listening' $serial || { echo "the guest did not start:"; tail -20 $serial; exit 1; }
echo "soak: $minutes minutes against 10.77.0.2 (serial: $serial)"
ip netns exec $ns /usr/bin/python3 bench/soak/soak.py 10.77.0.2 "$minutes" bench/results $serial
echo "soak: wrote bench/results/soak.md and bench/results/soak.svg"
sed -n '/## Summary/,/soak plot/p' bench/results/soak.md
