"""No fault: the daily settlement cut-off run pushes the Aurora writer's CPU over its alarm, as every day."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzzk import Account, iso

NAME = "payments-settlement-cutoff-cpu-page"
TITLE = "Paged for payments Aurora writer CPU; is something hammering the DB?"
SUMMARY = (
    "The scheduled settlement cut-off execution fans out batch postings and drives the writer's CPU over 80% "
    "for twenty minutes, as on previous days; payments traffic is unaffected and the run succeeds."
)


def build(seed: int) -> Bundle:
    acc = Account(seed, NAME)
    r = acc.r
    acc.base_resources()
    top = acc.start + timedelta(hours=3, minutes=30)
    acc.onset = top.replace(minute=0) + timedelta(hours=1) if top.minute else top
    acc.now = acc.onset + timedelta(minutes=r.randint(38, 60))
    acc.end = acc.now
    run_len = timedelta(minutes=r.randint(24, 32))
    run_end = acc.onset + run_len
    if run_end > acc.now - timedelta(minutes=6):
        acc.now = run_end + timedelta(minutes=r.randint(8, 14))
        acc.end = acc.now
    peak = r.randint(220, 460)
    cpu_peak = r.uniform(84, 93)

    def running(t: datetime) -> bool:
        return acc.onset <= t < run_end

    def cpu(t: datetime, inst: str) -> float:
        if inst == acc.reader:
            return r.uniform(8, 14) + (6 if running(t) else 0)
        if running(t):
            ramp = min(1.0, (t - acc.onset).total_seconds() / 240)
            return 24 + (cpu_peak - 24) * ramp * r.uniform(0.95, 1.03)
        return r.uniform(18, 28)

    acc.api_metrics(
        peak,
        lambda t, n: n * r.uniform(0, 0.002),
        lambda t: r.uniform(180, 240) * (1.18 if running(t) else 1.0),
    )
    acc.lambda_metrics(
        "payments-authorize",
        lambda t: acc.traffic(t, peak * 0.62),
        lambda t, n: n * r.uniform(0, 0.002),
        lambda t: r.uniform(140, 190) * (1.2 if running(t) else 1.0),
    )
    acc.lambda_metrics(
        "payments-capture",
        lambda t: acc.traffic(t, peak * 0.3),
        lambda t, n: n * r.uniform(0, 0.003),
        lambda t: r.uniform(90, 130),
    )
    acc.lambda_metrics(
        "payments-refund",
        lambda t: acc.traffic(t, peak * 0.05),
        lambda t, n: 0,
        lambda t: r.uniform(100, 160),
    )
    acc.lambda_metrics(
        "settlement-post-batch",
        lambda t: r.uniform(150, 260) if running(t) else 0,
        lambda t, n: 0,
        lambda t: r.uniform(8000, 14000),
        conc=lambda t, n: r.uniform(36, 40),
    )
    acc.rds_metrics(
        cpu,
        lambda t, i: (
            (r.uniform(40, 55) + (42 if running(t) else 0)) if i == acc.writer else r.uniform(12, 20)
        ),
    )
    wdims = {"DBInstanceIdentifier": acc.writer}
    acc.series(
        "AWS/RDS",
        "DMLThroughput",
        wdims,
        "Count/Second",
        lambda t: r.uniform(60, 90) * (9 if running(t) else 1),
    )
    acc.series(
        "AWS/RDS",
        "CommitLatency",
        wdims,
        "Milliseconds",
        lambda t: r.uniform(1.5, 2.6) * (1.6 if running(t) else 1),
    )
    pdims = {"ProxyName": acc.proxy}
    acc.series(
        "AWS/RDS",
        "ClientConnections",
        pdims,
        "Count",
        lambda t: r.uniform(150, 190) + (40 if running(t) else 0),
    )
    acc.series(
        "AWS/RDS",
        "DatabaseConnections",
        pdims,
        "Count",
        lambda t: r.uniform(38, 52) + (40 if running(t) else 0),
    )
    sdims = {"StateMachineArn": acc.sm_arn}
    acc.series(
        "AWS/States",
        "ExecutionsStarted",
        sdims,
        "Count",
        lambda t: 1.0 if t == acc.onset.replace(second=0) else None,
    )
    acc.series(
        "AWS/States",
        "ExecutionsSucceeded",
        sdims,
        "Count",
        lambda t: 1.0 if t == run_end.replace(second=0) else None,
    )
    acc.series(
        "AWS/States",
        "ExecutionTime",
        sdims,
        "Milliseconds",
        lambda t: run_len.total_seconds() * 1000 if t == run_end.replace(second=0) else None,
    )

    # --- executions: today and the same time on previous days ------------------------------------
    for d in range(r.randint(5, 8), 0, -1):
        day = acc.onset - timedelta(days=d)
        if day.weekday() >= 5:
            continue
        acc.execution(
            day - timedelta(seconds=r.randint(0, 4)),
            timedelta(minutes=r.randint(22, 34)),
            "SUCCEEDED",
            name=f"cutoff-{day.strftime('%Y%m%d')}",
        )
    acc.execution(acc.onset, run_len, "SUCCEEDED", name=f"cutoff-{acc.onset.strftime('%Y%m%d')}")

    # --- CloudTrail ------------------------------------------------------------------------------
    acc.tooling_noise(48)
    sched = acc.role_id("payments-settlement-scheduler", acc.hexid(32))
    acc.trail(
        acc.onset,
        "states",
        "StartExecution",
        sched,
        {
            "stateMachineArn": acc.sm_arn,
            "name": f"cutoff-{acc.onset.strftime('%Y%m%d')}",
            "input": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "executionArn": acc.arn(
                "states", f"execution:{acc.sm_name}:cutoff-{acc.onset.strftime('%Y%m%d')}"
            ),
            "startDate": iso(acc.onset),
        },
        agent="scheduler.amazonaws.com",
        ip="scheduler.amazonaws.com",
    )
    acc.innocent_lambda_deploy(acc.onset - timedelta(minutes=r.randint(25, 50)), "payments-authorize")
    acc.innocent_lambda_deploy(acc.start + timedelta(minutes=r.randint(20, 80)), "settlement-post-batch")
    acc.trail(
        acc.onset - timedelta(minutes=r.randint(8, 20)),
        "rds",
        "AddTagsToResource",
        acc.sso(2),
        {
            "resourceName": acc.arn("rds", f"cluster:{acc.cluster}"),
            "tags": [{"key": "cost-centre", "value": "payments-core"}],
        },
        None,
        agent="AWS Internal",
    )
    eng = acc.sso(1)
    fire = acc.onset + timedelta(minutes=15)
    for k in range(4):
        acc.trail(
            fire + timedelta(minutes=3 + k),
            "rds",
            "DescribeDBInstances",
            eng,
            {"dBInstanceIdentifier": acc.writer},
            None,
            read_only=True,
            agent="AWS Internal",
        )
    acc.trail(
        fire + timedelta(minutes=5),
        "pi",
        "GetResourceMetrics",
        eng,
        {"serviceType": "RDS", "identifier": "db-" + acc.hexid(26).upper()},
        None,
        read_only=True,
        agent="AWS Internal",
    )

    # --- logs ------------------------------------------------------------------------------------
    stream = acc.lambda_stream("settlement-post-batch", acc.onset)
    t = acc.onset + timedelta(seconds=2)
    acc.invocation(
        "settlement-post-batch",
        stream,
        t,
        r.uniform(900, 1400),
        [
            f"[INFO]\t{iso(t)}\t{{rid}}\tlisted open batches cutoff={acc.onset.strftime('%Y-%m-%d')} batches={r.randint(1800, 2600)}\n"
        ],
        mem=1024,
        used=310,
    )
    t += timedelta(seconds=3)
    while t < run_end:
        acc.invocation(
            "settlement-post-batch",
            acc.lambda_stream("settlement-post-batch", t) if r.random() < 0.2 else stream,
            t,
            r.uniform(8000, 14000),
            [
                f"[INFO]\t{iso(t)}\t{{rid}}\tposted batch merchant=m_{r.randint(1000, 9999)} txns={r.randint(40, 900)} "
                f"ledger_rows={r.randint(80, 1800)}\n"
            ],
            mem=1024,
            used=r.randint(250, 330),
        )
        t += timedelta(seconds=r.randint(15, 45))
    auth = acc.lambda_stream("payments-authorize", acc.start)
    t = acc.start + timedelta(minutes=1)
    while t < acc.now:
        lines = [
            f"[INFO]\t{iso(t)}\t{{rid}}\tauthorize merchant=m_{r.randint(1000, 9999)} amount_minor={r.randint(300, 90000)} "
            f"currency=EUR result={'approved' if r.random() > 0.04 else 'declined'} acquirer_ms={r.randint(90, 160)}\n"
        ]
        acc.invocation("payments-authorize", auth, t, r.uniform(130, 230), lines)
        t += timedelta(seconds=r.randint(40, 120))

    # --- alarms ----------------------------------------------------------------------------------
    name = "payments-aurora-writer-cpu-high"
    v = [round(cpu_peak - x, 1) for x in (0.4, 1.1, 3.0)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{v[0]} ({fire.strftime('%d/%m/%y %H:%M')}:00), {v[1]}, {v[2]}] "
        "were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    ok_at = run_end + timedelta(minutes=r.randint(2, 5))
    ok_reason = f"Threshold Crossed: 1 out of the last 3 datapoints [{r.uniform(24, 30):.1f}] was not greater than the threshold (80.0)."
    state_ok = ok_at <= acc.now
    a = acc.alarm(
        name,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": acc.writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        300,
        3,
        "OK" if state_ok else "ALARM",
        ok_reason if state_ok else reason,
        ok_at if state_ok else fire,
        desc="payments-aurora writer CPU > 80% for 15 minutes",
    )
    for d in range(6, 0, -1):
        day = fire - timedelta(days=d)
        if day.weekday() >= 5:
            continue
        f = day + timedelta(minutes=r.randint(-3, 4))
        acc.transition(
            name,
            f,
            "OK",
            "ALARM",
            reason.replace(fire.strftime("%d/%m/%y %H:%M"), f.strftime("%d/%m/%y %H:%M")),
        )
        acc.transition(name, f + timedelta(minutes=r.randint(12, 22)), "ALARM", "OK", ok_reason)
    acc.transition(name, fire, "OK", "ALARM", reason)
    if state_ok:
        acc.transition(name, ok_at, "ALARM", "OK", ok_reason)
    acc.alarm(
        "payments-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Sum",
        25.0,
        "GreaterThanThreshold",
        60,
        3,
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0).",
        acc.start - timedelta(days=5),
    )
    acc.alarm(
        "settlement-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": acc.sm_arn},
        "Sum",
        0.0,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        acc.start - timedelta(days=9),
    )
    lat = "payments-api-latency-p99"
    acc.alarm(
        lat,
        "AWS/ApiGateway",
        "Latency",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Maximum",
        2500.0,
        "GreaterThanThreshold",
        60,
        1,
        "OK",
        "Threshold Crossed: 1 datapoint [611.0] was not greater than the threshold (2500.0).",
        acc.start + timedelta(minutes=77),
        topic="payments-low-priority",
    )
    acc.transition(
        lat,
        acc.start + timedelta(minutes=74),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [2741.0] was greater than the threshold (2500.0).",
    )
    acc.transition(
        lat,
        acc.start + timedelta(minutes=77),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [611.0] was not greater than the threshold (2500.0).",
    )

    question = (
        f"got paged for the payments aurora writer CPU at {acc.clock(fire)}. is something hammering the payments db? "
        "do we need to fail over or scale up before merchants notice?"
    )
    event = acc.alarm_event(a, fire, reason, ok_reason)
    return acc.bundle(
        TITLE,
        {"question": question, "alarm_event": event},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        timezone=acc.tz,
    )
