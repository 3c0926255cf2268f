"""The errors stancewatch raises for problems a user can fix, in one tree.

Everything a user can cause (a file that cannot be read, an option value that is not valid,
an actor id that is not in the pack, a model that is not installed, a database that is not
one) is a :class:`StancewatchError`. The command line reports exactly these as one line,
``Error: <message>``, and exits with status 1; any other exception is a bug and shows its
traceback. So every message names the file, value or id at fault and says what was expected
(the valid choices, the format, the command that makes the missing thing).

The tree (the module that raises each specific class in brackets)::

    StancewatchError
        InputError              a file, URL, table, column or value given by the user
            NotFoundError       an id or name that is not there: an actor, a position, a
                                document, a review item (also a KeyError)
            InvalidValueError   an argument or table value outside what is valid, from the
                                functions whose callers catch ValueError (also a ValueError)
            IngestError         [ingest.readers] one input file or URL
            EvaluationError     [attribution.evaluation] a gold folder or brat file
            BankError           [narratives.banks] a claim bank
            ExportError         [export] an export format or target
            RunError            [scale.runner] the inputs or settings of a batch run
            OutputError         [scale.parquet] a run output folder
            AuthError           [web.auth] a coder account
            ReviewError         [web.review] a review kind or value
            RegistryError       [registry] a spec that names no registered part
        PackError               a pack's files (pack.yaml, actors.yaml, facts.csv, ...)
        ModelError              a model that is missing, cannot be loaded or is malformed
            ModelNotAvailable   [nlp] a spaCy pipeline or sentence-transformers model
            StanceModelError    [stance.model] a trained stance model folder
            CueModelError       [attribution.cue_model] a cue model file
            LabelModelError     [narratives.label_model] a label model or its training rows
        StoreError              the database file
        BackendError            a stance backend or the endpoint it talks to

Programming errors (arguments of the wrong type, lists of different lengths, a table
without the columns the code itself builds) stay ``ValueError`` and ``TypeError``.

This module imports nothing from stancewatch, so every stage may import it.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "InputError",
    "InvalidValueError",
    "ModelError",
    "NotFoundError",
    "PackError",
    "StancewatchError",
    "StoreError",
]


class StancewatchError(Exception):
    """A problem the user can fix; the message names the file or value and what was
    expected. The command line prints it as ``Error: <message>`` and exits with status 1."""


class InputError(StancewatchError):
    """A file, URL, table, column or value given by the user is unreadable or invalid."""


class NotFoundError(InputError, KeyError):
    """An id or name that is not there (an actor, a position, a document, a review item);
    the message lists the known ones where there are few. Also a ``KeyError``, as these
    lookups raised before (the web app answers it with 404)."""

    __str__ = Exception.__str__  # the message as given, not quoted as KeyError quotes it


class InvalidValueError(InputError, ValueError):
    """An argument or table value outside what is valid; the message says what is. Also a
    ``ValueError``, as the functions that raise it raised before, for callers that catch it."""


class PackError(StancewatchError):
    """A pack file is missing or invalid. The message names the file and the problem."""


class ModelError(StancewatchError):
    """A model is missing, cannot be loaded or is malformed; the message names it and says
    how to get a working one."""


class StoreError(StancewatchError):
    """The database file cannot be used. The message names the file."""


class BackendError(StancewatchError):
    """A stance backend cannot be loaded or does not answer as expected."""
