"""Analytics over coded stances: alignment, agreement, reliability and echo chains."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "actor_positions": "alignment",
        "align": "alignment",
        "align_by_topic": "alignment",
        "align_by_period": "alignment",
        "rank": "alignment",
        "alignment_matrix": "alignment",
        "Alignment": "comparison",
        "agreement": "agreement",
        "reliability": "reliability",
        "position_chains": "echo",
        "cluster_chains": "echo",
        "chains_frame": "echo",
        "echo_test": "echo",
    },
)
