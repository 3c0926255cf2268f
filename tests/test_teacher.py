"""Teacher and student: `stancewatch label` has a stronger model code a stratified sample of a
corpus, `train-stance --from-db` trains the offline model on it and the reviewers' codings and
writes it into the pack, which `analyze` and `Project` then use. Real SQLite files, the real
models and a local server speaking the OpenAI chat API as the teacher."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml
from chat_fixtures import ChatServer
from typer.testing import CliRunner

from stancewatch.cli import app
from stancewatch.errors import InvalidValueError, PackError
from stancewatch.packs import default_pack_path, load_pack
from stancewatch.records import Stance
from stancewatch.registry import DEFAULT_STANCE_BACKEND
from stancewatch.settings import Settings
from stancewatch.stance.distill import (
    OFF_SHORTLIST,
    CodedPair,
    agreement_scores,
    cohen_kappa,
    merge_codings,
    sample_pairs,
    split_holdout,
)
from stancewatch.store import teacher as codings
from stancewatch.store.database import Store
from stancewatch.web import review

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# -- sampling, holding out, agreement ---------------------------------------------------------
def shortlist_of(n_statements: int) -> list[tuple[str, str, str]]:
    """Machine codings drowned by neutral: every statement neutral on p1 and p2, and a few
    take a side on p1."""
    rows = [(f"s{i:02d}", p, "neutral") for i in range(n_statements) for p in ("p1", "p2")]
    rows += [("s00", "p3", "support"), ("s01", "p3", "support"), ("s02", "p3", "oppose")]
    return rows


def test_the_sample_is_stratified_by_position_and_label_and_reaches_off_the_shortlist():
    machine = shortlist_of(40)
    statements = [f"s{i:02d}" for i in range(40)]
    drawn = sample_pairs(machine, statements, ["p1", "p2", "p3", "p4"], 10, seed=3)
    assert len(drawn) == 10
    keys = [(p.statement_id, p.position_id) for p in drawn]
    assert len(set(keys)) == 10
    strata = Counter(p.stratum for p in drawn)
    # Support and oppose are not drowned by 80 neutral codings.
    assert strata["p3/support"] == 2 and strata["p3/oppose"] == 1
    assert strata[OFF_SHORTLIST] == 2  # a fifth of the sample
    coded = {(s, p) for s, p, _ in machine}
    off = [p for p in drawn if p.stratum == OFF_SHORTLIST]
    assert all((p.statement_id, p.position_id) not in coded for p in off)
    assert all(p.machine_label is None for p in off)
    on = [p for p in drawn if p.stratum != OFF_SHORTLIST]
    assert all(p.stratum == f"{p.position_id}/{p.machine_label}" for p in on)


def test_the_sample_is_seeded_and_a_larger_one_extends_it():
    machine = shortlist_of(30)
    statements = [f"s{i:02d}" for i in range(30)]
    args = (machine, statements, ["p1", "p2", "p3"])
    small = sample_pairs(*args, 10, seed=5)
    assert small == sample_pairs(*args, 10, seed=5)
    assert small != sample_pairs(*args, 10, seed=6)
    large = sample_pairs(*args, 20, seed=5)
    assert set(small) <= set(large)
    everything = sample_pairs(*args, 10_000, seed=5)
    assert len(everything) == 30 * 3  # every statement × position pair, once


def test_a_sample_of_less_than_one_is_refused():
    with pytest.raises(InvalidValueError, match="at least 1"):
        sample_pairs(shortlist_of(3), ["s00"], ["p1"], 0)


def pair(i: int, label: str, human: bool = False) -> CodedPair:
    return CodedPair(
        f"s{i}", "p", f"text {i}", label, human_label=label if human else None, teacher_label=label
    )


def test_the_held_out_part_is_stratified_and_never_takes_a_whole_stratum():
    pairs = [pair(i, "neutral") for i in range(20)]
    pairs += [pair(100 + i, "support") for i in range(5)]
    pairs += [pair(200, "oppose")]  # alone: stays in training
    pairs += [pair(300 + i, "oppose", human=True) for i in range(2)]
    train, held = split_holdout(pairs, 0.2, seed=1)
    assert sorted(train + held, key=lambda p: p.statement_id) == sorted(
        pairs, key=lambda p: p.statement_id
    )
    count = Counter((p.source, p.label) for p in held)
    assert count == {("teacher", "neutral"): 4, ("teacher", "support"): 1, ("human", "oppose"): 1}
    assert split_holdout(pairs, 0.2, seed=1) == (train, held)
    assert split_holdout(pairs, 0.0)[1] == []
    with pytest.raises(InvalidValueError, match="held-out share"):
        split_holdout(pairs, 1.0)


def test_a_reviewer_s_label_wins_over_the_teacher_s():
    teacher = {("s1", "p"): ("support", "read 1"), ("s2", "p"): ("neutral", "read 2")}
    human = {("s1", "p"): ("oppose", "read 1"), ("s3", "p"): ("support", "read 3")}
    merged = {p.statement_id: p for p in merge_codings(teacher, human)}
    assert merged["s1"].label == "oppose" and merged["s1"].source == "human"
    assert (merged["s1"].teacher_label, merged["s1"].human_label) == ("support", "oppose")
    assert merged["s2"].label == "neutral" and merged["s2"].source == "teacher"
    assert merged["s3"].teacher_label is None and merged["s3"].item_id == "s3:p"


def test_agreement_scores_by_hand():
    gold = ["support", "support", "oppose", "oppose", "neutral", "neutral"]
    predicted = ["support", "support", "oppose", "neutral", "neutral", "neutral"]
    scores = agreement_scores(gold, predicted)
    # observed 5/6, chance (2·2 + 2·1 + 2·3) / 36 = 1/3: kappa (5/6 - 1/3) / (2/3) = 0.75
    assert scores["items"] == 6 and scores["accuracy"] == pytest.approx(0.8333, abs=1e-4)
    assert scores["kappa"] == pytest.approx(0.75)
    assert scores["macro_f1"] == pytest.approx((1 + 2 / 3 + 0.8) / 3, abs=1e-4)
    assert cohen_kappa(["neutral"] * 3, ["neutral"] * 3) is None
    assert agreement_scores([], [])["accuracy"] is None


def test_the_student_starts_from_a_model_with_its_design_and_no_data_folder(tmp_path):
    from stancewatch.stance.distill import start_config
    from stancewatch.stance.model import StanceModelError, packaged_model_dir

    shipped = json.loads((packaged_model_dir() / "config.json").read_text("utf-8"))
    cfg = start_config(packaged_model_dir(), epochs=3, lr=None)
    assert cfg.init == str(packaged_model_dir()) and cfg.sources == []
    assert (cfg.rank, cfg.alpha, cfg.arch) == (shipped["rank"], shipped["alpha"], shipped["arch"])
    assert cfg.epochs == 3 and cfg.lr == shipped["lr"]  # None keeps the default
    with pytest.raises(StanceModelError, match="no trained stance model"):
        start_config(tmp_path)


# -- the store: teacher codings apart, reviewers' labels ---------------------------------------
def teacher_row(statement: str, position: str, label: str, teacher: str = "stance.chat.v1:t"):
    probs = {"support": (0.8, 0.1, 0.1), "oppose": (0.1, 0.8, 0.1), "neutral": (0.1, 0.1, 0.8)}
    p = probs[label]
    return {
        "statement_id": statement,
        "position_id": position,
        "teacher": teacher,
        "label": label,
        "p_support": p[0],
        "p_oppose": p[1],
        "p_neutral": p[2],
        "text": f"what {statement} says",
    }


def test_teacher_codings_are_replaced_not_duplicated_and_never_review_codings(review_db):
    path, ids = review_db
    with Store(path) as store:
        reviews = store.count("review_codings")
        codings.save_teacher_codings(
            store, [teacher_row(ids["s1"], "no-nato-membership", "oppose")]
        )
        codings.save_teacher_codings(
            store, [teacher_row(ids["s1"], "no-nato-membership", "support")]
        )
        codings.save_teacher_codings(
            store, [teacher_row(ids["s1"], "no-nato-membership", "neutral", teacher="nli:x")]
        )
        rows = store.query("SELECT teacher, label, coded_at FROM teacher_codings ORDER BY teacher")
        assert [(r["teacher"], r["label"]) for r in rows] == [
            ("nli:x", "neutral"),
            ("stance.chat.v1:t", "support"),
        ]
        assert all(r["coded_at"] for r in rows)
        assert store.count("review_codings") == reviews and store.count("adjudications") == 0
        assert codings.teacher_coded(store, "stance.chat.v1:t") == {
            (ids["s1"], "no-nato-membership")
        }
        latest = codings.teacher_labels(store, ["no-nato-membership"])
        assert latest == {(ids["s1"], "no-nato-membership"): ("neutral", f"what {ids['s1']} says")}
        assert codings.teacher_labels(store, ["ceasefire-first"]) == {}
        assert codings.human_stance_labels(store) == {}  # a teacher is not a reviewer


def test_reviewers_labels_adjudication_first_then_the_majority(review_db):
    path, ids = review_db
    s1_cede, s1_nato = f"{ids['s1']}:cede-occupied-territory", f"{ids['s1']}:no-nato-membership"
    s2_cede = f"{ids['s2']}:cede-occupied-territory"
    with Store(path) as store:
        review.add_coding(store, "stance", s1_cede, "support", "ann")
        review.add_coding(store, "stance", s1_cede, "oppose", "ann")  # ann's latest counts
        review.add_coding(store, "stance", s1_cede, "oppose", "bob")
        review.add_coding(store, "stance", s1_nato, "neutral", "ann")
        review.add_coding(store, "stance", s1_nato, "oppose", "bob")  # a tie: left out
        review.add_coding(store, "stance", s2_cede, "neutral", "bob")
        review.adjudicate(store, "stance", s2_cede, "oppose", "ann")
        labels = codings.human_stance_labels(store)
    assert labels == {
        (ids["s1"], "cede-occupied-territory"): "oppose",
        (ids["s2"], "cede-occupied-territory"): "oppose",
    }


# -- a pack's own model -----------------------------------------------------------------------
def user_pack(folder: Path, keep: set[str] | None = None, phrasings: int = 4) -> Path:
    """A copy of the bundled pack in a user's folder (only the positions in ``keep``, each
    with its first few phrasings, so that the models have less to read)."""
    shutil.copytree(default_pack_path(), folder)
    (folder / "narratives.yaml").unlink()
    if keep is not None:
        data = yaml.safe_load((folder / "positions.yaml").read_text("utf-8"))
        data["positions"] = [p for p in data["positions"] if p["id"] in keep]
        for position in data["positions"]:
            for side in ("supports", "opposes"):
                position[side] = position[side][:phrasings]
        (folder / "positions.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        acts = yaml.safe_load((folder / "actions.yaml").read_text("utf-8"))
        acts["actions"] = [a for a in acts["actions"] if a["position"] in keep]
        (folder / "actions.yaml").write_text(yaml.safe_dump(acts, sort_keys=False), "utf-8")
    return folder


def test_a_pack_names_its_own_stance_model_which_runs_without_a_chosen_backend(tmp_path):
    pack = user_pack(tmp_path / "pack")
    assert load_pack(pack).stance_model is None
    assert Settings().stance_for(load_pack(pack)) == DEFAULT_STANCE_BACKEND == "minilm-lora"
    with (pack / "pack.yaml").open("a", encoding="utf-8") as handle:
        handle.write("stance_model: models/mine\n")
    loaded = load_pack(pack)
    assert loaded.stance_model == pack / "models" / "mine"
    assert Settings().stance_for(loaded) == f"model:{pack / 'models' / 'mine'}"
    assert Settings(stance="minilm-lora").stance_for(loaded) == "minilm-lora"  # chosen wins
    for bad in ("../elsewhere", "/abs/model"):
        text = (pack / "pack.yaml").read_text("utf-8")
        (pack / "pack.yaml").write_text(re.sub("stance_model: .*", f"stance_model: {bad}", text))
        with pytest.raises(PackError, match="inside the pack"):
            load_pack(pack)


# -- errors -----------------------------------------------------------------------------------
def test_label_reports_bad_input_as_errors(tmp_path, review_db):
    path, _ = review_db
    missing = invoke("label", "--db", tmp_path / "none.db", "--stance", "prototype", "--sample", 5)
    assert missing.exit_code == 1 and "no such database" in missing.output
    assert not (tmp_path / "none.db").exists()
    unknown = invoke("label", "--db", path, "--stance", "gpt:x", "--sample", 5)
    assert unknown.exit_code == 1 and "unknown stance backend 'gpt:x'" in unknown.output
    zero = invoke("label", "--db", path, "--stance", "prototype", "--sample", 0)
    assert zero.exit_code == 1 and "--sample must be at least 1" in zero.output
    malformed = invoke("label", "--db", path, "--stance", "chat:model", "--sample", 5)
    assert malformed.exit_code == 1 and "chat:MODEL@URL" in malformed.output


def test_train_stance_from_db_reports_bad_input_as_errors(tmp_path, review_db):
    path, _ = review_db
    bundled = invoke("train-stance", "--from-db", path)
    assert bundled.exit_code == 1 and "give --output DIR" in bundled.output
    pack = user_pack(tmp_path / "pack")
    nothing = invoke("train-stance", "--from-db", path, "--pack", pack)
    assert nothing.exit_code == 1 and "no teacher or reviewer codings" in nothing.output
    rank = invoke("train-stance", "--from-db", path, "--pack", pack, "--rank", 8)
    assert rank.exit_code == 1 and "leave out --arch, --rank" in rank.output
    held = invoke("train-stance", "--from-db", path, "--pack", pack, "--holdout", 1.5)
    assert held.exit_code == 1 and "--holdout" in held.output
    missing = invoke("train-stance", "--from-db", tmp_path / "none.db", "--pack", pack)
    assert missing.exit_code == 1 and "no such database" in missing.output
    assert not (pack / "stance-model").exists() and "stance_model" not in (
        pack / "pack.yaml"
    ).read_text("utf-8")


# -- the agreement page shows the gain -------------------------------------------------------
def _page(path: Path) -> str:
    import asyncio

    from stancewatch.web.app import create_app

    async def get() -> str:
        web = create_app(path, secret_key="test-key", resamples=20)
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/agreement")).text

    return asyncio.run(get())


def _row(html: str, pairs: str, when: str) -> str:
    match = re.search(rf'<tr data-pairs="{pairs}" data-when="{when}">(.*?)</tr>', html, re.S)
    assert match, (pairs, when)
    return match.group(1)


def test_the_agreement_page_shows_agreement_with_reviewers_before_and_after(review_db):
    path, ids = review_db
    cede = "cede-occupied-territory"
    assert "No stance model has been trained" in _page(path)
    with Store(path) as store:
        # The machine said support, neutral, oppose; reviewers say oppose, neutral, oppose.
        review.add_coding(store, "stance", f"{ids['s1']}:{cede}", "oppose", "ann")
        review.add_coding(store, "stance", f"{ids['s1']}:no-nato-membership", "neutral", "ann")
        review.add_coding(store, "stance", f"{ids['s2']}:{cede}", "oppose", "bob")
        held = [(ids["s1"], cede)]
        codings.save_model_note(
            store,
            pack="ukraine-peace-2025",
            model_dir="pack/stance-model",
            name="stance.minilm-lora.v3:bi@new",
            previous="stance.minilm-lora.v3:bi@old",
            heldout=[f"{s}:{p}" for s, p in held],
            metrics={"before": {"people": agreement_scores(["oppose"], ["support"])}},
            reviewed={
                "all": codings.reviewed_agreement(store),
                "heldout": codings.reviewed_agreement(store, held),
            },
        )
    html = _page(path)
    assert 'id="not-reanalysed"' in html
    assert '<td class="accuracy">0.667</td>' in _row(html, "all", "before")
    assert '<td class="accuracy">0.000</td>' in _row(html, "heldout", "before")
    assert "test" in _row(html, "all", "now")  # the stored codings' method
    # A re-analysis with the new model codes the first statement as the reviewers did.
    with Store(path) as store:
        statement = codings.stored_statements(store, [ids["s1"]])[ids["first"]][0]
        new = "stance.minilm-lora.v3:bi@new"
        store.save_analysis(
            ids["first"],
            run_id=None,
            statements=[statement],
            stances=[
                Stance(ids["s1"], cede, "oppose", 0.9, 0.6, new),
                Stance(ids["s1"], "no-nato-membership", "neutral", 0.8, 0.4, new),
            ],
            claims=[],
            verdicts=[],
        )
    html = _page(path)
    assert 'id="not-reanalysed"' not in html
    assert '<td class="accuracy">0.667</td>' in _row(html, "all", "before")
    assert '<td class="accuracy">1.000</td>' in _row(html, "all", "now")
    assert '<td class="accuracy">1.000</td>' in _row(html, "heldout", "now")
    assert new in _row(html, "all", "now")


# -- end to end -------------------------------------------------------------------------------
# Short texts written for this test, each an attributed statement on one of the positions kept.
TEXTS = (
    'Donald Trump said on Tuesday that "Ukraine will never join NATO."',
    "Sergei Lavrov said Kyiv's membership of NATO was out of the question.",
    "Volodymyr Zelensky said Ukraine's place was in NATO and it would not give up on membership.",
    "Emmanuel Macron said European troops could be sent to Ukraine as peacekeepers after a deal.",
    "Dmitry Peskov said Moscow would never accept European peacekeepers in Ukraine.",
    "Keir Starmer said Britain was ready to put troops on the ground to keep a peace deal.",
    "Marco Rubio said a ceasefire had to come first, before talks on a final settlement.",
    "Yuri Ushakov said a ceasefire would only let Ukraine rearm and was not acceptable.",
)
POSITIONS = {"no-nato-membership", "ceasefire-first", "no-european-peacekeepers"}
TOPICS = {"NATO": "nato", "ceasefire": "ceasefire", "troops": "troops|peacekeep"}


def rule_teacher(prompt: str) -> tuple[int, str]:
    """A teacher with a fixed rule: a statement on the position's topic opposes it when it
    negates, else supports it; any other statement is neutral."""
    position = prompt.split("Position:", 1)[1].split("Statement:", 1)[0]
    statement = prompt.split("Statement:", 1)[1].split("Does the statement", 1)[0].lower()
    for topic, pattern in TOPICS.items():
        if topic in position and re.search(pattern, statement):
            side = "oppose" if re.search(r"\bnot\b|never", statement) else "support"
            return 200, json.dumps({"stance": side, "confidence": 0.9})
    return 200, json.dumps({"stance": "neutral", "confidence": 0.8})


@pytest.fixture
def teacher_server():
    server = ChatServer(rule_teacher)
    yield server
    server.close()


@pytest.mark.models
def test_label_train_and_analyze_with_the_pack_s_own_model(tmp_path, teacher_server):
    from stancewatch.api import Project
    from stancewatch.scale import make_analyzer
    from stancewatch.stance.model import MiniLMLoRAStance

    pack = user_pack(tmp_path / "pack", POSITIONS)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), "utf-8")
    db = tmp_path / "corpus.db"
    assert invoke("ingest", corpus, "--db", db, "--pack", pack).exit_code == 0
    assert invoke("analyze", "--db", db, "--pack", pack).exit_code == 0
    with sqlite3.connect(db) as conn:
        first = {m for (m,) in conn.execute("SELECT DISTINCT method FROM stances")}
        machine = conn.execute("SELECT statement_id, position_id FROM stances").fetchall()
    shipped = MiniLMLoRAStance().name
    assert first == {shipped} and machine

    teacher = f"chat:tiny-teacher@{teacher_server.url}"
    labelled = invoke("label", "--db", db, "--pack", pack, "--stance", teacher, "--sample", 20)
    assert labelled.exit_code == 0, labelled.output
    assert "coded 20 pair(s)" in labelled.output
    asked = len(teacher_server.requests)
    assert asked == 20
    again = invoke("label", "--db", db, "--pack", pack, "--stance", teacher, "--sample", 20)
    assert "coded 0 pair(s)" in again.output and len(teacher_server.requests) == asked
    # What the teacher read is what the stance model reads: the speaker is taken out.
    prompt = teacher_server.requests[0][1]["messages"][0]["content"]
    assert "Statement:" in prompt and "Lavrov" not in prompt and "Trump" not in prompt

    with Store(db) as store:
        rows = store.query("SELECT * FROM teacher_codings")
        assert len(rows) == 20 and {r["teacher"] for r in rows} == {"stance.chat.v1:tiny-teacher"}
        assert {r["pack"] for r in rows} == {"ukraine-peace-2025"}
        assert sum(r["stratum"] == OFF_SHORTLIST for r in rows) >= 4
        assert all(abs(r["p_support"] + r["p_oppose"] + r["p_neutral"] - 1) < 1e-3 for r in rows)
        assert {r["label"] for r in rows} >= {"support", "oppose", "neutral"}
        # Teacher codings are not human codings.
        assert store.count("review_codings") == 0 and store.count("adjudications") == 0
        assert {r["coder"] for r in store.query("SELECT DISTINCT coder FROM stances")} == {
            "machine"
        }
        # A reviewer codes two pairs: their labels win over the teacher's in training.
        for statement_id, position_id in machine[:2]:
            review.add_coding(store, "stance", f"{statement_id}:{position_id}", "oppose", "ann")

    trained = invoke(
        "train-stance", "--from-db", db, "--pack", pack, "--epochs", 1, "--time-limit", 30
    )
    assert trained.exit_code == 0, trained.output
    text = trained.output
    assert "2 from reviewers" in text and "Agreement on the held-out part" in text
    assert re.search(r"before\s.*teacher", text) and re.search(r"after\s.*people", text)
    model = pack / "stance-model"
    assert (model / "stance.safetensors").is_file()
    config = json.loads((model / "config.json").read_text("utf-8"))
    taught = {(r["statement_id"], r["position_id"]) for r in rows}
    pairs = len(taught | {tuple(m) for m in machine[:2]})
    assert config["distilled"]["pairs"] == {"teacher": pairs - 2, "human": 2}
    assert set(config["distilled"]["agreement"]) == {"before", "after"}
    assert config["train_pairs"]["written"] > 0 and "vast" not in config["train_pairs"]
    assert load_pack(pack).stance_model == model  # pack.yaml names it
    assert not list(pack.glob(".*training"))
    with Store(db) as store:
        note = codings.model_notes(store)[0]
    student = MiniLMLoRAStance(model)
    assert note["name"] == student.name != shipped and note["heldout"]

    assert invoke("analyze", "--db", db, "--pack", pack, "--force").exit_code == 0
    with sqlite3.connect(db) as conn:
        methods = {m for (m,) in conn.execute("SELECT DISTINCT method FROM stances")}
    assert methods == {student.name}
    with Project(db, pack=pack) as project:
        assert project.analyzer.backend.name == student.name
    # `stancewatch run` builds its analyzer from settings with no backend chosen.
    assert make_analyzer(Settings(pack=str(pack))).backend.name == student.name
    assert make_analyzer(Settings(pack=str(pack), stance="prototype")).backend.name == (
        "stance.prototype.v1"
    )
    html = _page(db)
    assert 'id="not-reanalysed"' not in html and student.name in _row(html, "all", "now")
