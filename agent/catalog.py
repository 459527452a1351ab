"""The failure-mode catalog: known AWS failure modes as data (agent/knowledge/*.toml), validated here.

Each entry says what kind of resource can be the root cause, which signals on that resource point to
the failure mode (root signals), which signals elsewhere in the blast radius it explains (symptoms),
what argues against it, which probes confirm it, and how to remediate and prevent it. The rules
planner matches entries to evidence; nothing in an entry may name a particular incident.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from agent.board import Action, Category
from agent.signals import SIGNALS

KNOWLEDGE = Path(__file__).with_name("knowledge")

ResourceKind = Literal[
    "alb",
    "target_group",
    "ec2",
    "asg",
    "rds_instance",
    "rds_cluster",
    "lambda",
    "ecs_service",
    "dynamodb_table",
    "ebs_volume",
    "nat_gateway",
    "api_gateway",
    "sqs_queue",
    "elasticache_cluster",
    "elasticache_replication_group",
    "security_group",
    "network_acl",
    "subnet",
    "vpc",
    "transit_gateway_attachment",
    "iam_role",
    "kms_key",
    "ssm_parameter",
    "codedeploy_group",
    "remote",
    "availability_zone",
    "alarm",
    "service",
    "efs_file_system",
    "waf_web_acl",
    "launch_template",
    "vpc_endpoint",
    # An AWS API as the account calls it ("ssm:GetParameters"): what an account-wide request quota limits.
    "aws_api",
    "secret",
    "kinesis_stream",
    "rds_proxy",
    "dynamodb_index",
    "ecr_repository",
    "vpn_connection",
    "opensearch_domain",
    "state_machine",
    "sns_topic",
    "firehose_stream",
    # Any resource, of a kind the catalog does not name: a mode argued from generic evidence (a change
    # to what sits on the failing path) rather than from a kind's own signals.
    "any",
]

PROBES = (
    "recent_changes",
    "cloudtrail_lookup",
    "key_metrics",
    "metric_series",
    "error_counts",
    "log_templates",
    "search_logs",
    "find_log_groups",
    "trace_faults",
    "service_map",
    "scaling_activities",
    "target_health",
    "instance_status",
    "rds_events",
    "db_log_tail",
    "ecs_service_events",
    "lambda_config",
    "runtime_versions",
    "codedeploy_deployments",
    "health_events",
    "flow_log_rejects",
    "nacl_check",
    "describe_resources",
    "alarm_details",
    "queue_details",
    "event_source_mappings",
    "topic_details",
    "secret_details",
    "vpc_endpoints",
    "bucket_access",
    "state_machine",
    "stream_details",
    "cache_details",
    "scaling_config",
    "api_details",
    "dns_records",
    "certificates",
    # survey's own reads, available to an entry too
    "metric_inventory",
    "namespace_metrics",
    "namespace_history",
    "custom_metrics",
    "active_alarms",
    "alarms_on",
    "list_log_groups",
    "logs_insights",
    "trace_summaries",
    "get_traces",
    "blackhole_routes",
)


class Remediation(BaseModel):
    action: Action
    description: str = Field(min_length=1)
    command: str | None = Field(
        default=None,
        description="a concrete CLI command or console path; {resource} is filled in; a command that is "
        "exactly {inverse} becomes the undo of the suspect change's own CloudTrail call",
    )


class FailureMode(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]+$")
    title: str = Field(min_length=1)
    category: Category
    applies_to: list[ResourceKind] = Field(min_length=1, description="kinds the root-cause resource can be")
    root_signals: list[str] = Field(min_length=1, description="signals on the suspect; any one nominates it")
    corroborating: list[str] = Field(
        default_factory=list, description="signals on the suspect that add weight"
    )
    symptoms: list[str] = Field(
        default_factory=list, description="signals downstream that this mode explains"
    )
    contradicting: list[str] = Field(
        default_factory=list, description="signals on the suspect that argue against"
    )
    probes: list[str] = Field(default_factory=list, description="tools that confirm or rule it out")
    ceiling: list[str] = Field(
        default_factory=list,
        description="for a capacity reading argued from a symptom (a backlog): signals that the resource "
        "or what works for it is at its ceiling; without one of them the reading is only a possibility",
    )
    history_hours: float = Field(
        default=3,
        gt=0,
        le=24 * 90,
        description="how far before the window to read changes: a state that persists until undone "
        "(a stopped instance, a detached policy) may have been set long before its effect showed",
    )
    remediation: list[Remediation] = Field(min_length=1)
    prevention: list[str] = Field(min_length=1)
    observability: list[str] = Field(
        default_factory=list, description="telemetry that would have made this obvious, if it is missing"
    )
    known_issues: list[str] = Field(
        default_factory=list, description="where to check for documented bugs (release notes, known issues)"
    )
    references: list[str] = Field(default_factory=list)

    @field_validator("root_signals", "corroborating", "symptoms", "contradicting", "ceiling")
    @classmethod
    def _known_signals(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in SIGNALS]
        if unknown:
            raise ValueError(f"unknown signals {unknown} (see agent/signals.py)")
        return names

    @field_validator("probes")
    @classmethod
    def _known_probes(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in PROBES]
        if unknown:
            raise ValueError(f"unknown probes {unknown}; known: {', '.join(PROBES)}")
        return names

    @model_validator(mode="after")
    def _disjoint(self) -> FailureMode:
        clash = set(self.root_signals) & set(self.contradicting)
        if clash:
            raise ValueError(f"signals {sorted(clash)} both nominate and contradict")
        return self


class CatalogError(ValueError):
    """A knowledge file that does not load, naming the file and the field."""


def load(directory: Path = KNOWLEDGE) -> dict[str, FailureMode]:
    """Every failure mode in `directory` (one or more `[[mode]]` tables per TOML file), by id."""
    modes: dict[str, FailureMode] = {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogError(f"no failure-mode files (*.toml) in {directory}")
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path}: {exc}") from exc
        for i, raw in enumerate(data.get("mode", [])):
            try:
                mode = FailureMode.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(p) for p in err["loc"])
                raise CatalogError(
                    f"{path} mode #{i + 1} ({raw.get('id', '?')}): field '{loc}': {err['msg']}"
                ) from exc
            if mode.id in modes:
                raise CatalogError(f"{path}: failure mode {mode.id!r} is defined twice")
            modes[mode.id] = mode
    return modes


@cache
def catalog() -> dict[str, FailureMode]:
    """The shipped catalog, loaded once."""
    return load()
