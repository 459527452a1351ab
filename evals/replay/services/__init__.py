"""One module per AWS service; each registers its operations with `evals.replay.registry.operation`."""
