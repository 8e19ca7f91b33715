#!/usr/bin/python3
"""make bench-aspnet (issue 17): Apps/AspNetMinimal, an unmodified ASP.NET Core minimal API, booted as the CosmosNet
appliance, against the same Program.cs compiled as a NativeAOT linux-x64 binary (bench/aspnet/AspNetMinimal.Linux.csproj)
run by the Linux guest of bench/linux-guest (aspnet.cpio.gz: serve.c starts /app/aspnet instead of nginx). Same NIC,
RAM and vCPU, one TAP device, booted alternately (guests.py, http_bench.py's wrk runs and table). Then, per guest:
QEMU start to the first 200 of GET / on the TAP device, and the smallest RAM (-m) at which it boots and serves.
Both get the arguments of ARGS: the ASP.NET Core template's appsettings.json level for Microsoft.AspNetCore (Warning),
without which Kestrel logs four lines per request to the serial console. Writes bench/results/aspnet.md.
  BENCH_NICS="virtio e1000" (default)   BENCH_SECONDS=10   BENCH_REPS=3   BENCH_MEMORY=512   BENCH_BOOT_RUNS=3
  BENCH_PARTS="wrk boot ram" (default: all)   BENCH_SKIP_BUILD=1 (reuse the images)"""
import os, re, signal, subprocess, sys, time
import guests, http_bench
from guests import GUEST_ADDRESS, LINUX, ROOT

NICS = os.environ.get("BENCH_NICS", "virtio e1000").split()
PARTS = os.environ.get("BENCH_PARTS", "wrk boot ram").split()
BOOT_RUNS = int(os.environ.get("BENCH_BOOT_RUNS", "3"))
OUT = os.path.join(ROOT, "bench/results/aspnet.md")
IMAGE_DIR = "iso/bench-aspnet"
LINUX_BINARY = f"{IMAGE_DIR}/linux/aspnet"
ARGS = "--Logging:LogLevel:Microsoft.AspNetCore=Warning"
ASPNET = guests.Serving(f"{IMAGE_DIR}/cosmosnet.elf", "aspnet: started", f"{LINUX}/aspnet.cpio.gz", ARGS)
STRIPPED = guests.Serving(f"{IMAGE_DIR}/cosmosnet.stripped.elf", ASPNET.cosmos_ready, ASPNET.linux_initrd, ARGS)
QEMU_MAC = "52:54:00:12:34:56"   # QEMU's default for the first NIC: the address of both guests
ANSI = re.compile(r"\x1b\[[0-9;]*m")   # the console logger's colours on the Linux guest's tty
RAM_STEP = 4                      # MiB: the resolution of the smallest-RAM search


def build():
    if os.environ.get("BENCH_SKIP_BUILD") == "1":
        missing = [p for p in (ASPNET.cosmos_elf, LINUX_BINARY, ASPNET.linux_initrd, f"{LINUX}/vmlinuz")
                   if not os.path.exists(os.path.join(ROOT, p))]
        if missing:
            raise SystemExit(f"BENCH_SKIP_BUILD=1 but no {', '.join(missing)}: run once without it")
        return
    subprocess.run(["tools/guest", "build", "Apps/AspNetMinimal", "--image-dir", IMAGE_DIR], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["dotnet", "publish", "bench/aspnet/AspNetMinimal.Linux.csproj", "-c", "Release", "--nologo", "-v", "quiet",
                    "-o", f"{IMAGE_DIR}/linux"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["bench/linux-guest/build.sh", "--aspnet", LINUX_BINARY], cwd=ROOT, check=True)


def sizes():
    """Bytes: the appliance's ELF as built and stripped; the Linux binary (the SDK strips it), bzImage, initramfs."""
    path = lambda p: os.path.join(ROOT, p)
    stripped = path(STRIPPED.cosmos_elf)
    guests.sh("strip", "-o", stripped, path(ASPNET.cosmos_elf))
    return {"elf": os.path.getsize(path(ASPNET.cosmos_elf)), "stripped": os.path.getsize(stripped),
            "linux_binary": os.path.getsize(path(LINUX_BINARY)), "vmlinuz": os.path.getsize(path(f"{LINUX}/vmlinuz")),
            "initrd": os.path.getsize(path(ASPNET.linux_initrd))}


# Run in the namespace: a new connection every 50 ms (at most 20 pending, each given up after 1 s) until one gets a
# 200 to GET /; prints the host's monotonic time of that answer (the same clock as Guest.qemu_started()).
POLLER = r'''
import socket, sys, threading, time
address, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
done, pending, lock = threading.Event(), [0], threading.Lock()
def attempt():
    try:
        with socket.create_connection((address, 80), timeout=1) as s:
            s.settimeout(2)
            s.sendall(b"GET / HTTP/1.1\r\nHost: " + address.encode() + b"\r\nConnection: close\r\n\r\n")
            if s.recv(64).startswith(b"HTTP/1.1 200") and not done.is_set():
                done.set()
                print("FIRST-200", time.monotonic(), flush=True)
    except OSError:
        pass
    finally:
        with lock:
            pending[0] -= 1
while not done.is_set() and time.monotonic() < deadline:
    with lock:
        go = pending[0] < 20
        if go:
            pending[0] += 1
    if go:
        threading.Thread(target=attempt, daemon=True).start()
    time.sleep(0.05)
sys.exit(0 if done.wait(3) else 1)
'''


def first_200(ns, kind, nic, timeout=240):
    """Seconds from QEMU's start to the first 200 of GET /, and the guest's time-stamped serial output."""
    # The guest's MAC known in advance: no ARP round (or its 1 s retry) between the guest's address and the first SYN.
    guests.sh("ip", "-n", ns.name, "neigh", "replace", GUEST_ADDRESS, "lladdr", QEMU_MAC, "dev", ns.tap, "nud", "permanent")
    with guests.Guest(kind, nic, ns, serving=ASPNET) as guest:
        status, out = ns.run("python3", "-c", POLLER, GUEST_ADDRESS, str(timeout), timeout=timeout + 30)
        if status != 0:
            raise RuntimeError(f"{kind}/{nic}: no 200 in {timeout} s; serial:\n" + "\n".join(guest.lines[-20:]))
        at = float(next(l.split()[1] for l in out.splitlines() if l.startswith("FIRST-200 ")))
        return at - guest.qemu_started(), list(guest.lines)


def serves_at(ns, kind, memory_mib, serving=ASPNET):
    """Whether the guest boots with memory_mib of RAM (virtio) and answers wrk -c16 for 3 s without an error."""
    with guests.Guest(kind, "virtio", ns, memory_mib=memory_mib, serving=serving) as guest:
        try:
            guest.wait_ready(150)
            w = http_bench.wrk(ns, ["-c16"], 3)
        except Exception as e:
            print(f"  {kind} at {memory_mib} MiB: no ({str(e).splitlines()[0][:120]})", flush=True)
            return False
        errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["status_errors"] + w["timeouts"]
        ok = w["requests"] > 0 and errors == 0 and guest.alive()
        print(f"  {kind} at {memory_mib} MiB: {'yes' if ok else 'no'} ({w['requests']} requests, {errors} errors)", flush=True)
        return ok


def smallest_ram(ns, kind, low=8, high=128):
    """Bisection to RAM_STEP MiB between low (taken as failing) and high (checked first; doubled until it serves)."""
    tried = {}
    while not tried.setdefault(high, serves_at(ns, kind, high)):
        low, high = high, high * 2
        if high > 2048:
            return None, tried
    while high - low > RAM_STEP:
        mid = (low + high) // 2 // RAM_STEP * RAM_STEP or low + RAM_STEP
        if mid <= low:
            mid = low + RAM_STEP
        if tried.setdefault(mid, serves_at(ns, kind, mid)):
            high = mid
        else:
            low = mid
    return high, tried


def main():
    build()
    load0, started = guests.loadavg(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kver, qemu = guests.host_note()
    size = sizes()
    table, boots, ram, stripped_serves = None, {}, {}, None
    ns = guests.Namespace()
    try:
        if "wrk" in PARTS:
            table = http_bench.run_pairs(ns, NICS, serving=ASPNET, label="bench-aspnet")
        if "boot" in PARTS:
            for nic in NICS:
                for _ in range(BOOT_RUNS):
                    for kind in ("cosmos", "linux"):
                        try:
                            seconds, lines = first_200(ns, kind, nic)
                        except Exception as e:
                            print(f"bench-aspnet: boot {kind} {nic}: {e}", flush=True)
                            seconds, lines = None, str(e).splitlines()
                        print(f"bench-aspnet: boot {kind} {nic}: first 200 at {guests.fmt(seconds, '.2f')} s", flush=True)
                        boots.setdefault((nic, kind), []).append((seconds, lines))
        if "ram" in PARTS:
            print("bench-aspnet: the stripped ELF", flush=True)
            stripped_serves = serves_at(ns, "cosmos", guests.MEMORY_MIB, serving=STRIPPED)
            for kind in ("cosmos", "linux"):
                print(f"bench-aspnet: smallest RAM, {kind} (load {guests.loadavg():.1f})", flush=True)
                ram[kind] = smallest_ram(ns, kind)
    finally:
        ns.close()
    load1 = guests.loadavg()
    mb = lambda b: f"{b / 1e6:.1f} MB"
    lines = [f"# make bench-aspnet ({started})", "",
             "Issue 17, item 6: `Apps/AspNetMinimal` (an ASP.NET Core minimal API, `CreateSlimBuilder`, Kestrel; its own "
             "`Program.cs`, unmodified) booted as the CosmosNet appliance (**C**) against the same `Program.cs` compiled as a "
             "NativeAOT linux-x64 binary (`bench/aspnet/AspNetMinimal.Linux.csproj`: the appliance's app-level switches, "
             f"invariant globalization) run by the Linux guest of `bench/linux-guest` (**L**: {kver}, `aspnet.cpio.gz`, whose "
             "`/init` starts `/app/aspnet`). Both under QEMU TCG (" + qemu + f"), 1 vCPU, {guests.MEMORY_MIB} MiB, the same "
             "NIC on a TAP device in a network namespace, static addresses, booted alternately (C, L, C, L, ...), "
             f"{http_bench.REPS} pair(s) per NIC. Both get the argument `{ARGS}` (the level the ASP.NET Core template's "
             "appsettings.json sets; without it Kestrel logs four lines per request to the serial console on both sides). "
             f"Load: `wrk -t1 -d{http_bench.SECONDS}s --timeout 10s --latency` on `GET /` (a 36-byte text answer, "
             "chunked, as Kestrel sends a string result) from the namespace after a 3 s warm-up; each figure is the median "
             "over the pairs. Host CPU per request = QEMU's utime+stime over the wrk run ÷ requests (includes the emulated "
             "NIC and TAP work); on a loaded host it is the steadiest figure, since req/s and latency also measure how much "
             "CPU the host gave QEMU. The issue's goal is C ≥ 1.5× L in req/s.", "",
             f"Host: {os.cpu_count()} CPUs shared with other jobs (other builds, guests and a CI run); load average "
             f"{load0:.1f} at start, {load1:.1f} at end. Absolute figures move with the load; the alternating pairs keep "
             "the ratio meaningful.", ""]
    if table is not None:
        lines += ["## Requests per second", ""] + http_bench.table_lines(table, NICS, linux="Linux") + [""]
    lines += ["## Image size and RAM", "",
              "| | CosmosNet appliance | Linux guest |", "|---|---|---|",
              f"| bootable image | `cosmosnet.elf` {mb(size['elf'])}, stripped (`strip`) **{mb(size['stripped'])}** "
              f"| bzImage {mb(size['vmlinuz'])} + initramfs {mb(size['initrd'])} (gzip; the NativeAOT binary "
              f"{mb(size['linux_binary'])} stripped, glibc, NIC modules, /init) = **{mb(size['vmlinuz'] + size['initrd'])}** |"]
    if ram:
        def ram_cell(kind):
            mib, tried = ram[kind]
            steps = ", ".join(f"{m}: {'yes' if ok else 'no'}" for m, ok in sorted(tried.items()))
            return (f"**{mib} MiB**" if mib else "not found ≤ 2048 MiB") + f" (tried {steps})"
        lines.append(f"| smallest `-m` that boots and serves | {ram_cell('cosmos')} | {ram_cell('linux')} |")
    lines += ["",
              f"Smallest RAM: QEMU `-m` in MiB, bisected to {RAM_STEP} MiB with virtio: a size passes when the guest boots "
              "(its ready line: `aspnet: started` / `SERVING`) and answers 3 s of `wrk -c16` on `GET /` without an error. "
              + {True: f"The stripped ELF passes the same check at {guests.MEMORY_MIB} MiB (the symbols only name frames in "
                       "panics and profiles).",
                 False: f"**The stripped ELF failed that check at {guests.MEMORY_MIB} MiB.**",
                 None: "(The stripped ELF was not booted in this run.)"}[stripped_serves], ""]
    if boots:
        lines += ["## Boot to first 200", "",
                  f"QEMU's start to the first `HTTP/1.1 200` of `GET /` on the TAP device (a new connection every 50 ms, at "
                  f"most 20 pending, each given up after 1 s; the guest's MAC is entered in the namespace's neighbour table "
                  f"so no ARP retry delays it), {BOOT_RUNS} boot(s) per row, {guests.MEMORY_MIB} MiB, static address. "
                  "QEMU's start is read from the serial lines' time stamps (tools/guest --timestamps).", "",
                  "| NIC | CosmosNet: median (min – max) | Linux: median (min – max) | ratio L / C |", "|---|---|---|---|"]
        for nic in NICS:
            cells = {}
            for kind in ("cosmos", "linux"):
                t = sorted(s for s, _ in boots.get((nic, kind), []) if s is not None)
                cells[kind] = (guests.median(t), t)
            f = lambda c: f"{c[0]:.2f} s ({c[1][0]:.2f} – {c[1][-1]:.2f})" if c[1] else "n/a"
            lines.append(f"| {nic} | {f(cells['cosmos'])} | {f(cells['linux'])} | {guests.ratio(cells['linux'][0], cells['cosmos'][0])} |")
        lines.append("")
        for nic in NICS:
            for kind, name in (("cosmos", "CosmosNet"), ("linux", "Linux")):
                runs = [r for r in boots.get((nic, kind), []) if r[0] is not None]
                if runs:
                    s, serial = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
                    lines += [f"<details><summary>{name}, {nic}: serial of the median boot (first 200 at {s:.2f} s)</summary>", "",
                              "```"] + [ANSI.sub("", l) for l in serial if l.strip()][-25:] + ["```", "</details>", ""]
    guests.write_report(OUT, lines)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
