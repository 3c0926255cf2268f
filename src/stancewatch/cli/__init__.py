"""The ``stancewatch`` command line: a thin skin over :mod:`stancewatch.api`.

:mod:`stancewatch.cli.common` holds what every command shares (the app, options, output,
progress and error handling); each other module holds one group of commands with their
subcommands and registers them on the app when imported here, in the order of the help.
:func:`main` is the installed ``stancewatch`` command: the app, and a quick exit after it.
"""

import atexit
import contextlib
import os
import sys
import threading

from stancewatch.cli.common import app

# isort: off
from stancewatch.cli import project  # noqa: F401
from stancewatch.cli import align  # noqa: F401
from stancewatch.cli import attribution  # noqa: F401
from stancewatch.cli import factcheck  # noqa: F401
from stancewatch.cli import narratives  # noqa: F401
from stancewatch.cli import run  # noqa: F401
from stancewatch.cli import stance  # noqa: F401
from stancewatch.cli import teacher  # noqa: F401
from stancewatch.cli import web  # noqa: F401
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """Run the command line, then leave the process without tearing down its modules.

    A command that loaded the models ends with torch, transformers and spaCy in memory, and
    Python's own shutdown then spends over a second freeing their objects one by one (1.2 s
    of an 8 s ``stancewatch analyze`` on 2 cores; `bench/pipeline_speed.py`). Once the command
    has finished, with no other thread still working, nothing is left to do but that: the
    standard streams are flushed and every exit handler runs (multiprocessing's, logging's,
    temporary folders'), then the process ends with the command's exit status. Files and
    databases are closed by the commands themselves. An uncaught exception, or a thread still
    running, leaves by Python's ordinary shutdown.
    """
    try:
        app()
    except SystemExit as done:
        code = done.code
        if not _quick_exit_allowed(code):
            raise
    else:  # standalone typer apps always raise SystemExit; this is only for safety
        code = 0
    # what SystemExit's code means to Python: None is success, a text is printed and fails
    status = 0 if code is None else code if isinstance(code, int) else 1
    if isinstance(code, str):
        print(code, file=sys.stderr)
    _flush()
    atexit._run_exitfuncs()
    _flush()
    os._exit(status)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe ("| head") or a closed stream: nothing more can reach it
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _quick_exit_allowed(code: object) -> bool:
    """Whether :func:`main` may end the process itself: the exit status is a plain one and
    every thread but this one is a daemon (a non-daemon thread would be waited for)."""
    if code is not None and not isinstance(code, (int, str)):
        return False
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    return all(t.daemon for t in others)
