"""The SQLite store and the read model over stored results."""
