"""Training data for the stance model: many NLI and stance sets read as (text, hypothesis,
label) pairs, in the spirit of the Political DEBATE recipe.

Premise = the text, hypothesis = the proposition; entailment/favour/pro = support (0),
contradiction/against/con = oppose (1), neutral/none = neutral (2) (see
``../shared/data/nli/README.md``). Files are read as given or with ``.gz`` appended, so a
gzipped copy of the data folder works the same. Only the standard library and pandas are
imported.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from stancewatch.errors import InvalidValueError

LABELS = {
    "entailment": 0,
    "e": 0,
    "favor": 0,
    "pro": 0,
    "support": 0,
    "supports": 0,
    "for": 0,
    "agree": 0,
    "agrees": 0,
    "1": 0,
    "contradiction": 1,
    "c": 1,
    "against": 1,
    "con": 1,
    "undermine": 1,
    "oppose": 1,
    "refutes": 1,
    "disagree": 1,
    "disagrees": 1,
    "-1": 1,
    "neutral": 2,
    "n": 2,
    "none": 2,
    "observing": 2,
    "not_enough_info": 2,
    "0": 2,
}
GWSD_PROPOSITION = "Climate change is a serious concern."


@dataclass(frozen=True)
class Pair:
    """One training or evaluation pair; ``label`` 0 support, 1 oppose, 2 neutral."""

    text: str
    hypothesis: str
    label: int


def data_file(root: Path, rel: str) -> Path | None:
    for candidate in (root / rel, root / (rel + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def text_lines(path: Path) -> Iterable[str]:
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        yield from handle


def _pairs(texts: Iterable[Any], hyps: Iterable[Any], labels: Iterable[Any]) -> list[Pair]:
    out = []
    for t, h, y in zip(texts, hyps, labels, strict=True):
        key = str(y).strip().lower()
        if key in LABELS and str(t).strip() and str(h).strip() and str(t) != "nan":
            out.append(Pair(str(t).strip(), str(h).strip(), LABELS[key]))
    return out


def read_csv(path: Path, **kw: Any) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace", **kw)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text_lines(path) if line.strip()]


def vast_pairs(path: Path) -> list[Pair]:
    d = read_csv(path)
    return _pairs(d["Tweet"], d["Target 1"], d["Stance 1"])


def ruw_pairs(path: Path) -> list[Pair]:
    d = read_csv(path)
    return [p for k in (1, 2) for p in _pairs(d["Tweet"], d[f"Target {k}"], d[f"Stance {k}"])]


def _nli_jsonl(paths: Sequence[Path], premise: str = "premise") -> list[Pair]:
    rows = [r for p in paths for r in _jsonl(p)]
    return _pairs(
        [r[premise] for r in rows], [r["hypothesis"] for r in rows], [r["label"] for r in rows]
    )


def _columns(a: str, b: str, y: str) -> Callable[[list[Path]], list[Pair]]:
    """A loader for CSV files with text, hypothesis and label columns."""

    def load(paths: list[Path]) -> list[Pair]:
        d = pd.concat([read_csv(p) for p in paths])
        return _pairs(d[a], d[b], d[y])

    return load


def _source_loaders() -> dict[str, tuple[list[str], Callable[[list[Path]], list[Pair]]]]:
    """Source name -> (files relative to the data folder, loader)."""

    def tsv(paths: list[Path], a: str, b: str, y: str, **kw: Any) -> list[Pair]:
        d = pd.concat([read_csv(p, sep="\t", quoting=3, **kw) for p in paths])
        return _pairs(d[a], d[b], d[y])

    def semeval(paths: list[Path]) -> list[Pair]:
        d = pd.concat([read_csv(p, sep="\t", quoting=3, encoding="latin-1") for p in paths])
        return _pairs(d["Tweet"].str.replace("#SemST", ""), d["Target"], d["Stance"])

    def climate_fever(paths: list[Path]) -> list[Pair]:
        rows = [e | {"claim": r["claim"]} for r in _jsonl(paths[0]) for e in r["evidences"]]
        return _pairs(
            [r["evidence"] for r in rows],
            [r["claim"] for r in rows],
            [r["evidence_label"] for r in rows],
        )

    def gwsd(paths: list[Path]) -> list[Pair]:
        d = read_csv(paths[0], sep="\t")
        workers = [c for c in d.columns if c.startswith("worker_")]
        votes = d[workers].apply(lambda r: pd.Series([v for v in r if v]).mode(), axis=1)[0]
        return _pairs(d["sentence"], [GWSD_PROPOSITION] * len(d), votes.fillna(""))

    def iam(paths: list[Path]) -> list[Pair]:
        d = pd.concat([read_csv(p, sep="\t", header=None, quoting=3) for p in paths])
        return _pairs(d[2], d[1], d[4])

    return {
        "mnli": (["nli/mnli/mnli_dev_matched.jsonl"], _nli_jsonl),
        "snli": (["nli/snli/snli_dev.jsonl", "nli/snli/snli_test_tokenized.jsonl"], _nli_jsonl),
        "anli": (
            [f"nli/anli/anli_r{r}_{s}.jsonl" for r in (1, 2, 3) for s in ("dev", "test")],
            lambda ps: _nli_jsonl(ps, premise="context"),
        ),
        "cad_snli": (["nli/cad_snli/cad_snli_test.jsonl"], _nli_jsonl),
        "xnli_en": (
            ["nli/xnli_en/xnli_dev_en.tsv"],
            lambda ps: tsv(ps, "a", "b", "y", header=None, names=["a", "b", "y"]),
        ),
        "sick": (
            [
                "nli/sick/SICK_train.txt",
                "nli/sick/SICK_trial.txt",
                "nli/sick/SICK_test_annotated.txt",
            ],
            lambda ps: tsv(ps, "sentence_A", "sentence_B", "entailment_judgment"),
        ),
        "ibm_claim_stance": (
            ["nli/ibm_claim_stance/claim_stance_dataset_v1.csv"],
            _columns("claims.claimCorrectedText", "topicText", "claims.stance"),
        ),
        "ibm_argkp": (
            [f"nli/ibm_argkp/arguments_{s}.csv" for s in ("train", "dev", "test")],
            _columns("argument", "topic", "stance"),
        ),
        "perspectrum": (
            ["nli/perspectrum/perspectrum_pairs.csv"],
            _columns("perspective", "claim", "stance"),
        ),
        "iam": (
            [f"nli/iam/stance_{s}.txt" for s in ("train", "dev", "test")],
            iam,
        ),
        "semeval2016": (
            [
                "nli/semeval2016_stance/semeval2016_task6_train.txt",
                "nli/semeval2016_stance/semeval2016_task6A_test_gold.txt",
                "nli/semeval2016_stance/semeval2016_task6B_trump_test_gold.txt",
            ],
            semeval,
        ),
        "gwsd": (["nli/gwsd/GWSD.tsv"], gwsd),
        "emergent": (
            ["nli/emergent/url-versions-2015-06-14-clean.csv"],
            _columns("articleHeadline", "claimHeadline", "articleHeadlineStance"),
        ),
        "healthver": (
            ["nli/healthver/healthver_dev.csv", "nli/healthver/healthver_test.csv"],
            _columns("evidence", "claim", "label"),
        ),
        "climate_fever": (["nli/climate_fever/climate-fever.jsonl"], climate_fever),
        "vast": (["vast/vast_train_subset10.csv"], lambda ps: vast_pairs(ps[0])),
        "ruw": (["ruw/ruw_train.csv"], lambda ps: ruw_pairs(ps[0])),
        "stance_domain": (["stance-domain/train.csv"], lambda ps: domain_pairs(ps[0])),
    }


SOURCES: tuple[str, ...] = tuple(_source_loaders())
DATA_FILES: tuple[str, ...] = tuple(f for files, _ in _source_loaders().values() for f in files)
DEV_FILES = {
    "vast": "vast/vast_dev.csv",
    "ruw": "ruw/ruw_val.csv",
    "stance_domain": "stance-domain/dev.csv",
}
# Labelled sentences in the reported speaker's convention (see stance-domain/SOURCE.md): they
# are fed the way the pipeline feeds a statement, so their texts need attribution first.
WRITTEN_FILES = {
    "train": "stance-domain/synthetic_train.csv",
    "dev": "stance-domain/synthetic_dev.csv",
}


def propositions_beside(path: Path) -> dict[str, str]:
    """``propositions.yaml`` beside a pairs file: id -> wording (empty when absent)."""
    import yaml

    found = path.parent / "propositions.yaml"
    if not found.is_file():
        return {}
    loaded = yaml.safe_load(found.read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in loaded.items()}


def domain_pairs(path: Path, texts: Sequence[str] | None = None) -> list[Pair]:
    """A stance-domain pairs file (text, position, label); position ids become their
    wording from ``propositions.yaml`` beside the file. ``texts`` replaces the text column
    (e.g. with what the pipeline's model reads for each written statement)."""
    d = read_csv(path)
    wording = propositions_beside(path)
    hyps = [wording.get(p, p) for p in d["position"]]
    return _pairs(d["text"] if texts is None else texts, hyps, d["label"])


def load_sources(
    data: Path, sources: Sequence[str] = SOURCES, log: Callable[[str], None] = print
) -> dict[str, list[Pair]]:
    """Training pairs per source; a source whose files are missing is skipped with a note."""
    loaders = _source_loaders()
    unknown = [s for s in sources if s not in loaders]
    if unknown:
        raise InvalidValueError(f"unknown training source {unknown}; known: {', '.join(loaders)}")
    out = {}
    for name in sources:
        rels, loader = loaders[name]
        paths = [data_file(data, rel) for rel in rels]
        found = [p for p in paths if p is not None]
        if not found:
            log(f"source {name}: no files under {data}, skipped")
            continue
        out[name] = loader(found)
        log(f"source {name}: {len(out[name])} pairs from {len(found)} files")
    return out


def phrasing_pairs(positions: Iterable[Any]) -> list[Pair]:
    """Codebook phrasings as pairs: each support (oppose) example supports (opposes) its own
    proposition and is neutral toward the next position's proposition."""
    positions = list(positions)
    out = []
    for i, pos in enumerate(positions):
        other = positions[(i + 1) % len(positions)].proposition if len(positions) > 1 else None
        for label, examples in ((0, pos.supports), (1, pos.opposes)):
            for text in examples:
                out.append(Pair(text, pos.proposition, label))
                if other:
                    out.append(Pair(text, other, 2))
    return out
