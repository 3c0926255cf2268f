"""Stance: whether a statement supports, opposes or says nothing about a position."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "StanceBackend": "base",
        "FunctionStance": "base",
        "PrototypeStance": "prototype",
        "shortlist": "coding",
        "code_stances": "coding",
        "reading": "reading",
        "readings": "reading",
        "load_backend": "backends",
        "NLIStance": "backends",
        "ChatStance": "backends",
        "MiniLMLoRAStance": "model",
        "classify_frame": "evaluation",
        "read_stance_rows": "evaluation",
        "macro_f1": "evaluation",
    },
)
