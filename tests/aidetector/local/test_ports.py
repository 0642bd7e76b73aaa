"""`free_port`: a loopback port nothing listens on, for servers started side by side."""

from __future__ import annotations

import socket

from aidetector.local.ports import free_port


def test_the_port_is_free_and_can_be_bound_at_once():
    port = free_port()
    assert 1024 <= port <= 65535  # the OS hands out ephemeral ports, never a privileged one
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))  # nothing holds it: the probe socket was closed
        server.listen(1)
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass


def test_a_port_in_use_is_not_handed_out():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert all(free_port() != taken.getsockname()[1] for _ in range(20))
