"""Evening flash sale: Aurora Serverless v2 pinned at its maximum ACUs; checkout slows and times out."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzm import (
    CLI_AGENT,
    Pos,
    all_functions,
    default_hooks,
    iso,
    local,
    rotation,
    standard_telemetry,
)

NAME = "flash-sale-checkout-spinning"
TITLE = "Checkout spinning at the registers during the evening flash sale; some sales time out"
SUMMARY = "Flash-sale load drove the Aurora Serverless v2 writer to its MaxCapacity; queries queue, checkout times out."


def build(seed: int) -> Bundle:
    p = Pos(seed, hour=23, minute=0, days_back=0)
    r = p.rng
    max_acu = r.choice([8.0, 8.0, 10.0])
    p.max_acu = max_acu
    onset = p.onset
    surge = r.uniform(2.4, 2.9)
    hooks = default_hooks()

    def load(t: datetime) -> float:
        if t < onset:
            return 1.0
        ramp = min(1.0, (t - onset).total_seconds() / 600)
        return 1.0 + (surge - 1.0) * ramp

    extra = r.uniform(5.0, 7.0)

    def acu_extra(t: datetime) -> float:
        # promo price lookups are heavier queries than a normal basket
        return extra * (load(t) - 1.0) / (surge - 1.0)

    def pressure(t: datetime) -> float:
        want = p.min_acu + 1.5 + 6.0 * 0.55 * load(t) + acu_extra(t)
        return max(1.0, want / max_acu)

    def cap(t: datetime) -> float:
        return 15000.0

    def db_lat(t: datetime) -> float:
        x = pressure(t)
        return 1.0 if x <= 1.02 else x**4 * r.uniform(2.5, 3.5)

    def api_dur(t: datetime) -> float:
        x = pressure(t)
        return 1.0 if x <= 1.02 else 1.0 + (x - 1.0) * r.uniform(3.6, 4.4)

    def backlog(t: datetime) -> float:
        x = pressure(t)
        return 0.0 if x <= 1.05 else (t - onset).total_seconds() / 60 * 45 * (x - 1.0)

    hooks.update(load=load, db_lat=db_lat, api_dur=api_dur, backlog=backlog, acu_extra=acu_extra, api_cap=cap)
    peak = r.randint(380, 600)
    facts = standard_telemetry(p, peak, hooks)
    p.base_resources()
    ingest_deploy = onset - timedelta(minutes=r.randint(70, 110))
    all_functions(p, {"ingest": ingest_deploy})

    rot_at = (onset - timedelta(hours=r.randint(2, 3), minutes=r.randint(0, 40))).replace(second=0)
    rotation(p, rot_at)
    p.last_rotated = rot_at
    for res in p.resources:
        if res["type"] == "SecretListEntry":
            res["item"]["LastRotatedDate"] = iso(rot_at)
            res["item"]["LastChangedDate"] = iso(rot_at + timedelta(seconds=6))
            res["item"]["NextRotationDate"] = iso(
                (rot_at + timedelta(days=30)).replace(hour=23, minute=59, second=59)
            )

    deploy = p.who("deploy")
    p.ct(
        ingest_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {"functionName": p.fn["ingest"], "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": p.fn["ingest"],
            "functionArn": p.fn_arn("ingest"),
            "runtime": "nodejs20.x",
            "codeSize": 2_114_902,
            "timeout": 60,
            "memorySize": 512,
            "lastModified": ingest_deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": p.alnum(43) + "=",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
        },
        agent="aws-sdk-js/3.511.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/lambda#3.511.0",
        ip=f"20.42.11.{r.randint(2, 250)}",
    )
    # marketing's promo kicked off from EventBridge: a rule edit earlier in the day
    p.ct(
        onset - timedelta(hours=2, minutes=r.randint(5, 50)),
        "events.amazonaws.com",
        "PutRule",
        p.who("sso", "sara.nguyen"),
        {
            "name": f"{p.brand}-promo-price-push",
            "scheduleExpression": "cron(0 23 * * ? *)",
            "state": "ENABLED",
            "eventBusName": "default",
        },
        {"ruleArn": f"arn:aws:events:{p.region}:{p.account}:rule/{p.brand}-promo-price-push"},
        agent="[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15]",
    )
    # during the incident, people look around
    for i in range(5):
        p.ct(
            onset + timedelta(minutes=18 + i * 3),
            "rds.amazonaws.com",
            "DescribeDBClusters",
            p.who("sso", "tom.haugen"),
            {"dBClusterIdentifier": p.cluster},
            None,
            read_only=True,
            agent=CLI_AGENT + "rds.describe-db-clusters",
        )
    p.ct(
        onset + timedelta(minutes=24),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        p.who("sso", "tom.haugen"),
        {"functionName": p.fn["api"]},
        None,
        read_only=True,
        agent=CLI_AGENT + "lambda.get-function-configuration",
    )
    p.tooling_noise(30)
    p.kms_decrypts(8)

    # checkout logs
    t = p.start
    stream = p.stream("api", t)
    k = 0
    while t < p.now:
        f = facts[iso(t.replace(second=0))]
        x = pressure(t)
        store = f"S{r.randint(100, 399):04d}"
        lane = r.randint(1, 14)
        d = r.choice(f["durs"]) if f["durs"] else 900.0
        lines = [
            (
                "INFO",
                f"POST /v2/checkout store={store} lane={lane} tender=card amount={r.randint(199, 9999) / 100:.2f}",
            ),
            ("INFO", f"authorize response resultCode=Authorised pspLatencyMs={r.randint(700, 2400)}"),
        ]
        if x > 1.05 and r.random() < 0.35:
            qms = int(r.uniform(4000, 9000))
            lines.append(
                ("WARN", f"slow query name=insert_order_lines durationMs={qms} rows={r.randint(1, 9)}")
            )
        if d >= 15000:
            p.invocation(
                "api",
                stream,
                t,
                15000 + r.uniform(5, 20),
                lines,
                mem_used=r.randint(150, 180),
                timed_out=True,
            )
        elif x > 1.1 and r.random() < 0.04:
            lines.append(
                (
                    "ERROR",
                    'Invoke Error \t{"errorType":"error","errorMessage":"canceling statement '
                    'due to statement timeout","code":"57014","severity":"ERROR","routine":'
                    '"ProcessInterrupts","file":"postgres.c","line":"3368"}',
                )
            )
            p.invocation("api", stream, t, min(d, 10050.0), lines, mem_used=r.randint(150, 180))
        else:
            lines.append(("INFO", f"order committed orderId=ord_{p.alnum(10)} status=200"))
            p.invocation("api", stream, t, d, lines, mem_used=r.randint(120, 170))
        k += 1
        if k % 40 == 0:
            stream = p.stream("api", t)
        t += timedelta(seconds=r.randint(25, 45) if x <= 1.05 else r.randint(8, 15))
    # ingest logs
    t = p.start
    stream = p.stream("ingest", t)
    while t < p.now:
        x = pressure(t)
        dur = r.uniform(150, 400) * (1 if x <= 1.02 else x**3 * 3)
        p.invocation(
            "ingest",
            stream,
            t,
            dur,
            [("INFO", f"processed batch size={r.randint(3, 10)} failures=0")],
            mem_used=r.randint(90, 120),
        )
        t += timedelta(seconds=r.randint(90, 240))

    # alarms
    lat = p.alarm(
        f"{p.brand}-pos-checkout-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": p.alb_dim, "TargetGroup": p.tg_dim},
        "Average",
        4.0,
        evals=5,
    )
    first = None
    for m in p.metrics:
        if m["metric"] == "TargetResponseTime" and m["timestamp"] >= iso(onset):
            v = sorted(m["values"])
            if sum(v) / len(v) > 4.0:
                first = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
                break
    fire = (first or onset + timedelta(minutes=12)) + timedelta(minutes=5)
    fire = min(fire, p.now - timedelta(minutes=6))
    reason = "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (4.0)."
    lat.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(fire),
        StateTransitionedTimestamp=iso(fire),
    )
    p.transition(lat, fire, "OK", "ALARM", reason)
    cpu = p.alarm(
        f"{p.brand}-pos-aurora-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": p.writer},
        "Average",
        80,
        period=300,
        evals=3,
    )
    cfire = onset + timedelta(minutes=20)
    if cfire < p.now:
        cr = "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0)."
        cpu.update(
            StateValue="ALARM",
            StateReason=cr,
            StateUpdatedTimestamp=iso(cfire),
            StateTransitionedTimestamp=iso(cfire),
        )
        p.transition(cpu, cfire, "OK", "ALARM", cr)
    p.alarm(
        f"{p.brand}-pos-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": p.alb_dim},
        "Sum",
        50,
        evals=3,
    )
    age = p.alarm(
        f"{p.brand}-pos-sales-events-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": p.queues["sales"]},
        "Maximum",
        300,
        period=300,
        evals=2,
    )
    afire = onset + timedelta(minutes=30)
    if afire < p.now:
        ar = "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (300.0)."
        age.update(
            StateValue="ALARM",
            StateReason=ar,
            StateUpdatedTimestamp=iso(afire),
            StateTransitionedTimestamp=iso(afire),
        )
        p.transition(age, afire, "OK", "ALARM", ar)
    p.alarm(
        f"{p.brand}-pos-receipts-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.queues["receipts_dlq"]},
        "Maximum",
        0,
        period=300,
        evals=1,
    )

    event = p.alarm_event(
        lat,
        fire,
        reason,
        {
            "version": "1.0",
            "queryDate": fire.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": (fire - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": "Average",
            "period": 60,
            "recentDatapoints": [round(r.uniform(4.5, 9.0), 3) for _ in range(5)],
            "threshold": 4.0,
            "evaluatedDatapoints": [],
        },
    )
    question = (
        f"Flash sale went live at {local(onset - timedelta(minutes=onset.minute % 10))} and since then "
        "registers are spinning 10+ seconds on tender, some sales fail and the cashier has to re-ring. "
        "The DB password rotated this afternoon, could that be it?"
    )
    return p.bundle(
        TITLE,
        question,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": p.cluster,
                "category": "limit",
                "failure_mode": "aurora-serverless-max-acu-reached",
            },
            "also_accept": [p.writer, f"arn:aws:rds:{p.region}:{p.account}:cluster:{p.cluster}"],
            "actions": ["scale"],
            "chain": [p.cluster, p.fn["api"], p.tg_name, p.alb_name],
        },
    )
