"""Tour on-sale: seat holds throttled once the inventory table's write capacity reaches its auto-scaling maximum."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzj import (
    Estate,
    Kit,
    app_logs,
    iso,
    minutes,
    ms,
    pick_day,
    sale_curve,
    std_metrics,
)

NAME = "onsale-seat-holds-throttled"
TITLE = "Tour on-sale at 10:00: fans stuck on 'Holding your seats' then 'high demand, try again'"
SUMMARY = (
    "Compute was pre-scaled for the on-sale, but the seat-inventory table's provisioned writes hit the "
    "auto-scaling MaxCapacity within minutes; UpdateItem calls are throttled and holds fail with 503s."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "tixora")
    r = k.rng
    sale = pick_day(r, r.choice([9, 10]), 0)
    start = sale - timedelta(hours=3, minutes=r.randint(30, 50))
    now = sale + timedelta(minutes=r.randint(36, 50))
    est = Estate(k, start, n_instances=12)
    wcu_max = r.choice([4000, 5000, 6000])
    base = r.uniform(2400, 3600)
    peak = r.uniform(70000, 110000)
    prep = sale - timedelta(minutes=r.randint(45, 70))
    est.desired = {"web": 14, "checkout-api": 12, "order-worker": 6}

    def rpm(t: datetime) -> float:
        return sale_curve(t, sale, peak, base)

    times = minutes(start, now)
    # write demand (WCU a second) for holds: the UpdateItem calls each cost a few units
    factor = r.uniform(2.2, 2.7)
    demand = {
        t: (base * 0.3 * 0.9 + (max(0.0, rpm(t) - base) if t >= sale else 0.0) / peak * wcu_max * 60 * factor)
        * r.uniform(0.97, 1.03)
        for t in times
    }

    prov: dict[datetime, float] = {}
    steps = [
        (sale + timedelta(minutes=3, seconds=r.randint(0, 50)), min(wcu_max, 3000)),
        (sale + timedelta(minutes=6, seconds=r.randint(0, 50)), wcu_max),
    ]
    for t in times:
        v = 1500.0
        for at, val in steps:
            if t >= at:
                v = float(val)
        prov[t] = v

    def consumed(t: datetime) -> float:
        cap = prov[t] * 60 * (1.0 if t > sale + timedelta(minutes=2) else 1.6)  # burst capacity early on
        return min(demand[t], cap * r.uniform(0.96, 0.995))

    def throttles(t: datetime) -> float | None:
        over = demand[t] - prov[t] * 60 * (1.0 if t > sale + timedelta(minutes=2) else 1.6)
        if over <= 0:
            return None
        return over / 7.5 * r.uniform(0.5, 0.6)

    thr = {t: throttles(t) for t in times}
    hold_fail = {t: (thr[t] or 0.0) * 0.3 for t in times}

    def c5xx(t: datetime) -> float | None:
        if hold_fail[t] > 0:
            return hold_fail[t]
        return float(r.randint(1, 3)) if r.random() < 0.06 else None

    def lat(t: datetime) -> float:
        if hold_fail[t] > 0:
            return k.noisy(1.9, 0.1)
        return k.noisy(0.12 + 0.00001 * rpm(t) * 0.3, 0.08)

    def after_sale(t: datetime) -> bool:
        return t >= sale

    d = std_metrics(
        est,
        times,
        rpm,
        {
            "inv_wcu": consumed,
            "inv_prov_wcu": lambda t: prov[t],
            "inv_write_throttles": lambda t: thr[t],
            "inv_rcu": lambda t: k.noisy(rpm(t) * 0.6, 0.05),
            "inv_prov_rcu": lambda t: 3000.0 if t < sale + timedelta(minutes=4) else 4500.0,
            "checkout_5xx": c5xx,
            "checkout_latency": lat,
            "cpu_checkout-api": lambda t: min(95.0, k.noisy(8 + 48 * rpm(t) / peak, 0.06)),
            "cpu_web": lambda t: min(95.0, k.noisy(10 + 55 * rpm(t) / peak, 0.06)),
            "cpu_reservation": lambda t: (
                100.0
                * 512
                * (32 if t >= prep + timedelta(minutes=4) else 15)
                / (4096 * (12 if t >= prep + timedelta(minutes=5) else 6))
            ),
            "redis_cpu": lambda t: min(90.0, k.noisy(4 + 38 * rpm(t) / peak, 0.06)),
            "redis_conns": lambda t: float(int(k.noisy(26 * (26 if t >= prep else 12), 0.03))),
            "web_healthy": lambda t: 14.0 if t >= prep + timedelta(minutes=6) else 6.0,
            "checkout_healthy": lambda t: 12.0 if t >= prep + timedelta(minutes=6) else 6.0,
            "q_sent": lambda t: k.noisy(rpm(t) * 0.3 * 0.05 * (0.35 if hold_fail[t] > 0 else 1), 0.08),
            "q_deleted": lambda t: k.noisy(rpm(t) * 0.3 * 0.05 * (0.35 if hold_fail[t] > 0 else 1), 0.08),
            "q_visible": lambda t: float(r.randint(0, 40 if after_sale(t) else 4)),
            "q_age": lambda t: float(r.randint(2, 25 if after_sale(t) else 9)),
            "waf_blocked_rate": lambda t: k.noisy(rpm(t) * 0.03, 0.2) if after_sale(t) else None,
            "waf_blocked": lambda t: k.noisy(rpm(t) * (0.034 if after_sale(t) else 0.004) + 3, 0.2),
            "waf_allowed": lambda t: k.noisy(rpm(t) * (0.966 if after_sale(t) else 0.995), 0.04),
        },
    )

    # --- changes before the sale (compute prepared, WAF tightened), auto scaling during it
    eng = k.sso(r.choice(["maya.osei", "dan.whitlock", "lena.kowalski"]))
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    for svc, n in (("web", 14), ("checkout-api", 12)):
        k.ct(
            prep + timedelta(seconds=r.randint(0, 90)),
            "ecs.amazonaws.com",
            "UpdateService",
            eng,
            {"cluster": est.cluster, "service": svc, "desiredCount": n},
            {
                "service": {
                    "serviceArn": est.service_arn(svc),
                    "serviceName": svc,
                    "clusterArn": est.cluster_arn,
                    "desiredCount": n,
                    "status": "ACTIVE",
                }
            },
            agent=console,
        )
        est.ecs_event(
            svc,
            prep + timedelta(minutes=2),
            f"(service {svc}) has started {n - 6} tasks: "
            + " ".join(f"(task {k.hexid(32)})" for _ in range(n - 6))
            + ".",
        )
        est.ecs_event(svc, prep + timedelta(minutes=7), f"(service {svc}) has reached a steady state.")
    k.ct(
        prep + timedelta(minutes=2),
        "application-autoscaling.amazonaws.com",
        "RegisterScalableTarget",
        eng,
        {
            "serviceNamespace": "ecs",
            "resourceId": f"service/{est.cluster}/order-worker",
            "scalableDimension": "ecs:service:DesiredCount",
            "minCapacity": 6,
            "maxCapacity": 24,
        },
        {"scalableTargetARN": k.arn("application-autoscaling", f"scalable-target/{k.hexid(36)}")},
        agent=console,
    )
    asg_role = k.role("AWSServiceRoleForECS", "ecs-managed-scaling", invoked_by="ecs.amazonaws.com")
    k.ct(
        prep + timedelta(minutes=2, seconds=30),
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        asg_role,
        {"autoScalingGroupName": est.asg, "desiredCapacity": 12, "honorCooldown": False},
        None,
    )
    launched = {}
    for i in est.instances[6:]:
        launched[i] = prep + timedelta(minutes=3, seconds=r.randint(0, 40))
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": est.asg,
                "Description": f"Launching a new EC2 instance: {i}",
                "Cause": f"At {iso(prep + timedelta(minutes=2, seconds=30))} a user request update of AutoScalingGroup constraints to min: 3, max: 18, desired: 12 changing the desired capacity from 6 to 12.  At {iso(prep + timedelta(minutes=2, seconds=40))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 6 to 12.",
                "StartTime": iso(launched[i]),
                "EndTime": iso(launched[i] + timedelta(seconds=r.randint(35, 70))),
                "StatusCode": "Successful",
                "Progress": 100,
            },
        )
    secops = k.sso(r.choice(["priya.nair", "tom.hendry"]), "SecurityOps")
    acl_at = sale - timedelta(minutes=r.randint(20, 35))
    acl = est.web_acl(1000)
    k.ct(
        acl_at - timedelta(seconds=50),
        "wafv2.amazonaws.com",
        "GetWebACL",
        secops,
        {"name": est.acl, "scope": "REGIONAL", "id": est.acl_id},
        None,
        read_only=True,
        agent=console,
    )
    k.ct(
        acl_at,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        secops,
        {
            "name": est.acl,
            "scope": "REGIONAL",
            "id": est.acl_id,
            "defaultAction": {"allow": {}},
            "rules": [{"name": x["Name"], "priority": x["Priority"]} for x in acl["Rules"]],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": est.acl,
            },
            "lockToken": k.uid(),
        },
        {"nextLockToken": k.uid()},
        agent=console,
    )
    aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    policy = f"DynamoDBWriteCapacityUtilization:table/{est.inventory_table}"
    alarm_high = f"TargetTracking-table/{est.inventory_table}-AlarmHigh-{k.uid()}"
    prev = 1500
    for at, val in steps:
        if val == prev:
            continue
        k.ct(
            at - timedelta(seconds=8),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            aas,
            {
                "tableName": est.inventory_table,
                "provisionedThroughput": {"readCapacityUnits": 3000, "writeCapacityUnits": val},
            },
            None,
        )
        k.event(
            "application_autoscaling",
            {
                "ActivityId": k.uid(),
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{est.inventory_table}",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "Description": f"Setting write capacity units to {val}.",
                "Cause": f"monitor alarm {alarm_high} in state ALARM triggered policy {policy}",
                "StartTime": iso(at - timedelta(seconds=10)),
                "EndTime": iso(at + timedelta(seconds=r.randint(30, 90))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set write capacity units to {val}. Change successfully fulfilled by dynamodb.",
            },
        )
        prev = val
    rcu_at = sale + timedelta(minutes=4)
    k.ct(
        rcu_at,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        aas,
        {
            "tableName": est.inventory_table,
            "provisionedThroughput": {"readCapacityUnits": 4500, "writeCapacityUnits": wcu_max},
        },
        None,
    )
    est.tooling_noise(start, now)
    est.steady_state_events(start - timedelta(hours=10), prep)
    dd_eng = k.sso("dan.whitlock" if "dan" not in eng["arn"] else "maya.osei", "Developer")
    for off in (12, 15, 22):
        t = sale + timedelta(minutes=off, seconds=r.randint(0, 50))
        k.ct(
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            dd_eng,
            {"cluster": est.cluster, "services": ["checkout-api"]},
            None,
            read_only=True,
            agent=console,
        )
        k.ct(
            t + timedelta(seconds=20),
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            dd_eng,
            {"replicationGroupId": est.redis},
            None,
            read_only=True,
            agent=console,
        )

    # --- logs
    app_logs(est, "web", times, rpm)
    app_logs(est, "order-worker", times, rpm, every=4)
    grp = f"/ecs/{k.brand}/checkout-api"
    streams = [f"ecs/checkout-api/{x}" for x in est.task_ids["checkout-api"]]
    app_logs(est, "checkout-api", [t for t in times if hold_fail[t] == 0], rpm)
    for t in times:
        if hold_fail[t] == 0:
            continue
        for s in r.sample(streams, 4):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            host = s[-32:][:12]
            rid = k.hexid(8)
            evno = r.randint(100000, 999999)
            k.log(
                grp,
                s,
                at,
                json.dumps(
                    {
                        "level": 50,
                        "time": ms(at),
                        "pid": 1,
                        "hostname": host,
                        "reqId": rid,
                        "err": {
                            "type": "ProvisionedThroughputExceededException",
                            "message": "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
                            "name": "ProvisionedThroughputExceededException",
                            "$fault": "client",
                            "$metadata": {
                                "httpStatusCode": 400,
                                "requestId": k.upper(52),
                                "attempts": 3,
                                "totalRetryDelay": r.randint(180, 900),
                            },
                        },
                        "table": est.inventory_table,
                        "eventId": evno,
                        "op": "UpdateItem",
                        "msg": "seat hold failed",
                    }
                ),
            )
            k.log(
                grp,
                s,
                at + timedelta(milliseconds=5),
                json.dumps(
                    {
                        "level": 40,
                        "time": ms(at) + 5,
                        "pid": 1,
                        "hostname": host,
                        "reqId": rid,
                        "req": {"method": "POST", "url": "/api/holds"},
                        "res": {"statusCode": 503},
                        "responseTime": r.randint(900, 2600),
                        "msg": "request completed",
                    }
                ),
            )
            if r.random() < 0.5:
                ok_at = at + timedelta(milliseconds=r.randint(20, 900))
                k.log(
                    grp,
                    s,
                    ok_at,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(ok_at),
                            "pid": 1,
                            "hostname": host,
                            "req": {"method": "POST", "url": "/api/holds"},
                            "res": {"statusCode": 201},
                            "responseTime": r.randint(40, 600),
                            "msg": "request completed",
                        }
                    ),
                )

    # --- resources
    est.write_resources(
        now,
        {
            "inventory_throughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 4500,
                "WriteCapacityUnits": wcu_max,
                "LastIncreaseDateTime": iso(steps[-1][0]),
                "LastDecreaseDateTime": iso(sale - timedelta(hours=r.randint(14, 40))),
            },
            "inventory_wcu_max": wcu_max,
            "launch": launched,
            "queue_depth": r.randint(10, 40),
        },
    )
    k.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": k.arn(
                "autoscaling",
                f"scalingPolicy:{k.uid()}:resource/dynamodb/table/{est.inventory_table}:policyName/{policy}",
            ),
            "PolicyName": policy,
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{est.inventory_table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [{"AlarmName": alarm_high, "AlarmARN": k.arn("cloudwatch", f"alarm:{alarm_high}")}],
            "CreationTime": iso(est.created),
        },
    )

    # --- alarms
    tgc = {"TargetGroup": est.tg["checkout-api"], "LoadBalancer": est.alb_dim}
    ev = k.alarm(
        f"{k.brand}-checkout-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgc,
        "Sum",
        100,
        "GreaterThanThreshold",
        d["checkout_5xx"],
        start,
        now,
        evals=3,
        description="checkout-api target 5xx > 100/min for 3 min",
    )
    k.alarm(
        f"{k.brand}-checkout-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgc,
        "Average",
        1.5,
        "GreaterThanThreshold",
        d["checkout_latency"],
        start,
        now,
        evals=5,
    )
    k.alarm(
        f"{k.brand}-waf-rate-limit-blocks",
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": est.acl, "Region": k.region, "Rule": "rate-limit-per-ip"},
        "Sum",
        5000,
        "GreaterThanThreshold",
        d["waf_blocked_rate"],
        start,
        now,
        period=300,
        evals=1,
        page=False,
    )
    k.alarm(
        f"{k.brand}-holds-redis-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": est.redis_nodes[0], "CacheNodeId": "0001"},
        "Average",
        75,
        "GreaterThanThreshold",
        d["redis_cpu"],
        start,
        now,
        evals=5,
        page=False,
    )
    k.alarm(
        f"{k.brand}-order-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": est.queue},
        "Maximum",
        600,
        "GreaterThanThreshold",
        d["q_age"],
        start,
        now,
        period=300,
        evals=2,
    )
    k.alarm(
        f"{k.brand}-ecs-cpu-reservation",
        "AWS/ECS",
        "CPUReservation",
        {"ClusterName": est.cluster},
        "Maximum",
        85,
        "GreaterThanThreshold",
        d["cpu_reservation"],
        start,
        now,
        period=300,
        evals=2,
        page=False,
    )

    asked = sale + timedelta(minutes=r.randint(20, 30))
    question = (
        f"Big on-sale started at {sale:%H:%M} and fans are stuck on 'Holding your seats…' then get 'Seats are in "
        f"high demand, please try again'. We scaled ECS up at {prep:%H:%M} so it shouldn't be capacity. Is the "
        f"WAF rate limit we tightened blocking real fans? It's {asked:%H:%M} now, please hurry."
    )
    table_arn = k.arn("dynamodb", f"table/{est.inventory_table}")
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {"question": question, "alarm_event": ev, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": est.inventory_table,
                "category": "limit",
                "failure_mode": "dynamodb-write-capacity-at-autoscaling-max",
            },
            "also_accept": [table_arn, f"table/{est.inventory_table}"],
            "actions": ["scale", "reconfigure"],
            "chain": [est.inventory_table, "checkout-api", est.tg_arn["checkout-api"], est.alb_arn],
        },
    )
