"""The word-level pieces that claim extraction, its subjects and its measures share.

Which dependency relations attach a number to the noun it counts (:data:`ATTACH_DEPS`), which
parts of speech are nouns, the characters that end a clause, the pattern of a word, and the
measure stopwords of ``units.yaml``: used by :mod:`stancewatch.claims.extract`,
:mod:`stancewatch.claims.subjects` and :mod:`stancewatch.claims.measures`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stancewatch.claims.lexicon import lexicon

# the relations that tie a number to the noun it counts ("93 countries", "4% approval")
ATTACH_DEPS = frozenset({"nummod", "compound", "amod", "quantmod", "nmod", "appos", "npadvmod"})
NOUNS = frozenset({"NOUN", "PROPN"})  # the parts of speech of a noun
CLAUSE_BREAK = frozenset(".;:!?()[]\n")  # characters that end a clause
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, inner apostrophes, hyphens


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The words that never name what a figure measures (``measure_stopwords``)."""
    return frozenset(str(w) for w in lexicon().raw["measure_stopwords"])
