"""Kernel-side TCP peers for the interop tests (run inside the namespace).

    peer.py server MODE PORT     accept one connection on 198.18.0.1:PORT
    peer.py client MODE HOST PORT

Server modes:
    sink         read until EOF, then close (the peer closed first)
    hello        send "hello\\n" and close at once (we close first)
    hash         read until EOF, then send the sha256 hex of what came and
                 close (the peer half-closed and must still receive)
    expect-rst   read until the peer resets; exit 0 only if it did
Client modes:
    rst          send a little, then close with SO_LINGER 0 (a RST)

Prints one line saying what happened; exits non-zero when the peer did not
behave as the mode expects. Every wait is bounded.
"""
import hashlib
import socket
import struct
import sys

TIMEOUT = 20


def serve(mode, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("198.18.0.1", port))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("listening", flush=True)
    c, _ = ls.accept()
    ls.close()
    c.settimeout(TIMEOUT)
    if mode == "hello":
        c.sendall(b"hello\n")
        c.close()
        print("sent hello, closed")
        return 0
    h = hashlib.sha256()
    n = 0
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
    except ConnectionResetError:
        print("reset after %d bytes" % n)
        c.close()
        return 0 if mode == "expect-rst" else 1
    if mode == "expect-rst":
        print("EOF after %d bytes, but a reset was expected" % n)
        return 1
    if mode == "hash":
        c.sendall((h.hexdigest() + "\n").encode())
    c.close()
    print("EOF after %d bytes, closed" % n)
    return 0


def client(mode, host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.sendall(b"some bytes before the reset\n")
    if mode == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("closed with RST" if mode == "rst" else "closed")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        sys.exit(serve(sys.argv[2], int(sys.argv[3])))
    sys.exit(client(sys.argv[2], sys.argv[3], int(sys.argv[4])))
