"""The review web app: browse results, review codings, measure agreement (see docs/web.md)."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "create_app": "app",
    },
)
