#!/usr/bin/env bash
# Scores Apps/HttpServer (booted in QEMU TCG by tools/guest, user-mode network with a host port forward) and Kestrel (on the host, the
# reference) with Http11Probe, and writes bench/results/http-conformance.md. Not part of `make test`: it needs the probe.
#   bench/Http11Probe/run.sh [Http11Probe checkout or mirror]   (default: the fetched mirror /work/.mirror/MDA2AV+Http11Probe/repo)
# With `aspnet` first (issue 17): Apps/AspNetMinimal booted the same way, against the same Program.cs as a NativeAOT linux-x64
# binary on the host (bench/aspnet/AspNetMinimal.Linux.csproj, as make bench-aspnet runs it in the Linux guest); writes
# bench/results/aspnet-conformance.md with both scores and every test whose verdict differs.
#   bench/Http11Probe/run.sh aspnet [Http11Probe checkout or mirror]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mode=httpserver
if [ "${1:-}" = aspnet ]; then mode=aspnet; shift; fi
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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [ "$mode" = aspnet ]; then
  # Apps/AspNetMinimal on both sides, with the argument make bench-aspnet gives both (the template's log level: no four
  # serial lines per request). On the host a free loopback port replaces its UseUrls addresses (Kestrel configuration overrides them).
  args=--Logging:LogLevel:Microsoft.AspNetCore=Warning
  elf=$(tools/guest build Apps/AspNetMinimal --image-dir iso/bench-aspnet)
  dotnet publish bench/aspnet/AspNetMinimal.Linux.csproj -c Release --nologo -v quiet -o iso/bench-aspnet/linux >/dev/null
  port=$(free_port)
  tools/guest qemu --kernel "$elf" --nic e1000 --forward "$port:80" --append "$args" --serial "file:$work/serial.log" \
    --pid-file "$work/qemu.pid" --timeout 900 </dev/null & pids+=($!)
  for _ in $(seq 180); do grep -q "aspnet: started" "$work/serial.log" 2>/dev/null && break; sleep 1; done
  grep -q "aspnet: started" "$work/serial.log" || { cat "$work/serial.log"; echo "the image did not start serving"; exit 1; }
  sleep 2   # the static address / DHCP lease: the first request may come before the interface has its address
  appliance="CosmosNet (Apps/AspNetMinimal in QEMU TCG, e1000, user-mode net)"
  dotnet "$work/driver/Http11Probe.Driver.dll" --port "$port" --label "$appliance" --output "$work/cosmosnet.md"
  kill "$(cat "$work/qemu.pid")" 2>/dev/null || true

  hport=$(free_port)
  (cd "$work" && exec "$root/iso/bench-aspnet/linux/aspnet" "$args" "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$hport" \
    >"$work/host.log" 2>&1) & pids+=($!)
  for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$hport/" && break; sleep 1; done
  linux="The same Program.cs, NativeAOT linux-x64 binary on the host (Kestrel $(dotnet --list-runtimes | awk '/AspNetCore/{v=$2} END{print v}'), Linux $(uname -r))"
  dotnet "$work/driver/Http11Probe.Driver.dll" --port "$hport" --label "$linux" --output "$work/linux.md"

  python3 - "$work/cosmosnet.md" "$work/linux.md" "$(git -C "$work/probe" rev-parse --short HEAD)" >bench/results/aspnet-conformance.md <<'PY'
import re, sys, time
def read(path):
    lines = open(path).read().splitlines()
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 5 and cells[0] not in ("test", "---"):
            rows[cells[0]] = cells
    return lines[0], rows, "\n".join(lines)
(c_head, c, c_text), (l_head, l, l_text) = read(sys.argv[1]), read(sys.argv[2])
score = lambda head: re.search(r": (\d+/\d+) scored", head).group(1)
out = ["# Http11Probe conformance: Apps/AspNetMinimal, appliance and Linux", "",
       f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} with `bench/Http11Probe/run.sh aspnet`; Http11Probe {sys.argv[3]}. "
       "Score = (pass + warn) / scored, as Http11Probe computes it. The same `Program.cs` on both sides: the appliance "
       "(Kestrel over the kernel's sockets and TCP/IP stack, QEMU TCG, reached through a QEMU user-network port forward) and "
       "a NativeAOT linux-x64 binary on the host (Kestrel over Linux sockets, loopback). The app is not Http11Probe's server "
       "contract (`POST /` is not mapped, `POST /echo` returns the body rather than the headers), so the scores compare "
       "the two platforms under one app, not with the Kestrel reference of http-conformance.md.", "",
       "| server | score |", "|---|---|",
       f"| CosmosNet appliance | **{score(c_head)}** |", f"| Linux binary | **{score(l_head)}** |", "",
       "## Verdicts that differ", ""]
diff = [t for t in c if t in l and (c[t][3], c[t][4]) != (l[t][3], l[t][4])]
if diff:
    out += ["| test | level | scored | appliance: verdict (got) | Linux: verdict (got) |", "|---|---|---|---|---|"]
    out += [f"| {t} | {c[t][1]} | {c[t][2]} | {c[t][3]} ({c[t][4]}) | {l[t][3]} ({l[t][4]}) |" for t in diff]
else:
    out.append("None: every test has the same verdict and status on both.")
only = sorted(set(c) ^ set(l))
if only:
    out += ["", "Tests run on one side only: " + ", ".join(only)]
out += ["", c_text, "", l_text]
print("\n".join(out))
PY
  echo "wrote bench/results/aspnet-conformance.md"
  exit 0
fi

dotnet build bench/Http11Probe/Kestrel -c Release -v quiet -nologo -o "$work/kestrel"

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
