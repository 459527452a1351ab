"""No fault: the nightly scheduled scale-in drops healthy hosts below an alarm threshold, as every night."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_q import (
    GRAFANA_UA,
    ZONES,
    J,
    Kit,
    alb,
    at_local,
    boto_ua,
    daily,
    instance,
    instance_status,
    iso,
    local_hour,
    log_group,
    network,
    security_group,
    subnet_ip,
    tcp_from,
)

NAME = "larder-web-nightly-healthy-hosts"
TITLE = "larder-web healthy hosts low"
SUMMARY = (
    "No fault: the ASG's scheduled nightly scale-in (6 -> 2) takes HealthyHostCount below the alarm's "
    "threshold of 3 every night until the morning scale-out; night traffic is low and served fine."
)

ASG = "larder-web-asg"


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed)
    rng = k.rng
    zone = ZONES[k.region]
    day = k.pick_day(weekdays=False)
    nights = rng.randint(4, 6)
    in_hour = rng.choice([0.0, 1.0, 1.5])
    out_hour = rng.choice([5.5, 6.0, 6.5])
    day_size = rng.choice([5, 6])
    night_size = 2
    scale_in = [at_local(day - timedelta(days=d), in_hour, zone) for d in range(nights, -1, -1)]
    scale_out = [at_local(day - timedelta(days=d), out_hour, zone) for d in range(nights, 0, -1)]
    onset = scale_in[-1]
    start = (scale_in[0] - timedelta(hours=rng.randint(4, 9))).replace(minute=0)
    fine = onset - timedelta(hours=3)
    now = onset + timedelta(minutes=rng.randint(38, 55), seconds=rng.randint(0, 59))

    net = network(k, "larder-prod", 2)
    sg_alb = security_group(
        k,
        net,
        "larder-web-alb",
        "larder public ALB",
        [tcp_from(443, cidr="0.0.0.0/0"), tcp_from(80, cidr="0.0.0.0/0")],
    )
    sg_web = security_group(
        k, net, "larder-web", "larder web instances", [tcp_from(8080, group=sg_alb, desc="ALB")]
    )
    created = start - timedelta(days=rng.randint(200, 600))
    lb = alb(
        k,
        net,
        "larder-web",
        "larder-web",
        sg_alb,
        created,
        port=8080,
        health_path="/healthz",
        interval=15,
        timeout=5,
    )
    lt_id = k.rid("lt")
    lt_ver = str(rng.randint(20, 60))
    ami = k.rid("ami")

    # instances: two long-lived, the rest launched each morning and terminated each night
    long_lived: list[J] = []
    for i in range(night_size):
        sub = net.subnets[i % 2]
        long_lived.append(
            {
                "id": k.rid("i"),
                "az": sub[1],
                "sub": sub,
                "ip": subnet_ip(k, sub),
                "vol": k.rid("vol"),
                "launched": start - timedelta(days=rng.randint(9, 30), hours=rng.randint(0, 23)),
            }
        )
    cycles: list[J] = []
    # the day fleet alive at `start` (launched the morning before the first night)
    mornings = [scale_out[0] - timedelta(days=1), *scale_out]
    for m_i, morning in enumerate(mornings):
        fleet: list[J] = []
        for j in range(day_size - night_size):
            sub = net.subnets[j % 2]
            fleet.append(
                {
                    "id": k.rid("i"),
                    "az": sub[1],
                    "sub": sub,
                    "ip": subnet_ip(k, sub),
                    "vol": k.rid("vol"),
                    "launched": morning + timedelta(seconds=rng.randint(8, 20)),
                }
            )
        cycles.append({"morning": morning, "night": scale_in[m_i], "fleet": fleet})

    def fleet_size(t: datetime) -> tuple[float, float]:
        """(healthy, in-service) hosts at t."""
        healthy = float(night_size)
        in_service = float(night_size)
        for c in cycles:
            morning, night = c["morning"], c["night"]
            assert isinstance(morning, datetime)
            assert isinstance(night, datetime)
            n = day_size - night_size
            if morning + timedelta(seconds=30) <= t < night + timedelta(seconds=20):
                in_service += n
            if morning + timedelta(minutes=4) <= t < night + timedelta(seconds=12):
                healthy += n
        return healthy, in_service

    def traffic(t: datetime) -> float:
        return daily(local_hour(t, zone), 25, 780, peak=18.5)

    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    ld = {"LoadBalancer": lb.dim}
    for t, step in k.grid(start, now, fine):
        n = traffic(t) * step * (1 + k.jitter(0.07))
        healthy_min = min(fleet_size(t + timedelta(seconds=s))[0] for s in range(0, step * 60, 30))
        healthy_max = max(fleet_size(t + timedelta(seconds=s))[0] for s in range(0, step * 60, 30))
        _h, in_service = fleet_size(t + timedelta(seconds=step * 30))
        k.put(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            tgd,
            t,
            "Count",
            {
                "SampleCount": float(step * 6),
                "Sum": round((healthy_min + healthy_max) / 2 * step * 6, 3),
                "Minimum": healthy_min,
                "Maximum": healthy_max,
            },
        )
        k.put(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            t,
            "Count",
            {"SampleCount": float(step * 6), "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0},
        )
        k.put("AWS/ApplicationELB", "RequestCount", tgd, t, "Count", round(n))
        k.put("AWS/ApplicationELB", "RequestCount", ld, t, "Count", round(n * 1.004))
        k.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, t, "Count", round(n * 0.955))
        k.put("AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", tgd, t, "Count", round(n * 0.03))
        k.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, t, "Count", round(n * 0.015))
        if rng.random() < 0.04 * step:
            k.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, t, "Count", rng.randint(1, 2))
        lat = 0.085 + 0.02 * (n / step / max(1.0, healthy_min)) / 200
        k.put(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            t,
            "Seconds",
            k.stats(max(1, n), lat * (1 + k.jitter(0.05)), 0.5) or lat,
        )
        k.put("AWS/ApplicationELB", "ActiveConnectionCount", ld, t, "Count", round(n * rng.uniform(0.3, 0.4)))
        if rng.random() < 0.08 * step:
            k.put("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", ld, t, "Count", rng.randint(1, 3))
        adims = {"AutoScalingGroupName": ASG}
        cpu = 6 + (n / step) / max(1.0, in_service) * 0.18
        k.put(
            "AWS/EC2",
            "CPUUtilization",
            adims,
            t,
            "Percent",
            k.stats(in_service * step, cpu * (1 + k.jitter(0.06)), 0.25) or cpu,
        )
        for j in range(1):
            tj = t + timedelta(minutes=j)
            _hh, ins = fleet_size(tj + timedelta(seconds=30))
            des = (
                float(day_size)
                if ins > night_size
                or any(
                    isinstance(c["morning"], datetime)
                    and c["morning"] <= tj < c["morning"] + timedelta(seconds=30)
                    for c in cycles
                )
                else float(night_size)
            )
            k.put("AWS/AutoScaling", "GroupDesiredCapacity", adims, tj, "None", des)
            k.put("AWS/AutoScaling", "GroupInServiceInstances", adims, tj, "None", ins)
            k.put("AWS/AutoScaling", "GroupMinSize", adims, tj, "None", 4.0 if des == day_size else 2.0)
            k.put("AWS/AutoScaling", "GroupMaxSize", adims, tj, "None", 12.0 if des == day_size else 10.0)

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "larder-ops")
    common: J = {"history_from": start, "updated": start - timedelta(days=rng.randint(20, 90))}
    k.alarm(
        "larder-web-healthy-hosts-low",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Minimum",
        300,
        2,
        3,
        "LessThanThreshold",
        actions=[ops],
        ok_actions=[ops],
        description="Fewer than 3 healthy larder-web targets",
        **common,
    )
    k.alarm(
        "larder-web-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        300,
        2,
        25,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[ops],
        **common,
    )
    k.alarm(
        "larder-web-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Average",
        300,
        3,
        0.8,
        "GreaterThanThreshold",
        actions=[ops],
        **common,
    )
    k.alarm(
        "larder-web-unhealthy",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Maximum",
        300,
        2,
        0,
        "GreaterThanThreshold",
        actions=[ops],
        **common,
    )
    k.evaluate_alarms(now)

    # --- auto scaling activities, target health, CloudTrail by the service ---------------------------
    asl = k.service_role("AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    asg_arn = k.arn("autoscaling", f"autoScalingGroup:{k.uuid()}:autoScalingGroupName/{ASG}")

    def details(h: J) -> str:
        sub = h["sub"]
        assert isinstance(sub, tuple)
        return json.dumps({"Subnet ID": sub[0], "Availability Zone": sub[1]}, separators=(",", ":"))

    for c in cycles:
        morning, night = c["morning"], c["night"]
        fleet = c["fleet"]
        assert isinstance(morning, datetime)
        assert isinstance(night, datetime)
        assert isinstance(fleet, list)
        if morning >= start:
            at = morning + timedelta(seconds=rng.randint(6, 10))
            for h in fleet:
                cause = (
                    f"At {iso(morning)} a scheduled action update of AutoScalingGroup constraints to min: 4, max: 12, desired: {day_size} "
                    f"changing the desired capacity from {night_size} to {day_size}.  At {iso(at)} an instance was started in response to a "
                    f"difference between desired and actual capacity, increasing the capacity from {night_size} to {day_size}."
                )
                k.event(
                    "autoscaling",
                    {
                        "ActivityId": k.uuid(),
                        "AutoScalingGroupName": ASG,
                        "Description": f"Launching a new EC2 instance: {h['id']}",
                        "Cause": cause,
                        "StartTime": iso(at),
                        "EndTime": iso(at + timedelta(seconds=rng.randint(30, 50))),
                        "StatusCode": "Successful",
                        "Progress": 100,
                        "Details": details(h),
                        "AutoScalingGroupARN": asg_arn,
                    },
                )
            k.ct(
                at,
                asl,
                "ec2.amazonaws.com",
                "RunInstances",
                {
                    "instancesSet": {
                        "items": [{"minCount": day_size - night_size, "maxCount": day_size - night_size}]
                    },
                    "launchTemplate": {"launchTemplateId": lt_id, "version": lt_ver},
                },
                {
                    "instancesSet": {
                        "items": [
                            {"instanceId": h["id"], "currentState": {"code": 0, "name": "pending"}}
                            for h in fleet
                        ]
                    }
                },
            )
            k.ct(
                at + timedelta(minutes=1, seconds=rng.randint(0, 30)),
                asl,
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                {"targetGroupArn": lb.tg_arn, "targets": [{"id": h["id"]} for h in fleet]},
                None,
            )
        for h in fleet:
            first = max(morning + timedelta(minutes=1), start - timedelta(days=1))
            k.event(
                "target_health",
                {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": h["id"], "Port": 8080, "AvailabilityZone": h["az"]},
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": iso(first),
                },
            )
            k.event(
                "target_health",
                {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": h["id"], "Port": 8080, "AvailabilityZone": h["az"]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(morning + timedelta(minutes=4)),
                },
            )
        at = night + timedelta(seconds=rng.randint(6, 10))
        for h in fleet:
            cause = (
                f"At {iso(night)} a scheduled action update of AutoScalingGroup constraints to min: {night_size}, max: 10, desired: {night_size} "
                f"changing the desired capacity from {day_size} to {night_size}.  At {iso(at)} an instance was taken out of service in response "
                f"to a difference between desired and actual capacity, shrinking the capacity from {day_size} to {night_size}.  At {iso(at)} "
                f"instance {h['id']} was selected for termination."
            )
            end = at + timedelta(seconds=300 + rng.randint(20, 60))
            k.event(
                "autoscaling",
                {
                    "ActivityId": k.uuid(),
                    "AutoScalingGroupName": ASG,
                    "Description": f"Terminating EC2 instance: {h['id']}",
                    "Cause": cause,
                    "StartTime": iso(at),
                    "EndTime": iso(end),
                    "StatusCode": "Successful" if end <= now else "InProgress",
                    "Progress": 100 if end <= now else 50,
                    "Details": details(h),
                    "AutoScalingGroupARN": asg_arn,
                },
            )
            k.event(
                "target_health",
                {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": h["id"], "Port": 8080, "AvailabilityZone": h["az"]},
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": iso(at + timedelta(seconds=2)),
                },
            )
            k.event(
                "target_health",
                {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": h["id"], "Port": 8080, "AvailabilityZone": h["az"]},
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(at + timedelta(seconds=302)),
                },
            )
        k.ct(
            at + timedelta(seconds=1),
            asl,
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": lb.tg_arn, "targets": [{"id": h["id"]} for h in fleet]},
            None,
        )
        k.ct(
            at + timedelta(seconds=305),
            asl,
            "ec2.amazonaws.com",
            "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": h["id"]} for h in fleet]}},
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": h["id"],
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                        for h in fleet
                    ]
                }
            },
        )
    for h in long_lived:
        k.event(
            "target_health",
            {
                "target_group_arn": lb.tg_arn,
                "target": {"Id": h["id"], "Port": 8080, "AvailabilityZone": h["az"]},
                "health": {"State": "healthy"},
                "timestamp": iso(start - timedelta(days=2)),
            },
        )

    # --- resources -------------------------------------------------------------------------------
    tonight = cycles[-1]["fleet"]
    assert isinstance(tonight, list)
    for h in long_lived:
        launched = h["launched"]
        assert isinstance(launched, datetime)
        instance(
            k,
            net,
            str(h["id"]),
            "larder-web",
            h["sub"],
            (sg_web, "larder-web"),
            launched,
            itype="c6i.large",
            ami=ami,
            profile="larder-web",
            volume=str(h["vol"]),
            ip=str(h["ip"]),
            extra_tags=[
                {"Key": "aws:autoscaling:groupName", "Value": ASG},
                {"Key": "aws:ec2launchtemplate:id", "Value": lt_id},
            ],
        )
        instance_status(k, str(h["id"]), str(h["az"]))
    for h in tonight:
        launched = h["launched"]
        assert isinstance(launched, datetime)
        term_done = onset + timedelta(seconds=330) <= now
        instance(
            k,
            net,
            str(h["id"]),
            "larder-web",
            h["sub"],
            (sg_web, "larder-web"),
            launched,
            itype="c6i.large",
            ami=ami,
            profile="larder-web",
            volume=str(h["vol"]),
            ip=str(h["ip"]),
            state="terminated" if term_done else "running",
            extra_tags=[
                {"Key": "aws:autoscaling:groupName", "Value": ASG},
                {"Key": "aws:ec2launchtemplate:id", "Value": lt_id},
            ],
        )
    for r in k.resources:
        if r["type"] == "Instance" and r["item"]["State"]["Name"] == "terminated":
            r["item"]["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            r["item"]["StateTransitionReason"] = (
                f"User initiated ({onset + timedelta(seconds=rng.randint(310, 330)):%Y-%m-%d %H:%M:%S} GMT)"
            )
    k.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": ASG,
            "AutoScalingGroupARN": asg_arn,
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "larder-web",
                "Version": lt_ver,
            },
            "MinSize": night_size,
            "MaxSize": 10,
            "DesiredCapacity": night_size,
            "DefaultCooldown": 300,
            "AvailabilityZones": [s[1] for s in net.subnets],
            "LoadBalancerNames": [],
            "TargetGroupARNs": [lb.tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "Instances": [
                {
                    "InstanceId": str(h["id"]),
                    "InstanceType": "c6i.large",
                    "AvailabilityZone": str(h["az"]),
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": "larder-web",
                        "Version": lt_ver,
                    },
                    "ProtectedFromScaleIn": False,
                }
                for h in long_lived
            ],
            "CreatedTime": iso(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(s[0] for s in net.subnets),
            "EnabledMetrics": [
                {"Metric": m, "Granularity": "1Minute"}
                for m in ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMinSize", "GroupMaxSize"]
            ],
            "Tags": [
                {
                    "ResourceId": ASG,
                    "ResourceType": "auto-scaling-group",
                    "Key": "service",
                    "Value": "larder-web",
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
        },
    )
    for name, hour, mn, mx, des in (
        ("nightly-scale-in", in_hour, night_size, 10, night_size),
        ("morning-scale-out", out_hour, 4, 12, day_size),
    ):
        h_, m_ = int(hour), round((hour - int(hour)) * 60)
        k.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            {
                "AutoScalingGroupName": ASG,
                "ScheduledActionName": name,
                "ScheduledActionARN": k.arn(
                    "autoscaling",
                    f"scheduledUpdateGroupAction:{k.uuid()}:autoScalingGroupName/{ASG}:scheduledActionName/{name}",
                ),
                "Time": iso(onset if name == "nightly-scale-in" else at_local(day, out_hour, zone)),
                "StartTime": iso(onset if name == "nightly-scale-in" else at_local(day, out_hour, zone)),
                "Recurrence": f"{m_} {h_} * * *",
                "MinSize": mn,
                "MaxSize": mx,
                "DesiredCapacity": des,
                "TimeZone": zone,
            },
        )
    k.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": ASG,
            "PolicyName": "cpu-target-55",
            "PolicyARN": k.arn(
                "autoscaling", f"scalingPolicy:{k.uuid()}:autoScalingGroupName/{ASG}:policyName/cpu-target-55"
            ),
            "PolicyType": "TargetTrackingScaling",
            "EstimatedInstanceWarmup": 180,
            "Alarms": [],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 55.0,
                "DisableScaleIn": False,
            },
            "Enabled": True,
        },
    )
    log_group(k, "/larder/web", created, 14)
    log_group(k, "/aws/lambda/larder-sitemap-builder", created, 7)

    # app logs: a trickle overnight, more by day (gunicorn access lines)
    all_hosts = long_lived + [h for c in cycles for h in c["fleet"]]
    for t, _s in k.grid(onset - timedelta(hours=4), now, start):
        live = [
            h
            for h in all_hosts
            if isinstance(h["launched"], datetime)
            and h["launched"] <= t
            and (h in long_lived or fleet_size(t)[1] > night_size)
        ]
        for _ in range(max(1, round(traffic(t) / 200))):
            h = rng.choice(live)
            when = t + timedelta(seconds=rng.uniform(0, 59))
            path = rng.choice(
                [
                    "/recipes/{n}",
                    "/recipes/{n}",
                    "/search?q=lentil",
                    "/collections/weeknight",
                    "/api/recipes/{n}/rating",
                ]
            ).format(n=rng.randint(1000, 90000))
            k.log(
                "/larder/web",
                str(h["id"]),
                when,
                f'{subnet_ip(k, net.public[0])} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" 200 {rng.randint(3000, 40000)} "-" "Mozilla/5.0" {rng.lognormvariate(math.log(0.08), 0.4):.3f}',
            )
        if rng.random() < 0.02:
            h = rng.choice(live)
            k.log(
                "/larder/web",
                str(h["id"]),
                t,
                f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{rng.randint(2000, 3000)}] [WARNING] larder.images: thumbnail cache miss storm for collection weeknight ({rng.randint(20, 60)} misses)",
            )

    # --- other CloudTrail ------------------------------------------------------------------------
    grafana = k.role("grafana-cloudwatch-read", "grafana", ip=k.public_ip(), ua=GRAFANA_UA)
    ci = k.role("github-actions-deploy", "GitHubActions", ip=k.public_ip())
    mw = k.role(
        "ssm-maintenance-window", "MaintenanceWindowTask", ip="ssm.amazonaws.com", ua="ssm.amazonaws.com"
    )
    people = [
        k.sso("hana.kobayashi@larder.cooking", "Engineer"),
        k.sso("ollie.grant@larder.cooking", "Admin"),
    ]

    def r_grafana(w: datetime) -> None:
        k.ct(w, grafana, "monitoring.amazonaws.com", "GetMetricData", None, read_only=True)

    def r_people(w: datetime) -> None:
        p = rng.choice(people)
        c = rng.randrange(3)
        if c == 0:
            k.ct(
                w,
                p,
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                {"autoScalingGroupNames": [ASG]},
                read_only=True,
            )
        elif c == 1:
            k.ct(
                w,
                p,
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": "larder-web-healthy-hosts-low", "historyItemType": "StateUpdate"},
                read_only=True,
            )
        else:
            k.ct(
                w,
                p,
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"instancesSet": {}, "filterSet": {}},
                read_only=True,
            )

    k.routine(start, now, rng.randint(30, 40), [r_grafana, r_grafana, r_people])
    # innocent changes near tonight's scale-in: a Lambda deploy and a patch-scan maintenance window
    dep = onset - timedelta(minutes=rng.randint(12, 26), seconds=rng.randint(0, 59))
    k.ct(
        dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "larder-sitemap-builder",
            "s3Bucket": f"larder-artifacts-{k.account}",
            "s3Key": f"sitemap-builder/{k.hex(40)}.zip",
            "publish": False,
        },
        {
            "functionName": "larder-sitemap-builder",
            "functionArn": k.arn("lambda", "function:larder-sitemap-builder"),
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(200000, 900000),
            "lastUpdateStatus": "InProgress",
        },
        ua=boto_ua(k),
    )
    scan = onset - timedelta(minutes=rng.randint(2, 9), seconds=rng.randint(0, 59))
    k.ct(
        scan,
        mw,
        "ssm.amazonaws.com",
        "SendCommand",
        {
            "documentName": "AWS-RunPatchBaseline",
            "targets": [{"key": "tag:aws:autoscaling:groupName", "values": [ASG]}],
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "maxConcurrency": "50%",
            "maxErrors": "1",
        },
        {
            "command": {
                "commandId": k.uuid(),
                "documentName": "AWS-RunPatchBaseline",
                "status": "Pending",
                "targetCount": day_size,
            }
        },
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(5, 20)),
        people[1],
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "larder-overview"},
        {"dashboardValidationMessages": []},
    )

    event, _fired = k.alarm_event("larder-web-healthy-hosts-low", -1)
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": event},
        "truth": {
            "no_fault": True,
            "root_cause": None,
            "also_accept": [],
            "actions": [],
            "chain": [
                f"The {ASG} scheduled action nightly-scale-in sets desired capacity {day_size} -> {night_size} every night",
                f"HealthyHostCount on larder-web drops to {night_size}, below the alarm's threshold of 3; it fires nightly and clears after morning-scale-out",
                "Night traffic is low; latency and error rates are unchanged: nothing to fix beyond the alarm's threshold or schedule",
            ],
        },
    }
    return k.bundle(manifest, now)
