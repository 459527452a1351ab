"""Shipping quotes time out from one AZ: a new rate-sync worker exhausts the NAT gateway's source ports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_k import (
    CHROME,
    MIN,
    AlarmSpec,
    Ctx,
    Noise,
    at_local,
    aws_service,
    business_curve,
    clock_phrase,
    ct,
    ec2_instance,
    epoch_ms,
    evaluate_alarm,
    grafana_agent,
    instance_status,
    iso,
    local_hour,
    pick_day,
    role_session,
    routine_reads,
    scatter,
    sso_user,
    steps,
    subnet_item,
    tag_list,
    tf_agent,
)

NAME = "shipping-quotes-one-az-timeouts"
TITLE = "Shipping quotes intermittently failing at checkout"
SUMMARY = (
    "A new carrier rate-sync worker in one AZ opens tens of thousands of connections to the carrier API; "
    "that AZ's NAT gateway runs out of source ports and checkout quotes from that AZ time out."
)

ZONE = "America/New_York"
CARRIER_HOST = "api.freightmesh.com"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "us-east-1")
    rng = ctx.rng
    day = pick_day(rng)
    # onset between 10:05 and 11:40 New York time
    onset = at_local(day, 10 * 60 + 5 + rng.randrange(0, 95), ZONE)
    start = onset - timedelta(hours=4, minutes=rng.randrange(0, 40))
    now = onset + timedelta(minutes=38 + rng.randrange(0, 15))
    end = now
    launch = onset - timedelta(minutes=9, seconds=rng.randrange(0, 50))  # worker ASG created
    work_from = launch + timedelta(minutes=3, seconds=20)
    carrier_ip = f"34.{rng.randrange(192, 239)}.{rng.randrange(1, 254)}.{rng.randrange(4, 250)}"

    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    vpc = ctx.rid("vpc")
    vpc_cidr_b = rng.choice([20, 40, 48, 64])
    net = f"10.{vpc_cidr_b}"
    pub = {az: ctx.rid("subnet") for az in azs}
    app = {az: ctx.rid("subnet") for az in azs}
    batch_subnet = ctx.rid("subnet")
    rtb = {az: ctx.rid("rtb") for az in azs}
    rtb_pub = ctx.rid("rtb")
    igw = ctx.rid("igw")
    nat = {az: ctx.rid("nat") for az in azs}
    nat_eip = {
        az: f"{rng.choice([3, 18, 44, 52, 54])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(4, 250)}"
        for az in azs
    }
    sg_alb, sg_app, sg_worker, sg_bastion = (ctx.rid("sg") for _ in range(4))
    ami_app, ami_worker = ctx.rid("ami"), ctx.rid("ami")
    lb_hex, tg_hex = ctx.hex(16), ctx.hex(16)
    lb_name = "parcelwise-web-prod"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{lb_dim}")
    tg_name = "orders-api-prod"
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    tg_arn = ctx.arn("elasticloadbalancing", tg_dim)
    asg_app = "orders-api-prod"
    asg_worker = "carrier-rate-sync-worker"
    lt_worker = f"lt-0{ctx.hex(16)}"
    lt_app = f"lt-0{ctx.hex(16)}"
    sns_page = ctx.arn("sns", "parcelwise-oncall-pager")
    sns_info = ctx.arn("sns", "parcelwise-alerts-info")

    # --- network resources -------------------------------------------------------------------------
    ctx.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": f"{net}.0.0/16",
            "DhcpOptionsId": ctx.rid("dopt"),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": ctx.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": tag_list([("Name", "parcelwise-prod")]),
        },
    )
    for i, az in enumerate(azs):
        ctx.resource(
            "ec2",
            "Subnet",
            subnet_item(ctx, pub[az], vpc, f"{net}.{i}.0/24", az, f"prod-public-{az[-1]}", True, 240),
        )
        ctx.resource(
            "ec2",
            "Subnet",
            subnet_item(
                ctx,
                app[az],
                vpc,
                f"{net}.{16 * (i + 1)}.0/20",
                az,
                f"prod-app-{az[-1]}",
                free=4060 - rng.randrange(40),
            ),
        )
    ctx.resource(
        "ec2",
        "Subnet",
        subnet_item(ctx, batch_subnet, vpc, f"{net}.96.0/22", "us-east-1a", "prod-batch-a", free=1010),
    )
    ctx.resource(
        "ec2",
        "RouteTable",
        {
            "Associations": [
                {
                    "Main": False,
                    "RouteTableAssociationId": ctx.rid("rtbassoc"),
                    "RouteTableId": rtb_pub,
                    "SubnetId": pub[az],
                    "AssociationState": {"State": "associated"},
                }
                for az in azs
            ],
            "PropagatingVgws": [],
            "RouteTableId": rtb_pub,
            "Routes": [
                {
                    "DestinationCidrBlock": f"{net}.0.0/16",
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
            "Tags": tag_list([("Name", "prod-public")]),
            "VpcId": vpc,
            "OwnerId": ctx.account,
        },
    )
    for az in azs:
        subnets = [app[az]] + ([batch_subnet] if az == "us-east-1a" else [])
        ctx.resource(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": ctx.rid("rtbassoc"),
                        "RouteTableId": rtb[az],
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in subnets
                ],
                "PropagatingVgws": [],
                "RouteTableId": rtb[az],
                "Routes": [
                    {
                        "DestinationCidrBlock": f"{net}.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nat[az],
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": tag_list([("Name", f"prod-private-{az[-1]}")]),
                "VpcId": vpc,
                "OwnerId": ctx.account,
            },
        )
    for i, az in enumerate(azs):
        ctx.resource(
            "ec2",
            "NatGateway",
            {
                "CreateTime": iso(day - timedelta(days=400 + 3 * i)),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": ctx.rid("eipalloc"),
                        "NetworkInterfaceId": ctx.rid("eni"),
                        "PrivateIp": f"{net}.{i}.{rng.randrange(10, 200)}",
                        "PublicIp": nat_eip[az],
                        "AssociationId": ctx.rid("eipassoc"),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nat[az],
                "State": "available",
                "SubnetId": pub[az],
                "VpcId": vpc,
                "Tags": tag_list([("Name", f"prod-nat-{az[-1]}"), ("env", "prod")]),
                "ConnectivityType": "public",
            },
        )
    for gid, gname, desc in (
        (sg_alb, "parcelwise-web-alb", "public ALB"),
        (sg_app, "orders-api", "orders-api instances"),
        (sg_worker, "rate-sync-worker", "carrier rate sync batch workers"),
        (sg_bastion, "ops-bastion", "SSM bastion"),
    ):
        ingress: list[dict[str, Any]] = []
        if gid == sg_alb:
            ingress = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ]
        elif gid == sg_app:
            ingress = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": ctx.account}],
                }
            ]
        ctx.resource(
            "ec2",
            "SecurityGroup",
            {
                "Description": desc,
                "GroupName": gname,
                "IpPermissions": ingress,
                "OwnerId": ctx.account,
                "GroupId": gid,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "VpcId": vpc,
                "Tags": tag_list([("Name", gname)]),
            },
        )

    # --- instances -------------------------------------------------------------------------------------
    app_instances: list[tuple[str, str, str]] = []  # (id, az, ip)
    for az in azs:
        for _k in range(2):
            iid = ctx.rid("i")
            ip = f"{net}.{16 * (azs.index(az) + 1) + rng.randrange(0, 15)}.{rng.randrange(5, 250)}"
            app_instances.append((iid, az, ip))
    app_launched = day - timedelta(days=rng.randrange(2, 9), hours=rng.randrange(0, 20))
    for iid, az, ip in app_instances:
        ctx.resource(
            "ec2",
            "Instance",
            ec2_instance(
                ctx,
                instance_id=iid,
                ami=ami_app,
                itype="m6i.large",
                launched=app_launched + timedelta(seconds=rng.randrange(0, 240)),
                az=az,
                subnet=app[az],
                vpc=vpc,
                ip=ip,
                sgs=[(sg_app, "orders-api")],
                profile="orders-api-prod",
                name_tags=[
                    ("Name", "orders-api-prod"),
                    ("aws:autoscaling:groupName", asg_app),
                    ("service", "orders-api"),
                ],
            ),
        )
        ctx.resource("ec2", "InstanceStatus", instance_status(iid, az))
    workers: list[tuple[str, str, datetime]] = []
    for k in range(4):
        iid = ctx.rid("i")
        ip = f"{net}.{96 + rng.randrange(0, 4)}.{rng.randrange(5, 250)}"
        t0 = launch + timedelta(seconds=40 + 3 * k)
        workers.append((iid, ip, t0))
        ctx.resource(
            "ec2",
            "Instance",
            ec2_instance(
                ctx,
                instance_id=iid,
                ami=ami_worker,
                itype="c6i.xlarge",
                launched=t0,
                az="us-east-1a",
                subnet=batch_subnet,
                vpc=vpc,
                ip=ip,
                sgs=[(sg_worker, "rate-sync-worker")],
                profile="carrier-rate-sync-worker",
                name_tags=[
                    ("Name", "carrier-rate-sync-worker"),
                    ("aws:autoscaling:groupName", asg_worker),
                    ("service", "rate-sync"),
                ],
            ),
        )
        ctx.resource("ec2", "InstanceStatus", instance_status(iid, "us-east-1a"))

    def asg_item(
        name: str,
        lt: str,
        ver: str,
        subnets: list[str],
        insts: list[tuple[str, str]],
        created: datetime,
        tgs: list[str],
        size: int,
        mx: int,
    ) -> dict[str, Any]:
        return {
            "AutoScalingGroupName": name,
            "AutoScalingGroupARN": ctx.arn(
                "autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{name}"
            ),
            "LaunchTemplate": {"LaunchTemplateId": lt, "LaunchTemplateName": name, "Version": ver},
            "MinSize": size if not tgs else 4,
            "MaxSize": mx,
            "DesiredCapacity": size,
            "DefaultCooldown": 300,
            "AvailabilityZones": sorted({az for _, az in insts}),
            "LoadBalancerNames": [],
            "TargetGroupARNs": tgs,
            "HealthCheckType": "ELB" if tgs else "EC2",
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": i,
                    "InstanceType": "m6i.large" if tgs else "c6i.xlarge",
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {"LaunchTemplateId": lt, "LaunchTemplateName": name, "Version": ver},
                    "ProtectedFromScaleIn": False,
                }
                for i, az in insts
            ],
            "CreatedTime": iso(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(subnets),
            "EnabledMetrics": [],
            "Tags": [
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": "service",
                    "Value": "orders-api" if tgs else "rate-sync",
                    "PropagateAtLaunch": True,
                },
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": name,
                    "PropagateAtLaunch": True,
                },
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
        }

    ctx.resource(
        "autoscaling",
        "AutoScalingGroup",
        asg_item(
            asg_app,
            lt_app,
            "14",
            [app[a] for a in azs],
            [(i, az) for i, az, _ in app_instances],
            day - timedelta(days=290),
            [tg_arn],
            6,
            12,
        ),
    )
    ctx.resource(
        "autoscaling",
        "AutoScalingGroup",
        asg_item(
            asg_worker,
            lt_worker,
            "1",
            [batch_subnet],
            [(i, "us-east-1a") for i, _, _ in workers],
            launch,
            [],
            4,
            4,
        ),
    )
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.us-east-1.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(day - timedelta(days=600)),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": pub[az], "LoadBalancerAddresses": []} for az in azs
            ],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    for iid, _az, _ip in app_instances:
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080},
                "health": {"State": "healthy"},
                "timestamp": iso(app_launched + timedelta(minutes=6)),
            },
        )

    # --- autoscaling activities ------------------------------------------------------------------------
    asg_arn_w = ctx.arn("autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{asg_worker}")
    for k, (iid, _ip, t0) in enumerate(workers):
        ctx.event(
            "autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "AutoScalingGroupName": asg_worker,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": (
                    f"At {iso(launch + timedelta(seconds=12))} a user request created an AutoScalingGroup changing the desired capacity "
                    f"from 0 to 4.  At {iso(launch + timedelta(seconds=30))} an instance was started in response to a difference "
                    f"between desired and actual capacity, increasing the capacity from {k} to 4."
                ),
                "StartTime": iso(t0 - timedelta(seconds=8)),
                "EndTime": iso(t0 + timedelta(seconds=36)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": batch_subnet, "Availability Zone": "us-east-1a"}),
                "AutoScalingGroupARN": asg_arn_w,
            },
        )
    # --- metrics ------------------------------------------------------------------------------------
    minutes = steps(start, now, MIN)
    nz = {az: Noise(rng, 0.06, 0.015) for az in azs}
    quote_share = 0.31 + rng.random() * 0.08
    peak_rpm = 2600 + rng.randrange(0, 1400)  # requests per minute at the ALB at peak
    fail_frac: dict[datetime, float] = {}
    conns: dict[datetime, float] = {}
    ceiling = 55000.0
    for t in minutes:
        if t < work_from:
            fail_frac[t] = 0.0
            conns[t] = 0.0
            continue
        ramp = min(1.0, (t - work_from).total_seconds() / 420.0)
        c = 1500 + ramp * (ceiling + 800)
        conns[t] = min(ceiling - rng.randrange(20, 400), c)
        fail_frac[t] = (
            0.0
            if t < onset
            else min(0.85, 0.35 + 0.5 * min(1.0, (t - onset).total_seconds() / 300.0))
            * (0.9 + 0.2 * rng.random())
        )

    alb_5xx: list[tuple[datetime, float]] = []
    alb_rt_avg: list[tuple[datetime, float]] = []
    per_az_5xx: dict[str, list[tuple[datetime, float]]] = {az: [] for az in azs}
    for t in minutes:
        load = business_curve(local_hour(t, ZONE), 0.12)
        total = 0.0
        total_5xx = 0.0
        rt_weighted = 0.0
        for az in azs:
            req = peak_rpm / 3 * load * nz[az]()
            quotes = req * quote_share
            bad = quotes * fail_frac[t] if az == "us-east-1a" else 0.0
            bad = round(bad)
            # a few 5xx from unrelated causes now and then
            if rng.random() < 0.04:
                bad += rng.randrange(1, 3)
            req_i = round(req)
            rt = (0.085 + 0.25 * quote_share * (0.9 + 0.2 * rng.random())) * (1 + 0.15 * load)
            if az == "us-east-1a" and fail_frac[t] > 0:
                rt += quote_share * fail_frac[t] * 8.1
            dims_az = {"LoadBalancer": lb_dim, "AvailabilityZone": az}
            ctx.metric("AWS/ApplicationELB", "RequestCount", dims_az, "Count", t, float(req_i))
            ctx.metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                {**dims_az, "TargetGroup": tg_dim},
                "Seconds",
                t,
                stats=(
                    float(req_i),
                    rt * req_i,
                    0.004,
                    rt * (6 if fail_frac[t] == 0 else 1.5)
                    if az != "us-east-1a" or fail_frac[t] == 0
                    else 8.9 + rng.random(),
                ),
            )
            if bad:
                ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims_az, "Count", t, float(bad))
                ctx.metric(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_5XX_Count",
                    {**dims_az, "TargetGroup": tg_dim},
                    "Count",
                    t,
                    float(bad),
                )
                per_az_5xx[az].append((t, float(bad)))
            total += req_i
            total_5xx += bad
            rt_weighted += rt * req_i
        ctx.metric("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_dim}, "Count", t, total)
        ctx.metric(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            total,
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            total - total_5xx - round(total * 0.011),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(round(total * 0.011)),
        )
        if total_5xx:
            ctx.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": lb_dim},
                "Count",
                t,
                total_5xx,
            )
            ctx.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
                "Count",
                t,
                total_5xx,
            )
            alb_5xx.append((t, total_5xx))
        avg = rt_weighted / max(total, 1)
        alb_rt_avg.append((t, avg))
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim},
            "Seconds",
            t,
            stats=(total, avg * total, 0.003, 9.2 if fail_frac[t] else 1.4 + rng.random()),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Seconds",
            t,
            stats=(total, avg * total, 0.003, 9.2 if fail_frac[t] else 1.4 + rng.random()),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            6.0,
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            0.0,
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            {"LoadBalancer": lb_dim},
            "Count",
            t,
            round(total * 0.42 * (0.95 + 0.1 * rng.random())),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "ProcessedBytes",
            {"LoadBalancer": lb_dim},
            "Bytes",
            t,
            round(total * 5400 * (0.9 + 0.2 * rng.random())),
        )

    # NAT gateways
    nat_err_a: list[tuple[datetime, float]] = []
    for az in azs:
        dims = {"NatGatewayId": nat[az]}
        nn = Noise(rng, 0.07, 0.02)
        for t in minutes:
            load = business_curve(local_hour(t, ZONE), 0.2)
            base_active = (1100 + 900 * load) * nn()
            base_attempts = (700 + 1300 * load) * nn()
            active = base_active
            attempts = base_attempts
            err = 0.0
            bytes_out = (9.0e6 + 3.1e7 * load) * nn()
            bytes_in = bytes_out * (3.2 + rng.random())
            idle = rng.randrange(0, 25)
            if az == "us-east-1a" and t >= work_from:
                active = base_active + conns[t]
                worker_attempts = 14000 + 9000 * min(1.0, (t - work_from).total_seconds() / 300.0)
                attempts = base_attempts + worker_attempts * (0.9 + 0.2 * rng.random())
                if active >= ceiling - 2000:
                    active = min(active, ceiling + rng.randrange(0, 600))
                    err = attempts * (0.42 + 0.2 * rng.random())
                if t >= onset and err == 0:
                    err = attempts * 0.3
                bytes_out += 2.2e7 * min(1.0, (t - work_from).total_seconds() / 300.0)
                idle += rng.randrange(200, 900)
            if az == "us-east-1a" and t < onset:
                err = 0.0
            est = max(0.0, attempts - err - rng.randrange(0, 12))
            ctx.metric("AWS/NATGateway", "ActiveConnectionCount", dims, "Count", t, round(active))
            ctx.metric("AWS/NATGateway", "ConnectionAttemptCount", dims, "Count", t, round(attempts))
            ctx.metric("AWS/NATGateway", "ConnectionEstablishedCount", dims, "Count", t, round(est))
            ctx.metric("AWS/NATGateway", "ErrorPortAllocation", dims, "Count", t, round(err))
            ctx.metric("AWS/NATGateway", "IdleTimeoutCount", dims, "Count", t, float(idle))
            ctx.metric(
                "AWS/NATGateway",
                "PacketsDropCount",
                dims,
                "Count",
                t,
                float(rng.randrange(0, 3) if err == 0 else round(err * 0.9)),
            )
            ctx.metric("AWS/NATGateway", "BytesOutToDestination", dims, "Bytes", t, round(bytes_out))
            ctx.metric("AWS/NATGateway", "BytesInFromDestination", dims, "Bytes", t, round(bytes_in))
            ctx.metric("AWS/NATGateway", "BytesInFromSource", dims, "Bytes", t, round(bytes_out * 1.01))
            ctx.metric("AWS/NATGateway", "BytesOutToSource", dims, "Bytes", t, round(bytes_in * 0.995))
            if az == "us-east-1a":
                nat_err_a.append((t, round(err)))

    # EC2 CPU, basic monitoring (5 minutes)
    five = steps(start, now, 5 * MIN)
    asg_cpu: dict[datetime, list[float]] = {}
    for iid, _az, _ip in app_instances:
        nc = Noise(rng, 0.08, 0.02)
        for t in five:
            load = business_curve(local_hour(t, ZONE), 0.12)
            v = (6 + 38 * load) * nc()
            ctx.metric("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", t, round(v, 2))
            asg_cpu.setdefault(t, []).append(v)
    for t in five:
        vs = asg_cpu[t]
        ctx.metric(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg_app},
            "Percent",
            t,
            stats=(float(len(vs)), sum(vs), min(vs), max(vs)),
        )
    for iid, _ip, t0 in workers:
        nc = Noise(rng, 0.1, 0.02)
        for t in five:
            if t < t0:
                continue
            v = (9 + rng.random() * 6) if t < onset else (4 + rng.random() * 3)
            ctx.metric("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", t, round(v * nc(), 2))

    # --- alarms -----------------------------------------------------------------------------------------
    spec_5xx = AlarmSpec(
        name="orders-api-prod-target-5xx",
        description="orders-api returning 5xx through parcelwise-web-prod. Runbook: https://wiki.parcelwise.internal/runbooks/orders-api",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        statistic="Sum",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=150.0,
        operator="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[sns_page],
        ok_actions=[sns_page],
    )
    evaluate_alarm(ctx, spec_5xx, alb_5xx, start, now)
    spec_rt = AlarmSpec(
        name="orders-api-prod-latency",
        description="Average target response time above 2s for 15 minutes",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims={"LoadBalancer": lb_dim},
        statistic="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=2.0,
        operator="GreaterThanThreshold",
        actions=[sns_info],
    )
    evaluate_alarm(ctx, spec_rt, alb_rt_avg, start, now)
    spec_hosts = AlarmSpec(
        name="orders-api-prod-healthy-hosts",
        description="Fewer than 4 healthy orders-api targets",
        namespace="AWS/ApplicationELB",
        metric="HealthyHostCount",
        dims={"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        statistic="Minimum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=4.0,
        operator="LessThanThreshold",
        treat_missing="breaching",
        actions=[sns_page],
    )
    evaluate_alarm(ctx, spec_hosts, [(t, 6.0) for t in minutes], start, now)
    spec_cpu = AlarmSpec(
        name="orders-api-prod-cpu-high",
        description="orders-api ASG CPU above 75%",
        namespace="AWS/EC2",
        metric="CPUUtilization",
        dims={"AutoScalingGroupName": asg_app},
        statistic="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=75.0,
        operator="GreaterThanThreshold",
        actions=[sns_info],
    )
    evaluate_alarm(ctx, spec_cpu, [(t, sum(v) / len(v)) for t, v in asg_cpu.items()], start, now)

    # --- logs -----------------------------------------------------------------------------------------
    group = "/parcelwise/orders-api"
    for iid, az, ip in app_instances:
        host = f"ip-{ip.replace('.', '-')}"
        pid = rng.randrange(1800, 3900)
        stream = f"{iid}/app.log"
        for t in steps(start, now, timedelta(seconds=20)):
            ts = t + timedelta(milliseconds=rng.randrange(0, 19000))
            load = business_curve(local_hour(t, ZONE), 0.12)
            ff = fail_frac.get(t.replace(second=0), 0.0) if az == "us-east-1a" else 0.0
            route = rng.choices(
                ["/v1/quotes", "/v1/orders", "/v1/orders/{id}", "/v1/labels"], [quote_share, 0.35, 0.25, 0.08]
            )[0]
            req_id = f"req-{ctx.hex(6)}"
            if route == "/v1/quotes" and rng.random() < ff:
                ctx.log(
                    group,
                    stream,
                    ts,
                    json.dumps(
                        {
                            "level": 50,
                            "time": epoch_ms(ts),
                            "pid": pid,
                            "hostname": host,
                            "reqId": req_id,
                            "carrier": "freightmesh",
                            "host": CARRIER_HOST,
                            "attempt": 2,
                            "err": {
                                "type": "Error",
                                "message": f"connect ETIMEDOUT {carrier_ip}:443",
                                "stack": f"Error: connect ETIMEDOUT {carrier_ip}:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
                                "errno": -110,
                                "code": "ETIMEDOUT",
                                "syscall": "connect",
                                "address": carrier_ip,
                                "port": 443,
                            },
                            "msg": "carrier quote request failed",
                        },
                        separators=(",", ":"),
                    ),
                )
                done = ts + timedelta(milliseconds=8000 + rng.randrange(0, 200))
                ctx.log(
                    group,
                    stream,
                    done,
                    json.dumps(
                        {
                            "level": 30,
                            "time": epoch_ms(done),
                            "pid": pid,
                            "hostname": host,
                            "reqId": req_id,
                            "req": {"method": "POST", "url": "/v1/quotes"},
                            "res": {"statusCode": 503},
                            "responseTime": round(8000 + rng.random() * 200, 1),
                            "msg": "request completed",
                        },
                        separators=(",", ":"),
                    ),
                )
                continue
            if route == "/v1/quotes":
                lat = rng.randrange(140, 420)
                ctx.log(
                    group,
                    stream,
                    ts,
                    json.dumps(
                        {
                            "level": 30,
                            "time": epoch_ms(ts),
                            "pid": pid,
                            "hostname": host,
                            "reqId": req_id,
                            "carrier": "freightmesh",
                            "host": CARRIER_HOST,
                            "latencyMs": lat,
                            "lanes": rng.randrange(1, 6),
                            "msg": "carrier quote ok",
                        },
                        separators=(",", ":"),
                    ),
                )
                rt = lat + rng.randrange(20, 80)
            else:
                rt = rng.randrange(12, 160) * (1 + load * 0.3)
            method = "GET" if "{id}" in route else "POST"
            url = route.replace("{id}", f"PW{rng.randrange(10**7, 10**8)}")
            end_ts = ts + timedelta(milliseconds=int(rt))
            ctx.log(
                group,
                stream,
                end_ts,
                json.dumps(
                    {
                        "level": 30,
                        "time": epoch_ms(end_ts),
                        "pid": pid,
                        "hostname": host,
                        "reqId": req_id,
                        "req": {"method": method, "url": url},
                        "res": {"statusCode": 200 if method == "GET" or route != "/v1/orders" else 201},
                        "responseTime": round(float(rt), 1),
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
        if az == "us-east-1a":
            for ts in scatter(ctx, onset, now, int((now - onset).total_seconds() / 60 * 5)):
                ctx.log(
                    group,
                    stream,
                    ts,
                    json.dumps(
                        {
                            "level": 50,
                            "time": epoch_ms(ts),
                            "pid": pid,
                            "hostname": host,
                            "reqId": f"req-{ctx.hex(6)}",
                            "carrier": "freightmesh",
                            "host": CARRIER_HOST,
                            "attempt": rng.choice([1, 2]),
                            "err": {
                                "type": "Error",
                                "message": f"connect ETIMEDOUT {carrier_ip}:443",
                                "stack": f"Error: connect ETIMEDOUT {carrier_ip}:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
                                "errno": -110,
                                "code": "ETIMEDOUT",
                                "syscall": "connect",
                                "address": carrier_ip,
                                "port": 443,
                            },
                            "msg": "carrier quote request failed",
                        },
                        separators=(",", ":"),
                    ),
                )
        for ts in scatter(ctx, start, now, rng.randrange(3, 7)):
            msg = rng.choice(
                [
                    {
                        "level": 40,
                        "msg": "slow query",
                        "durationMs": rng.randrange(900, 2400),
                        "query": "orders.findRecentByAccount",
                    },
                    {
                        "level": 40,
                        "msg": "redis connection reset, reconnecting",
                        "attempt": 1,
                        "host": "orders-cache.x8kq2z.ng.0001.use1.cache.amazonaws.com",
                    },
                    {
                        "level": 40,
                        "msg": "address validation fallback used",
                        "provider": "smartystreets",
                        "reason": "HTTP 429",
                    },
                ]
            )
            ctx.log(
                group,
                stream,
                ts,
                json.dumps(
                    {"level": msg.pop("level"), "time": epoch_ms(ts), "pid": pid, "hostname": host, **msg},
                    separators=(",", ":"),
                ),
            )

    wgroup = "/parcelwise/rate-sync-worker"
    lanes_total = rng.randrange(1_200_000, 1_800_000)
    for n, (iid, _ip, t0) in enumerate(workers):
        stream = f"{iid}/worker.log"
        boot = t0 + timedelta(seconds=95 + rng.randrange(0, 30), milliseconds=rng.randrange(0, 999))

        def pylog(ts: datetime, level: str, logger: str, msg: str, stream: str = stream) -> None:
            stamp = ts.strftime("%Y-%m-%d %H:%M:%S") + f",{ts.microsecond // 1000:03d}"
            ctx.log(wgroup, stream, ts, f"{stamp} {level} [{logger}] {msg}")

        pylog(
            boot,
            "INFO",
            "rate_sync.main",
            f"rate-sync worker 1.0.0 starting (shard {n + 1}/4, carrier=freightmesh, base_url=https://{CARRIER_HOST}/v2)",
        )
        pylog(
            boot + timedelta(seconds=1),
            "INFO",
            "rate_sync.main",
            f"loaded {lanes_total // 4} lanes for shard {n + 1}; concurrency=512, timeout=(5, 30)",
        )
        refreshed = 0
        for t in steps(boot + timedelta(seconds=10), now, timedelta(seconds=15)):
            ts = t + timedelta(milliseconds=rng.randrange(0, 9000))
            if t < onset:
                step_ok = rng.randrange(900, 1400)
                refreshed += step_ok
                pylog(
                    ts,
                    "INFO",
                    "rate_sync.batch",
                    f"lanes refreshed {refreshed}/{lanes_total // 4} (failed={rng.randrange(0, 4)}) {step_ok / 15:.1f} req/s",
                )
                if rng.random() < 0.5:
                    pylog(
                        ts + timedelta(milliseconds=rng.randrange(1, 900)),
                        "WARNING",
                        "urllib3.connectionpool",
                        f"Connection pool is full, discarding connection: {CARRIER_HOST}. Connection pool size: 10",
                    )
            else:
                step_ok = rng.randrange(40, 160)
                refreshed += step_ok
                obj = f"0x7f{ctx.hex(10)}"
                pylog(
                    ts,
                    "WARNING",
                    "urllib3.connectionpool",
                    f"Retrying (Retry(total=2, connect=2, read=3, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at {obj}>, 'Connection to {CARRIER_HOST} timed out. (connect timeout=5)')': /v2/rates/lane",
                )
                if rng.random() < 0.6:
                    lane = f"{rng.choice(['ORD', 'ATL', 'DFW', 'LAX', 'EWR', 'SEA', 'MEM'])}-{rng.choice(['CLT', 'PHX', 'DEN', 'BOS', 'MIA', 'IND'])}-{rng.choice(['LTL', 'FTL', 'PCL'])}"
                    pylog(
                        ts + timedelta(milliseconds=rng.randrange(5, 800)),
                        "ERROR",
                        "rate_sync.batch",
                        f"lane {lane} failed: HTTPSConnectionPool(host='{CARRIER_HOST}', port=443): Max retries exceeded with url: /v2/rates/lane (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at {obj}>, 'Connection to {CARRIER_HOST} timed out. (connect timeout=5)'))",
                    )
                if rng.random() < 0.3:
                    pylog(
                        ts + timedelta(milliseconds=900),
                        "INFO",
                        "rate_sync.batch",
                        f"lanes refreshed {refreshed}/{lanes_total // 4} (failed={rng.randrange(200, 900)}) {step_ok / 15:.1f} req/s",
                    )

    # --- CloudTrail ---------------------------------------------------------------------------------------
    sess0 = start - timedelta(minutes=30)
    maya = sso_user(
        ctx,
        "maya.okafor@parcelwise.com",
        "PlatformEngineer",
        f"73.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        CHROME,
        sess0,
    )
    luis = sso_user(
        ctx,
        "luis.bermudez@parcelwise.com",
        "PowerUserAccess",
        f"98.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        CHROME,
        sess0 + timedelta(minutes=50),
    )
    gha_ip = f"20.{rng.randrange(30, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    tf = role_session(
        ctx,
        "gha-terraform-apply",
        "GitHubActions",
        gha_ip,
        tf_agent("autoscaling#1.40.5"),
        launch - timedelta(minutes=4),
    )
    tf_ec2 = role_session(
        ctx,
        "gha-terraform-apply",
        "GitHubActions",
        gha_ip,
        tf_agent("ec2#1.156.0"),
        launch - timedelta(minutes=4),
    )
    tf_ec2.identity = tf.identity
    grafana = role_session(
        ctx,
        "grafana-cloudwatch-read",
        "grafana",
        f"35.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        grafana_agent("monitoring"),
        start - timedelta(hours=1),
    )
    asg_svc = role_session(
        ctx,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "autoscaling.amazonaws.com",
        "autoscaling.amazonaws.com",
        launch,
        invoked_by="autoscaling.amazonaws.com",
    )
    asg_svc.identity["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    config = aws_service("config.amazonaws.com")

    routine_reads(
        ctx,
        start,
        now,
        rng.randrange(14, 20),
        [grafana],
        [
            ("monitoring.amazonaws.com", "GetMetricData", lambda: None),
            (
                "monitoring.amazonaws.com",
                "ListMetrics",
                lambda: {"namespace": rng.choice(["AWS/ApplicationELB", "AWS/EC2", "AWS/NATGateway"])},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", lambda: {"maxRecords": 100}),
        ],
    )
    routine_reads(
        ctx,
        start,
        now,
        rng.randrange(8, 12),
        [maya, luis],
        [
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                lambda: {
                    "instancesSet": {},
                    "filterSet": {
                        "items": [{"name": "tag:service", "valueSet": {"items": [{"value": "orders-api"}]}}]
                    },
                },
            ),
            (
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                lambda: {"autoScalingGroupNames": [asg_app]},
            ),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                lambda: {"targetGroupArn": tg_arn},
            ),
            ("logs.amazonaws.com", "DescribeLogGroups", lambda: {"logGroupNamePrefix": "/parcelwise/"}),
            (
                "ec2.amazonaws.com",
                "DescribeSecurityGroups",
                lambda: {"securityGroupSet": {}, "filterSet": {}},
            ),
        ],
    )
    for when in scatter(ctx, start, now, 6):
        ct(
            ctx,
            when,
            config,
            "ec2.amazonaws.com",
            "DescribeNatGateways",
            {"natGatewayIds": [nat[rng.choice(azs)]]},
            None,
            read_only=True,
        )

    # terraform apply: the worker's launch template and group
    tf_plan = launch - timedelta(minutes=2, seconds=rng.randrange(0, 40))
    for api, src, nm, params in (
        (
            "ec2",
            "ec2.amazonaws.com",
            "DescribeLaunchTemplates",
            {"DescribeLaunchTemplatesRequest": {"LaunchTemplateName": [asg_worker]}},
        ),
        (
            "autoscaling",
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            {"autoScalingGroupNames": [asg_worker]},
        ),
        (
            "ec2",
            "ec2.amazonaws.com",
            "DescribeSubnets",
            {"subnetSet": {"items": [{"subnetId": batch_subnet}]}},
        ),
    ):
        who = tf_ec2 if api == "ec2" else tf
        ct(ctx, tf_plan + timedelta(seconds=rng.randrange(0, 20)), who, src, nm, params, None, read_only=True)
    ct(
        ctx,
        launch - timedelta(seconds=25),
        tf_ec2,
        "ec2.amazonaws.com",
        "CreateLaunchTemplate",
        {
            "CreateLaunchTemplateRequest": {
                "LaunchTemplateName": asg_worker,
                "LaunchTemplateData": {
                    "ImageId": ami_worker,
                    "InstanceType": "c6i.xlarge",
                    "IamInstanceProfile": {"Name": "carrier-rate-sync-worker"},
                    "SecurityGroupId": {"content": sg_worker, "tag": 1},
                    "UserData": "<sensitiveDataRemoved>",
                    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
                    "TagSpecification": {
                        "ResourceType": "instance",
                        "Tag": [{"Key": "service", "Value": "rate-sync", "tag": 1}],
                        "tag": 1,
                    },
                },
                "ClientToken": "terraform-" + ctx.hex(26),
            }
        },
        {
            "CreateLaunchTemplateResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": ctx.uuid(),
                "launchTemplate": {
                    "launchTemplateId": lt_worker,
                    "launchTemplateName": asg_worker,
                    "createTime": iso(launch - timedelta(seconds=25)),
                    "createdBy": tf.identity["arn"],
                    "defaultVersionNumber": 1,
                    "latestVersionNumber": 1,
                },
            }
        },
    )
    ct(
        ctx,
        launch,
        tf,
        "autoscaling.amazonaws.com",
        "CreateAutoScalingGroup",
        {
            "autoScalingGroupName": asg_worker,
            "launchTemplate": {"launchTemplateId": lt_worker, "version": "$Latest"},
            "minSize": 4,
            "maxSize": 4,
            "desiredCapacity": 4,
            "defaultCooldown": 300,
            "healthCheckType": "EC2",
            "healthCheckGracePeriod": 300,
            "vPCZoneIdentifier": batch_subnet,
            "terminationPolicies": ["Default"],
            "tags": [
                {
                    "resourceId": asg_worker,
                    "resourceType": "auto-scaling-group",
                    "key": "Name",
                    "value": asg_worker,
                    "propagateAtLaunch": True,
                },
                {
                    "resourceId": asg_worker,
                    "resourceType": "auto-scaling-group",
                    "key": "service",
                    "value": "rate-sync",
                    "propagateAtLaunch": True,
                },
            ],
        },
        None,
    )
    run_at = launch + timedelta(seconds=32)
    ct(
        ctx,
        run_at,
        asg_svc,
        "ec2.amazonaws.com",
        "RunInstances",
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "subnetId": batch_subnet,
            "launchTemplate": {"launchTemplateId": lt_worker, "version": "1"},
            "clientToken": ctx.uuid(),
        },
        {
            "requestId": ctx.uuid(),
            "reservationId": f"r-0{ctx.hex(16)}",
            "ownerId": ctx.account,
            "requesterId": "940372691376",
            "instancesSet": {
                "items": [
                    {
                        "instanceId": w[0],
                        "imageId": ami_worker,
                        "instanceType": "c6i.xlarge",
                        "subnetId": batch_subnet,
                        "privateIpAddress": w[1],
                    }
                    for w in workers
                ]
            },
        },
    )
    # unrelated changes around the onset
    ct(
        ctx,
        onset - timedelta(minutes=24, seconds=rng.randrange(0, 50)),
        maya,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/parcelwise/orders-api", "retentionInDays": 14},
        None,
    )
    ct(
        ctx,
        onset - timedelta(minutes=16, seconds=rng.randrange(0, 50)),
        maya,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                {"key": "slow_start.duration_seconds", "value": "0"},
            ]
        },
    )
    ct(
        ctx,
        onset + timedelta(minutes=3, seconds=rng.randrange(0, 50)),
        luis,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_bastion,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": f"{net}.0.0/16", "description": "ssm endpoints"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ctx.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ctx.account,
                        "groupId": sg_bastion,
                        "securityGroupRuleId": ctx.rid("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": f"{net}.0.0/16",
                        "description": "ssm endpoints",
                    }
                ]
            },
        },
    )
    ct(
        ctx,
        start + timedelta(minutes=rng.randrange(20, 80)),
        luis,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "label-pdf-render", "memorySize": 1536},
        {
            "functionName": "label-pdf-render",
            "functionArn": ctx.arn("lambda", "function:label-pdf-render"),
            "runtime": "nodejs20.x",
            "memorySize": 1536,
            "timeout": 30,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    for when in scatter(ctx, onset + timedelta(minutes=6), now, 3):
        ct(
            ctx,
            when,
            luis,
            "ec2.amazonaws.com",
            "DescribeRouteTables",
            {
                "routeTableIdSet": {},
                "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]},
            },
            None,
            read_only=True,
        )

    # --- manifest -----------------------------------------------------------------------------------
    clock = clock_phrase(onset + timedelta(minutes=3), ZONE)
    question = (
        f"Support says customers are getting 'shipping options unavailable' at checkout since about {clock}, "
        "but only some of the time. The orders-api 5xx alarm went off too. What's going on?"
    )
    return ctx.bundle(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": nat["us-east-1a"],
                    "category": "limit",
                    "failure_mode": "nat-gateway-port-exhaustion",
                    "event_id": None,
                },
                "also_accept": ["prod-nat-a"],
                "actions": ["block", "scale", "reconfigure"],
                "chain": [
                    f"{asg_worker} (new, in prod-batch-a) opens tens of thousands of connections to {CARRIER_HOST}",
                    f"NAT gateway {nat['us-east-1a']} (prod-nat-a) hits the 55,000-connection limit to one destination: ErrorPortAllocation",
                    f"orders-api instances in us-east-1a time out connecting to {CARRIER_HOST}",
                    f"{tg_name} returns 503 for quotes from us-east-1a; {lb_name} target 5xx",
                ],
            },
        }
    )
