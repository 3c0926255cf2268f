from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The on-disk cache (stancewatch.nlp.CACHE_ENV) of each test process is its own, emptied at
# exit: a run neither reads what an earlier run left in the user's cache nor fills it.
if "STANCEWATCH_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="stancewatch-test-cache-")
    os.environ["STANCEWATCH_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, True)

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


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def review_template(tmp_path_factory):
    """The review web app's test database (tests/web_fixtures.py), built once per module:
    hashing the coders' passwords is slow."""
    from web_fixtures import build_db

    path = tmp_path_factory.mktemp("review") / "template.db"
    return path, build_db(path)


@pytest.fixture
def review_db(review_template, tmp_path):
    """A fresh copy of the review database for each test, and its ids."""
    import shutil

    path = tmp_path / "review.db"
    shutil.copy(review_template[0], path)
    return path, review_template[1]
