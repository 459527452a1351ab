"""Alarm triggers: EventBridge alarm events in, deduplicated and capped investigations out."""

from agent.triggers.dedupe import Claim, DedupePolicy, InvestigationStore
from agent.triggers.events import AlarmStateChange, EventError, parse_event
from agent.triggers.investigator import InvestigationRequest, Investigator
from agent.triggers.runner import TriggerConfig, on_alarm, watch
from agent.triggers.scope import EntryResource, Scope, derive_scope

__all__ = [
    "AlarmStateChange",
    "Claim",
    "DedupePolicy",
    "EntryResource",
    "EventError",
    "InvestigationRequest",
    "InvestigationStore",
    "Investigator",
    "Scope",
    "TriggerConfig",
    "derive_scope",
    "on_alarm",
    "parse_event",
    "watch",
]
