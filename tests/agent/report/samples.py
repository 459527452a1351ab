"""Hand-built reports for the renderer tests: a root cause, a no-fault and an inconclusive one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.board import SourceCall
from agent.report.model import (
    Chart,
    Report,
    ReportEvidence,
    ReportHypothesis,
    ReportRemediation,
    Stats,
    TimelineEntry,
)

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # window start
ONSET = T0 + timedelta(minutes=5)
WINDOW = {"start": "2026-11-26T14:00:00Z", "end": "2026-11-26T14:30:00Z"}
EVENT_ID = "3f2c9a1e-7b4d-4e0a-9c55-0d6f1e2b3a44"
SECRET = "hunter2-Sup3rSecret"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
INSIGHTS_QUERY = "filter @message like /Timeout acquiring connection/ | stats count(*) as n by bin(1m)"


def _ev(
    id_: str, kind: str, summary: str, tool: str, params: dict, minutes: tuple[int, int] = (0, 30)
) -> ReportEvidence:
    return ReportEvidence(
        id=id_,
        kind=kind,  # type: ignore[arg-type]
        resource=None,
        start=T0 + timedelta(minutes=minutes[0]),
        end=T0 + timedelta(minutes=minutes[1]),
        summary=summary,
        source=SourceCall(tool=tool, params=params),
    )


def evidence() -> list[ReportEvidence]:
    deploy = _ev(
        "ev-1",
        "change_event",
        "UpdateService ecs prod/web to task definition web:42 by alice (DB_POOL_SIZE 50 -> 5)",
        "cloudtrail_lookup",
        {"key": "EventId", "value": EVENT_ID, **WINDOW},
        (2, 2),
    )
    deploy.resource = "ecs:prod/web"
    logs = _ev(
        "ev-2",
        "log_pattern",
        f"new template x412 in /ecs/web: Timeout acquiring connection from pool "
        f"(url=postgres://app:{SECRET}@orders-db password={SECRET} key {ACCESS_KEY})",
        "logs_insights",
        {"log_groups": ["/ecs/web"], "query": INSIGHTS_QUERY, **WINDOW},
        (5, 30),
    )
    errors = _ev(
        "ev-3",
        "metric_anomaly",
        "ALB HTTPCode_Target_5XX_Count rose from 0/min to 240/min at 14:05",
        "metric_series",
        {
            "namespace": "AWS/ApplicationELB",
            "metric": "HTTPCode_Target_5XX_Count",
            "dimensions": {"LoadBalancer": "app/prod-alb/50dc6c495c0c9188"},
            "stat": "Sum",
            **WINDOW,
        },
    )
    db = _ev(
        "ev-4",
        "metric_anomaly",
        "orders-db DatabaseConnections fell from 48 to 6; max_connections is 1000",
        "metric_series",
        {
            "namespace": "AWS/RDS",
            "metric": "DatabaseConnections",
            "dimensions": {"DBInstanceIdentifier": "orders-db"},
            **WINDOW,
        },
    )
    traces = _ev(
        "ev-5",
        "trace_fault",
        'faults spread evenly over us-east-1a/b/c <script>alert("pwned")</script>',
        "trace_faults",
        {"service": "web", **WINDOW},
    )
    return [deploy, logs, errors, db, traces]


def stats(**kw: object) -> Stats:
    return Stats(tool_calls=14, aws_calls=37, duration_s=83.4, llm_tokens=0, planner="rules", **kw)  # type: ignore[arg-type]


def chart() -> Chart:
    times = [T0 - timedelta(minutes=30) + timedelta(minutes=i) for i in range(60)]
    values = [0.0 if t < ONSET else 240.0 for t in times]
    return Chart(
        title="ALB 5XX responses",
        resource="app/prod-alb/50dc6c495c0c9188",
        unit="Count/min",
        timestamps=times,
        values=values,
        onset=ONSET,
        markers=[
            TimelineEntry(
                time=T0 + timedelta(minutes=2), what="deploy web:42", kind="change", evidence="ev-1"
            ),
            TimelineEntry(time=T0 + timedelta(minutes=7), what="alarm web-5xx", kind="alarm"),
        ],
        evidence="ev-3",
    )


def root_cause() -> Report:
    deploy = ReportHypothesis(
        rank=1,
        title="Deploy web:42 shrank the DB connection pool to 5",
        category="change",
        resource="ecs:prod/web",
        failure_mode="bad_config_deploy",
        confidence=0.86,
        chain=["ecs:prod/web (task def web:42)", "rds:orders-db", "alb:app/prod-alb/50dc6c495c0c9188"],
        evidence=["ev-1", "ev-2", "ev-3"],
        contradicting=[],
        remediation=[
            ReportRemediation(
                action="rollback",
                description="Roll prod/web back to task definition web:41",
                command="aws ecs update-service --cluster prod --service web --task-definition web:41",
            )
        ],
        prevention=[
            "Alarm on the pool wait time and gate deploys on it "
            "(see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).",
            "Review config diffs of connection settings in pull requests.",
        ],
        status="confirmed",
        rationale="Errors began 3 minutes after the deploy and the new log template names the pool.",
    )
    limit = ReportHypothesis(
        rank=2,
        title="orders-db ran out of connections",
        category="limit",
        resource="rds:orders-db",
        failure_mode="db_connection_exhaustion",
        confidence=0.31,
        chain=["rds:orders-db", "alb:app/prod-alb/50dc6c495c0c9188"],
        evidence=["ev-2"],
        contradicting=["ev-4"],
        remediation=[ReportRemediation(action="scale", description="Raise max_connections")],
        prevention=[],
        status="open",
    )
    az = ReportHypothesis(
        rank=3,
        title="An availability zone impairment",
        category="component_failure",
        resource="az:us-east-1a",
        failure_mode="az_impairment",
        confidence=0.05,
        chain=["az:us-east-1a", "alb:app/prod-alb/50dc6c495c0c9188"],
        evidence=["ev-5"],
        contradicting=["ev-5"],
        remediation=[],
        prevention=[],
        status="ruled_out",
    )
    # Deliberately out of order: renderers must sort the timeline and the hypotheses.
    timeline = [
        TimelineEntry(time=T0 + timedelta(minutes=7), what="web-5xx went to ALARM", kind="alarm"),
        TimelineEntry(time=ONSET, what="5XX responses begin", kind="onset", evidence="ev-3"),
        TimelineEntry(
            time=T0 + timedelta(minutes=2), what="alice deployed web:42", kind="change", evidence="ev-1"
        ),
        TimelineEntry(
            time=T0 + timedelta(minutes=9), what="pool timeouts in /ecs/web", kind="symptom", evidence="ev-2"
        ),
    ]
    return Report(
        verdict="root_cause",
        summary="A deploy of prod/web at 14:02 set DB_POOL_SIZE to 5; from 14:05 requests waited for a "
        "connection and timed out, and the load balancer returned 5XX to about 30% of requests.",
        title="web-5xx: 5XX errors on prod-alb",
        alarm="web-5xx",
        window_start=T0,
        window_end=T0 + timedelta(minutes=30),
        impact_start=ONSET,
        hypotheses=[limit, az, deploy],
        evidence=evidence(),
        timeline=timeline,
        data_gaps=["orders-db exports no slow query log"],
        observability_gaps=["No metric for connection pool wait time in prod/web"],
        charts=[chart()],
        notes=["planner stayed within caps"],
        stats=stats(),
    )


def no_fault() -> Report:
    checked = ReportHypothesis(
        rank=1,
        title="A recent deploy broke checkout",
        category="change",
        resource="ecs:prod/checkout",
        failure_mode="bad_deploy",
        confidence=0.02,
        chain=["ecs:prod/checkout"],
        evidence=["ev-3"],
        contradicting=["ev-4"],
        remediation=[ReportRemediation(action="rollback", description="Roll checkout back")],
        prevention=["Canary deploys"],
        status="ruled_out",
        rationale="No deploy or config change in the 6 hours before the question.",
    )
    return Report(
        verdict="no_fault",
        summary="Latency and error rates of checkout stayed within their normal range; nothing changed.",
        question="Is checkout slow right now?",
        window_start=T0,
        window_end=T0 + timedelta(minutes=30),
        hypotheses=[checked],
        evidence=evidence()[2:4],
        timeline=[],
        data_gaps=[],
        observability_gaps=[],
        stats=stats(),
    )


def inconclusive() -> Report:
    candidate = ReportHypothesis(
        rank=1,
        title="orders-db throttled on storage IOPS",
        category="limit",
        resource="rds:orders-db",
        failure_mode="ebs_iops_throttle",
        confidence=0.38,
        chain=["rds:orders-db", "ecs:prod/web"],
        evidence=["ev-4"],
        remediation=[ReportRemediation(action="scale", description="Raise provisioned IOPS", command=None)],
        prevention=["Alarm on DiskQueueDepth"],
        status="open",
    )
    other = candidate.model_copy(
        update={
            "rank": 2,
            "title": "A dependency timed out",
            "category": "dependency_failure",
            "confidence": 0.3,
        }
    )
    return Report(
        verdict="inconclusive",
        summary="Errors rose at 14:05 but the data at hand cannot separate a database limit from a dependency.",
        title="web errors",
        window_start=T0,
        window_end=T0 + timedelta(minutes=30),
        impact_start=ONSET,
        hypotheses=[candidate, other],
        evidence=evidence()[3:4],
        timeline=[TimelineEntry(time=ONSET, what="errors begin", kind="onset")],
        data_gaps=["CloudTrail lookup was denied (AccessDenied)", "X-Ray has no traces for web"],
        observability_gaps=["Enable Enhanced Monitoring on orders-db"],
        stats=stats(capped=["tool_calls"]),
    )
