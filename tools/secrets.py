"""Secrets Manager tool: a secret's rotation and version stages (never its value), and its graph node."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput
from tools.state import text_of

MAX_VERSIONS = 20  # versions listed per secret (context budget)

SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+")


class SecretDetailsInput(BaseModel):
    """Arguments of secret_details."""

    secret: str = Field(min_length=1, max_length=2048, description="the secret's name or ARN")


class SecretVersion(BaseModel):
    version_id: str
    stages: list[str] = Field(description="AWSCURRENT, AWSPENDING, AWSPREVIOUS or custom labels")
    created: datetime | None
    last_accessed: datetime | None


class SecretDetails(ToolOutput):
    name: str
    arn: str
    owning_service: str | None = Field(description="the service that manages it, e.g. rds")
    kms_key: str | None
    rotation_enabled: bool
    rotation_function: str | None = Field(description="ARN of the Lambda function that rotates it")
    rotation_schedule: str | None
    last_rotated: datetime | None
    last_changed: datetime | None
    last_accessed: datetime | None
    next_rotation: datetime | None
    deleted: datetime | None = Field(description="when it was scheduled for deletion; reads then fail")
    versions: list[SecretVersion]
    findings: list[str] = Field(description="rotation or stage problems, in plain words")

    def summary(self) -> str:
        rotation = (
            f"rotation on ({self.rotation_schedule or 'no schedule'}) by "
            f"{(self.rotation_function or '?').rsplit(':', 1)[-1]}"
            if self.rotation_enabled
            else "rotation off"
        )
        when = ", ".join(
            f"{label} {value:%Y-%m-%d %H:%M}"
            for label, value in (
                ("last rotated", self.last_rotated),
                ("last changed", self.last_changed),
                ("next rotation", self.next_rotation),
            )
            if value
        )
        versions = "; ".join(
            f"{v.version_id[:8]} {'/'.join(v.stages) or 'no stage'}" for v in self.versions[:6]
        )
        parts = [
            f"secret {self.name} has {rotation}" + (f", {when}" if when else ""),
            f"versions: {versions}",
        ]
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        return ". ".join(parts)


def _schedule(rules: dict[str, Any] | None) -> str | None:
    if not rules:
        return None
    if rules.get("ScheduleExpression"):
        return str(rules["ScheduleExpression"]) + (
            f" window {rules['Duration']}" if rules.get("Duration") else ""
        )
    if rules.get("AutomaticallyAfterDays"):
        return f"every {rules['AutomaticallyAfterDays']} days"
    return None


def findings_of(secret: dict[str, Any], stages: dict[str, list[str]], now: datetime) -> list[str]:
    """What a person reading the secret's metadata would call out, from general rotation mechanics."""
    out = []
    if secret.get("DeletedDate"):
        out.append(f"scheduled for deletion since {secret['DeletedDate']:%Y-%m-%d %H:%M}: every read fails")
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    pending = next((v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s), None)
    if pending:
        out.append(
            f"version {pending[:8]} is AWSPENDING but not AWSCURRENT: a rotation started and did not "
            "finish (the new credential may be set on one side only)"
        )
    if stages and not current:
        out.append("no version is AWSCURRENT: readers asking for the current value get an error")
    nxt = secret.get("NextRotationDate")
    if secret.get("RotationEnabled") and nxt and nxt < now:
        out.append(f"rotation overdue: it was due {nxt:%Y-%m-%d %H:%M}")
    return out


@tool
def secret_details(ctx: ToolContext, args: SecretDetailsInput) -> SecretDetails:
    """Show a Secrets Manager secret's rotation state and versions, never its value: whether rotation
    is on, the function that rotates it and its schedule, when it last rotated or changed, and which
    version holds each stage (AWSCURRENT, AWSPENDING, AWSPREVIOUS). A version left AWSPENDING means a
    rotation started and did not finish: the database and the secret can disagree.

    Args:
        secret: the secret's name or ARN.
    """
    s = ctx.aws.call("secretsmanager", "DescribeSecret", SecretId=args.secret)
    listed, more = ctx.aws.collect(
        "secretsmanager",
        "ListSecretVersionIds",
        "Versions",
        max_items=MAX_VERSIONS,
        SecretId=s["ARN"],
        IncludeDeprecated=True,
        MaxResults=MAX_VERSIONS,
    )
    versions = [
        SecretVersion(
            version_id=v["VersionId"],
            stages=v.get("VersionStages", []),
            created=v.get("CreatedDate"),
            last_accessed=v.get("LastAccessedDate"),
        )
        for v in listed
    ]
    stages = s.get("VersionIdsToStages") or {v.version_id: v.stages for v in versions if v.stages}
    return SecretDetails(
        name=s["Name"],
        arn=s["ARN"],
        owning_service=s.get("OwningService"),
        kms_key=s.get("KmsKeyId"),
        rotation_enabled=bool(s.get("RotationEnabled")),
        rotation_function=s.get("RotationLambdaARN"),
        rotation_schedule=_schedule(s.get("RotationRules")),
        last_rotated=s.get("LastRotatedDate"),
        last_changed=s.get("LastChangedDate"),
        last_accessed=s.get("LastAccessedDate"),
        next_rotation=s.get("NextRotationDate"),
        deleted=s.get("DeletedDate"),
        versions=versions,
        findings=findings_of(s, stages, ctx.now),
        has_more=more,
        total=len(versions),
    )


# --- the resource graph ---------------------------------------------------------------------------


def secret_refs(values: list[Any]) -> list[str]:
    """Secret ARNs named in configuration values (a database's managed master-user secret)."""
    return sorted({m.group(0) for v in values for m in SECRET_ARN.finditer(str(v))})


def walk_secrets(walk: GraphWalk, refs: list[str]) -> None:
    """Secrets as graph nodes (keyed by ARN), linked to the function that rotates them."""
    for ref in refs:
        s = walk.call("secretsmanager", "DescribeSecret", SecretId=ref)
        if s is None:
            continue
        arn = s["ARN"]
        for edge in walk.edges:  # a consumer named it by partial ARN or name: point it at the node
            if edge.target == ref:
                edge.target = arn
        stages = s.get("VersionIdsToStages") or {}
        attrs = {
            "arn": arn,
            "rotation": (
                f"on, {_schedule(s.get('RotationRules')) or 'no schedule'}"
                if s.get("RotationEnabled")
                else "off"
            ),
            "stages": cut("; ".join(f"{v[:8]} {'/'.join(st)}" for v, st in stages.items())),
            "last_rotated": f"{s['LastRotatedDate']:%Y-%m-%d %H:%M}" if s.get("LastRotatedDate") else "",
            "last_changed": f"{s['LastChangedDate']:%Y-%m-%d %H:%M}" if s.get("LastChangedDate") else "",
        }
        found = findings_of(s, stages, walk.ctx.now)
        if found:
            attrs["warning"] = cut(text_of("; ".join(found)))
        state = "deleted" if s.get("DeletedDate") else "available"
        if not walk.add(Node(kind="secret", id=arn, name=s["Name"], state=state, attrs=attrs)):
            return
        # RDS tags the master-user secret it manages with the database it belongs to
        for tag in s.get("Tags", []):
            db = re.fullmatch(
                r"arn:aws[a-z-]*:rds:[\w-]+:\d{12}:(db|cluster):(.+)", str(tag.get("Value", ""))
            )
            if db and str(tag.get("Key", "")).startswith("aws:rds:"):
                walk.want("rds_instance" if db.group(1) == "db" else "rds_cluster", db.group(2))
                walk.link(db.group(2), arn, "reads_secret")
        rotator = str(s.get("RotationLambdaARN") or "")
        if ":function:" in rotator:
            function = rotator.split(":function:")[1].split(":")[0]
            walk.want("lambda", function)
            walk.link(arn, function, "rotated_by")
