"""stancewatch: who said what, which positions they take, how closely they align, and which
of their numeric claims are false, with the evidence behind every number.

``import stancewatch`` stays light: :class:`Project` (pandas, the models) is imported on
first use. Each stage's subpackage lists its own public names in ``__all__``
(docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stancewatch.registry import lazy_exports
from stancewatch.version import __version__

if TYPE_CHECKING:
    from stancewatch.api import Project
    from stancewatch.errors import StancewatchError
    from stancewatch.settings import Settings

__all__ = ["Project", "Settings", "StancewatchError", "__version__"]
_, __getattr__ = lazy_exports(
    __name__, {"Project": "api", "Settings": "settings", "StancewatchError": "errors"}
)
