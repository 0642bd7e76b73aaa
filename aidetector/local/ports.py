"""Free loopback ports, for starting local servers side by side (tests, benchmarks, the screenshot script)."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it); another process could still take it before it is bound."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
