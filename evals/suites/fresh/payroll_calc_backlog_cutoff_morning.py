"""Payroll calculation backlog on cutoff morning: the ECS cluster's Auto Scaling group is at its MaxSize."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzu as k

NAME = "payroll-calc-backlog-cutoff-morning"
TITLE = "payroll-calc-jobs oldest-message alarm on payroll cutoff morning"
SUMMARY = (
    "On payroll cutoff morning payroll-worker scales out to 10 tasks but the cluster's Auto Scaling group "
    "is already at MaxSize 4; new 7 GiB worker tasks cannot be placed (insufficient memory) and the "
    "calculation queue backs up."
)

ASG_NAME = "staffwise-prod-ecs-asg"
ASG_ARN = (
    f"arn:aws:autoscaling:{k.REGION}:{k.ACCOUNT}:autoScalingGroup:3b7e0f5c-9d21-4a86-b0c4-7e19f2a6d583"
    f":autoScalingGroupName/{ASG_NAME}"
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = k.Account(rng)
    onset = k.day(rng, [19, 20, 21, 22, 23], 7, rng.randint(30, 55))
    start = onset - timedelta(hours=3, minutes=rng.randint(20, 50))
    now = onset + timedelta(minutes=rng.randint(45, 70))
    end = now + timedelta(minutes=10)
    scale_out = onset + timedelta(minutes=4)
    asg_up = onset + timedelta(minutes=9)
    placed = 6
    wanted = 10

    # --- resources ---------------------------------------------------------------------------------
    ids = k.instances(acct, 4, start - timedelta(days=9))
    # the fourth instance is the one launched this morning
    for r in acct.resources:
        if r["type"] == "Instance" and r["item"]["InstanceId"] == ids[3]:
            r["item"]["LaunchTime"] = k.iso(asg_up + timedelta(seconds=12))
    k.asg(acct, ids, 3, 4, 4, start - timedelta(days=420))
    k.ecs_cluster(acct, 4, 5 + placed)
    for r in acct.resources:
        if r["type"] == "Cluster":
            r["item"]["pendingTasksCount"] = 0
    worker_events = [
        (
            scale_out + timedelta(seconds=20),
            f"(service payroll-worker) has started {placed - 3} tasks: "
            + " ".join(f"(task {k.hexid(rng, 32)})" for _ in range(placed - 3))
            + ".",
        ),
        (
            asg_up + timedelta(minutes=3, seconds=5),
            f"(service payroll-worker) has started 1 tasks: (task {k.hexid(rng, 32)}).",
        ),
    ]
    ci = [k.hexid(rng, 32) for _ in ids]
    t = scale_out + timedelta(seconds=40)
    while t < now:
        worker_events.append(
            (
                t,
                f"(service payroll-worker) was unable to place a task because no container instance met all of its requirements. "
                f"The closest matching (container-instance {rng.choice(ci)}) has insufficient memory available. "
                "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
            )
        )
        t += timedelta(minutes=rng.randint(6, 11))
    k.ecs_service(acct, "hr-web", 212, 3, 3, start + timedelta(minutes=30), k.TG["hr-web"], [])
    k.ecs_service(acct, "payroll-api", 388, 2, 2, start - timedelta(days=2), k.TG["payroll-api"], [])
    k.ecs_service(
        acct, "payroll-worker", 141, wanted, placed, start - timedelta(days=15), None, worker_events
    )
    reg_mem = 15_458
    used = [7168 * 2, 7168 * 2, 7168 + 2 * 1024 + 2048, 7168 + 1024 + 2048]
    tasks_on = [2, 2, 4, 3]
    cpu_used = [2048, 2048, 2560, 2048]
    for n, (iid, cid) in enumerate(zip(ids, ci, strict=True)):
        acct.res(
            "ecs",
            "ContainerInstance",
            {
                "containerInstanceArn": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:container-instance/{k.CLUSTER}/{cid}",
                "ec2InstanceId": iid,
                "version": rng.randint(100, 400),
                "versionInfo": {
                    "agentVersion": "1.82.1",
                    "agentHash": "4f6d0b5c",
                    "dockerVersion": "DockerVersion: 20.10.25",
                },
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": 4096 - cpu_used[n]},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": reg_mem - used[n]},
                ],
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": reg_mem},
                ],
                "status": "ACTIVE",
                "agentConnected": True,
                "runningTasksCount": tasks_on[n],
                "pendingTasksCount": 0,
            },
        )
    acct.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/payroll-worker:141",
            "family": "payroll-worker",
            "revision": 141,
            "networkMode": "bridge",
            "status": "ACTIVE",
            "requiresCompatibilities": ["EC2"],
            "cpu": "1024",
            "memory": "7168",
            "containerDefinitions": [
                {
                    "name": "payroll-worker",
                    "image": f"{k.ACCOUNT}.dkr.ecr.{k.REGION}.amazonaws.com/payroll-worker:2026.{rng.randint(100, 999)}",
                    "cpu": 1024,
                    "memory": 7168,
                    "essential": True,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/payroll-worker",
                            "awslogs-region": k.REGION,
                            "awslogs-stream-prefix": "payroll-worker",
                        },
                    },
                }
            ],
            "registeredAt": k.iso(start - timedelta(days=15, hours=3)),
        },
    )
    acct.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{k.CLUSTER}/payroll-worker",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 2,
            "MaxCapacity": 12,
            "RoleARN": f"arn:aws:iam::{k.ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso(start - timedelta(days=300)),
        },
    )
    acct.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": ASG_NAME,
            "PolicyName": "ecs-memory-reservation-70",
            "PolicyARN": f"arn:aws:autoscaling:{k.REGION}:{k.ACCOUNT}:scalingPolicy:8d1f2a47-3c6b-4e90-a5d2-9b0e7c4f1a36:autoScalingGroupName/{ASG_NAME}:policyName/ecs-memory-reservation-70",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "CustomizedMetricSpecification": {
                    "MetricName": "MemoryReservation",
                    "Namespace": "AWS/ECS",
                    "Dimensions": [{"Name": "ClusterName", "Value": k.CLUSTER}],
                    "Statistic": "Average",
                    "Unit": "Percent",
                },
                "TargetValue": 70.0,
            },
            "Enabled": True,
        },
    )
    k.rds(acct)
    k.alb_and_tgs(acct)
    acct.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{k.REGION}.amazonaws.com/{k.ACCOUNT}/payroll-calc-jobs",
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{k.REGION}:{k.ACCOUNT}:payroll-calc-jobs",
                "VisibilityTimeout": "1800",
                "MessageRetentionPeriod": "1209600",
            },
            "Tags": {"service": "payroll"},
        },
    )

    # --- events: scaling ------------------------------------------------------------------------
    acct.event(
        "application_autoscaling",
        {
            "ActivityId": k.uid(rng),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{k.CLUSTER}/payroll-worker",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {wanted}.",
            "Cause": "monitor alarm payroll-calc-jobs-backlog-scale-out in state ALARM triggered policy payroll-worker-queue-step-scaling",
            "StartTime": k.iso(scale_out),
            "EndTime": k.iso(scale_out + timedelta(seconds=31)),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully set desired count to {wanted}. Change successfully fulfilled by ecs.",
        },
    )
    acct.event(
        "autoscaling",
        {
            "ActivityId": k.uid(rng),
            "AutoScalingGroupName": ASG_NAME,
            "Description": f"Launching a new EC2 instance: {ids[3]}",
            "Cause": (
                f"At {k.iso(asg_up)} a monitor alarm TargetTracking-{ASG_NAME}-AlarmHigh-5e1a0c7d-2b94-4f63-8e1d-0a9c3b7f6e25 "
                f"in state ALARM triggered policy ecs-memory-reservation-70 changing the desired capacity from 3 to 4.  "
                f"At {k.iso(asg_up + timedelta(seconds=10))} an instance was started in response to a difference between "
                "desired and actual capacity, increasing the capacity from 3 to 4."
            ),
            "StartTime": k.iso(asg_up + timedelta(seconds=12)),
            "EndTime": k.iso(asg_up + timedelta(minutes=1, seconds=44)),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": '{"Subnet ID":"' + k.SUBNETS[1] + '","Availability Zone":"eu-west-2b"}',
        },
    )

    # --- cloudtrail -------------------------------------------------------------------------------
    k.background_changes(acct, start, onset)
    k.readonly_noise(acct, start, end)
    aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService", "AutoScaling-ECS", "AROAUSTZ4QW7AASECS0001"
    )
    acct.ct(
        scale_out + timedelta(seconds=2),
        "ecs.amazonaws.com",
        "UpdateService",
        aas,
        {"cluster": k.CLUSTER, "service": "payroll-worker", "desiredCount": wanted},
        {
            "service": {
                "serviceName": "payroll-worker",
                "desiredCount": wanted,
                "runningCount": 2,
                "pendingCount": 0,
            }
        },
        agent="application-autoscaling.amazonaws.com",
        ip="application-autoscaling.amazonaws.com",
    )
    asg_role = k.role("AWSServiceRoleForAutoScaling", "AutoScaling", "AROAUSTZ4QW7ASGSLR001")
    acct.ct(
        asg_up + timedelta(seconds=11),
        "ec2.amazonaws.com",
        "RunInstances",
        asg_role,
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "launchTemplate": {"launchTemplateId": "lt-0f3a9c71e6b2d4085", "version": "7"},
            "subnetId": k.SUBNETS[1],
        },
        {
            "instancesSet": {
                "items": [
                    {
                        "instanceId": ids[3],
                        "instanceType": "m6i.xlarge",
                        "currentInstanceState": {"code": 0, "name": "pending"},
                    }
                ]
            }
        },
        agent="autoscaling.amazonaws.com",
        ip="autoscaling.amazonaws.com",
    )
    acct.ct(
        asg_up + timedelta(minutes=2, seconds=30),
        "ecs.amazonaws.com",
        "RegisterContainerInstance",
        k.role("staffwise-ecs-instance", ids[3], "AROAUSTZ4QW7ECSINST01"),
        {
            "cluster": k.CLUSTER,
            "totalResources": [{"name": "MEMORY", "type": "INTEGER", "integerValue": 15458}],
        },
        {"containerInstance": {"ec2InstanceId": ids[3], "status": "ACTIVE"}},
        agent="Go-http-client/1.1 amazon-ecs-agent/1.82.1",
    )
    acct.ct(
        onset - timedelta(minutes=rng.randint(30, 60)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        k.TERRAFORM,
        {
            "alarmName": "payroll-api-p99-latency",
            "metricName": "TargetResponseTime",
            "namespace": "AWS/ApplicationELB",
            "threshold": 1.5,
            "evaluationPeriods": 5,
        },
        None,
        agent=k.TF_AGENT,
    )
    acct.ct(
        now - timedelta(minutes=rng.randint(3, 12)),
        "ecs.amazonaws.com",
        "DescribeServices",
        k.sso("dan.whitfield@staffwise.co.uk", "AWSReservedSSO_ReadOnly_8c41f7a02be3d951"),
        {"cluster": k.CLUSTER, "services": ["payroll-worker"]},
        None,
        True,
        agent="aws-internal/3 aws-sdk-java/1.12.664 console",
    )

    # --- metrics ----------------------------------------------------------------------------------
    k.web_traffic(
        acct,
        start,
        end,
        db_cpu=lambda t: (
            (8 + k.diurnal(t, 24, 0) + rng.uniform(-2, 2))
            + (22 if t >= scale_out + timedelta(minutes=2) else 0)
        ),
    )
    cd = {"ClusterName": k.CLUSTER}

    def running_workers(t: datetime) -> int:
        if t < scale_out + timedelta(minutes=1):
            return 2
        if t < asg_up + timedelta(minutes=3):
            return placed - 1
        return placed

    def mem_res(t: datetime) -> float:
        used_mb = 3 * 1024 + 2 * 2048 + running_workers(t) * 7168
        cap = reg_mem * (4 if t >= asg_up + timedelta(minutes=3) else 3)
        return 100 * used_mb / cap

    acct.series("AWS/ECS", "MemoryReservation", cd, "Percent", start, end, lambda t: mem_res(t))
    acct.series(
        "AWS/ECS",
        "CPUReservation",
        cd,
        "Percent",
        start,
        end,
        lambda t: (
            100
            * (3 * 512 + 2 * 512 + running_workers(t) * 1024)
            / (4096 * (4 if t >= asg_up + timedelta(minutes=3) else 3))
        ),
    )
    acct.series(
        "AWS/ECS",
        "MemoryUtilization",
        cd,
        "Percent",
        start,
        end,
        lambda t: mem_res(t) * rng.uniform(0.55, 0.65),
    )
    acct.series(
        "AWS/ECS",
        "CPUUtilization",
        cd,
        "Percent",
        start,
        end,
        lambda t: 10 + running_workers(t) * 5 + rng.uniform(-2, 2),
    )
    wd = {"ClusterName": k.CLUSTER, "ServiceName": "payroll-worker"}
    acct.series(
        "AWS/ECS",
        "CPUUtilization",
        wd,
        "Percent",
        start,
        end,
        lambda t: (85 if t >= scale_out else 4) + rng.uniform(-5, 5),
    )
    acct.series(
        "AWS/ECS",
        "MemoryUtilization",
        wd,
        "Percent",
        start,
        end,
        lambda t: (72 if t >= scale_out else 18) + rng.uniform(-4, 4),
    )
    ad = {"AutoScalingGroupName": ASG_NAME}
    acct.series(
        "AWS/AutoScaling",
        "GroupDesiredCapacity",
        ad,
        "None",
        start,
        end,
        lambda t: 4.0 if t >= asg_up else 3.0,
    )
    acct.series(
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        ad,
        "None",
        start,
        end,
        lambda t: 4.0 if t >= asg_up + timedelta(minutes=2) else 3.0,
    )
    acct.series("AWS/AutoScaling", "GroupMaxSize", ad, "None", start, end, lambda t: 4.0)
    acct.series("AWS/AutoScaling", "GroupMinSize", ad, "None", start, end, lambda t: 3.0)
    jobs = rng.randint(900, 1600)
    q = {"QueueName": "payroll-calc-jobs"}
    per_task_min = rng.uniform(2.6, 3.4)

    def backlog(t: datetime) -> float:
        if t < onset:
            return float(rng.randint(0, 3))
        done = 0.0
        m = onset
        while m < t:
            done += running_workers(m) * per_task_min
            m += k.MIN
        return max(3.0, jobs - done)

    acct.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", q, "Count", start, end, backlog, integer=True
    )
    acct.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        "Seconds",
        start,
        end,
        lambda t: rng.uniform(1, 40) if t < onset else (t - onset).total_seconds(),
        integer=True,
    )
    acct.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        q,
        "Count",
        start,
        end,
        lambda t: float(jobs) if onset <= t < onset + k.MIN else float(rng.randint(0, 3)),
        integer=True,
    )
    acct.series(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        q,
        "Count",
        start,
        end,
        lambda t: (
            running_workers(t) * per_task_min * rng.uniform(0.8, 1.2)
            if t >= onset
            else float(rng.randint(0, 3))
        ),
        integer=True,
    )

    # --- logs -------------------------------------------------------------------------------------
    k.web_logs(acct, start, now, [k.hexid(rng, 32) for _ in range(3)])
    worker_tasks = [k.hexid(rng, 32) for _ in range(placed)]
    tenants = [
        "acme-logistics",
        "brightwell-care",
        "northmoor-dental",
        "kestrel-build",
        "orla-retail",
        "fenwick-hotels",
    ]
    t = start + timedelta(minutes=2)
    while t < now:
        n_alive = running_workers(t)
        tid = rng.choice(worker_tasks[:n_alive])
        if t < onset:
            msg = "info: Staffwise.Payroll.Worker.QueuePoller[0]\n      Polled payroll-calc-jobs: 0 messages"
            step = rng.randint(240, 600)
        else:
            msg = (
                "info: Staffwise.Payroll.Worker.CalcJobHandler[0]\n      "
                f"Calculated gross-to-net for tenant={rng.choice(tenants)} run={rng.randint(40000, 49999)} "
                f"employees={rng.randint(12, 480)} in {rng.uniform(9, 95):.1f}s"
            )
            step = rng.randint(15, 40)
        acct.log("/ecs/payroll-worker", f"payroll-worker/payroll-worker/{tid}", t, msg)
        t += timedelta(seconds=step)
    acct.log(
        "/ecs/payroll-api",
        f"payroll-api/payroll-api/{k.hexid(rng, 32)}",
        onset,
        f"info: Staffwise.Payroll.Api.Runs.CutoffController[0]\n      Cutoff reached: enqueued {jobs} calculation jobs to payroll-calc-jobs",
    )

    # --- alarms -----------------------------------------------------------------------------------
    fired = onset + timedelta(minutes=rng.randint(22, 28))
    age = acct.alarm(
        "payroll-calc-jobs-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        "Maximum",
        1200,
        "GreaterThanThreshold",
        2,
        "ALARM",
        fired,
        "Threshold Crossed: 2 out of the last 2 datapoints ["
        + f"{int((fired - onset).total_seconds() - 60)}.0 ({(fired - timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), "
        + f"{int((fired - onset).total_seconds() - 120)}.0 ({(fired - timedelta(minutes=2)):%d/%m/%y %H:%M:%S})"
        + "] were greater than the threshold (1200.0) (minimum 2 datapoints for OK -> ALARM transition).",
        "Payroll calculation jobs waiting more than 20 minutes",
    )
    acct.transition(age, fired, "OK", "ALARM", age["StateReason"])
    scale_alarm = acct.alarm(
        "payroll-calc-jobs-backlog-scale-out",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        q,
        "Maximum",
        100,
        "GreaterThanThreshold",
        1,
        "ALARM",
        scale_out,
        "Threshold Crossed: 1 out of the last 1 datapoints were greater than the threshold (100.0).",
        "Step scaling for payroll-worker",
    )
    scale_alarm["AlarmActions"] = [
        f"arn:aws:autoscaling:{k.REGION}:{k.ACCOUNT}:scalingPolicy:5c7e1a90-4d2f-4b38-9e61-0f3a8d2c7b14:resource/ecs/service/{k.CLUSTER}/payroll-worker:policyName/payroll-worker-queue-step-scaling"
    ]
    scale_alarm["OKActions"] = []
    acct.transition(scale_alarm, scale_out, "OK", "ALARM", scale_alarm["StateReason"])
    high = acct.alarm(
        f"TargetTracking-{ASG_NAME}-AlarmHigh-5e1a0c7d-2b94-4f63-8e1d-0a9c3b7f6e25",
        "AWS/ECS",
        "MemoryReservation",
        cd,
        "Average",
        70,
        "GreaterThanThreshold",
        3,
        "ALARM",
        asg_up,
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (70.0).",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:"
        f"{k.REGION}:{k.ACCOUNT}:scalingPolicy:8d1f2a47-3c6b-4e90-a5d2-9b0e7c4f1a36:autoScalingGroupName/{ASG_NAME}:policyName/ecs-memory-reservation-70.",
    )
    high["AlarmActions"] = [
        f"arn:aws:autoscaling:{k.REGION}:{k.ACCOUNT}:scalingPolicy:8d1f2a47-3c6b-4e90-a5d2-9b0e7c4f1a36:autoScalingGroupName/{ASG_NAME}:policyName/ecs-memory-reservation-70"
    ]
    high["OKActions"] = []
    acct.transition(high, asg_up, "OK", "ALARM", high["StateReason"])
    acct.alarm(
        "staffwise-sql-prod-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": k.DB},
        "Average",
        80,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=2),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0).",
        period=300,
    )

    event = acct.alarm_event(age, fired, start - timedelta(days=1))
    return acct.bundle(
        TITLE,
        start,
        end,
        now,
        {"question": None, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": ASG_NAME,
                "category": "limit",
                "failure_mode": "ecs-cluster-asg-at-max-size",
            },
            "also_accept": [ASG_ARN, k.CLUSTER, k.CLUSTER_ARN],
            "actions": ["scale"],
            "chain": [ASG_NAME, k.CLUSTER, "payroll-worker", "payroll-calc-jobs"],
        },
    )
