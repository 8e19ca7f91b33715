#!/usr/bin/env bash
# Scores Apps/HttpServer (booted in QEMU TCG by tools/guest, user-mode network with a host port forward) and Kestrel (on the host, the
# reference) with Http11Probe, and writes bench/results/http-conformance.md. Not part of `make test`: it needs the probe.
#   bench/Http11Probe/run.sh [Http11Probe checkout or mirror]   (default: the fetched mirror /work/.mirror/MDA2AV+Http11Probe/repo)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
src=${1:-${HTTP11PROBE_SOURCE:-/work/.mirror/MDA2AV+Http11Probe/repo}}
work=$(mktemp -d /tmp/http11probe.XXXXXX)
pids=()
cleanup() {
  [ -f "$work/qemu.pid" ] && kill "$(cat "$work/qemu.pid")" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$src" "$work/probe"   # a clone in a temp dir: their code is never copied into this repository
dotnet build bench/Http11Probe/Driver -c Release -v quiet -nologo -p:Http11ProbeProject="$work/probe/src/Http11Probe/Http11Probe.csproj" -o "$work/driver"
dotnet build bench/Http11Probe/Kestrel -c Release -v quiet -nologo -o "$work/kestrel"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The image in QEMU, booted by tools/guest (the harness owns the QEMU command line).
elf=$(tools/guest build Apps/HttpServer --image-dir iso/bench-http11probe)
port=$(free_port)
tools/guest qemu --kernel "$elf" --nic e1000 --forward "$port:80" --serial "file:$work/serial.log" --pid-file "$work/qemu.pid" \
  --timeout 900 </dev/null & pids+=($!)
for _ in $(seq 120); do grep -q "http: listening" "$work/serial.log" 2>/dev/null && break; sleep 1; done
grep -q "http: listening" "$work/serial.log" || { cat "$work/serial.log"; echo "the image did not start serving"; exit 1; }
dotnet "$work/driver/Http11Probe.Driver.dll" --port "$port" --label "CosmosNet (Apps/HttpServer in QEMU TCG, e1000, user-mode net)" --output "$work/cosmosnet.md"

# Kestrel on the host.
kport=$(free_port)
dotnet "$work/kestrel/Kestrel.Reference.dll" --urls "http://127.0.0.1:$kport" & pids+=($!)
for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$kport/" && break; sleep 1; done
dotnet "$work/driver/Http11Probe.Driver.dll" --port "$kport" --label "Kestrel $(dotnet --list-runtimes | awk '/AspNetCore/{v=$2} END{print v}') (host, defaults)" --output "$work/kestrel.md"

{
  echo "# Http11Probe conformance"
  echo
  echo "Measured $(date -u +%Y-%m-%d) with bench/Http11Probe/run.sh; Http11Probe $(git -C "$work/probe" rev-parse --short HEAD)."
  echo "Score = (pass + warn) / scored, as Http11Probe computes it."
  echo
  cat "$work/cosmosnet.md"; echo; cat "$work/kestrel.md"
} > bench/results/http-conformance.md
echo "wrote bench/results/http-conformance.md"
