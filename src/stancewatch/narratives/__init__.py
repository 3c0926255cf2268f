"""Known narratives: claim banks and which statements repeat catalogued claims."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "match_texts": "matching",
        "match_vectors": "matching",
        "build_index": "matching",
        "polarity": "matching",
        "repetitions": "matching",
        "load_bank": "banks",
        "LabelModel": "label_model",
    },
)
