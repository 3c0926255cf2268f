"""Benchmark stancewatch's attribution (and textacy's) against the PolNeAR gold attributions.

Usage:
    .venv/bin/python bench/attribution_polnear.py [--split dev] [--limit N] [--n-process 2]
                                                  [--no-textacy]

Reads ``../shared/data/polnear/{split}/`` (``text/*.txt`` and the brat ``attributions/*.ann``,
first annotation file per article by name), parses each article once with spaCy and scores
stancewatch's ``attribute`` (with its learned cue model, and with its word lists alone) and,
when textacy is installed, textacy's ``direct_quotations`` on the same parses. The scoring is :mod:`stancewatch.attribution.evaluation` (the same as
``stancewatch eval attribution``). A full run writes its numbers to docs/benchmarks.md.

The data are research-only; nothing from them is written anywhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polnear"


def _chars(row: dict) -> str:
    return "" if row["content_char_p"] is None else f"{row['content_char_p']:.3f}"


def _line(label: str, row: dict) -> str:
    return (
        f"{label:34} gold {row['gold']:5d} pred {row['predicted']:5d} | content P "
        f"{row['content_p']:.3f} R {row['content_r']:.3f} F1 {row['content_f1']:.3f} | speaker "
        f"acc {row['speaker_accuracy']:.3f} | end-to-end P {row['end_to_end_p']:.3f} R "
        f"{row['end_to_end_r']:.3f} F1 {row['end_to_end_f1']:.4f} | chars in gold {_chars(row)}"
    )


def _table(results: list) -> str:
    lines = [
        "| system | scoring | attributions | gold | predicted | content P | content R | "
        "content F1 | speaker accuracy | end-to-end P | end-to-end R | end-to-end F1 | "
        "matched chars in gold | articles/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result.rows():
            lines.append(
                f"| {row['system']} | {row['scoring']} | {row['attributions']} | {row['gold']} "
                f"| {row['predicted']} | {row['content_p']:.3f} | {row['content_r']:.3f} "
                f"| {row['content_f1']:.3f} | {row['speaker_accuracy']:.3f} "
                f"| {row['end_to_end_p']:.3f} | {row['end_to_end_r']:.3f} "
                f"| {row['end_to_end_f1']:.3f} | {_chars(row)} | {row['articles_per_s']:.1f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    parser.add_argument("--no-textacy", action="store_true", help="skip textacy's comparison")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"PolNeAR is not at {DATA}; see ../shared/data/polnear/SOURCE.md.", file=sys.stderr)
        return 2

    from stancewatch.attribution.evaluation import (
        evaluate,
        load_folder,
        model_extractor,
        stancewatch_extractor,
        textacy_extractor,
    )
    from stancewatch.errors import ModelError
    from stancewatch.nlp import load_spacy

    articles = load_folder(DATA / args.split)[: args.limit]
    systems = {"stancewatch": stancewatch_extractor, "rules": model_extractor(None)}
    if not args.no_textacy:
        try:
            systems["textacy"] = textacy_extractor()
        except ModelError as exc:
            print(f"textacy comparison skipped: {exc}", file=sys.stderr)
    results = evaluate(articles, load_spacy(), systems, n_process=args.n_process)
    print(f"PolNeAR {args.split}: {len(articles)} articles")
    for result in results:
        print(f"{result.name}: {result.articles_per_second:.1f} articles/s including parsing")
        for row in result.rows():
            print(_line(f"  {result.name} {row['scoring']} {row['attributions']}", row))
    if args.limit is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _results import update_section

        command = (
            f"python bench/attribution_polnear.py --split {args.split} --n-process {args.n_process}"
        )
        update_section(
            f"attribution-polnear-{args.split}",
            f"## Attribution on PolNeAR {args.split}\n\n`{command}` (the same scoring as "
            f"`stancewatch eval attribution ../shared/data/polnear/{args.split} "
            "--compare rules --compare textacy`)\n\n"
            f"{len(articles)} articles (first annotation file per article by name), parsed once "
            f"with spaCy ({args.n_process} process{'es' if args.n_process > 1 else ''}); every "
            "system is scored on the same parses. Articles/s counts the shared parsing time plus "
            "the system's own extraction time. Two scorings (docs/attribution_scoring.md): "
            "*reference* is the rules of `../shared/tools/score_attribution.py`, which published "
            "figures and the targets use (every statement its own prediction; agrees with the "
            "script to four decimals, a test checks it); *grouped* is stancewatch's earlier "
            "scoring (statements sharing a cue count as one prediction, a prediction is quoted "
            "when its own content holds a mark). In both, a prediction matches a gold attribution when the "
            "content spans overlap by at least half of the gold span; the speaker is right when "
            "the predicted speaker span overlaps the gold source. *Quoted* attributions are those "
            "whose content holds a quotation mark; textacy's `direct_quotations` finds only "
            "those, so its *all* row shows how much of news attribution it leaves out. *rules* is "
            "stancewatch without its learned cue model (the word lists of reporting verbs alone). "
            "*Matched chars in gold* is the share of the matched predictions' characters that lie "
            "in their gold content: how tight the spans are, which the half-overlap match does not "
            "ask. The cue model (`models/cues-v1`) was trained on the train split with "
            "`stancewatch train-cues ../shared/data/polnear/train` and its thresholds chosen on "
            "dev.\n\n" + _table(results),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
