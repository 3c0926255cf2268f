"""The ``stancewatch`` command line: a thin skin over :mod:`stancewatch.api`.

:mod:`stancewatch.cli.common` holds what every command shares (the app, options, output,
progress and error handling); each other module holds one group of commands with their
subcommands and registers them on the app when imported here, in the order of the help.
"""

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

__all__ = ["app"]
