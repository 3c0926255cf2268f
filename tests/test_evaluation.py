"""Brat parsing and attribution scoring (stancewatch.attribution.evaluation), on hand-written files."""

from __future__ import annotations

import pytest

from stancewatch.attribution.evaluation import (
    EvaluationError,
    Item,
    Score,
    load_folder,
    match,
    parse_ann,
    parse_reference,
    speaker_right,
)
from stancewatch.attribution.reference_scoring import (
    ReferenceGold,
    ReferencePrediction,
    ReferenceScore,
    overlap,
    quoted_subset,
)

TEXT = 'Smith said taxes will rise.\n"We are ready," Jones said, "for\nanything."\nRain is due.'
#       0    5    10   15   20   25   30   35   40   45   50   55   60   65   70   75
ANN = (
    "T1\tSource 0 5\tSmith\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 11 26\ttaxes will rise\n"
    "T4\tAttribution 6 10\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1 \n"
    'T5\tContent 28 43;55 70\t"We are ready," "for\n'
    'anything."\n'
    "T6\tSource 44 49\tJones\n"
    "#1\tAnnotatorNotes T5\tsplit quote\n"
    "E2\tAttribution:T6 Content:T5 Source:T6\n"
    "T7\tContent 71 83\tRain is due.\n"
    "E3\tAttribution-no-source:T7 Content:T7\n"
    "T8\tDiscuss 0 5\tSmith\n"
)


def test_parse_ann_reads_discontinuous_and_multiline_spans():
    items = parse_ann(ANN, TEXT)
    assert len(items) == 3
    assert items[0].speakers == ((0, 5),) and not items[0].quoted
    assert items[0].content == frozenset(range(11, 26))
    assert items[1].content == frozenset(range(28, 43)) | frozenset(range(55, 70))
    assert items[1].quoted
    assert items[2].speakers == ()


@pytest.mark.parametrize(
    "ann, problem",
    [
        ("T1\tContent 5 x\tfoo\n", "bad span offsets"),
        ("T1\tContent 5 900\tfoo\n", "outside the article text"),
    ],
)
def test_parse_ann_refuses_bad_offsets(ann, problem):
    with pytest.raises(EvaluationError, match=problem):
        parse_ann(ann, TEXT)


def _item(start, end, speaker=None, quoted=False):
    return Item(frozenset(range(start, end)), ((speaker,) if speaker else ()), quoted)


@pytest.mark.parametrize(
    "gold, pred, matched",
    [
        ([_item(0, 10)], [_item(0, 5)], 1),  # exactly half the gold span
        ([_item(0, 10)], [_item(0, 4)], 0),  # less than half
        ([_item(0, 10)], [_item(20, 30)], 0),
        ([_item(0, 10)], [_item(0, 10), _item(0, 9)], 1),  # one-to-one
        ([], [_item(0, 10)], 0),
    ],
)
def test_match_needs_half_the_gold_span(gold, pred, matched):
    assert len(match(gold, pred)) == matched


@pytest.mark.parametrize(
    "gold, pred, right",
    [
        (_item(0, 5, (10, 15)), _item(0, 5, (12, 20)), True),
        (_item(0, 5, (10, 15)), _item(0, 5, (15, 20)), False),
        (_item(0, 5, (10, 15)), _item(0, 5), False),
        (_item(0, 5), _item(0, 5), True),
        (_item(0, 5), _item(0, 5, (1, 2)), False),
    ],
)
def test_speaker_right(gold, pred, right):
    assert speaker_right(gold, pred) is right


def test_score_measures():
    score = Score()
    score.add([_item(0, 10, (20, 25)), _item(30, 40)], [_item(0, 15, (20, 22)), _item(50, 60)])
    m = score.measures()
    assert (m["gold"], m["predicted"]) == (2, 2)
    assert m["content_p"] == m["content_r"] == m["content_f1"] == 0.5
    assert m["speaker_accuracy"] == 1.0 and m["end_to_end_f1"] == 0.5
    assert m["content_char_p"] == 10 / 15  # the match runs 5 characters past the gold


def test_load_folder_takes_the_first_annotation_file_by_name(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "art_1.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "art_1_b.ann").write_text(ANN, encoding="utf-8")
    (tmp_path / "attributions" / "art_1_a.ann").write_text(ANN.split("T5")[0], encoding="utf-8")
    [article] = load_folder(tmp_path)
    assert article.name == "art_1" and len(article.gold) == 1


def test_load_folder_names_what_is_missing(tmp_path):
    with pytest.raises(EvaluationError, match="attributions"):
        load_folder(tmp_path)


# ------------------------------------------------------------- the reference scoring
def _gold(content, source=((0, 1),), quoted=False):
    return ReferenceGold(tuple(content), tuple(source), quoted)


def _pred(start, end, source=((0, 1),)):
    return ReferencePrediction(((start, end),), tuple(source))


@pytest.mark.parametrize(
    "golds, preds, subset, expected",
    [
        # a quotation split in two predictions: one matches, the other counts against precision
        (
            [_gold([(10, 20), (30, 40)], quoted=True)],
            [_pred(10, 20), _pred(30, 40)],
            None,
            {"gold": 1, "predicted": 2, "matched": 1},
        ),
        # joined into one prediction spanning both pieces: one match, nothing against
        (
            [_gold([(10, 20), (30, 40)], quoted=True)],
            [_pred(10, 40)],
            None,
            {"gold": 1, "predicted": 1, "matched": 1},
        ),
        # under half of the gold content covered: no match
        ([_gold([(10, 30)])], [_pred(10, 19)], None, {"gold": 1, "predicted": 1, "matched": 0}),
        # quoted subset: an unmatched prediction over an unquoted gold item is not charged...
        (
            [_gold([(10, 20)], quoted=True), _gold([(50, 60)])],
            [_pred(10, 20), _pred(55, 70)],
            "quoted",
            {"gold": 1, "predicted": 1, "matched": 1},
        ),
        # ...but one that overlaps no gold item at all is, whatever its kind
        (
            [_gold([(10, 20)], quoted=True)],
            [_pred(10, 20), _pred(80, 90)],
            "quoted",
            {"gold": 1, "predicted": 2, "matched": 1},
        ),
    ],
)
def test_reference_scoring_counts(golds, preds, subset, expected):
    score = ReferenceScore(quoted_subset) if subset == "quoted" else ReferenceScore()
    score.add(golds, preds)
    got = score.measures()
    assert {k: got[k] for k in expected} == expected


def test_reference_scoring_ranks_by_share_of_gold_then_later_items():
    # both predictions cover all of the short gold item; the tie goes to the later
    # prediction, which leaves the long gold item (half covered by it) unmatched
    golds = [_gold([(0, 10)], source=((100, 105),)), _gold([(0, 40)], source=((200, 205),))]
    preds = [_pred(0, 10, source=((100, 103),)), _pred(0, 20, source=())]
    score = ReferenceScore()
    score.add(golds, preds)
    got = score.measures()
    assert (got["matched"], got["predicted"]) == (1, 2)
    assert got["speaker_accuracy"] == 0.0  # the later prediction has no speaker
    right = ReferenceScore()
    right.add(golds[:1], preds[:1])
    assert right.measures()["speaker_accuracy"] == 1.0  # speaker spans overlap
    assert overlap(((0, 10), (5, 10)), ((0, 10),)) == 15  # summed over span pairs


def test_parse_reference_joins_content2_and_marks_quotes():
    text = "“We will win,” Smith said. “Soon.”"
    ann = (
        "T1\tContent 0 14\t“We will win,”\nT2\tSource 15 20\tSmith\nT3\tContent 27 34\t“Soon.”\n"
        "E1\tAttribution:T2 Content:T1 Source:T2 Content2:T3\n"
    )
    [gold] = parse_reference(ann, text)
    assert gold.content == ((0, 14), (27, 34)) and gold.source == ((15, 20),) and gold.quoted
