"""The investigation agent: graph, planners, analyzers, reports and the CLI."""
