"""stancewatch: who said what, which positions they take, how closely they align, and which
of their numeric claims are false, with the evidence behind every number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stancewatch.version import __version__

if TYPE_CHECKING:
    from stancewatch.api import Project

__all__ = ["Project", "__version__"]


def __getattr__(name: str) -> Any:
    # Keep `import stancewatch` light: the API pulls in pandas and the models lazily.
    if name == "Project":
        from stancewatch.api import Project

        return Project
    raise AttributeError(name)
