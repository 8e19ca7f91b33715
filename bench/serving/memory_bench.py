#!/usr/bin/python3
"""make bench-memory: what less RAM costs CosmosNet in speed (issue 15, item 4). Apps/HttpServer is booted with each
RAM size of BENCH_MEMORIES (default "512 64 32 16" MiB) on one TAP device (guests.py) and driven by make bench-http's
wrk runs with 16 connections, keep-alive and `Connection: close`, BENCH_REPS times (default 3; medians).
Writes bench/results/memory.md.   BENCH_NICS="virtio" (default)   BENCH_SECONDS=10   BENCH_SKIP_BUILD=1"""
import os, time
import guests, http_bench

MEMORIES = [int(m) for m in os.environ.get("BENCH_MEMORIES", "512 64 32 16").split()]
NICS = os.environ.get("BENCH_NICS", "virtio").split()
OUT = os.path.join(guests.ROOT, "bench/results/memory.md")
RUNS = [r for r in http_bench.RUNS if r[1][0] == "-c16"]


def main():
    guests.build_images()
    load0, started = guests.loadavg(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = {}   # (nic, memory) -> [run results per rep]
    ns = guests.Namespace()
    try:
        for rep in range(http_bench.REPS):
            for nic in NICS:
                for memory in MEMORIES:   # interleaved, so a change in the host's load touches every size alike
                    print(f"rep {rep + 1}: {nic} {memory} MiB", flush=True)
                    results.setdefault((nic, memory), []).append(
                        http_bench.measure_guest(ns, "cosmos", nic, runs=RUNS, memory_mib=memory))
    finally:
        ns.close()
    lines = [f"# make bench-memory ({started})", "",
             f"CosmosNet `Apps/HttpServer` booted with each RAM size in turn ({http_bench.REPS} rounds), QEMU TCG, 1 vCPU, "
             f"on a TAP device in a network namespace, driven by `wrk -t1 -d{http_bench.SECONDS}s` with 16 connections "
             f"(make bench-http's runs); medians over the rounds. Host load average {load0:.1f} at start, "
             f"{guests.loadavg():.1f} at end.", ""]
    for nic in NICS:
        lines += [f"## {nic}", "", "| RAM | run | req/s | vs the first size | p50 ms | p99 ms | host CPU µs/req | errors | runs |",
                  "|---|---|---|---|---|---|---|---|---|"]
        base = {}
        for memory in MEMORIES:
            for name, _ in RUNS:
                summary, failures = http_bench.summarize([r[name] for r in results[(nic, memory)]])
                if summary is None:
                    lines.append(f"| {memory} MiB | {name} | — | — | — | — | — | — | {'; '.join(failures)[:200]} |")
                    continue
                base.setdefault(name, summary["rps"])
                lines.append(f"| {memory} MiB | {name} | {summary['rps']:,.0f} | {guests.ratio(summary['rps'], base[name])} | "
                             f"{guests.fmt(summary['p50'], '.2f')} | {guests.fmt(summary['p99'], '.2f')} | "
                             f"{guests.fmt(summary['cpu_us'], ',.0f')} | {summary['errors']} | {summary['n']} ok"
                             + (f", {len(failures)} failed: {failures[0][:120]}" if failures else "") + " |")
        lines.append("")
    guests.write_report(OUT, lines)


if __name__ == "__main__":
    main()
