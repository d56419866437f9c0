#!/usr/bin/env python3
"""A NOTIFY_SOCKET for tests: bind a Unix datagram socket at argv[1], print every datagram
received as one line on stdout (flushed), stop after argv[2] seconds (default 60)."""
import os
import socket
import sys
import time

path = sys.argv[1]
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("LISTENING", flush=True)
end = time.monotonic() + limit
while time.monotonic() < end:
    s.settimeout(max(0.05, end - time.monotonic()))
    try:
        data = s.recv(4096)
    except socket.timeout:
        break
    print(data.decode("utf-8", "replace").replace("\n", "|"), flush=True)
s.close()
os.unlink(path)
