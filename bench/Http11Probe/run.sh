#!/usr/bin/env bash
# Scores Apps/HttpServer (booted in QEMU TCG by tools/guest, user-mode network with a host port forward) and Kestrel (on the host, the
# reference) with Http11Probe, and writes bench/results/http-conformance.md. Not part of `make test`: it needs the probe.
#   bench/Http11Probe/run.sh [Http11Probe checkout or mirror]   (default: the fetched mirror /work/.mirror/MDA2AV+Http11Probe/repo)
# With `aspnet` first (issue 17): Apps/AspNetMinimal booted the same way, against the same Program.cs as a NativeAOT linux-x64
# binary on the host (bench/aspnet/AspNetMinimal.Linux.csproj, as make bench-aspnet runs it in the Linux guest), and the
# Kestrel reference's own Program.cs booted as an appliance (bench/aspnet/ProbeReference) against the reference on the host;
# writes bench/results/aspnet-conformance.md with the scores and every test whose verdict differs.
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
  # Two programs, each as the appliance (QEMU TCG, e1000, user-mode net, port forward) and on the host:
  #  - Apps/AspNetMinimal, with the argument make bench-aspnet gives both (the template's log level: no four serial lines
  #    per request); on the host the NativeAOT linux-x64 binary, a free loopback port replacing its UseUrls addresses
  #    (Kestrel configuration overrides them);
  #  - bench/Http11Probe/Kestrel/Program.cs (the probe's server contract, this script's host reference) built as an
  #    appliance by bench/aspnet/ProbeReference; on the host as the reference runs it (dotnet, JIT).
  args=--Logging:LogLevel:Microsoft.AspNetCore=Warning
  aspnet_elf=$(tools/guest build Apps/AspNetMinimal --image-dir iso/bench-aspnet)
  reference_elf=$(tools/guest build bench/aspnet/ProbeReference --image-dir iso/bench-probe-reference)
  dotnet publish bench/aspnet/AspNetMinimal.Linux.csproj -c Release --nologo -v quiet -o iso/bench-aspnet/linux >/dev/null
  dotnet build bench/Http11Probe/Kestrel -c Release -v quiet -nologo -o "$work/kestrel" >/dev/null
  wait_200() { for _ in $(seq 180); do [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/")" = 200 ] && return 0; sleep 1; done; return 1; }
  appliance() {   # name, elf, kernel command line
    local port; port=$(free_port)
    rm -f "$work/qemu.pid"
    tools/guest qemu --kernel "$2" --nic e1000 --forward "$port:80" --append "$3" --serial "file:$work/$1-serial.log" \
      --pid-file "$work/qemu.pid" --timeout 900 </dev/null & pids+=($!)
    wait_200 "$port" || { cat "$work/$1-serial.log"; echo "$1: the image did not start serving"; exit 1; }
    dotnet "$work/driver/Http11Probe.Driver.dll" --port "$port" --label "CosmosNet appliance ($1 in QEMU TCG, e1000, user-mode net)" \
      --output "$work/$1-appliance.md"
    kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
  }
  host() {   # name, label, command... (the port is $hport)
    local name=$1 label=$2; shift 2
    "$@" >"$work/$name-host.log" 2>&1 & pids+=($!)
    wait_200 "$hport" || { cat "$work/$name-host.log"; echo "$name: the host server did not start"; exit 1; }
    dotnet "$work/driver/Http11Probe.Driver.dll" --port "$hport" --label "$label" --output "$work/$name-host.md"
    kill "${pids[-1]}" 2>/dev/null || true
  }
  kestrel="Kestrel $(dotnet --list-runtimes | awk '/AspNetCore/{v=$2} END{print v}'), Linux $(uname -r)"
  appliance AspNetMinimal "$aspnet_elf" "$args"
  hport=$(free_port)
  host AspNetMinimal "the same Program.cs as a NativeAOT linux-x64 binary on the host ($kestrel)" \
    "$root/iso/bench-aspnet/linux/aspnet" "$args" "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$hport"
  appliance ProbeReference "$reference_elf" "--urls http://0.0.0.0:80"
  hport=$(free_port)
  host ProbeReference "the same Program.cs on the host, dotnet ($kestrel)" dotnet "$work/kestrel/Kestrel.Reference.dll" --urls "http://127.0.0.1:$hport"

  python3 - "$(git -C "$work/probe" rev-parse --short HEAD)" "$work" >bench/results/aspnet-conformance.md <<'PY'
import re, sys, time
revision, work = sys.argv[1:]
def read(path):
    lines = open(path).read().splitlines()
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 5 and cells[0] not in ("test", "---"):
            rows[cells[0]] = cells
    summary = re.search(r": (\d+/\d+) scored tests pass \((.*?)\) in", lines[0])
    return summary.group(1), summary.group(2), rows, "\n".join(lines)
programs = [("AspNetMinimal", "`Apps/AspNetMinimal` (issue 17's app; NativeAOT linux-x64 binary on the host)"),
            ("ProbeReference", "`bench/Http11Probe/Kestrel/Program.cs`, the probe's server contract (on the host with dotnet, as run.sh's Kestrel reference)")]
out = ["# Http11Probe conformance: ASP.NET Core on the appliance and on Linux", "",
       f"Measured {time.strftime('%Y-%m-%d', time.gmtime())} with `bench/Http11Probe/run.sh aspnet`; Http11Probe {revision}. "
       "Score = (pass + warn) / scored, as Http11Probe computes it. Each program is scored twice, unmodified: as the CosmosNet "
       "appliance (Kestrel over the kernel's sockets and TCP/IP stack; QEMU TCG, e1000, reached through a QEMU user-network "
       "port forward) and on the host (Kestrel over Linux sockets, loopback). `Apps/AspNetMinimal` serves the probe's server "
       "contract beside its own routes (as Apps/HttpServer does). The contract program is the one the "
       "146/161 Kestrel figure of http-conformance.md comes from.", "",
       "| program | appliance | Linux host | verdicts that differ |", "|---|---|---|---|"]
details = []
for name, title in programs:
    c_score, c_counts, c, c_text = read(f"{work}/{name}-appliance.md")
    l_score, l_counts, l, l_text = read(f"{work}/{name}-host.md")
    diff = [t for t in c if t in l and (c[t][3], c[t][4]) != (l[t][3], l[t][4])]
    out.append(f"| {title} | **{c_score}** ({c_counts}) | **{l_score}** ({l_counts}) | {len(diff)} |")
    details += [f"## {name}: verdicts that differ", ""]
    if diff:
        details += ["| test | level | scored | appliance: verdict (got) | Linux: verdict (got) |", "|---|---|---|---|---|"]
        details += [f"| {t} | {c[t][1]} | {c[t][2]} | {c[t][3]} ({c[t][4]}) | {l[t][3]} ({l[t][4]}) |" for t in diff]
    else:
        details.append("None: every test has the same verdict and status on both.")
    only = sorted(set(c) ^ set(l))
    if only:
        details += ["", "Tests run on one side only: " + ", ".join(only)]
    details += ["", "#" + c_text, "", "#" + l_text, ""]
print("\n".join(out + [""] + details))
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
