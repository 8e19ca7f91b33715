"""What make bench-http, bench-nic and bench-aspnet share: a network namespace with one TAP device, and the two
guests booted on it one at a time through tools/guest (the harness's one QEMU command line) with the same NIC, RAM
and vCPU count and a static address. What they serve is a Serving; by default HTTPSERVER:
  CosmosNet  Apps/HttpServer (iso/bench-http/cosmosnet.elf), ready at "http: listening"
  Linux      Debian's kernel + bench/linux-guest/serve.cpio.gz (nginx, echo, POST echo, iperf3), ready at "SERVING"
(make bench-aspnet: ASPNET in aspnet_bench.py, Apps/AspNetMinimal on both sides.)
Host-side clients run inside the namespace (`ip netns exec`). Everything started here is stopped on the way out."""
import json, os, queue, subprocess, threading, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COSMOS_ELF = "iso/bench-http/cosmosnet.elf"
LINUX = "iso/bench-linux"
HOST_ADDRESS, GUEST_ADDRESS, PREFIX = "10.79.0.1", "10.79.0.2", 24
MEMORY_MIB = int(os.environ.get("BENCH_MEMORY", "512"))
NICS = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"]


class Serving:
    """What a guest pair serves: the CosmosNet image and the serial line that says it serves, the Linux guest's
    initramfs (its /init prints "SERVING"), and command-line words both get (the app's arguments)."""

    def __init__(self, cosmos_elf, cosmos_ready, linux_initrd, args=""):
        self.cosmos_elf, self.cosmos_ready, self.linux_initrd, self.args = cosmos_elf, cosmos_ready, linux_initrd, args


HTTPSERVER = Serving(COSMOS_ELF, "http: listening", f"{LINUX}/serve.cpio.gz")


def sh(*cmd, timeout=30, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stdout.strip()}")
    return r.stdout


class Namespace:
    """A fresh network namespace "bh<pid>" with TAP "bhtap<pid>" at HOST_ADDRESS; deleted on close."""

    def __init__(self):
        self.name, self.tap = f"bh{os.getpid()}", f"bhtap{os.getpid()}"[:15]
        sh("ip", "netns", "add", self.name)
        try:
            sh("ip", "-n", self.name, "link", "set", "lo", "up")
            sh("ip", "-n", self.name, "tuntap", "add", "dev", self.tap, "mode", "tap")
            sh("ip", "-n", self.name, "addr", "add", f"{HOST_ADDRESS}/{PREFIX}", "dev", self.tap)
            sh("ip", "-n", self.name, "link", "set", self.tap, "up")
        except Exception:
            self.close()
            raise

    def run(self, *cmd, timeout):
        """A command inside the namespace to its end: (exit status, output)."""
        r = subprocess.run(["ip", "netns", "exec", self.name, *cmd], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=ROOT)
        return r.returncode, r.stdout

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Guest:
    """One QEMU guest on the namespace's TAP device; `with` stops it (SIGTERM to tools/guest, which kills QEMU)."""

    def __init__(self, kind, nic, ns, timeout=600, memory_mib=None, serving=HTTPSERVER):
        self.kind, self.nic = kind, nic
        self.started = time.monotonic()   # Popen; QEMU's own start is qemu_started()
        self.pid_file = f"/tmp/bh-{os.getpid()}-{kind}.pid"
        if os.path.exists(self.pid_file):
            os.remove(self.pid_file)
        cmd = ["tools/guest", "qemu", "--timestamps", "--timeout", str(timeout), "--memory", str(memory_mib or MEMORY_MIB),
               "--nic", nic, "--tap", ns.tap, "--netns", ns.name, "--pid-file", self.pid_file]
        if kind == "cosmos":
            cmd += ["--kernel", serving.cosmos_elf, "--append",
                    f"ip={GUEST_ADDRESS}/{PREFIX} gw={HOST_ADDRESS} {serving.args}".strip()]
            self.ready = serving.cosmos_ready
        else:
            cmd += ["--kernel", f"{LINUX}/vmlinuz", "--initrd", serving.linux_initrd, "--no-exit-device",
                    "--append", f"console=ttyS0 panic=-1 quiet -- serve {GUEST_ADDRESS}/{PREFIX} {serving.args}".strip()]
            self.ready = "SERVING"
        self.lines = []
        self.arrivals = []   # (host monotonic time a line was read, its time stamp: seconds since QEMU's start)
        self._new = queue.Queue()
        self.process = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            now = time.monotonic()
            self.lines.append(line.rstrip("\n"))
            try:
                self.arrivals.append((now, float(line.split(" ", 1)[0])))
            except ValueError:
                pass
            self._new.put(line)
        self._new.put(None)

    def wait_ready(self, timeout):
        """Seconds (host clock, from QEMU's start) until the ready line; raises with the serial output if none."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if self.ready in line:
                    return float(line.split(" ", 1)[0])
            try:
                if self._new.get(timeout=0.2) is None:
                    break
            except queue.Empty:
                pass
        raise RuntimeError(f"{self.kind}/{self.nic}: no '{self.ready}' line; serial:\n" + "\n".join(self.lines[-30:]))

    def qemu_started(self):
        """QEMU's start on the host's monotonic clock (time.monotonic()): each time-stamped serial line read at host time
        T with stamp s says the start was at most T - s; the smallest bound is the closest. None before any line."""
        return min((t - s for t, s in self.arrivals), default=None)

    def alive(self):
        return self.process.poll() is None

    def cpu_seconds(self):
        """QEMU's host CPU so far: utime + stime from /proc/<pid>/stat."""
        with open(self.pid_file) as f:
            pid = int(f.read())
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.path.exists(self.pid_file):
            os.remove(self.pid_file)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def build_images():
    """The CosmosNet image (Apps/HttpServer) and the Linux guest, built once per run; BENCH_SKIP_BUILD=1 takes the
    images of the previous run as they are (a rebuild under load takes minutes even when nothing changed)."""
    if os.environ.get("BENCH_SKIP_BUILD") == "1":
        missing = [p for p in (COSMOS_ELF, f"{LINUX}/vmlinuz", f"{LINUX}/serve.cpio.gz") if not os.path.exists(os.path.join(ROOT, p))]
        if missing:
            raise SystemExit(f"BENCH_SKIP_BUILD=1 but no {', '.join(missing)}: run once without it")
        return
    subprocess.run(["bench/linux-guest/build.sh"], cwd=ROOT, check=True)
    subprocess.run(["tools/guest", "build", "Apps/HttpServer", "--image-dir", "iso/bench-http"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def host_note():
    kver = open(os.path.join(ROOT, LINUX, "kernel-version")).read().strip()
    qemu = "QEMU " + sh("dpkg-query", "-W", "-f=${Version}", "qemu-system-x86", check=False).strip()
    return kver, qemu


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def loadavg():
    return os.getloadavg()[0]


def ratio(a, b):
    """CosmosNet / Linux, as the tables print it."""
    return f"{a / b:.2f}×" if a is not None and b else "n/a"


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def write_report(path, lines):
    """Writes a results file and shows it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def as_json_line(output, prefix):
    """The JSON object on the line that starts with prefix (a client's or wrk's summary)."""
    for line in output.splitlines():
        if line.startswith(prefix):
            return json.loads(line[len(prefix):])
    raise RuntimeError(f"no '{prefix}' line in:\n{output}")
