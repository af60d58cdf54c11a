#!/usr/bin/env python3
# Loopback TCP ceiling (sender and receiver in separate processes): one connection, the image sent with sendfile() from the page cache in a loop,
# received with recv_into() into a 1 MiB buffer and thrown away (no protocol). usage: bench/loopback-ceiling.py IMAGE SECONDS (used by docs/BENCHMARKS.md, "dnbd3 client")
import os, socket, sys, threading, time
path, seconds = sys.argv[1], float(sys.argv[2])
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
port = srv.getsockname()[1]
stop = time.monotonic() + seconds + 1
def serve():
    conn, _ = srv.accept()
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        try:
            while time.monotonic() < stop:
                off = 0
                while off < size:
                    off += os.sendfile(conn.fileno(), f.fileno(), off, size - off)
        except OSError:
            pass
    conn.close()
if os.fork() == 0:
    serve(); os._exit(0)
srv.close()
c = socket.create_connection(("127.0.0.1", port))
buf = bytearray(1 << 20); view = memoryview(buf)
def run(secs):
    total = 0; end = time.monotonic() + secs
    while time.monotonic() < end:
        n = c.recv_into(view)
        if n == 0: break
        total += n
    return total
run(0.5)
t0 = time.monotonic(); cpu0 = time.process_time()
total = run(seconds)
took = time.monotonic() - t0
print("ceiling MB/s=%.0f" % (total / took / 1e6))
os._exit(0)
