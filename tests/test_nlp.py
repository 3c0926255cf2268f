"""The embedder's cache: each text embedded once while cached, memory bounded."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from stancewatch.nlp import CACHE_ENV, Embedder, cache_directory, cache_key, cached

pytestmark = pytest.mark.models


class CountingModel:
    """The real MiniLM model, counting the texts it is asked to embed."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.tokenizer = model.tokenizer
        self.seen: list[str] = []

    def preprocess(self, texts: list[str]) -> dict[str, Any]:
        self.seen.extend(texts)
        return self.model.preprocess(texts)

    def __call__(self, features: dict[str, Any]) -> dict[str, Any]:
        return self.model(features)

    def eval(self) -> None:
        self.model.eval()

    def get_embedding_dimension(self) -> int:
        return int(self.model.get_embedding_dimension())


@pytest.fixture()
def counting(embedder: Embedder) -> CountingModel:
    return CountingModel(embedder._model)


def test_repeated_texts_are_embedded_once_and_rows_follow_the_input(
    counting: CountingModel,
) -> None:
    small = Embedder(counting, "minilm", cache_size=10)
    first = small.encode(["Ukraine must cede territory.", "Sanctions must stay."])
    again = small.encode(["Sanctions must stay.", "Ukraine must cede territory."])
    assert counting.seen == ["Ukraine must cede territory.", "Sanctions must stay."]
    np.testing.assert_allclose(first[::-1], again)
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_cache_keeps_only_the_most_recently_used_texts(counting: CountingModel) -> None:
    small = Embedder(counting, "minilm", cache_size=3)
    texts = [f"Statement number {i} about the ceasefire." for i in range(5)]
    vectors = small.encode(texts)  # more texts than the cache holds: all rows still returned
    assert vectors.shape == (5, small.dimension)
    assert len(small._cache) == 3
    small.encode([texts[2]])  # 2 becomes the most recent; 3 and 4 stay cached
    small.encode(["A new text pushes out the oldest."])
    assert list(small._cache) == [texts[4], texts[2], "A new text pushes out the oldest."]
    counting.seen.clear()
    small.encode([texts[0], texts[2]])
    assert counting.seen == [texts[0]]


def test_precision_comes_from_the_argument_then_the_environment(monkeypatch) -> None:
    from stancewatch.nlp import PRECISION_ENV, cpu_has_native_bf16, resolve_precision

    monkeypatch.delenv(PRECISION_ENV, raising=False)
    # the default: bfloat16 where the CPU computes it natively, float32 elsewhere
    assert resolve_precision() == ("bf16" if cpu_has_native_bf16() else "fp32")
    monkeypatch.setenv(PRECISION_ENV, "bf16")
    assert resolve_precision() == "bf16"
    assert resolve_precision("fp32") == "fp32"
    monkeypatch.setenv(PRECISION_ENV, "auto")
    assert resolve_precision() == ("bf16" if cpu_has_native_bf16() else "fp32")
    monkeypatch.setenv(PRECISION_ENV, "half")
    with pytest.raises(ValueError, match=r"STANCEWATCH_PRECISION must be one of .*'half'"):
        resolve_precision()
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("int4")


def test_bfloat16_embeddings_stay_next_to_the_float32_ones(embedder: Embedder) -> None:
    texts = [
        "Ukraine must cede the occupied territories.",
        "Sanctions on Russia must stay until the troops leave.",
        "The president said the talks in Riyadh were productive and would continue.",
    ]
    full = Embedder(embedder._model, "minilm", precision="fp32")
    half = Embedder(embedder._model, "minilm", precision="bf16")
    assert (full.precision, half.precision) == ("fp32", "bf16")
    a, b = full.encode(texts), half.encode(texts)
    assert not np.array_equal(a, b)  # the products really ran in bfloat16
    np.testing.assert_allclose((a * b).sum(axis=1), 1.0, atol=1e-3)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)


def test_length_batches_group_texts_by_their_own_padded_length() -> None:
    from stancewatch.passes import length_batches

    lengths = [3, 9, 8, 16, 17, 1, 0, 24, 9]
    batches = length_batches(lengths, batch_size=2, multiple=8)
    assert batches == [(8, [0, 2]), (8, [5, 6]), (16, [1, 3]), (16, [8]), (24, [4, 7])]
    seen = sorted(i for _, rows in batches for i in rows)
    assert seen == list(range(len(lengths)))  # every text once
    for padded, rows in batches:  # each text padded to the multiple of 8 at or above it
        assert all(padded - 8 < max(lengths[i], 1) <= padded for i in rows)
    assert length_batches([], 4) == []
    with pytest.raises(ValueError):
        length_batches([1, 2], batch_size=0)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_texts_vector_does_not_depend_on_the_texts_that_share_its_batch(
    embedder: Embedder, precision: str
) -> None:
    texts = [
        "Ukraine must cede the occupied territories.",
        "Sanctions on Russia must stay until the troops leave, the minister said on Tuesday.",
        "No.",
        "The president said the talks in Riyadh were productive and would continue next week "
        "with the delegations of both countries and observers from the Gulf states present.",
        "Europe will guarantee the ceasefire with its own troops.",
    ]
    # texts of one padded length share a pass: on some CPUs the number of rows in a pass
    # changes a row's result unless every pass has the same number of rows
    same_length = [f"The envoy met the {word} delegation in Riyadh." for word in _WORDS]
    for batch_size in (1, 2, 32):
        together = Embedder(embedder._model, "minilm", precision=precision).encode(
            texts, batch_size=batch_size
        )
        crowd = Embedder(embedder._model, "minilm", precision=precision)
        again = crowd.encode(same_length + texts[::-1], batch_size=batch_size)
        assert np.array_equal(together, again[len(same_length) :][::-1])  # bit for bit
        single = Embedder(embedder._model, "minilm", precision=precision)
        assert np.array_equal(single.encode([texts[4]], batch_size=batch_size)[0], together[4])


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_texts_vector_does_not_depend_on_torchs_thread_count(
    embedder: Embedder, precision: str
) -> None:
    import torch

    texts = [f"The envoy met the {word} delegation in Riyadh." for word in _WORDS]
    texts += ["Europe will guarantee the ceasefire with its own troops, the minister said."]
    before = torch.get_num_threads()
    vectors = []
    try:
        for threads in (1, 2, 3):  # a Ray worker has one; a laptop has several
            torch.set_num_threads(threads)
            encoder = Embedder(embedder._model, "minilm", precision=precision)
            vectors.append(encoder.encode(texts))
            assert torch.get_num_threads() == threads  # given back after the passes
    finally:
        torch.set_num_threads(before)
    assert np.array_equal(vectors[0], vectors[1])
    assert np.array_equal(vectors[0], vectors[2])


def test_run_passes_keeps_the_order_and_runs_each_pass_on_one_thread() -> None:
    import threading

    import torch

    from stancewatch.passes import run_passes

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = run_passes(lambda n: (n, torch.get_num_threads(), threading.get_ident()), range(9))
    finally:
        torch.set_num_threads(before)
    assert [n for n, _, _ in seen] == list(range(9))
    assert {threads for _, threads, _ in seen} == {1}
    assert run_passes(lambda n: n, []) == []


def test_fill_rows_repeats_the_first_row_up_to_the_pass_size() -> None:
    import torch

    from stancewatch.passes import fill_rows

    features = {
        "input_ids": torch.tensor([[101, 7, 102], [101, 8, 0]]),
        "attention_mask": torch.tensor([[1, 1, 1], [1, 1, 0]]),
        "sentence_count": 2,
    }
    filled = fill_rows(features, 4)
    assert filled["input_ids"].tolist() == [[101, 7, 102], [101, 8, 0], *[[101, 7, 102]] * 2]
    assert filled["attention_mask"].shape == (4, 3)
    assert filled["sentence_count"] == 2  # not one row per text: passed as it is
    assert fill_rows(features, 2)["input_ids"] is features["input_ids"]
    with pytest.raises(ValueError, match="3 rows do not fit in a pass of 2"):
        fill_rows({"attention_mask": torch.ones(3, 2)}, 2)


def test_pass_rows_fill_a_token_budget_within_the_batch_size() -> None:
    from stancewatch.passes import length_batches, pass_rows

    assert [pass_rows(n, 32, tokens=512) for n in (8, 16, 24, 64, 512, 1024)] == [
        32,
        32,
        21,
        8,
        1,
        1,
    ]
    # a group of long texts is cut into passes of its own size, whatever the company
    batches = length_batches([60] * 10 + [3] * 5, batch_size=32)
    assert [(padded, len(rows)) for padded, rows in batches] == [(8, 5), (64, 8), (64, 2)]


def test_in_fixed_rows_runs_every_chunk_on_the_same_number_of_rows() -> None:
    import torch

    from stancewatch.passes import in_fixed_rows

    shapes = []

    def step(a, b):  # type: ignore[no-untyped-def]
        shapes.append(a.shape[0])
        return a + b

    a, b = torch.arange(10.0).reshape(5, 2), torch.ones(5, 2)
    assert torch.equal(in_fixed_rows(step, a, b, rows=4), a + b)
    assert shapes == [0, 4, 4]  # an empty call first, for the shape of an empty output
    assert in_fixed_rows(step, a[:0], b[:0], rows=4).shape == (0, 2)


_WORDS = ("Saudi", "Turkish", "Qatari", "Polish", "Swiss", "Italian", "Danish", "Czech", "Irish")


def test_a_model_without_token_masks_is_batched_by_sentence_transformers(
    embedder: Embedder,
) -> None:
    # a static (bag-of-tokens) model, built here from MiniLM's tokenizer with random weights:
    # its inputs are flat token lists, not padded rows, so nothing is padded by length
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import StaticEmbedding

    tokenizer = embedder._model.tokenizer.backend_tokenizer
    static = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=16)])
    small = Embedder(static, "static")
    texts = ["Sanctions must stay.", "Ukraine must cede territory.", "Sanctions must stay."]
    vectors = small.encode(texts)
    assert vectors.shape == (3, 16)
    assert np.array_equal(vectors[0], vectors[2])
    assert not np.allclose(vectors[0], vectors[1])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    expected = static.encode(texts[:2], normalize_embeddings=True)
    np.testing.assert_allclose(vectors[:2], expected, atol=1e-6)


def test_load_embedder_keeps_one_embedder_per_precision_over_one_copy_of_the_weights(
    monkeypatch,
) -> None:
    from stancewatch.nlp import PRECISION_ENV, load_embedder

    monkeypatch.setenv(PRECISION_ENV, "fp32")
    full, half = load_embedder(), load_embedder(precision="bf16")
    assert (full.precision, half.precision) == ("fp32", "bf16")
    assert full is load_embedder(precision="fp32")  # cached per precision
    assert full._model is half._model  # the weights are loaded once
    assert full.name == half.name


def test_a_model_with_a_default_prompt_or_a_cut_dimension_embeds_as_sentence_transformers_does(
    embedder: Embedder,
) -> None:
    from sentence_transformers import SentenceTransformer

    from stancewatch.nlp import packaged_minilm_path

    texts = ["Sanctions must stay.", "Ukraine must cede the occupied territories."]
    prompted = SentenceTransformer(
        packaged_minilm_path(),
        device="cpu",
        prompts={"claim": "claim: "},
        default_prompt_name="claim",
    )
    vectors = Embedder(prompted, "prompted", precision="fp32").encode(texts)
    np.testing.assert_allclose(
        vectors, prompted.encode(texts, normalize_embeddings=True), atol=1e-5
    )
    assert not np.allclose(vectors, embedder.encode(texts), atol=1e-3)  # the prompt counted
    cut = SentenceTransformer(packaged_minilm_path(), device="cpu", truncate_dim=64)
    short = Embedder(cut, "cut", precision="fp32").encode(texts)
    assert short.shape == (2, 64)
    np.testing.assert_allclose(short, cut.encode(texts, normalize_embeddings=True), atol=1e-5)


def test_forcing_bfloat16_on_a_cpu_that_only_emulates_it_warns(
    embedder: Embedder, monkeypatch
) -> None:
    from stancewatch import nlp

    monkeypatch.setattr(nlp, "cpu_has_native_bf16", lambda: False)  # as on an older CPU
    with pytest.warns(RuntimeWarning, match="bfloat16 is emulated on this CPU"):
        Embedder(embedder._model, "minilm", precision="bf16")
    monkeypatch.setenv(nlp.PRECISION_ENV, "auto")
    assert nlp.resolve_precision() == "fp32"  # auto never picks the emulated one
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Embedder(embedder._model, "minilm")  # float32: nothing to warn about


def test_odd_texts_embed_to_unit_vectors_and_long_ones_are_cut_at_the_models_limit(
    embedder: Embedder,
) -> None:
    odd = ["", "   ", "Привіт, світ! 🇺🇦", "\x00\x01 control characters", "word " * 3000]
    fresh = Embedder(embedder._model, "minilm", precision=embedder.precision)
    vectors = fresh.encode(odd)
    assert vectors.shape == (len(odd), fresh.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # beyond the model's limit (256 word pieces) further words change nothing
    longer = fresh.encode(["word " * 4000])
    assert np.array_equal(longer[0], vectors[-1])


# -- the on-disk cache of what every batch reuses -------------------------------------------
CODEBOOK = ["Ukraine must cede territory.", "Sanctions on Russia must stay.", "A ceasefire now."]


def test_pinned_texts_get_the_vectors_encode_gives_and_are_kept_on_disk(
    embedder: Embedder, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    fresh = Embedder(embedder._model, embedder.name, precision=embedder.precision)
    pinned = fresh.pin(CODEBOOK)
    assert np.array_equal(pinned, fresh.encode(CODEBOOK))  # the same bits
    assert np.array_equal(pinned, Embedder(embedder._model, embedder.name).encode(CODEBOOK))
    [entry] = (tmp_path / "embeddings").iterdir()
    # a later embedder of the same model reads the entry back instead of encoding: an entry
    # changed on disk shows it
    with entry.open("rb") as handle:
        stored = pickle.load(handle)
    with entry.open("wb") as handle:
        pickle.dump(-stored, handle)
    later = Embedder(embedder._model, embedder.name, precision=embedder.precision)
    assert np.array_equal(later.pin(CODEBOOK), -pinned)
    assert np.array_equal(later.encode(CODEBOOK[:1]), -pinned[:1])  # pinned rows come first


def test_a_damaged_cache_entry_is_rebuilt_and_a_cache_that_cannot_be_written_is_skipped(
    embedder: Embedder, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    expected = Embedder(embedder._model, embedder.name).encode(CODEBOOK)
    Embedder(embedder._model, embedder.name).pin(CODEBOOK)
    [entry] = (tmp_path / "embeddings").iterdir()
    entry.write_bytes(entry.read_bytes()[:40])  # truncated
    assert np.array_equal(Embedder(embedder._model, embedder.name).pin(CODEBOOK), expected)
    assert np.array_equal(pickle.loads(entry.read_bytes()), expected)  # written whole again
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocked))
    assert np.array_equal(Embedder(embedder._model, embedder.name).pin(CODEBOOK), expected)
    assert blocked.read_text(encoding="utf-8") == "not a directory"


def test_the_cache_can_be_turned_off_and_keys_follow_every_input(
    embedder: Embedder, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_directory() is None
    built: list[int] = []
    assert cached("kind", "key", lambda: built.append(1) or 7) == 7
    assert cached("kind", "key", lambda: built.append(1) or 7) == 7
    assert built == [1, 1]  # built each time, kept nowhere
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_directory() == tmp_path
    assert cached("kind", "key", lambda: built.append(1) or 7) == 7
    assert cached("kind", "key", lambda: built.append(1) or 7) == 7
    assert built == [1, 1, 1]
    assert cache_key("ab", "c") != cache_key("a", "bc") != cache_key("abc")
    assert cache_key("x", b"\x00") == cache_key("x", b"\x00")
    other = Embedder(embedder._model, "another-name", precision=embedder.precision)
    assert other.fingerprint != Embedder(embedder._model, embedder.name).fingerprint


def test_overlapping_passes_in_several_threads_give_torch_its_threads_back() -> None:
    import threading

    import torch

    from stancewatch.passes import one_thread_per_op

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    inside, entered, release = [], threading.Barrier(2), threading.Event()

    def hold() -> None:
        with one_thread_per_op() as had:
            entered.wait()
            release.wait(5)
            inside.append((had, torch.get_num_threads()))

    try:
        threads = [threading.Thread(target=hold) for _ in range(2)]
        for t in threads:
            t.start()
        release.set()
        for t in threads:
            t.join(10)
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert inside == [(2, 1), (2, 1)]  # both saw the count torch had, and ran on one thread
    assert after == 2


def test_the_attribute_rulers_quick_matches_are_spacys(nlp) -> None:
    from importlib import resources

    from spacy.pipeline import AttributeRuler

    from stancewatch.parsing import RuleMatches

    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler.match, RuleMatches)
    corpus = resources.files("stancewatch") / "demo_corpus"
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.iterdir()) if p.is_file()]
    texts += ["", "   \n\n", "Y'all gonna see, c'mon, let's go, nothin' ain't it.", "I told you."]
    before = ("tok2vec", "tagger", "stancewatch_paragraph_breaks", "parser")
    off = [name for name in nlp.pipe_names if name not in before]
    for doc in nlp.pipe(texts, disable=off):
        assert ruler.match(doc) == AttributeRuler.match(ruler, doc)


def test_rule_matches_agree_with_spacy_on_every_kind_of_rule() -> None:
    import spacy
    from spacy.pipeline import AttributeRuler

    from stancewatch.parsing import RuleMatches

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "kyiv"}]], {"LEMMA": "Kyiv"})
    ruler.add([[{"LOWER": {"IN": ["said", "says"]}}]], {"LEMMA": "say"})
    ruler.add([[{"LOWER": {"NOT_IN": ["said", "says", "kyiv"]}, "IS_SPACE": False}]], {"NORM": "w"})
    ruler.add([[{"IS_SPACE": True}]], {"NORM": "space"})
    ruler.add([[{"LOWER": {"REGEX": "^gon$"}}, {"LOWER": "na"}]], {"LEMMA": "go"})
    ruler.add([[{"LOWER": "said"}]], {"LEMMA": "tell"})  # a later rule wins
    ruler.add([[{"LOWER": "a"}], [{"LOWER": "b"}]], {"LEMMA": "letter"})  # two patterns
    quick = RuleMatches(ruler)
    assert len(quick._rules) == 5  # the regex, two-token and two-pattern rules go to spaCy
    for text in ["Kyiv said  we gonna win", "a b says kyiv", "", "  "]:
        expected = nlp(text)
        doc = nlp.make_doc(text)
        assert quick(doc) == AttributeRuler.match(ruler, doc)
        ruler.match = quick
        got = nlp(text)
        del ruler.match
        assert [(t.lemma_, t.norm_) for t in got] == [(t.lemma_, t.norm_) for t in expected]
    doc = nlp("Kyiv said gonna")
    assert [t.lemma_ for t in doc] == ["Kyiv", "tell", "go", ""]
