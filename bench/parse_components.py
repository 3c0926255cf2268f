"""Time the pieces of text handling that stancewatch adds around spaCy, one core, no parse.

Usage:
    .venv/bin/python bench/parse_components.py [--corpus polnear|demo] [--repeat 3] [--write]

Prints the seconds (best of ``--repeat``) that every component of the spaCy pipeline takes
over the corpus's texts, each on the documents the components before it made (one core, batches
of 16, as ``nlp.pipe`` runs them; tokenizing counted apart), and the seconds that two pieces of
text handling stancewatch adds around spaCy take:

- the paragraph-break component that runs before the parser (``stancewatch_paragraph_breaks``:
  sentence starts after blank lines, lines that end a sentence and datelines, and no sentence
  start between two words of a line), on the tokenized texts;
- quotation pairing (``find_quotes``) on the raw texts.

To compare with an older commit, run the same script with that commit's sources first on the
path: ``PYTHONPATH=<worktree>/src .venv/bin/python bench/parse_components.py``. ``--write``
puts the component table in docs/benchmarks.md (where the parse, half of ``analyze``'s time,
goes); compare commits only with rows measured side by side.
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
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
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
    rows = _components(nlp, texts, args.repeat)
    total = sum(seconds for _, seconds in rows)
    for name, seconds in rows:
        print(f"{name:32} {seconds:6.2f} s {seconds / total:4.0%}")
    if args.write:
        from _results import update_section

        table = "\n".join(
            f"| {name} | {seconds:.2f} | {seconds / total:.0%} | {words / seconds:,.0f} |"
            for name, seconds in rows
        )
        update_section(
            f"parse-components-{args.corpus}",
            f"## Where the parse spends its time ({args.corpus})\n\n"
            f"`.venv/bin/python bench/parse_components.py --corpus {args.corpus} --write`: "
            f"{len(texts)} texts, {words:,} tokens, one core, batches of 16, best of "
            f"{args.repeat} per component, each component on the documents the ones before it "
            f"made. {total:.1f} s in all ({len(texts) / total:.1f} documents/s on one core).\n\n"
            "| component | seconds | share | tokens/s |\n| --- | --- | --- | --- |\n" + table,
        )
    return 0


def _components(nlp, texts: list[str], repeat: int) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """Seconds per pipeline component (best of ``repeat``), tokenizing first."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        docs = [nlp.make_doc(t) for t in texts]
        best["tokenizer"] = min(best.get("tokenizer", 1e9), time.perf_counter() - started)
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            if hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=16))
            else:
                docs = [component(doc) for doc in docs]
            best[name] = min(best.get(name, 1e9), time.perf_counter() - started)
    return sorted(best.items(), key=lambda item: -item[1])


if __name__ == "__main__":
    sys.exit(main())
