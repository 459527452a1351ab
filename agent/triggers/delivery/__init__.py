"""Report deliveries: Slack (incoming webhook), SNS topic, S3 objects. Sleuth's only writes."""

from agent.triggers.delivery.config import DeliveryConfig, DeliveryConfigError
from agent.triggers.delivery.dispatch import (
    DeliveryFailed,
    DeliveryResult,
    Outcome,
    ReportDelivery,
    as_report,
    deliver,
)

__all__ = [
    "DeliveryConfig",
    "DeliveryConfigError",
    "DeliveryFailed",
    "DeliveryResult",
    "Outcome",
    "ReportDelivery",
    "as_report",
    "deliver",
]
