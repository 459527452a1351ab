"""KYC verification: the AZ-b NAT gateway was deleted in a clean-up; its route table still points at it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_s import (
    TERRAFORM_UA,
    Alarm,
    Ctx,
    alb,
    alb_dim,
    ci_role,
    ct,
    diurnal,
    instance,
    instance_status,
    iso,
    log_group,
    routine_reads,
    service_role,
    sso_user,
    target_group,
    tg_dim,
)

NAME = "kyc-verify-nat-cleanup"
TITLE = "Some identity checks failing with 502s, health checks green"
SUMMARY = (
    "An engineer cleaning up NAT gateways deleted the prod NAT in eu-central-1b; the AZ-b private route table "
    "still targets it (blackhole), so kyc-verify instances in that AZ time out calling the ID vendor."
)

REGION = "eu-central-1"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, REGION)
    rng = ctx.rng
    acct = ctx.account
    day = datetime(2026, 11, 9, tzinfo=UTC) + timedelta(days=rng.randint(0, 24))
    delete_t = day + timedelta(
        hours=rng.randint(9, 14), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    onset = delete_t + timedelta(seconds=rng.randint(25, 60))
    start = delete_t.replace(minute=0, second=0) - timedelta(hours=4)
    now = onset + timedelta(minutes=rng.randint(34, 48))
    created = start - timedelta(days=rng.randint(250, 600))
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    bad_az = azs[1]

    vpc = f"vpc-0{ctx.hex(16)}"
    stg_vpc = f"vpc-0{ctx.hex(16)}"
    pub = [f"subnet-0{ctx.hex(16)}" for _ in azs]
    priv = [f"subnet-0{ctx.hex(16)}" for _ in azs]
    nats = [f"nat-0{ctx.hex(16)}" for _ in azs]
    stg_nat = f"nat-0{ctx.hex(16)}"
    eips = [f"eipalloc-0{ctx.hex(16)}" for _ in range(4)]
    pub_ips = [f"3.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}" for _ in range(4)]
    rtbs = [f"rtb-0{ctx.hex(16)}" for _ in range(4)]
    igw = f"igw-0{ctx.hex(16)}"
    s3_vpce = f"vpce-0{ctx.hex(16)}"
    sg_alb = f"sg-0{ctx.hex(16)}"
    sg_app = f"sg-0{ctx.hex(16)}"
    sg_cache = f"sg-0{ctx.hex(16)}"
    third = rng.randint(40, 200)

    # --- resources -----------------------------------------------------------------------------------
    ctx.resource(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc,
            "CidrBlock": f"10.{third}.0.0/16",
            "State": "available",
            "DhcpOptionsId": f"dopt-0{ctx.hex(16)}",
            "InstanceTenancy": "default",
            "IsDefault": False,
            "OwnerId": acct,
            "Tags": [{"Key": "Name", "Value": "identity-prod"}],
        },
    )
    ctx.resource(
        "ec2",
        "Vpc",
        {
            "VpcId": stg_vpc,
            "CidrBlock": f"10.{third + 1}.0.0/16",
            "State": "available",
            "DhcpOptionsId": f"dopt-0{ctx.hex(16)}",
            "InstanceTenancy": "default",
            "IsDefault": False,
            "OwnerId": acct,
            "Tags": [{"Key": "Name", "Value": "identity-staging-old"}],
        },
    )
    for i, az in enumerate(azs):
        for kind, sid, base in (("public", pub[i], 0), ("private", priv[i], 10)):
            ctx.resource(
                "ec2",
                "Subnet",
                {
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"euc1-az{i + 1}",
                    "AvailableIpAddressCount": rng.randint(200, 240),
                    "CidrBlock": f"10.{third}.{base + i}.0/24",
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": kind == "public",
                    "State": "available",
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "OwnerId": acct,
                    "AssignIpv6AddressOnCreation": False,
                    "SubnetArn": ctx.arn("ec2", f"subnet/{sid}"),
                    "Tags": [{"Key": "Name", "Value": f"identity-prod-{kind}-{az[-1]}"}],
                },
            )
    for i, az in enumerate(azs):
        deleted = i == 1
        nat_item: dict[str, object] = {
            "CreateTime": iso(created + timedelta(minutes=i)),
            "NatGatewayAddresses": [
                {
                    "AllocationId": eips[i],
                    "NetworkInterfaceId": f"eni-0{ctx.hex(16)}",
                    "PrivateIp": f"10.{third}.{i}.{rng.randint(10, 250)}",
                    "PublicIp": pub_ips[i],
                    "IsPrimary": True,
                    "Status": "succeeded" if not deleted else "disassociating",
                }
            ],
            "NatGatewayId": nats[i],
            "State": "deleted" if deleted else "available",
            "SubnetId": pub[i],
            "VpcId": vpc,
            "ConnectivityType": "public",
            "Tags": [
                {"Key": "Name", "Value": f"identity-prod-nat-{az[-1]}"},
                {"Key": "env", "Value": "prod"},
            ],
        }
        if deleted:
            nat_item["DeleteTime"] = iso(delete_t + timedelta(seconds=rng.randint(40, 90)))
        ctx.resource("ec2", "NatGateway", nat_item)
    ctx.resource(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created - timedelta(days=90)),
            "DeleteTime": iso(delete_t - timedelta(minutes=2, seconds=rng.randint(0, 50))),
            "NatGatewayAddresses": [
                {
                    "AllocationId": eips[3],
                    "NetworkInterfaceId": f"eni-0{ctx.hex(16)}",
                    "PrivateIp": f"10.{third + 1}.0.{rng.randint(10, 250)}",
                    "PublicIp": pub_ips[3],
                    "IsPrimary": True,
                    "Status": "disassociating",
                }
            ],
            "NatGatewayId": stg_nat,
            "State": "deleted",
            "SubnetId": f"subnet-0{ctx.hex(16)}",
            "VpcId": stg_vpc,
            "ConnectivityType": "public",
            "Tags": [{"Key": "Name", "Value": "identity-staging-nat"}, {"Key": "env", "Value": "staging"}],
        },
    )
    local = {
        "DestinationCidrBlock": f"10.{third}.0.0/16",
        "GatewayId": "local",
        "Origin": "CreateRouteTable",
        "State": "active",
    }
    s3_route = {
        "DestinationPrefixListId": "pl-6ea54007",
        "GatewayId": s3_vpce,
        "Origin": "CreateRoute",
        "State": "active",
    }
    ctx.resource(
        "ec2",
        "RouteTable",
        {
            "Associations": [
                {
                    "Main": False,
                    "RouteTableAssociationId": f"rtbassoc-0{ctx.hex(16)}",
                    "RouteTableId": rtbs[3],
                    "SubnetId": s,
                    "AssociationState": {"State": "associated"},
                }
                for s in pub
            ],
            "PropagatingVgws": [],
            "RouteTableId": rtbs[3],
            "VpcId": vpc,
            "OwnerId": acct,
            "Routes": [
                local,
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": igw,
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Tags": [{"Key": "Name", "Value": "identity-prod-public"}],
        },
    )
    for i, az in enumerate(azs):
        ctx.resource(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": f"rtbassoc-0{ctx.hex(16)}",
                        "RouteTableId": rtbs[i],
                        "SubnetId": priv[i],
                        "AssociationState": {"State": "associated"},
                    }
                ],
                "PropagatingVgws": [],
                "RouteTableId": rtbs[i],
                "VpcId": vpc,
                "OwnerId": acct,
                "Routes": [
                    local,
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nats[i],
                        "Origin": "CreateRoute",
                        "State": "blackhole" if i == 1 else "active",
                    },
                    s3_route,
                ],
                "Tags": [{"Key": "Name", "Value": f"identity-prod-private-{az[-1]}"}],
            },
        )
    for svc in ("s3", "logs", "monitoring", "secretsmanager"):
        gateway = svc == "s3"
        vid = s3_vpce if gateway else f"vpce-0{ctx.hex(16)}"
        ep: dict[str, object] = {
            "VpcEndpointId": vid,
            "VpcEndpointType": "Gateway" if gateway else "Interface",
            "VpcId": vpc,
            "ServiceName": f"com.amazonaws.{REGION}.{svc}",
            "State": "available",
            "RouteTableIds": rtbs[:3] if gateway else [],
            "SubnetIds": [] if gateway else priv,
            "Groups": [] if gateway else [{"GroupId": sg_app, "GroupName": "kyc-verify-app"}],
            "PrivateDnsEnabled": not gateway,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [] if gateway else [f"eni-0{ctx.hex(16)}" for _ in azs],
            "CreationTimestamp": iso(created + timedelta(days=2)),
            "OwnerId": acct,
            "IpAddressType": "ipv4",
        }
        ctx.resource("ec2", "VpcEndpoint", ep)
    lb = alb(ctx, "kyc-verify-prod", vpc, list(zip(pub, azs, strict=True)), sg_alb, created)
    tg = target_group(ctx, "kyc-verify-app", vpc, str(lb["LoadBalancerArn"]), 8080, "/actuator/health")
    ctx.resource("elbv2", "LoadBalancer", lb)
    ctx.resource("elbv2", "TargetGroup", tg)
    for gid, name, perms in (
        (
            sg_alb,
            "kyc-verify-alb",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
        ),
        (
            sg_app,
            "kyc-verify-app",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": acct}],
                }
            ],
        ),
        (
            sg_cache,
            "kyc-verify-redis",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 6379,
                    "ToPort": 6379,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_app, "UserId": acct}],
                }
            ],
        ),
    ):
        ctx.resource(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": f"{name} managed by terraform",
                "OwnerId": acct,
                "VpcId": vpc,
                "IpPermissions": perms,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            },
        )
    asg_name = "kyc-verify-prod-asg"
    lt_id = f"lt-0{ctx.hex(16)}"
    ami = f"ami-0{ctx.hex(16)}"
    insts: list[tuple[str, str, str]] = []
    asg_instances = []
    for i, az in enumerate(azs):
        for _ in range(2):
            iid = f"i-0{ctx.hex(16)}"
            ip = f"10.{third}.{10 + i}.{rng.randint(10, 250)}"
            launched = start - timedelta(days=rng.randint(2, 12), minutes=rng.randint(0, 600))
            insts.append((iid, az, ip))
            ctx.resource(
                "ec2",
                "Instance",
                instance(
                    ctx,
                    iid,
                    az=az,
                    subnet=priv[i],
                    vpc=vpc,
                    ip=ip,
                    sgs=[(sg_app, "kyc-verify-app")],
                    ami=ami,
                    itype="m7g.large",
                    launched=launched,
                    name="kyc-verify-prod",
                    asg=asg_name,
                    profile="kyc-verify-app",
                    lt=(lt_id, "kyc-verify", "14"),
                ),
            )
            ctx.resource("ec2", "InstanceStatus", instance_status(iid, az))
            asg_instances.append(
                {
                    "InstanceId": iid,
                    "InstanceType": "m7g.large",
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": "kyc-verify",
                        "Version": "14",
                    },
                    "ProtectedFromScaleIn": False,
                }
            )
    ctx.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg_name,
            "AutoScalingGroupARN": ctx.arn(
                "autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{asg_name}"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "kyc-verify",
                "Version": "14",
            },
            "MinSize": 6,
            "MaxSize": 12,
            "DesiredCapacity": 6,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg["TargetGroupArn"]],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "Instances": asg_instances,
            "CreatedTime": iso(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(priv),
            "EnabledMetrics": [],
            "Tags": [
                {
                    "ResourceId": asg_name,
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": "kyc-verify-prod",
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
            "TrafficSources": [{"Identifier": tg["TargetGroupArn"], "Type": "elbv2"}],
        },
    )
    ctx.resource("logs", "LogGroup", log_group(ctx, "/kyc-verify/prod/app", created, 30))
    for iid, _, _ in insts:
        ctx.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": {"Id": iid, "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start - timedelta(days=1)),
                },
            }
        )

    # --- metrics -----------------------------------------------------------------------------------
    scale = rng.uniform(140, 220)
    vendor_share = rng.uniform(0.55, 0.68)
    load: dict[datetime, float] = {}

    def rate(t: datetime) -> float:
        if t not in load:
            load[t] = ctx.noise(scale, 0.07) * diurnal(t, 1.0, 14.0, 0.25)
        return load[t]

    broken = lambda t: t >= onset.replace(second=0)  # noqa: E731
    lbd = alb_dim(lb)
    tgd = tg_dim(tg)
    ns = "AWS/ApplicationELB"
    fail_frac = {t: 0.0 for t in range(1)}
    _ = fail_frac
    per_az: dict[str, dict[datetime, tuple[float, float, float]]] = {az: {} for az in azs}
    t = start
    while t < now:
        total = rate(t)
        for az in azs:
            req = round(total / 3 * rng.uniform(0.93, 1.07))
            bad = az == bad_az and broken(t)
            f5 = (
                round(req * vendor_share * rng.uniform(0.95, 1.0))
                if bad
                else (1 if rng.random() < 0.02 else 0)
            )
            rt = (vendor_share * 5.02 + (1 - vendor_share) * 0.03) if bad else ctx.noise(0.41, 0.08)
            per_az[az][t] = (float(req), float(f5), rt)
        t += timedelta(minutes=1)

    def tot(i: int) -> dict[datetime, float]:
        return {t: sum(per_az[az][t][i] for az in azs) for t in per_az[azs[0]]}

    req_tot, f5_tot = tot(0), tot(1)
    for dims in ({"LoadBalancer": lbd}, {"LoadBalancer": lbd, "TargetGroup": tgd}):
        ctx.series(ns, "RequestCount", dims, "Count", start, now, lambda t: req_tot[t])
        f5s = ctx.series(
            ns,
            "HTTPCode_Target_5XX_Count",
            dims,
            "Count",
            start,
            now,
            lambda t: f5_tot[t] if f5_tot[t] > 0 else None,
        )
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            dims,
            "Count",
            start,
            now,
            lambda t: req_tot[t] - f5_tot[t] - round(req_tot[t] * 0.012),
        )
        ctx.series(
            ns, "HTTPCode_Target_4XX_Count", dims, "Count", start, now, lambda t: round(req_tot[t] * 0.012)
        )
        ctx.series(
            ns,
            "TargetResponseTime",
            dims,
            "Seconds",
            start,
            now,
            lambda t: sum(per_az[az][t][2] * per_az[az][t][0] for az in azs) / max(1.0, req_tot[t]),
        )
    for az in azs:
        for dims in (
            {"LoadBalancer": lbd, "AvailabilityZone": az},
            {"LoadBalancer": lbd, "TargetGroup": tgd, "AvailabilityZone": az},
        ):
            ctx.series(ns, "RequestCount", dims, "Count", start, now, lambda t, a=az: per_az[a][t][0])
            ctx.series(
                ns,
                "HTTPCode_Target_5XX_Count",
                dims,
                "Count",
                start,
                now,
                lambda t, a=az: per_az[a][t][1] if per_az[a][t][1] > 0 else None,
            )
            ctx.series(ns, "TargetResponseTime", dims, "Seconds", start, now, lambda t, a=az: per_az[a][t][2])
    hd = {"LoadBalancer": lbd, "TargetGroup": tgd}
    ctx.series(ns, "HealthyHostCount", hd, "Count", start, now, lambda t: 6.0)
    ctx.series(ns, "UnHealthyHostCount", hd, "Count", start, now, lambda t: 0.0)
    ctx.series(
        ns,
        "ActiveConnectionCount",
        {"LoadBalancer": lbd},
        "Count",
        start,
        now,
        lambda t: rate(t) * rng.uniform(1.6, 2.0),
    )
    for i, nat in enumerate(nats):
        nd = {"NatGatewayId": nat}
        alive = (lambda t: t < delete_t.replace(second=0)) if i == 1 else (lambda t: True)
        ctx.series(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            nd,
            "Count",
            start,
            now,
            lambda t, a=alive: rate(t) * 0.35 * rng.uniform(0.8, 1.2) if a(t) else None,
        )
        ctx.series(
            "AWS/NATGateway",
            "ConnectionEstablishedCount",
            nd,
            "Count",
            start,
            now,
            lambda t, a=alive: rate(t) / 3 * vendor_share * rng.uniform(0.3, 0.45) if a(t) else None,
            integer=True,
        )
        ctx.series(
            "AWS/NATGateway",
            "BytesOutToDestination",
            nd,
            "Bytes",
            start,
            now,
            lambda t, a=alive: rate(t) / 3 * vendor_share * rng.uniform(180e3, 260e3) if a(t) else None,
            integer=True,
        )
        ctx.series(
            "AWS/NATGateway",
            "BytesInFromDestination",
            nd,
            "Bytes",
            start,
            now,
            lambda t, a=alive: rate(t) / 3 * vendor_share * rng.uniform(9e3, 14e3) if a(t) else None,
            integer=True,
        )
        ctx.series(
            "AWS/NATGateway",
            "PacketsDropCount",
            nd,
            "Count",
            start,
            now,
            lambda t, a=alive: 0.0 if a(t) else None,
        )
        ctx.series(
            "AWS/NATGateway",
            "ErrorPortAllocation",
            nd,
            "Count",
            start,
            now,
            lambda t, a=alive: 0.0 if a(t) else None,
        )
        ctx.series(
            "AWS/NATGateway",
            "IdleTimeoutCount",
            nd,
            "Count",
            start,
            now,
            lambda t, a=alive: float(rng.randint(0, 3)) if a(t) else None,
        )
    for iid, az, _ in insts:
        bad = az == bad_az
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            start,
            now,
            lambda t, b=bad: ctx.noise(4 + rate(t) * 0.09 * (0.55 if b and broken(t) else 1.0), 0.08),
            fine_from=start,
            coarse=300,
        )
        ctx.series(
            "AWS/EC2",
            "NetworkOut",
            {"InstanceId": iid},
            "Bytes",
            start,
            now,
            lambda t, b=bad: (
                rate(t) / 6 * (rng.uniform(38e3, 44e3) if b and broken(t) else rng.uniform(90e3, 110e3))
            ),
            integer=True,
        )
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", start, now, lambda t: 0.0)

    # --- alarms ----------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "identity-oncall")
    a5 = Alarm(
        ctx,
        "kyc-verify-prod-target-5xx",
        "kyc-verify target 5xx over 10/min",
        ns,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        5,
        10,
        "GreaterThanThreshold",
        to_alarm=3,
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=5),
    )
    a5.evaluate(f5s, start, now)
    a5.publish()
    uh = {t: 0.0 for t in req_tot}
    a_uh = Alarm(
        ctx,
        "kyc-verify-prod-unhealthy-hosts",
        "Unhealthy kyc-verify targets",
        ns,
        "UnHealthyHostCount",
        hd,
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=5),
    )
    a_uh.evaluate(uh, start, now)
    a_uh.publish()
    a_lat = Alarm(
        ctx,
        "kyc-verify-prod-latency",
        "kyc-verify average response time over 3s",
        ns,
        "TargetResponseTime",
        {"LoadBalancer": lbd},
        "Average",
        300,
        3,
        3.0,
        "GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=5),
    )
    a_lat.evaluate(
        {t: sum(per_az[az][t][2] * per_az[az][t][0] for az in azs) / max(1.0, req_tot[t]) for t in req_tot},
        start,
        now,
    )
    a_lat.publish()
    for i, nat in enumerate(nats):
        if i == 1:
            continue
        a_n = Alarm(
            ctx,
            f"identity-prod-nat-{azs[i][-1]}-port-allocation",
            "NAT gateway port allocation errors",
            "AWS/NATGateway",
            "ErrorPortAllocation",
            {"NatGatewayId": nat},
            "Sum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            missing="notBreaching",
            actions=[topic],
            created=created,
        )
        a_n.evaluate({t: 0.0 for t in req_tot}, start, now)
        a_n.publish()

    # --- logs ----------------------------------------------------------------------------------------
    grp = "/kyc-verify/prod/app"
    vendor = "api.eu.veridocs.io"
    vendor_ips = [f"52.{rng.randint(28, 59)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}" for _ in range(3)]
    t = start
    while t < now:
        for iid, az, _ip in insts:
            bad = az == bad_az and broken(t)
            stream = f"{iid}/application.log"
            for _ in range(rng.randint(1, 2)):
                ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
                if ts >= now:
                    continue
                thread = f"http-nio-8080-exec-{rng.randint(1, 40)}"
                stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
                trace = ctx.hex(32)
                check = f"chk_{ctx.alnum(20, upper=False)}"
                vend = rng.random() < vendor_share
                if vend and bad:
                    ctx.log(
                        grp,
                        stream,
                        ts + timedelta(seconds=5),
                        (
                            f"{stamp} ERROR 1 --- [kyc-verify] [{thread}] [{trace}-{ctx.hex(16)}] "
                            "i.p.kyc.vendor.VeridocsClient          : document check submit failed "
                            f"check={check} attempt=1\n"
                            f"org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
                            f'"https://{vendor}/v3/checks": Connect timed out\n'
                            "\tat org.springframework.web.client.RestTemplate.createResourceAccessException"
                            "(RestTemplate.java:915)\n"
                            "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)\n"
                            "\tat io.pennant.kyc.vendor.VeridocsClient.submit(VeridocsClient.java:112)\n"
                            "\tat io.pennant.kyc.checks.CheckService.create(CheckService.java:67)\n"
                            "Caused by: java.net.SocketTimeoutException: Connect timed out\n"
                            "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)\n"
                            "\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)\n"
                            "\tat java.base/java.net.SocksSocketImpl.connect(SocksSocketImpl.java:327)\n"
                            "\tat java.base/java.net.Socket.connect(Socket.java:751)\n"
                            "\t... 87 common frames omitted"
                        ),
                    )
                    ctx.log(
                        grp,
                        stream,
                        ts + timedelta(seconds=5, milliseconds=3),
                        f"{stamp} WARN 1 --- [kyc-verify] [{thread}] [{trace}-{ctx.hex(16)}] "
                        "i.p.kyc.api.ErrorAdvice                : POST /v1/checks -> 502 upstream_unavailable "
                        f"check={check}",
                    )
                elif vend:
                    ms_ = rng.randint(180, 900)
                    ctx.log(
                        grp,
                        stream,
                        ts + timedelta(milliseconds=ms_),
                        f"{stamp} INFO 1 --- [kyc-verify] [{thread}] [{trace}-{ctx.hex(16)}] "
                        "i.p.kyc.vendor.VeridocsClient          : document check submitted "
                        f"check={check} vendor_ref=vd_{ctx.hex(24)} status=202 took={ms_}ms",
                    )
                else:
                    ctx.log(
                        grp,
                        stream,
                        ts + timedelta(milliseconds=rng.randint(5, 40)),
                        f"{stamp} INFO 1 --- [kyc-verify] [{thread}] [{trace}-{ctx.hex(16)}] "
                        "i.p.kyc.api.CheckController            : GET /v1/checks/{id} 200 "
                        f"check={check} status={rng.choice(['pending', 'clear', 'clear', 'consider'])}",
                    )
            if rng.random() < 0.004:
                ctx.log(
                    grp,
                    stream,
                    t + timedelta(seconds=30),
                    f"{iso(t)[:-1]}.{rng.randint(100, 999)}Z WARN 1 --- [kyc-verify] [lettuce-nioEventLoop-4-1] "
                    "[] i.l.core.protocol.ConnectionWatchdog    : Reconnecting, last destination was "
                    f"kyc-verify-cache.{ctx.hex(6)}.ng.0001.euc1.cache.amazonaws.com:6379",
                )
        t += timedelta(minutes=1)
    _ = vendor_ips

    # --- CloudTrail --------------------------------------------------------------------------------
    eng = sso_user(
        ctx,
        rng.choice(["nils.hartmann", "clara.weiss", "mehmet.yilmaz"]) + "@pennant.eu",
        "NetworkAdministrator",
    )
    dev = sso_user(ctx, rng.choice(["lukas.braun", "sofia.conti"]) + "@pennant.eu", "PowerUserAccess")
    tf = ci_role(
        ctx,
        "gitlab-terraform-identity",
        "gitlab-" + str(rng.randint(100000, 999999)),
        TERRAFORM_UA.format(api="ec2", ver="1.165.0"),
    )
    asvc = service_role(ctx, "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    reads = [
        (dev, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (
            dev,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": tg["TargetGroupArn"]},
        ),
        (tf, "ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {"items": [{"vpcId": vpc}]}}),
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupIdSet": {"items": [{"groupId": sg_app}]}},
        ),
        (
            asvc,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": tg["TargetGroupArn"]},
        ),
        (dev, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "kyc-verify"}),
    ]
    routine_reads(ctx, start, now, reads, rng.randint(22, 30))
    t0 = delete_t - timedelta(minutes=rng.randint(6, 9))
    ct(
        ctx,
        t0,
        eng,
        "ec2.amazonaws.com",
        "DescribeNatGateways",
        {"DescribeNatGatewaysRequest": {"MaxResults": 1000}},
        None,
        read_only=True,
    )
    ct(
        ctx,
        t0 + timedelta(seconds=35),
        eng,
        "ec2.amazonaws.com",
        "DescribeAddresses",
        {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}},
        None,
        read_only=True,
    )
    t_stg = delete_t - timedelta(minutes=2, seconds=rng.randint(50, 59))
    for when, nat_id in ((t_stg, stg_nat), (delete_t, nats[1])):
        eid = ct(
            ctx,
            when,
            eng,
            "ec2.amazonaws.com",
            "DeleteNatGateway",
            {"DeleteNatGatewayRequest": {"NatGatewayId": nat_id}},
            {
                "DeleteNatGatewayResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "natGatewayId": nat_id,
                    "requestId": ctx.uuid(),
                }
            },
        )
    culprit = eid
    for k, (alloc, when) in enumerate(((eips[3], t_stg), (eips[1], delete_t))):
        ct(
            ctx,
            when + timedelta(minutes=rng.randint(6, 9), seconds=k * 7),
            eng,
            "ec2.amazonaws.com",
            "ReleaseAddress",
            {"allocationId": alloc},
            {"requestId": ctx.uuid(), "_return": True},
        )
    t_sg = onset + timedelta(minutes=rng.randint(8, 18))
    ct(
        ctx,
        t_sg,
        tf,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_cache,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": f"10.{third}.20.0/24", "description": "analytics batch"}]
                        },
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
                        "groupOwnerId": acct,
                        "groupId": sg_cache,
                        "securityGroupRuleId": f"sgr-0{ctx.hex(16)}",
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "cidrIpv4": f"10.{third}.20.0/24",
                        "description": "analytics batch",
                    }
                ]
            },
        },
    )
    ct(
        ctx,
        delete_t - timedelta(minutes=rng.randint(15, 24)),
        dev,
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": i[0]} for i in insts]},
            "tagSet": {"items": [{"key": "cost-center", "value": "identity"}]},
        },
        {"requestId": ctx.uuid(), "_return": True},
    )

    local_t = onset + timedelta(hours=1)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Since around {local_t:%H}:{(local_t.minute // 5) * 5:02d} a chunk of new ID checks "
                "(POST /v1/checks) on kyc-verify fail with 502 after ~5 seconds; status lookups are fine and every "
                "target is healthy. Veridocs say nothing is wrong on their side. What's going on?",
                "alarm_event": None,
                "timezone": "Europe/Berlin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": nats[1],
                    "category": "change",
                    "failure_mode": "nat-gateway-deleted-route-blackhole",
                    "event_id": culprit,
                },
                "also_accept": [
                    rtbs[1],
                    f"identity-prod-nat-{bad_az[-1]}",
                    f"identity-prod-private-{bad_az[-1]}",
                ],
                "actions": ["reconfigure"],
                "chain": [
                    f"DeleteNatGateway removed {nats[1]}, the NAT for {bad_az}",
                    f"route table {rtbs[1]} still sends 0.0.0.0/0 to it: the route is a blackhole",
                    f"kyc-verify instances in {bad_az} cannot open connections to {vendor} (connect timed out)",
                    "POST /v1/checks on those instances returns 502; kyc-verify-prod-target-5xx alarms",
                ],
            },
        }
    )
    _ = json
    return Bundle(manifest, ctx.records())
