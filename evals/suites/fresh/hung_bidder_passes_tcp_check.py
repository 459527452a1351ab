"""One bidder's JVM wedges in full GC while the NLB's TCP health check keeps it in service."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzv import Ctx, Platform, iso

NAME = "exchange-timeouts-one-bidder-wedged"
TITLE = "Exchange says our bid timeouts jumped to ~12%, but every NLB target is healthy"
SUMMARY = (
    "One on-demand bidder exhausted its Java heap and sits in back-to-back full GCs; the port still "
    "accepts connections, so the NLB TCP health check passes and an eighth of auctions time out."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    p = Platform(c)
    c.window(19.5 + c.rng.random() * 1.5, 200, 35 + c.rng.randint(0, 12))
    onset = c.onset
    bad = p.instances[c.rng.choice([0, 1])]
    fresh = p.instances[c.rng.randint(3, 7)]
    fresh["launched"] = onset - timedelta(minutes=c.rng.randint(60, 90))
    old_id = "i-0" + c.hex(16)
    tr = p.traffic()
    share = 1 / len(p.instances)
    p.resources()
    p.table_item("PAY_PER_REQUEST")

    def cpu_bad(t: datetime) -> float:
        if t < onset - timedelta(minutes=25):
            return 50 * tr(t) / p.ssp_rps
        if t < onset:  # heap creeping up, GC work grows
            return 55 + (t - (onset - timedelta(minutes=25))).total_seconds() / 60 * 1.2
        return c.rng.uniform(96.5, 99.9)

    p.nlb_metrics()
    dims = {"LoadBalancer": p.nlb_dim}
    c.series(
        "AWS/NetworkELB",
        "TCP_Client_Reset_Count",
        dims,
        "Count",
        lambda t: c.rng.randint(20, 90) + (tr(t) * 60 * share * 0.02 if t >= onset else 0),
        integer=True,
    )
    c.series(
        "AWS/NetworkELB", "TCP_ELB_Reset_Count", dims, "Count", lambda t: c.rng.randint(0, 6), integer=True
    )
    p.ec2_metrics(cpu={bad["id"]: cpu_bad})
    p.dynamo_metrics()
    p.dax_metrics()
    p.redis_metrics()
    p.firehose_metrics(incoming_bytes=lambda t: tr(t) * 0.35 * 60 * 420 * (1 - share if t >= onset else 1))
    for inst in p.instances:
        d = {"Service": "bidder", "InstanceId": inst["id"]}

        def gone(t: datetime, i: dict = inst) -> bool:
            return (i is bad and t >= onset + timedelta(minutes=1)) or t < i["launched"]

        c.series(
            "ADX/Bidder", "BidRequests", d, "Count", lambda t: tr(t) * 60 * share, integer=True, skip=gone
        )
        c.series("ADX/Bidder", "BidLatencyP99", d, "Milliseconds", lambda t: c.rng.uniform(36, 47), skip=gone)
    c.alarm(
        "bidder-asg-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": p.asg},
        "Average",
        70.0,
        "GreaterThanThreshold",
        300,
        3,
    )
    c.series(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": p.asg},
        "Percent",
        lambda t: 52 * tr(t) / p.ssp_rps + (6 if t >= onset else 0),
        step=5,
    )
    al = c.alarm(
        "bid-nlb-client-resets",
        "AWS/NetworkELB",
        "TCP_Client_Reset_Count",
        dims,
        "Sum",
        float(int(p.ssp_rps * 60 * share * 0.012)),
        "GreaterThanThreshold",
        60,
        5,
        desc="Exchange-side resets on the bid NLB. Usually means the exchange is timing us out.",
    )
    t_alarm = onset + timedelta(minutes=7)
    reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold "
        f"({al['Threshold']}). The most recent datapoints which crossed the threshold: "
        f"[{int(tr(t_alarm) * 60 * share * 0.02)}.0 ({iso(t_alarm)[:-1]}+0000)]."
    )
    al.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(t_alarm),
        StateTransitionedTimestamp=iso(t_alarm),
    )
    c.history(al["AlarmName"], t_alarm, "OK", "ALARM", reason)
    c.alarm(
        "bid-nlb-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"LoadBalancer": p.nlb_dim, "TargetGroup": p.tg_dim},
        "Maximum",
        0.0,
        "GreaterThanThreshold",
        60,
        3,
    )
    rc = c.alarm(
        "freqcap-redis-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{p.redis}-001", "CacheNodeId": "0001"},
        "Average",
        30.0,
        "GreaterThanThreshold",
        60,
        3,
    )
    for k in range(3):
        t = c.start + timedelta(minutes=40 + 55 * k + c.rng.randint(0, 15))
        c.history(
            rc["AlarmName"],
            t,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (30.0).",
        )
        c.history(
            rc["AlarmName"],
            t + timedelta(minutes=4),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints [27.9] was not greater than the threshold (30.0).",
        )

    # Spot rebalance an hour earlier: innocent
    asg_arn = p.asg
    t_reb = fresh["launched"] - timedelta(minutes=1)
    c.event(
        "autoscaling",
        {
            "ActivityId": c.uid(),
            "AutoScalingGroupName": asg_arn,
            "Description": f"Launching a new EC2 instance: {fresh['id']}",
            "Cause": f"At {iso(t_reb)} an instance was launched in response to an EC2 instance rebalance "
            f"recommendation for instance {old_id}.",
            "StartTime": iso(t_reb),
            "EndTime": iso(fresh["launched"] + timedelta(seconds=40)),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": f'{{"Subnet ID":"{c.subnets[fresh["az"]]}","Availability Zone":"{fresh["az"]}"}}',
        },
    )
    c.event(
        "autoscaling",
        {
            "ActivityId": c.uid(),
            "AutoScalingGroupName": asg_arn,
            "Description": f"Terminating EC2 instance: {old_id}",
            "Cause": f"At {iso(t_reb + timedelta(minutes=4))} an instance was taken out of service in response to an "
            f"EC2 instance rebalance recommendation. Instance {fresh['id']} was launched to replace it.",
            "StartTime": iso(t_reb + timedelta(minutes=4)),
            "EndTime": iso(t_reb + timedelta(minutes=7)),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": f'{{"Subnet ID":"{c.subnets[fresh["az"]]}","Availability Zone":"{fresh["az"]}"}}',
        },
    )
    asv = {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"}
    c.ct(
        t_reb,
        "ec2.amazonaws.com",
        "RunInstances",
        asv,
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "instanceMarketOptions": {"marketType": "spot"},
            "launchTemplate": {"launchTemplateId": p.lt_id, "version": p.lt_version},
        },
        {"instancesSet": {"items": [{"instanceId": fresh["id"], "instanceType": fresh["type"]}]}},
    )
    c.ct(
        t_reb + timedelta(minutes=5),
        "ec2.amazonaws.com",
        "TerminateInstances",
        asv,
        {"instancesSet": {"items": [{"instanceId": old_id}]}},
        {
            "instancesSet": {
                "items": [{"instanceId": old_id, "currentState": {"code": 32, "name": "shutting-down"}}]
            }
        },
    )
    ops, deploy = p.roles["ops2"], p.roles["deploy"]
    c.ct(
        onset - timedelta(minutes=c.rng.randint(12, 30)),
        "ssm.amazonaws.com",
        "PutParameter",
        deploy,
        {"name": "/bidder/prod/floor-multipliers", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": c.rng.randint(40, 90), "tier": "Standard"},
    )
    c.ct(
        onset - timedelta(minutes=c.rng.randint(50, 80)),
        "elasticache.amazonaws.com",
        "ModifyReplicationGroup",
        ops,
        {"replicationGroupId": p.redis, "snapshotWindow": "09:00-10:00", "applyImmediately": True},
        {"replicationGroupId": p.redis, "status": "available"},
    )
    c.ct(
        onset + timedelta(minutes=14),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        ops,
        {"targetGroupArn": p.tg_arn},
        None,
        read_only=True,
    )
    p.noise_trail(30)

    gc = [0]

    def line(inst: dict, t: datetime) -> str | None:
        if t < inst["launched"]:
            return None
        stamp = f"{iso(t)[:-1]}.{c.rng.randint(100, 999)}Z"
        if inst is bad and t >= onset - timedelta(minutes=20):
            gc[0] += 1
            if t >= onset + timedelta(minutes=2):
                return None  # the process no longer gets to its logger
            if t >= onset - timedelta(minutes=2):
                return (
                    f"{stamp} ERROR [bid-worker-{c.rng.randint(1, 64)}] c.a.b.http.BidHandler - unhandled "
                    "exception in request pipeline java.lang.OutOfMemoryError: Java heap space"
                )
            return (
                f"{stamp} WARN  [stats] c.a.b.BidStats - window=60s requests={int(tr(t) * 60 * share)} "
                f"p99={c.rng.randint(60, 140)}ms gc_pause_ms={c.rng.randint(900, 3000)}"
            )
        return (
            f"{stamp} INFO  [stats] c.a.b.BidStats - window=60s requests={int(tr(t) * 60 * share)} "
            f"bids={int(tr(t) * 60 * share * 0.3)} p99={c.rng.randint(36, 47)}ms gc_pause_ms={c.rng.randint(8, 40)}"
        )

    p.app_logs(line, every=2)
    t = onset - timedelta(minutes=18)
    n = c.rng.randint(41000, 52000)
    while t <= c.now:
        pause = c.rng.uniform(250, 700) if t < onset else c.rng.uniform(3100, 5200)
        full = (
            "Pause Full (G1 Compaction Pause)"
            if t >= onset - timedelta(minutes=4)
            else "Pause Young (Mixed) (G1 Evacuation Pause)"
        )
        used = c.rng.randint(7700, 8150)
        c.log(
            "/adx/bidder",
            f"{bad['id']}/gc.log",
            t,
            f"[{iso(t)[:-1]}.{t.microsecond // 1000:03d}+0000][gc] GC({n}) {full} {used}M->{used - c.rng.randint(1, 30)}M(8192M) {pause:.3f}ms",
        )
        n += 1
        t += timedelta(seconds=(pause / 1000) + c.rng.uniform(1, 8) if t >= onset else c.rng.uniform(15, 40))
    trig = {
        "question": (
            f"Our exchange partner says our bid timeout rate went from under 1% to around 12% starting "
            f"about {onset.astimezone(ZoneInfo('America/New_York')).strftime('%-I:%M')}pm. NLB shows all {len(p.instances)} targets "
            "healthy and the dashboards look fine. Is it the NLB? What changed?"
        ),
        "alarm_event": None,
        "timezone": "America/New_York",
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": bad["id"],
            "category": "component_failure",
            "failure_mode": "jvm-heap-exhaustion-hung-process-passes-tcp-health-check",
        },
        "also_accept": [bad["ip"]],
        "actions": ["restart", "exclude"],
        "chain": [bad["id"], p.tg_name, p.nlb_name],
    }
    return c.bundle(TITLE, trig, truth)
