"""How the review app serves many clients: pooled SQLite connections, a bounded thread pool,
one listening socket per server process, and the index behind the review queue."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner
from web_fixtures import free_port

from stancewatch.cli import app as cli
from stancewatch.store.database import Store
from stancewatch.web import deps, review
from stancewatch.web.app import create_app
from stancewatch.web.workers import listening_sockets, reuse_port_supported

pytestmark = pytest.mark.anyio
SERVE = "import sys; from stancewatch.cli import app; sys.argv[0] = 'stancewatch'; app()"
linux_only = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT spreading")


async def test_requests_reuse_the_processes_connections(review_db):
    """Sequential requests (anonymous, with a token, a write) use one SQLite connection."""
    path, ids = review_db
    web = create_app(path, secret_key="k", resamples=20)
    bearer = {"Authorization": f"Bearer {ids['token']}"}
    coding = {"kind": "stance", "item_id": f"{ids['s1']}:no-nato-membership", "value": "oppose"}
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        assert (await c.get("/api/filters")).status_code == 200
        assert (await c.get("/api/review/queue", headers=bearer)).status_code == 200
        assert (await c.post("/api/review/codings", json=coding, headers=bearer)).status_code == 201
        assert (await c.get("/api/review/progress")).json()["progress"][0]["codings"] == 1
    assert web.state.store_pool.opened == 1
    with Store(path) as store:
        assert store.count("review_codings") == 1


def test_a_connection_left_in_a_transaction_is_rolled_back_before_reuse(review_db):
    path, _ = review_db
    pool = deps.StorePool(path, idle=1)
    store = pool.take() or pool.open()
    store.db.execute("BEGIN IMMEDIATE")
    store.db.execute(
        "INSERT INTO review_codings (item_kind, item_id, value, coder, coded_at) "
        "VALUES ('stance', 'x', 'oppose', 'bob', 'now')"
    )
    pool.give_back(store)
    again = pool.take()
    assert again is store and not store.db.conn.in_transaction
    assert store.count("review_codings") == 0
    # The write lock was released: another connection can write at once.
    with sqlite3.connect(path, timeout=0) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    pool.give_back(store)


def test_the_pool_keeps_at_most_its_idle_connections_and_closes_them(review_db):
    path, _ = review_db
    pool = deps.StorePool(path, idle=1)
    first, second = pool.open(), pool.open()
    pool.give_back(first)
    pool.give_back(second)  # one idle already: this one is closed
    with pytest.raises(sqlite3.ProgrammingError):
        second.db.execute("SELECT 1")
    assert pool.take() is first
    pool.give_back(first)
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):
        first.db.execute("SELECT 1")
    late = pool.open()
    pool.give_back(late)  # after close, nothing is kept
    assert pool.take() is None


def test_the_thread_pool_takes_its_size_from_threads(review_db):
    """``threads`` sizes the process's worker-thread pool while the app runs; the pool of
    connections is closed when it stops."""
    path, _ = review_db
    for threads, expected in ((3, 3), (None, deps.THREADS)):
        web = create_app(path, secret_key="k", threads=threads)
        with TestClient(web) as c:
            assert c.get("/api/filters").status_code == 200
            assert c.portal.call(_thread_tokens) == expected
        assert web.state.store_pool.closed


async def _thread_tokens() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


async def test_agreement_work_never_takes_the_threads_of_other_requests(review_db):
    """While every agreement thread is busy, a further agreement request waits for one and
    every other request is still answered; then it is answered too."""
    path, _ = review_db
    web = create_app(path, secret_key="k", resamples=20)
    limiter = web.state.agreement_limiter
    assert limiter.total_tokens == deps.AGREEMENT_THREADS
    holders = [object() for _ in range(deps.AGREEMENT_THREADS)]
    for holder in holders:
        await limiter.acquire_on_behalf_of(holder)
    answers: dict[str, httpx.Response] = {}
    transport = httpx.ASGITransport(app=web)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
        anyio.create_task_group() as tasks,
    ):

        async def get(url: str) -> None:
            answers[url] = await c.get(url)

        tasks.start_soon(get, "/api/agreement?seed=7")
        tasks.start_soon(get, "/agreement")
        for _ in range(1000):
            if limiter.statistics().tasks_waiting == 2:
                break
            await anyio.sleep(0.01)
        assert limiter.statistics().tasks_waiting == 2
        for url in ("/api/filters", "/api/review/progress", "/api/documents"):
            assert (await c.get(url)).status_code == 200
        assert not answers
        for holder in holders:
            limiter.release_on_behalf_of(holder)
    assert answers["/api/agreement?seed=7"].json()["ok"] is True
    assert answers["/agreement"].status_code == 200


def test_the_review_queue_reads_one_coders_codings_by_index(review_db):
    path, _ = review_db
    with Store(path) as store:
        kind_sql = review._MACHINE_SQL["stance"]
        plan = store.query(
            f"EXPLAIN QUERY PLAN SELECT * FROM ({kind_sql}) WHERE item_id NOT IN "
            "(SELECT item_id FROM review_codings WHERE item_kind = ? AND coder = ?)",
            ["stance", "bob"],
        )
        assert any("review_codings_coder" in row["detail"] for row in plan), plan


@linux_only
def test_each_socket_of_the_group_gets_a_share_of_the_connections():
    sockets = listening_sockets("127.0.0.1", 0, 2)
    port = sockets[0].getsockname()[1]
    clients = []
    try:
        assert sockets[1].getsockname()[1] == port
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        time.sleep(0.2)
        counts = []
        for sock in sockets:
            sock.setblocking(False)
            accepted = 0
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted += 1
            counts.append(accepted)
        assert sum(counts) == 40 and min(counts) > 0, counts
    finally:
        for sock in [*clients, *sockets]:
            sock.close()


@linux_only
def test_a_port_in_use_is_refused_with_one_line(review_db):
    path, _ = review_db
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", port, 2)
        result = CliRunner().invoke(
            cli, ["serve", "--db", str(path), "--port", str(port), "--workers", "2"]
        )
    assert result.exit_code == 1
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in result.output


def _listening_inodes(port: int) -> set[str]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            found.add(fields[9])
    return found


def _sockets_of(pid: int) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(target[8:-1])
    return held


def _workers(pid: int, inodes: set[str]) -> dict[int, set[str]]:
    """The children of ``pid`` that hold one of the listening sockets, and which."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = {}
    for child in map(int, children):
        try:
            held = _sockets_of(child) & inodes
        except OSError:
            continue
        if held:
            found[child] = held
    return found


@linux_only
def test_serve_gives_each_worker_its_own_socket_and_replaces_a_dead_one(review_db):
    path, _ = review_db
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--db", str(path), "--port", str(port),
         "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def answered(times: int) -> bool:
        for _ in range(times):  # fresh connections land on both sockets
            with httpx.Client(base_url=base, trust_env=False, timeout=10) as c:
                if c.get("/api/filters").status_code != 200:
                    return False
        return True

    def wait_for(condition, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)

    try:
        wait_for(lambda: len(_listening_inodes(port)) == 2)
        inodes = _listening_inodes(port)
        # a worker just forked holds both sockets until it closes the one that is not its own

        def settled() -> bool:
            found = _workers(server.pid, inodes)
            return len(found) == 2 and all(len(held) == 1 for held in found.values())

        wait_for(settled)
        workers = _workers(server.pid, inodes)
        assert set().union(*workers.values()) == inodes  # one socket each, both served
        assert answered(8)
        dead, its_socket = next(iter(workers.items()))
        os.kill(dead, signal.SIGKILL)
        wait_for(lambda: dead not in _workers(server.pid, inodes))
        wait_for(settled)
        replaced = _workers(server.pid, inodes)
        assert dead not in replaced and its_socket in replaced.values()
        assert _listening_inodes(port) == inodes
        wait_for(lambda: answered(8))
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode == 0
