"""The installed ``stancewatch`` command (``stancewatch.cli:main``) ends the process itself
once a command is done: these run it in a real subprocess and check that nothing a normal
exit does is lost (output, exit status, exit handlers, threads still working)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stancewatch.api import Project

SCRIPT = """
import atexit, sys, threading, time
from pathlib import Path
from stancewatch.cli import main
marker = Path(sys.argv[1])
if sys.argv[2] == "handler":
    atexit.register(lambda: marker.write_text("handler ran"))
elif sys.argv[2] == "thread":
    def late():
        time.sleep(0.5)
        marker.write_text("thread finished")
    threading.Thread(target=late).start()
sys.argv = ["stancewatch", *sys.argv[3:]]
main()
"""


def _run(tmp_path: Path, mode: str, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    marker = tmp_path / "marker.txt"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(marker), mode, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done, marker


def test_exit_handlers_run_and_the_status_is_kept(tmp_path: Path) -> None:
    done, marker = _run(tmp_path, "handler", "--help")
    assert done.returncode == 0 and "Usage" in done.stdout
    assert marker.read_text() == "handler ran"

    done, marker = _run(tmp_path, "none", "no-such-command")
    assert done.returncode == 2 and "No such command" in done.stderr

    done, _ = _run(tmp_path, "none", "analyze", "--db", str(tmp_path / "missing" / "x.db"))
    assert done.returncode == 1 and "x.db" in done.stderr


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    done, marker = _run(tmp_path, "thread", "--help")
    assert done.returncode == 0
    assert marker.read_text() == "thread finished"


@pytest.mark.models
def test_output_and_database_are_complete_after_the_quick_exit(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    lines = [f"Minister {i} said on Monday that the talks would resume in June." for i in range(60)]
    text.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    done, _ = _run(tmp_path, "none", "attribute", str(text), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 60  # every buffered line reached the pipe

    db = tmp_path / "project.db"
    with Project(db) as project:
        project.ingest([str(text)])
    done, _ = _run(tmp_path, "none", "analyze", "--db", str(db))
    assert done.returncode == 0, done.stderr
    with Project(db) as project:
        assert len(project.statements()) == 60
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("project.db-"))
    assert leftovers == []  # the database was closed (no write-ahead log left beside it)
