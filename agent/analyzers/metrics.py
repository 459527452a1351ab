"""Metric anomalies: which key metrics left their baseline, in which direction, and when."""

from __future__ import annotations

from datetime import datetime

from agent.analyzers import Draft, strength_from_z
from tools.metrics import KeyMetrics, MetricFinding, MetricSeries, NamespaceMetrics
from tools.series import SeriesSummary

# (metric name fragment, direction) -> signal. Checked in order; the first match wins.
RULES: list[tuple[tuple[str, ...], str, str]] = [
    (
        ("5xx", "errors", "5xxerror", "faults", "targetconnectionerror", "rejectedconnection"),
        "up",
        "error_rate_up",
    ),
    (("availability", "successrate"), "down", "error_rate_up"),
    # A delivery stream's share of records delivered to its destination (1.0 when all arrive).
    ((".success",), "down", "error_rate_up"),
    # Asynchronous events Lambda gave up on (too old, or out of retries): work lost.
    (("asynceventsdropped",), "up", "error_rate_up"),
    (("unhealthyhostcount",), "up", "unhealthy_hosts"),
    (("healthyhostcount",), "down", "unhealthy_hosts"),
    (("statuscheckfailed",), "up", "status_check_failed"),
    (("blockedrequests",), "up", "requests_blocked"),
    # Counts of work that failed, timed out or was not delivered (a workflow's failed or timed-out
    # executions, a rule's failed target invocations, a topic's failed notifications, records a
    # stream refused) are error counts, whatever the service calls them.
    (("failed", "timedout", "failures"), "up", "error_rate_up"),
    (("allowanceexceeded", "allowance_exceeded"), "up", "network_allowance_exceeded"),
    (("throttle",), "up", "throttled"),
    # A search domain refusing writes to protect itself (its disk at the flood stage, its JVM memory).
    (("clusterindexwritesblocked",), "up", "writes_blocked"),
    # A search domain's node count: a node that left it (and the shards it held).
    (("nodes",), "down", "capacity_below_desired"),
    # An instance's EBS burst (its I/O and bandwidth above the type's baseline to its volumes).
    (("ebsiobalance", "ebsbytebalance"), "down", "ebs_balance_exhausted"),
    (("cpucreditbalance", "burstbalance", "burstcreditbalance"), "down", "credits_exhausted"),
    (("cpusurpluscreditscharged",), "up", "credits_exhausted"),
    (("abortedclients", "abortedconnects"), "up", "connections_aborted"),
    (("databaseconnections", "activeconnectioncount", "currconnections"), "up", "connections_high"),
    (("errorportallocation",), "up", "port_allocation_errors"),
    # A gateway's or endpoint's dropped packets: a transient issue with it or its zone, which a port
    # shortage also causes but does not alone show.
    (("packetsdropcount", "packetsdropped"), "up", "packets_dropped"),
    (
        ("volumequeuelength", "volumethroughputpercentage", "diskqueuedepth", "percentiolimit"),
        "up",
        "io_saturated",
    ),
    (("disk_used_percent",), "up", "disk_full"),
    (("freestoragespace", "freelocalstorage"), "down", "disk_full"),
    (
        ("mem_used_percent", "memoryutilization", "databasememoryusagepercentage", "evictions"),
        "up",
        "memory_high",
    ),
    (("freeablememory",), "down", "memory_high"),
    # A Site-to-Site VPN tunnel's bytes and its state (1 up, 0 down).
    (("tunneldatain", "tunneldataout"), "up", "traffic_up"),
    (("tunnelstate",), "down", "tunnel_down"),
    (("cpuutilization",), "up", "cpu_high"),
    (("ingroupservice", "groupinserviceinstances", "runningtaskcount"), "down", "capacity_below_desired"),
    (("approximateageofoldestmessage", "approximatenumberofmessagesvisible"), "up", "queue_backlog"),
    (("replicalag",), "up", "replica_lag"),
    (("4xx",), "up", "client_errors_up"),
    (("latency", "responsetime", "duration"), "up", "latency_up"),
    (
        ("requestcount", "requests", "invocations", "count", "numberofmessagessent", "queries"),
        "up",
        "traffic_up",
    ),
    (
        (
            "requestcount",
            "requests",
            "invocations",
            "count",
            "queries",
            "numberofmessagessent",
            "numberofmessagesreceived",
            "numberofmessagesdeleted",
            "numberofnotificationsdelivered",
            "incomingrecords",
        ),
        "down",
        "traffic_down",
    ),
]

# API Gateway ends a request whose integration has not answered after 29 s (REST APIs, by default) or
# 30 s (HTTP APIs): a latency that peaks near that is requests cut off there, in milliseconds.
INTEGRATION_TIMEOUT_MS = 28_000.0

# Below these a "saturation" signal is not credible whatever the z-score says (percent metrics).
FLOORS = {"cpu_high": 80.0, "disk_full": 85.0, "memory_high": 85.0}


# Counts named like failures that are a store working as asked: a conditional write refused because the
# item had moved on is optimistic locking doing its job.
NOT_FAILURES = ("conditionalcheckfailed",)


def signal_for(metric: str, direction: str) -> str | None:
    name = metric.lower()
    if any(f in name for f in NOT_FAILURES):
        return None
    for fragments, want, signal in RULES:
        if direction == want and any(f in name for f in fragments):
            return signal
    return None


def _credible(signal: str, stats: SeriesSummary, metric: str) -> bool:
    floor = FLOORS.get(signal)
    if floor is not None and "percent" not in metric.lower() and "utilization" not in metric.lower():
        floor = None
    if floor is not None and (stats.peak or 0) < floor:
        return False
    if signal in BALANCE_SIGNALS and stats.low is not None and stats.baseline_median:
        return stats.low <= 0.2 * stats.baseline_median
    if signal == "latency_up" and any(m in metric.lower() for m in STORAGE_LATENCY):
        # Per-operation storage latency in seconds: a few milliseconds is what healthy SSD-backed storage
        # answers in, so a rise that stays below that is not slowness anyone waits on.
        return (stats.peak or 0) >= STORAGE_LATENCY_FLOOR_S
    return True


# RDS's per-operation storage latencies, published in seconds.
STORAGE_LATENCY = ("readlatency", "writelatency")
STORAGE_LATENCY_FLOOR_S = 0.005


# Metrics that are a state, 0 or 1, not a count of events.
STATE_FLAGS = ("clusterindexwritesblocked", "statuscheckfailed", "clusterstatus.")
BALANCES = ("cpucreditbalance", "burstbalance", "burstcreditbalance", "ebsiobalance", "ebsbytebalance")
BALANCE_SIGNALS = frozenset({"credits_exhausted", "ebs_balance_exhausted"})


def _fell(
    resource: str,
    namespace: str,
    metric: str,
    stat: str,
    stats: SeriesSummary,
    window_end: datetime | None,
    *,
    how: str,
    signal: str,
    strength: float,
    extreme: float | None,
    since: datetime | None = None,
) -> Draft:
    """A series that fell and stays down (a balance run out, a count gone to zero), dated at its low
    (or `since`: when a stopped count's last run of zeros began)."""
    when = since or stats.low_at
    return Draft(
        kind="metric_anomaly",
        resource=resource,
        start=when,
        end=window_end,
        summary=f"{namespace} {metric} ({stat}) on {resource} {how}",
        signals=[signal],
        strength=strength,
        facts={
            "namespace": namespace,
            "metric": metric,
            "stat": stat,
            "direction": "down",
            "sustained": True,
            "baseline": stats.baseline_median,
            "extreme": extreme,
            "onset": when.isoformat() if when else None,
            "score": stats.score,
        },
    )


def _drained(
    resource: str, namespace: str, metric: str, stat: str, stats: SeriesSummary, window_end: datetime | None
) -> Draft:
    how = f"ran out: baseline {stats.baseline_median:.4g} -> {stats.low:.4g} at {stats.low_at:%H:%M}"
    # A balance is spent before it runs out: the burst that drains it began when it started to fall, and
    # the resource's trouble is dated from there (its ceiling bites at the low).
    falling = stats.onset if stats.onset and stats.low_at and stats.onset < stats.low_at else None
    if falling:
        how += f" (falling since {falling:%H:%M})"
    return _fell(
        resource,
        namespace,
        metric,
        stat,
        stats,
        window_end,
        how=how,
        signal=signal_for(metric, "down") or "credits_exhausted",
        strength=0.9,
        extreme=stats.low,
        since=falling,
    )


# The baseline median a count must have had for its fall to zero to read as a stop.
STOPPED_FROM = 5.0
# How unlikely a run of zeros must be, judged by how often the baseline read zero, to be a stop.
STOPPED_ODDS = 1e-4


def _too_long_at_zero(stats: SeriesSummary) -> bool:
    """A small count (a few a minute) that reads zero point after point for longer than chance
    allows, given how often its baseline read zero (a share of 0.1 makes four zeros in a row a
    one-in-ten-thousand event)."""
    if not stats.baseline_median or stats.zero_share is None or stats.baseline_points == 0:
        return False
    share = max(stats.zero_share, 1 / (stats.baseline_points + 1))
    return share < 1 and share**stats.zero_run < STOPPED_ODDS


def _stopped(
    resource: str, namespace: str, metric: str, stat: str, stats: SeriesSummary, window_end: datetime | None
) -> Draft | None:
    signal = signal_for(metric, "down")
    if signal is None:
        return None
    how = f"stopped: baseline {stats.baseline_median:.4g} -> 0 for most of the window, and 0 still" + (
        f" (0 since {stats.zero_since:%H:%M})" if stats.zero_since else ""
    )
    return _fell(
        resource,
        namespace,
        metric,
        stat,
        stats,
        window_end,
        how=how,
        signal=signal,
        strength=0.6,
        extreme=0.0,
        since=stats.zero_since,
    )


def _appeared(
    resource: str, namespace: str, metric: str, stat: str, stats: SeriesSummary, window_end: datetime | None
) -> Draft | None:
    signal = signal_for(metric, "up")
    if signal is None or stats.points < 3:
        return None
    return Draft(
        kind="metric_anomaly",
        resource=resource,
        # Published only when it happens: the first datapoint is when it began; a count published at
        # zero whenever its resource runs (a function's Errors with every invocation) began at its
        # first point above zero.
        start=stats.onset or stats.first_nonzero_at or stats.first_at or stats.peak_at,
        end=window_end,
        summary=f"{namespace} {metric} ({stat}) on {resource} appeared: {stats.points} datapoints in the window, "
        f"none before; peak {stats.peak:.4g} at {stats.peak_at:%H:%M}",
        signals=[signal],
        strength=round(min(0.9, 0.4 + 0.05 * stats.points), 3),
        facts={
            "namespace": namespace,
            "metric": metric,
            "stat": stat,
            "direction": "up",
            "sustained": True,
            "baseline": 0.0,
            "extreme": stats.peak,
            "onset": None,
            "score": 0.0,
            "appeared": True,
        },
    )


def _draft(
    resource: str, namespace: str, metric: str, stat: str, stats: SeriesSummary, window_end: datetime | None
) -> Draft | None:
    if stats.drained and any(b in metric.lower() for b in BALANCES) and stats.low_at is not None:
        return _drained(resource, namespace, metric, stat, stats, window_end)
    if (
        stats.baseline_points == 0
        and stat in ("Sum", "SampleCount")
        and (stats.peak or 0) > 0
        and stats.peak_at
    ):
        # AWS publishes throttle and error counts only when they happen: a series that appears in the
        # window, with nothing before it, is a rise from zero.
        return _appeared(resource, namespace, metric, stat, stats, window_end)
    if (
        stat in ("Sum", "SampleCount")
        and ((stats.baseline_median or 0) >= STOPPED_FROM or _too_long_at_zero(stats))
        and stats.window_median == 0
        and stats.last == 0
    ):
        # A steady count that went to zero for most of the window, and is zero still, stopped: however
        # noisy its baseline, nothing is not a quiet spell of something. A small count stopped too
        # when it has read zero for longer than its own baseline ever made plausible. A burst before
        # the stop (the last work going through, a retry storm) does not make it a spike.
        return _stopped(resource, namespace, metric, stat, stats, window_end)
    if stats.direction not in ("up", "down"):
        return None
    signal = signal_for(metric, stats.direction)
    if signal is None or not _credible(signal, stats, metric):
        return None
    # A few anomalous minutes that are over by the end of the window are a blip, not an incident.
    transient = stats.recovered and stats.anomalous_points <= 5
    sustained = stats.onset is not None and not transient
    z = max(abs(stats.score), stats.excursion if sustained else 0.0)
    strength = strength_from_z(z) if sustained else 0.15
    if sustained and stats.anomalous_points < 5:
        strength *= 0.6 + 0.08 * stats.anomalous_points
    if (
        stat in ("Sum", "SampleCount")
        and stats.baseline_median is not None
        and (extreme := (stats.peak if stats.direction == "up" else stats.low)) is not None
        and not any(f in metric.lower() for f in STATE_FLAGS)
    ):
        # A handful of events above baseline is weak evidence whatever the z-score says (a state flag,
        # 0 or 1, counts no events: its 1 is the whole change).
        strength *= min(1.0, abs(extreme - stats.baseline_median) / 10)
    if signal in ("connections_high", "memory_high", "cpu_high") and stats.at_ceiling >= 3:
        # Flat at its maximum for minutes: a hard limit, not a busy spell.
        strength = min(0.98, strength + 0.2)
    strength = round(strength, 3)
    signals = [signal]
    if (
        signal == "latency_up"
        and namespace == "AWS/ApiGateway"
        and stats.peak is not None
        and stats.peak >= INTEGRATION_TIMEOUT_MS
    ):
        # Requests cut off at the integration timeout, not only slower ones.
        signals.append("integration_timeout")
    if signal == "traffic_up" and "tunneldata" in metric.lower() and stats.at_ceiling >= 3:
        # A VPN tunnel carries at most about 1.25 Gbps: bytes that rose and then held flat at their peak
        # for several periods are the tunnel full, whatever else wants to cross it.
        signals.append("bandwidth_at_limit")
        strength = min(0.95, strength + 0.2)
    if not sustained:
        signals = ["metric_blip"]
    at = stats.onset or (stats.peak_at if stats.direction == "up" else stats.low_at)
    extreme = stats.peak if stats.direction == "up" else stats.low
    return Draft(
        kind="metric_anomaly",
        resource=resource,
        start=at,
        end=window_end,
        summary=f"{namespace} {metric} ({stat}) on {resource}: {stats.text()}",
        signals=signals,
        strength=strength,
        facts={
            "namespace": namespace,
            "metric": metric,
            "stat": stat,
            "direction": stats.direction,
            "score": stats.score,
            "baseline": stats.baseline_median,
            "extreme": extreme,
            "onset": stats.onset.isoformat() if stats.onset else None,
            "sustained": sustained,
            "symptom_of": signal,
            "at_ceiling": stats.at_ceiling,
        },
    )


def from_key_metrics(out: KeyMetrics, window_end: datetime | None = None) -> list[Draft]:
    drafts: list[Draft] = []
    for f in out.findings:
        d = _finding(f, window_end)
        if d is not None:
            drafts.append(d)
    return drafts


def _finding(f: MetricFinding, window_end: datetime | None) -> Draft | None:
    draft = _draft(f.resource, f.namespace, f.metric, f.stat, f.stats, window_end)
    if draft is not None:
        draft.facts["dimensions"] = f.dimensions
        draft.facts["kind"] = f.kind
    return draft


def from_namespace(out: NamespaceMetrics, window_end: datetime | None = None) -> list[Draft]:
    """Custom metrics: each moved series is evidence about the component its dimensions name."""
    return [d for f in out.findings if (d := _finding(f, window_end)) is not None]


def from_series(
    out: MetricSeries, resource: str | None = None, window_end: datetime | None = None
) -> list[Draft]:
    who = resource or ",".join(out.dimensions.values()) or out.metric
    d = _draft(who, out.namespace, out.metric, out.stat, out.summary_stats, window_end)
    if d is not None:
        d.facts["dimensions"] = out.dimensions
    return [d] if d else []


# How much of today's departure an earlier day's same hours must show for it to be that day's normal.
RECUR_SHARE = 0.6


def same_as_before(now: list[Draft], before: list[Draft], when: str) -> list[Draft]:
    """Normal against normal: an anomaly that the same hours of an earlier day showed too, as far from
    that day's own baseline in the same direction, is how this time of day (or week) looks, not an
    incident. Such drafts are kept, marked as recurring and no longer sustained symptoms; the rest are
    returned untouched. `when` names the earlier period ("2024-07-12, the day before")."""
    earlier = {
        (d.resource, d.facts.get("namespace"), d.facts.get("metric"), d.facts.get("stat")): d
        for d in before
        if d.kind == "metric_anomaly" and d.facts.get("sustained") and d.facts.get("direction")
    }
    for d in now:
        f = d.facts
        if d.kind != "metric_anomaly" or not f.get("sustained") or f.get("recurs"):
            continue
        then = earlier.get((d.resource, f.get("namespace"), f.get("metric"), f.get("stat")))
        if then is None or then.facts.get("direction") != f.get("direction"):
            continue
        gap_now = _departure(f)
        gap_then = _departure(then.facts)
        if gap_now is None or gap_then is None or gap_now <= 0 or gap_then < RECUR_SHARE * gap_now:
            continue
        f["sustained"] = False
        f["recurs"] = when
        d.strength = round(d.strength * 0.3, 3)
        d.summary += (
            f"; the same hours on {when} went as far ({then.facts.get('extreme'):.4g}): a recurring pattern"
        )
    return now


def _departure(facts: dict[str, object]) -> float | None:
    extreme, baseline = facts.get("extreme"), facts.get("baseline")
    if not isinstance(extreme, int | float) or not isinstance(baseline, int | float):
        return None
    return abs(float(extreme) - float(baseline))
