"""Ingest: reading files, folders, tables, URLs and feeds into Document records."""
