"""Teacher and student: ``stancewatch label`` has a stronger model code a sample of the
corpus; ``stancewatch train-stance --from-db`` (:func:`train_from_db`) trains the offline
stance model on those codings and the reviewers', and writes it into the pack (see
docs/stance.md). The logic lives in :mod:`stancewatch.stance.distill`; the codings in
:mod:`stancewatch.store.teacher`.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from stancewatch.cli.common import (
    PackOption,
    app,
    console,
    current_settings,
    errors_to_exit,
    out,
    pack_only,
    progress_bar,
)
from stancewatch.errors import InputError, InvalidValueError

TEACHER_BATCH = 8  # pairs per call to the teacher (and per write to the database)
MODEL_FOLDER = "stance-model"  # the pack's model folder when pack.yaml names none


def existing_db(db: Path) -> Any:
    """The store of ``db``, which must exist (these commands never create a database)."""
    from stancewatch.store.database import Store

    if not db.is_file():
        raise InputError(
            f"{db}: no such database; ingest and analyse a corpus first "
            f"(stancewatch ingest FILES --db {db}; stancewatch analyze --db {db})"
        )
    return Store(db)


def statement_readings(store: Any, statement_ids: Iterable[str]) -> dict[str, str]:
    """What the stance model reads for each stored statement among ``statement_ids``, as
    analyze reads it (each document parsed once for its sentences)."""
    from stancewatch.pipeline import stored_readings
    from stancewatch.registry import PARSERS
    from stancewatch.store.teacher import stored_statements

    by_document = stored_statements(store, statement_ids)
    if not by_document:
        return {}
    nlp = PARSERS.load(current_settings().parser)
    texts = {}
    for document_id, statements in by_document.items():
        text = store.document(document_id).text
        for statement, reading in zip(
            statements, stored_readings(nlp, text, statements), strict=True
        ):
            texts[statement.id] = reading
    return texts


@app.command()
@errors_to_exit
def label(
    stance: Annotated[
        str,
        typer.Option(
            "--stance",
            help="The teacher: a stance backend spec, e.g. chat:MODEL@URL (an OpenAI-compatible "
            "endpoint; key in STANCEWATCH_API_KEY) or nli:MODEL.",
        ),
    ],
    sample: Annotated[int, typer.Option("--sample", help="How many pairs the teacher codes.")],
    db: Annotated[Path, typer.Option("--db", help="An analysed database.")] = Path(
        "stancewatch.db"
    ),
    pack: PackOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = 13,
) -> None:
    """Have a stronger model (the teacher) code a stratified sample of the corpus's
    statement × position pairs, stored as teacher codings (never as a reviewer's).

    The sample takes pairs in turn from each position and machine label (so support and oppose
    are not drowned by neutral) and about a fifth of statements paired with positions they
    were not coded against. The teacher reads each statement as the stance model does. Pairs
    this teacher coded before are skipped, so a rerun adds nothing twice; a larger --sample
    or another --seed adds more. Then train the offline model with
    `stancewatch train-stance --from-db`.

    Example: stancewatch label --db corpus.db --stance chat:llama3@http://localhost:11434/v1 --sample 300
    """
    from stancewatch.stance.backends import load_backend
    from stancewatch.stance.distill import label_of, sample_pairs
    from stancewatch.store import teacher as codings

    if sample < 1:
        raise InvalidValueError(f"--sample must be at least 1, not {sample}")
    loaded = pack_only(pack)
    positions = {p.id: p for p in loaded.positions}
    with existing_db(db) as store:
        statements = codings.statement_ids(store)
        if not statements:
            raise InputError(f"{db} holds no statements; run stancewatch analyze --db {db} first")
        machine = [m for m in codings.machine_codings(store) if m[1] in positions]
        teacher = load_backend(stance, precision=current_settings().precision)
        drawn = sample_pairs(machine, statements, list(positions), sample, seed=seed)
        done = codings.teacher_coded(store, teacher.name)
        todo = [p for p in drawn if (p.statement_id, p.position_id) not in done]
        texts = statement_readings(store, {p.statement_id for p in todo})
        todo = [p for p in todo if p.statement_id in texts]
        labels: Counter[str] = Counter()
        with progress_bar() as progress:
            task = progress.add_task(f"Teacher {teacher.name}", total=len(todo))
            for start in range(0, len(todo), TEACHER_BATCH):
                batch = todo[start : start + TEACHER_BATCH]
                probs = teacher.score(
                    [texts[p.statement_id] for p in batch],
                    [positions[p.position_id] for p in batch],
                )
                rows = []
                for pair, row in zip(batch, probs, strict=True):
                    labels[label_of(row)] += 1
                    rows.append(
                        {
                            "statement_id": pair.statement_id,
                            "position_id": pair.position_id,
                            "teacher": teacher.name,
                            "label": label_of(row),
                            "p_support": round(float(row[0]), 4),
                            "p_oppose": round(float(row[1]), 4),
                            "p_neutral": round(float(row[2]), 4),
                            "text": texts[pair.statement_id],
                            "stratum": pair.stratum,
                            "machine_label": pair.machine_label,
                            "pack": loaded.name,
                        }
                    )
                codings.save_teacher_codings(store, rows)
                progress.advance(task, len(batch))
    summary = ", ".join(f"{labels[k]} {k}" for k in ("support", "oppose", "neutral"))
    off = sum(p.machine_label is None for p in todo)
    console.print(
        f"Teacher {teacher.name} coded {len(todo)} pair(s) ({summary}; {off} off the shortlist); "
        f"{len(drawn) - len(todo)} of the sample were coded by it before. Stored as teacher "
        f"codings in {db}. Next: stancewatch train-stance --from-db {db}"
        + (f" --pack {pack}" if pack else ""),
        highlight=False,
    )


def _installed(path: Path) -> bool:
    package = Path(str(resources.files("stancewatch"))).resolve()
    return path.resolve().is_relative_to(package)


def model_folder(pack: Any, output: Path | None) -> Path:
    """Where ``train-stance --from-db`` writes: ``output``, else the pack's model folder
    (never inside the installed package)."""
    if output is None:
        if _installed(pack.path):
            raise InputError(
                f"the pack {pack.name!r} is installed with stancewatch and cannot hold a model: "
                "give --output DIR (then analyse with --stance model:DIR), or copy the pack to "
                "a folder of your own and pass --pack"
            )
        output = pack.stance_model or pack.path / MODEL_FOLDER
    if _installed(output):
        raise InputError(f"{output} is inside the installed stancewatch package; choose another")
    if output.exists() and (not output.is_dir() or not _holds_model_or_nothing(output)):
        raise InputError(f"{output} exists and is not a stance model folder; choose another")
    return output


def _holds_model_or_nothing(folder: Path) -> bool:
    return (folder / "config.json").is_file() or not any(folder.iterdir())


def name_in_manifest(pack: Any, folder: Path) -> bool:
    """Name ``folder`` (inside the pack) as the pack's model in its pack.yaml, replacing an
    older ``stance_model`` line; False (nothing written) when ``folder`` is outside the pack."""
    try:
        relative = folder.resolve().relative_to(pack.path.resolve())
    except ValueError:
        return False
    manifest = pack.path / "pack.yaml"
    text = manifest.read_text("utf-8")
    line = f"stance_model: {relative.as_posix()}"
    pattern = re.compile(r"^stance_model:.*$", re.M)
    if pattern.search(text):
        text = pattern.sub(line, text)
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    manifest.write_text(text, "utf-8")
    return True


def _coded_pairs(store: Any, pack: Any) -> list[Any]:
    """The teacher's and the reviewers' codings of the pack's positions as training pairs."""
    from stancewatch.stance.distill import merge_codings
    from stancewatch.store import teacher as codings

    ids = {p.id for p in pack.positions}
    taught = codings.teacher_labels(store, ids)
    reviewed = {k: v for k, v in codings.human_stance_labels(store).items() if k[1] in ids}
    texts = statement_readings(store, {s for s, _ in reviewed})
    human = {k: (v, texts[k[0]]) for k, v in reviewed.items() if k[0] in texts}
    return merge_codings(taught, human)


def _agreement_table(rows: dict[str, dict[str, Any]], names: dict[str, str], held: int) -> Table:
    caption = "; ".join(f"{when}: {name}" for when, name in names.items())
    table = Table(title=f"Agreement on the held-out part ({held} pairs)", caption=caption)
    for column in ("model", "with", "items", "accuracy", "kappa", "macro-F1"):
        table.add_column(column)
    for model, found in rows.items():
        for who, scores in found.items():
            cells = [scores[k] for k in ("accuracy", "kappa", "macro_f1")]
            shown = ["—" if v is None else f"{v:.3f}" for v in cells]
            table.add_row(model, who, str(scores["items"]), *shown)
    return table


def train_from_db(
    db: Path,
    pack_dir: Path | None,
    output: Path | None,
    *,
    holdout: float,
    init: Path | None,
    changes: dict[str, Any],
    device: str,
    time_limit: float | None,
) -> None:
    """``train-stance --from-db``: see the command's help and docs/stance.md."""
    from stancewatch.stance.distill import agreement_with, distill, predict, split_holdout
    from stancewatch.stance.distill import start_config as config_from
    from stancewatch.stance.model import MiniLMLoRAStance, packaged_model_dir
    from stancewatch.store import teacher as codings

    if not 0 <= holdout < 1:
        raise InvalidValueError(f"--holdout must be at least 0 and below 1, not {holdout}")
    pack = pack_only(pack_dir)
    folder = model_folder(pack, output)
    precision = current_settings().precision
    with existing_db(db) as store:
        pairs = _coded_pairs(store, pack)
        if not pairs:
            raise InputError(
                f"{db} holds no teacher or reviewer codings of the positions of pack "
                f"{pack.name!r}; run stancewatch label --db {db} --stance SPEC --sample N first"
            )
        train_pairs, held = split_holdout(pairs, holdout, seed=changes.get("seed", 13))
        # The stored machine codings against the reviewers now, for the review app's
        # agreement page to set beside those of a re-analysis with the new model.
        reviewed_before = {
            "all": codings.reviewed_agreement(store),
            "heldout": codings.reviewed_agreement(
                store, [(p.statement_id, p.position_id) for p in held]
            ),
        }
        start = init or packaged_model_dir()
        cfg = config_from(start, **changes)
        if changes.get("batch_size") is None:
            cfg.batch_size = min(cfg.batch_size, max(8, len(train_pairs) // 2))
        sources = Counter(p.source for p in pairs)
        console.print(
            f"{len(pairs)} coded pairs ({sources['teacher']} from the teacher, "
            f"{sources['human']} from reviewers); {len(held)} held out. Starting from {start}.",
            highlight=False,
        )
        positions = {p.id: p for p in pack.positions}
        before = MiniLMLoRAStance(start, precision=precision)
        results = {"before": agreement_with(held, predict(before, held, positions))}
        scratch = folder.with_name(f".{folder.name}.training")
        shutil.rmtree(scratch, ignore_errors=True)
        best = distill(
            train_pairs,
            held,
            pack.positions,
            scratch,
            cfg,
            device=device,
            log=lambda line: console.print(line, highlight=False),
            time_limit_s=time_limit,
        )
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch.rename(folder)
        after = MiniLMLoRAStance(folder, precision=precision)
        results["after"] = agreement_with(held, predict(after, held, positions))
        config_file = folder / "config.json"
        config = json.loads(config_file.read_text("utf-8"))
        config["distilled"] = {
            "db": str(db),
            "pack": pack.name,
            "init": str(start),
            "pairs": dict(sources),
            "heldout": len(held),
            "agreement": results,
        }
        config_file.write_text(json.dumps(config, indent=2) + "\n", "utf-8")
        codings.save_model_note(
            store,
            pack=pack.name,
            model_dir=str(folder),
            name=after.name,
            previous=before.name,
            heldout=[p.item_id for p in held],
            metrics=results,
            reviewed=reviewed_before,
        )
    out.print(_agreement_table(results, {"before": before.name, "after": after.name}, len(held)))
    named = name_in_manifest(pack, folder)
    use = (
        f"{pack.path / 'pack.yaml'} names it, so analyze, run and Project use it with this pack"
        if named
        else f"use it with --stance model:{folder}"
    )
    console.print(
        f"Best epoch {best['epoch']} (held-out macro-F1 {best['dev'].get('heldout', '—')}); "
        f"wrote {folder}; {use}. Re-analyse with: stancewatch analyze --db {db} --force"
        + (f" --pack {pack_dir}" if pack_dir else ""),
        highlight=False,
    )
