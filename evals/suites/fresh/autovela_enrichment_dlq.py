"""autovela listing enrichment: dead-letter queue alarm in the afternoon."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zv as k

NAME = "autovela-enrichment-dlq"
TITLE = "listing-enrichment DLQ alarm in the afternoon, shortly after an enricher release"
SUMMARY = (
    "The partner valuation service reached over a PrivateLink endpoint starts refusing connections; the "
    "enrichment worker's retries exhaust and messages land in the DLQ, next to an innocent release and SG edit."
)

REGION = "eu-central-1"
OFFSET = 2  # CEST


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    day = datetime(2024, 5, 6, tzinfo=k.UTC) + timedelta(days=rng.randrange(0, 140))
    while day.weekday() > 4:
        day += timedelta(days=1)
    lm = day - timedelta(hours=OFFSET)
    onset = lm + timedelta(hours=14, minutes=rng.randint(5, 55), seconds=rng.randint(0, 59))
    start = k.floor_minute(onset - timedelta(hours=4, minutes=rng.randint(0, 40)))
    fine_from = k.floor_minute(onset - timedelta(minutes=110))
    now = onset + timedelta(minutes=rng.randint(32, 42))
    end = now + timedelta(minutes=10)
    deploy_at = onset - timedelta(minutes=rng.randint(12, 17), seconds=rng.randint(0, 59))
    sg_at = onset - timedelta(minutes=rng.randint(5, 9), seconds=rng.randint(0, 59))
    ok_share = rng.uniform(0.05, 0.12)  # share of connection attempts the partner still accepts
    peak_rate = rng.uniform(5.5, 8.0)  # listings per second at the peak

    svc_name = f"com.amazonaws.vpce.{REGION}.vpce-svc-0{ids.hex(16)}"
    vpce = ids.res("vpce")
    vpc_id = ids.res("vpc")
    azs = [("eu-central-1a", "euc1-az2"), ("eu-central-1b", "euc1-az3"), ("eu-central-1c", "euc1-az1")]
    subnets = [ids.res("subnet") for _ in range(3)]
    enis = [ids.res("eni") for _ in range(3)]
    eni_ips = [f"10.40.{12 + j}.{rng.randint(20, 240)}" for j in range(3)]
    sg_worker, sg_vpce, sg_api, sg_svc_ep = ids.res("sg"), ids.res("sg"), ids.res("sg"), ids.res("sg")
    sqs_vpce = ids.res("vpce")
    queue = "listing-enrichment"
    dlq = "listing-enrichment-dlq"
    q_url = f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}"
    dlq_url = f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}"
    q_arn = f"arn:aws:sqs:{REGION}:{account}:{queue}"
    dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{dlq}"
    cluster = "autovela-prod"
    worker = "listing-enricher"
    api = "listing-api"
    table = "autovela-listings"
    topic = f"arn:aws:sns:{REGION}:{account}:autovela-oncall"
    vpce_dns = f"{vpce}-{ids.alnum(8)}.{svc_name.split('.')[-1]}.{REGION}.vpce.amazonaws.com"
    partner_host = "partner-api.kfzwert.de"

    # --- simulate -------------------------------------------------------------------------------------
    m = k.Metrics()
    qd = {"QueueName": queue}
    dqd = {"QueueName": dlq}
    ep_dims = {
        "Endpoint Type": "Interface",
        "Service Name": svc_name,
        "VPC Endpoint Id": vpce,
        "VPC Id": vpc_id,
    }
    sqs_ep_dims = {
        "Endpoint Type": "Interface",
        "Service Name": f"com.amazonaws.{REGION}.sqs",
        "VPC Endpoint Id": sqs_vpce,
        "VPC Id": vpc_id,
    }
    wd = {"ClusterName": cluster, "ServiceName": worker}
    ad = {"ClusterName": cluster, "ServiceName": api}
    backlog = 0.0
    inflight_fail: list[tuple[datetime, float, int]] = []  # (visible again at, count, receives so far)
    dlq_count = 0.0
    dlq_pts: dict[datetime, float] = {}
    oldest_age = 0.0
    fail_minutes: list[datetime] = []
    t = start
    while t < now:
        step = 5 if t < fine_from else 1
        lf = k.load(t, OFFSET, "marketplace")
        sent = max(0.0, k.wobble(rng, peak_rate * lf * 60 * step, 0.06))
        broken = t >= onset
        # redeliveries becoming visible again
        due = [x for x in inflight_fail if x[0] <= t]
        inflight_fail = [x for x in inflight_fail if x[0] > t]
        redeliver = sum(c for _, c, _ in due)
        received = sent + backlog + redeliver
        backlog = 0.0
        if broken:
            deleted = (sent + redeliver) * ok_share * 1.6  # a few succeed on an in-process retry
            deleted = min(deleted, received)
            failing = received - deleted
            # bucket failures by receive count; after 5 receives SQS moves them to the DLQ
            new_groups: dict[int, float] = {}
            fresh_fail = sent * (1 - ok_share * 1.6)
            new_groups[1] = max(0.0, fresh_fail)
            for _, c, n in due:
                new_groups[n + 1] = new_groups.get(n + 1, 0.0) + c * (1 - ok_share * 1.6)
            for n, c in new_groups.items():
                if n >= 5:
                    dlq_count += c
                else:
                    inflight_fail.append((t + timedelta(seconds=60 * step + 15), c, n))
            fail_minutes.append(t)
            oldest_age = min(oldest_age + 60 * step, 300 + (t - onset).total_seconds() * 0.15)
        else:
            deleted = received
            failing = 0.0
            oldest_age = rng.uniform(1, 4)
        not_visible = sum(c for _, c, _ in inflight_fail) + sent / (60 * step) * (1.2 if not broken else 20)
        visible = max(0.0, failing * 0.04) if broken else rng.uniform(0, 3)
        m.put("AWS/SQS", "NumberOfMessagesSent", qd, t, round(sent), "Count")
        m.put("AWS/SQS", "NumberOfMessagesReceived", qd, t, round(received), "Count")
        m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, round(deleted), "Count")
        m.put(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            qd,
            t,
            round(k.wobble(rng, 18 * 6 * step * (1 - 0.6 * lf), 0.1)),
            "Count",
        )
        m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, round(visible), "Count")
        m.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, round(not_visible), "Count")
        m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, round(oldest_age), "Seconds")
        m.put("AWS/SQS", "SentMessageSize", qd, t, k.wobble(rng, 1480, 0.03), "Bytes")
        m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dqd, t, round(dlq_count), "Count")
        m.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dqd, t, 0, "Count")
        m.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dqd,
            t,
            round(min(300 + (t - onset).total_seconds(), (t - onset).total_seconds() + 280))
            if dlq_count >= 1
            else 0,
            "Seconds",
        )
        if step == 1:
            dlq_pts[t] = round(dlq_count)
        # PrivateLink endpoint to the partner
        calls = (sent + redeliver) * (3 if broken else 1)  # in-process retries
        deploy_burst = 24 if deploy_at <= t < deploy_at + timedelta(minutes=5) else 0
        if broken:
            new_conn = calls * ok_share
            rst = calls * (1 - ok_share) * rng.uniform(1.0, 1.08) + (
                30 if t - onset < timedelta(minutes=1) else 0
            )
            active = k.wobble(rng, 3.0, 0.4)
            bytes_p = new_conn * 7800 + calls * 120
        else:
            new_conn = k.poisson(rng, 0.4 * step) + deploy_burst
            rst = 0.0
            active = k.wobble(rng, 24, 0.05)
            bytes_p = calls * rng.uniform(7600, 8100)
        m.put("AWS/PrivateLinkEndpoints", "ActiveConnections", ep_dims, t, max(0.0, active), "Count")
        m.put("AWS/PrivateLinkEndpoints", "NewConnections", ep_dims, t, round(new_conn), "Count")
        m.put("AWS/PrivateLinkEndpoints", "BytesProcessed", ep_dims, t, round(bytes_p), "Bytes")
        m.put("AWS/PrivateLinkEndpoints", "PacketsDropped", ep_dims, t, 0, "Count")
        m.put("AWS/PrivateLinkEndpoints", "RstPacketsReceived", ep_dims, t, round(rst), "Count")
        sq_calls = (received + deleted) / 10 + 18 * 6 * step
        m.put(
            "AWS/PrivateLinkEndpoints", "ActiveConnections", sqs_ep_dims, t, k.wobble(rng, 14, 0.05), "Count"
        )
        m.put(
            "AWS/PrivateLinkEndpoints",
            "NewConnections",
            sqs_ep_dims,
            t,
            k.poisson(rng, 0.3 * step) + deploy_burst // 2,
            "Count",
        )
        m.put(
            "AWS/PrivateLinkEndpoints",
            "BytesProcessed",
            sqs_ep_dims,
            t,
            round(sq_calls * 2100 + received * 1500),
            "Bytes",
        )
        m.put("AWS/PrivateLinkEndpoints", "PacketsDropped", sqs_ep_dims, t, 0, "Count")
        m.put("AWS/PrivateLinkEndpoints", "RstPacketsReceived", sqs_ep_dims, t, 0, "Count")
        # ECS
        dep_cpu = 20 if deploy_at <= t < deploy_at + timedelta(minutes=3) else 0
        m.put(
            "AWS/ECS",
            "CPUUtilization",
            wd,
            t,
            k.wobble(rng, 9 + 26 * lf + dep_cpu - (5 if broken else 0), 0.08),
            "Percent",
        )
        m.put("AWS/ECS", "MemoryUtilization", wd, t, k.wobble(rng, 33, 0.03), "Percent")
        m.put("AWS/ECS", "CPUUtilization", ad, t, k.wobble(rng, 14 + 30 * lf, 0.07), "Percent")
        m.put("AWS/ECS", "MemoryUtilization", ad, t, k.wobble(rng, 46, 0.02), "Percent")
        # DynamoDB: enriched listings written by the worker
        td = {"TableName": table}
        writes = deleted + sent * 0.05
        m.rows.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": td,
                "timestamp": k.iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": max(1.0, round(writes)),
                    "Sum": round(writes * 4.0, 1),
                    "Minimum": 1.0,
                    "Maximum": 9.0,
                },
            }
        )
        m.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**td, "Operation": "UpdateItem"},
            t,
            k.wobble(rng, 5.1, 0.06),
            "Milliseconds",
        )
        t += timedelta(minutes=step)

    # --- alarms ---------------------------------------------------------------------------------------
    s_dlq = k.AlarmSpec(
        name="listing-enrichment-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=dqd,
        stat="Maximum",
        period=60,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="Messages in listing-enrichment DLQ. Listings are not being enriched (valuation, spec decode).",
    )
    tr = k.evaluate_alarm(s_dlq, dlq_pts, fine_from, now, rng)
    assert tr, "DLQ alarm must fire"
    s_age = k.AlarmSpec(
        name="listing-enrichment-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=900,
        comparison="GreaterThanThreshold",
        description="Oldest listing-enrichment message older than 15 min",
    )
    s_cpu = k.AlarmSpec(
        name="listing-api-cpu-high",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dims=ad,
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=75,
        comparison="GreaterThanThreshold",
    )
    configured = start - timedelta(days=rng.randint(50, 300))
    alarms = [
        k.alarm_item(s_dlq, account, REGION, topic, configured, tr, "", start, now),
        k.alarm_item(
            s_age,
            account,
            REGION,
            topic,
            configured,
            [],
            k.quiet_ok_reason(s_age, now - timedelta(minutes=6), 311.0),
            start - timedelta(days=9),
            now,
        ),
        k.alarm_item(
            s_cpu,
            account,
            REGION,
            topic,
            configured,
            [],
            k.quiet_ok_reason(s_cpu, now - timedelta(minutes=6), 38.2),
            start - timedelta(days=3),
            now,
        ),
    ]
    history = k.history_items(s_dlq, tr, now)
    event = k.alarm_event(
        ids,
        s_dlq,
        account,
        REGION,
        tr[0],
        None,
        prev_reason=k.quiet_ok_reason(s_dlq, tr[0].at - timedelta(days=6), 0.0),
    )

    # --- resources ------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 700))
    vpce_created = start - timedelta(days=rng.randint(120, 280))
    resources: list[dict[str, Any]] = [
        k.res("ec2", "Vpc", k.vpc_item(vpc_id, "10.40.0.0/16", account, "autovela-prod"))
    ]
    for j, sid in enumerate(subnets):
        az, azid = azs[j]
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet_item(
                    sid,
                    vpc_id,
                    f"10.40.{12 + j}.0/24",
                    az,
                    azid,
                    account,
                    REGION,
                    f"autovela-prod-private-{az[-1]}",
                    rng.randint(150, 230),
                ),
            )
        )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(sg_worker, "listing-enricher", "listing-enricher tasks", vpc_id, account, []),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_api,
                "listing-api",
                "listing-api tasks",
                vpc_id,
                account,
                [k.tcp_from_cidrs(8080, [("10.40.0.0/20", "alb")])],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_vpce,
                "kfzwert-valuation-endpoint",
                "PrivateLink endpoint to kfzwert valuation API",
                vpc_id,
                account,
                [
                    {
                        "FromPort": 443,
                        "IpProtocol": "tcp",
                        "IpRanges": [{"CidrIp": "10.40.64.0/20", "Description": "batch subnets"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "ToPort": 443,
                        "UserIdGroupPairs": [
                            {"GroupId": sg_worker, "UserId": account, "Description": "listing-enricher"}
                        ],
                    }
                ],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_svc_ep,
                "aws-service-endpoints",
                "interface endpoints for AWS services",
                vpc_id,
                account,
                [k.tcp_from_cidrs(443, [("10.40.0.0/16", "vpc")])],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": vpce,
                "VpcEndpointType": "Interface",
                "VpcId": vpc_id,
                "ServiceName": svc_name,
                "State": "available",
                "RouteTableIds": [],
                "SubnetIds": subnets,
                "Groups": [{"GroupId": sg_vpce, "GroupName": "kfzwert-valuation-endpoint"}],
                "IpAddressType": "ipv4",
                "DnsOptions": {"DnsRecordIpType": "ipv4"},
                "PrivateDnsEnabled": True,
                "RequesterManaged": False,
                "NetworkInterfaceIds": enis,
                "DnsEntries": [{"DnsName": vpce_dns, "HostedZoneId": "Z273ZU8SZ5RJPC"}]
                + [
                    {
                        "DnsName": f"{vpce}-{ids.alnum(8)}-{az}.{svc_name.split('.')[-1]}.{REGION}.vpce.amazonaws.com",
                        "HostedZoneId": "Z273ZU8SZ5RJPC",
                    }
                    for az, _ in azs
                ]
                + [{"DnsName": partner_host, "HostedZoneId": "Z0" + ids.upper(19)}],
                "CreationTimestamp": k.iso_ms(vpce_created),
                "Tags": k.tags(
                    {"Name": "kfzwert-valuation", "partner": "kfzwert", "contact": "integrations@autovela.de"}
                ),
                "OwnerId": account,
            },
        )
    )
    resources.append(
        k.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": sqs_vpce,
                "VpcEndpointType": "Interface",
                "VpcId": vpc_id,
                "ServiceName": f"com.amazonaws.{REGION}.sqs",
                "State": "available",
                "RouteTableIds": [],
                "SubnetIds": subnets,
                "Groups": [{"GroupId": sg_svc_ep, "GroupName": "aws-service-endpoints"}],
                "IpAddressType": "ipv4",
                "DnsOptions": {"DnsRecordIpType": "ipv4"},
                "PrivateDnsEnabled": True,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [ids.res("eni") for _ in range(3)],
                "DnsEntries": [
                    {
                        "DnsName": f"{sqs_vpce}-{ids.alnum(8)}.sqs.{REGION}.vpce.amazonaws.com",
                        "HostedZoneId": "Z273ZU8SZ5RJPC",
                    }
                ],
                "CreationTimestamp": k.iso_ms(created),
                "Tags": k.tags({"Name": "sqs"}),
                "OwnerId": account,
            },
        )
    )
    for j, eni in enumerate(enis):
        az, azid = azs[j]
        resources.append(
            k.res(
                "ec2",
                "NetworkInterface",
                {
                    "AvailabilityZone": az,
                    "Description": f"VPC Endpoint Interface {vpce}",
                    "Groups": [{"GroupId": sg_vpce, "GroupName": "kfzwert-valuation-endpoint"}],
                    "InterfaceType": "vpc_endpoint",
                    "Ipv6Addresses": [],
                    "MacAddress": ":".join(ids.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": eni,
                    "OwnerId": account,
                    "PrivateDnsName": f"ip-{eni_ips[j].replace('.', '-')}.{REGION}.compute.internal",
                    "PrivateIpAddress": eni_ips[j],
                    "PrivateIpAddresses": [
                        {
                            "Primary": True,
                            "PrivateIpAddress": eni_ips[j],
                            "PrivateDnsName": f"ip-{eni_ips[j].replace('.', '-')}.{REGION}.compute.internal",
                        }
                    ],
                    "Ipv4Prefixes": [],
                    "Ipv6Prefixes": [],
                    "RequesterId": "727180483921",
                    "RequesterManaged": True,
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnets[j],
                    "TagSet": [],
                    "VpcId": vpc_id,
                    "AvailabilityZoneId": azid,
                },
            )
        )
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":"))
    epoch = str(int(created.timestamp()))
    resources.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": q_url,
                "Attributes": {
                    "QueueArn": q_arn,
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": epoch,
                    "LastModifiedTimestamp": epoch,
                    "VisibilityTimeout": "60",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": redrive,
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "listing-enricher", "env": "prod"},
            },
        )
    )
    resources.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": dlq_url,
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "ApproximateNumberOfMessages": str(round(dlq_count)),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": epoch,
                    "LastModifiedTimestamp": epoch,
                    "VisibilityTimeout": "30",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "RedriveAllowPolicy": json.dumps(
                        {"redrivePermission": "allowAll"}, separators=(",", ":")
                    ),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "listing-enricher", "env": "prod"},
            },
        )
    )
    cluster_arn = f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}"
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 14,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "capacityProviders": ["FARGATE"],
                "defaultCapacityProviderStrategy": [],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        )
    )
    ecr = f"{account}.dkr.ecr.{REGION}.amazonaws.com"
    rev = rng.randint(140, 190)
    td_arn = f"arn:aws:ecs:{REGION}:{account}:task-definition/{worker}:{rev}"
    exec_role = f"arn:aws:iam::{account}:role/autovela-ecs-execution"
    worker_env = {
        "QUEUE_URL": q_url,
        "VALUATION_BASE_URL": f"https://{partner_host}/v3",
        "VALUATION_TIMEOUT_MS": "4000",
        "VALUATION_RETRIES": "2",
        "LISTINGS_TABLE": table,
        "NODE_ENV": "production",
    }
    resources.append(
        k.res(
            "ecs",
            "TaskDefinition",
            k.ecs_task_def_item(
                td_arn,
                worker,
                rev,
                f"{ecr}/listing-enricher:2.14.0",
                "512",
                "1024",
                f"arn:aws:iam::{account}:role/listing-enricher-task",
                exec_role,
                f"/ecs/{worker}",
                REGION,
                None,
                worker_env,
                deploy_at - timedelta(seconds=25),
                "enricher",
                "enricher",
            ),
        )
    )
    svc_arn = f"arn:aws:ecs:{REGION}:{account}:service/{cluster}/{worker}"
    new_tasks = [ids.hex(32) for _ in range(6)]
    old_tasks = [ids.hex(32) for _ in range(6)]
    dep_id = "ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19))
    done_at = deploy_at + timedelta(minutes=4, seconds=rng.randint(0, 50))
    svc_events = [
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(done_at + timedelta(seconds=40)),
            "message": f"(service {worker}) has reached a steady state.",
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(done_at),
            "message": f"(service {worker}) (deployment {dep_id}) deployment completed.",
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(deploy_at + timedelta(minutes=2, seconds=30)),
            "message": f"(service {worker}) has stopped 6 running tasks: "
            + " ".join(f"(task {x})." for x in old_tasks),
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(deploy_at + timedelta(seconds=30)),
            "message": f"(service {worker}) has started 6 tasks: "
            + " ".join(f"(task {x})." for x in new_tasks),
        },
    ]
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": worker,
                "clusterArn": cluster_arn,
                "loadBalancers": [],
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": 6,
                "runningCount": 6,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep_id,
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": 6,
                        "pendingCount": 0,
                        "runningCount": 6,
                        "failedTasks": 0,
                        "createdAt": k.iso_ms(deploy_at),
                        "updatedAt": k.iso_ms(done_at),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": svc_events,
                "createdAt": k.iso_ms(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_worker],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "NONE",
                "enableExecuteCommand": False,
            },
        )
    )
    resources.append(
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [{"AttributeName": "listingId", "AttributeType": "S"}],
                "TableName": table,
                "KeySchema": [{"AttributeName": "listingId", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(20, 40) * 1024**3,
                "ItemCount": rng.randint(3_000_000, 5_000_000),
                "TableArn": f"arn:aws:dynamodb:{REGION}:{account}:table/{table}",
                "TableId": ids.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "DeletionProtectionEnabled": True,
            },
        )
    )
    for grp in (f"/ecs/{worker}", f"/ecs/{api}"):
        resources.append(
            k.res(
                "logs",
                "LogGroup",
                k.log_group_item(grp, account, REGION, created, 30, rng.randint(10**9, 4 * 10**10)),
            )
        )

    # --- CloudTrail -----------------------------------------------------------------------------------
    gha = k.ci_role(
        ids,
        account,
        "autovela-ecs-deploy",
        "GitHubActions",
        ids.ip(rng.choice(["20.29", "4.210"])),
        k.CLI_UA.format(n=rng.randint(20, 40), cmd="ecs.update-service"),
    )
    net = k.sso_user(
        ids,
        account,
        REGION,
        "NetworkAdmin",
        "jonas.becker@autovela.de",
        ids.ip("91.64"),
        rng.choice(k.CONSOLE_UA),
    )
    dev = k.sso_user(
        ids,
        account,
        REGION,
        "Developer",
        "lea.hoffmann@autovela.de",
        ids.ip("91.64"),
        rng.choice(k.CONSOLE_UA),
    )
    tfp = k.ci_role(
        ids, account, "autovela-terraform-plan", "atlantis", ids.ip("3.120"), k.tf_ua("ec2#1.173.0")
    )
    trail: list[dict[str, Any]] = []
    trail.append(
        k.ct(
            ids,
            REGION,
            deploy_at - timedelta(seconds=25),
            gha,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": worker,
                "networkMode": "awsvpc",
                "cpu": "512",
                "memory": "1024",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [
                    {"name": "enricher", "image": f"{ecr}/listing-enricher:2.14.0", "essential": True}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": td_arn,
                    "family": worker,
                    "revision": rev,
                    "status": "ACTIVE",
                }
            },
            ua=k.CLI_UA.format(n=33, cmd="ecs.register-task-definition"),
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            deploy_at,
            gha,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": worker, "taskDefinition": td_arn, "forceNewDeployment": False},
            {
                "service": {
                    "serviceArn": svc_arn,
                    "serviceName": worker,
                    "taskDefinition": td_arn,
                    "desiredCount": 6,
                    "status": "ACTIVE",
                }
            },
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            sg_at - timedelta(seconds=50),
            net,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"groupIdSet": {"items": [{"groupId": sg_vpce}]}},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            sg_at,
            net,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            {
                "groupId": sg_vpce,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "groups": {},
                            "ipRanges": {
                                "items": [{"cidrIp": "10.40.64.0/20", "description": "batch subnets"}]
                            },
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            {
                "requestId": ids.uuid(),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": account,
                            "groupId": sg_vpce,
                            "securityGroupRuleId": ids.res("sgr"),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "cidrIpv4": "10.40.64.0/20",
                            "description": "batch subnets",
                        }
                    ]
                },
            },
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            sg_at + timedelta(minutes=rng.randint(1, 3)),
            net,
            "ec2.amazonaws.com",
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": sg_vpce}]},
                "tagSet": {"items": [{"key": "owner", "value": "platform-network"}]},
            },
            {"requestId": ids.uuid(), "_return": True},
        )
    )
    read_calls = [
        ("ec2.amazonaws.com", "DescribeVpcEndpoints", None),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [worker]}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("sqs.amazonaws.com", "ListQueues", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("logs.amazonaws.com", "StartQuery", {"logGroupName": f"/ecs/{worker}"}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
    ]
    trail += k.routine_reads(ids, REGION, rng, (start, now), [net, dev], read_calls, 22)
    trail += k.routine_reads(
        ids,
        REGION,
        rng,
        (start, now),
        [tfp],
        [
            ("ec2.amazonaws.com", "DescribeVpcs", None),
            ("ec2.amazonaws.com", "DescribeSubnets", None),
            ("ec2.amazonaws.com", "DescribeVpcEndpoints", None),
            ("iam.amazonaws.com", "GetRole", {"roleName": "listing-enricher-task"}),
        ],
        8,
    )
    trail = k.sort_trail(r for r in trail if r["eventTime"] <= k.iso(now))
    for r in trail:
        if r["eventSource"] == "iam.amazonaws.com":
            r["awsRegion"] = "us-east-1"

    # --- logs -----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    grp = f"/ecs/{worker}"
    makes = [
        ("VW", "Golf"),
        ("BMW", "320d"),
        ("Skoda", "Octavia"),
        ("Audi", "A4 Avant"),
        ("Mercedes-Benz", "C 220 d"),
        ("Opel", "Corsa"),
        ("Ford", "Focus"),
        ("Tesla", "Model 3"),
        ("Seat", "Leon"),
        ("Renault", "Clio"),
    ]
    t = start
    while t < now:
        per = 1 if t < fine_from else 3
        for _ in range(per):
            ts = t + timedelta(seconds=rng.uniform(0, 59.5))
            tasks = old_tasks if ts < deploy_at + timedelta(minutes=1, seconds=30) else new_tasks
            tid = rng.choice(tasks)
            stream = f"enricher/enricher/{tid}"
            host = f"ip-10-40-{12 + rng.randint(0, 2)}-{rng.randint(10, 250)}.{REGION}.compute.internal"
            lid = f"lst_{ids.alnum(14)}"
            mk, md = rng.choice(makes)
            base = {
                "time": k.ms(ts),
                "pid": 1,
                "hostname": host,
                "listingId": lid,
                "version": "2.14.0" if tasks is new_tasks else "2.13.2",
            }
            if ts >= onset and rng.random() > ok_share * 1.6:
                attempt_t = ts
                for attempt in (1, 2, 3):
                    code = (
                        "ECONNRESET"
                        if (attempt == 1 and ts - onset < timedelta(minutes=2))
                        else "ECONNREFUSED"
                    )
                    ip = rng.choice(eni_ips)
                    err = (
                        {
                            "type": "Error",
                            "message": "read ECONNRESET",
                            "code": "ECONNRESET",
                            "errno": -104,
                            "syscall": "read",
                        }
                        if code == "ECONNRESET"
                        else {
                            "type": "Error",
                            "message": f"connect ECONNREFUSED {ip}:443",
                            "code": "ECONNREFUSED",
                            "errno": -111,
                            "syscall": "connect",
                            "address": ip,
                            "port": 443,
                        }
                    )
                    logs.append(
                        k.log(
                            grp,
                            stream,
                            attempt_t,
                            json.dumps(
                                {
                                    "level": 40 if attempt < 3 else 50,
                                    **base,
                                    "time": k.ms(attempt_t),
                                    "attempt": attempt,
                                    "upstream": "kfzwert",
                                    "url": f"https://{partner_host}/v3/valuations",
                                    "err": err,
                                    "msg": "valuation request failed" + (", retrying" if attempt < 3 else ""),
                                }
                            ),
                        )
                    )
                    attempt_t += timedelta(milliseconds=rng.randint(180, 260) * attempt)
                logs.append(
                    k.log(
                        grp,
                        stream,
                        attempt_t,
                        json.dumps(
                            {
                                "level": 50,
                                **base,
                                "time": k.ms(attempt_t),
                                "receiveCount": rng.randint(1, 5),
                                "msg": "enrichment failed; leaving message for redelivery",
                            }
                        ),
                    )
                )
            else:
                dur = rng.randint(160, 520)
                logs.append(
                    k.log(
                        grp,
                        stream,
                        ts + timedelta(milliseconds=dur),
                        json.dumps(
                            {
                                "level": 30,
                                **base,
                                "time": k.ms(ts) + dur,
                                "make": mk,
                                "model": md,
                                "valuationEur": rng.randint(4, 60) * 500,
                                "durationMs": dur,
                                "msg": "listing enriched",
                            }
                        ),
                    )
                )
        if rng.random() < 0.03:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            tid = rng.choice(new_tasks if ts >= deploy_at + timedelta(minutes=2) else old_tasks)
            logs.append(
                k.log(
                    grp,
                    f"enricher/enricher/{tid}",
                    ts,
                    json.dumps(
                        {
                            "level": 40,
                            "time": k.ms(ts),
                            "pid": 1,
                            "hostname": "ip-10-40-13-77",
                            "listingId": f"lst_{ids.alnum(14)}",
                            "msg": "VIN check digit mismatch; skipping spec decode",
                            "vinPrefix": "WVWZZZ",
                        }
                    ),
                )
            )
        t += timedelta(minutes=1)
    for tid in new_tasks:
        ts = deploy_at + timedelta(seconds=rng.uniform(55, 80))
        logs.append(
            k.log(
                grp,
                f"enricher/enricher/{tid}",
                ts,
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": f"ip-10-40-{12 + rng.randint(0, 2)}-{rng.randint(10, 250)}",
                        "version": "2.14.0",
                        "queue": q_url,
                        "concurrency": 8,
                        "msg": "listing-enricher started",
                    }
                ),
            )
        )
    # the API keeps accepting listings
    api_tasks = [ids.hex(32) for _ in range(4)]
    t = start
    while t < now:
        for _ in range(1 if t < fine_from else 2):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            dur = rng.randint(25, 140)
            logs.append(
                k.log(
                    f"/ecs/{api}",
                    f"api/api/{rng.choice(api_tasks)}",
                    ts,
                    json.dumps(
                        {
                            "level": 30,
                            "time": k.ms(ts),
                            "pid": 1,
                            "req": {"method": "POST", "url": "/v1/listings"},
                            "res": {"statusCode": 201},
                            "responseTime": dur,
                            "msg": "request completed",
                        }
                    ),
                )
            )
        t += timedelta(minutes=1)
    logs = k.sort_logs(r for r in logs if r["timestamp"] <= k.ms(now))

    events = [{"source": "ecs", "item": {"service_arn": svc_arn, "event": e}} for e in svc_events]

    question = (
        "listing-enrichment-dlq-not-empty just paged. New listings are going live without valuations. "
        "We shipped listing-enricher 2.14.0 a little before this - should I roll it back?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": svc_name,
                    "category": "dependency_failure",
                    "failure_mode": "partner-privatelink-service-refusing-connections",
                    "event_id": None,
                },
                "also_accept": [vpce, svc_name.rsplit(".", 1)[-1], partner_host, "kfzwert"],
                "actions": [],
                "chain": [
                    f"The partner's valuation service behind endpoint service {svc_name} started refusing and resetting "
                    "connections (provider side; nothing changed in this account).",
                    f"Calls from {worker} through {vpce} failed with ECONNRESET/ECONNREFUSED; RstPacketsReceived rose and "
                    "BytesProcessed collapsed on the endpoint.",
                    f"{worker} left the messages on {queue} for redelivery; after 5 receives SQS moved them to {dlq}.",
                    f"{s_dlq.name} fired; the {worker} 2.14.0 release and the endpoint security-group rule added just "
                    "before were not involved.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
