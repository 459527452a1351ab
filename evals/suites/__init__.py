"""Incident suites kept apart from the built-in scenarios (see `evals/suites/fresh/README.md`)."""
