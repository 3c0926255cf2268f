"""The exceptions stancewatch raises for problems a user can fix (placeholder tree; the
error-tree work replaces this module)."""

from __future__ import annotations


class StancewatchError(Exception):
    """Base class."""


class InputError(StancewatchError, ValueError):
    """A file, URL, table or value given by the user."""
