"""Resource state and platform events: replacement loops, target health, database and AWS Health events,
deployments, ECS stops, Lambda concurrency, flow-log rejects and network ACL verdicts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent.analyzers import Draft
from agent.analyzers.alarm import COMPARE
from agent.analyzers.logs import message_signals

if TYPE_CHECKING:  # the analyzers read attributes only; the tool modules stay free to move
    from tools.alarms import AlarmInfo
    from tools.caches import CacheDetails
    from tools.database import DbLogTail, RdsEvents
    from tools.deployments import Deployments
    from tools.ecs import EcsServiceState
    from tools.flow_logs import FlowRejects, RejectGroup
    from tools.functions import LambdaConfig, RuntimeVersions
    from tools.health import HealthEvents
    from tools.metrics import MetricSeries
    from tools.network import BlackholeRoutes, NaclCheck
    from tools.scaling import ScalingConfig
    from tools.state import InstanceStatuses, ScalingActivities, TargetHealth
    from tools.workflows import StateMachine

# An account notification that reports something lost or degraded (a VPN tunnel's redundancy, an
# impaired volume, a retiring host) is the platform telling what happened to a resource of the
# account; the rest (deprecations, billing, reminders) is not about an incident.
LOSS_NOTICE = re.compile(
    r"LOSS|DEGRAD|FAIL|IMPAIR|UNAVAILABLE|OUTAGE|INTERRUPT|UNREACHABLE|TUNNEL_DOWN|RETIRE|REPLACE"
    r"|lost|degraded|failed|impaired|unavailable|down\b|interrupted|unreachable",
)
# Affected resources of one account from which a Health event is about their zone, not about them.
ZONE_WIDE = 2
DB_EVENT = re.compile(
    r"failover|reboot|restart|shut ?down|crash|recover|error|maintenance|patch|storage|out of", re.I
)


def from_scaling(out: ScalingActivities) -> list[Draft]:
    drafts: list[Draft] = []
    if out.loop is not None:
        loop = out.loop
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.group,
                start=loop.first,
                end=loop.last,
                summary=f"{out.group} replaced instances in a loop: {loop.pairs} health-check terminations each "
                f"followed by a launch between {loop.first:%H:%M} and {loop.last:%H:%M}",
                signals=["asg_replacement_loop", "capacity_below_desired"],
                strength=min(0.95, 0.4 + 0.1 * loop.pairs),
                facts={"pairs": loop.pairs, "instances": loop.instances},
            )
        )
    launches = sorted(
        (a for a in out.activities if a.kind == "launch" and a.status == "Successful"), key=lambda a: a.start
    )
    launched = [a.start for a in launches]
    if launched:
        # Not trouble: the moments what the group launches from (its template) reached new instances.
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.group,
                start=launched[0],
                end=launched[-1],
                summary=f"{out.group} launched {len(launched)} instances between {launched[0]:%H:%M} and {launched[-1]:%H:%M}",
                signals=["instances_launched"],
                strength=0.3,
                facts={
                    "launched": [t.isoformat() for t in launched[:50]],
                    "instances": {a.instance_id: a.start.isoformat() for a in launches[:50] if a.instance_id},
                },
            )
        )
    failed = [a for a in out.activities if a.status in ("Failed", "Cancelled")]
    if failed:
        a = failed[0]
        # Dated by the first failure (activities come newest first): that is when launches began failing.
        first = min(f.start for f in failed)
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.group,
                start=first,
                end=a.end,
                summary=f"{len(failed)} scaling activities of {out.group} failed; latest: {a.description} ({a.status_message[:160]})",
                signals=["capacity_below_desired", *message_signals(a.status_message)],
                strength=0.5,
                facts={"failed": len(failed)},
            )
        )
    return drafts


# How Application Auto Scaling says a schedule acted: "scheduled action name X was triggered".
_SCHEDULED = re.compile(r"scheduled action(?: name)? '?([\w.-]+)'? was triggered", re.I)
# A schedule written this recently is a new change; an older one has fired before, routinely.
SCHEDULE_NEW = timedelta(days=7)


def _scheduled_change(
    resource: str, when: datetime, name: str | None, what: str, schedule: str | None
) -> Draft:
    """A newly written scheduled action that fired is a change someone made, dated when it took
    effect (the PutScheduledAction that wrote it may be hours older)."""
    label = f"scheduled action '{name}'" if name else "a scheduled action"
    return Draft(
        kind="change_event",
        resource=resource,
        start=when,
        end=when,
        summary=f"Auto Scaling {label}{f' ({schedule})' if schedule else ''} fired on {resource} at "
        f"{when:%H:%M:%S}: {what[:160]}",
        signals=["change", "change_capacity", "scheduled_scaling"],
        strength=0.6,
        facts={
            "action": f"scheduled action {name}" if name else "scheduled action",
            "who": "Auto Scaling (a scheduled action)",
            "scheduled_action": name or "",
            "schedule": schedule or "",
            "resources": [resource] + ([name] if name else []),
        },
    )


def from_scaling_config(out: ScalingConfig, start: datetime, end: datetime) -> list[Draft]:
    """Scheduled actions that fired in or just before the window, and scaling refused at the maximum."""
    drafts: list[Draft] = []
    created = {s.name: s.created for s in out.scheduled if s.created}
    schedules = {
        s.name: s.schedule + (f" {s.timezone}" if s.timezone else " UTC") for s in out.scheduled if s.schedule
    }
    for a in out.activities:
        if a.status != "Successful" or not (start - timedelta(hours=1) <= a.start <= end):
            continue
        m = _SCHEDULED.search(a.cause)
        written = created.get(m.group(1)) if m else None
        if m and written is not None and a.start - written <= SCHEDULE_NEW:
            name = m.group(1)
            drafts.append(
                _scheduled_change(out.resource, a.start, name, a.description, schedules.get(name or ""))
            )
    capped = [a for a in out.activities if a.not_scaled and start <= a.start <= end]
    if capped:
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.resource,
                start=min(a.start for a in capped),
                end=max(a.start for a in capped),
                summary=f"{len(capped)} scaling activities of {out.resource} were not done: "
                + "; ".join(sorted({r for a in capped for r in a.not_scaled}))[:200],
                signals=["scaling_blocked"],
                strength=0.5,
                facts={"not_scaled": sorted({r for a in capped for r in a.not_scaled})},
            )
        )
    return drafts


def from_target_health(out: TargetHealth, now: datetime | None) -> list[Draft]:
    drafts: list[Draft] = []
    for g in out.groups:
        # A stopped or terminated instance still registered is capacity the group counts on and does
        # not have: ELB reports it "unused" with Target.InvalidState, not unhealthy.
        gone = [t for t in g.targets if t.state == "unused" and t.reason == "Target.InvalidState"]
        total = sum(g.counts.values())
        for t in gone:
            drafts.append(
                Draft(
                    kind="resource_state",
                    resource=t.id,
                    start=None,
                    end=now,
                    summary=f"{t.id} is registered in {g.name} but not serving ({t.reason}: "
                    f"{t.description or 'not running'}); {g.counts.get('healthy', 0)} of {total} targets "
                    "carry the load",
                    signals=["target_not_running"],
                    strength=0.6,
                    facts={"target_group": g.name, "arn": g.arn, "state": t.state, "reason": t.reason},
                )
            )
        bad = [t for t in g.targets if t.state not in ("healthy", "draining", "initial", "unused")]
        if not bad or not total:
            continue
        reasons = sorted({t.reason or t.state for t in bad})
        if total >= 2 and len(bad) * 2 < total:
            # A few targets failing the checks their peers pass: those hosts are what failed, not the
            # group's settings or a dependency they all share.
            for t in bad:
                drafts.append(
                    Draft(
                        kind="resource_state",
                        resource=t.id,
                        start=None,  # read now; when it began is not known
                        end=now,
                        summary=f"{t.id} fails the health checks of {g.name} ({t.reason or t.state}) while "
                        f"{total - len(bad)} of its {total - 1} peers pass them",
                        signals=["unhealthy_alone"],
                        strength=0.7,
                        facts={"target_group": g.name, "arn": g.arn, "state": t.state, "reason": t.reason},
                    )
                )
        drafts.append(
            Draft(
                kind="resource_state",
                resource=g.name,
                start=now,
                end=now,
                summary=f"{len(bad)} of {total} targets in {g.name} are unhealthy ({', '.join(reasons)}); check {g.health_check}",
                signals=["targets_unhealthy"],
                strength=round(min(0.9, 0.3 + 0.6 * len(bad) / total), 3),
                facts={"unhealthy": [t.id for t in bad], "reasons": reasons, "arn": g.arn},
            )
        )
    return drafts


def from_instance_status(out: InstanceStatuses) -> list[Draft]:
    """EC2's own status checks as they are now: an impaired instance (its host, its OS or its attached
    volumes unreachable) is a failed component, dated when the failed check began; a scheduled event
    (retirement, maintenance) is the platform about to act on it."""
    drafts: list[Draft] = []
    for i in out.instances:
        if i.impaired:
            drafts.append(
                Draft(
                    kind="resource_state",
                    resource=i.id,
                    start=i.impaired_since,
                    summary=f"{i.id} is impaired (system {i.system}, instance {i.instance}"
                    + (f", attached EBS {i.attached_ebs}" if i.attached_ebs else "")
                    + f"): {', '.join(i.failed) or 'checks failing'}"
                    + (f" since {i.impaired_since:%H:%M}" if i.impaired_since else ""),
                    signals=["status_check_failed"]
                    + (
                        # Which check failed says which part failed: only the attached-EBS one is a volume.
                        ["attached_ebs_impaired"]
                        if i.attached_ebs == "impaired" and "impaired" not in (i.system, i.instance)
                        else []
                    ),
                    strength=0.85,
                    facts={"system": i.system, "instance": i.instance, "attached_ebs": i.attached_ebs},
                )
            )
        for e in i.events:
            drafts.append(
                Draft(
                    kind="health_event",
                    resource=i.id,
                    summary=f"{i.id} has a scheduled event: {e}",
                    signals=["health_event"],
                    strength=0.4,
                    facts={"event": e},
                )
            )
    return drafts


def from_rds_events(out: RdsEvents) -> list[Draft]:
    drafts: list[Draft] = []
    for e in out.events:
        if not DB_EVENT.search(e.message) and not set(e.categories) & {
            "failover",
            "failure",
            "availability",
            "recovery",
            "maintenance",
            "low storage",
        }:
            continue
        drafts.append(
            Draft(
                kind="health_event",
                resource=e.source_id,
                start=e.time,
                end=e.time,
                summary=f"RDS {e.source_type or ''} {e.source_id}: {e.message[:200]} at {e.time:%H:%M}",
                signals=["db_event", *message_signals(e.message), *_state_signals(e.categories, e.message)],
                strength=0.55,
                facts={"categories": e.categories, "message": e.message},
            )
        )
    return drafts


# What ElastiCache says when it acted on a node (not when it merely reports a setting or a snapshot).
CACHE_ACTION = re.compile(
    r"fail ?over|shutdown|reboot|restart|replac|recover|maintenance|patch|node .*(?:added|removed)", re.I
)


def from_cache(out: CacheDetails) -> list[Draft]:
    """ElastiCache's own events about a cache: a failover, a node replaced or rebooted, maintenance.
    The platform acted on the cache, so clients met a changed endpoint role or a dropped connection.
    Attributed to the cache as the application knows it (the replication group when there is one)."""
    return [
        Draft(
            kind="health_event",
            resource=out.id,
            start=e.time,
            end=e.time,
            summary=f"ElastiCache {e.source}: {e.message[:200]} at {e.time:%H:%M}",
            signals=["cache_event", *message_signals(e.message)],
            strength=0.6,
            facts={"message": e.message, "node": e.source, "engine": out.engine},
        )
        for e in out.events
        if CACHE_ACTION.search(e.message)
    ]


def _state_signals(categories: list[str], message: str) -> list[str]:
    """What RDS says about the instance's own state: storage it reports exhausted is full, whatever
    the free-storage series looked like against its last few hours."""
    if "low storage" in categories and re.search(r"exhausted|storage[- ]full|no free storage", message, re.I):
        return ["disk_full"]
    return []


# A database engine's own lines about its lifecycle: it stopped, crashed, restarted or recovered.
ENGINE_LIFECYCLE = re.compile(
    r"shut ?down|restart|crash|recover|reboot|fail ?over|terminated by signal|was terminated|"
    r"database system (is|was)|starting (up|mysql|postgres)|out of memory",
    re.I,
)


def from_db_log(out: DbLogTail) -> list[Draft]:
    """A database's own error and warning lines: what they say (refused connections, timeouts, locks), and
    an event of the engine only when they speak of its lifecycle (a crash, a restart, a recovery). Lines
    refusing clients are the database at a limit, not an event that interrupted it."""
    lines = [
        line
        for line in out.lines
        if re.search(r"error|abort|crash|warning|fatal|too many", line, re.I) or ENGINE_LIFECYCLE.search(line)
    ]
    if not lines:
        return []
    signals = sorted(
        {s for line in lines for s in message_signals(line)}
        | ({"db_event"} if any(ENGINE_LIFECYCLE.search(line) for line in lines) else set())
    )
    return [
        Draft(
            kind="log_pattern",
            resource=out.instance,
            start=out.last_written,
            end=out.last_written,
            summary=f"{len(lines)} error/warning lines in {out.log_file} of {out.instance}; e.g. {lines[-1][:200]}",
            signals=signals,
            strength=0.5,
            facts={"lines": lines[-5:], "log_file": out.log_file},
        )
    ]


def from_health(out: HealthEvents) -> list[Draft]:
    drafts: list[Draft] = []
    for e in out.events:
        if e.category not in (None, "issue", "investigation", "scheduledChange") and not (
            e.category == "accountNotification" and LOSS_NOTICE.search(f"{e.type_code} {e.description[:200]}")
        ):
            continue
        # An account event about one resource of the account (a degraded volume, a retiring instance)
        # is about that resource: its zone is where it is, not what failed. An operational issue, or
        # an event naming several resources of one zone, is the zone's.
        few = 0 < len(e.entities) < ZONE_WIDE and "OPERATIONAL_ISSUE" not in (e.type_code or "")
        if e.az:
            # An event scoped to one Availability Zone: the zone is the thing that failed.
            drafts.append(
                Draft(
                    kind="health_event",
                    resource=e.az,
                    start=e.start,
                    end=e.end,
                    summary=f"AWS Health {e.type_code} in {e.az} ({e.service}, {e.status}), "
                    f"{len(e.entities)} affected resources: {e.description[:200]}",
                    signals=["health_event"],
                    strength=(0.85 if e.category == "issue" else 0.5) * (0.5 if few else 1.0),
                    facts={
                        "arn": e.arn,
                        "type": e.type_code,
                        "az": e.az,
                        "service": e.service,
                        "entities": [x.value for x in e.entities][:20],
                    },
                )
            )
        targets = [x.value for x in e.entities] or [e.az or e.service or "account"]
        for t in targets[:5]:
            drafts.append(
                Draft(
                    kind="health_event",
                    resource=t,
                    start=e.start,
                    end=e.end,
                    summary=f"AWS Health {e.type_code} ({e.service}, {e.az or e.region}, {e.status}): {e.description[:200]}",
                    signals=["health_event", *message_signals(e.description)],
                    strength=(0.85 if few else 0.7) if e.category == "issue" else 0.4,
                    facts={"arn": e.arn, "type": e.type_code, "az": e.az, "service": e.service},
                )
            )
    return drafts


def from_deployments(out: Deployments) -> list[Draft]:
    drafts: list[Draft] = []
    for d in out.deployments:
        failed = d.status in ("Failed", "Stopped") or bool(d.rolled_back_by)
        signals = ["change", "change_deploy"] + (["deployment_failed"] if failed else [])
        drafts.append(
            Draft(
                kind="change_event",
                resource=d.group or d.application,
                start=d.created,
                end=d.completed,
                summary=f"CodeDeploy {d.id} to {d.application}/{d.group} by {d.creator}: {d.status}"
                + (f" ({d.error_code}: {(d.error_message or '')[:160]})" if d.error_code else ""),
                signals=signals,
                strength=0.7 if failed else 0.45,
                facts={"deployment": d.id, "status": d.status, "revision": d.revision, "error": d.error_code},
            )
        )
    return drafts


ROUTINE_STOPS = frozenset({"ServiceSchedulerInitiated", "UserInitiated"})
ROUTINE_REASON = re.compile(
    r"scaling activity initiated by|deployment .*(replaced|completed)|stopped by user", re.I
)


def from_ecs(out: EcsServiceState) -> list[Draft]:
    drafts: list[Draft] = []
    if not out.found:
        return drafts
    # Tasks the scheduler stopped to replace them (a deployment rolling, a scale-in) or a person
    # stopped are the service working as asked, not failing.
    failed = [
        t
        for t in out.stopped
        if t.stop_code not in ROUTINE_STOPS and not ROUTINE_REASON.search(t.stopped_reason)
    ]
    if failed:
        oom = [t for t in failed if t.oom]
        reasons = sorted({t.stopped_reason[:80] for t in failed})
        signals = ["ecs_tasks_stopped"] + (["oom_logs"] if oom else [])
        for r in reasons:
            signals += message_signals(r)
        if any(t.stop_code == "SpotInterruption" for t in failed):
            signals.append("spot_interrupted")
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.service,
                start=min((t.stopped_at for t in failed if t.stopped_at), default=None),
                end=max((t.stopped_at for t in failed if t.stopped_at), default=None),
                summary=f"{len(failed)} tasks of {out.service} stopped ({len(oom)} OOM): {'; '.join(reasons[:3])}",
                signals=sorted(set(signals)),
                strength=min(0.9, 0.4 + 0.05 * len(failed)),
                facts={
                    "task_definitions": sorted({t.task_definition for t in failed}),
                    "exit_codes": out.exit_codes,
                },
            )
        )
    for d in out.deployments:
        if d.rollout in ("FAILED",) or (
            d.rollout_reason and re.search(r"circuit breaker|rolled back|failed", d.rollout_reason, re.I)
        ):
            drafts.append(
                Draft(
                    kind="resource_state",
                    resource=out.service,
                    summary=f"deployment {d.id} of {out.service} ({d.task_definition}): {d.rollout} {d.rollout_reason or ''}",
                    signals=["deployment_failed"],
                    strength=0.7,
                    facts={"task_definition": d.task_definition},
                )
            )
    return drafts


# How long before the window a new runtime version may first appear and still be the window's news: AWS
# rolls a version out over hours, and environments start on it only as old ones are recycled.
RUNTIME_LEAD = timedelta(hours=2)


def from_runtime_versions(out: RuntimeVersions, start: datetime, end: datetime) -> list[Draft]:
    """A function whose execution environments began starting on a runtime version it had not run
    before, near the window, after running another: the runtime under its code changed (AWS updates
    managed runtimes itself in the default Auto mode, and says so only in INIT_START lines)."""
    if len(out.versions) < 2:
        return []
    newest = max(out.versions, key=lambda v: v.first)
    before = [v for v in out.versions if v.first < newest.first and v.arn != newest.arn]
    if not before or not (start - RUNTIME_LEAD <= newest.first <= end):
        return []
    previous = max(before, key=lambda v: v.last)
    return [
        Draft(
            kind="resource_state",
            resource=out.function,
            start=newest.first,
            end=newest.last,
            summary=f"{out.function}'s execution environments moved from runtime {previous.version} "
            f"(x{previous.inits}, last started {previous.last:%H:%M}) to {newest.version} "
            f"(x{newest.inits}, first started {newest.first:%H:%M}), per INIT_START in {out.log_group}",
            signals=["runtime_updated"],
            strength=0.75,
            facts={
                "previous_version": previous.version,
                "previous_arn": previous.arn,
                "version": newest.version,
                "version_arn": newest.arn,
            },
        )
    ]


def from_lambda(out: LambdaConfig, throttled: bool) -> list[Draft]:
    if out.reserved_concurrency is None or not throttled:
        return []
    return [
        Draft(
            kind="resource_state",
            resource=out.name,
            start=out.last_modified,
            summary=f"{out.name} has reserved concurrency {out.reserved_concurrency} while it is being throttled"
            + (f"; last modified {out.last_modified:%H:%M}" if out.last_modified else ""),
            signals=["lambda_concurrency_limited"],
            strength=0.75 if out.reserved_concurrency <= 10 else 0.55,
            facts={
                "reserved": out.reserved_concurrency,
                "timeout_s": out.timeout_s,
                "memory_mb": out.memory_mb,
            },
        )
    ]


def from_state_machine(out: StateMachine, start: datetime, end: datetime) -> list[Draft]:
    """A state machine's failed, timed-out or aborted executions that started by the window's end,
    pooled by the error they ended with: what the workflow itself says went wrong, read for what its
    error and cause say (a state over the size ceiling, a task that timed out, a throttled call)."""
    by_error: dict[str, list[Any]] = {}
    for f in out.failures:
        if f.started > end or (f.stopped or f.started) < start:
            continue
        by_error.setdefault(f.error or f.status, []).append(f)
    drafts = []
    for error, runs in sorted(by_error.items(), key=lambda kv: -len(kv[1])):
        runs.sort(key=lambda f: f.started)
        cause = next((f.cause for f in runs if f.cause), None) or ""
        said = message_signals(f"{error} {cause}")  # States.Timeout reads as a timeout, as any line does
        drafts.append(
            Draft(
                kind="resource_state",
                resource=out.arn,
                start=runs[0].started,
                end=runs[-1].stopped or runs[-1].started,
                summary=f"{len(runs)} execution(s) of {out.name} ended {runs[-1].status} with {error} "
                f"(first at {runs[0].started:%H:%M}, last at {runs[-1].started:%H:%M})"
                + (f": {cause[:240]}" if cause else ""),
                signals=sorted({"error_rate_up", "new_error_pattern", *said}),
                strength=min(0.9, 0.5 + 0.1 * len(runs)),
                facts={
                    "error": error,
                    "cause": cause[:400],
                    "runs": len(runs),
                    "executions": dict(out.executions),
                    "kind": "state_machine",
                },
            )
        )
    return drafts


def from_async_events(function: str, received: MetricSeries) -> list[Draft]:
    """A throttled function its callers invoke asynchronously: Lambda queues those events and retries the
    throttled ones for up to the function's maximum event age (six hours unless set lower), so a throttle
    delays them; AsyncEventsDropped counts the ones it gave up on."""
    s = received.summary_stats
    if not s.peak or s.window_median is None:
        return []
    return [
        Draft(
            kind="resource_state",
            resource=function,
            start=s.first_at,
            summary=f"{function} is invoked asynchronously (up to {s.peak:.0f} events a minute in the window): "
            "Lambda's event queue retries the invocations a throttle turns away",
            signals=["invoked_async"],
            strength=0.3,
            facts={"async_peak": s.peak},
        )
    ]


ACL_REFUSAL = re.compile(r"network ACL (acl-[0-9a-f]+) (inbound|outbound) (.+) of (subnet-[0-9a-f]+)")
MIN_REJECTS = 5  # rejected flow records below which a place is background (scanners, stray probes)


def from_flow_rejects(out: FlowRejects, start: datetime | None, end: datetime | None) -> list[Draft]:
    """Rejected flows pooled by what refused them: a network ACL rule (the evidence is about that ACL)
    or, when no ACL on the path denies them, the subnet or interface where they were recorded. Replies
    to many ephemeral ports count together, so one blocked path is one finding, not a record per port."""
    pooled: dict[str, list[RejectGroup]] = {}
    for g in out.groups:
        refused = ACL_REFUSAL.match(g.refused_by or "")
        key = refused.group(1) if refused else (g.destination_subnet or g.interface_subnet or g.interface)
        pooled.setdefault(key, []).append(g)
    drafts: list[Draft] = []
    ranked = sorted(pooled.items(), key=lambda kv: -sum(g.rejects for g in kv[1]))
    for key, groups in ranked[:5]:
        rejects = sum(g.rejects for g in groups)
        if rejects < MIN_REJECTS:
            continue
        top = max(groups, key=lambda g: g.rejects)
        refused = ACL_REFUSAL.match(top.refused_by or "")
        signals = ["flow_log_rejects"]
        facts: dict[str, Any] = {
            "rejects": rejects,
            "interfaces": sorted({g.interface for g in groups}),
            "addresses": sorted({a for g in groups for a in (g.source, g.destination)})[:20],
            "port": top.port,
            "interface": top.interface,
            "source_subnet": top.source_subnet,
            "destination_subnet": top.destination_subnet or top.destination,
        }
        if refused:
            signals.append("nacl_denies")
            facts.update(acl=refused.group(1), rule=refused.group(3), subnet=refused.group(4))
            by = f"denied by {refused.group(1)} {refused.group(2)} {refused.group(3)} of {refused.group(4)}"
        else:
            by = top.refused_by or "layer unknown"
        lines = "; ".join(g.line() for g in sorted(groups, key=lambda g: -g.rejects)[:3])
        drafts.append(
            Draft(
                kind="resource_state",
                resource=key,
                start=min((g.first for g in groups if g.first), default=start),
                end=max((g.last for g in groups if g.last), default=end),
                summary=f"{rejects} flow-log REJECTs {by}: {lines}"[:600],
                signals=signals,
                strength=min(0.85, 0.3 + rejects / 200),
                facts=facts,
            )
        )
    return drafts


def from_instances(nodes: list[tuple[str, str | None, dict[str, str]]]) -> list[Draft]:
    """(instance id, state, attrs) from the discovered topology: instances that failed to start."""
    drafts: list[Draft] = []
    for iid, state, attrs in nodes:
        warning = attrs.get("warning", "")
        if state in ("stopped", "stopping", "shutting-down") and re.search(
            r"InternalError|Client\.|error", warning, re.I
        ):
            drafts.append(
                Draft(
                    kind="resource_state",
                    resource=iid,
                    summary=f"{iid} is {state}: {warning[:200]}",
                    signals=["instance_start_failed", *message_signals(warning)],
                    strength=0.8,
                    facts={"state": state, "reason": warning},
                )
            )
    return drafts


def from_alarm_condition(
    group: str, alarm: AlarmInfo, timestamps: list[datetime], values: list[float], start: datetime
) -> Draft | None:
    """Whether an alarm's condition (threshold crossed for N datapoints) was met in the window; a scaling
    alarm that never met it explains a group that did not scale."""
    threshold = alarm.threshold
    if threshold is None or not alarm.comparison:
        return None
    needed = alarm.datapoints_to_alarm or alarm.evaluation_periods or 1
    compare = COMPARE.get(alarm.comparison)
    window = [v for t, v in zip(timestamps, values, strict=True) if t >= start]
    if compare is None or not window:
        return None
    best = run = 0
    for v in window:
        run = run + 1 if compare(v, threshold) else 0
        best = max(best, run)
    if best >= needed:
        return None
    extreme = max(window) if alarm.comparison.startswith("Greater") else min(window)
    return Draft(
        kind="resource_state",
        resource=group,
        start=start,
        summary=f"alarm {alarm.name} on {group} needs {alarm.metric.metric if alarm.metric else 'its metric'} "
        f"{alarm.comparison} {alarm.threshold:g} for {needed} datapoint(s); at most {best} in a row met it "
        f"(extreme {extreme:.4g}), so it never fired",
        signals=["alarm_threshold_not_met", "asg_no_scaling"],
        strength=0.8,
        facts={
            "alarm": alarm.name,
            "threshold": alarm.threshold,
            "needed": needed,
            "best_run": best,
            "extreme": extreme,
        },
    )


def from_nacl(out: NaclCheck) -> list[Draft]:
    drafts: list[Draft] = []
    for s in out.subnets:
        for c in s.checks:
            if c.verdict == "allow":
                continue
            drafts.append(
                Draft(
                    kind="resource_state",
                    resource=s.nacl_id or s.subnet_id,
                    summary=f"network ACL {s.nacl_id} of {s.subnet_id} ({s.az}) {c.verdict}s {c.direction} {c.purpose} "
                    f"traffic {c.peer} ports {c.ports} (rule {c.rule.number if c.rule else '?'})",
                    signals=["nacl_denies"],
                    strength=0.8 if c.verdict == "deny" else 0.55,
                    facts={"subnet": s.subnet_id, "az": s.az, "direction": c.direction, "purpose": c.purpose},
                )
            )
    return drafts


# Destinations that mean "everything outside the VPC": a blackhole there cuts every call to the outside.
DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")


def from_blackholes(out: BlackholeRoutes) -> list[Draft]:
    """A route whose target no longer exists drops the traffic of every subnet the table serves: state
    about the missing target (a deleted NAT gateway, a detached internet gateway), read as it is now.
    A default route's blackhole is the way out of the VPC cut."""
    drafts: list[Draft] = []
    for r in out.routes:
        outside = r.destination in DEFAULT_ROUTES
        served = "every subnet without its own table" if r.main else ", ".join(r.subnets) or "no subnet"
        drafts.append(
            Draft(
                kind="resource_state",
                resource=r.target,
                summary=f"route table {r.route_table} sends {r.destination} to {r.target}, which no longer "
                f"exists (blackhole): traffic from {served} to "
                + ("anywhere outside the VPC" if outside else r.destination)
                + " is dropped",
                signals=["route_blackhole"],
                strength=0.8 if outside else 0.6,
                facts={
                    "route_table": r.route_table,
                    "vpc": r.vpc,
                    "destination": r.destination,
                    "subnets": r.subnets,
                    "main": r.main,
                    "egress": outside,
                },
            )
        )
    return drafts
