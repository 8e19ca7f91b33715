#!/usr/bin/python3
"""The host-side client of make bench-nic, the same for both guests (run inside the namespace):
  bulk   POSTs of --mb MB to the guest's POST-echo endpoint (CosmosNet: POST / on port 80; the Linux guest:
         port 8080, serve.c), the second on the same connection timed. The server answers only after it has read
         the whole body, so
         host→guest MB/s = body / (first response byte − start of sending), and
         guest→host MB/s = body / (last response byte − first response byte). The echoed body is compared.
         Then --mb MB through the echo port (7), sent and read back at once: MB/s each way, compared.
  rtt    64-byte messages through the echo port (7), one at a time on one connection, TCP_NODELAY, for --seconds.
Prints one line: NIC-JSON {"up_mbps": ..., "down_mbps": ..., "echo_mbps": ..., "rtt_per_s": ..., "rtt_p50_us": ...} (MB = 10^6 bytes);
--only bulk|rtt runs one of the two."""
import argparse, json, os, socket, threading, time


def post_echo(host, port, size):
    """Two POSTs of `size` bytes on one keep-alive connection; the second is timed. The first warms what a fresh
    connection and a fresh buffer cost (slow start, window growth, the guest's first touch of the pages)."""
    with socket.create_connection((host, port), timeout=120) as s:
        for timed in (False, True):
            body = os.urandom(size)
            head = f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
            message = head.encode() + body
            t0 = time.perf_counter()
            s.sendall(message)
            first = s.recv(1 << 20)
            t1 = time.perf_counter()
            data = bytearray(first)
            while b"\r\n\r\n" not in data:
                data += s.recv(1 << 20)
            header, _, rest = bytes(data).partition(b"\r\n\r\n")
            status = header.split(b"\r\n")[0]
            if b" 200 " not in status + b" ":
                raise RuntimeError(f"POST answered {status!r}")
            length = next(int(line.split(b":", 1)[1]) for line in header.split(b"\r\n")[1:]
                          if line.lower().startswith(b"content-length:"))
            received = bytearray(rest)
            while len(received) < length:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise RuntimeError(f"connection closed after {len(received)} of {length} body bytes")
                received += chunk
            t2 = time.perf_counter()
            if bytes(received) != body:
                raise RuntimeError("the echoed body differs from the one sent")
    return size / (t1 - t0) / 1e6, size / (t2 - t1) / 1e6


def echo_stream(host, port, size):
    """`size` bytes through the echo port while a second thread reads them back: MB/s each way at once."""
    body = os.urandom(size)
    received = bytearray()
    with socket.create_connection((host, port), timeout=120) as s:
        def read():
            while len(received) < size:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                received.extend(chunk)
        reader = threading.Thread(target=read)
        t0 = time.perf_counter()
        reader.start()
        s.sendall(body)
        reader.join()
        t1 = time.perf_counter()
    if bytes(received) != body:
        raise RuntimeError(f"echo returned {len(received)} bytes, not the {size} sent")
    return size / (t1 - t0) / 1e6


def round_trips(host, port, seconds):
    message = b"x" * 64
    samples = []
    with socket.create_connection((host, port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        end = time.perf_counter() + seconds
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                break
            s.sendall(message)
            got = 0
            while got < len(message):
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("echo connection closed")
                got += len(chunk)
            samples.append(time.perf_counter() - t0)
    samples.sort()
    return len(samples) / seconds, samples[len(samples) // 2] * 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", required=True)
    p.add_argument("--post-port", type=int, required=True)
    p.add_argument("--echo-port", type=int, default=7)
    p.add_argument("--mb", type=int, default=16)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--only", choices=["bulk", "rtt"], help="one of the two measurements (default: both)")
    a = p.parse_args()
    r = {}
    if a.only in (None, "bulk"):
        r["up_mbps"], r["down_mbps"] = post_echo(a.host, a.post_port, a.mb * 1000000)
        r["echo_mbps"] = echo_stream(a.host, a.echo_port, a.mb * 1000000)
    if a.only in (None, "rtt"):
        r["rtt_per_s"], r["rtt_p50_us"] = round_trips(a.host, a.echo_port, a.seconds)
    print("NIC-JSON " + json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
