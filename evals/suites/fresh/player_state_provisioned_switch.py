"""Game progress stops saving during the evening peak: the player-state table was moved from on-demand
to provisioned capacity by a cost review, with write capacity far below the evening's write rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzl import Env, Mods, iso, standard_metrics

NAME = "player-state-provisioned-switch"
TITLE = "Players say XP and loot are not saving after matches; backend looks up"
SUMMARY = "A cost-review UpdateTable switched the player-state table to provisioned capacity below the evening write rate; progress saves throttle."


def build(seed: int) -> Bundle:
    a = Env(seed)
    r = a.rng
    a.make_instances(r.choice([9, 12]))
    peak = r.randint(5200, 7400)
    rcu_prov = int(round(peak * 0.9 * r.uniform(1.3, 1.6) / 100) * 100)
    change = a.onset - timedelta(minutes=r.randint(4, 7))
    wcu_prov = int(round(peak * a.load(a.onset) * 0.42 * r.uniform(0.62, 0.75) / 50) * 50)
    grp = f"/{a.game}/gameserver"

    # per-second write demand at peak is players*0.42 (see standard_metrics); capacity limits consumed writes
    def mod(key: str, t: datetime, v: float) -> float | None:
        if key == "ddb.write" and t >= a.onset:
            return float(round(min(v, wcu_prov * 60 * r.uniform(0.97, 1.0))))
        if key == "ddb.lat.PutItem" and t >= a.onset:
            return v * 1.3
        if key == "ddb.lat.UpdateItem" and t >= a.onset:
            return v * 1.3
        return v

    standard_metrics(a, peak, Mods(mod))
    table_dims = {"TableName": a.table}
    for t in a.minutes():
        if t >= change:
            a.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", table_dims, t, float(wcu_prov), "Count")
            a.metric("AWS/DynamoDB", "ProvisionedReadCapacityUnits", table_dims, t, float(rcu_prov), "Count")
        if t >= a.onset:
            demand = peak * a.load(t) * 0.42 * 60
            excess = max(0.0, demand - wcu_prov * 60)
            thr = round(excess / 1.6 * r.uniform(0.9, 1.1))
            a.metric("AWS/DynamoDB", "WriteThrottleEvents", table_dims, t, float(thr), "Count")
            for op, share in (("UpdateItem", 0.7), ("PutItem", 0.3)):
                a.metric(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": a.table, "Operation": op},
                    t,
                    float(round(thr / 1.3 * share)),
                    "Count",
                )
        # saves the game reports as failed (EMF, published only when non-zero)
        if t >= a.onset + timedelta(minutes=1):
            fails = round(peak * a.load(t) * 0.02 * r.uniform(0.7, 1.3))
            a.metric(
                f"{a.game.capitalize()}/GameServer",
                "ProgressSaveFailures",
                {"AutoScalingGroupName": a.asg},
                t,
                float(fails),
                "Count",
            )
        elif r.random() < 0.04:
            a.metric(
                f"{a.game.capitalize()}/GameServer",
                "ProgressSaveFailures",
                {"AutoScalingGroupName": a.asg},
                t,
                1.0,
                "Count",
            )

    table_billing: dict[str, Any] = {
        "BillingModeSummary": {
            "BillingMode": "PROVISIONED",
            "LastUpdateToPayPerRequestDateTime": "2024-03-11T10:00:00Z",
        },
        "ProvisionedThroughput": {
            "LastIncreaseDateTime": iso(change),
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": rcu_prov,
            "WriteCapacityUnits": wcu_prov,
        },
    }
    a.add_estate(desired=len(a.instances), min_size=6, max_size=24, table_billing=table_billing)

    # logs: the normal hum, then save failures from every server
    a.gs_log_hum()
    for ins in a.instances:
        t = a.onset + timedelta(seconds=r.randint(20, 120))
        while t < a.end:
            pid = "p_" + a.hex(12)
            rid = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(52))
            a.log(
                grp,
                f"{ins['id']}/gameserver.log",
                t,
                f"{iso(t)[:-1]}.{r.randint(100, 999)}Z ERROR progress: save failed player={pid} match=m-{a.hex(10)} attempt=3/3: "
                f"operation error DynamoDB: UpdateItem, exceeded maximum number of attempts, 3, https response error StatusCode: 400, "
                f"RequestID: {rid}, ProvisionedThroughputExceededException: The level of configured provisioned throughput for the "
                f"table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
            )
            if r.random() < 0.3:
                a.log(
                    grp,
                    f"{ins['id']}/gameserver.log",
                    t + timedelta(milliseconds=4),
                    f"{iso(t)[:-1]}.{r.randint(100, 999)}Z WARN  progress: queued save for player={pid} in memory (pending=%d)"
                    % r.randint(3, 60),
                )
            t += timedelta(seconds=r.randint(8, 40))
    # a handful of ordinary failures before (conditional check on stale writes)
    for _ in range(6):
        ins = r.choice(a.instances)
        t = a.start + timedelta(seconds=r.randint(0, int((a.onset - a.start).total_seconds())))
        a.log(
            grp,
            f"{ins['id']}/gameserver.log",
            t,
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z WARN  progress: stale write dropped player=p_{a.hex(12)}: operation error DynamoDB: UpdateItem, "
            f"https response error StatusCode: 400, RequestID: {a.hex(20).upper()}, ConditionalCheckFailedException: The conditional request failed",
        )

    # CloudTrail: hum, an innocent deploy 90 min before, an innocent SG edit, the culprit
    a.background_trail(40)
    a.deploy(
        a.onset - timedelta(minutes=r.randint(80, 110)),
        a.lt_version + 1,
        f"build {a.build} hotfix shop ui",
        "build hotfix",
    )
    admin = a.sso(0)
    tsg = a.onset - timedelta(minutes=r.randint(25, 40))
    a.trail(
        tsg,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        admin,
        {
            "groupId": a.sg_redis,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "10.40.200.0/24", "description": "analytics batch subnet"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": a.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": a.account,
                        "groupId": a.sg_redis,
                        "securityGroupRuleId": "sgr-" + a.hex(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "cidrIpv4": "10.40.200.0/24",
                        "description": "analytics batch subnet",
                    }
                ]
            },
        },
    )
    fin = a.sso(2)
    a.trail(
        change - timedelta(minutes=3),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        fin,
        {"tableName": a.table},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    )
    a.trail(
        change - timedelta(minutes=2),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        fin,
        {"tableName": a.table2},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    )
    culprit = a.trail(
        change,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        fin,
        {
            "tableName": a.table,
            "billingMode": "PROVISIONED",
            "provisionedThroughput": {"readCapacityUnits": rcu_prov, "writeCapacityUnits": wcu_prov},
        },
        {
            "tableDescription": {
                "tableName": a.table,
                "tableStatus": "UPDATING",
                "tableArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table}",
                "billingModeSummary": {"billingMode": "PROVISIONED"},
                "provisionedThroughput": {
                    "readCapacityUnits": rcu_prov,
                    "writeCapacityUnits": wcu_prov,
                    "numberOfDecreasesToday": 0,
                    "lastIncreaseDateTime": iso(change),
                },
            }
        },
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    )

    # alarms: nobody alarmed on throttles of an on-demand table; a CPU alarm flaps; Redis memory fine
    a.alarm(
        f"{a.game}-gs-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"LoadBalancer": a.nlb_dim, "TargetGroup": a.tg_dim},
        "Maximum",
        "GreaterThanThreshold",
        0,
        3,
        description="Game server targets failing NLB health checks",
    )
    a.alarm(
        f"{a.game}-sessions-memory",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": a.redis_nodes[0], "CacheNodeId": "0001"},
        "Maximum",
        "GreaterThanThreshold",
        85,
        5,
        topic="alerts-low",
    )
    fl = [a.start + timedelta(minutes=r.randint(30, 60))]
    a.alarm(
        f"{a.game}-matchhistory-latency",
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": a.table2, "Operation": "Query"},
        "Average",
        "GreaterThanThreshold",
        25,
        2,
        topic="alerts-low",
        missing="notBreaching",
        transitions=[
            (
                fl[0],
                "ALARM",
                f"Threshold Crossed: 2 out of the last 2 datapoints [31.4 ({iso(fl[0])}), 27.9 ({iso(fl[0] - timedelta(minutes=1))})] were greater than the threshold (25.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                fl[0] + timedelta(minutes=4),
                "OK",
                f"Threshold Crossed: 1 out of the last 2 datapoints [12.1 ({iso(fl[0] + timedelta(minutes=3))})] was not greater than the threshold (25.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    sf = a.onset + timedelta(minutes=r.randint(6, 9))
    saves = a.alarm(
        f"{a.game}-progress-save-failures",
        f"{a.game.capitalize()}/GameServer",
        "ProgressSaveFailures",
        {"AutoScalingGroupName": a.asg},
        "Sum",
        "GreaterThanThreshold",
        50,
        5,
        missing="notBreaching",
        description="Game servers failing to persist player progress",
        transitions=[
            (
                sf,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (50.0) (minimum 5 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    for t in a.minutes(5):
        if t.minute % 10 == 0:
            a.trail(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                a.role_ident("DatadogIntegrationRole", "DatadogAWSIntegration"),
                {"maxRecords": 100},
                None,
                read_only=True,
            )

    local = a.local
    seen = (a.onset + timedelta(minutes=r.randint(10, 20))).astimezone(ZoneInfo(local))
    q = (
        f"community team says players on discord are complaining their xp and loot from matches isn't saving, started maybe around "
        f"{seen:%-I:%M}{seen:%p}".lower()
        + "? matchmaking and matches themselves seem fine. is the game backend having problems?"
    )
    trigger = {
        "question": q,
        "alarm_event": a.alarm_event(saves, sf, saves["StateReason"], a.start - timedelta(days=3)),
        "timezone": local,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": a.table,
            "category": "change",
            "failure_mode": "on-demand-to-provisioned-under-capacity",
            "event_id": culprit,
        },
        "also_accept": [f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table}"],
        "actions": ["rollback", "scale"],
        "chain": [a.table, a.asg, f"{a.game}-progress-save-failures"],
    }
    return a.bundle(TITLE, trigger, truth)
