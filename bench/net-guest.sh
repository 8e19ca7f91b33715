#!/usr/bin/env bash
# The unikernel serving under QEMU TCG (Apps/HttpServer, the NIC of COSMOS_NIC (make: NIC, default e1000),
# user-mode network with hostfwd; booted by tools/guest):
#   bench/net-guest.sh [MB]   (default 32) — boot to DHCP lease, curl GET / latency (200 requests, sequential),
#   POST /echo and TCP echo throughput (MB each way, SHA-256 checked). Prints a table; no root needed.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-32}
work=$(mktemp -d)
qemu_pid=
cleanup() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
elf=$(tools/guest build Apps/HttpServer --image-dir iso/bench-net-guest)
nic=${COSMOS_NIC:-e1000}
http=$(free_port); echo_port=$(free_port)
# Serial lines time-stamped by the harness (seconds since QEMU started).
tools/guest qemu --kernel "$elf" --nic "$nic" --forward "$http:80" --forward "$echo_port:7" --timestamps \
  </dev/null >$work/serial.txt 2>&1 & qemu_pid=$!
for _ in $(seq 1200); do grep -q "DHCP lease" $work/serial.txt 2>/dev/null && break; sleep 0.05; done
lease_ms=$(awk '/DHCP lease/ {printf "%d", $1 * 1000; exit}' $work/serial.txt)
for _ in $(seq 200); do grep -q "http: listening" $work/serial.txt && break; sleep 0.05; done
guest_line=$(grep -m1 "DHCP lease" $work/serial.txt)

for i in $(seq 200); do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:$http/; done | sort -n > $work/lat.txt
p() { awk -v q=$1 '{a[NR]=$1} END {i=int(NR*q); if (i<1) i=1; printf "%.2f", a[i]*1000}' $work/lat.txt; }

head -c $((mb * 1000000)) /dev/urandom > $work/data
want=$(sha256sum < $work/data | cut -c1-64)
t0=$(date +%s%N)
got=$(nc -N -w 60 127.0.0.1 $echo_port < $work/data | sha256sum | cut -c1-64)
t1=$(date +%s%N)
[ "$got" = "$want" ] || { echo "echo: SHA-256 mismatch"; exit 1; }
head -c $((16 * 1000000)) $work/data > $work/post
t2=$(date +%s%N)
curl -s -o $work/post.out --data-binary @$work/post http://127.0.0.1:$http/echo
t3=$(date +%s%N)
cmp -s $work/post $work/post.out || { echo "POST /echo: body mismatch"; exit 1; }

echo "# make bench-net-guest ($(date -u +%FT%TZ), host load $(cut -d' ' -f1 /proc/loadavg), QEMU TCG, $nic, user-mode network)"
echo "| measure | value |"
echo "|---|---|"
echo "| QEMU start to DHCP lease line | $lease_ms ms (guest: ${guest_line##*after }) |"
echo "| curl GET / (200 sequential, new connection each) | p50 $(p 0.5) ms, p99 $(p 0.99) ms |"
echo "| TCP echo $mb MB (both ways at once) | $(awk -v b=$((mb*1000000)) -v ns=$((t1-t0)) 'BEGIN{printf "%.2f MB/s each way (%.2f s)", b/ns*1000, ns/1e9}') |"
echo "| POST /echo 16 MB (upload, then download) | $(awk -v b=32000000 -v ns=$((t3-t2)) 'BEGIN{printf "%.2f MB/s total (%.2f s)", b/ns*1000, ns/1e9}') |"
