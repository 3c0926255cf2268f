"""JSON endpoints: everything the pages show, for notebooks and scripts (``/api/...``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field, field_validator

from stancewatch.web import browse, review
from stancewatch.web.deps import (
    MAX_OFFSET,
    MAX_RESAMPLES,
    ApiWriterDep,
    ReaderDep,
    StoreDep,
    ViewerDep,
    agreement,
    settings,
    valid_text,
    write,
)

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

router = APIRouter(prefix="/api", tags=["api"])


class Coding(BaseModel):
    """A human coding (or, for ``/adjudications``, a final label) of one review item."""

    kind: review.Kind = Field(description="speaker, stance or verdict")
    item_id: str = Field(description="statement id, '<statement id>:<position id>' or claim id")
    value: str = Field(description="an actor id or 'unknown', a stance label, a verdict label")

    @field_validator("item_id", "value")
    @classmethod
    def _text(cls, value: str) -> str:
        if not valid_text(value):
            raise ValueError("not valid UTF-8 text")
        return value


def _filters(
    q: str | None,
    actor: str | None,
    position: str | None,
    outlet: str | None,
    verdict: str | None,
    since: date | None,
    until: date | None,
) -> browse.Filters:
    return browse.Filters(q, actor, position, outlet, verdict, since, until)


@router.get("/documents", summary="Documents, filtered and searched")
def list_documents(
    store: StoreDep,
    _: ReaderDep,
    q: str | None = None,
    actor: str | None = None,
    position: str | None = None,
    outlet: str | None = None,
    verdict: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    filters = _filters(q, actor, position, outlet, verdict, since, until)
    rows, total = browse.documents(store, filters, limit=limit, offset=offset)
    return {"ok": True, "total": total, "documents": rows, "filters": filters.as_dict()}


@router.get("/documents/{document_id}", summary="One document with statements and claims")
def get_document(document_id: str, store: StoreDep, _: ReaderDep) -> dict[str, Any]:
    return {"ok": True, "document": browse.document(store, document_id)}


@router.get("/filters", summary="Values each document filter can take")
def get_filters(store: StoreDep, _: ReaderDep) -> dict[str, Any]:
    return {"ok": True, **browse.filter_options(store)}


@router.get("/me", summary="The coder making the request, if any")
def me(who: ViewerDep) -> dict[str, Any]:
    coder = who.coder
    return {
        "ok": True,
        "coder": None if coder is None else {"name": coder.name, "adjudicator": coder.adjudicator},
        "csrf": who.csrf,
    }


@router.get("/review/queue", summary="Items the coder has not coded yet, lowest confidence first")
def get_queue(
    store: StoreDep,
    coder: ApiWriterDep,
    kind: review.Kind = "stance",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    items = review.queue(store, coder.name, kind, limit=limit, offset=offset)
    return {"ok": True, "remaining": review.remaining(store, coder.name, kind), "items": items}


@router.get("/review/items/{kind}/{item_id}", summary="One item with every coding")
def get_item(kind: review.Kind, item_id: str, store: StoreDep, _: ReaderDep) -> dict[str, Any]:
    return {"ok": True, "item": review.item(store, kind, item_id)}


@router.post("/review/codings", status_code=201, summary="Add the coder's coding of an item")
def post_coding(
    request: Request, body: Coding, store: StoreDep, coder: ApiWriterDep
) -> dict[str, Any]:
    row = write(
        request,
        store,
        lambda: review.add_coding(store, body.kind, body.item_id, body.value, coder.name),
    )
    return {"ok": True, "coding": row}


@router.post("/review/adjudications", status_code=201, summary="Set an item's final label")
def post_adjudication(
    request: Request, body: Coding, store: StoreDep, coder: ApiWriterDep
) -> dict[str, Any]:
    if not coder.adjudicator:
        raise HTTPException(403, f"{coder.name} is not an adjudicator")
    row = write(
        request,
        store,
        lambda: review.adjudicate(store, body.kind, body.item_id, body.value, coder.name),
    )
    return {"ok": True, "adjudication": row}


@router.get("/review/progress", summary="Codings per coder and kind")
def get_progress(store: StoreDep, _: ReaderDep) -> dict[str, Any]:
    return {"ok": True, "progress": review.progress(store)}


@router.get("/agreement", summary="Krippendorff's alpha per variable and per position")
async def get_agreement(
    request: Request,
    store: StoreDep,
    who: ReaderDep,
    resamples: Annotated[int | None, Query(ge=0, le=MAX_RESAMPLES)] = None,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 20250212,
) -> dict[str, Any]:
    """Bootstrap resamples cost CPU: a caller who is not logged in gets at most the server's
    ``--resamples``; results are cached until the codings or the analyses change."""
    default = settings(request).resamples
    count = default if resamples is None else resamples
    if who.coder is None and count > default:
        raise HTTPException(
            422,
            f"Invalid request: query.resamples: at most {default} without logging in "
            f"(up to {MAX_RESAMPLES} with a token or session)",
        )
    rows = await agreement(request, store, count, seed)
    return {"ok": True, "thresholds": {"tentative": 0.667, "reliable": 0.8}, "rows": rows}
