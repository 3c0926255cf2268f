"""The review web app: browse results, review codings, measure agreement (see docs/web.md)."""
