from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stancewatch.packs import PackError, load_pack

PACK_YAML = "name: test-pack\nversion: '1'\n"
ACTORS_YAML = """\
actors:
  - id: vance
    name: JD Vance
    gender: male
    born: 1984-08-02
    aliases: [Vance, J.D. Vance]
    roles:
      - title: Vice President of the United States
        descriptions: [vice president]
        start: 2025-01-20
  - id: kremlin
    name: the Kremlin
    kind: institution
"""
POSITIONS_YAML = """\
version: '1'
positions:
  - id: hold-elections
    topic: legitimacy
    proposition: Ukraine must hold elections.
    holders: [vance]
    supports: [Ukraine should hold elections now.]
    opposes: [Elections cannot be held during martial law.]
"""
FACTS_CSV = """\
id,measure,subject,value,value_high,unit,currency,period,period_start,period_end,source,url,retrieved,keywords,notes
trust-feb,share of Ukrainians who trust Zelensky,zelensky,57,,percent,,4-9 February 2025,2025-02-04,2025-02-09,KIIS,https://kiis.com.ua/,2025-03-01,trust;approval rating,
aid-us,US aid allocated,united-states,118000000000,120000000000,money,USD,2022-2024,,,Kiel Institute,https://www.ifw-kiel.de/,2025-03-01,,
"""


def write_pack(root: Path, **overrides: str) -> Path:
    files = {
        "pack.yaml": PACK_YAML,
        "actors.yaml": ACTORS_YAML,
        "positions.yaml": POSITIONS_YAML,
        "facts.csv": FACTS_CSV,
    }
    files.update(overrides)
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is not None:
            (root / name).write_text(text, encoding="utf-8")
    return root


def test_valid_pack_loads(tmp_path):
    pack = load_pack(write_pack(tmp_path / "p"))
    assert (pack.name, pack.version) == ("test-pack", "1")
    vance = pack.actor("vance")
    assert vance.roles[0].start == date(2025, 1, 20)
    assert vance.roles[0].valid_on(date(2025, 2, 14))
    assert not vance.roles[0].valid_on(date(2020, 1, 1))
    assert pack.actor("kremlin").kind == "institution"
    assert vance.born == date(1984, 8, 2) and pack.actor("kremlin").born is None
    assert pack.position("hold-elections").holders == ("vance",)
    trust, aid = pack.facts
    assert trust.value == 57 and trust.keywords == ("trust", "approval rating")
    assert aid.value_high == 120e9 and aid.currency == "USD"


@pytest.mark.parametrize(
    "file, text, message",
    [
        (
            "actors.yaml",
            "actors:\n  - id: Bad Id\n    name: X\n",
            r"actors\.yaml: actors\[0\].*id.*does not match",
        ),
        (
            "actors.yaml",
            "actors:\n  - id: x\n",
            r"actors\.yaml: actors\[0\] \(id 'x'\).*'name' is a required property",
        ),
        (
            "actors.yaml",
            ACTORS_YAML.replace("2025-01-20", "2025-13-01"),
            r"roles\[0\]\.start: '2025-13-01' is not a date",
        ),
        (
            "actors.yaml",
            ACTORS_YAML.replace("born: 1984-08-02", "born: 1984-02-30"),
            r"actors\.yaml: actors\[0\] \(id 'vance'\)\.born: '1984-02-30' is not a date",
        ),
        (
            "actors.yaml",
            ACTORS_YAML.replace("born: 1984-08-02", "born: August 1984"),
            r"actors\.yaml: actors\[0\] \(id 'vance'\).*born.*does not match",
        ),
        ("actors.yaml", ACTORS_YAML + "  - id: vance\n    name: Again\n", r"duplicate id 'vance'"),
        ("actors.yaml", "actors: [\n", r"actors\.yaml: line \d+, column \d+: invalid YAML"),
        (
            "actors.yaml",
            ACTORS_YAML.replace("gender: male", "gender: robot"),
            r"gender: 'robot' is not one of",
        ),
        (
            "positions.yaml",
            POSITIONS_YAML.replace("holders: [vance]", "holders: [nobody]"),
            r"holders\[0\]: unknown actor 'nobody'",
        ),
        (
            "positions.yaml",
            "positions:\n  - id: p\n    topic: t\n",
            r"'proposition' is a required property",
        ),
        (
            "facts.csv",
            FACTS_CSV.replace(",57,", ",fifty-seven,"),
            r"facts\.csv: line 2 \(id 'trust-feb'\): value: 'fifty-seven' is not a number",
        ),
        (
            "facts.csv",
            FACTS_CSV.replace(",percent,", ",percentage,"),
            r"line 2 .*unit: 'percentage' is not one of",
        ),
        (
            "facts.csv",
            FACTS_CSV.replace("money,USD", "money,"),
            r"line 3 .*currency is required when unit is money",
        ),
        (
            "facts.csv",
            FACTS_CSV.replace("https://kiis.com.ua/", "kiis.com.ua"),
            r"line 2 .*url: 'kiis\.com\.ua' does not match",
        ),
        (
            "facts.csv",
            "id,measure\nx,y\n",
            r"facts\.csv: line 1: missing column\(s\) subject, value, unit",
        ),
        (
            "facts.csv",
            FACTS_CSV.replace("notes\n", "notes,colour\n"),
            r"unknown column\(s\) colour",
        ),
        (
            "facts.csv",
            FACTS_CSV + "x,y,z,1,,count,,p,,,s,https://a.b/,2025-01-01,,,extra\n",
            r"line 4: more fields",
        ),
        ("pack.yaml", "name: x\n", r"pack\.yaml: .*'version' is a required property"),
        ("pack.yaml", None, r"pack\.yaml: file not found"),
    ],
)
def test_invalid_packs_name_file_and_problem(tmp_path, file, text, message):
    root = write_pack(tmp_path / "p")
    if text is None:
        (root / file).unlink()
    else:
        (root / file).write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=message) as info:
        load_pack(root)
    assert str(root / file) in str(info.value)


def test_binary_pack_file(tmp_path):
    root = write_pack(tmp_path / "p")
    (root / "actors.yaml").write_bytes(b"\xff\xfe\x00junk\x00")
    with pytest.raises(PackError, match="not UTF-8"):
        load_pack(root)


def test_missing_folder(tmp_path):
    with pytest.raises(PackError, match="not a folder"):
        load_pack(tmp_path / "nope")


def test_unknown_actor_lists_known_ones(tmp_path):
    pack = load_pack(write_pack(tmp_path / "p"))
    with pytest.raises(KeyError, match="Known actors: kremlin, vance"):
        pack.actor("putin")


def test_facts_yaml_is_accepted(tmp_path):
    facts_yaml = """\
facts:
  - id: votes-for
    measure: votes in favour
    subject: un-general-assembly
    value: 93
    unit: count
    period: 24 February 2025
    source: United Nations
    url: https://press.un.org/
    retrieved: 2025-03-01
"""
    root = write_pack(tmp_path / "p", **{"facts.csv": None})
    (root / "facts.csv").unlink(missing_ok=True)
    (root / "facts.yaml").write_text(facts_yaml, encoding="utf-8")
    pack = load_pack(root)
    assert [f.id for f in pack.facts] == ["votes-for"]
