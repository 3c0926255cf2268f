"""The word-level pieces that claim extraction, its subjects and its measures share.

Which dependency relations attach a number to the noun it counts (:data:`ATTACH_DEPS`), which
parts of speech are nouns, the characters that end a clause, the pattern of a word, and the
measure stopwords of ``units.yaml``: used by :mod:`stancewatch.claims.extract`,
:mod:`stancewatch.claims.subjects` and :mod:`stancewatch.claims.measures`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from stancewatch.claims.lexicon import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc

# the relations that tie a number to the noun it counts ("93 countries", "4% approval")
ATTACH_DEPS = frozenset({"nummod", "compound", "amod", "quantmod", "nmod", "appos", "npadvmod"})
NOUNS = frozenset({"NOUN", "PROPN"})  # the parts of speech of a noun
CLAUSE_BREAK = frozenset(".;:!?()[]\n")  # characters that end a clause
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, inner apostrophes, hyphens


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The words that never name what a figure measures (``measure_stopwords``)."""
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])


def per_doc(doc: Doc, key: str, build: Callable[[Doc], Any]) -> Any:
    """``build(doc)``, computed once per parse and kept in the Doc's user data under ``key``:
    one parse serves every sentence of its document, and a Doc's ``text`` and ``ents`` are
    rebuilt from its tokens on every access."""
    if key not in doc.user_data:
        doc.user_data[key] = build(doc)
    return doc.user_data[key]
