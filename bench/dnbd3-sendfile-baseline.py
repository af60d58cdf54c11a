#!/usr/bin/env python3
"""A minimal dnbd3 server doing what the reference server does per GET_BLOCK: a blocking
sendfile() from the image after the 16-byte reply header, one thread per connection. It only
serves one image and skips every check; it exists to give bench/dnbd3-server.sh a "sendfile
ceiling" on this machine to compare slx's server with, since the reference cannot be built here.

    dnbd3-sendfile-baseline.py PORT IMAGE_FILE NAME
"""
import os, socket, struct, sys, threading

port, path, name = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
size = os.path.getsize(path)
vsize = (size + 4095) & ~4095


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def serve(sock):
    fd = os.open(path, os.O_RDONLY)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        magic, cmd, length, offset, handle = struct.unpack("<HHIQQ", recv_exact(sock, 24))
        recv_exact(sock, length)
        payload = struct.pack("<H", 3) + name + b"\0" + struct.pack("<HQ", 1, vsize)
        sock.sendall(struct.pack("<HHIQ", 0x7273, 2, len(payload), handle) + payload)
        while True:
            magic, cmd, length, offset, handle = struct.unpack("<HHIQQ", recv_exact(sock, 24))
            offset &= (1 << 56) - 1
            sock.sendall(struct.pack("<HHIQ", 0x7273, cmd, length if cmd == 1 else 0, handle))
            if cmd == 1:
                sent = 0
                while sent < length:
                    sent += os.sendfile(sock.fileno(), fd, offset + sent, length - sent)
    except (EOFError, OSError):
        pass
    finally:
        os.close(fd)
        sock.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(512)
print("baseline: listening", flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
