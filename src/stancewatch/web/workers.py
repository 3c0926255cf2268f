"""Several server processes on one port, each with a listening socket of its own.

Uvicorn's ``--workers`` binds one socket and shares it: every process accepts from the same
queue, and whichever wakes first takes every connection waiting there. Keep-alive clients
(browsers, a reverse proxy's upstream pool, scripts) stay where they landed, so one process
may serve nearly all of them while the other idles: measured with 50 clients on 2 processes,
splits of 48 to 2 and 40 to 10 connections were common.

On Linux each process here gets its own socket in one ``SO_REUSEPORT`` group, and the kernel
spreads new connections over the sockets by a hash of their addresses. The sockets are made
and listening before any process starts (connections that arrive early wait in their
socket's queue), and a process that dies is replaced on the same socket. Elsewhere
``serve`` keeps uvicorn's shared socket.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

log = logging.getLogger("uvicorn.error")
#: The exit status of a uvicorn server that could not start (its app or socket is broken).
STARTUP_FAILURE = 3
_spawn = multiprocessing.get_context("spawn")
multiprocessing.allow_connection_pickling()  # a listening socket travels to its process


def _serve(config: uvicorn.Config, sock: socket.socket) -> None:
    """One server process: uvicorn on the socket it was given."""
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def reuse_port_supported() -> bool:
    """Whether the kernel spreads connections over a ``SO_REUSEPORT`` group (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listening_sockets(host: str, port: int, count: int, backlog: int = 2048) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port`` in one ``SO_REUSEPORT`` group.

    The port must be free: a group would otherwise be joined silently by another server of
    the same user already listening there (that one would get a share of the connections),
    so a plain bind is tried first and its error raised as is.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on the accepted connections.
            sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(backlog)
            port = sock.getsockname()[1]  # the port the first one got, when asked for 0
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class ReusePortWorkers:
    """Run ``config`` (an app import string) in ``count`` processes, one socket each, until
    SIGINT or SIGTERM; a process that dies is replaced, unless it failed while starting (a
    broken app or database would fail the same way again), which stops them all and makes
    :meth:`run` return False."""

    def __init__(self, config: uvicorn.Config, count: int) -> None:
        self.config = config
        self.sockets = listening_sockets(config.host, config.port, count, config.backlog)
        self.processes: list[BaseProcess] = []
        self.should_exit = threading.Event()
        self.failed = False

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.should_exit.set()

    def _start(self, index: int) -> BaseProcess:
        process = _spawn.Process(target=_serve, args=(self.config, self.sockets[index]))
        process.start()
        return process

    def run(self) -> bool:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.processes = [self._start(index) for index in range(len(self.sockets))]
            while not self.should_exit.wait(0.5):
                self.replace_dead()
        finally:
            for process in self.processes:
                if process.exitcode is None:
                    process.terminate()  # SIGTERM: uvicorn finishes its requests and stops
            for process in self.processes:
                process.join(self.config.timeout_graceful_shutdown or 30)
                if process.exitcode is None:
                    process.kill()
                    process.join()
            for sock in self.sockets:
                sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return not self.failed

    def replace_dead(self) -> None:
        for index, process in enumerate(self.processes):
            if self.should_exit.is_set() or process.is_alive():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("Server process [%s] failed to start; stopping", process.pid)
                self.failed = True
                self.should_exit.set()
                return
            log.warning("Server process [%s] died; starting another", process.pid)
            self.processes[index] = self._start(index)
