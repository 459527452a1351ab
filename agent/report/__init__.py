"""The investigation report: its JSON contract and its renderings (text, Markdown, HTML)."""
