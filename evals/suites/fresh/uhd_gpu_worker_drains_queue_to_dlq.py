"""One of three GPU container instances behind the 4K transcode service loses its GPU. Its worker keeps running,
fails every job in a second and hands it back, so it eats most of the queue and 4K jobs pile into the DLQ."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzh as kit

NAME = "uhd-gpu-worker-drains-queue-to-dlq"
TITLE = "4K renditions missing for new uploads; uhd transcode DLQ alarm"
SUMMARY = (
    "The GPU of one g4dn container instance failed (AWS later schedules it for retirement); the uhd-transcoder "
    "task on it stays RUNNING, fails each job with CUDA_ERROR_NO_DEVICE in a second, and starves the queue."
)


def build(seed: int) -> Bundle:
    a = kit.new_account(seed, NAME)
    rng = a.rng
    onset = a.onset
    p = kit.pipeline(a)
    kit.noise(a, p)

    # --- the healthy Lambda HD path ------------------------------------------------------------------
    base = rng.uniform(6, 10)
    dur_s = rng.uniform(100, 150)

    def hd(t: datetime) -> kit.Minute:
        u = max(1.0, base * (1 + 0.2 * math.sin(t.timestamp() / 3000)) * rng.uniform(0.8, 1.2))
        inflight = u * dur_s / 60
        return kit.Minute(
            started=u,
            succeeded=u,
            failed=0,
            exec_ms=(dur_s + 25) * 1000,
            sent=u,
            received=u,
            deleted=u,
            visible=rng.choice([0, 0, 1]),
            inflight=inflight,
            oldest=rng.uniform(1, 9),
            invocations=u,
            errors=1 if rng.random() < 0.02 else 0,
            throttles=0,
            duration_ms=dur_s * 1000 * rng.uniform(0.9, 1.1),
            duration_max_ms=dur_s * 1000 * rng.uniform(1.8, 2.3),
            concurrency=min(40, inflight),
        )

    kit.pipeline_metrics(a, p, hd)
    kit.cloudfront(a, p)
    kit.lambda_reports(
        a,
        p.transcoder,
        3008,
        6,
        lambda t: dur_s * 1000 * rng.uniform(0.7, 1.3),
        lambda t: rng.randint(1400, 2000),
    )

    # --- the ECS GPU path --------------------------------------------------------------------------
    cluster = "transcode-gpu"
    cluster_arn = a.arn("ecs", f"cluster/{cluster}")
    service = "uhd-transcoder"
    service_arn = a.arn("ecs", f"service/{cluster}/{service}")
    queue = "video-transcode-uhd"
    dlq = "video-transcode-uhd-dlq"
    asg = "transcode-gpu-asg"
    td_rev = rng.randint(20, 60)
    td_arn = a.arn("ecs", f"task-definition/{service}:{td_rev}")
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    boot = a.start - timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 20))
    nodes = []
    for i in range(3):
        iid = "i-0" + a.hexid(16)
        ci = a.arn("ecs", f"container-instance/{cluster}/{a.hexid(32)}")
        task = a.hexid(32)
        ip = f"10.40.{20 + i * 16}.{rng.randint(10, 240)}"
        nodes.append({"id": iid, "ci": ci, "task": task, "az": azs[i], "ip": ip})
    bad = rng.randrange(3)
    bad_node = nodes[bad]
    # AWS Health's retirement notice arrives 18-28 min after the GPU went
    notice = onset + timedelta(minutes=rng.randint(18, 28))
    for n in nodes:
        a.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": n["id"],
                "ImageId": "ami-0" + a.hexid(16),
                "InstanceType": "g4dn.xlarge",
                "LaunchTime": kit.iso(boot + timedelta(minutes=rng.randint(0, 3))),
                "Placement": {"AvailabilityZone": n["az"], "Tenancy": "default"},
                "PrivateIpAddress": n["ip"],
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": "subnet-0" + a.hexid(16),
                "VpcId": "vpc-0" + a.hexid(16),
                "Architecture": "x86_64",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{a.account_id}:instance-profile/ecsInstanceRole",
                    "Id": "AIPA" + a.hexid(17).upper(),
                },
                "Monitoring": {"State": "disabled"},
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": asg},
                    {"Key": "Name", "Value": "transcode-gpu"},
                    {"Key": "AmazonECSManaged", "Value": ""},
                ],
            },
        )
        a.resource(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": n["az"],
                "InstanceId": n["id"],
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "Events": [
                    {
                        "InstanceEventId": "instance-event-0" + a.hexid(16),
                        "Code": "instance-retirement",
                        "Description": "The instance is running on degraded hardware",
                        "NotBefore": kit.iso(onset + timedelta(days=14)),
                    }
                ]
                if n is bad_node and notice <= a.now
                else [],
            },
        )
        a.resource(
            "ecs",
            "ContainerInstance",
            {
                "containerInstanceArn": n["ci"],
                "ec2InstanceId": n["id"],
                "capacityProviderName": "transcode-gpu-cp",
                "status": "ACTIVE",
                "agentConnected": True,
                "runningTasksCount": 1,
                "pendingTasksCount": 0,
                "registeredAt": kit.iso(boot + timedelta(minutes=4)),
                "versionInfo": {"agentVersion": "1.82.1", "dockerVersion": "DockerVersion: 20.10.25"},
                "attributes": [
                    {"name": "ecs.instance-type", "value": "g4dn.xlarge"},
                    {"name": "ecs.availability-zone", "value": n["az"]},
                ],
            },
        )
        a.resource(
            "ecs",
            "Task",
            {
                "taskArn": a.arn("ecs", f"task/{cluster}/{n['task']}"),
                "clusterArn": cluster_arn,
                "taskDefinitionArn": td_arn,
                "containerInstanceArn": n["ci"],
                "availabilityZone": n["az"],
                "group": f"service:{service}",
                "launchType": "EC2",
                "capacityProviderName": "transcode-gpu-cp",
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "healthStatus": "UNKNOWN",
                "cpu": "3072",
                "memory": "14336",
                "createdAt": kit.iso(boot + timedelta(minutes=6)),
                "startedAt": kit.iso(boot + timedelta(minutes=7)),
                "startedBy": "ecs-svc/" + str(rng.randint(10**18, 10**19)),
                "containers": [
                    {
                        "name": "transcoder",
                        "lastStatus": "RUNNING",
                        "image": f"{a.account_id}.dkr.ecr.us-east-1.amazonaws.com/uhd-transcoder:2024.{rng.randint(10, 99)}",
                        "gpuIds": ["0"],
                        "healthStatus": "UNKNOWN",
                    }
                ],
            },
        )
    a.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 3,
            "runningTasksCount": 3,
            "pendingTasksCount": 0,
            "activeServicesCount": 1,
            "capacityProviders": ["transcode-gpu-cp"],
        },
    )
    a.resource(
        "ecs",
        "Service",
        {
            "serviceArn": service_arn,
            "serviceName": service,
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "taskDefinition": td_arn,
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randint(10**18, 10**19)),
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": 3,
                    "runningCount": 3,
                    "pendingCount": 0,
                    "createdAt": kit.iso(boot),
                    "updatedAt": kit.iso(boot + timedelta(minutes=9)),
                    "rolloutState": "COMPLETED",
                }
            ],
            "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
            "createdAt": kit.iso(boot - timedelta(days=300)),
            "events": [
                {
                    "id": a.uid(),
                    "createdAt": kit.iso(a.start - timedelta(hours=rng.randint(1, 5))),
                    "message": f"(service {service}) has reached a steady state.",
                }
            ],
        },
    )
    a.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:us-east-1:{a.account_id}:autoScalingGroup:{a.uid()}:autoScalingGroupName/{asg}",
            "MinSize": 3,
            "MaxSize": 6,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "CreatedTime": kit.iso(boot - timedelta(days=300)),
            "Instances": [
                {
                    "InstanceId": n["id"],
                    "InstanceType": "g4dn.xlarge",
                    "AvailabilityZone": n["az"],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": True,
                }
                for n in nodes
            ],
        },
    )
    for qn in (queue, dlq):
        attrs = {
            "QueueArn": a.arn("sqs", qn),
            "VisibilityTimeout": "1800" if qn == queue else "30",
            "MessageRetentionPeriod": "345600" if qn == queue else "1209600",
            "ReceiveMessageWaitTimeSeconds": "20",
            "ApproximateNumberOfMessages": "0",
        }
        if qn == queue:
            attrs["RedrivePolicy"] = f'{{"deadLetterTargetArn":"{a.arn("sqs", dlq)}","maxReceiveCount":3}}'
        a.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{a.account_id}/{qn}",
                "Attributes": attrs,
                "Tags": {"team": "media-platform"},
            },
        )
    a.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/ecs/{service}",
            "creationTime": kit.ms(boot - timedelta(days=300)),
            "retentionInDays": 14,
        },
    )

    # per-minute UHD path: 3 workers, each ~1 job / 6-9 min; after onset the bad one fails each job in ~1 s
    job_min = rng.uniform(6, 9)
    uhd_rate = rng.uniform(0.3, 0.45)
    dlq_depth = 0.0
    backlog = 0.0
    bad_onset = onset
    q = {"QueueName": queue}
    for t in a.minutes():
        arrivals = uhd_rate * rng.uniform(0.6, 1.4)
        after = t >= bad_onset
        if after:
            k = (t - bad_onset).total_seconds() / 60
            # the bad worker grabs nearly everything: receive -> fail -> visibility 0 -> receive again
            recv = arrivals * 3 + backlog * 0.3
            to_dlq = arrivals * rng.uniform(0.7, 0.9) if k > 1 else 0.0
            dlq_depth += to_dlq
            backlog = max(0.0, backlog + arrivals - to_dlq - arrivals * 0.15)
            deleted = arrivals * 0.15
        else:
            recv = arrivals
            deleted = arrivals
        a.metric("AWS/SQS", "NumberOfMessagesSent", q, t, round(arrivals))
        a.metric("AWS/SQS", "NumberOfMessagesReceived", q, t, round(recv))
        a.metric("AWS/SQS", "NumberOfMessagesDeleted", q, t, round(deleted))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, round(backlog))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q, t, 2 if after else 3)
        a.metric(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            q,
            t,
            round(rng.uniform(5, 40) if not after else rng.uniform(5, 60)),
            "Seconds",
        )
        if dlq_depth >= 1:
            a.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, t, round(dlq_depth))
        for n in nodes:
            dims = {"InstanceId": n["id"]}
            if t.minute % 5 == 0:  # basic monitoring: 5-minute points
                cpu = rng.uniform(55, 85)
                if n is bad_node and after:
                    cpu = rng.uniform(3, 7)
                a.metric("AWS/EC2", "CPUUtilization", dims, t, cpu, "Percent")
                a.metric(
                    "AWS/EC2",
                    "NetworkIn",
                    dims,
                    t,
                    rng.uniform(2e9, 6e9) if not (n is bad_node and after) else rng.uniform(5e6, 2e7),
                    "Bytes",
                )
            a.metric("AWS/EC2", "StatusCheckFailed", dims, t, 0.0)
            a.metric("AWS/EC2", "StatusCheckFailed_System", dims, t, 0.0)
        a.metric(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": service},
            t,
            rng.uniform(38, 56) if after else rng.uniform(60, 82),
            "Percent",
        )
        a.metric(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": service},
            t,
            rng.uniform(30, 40),
            "Percent",
        )

    # worker logs (awslogs driver)
    for n in nodes:
        stream = f"uhd/transcoder/{n['task']}"
        group = f"/ecs/{service}"
        a.log(
            group,
            stream,
            a.start - timedelta(minutes=1),
            f'level=info msg="worker ready" instance={n["id"]} gpu="Tesla T4" driver=535.161.08 queue={queue}',
        )
        t = a.start + timedelta(seconds=rng.uniform(0, 300))
        while t < a.now:
            job = a.uid()
            key = f"incoming/{a.hexid(8)}/{rng.choice(['master', 'upload'])}.mp4"
            if n is bad_node and t >= bad_onset:
                rc = rng.randint(1, 3)
                a.log(
                    group,
                    stream,
                    t,
                    f'level=info msg="job received" job={job} receive_count={rc} src=s3://{p.uploads}/{key}',
                )
                a.log(
                    group,
                    stream,
                    t + timedelta(milliseconds=rng.randint(300, 900)),
                    f"[h264_nvenc @ 0x55{a.hexid(10)}] dl_fn->cuda_dl->cuInit(0) failed -> CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected",
                )
                a.log(
                    group,
                    stream,
                    t + timedelta(milliseconds=rng.randint(900, 1200)),
                    "Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height",
                )
                a.log(
                    group,
                    stream,
                    t + timedelta(milliseconds=rng.randint(1200, 1500)),
                    f'level=error msg="ffmpeg exited" job={job} code=187 action=release visibility=0',
                )
                t += timedelta(seconds=rng.uniform(20, 60))
            else:
                a.log(
                    group,
                    stream,
                    t,
                    f'level=info msg="job received" job={job} receive_count=1 src=s3://{p.uploads}/{key}',
                )
                d = job_min * 60 * rng.uniform(0.8, 1.25)
                a.log(
                    group,
                    stream,
                    t + timedelta(seconds=d),
                    f'level=info msg="job done" job={job} renditions=2160p,1440p elapsed={d:.1f}s',
                )
                t += timedelta(seconds=d + rng.uniform(5, 60))

    # AWS Health: the retirement notice
    ev_arn = f"arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{a.hexid(8)}"
    a.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": ev_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": "us-east-1",
                    "availabilityZone": bad_node["az"],
                    "startTime": kit.iso(onset + timedelta(days=14)),
                    "lastUpdatedTime": kit.iso(notice),
                    "statusCode": "upcoming",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance "
                    f"associated with this event in the us-east-1 region. Due to this degradation your instance could "
                    f"already be unreachable. We will stop your instance after {onset + timedelta(days=14):%Y-%m-%d %H:%M:%S} UTC."
                    " You can find more information about maintenance events scheduled for your EC2 instances in the "
                    "EC2 Management Console."
                ),
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:us-east-1:{a.account_id}:entity/{a.hexid(32)}",
                        "eventArn": ev_arn,
                        "entityValue": bad_node["id"],
                        "awsAccountId": a.account_id,
                        "lastUpdatedTime": kit.iso(notice),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        }
    )
    if notice > a.now:
        a.events.clear()

    # innocent: someone raised the ASG max earlier, and the UHD task def got a log-level tweak (not deployed)
    ops = a.role_identity("AWSReservedSSO_MediaOps_3f2a9c1e7b", f"ife@{a.org}.com", console=True)
    a.trail(
        a.start + timedelta(minutes=rng.randint(30, 90)),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        ops,
        {"autoScalingGroupName": asg, "maxSize": 6},
        None,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    a.trail(
        onset - timedelta(minutes=rng.randint(12, 40)),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        a.role_identity("github-actions-deploy", "GitHubActions"),
        {"family": service, "networkMode": "bridge", "requiresCompatibilities": ["EC2"]},
        {
            "taskDefinition": {
                "taskDefinitionArn": a.arn("ecs", f"task-definition/{service}:{td_rev + 1}"),
                "revision": td_rev + 1,
                "status": "ACTIVE",
            }
        },
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.12.0 api/ecs#3.540.0",
    )
    for _ in range(4):
        a.trail(
            a.start + timedelta(minutes=rng.randint(0, 200)),
            "ecs.amazonaws.com",
            "DescribeServices",
            a.role_identity("grafana-cloudwatch-read", "grafana"),
            {"cluster": cluster, "services": [service]},
            read_only=True,
        )

    # alarms
    dlq_alarm = a.alarm(
        "video-transcode-uhd-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Maximum",
        0,
        period=300,
        missing="notBreaching",
    )
    a.alarm(
        "uhd-transcoder-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": service},
        "Average",
        90,
        period=300,
        evals=3,
    )
    a.alarm(
        "video-transcode-uhd-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": queue},
        "Maximum",
        3600,
        period=300,
        evals=2,
    )
    a.alarm(
        "video-transcode-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.dlq},
        "Maximum",
        0,
        period=300,
        missing="notBreaching",
    )
    for n in nodes:
        a.alarm(
            f"transcode-gpu-statuscheck-{n['id']}",
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": n["id"]},
            "Maximum",
            0,
            period=300,
            evals=2,
        )
    fire = onset + timedelta(minutes=rng.randint(5, 9))
    v = float(rng.randint(1, 3))
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{v} ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition)."
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": kit.iso(fire),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [v],
        "threshold": 0.0,
        "evaluatedDatapoints": [
            {"timestamp": kit.iso(fire - timedelta(minutes=5)), "sampleCount": 5.0, "value": v}
        ],
    }
    a.transition(dlq_alarm, fire, "OK", "ALARM", reason, data)
    a.set_state(dlq_alarm, fire, "ALARM", reason)

    zone = "America/Los_Angeles"
    question = (
        f"Customers are saying the 4K option is missing on videos uploaded since about {kit.local_clock(onset, zone)}. "
        "HD is fine. Did the CloudFront change today break the 2160p path?"
    )
    return a.bundle(
        TITLE,
        {"question": question, "alarm_event": a.alarm_event(dlq_alarm, fire, reason, data), "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": bad_node["id"],
                "category": "component_failure",
                "failure_mode": "gpu-hardware-failure-worker-black-hole",
            },
            "also_accept": [
                bad_node["ci"],
                a.arn("ecs", f"task/{cluster}/{bad_node['task']}"),
                bad_node["task"],
            ],
            "actions": ["exclude", "restart"],
            "chain": [bad_node["id"], a.arn("ecs", f"task/{cluster}/{bad_node['task']}"), queue, dlq],
        },
    )
