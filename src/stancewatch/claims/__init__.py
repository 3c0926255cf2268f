"""Numeric claims: finding quantities, matching them with sourced facts, and verdicts."""
