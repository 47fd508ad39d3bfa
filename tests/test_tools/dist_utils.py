# Copyright (c) mmrsod contributors. All rights reserved.
"""Helpers of the 2-process DDP tool tests."""
import socket


def free_port() -> int:
    """A free TCP port on localhost for the DDP rendezvous."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
