#!/usr/bin/python3
"""The soak driver (issue 14, `make soak`): mixed load against Apps/HttpServer for MINUTES, run inside the network
namespace bench/soak/run.sh made. Python standard library only.

  soak.py ADDR MINUTES RESULTS_DIR SERIAL_LOG

Load, all at once: keep-alive clients (GET / and GET /status-free pages on persistent connections), short connections
(one GET each), large POSTs (1 MiB echoed and compared), and every FLOOD_EVERY seconds a burst of FLOOD_SIZE
connections opened together, held a few seconds and closed. Every 10 s it samples the guest's /status (memory,
connections, collections, pauses, contained faults) and its own counters (requests, failures in and outside bursts),
then writes RESULTS_DIR/soak.md (table + summary) and RESULTS_DIR/soak.svg (plot).
"""
import http.client, json, os, socket, sys, threading, time

ADDR, MINUTES, RESULTS, SERIAL = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
SAMPLE = 10
FLOOD_EVERY, FLOOD_SIZE, FLOOD_HOLD = 120, 200, 5
KEEPALIVE, SHORT, POSTERS, POST_BYTES = 4, 2, 1, 1 << 20

lock = threading.Lock()
counts = {"ok": 0, "fail": 0, "fail_in_burst": 0, "post_ok": 0, "post_bad": 0}
in_burst = threading.Event()
stop = threading.Event()


def count(key, n=1):
    with lock:
        counts[key] += n


def failed(what, e):
    count("fail_in_burst" if in_burst.is_set() else "fail")
    with lock:
        errors.append(f"{time.strftime('%H:%M:%S')} {what}: {type(e).__name__}: {e}")


errors = []


def keepalive():
    conn = None
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection(ADDR, 80, timeout=30)
            conn.request("GET", "/")
            r = conn.getresponse()
            body = r.read()
            if r.status != 200 or b"Hello from CosmosNet" not in body:
                raise RuntimeError(f"status {r.status}")
            count("ok")
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:
            failed("keep-alive GET /", e)
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.5)


def short():
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection(ADDR, 80, timeout=30)
            conn.request("GET", "/", headers={"Connection": "close"})
            r = conn.getresponse()
            r.read()
            conn.close()
            if r.status != 200:
                raise RuntimeError(f"status {r.status}")
            count("ok")
        except Exception as e:
            failed("short GET /", e)
            time.sleep(0.5)


def poster():
    body = os.urandom(POST_BYTES)
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection(ADDR, 80, timeout=120)
            conn.request("POST", "/", body=body, headers={"Connection": "close"})
            r = conn.getresponse()
            echoed = r.read()
            conn.close()
            if r.status != 200 or echoed != body:
                count("post_bad")
                raise RuntimeError(f"status {r.status}, {len(echoed)} bytes back")
            count("post_ok")
            count("ok")
        except Exception as e:
            failed("POST / 1 MiB", e)
            time.sleep(0.5)


def flooder():
    next_burst = time.monotonic() + FLOOD_EVERY / 2
    while not stop.wait(1):
        if time.monotonic() < next_burst:
            continue
        in_burst.set()
        socks = []
        for _ in range(FLOOD_SIZE):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((ADDR, 80))
            socks.append(s)
        time.sleep(FLOOD_HOLD)
        for s in socks:
            s.close()
        time.sleep(5)   # the burst's closes settle; failures until then count as in-burst
        in_burst.clear()
        next_burst = time.monotonic() + FLOOD_EVERY


def status():
    conn = http.client.HTTPConnection(ADDR, 80, timeout=30)
    conn.request("GET", "/status", headers={"Connection": "close"})
    r = conn.getresponse()
    data = json.loads(r.read())
    conn.close()
    return data


def panics():
    try:
        with open(SERIAL, errors="replace") as f:
            return sum(1 for line in f if "PANIC" in line)
    except OSError:
        return 0


def main():
    threads = [threading.Thread(target=t, daemon=True) for t in [keepalive] * KEEPALIVE + [short] * SHORT + [poster] * POSTERS + [flooder]]
    for t in threads:
        t.start()
    samples, start = [], time.monotonic()
    last = dict(counts)
    end = start + MINUTES * 60
    while time.monotonic() < end:
        time.sleep(max(0, start + (len(samples) + 1) * SAMPLE - time.monotonic()))
        with lock:
            now = dict(counts)
        try:
            st = status()
        except Exception as e:
            st = None
            with lock:
                errors.append(f"{time.strftime('%H:%M:%S')} /status: {type(e).__name__}: {e}")
        row = {"t": round(time.monotonic() - start), "burst": in_burst.is_set(),
               "req": now["ok"] - last["ok"], "fail": now["fail"] - last["fail"], "fail_burst": now["fail_in_burst"] - last["fail_in_burst"]}
        if st:
            row.update(heap=st["HeapLiveBytes"], committed=st["HeapCommittedBytes"], used=st["MemoryUsedBytes"], tcp=st["TcpConnections"],
                       http=st["HttpConnections"], gcs=st["GcCollections"], pause_ms=st["GcPauseTotalMs"], pause_max=st["GcPauseMaxUs"],
                       faults=st["HttpFaults"] + st["TcpFaults"] + st["InputFaults"] + st["LoopFaults"])
        samples.append(row)
        last = now
        print(json.dumps(row), flush=True)
    stop.set()
    write(samples, time.monotonic() - start)


def write(samples, seconds):
    os.makedirs(RESULTS, exist_ok=True)
    mib = lambda b: b / 1048576
    ok = [s for s in samples if "heap" in s]
    heaps = [mib(s["heap"]) for s in ok]
    first_half = heaps[: max(1, len(heaps) // 2)]
    second_half = heaps[len(heaps) // 2:] or first_half
    with lock:
        total = dict(counts)
    lines = [
        "# Soak: Apps/HttpServer under mixed load (`make soak`)", "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {seconds / 60:.1f} minutes (SOAK_MINUTES={MINUTES:g}) under QEMU TCG, e1000 on a TAP device, "
        f"256 MiB guest; host load {os.getloadavg()[0]:.1f} at the end; {os.cpu_count()} host cores.", "",
        f"Load: {KEEPALIVE} keep-alive clients (GET /), {SHORT} short-connection clients (GET /, Connection: close), {POSTERS} client POSTing "
        f"{POST_BYTES >> 20} MiB to the echo (compared), and every {FLOOD_EVERY} s a burst of {FLOOD_SIZE} connections held {FLOOD_HOLD} s then closed. "
        f"Sampled every {SAMPLE} s from GET /status (HeapLiveBytes is the live heap after the last collection).", "",
        "## Summary", "",
        f"- requests served: {total['ok']} ({total['ok'] / max(seconds, 1):.1f}/s); 1 MiB POST echoes intact: {total['post_ok']}, corrupted: {total['post_bad']}",
        f"- failed requests outside flood bursts: **{total['fail']}**; during bursts: {total['fail_in_burst']}",
        f"- panics on the serial console: **{panics()}**",
        f"- live heap: min {min(heaps, default=0):.1f} MiB, max {max(heaps, default=0):.1f} MiB; mean of the first half {sum(first_half) / max(1, len(first_half)):.1f} MiB, "
        f"of the second half {sum(second_half) / max(1, len(second_half)):.1f} MiB",
        f"- physical memory in use (last): {mib(ok[-1]['used']) if ok else 0:.1f} MiB; collections: {ok[-1]['gcs'] if ok else 0}; "
        f"total GC pause {ok[-1]['pause_ms'] if ok else 0:.0f} ms; longest pause {ok[-1]['pause_max'] if ok else 0:.0f} µs",
        f"- contained faults (HTTP + TCP + input + loop): {ok[-1]['faults'] if ok else 0}",
        "", "![soak plot](soak.svg)", "",
        "## Samples", "",
        "| t (s) | burst | requests | failed | failed in burst | live heap MiB | committed MiB | RAM used MiB | TCP conns | HTTP conns | GCs | GC pause total ms | faults |",
        "|---:|:-:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in samples:
        if "heap" in s:
            lines.append(f"| {s['t']} | {'x' if s['burst'] else ''} | {s['req']} | {s['fail']} | {s['fail_burst']} | {mib(s['heap']):.1f} | {mib(s['committed']):.1f} | "
                         f"{mib(s['used']):.1f} | {s['tcp']} | {s['http']} | {s['gcs']} | {s['pause_ms']:.0f} | {s['faults']} |")
        else:
            lines.append(f"| {s['t']} | {'x' if s['burst'] else ''} | {s['req']} | {s['fail']} | {s['fail_burst']} | /status failed | | | | | | | |")
    with lock:
        if errors:
            lines += ["", "## Failures (first 30)", ""] + [f"- {e}" for e in errors[:30]]
    with open(os.path.join(RESULTS, "soak.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(RESULTS, "soak.svg"), "w") as f:
        f.write(svg(samples))


def svg(samples):
    """Three stacked panels over time: live heap and RAM used (MiB), connections, requests and failures per interval."""
    W, H, L, P = 900, 600, 60, 20
    panels = [("memory (MiB)", [("live heap", "#1f77b4", lambda s: s.get("heap", 0) / 1048576), ("RAM used", "#ff7f0e", lambda s: s.get("used", 0) / 1048576)]),
              ("connections", [("TCP", "#2ca02c", lambda s: s.get("tcp", 0)), ("HTTP", "#9467bd", lambda s: s.get("http", 0))]),
              (f"per {SAMPLE} s", [("requests", "#17becf", lambda s: s["req"]), ("failed", "#d62728", lambda s: s["fail"] + s["fail_burst"])])]
    tmax = max([s["t"] for s in samples] + [1])
    ph = (H - P * (len(panels) + 1)) / len(panels)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    for i, (title, series) in enumerate(panels):
        top = P + i * (ph + P)
        vmax = max([f(s) for s in samples for _, _, f in series] + [1]) * 1.1
        out.append(f'<rect x="{L}" y="{top}" width="{W - L - P}" height="{ph}" fill="none" stroke="#999"/>')
        out.append(f'<text x="{L + 4}" y="{top + 12}">{title}</text>')
        out.append(f'<text x="{L - 4}" y="{top + 10}" text-anchor="end">{vmax:.0f}</text><text x="{L - 4}" y="{top + ph}" text-anchor="end">0</text>')
        for s in samples:
            if s["burst"]:
                x = L + s["t"] / tmax * (W - L - P)
                out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee" stroke-width="6"/>')
        for j, (name, colour, f) in enumerate(series):
            pts = " ".join(f"{L + s['t'] / tmax * (W - L - P):.1f},{top + ph - f(s) / vmax * ph:.1f}" for s in samples)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            out.append(f'<text x="{W - P - 4}" y="{top + 12 + 12 * j}" text-anchor="end" fill="{colour}">{name}</text>')
    out.append(f'<text x="{L}" y="{H - 4}">0 s</text><text x="{W - P}" y="{H - 4}" text-anchor="end">{tmax} s (grey: flood bursts)</text></svg>')
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
