"""Evening demand: dispatch-api scales out but its tasks sit in PROVISIONING, the node ASG is at MaxSize."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzo as kit

NAME = "dispatch-capacity-provider-asg-ceiling"
TITLE = "Dispatch latency climbing through the evening rush; new dispatch-api tasks never start"
SUMMARY = "Service auto scaling asks for more dispatch-api tasks, but the capacity provider's ASG is pinned at MaxSize."


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, 17, 40)
    r = c.rng
    n_inst = len(c.instances)
    surge = r.uniform(1.3, 1.55)
    wanted = r.randint(20, 26)
    arn = f"arn:aws:ecs:{c.region}:{c.account}"
    svc_arn = f"{arn}:service/{c.cluster}/dispatch-api"

    def on(t: datetime) -> float:
        if t < c.onset - timedelta(minutes=20):
            return 0.0
        return min(1.0, (t - (c.onset - timedelta(minutes=20))).total_seconds() / 1800)

    def sat(t: datetime) -> bool:
        return t >= c.onset

    hooks: dict[str, kit.Hook] = {
        "alb_requests": lambda t, v: v * (1 + (surge - 1) * on(t)),
        "dispatch-api_cpu": lambda t, v: min(
            99.0, v * (1 + (surge - 1) * on(t) * 1.7) + (14 if sat(t) else 0)
        ),
        "alb_latency": lambda t, v: (
            v * (1 + 9 * on(t) ** 2 * r.uniform(0.8, 1.2)) if sat(t) else v * (1 + on(t))
        ),
        "elb_5xx": lambda t, v: v + (r.randint(20, 160) if sat(t) and on(t) > 0.8 else 0),
        "alb_5xx": lambda t, v: v + (r.randint(3, 25) if sat(t) else 0),
        "cp_reservation": lambda t, v: (
            100.0
            if t < c.onset - timedelta(minutes=12)
            else round(100 * (n_inst + 1 + 4 * on(t)) / n_inst, 1)
        ),
        "cpu_reservation": lambda t, v: min(96.5, v + 34 * on(t)),
        "db0_cpu": lambda t, v: v * (1 + 0.3 * on(t)),
        "redis0_cpu": lambda t, v: v * (1 + 0.4 * on(t)),
    }
    kit.base(c, hooks, asg_max=n_inst)
    for rec in c.records["resources"]:
        item = rec["item"]
        if rec["type"] == "Service" and item["serviceName"] == "dispatch-api":
            item["desiredCount"] = wanted
            item["pendingCount"] = wanted - 12
            item["runningCount"] = 12
        if rec["type"] == "Cluster":
            item["pendingTasksCount"] = wanted - 12
    aas_role = (
        f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService"
    )
    rid = f"service/{c.cluster}/dispatch-api"
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 8,
            "MaxCapacity": 40,
            "RoleARN": aas_role,
            "CreationTime": kit.iso(c.start - timedelta(days=300)),
        },
    )
    c.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}:resource/ecs/{rid}"
            ":policyName/dispatch-api-cpu60",
            "PolicyName": "dispatch-api-cpu60",
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
            "CreationTime": kit.iso(c.start - timedelta(days=300)),
        },
    )
    c.resource(
        "ecs",
        "CapacityProvider",
        {
            "capacityProviderArn": f"{arn}:capacity-provider/{c.cp}",
            "name": c.cp,
            "status": "ACTIVE",
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup:{c.uid()}"
                f":autoScalingGroupName/{c.asg}",
                "managedScaling": {
                    "status": "ENABLED",
                    "targetCapacity": 100,
                    "minimumScalingStepSize": 1,
                    "maximumScalingStepSize": 4,
                    "instanceWarmupPeriod": 180,
                },
                "managedTerminationProtection": "ENABLED",
            },
            "updateStatus": "UPDATE_COMPLETE",
        },
    )
    # service scaling steps and the tasks that never leave PROVISIONING
    desired = 12
    t = c.onset - timedelta(minutes=14)
    step = 0
    while desired < wanted and t < c.now:
        new = min(wanted, desired + r.randint(2, 4))
        c.event(
            "application_autoscaling",
            {
                "ActivityId": c.uid(),
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Setting desired count to {new}.",
                "Cause": f"monitor alarm TargetTracking-{rid}-AlarmHigh-{c.uid()} in state ALARM triggered policy "
                "dispatch-api-cpu60",
                "StartTime": kit.iso(t),
                "EndTime": kit.iso(t + timedelta(seconds=31)),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {new}. Change successfully fulfilled by ecs.",
            },
        )
        ids = " ".join(f"(task {kit.task_id(c)})" for _ in range(new - desired))
        c.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": c.uid(),
                    "createdAt": kit.iso(t + timedelta(seconds=40)),
                    "message": f"(service dispatch-api) has started {new - desired} tasks: {ids}.",
                },
            },
        )
        desired = new
        step += 1
        t += timedelta(minutes=r.randint(3, 6))
    # the routine scale-out earlier in the afternoon, which worked (ASG had grown to its ceiling)
    early = c.start + timedelta(minutes=r.randint(60, 110))
    c.event(
        "autoscaling",
        {
            "ActivityId": c.uid(),
            "AutoScalingGroupName": c.asg,
            "Description": f"Launching a new EC2 instance: {c.instances[-1]}",
            "Cause": f"At {kit.iso(early)} a monitor alarm TargetTracking-{c.asg}-AlarmHigh in state ALARM "
            f"triggered policy ECSManagedAutoScalingPolicy changing the desired capacity from {n_inst - 1} to "
            f"{n_inst}.  At "
            f"{kit.iso(early + timedelta(seconds=9))} an instance was started in response to a difference between "
            f"desired and actual capacity, increasing the capacity from {n_inst - 1} to {n_inst}.",
            "StartTime": kit.iso(early + timedelta(seconds=11)),
            "EndTime": kit.iso(early + timedelta(minutes=3, seconds=2)),
            "StatusCode": "Successful",
            "Progress": 100,
        },
    )
    pol = f"ECSManagedAutoScalingPolicy-{c.uid()}"
    asg_alarm = f"TargetTracking-{c.asg}-AlarmHigh-{c.uid()}"
    c.resource(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": c.asg,
            "PolicyName": pol,
            "PolicyARN": f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}:autoScalingGroupName/"
            f"{c.asg}:policyName/{pol}",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "CustomizedMetricSpecification": {
                    "MetricName": "CapacityProviderReservation",
                    "Namespace": "AWS/ECS/ManagedScaling",
                    "Dimensions": [
                        {"Name": "CapacityProviderName", "Value": c.cp},
                        {"Name": "ClusterName", "Value": c.cluster},
                    ],
                    "Statistic": "Average",
                },
                "TargetValue": 100.0,
                "DisableScaleIn": False,
            },
            "Alarms": [
                {
                    "AlarmName": asg_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{c.region}:{c.account}:alarm:{asg_alarm}",
                }
            ],
            "Enabled": True,
        },
    )
    cpr = c.alarm(
        asg_alarm,
        "AWS/ECS/ManagedScaling",
        "CapacityProviderReservation",
        {"CapacityProviderName": c.cp, "ClusterName": c.cluster},
        "Average",
        60,
        1,
        100.0,
        "GreaterThanThreshold",
        "ALARM",
        c.onset - timedelta(minutes=11),
        "Threshold Crossed: 1 datapoint was greater than the threshold (100.0).",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol}.",
    )
    cpr["AlarmActions"] = [f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}"]
    cpr["OKActions"] = []
    c.history(cpr, c.onset - timedelta(minutes=11), "OK", "ALARM", cpr["StateReason"])
    # innocent: a feature flag and a trip-notifier secret read
    who = c.user(r.choice(c.people))
    c.ct(
        c.onset - timedelta(minutes=r.randint(28, 40)),
        "ssm.amazonaws.com",
        "PutParameter",
        who,
        {"name": "/dispatch/prod/flags/surge-banner", "type": "String", "overwrite": True},
        {"version": r.randint(4, 30), "tier": "Standard"},
        False,
        "aws-cli/2.17.21 Python/3.11.9",
    )
    # app logs
    tasks = [kit.task_id(c) for _ in range(12)]
    for tk in tasks:
        kit.api_request_logs(c, tk, c.start, c.now, 150)
    t = c.onset
    while t < c.now:
        tk = r.choice(tasks)
        c.log(
            "/ecs/dispatch-api",
            f"ecs/dispatch-api/{tk}",
            t,
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(0, 999):03d}Z  WARN 1 --- [dispatch-pool-2] "
            f"c.r.dispatch.offer.OfferService       : offer fan-out queue depth {r.randint(300, 1400)}, "
            "falling behind",
        )
        t += timedelta(seconds=r.randint(20, 70))

    tg = {"LoadBalancer": c.lb_suffix}
    first = c.onset + timedelta(minutes=r.randint(4, 8))
    a = c.alarm(
        "dispatch-alb-target-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg,
        "Average",
        60,
        5,
        0.4,
        "GreaterThanThreshold",
        "ALARM",
        first,
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (0.4).",
        "dispatch-api response time as seen by the ALB",
    )
    c.history(a, first, "OK", "ALARM", a["StateReason"])
    hi = c.alarm(
        f"TargetTracking-{rid}-AlarmHigh-{c.uid()}",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": c.cluster, "ServiceName": "dispatch-api"},
        "Average",
        60,
        3,
        60.0,
        "GreaterThanThreshold",
        "ALARM",
        c.onset - timedelta(minutes=15),
        "Threshold Crossed: 3 datapoints were greater than the threshold (60.0).",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy dispatch-api-cpu60.",
    )
    hi["AlarmActions"] = [f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}"]
    hi["OKActions"] = []
    c.history(hi, c.onset - timedelta(minutes=15), "OK", "ALARM", hi["StateReason"])
    c.alarm(
        "driver-geo-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{c.redis}-001", "CacheNodeId": "0001"},
        "Average",
        300,
        3,
        70.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=6),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (70.0).",
        "geo index CPU",
    )
    rw = c.alarm(
        "rides-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": f"{c.db}-1"},
        "Average",
        300,
        2,
        45.0,
        "GreaterThanThreshold",
        "OK",
        c.onset + timedelta(minutes=10),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (45.0).",
        "writer CPU",
    )
    c.history(
        rw,
        c.onset - timedelta(minutes=5),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold (45.0).",
    )
    c.history(rw, c.onset + timedelta(minutes=10), "ALARM", "OK", rw["StateReason"])
    return c.bundle(
        TITLE,
        {"question": None, "alarm_event": c.alarm_event(a, first, a["StateReason"])},
        {
            "no_fault": False,
            "root_cause": {"resource": c.asg, "category": "limit", "failure_mode": "asg-max-size-reached"},
            "also_accept": [c.cp, f"{arn}:capacity-provider/{c.cp}"],
            "actions": ["scale", "reconfigure"],
            "chain": [c.asg, c.cp, "dispatch-api", "dispatch-alb"],
        },
    )
