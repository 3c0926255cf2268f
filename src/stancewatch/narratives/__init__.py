"""Known narratives: claim banks and which statements repeat catalogued claims."""
