"""Import every tool module so the registry holds the whole tool set."""

from tools import (  # noqa: F401
    alarms,
    apis,
    changes,
    database,
    deployments,
    ecs,
    flow_logs,
    functions,
    health,
    inventory,
    logs,
    metrics,
    network,
    queues,
    resources,
    scaling,
    state,
    topics,
    traces,
)
from tools.registry import REGISTRY, schemas

__all__ = ["REGISTRY", "schemas"]
