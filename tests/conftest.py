from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present (the public datasets are not in a fresh clone)")
    return path


@pytest.fixture(scope="session")
def nlp():
    from stancewatch.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def embedder():
    from stancewatch.nlp import load_embedder

    return load_embedder()
