"""Import every tool module so the registry holds the whole tool set."""

from tools import (  # noqa: F401
    alarms,
    apis,
    buckets,
    caches,
    certificates,
    changes,
    database,
    deployments,
    dns,
    ecs,
    endpoints,
    flow_logs,
    functions,
    health,
    inventory,
    logs,
    metric_history,
    metrics,
    network,
    queues,
    resources,
    scaling,
    secrets,
    state,
    streams,
    topics,
    traces,
    workflows,
)
from tools.registry import REGISTRY, schemas

__all__ = ["REGISTRY", "schemas"]
