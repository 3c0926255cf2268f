"""stancewatch: who said what, which positions they take, how closely they align, and which
of their numeric claims are false, with the evidence behind every number."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("stancewatch")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from .api import Project

__all__ = ["Project", "__version__"]


def __getattr__(name: str) -> Any:
    # Keep `import stancewatch` light: the API pulls in pandas and the models lazily.
    if name == "Project":
        from .api import Project

        return Project
    raise AttributeError(name)
