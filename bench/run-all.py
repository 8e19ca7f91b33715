#!/usr/bin/python3
"""make bench: runs every target listed in bench/targets.json, in that order, then writes
bench/results/summary.md — each figure, the target and file it came from, when it ran and the host load
average at that moment. A failing target is recorded and the rest still run.
    bench/run-all.py [target ...]   (default: all targets of bench/targets.json)"""
import json, os, re, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RESULTS = os.path.join(ROOT, "bench", "results")


def targets():
    """{target: result files under bench/results/}, in the order of bench/targets.json."""
    with open(os.path.join(ROOT, "bench", "targets.json")) as f:
        return {t["target"]: t["results"] for t in json.load(f)["targets"]}


def figures(name, text):
    """Markdown for one result file: 'name value unit' lines become table rows; markdown stays as it is;
    anything else is quoted verbatim."""
    if name.endswith(".md"):
        return text.strip() + "\n"
    rows, other = [], []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"-?[\d.]+", parts[1]) and not line.startswith("#"):
            rows.append(f"| {parts[0]} | {parts[1]} | {' '.join(parts[2:])} |")
        elif line.strip() and line.strip() != "BENCH-DONE":
            other.append(line)
    out = ""
    if other:
        out += "```\n" + "\n".join(other) + "\n```\n"
    if rows:
        out += "\n| figure | value | unit |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    return out


def main():
    os.makedirs(RESULTS, exist_ok=True)
    runs = []
    known = targets()
    for target in sys.argv[1:] or list(known):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        load = os.getloadavg()
        start = time.time()
        print(f"== make {target} ({stamp}, load {load[0]:.2f})", flush=True)
        status = subprocess.call(["make", "--no-print-directory", target], cwd=ROOT)
        # Only files this run rewrote: an older file would be a stale figure.
        files = [n for n in known.get(target, []) if os.path.exists(os.path.join(RESULTS, n))
                 and os.path.getmtime(os.path.join(RESULTS, n)) >= start - 1]
        runs.append(dict(target=target, stamp=stamp, load=load, end_load=os.getloadavg(),
                         seconds=time.time() - start, status=status, files=files))

    with open(os.path.join(RESULTS, "summary.md"), "w") as out:
        out.write(f"# make bench summary ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())})\n\n")
        out.write(f"Host: {os.cpu_count()} CPUs, {os.uname().release}. Load average is the 1/5/15-minute "
                  "figure when the target started (and the 1-minute one when it ended): the machine is shared, "
                  "so read latency tails with it.\n\n")
        out.write("| target | started (UTC) | load at start | load at end | wall time | status | wrote |\n"
                  "|---|---|---|---|---|---|---|\n")
        for r in runs:
            out.write(f"| make {r['target']} | {r['stamp']} | {' / '.join(f'{x:.2f}' for x in r['load'])} | "
                      f"{r['end_load'][0]:.2f} | {r['seconds']:.0f} s | "
                      f"{'ok' if r['status'] == 0 else 'FAILED (exit %d)' % r['status']} | "
                      f"{', '.join('bench/results/' + f for f in r['files']) or '—'} |\n")
        for r in runs:
            for name in r["files"]:
                with open(os.path.join(RESULTS, name)) as f:
                    text = f.read()
                out.write(f"\n## bench/results/{name} (make {r['target']}, {r['stamp']}, "
                          f"load {r['load'][0]:.2f})\n\n{figures(name, text)}")
    print(open(os.path.join(RESULTS, "summary.md")).read())
    sys.exit(1 if any(r["status"] for r in runs) else 0)


if __name__ == "__main__":
    main()
