"""Attribution: who said what, with quotes, reporting cues, coreference and actor linking."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "attribute": "attribute",
        "output_record": "attribute",
        "ActorLinker": "actors",
        "CueModel": "cue_model",
        "default_model": "cue_model",
        "load_cue_model": "cue_model",
        "actor_candidates": "candidates",
        "find_quotes": "quotes",
        "evaluate": "evaluation",
        "load_folder": "evaluation",
    },
)
