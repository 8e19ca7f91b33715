#!/usr/bin/python3
"""make bench-http: CosmosNet (Apps/HttpServer) against a Linux guest with nginx serving the same page, same NIC,
RAM and vCPU count, booted alternately in one run on one TAP device (guests.py) and driven by wrk from the host
side of the TAP: keep-alive with 1, 16 and 256 connections and `Connection: close` with 16. Per run: req/s,
latency p50/p99/max (wrk's own histogram, through wrk-json.lua) and QEMU's host CPU per request (utime+stime
before/after ÷ requests). Each guest pair is booted BENCH_REPS times (default 3); the table holds the medians
and the CosmosNet/Linux ratio. Writes bench/results/http.md.
  BENCH_NICS="virtio e1000" (default)   BENCH_SECONDS=10 (per wrk run)   BENCH_REPS=3   BENCH_MEMORY=512   BENCH_SKIP_BUILD=1 (reuse the images)"""
import os, signal, sys, time
import guests
from guests import GUEST_ADDRESS

NICS = os.environ.get("BENCH_NICS", "virtio e1000").split()
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
OUT = os.path.join(guests.ROOT, "bench/results/http.md")
LUA = os.path.join(guests.ROOT, "bench/serving/wrk-json.lua")
# (name, wrk arguments)
RUNS = [
    ("keep-alive, 1 connection", ["-c1"]),
    ("keep-alive, 16 connections", ["-c16"]),
    ("keep-alive, 256 connections", ["-c256"]),
    ("Connection: close, 16 connections", ["-c16", "-H", "Connection: close"]),
]


def wrk(ns, args, seconds):
    status, out = ns.run("wrk", "-t1", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", LUA, *args,
                         f"http://{GUEST_ADDRESS}/", timeout=seconds + 60)
    if status != 0:
        raise RuntimeError(f"wrk {' '.join(args)} exited {status}: {out}")
    return guests.as_json_line(out, "WRK-JSON ")


def measure_guest(ns, kind, nic, runs=RUNS, memory_mib=None, serving=guests.HTTPSERVER):
    """Boots one guest, warms it up, runs each wrk configuration of runs; {run name: figures or error text}."""
    results = {}
    with guests.Guest(kind, nic, ns, memory_mib=memory_mib, serving=serving) as guest:
        try:
            guest.wait_ready(600)
            wrk(ns, ["-c16"], 3)   # warm-up: ARP, caches, the allocators' first growth
        except Exception as e:
            return {name: f"no run: {str(e).splitlines()[0]}" for name, _ in runs}
        for name, args in runs:
            if not guest.alive():
                results[name] = "guest ended"
                continue
            try:
                cpu0 = guest.cpu_seconds()
                w = wrk(ns, args, SECONDS)
                cpu = guest.cpu_seconds() - cpu0
            except Exception as e:
                results[name] = f"failed: {str(e).splitlines()[0]}"
                continue
            kinds = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
            errors = sum(w[k] for k in kinds)
            results[name] = {
                "error_kinds": {k.replace("_errors", ""): w[k] for k in kinds if w[k]},
                "rps": w["requests"] / (w["duration_us"] / 1e6),
                "p50": w["p50_us"] / 1000, "p99": w["p99_us"] / 1000, "max": w["max_us"] / 1000,
                "cpu_us": cpu * 1e6 / w["requests"] if w["requests"] else None,
                "errors": errors,
            }
            print(f"  {kind:6} {nic:7} {name:36} {results[name]['rps']:8.0f} req/s  p50 {results[name]['p50']:.2f} ms  "
                  f"p99 {results[name]['p99']:.2f} ms  cpu {results[name]['cpu_us'] or 0:.0f} µs/req  errors {errors} "
                  f"{results[name]['error_kinds'] or ''}",
                  flush=True)
    return results


def summarize(reps):
    """Medians over the reps of one guest and run; error texts are counted, not averaged."""
    ok = [r for r in reps if isinstance(r, dict)]
    if not ok:
        return None, [r for r in reps if not isinstance(r, dict)]
    return ({k: guests.median([r[k] for r in ok]) for k in ("rps", "p50", "p99", "max", "cpu_us")}
            | {"errors": sum(r["errors"] for r in ok), "n": len(ok)}), [r for r in reps if not isinstance(r, dict)]


def run_pairs(ns, nics, serving=guests.HTTPSERVER, label="bench-http"):
    """Each NIC's REPS guest pairs, CosmosNet then Linux, booted alternately: {(nic, run): {"cosmos": [...], "linux": [...]}}."""
    table = {}
    for nic in nics:
        for rep in range(REPS):
            for kind in ("cosmos", "linux"):
                print(f"{label}: {nic} pair {rep + 1}/{REPS}: {kind} (load {guests.loadavg():.1f})", flush=True)
                for name, r in measure_guest(ns, kind, nic, serving=serving).items():
                    table.setdefault((nic, name), {"cosmos": [], "linux": []})[kind].append(r)
    return table


def table_lines(table, nics, linux="Linux"):
    """One Markdown table per NIC (medians, ratios), the failures under it, then the raw per-pair req/s."""
    lines = []
    for nic in nics:
        lines += [f"## {nic}", "",
                  f"| run | CosmosNet req/s | {linux} req/s | ratio | p50 ms (C / L) | p99 ms (C / L) | max ms (C / L) | host CPU µs/req (C / L, ratio) | errors (C / L) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        notes = []
        for name, _ in RUNS:
            cell = table.get((nic, name), {"cosmos": [], "linux": []})
            c, c_bad = summarize(cell["cosmos"])
            l, l_bad = summarize(cell["linux"])
            notes += [f"CosmosNet, {name}: {b}" for b in c_bad] + [f"{linux}, {name}: {b}" for b in l_bad]
            g = lambda s, k, spec: guests.fmt(s[k] if s else None, spec)
            lines.append(f"| {name} | {g(c, 'rps', ',.0f')} | {g(l, 'rps', ',.0f')} | {guests.ratio(c and c['rps'], l and l['rps'])} "
                         f"| {g(c, 'p50', '.2f')} / {g(l, 'p50', '.2f')} | {g(c, 'p99', '.2f')} / {g(l, 'p99', '.2f')} "
                         f"| {g(c, 'max', '.1f')} / {g(l, 'max', '.1f')} | {g(c, 'cpu_us', ',.0f')} / {g(l, 'cpu_us', ',.0f')}, {guests.ratio(c and c['cpu_us'], l and l['cpu_us'])} "
                         f"| {g(c, 'errors', 'd')} / {g(l, 'errors', 'd')} |")
        lines.append("")
        lines += [f"- {n}" for n in notes] + ([""] if notes else [])
    for (nic, name), cell in table.items():
        for kind, who in (("cosmos", "CosmosNet"), (linux, linux)):
            for i, r in enumerate(cell["cosmos" if kind == "cosmos" else "linux"]):
                if isinstance(r, dict) and r.get("error_kinds"):
                    lines.append(f"- errors, {nic}, {name}, {who}, pair {i + 1}: "
                                 + ", ".join(f"{v} {k}" for k, v in r["error_kinds"].items()))
    lines += ["", "Errors: wrk's connect/read/write/timeout/non-2xx counts, summed over the pairs.", "",
              "Raw per-pair figures (req/s):", ""]
    for (nic, name), cell in table.items():
        raw = lambda rs: ", ".join(f"{r['rps']:.0f}" if isinstance(r, dict) else r for r in rs)
        lines.append(f"- {nic}, {name}: CosmosNet {raw(cell['cosmos'])}; {linux} {raw(cell['linux'])}")
    return lines


def main():
    guests.build_images()
    load0, started = guests.loadavg(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kver, qemu = guests.host_note()
    ns = guests.Namespace()
    try:
        table = run_pairs(ns, NICS)
    finally:
        ns.close()
    load1 = guests.loadavg()

    lines = [f"# make bench-http ({started})", "",
             f"CosmosNet `Apps/HttpServer` against Linux ({kver}) + nginx (Debian's 1.22, `bench/linux-guest/nginx.conf`: "
             "1 worker, access_log off, keep-alive defaults) serving the same `/` page (the app's wwwroot/index.html, "
             "142 bytes). Both under QEMU TCG (" + qemu + f"), 1 vCPU, {guests.MEMORY_MIB} MiB, the same NIC on a TAP device in "
             "a network namespace, static addresses; booted alternately (CosmosNet, Linux, CosmosNet, ...), "
             f"{REPS} pair(s) per NIC. Driven from the namespace by `wrk -t1 -d{SECONDS}s --timeout 10s --latency` after a "
             "3 s warm-up; each figure is the median over the pairs. Host CPU per request = QEMU's utime+stime "
             "over the wrk run ÷ requests (includes the emulated NIC and TAP work); on a loaded host it is the steadiest "
             "figure, since req/s and latency also measure how much CPU the host gave QEMU.",
             "",
             f"Host: {os.cpu_count()} CPUs shared with other jobs; load average {load0:.1f} at start, {load1:.1f} at end. "
             "Absolute figures move with the load; the alternating pairs keep the ratio meaningful.", ""]
    lines += table_lines(table, NICS)
    guests.write_report(OUT, lines)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
