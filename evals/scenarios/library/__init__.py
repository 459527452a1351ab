"""The scenario generators; importing a module registers it (the catalogue orders them by number)."""

from evals.scenarios.library import (
    aurora_asg_loop,
    benign_blip,
    cpu_credits,
    disk_full,
    lambda_throttling,
    lambda_timeouts,
    rds_connections,
    sg_rule_revoked,
    slow_dependency,
)

__all__ = [
    "aurora_asg_loop",
    "benign_blip",
    "cpu_credits",
    "disk_full",
    "lambda_throttling",
    "lambda_timeouts",
    "rds_connections",
    "sg_rule_revoked",
    "slow_dependency",
]
