"""The learned reporting-cue model: the packaged model on real parses, training from a brat
folder written here, the model file's checks, and the frames around it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from stancewatch.attribution.attribute import attribute
from stancewatch.attribution.cue_model import CueModel, CueModelError, default_model
from stancewatch.attribution.evaluation import load_folder, parse_cues
from stancewatch.cli import app

runner = CliRunner()
WHEN = date(2025, 3, 1)


def _said(nlp, text, **options):
    return [
        (s.content, s.speaker) for s in attribute(nlp(text), document_id="d", when=WHEN, **options)
    ]


def test_packaged_model_loads_with_a_probability_threshold():
    model = default_model()
    assert 0.0 < model.threshold < 1.0
    assert len(model.weights) > 1000 and len(model.content_weights) > 100
    assert model.meta["articles"] == 840


def test_training_defaults_are_the_packaged_thresholds():
    # `stancewatch train-cues` with its defaults must reproduce model.json, thresholds included
    from inspect import signature

    from stancewatch.attribution.cue_training import train
    from stancewatch.cli.attribution import train_cues

    model = default_model()
    packaged = {
        "threshold": model.threshold,
        "content_threshold": model.content_threshold,
        "source_threshold": model.source_threshold,
        "c": model.meta["c"],
    }
    for function in (train, train_cues):
        defaults = {k: signature(function).parameters[k].default for k in packaged}
        assert defaults == packaged, function.__name__


@pytest.mark.models
@pytest.mark.parametrize(
    "text, content, speaker",
    [
        (
            "Vance touted the minerals deal as a win for American workers.",
            "the minerals deal as a win for American workers",
            "Vance",
        ),
        (
            "The Kremlin assailed the European plan as a provocation.",
            "the European plan as a provocation",
            "The Kremlin",
        ),
        (
            "Rubio outlined a plan to end the war by the summer.",
            "a plan to end the war by the summer",
            "Rubio",
        ),
    ],
)
def test_learned_cues_find_reporting_verbs_beyond_the_word_lists(nlp, text, content, speaker):
    assert (content, speaker) in _said(nlp, text)
    assert (content, speaker) not in _said(nlp, text, cues=False)


@pytest.mark.models
@pytest.mark.parametrize(
    "text",
    [
        "The company built a new factory in Ohio last year.",
        "Troops crossed the river at dawn.",
        "The peace plan was said to be ready.",  # a passive subject is not the speaker
    ],
)
def test_learned_cues_leave_ordinary_verbs_alone(nlp, text):
    assert _said(nlp, text) == []


@pytest.mark.models
def test_quotation_signed_after_a_dash_goes_to_the_signer(nlp):
    text = (
        "“He does not answer to anyone and respects no one.” \u2015 Maria Lopez\n"
        "“We will register and we will vote.” \u2014 Carlos Ruiz.\n"
    )
    said = _said(nlp, text)
    assert ("“He does not answer to anyone and respects no one.”", "Maria Lopez") in said
    assert ("“We will register and we will vote.”", "Carlos Ruiz") in said


@pytest.mark.models
def test_cue_after_a_paragraph_break_does_not_take_the_quotation_before_it(nlp):
    text = (
        '"There is a need for more oversight," said Ronald Fields, a lawyer in Miami. '
        '"Without independence the program is exposed to fraud."\n\n'
        "But Mr. Grassley and Mr. Leahy say other changes are needed.\n"
    )
    said = _said(nlp, text)
    assert ("other changes are needed", "Mr. Grassley") in said
    # the second quotation joins the first, under its cue and speaker
    quoted = [s for c, s in said if '"Without' in c]
    assert quoted == ["Ronald Fields"]


def _brat_folder(root, articles):
    """A PolNeAR-style folder: each article is (text, [(cue, content, source)])."""
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for number, (text, relations) in enumerate(articles):
        lines = []
        for r, (cue, content, source) in enumerate(relations):
            t = 3 * r
            spans = []
            for label, phrase in (("Cue", cue), ("Content", content), ("Source", source)):
                start = text.index(phrase)
                spans.append(
                    f"T{t + len(spans) + 1}\t{label} {start} {start + len(phrase)}\t{phrase}"
                )
            lines += spans
            lines.append(
                f"E{r + 1}\tAttribution:T{t + 1} Cue:T{t + 1} Content:T{t + 2} Source:T{t + 3}"
            )
        (root / "text" / f"a{number}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"a{number}_x.ann").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )


ARTICLES = [
    (
        "Smith urged lawmakers to act.\nThe firm built a plant near the river.\n",
        [("urged", "lawmakers to act", "Smith")],
    ),
    (
        "Jones urged voters to stay home.\nThe city built a bridge over the bay.\n",
        [("urged", "voters to stay home", "Jones")],
    ),
    (
        "Brown urged the council on Monday to resign.\nWorkers built a wall.\n",
        [("urged", "the council", "Brown")],
    ),
]


def test_parse_cues_pairs_each_cue_with_its_content():
    ann = (
        "T1\tCue 6 11\turged\nT2\tContent 12 28\tlawmakers to act\nT3\tSource 0 5\tSmith\n"
        "E1\tAttribution:T1 Cue:T1 Content:T2 Source:T3\nE2\tAttribution:T9 Content:T2\n"
    )
    [cue] = parse_cues(ann, "Smith urged lawmakers to act.")
    assert cue.spans == ((6, 11),) and cue.content == frozenset(range(12, 28))


@pytest.mark.models
def test_train_cues_learns_from_a_brat_folder_and_attribute_uses_the_file(tmp_path):
    _brat_folder(tmp_path / "gold", ARTICLES)
    assert [len(a.cues) for a in load_folder(tmp_path / "gold")] == [1, 1, 1]
    out = tmp_path / "cues.json"
    result = runner.invoke(
        app, ["train-cues", str(tmp_path / "gold"), "--output", str(out), "--c", "10"]
    )
    assert result.exit_code == 0, result.output
    assert "3 articles" in result.output and "3 of them cues" in result.output
    model = CueModel.load(out)
    assert model.meta["cues"] == 3 and model.content_weights

    article = tmp_path / "new.txt"
    article.write_text("Garcia urged senators to vote.\nThe team built a school.\n", "utf-8")
    result = runner.invoke(app, ["attribute", str(article), "--cue-model", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["speaker"], r["cue"]) for r in records] == [("Garcia", "urged")]
    assert records[0]["content"].startswith("senators")

    scored = runner.invoke(
        app,
        ["eval", "attribution", str(tmp_path / "gold"), "--cue-model", str(out),
         "--compare", "rules", "--format", "json"],
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    rows = json.loads(scored.stdout)["results"]
    assert {r["system"] for r in rows} == {"stancewatch", "rules"}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a stancewatch cue model"),
        (
            '{"format": "stancewatch.cue-model.v1", "threshold": 2, "weights": {}}',
            "'threshold' must be a probability",
        ),
        (
            '{"format": "stancewatch.cue-model.v1", "threshold": 0.5, "weights": {"a": "x"}}',
            "'weights' must map",
        ),
    ],
)
def test_a_bad_model_file_is_refused_with_its_name(tmp_path, text, problem):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CueModelError, match=problem) as caught:
        CueModel.load(path)
    assert "broken.json" in str(caught.value)


def test_train_cues_refuses_a_missing_folder(tmp_path):
    result = runner.invoke(app, ["train-cues", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.models
def test_a_participle_clause_does_not_lend_its_main_subject_as_speaker(nlp):
    text = "Asked about the bomb, Clinton said it was important to know the facts."
    said = _said(nlp, text)
    assert ("it was important to know the facts", "Clinton") in said
    assert ("about the bomb", "Clinton") not in said  # Clinton was asked; the asker is unnamed


@pytest.mark.models
def test_speaker_after_a_quotation_is_the_subject_outside_it(nlp):
    text = (
        "“Hillary Clinton’s campaign is in panic mode. Full panic mode,” said Leslie Wimes, "
        "a Florida activist."
    )
    assert _said(nlp, text) == [
        ("“Hillary Clinton’s campaign is in panic mode. Full panic mode,”", "Leslie Wimes")
    ]


@pytest.mark.models
def test_a_paragraph_break_ends_the_sentence_before_it(nlp):
    assert "stancewatch_paragraph_breaks" in nlp.pipe_names
    text = (
        "WASHINGTON (AP) — 12:15 p.m.\n\n"
        "Donald Trump says political correctness has run amok in the military.\n"
    )
    doc = nlp(text)
    assert [s.text.strip() for s in doc.sents][:2] == ["WASHINGTON (AP) —", "12:15 p.m."]
    assert _said(nlp, text) == [
        ("political correctness has run amok in the military", "Donald Trump")
    ]


@pytest.mark.models
def test_transcript_lines_go_to_their_speaker_label(nlp):
    text = (
        "The interview went as follows:\n\n"
        '"WALLACE: Governor, let me ask you about the debate tomorrow night.\n\n'
        '"PENCE: Well, look, the American people are going to see a clear choice.\n'
    )
    said = {speaker: content for content, speaker in _said(nlp, text)}
    assert said["WALLACE"].startswith("Governor, let me ask you")
    assert said["PENCE"].startswith("Well, look, the American people")


@pytest.mark.models
def test_a_quoted_title_is_not_speech_and_learned_cues_carry_their_certainty(nlp):
    text = (
        "On Tuesday’s episode of “The Steve Harvey Morning Show,” Clinton said she wanted "
        "to speak directly to voters."
    )
    said = _said(nlp, text)
    assert not any(content.startswith("“The Steve") for content, _ in said)
    assert ("she wanted to speak directly to voters", "Clinton") in said

    touted = attribute(nlp("Vance touted the minerals deal as a win."), document_id="d")
    listed = attribute(nlp("Vance said the minerals deal was a win."), document_id="d")
    assert touted and listed and touted[0].confidence <= listed[0].confidence


@pytest.mark.models
@pytest.mark.parametrize(
    "text, speaker, content",
    [
        (
            "MOSCOW, Jan 28 — Vladimir Putin said in an interview that Volodymyr Zelensky was "
            "not a legitimate president.",
            "Vladimir Putin",
            "Volodymyr Zelensky was not a legitimate president",
        ),
        (
            "WASHINGTON, Feb 26 — President Donald Trump said on Wednesday that Ukraine could "
            "forget about joining NATO.",
            "President Donald Trump",
            "Ukraine could forget about joining NATO",
        ),
        ("The resolution called for a just and lasting peace.", "The resolution", None),
    ],
)
def test_datelines_are_not_speakers_and_a_cue_keeps_its_preposition(nlp, text, speaker, content):
    said = _said(nlp, text)
    assert [s for _, s in said] == [speaker]
    assert not said[0][0].startswith("for ")
    if content is not None:
        assert said[0][0] == content


@pytest.mark.models
def test_who_is_urged_to_act_is_not_the_one_who_urged(nlp):
    text = (
        "NATO Secretary General Mark Rutte has urged European governments to come forward "
        "with proposals rather than complain about the format of the talks."
    )
    said = _said(nlp, text)
    assert [speaker for _, speaker in said] == ["NATO Secretary General Mark Rutte"]
    assert said[0][0].startswith("European governments to come forward")


@pytest.mark.models
def test_a_question_after_a_colon_has_no_speaker_from_before_it(nlp):
    text = (
        "The list gives analysts a way to test the question: who said it first, who repeated "
        "it, and how many days later."
    )
    assert all(speaker != "the question" for _, speaker in _said(nlp, text))


@pytest.mark.models
def test_a_relative_clause_without_object_reports_the_noun_it_describes(nlp):
    text = "He would cut taxes to the top 33 percent rate he has proposed for individuals."
    assert ("the top 33 percent rate he has proposed for individuals", "he") in _said(nlp, text)
