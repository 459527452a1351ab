"""Run investigations from alarms: one event (`on_alarm`, what the Lambda runs) or a polling loop (`watch`)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agent.triggers.dedupe import (
    Claim,
    DedupeKey,
    InvestigationStore,
    alarm_ref,
    raw_text,
    resource_group_key,
)
from agent.triggers.events import (
    DETAIL_TYPE,
    SOURCE,
    AlarmStateChange,
    EventError,
    Metric,
    alarm_name,
    parse_event,
    rule_children,
)
from agent.triggers.investigator import Deliver, InvestigationRequest, Investigator, check_report
from agent.triggers.scope import EntryResource, Scope, derive_scope, resources_of
from tools.aws import AwsClients, CallBudget
from tools.errors import BudgetExhausted, ReadOnlyViolation
from tools.redact import redact_value

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_CHILD_DEPTH = 3  # composites of composites: deeper nesting is rare and each level costs a call


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TriggerConfig:
    """How an alarm becomes an investigation: the window around the change and the dedupe key."""

    minutes_before: int = 60
    minutes_after: int = 10
    groups: Mapping[str, str] | None = None
    key: DedupeKey = resource_group_key
    # A storm's queue is cleared within this long: an investigation still queued after it is closed as
    # "expired" (its alarms are listed in the store) instead of running hours after the fact.
    queue_max_minutes: int = 120


def on_alarm(
    event: Any,
    investigator: Investigator,
    store: InvestigationStore,
    *,
    clients: AwsClients | None = None,
    bundle: Path | None = None,
    deliver: Deliver | None = None,
    config: TriggerConfig | None = None,
    clock: Clock = utc_now,
) -> dict[str, Any]:
    """Handle one alarm state-change event; return a small JSON summary. Never raises on a bad event."""
    config = config or TriggerConfig()
    try:
        parsed = parse_event(event)
        scope = _scope(parsed, config, None)
    except (EventError, ValueError, OverflowError, RecursionError) as exc:
        field_name = exc.field if isinstance(exc, EventError) else "<event>"
        store.record_unprocessed(event, str(exc), clock())
        log.warning("unprocessed alarm event: %s", exc)
        return {"status": "unprocessed", "field": field_name, "error": str(exc)}
    summary: dict[str, Any] = {"alarm": scope.alarm_name, "state": scope.state}
    if scope.state != "ALARM":
        return {**summary, "status": "ignored", "reason": f"{scope.state} transitions start no investigation"}
    if scope.alarm_kind == "composite" and clients is not None:
        scope = resolve_children(scope, clients, groups=config.groups)
    key = config.key(scope)
    claim = store.claim(key, alarm_ref(scope), scope.changed_at, raw_text(event), arrived=clock())
    summary.update(investigation_id=claim.investigation_id, key=key, alarms=claim.alarms)
    if claim.outcome != "started":
        return {**summary, "status": claim.outcome}
    request = InvestigationRequest(
        claim.investigation_id, scope, parsed, fresh_budget(clients) if clients else None, bundle
    )
    return {**summary, **_investigate(request, claim, investigator, store, deliver)}


def run_queued(
    investigator: Investigator,
    store: InvestigationStore,
    *,
    clients: AwsClients | None = None,
    bundle: Path | None = None,
    deliver: Deliver | None = None,
    config: TriggerConfig | None = None,
    clock: Clock = utc_now,
    limit: int = 1,
) -> list[dict[str, Any]]:
    """Run up to `limit` queued investigations, oldest first, while the current cap window has room.
    Queued ones older than `config.queue_max_minutes` are closed first, without running."""
    config = config or TriggerConfig()
    results: list[dict[str, Any]] = expire_queued(store, clock(), config.queue_max_minutes)
    ran = 0
    while ran < limit:
        ran += 1
        inv = store.take_queued(clock())
        if inv is None:
            break
        claim = inv.claim()
        summary: dict[str, Any] = {"investigation_id": inv.id, "key": inv.key, "alarms": len(inv.alarms)}
        try:
            parsed = parse_event(inv.payload)
            scope = _scope(parsed, config, clients)
        except (EventError, ValueError) as exc:  # the payload was checked when queued; say so if not
            store.finish(claim, "failed", {"error": f"queued event unusable: {exc}"})
            results.append({**summary, "status": "failed", "error": f"queued event unusable: {exc}"})
            continue
        summary["alarm"] = scope.alarm_name
        request = InvestigationRequest(
            inv.id, scope, parsed, fresh_budget(clients) if clients else None, bundle
        )
        results.append({**summary, **_investigate(request, claim, investigator, store, deliver)})
    return results


def expire_queued(store: InvestigationStore, now: datetime, max_minutes: int) -> list[dict[str, Any]]:
    """Close investigations queued longer than `max_minutes` (a storm outlasting the cap), unrun."""
    cutoff = now - timedelta(minutes=max_minutes)
    closed: list[dict[str, Any]] = []
    for inv in store.investigations():
        if inv.status != "queued" or (inv.arrived_at or inv.started_at) >= cutoff:
            continue
        error = (
            f"expired: queued more than {max_minutes} minutes behind the investigation cap during an alarm "
            f"storm; not investigated (alarms: {', '.join(inv.alarms)})"
        )
        store.finish(inv.claim(), "failed", {"error": error})
        closed.append({"investigation_id": inv.id, "key": inv.key, "status": "expired", "error": error})
    return closed


def handle_and_drain(
    event: Any,
    investigator: Investigator,
    store: InvestigationStore,
    **kwargs: Any,
) -> dict[str, Any]:
    """`on_alarm`, then, when that ran no investigation, one queued investigation if the cap allows:
    what the Lambda and `sleuth on-alarm` both do with each event. A scheduled drain event
    (`{"sleuth": "drain"}`) only drains, up to the cap."""
    drain = {k: v for k, v in kwargs.items() if k in ("clients", "bundle", "deliver", "config", "clock")}
    if isinstance(event, dict) and event.get("sleuth") == "drain":
        ran = run_queued(investigator, store, **drain, limit=max(store.policy.cap, 1))
        return {"status": "drained", "queued_run": ran}
    result = on_alarm(event, investigator, store, **kwargs)
    if result["status"] not in {"investigated", "failed"}:
        # This invocation ran no investigation: use its time on the oldest one a storm queued, if the
        # cap allows. One at most, so an invocation never runs two investigations in its timeout.
        ran = run_queued(investigator, store, **drain, limit=1)
        if ran:
            result["queued_run"] = ran
    return result


def fresh_budget(clients: AwsClients) -> AwsClients:
    """The same session and endpoint with a budget of its own: each investigation, and each poll of a
    long-running watch, gets the whole call budget instead of sharing one that a day of polling spends."""
    budget = CallBudget(limit=clients.budget.limit)
    return AwsClients(clients.session, budget=budget, retry=clients.retry, endpoint_url=clients.endpoint_url)


def _scope(parsed: AlarmStateChange, config: TriggerConfig, clients: AwsClients | None) -> Scope:
    scope = derive_scope(
        parsed, minutes_before=config.minutes_before, minutes_after=config.minutes_after, groups=config.groups
    )
    if scope.alarm_kind == "composite" and clients is not None:
        scope = resolve_children(scope, clients, groups=config.groups)
    return scope


def _investigate(
    request: InvestigationRequest,
    claim: Claim,
    investigator: Investigator,
    store: InvestigationStore,
    deliver: Deliver | None,
) -> dict[str, Any]:
    try:
        # Whatever investigator ran, the store and every delivery get the redacted report.
        report = redact_value(check_report(investigator(request)))
    except Exception as exc:  # any investigator failure is recorded, never lost
        error = f"{type(exc).__name__}: {exc}"
        log.exception("investigation %s failed", claim.investigation_id)
        store.finish(claim, "failed", {"error": error})
        return {"status": "failed", "error": error}
    store.finish(claim, "done", report)
    result = {"status": "investigated", "verdict": report["verdict"], "summary": report["summary"]}
    if deliver is not None:
        try:
            deliver(request, report)
        except Exception as exc:  # the report is stored: say delivery failed, lose nothing
            log.exception("delivery of %s failed", claim.investigation_id)
            result["delivery_error"] = f"{type(exc).__name__}: {exc}"
    return result


def resolve_children(scope: Scope, clients: AwsClients, *, groups: Mapping[str, str] | None = None) -> Scope:
    """A composite alarm's scope plus the entry resources of its children (triggering children first)."""
    order = list(dict.fromkeys([*scope.triggering_children, *scope.children]))
    seen: set[str] = {scope.alarm_name}
    found: list[EntryResource] = []
    for _ in range(MAX_CHILD_DEPTH):
        names = [n for n in order if n not in seen]
        if not names:
            break
        seen.update(names)
        try:
            metric_alarms, composites = _describe(clients, names)
        except (ClientError, BotoCoreError, BudgetExhausted, ReadOnlyViolation) as exc:
            log.warning("children of %s not resolved: %s", scope.alarm_name, exc)
            break
        by_name = {a["AlarmName"]: a for a in metric_alarms}
        for name in names:
            if name in by_name:
                found.extend(_alarm_resources(by_name[name]))
        order = [child for c in composites for child in rule_children(c.get("AlarmRule", ""))]
    if groups:
        found = [r.model_copy(update={"group": groups.get(r.ref, r.group)}) for r in found]
    return scope.with_resources(found)


def _describe(clients: AwsClients, names: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    metric: list[dict[str, Any]] = []
    composite: list[dict[str, Any]] = []
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 AlarmNames
        params: dict[str, Any] = {
            "AlarmNames": names[start : start + 100],
            "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
        }
        while True:
            page = clients.call("cloudwatch", "DescribeAlarms", **params)
            metric.extend(page.get("MetricAlarms", []))
            composite.extend(page.get("CompositeAlarms", []))
            if not page.get("NextToken"):
                break
            params["NextToken"] = page["NextToken"]
    return metric, composite


def _alarm_metrics(alarm: Mapping[str, Any]) -> Iterator[Metric]:
    if "MetricName" in alarm:
        yield Metric(
            namespace=alarm.get("Namespace", ""),
            name=alarm["MetricName"],
            dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
        )
    for query in alarm.get("Metrics", []):
        metric = (query.get("MetricStat") or {}).get("Metric")
        if metric:
            yield Metric(
                namespace=metric.get("Namespace", ""),
                name=metric.get("MetricName", ""),
                dimensions={d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
            )


def _alarm_resources(alarm: Mapping[str, Any]) -> list[EntryResource]:
    return [r for m in _alarm_metrics(alarm) for r in resources_of(m)]


# --- watch: poll DescribeAlarms ----------------------------------------------------------------------


@dataclass
class WatchResult:
    polls: int = 0
    handled: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped_by: str = "max_polls"


def watch(
    clients: AwsClients,
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    interval_s: float = 60.0,
    name_prefix: str | None = None,
    include_existing: bool = False,
    max_polls: int | None = None,
    until: datetime | None = None,
    clock: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    after_poll: Callable[[], object] | None = None,
) -> WatchResult:
    """Poll for alarms newly in ALARM and pass each transition, as an EventBridge event, to `handle`.

    Alarms already in ALARM at the first poll are the baseline, not news, unless `include_existing`.
    `after_poll` runs after each poll's events (for example `run_queued`, to start what a storm queued).
    A poll that AWS fails (after the clients' retries) is logged and the next poll tries again.
    Stops after `max_polls`, at `until` (by `clock`), or on KeyboardInterrupt, returning what was done.
    """
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    result = WatchResult()
    seen: dict[str, datetime] | None = None if not include_existing else {}
    poller = fresh_budget(clients)
    try:
        while True:
            poller.budget = CallBudget(limit=clients.budget.limit)
            result.polls += 1
            try:
                firing = _firing(poller, name_prefix)
            except (ClientError, BotoCoreError, BudgetExhausted) as exc:
                log.warning("watch poll %d failed: %s", result.polls, exc)
                result.errors.append(f"poll {result.polls}: {type(exc).__name__}: {exc}")
                firing = None
            if firing is not None:
                current = {alarm["AlarmName"]: _transitioned(alarm) for alarm, _ in firing}
                if seen is not None:  # the first good poll is the baseline: what fires then is not news
                    for alarm, composite in firing:
                        if seen.get(alarm["AlarmName"]) != current[alarm["AlarmName"]]:
                            event = event_from_alarm(alarm, composite=composite, region=clients.region)
                            result.handled.append(handle(event))
                seen = current  # alarms back to OK drop out, so their next ALARM is news again
            if after_poll is not None:
                after_poll()
            if max_polls is not None and result.polls >= max_polls:
                result.stopped_by = "max_polls"
                break
            if until is not None and clock() >= until:
                result.stopped_by = "until"
                break
            sleep(interval_s)
    except KeyboardInterrupt:
        result.stopped_by = "interrupt"
        log.info("watch stopped by interrupt after %d polls", result.polls)
    return result


def _transitioned(alarm: Mapping[str, Any]) -> datetime:
    stamp = alarm.get("StateTransitionedTimestamp") or alarm.get("StateUpdatedTimestamp")
    if not isinstance(stamp, datetime):
        raise ValueError(f"alarm {alarm.get('AlarmName')!r} has no state timestamp")
    return stamp


def _firing(clients: AwsClients, prefix: str | None) -> list[tuple[dict[str, Any], bool]]:
    params: dict[str, Any] = {"StateValue": "ALARM", "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
    if prefix:
        params["AlarmNamePrefix"] = prefix
    found: list[tuple[dict[str, Any], bool]] = []
    while True:
        page = clients.call("cloudwatch", "DescribeAlarms", **params)
        found.extend((a, False) for a in page.get("MetricAlarms", []))
        found.extend((a, True) for a in page.get("CompositeAlarms", []))
        if not page.get("NextToken"):
            return found
        params["NextToken"] = page["NextToken"]


def _aws_stamp(at: datetime) -> str:
    """CloudWatch's own timestamp spelling in alarm events: 2019-10-02T17:04:40.989+0000."""
    at = at.astimezone(UTC)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000"


def event_from_alarm(alarm: Mapping[str, Any], *, composite: bool, region: str | None) -> dict[str, Any]:
    """The "CloudWatch Alarm State Change" event EventBridge would have sent for this alarm's transition.

    DescribeAlarms does not say what the previous state was, so `previousState` is left out.
    """
    arn = alarm.get("AlarmArn") or ""
    parts = arn.split(":")
    account = parts[4] if len(parts) > 5 else ""
    region = parts[3] if len(parts) > 5 else region or ""
    stamp = _transitioned(alarm)
    state: dict[str, Any] = {
        "value": alarm["StateValue"],
        "reason": alarm.get("StateReason", ""),
        "timestamp": _aws_stamp(stamp),
    }
    if alarm.get("StateReasonData"):
        state["reasonData"] = alarm["StateReasonData"]
    configuration: dict[str, Any] = {}
    if alarm.get("AlarmDescription"):
        configuration["description"] = alarm["AlarmDescription"]
    if composite:
        configuration["alarmRule"] = alarm.get("AlarmRule", "")
    else:
        configuration["metrics"] = _event_metrics(alarm)
    digest = hashlib.sha256(f"{arn}|{stamp.isoformat()}".encode()).hexdigest()
    return {
        "version": "0",
        "id": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": f"{stamp.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "region": region,
        "resources": [arn] if arn else [],
        "detail": {
            "alarmName": alarm_name(alarm["AlarmName"]),
            "state": state,
            "configuration": configuration,
        },
    }


def _event_metric(metric: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "namespace": metric.get("Namespace", ""),
        "name": metric.get("MetricName", ""),
        "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
    }


def _event_metrics(alarm: Mapping[str, Any]) -> list[dict[str, Any]]:
    if "MetricName" in alarm:
        stat: dict[str, Any] = {"metric": _event_metric(alarm)}
        if "Period" in alarm:
            stat["period"] = alarm["Period"]
        if alarm.get("Statistic") or alarm.get("ExtendedStatistic"):
            stat["stat"] = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
        return [{"id": "m1", "metricStat": stat, "returnData": True}]
    queries = []
    for query in alarm.get("Metrics", []):
        item: dict[str, Any] = {"id": query["Id"]}
        if "MetricStat" in query:
            ms = query["MetricStat"]
            item["metricStat"] = {
                "metric": _event_metric(ms["Metric"]),
                "period": ms["Period"],
                "stat": ms["Stat"],
            }
        if "Expression" in query:
            item["expression"] = query["Expression"]
        if "Label" in query:
            item["label"] = query["Label"]
        item["returnData"] = query.get("ReturnData", True)
        queries.append(item)
    return queries


def bundle_clients(path: Path) -> AwsClients:
    """Clients answering from an incident bundle (offline: `sleuth on-alarm EVENT.json --bundle PATH`)."""
    from evals.bundle import Bundle
    from evals.replay import replay_session

    session, _ = replay_session(Bundle.load(path))
    return AwsClients(session)
