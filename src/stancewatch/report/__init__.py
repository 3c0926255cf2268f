"""The HTML report and the Markdown summary, with their sections, charts and templates."""
