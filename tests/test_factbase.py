"""Fact base: authority ranking, scope mismatches, and the facts add / validate / import
operations on a pack's facts.csv."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from stancewatch.claims.factbase import (
    add_fact,
    disagreements,
    fact_row,
    import_facts,
    parse_authority,
    source_authority,
    validate_facts_file,
)
from stancewatch.claims.scope import claim_scope, fact_span_days, scope_mismatch
from stancewatch.claims.verdicts import check_claims
from stancewatch.packs import FACT_COLUMNS, PackError, default_pack_path, load_pack
from stancewatch.records import Claim, Fact

KEYWORDS = ("trust", "approval", "rating", "Zelensky", "poll")


def poll(id: str, value: float, source: str, start: date, end: date) -> Fact:
    return Fact(
        id=id,
        measure="trust in Zelensky",
        subject="zelensky",
        value=value,
        unit="percent",
        source=source,
        url="https://example.org/",
        retrieved=date(2025, 3, 1),
        period=f"{start} – {end}",
        period_start=start,
        period_end=end,
        keywords=KEYWORDS,
    )


def claim(value: float, unit: str = "percent", context: str = "", **kw) -> Claim:
    text = kw.pop("text", context)
    return Claim(
        id=f"c-{value}-{unit}",
        document_id="doc",
        statement_id="st",
        text=text,
        start=0,
        end=len(text),
        value=value,
        unit=unit,  # type: ignore[arg-type]
        measure=kw.pop("measure", "approval rating"),
        context=context,
        **kw,
    )


APPROVAL = claim(4, context="Zelensky has a 4% approval rating", text="4%", subject="zelensky")
FEB = (date(2025, 2, 4), date(2025, 2, 9))
KIIS, RATING = "KIIS", "Rating Group"


# --- authority ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ranks, chosen",
    [
        ({KIIS: 1, RATING: 2}, "kiis"),
        ({RATING: 1, KIIS: 2}, "rating"),
        ({RATING: 1}, "rating"),  # an unranked source comes last
    ],
)
def test_same_period_ties_go_to_the_most_authoritative_source(ranks, chosen) -> None:
    facts = [poll("kiis", 57, KIIS, *FEB), poll("rating", 60, RATING, *FEB)]
    [v] = check_claims([APPROVAL], facts, authority=ranks, claim_dates={APPROVAL.id: FEB[1]})
    assert v.fact_id == chosen
    assert "ranks highest in the pack's source_authority" in v.explanation


def test_closest_period_beats_authority() -> None:
    facts = [poll("kiis-old", 52, KIIS, date(2024, 12, 1), date(2024, 12, 31))]
    facts.append(poll("rating-new", 60, RATING, *FEB))
    said = {APPROVAL.id: date(2025, 2, 20)}
    [v] = check_claims([APPROVAL], facts, authority={KIIS: 1, RATING: 2}, claim_dates=said)
    assert v.fact_id == "rating-new"
    assert "its period is closest to the claim date 2025-02-20" in v.explanation
    assert "source_authority" not in v.explanation


def test_without_ranks_nothing_changes() -> None:
    facts = [poll("kiis", 57, KIIS, *FEB), poll("rating", 60, RATING, *FEB)]
    assert check_claims([APPROVAL], facts) == check_claims([APPROVAL], facts, authority={})


@pytest.mark.parametrize(
    "value, ranks",
    [
        (None, {}),
        (["KIIS", "Politico"], {"KIIS": 1, "Politico": 2}),
        (["KIIS", "KIIS"], {"KIIS": 1}),
    ],
)
def test_parse_authority(value, ranks) -> None:
    assert parse_authority(value, "pack.yaml") == ranks


@pytest.mark.parametrize("value", ["KIIS", [1, 2], [""], {"KIIS": 1}])
def test_parse_authority_refuses_what_is_not_a_list_of_names(value) -> None:
    with pytest.raises(PackError, match="source_authority must be a list of source names"):
        parse_authority(value, "pack.yaml")


def copy_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    return folder


def test_source_authority_from_pack_yaml(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    assert source_authority(load_pack(folder)) == {}  # old packs stay valid
    meta = folder / "pack.yaml"
    meta.write_text(meta.read_text() + "source_authority: [Politico]\n")
    assert source_authority(load_pack(folder)) == {"Politico": 1}
    meta.write_text(meta.read_text().replace("[Politico]", "[Politco]"))
    with pytest.raises(PackError, match="'Politco' is not the source of any fact"):
        source_authority(load_pack(folder))


# --- scope -------------------------------------------------------------------------------

AID = Fact(
    id="aid",
    measure="total US aid allocated to Ukraine",
    subject="united-states",
    value=118e9,
    unit="money",
    currency="USD",
    source="Kiel",
    url="https://example.org/",
    retrieved=date(2025, 3, 1),
    period="24 January 2022 – 31 December 2024",
    period_start=date(2022, 1, 24),
    period_end=date(2024, 12, 31),
    keywords=("US aid to Ukraine",),
)


def money(value: float, context: str, text: str, period: str | None = None) -> Claim:
    return claim(
        value,
        "money",
        context,
        text=text,
        currency="USD",
        measure="US aid to Ukraine",
        subject="united-states",
        period=period,
    )


@pytest.mark.parametrize(
    "c, kind",
    [
        (money(118e9, "The US gives Ukraine $118 billion a year.", "$118 billion"), "rate"),
        (money(40e9, "The US sent $40 billion in aid annually.", "$40 billion"), "rate"),
        (money(40e9, "In 2023 the US sent $40 billion.", "$40 billion", "in 2023"), "year"),
        (
            money(118e9, "Since 2022 the US sent $118 billion.", "$118 billion", "since 2022"),
            "cumulative",
        ),
        (money(118e9, "The US sent $118 billion.", "$118 billion"), None),
        (claim(57, context="57% a year ago", text="57%"), None),  # shares have no scope
    ],
)
def test_claim_scope(c: Claim, kind: str | None) -> None:
    scope = claim_scope(c)
    assert (scope.kind if scope else None) == kind


@pytest.mark.parametrize(
    "c, label",
    [
        (
            money(118e9, "The US gives Ukraine $118 billion a year.", "$118 billion"),
            "misleading-scope",
        ),
        (money(300e9, "The US gives Ukraine $300 billion a year.", "$300 billion"), "unverifiable"),
        (
            money(118e9, "In 2023 the US sent $118 billion.", "$118 billion", "in 2023"),
            "misleading-scope",
        ),
        (
            money(118e9, "Since 2022 the US sent $118 billion.", "$118 billion", "since 2022"),
            "accurate",
        ),
        (money(350e9, "The US sent Ukraine $350 billion.", "$350 billion"), "inaccurate"),
    ],
)
def test_scope_mismatch_verdicts(c: Claim, label: str) -> None:
    [v] = check_claims([c], [AID])
    assert v.label == label
    if label in ("misleading-scope", "unverifiable"):
        assert "while the sourced figure is a total over" in v.explanation
        assert v.fact_id == "aid"


def test_scope_of_a_claim_outside_the_fact_period() -> None:
    c = money(118e9, "In 2019 the US sent $118 billion.", "$118 billion", "in 2019")
    assert scope_mismatch(c, AID) == (
        "the claim is about 2019, while the sourced figure covers 24 January 2022 – 31 December 2024"
    )
    assert fact_span_days(AID) == 1073


# --- facts add / validate / import ------------------------------------------------------

GOOD = {
    "id": "kiis-2025-05",
    "measure": "share of Ukrainians who trust President Zelensky",
    "subject": "zelensky",
    "value": "74",
    "unit": "percent",
    "period": "May 2025",
    "source": "Kyiv International Institute of Sociology (KIIS)",
    "url": "https://www.kiis.com.ua/",
    "retrieved": "2025-06-01",
}


def test_add_appends_a_validated_row(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    before = load_pack(folder).facts
    fact = add_fact(folder, GOOD)
    after = load_pack(folder).facts
    assert after[:-1] == before and after[-1] == fact and fact.value == 74
    with pytest.raises(PackError, match="a fact with id 'kiis-2025-05' already exists"):
        add_fact(folder, GOOD)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"value": "seventy"}, "value: 'seventy' is not a number"),
        ({"unit": "percentage"}, "'percentage' is not one of"),
        ({"unit": "money"}, "currency is required when unit is money"),
        ({"retrieved": "June 2025"}, "retrieved"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"url": "kiis.com.ua"}, "url"),
    ],
)
def test_add_refuses_a_bad_fact_and_leaves_the_file(tmp_path: Path, change, message) -> None:
    folder = copy_pack(tmp_path)
    before = (folder / "facts.csv").read_text()
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_fact(folder, {**GOOD, **change})
    assert (folder / "facts.csv").read_text() == before


def write_csv(path: Path, rows: list[dict[str, str]], columns=FACT_COLUMNS) -> Path:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(f'"{row.get(c, "")}"' for c in columns))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_keeps_good_rows_and_names_bad_lines(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    rows = [
        GOOD,
        {**GOOD, "id": "bad-value", "value": "n/a"},
        {**GOOD, "id": "kiis-trust-zelensky-2025-02"},  # already in the pack
        {**GOOD, "id": "second", "value": "70"},
        {**GOOD, "id": "Bad Id"},
    ]
    source = write_csv(tmp_path / "new.csv", rows)
    result = import_facts(folder, source, dry_run=True)
    assert [f.id for f in result.added] == ["kiis-2025-05", "second"]
    assert len(load_pack(folder).facts) == 14  # dry run wrote nothing
    result = import_facts(folder, source)
    assert result.skipped == ("kiis-trust-zelensky-2025-02",)
    assert len(result.errors) == 2
    assert "new.csv: line 3 (id 'bad-value'): value: 'n/a' is not a number" in result.errors[0]
    assert "line 6 (id 'Bad Id')" in result.errors[1]
    assert {"kiis-2025-05", "second"} <= {f.id for f in load_pack(folder).facts}
    again = import_facts(folder, source)  # idempotent
    assert again.added == () and set(again.skipped) == {
        "kiis-2025-05",
        "second",
        "kiis-trust-zelensky-2025-02",
    }


def test_import_names_a_bad_header(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    source = tmp_path / "bad.csv"
    source.write_text("id,measure,colour\nx,y,z\n")
    result = import_facts(folder, source)
    assert result.added == ()
    assert "missing column(s) subject, value, unit" in result.errors[0]
    assert "unknown column(s) colour" in result.errors[1]


def test_fact_row_round_trips_every_default_fact(tmp_path: Path) -> None:
    facts = load_pack().facts
    path = write_csv(tmp_path / "facts.csv", [fact_row(f) for f in facts])
    assert validate_facts_file(path) == facts


def test_validate_names_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "facts.csv", [GOOD, {**GOOD, "id": "x", "unit": "pct"}])
    with pytest.raises(PackError, match=r"line 3 \(id 'x'\)"):
        validate_facts_file(path)
    with pytest.raises(PackError, match="file not found"):
        validate_facts_file(tmp_path / "missing.csv")


def test_disagreements_name_facts_for_one_measure_with_different_values() -> None:
    lines = disagreements(load_pack().facts)
    assert len(lines) == 1
    assert (
        "kiis-trust-zelensky-2024-12: 52" in lines[0]
        and "kiis-trust-zelensky-2025-02: 57" in lines[0]
    )
