"""Settlement instructions stop flowing after a RabbitMQ broker configuration revision is applied."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzzd as k

NAME = "settlement-consumer-ack-timeout"
TITLE = "Back office: no settlement instructions since early afternoon; settlement queue backlog alarm"
SUMMARY = (
    "A broker configuration revision lowered RabbitMQ consumer_timeout below the settlement worker's batch "
    "ack time; after the reboot the broker keeps closing its channels and the queue backs up."
)


def build(seed: int) -> Bundle:
    w = k.make_world(seed, onset_hour_range=(11, 14))
    rng = w.rng
    queue = "settlement.instructions"
    vhost = "/"
    timeout_ms = rng.choice([60000, 90000])
    batch_s = timeout_ms / 1000 + rng.uniform(8, 25)
    cfg_rev = rng.randint(6, 14)
    engineer = rng.choice(["m.keller", "a.nowak", "j.brandt", "s.hoffmann"])
    eng = k.human(w, engineer)
    onset = w.onset
    reboot_t = onset - timedelta(minutes=rng.randint(6, 9))
    update_cfg_t = reboot_t - timedelta(minutes=rng.randint(25, 50))
    update_broker_t = update_cfg_t + timedelta(minutes=rng.randint(2, 5))
    culprit_id = k.uid(rng)

    cloudtrail: list[k.Rec] = []
    cloudtrail += k.tooling_noise(w, 38)
    cloudtrail += k.kms_decrypt_noise(w, 5)
    cloudtrail.append(
        k.ct(
            w,
            update_cfg_t - timedelta(minutes=3),
            "mq.amazonaws.com",
            "DescribeConfigurationRevision",
            eng,
            {"configurationId": w.mq_config_id, "configurationRevision": str(cfg_rev - 1)},
            None,
            read_only=True,
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.append(
        k.ct(
            w,
            update_cfg_t,
            "mq.amazonaws.com",
            "UpdateConfiguration",
            eng,
            {
                "configurationId": w.mq_config_id,
                "description": "consumer_timeout: reclaim deliveries from hung consumers sooner (CHG-"
                + str(rng.randint(4000, 4999))
                + ")",
                "data": "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            {
                "arn": w.arn("mq", f"configuration:{w.mq_config_id}"),
                "created": k.iso(w.start - timedelta(days=511)),
                "id": w.mq_config_id,
                "latestRevision": {
                    "created": k.iso(update_cfg_t),
                    "description": "consumer_timeout: reclaim deliveries from hung consumers sooner",
                    "revision": cfg_rev,
                },
                "name": "trading-mq-rabbit-config",
                "warnings": [],
            },
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
            event_id=culprit_id,
            resources=[{"ARN": w.arn("mq", f"configuration:{w.mq_config_id}"), "accountId": w.account}],
        )
    )
    cloudtrail.append(
        k.ct(
            w,
            update_broker_t,
            "mq.amazonaws.com",
            "UpdateBroker",
            eng,
            {"brokerId": w.broker_id, "configuration": {"id": w.mq_config_id, "revision": cfg_rev}},
            {
                "brokerId": w.broker_id,
                "configuration": {"id": w.mq_config_id, "revision": cfg_rev},
            },
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.append(
        k.ct(
            w,
            reboot_t,
            "mq.amazonaws.com",
            "RebootBroker",
            eng,
            {"brokerId": w.broker_id},
            None,
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    # innocent changes: two deploys, one near the onset, and a security-group rule for the VPN
    cloudtrail += k.ecs_deploy(
        w, onset - timedelta(minutes=rng.randint(3, 5)), "order-router", "2.14." + str(rng.randint(1, 9))
    )
    cloudtrail += k.ecs_deploy(
        w, w.start + timedelta(minutes=rng.randint(30, 80)), "price-ingest", "4.2." + str(rng.randint(0, 9))
    )
    cloudtrail.append(
        k.ct(
            w,
            w.start + timedelta(minutes=rng.randint(90, 120)),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            k.human(w, "t.weber"),
            {
                "groupId": w.sg_db,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "ipRanges": {
                                "items": [{"cidrIp": "10.60.0.0/20", "description": "analytics vpn"}]
                            },
                        }
                    ]
                },
            },
            {"requestId": k.uid(rng), "_return": True},
        )
    )
    cloudtrail.sort(key=lambda r: r["eventTime"])

    # ---------------- metrics
    metrics = k.base_metrics(w)
    reboot_m = (reboot_t - onset).total_seconds() / 60

    def in_reboot(m: float) -> bool:
        return reboot_m <= m < reboot_m + 4

    metrics += k.mq_broker_metrics(w, down=(reboot_m, reboot_m + 4))
    # per-queue metrics (AWS/AmazonMQ publishes queue metrics with Broker, VirtualHost, Queue)
    qd = {"Broker": w.broker_name, "VirtualHost": vhost, "Queue": queue}
    rate = rng.uniform(38, 55)  # instructions a minute arriving

    def backlog(t: datetime, m: float) -> float:
        if m < 0:
            return rng.uniform(150, 320)
        return 260 + rate * m + rng.uniform(-20, 20)

    def unacked(t: datetime, m: float) -> float:
        if m < 0:
            return float(rng.randint(180, 250))
        return float(rng.choice([0, 0, 250, 250, 250, 120]))

    def consumers(t: datetime, m: float) -> float:
        if in_reboot(m):
            return 0.0
        if m < 0:
            return 4.0
        return float(rng.choice([0, 1, 2, 3, 4, 4]))

    def acks(t: datetime, m: float) -> float:
        if m < 0:
            return rate / 60 * rng.uniform(0.85, 1.15)
        return 0.0

    metrics += k.series(w, "AWS/AmazonMQ", "MessageCount", qd, "Count", backlog, digits=0)
    metrics += k.series(w, "AWS/AmazonMQ", "MessageUnacknowledgedCount", qd, "Count", unacked, digits=0)
    metrics += k.series(w, "AWS/AmazonMQ", "ConsumerCount", qd, "Count", consumers, digits=0)
    metrics += k.series(
        w, "AWS/AmazonMQ", "PublishRate", qd, "Count/Second", lambda t, m: rate / 60 * rng.uniform(0.8, 1.2)
    )
    metrics += k.series(w, "AWS/AmazonMQ", "AckRate", qd, "Count/Second", acks)
    for other, base in (("trades.executed", 40), ("prices.ticks", 15), ("positions.updates", 25)):
        od = {"Broker": w.broker_name, "VirtualHost": vhost, "Queue": other}
        metrics += k.series(
            w,
            "AWS/AmazonMQ",
            "MessageCount",
            od,
            "Count",
            k.upto(rng, base),
            digits=0,
        )
        metrics += k.series(
            w,
            "AWS/AmazonMQ",
            "ConsumerCount",
            od,
            "Count",
            lambda t, m: 0.0 if in_reboot(m) else 3.0,
            digits=0,
        )

    # ---------------- alarms
    backlog_alarm = k.metric_alarm(
        w,
        "mq-settlement-instructions-backlog",
        "AWS/AmazonMQ",
        "MessageCount",
        qd,
        "Maximum",
        1500,
        evals=5,
        description="settlement.instructions is not draining; settlement-worker may be down. Runbook: wiki/TRD/settlement",
    )
    fire_t = onset + timedelta(minutes=int((1500 - 260) / rate) + 5)
    fire_t = fire_t.replace(second=rng.randint(10, 50))
    reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints ["
        + ", ".join(str(int(260 + rate * ((fire_t - onset).total_seconds() / 60 - i))) for i in range(5))
        + "] were greater than the threshold (1500.0) "
        "(minimum 5 datapoints for OK -> ALARM transition)."
    )
    backlog_alarm["StateValue"] = "ALARM"
    backlog_alarm["StateReason"] = reason
    backlog_alarm["StateUpdatedTimestamp"] = backlog_alarm["StateTransitionedTimestamp"] = k.iso(fire_t)
    prev_t = w.start - timedelta(hours=rng.randint(20, 70))
    cpu_alarm, cpu_hist = k.flapping_cpu_alarm(w, w.instances[2])
    alarms = [
        backlog_alarm,
        cpu_alarm,
        k.metric_alarm(
            w,
            "trading-aurora-writer-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": f"{w.db_cluster}-instance-1"},
            "Average",
            80,
            period=300,
            evals=3,
        ),
        k.metric_alarm(
            w,
            "trading-mq-memory-high",
            "AWS/AmazonMQ",
            "RabbitMQMemUsed",
            {"Broker": w.broker_name},
            "Maximum",
            2.6e9,
            period=300,
            evals=2,
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
    hist = [*cpu_hist, k.history(w, backlog_alarm, fire_t, "OK", "ALARM", reason)]

    # ---------------- logs
    logs: list[k.Rec] = []
    streams = [k.task_stream("settlement-worker", rng) for _ in range(4)]
    t = w.start + timedelta(seconds=rng.randint(5, 40))
    i = 0
    while t < reboot_t:
        s = streams[i % 4]
        n = rng.randint(230, 250)
        dur = batch_s * rng.uniform(0.92, 1.12)
        logs.append(
            {
                "log_group": "/ecs/settlement-worker",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO settlement.batch: batch committed instructions={n} tso_files=3 elapsed={dur:.1f}s acked_up_to={rng.randint(10000, 99999)}",
            }
        )
        t += timedelta(seconds=rng.uniform(70, 110))
        i += 1
    t = reboot_t + timedelta(seconds=rng.randint(200, 260))
    for s in streams:
        logs.append(
            {
                "log_group": "/ecs/settlement-worker",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f'{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} WARNING aio_pika.robust_connection: Connection attempt to "amqps://trading-app:******@{w.broker_id}.mq.{w.region}.amazonaws.com:5671/" failed: [Errno 111] Connect call failed. Reconnecting after 5 seconds.',
            }
        )
        t += timedelta(seconds=rng.uniform(1, 3))
    t = onset
    broker_logs: list[k.Rec] = []
    while t < w.now:
        s = rng.choice(streams)
        ctag = "amq.ctag-" + k.hexid(rng, 22)
        logs.append(
            {
                "log_group": "/ecs/settlement-worker",
                "log_stream": s,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} ERROR settlement.consumer: channel closed while batch in flight (instructions=250, elapsed={timeout_ms / 1000 + rng.uniform(0.1, 2):.1f}s): ChannelPreconditionFailed: PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: {timeout_ms} ms. This timeout value can be configured, see consumers doc guide to learn more",
            }
        )
        logs.append(
            {
                "log_group": "/ecs/settlement-worker",
                "log_stream": s,
                "timestamp": k.ms(t + timedelta(seconds=2)),
                "message": f"{t + timedelta(seconds=2):%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} WARNING settlement.batch: rolling back 250 instructions (tx aborted, deliveries will be redelivered)",
            }
        )
        broker_logs.append(
            {
                "log_group": f"/aws/amazonmq/broker/{w.broker_id}/general",
                "log_stream": f"{w.broker_id}-{rng.randint(1, 3)}.log",
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(100000, 999999)}+00:00 [warning] <0.{rng.randint(10000, 99999)}.0> Consumer '{ctag}' on channel 1 and queue '{queue}' in vhost '/' has timed out waiting for a consumer acknowledgement of a delivery with delivery tag = 1. Timeout used: {timeout_ms} ms. This timeout value can be configured, see consumers doc guide to learn more",
            }
        )
        t += timedelta(seconds=rng.uniform(20, 40))
    # broker restart lines
    for node in (1, 2, 3):
        tt = reboot_t + timedelta(seconds=60 * node + rng.randint(0, 30))
        broker_logs.append(
            {
                "log_group": f"/aws/amazonmq/broker/{w.broker_id}/general",
                "log_stream": f"{w.broker_id}-{node}.log",
                "timestamp": k.ms(tt),
                "message": f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randint(100000, 999999)}+00:00 [info] <0.{rng.randint(200, 900)}.0> Server startup complete; 6 plugins started.",
            }
        )
    # background broker chatter
    tt = w.start + timedelta(seconds=rng.randint(0, 300))
    while tt < w.now:
        broker_logs.append(
            {
                "log_group": f"/aws/amazonmq/broker/{w.broker_id}/general",
                "log_stream": f"{w.broker_id}-{rng.randint(1, 3)}.log",
                "timestamp": k.ms(tt),
                "message": f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randint(100000, 999999)}+00:00 [info] <0.{rng.randint(10000, 99999)}.0> accepting AMQP connection <0.{rng.randint(10000, 99999)}.0> (10.40.{rng.randint(0, 47)}.{rng.randint(5, 250)}:{rng.randint(32768, 60999)} -> 10.40.{rng.randint(0, 47)}.{rng.randint(5, 250)}:5671)",
            }
        )
        tt += timedelta(seconds=rng.uniform(240, 600))
    # order-router after its deploy: healthy start
    orr = k.task_stream("order-router", rng)
    tt = onset - timedelta(minutes=2)
    logs.append(
        {
            "log_group": "/ecs/order-router",
            "log_stream": orr,
            "timestamp": k.ms(tt),
            "message": f"{tt:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z  INFO 1 --- [           main] c.e.t.router.OrderRouterApplication      : Started OrderRouterApplication in 14.218 seconds (process running for 15.9)",
        }
    )
    logs += broker_logs
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---------------- resources
    resources = k.base_resources(w)
    resources.append(
        {"service": "mq", "type": "DescribeBrokerResponse", "item": k.mq_broker(w, config_revision=cfg_rev)}
    )
    for s in k.SERVICES:
        resources.append(
            k.ecs_service(w, s, 4 if s == "settlement-worker" else 3, 4 if s == "settlement-worker" else 3)
        )
    resources.append(
        k.task_definition(
            w,
            "settlement-worker",
            {"AMQP_PREFETCH": "250", "BATCH_SIZE": "250", "QUEUE": queue, "ACK_MODE": "batch-after-commit"},
        )
    )
    for i2, iid in enumerate(w.instances):
        resources.append(k.instance_status(w, iid, k.azs(w)[i2 % 3]))

    question = (
        f"Back office says no settlement instructions have come through to the TSO nomination files since about "
        f"{onset.astimezone(ZoneInfo('Europe/Berlin')):%H:%M} and the intraday positions won't reconcile. Is the settlement worker down? "
        "Nothing deployed there today."
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
            "trigger": {
                "question": question,
                "alarm_event": k.alarm_event(w, backlog_alarm, fire_t, reason, prev_t),
                "timezone": "Europe/Berlin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": w.mq_config_id,
                    "category": "change",
                    "failure_mode": "consumer-timeout-below-batch-ack-time",
                    "event_id": culprit_id,
                },
                "also_accept": [
                    w.broker_name,
                    w.broker_id,
                    "trading-mq-rabbit-config",
                    f"{w.mq_config_id}:{cfg_rev}",
                ],
                "actions": ["rollback", "reconfigure"],
                "chain": [w.mq_config_id, w.broker_name, "settlement-worker", queue],
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
