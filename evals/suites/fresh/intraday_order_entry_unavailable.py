"""Intraday order entry fails: the exchange's order-entry API answers 503 and times out."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzzd as k

NAME = "intraday-order-entry-unavailable"
TITLE = "Traders can't get intraday orders onto the exchange; trading-api 5xx alarm after a gateway deploy"
SUMMARY = (
    "The power exchange's order-entry API starts answering 503 and hanging; order-router's retries and "
    "circuit breaker turn it into 5xx at the trading API, minutes after an unrelated trade-gateway deploy."
)

EXCHANGE = "oe-api.nordic-powerx.eu"
MARKETDATA = "md-stream.nordic-powerx.eu"
WEATHER = "api.meteofeed.io"


def build(seed: int) -> Bundle:
    w = k.make_world(seed, onset_hour_range=(7, 16))
    rng = w.rng
    onset = w.onset
    lb = w.alb_arn.split("loadbalancer/")[1]

    cloudtrail: list[k.Rec] = []
    cloudtrail += k.tooling_noise(w, 36)
    cloudtrail += k.kms_decrypt_noise(w, 4)
    deploy_t = onset - timedelta(minutes=rng.randint(8, 16))
    cloudtrail += k.ecs_deploy(w, deploy_t, "trade-gateway", "3.8." + str(rng.randint(1, 9)))
    cloudtrail += k.ecs_deploy(
        w,
        w.start + timedelta(minutes=rng.randint(20, 70)),
        "position-service",
        "1.31." + str(rng.randint(0, 9)),
    )
    cloudtrail.append(
        k.ct(
            w,
            w.start + timedelta(minutes=rng.randint(80, 140)),
            "rds.amazonaws.com",
            "ModifyDBClusterParameterGroup",
            k.human(w, "d.fischer"),
            {
                "dBClusterParameterGroupName": "trading-aurora-pg15",
                "parameters": [
                    {
                        "parameterName": "log_min_duration_statement",
                        "parameterValue": "500",
                        "applyMethod": "immediate",
                    }
                ],
            },
            {"dBClusterParameterGroupName": "trading-aurora-pg15"},
        )
    )
    cloudtrail.append(
        k.ct(
            w,
            onset + timedelta(minutes=rng.randint(12, 20)),
            "ecs.amazonaws.com",
            "UpdateService",
            k.human(w, "l.schmidt"),
            {"cluster": w.cluster, "service": "order-router", "forceNewDeployment": True},
            {
                "service": {
                    "serviceName": "order-router",
                    "serviceArn": w.arn("ecs", f"service/{w.cluster}/order-router"),
                    "taskDefinition": w.arn(
                        "ecs", f"task-definition/order-router:{w.revisions['order-router']}"
                    ),
                    "status": "ACTIVE",
                }
            },
            agent="aws-internal/3 aws-sdk-java/1.12.771 Linux/5.10 console",
        )
    )
    cloudtrail.sort(key=lambda r: r["eventTime"])

    # ---------------- metrics
    metrics = k.base_metrics(w, skip={"alb"})
    metrics += k.mq_broker_metrics(w)

    def rc(t: datetime, m: float) -> float:
        return k.diurnal(t, 2400, 500) + rng.randint(-80, 80)

    def tgt_rt(t: datetime, m: float) -> float:
        if m < 0:
            return 0.043 + rng.gauss(0, 0.004)
        return rng.uniform(1.4, 3.2)

    def t5xx(t: datetime, m: float) -> float:
        if m < 0:
            return float(rng.choice([0, 0, 0, 0, 1, 2]))
        return float(rng.randint(60, 140))

    def elb5xx(t: datetime, m: float) -> float:
        if m < 0:
            return float(rng.choice([0, 0, 0, 1]))
        return float(rng.randint(8, 30))

    metrics += k.series(w, "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb}, "Count", rc, digits=0)
    metrics += k.series(
        w, "AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb}, "Seconds", tgt_rt, digits=4
    )
    metrics += k.series(
        w, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb}, "Count", t5xx, digits=0
    )
    metrics += k.series(
        w, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": lb}, "Count", elb5xx, digits=0
    )
    # deploy: trade-gateway tasks replaced, brief CPU bump; that is all it shows
    dm = (deploy_t - onset).total_seconds() / 60
    metrics += k.series(
        w,
        "AWS/ECS",
        "RunningTaskCount",
        {"ClusterName": w.cluster, "ServiceName": "trade-gateway"},
        "Count",
        lambda t, m: 6.0 if dm + 1 <= m < dm + 4 else 3.0,
        digits=0,
    )

    # ---------------- alarms
    alarm = k.metric_alarm(
        w,
        "trading-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Sum",
        25,
        evals=3,
        description="trading-api targets returning 5xx. Owner: trading-platform",
    )
    fire_t = (onset + timedelta(minutes=3)).replace(second=rng.randint(5, 55))
    vals = [rng.randint(60, 140) for _ in range(3)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{float(vals[0])} ({(fire_t - timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), "
        f"{float(vals[1])} ({(fire_t - timedelta(minutes=2)):%d/%m/%y %H:%M:%S}), {float(vals[2])} ({(fire_t - timedelta(minutes=3)):%d/%m/%y %H:%M:%S})] "
        "were greater than the threshold (25.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    alarm.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=k.iso(fire_t),
        StateTransitionedTimestamp=k.iso(fire_t),
    )
    cpu_alarm, cpu_hist = k.flapping_cpu_alarm(w, w.instances[1])
    rt_alarm = k.metric_alarm(
        w,
        "trading-api-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Average",
        1.0,
        evals=3,
    )
    rt_t = fire_t + timedelta(seconds=rng.randint(30, 90))
    rt_reason = "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."
    rt_alarm.update(
        StateValue="ALARM",
        StateReason=rt_reason,
        StateUpdatedTimestamp=k.iso(rt_t),
        StateTransitionedTimestamp=k.iso(rt_t),
    )
    nat_alarm = k.metric_alarm(
        w,
        f"nat-port-allocation-{w.nats[0]}",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": w.nats[0]},
        "Sum",
        0,
        evals=1,
    )
    alarms = [
        alarm,
        rt_alarm,
        cpu_alarm,
        nat_alarm,
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
    ]
    hist = [
        *cpu_hist,
        k.history(w, alarm, fire_t, "OK", "ALARM", reason),
        k.history(w, rt_alarm, rt_t, "OK", "ALARM", rt_reason),
    ]

    # ---------------- logs
    logs: list[k.Rec] = []
    router_streams = [k.task_stream("order-router", rng) for _ in range(3)]
    gw_streams = [k.task_stream("trade-gateway", rng) for _ in range(3)]
    ingest = k.task_stream("price-ingest", rng)

    def jl(t: datetime) -> str:
        return f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z"

    t = w.start + timedelta(seconds=rng.randint(1, 30))
    while t < w.now:
        m = (t - onset).total_seconds() / 60
        s = rng.choice(router_streams)
        oid = f"ORD-{rng.randint(10**7, 10**8 - 1)}"
        thread = f"exec-{rng.randint(1, 40)}"
        if m < 0:
            logs.append(
                {
                    "log_group": "/ecs/order-router",
                    "log_stream": s,
                    "timestamp": k.ms(t),
                    "message": f"{jl(t)}  INFO 1 --- [nio-8080-{thread}] c.e.t.router.ExchangeClient             : POST https://{EXCHANGE}/v2/orders {oid} -> 201 CREATED in {rng.randint(38, 140)}ms",
                }
            )
            t += timedelta(seconds=rng.uniform(15, 45))
        else:
            if rng.random() < 0.55:
                msg = f"{jl(t)}  WARN 1 --- [nio-8080-{thread}] c.e.t.router.ExchangeClient             : POST https://{EXCHANGE}/v2/orders {oid} -> 503 SERVICE_UNAVAILABLE in {rng.randint(4, 60)}ms (attempt {rng.randint(1, 3)}/3) body=<html><head><title>503 Service Temporarily Unavailable</title></head>"
            else:
                msg = f'{jl(t)} ERROR 1 --- [nio-8080-{thread}] c.e.t.router.ExchangeClient             : POST https://{EXCHANGE}/v2/orders {oid} failed (attempt {rng.randint(1, 3)}/3): org.springframework.web.client.ResourceAccessException: I/O error on POST request for "https://{EXCHANGE}/v2/orders": Read timed out'
            logs.append(
                {"log_group": "/ecs/order-router", "log_stream": s, "timestamp": k.ms(t), "message": msg}
            )
            t += timedelta(seconds=rng.uniform(4, 12))
    for s in router_streams:
        tt = onset + timedelta(seconds=rng.randint(60, 150))
        logs.append(
            {
                "log_group": "/ecs/order-router",
                "log_stream": s,
                "timestamp": k.ms(tt),
                "message": f"{jl(tt)}  WARN 1 --- [nio-8080-exec-{rng.randint(1, 40)}] i.g.r.c.i.CircuitBreakerStateMachine    : Event STATE_TRANSITION published: CircuitBreaker 'exchange-oe' changed state from CLOSED to OPEN",
            }
        )
        for j in range(1, 6):
            t2 = tt + timedelta(seconds=60 * j * 2)
            if t2 >= w.now:
                break
            logs.append(
                {
                    "log_group": "/ecs/order-router",
                    "log_stream": s,
                    "timestamp": k.ms(t2),
                    "message": f"{jl(t2)}  WARN 1 --- [nio-8080-exec-{rng.randint(1, 40)}] i.g.r.c.i.CircuitBreakerStateMachine    : Event STATE_TRANSITION published: CircuitBreaker 'exchange-oe' changed state from HALF_OPEN to OPEN",
                }
            )
    # trade-gateway: started after its deploy, then forwards order-router's failures
    for s in gw_streams:
        tt = deploy_t + timedelta(seconds=rng.randint(50, 120))
        logs.append(
            {
                "log_group": "/ecs/trade-gateway",
                "log_stream": s,
                "timestamp": k.ms(tt),
                "message": f"{jl(tt)}  INFO 1 --- [           main] c.e.t.gateway.TradeGatewayApplication    : Started TradeGatewayApplication in 11.904 seconds (process running for 12.7)",
            }
        )
    t = w.start + timedelta(seconds=rng.randint(1, 60))
    while t < w.now:
        m = (t - onset).total_seconds() / 60
        s = rng.choice(gw_streams)
        if m >= 0 and rng.random() < 0.8:
            logs.append(
                {
                    "log_group": "/ecs/trade-gateway",
                    "log_stream": s,
                    "timestamp": k.ms(t),
                    "message": f'{jl(t)} ERROR 1 --- [nio-8443-exec-{rng.randint(1, 60)}] c.e.t.gateway.OrderController            : order submit failed: upstream order-router returned 503 {{"error":"EXCHANGE_UNAVAILABLE","venue":"XPWR-ID"}}',
                }
            )
            t += timedelta(seconds=rng.uniform(3, 10))
        else:
            logs.append(
                {
                    "log_group": "/ecs/trade-gateway",
                    "log_stream": s,
                    "timestamp": k.ms(t),
                    "message": f"{jl(t)}  INFO 1 --- [nio-8443-exec-{rng.randint(1, 60)}] c.e.t.gateway.OrderController            : order accepted desk={rng.choice(['DE-ID', 'NO2', 'SE3', 'FR-ID'])} qty={rng.randint(1, 50)}MW",
                }
            )
            t += timedelta(seconds=rng.uniform(20, 60))
    # price-ingest: both feeds healthy throughout (market data is served by a separate endpoint)
    t = w.start
    while t < w.now:
        logs.append(
            {
                "log_group": "/ecs/price-ingest",
                "log_stream": ingest,
                "timestamp": k.ms(t),
                "message": f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO ingest.feeds: wss://{MARKETDATA}/v1/stream ok ticks_last_5m={rng.randint(5200, 8900)}; https://{WEATHER}/v3/forecast ok status=200 latency_ms={rng.randint(80, 220)}",
            }
        )
        t += timedelta(minutes=5)
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
        resources.append(k.ecs_service(w, s2, 3, 3))
    resources.append(
        k.task_definition(
            w,
            "order-router",
            {
                "EXCHANGE_OE_URL": f"https://{EXCHANGE}/v2",
                "EXCHANGE_TIMEOUT_MS": "10000",
                "SPRING_PROFILES_ACTIVE": "prod",
            },
        )
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": w.tg_arn,
                "TargetGroupName": "trade-gateway-tg",
                "Protocol": "HTTPS",
                "Port": 8443,
                "VpcId": w.vpc,
                "HealthCheckPath": "/actuator/health",
                "TargetType": "instance",
                "LoadBalancerArns": [w.alb_arn],
            },
        }
    )
    for i, iid in enumerate(w.instances):
        resources.append(k.instance_status(w, iid, k.azs(w)[i % 3]))

    local = onset.astimezone(ZoneInfo("Europe/Oslo"))
    question = (
        f"Desk here. Since ~{local:%H:%M} our intraday orders are bouncing with 'exchange unavailable' in the "
        "trading screen. You pushed a new gateway earlier today(?) — can you roll it back or check what broke?"
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
                "alarm_event": k.alarm_event(
                    w, alarm, fire_t, reason, w.start - timedelta(hours=rng.randint(30, 90))
                ),
                "timezone": "Europe/Oslo",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": EXCHANGE,
                    "category": "dependency_failure",
                    "failure_mode": "exchange-order-entry-api-unavailable",
                },
                "also_accept": ["nordic-powerx", f"https://{EXCHANGE}/v2/orders", "exchange-oe"],
                "actions": [],
                "chain": [EXCHANGE, "order-router", "trade-gateway", w.alb_name],
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
