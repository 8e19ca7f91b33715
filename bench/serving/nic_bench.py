#!/usr/bin/python3
"""make bench-nic: per NIC, CosmosNet (Apps/HttpServer) and the Linux guest (serve.c) booted one after the other
in the same run with the same NIC on one TAP device (guests.py), measured by the same host-side client
(nic_client.py): bulk TCP each way through a POST echo and both ways at once through the echo port (MB/s), and 64-byte round trips per second through the
echo port, with QEMU's host CPU per MB and per round trip. The Linux guest is also measured with iperf3
(BENCH_SECONDS each way), the tool of the issue's reference
figures. BENCH_REPS pairs per NIC (default 1; medians when more). Writes bench/results/nic.md.
  BENCH_NICS="virtio e1000 e1000e rtl8139 vmxnet3" (default)   BENCH_MB=16   BENCH_SECONDS=5   BENCH_MEMORY=512   BENCH_SKIP_BUILD=1 (reuse the images)"""
import json, os, signal, sys, time
import guests
from guests import GUEST_ADDRESS

NICS = os.environ.get("BENCH_NICS", " ".join(guests.NICS)).split()
MB = int(os.environ.get("BENCH_MB", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
REPS = int(os.environ.get("BENCH_REPS", "1"))
OUT = os.path.join(guests.ROOT, "bench/results/nic.md")
CLIENT = os.path.join(guests.ROOT, "bench/serving/nic_client.py")
POST_PORT = {"cosmos": 80, "linux": 8080}
# Reference figures of issue 11 (Linux 6.1 guest, TCG, TAP, iperf3), Gb/s: host→guest, guest→host.
REFERENCE = {"virtio": ("2.3–2.9", "1.5–2.0"), "e1000": ("0.9", "0.83"), "e1000e": ("0.56", "1.4"),
             "rtl8139": ("0.37", "0.72"), "vmxnet3": ("—", "—")}


def iperf3(ns, reverse):
    status, out = ns.run("iperf3", "-c", GUEST_ADDRESS, "-t", str(SECONDS), "-J", *(["-R"] if reverse else []),
                         timeout=SECONDS + 90)
    if status != 0:
        raise RuntimeError(f"iperf3 exited {status}: {out[-300:]}")
    report = json.loads(out)
    if "error" in report:
        raise RuntimeError(f"iperf3: {report['error']}")
    return report["end"]["sum_received"]["bits_per_second"] / 1e9


def measure_guest(ns, kind, nic):
    with guests.Guest(kind, nic, ns) as guest:
        try:
            guest.wait_ready(600)
        except Exception as e:
            return f"no run: {str(e).splitlines()[0]}"
        r = {}
        for part in ("bulk", "rtt"):
            cpu0 = guest.cpu_seconds()
            status, out = ns.run("/usr/bin/python3", CLIENT, "--host", GUEST_ADDRESS, "--post-port", str(POST_PORT[kind]),
                                 "--mb", str(MB), "--seconds", str(SECONDS), "--only", part, timeout=900)
            cpu = guest.cpu_seconds() - cpu0
            if status != 0:
                return f"{part} failed: {out.strip().splitlines()[-1] if out.strip() else status}"
            r |= guests.as_json_line(out, "NIC-JSON ")
            if part == "bulk":
                r["cpu_ms_per_mb"] = cpu * 1000 / (6 * MB)   # two POSTs echoed, then the echo stream
            else:
                r["cpu_us_per_rtt"] = cpu * 1e6 / (r["rtt_per_s"] * SECONDS)
        if kind == "linux":
            for key, reverse in (("iperf_up", False), ("iperf_down", True)):
                try:
                    r[key] = iperf3(ns, reverse)
                except Exception as e:
                    r[key] = None
                    print(f"  iperf3: {e}", flush=True)
        print(f"  {kind:6} {nic:7} up {r['up_mbps']:.1f} MB/s  down {r['down_mbps']:.1f} MB/s  echo {r['echo_mbps']:.1f} MB/s  "
              f"{r['rtt_per_s']:.0f} round trips/s (p50 {r['rtt_p50_us']:.0f} µs)  host CPU {r['cpu_ms_per_mb']:.1f} ms/MB, "
              f"{r['cpu_us_per_rtt']:.0f} µs/round trip", flush=True)
        return r


def main():
    guests.build_images()
    load0, started = guests.loadavg(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kver, qemu = guests.host_note()
    results = {}   # nic -> {"cosmos": [...], "linux": [...]}
    ns = guests.Namespace()
    try:
        for nic in NICS:
            for rep in range(REPS):
                for kind in ("cosmos", "linux"):
                    print(f"bench-nic: {nic} pair {rep + 1}/{REPS}: {kind} (load {guests.loadavg():.1f})", flush=True)
                    results.setdefault(nic, {"cosmos": [], "linux": []})[kind].append(measure_guest(ns, kind, nic))
    finally:
        ns.close()
    load1 = guests.loadavg()

    def med(rs, key):
        return guests.median([r.get(key) for r in rs if isinstance(r, dict)])

    def f(v, spec=".1f"):
        return guests.fmt(v, spec)

    ratio = guests.ratio

    lines = [f"# make bench-nic ({started})", "",
             f"Per NIC, CosmosNet `Apps/HttpServer` and Linux ({kver}, `bench/linux-guest/serve.c`) booted one after the "
             f"other in this run, QEMU TCG ({qemu}), 1 vCPU, {guests.MEMORY_MIB} MiB, the NIC on a TAP device in a "
             "network namespace, static addresses. The same host-side client for both (`bench/serving/nic_client.py`): "
             f"a {MB} MB POST echoed back (CosmosNet: `POST /`; Linux: serve.c's POST echo on port 8080), timed on the "
             "second of two on one connection (the first warms the connection and the server's buffer), "
             "host→guest = until the first response byte, guest→host = first to last response byte, body compared; "
             f"echo stream = {MB} MB through the echo port (7) sent and read back at once (MB/s each way); "
             f"round trips = 64-byte messages through the echo port (7), one at a time, for {SECONDS} s. MB = 10^6 bytes. "
             "Host CPU = QEMU's utime+stime over the bulk part (both POSTs and the echo stream) ÷ MB moved (both ways), and over the round trips ÷ "
             "their count: on a loaded host the steadiest figures. "
             f"{REPS} pair(s) per NIC" + (" (medians)." if REPS > 1 else "."),
             "",
             f"Host: {os.cpu_count()} CPUs shared with other jobs; load average {load0:.1f} at start, {load1:.1f} at end. "
             "Absolute figures move with the load (the issue's reference figures were taken on a quieter machine).", "",
             "| NIC | host→guest MB/s (C / L) | ratio | guest→host MB/s (C / L) | ratio | echo stream MB/s each way (C / L) | ratio | round trips/s (C / L) | ratio | RTT p50 µs (C / L) | host CPU ms/MB bulk (C / L) | host CPU µs/round trip (C / L) | Linux iperf3 Gb/s here (→guest / →host) | issue's Linux iperf3 Gb/s (→guest / →host) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for nic in NICS:
        c, l = results[nic]["cosmos"], results[nic]["linux"]
        notes += [f"{nic}, CosmosNet: {r}" for r in c if not isinstance(r, dict)]
        notes += [f"{nic}, Linux: {r}" for r in l if not isinstance(r, dict)]
        cu, lu, cd, ld = med(c, "up_mbps"), med(l, "up_mbps"), med(c, "down_mbps"), med(l, "down_mbps")
        cr, lr = med(c, "rtt_per_s"), med(l, "rtt_per_s")
        ce, le = med(c, "echo_mbps"), med(l, "echo_mbps")
        ref = REFERENCE.get(nic, ("—", "—"))
        lines.append(f"| {nic} | {f(cu)} / {f(lu)} | {ratio(cu, lu)} | {f(cd)} / {f(ld)} | {ratio(cd, ld)} "
                     f"| {f(ce)} / {f(le)} | {ratio(ce, le)} "
                     f"| {f(cr, ',.0f')} / {f(lr, ',.0f')} | {ratio(cr, lr)} "
                     f"| {f(med(c, 'rtt_p50_us'), '.0f')} / {f(med(l, 'rtt_p50_us'), '.0f')} "
                     f"| {f(med(c, 'cpu_ms_per_mb'))} / {f(med(l, 'cpu_ms_per_mb'))} "
                     f"| {f(med(c, 'cpu_us_per_rtt'), ',.0f')} / {f(med(l, 'cpu_us_per_rtt'), ',.0f')} "
                     f"| {f(med(l, 'iperf_up'), '.3f')} / {f(med(l, 'iperf_down'), '.3f')} | {ref[0]} / {ref[1]} |")
    lines.append("")
    lines += [f"- {n}" for n in notes]
    guests.write_report(OUT, lines)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
