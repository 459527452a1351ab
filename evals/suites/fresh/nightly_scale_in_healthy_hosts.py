"""No fault: the nightly scheduled scale-in drains a third of the game servers (matches finish first via a
lifecycle hook), the NLB's healthy-host count drops below the alarm threshold, and the on-call is paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzl import Env, Mods, iso, standard_metrics

NAME = "nightly-scale-in-healthy-hosts"
TITLE = "Game NLB healthy hosts alarm in the small hours: did we lose game servers?"
SUMMARY = "The nightly scheduled scale-in drained game servers as designed; the healthy-host alarm fires every night."


def build(seed: int) -> Bundle:
    a = Env(seed, hours_before=3.7, minutes_after=40)
    r = a.rng
    sched_hour = r.choice([3, 4, 5])
    nd = a.day + timedelta(days=1)
    a.onset = datetime(nd.year, nd.month, nd.day, sched_hour, 0, tzinfo=a.tz).astimezone(UTC)
    a.start = a.onset - timedelta(hours=3, minutes=40)
    a.now = a.onset + timedelta(minutes=r.randint(38, 55))
    a.end = a.now + timedelta(minutes=10)
    day_n = r.choice([12, 14, 16])
    night_n = day_n - r.choice([4, 6])
    a.make_instances(day_n)
    victims = a.instances[night_n:]
    finish: dict[str, datetime] = {}
    for k, ins in enumerate(victims):
        finish[ins["id"]] = a.onset + timedelta(seconds=30 + k * 7 + r.randint(120, 780))
        ins["stopped"] = finish[ins["id"]] + timedelta(seconds=r.randint(5, 20))
    peak = r.randint(5000, 7000)
    grp = f"/{a.game}/gameserver"

    def healthy_at(t: datetime) -> int:
        return day_n if t < a.onset + timedelta(seconds=20) else night_n

    def mod(key: str, t: datetime, v: float) -> float | None:
        if key == "healthy":
            return float(healthy_at(t))
        if key.startswith("cpu:") and key[4:] in finish:
            if t > finish[key[4:]] + timedelta(seconds=30):
                return None
            if t >= a.onset:
                return round(v * 0.5, 2)
        if key.startswith("cpu:") and t >= a.onset:
            return round(v * day_n / night_n * 0.9, 2)
        return v

    standard_metrics(a, peak, Mods(mod), hosts=day_n)
    for ins in victims:
        ins["state"] = "terminated"
    a.add_estate(
        desired=night_n,
        min_size=night_n,
        max_size=24,
        extra_asg={"TerminationPolicies": ["OldestLaunchTemplate", "Default"]},
    )
    running = a.instances[:night_n]
    a.res(
        "autoscaling",
        "ScheduledUpdateGroupAction",
        {
            "AutoScalingGroupName": a.asg,
            "ScheduledActionName": "nightly-scale-in",
            "ScheduledActionARN": f"arn:aws:autoscaling:{a.region}:{a.account}:scheduledUpdateGroupAction:{a.uuid()}:autoScalingGroupName/{a.asg}:scheduledActionName/nightly-scale-in",
            "Time": iso(a.onset + timedelta(days=1)),
            "StartTime": iso(a.onset + timedelta(days=1)),
            "Recurrence": f"0 {sched_hour} * * *",
            "MinSize": night_n,
            "DesiredCapacity": night_n,
            "TimeZone": a.local,
        },
    )
    a.res(
        "autoscaling",
        "ScheduledUpdateGroupAction",
        {
            "AutoScalingGroupName": a.asg,
            "ScheduledActionName": "morning-scale-out",
            "ScheduledActionARN": f"arn:aws:autoscaling:{a.region}:{a.account}:scheduledUpdateGroupAction:{a.uuid()}:autoScalingGroupName/{a.asg}:scheduledActionName/morning-scale-out",
            "Time": iso(a.onset + timedelta(hours=3)),
            "StartTime": iso(a.onset + timedelta(hours=3)),
            "Recurrence": f"0 {sched_hour + 3} * * *",
            "MinSize": day_n,
            "DesiredCapacity": day_n,
            "TimeZone": a.local,
        },
    )
    a.res(
        "autoscaling",
        "LifecycleHook",
        {
            "LifecycleHookName": "drain-matches",
            "AutoScalingGroupName": a.asg,
            "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
            "HeartbeatTimeout": 900,
            "GlobalTimeout": 90000,
            "DefaultResult": "CONTINUE",
        },
    )

    # scaling activities and target-health timeline
    for ins in a.instances:
        a.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_arn,
                    "target": {"Id": ins["id"], "Port": 7777, "AvailabilityZone": ins["az"]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(a.start),
                },
            }
        )
    for ins in victims:
        a.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_arn,
                    "target": {"Id": ins["id"], "Port": 7777, "AvailabilityZone": ins["az"]},
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": iso(a.onset + timedelta(seconds=r.randint(3, 12))),
                },
            }
        )
        a.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_arn,
                    "target": {"Id": ins["id"], "Port": 7777, "AvailabilityZone": ins["az"]},
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(finish[ins["id"]] + timedelta(seconds=r.randint(1, 5))),
                },
            }
        )
        a.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": a.uuid(),
                    "AutoScalingGroupName": a.asg,
                    "Description": f"Terminating EC2 instance: {ins['id']}",
                    "Cause": f"At {iso(a.onset)} a scheduled action update of AutoScalingGroup constraints to min: {night_n}, max: 24, desired: {night_n} changing the desired capacity from {day_n} to {night_n}.  At {iso(a.onset + timedelta(seconds=2))} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {day_n} to {night_n}.  At {iso(a.onset + timedelta(seconds=2))} instance {ins['id']} was selected for termination.",
                    "StartTime": iso(a.onset + timedelta(seconds=2)),
                    "EndTime": iso(ins["stopped"] + timedelta(seconds=40)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": '{{"Subnet ID":"{}","Availability Zone":"{}"}}'.format(
                        ins["subnet"], ins["az"]
                    ),
                },
            }
        )
    # the same scale-out and scale-in on previous days, as Auto Scaling keeps six weeks of activities
    for back in (1, 2):
        tt = a.onset - timedelta(days=back)
        a.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": a.uuid(),
                    "AutoScalingGroupName": a.asg,
                    "Description": f"Terminating EC2 instance: i-{a.hex(17)}",
                    "Cause": f"At {iso(tt)} a scheduled action update of AutoScalingGroup constraints to min: {night_n}, max: 24, desired: {night_n} changing the desired capacity from {day_n} to {night_n}.  At {iso(tt + timedelta(seconds=2))} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {day_n} to {night_n}.",
                    "StartTime": iso(tt + timedelta(seconds=2)),
                    "EndTime": iso(tt + timedelta(minutes=r.randint(4, 14))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                },
            }
        )

    # logs: quiet night hum, the drain on terminating servers, busier remaining servers
    for ins in victims:
        ins["state"] = "running"
    a.gs_log_hum(every_min=11)
    for ins in victims:
        ins["state"] = "terminated"
    a.logs = [
        e
        for e in a.logs
        if e["log_stream"].split("/")[0] not in finish or e["timestamp"] < int(a.onset.timestamp() * 1000)
    ]
    for ins in victims:
        stream = f"{ins['id']}/gameserver.log"
        t = a.onset + timedelta(seconds=r.randint(4, 15))
        inflight = r.randint(1, 3)
        a.log(
            grp,
            stream,
            t,
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  lifecycle: termination notice for {ins['id']} (hook drain-matches), marking server draining; {inflight} match(es) in progress",
        )
        a.log(
            grp,
            stream,
            t + timedelta(seconds=1),
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  http: /healthz now reports draining (503)",
        )
        te = finish[ins["id"]] - timedelta(seconds=3)
        a.log(
            grp,
            stream,
            te,
            f"{iso(te)[:-1]}.{r.randint(100, 999)}Z INFO  match m-{a.hex(10)} ended duration={r.randint(500, 840)}s results_saved=true",
        )
        a.log(
            grp,
            stream,
            finish[ins["id"]],
            f"{iso(finish[ins['id']])[:-1]}.{r.randint(100, 999)}Z INFO  lifecycle: all matches finished, completing lifecycle action CONTINUE",
        )
        a.trail(
            finish[ins["id"]],
            "autoscaling.amazonaws.com",
            "CompleteLifecycleAction",
            a.role_ident(a.role, ins["id"]),
            {
                "lifecycleHookName": "drain-matches",
                "autoScalingGroupName": a.asg,
                "lifecycleActionResult": "CONTINUE",
                "instanceId": ins["id"],
            },
            None,
            agent="aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/autoscaling#1.40.1",
            ip=ins["ip"],
        )
        a.trail(
            ins["stopped"],
            "ec2.amazonaws.com",
            "TerminateInstances",
            a.service_ident("autoscaling.amazonaws.com"),
            {"instancesSet": {"items": [{"instanceId": ins["id"]}]}},
            {
                "requestId": a.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": ins["id"],
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
        )
    # a normal number of client timeouts and a rare conditional-check failure on the survivors
    for _ in range(8):
        ins = r.choice(running)
        t = a.start + timedelta(seconds=r.randint(0, int((a.now - a.start).total_seconds())))
        a.log(
            grp,
            f"{ins['id']}/gameserver.log",
            t,
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z WARN  net: client {a.hex(8)} reconnect after 3.2s packet loss, state resynced",
        )

    a.background_trail(34)
    exp = a.onset - timedelta(minutes=r.randint(25, 45))
    a.trail(
        exp,
        "dynamodb.amazonaws.com",
        "ExportTableToPointInTime",
        a.role_ident(f"{a.game}-analytics-export", "nightly-export"),
        {
            "tableArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table2}",
            "s3Bucket": f"{a.game}-analytics-raw",
            "exportFormat": "DYNAMODB_JSON",
        },
        {
            "exportDescription": {
                "exportArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table2}/export/0{int(exp.timestamp() * 1000)}-{a.hex(8)}",
                "exportStatus": "IN_PROGRESS",
                "tableArn": f"arn:aws:dynamodb:{a.region}:{a.account}:table/{a.table2}",
            }
        },
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12",
    )
    oncall = a.sso(0)
    for k in range(4):
        tt = a.onset + timedelta(minutes=14 + 4 * k, seconds=r.randint(0, 59))
        looks: list[tuple[str, str, dict[str, Any]]] = [
            ("DescribeAutoScalingGroups", "autoscaling.amazonaws.com", {"autoScalingGroupNames": [a.asg]}),
            ("DescribeTargetHealth", "elasticloadbalancing.amazonaws.com", {"targetGroupArn": a.tg_arn}),
            ("DescribeScalingActivities", "autoscaling.amazonaws.com", {"autoScalingGroupName": a.asg}),
            (
                "DescribeAlarmHistory",
                "monitoring.amazonaws.com",
                {"alarmName": f"{a.game}-gs-healthy-hosts-low"},
            ),
        ]
        name, src, req = looks[k]
        a.trail(
            tt,
            src,
            name,
            oncall,
            req,
            None,
            read_only=True,
            agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        )

    # the healthy-hosts alarm: the same transitions every night (earlier nights kept in history)
    lb = {"LoadBalancer": a.nlb_dim, "TargetGroup": a.tg_dim}
    thr = float(night_n + 2)
    reason = f"Threshold Crossed: 2 out of the last 2 datapoints [{float(night_n)} (%s), {float(night_n)} (%s)] were less than the threshold ({thr}) (minimum 2 datapoints for OK -> ALARM transition)."
    trans = []
    for back in (3, 2, 1):
        tt = a.onset - timedelta(days=back) + timedelta(minutes=2, seconds=r.randint(5, 50))
        trans.append(
            (
                tt,
                "ALARM",
                reason
                % (
                    iso(tt.replace(second=0) - timedelta(minutes=1)),
                    iso(tt.replace(second=0) - timedelta(minutes=2)),
                ),
            )
        )
        to = tt + timedelta(hours=3, minutes=r.randint(1, 4))
        trans.append(
            (
                to,
                "OK",
                f"Threshold Crossed: 1 out of the last 2 datapoints [{float(day_n)} ({iso(to.replace(second=0) - timedelta(minutes=1))})] was not less than the threshold ({thr}) (minimum 1 datapoint for ALARM -> OK transition).",
            )
        )
    tnow = a.onset + timedelta(minutes=2, seconds=r.randint(5, 50))
    trans.append(
        (
            tnow,
            "ALARM",
            reason
            % (
                iso(tnow.replace(second=0) - timedelta(minutes=1)),
                iso(tnow.replace(second=0) - timedelta(minutes=2)),
            ),
        )
    )
    hh = a.alarm(
        f"{a.game}-gs-healthy-hosts-low",
        "AWS/NetworkELB",
        "HealthyHostCount",
        lb,
        "Minimum",
        "LessThanThreshold",
        thr,
        2,
        description="Fewer healthy game server targets than expected",
        transitions=trans,
    )
    a.alarm(
        f"{a.game}-gs-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        lb,
        "Maximum",
        "GreaterThanThreshold",
        0,
        3,
        description="Game server targets failing NLB health checks",
    )
    a.alarm(
        f"{a.game}-player-state-throttles",
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": a.table, "Operation": "UpdateItem"},
        "Sum",
        "GreaterThanThreshold",
        10,
        3,
        missing="notBreaching",
    )
    fl = a.start + timedelta(minutes=r.randint(20, 60))
    a.alarm(
        f"{a.game}-sessions-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": a.redis_nodes[0], "CacheNodeId": "0001"},
        "Average",
        "GreaterThanThreshold",
        35,
        2,
        topic="alerts-low",
        transitions=[
            (
                fl,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (35.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                fl + timedelta(minutes=2),
                "OK",
                "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (35.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )

    local = a.local
    seen = tnow.astimezone(ZoneInfo(local))
    q = (
        f"got paged at {seen:%H:%M} for {a.game}-gs-healthy-hosts-low, the game NLB went from {day_n} to {night_n} healthy targets. "
        "did we just lose a bunch of game servers? anything players would notice?"
    )
    trigger = {
        "question": q,
        "alarm_event": a.alarm_event(hh, tnow, trans[-1][2], trans[-2][0]),
        "timezone": local,
    }
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return a.bundle(TITLE, trigger, truth)
