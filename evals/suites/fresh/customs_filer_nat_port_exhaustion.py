"""Customs declarations time out at the month-end morning peak: the NAT gateway runs out of ports to one IP."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_t as k

NAME = "customs-filer-nat-port-exhaustion"
TITLE = "Customs declarations failing to submit with timeouts since mid-morning"
SUMMARY = (
    "customs-filer opens a new TLS connection per call to the customs authority's single gateway IP; at the "
    "month-end morning peak the NAT gateway hit its per-destination connection ceiling (ErrorPortAllocation) "
    "and dropped new connections."
)

TZ = ZoneInfo("Europe/London")
CEILING = 55000.0


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = f"{rng.randrange(2, 9)}{rng.randrange(10**10, 10**11):011d}"
    region = "eu-west-2"
    # the last working day of a month
    month = rng.randrange(2, 11)
    last = datetime(2026, month + 1, 1, tzinfo=k.UTC) - timedelta(days=1)
    while last.weekday() > 4:
        last -= timedelta(days=1)
    local_day = datetime(last.year, last.month, last.day, tzinfo=TZ)
    off = local_day.utcoffset()
    offset_h = off.total_seconds() / 3600 if off else 0.0
    day0 = local_day.astimezone(k.UTC)
    start = day0 - timedelta(days=2) + timedelta(hours=6)
    dense_from = day0 + timedelta(hours=5, minutes=30)

    # --- names ---------------------------------------------------------------------------------------
    vpc = ids.res("vpc")
    azs = ["eu-west-2a", "eu-west-2b"]
    pub_subnet = ids.res("subnet")
    priv = {az: ids.res("subnet") for az in azs}
    nat_id = f"nat-0{ids.hex(16)}"
    nat_eni = ids.res("eni")
    eip_alloc = f"eipalloc-0{ids.hex(16)}"
    eip = f"18.{rng.randint(130, 175)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    rtb_priv, rtb_pub = ids.res("rtb"), ids.res("rtb")
    igw = ids.res("igw")
    sg_filer, sg_notifier = ids.res("sg"), ids.res("sg")
    gateway_ip = (
        f"{rng.choice([185, 194, 212])}.{rng.randint(10, 250)}.{rng.randint(1, 254)}.{rng.randint(10, 250)}"
    )
    dr_cidr = f"{rng.choice([146, 151, 195])}.{rng.randint(10, 250)}.{rng.randint(1, 254)}.0/28"
    cluster = "freight-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/customs-filer"
    notif_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/tracking-notifier"
    q_name, dlq_name = "customs-declarations", "customs-declarations-dlq"
    td_rev = rng.randint(80, 140)
    month_factor = rng.uniform(1.45, 1.6)

    # --- simulate: declarations in, tasks, connections ------------------------------------------------
    minutes: list[datetime] = []
    t = start
    horizon = day0 + timedelta(hours=14)
    while t < horizon:
        minutes.append(t)
        t += timedelta(minutes=1)

    sim: dict[datetime, dict[str, float]] = {}
    backlog, oldest_age, tasks = 0.0, 0.0, 4.0
    onset: datetime | None = None
    over_run = 0
    for t in minutes:
        h = k.local_hour(t, offset_h)
        weekday = (t + timedelta(hours=offset_h)).weekday()
        is_today = t >= day0
        biz = 0.0 if weekday > 4 else 1.0
        shape = 0.05 + biz * (
            math.exp(-(((h - 9.6) / 1.7) ** 2)) * 0.95 + math.exp(-(((h - 14.5) / 2.2) ** 2)) * 0.45
        )
        arrivals = (
            1130 * shape * (month_factor if is_today else rng.uniform(0.92, 1.05)) * rng.uniform(0.93, 1.07)
        )
        # ECS service scaling on backlog per task (target 60), 4..48 tasks, reacts within a few minutes
        want = min(48.0, max(4.0, (backlog + arrivals * 2) / 60))
        tasks += (want - tasks) * 0.25
        capacity = tasks * 52  # declarations a minute the tasks can file when the gateway answers
        attempt_work = min(backlog + arrivals, capacity)
        # every declaration awaiting clearance (~6 min) is polled every 3 s, each poll on a fresh
        # connection that stays ~21 s in the NAT's table: ~42 simultaneous connections per declaration/min
        active_demand = attempt_work * 6 * (21.0 / 3.0) * rng.uniform(0.97, 1.03)
        fail = 0.0
        if active_demand > CEILING:
            fail = 1 - CEILING / active_demand
        # a failed call costs the connect timeout and is retried by the worker: the tail grows
        retry_boost = 1 + fail * 1.6
        attempts_conn = attempt_work * (2 + 6 * 20) * retry_boost
        active = (
            min(active_demand * retry_boost, CEILING * rng.uniform(0.985, 0.998))
            if fail > 0
            else active_demand
        )
        port_errors = attempts_conn * fail * rng.uniform(0.9, 1.1) if fail > 0 else 0.0
        done = attempt_work * (1 - fail) ** 3
        failed_decl = attempt_work - done
        backlog = max(0.0, backlog + arrivals - done)
        oldest_age = oldest_age + 60 if backlog > capacity * 1.5 else max(rng.uniform(2, 9), oldest_age * 0.3)
        over_run = over_run + 1 if fail > 0.02 else 0
        if over_run >= 4 and onset is None:
            onset = t - timedelta(minutes=3)
        sim[t] = {
            "arrivals": arrivals,
            "done": done,
            "failed": failed_decl,
            "backlog": backlog,
            "age": oldest_age,
            "tasks": tasks,
            "active": active,
            "attempts": attempts_conn,
            "port_errors": port_errors,
            "fail": fail,
        }

    assert onset is not None
    assert onset > day0
    now = onset + timedelta(minutes=rng.randint(42, 58), seconds=rng.randint(0, 59))
    end = now

    # --- metrics ----------------------------------------------------------------------------------------
    metrics: list[k.Json] = []
    nat = {"NatGatewayId": nat_id}
    qd = {"QueueName": q_name}
    sd = {"ClusterName": cluster, "ServiceName": "customs-filer"}
    nd = {"ClusterName": cluster, "ServiceName": "tracking-notifier"}
    for t, step in k.grid(start, end, dense_from):
        span = [sim[t + timedelta(minutes=i)] for i in range(step // 60)]

        def tot(key: str, span: list[dict[str, float]] = span) -> float:
            return sum(s[key] for s in span)

        busy_day = 0.4 + 0.6 * k.diurnal(t, offset_h, 0.1, 1, 13)
        other_conn = step * rng.uniform(50, 110) * busy_day  # everything else leaving through the NAT
        conns = tot("attempts") + other_conn
        est = conns - tot("port_errors")
        active = max(s["active"] for s in span) + rng.uniform(1500, 3200) * busy_day
        metrics.append(k.datum("AWS/NATGateway", "ActiveConnectionCount", nat, t, round(active), "Count"))
        metrics.append(k.datum("AWS/NATGateway", "ConnectionAttemptCount", nat, t, round(conns), "Count"))
        metrics.append(k.datum("AWS/NATGateway", "ConnectionEstablishedCount", nat, t, round(est), "Count"))
        metrics.append(
            k.datum("AWS/NATGateway", "ErrorPortAllocation", nat, t, round(tot("port_errors")), "Count")
        )
        metrics.append(
            k.datum(
                "AWS/NATGateway",
                "PacketsDropCount",
                nat,
                t,
                round(tot("port_errors") * 2.1 + k.poisson(rng, 3)),
                "Count",
            )
        )
        metrics.append(
            k.datum("AWS/NATGateway", "IdleTimeoutCount", nat, t, k.poisson(rng, 4 * step / 60), "Count")
        )
        metrics.append(
            k.datum(
                "AWS/NATGateway",
                "BytesOutToDestination",
                nat,
                t,
                round(est * rng.uniform(5200, 5900)),
                "Bytes",
            )
        )
        metrics.append(
            k.datum(
                "AWS/NATGateway",
                "BytesInFromDestination",
                nat,
                t,
                round(est * rng.uniform(7400, 8300)),
                "Bytes",
            )
        )
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, t, round(tot("arrivals")), "Count"))
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesDeleted", qd, t, round(tot("done")), "Count"))
        metrics.append(
            k.datum(
                "AWS/SQS",
                "NumberOfMessagesReceived",
                qd,
                t,
                round(tot("done") + tot("failed") * 1.02),
                "Count",
            )
        )
        metrics.append(
            k.datum(
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, round(span[-1]["backlog"]), "Count"
            )
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, round(span[-1]["age"]), "Seconds")
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq_name}, t, 0, "Count")
        )
        busy = min(1.0, tot("done") / max(1.0, span[-1]["tasks"] * 52 * len(span)))
        metrics.append(
            k.datum(
                "AWS/ECS",
                "CPUUtilization",
                sd,
                t,
                k.noisy(rng, 9 + 38 * busy + 12 * span[-1]["fail"], 0.05),
                "Percent",
            )
        )
        metrics.append(
            k.datum(
                "AWS/ECS",
                "MemoryUtilization",
                sd,
                t,
                k.noisy(rng, 31 + 14 * span[-1]["fail"], 0.03),
                "Percent",
            )
        )
        metrics.append(
            k.datum(
                "AWS/ECS",
                "CPUUtilization",
                nd,
                t,
                k.noisy(rng, 6 + 18 * k.diurnal(t, offset_h, 0.1, 1, 13), 0.08),
                "Percent",
            )
        )
        metrics.append(k.datum("AWS/ECS", "MemoryUtilization", nd, t, k.noisy(rng, 22, 0.03), "Percent"))
        metrics.append(
            k.datum("ECS/ContainerInsights", "RunningTaskCount", sd, t, round(span[-1]["tasks"]), "Count")
        )
        metrics.append(k.datum("ECS/ContainerInsights", "RunningTaskCount", nd, t, 3, "Count"))
    metrics = [m for m in metrics if m["timestamp"] <= k.iso(now)]

    # --- alarms ---------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:freight-oncall"
    cfg = start - timedelta(days=rng.randint(90, 400))
    a_age = k.Alarm(
        account=account,
        region=region,
        name="customs-declarations-oldest-message-age",
        description="Oldest declaration waiting more than 15 minutes: filings at risk of missing the cut-off.",
        ns="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=300,
        evals=2,
        to_alarm=2,
        threshold=900,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        configured=cfg,
    )
    a_dlq = k.Alarm(
        account=account,
        region=region,
        name="customs-declarations-dlq-not-empty",
        description="Declarations in the DLQ",
        ns="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq_name},
        stat="Maximum",
        period=300,
        evals=1,
        to_alarm=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        configured=cfg,
    )
    a_cpu = k.Alarm(
        account=account,
        region=region,
        name="customs-filer-cpu-high",
        description="customs-filer CPU above 85%",
        ns="AWS/ECS",
        metric="CPUUtilization",
        dims=sd,
        stat="Average",
        period=300,
        evals=3,
        to_alarm=3,
        threshold=85,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        configured=cfg,
    )
    alarms = [a_age, a_dlq, a_cpu]
    for al in alarms:
        al.evaluate(metrics, dense_from, now, rng)
    assert a_age.state == "ALARM", a_age.transitions

    # --- CloudTrail ---------------------------------------------------------------------------------
    trail = k.Trail(ids, account, region)
    office = ids.ip("81.134")
    runner = ids.ip("4.208")
    k.routine(
        trail,
        rng,
        start,
        now,
        n=40,
        humans=[
            ("FreightEngineer", "priya.nair@northgatefreight.co.uk"),
            ("PlatformOps", "tom.whitcombe@northgatefreight.co.uk"),
        ],
        ci_role="northgate-freight/freight-services",
        monitor_role="DatadogIntegrationRole",
        read_targets={
            "log_groups": ["/ecs/customs-filer", "/ecs/tracking-notifier"],
            "secrets": ["customs-filer/gateway-client-cert-7QpLm2"],
        },
        office_ip=office,
        runner_ip=runner,
    )
    ci_sess = f"GitHubActions-{rng.randrange(10**9, 10**10)}"
    ci = trail.role("github-actions-deploy", ci_sess, onset - timedelta(minutes=40))
    dep_at = onset - timedelta(minutes=rng.randint(16, 26), seconds=rng.randint(0, 59))
    notif_rev = rng.randint(30, 70)
    ci_ua = (
        "aws-sdk-js/3.699.0 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.1 api/ecs#3.699.0 m/E,e"
    )
    trail.add(
        dep_at,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "tracking-notifier",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "taskRoleArn": f"arn:aws:iam::{account}:role/tracking-notifier-task",
            "containerDefinitions": [
                {
                    "name": "tracking-notifier",
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/tracking-notifier:{ids.hex(7)}",
                    "essential": True,
                    "portMappings": [],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/tracking-notifier",
                            "awslogs-region": region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/tracking-notifier:{notif_rev}",
                "family": "tracking-notifier",
                "revision": notif_rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        ip=runner,
        ua=ci_ua,
        version="1.08",
    )
    trail.add(
        dep_at + timedelta(seconds=rng.randint(4, 12)),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": cluster,
            "service": "tracking-notifier",
            "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/tracking-notifier:{notif_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": notif_arn,
                "serviceName": "tracking-notifier",
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": 3,
                "runningCount": 3,
                "pendingCount": 0,
                "launchType": "FARGATE",
            }
        },
        read_only=False,
        ip=runner,
        ua=ci_ua,
        version="1.08",
    )
    ops = trail.sso(
        "PlatformOps", ids.hex(16), "tom.whitcombe@northgatefreight.co.uk", onset - timedelta(minutes=35)
    )
    sg_at = onset - timedelta(minutes=rng.randint(5, 11), seconds=rng.randint(0, 59))
    rule_id = f"sgr-0{ids.hex(16)}"
    trail.add(
        sg_at,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupEgress",
        ops,
        {
            "groupId": sg_filer,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": dr_cidr, "description": "customs gateway DR site"}]
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
                        "groupId": sg_filer,
                        "securityGroupRuleId": rule_id,
                        "isEgress": True,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": dr_cidr,
                        "description": "customs gateway DR site",
                    }
                ]
            },
        },
        read_only=False,
        ip=office,
        ua=k.CONSOLE_UA,
    )
    trail.add(
        onset + timedelta(minutes=rng.randint(12, 20), seconds=rng.randint(0, 59)),
        "ec2.amazonaws.com",
        "DescribeNatGateways",
        ops,
        {"describeNatGatewaysRequest": {"natGatewayIdSet": {}, "filterSet": {}}},
        None,
        read_only=True,
        ip=office,
        ua=k.CONSOLE_UA,
    )
    # Application Auto Scaling resizing the customs-filer service through the morning
    aas = trail.service_linked(
        "AWSServiceRoleForApplicationAutoScaling_ECSService", "application-autoscaling.amazonaws.com", start
    )
    last_n = 4
    for t in minutes:
        if t > now:
            break
        n = round(sim[t]["tasks"])
        if abs(n - last_n) >= 4 or (n != last_n and n in (4, 48)):
            trail.add(
                t + timedelta(seconds=rng.randint(5, 50)),
                "ecs.amazonaws.com",
                "UpdateService",
                aas,
                {"cluster": cluster, "service": "customs-filer", "desiredCount": n},
                {
                    "service": {
                        "serviceArn": svc_arn,
                        "serviceName": "customs-filer",
                        "clusterArn": cluster_arn,
                        "status": "ACTIVE",
                        "desiredCount": n,
                        "runningCount": last_n,
                        "pendingCount": 0,
                        "launchType": "FARGATE",
                    }
                },
                read_only=False,
                ip="application-autoscaling.amazonaws.com",
                ua="application-autoscaling.amazonaws.com",
                version="1.08",
            )
            last_n = n
    cloudtrail = [r for r in trail.sorted() if r["eventTime"] <= k.iso(now)]

    # --- resources -------------------------------------------------------------------------------------
    resources: list[k.Json] = []
    resources.append(
        k.res(
            "ec2",
            "Vpc",
            {
                "CidrBlock": "10.60.0.0/16",
                "DhcpOptionsId": f"dopt-0{ids.hex(16)}",
                "State": "available",
                "VpcId": vpc,
                "OwnerId": account,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "freight-prod"}],
            },
        )
    )
    for sid, az, cidr, name, public in (
        (pub_subnet, azs[0], "10.60.0.0/24", "freight-prod-public-a", True),
        (priv[azs[0]], azs[0], "10.60.16.0/20", "freight-prod-private-a", False),
        (priv[azs[1]], azs[1], "10.60.32.0/20", "freight-prod-private-b", False),
    ):
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                {
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"euw2-az{azs.index(az) + 2}",
                    "AvailableIpAddressCount": rng.randint(200, 3900),
                    "CidrBlock": cidr,
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": public,
                    "State": "available",
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "OwnerId": account,
                    "AssignIpv6AddressOnCreation": False,
                    "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sid}",
                    "Tags": [{"Key": "Name", "Value": name}],
                },
            )
        )
    resources.append(
        k.res(
            "ec2",
            "NatGateway",
            {
                "CreateTime": k.iso(start - timedelta(days=rng.randint(300, 700))),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": eip_alloc,
                        "NetworkInterfaceId": nat_eni,
                        "PrivateIp": "10.60.0." + str(rng.randint(20, 200)),
                        "PublicIp": eip,
                        "AssociationId": f"eipassoc-0{ids.hex(16)}",
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nat_id,
                "State": "available",
                "SubnetId": pub_subnet,
                "VpcId": vpc,
                "ConnectivityType": "public",
                "Tags": [{"Key": "Name", "Value": "freight-prod-nat-a"}],
            },
        )
    )
    resources.append(
        k.res(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": f"rtbassoc-0{ids.hex(16)}",
                        "RouteTableId": rtb_priv,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in priv.values()
                ],
                "PropagatingVgws": [],
                "RouteTableId": rtb_priv,
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.60.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nat_id,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": "pl-7ca54015",
                        "GatewayId": f"vpce-0{ids.hex(16)}",
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": [{"Key": "Name", "Value": "freight-prod-private"}],
                "VpcId": vpc,
                "OwnerId": account,
            },
        )
    )
    resources.append(
        k.res(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": f"rtbassoc-0{ids.hex(16)}",
                        "RouteTableId": rtb_pub,
                        "SubnetId": pub_subnet,
                        "AssociationState": {"State": "associated"},
                    }
                ],
                "PropagatingVgws": [],
                "RouteTableId": rtb_pub,
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.60.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": igw,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": [{"Key": "Name", "Value": "freight-prod-public"}],
                "VpcId": vpc,
                "OwnerId": account,
            },
        )
    )
    egress_filer = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [
                {"CidrIp": f"{gateway_ip}/32", "Description": "customs declaration gateway"},
                {"CidrIp": dr_cidr, "Description": "customs gateway DR site"},
            ],
            "Ipv6Ranges": [],
            "PrefixListIds": [{"PrefixListId": "pl-7ca54015"}],
            "UserIdGroupPairs": [],
        },
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [
                {"GroupId": ids.res("sg"), "UserId": account, "Description": "VPC endpoints"}
            ],
        },
    ]
    for gid, gname, egress in (
        (sg_filer, "customs-filer", egress_filer),
        (
            sg_notifier,
            "tracking-notifier",
            [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
        ),
    ):
        resources.append(
            k.res(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": gid,
                    "GroupName": gname,
                    "Description": f"{gname} tasks",
                    "OwnerId": account,
                    "VpcId": vpc,
                    "IpPermissions": [],
                    "IpPermissionsEgress": egress,
                    "Tags": [{"Key": "service", "Value": gname}],
                },
            )
        )
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": round(sim[k.minute_floor(now)]["tasks"]) + 3,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "settings": [{"name": "containerInsights", "value": "enabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        )
    )
    n_now = round(sim[k.minute_floor(now)]["tasks"])
    for name, arn, sg, count, rev in (
        ("customs-filer", svc_arn, sg_filer, n_now, td_rev),
        ("tracking-notifier", notif_arn, sg_notifier, 3, notif_rev),
    ):
        dep_time = dep_at if name == "tracking-notifier" else start - timedelta(days=rng.randint(3, 12))
        resources.append(
            k.res(
                "ecs",
                "Service",
                {
                    "serviceArn": arn,
                    "serviceName": name,
                    "clusterArn": cluster_arn,
                    "loadBalancers": [],
                    "serviceRegistries": [],
                    "status": "ACTIVE",
                    "desiredCount": count,
                    "runningCount": count,
                    "pendingCount": 0,
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{name}:{rev}",
                    "deploymentConfiguration": {
                        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                        "maximumPercent": 200,
                        "minimumHealthyPercent": 100,
                    },
                    "deployments": [
                        {
                            "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                            "status": "PRIMARY",
                            "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{name}:{rev}",
                            "desiredCount": count,
                            "pendingCount": 0,
                            "runningCount": count,
                            "failedTasks": 0,
                            "createdAt": k.iso(dep_time),
                            "updatedAt": k.iso(dep_time + timedelta(minutes=4)),
                            "launchType": "FARGATE",
                            "platformVersion": "1.4.0",
                            "rolloutState": "COMPLETED",
                            "rolloutStateReason": "ECS deployment ecs-svc completed.",
                        }
                    ],
                    "createdAt": k.iso(start - timedelta(days=600)),
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": list(priv.values()),
                            "securityGroups": [sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "schedulingStrategy": "REPLICA",
                    "deploymentController": {"type": "ECS"},
                    "enableECSManagedTags": True,
                    "propagateTags": "SERVICE",
                    "enableExecuteCommand": False,
                },
            )
        )
    resources.append(
        k.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/customs-filer",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 4,
                "MaxCapacity": 48,
                "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": k.iso(start - timedelta(days=500)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
    )
    for qn, vis, extra in (
        (
            q_name,
            "120",
            {
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{dlq_name}",
                        "maxReceiveCount": 10,
                    }
                )
            },
        ),
        (dlq_name, "30", {}),
    ):
        resources.append(
            k.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{qn}",
                    "Attributes": {
                        "QueueArn": f"arn:aws:sqs:{region}:{account}:{qn}",
                        "VisibilityTimeout": vis,
                        "MessageRetentionPeriod": "1209600",
                        "ReceiveMessageWaitTimeSeconds": "20",
                        "ApproximateNumberOfMessages": str(round(sim[k.minute_floor(now)]["backlog"]))
                        if qn == q_name
                        else "0",
                        "CreatedTimestamp": str(int((start - timedelta(days=700)).timestamp())),
                        "SqsManagedSseEnabled": "true",
                        **extra,
                    },
                    "Tags": {"service": "customs-filer"},
                },
            )
        )
    for lg in ("/ecs/customs-filer", "/ecs/tracking-notifier"):
        resources.append(
            k.res("logs", "LogGroup", k.log_group_item(lg, account, region, start - timedelta(days=600), 90))
        )
    resources.append(
        k.res(
            "ec2",
            "FlowLog",
            {
                "CreationTime": k.iso(start - timedelta(days=400)),
                "DeliverLogsStatus": "SUCCESS",
                "FlowLogId": f"fl-0{ids.hex(16)}",
                "FlowLogStatus": "ACTIVE",
                "LogDestinationType": "s3",
                "LogDestination": f"arn:aws:s3:::northgate-vpc-flow-logs-{account}",
                "ResourceId": vpc,
                "TrafficType": "REJECT",
                "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
                "MaxAggregationInterval": 600,
            },
        )
    )

    # --- events: Application Auto Scaling activities ---------------------------------------------------------
    events: list[k.Json] = []
    last_n = 4
    for r in cloudtrail:
        if (
            r["eventName"] == "UpdateService"
            and r["userIdentity"].get("invokedBy") == "application-autoscaling.amazonaws.com"
        ):
            n = r["requestParameters"]["desiredCount"]
            when = datetime.fromisoformat(r["eventTime"].replace("Z", "+00:00"))
            direction = "out" if n > last_n else "in"
            events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": ids.uuid(),
                        "ServiceNamespace": "ecs",
                        "ResourceId": f"service/{cluster}/customs-filer",
                        "ScalableDimension": "ecs:service:DesiredCount",
                        "Description": f"Setting desired count to {n}.",
                        "Cause": f"monitor alarm TargetTracking-service/{cluster}/customs-filer-Alarm{'High' if direction == 'out' else 'Low'}-{ids.uuid()} in state ALARM triggered policy customs-filer-backlog-per-task",
                        "StartTime": k.iso(when - timedelta(seconds=2)),
                        "EndTime": k.iso(when + timedelta(seconds=rng.randint(30, 90))),
                        "StatusCode": "Successful",
                        "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                    },
                }
            )
            last_n = n

    # --- logs --------------------------------------------------------------------------------------------
    logs: list[k.Json] = []
    task_ids = [ids.hex(32) for _ in range(48)]
    for t, _step in k.grid(dense_from, now, dense_from):
        s = sim[t]
        n = max(1, round(s["tasks"]))
        for _ in range(min(6, 1 + round(s["done"] / 250))):
            tid = task_ids[rng.randrange(n)]
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            ref = f"{rng.choice(['26GB', '26XI'])}{ids.upper(14, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}"
            logs.append(
                k.log(
                    "/ecs/customs-filer",
                    f"ecs/customs-filer/{tid}",
                    ts,
                    json.dumps(
                        {
                            "level": 30,
                            "time": k.ms(ts),
                            "pid": 1,
                            "hostname": f"ip-10-60-{rng.randint(16, 47)}-{rng.randint(2, 250)}.{region}.compute.internal",
                            "msg": "declaration accepted",
                            "declarationId": ids.uuid(),
                            "mrn": ref,
                            "lrn": f"NGF-{rng.randint(10**7, 10**8)}",
                            "durationMs": rng.randint(2600, 7900),
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        n_err = min(12, round(s["failed"] / 40))
        for _ in range(n_err):
            tid = task_ids[rng.randrange(n)]
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            step_name = rng.choice(["status", "status", "status", "submit", "token"])
            logs.append(
                k.log(
                    "/ecs/customs-filer",
                    f"ecs/customs-filer/{tid}",
                    ts,
                    json.dumps(
                        {
                            "level": 50,
                            "time": k.ms(ts),
                            "pid": 1,
                            "hostname": f"ip-10-60-{rng.randint(16, 47)}-{rng.randint(2, 250)}.{region}.compute.internal",
                            "msg": "gateway call failed, will retry",
                            "declarationId": ids.uuid(),
                            "call": step_name,
                            "attempt": rng.randint(1, 4),
                            "err": {
                                "type": "Error",
                                "message": f"connect ETIMEDOUT {gateway_ip}:443",
                                "code": "ETIMEDOUT",
                                "errno": -110,
                                "syscall": "connect",
                                "address": gateway_ip,
                                "port": 443,
                                "stack": f"Error: connect ETIMEDOUT {gateway_ip}:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
                            },
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        if rng.random() < 0.03:
            tid = task_ids[rng.randrange(n)]
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            logs.append(
                k.log(
                    "/ecs/customs-filer",
                    f"ecs/customs-filer/{tid}",
                    ts,
                    json.dumps(
                        {
                            "level": 40,
                            "time": k.ms(ts),
                            "pid": 1,
                            "msg": "gateway rejected declaration (business rule)",
                            "declarationId": ids.uuid(),
                            "status": 400,
                            "errorCode": rng.choice(["CDS12056", "CDS12062", "CDS10020"]),
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        if rng.random() < 0.5:
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            logs.append(
                k.log(
                    "/ecs/tracking-notifier",
                    f"ecs/tracking-notifier/{task_ids[rng.randrange(3)]}",
                    ts,
                    f"{k.iso_ms(ts)} INFO  c.n.tracking.Notifier - pushed {rng.randint(3, 60)} status updates to carrier webhook hooks.{rng.choice(['dpd', 'evri', 'parcelforce'])}-partner.com in {rng.randint(90, 900)}ms",
                )
            )
    logs = [lg for lg in logs if lg["timestamp"] <= k.ms(now)]

    onset_local = onset.astimezone(TZ)
    hour12 = onset_local.hour % 12 or 12
    minute = (onset_local.minute // 5) * 5
    question = (
        f"Customs declarations have been failing to submit since about {hour12}:{minute:02d} this morning, "
        "mostly timeouts talking to the customs gateway. Their status page is all green and other partners say "
        "they're filing fine. It's month-end and the backlog is growing. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": nat_id,
                    "category": "limit",
                    "failure_mode": "nat-gateway-port-allocation-exhausted",
                },
                "also_accept": ["freight-prod-nat-a", eip_alloc, eip],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"customs-filer opens a new connection for every gateway call and status poll, all to {gateway_ip}:443 through NAT gateway {nat_id}",
                    "Month-end volume scaled customs-filer out and pushed simultaneous connections to that one destination past the NAT gateway's ceiling",
                    f"{nat_id} reported ErrorPortAllocation and dropped new connections (PacketsDropCount up, ActiveConnectionCount flat at the ceiling)",
                    "customs-filer calls failed with connect ETIMEDOUT and were retried, adding more connection attempts",
                    f"Declarations piled up in {q_name}; customs-declarations-oldest-message-age in ALARM",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(metrics),
            "alarms": [a.item() for a in alarms],
            "alarm_history": k.sort_history(alarms),
            "logs": k.sort_logs(logs),
            "cloudtrail": cloudtrail,
            "resources": resources,
            "events": events,
        },
    )
