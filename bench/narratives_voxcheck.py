"""Benchmark narrative classification, false-claim retrieval, rebuttal robustness and speed.

Usage:
    .venv/bin/python bench/narratives_voxcheck.py [--folds 5] [--bank-size 10000]
                                                  [--statements 1000] [--no-write]

1. **Narrative classification** of VoxCheck cases (``../shared/data/ukraine_disinfo_narratives``,
   train file only), cross-validated: 5 folds stratified by narrative, grouped by normalised
   text so duplicate cases never sit on both sides. TF-IDF + logistic regression (baseline),
   MiniLM + logistic regression, their probability average, and the pack's own narratives
   used zero-shot (nearest example claim; what ``stancewatch analyze`` does without training).
2. **False-claim retrieval**: each case ranks all the specific false claims ("fakes") of the
   train file; a fake is scored by its label text and by the cases of that fake in the
   training folds only (the held-out fold's cases never). Accuracy@1 and MRR.
3. **Rebuttal robustness**: ``bench/data/rebuttals.csv`` (written for this project: negated
   and quoted-to-refute versions of claims like the bank's). The claims go into a bank with
   the EUvsDisinfo titles; a rebuttal is wrongly matched when the matcher returns a
   repetition for it. The claims themselves must still be matched (recall).
4. **Throughput** of :func:`stancewatch.narratives.matching.match_texts` against a 10,000-claim bank
   (EUvsDisinfo titles, repeated with a marker to reach the size, in memory only), with
   torch on 2 threads and a cold embedding cache.

The data are research-only: nothing from them is written anywhere but the numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CASES = DATA / "ukraine_disinfo_narratives" / "cases_train.jsonl"
TITLES = DATA / "euvsdisinfo_claims" / "claims_train.csv"
REBUTTALS = ROOT / "bench" / "data" / "rebuttals.csv"
RUW = DATA / "ruw" / "ruw_train.csv"
SEED = 20250301
KEYWORDS = {  # a word of each dataset narrative's name -> the default pack's narrative id
    "maidan": "maidan-coup",
    "nazi": "ukraine-run-by-nazis",
    "nord stream": "nord-stream",
    "agressor": "russia-not-aggressor",
    "mh17": "mh17-not-russia",
    "protect itself": "russia-self-defence",
    "discriminated": "russians-discriminated",
    "church": "schismatic-church",
    "controls ukraine": "west-controls-ukraine",
    "not interested": "west-abandons-ukraine",
    "failed state": "failed-state",
    "illiberal": "illiberal-ukraine",
    "aggressive policy": "ukraine-aggressive-policy",
}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _fake(text: str) -> str:
    return text.strip().rstrip(".").strip()


def _folds(labels: np.ndarray, groups: list[str], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def _tfidf(train: list[str], test: list[str]):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    return vectorizer.fit_transform(train), vectorizer.transform(test)


def _lr(c: float):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced")


def classify(texts: list[str], X: np.ndarray, y: np.ndarray, folds, pack, embedder, bank) -> dict:  # type: ignore[no-untyped-def]
    """Narrative classification: out-of-fold predictions of each system.

    ``bank`` is the false claims ("fakes") with their narratives: a fact-checker's archive
    holds its claims whatever cases come in, so every fold's label model sees all of them
    (and the narrative names), beside the training fold's cases.
    """
    from sklearn.metrics import accuracy_score, f1_score

    from stancewatch.narratives import label_model as labels

    classes = np.array(sorted(set(y)))
    probs = {"tfidf": np.zeros((len(y), len(classes))), "minilm": np.zeros((len(y), len(classes)))}
    probs["model"] = np.zeros((len(y), len(classes)))
    bank_texts, bank_labels = zip(*bank, strict=True)
    for train, test in folds:
        rows = labels.examples(
            [texts[i] for i in train] + list(bank_texts), [*y[train], *bank_labels]
        )
        model = labels.LabelModel().fit(rows, embedder.encode(list(rows.texts)))
        probs["model"][np.ix_(test, np.searchsorted(classes, model.classes))] = model.predict_proba(
            [texts[i] for i in test], X[test]
        )
        a, b = _tfidf([texts[i] for i in train], [texts[i] for i in test])
        model = _lr(10.0).fit(a, y[train])
        probs["tfidf"][np.ix_(test, np.searchsorted(classes, model.classes_))] = (
            model.predict_proba(b)
        )
        model = _lr(8.0).fit(X[train], y[train])
        probs["minilm"][np.ix_(test, np.searchsorted(classes, model.classes_))] = (
            model.predict_proba(X[test])
        )
    systems = {
        "TF-IDF + logistic regression (baseline)": classes[probs["tfidf"].argmax(1)],
        "MiniLM + logistic regression": classes[probs["minilm"].argmax(1)],
        "MiniLM LR + TF-IDF LR (probability average)": classes[
            (probs["tfidf"] + probs["minilm"]).argmax(1)
        ],
        f"stancewatch label model `{labels.METHOD}` (cases + bank claims)": classes[
            probs["model"].argmax(1)
        ],
    }
    # Zero-shot: each dataset narrative is mapped to a pack narrative by a keyword of its
    # name; a case gets the narrative of its nearest pack example claim.
    from stancewatch.narratives import matching as narratives

    mapping = {}
    for label in classes:
        pack_id = next((v for k, v in KEYWORDS.items() if k in label.lower()), None)
        if pack_id is not None:
            mapping[pack_id] = label
    index = narratives.build_index(
        [t for t in narratives.narrative_targets(pack.narratives) if not t.counter], embedder.encode
    )
    nearest = (X @ index.vectors.T).argmax(1)
    systems["pack narratives, zero-shot (no training)"] = np.array(
        [mapping.get(index.targets[i].label, "(unmapped)") for i in nearest]
    )
    return {
        name: {
            "macro_f1": float(f1_score(y, pred, average="macro", labels=classes)),
            "accuracy": float(accuracy_score(y, pred)),
        }
        for name, pred in systems.items()
    }


def _rank_metrics(
    scores: np.ndarray, gold: np.ndarray, same: list[set[int]] | None = None
) -> dict[str, float]:
    """Accuracy@1/@3 and MRR of ``gold``; with ``same`` (row → every fake a case with the
    same passage carries), also accuracy@1 counting any of them."""
    gold_scores = scores[np.arange(len(gold)), gold]
    ranks = 1 + (scores > gold_scores[:, None]).sum(1)
    out = {
        "accuracy_at_1": float((ranks == 1).mean()),
        "accuracy_at_3": float((ranks <= 3).mean()),
        "mrr": float((1.0 / ranks).mean()),
    }
    if same is not None:
        top = scores.argmax(1)
        out["accuracy_at_1_any"] = float(np.mean([t in s for t, s in zip(top, same, strict=True)]))
    return out


def passage_fakes(texts: list[str], gold: np.ndarray) -> list[set[int]]:
    """For each case, the fakes of every case with the same (normalised) passage: VoxCheck
    files some passages under several fakes, and one first answer can match only one row."""
    by_text: dict[str, set[int]] = {}
    for text, g in zip(texts, gold, strict=True):
        by_text.setdefault(_norm(text), set()).add(int(g))
    return [by_text[_norm(t)] for t in texts]


def passage_ceiling(texts: list[str], gold: np.ndarray) -> tuple[int, float]:
    """How many cases share their passage with a case filed under another fake, and the
    best accuracy@1 any method can reach (per passage, the rows of its commonest fake)."""
    rows: dict[str, list[int]] = {}
    for text, g in zip(texts, gold, strict=True):
        rows.setdefault(_norm(text), []).append(int(g))
    shared = sum(len(r) for r in rows.values() if len(set(r)) > 1)
    best = sum(max(r.count(g) for g in set(r)) for r in rows.values())
    return shared, best / len(texts)


def _z(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean(1, keepdims=True)) / (scores.std(1, keepdims=True) + 1e-9)


def retrieve(
    texts: list[str],
    X: np.ndarray,
    fakes: list[str],
    gold: np.ndarray,
    folds,
    embedder,
    narrative_of: dict[str, str],
    y: np.ndarray,
) -> dict:  # type: ignore[no-untyped-def]
    """False-claim retrieval among all fakes, with fold-internal examples only."""
    from stancewatch.narratives import label_model as labels

    n, m = len(texts), len(fakes)
    F = embedder.encode(fakes)
    keys = ("tfidf", "label", "centroid", "lr", "combined", "model", "hierarchy")
    out = {k: np.zeros((n, m)) for k in keys}
    from sklearn.preprocessing import normalize

    fake_narratives = [narrative_of[f] for f in fakes]
    for train, test in folds:
        held = [texts[i] for i in test]
        rows = labels.examples([texts[i] for i in train], [fakes[gold[i]] for i in train])
        rows = labels.examples([*rows.texts, *fakes], [*rows.labels, *fakes], label_texts=False)
        model = labels.LabelModel().fit(rows, embedder.encode(list(rows.texts)))
        columns = [model.classes.index(f) for f in fakes]
        out["model"][test] = model.predict_proba(held, X[test])[:, columns]
        rows = labels.examples([texts[i] for i in train] + fakes, [*y[train], *fake_narratives])
        upper = labels.LabelModel().fit(rows, embedder.encode(list(rows.texts)))
        prior = upper.predict_proba(held, X[test])[
            :, [upper.classes.index(v) for v in fake_narratives]
        ]
        out["hierarchy"][test] = np.log(out["model"][test] + 1e-9) + np.log(prior + 1e-9)
        docs = [
            fakes[j] + " " + " ".join(texts[i] for i in train if gold[i] == j) for j in range(m)
        ]
        a, b = _tfidf(docs, [texts[i] for i in test])
        out["tfidf"][test] = (b @ a.T).toarray()
        out["label"][test] = X[test] @ F.T
        centroids = np.array(
            [F[j] + X[train][gold[train] == j].sum(0) for j in range(m)], dtype=np.float32
        )
        out["centroid"][test] = X[test] @ normalize(centroids).T
        model = _lr(8.0).fit(np.vstack([X[train], F]), np.concatenate([gold[train], np.arange(m)]))
        proba = np.zeros((len(test), m))
        proba[:, model.classes_] = model.predict_proba(X[test])
        out["lr"][test] = proba
        out["combined"][test] = _z(proba) + _z(out["tfidf"][test])
    names = {
        "tfidf": "TF-IDF nearest fake (label + training cases) (baseline)",
        "label": "MiniLM, fake label text only (no training)",
        "centroid": "MiniLM, centroid of label + training cases",
        "lr": "MiniLM + logistic regression over fakes",
        "combined": "MiniLM LR + TF-IDF (z-scores summed)",
        "model": f"stancewatch label model `{labels.METHOD}`, label = fake",
        "hierarchy": "label model over fakes × label model over narratives",
    }
    same = passage_fakes(texts, gold)
    return {names[k]: _rank_metrics(v, gold, same) for k, v in out.items()}, out["model"]


def confusions(
    scores: np.ndarray, gold: np.ndarray, fakes: list[str], narrative_of: dict[str, str]
) -> dict:  # type: ignore[type-arg]
    """Where first answers go wrong: how many wrong answers stay in the gold fake's narrative,
    and how many fall between two fakes that are each mistaken for the other (one claim in two
    wordings, or two claims that passages often make together), the most confused pairs first.
    """
    from collections import Counter

    top = scores.argmax(1)
    wrong = Counter((int(g), int(t)) for g, t in zip(gold, top, strict=True) if g != t)
    mutual = {tuple(sorted(k)) for k in wrong if (k[1], k[0]) in wrong}
    in_mutual = sum(n for (g, t), n in wrong.items() if tuple(sorted((g, t))) in mutual)
    pairs = sorted(mutual, key=lambda k: -(wrong[k] + wrong[(k[1], k[0])]))
    return {
        "errors": sum(wrong.values()),
        "same_narrative": sum(
            n for (g, t), n in wrong.items() if narrative_of[fakes[g]] == narrative_of[fakes[t]]
        ),
        "mutual_pairs": len(mutual),
        "in_mutual_pairs": in_mutual,
        "top_pairs": [(fakes[a], fakes[b], wrong[(a, b)] + wrong[(b, a)]) for a, b in pairs[:5]],
    }


def detection(embedder, pack, cases: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """How often the pack's narratives are matched, with and without the gate: VoxCheck cases
    (disinformation, should match) against RUW tweets that oppose Russia or favour Ukraine
    (should not) and tweets with no stance on either (should not)."""
    import pandas as pd

    from stancewatch.narratives import matching as narratives

    ruw = pd.read_csv(RUW, dtype=str, keep_default_na=False)
    against = (ruw["Stance 1"] == "AGAINST") | (ruw["Stance 2"] == "FAVOR")
    neither = (ruw["Stance 1"] == "NONE") & (ruw["Stance 2"] == "NONE")
    sets = {
        "VoxCheck cases (should match)": cases,
        "RUW tweets against Russia or for Ukraine (should not)": ruw.loc[against, "Tweet"].tolist(),
        "RUW tweets with no stance (should not)": ruw.loc[neither, "Tweet"].tolist(),
    }
    targets = narratives.narrative_targets(pack.narratives)
    background = [t for p in pack.positions for t in (p.proposition, *p.supports, *p.opposes)]
    indexes = {
        "similarity + polarity": narratives.build_index(targets, embedder.encode),
        "with the gate (default)": narratives.build_index(targets, embedder.encode, background),
    }
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for name, texts in sets.items():
        ids = [str(i) for i in range(len(texts))]
        out[name] = {}
        for method, index in indexes.items():
            found = narratives.match_texts(ids, texts, index, embedder.encode)
            matched = {m.statement_id for m in found if m.relation == "repeats"}
            out[name][method] = (len(matched), len(texts))
    return out


def rebuttals(embedder, titles: list[str]) -> dict:  # type: ignore[no-untyped-def]
    from stancewatch.narratives import matching as narratives

    with REBUTTALS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    claims = list(dict.fromkeys(r["claim"] for r in rows))
    bank = [narratives.BankClaim(f"t{i}", t) for i, t in enumerate(titles)]
    bank += [narratives.BankClaim(f"c{i}", c, label="own") for i, c in enumerate(claims)]
    index = narratives.build_index(narratives.bank_targets(bank), embedder.encode)
    texts = [r["rebuttal"] for r in rows]
    ids = [str(i) for i in range(len(rows))]
    matches = narratives.match_texts(ids, texts, index, embedder.encode)
    repeated = {m.statement_id for m in matches if m.relation == "repeats"}
    topical = {m.statement_id for m in matches}
    own = narratives.match_texts(
        [str(i) for i in range(len(claims))], claims, index, embedder.encode
    )
    recalled = {m.statement_id for m in own if m.relation == "repeats"}
    by_kind = {}
    for kind in sorted({r["kind"] for r in rows}):
        chosen = [str(i) for i, r in enumerate(rows) if r["kind"] == kind]
        by_kind[kind] = (sum(i in repeated for i in chosen), len(chosen))
    return {
        "rebuttals": len(rows),
        "titles": len(titles),
        "wrongly_matched": len(repeated),
        "retrieved_at_all": len(topical),
        "by_kind": by_kind,
        "claims": len(claims),
        "claims_matched": len(recalled),
        "wrong_ids": sorted(repeated, key=int),
    }


def throughput(
    embedder_name: str, titles: list[str], size: int, statements: list[str], precision: str
) -> dict:
    import torch

    from stancewatch.narratives import matching as narratives
    from stancewatch.nlp import Embedder, load_embedder

    torch.set_num_threads(2)
    base = load_embedder(embedder_name)
    bank_texts = list(titles)
    copy = 1
    while len(bank_texts) < size:  # no paraphrase: the same titles with a marker
        bank_texts += [f"{t} ({copy})" for t in titles[: size - len(bank_texts)]]
        copy += 1
    fresh = Embedder(base._model, base.name, precision=precision)
    start = time.perf_counter()
    index = narratives.build_index(
        narratives.bank_targets(
            [narratives.BankClaim(str(i), t) for i, t in enumerate(bank_texts)]
        ),
        fresh.encode,
    )
    build = time.perf_counter() - start
    # a cold cache for the statements
    fresh = Embedder(base._model, base.name, precision=precision)
    start = time.perf_counter()
    ids = [str(i) for i in range(len(statements))]
    matches = narratives.match_texts(ids, statements, index, fresh.encode)
    took = time.perf_counter() - start
    return {
        "bank": len(index),
        "index_seconds": build,
        "statements": len(statements),
        "seconds": took,
        "per_second": len(statements) / took,
        "matched": len({m.statement_id for m in matches}),
        "threads": torch.get_num_threads(),
        "precision": fresh.precision,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--bank-size", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    for path in (CASES, TITLES, RUW):
        if not path.exists():
            print(
                f"{path} is missing (the public datasets live in ../shared/data)", file=sys.stderr
            )
            return 1

    from stancewatch.nlp import load_embedder
    from stancewatch.packs import load_pack

    embedder = load_embedder()
    pack = load_pack()
    with CASES.open(encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle if line.strip()]
    texts = [c["disinfo_case_en"] for c in cases]
    y = np.array([c["narrative"] for c in cases])
    fakes = sorted({_fake(c["fake"]) for c in cases})
    gold = np.array([fakes.index(_fake(c["fake"])) for c in cases])
    folds = _folds(y, [_norm(t) for t in texts], args.folds)
    X = embedder.encode(texts)
    print(f"{len(cases)} cases, {len(set(y))} narratives, {len(fakes)} fakes, {args.folds} folds")

    narrative_of = {_fake(c["fake"]): c["narrative"] for c in cases}
    bank = [(fake, narrative_of[fake]) for fake in fakes]
    narrative = classify(texts, X, y, folds, pack, embedder, bank)
    for name, row in narrative.items():
        print(
            f"narrative  {name:48} macro-F1 {row['macro_f1']:.3f}  accuracy {row['accuracy']:.3f}"
        )
    fake, model_scores = retrieve(texts, X, fakes, gold, folds, embedder, narrative_of, y)
    for name, row in fake.items():
        print(
            f"fake       {name:58} acc@1 {row['accuracy_at_1']:.3f} "
            f"(any of the passage's fakes {row['accuracy_at_1_any']:.3f})  "
            f"acc@3 {row['accuracy_at_3']:.3f}  MRR {row['mrr']:.3f}"
        )

    confused = confusions(model_scores, gold, fakes, narrative_of)
    print(
        f"errors     label model: {confused['errors']} wrong first answers, "
        f"{confused['same_narrative']} within the gold fake's narrative, "
        f"{confused['in_mutual_pairs']} between the {confused['mutual_pairs']} pairs of fakes "
        "mistaken for each other; the most confused pairs (printed only, the texts are "
        "VoxCheck's):"
    )
    for a, b, n in confused["top_pairs"]:
        print(f"           {n:3} | {a[:70]} <-> {b[:70]}")
    detect = detection(embedder, pack, texts)
    for name, row in detect.items():
        shown = ", ".join(f"{k} {a}/{b} ({a / b:.1%})" for k, (a, b) in row.items())
        print(f"detection  {name}: {shown}")

    with TITLES.open(encoding="utf-8") as handle:
        titles = [r["title"].strip() for r in csv.DictReader(handle) if r["title"].strip()]
    rebut = rebuttals(embedder, titles)
    rate = rebut["wrongly_matched"] / rebut["rebuttals"]
    print(
        f"rebuttals  {rebut['wrongly_matched']}/{rebut['rebuttals']} wrongly matched as "
        f"repetitions ({rate:.1%}); {rebut['retrieved_at_all']} retrieved as topical; "
        f"by kind {rebut['by_kind']}; claims matched {rebut['claims_matched']}/{rebut['claims']}; "
        f"wrong: {rebut['wrong_ids']}"
    )

    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s) > 20]
    rng = np.random.default_rng(SEED)
    chosen = [sentences[i] for i in rng.permutation(len(sentences))[: args.statements]]
    from stancewatch.nlp import cpu_has_native_bf16

    speeds = [
        throughput("all-MiniLM-L6-v2", titles, args.bank_size, chosen, precision)
        for precision in ("fp32", "bf16")[: 2 if cpu_has_native_bf16() else 1]
    ]
    for speed in speeds:
        print(
            f"throughput {speed['statements']} statements against {speed['bank']} claims: "
            f"{speed['per_second']:.0f} statements/s ({speed['threads']} threads, "
            f"{speed['precision']}; bank indexed once in {speed['index_seconds']:.0f} s)"
        )
    if not args.no_write:
        from _results import update_section

        update_section(
            "narratives",
            _markdown(
                len(cases),
                len(fakes),
                args,
                narrative,
                fake,
                confused,
                rebut,
                speeds,
                detect,
                *passage_ceiling(texts, gold),
            ),
        )
        print("Wrote docs/benchmarks.md")
    return 0


def _markdown(
    cases, n_fakes, args, narrative, fake, confused, rebut, speeds, detect, shared, ceiling
) -> str:  # type: ignore[no-untyped-def]
    lines = [
        "## Known narratives and claim matching (VoxCheck, EUvsDisinfo)",
        "",
        "`.venv/bin/python bench/narratives_voxcheck.py`: VoxCheck cases (train file, "
        f"{cases} cases, 13 narratives, {n_fakes} distinct fakes in train), {args.folds}-fold "
        "cross-validation stratified by narrative and grouped by normalised text. Targets: "
        "narrative macro-F1 ≥ 0.70, false-claim accuracy@1 ≥ 0.55, rebuttals wrongly matched "
        "≤ 10%, ≥ 200 statements/s against 10,000 claims on 2 cores.",
        "",
        "| narrative classification | macro-F1 | accuracy |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v['macro_f1']:.3f} | {v['accuracy']:.3f} |" for k, v in narrative.items()]
    lines += [
        "",
        "| false-claim retrieval (case → its fake) | accuracy@1 | accuracy@3 | MRR "
        "| accuracy@1, any of the passage's fakes |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['accuracy_at_1']:.3f} | {v['accuracy_at_3']:.3f} | {v['mrr']:.3f} "
        f"| {v['accuracy_at_1_any']:.3f} |"
        for k, v in fake.items()
    ]
    lines += [
        "",
        f"Accuracy@1 is the target's measure: one first answer per case row. VoxCheck files "
        f"{shared} cases under a passage that another case files under a different fake; such "
        f"rows share one first answer, so no method can exceed {ceiling:.3f} accuracy@1. The "
        "last column counts a first answer right when it is any fake filed with the same "
        "passage.",
        "",
        f"Where the label model's first answers go wrong: {confused['errors']} wrong, "
        f"{confused['same_narrative']} of them to another fake of the same narrative, and "
        f"{confused['in_mutual_pairs']} between the {confused['mutual_pairs']} pairs of fakes "
        "that are each mistaken for the other. In this run the most confused pairs include one "
        "claim in two wordings filed under two narratives (who organised the Maidan) and claims "
        "that passages often make together (a coup and a civil war). The script prints the "
        "pairs; the texts are VoxCheck's and stay out of this file.",
    ]
    methods = list(next(iter(detect.values())))
    lines += [
        "",
        "Narrative detection in analysed statements: the share of texts matched as repeating "
        "one of the default pack's narratives (`stancewatch analyze` without a claim bank).",
        "",
        "| texts | " + " | ".join(methods) + " |",
        "|---" * (len(methods) + 1) + "|",
    ]
    lines += [
        f"| {name} | " + " | ".join(f"{a}/{b} ({a / b:.1%})" for a, b in row.values()) + " |"
        for name, row in detect.items()
    ]
    rate = rebut["wrongly_matched"] / rebut["rebuttals"]
    kinds = ", ".join(f"{k} {a}/{b}" for k, (a, b) in rebut["by_kind"].items())
    lines += [
        "",
        f"Rebuttal robustness (`bench/data/rebuttals.csv`, {rebut['rebuttals']} negated or "
        "quoted-to-refute statements written for the project; bank = their claims + "
        f"{rebut['titles']} EUvsDisinfo titles): **{rebut['wrongly_matched']} "
        f"wrongly matched as repetitions ({rate:.1%})** ({kinds}); {rebut['retrieved_at_all']} "
        "were retrieved by the embeddings alone, i.e. cosine retrieval without the polarity "
        f"step would have matched them. The claims themselves: {rebut['claims_matched']}/"
        f"{rebut['claims']} matched as repetitions.",
        "",
        f"Throughput: {speeds[0]['statements']} VoxCheck sentences against a "
        f"{speeds[0]['bank']}-claim bank, torch on {speeds[0]['threads']} threads, cold cache. "
        "Time is almost all MiniLM encoding of the statements; the 10,000-claim matrix "
        "product is negligible.",
        "",
        "| encoder precision | statements/s | indexing the bank once |",
        "|---|---|---|",
    ]
    names = {
        "fp32": "float32 (`STANCEWATCH_PRECISION=fp32`; the default where the CPU lacks "
        "native bfloat16)",
        "bf16": "bfloat16 (the default `auto` on this CPU, which computes it natively)",
    }
    lines += [
        f"| {names[v['precision']]} | **{v['per_second']:.0f}** | {v['index_seconds']:.0f} s |"
        for v in speeds
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    raise SystemExit(main())
