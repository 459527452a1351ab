"""The auction-results queue depth alarm pages at lunchtime: the daily day-ahead results burst draining."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzzd as k

NAME = "day-ahead-results-queue-burst"
TITLE = "auction-results queue depth alarm paged just before 1pm; is position-service stuck?"
SUMMARY = (
    "The day-ahead auction results arrive at their usual time and fan out into tens of thousands of position "
    "messages; the queue depth alarm fires as it does every day and the backlog drains on its own."
)

BERLIN = ZoneInfo("Europe/Berlin")


def build(seed: int) -> Bundle:
    w = k.make_world(seed)
    rng = w.rng
    day = w.onset.date()
    local_onset = datetime.combine(day, time(12, rng.randint(43, 51), rng.randint(0, 59)), tzinfo=BERLIN)
    onset = local_onset.astimezone(UTC)
    w.onset = onset
    w.start = (onset - timedelta(hours=3, minutes=rng.randint(5, 25))).replace(second=0)
    w.now = (onset + timedelta(minutes=rng.randint(36, 44))).replace(second=0)
    queue = "auction-results.positions"
    burst = rng.randint(38000, 61000)
    drain = rng.uniform(1500, 2100)  # messages a minute the consumers work through
    drained_m = 2 + burst / drain

    cloudtrail: list[k.Rec] = []
    cloudtrail += k.tooling_noise(w, 37)
    cloudtrail += k.kms_decrypt_noise(w, 4)
    cloudtrail += k.ecs_deploy(
        w,
        onset - timedelta(minutes=rng.randint(35, 55)),
        "position-service",
        "1.32." + str(rng.randint(0, 9)),
    )
    cloudtrail += k.ecs_deploy(
        w, w.start + timedelta(minutes=rng.randint(10, 60)), "trade-gateway", "3.9." + str(rng.randint(0, 9))
    )
    cloudtrail.append(
        k.ct(
            w,
            onset + timedelta(minutes=rng.randint(8, 14)),
            "mq.amazonaws.com",
            "DescribeBroker",
            k.human(w, "p.vogel"),
            {"brokerId": w.broker_id},
            None,
            read_only=True,
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.sort(key=lambda r: r["eventTime"])

    # ---------------- metrics
    metrics = k.base_metrics(w, skip={"aurora", "position-service"})
    metrics += k.mq_broker_metrics(w)

    def depth(t: datetime, m: float) -> float:
        if m < 0:
            return float(rng.randint(0, 40))
        if m < 2:
            return burst * (m + 1) / 3
        return max(burst - drain * (m - 2), float(rng.randint(0, 40)))

    def publish(t: datetime, m: float) -> float:
        if 0 <= m < 2:
            return burst / 120
        return rng.uniform(0.2, 0.8)

    def ack(t: datetime, m: float) -> float:
        if m < 0 or m > drained_m:
            return rng.uniform(0.2, 0.8)
        return drain / 60 * rng.uniform(0.93, 1.05)

    qd = {"Broker": w.broker_name, "VirtualHost": "/", "Queue": queue}
    metrics += k.series(w, "AWS/AmazonMQ", "MessageCount", qd, "Count", depth, digits=0)
    metrics += k.series(
        w, "AWS/AmazonMQ", "MessageReadyCount", qd, "Count", lambda t, m: max(depth(t, m) - 400, 0), digits=0
    )
    metrics += k.series(w, "AWS/AmazonMQ", "PublishRate", qd, "Count/Second", publish)
    metrics += k.series(w, "AWS/AmazonMQ", "AckRate", qd, "Count/Second", ack)
    metrics += k.series(w, "AWS/AmazonMQ", "ConsumerCount", qd, "Count", lambda t, m: 8.0, digits=0)
    busy = (0.0, drained_m)

    def in_busy(m: float) -> bool:
        return busy[0] <= m < busy[1]

    writer = f"{w.db_cluster}-instance-1"
    reader = f"{w.db_cluster}-instance-2"
    metrics += k.series(
        w,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": writer},
        "Percent",
        lambda t, m: (rng.uniform(52, 66) if in_busy(m) else k.diurnal(t, 24, 6)) + rng.gauss(0, 2),
    )
    metrics += k.series(
        w,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": reader},
        "Percent",
        lambda t, m: k.diurnal(t, 11, 3) + rng.gauss(0, 1.5),
    )
    metrics += k.series(
        w,
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": writer},
        "Count",
        lambda t, m: 142 + rng.randint(-4, 4) + (16 if in_busy(m) else 0),
        digits=0,
    )
    metrics += k.series(
        w,
        "AWS/RDS",
        "CommitLatency",
        {"DBInstanceIdentifier": writer},
        "Milliseconds",
        lambda t, m: (3.4 if in_busy(m) else 1.9) + rng.gauss(0, 0.2),
    )
    metrics += k.series(
        w,
        "AWS/RDS",
        "WriteIOPS",
        {"DBInstanceIdentifier": writer},
        "Count/Second",
        lambda t, m: rng.uniform(2600, 3400) if in_busy(m) else rng.uniform(300, 450),
    )
    psd = {"ClusterName": w.cluster, "ServiceName": "position-service"}
    metrics += k.series(
        w,
        "AWS/ECS",
        "CPUUtilization",
        psd,
        "Percent",
        lambda t, m: 21 + (38 if in_busy(m) else 0) + rng.gauss(0, 1.5),
    )
    metrics += k.series(w, "AWS/ECS", "MemoryUtilization", psd, "Percent", k.around(rng, 48, 1.5))

    # ---------------- alarms
    alarm = k.metric_alarm(
        w,
        "mq-auction-results-depth",
        "AWS/AmazonMQ",
        "MessageCount",
        qd,
        "Maximum",
        10000,
        evals=2,
        description="auction-results.positions backing up. Consumers: position-service",
    )
    fire_t = (onset + timedelta(minutes=2)).replace(second=rng.randint(10, 50))
    reason = (
        f"Threshold Crossed: 2 out of the last 2 datapoints [{float(burst)} ({(fire_t - timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), "
        f"{float(round(burst * 2 / 3))} ({(fire_t - timedelta(minutes=2)):%d/%m/%y %H:%M:%S})] were greater than the threshold (10000.0) "
        "(minimum 2 datapoints for OK -> ALARM transition)."
    )
    ok_m = 2 + (burst - 10000) / drain + 2
    ok_t = (onset + timedelta(minutes=ok_m)).replace(second=rng.randint(10, 50))
    ok_reason = "Threshold Crossed: 1 out of the last 2 datapoints [9742.0] was not greater than the threshold (10000.0) (minimum 1 datapoint for ALARM -> OK transition)."
    hist = []
    # the same alarm on the previous days, around the same local time
    for d in range(1, 4):
        prev_local = datetime.combine(
            day - timedelta(days=d), time(12, rng.randint(43, 52), rng.randint(0, 59)), tzinfo=BERLIN
        )
        pf = prev_local.astimezone(UTC)
        b2 = rng.randint(36000, 62000)
        hist.append(
            k.history(
                w,
                alarm,
                pf,
                "OK",
                "ALARM",
                f"Threshold Crossed: 2 out of the last 2 datapoints [{float(b2)}, {float(round(b2 * 2 / 3))}] were greater than the threshold (10000.0) (minimum 2 datapoints for OK -> ALARM transition).",
            )
        )
        hist.append(
            k.history(
                w,
                alarm,
                pf + timedelta(minutes=rng.randint(17, 30)),
                "ALARM",
                "OK",
                "Threshold Crossed: 1 out of the last 2 datapoints [9120.0] was not greater than the threshold (10000.0) (minimum 1 datapoint for ALARM -> OK transition).",
            )
        )
    hist.append(k.history(w, alarm, fire_t, "OK", "ALARM", reason))
    if ok_t <= w.now:
        hist.append(k.history(w, alarm, ok_t, "ALARM", "OK", ok_reason))
        alarm.update(
            StateValue="OK",
            StateReason=ok_reason,
            StateUpdatedTimestamp=k.iso(ok_t),
            StateTransitionedTimestamp=k.iso(ok_t),
        )
    else:
        alarm.update(
            StateValue="ALARM",
            StateReason=reason,
            StateUpdatedTimestamp=k.iso(fire_t),
            StateTransitionedTimestamp=k.iso(fire_t),
        )
    cpu_alarm, cpu_hist = k.flapping_cpu_alarm(w, w.instances[0])
    alarms = [
        alarm,
        cpu_alarm,
        k.metric_alarm(
            w,
            "trading-aurora-writer-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": writer},
            "Average",
            80,
            period=300,
            evals=3,
        ),
        k.metric_alarm(
            w,
            "mq-settlement-instructions-backlog",
            "AWS/AmazonMQ",
            "MessageCount",
            {"Broker": w.broker_name, "VirtualHost": "/", "Queue": "settlement.instructions"},
            "Maximum",
            1500,
            evals=5,
        ),
        k.metric_alarm(
            w,
            "trading-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": w.alb_arn.split("loadbalancer/")[1]},
            "Sum",
            25,
            evals=3,
        ),
    ]
    hist = cpu_hist + hist
    metrics += k.series(
        w,
        "AWS/AmazonMQ",
        "MessageCount",
        {"Broker": w.broker_name, "VirtualHost": "/", "Queue": "settlement.instructions"},
        "Count",
        lambda t, m: float(rng.randint(40, 320)),
        digits=0,
    )

    # ---------------- logs
    logs: list[k.Rec] = []
    streams = [k.task_stream("position-service", rng) for _ in range(4)]
    ingest = k.task_stream("price-ingest", rng)
    delivery = day + timedelta(days=1)
    rt = onset - timedelta(seconds=rng.randint(20, 50))
    logs.append(
        {
            "log_group": "/ecs/price-ingest",
            "log_stream": ingest,
            "timestamp": k.ms(rt),
            "message": f"{rt:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO ingest.auction: day-ahead results published for delivery {delivery} (areas=DE-LU,NL,FR,BE) status=FINAL",
        }
    )
    logs.append(
        {
            "log_group": "/ecs/price-ingest",
            "log_stream": ingest,
            "timestamp": k.ms(onset + timedelta(seconds=110)),
            "message": f"{onset + timedelta(seconds=110):%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO ingest.auction: fanned out {burst} position messages to {queue} in 108.4s",
        }
    )
    t = w.start + timedelta(seconds=rng.randint(5, 60))
    done = 0
    while t < w.now:
        m = (t - onset).total_seconds() / 60
        s = rng.choice(streams)
        if 0 <= m <= drained_m:
            done = min(burst, int(drain * max(m - 0.5, 0)))
            logs.append(
                {
                    "log_group": "/ecs/position-service",
                    "log_stream": s,
                    "timestamp": k.ms(t),
                    "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO positions.auction: applied batch of 200 day-ahead positions delivery={delivery} progress={done}/{burst} batch_ms={rng.randint(280, 460)}",
                }
            )
            t += timedelta(seconds=rng.uniform(25, 45))
        else:
            logs.append(
                {
                    "log_group": "/ecs/position-service",
                    "log_stream": s,
                    "timestamp": k.ms(t),
                    "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO positions.intraday: applied {rng.randint(1, 12)} intraday fills, portfolio recalculated in {rng.randint(40, 140)}ms",
                }
            )
            t += timedelta(seconds=rng.uniform(60, 150))
    if drained_m + 0.5 < (w.now - onset).total_seconds() / 60:
        tt = onset + timedelta(minutes=drained_m + 0.3)
        logs.append(
            {
                "log_group": "/ecs/position-service",
                "log_stream": streams[0],
                "timestamp": k.ms(tt),
                "message": f"{tt:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO positions.auction: day-ahead positions for delivery {delivery} complete ({burst} applied, 0 rejected)",
            }
        )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---------------- resources
    resources = k.base_resources(w)
    resources.append(
        {
            "service": "mq",
            "type": "DescribeBrokerResponse",
            "item": k.mq_broker(w, config_revision=rng.randint(3, 9)),
        }
    )
    for s2 in k.SERVICES:
        resources.append(
            k.ecs_service(w, s2, 4 if s2 == "position-service" else 3, 4 if s2 == "position-service" else 3)
        )
    resources.append(
        k.task_definition(
            w,
            "position-service",
            {"AMQP_QUEUES": f"{queue},positions.updates", "AMQP_PREFETCH": "200", "CONSUMERS_PER_TASK": "2"},
        )
    )
    for i, iid in enumerate(w.instances):
        resources.append(k.instance_status(w, iid, k.azs(w)[i % 3]))

    question = (
        f"Got paged at {fire_t.astimezone(BERLIN):%H:%M} for mq-auction-results-depth, there were like "
        f"{burst // 1000}k messages sitting in the auction results queue. position-service had a deploy earlier — "
        "is it stuck? Should I roll it back?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": k.iso(w.start),
            "end": k.iso(w.now),
            "now": k.iso(w.now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Berlin"},
            "truth": {
                "no_fault": True,
                "also_accept": [],
                "actions": [],
                "chain": [],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": cloudtrail,
            "resources": resources,
        },
    )
