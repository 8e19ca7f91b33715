#!/usr/bin/python3
"""CosmosNet against a minimal Linux guest, both booted the same way: tools/guest (the harness's one QEMU
command line; -kernel, serial on stdout, each line time-stamped with the host clock from QEMU's start). Boot
times are those stamps: from QEMU's start to the first serial line and to the app's main.
Micro-benchmarks come from each guest's own "BENCH name value unit" lines (CosmosNet's from
bench/results/kernel.txt, written by make bench-kernel in the same run). Writes bench/results/kernel-vs-linux.md.
Every guest started here has a timeout and is stopped on the way out."""
import os, select, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
os.chdir(ROOT)
ACCEL = os.environ.get("COSMOS_ACCEL", "tcg")
BOOTS = int(os.environ.get("BENCH_BOOTS", "3"))
LINUX = "iso/bench-linux"
HELLO = "iso/bench-boot/cosmosnet.elf"
GUEST = ["tools/guest", "qemu", "--timestamps"]
running = set()


def cosmos(mib=512, append=None):
    return GUEST + ["--memory", str(mib), "--kernel", HELLO] + (["--append", append] if append else [])


def linux(mode, mib=512):
    return GUEST + ["--memory", str(mib), "--kernel", f"{LINUX}/vmlinuz", "--initrd", f"{LINUX}/initramfs.cpio.gz",
                    "--append", f"console=ttyS0 panic=-1 -- {mode}", "--no-exit-device"]


def boot(cmd, markers, timeout, on_line=None):
    """Runs one guest to its end (or timeout). Returns (seconds to first line, {marker: seconds}, text), the
    seconds from the harness's stamps ("SECONDS TEXT" per line). on_line(text so far, seconds) may end the run."""
    start = time.monotonic()
    p = subprocess.Popen(cmd + ["--timeout", str(timeout)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    running.add(p)
    buf, text, first, seen = b"", [], None, {}
    try:
        while time.monotonic() - start < timeout:
            ready, _, _ = select.select([p.stdout], [], [], 0.05)
            if not ready:
                if p.poll() is not None:
                    break
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *complete, buf = buf.split(b"\n")
            done = False
            for raw in complete:
                stamp, _, line = raw.decode(errors="replace").replace("\r", "").partition(" ")
                try:
                    t = float(stamp)
                except ValueError:   # the harness's own messages (e.g. a build)
                    continue
                text.append(line)
                if first is None and line.strip():
                    first = t
                for m in markers:
                    if m not in seen and m in line:
                        seen[m] = t
                if on_line and on_line("\n".join(text), t):
                    done = True
            if done:
                break
    finally:
        stop(p)
    return first, seen, "\n".join(text)


def stop(p):
    """SIGTERM: the harness then kills QEMU (a SIGKILL would leave QEMU running)."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
    p.wait()
    running.discard(p)


def median_boot(cmd, main_marker, timeout):
    firsts, mains = [], []
    for _ in range(BOOTS):
        first, seen, _ = boot(cmd, [main_marker], timeout)
        if first is not None and main_marker in seen:
            firsts.append(first)
            mains.append(seen[main_marker])
    if not mains:
        return None, None
    return statistics.median(firsts), statistics.median(mains)


def min_memory(make_cmd, ok_marker, timeout):
    """Smallest of 32/64/128/256 MiB with which the guest reaches ok_marker, and what each size did."""
    notes = []
    for mib in (32, 64, 128, 256):
        first, seen, _ = boot(make_cmd(mib), [ok_marker], timeout)
        notes.append(f"{mib}M " + ("ok" if ok_marker in seen else "fails" if first else "fails, no serial output"))
        if ok_marker in seen:
            return mib, "; ".join(notes)
    return None, "; ".join(notes)


def idle_cpu(cmd, window=10.0, timeout=300):
    """QEMU's host CPU (utime+stime from /proc/<pid>/stat) over `window` s while the guest idles."""
    hz = os.sysconf("SC_CLK_TCK")
    result = {}
    pid_file = os.path.join(tempfile.mkdtemp(prefix="bench-linux-"), "qemu.pid")

    def ticks(pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])   # utime, stime (fields 14, 15)

    def on_line(text, t):
        if "IDLE-START" not in text:
            return False
        with open(pid_file) as f:
            pid = int(f.read())
        time.sleep(2)
        t0 = ticks(pid)
        time.sleep(window)
        result["cpu"] = (ticks(pid) - t0) * 100.0 / hz / window
        return True

    boot(cmd + ["--pid-file", pid_file], [], timeout, on_line)
    return result.get("cpu")


def bench_lines(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("BENCH "):
            parts = line.split()
            out[parts[1]] = (float(parts[2]), parts[3])
        elif line and not line.startswith("#") and len(line.split()) >= 3 and not line.startswith("["):
            parts = line.split()
            try:
                out[parts[0]] = (float(parts[1]), parts[2])
            except ValueError:
                pass
    return out


def main():
    load_before = os.getloadavg()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print("bench-linux: boot times", flush=True)
    c_first, c_main = median_boot(cosmos(), "Hello from CosmosNet", 120)
    l_first, l_main = median_boot(linux("boot"), "MAIN ", 300)

    print("bench-linux: Linux micro-benchmarks", flush=True)
    _, _, text = boot(linux("bench"), ["DONE"], 600, lambda text, t: "DONE" in text)
    lx = bench_lines("\n".join(l for l in text.splitlines() if l.startswith("BENCH ")))
    try:
        with open("bench/results/kernel.txt") as f:
            kernel_txt = f.read()
        cn = bench_lines(kernel_txt)
        cn_source = kernel_txt.splitlines()[0].lstrip("# ")
    except OSError:
        cn, cn_source = {}, "bench/results/kernel.txt missing (run make bench-kernel)"

    print("bench-linux: idle host CPU", flush=True)
    l_idle = idle_cpu(linux("idle"))
    print("bench-linux: RAM needed to boot", flush=True)
    c_mem, c_mem_notes = min_memory(cosmos, "Main returned 0", 120)
    l_mem, l_mem_notes = min_memory(lambda m: linux("boot", m), "DONE", 300)
    load_after = os.getloadavg()

    def f(v, unit, fmt="{:.0f}"):
        return "n/a" if v is None else fmt.format(v) + " " + unit

    def ms(v):
        return f(None if v is None else v * 1000, "ms")

    def pick(d, key):
        return d[key][0] if key in d else None

    rows = [
        ("QEMU start → first serial line", ms(c_first), ms(l_first),
         f"host clock, median of {BOOTS} boots, -m 512M"),
        ("QEMU start → app main", ms(c_main), ms(l_main),
         "host clock until 'Hello from CosmosNet' (Apps/Hello) / 'MAIN' (first line of /init's main)"),
    ]
    for key, what, how in [
        ("timer_wakeup_latency_p50", "timer wake-up latency p50", "1 ms sleep, wake time − deadline, 500 samples (Scheduler.Sleep / clock_nanosleep TIMER_ABSTIME)"),
        ("timer_wakeup_latency_p99", "timer wake-up latency p99", "same samples"),
        ("timer_wakeup_latency_max", "timer wake-up latency max", "same samples"),
    ]:
        rows.append((what, f(pick(cn, key), "µs", "{:.1f}"), f(pick(lx, key), "µs", "{:.1f}"), how))
    rows += [
        ("thread switch", f(pick(cn, "thread_switch"), "ns"), f(pick(lx, "thread_switch"), "ns"),
         "two threads yielding to each other on 1 vCPU, time / switches (Scheduler.Yield / sched_yield)"),
        ("blocking hand-off (one way)", f(pick(cn, "monitor_handoff"), "ns"), f(pick(lx, "monitor_handoff"), "ns"),
         "ping-pong, wake + switch per hand-off (Monitor.Wait/Pulse / futex wait/wake)"),
        ("idle guest host CPU", f(pick(cn, "idle_guest_host_cpu"), "% of a core", "{:.2f}"),
         f(l_idle, "% of a core", "{:.2f}"), "QEMU's utime+stime from /proc/<pid>/stat over 10 s, guest asleep"),
        ("guest RAM needed to boot", f(c_mem, "MiB", "≤ {}"), f(l_mem, "MiB", "≤ {}"),
         f"smallest -m of 32/64/128/256 M reaching the app's end (CosmosNet: {c_mem_notes}; Linux: {l_mem_notes})"),
    ]
    kver = open(f"{LINUX}/kernel-version").read().strip()
    with open("bench/results/kernel-vs-linux.md", "w") as out:
        out.write(f"# CosmosNet vs a minimal Linux guest ({stamp})\n\n")
        out.write(f"QEMU accel={ACCEL}, host {os.cpu_count()} CPUs, load average {load_before[0]:.2f} at start, "
                  f"{load_after[0]:.2f} at end (shared machine: treat tails as noisy).\n")
        out.write(f"CosmosNet: Apps/Hello for boot/RAM; micro-benchmarks from bench/results/kernel.txt ({cn_source}).\n")
        out.write(f"Linux: Debian {kver}, initramfs with one static C /init (bench/linux-guest/measure.c), "
                  "-append 'console=ttyS0 panic=-1 -- <mode>'. Both booted by tools/guest qemu.\n\n")
        out.write("| metric | CosmosNet | Linux guest | how measured |\n|---|---|---|---|\n")
        for r in rows:
            out.write("| " + " | ".join(r) + " |\n")
    print(open("bench/results/kernel-vs-linux.md").read())


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main()
    finally:
        for p in list(running):
            stop(p)
