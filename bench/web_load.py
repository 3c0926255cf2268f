"""Web load: the review app under concurrent readers and writers, on loopback.

Usage:
    .venv/bin/python bench/web_load.py [--clients 20,50] [--seconds 20] [--writes 0.3]
                                       [--workers 2] [--warmup 3] [--no-write]

Builds a review database in a temporary folder (the bundled pack; 200 synthetic documents,
each with one statement, its speaker and two machine stance codings: 600 review items),
gives every client its own coder with an API token, and starts `stancewatch serve` on
127.0.0.1 in a child process (`--workers` server processes), and waits until the server answers
HTTP requests on several fresh connections. For each client count, that many threads each hold
one keep-alive connection and send requests back to back, first for `--warmup` seconds that are
not measured (the server processes open their connections and fill their caches), then for the
given time: a share of them
(`--writes`) are `POST /api/review/codings` of a random item, the rest are reads spread over
the document list, one document, one review item, the coder's queue and the progress table.
Reports requests/s, p50/p99 latency (all requests and writes alone), errors (any status
other than 200/201, or a failed connection) and the CPU time per request of the server
processes and of the client threads (Linux), then checks the database: every acknowledged
coding is stored exactly once (per coder, the stored codings equal the acknowledged ones,
item by item and value by value; writes acknowledged during the warm-up count too). Nothing leaves the machine; each run is bounded by
`--seconds`. Writes the table to docs/benchmarks.md (section `web-load`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

DOCUMENTS = 200
SERVE = "import sys; from stancewatch.cli import app; sys.argv[0] = 'stancewatch'; app()"
POSITIONS = ("cede-occupied-territory", "no-nato-membership")


def build(path: Path, coders: int) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """The database: (kind, item id) of every review item, document ids, one token per coder."""
    from stancewatch.packs import load_pack
    from stancewatch.records import Document, Stance, Statement, stable_id
    from stancewatch.store.database import Store
    from stancewatch.web import auth

    rng = random.Random(7)
    items: list[tuple[str, str]] = []
    doc_ids: list[str] = []
    with Store(path) as store:
        store.save_pack(load_pack(None))
        for n in range(DOCUMENTS):
            quote = f"We will decide about the land and the alliance in round {n}."
            text = f'Volodymyr Zelensky said "{quote}" Officials added more on day {n}.'
            doc = Document.from_text(
                text,
                title=f"Statement {n}",
                outlet=rng.choice(["Wire", "Daily", "Post"]),
                published=date(2025, 1, 1) + timedelta(days=n % 90),
            )
            start = text.index(quote)
            statement = Statement(
                id=stable_id(doc.id, start),
                document_id=doc.id,
                kind="direct",
                content=quote,
                content_start=start,
                content_end=start + len(quote),
                speaker="Volodymyr Zelensky",
                speaker_start=0,
                speaker_end=len("Volodymyr Zelensky"),
                actor="zelensky",
                date=doc.published,
                confidence=rng.random(),
                method="bench",
            )
            store.add_documents([doc])
            stances = [
                Stance(
                    statement.id,
                    p,
                    rng.choice(["support", "oppose", "neutral"]),
                    rng.random(),
                    rng.random(),
                    "bench",
                )  # fmt: skip
                for p in POSITIONS
            ]
            store.save_analysis(
                doc.id, run_id=None, statements=[statement], stances=stances, claims=[],
                verdicts=[],
            )  # fmt: skip
            doc_ids.append(doc.id)
            items.append(("speaker", statement.id))
            items += [("stance", f"{statement.id}:{p}") for p in POSITIONS]
        tokens = [auth.add_coder(store, f"load{n}", token=True).token or "" for n in range(coders)]
    return items, doc_ids, tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client(threading.Thread):
    def __init__(self, n: int, port: int, token: str, args: argparse.Namespace, world) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.args, self.world = port, token, args, world
        self.rng = random.Random(n)
        self.latencies: list[float] = []
        self.write_latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.acknowledged: Counter[tuple[str, str, str]] = Counter()
        self.measure_from = 0.0
        self.stop_at = 0.0

    def run(self) -> None:
        items, doc_ids = self.world
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        auth = {"Authorization": f"Bearer {self.token}"}
        while time.monotonic() < self.stop_at:
            writing = self.rng.random() < self.args.writes
            body = None
            if writing:
                kind, item = self.rng.choice(items)
                value = (
                    self.rng.choice(["support", "oppose", "neutral"])
                    if kind == "stance"
                    else self.rng.choice(["zelensky", "unknown"])
                )
                method, url = "POST", "/api/review/codings"
                body = json.dumps({"kind": kind, "item_id": item, "value": value})
                headers = {**auth, "Content-Type": "application/json"}
            else:
                method, headers = "GET", auth
                url = self.rng.choice(
                    [
                        "/api/documents?limit=20",
                        f"/api/documents/{self.rng.choice(doc_ids)}",
                        "/api/review/items/{}/{}".format(*self.rng.choice(items)),
                        "/api/review/queue?kind=stance&limit=5",
                        "/api/review/progress",
                    ]
                )
            started = time.perf_counter()
            if time.monotonic() >= self.stop_at:
                break
            try:
                conn.request(method, url, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                self.errors[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            measured = started >= self.measure_from
            if measured:
                self.latencies.append(elapsed)
            if status not in (200, 201):
                self.errors[f"HTTP {status}"] += 1
                continue
            if writing:
                if measured:
                    self.write_latencies.append(elapsed)
                coding = json.loads(data)["coding"]
                self.acknowledged[(coding["item_kind"], coding["item_id"], coding["value"])] += 1
        conn.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wait_ready(port: int, server: subprocess.Popen, connections: int) -> None:
    """Until ``connections`` fresh connections in a row get an answer (with several server
    processes, each on its own socket, the connections land on every one of them)."""
    deadline, answered = time.monotonic() + 90, 0
    while answered < connections:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("bench/web_load.py: the server did not start")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/api/filters")
            response = conn.getresponse()
            response.read()
            answered = answered + 1 if response.status == 200 else 0
        except (OSError, http.client.HTTPException):
            answered = 0
            time.sleep(0.2)
        finally:
            conn.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children still running (Linux; 0
    elsewhere)."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            total += sum(cpu_seconds(int(child)) for child in children.read().split())
    except (OSError, ValueError, IndexError):
        pass
    return total


def run_load(clients: int, args: argparse.Namespace) -> dict:
    from stancewatch.store.database import Store

    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "server.log", "w+") as log:
        db = Path(tmp) / "load.db"
        items, doc_ids, tokens = build(db, clients)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--db", str(db), "--port", str(port),
             "--resamples", "100", "--workers", str(args.workers)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
        try:
            wait_ready(port, server, 4 * args.workers)
            threads = [Client(n, port, tokens[n], args, (items, doc_ids)) for n in range(clients)]
            begun = time.monotonic()
            for t in threads:
                t.measure_from = time.perf_counter() + args.warmup
                t.stop_at = begun + args.warmup + args.seconds
                t.start()
            time.sleep(args.warmup)
            server_cpu, client_cpu = cpu_seconds(server.pid), sum(os.times()[:2])
            started = time.monotonic()
            for t in threads:
                t.join(args.warmup + args.seconds + 60)
            wall = time.monotonic() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu
            client_cpu = sum(os.times()[:2]) - client_cpu
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        with Store(db) as store:
            stored = store.query(
                "SELECT coder, item_kind, item_id, value, count(*) AS n FROM review_codings "
                "GROUP BY coder, item_kind, item_id, value"
            )
    by_coder: dict[str, Counter] = {}
    for row in stored:
        by_coder.setdefault(row["coder"], Counter())[
            (row["item_kind"], row["item_id"], row["value"])
        ] = row["n"]
    exact = all(
        by_coder.get(f"load{n}", Counter()) == t.acknowledged for n, t in enumerate(threads)
    )
    latencies = [x for t in threads for x in t.latencies]
    writes = [x for t in threads for x in t.write_latencies]
    errors = sum((t.errors for t in threads), Counter())
    return {
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "write_p99": percentile(writes, 0.99) * 1000,
        "writes": sum(sum(t.acknowledged.values()) for t in threads),
        "stored": sum(sum(c.values()) for c in by_coder.values()),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "server_cpu_ms": server_cpu / max(len(latencies), 1) * 1000,
        "client_cpu_ms": client_cpu / max(len(latencies), 1) * 1000,
        "exact": exact,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="20,50")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--writes", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=2, help="Server processes.")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="Seconds of load before measuring."
    )
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    for clients in (int(c) for c in args.clients.split(",")):
        row = run_load(clients, args)
        rows.append(row)
        print(json.dumps(row), flush=True)
    lines = [
        "## Review app under load",
        "",
        f"`stancewatch serve --workers {args.workers}` on loopback; each client holds one keep-alive "
        f"connection and sends requests back to back for {args.seconds:g} s (after "
        f"{args.warmup:g} s of the same load that are not measured), "
        f"{args.writes:.0%} of them `POST /api/review/codings`, the rest reads (document list, "
        "one document, one review item, the queue, progress). Errors: any status but 200/201 "
        "or a failed connection. *Stored once*: every acknowledged coding is in the database "
        "exactly once. *CPU/req*: CPU time of all server processes, and of the client threads, "
        "per measured request.",
        "",
        "| Clients | Requests | Req/s | p50 ms | p99 ms | Write p99 ms | Errors | "
        "Writes acked | Stored | Stored once | Server CPU/req ms | Client CPU/req ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['clients']} | {r['requests']:,} | {r['rps']:.0f} | {r['p50']:.0f} | "
            f"{r['p99']:.0f} | {r['write_p99']:.0f} | {r['errors']} | {r['writes']:,} | "
            f"{r['stored']:,} | {'yes' if r['exact'] else 'NO'} | {r['server_cpu_ms']:.2f} | "
            f"{r['client_cpu_ms']:.2f} |"
        )
    lines += [
        "",
        f"Load average of the machine (1 min) before the run: {load_before:.1f}, at the end: "
        f"{os.getloadavg()[0]:.1f}, on "
        f"{os.cpu_count()} cores; on a shared machine the latencies are provisional.",
        "",
        f"Command: `.venv/bin/python bench/web_load.py --clients {args.clients} "
        f"--seconds {args.seconds:g} --writes {args.writes} --workers {args.workers}"
        f"{'' if args.warmup == 3.0 else f' --warmup {args.warmup:g}'}`. The clients run on the same "
        "machine as the server and share its cores.",
    ]
    print("\n".join(lines))
    if not args.no_write:
        update_section("web-load", "\n".join(lines))


if __name__ == "__main__":
    main()
