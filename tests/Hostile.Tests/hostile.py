#!/usr/bin/python3
"""Hostile clients for tests/Hostile.Tests (issue 14), run inside the test's network namespace by the Debian python3
(scapy from python3-scapy builds the forged frames). Each command prints one JSON object with what it saw.

  flood      ADDR PORT COUNT HOLD [STATUS_PORT]  COUNT connects at once (the kernel's default SYN retries), held HOLD s,
             one byte echoed on each, closed; with STATUS_PORT the server's GET /status from just before the close
  synflood   TAP DSTMAC ADDR PORT SECS  forged SYNs from unreachable sources, as fast as the TAP takes them
  slowloris  ADDR PORT COUNT EVERY SECS COUNT connections sending one header byte every EVERY s
  noread     ADDR PORT COUNT BYTES HOLD COUNT POSTs of BYTES whose echo is never read, held HOLD s
  frames     TAP DSTMAC ADDR COUNT SEED [UNIQUE]  COUNT random and mutated frames (UNIQUE of them built, default 10,000,
             sent round and round), plus injections into a live connection
  relay      TAP GUESTPORT RELAYPORT SEED   frames between QEMU's datagram netdev and a TAP device, impaired like
             netem loss 5% reorder 25% duplicate 1% corrupt 0.1% delay 5 ms ± 2 ms (this kernel has no sch_netem)
  transfer   ADDR PORT BYTES [SEED]     BYTES of random data to an echo port while reading the echo; SHA-256 of both
"""
import errno, http.client, json, os, random, select, socket, struct, sys, threading, time


def out(**kv):
    print(json.dumps(kv), flush=True)


def raise_nofile(n):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, n), hard), hard))


# ---- connection-level attacks (kernel sockets) -----------------------------------------------------------------------

errors = {}   # errno name -> count, of the last connect_many
FLOOD_PER_WORKER = 10_000


def connect_many(addr, port, count, timeout, syn_retries=2):
    """Non-blocking connects at once (SYN_RETRIES retransmissions of each SYN; None: the kernel's default, 6); returns
    (connected sockets, failed count, timed-out count, seconds)."""
    ep = select.epoll()
    pending, connected, failed = {}, [], 0
    errors.clear()
    start = time.monotonic()
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if syn_retries is not None:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, syn_retries)
        err = s.connect_ex((addr, port))
        if err not in (0, errno.EINPROGRESS):
            failed += 1
            errors[errno.errorcode.get(err, str(err))] = errors.get(errno.errorcode.get(err, str(err)), 0) + 1
            s.close()
            continue
        pending[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLOUT)
    while pending and time.monotonic() - start < timeout:
        for fd, _ in ep.poll(0.5):
            s = pending.pop(fd)
            ep.unregister(fd)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err == 0:
                connected.append(s)
            else:
                failed += 1
                errors[errno.errorcode.get(err, str(err))] = errors.get(errno.errorcode.get(err, str(err)), 0) + 1
                s.close()
    timed_out = len(pending)
    for s in pending.values():
        s.close()
    ep.close()
    return connected, failed, timed_out, time.monotonic() - start


def flood(addr, port, count, hold, status_port=None):
    """COUNT connects at once from worker processes of at most FLOOD_PER_WORKER sockets each (the open-file limit),
    started together. Once every worker has connected all it could, the connections are held HOLD s; then each worker
    checks which are still open and sends one byte on each, which an echo port must return; then the server's GET
    /status is taken (with STATUS_PORT) while all are still open, and the workers close them."""
    import multiprocessing
    count = int(count)
    workers = -(-count // FLOOD_PER_WORKER)
    mp = multiprocessing.get_context("fork")
    connected_q, checked_q, echo, close = mp.Queue(), mp.Queue(), mp.Event(), mp.Event()

    def worker(n):
        raise_nofile(n + 100)
        # As a normal client connects: a SYN lost in the burst is retransmitted after 1, 3, 7, ... s (6 times, ~127 s).
        conns, failed, timed_out, secs = connect_many(addr, port, n, 150, syn_retries=None)
        connected_q.put((len(conns), failed, timed_out, secs, dict(errors)))
        echo.wait()
        alive = 0   # still open after the hold? A read that would block means the server kept it
        for s in conns:
            try:
                if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b"":
                    alive += 1
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        checked_q.put((alive, echo_round(conns, 120)))
        close.wait()
        for s in conns:
            s.close()

    procs = [mp.Process(target=worker, args=(min(FLOOD_PER_WORKER, count - i * FLOOD_PER_WORKER),)) for i in range(workers)]
    for p in procs:
        p.start()
    results = [connected_q.get() for _ in procs]
    time.sleep(float(hold))
    echo.set()
    checked = [checked_q.get() for _ in procs]
    server = None
    if status_port is not None:   # what the server holds, while every connection is still open on this side
        try:
            c = http.client.HTTPConnection(addr, int(status_port), timeout=60)
            c.request("GET", "/status")
            server = json.loads(c.getresponse().read())
            c.close()
        except (OSError, ValueError) as e:
            server = {"error": f"{type(e).__name__}: {e}"}
    close.set()
    for p in procs:
        p.join()
    all_errors = {}
    for r in results:
        for k, v in r[4].items():
            all_errors[k] = all_errors.get(k, 0) + v
    out(connected=sum(r[0] for r in results), failed=sum(r[1] for r in results), errors=all_errors,
        timed_out=sum(r[2] for r in results), connect_seconds=round(max(r[3] for r in results), 2),
        alive_after_hold=sum(c[0] for c in checked), echoed=sum(c[1] for c in checked), server=server)


def echo_round(conns, timeout, window=500):
    """Sends one byte on every connection, WINDOW of them awaiting their echo at a time (a check, not a second burst:
    20,000 at once would be lost in the queues in front of the guest and retransmitted with backoff), and counts those
    echoed back within TIMEOUT s."""
    ep = select.epoll()
    todo, waiting = list(conns), {}
    echoed, deadline = 0, time.monotonic() + timeout
    while (todo or waiting) and time.monotonic() < deadline:
        while todo and len(waiting) < window:
            s = todo.pop()
            try:
                if s.send(b"x") == 1:
                    waiting[s.fileno()] = s
                    ep.register(s.fileno(), select.EPOLLIN)
            except OSError:
                pass
        for fd, _ in ep.poll(0.5):
            s = waiting.pop(fd)
            ep.unregister(fd)
            try:
                echoed += s.recv(1) == b"x"
            except OSError:
                pass
    ep.close()
    return echoed


def slowloris(addr, port, count, every, secs):
    raise_nofile(int(count) + 100)
    conns, failed, timed_out, _ = connect_many(addr, port, int(count), 60)
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
    sent = {s: 0 for s in conns}
    closed_at, statuses = {}, {}
    start = time.monotonic()
    next_send = start
    while sent and time.monotonic() - start < float(secs):
        now = time.monotonic()
        if now >= next_send:
            for s in list(sent):
                try:
                    s.send(head[sent[s] % len(head):][:1])
                    sent[s] += 1
                except OSError:
                    pass
            next_send = now + float(every)
        readable, _, _ = select.select(list(sent)[:1000], [], [], 0.2) if sent else ([], [], [])
        for s in readable:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 "):
                code = data[9:12].decode()
                statuses[code] = statuses.get(code, 0) + 1
            if not data or data.startswith(b"HTTP/1.1 "):
                closed_at[s] = time.monotonic() - start
                del sent[s]
                s.close()
    for s in sent:
        s.close()
    times = sorted(closed_at.values())
    out(opened=len(conns), failed=failed, timed_out=timed_out, closed_by_server=len(times), still_open=len(sent),
        statuses=statuses, first_close=round(times[0], 1) if times else None, last_close=round(times[-1], 1) if times else None,
        bytes_sent_max=max([0] + list(sent.values())))


def noread(addr, port, count, size, hold):
    body = os.urandom(int(size))
    conns = []
    for _ in range(int(count)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # the window closes fast and stays closed
        s.settimeout(60)
        s.connect((addr, port))
        conns.append(s)
    sent = 0
    for s in conns:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
    # Send the bodies interleaved; the server echoes into windows that never open again.
    for s in conns:
        s.settimeout(None)
        s.setblocking(True)
        s.sendall(body)
        sent += 1
    time.sleep(float(hold))
    for s in conns:   # RST: SO_LINGER 0 drops what the kernel holds unread
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    out(connections=len(conns), bodies_sent=sent)


# ---- forged frames (AF_PACKET on the TAP) ----------------------------------------------------------------------------

def l2(tap):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((tap, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    return s


def send_paced(sock, frames, pps):
    """Sends every frame, at most pps a second (the TAP queue drops what QEMU does not take in time)."""
    start, n = time.monotonic(), 0
    for f in frames:
        while True:
            try:
                sock.send(f)
                break
            except (BlockingIOError, OSError) as e:
                if getattr(e, "errno", None) not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.001)
        n += 1
        if pps and n % 100 == 0:
            ahead = n / pps - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    return n, time.monotonic() - start


def synflood(tap, dstmac, addr, port, secs):
    from scapy.all import Ether, IP, TCP, get_if_hwaddr
    src = get_if_hwaddr(tap)
    rnd = random.Random(1)
    # Sources in 198.18.0.0/15 (benchmarking space): the guest routes its SYN-ACKs to the namespace, which does not
    # forward them, so every half-open connection waits for an ACK that never comes. SYN_SOURCES distinct ones, well
    # beyond the guest's SYN backlog (4096), from one template scapy builds (it is slow) with the addresses, ports and
    # sequence numbers patched in.
    template = bytearray(bytes(Ether(src=src, dst=dstmac) / IP(src="198.18.0.1", dst=addr)
                               / TCP(dport=int(port), flags="S", window=65535, options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])))
    frames = []
    for i in range(SYN_SOURCES):
        f = bytearray(template)
        struct.pack_into("!H", f, 18, i & 0xFFFF)                                               # IP id
        f[26:30] = bytes((198, 18 + (i >> 16 & 1), rnd.randrange(256), rnd.randrange(1, 255)))  # IP source
        struct.pack_into("!H", f, 34, rnd.randrange(1024, 65535))                                # TCP source port
        struct.pack_into("!I", f, 38, rnd.getrandbits(32))                                      # TCP sequence number
        struct.pack_into("!H", f, 24, 0)
        struct.pack_into("!H", f, 24, inet_checksum(f[14:34]))
        struct.pack_into("!H", f, 50, 0)
        struct.pack_into("!H", f, 50, inet_checksum(bytes(f[26:34]) + struct.pack("!BBH", 0, 6, len(f) - 34) + bytes(f[34:])))
        frames.append(bytes(f))
    sock = l2(tap)
    deadline, sent = time.monotonic() + float(secs), 0
    while time.monotonic() < deadline:
        n, _ = send_paced(sock, frames[:512], 20000)
        sent += n
        frames = frames[512:] + frames[:512]
    out(sent=sent, seconds=float(secs), sources=SYN_SOURCES)


SYN_SOURCES = 32768


def inet_checksum(data):
    """The Internet checksum (RFC 1071) of DATA."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Handshake:
    """A TCP connection from a forged address, driven by hand, so injections can aim inside its window."""

    def __init__(self, tap, mymac, dstmac, myip, addr, port, sock):
        from scapy.all import Ether, IP, TCP
        self.E, self.IP, self.TCP = Ether, IP, TCP
        self.tap, self.mymac, self.dstmac, self.myip, self.addr, self.port, self.sock = tap, mymac, dstmac, myip, addr, port, sock
        self.sport = random.randrange(20000, 30000)
        self.seq = random.getrandbits(32)
        self.ack = None
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.rx.bind((tap, 0))
        self.rx.settimeout(0.2)

    def frame(self, flags, seq=None, ack=None, payload=b"", options=None, window=65535):
        return bytes(self.E(src=self.mymac, dst=self.dstmac) / self.IP(src=self.myip, dst=self.addr)
                     / self.TCP(sport=self.sport, dport=self.port, flags=flags, seq=self.seq if seq is None else seq,
                                ack=(self.ack or 0) if ack is None else ack, window=window, options=options or []) / payload)

    def pump(self, want, seconds=10):
        """Answers ARP for the forged address; returns the first TCP segment from the guest to us that satisfies want."""
        from scapy.all import Ether, ARP, TCP
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                raw = self.rx.recv(65535)
            except socket.timeout:
                continue
            pkt = Ether(raw)
            if ARP in pkt and pkt[ARP].op == 1 and pkt[ARP].pdst == self.myip:
                self.sock.send(bytes(Ether(src=self.mymac, dst=pkt.src) / ARP(op=2, hwsrc=self.mymac, psrc=self.myip, hwdst=pkt.src, pdst=pkt[ARP].psrc)))
            elif TCP in pkt and pkt[TCP].dport == self.sport and want(pkt[TCP]):
                return pkt[TCP]
        return None

    def open(self):
        self.sock.send(self.frame("S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0))]))
        synack = self.pump(lambda t: t.flags & 0x12 == 0x12)
        if synack is None:
            return False
        self.seq += 1
        self.ack = (synack.seq + 1) & 0xFFFFFFFF
        self.sock.send(self.frame("A"))
        return True


def frames(tap, dstmac, addr, count, seed, unique="10000"):
    from scapy.all import Ether, IP, TCP, UDP, ICMP, ARP, Raw, fragment, get_if_hwaddr
    rnd = random.Random(int(seed))
    random.seed(int(seed))
    mymac = get_if_hwaddr(tap)
    sock = l2(tap)
    count = int(count)
    myip = addr.rsplit(".", 1)[0] + ".77"

    # A live connection from a forged address: injections land in its window.
    conn = Handshake(tap, mymac, dstmac, myip, addr, 80, sock)
    opened = conn.open()

    def eth(p):
        return Ether(src=mymac, dst=dstmac) / p

    def rand_opts():
        kinds = [("MSS", rnd.choice([0, 1, 8, 64, 536, 65535])), ("WScale", rnd.randrange(0, 40)), ("SAckOK", b""),
                 ("Timestamp", (rnd.getrandbits(32), rnd.getrandbits(32))), ("NOP", None), ("EOL", None),
                 ("SAck", tuple(rnd.getrandbits(32) for _ in range(rnd.choice([2, 4, 6, 8])))),
                 (rnd.randrange(9, 255), bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 12))))]
        return [rnd.choice(kinds) for _ in range(rnd.randrange(1, 8))]

    def tcp_to_guest(**kw):
        return IP(src=rnd.choice([myip, "10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))]), dst=addr) / \
            TCP(sport=rnd.randrange(1, 65536), dport=rnd.choice([80, 7, 9, rnd.randrange(1, 65536)]), **kw)

    def make(i):
        kind = i % 12
        if kind == 0:   # random bytes after a valid Ethernet header
            return bytes(eth(Raw(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 1500))))))[:14 + rnd.randrange(0, 1500)]
        if kind == 1:   # truncated IPv4/TCP headers
            b = bytes(eth(tcp_to_guest(flags="S")))
            return b[:rnd.randrange(14, len(b))]
        if kind == 2:   # bad IP total length / header length / checksum
            p = tcp_to_guest(flags="S")
            p[IP].len = rnd.choice([0, 19, 20, 39, 41, 1500, 65535])
            if rnd.random() < 0.5:
                p[IP].ihl = rnd.choice([0, 1, 4, 15])
            if rnd.random() < 0.5:
                p[IP].chksum = rnd.getrandbits(16)
            return bytes(eth(p))
        if kind == 3:   # bad TCP checksum / data offset
            p = tcp_to_guest(flags=rnd.choice(["S", "A", "PA", "FA", "R"]), seq=rnd.getrandbits(32), ack=rnd.getrandbits(32))
            p[TCP].dataofs = rnd.choice([0, 1, 4, 5, 15])
            p[TCP].chksum = rnd.getrandbits(16)
            return bytes(eth(p / Raw(b"x" * rnd.randrange(0, 100))))
        if kind == 4:   # option soup on SYNs (tiny MSS, huge window scale, bogus SACK)
            return bytes(eth(tcp_to_guest(flags="S", seq=rnd.getrandbits(32), options=rand_opts())))
        if kind == 5:   # overlapping and odd fragments
            p = IP(src=myip, dst=addr, id=rnd.getrandbits(16)) / UDP(sport=rnd.randrange(1, 65536), dport=rnd.randrange(1, 65536)) / Raw(b"F" * rnd.randrange(100, 3000))
            frags = fragment(p, fragsize=rnd.choice([8, 16, 64, 512]))
            f = rnd.choice(frags)
            f.frag = max(0, f.frag - rnd.randrange(0, 3))   # overlap the previous one
            if rnd.random() < 0.3:
                f.flags = "MF"
            return bytes(eth(f))
        if kind == 6:   # every flag combination on random ports
            return bytes(eth(tcp_to_guest(flags=rnd.randrange(256), seq=rnd.getrandbits(32), ack=rnd.getrandbits(32), options=rand_opts() if rnd.random() < 0.3 else [])))
        if kind == 7:   # ARP and ICMP oddities
            if rnd.random() < 0.5:
                return bytes(Ether(src=mymac, dst=rnd.choice([dstmac, "ff:ff:ff:ff:ff:ff"])) / ARP(op=rnd.randrange(0, 5), psrc="10.%d.0.%d" % (rnd.randrange(256), rnd.randrange(256)), pdst=addr, hwsrc=mymac))
            return bytes(eth(IP(src=myip, dst=addr) / ICMP(type=rnd.randrange(0, 20), code=rnd.randrange(0, 16)) / Raw(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 64))))))
        if opened and kind in (8, 9, 10, 11):   # injections into the live connection: in window and near it
            off = rnd.randrange(-70000, 70000)
            if kind == 8:   # RST in and around the window (RFC 5961: a challenge ACK unless exact)
                return conn.frame("R", seq=(conn.seq + off) & 0xFFFFFFFF)
            if kind == 9:   # SYN inside the connection (RFC 5961: a challenge ACK)
                return conn.frame("S", seq=(conn.seq + off) & 0xFFFFFFFF)
            if kind == 10:  # data with a bogus SACK and odd ACK numbers
                return conn.frame("PA", seq=(conn.seq + rnd.randrange(0, 60000)) & 0xFFFFFFFF, ack=(conn.ack + rnd.randrange(-5000, 5000)) & 0xFFFFFFFF,
                                  payload=b"GET / HTTP/1.1\r\n"[: rnd.randrange(1, 17)], options=[("SAck", tuple(rnd.getrandbits(32) for _ in range(4)))])
            return conn.frame(rnd.choice(["A", "FA", "UA", "PA"]), seq=(conn.seq + off) & 0xFFFFFFFF, ack=rnd.getrandbits(32), window=rnd.choice([0, 1, 65535]))
        return bytes(eth(tcp_to_guest(flags="A", seq=rnd.getrandbits(32))))

    built = [make(i) for i in range(min(count, int(unique)))]   # build once, send the set repeatedly (scapy builds slowly)
    sent, elapsed = 0, 0.0
    while sent < count:
        n, secs = send_paced(sock, built[: count - sent], 8000)
        sent += n
        elapsed += secs
    out(sent=sent, seconds=round(elapsed, 1), handshake=opened)


# ---- an impaired link (tc netem's job, where the kernel has no sch_netem) ----------------------------------------------

def relay(tap, guest_port, relay_port, seed):
    """Forwards frames both ways between QEMU (UDP datagrams, one frame each) and a TAP device, impairing each direction."""
    import fcntl, heapq
    rnd = random.Random(int(seed))
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", tap.encode(), 0x0002 | 0x1000))   # TUNSETIFF: IFF_TAP | IFF_NO_PI
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", int(relay_port)))
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    guest = ("127.0.0.1", int(guest_port))
    due, seq = [], 0                       # (time, seq, send function, frame)
    held = {"to_guest": None, "to_tap": None}
    stats = {"frames": 0, "lost": 0, "reordered": 0, "duplicated": 0, "corrupted": 0}
    to_guest = lambda f: udp.sendto(f, guest)
    to_tap = lambda f: os.write(fd, f)

    def schedule(send, frame, extra=0.0):
        nonlocal seq
        seq += 1
        heapq.heappush(due, (time.monotonic() + 0.005 + rnd.uniform(-0.002, 0.002) + extra, seq, send, frame))

    def impair(direction, send, frame):
        stats["frames"] += 1
        if rnd.random() < 0.05:
            stats["lost"] += 1
            return
        if rnd.random() < 0.001 and len(frame) > 34:
            b = bytearray(frame)
            b[rnd.randrange(34, len(b))] ^= 1 << rnd.randrange(8)
            frame = bytes(b)
            stats["corrupted"] += 1
        copies = 2 if rnd.random() < 0.01 else 1
        stats["duplicated"] += copies - 1
        for _ in range(copies):
            if rnd.random() < 0.25 and held[direction] is None:
                held[direction] = frame     # overtaken by the next frame in this direction
                stats["reordered"] += 1
                continue
            schedule(send, frame)
            if held[direction] is not None:
                schedule(send, held[direction], 0.0001)
                held[direction] = None

    signal_stop = [False]
    import signal
    signal.signal(signal.SIGTERM, lambda *_: signal_stop.__setitem__(0, True))
    print("relay ready", flush=True)
    while not signal_stop[0]:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else 0.05
        readable, _, _ = select.select([fd, udp], [], [], min(timeout, 0.05))
        if udp in readable:
            frame = udp.recv(65536)
            impair("to_tap", to_tap, frame)
        if fd in readable:
            frame = os.read(fd, 65536)
            impair("to_guest", to_guest, frame)
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, send, frame = heapq.heappop(due)
            try:
                send(frame)
            except OSError:
                pass
        for d, send in (("to_guest", to_guest), ("to_tap", to_tap)):   # nothing followed a held frame for a while
            if held[d] is not None and not readable:
                schedule(send, held[d])
                held[d] = None
    out(**stats)


def transfer(addr, port, size, seed="0"):
    import hashlib
    size = int(size)
    s = socket.create_connection((addr, int(port)), timeout=120)
    sent_hash, got_hash = hashlib.sha256(), hashlib.sha256()
    rnd = random.Random(int(seed))
    got = [0]

    def reader():
        while True:
            data = s.recv(1 << 20)
            if not data:
                return
            got_hash.update(data)
            got[0] += len(data)

    t = threading.Thread(target=reader)
    t.start()
    start, done = time.monotonic(), 0
    while done < size:
        chunk = rnd.randbytes(min(1 << 16, size - done))
        sent_hash.update(chunk)
        s.sendall(chunk)
        done += len(chunk)
    s.shutdown(socket.SHUT_WR)
    t.join()
    s.close()
    out(sent=done, received=got[0], sent_sha256=sent_hash.hexdigest(), received_sha256=got_hash.hexdigest(), seconds=round(time.monotonic() - start, 1))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"flood": lambda a, p, c, h, sp=None: flood(a, int(p), c, h, sp), "synflood": synflood,
     "slowloris": lambda a, p, c, e, s: slowloris(a, int(p), c, e, s),
     "noread": lambda a, p, c, b, h: noread(a, int(p), c, b, h), "frames": frames, "relay": relay, "transfer": transfer}[cmd](*args)
