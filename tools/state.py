"""State tools: Auto Scaling activity (and replacement loops) and load balancer target health, as of now."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tools.redact import redact
from tools.registry import ToolContext, tool
from tools.result import ToolOutput

TEXT_CHARS = 300  # causes, reasons and event messages are cut to this (context budget; untrusted text)
MAX_ACTIVITIES_READ = 500  # 5 DescribeScalingActivities pages: enough to see a loop, cheap to read
_INSTANCE_ID = re.compile(r"\bi-[0-9a-f]{8,17}\b")
_HEALTH_CAUSE = re.compile(r"(?i)health[ -]?check|status check|unhealthy")


def text_of(value: Any) -> str:
    """Untrusted text from AWS (causes, reasons, messages): secrets masked, cut to size."""
    return redact(str(value or ""))[:TEXT_CHARS]


# --- Auto Scaling activities ------------------------------------------------------------------------


class ScalingActivitiesInput(BaseModel):
    """Arguments of scaling_activities."""

    group: str = Field(min_length=1, max_length=255, description="the Auto Scaling group's name")
    hours: float = Field(
        default=6, gt=0, le=24 * 42, description="how far back from now to read (Auto Scaling keeps 6 weeks)"
    )
    limit: int = Field(
        default=30, ge=1, le=100, description="activities returned, newest first (context budget)"
    )
    loop_window_minutes: int = Field(
        default=60, ge=5, le=24 * 60, description="a replacement loop is counted within this many minutes"
    )
    loop_min_pairs: int = Field(
        default=3,
        ge=2,
        le=50,
        description="health-check terminate+launch pairs in the loop window that flag a loop",
    )


class Activity(BaseModel):
    id: str
    kind: Literal["launch", "terminate", "other"]
    instance_id: str | None
    start: datetime
    end: datetime | None
    status: str
    description: str
    cause: str
    health_check: bool = Field(description="the cause names a failed health or status check")
    status_message: str = ""

    def line(self) -> str:
        inst = f" {self.instance_id}" if self.instance_id else ""
        why = " (health check)" if self.health_check else ""
        return f"{self.start:%H:%M} {self.kind}{inst} {self.status}{why}"


class ReplacementLoop(BaseModel):
    pairs: int = Field(description="health-check terminations each followed by a launch, within the window")
    first: datetime
    last: datetime
    instances: list[str] = Field(description="instances terminated in the loop")


class ScalingActivities(ToolOutput):
    group: str
    activities: list[Activity]
    read: int = Field(description="activities read in the window (all of them feed loop detection)")
    launches: int
    terminations: int
    failed: int
    loop: ReplacementLoop | None = None

    def summary(self) -> str:
        if not self.activities:
            return f"no scaling activities for {self.group} in the window"
        head = (
            f"{self.group}: {self.read} activities ({self.launches} launches, {self.terminations} terminations, "
            f"{self.failed} failed)"
        )
        if self.loop:
            head += (
                f"; REPLACEMENT LOOP: {self.loop.pairs} health-check terminate+launch pairs "
                f"{self.loop.first:%H:%M}-{self.loop.last:%H:%M} ({', '.join(self.loop.instances[:6])})"
            )
        newest = "; ".join(a.line() for a in self.activities[:8])
        return f"{head}. Newest: {newest}"

    def is_empty(self) -> bool:
        return not self.activities


def _activity(item: dict[str, Any]) -> Activity:
    description = str(item.get("Description", ""))
    lowered = description.lower()
    kind: Literal["launch", "terminate", "other"] = (
        "launch"
        if lowered.startswith("launching")
        else "terminate"
        if lowered.startswith("terminating")
        else "other"
    )
    found = _INSTANCE_ID.search(description)
    cause = str(item.get("Cause", ""))
    return Activity(
        id=item["ActivityId"],
        kind=kind,
        instance_id=found.group(0) if found else None,
        start=item["StartTime"],
        end=item.get("EndTime"),
        status=item.get("StatusCode", ""),
        description=text_of(description),
        cause=text_of(cause),
        health_check=bool(_HEALTH_CAUSE.search(cause)),
        status_message=text_of(item.get("StatusMessage")),
    )


def find_loop(activities: list[Activity], window: timedelta, min_pairs: int) -> ReplacementLoop | None:
    """The densest run of health-check terminations each answered by a launch (within 15 minutes)."""
    pair_gap = timedelta(minutes=15)
    launches = sorted(a.start for a in activities if a.kind == "launch")
    used: set[int] = set()
    pairs: list[Activity] = []
    for term in sorted(
        (a for a in activities if a.kind == "terminate" and a.health_check), key=lambda a: a.start
    ):
        for i, when in enumerate(launches):
            if i not in used and abs(when - term.start) <= pair_gap:
                used.add(i)
                pairs.append(term)
                break
    best: list[Activity] = []
    for i, first in enumerate(pairs):
        run = [p for p in pairs[i:] if p.start - first.start <= window]
        if len(run) > len(best):
            best = run
    if len(best) < min_pairs:
        return None
    return ReplacementLoop(
        pairs=len(best),
        first=best[0].start,
        last=best[-1].start,
        instances=[p.instance_id for p in best if p.instance_id],
    )


@tool
def scaling_activities(ctx: ToolContext, args: ScalingActivitiesInput) -> ScalingActivities:
    """Show an Auto Scaling group's recent activities (launches, terminations, failures) newest first,
    with their causes, and flag a replacement loop: instances repeatedly terminated for failing health
    checks and replaced, which points at a bad launch template, a failing health check or a dependency.

    Args:
        group: the Auto Scaling group's name.
        hours: how far back from now to read.
        limit: activities returned.
        loop_window_minutes: window in which terminate+launch pairs are counted.
        loop_min_pairs: pairs in that window that flag a loop.
    """
    since = ctx.now - timedelta(hours=args.hours)
    read: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ctx.aws.call(
            "autoscaling",
            "DescribeScalingActivities",
            AutoScalingGroupName=args.group,
            MaxRecords=100,
            **({"NextToken": token} if token else {}),
        )
        items = page.get("Activities", [])
        # Activities still in progress come first whenever they started; they are the present state.
        read += [a for a in items if a["StartTime"] >= since or "EndTime" not in a]
        token = page.get("NextToken")
        if any(a["StartTime"] < since and "EndTime" in a for a in items):
            token = None  # activities come newest first: the pages after this one are older still
        if not token or len(read) >= MAX_ACTIVITIES_READ:
            break
    activities = sorted((_activity(a) for a in read), key=lambda a: a.start, reverse=True)
    kinds = Counter(a.kind for a in activities)
    return ScalingActivities(
        group=args.group,
        activities=activities[: args.limit],
        read=len(activities),
        launches=kinds["launch"],
        terminations=kinds["terminate"],
        failed=sum(a.status in ("Failed", "Cancelled") for a in activities),
        loop=find_loop(activities, timedelta(minutes=args.loop_window_minutes), args.loop_min_pairs),
        has_more=len(activities) > args.limit or bool(token),
        total=len(activities),
    )


# --- target health ----------------------------------------------------------------------------------

MAX_TARGETS_SHOWN = 40  # per target group (context budget); counts cover every target


class TargetHealthInput(BaseModel):
    """Arguments of target_health."""

    target_groups: list[str] = Field(
        default_factory=list, max_length=20, description="target group names or ARNs (at most 20)"
    )
    load_balancer: str | None = Field(
        default=None, description="a load balancer name or ARN: all of its target groups"
    )

    @model_validator(mode="after")
    def _one(self) -> TargetHealthInput:
        if bool(self.target_groups) == bool(self.load_balancer):
            raise ValueError("give either target_groups or load_balancer")
        return self


class TargetState(BaseModel):
    id: str
    port: int | None
    az: str | None
    state: str
    reason: str | None
    description: str | None


class GroupHealth(BaseModel):
    name: str
    arn: str
    health_check: str = Field(description="protocol, port and path the load balancer checks")
    counts: dict[str, int]
    targets: list[TargetState] = Field(description="unhealthy and other non-healthy targets first")

    def line(self) -> str:
        total = sum(self.counts.values())
        bad = [t for t in self.targets if t.state not in ("healthy",)]
        detail = "; ".join(f"{t.id} {t.state} ({t.reason or '-'}: {t.description or ''})" for t in bad[:5])
        return f"{self.name}: {self.counts.get('healthy', 0)}/{total} healthy" + (
            f"; {detail}" if detail else ""
        )


class TargetHealth(ToolOutput):
    groups: list[GroupHealth]

    def summary(self) -> str:
        if not self.groups:
            return "no target groups found"
        return " | ".join(g.line() for g in self.groups)

    def is_empty(self) -> bool:
        return not self.groups


_STATE_ORDER = {"unhealthy": 0, "unavailable": 1, "draining": 2, "initial": 3, "unused": 4, "healthy": 5}


def _target_groups(ctx: ToolContext, args: TargetHealthInput) -> list[dict[str, Any]]:
    if args.load_balancer:
        lb = args.load_balancer
        key = "LoadBalancerArns" if lb.startswith("arn:") else "Names"
        lbs = ctx.aws.call("elbv2", "DescribeLoadBalancers", **{key: [lb]})["LoadBalancers"]
        groups, _ = ctx.aws.collect(
            "elbv2",
            "DescribeTargetGroups",
            "TargetGroups",
            max_items=100,
            in_token="Marker",
            out_token="NextMarker",
            LoadBalancerArn=lbs[0]["LoadBalancerArn"],
        )
        return groups
    arns = [g for g in args.target_groups if g.startswith("arn:")]
    names = list(dict.fromkeys(_group_name(g) for g in args.target_groups if not g.startswith("arn:")))
    found: list[dict[str, Any]] = []
    for key, wanted in (("TargetGroupArns", arns), ("Names", names)):
        if wanted:
            found += ctx.aws.call("elbv2", "DescribeTargetGroups", **{key: wanted})["TargetGroups"]
    return found


def _group_name(ref: str) -> str:
    """A target group's name from any spelling short of its ARN: CloudWatch's `TargetGroup` dimension
    (`targetgroup/<name>/<id>`) names the group too."""
    m = re.fullmatch(r"targetgroup/([^/]+)/[0-9a-f]+", ref)
    return m.group(1) if m else ref


@tool
def target_health(ctx: ToolContext, args: TargetHealthInput) -> TargetHealth:
    """Show the health of every target of load balancer target groups as of now: healthy / unhealthy
    counts, and each non-healthy target with the load balancer's reason code and description (e.g.
    Target.ResponseCodeMismatch, Target.Timeout, Target.FailedHealthChecks).

    Args:
        target_groups: target group names or ARNs.
        load_balancer: a load balancer name or ARN, for all of its target groups.
    """
    out: list[GroupHealth] = []
    for group in _target_groups(ctx, args):
        page = ctx.aws.call("elbv2", "DescribeTargetHealth", TargetGroupArn=group["TargetGroupArn"])
        targets = [
            TargetState(
                id=str(d["Target"]["Id"]),
                port=d["Target"].get("Port"),
                az=d["Target"].get("AvailabilityZone"),
                state=d.get("TargetHealth", {}).get("State", "unknown"),
                reason=d.get("TargetHealth", {}).get("Reason"),
                description=text_of(d.get("TargetHealth", {}).get("Description")) or None,
            )
            for d in page.get("TargetHealthDescriptions", [])
        ]
        targets.sort(key=lambda t: (_STATE_ORDER.get(t.state, 1), t.id))
        check = (
            f"{group.get('HealthCheckProtocol', '?')}:{group.get('HealthCheckPort', '?')}"
            f"{group.get('HealthCheckPath', '')}"
        )
        out.append(
            GroupHealth(
                name=group.get("TargetGroupName", group["TargetGroupArn"]),
                arn=group["TargetGroupArn"],
                health_check=check,
                counts=dict(Counter(t.state for t in targets)),
                targets=targets[:MAX_TARGETS_SHOWN],
            )
        )
    shown_all = all(sum(g.counts.values()) <= MAX_TARGETS_SHOWN for g in out)
    return TargetHealth(groups=out, has_more=not shown_all, total=len(out))


# --- EC2 status checks ----------------------------------------------------------------------------


class InstanceStatusInput(BaseModel):
    """Arguments of instance_status."""

    instances: list[str] = Field(
        min_length=1,
        max_length=100,
        description="instance ids (i-...), at most 100: their status checks and scheduled events now",
    )


class CheckedInstance(BaseModel):
    id: str
    state: str | None
    az: str | None = None
    system: str | None = Field(description="system status: ok, impaired, insufficient-data, not-applicable")
    instance: str | None = Field(description="instance status: ok, impaired, ...")
    attached_ebs: str | None = None
    impaired_since: datetime | None = Field(default=None, description="the earliest failed check's start")
    failed: list[str] = Field(default_factory=list, description="the checks that failed (reachability, ...)")
    events: list[str] = Field(default_factory=list, description="scheduled events: code, description, dates")

    @property
    def impaired(self) -> bool:
        return "impaired" in (self.system, self.instance, self.attached_ebs)


class InstanceStatuses(ToolOutput):
    instances: list[CheckedInstance]

    def summary(self) -> str:
        bad = [i for i in self.instances if i.impaired or i.events]
        if not bad:
            return f"{len(self.instances)} instances: every status check ok, no scheduled events"
        rows = "; ".join(
            f"{i.id} system {i.system} instance {i.instance}"
            + (f" attached-EBS {i.attached_ebs}" if i.attached_ebs else "")
            + (f" since {i.impaired_since:%H:%M}" if i.impaired_since else "")
            + (f" events: {', '.join(i.events)}" if i.events else "")
            for i in bad[:10]
        )
        return f"{len(bad)} of {len(self.instances)} instances impaired or with scheduled events: {rows}"

    def is_empty(self) -> bool:
        return not self.instances


def _check(summary: dict[str, Any] | None) -> tuple[str | None, list[str], datetime | None]:
    if not summary:
        return None, [], None
    failed = [d["Name"] for d in summary.get("Details", []) if d.get("Status") == "failed"]
    since = [d["ImpairedSince"] for d in summary.get("Details", []) if d.get("ImpairedSince")]
    return summary.get("Status"), failed, min(since) if since else None


@tool
def instance_status(ctx: ToolContext, args: InstanceStatusInput) -> InstanceStatuses:
    """Read EC2 status checks as they are now (system, instance and attached-EBS reachability, with
    when a failed check began) and scheduled events (retirement, maintenance) for instances.

    Args:
        instances: instance ids.
    """
    page = ctx.aws.call(
        "ec2",
        "DescribeInstanceStatus",
        InstanceIds=list(dict.fromkeys(args.instances)),
        IncludeAllInstances=True,
    )
    out: list[CheckedInstance] = []
    for s in page.get("InstanceStatuses", []):
        system, sys_failed, sys_since = _check(s.get("SystemStatus"))
        instance, inst_failed, inst_since = _check(s.get("InstanceStatus"))
        ebs, ebs_failed, ebs_since = _check(s.get("AttachedEbsStatus"))
        starts = [t for t in (sys_since, inst_since, ebs_since) if t is not None]
        out.append(
            CheckedInstance(
                id=s["InstanceId"],
                state=(s.get("InstanceState") or {}).get("Name"),
                az=s.get("AvailabilityZone"),
                system=system,
                instance=instance,
                attached_ebs=ebs,
                impaired_since=min(starts) if starts else None,
                failed=[f"system {n}" for n in sys_failed]
                + [f"instance {n}" for n in inst_failed]
                + [f"attached-EBS {n}" for n in ebs_failed],
                events=[
                    f"{e.get('Code')}: {text_of(e.get('Description'))[:120]}"
                    + (f" (not before {e['NotBefore']:%m-%d %H:%M})" if e.get("NotBefore") else "")
                    for e in s.get("Events", [])
                    if not text_of(e.get("Description")).startswith("[Completed]")
                ],
            )
        )
    return InstanceStatuses(instances=out, total=len(out))
