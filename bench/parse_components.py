"""Time the pieces of text handling that stancewatch adds around spaCy, one core, no parse.

Usage:
    .venv/bin/python bench/parse_components.py [--corpus polnear|demo] [--repeat 3]

Prints the seconds (best of ``--repeat``) that these take over the corpus's texts:

- the paragraph-break component that runs before the parser (``stancewatch_paragraph_breaks``:
  sentence starts after blank lines, lines that end a sentence and datelines, and no sentence
  start between two words of a line), on the tokenized texts;
- quotation pairing (``find_quotes``) on the raw texts.

To compare with an older commit, run the same script with that commit's sources first on the
path: ``PYTHONPATH=<worktree>/src .venv/bin/python bench/parse_components.py``. Nothing is
written to docs/benchmarks.md: the figures are for comparing commits side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _best(run, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="polnear", choices=["polnear", "demo"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _corpora import corpus_paths

    from stancewatch.attribution.quotes import find_quotes
    from stancewatch.nlp import PARAGRAPH_BREAKS, load_spacy

    texts = [p.read_text("utf-8") for p in corpus_paths(args.corpus)]
    nlp = load_spacy()
    breaks = nlp.get_pipe(PARAGRAPH_BREAKS)
    tokenized = [nlp.make_doc(t) for t in texts]
    words = sum(len(d) for d in tokenized)

    def mark() -> None:
        for doc in tokenized:  # setting a sentence start again gives the same doc
            breaks(doc)

    def pair() -> None:
        for text in texts:
            find_quotes(text)

    print(f"{args.corpus}: {len(texts)} texts, {words} tokens (best of {args.repeat})")
    print(f"paragraph breaks: {_best(mark, args.repeat):.3f} s")
    print(f"quotation pairing: {_best(pair, args.repeat):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
