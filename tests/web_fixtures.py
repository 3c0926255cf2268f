"""A small real review database for the web tests (no models needed)."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

from stancewatch.packs import load_pack
from stancewatch.records import Claim, Document, Stance, Statement, Verdict, stable_id
from stancewatch.store.database import Store
from stancewatch.web import auth

PASSWORD = "correct horse battery"
SCRIPT_TEXT = (
    'Donald Trump said "<script>alert(1)</script> Ukraine will have to give up land." '
    "He added that 4% of Ukrainians trust Zelensky."
)
OTHER_TEXT = 'Volodymyr Zelensky said "We will never trade our land for peace." Nothing more.'


def _statement(doc: Document, content: str, actor: str | None, confidence: float) -> Statement:
    start = doc.text.index(content)
    return Statement(
        id=stable_id(doc.id, start),
        document_id=doc.id,
        kind="direct",
        content=content,
        content_start=start,
        content_end=start + len(content),
        speaker=doc.text[: doc.text.index(" said")],
        speaker_start=0,
        speaker_end=doc.text.index(" said"),
        actor=actor,
        date=doc.published,
        confidence=confidence,
        method="test",
    )


def build_db(path: Path) -> dict[str, str]:
    """Two documents, two statements, three machine stances, one claim with a verdict, and
    three coders (ann adjudicates; bob codes; tok has only an API token). Returns ids."""
    first = Document.from_text(
        SCRIPT_TEXT, title="<b>Trump</b> on land", outlet="Wire", published=date(2025, 2, 12)
    )
    second = Document.from_text(
        OTHER_TEXT, title="Zelensky on land", outlet="Daily", published=date(2025, 3, 1)
    )
    s1 = _statement(
        first, "<script>alert(1)</script> Ukraine will have to give up land.", "trump", 0.6
    )
    s2 = _statement(second, "We will never trade our land for peace.", "zelensky", 0.9)
    claim_start = SCRIPT_TEXT.index("4%")
    claim = Claim(
        id=stable_id(first.id, "claim"),
        document_id=first.id,
        statement_id=s1.id,
        text="4%",
        start=claim_start,
        end=claim_start + 2,
        value=4.0,
        unit="percent",
        measure="trust",
    )
    verdict = Verdict(
        claim_id=claim.id,
        label="inaccurate",
        explanation="57% in the poll",
        method="test",
        fact_id="kiis-trust-zelensky-2024-12",
        match_score=0.8,
    )
    with Store(path) as store:
        store.save_pack(load_pack(None))
        store.add_documents([first, second])
        store.save_analysis(
            first.id,
            run_id=None,
            statements=[s1],
            stances=[
                Stance(s1.id, "cede-occupied-territory", "support", 0.55, 0.6, "test"),
                Stance(s1.id, "no-nato-membership", "neutral", 0.75, 0.4, "test"),
            ],
            claims=[claim],
            verdicts=[verdict],
        )
        store.save_analysis(
            second.id,
            run_id=None,
            statements=[s2],
            stances=[Stance(s2.id, "cede-occupied-territory", "oppose", 0.95, 0.7, "test")],
            claims=[],
            verdicts=[],
        )
        auth.add_coder(store, "ann", password=PASSWORD, adjudicator=True)
        auth.add_coder(store, "bob", password=PASSWORD)
        token = auth.add_coder(store, "tok", token=True).token
    return {
        "first": first.id,
        "second": second.id,
        "s1": s1.id,
        "s2": s2.id,
        "claim": claim.id,
        "token": token or "",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
