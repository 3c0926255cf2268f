"""Stance: whether a statement supports, opposes or says nothing about a position."""
