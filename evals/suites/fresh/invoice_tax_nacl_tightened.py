"""Invoices stop issuing: a NACL 'tightening' on the app subnets drops return traffic from the tax provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzg import (
    Ctx,
    acl_entry,
    alb,
    flow,
    flow_log,
    instance,
    iso,
    lb_dim,
    local,
    nat_gateway,
    network_acl,
    perm,
    route_table,
    security_group,
    subnet,
    target_group,
    tg_dim,
    vpc,
    wave,
)

NAME = "invoice-issue-timeouts-after-nacl-edit"
TITLE = "Invoices won't issue since late morning; viewing old invoices still works"
SUMMARY = (
    "A network ACL edit on the app subnets restricted inbound to the VPC CIDR, dropping return traffic "
    "from the external tax API via the NAT gateway; invoice issuing times out and 5xx rises."
)


def build(seed: int) -> Bundle:
    probe = Ctx(
        seed,
        NAME,
        "000000000000",
        "eu-west-2",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    r = probe.rng
    day = datetime(2026, 10, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 55))
    onset = day.replace(hour=r.randint(9, 13), minute=r.randint(0, 59), second=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(36, 50))
    start = now - timedelta(hours=4, minutes=30)
    account = f"{r.randint(2, 9)}{r.randint(10**10, 10**11 - 1)}"
    ctx = Ctx(seed, NAME + "-b", account, "eu-west-2", start.replace(second=0), now.replace(second=0))
    rng = ctx.rng
    start, now = ctx.start, ctx.now

    o2 = rng.randint(16, 60)
    cidr = f"10.{o2}.0.0/16"
    net = f"10.{o2}"
    azs = ["eu-west-2a", "eu-west-2b"]
    vid = vpc(ctx, cidr, "billing-prod")
    pub = [
        subnet(ctx, vid, f"{net}.{i}.0/24", az, f"billing-prod-public-{az[-1]}", True)
        for i, az in enumerate(azs)
    ]
    app = [
        subnet(ctx, vid, f"{net}.{16 + i}.0/24", az, f"billing-prod-app-{az[-1]}") for i, az in enumerate(azs)
    ]
    data = [
        subnet(ctx, vid, f"{net}.{32 + i}.0/24", az, f"billing-prod-data-{az[-1]}")
        for i, az in enumerate(azs)
    ]
    nat_ip = f"{net}.0.{rng.randint(20, 200)}"
    eip = f"18.{rng.randint(130, 175)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    nat_id, _ = nat_gateway(ctx, vid, pub[0], azs[0], nat_ip, eip, "billing-prod-nat-a")
    igw = ctx.rid("igw")
    route_table(
        ctx,
        vid,
        cidr,
        "billing-prod-public",
        pub,
        [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
    )
    route_table(
        ctx,
        vid,
        cidr,
        "billing-prod-private",
        app + data,
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": nat_id,
                "Origin": "CreateRoute",
                "State": "active",
            }
        ],
        main=True,
    )

    # NACLs as they stand at `now` (after this morning's edits)
    app_acl = ctx.rid("acl")
    data_acl = ctx.rid("acl")
    network_acl(
        ctx,
        vid,
        "billing-prod-public",
        pub,
        [acl_entry(100, False, "0.0.0.0/0"), acl_entry(100, True, "0.0.0.0/0")],
    )
    network_acl(
        ctx,
        vid,
        "billing-prod-app",
        app,
        [acl_entry(100, False, cidr), acl_entry(100, True, "0.0.0.0/0")],
        acl_id=app_acl,
    )
    network_acl(
        ctx,
        vid,
        "billing-prod-data",
        data,
        [acl_entry(100, False, cidr), acl_entry(100, True, cidr)],
        acl_id=data_acl,
    )
    network_acl(
        ctx,
        vid,
        "default",
        [],
        [acl_entry(100, False, "0.0.0.0/0"), acl_entry(100, True, "0.0.0.0/0")],
        default=True,
    )

    alb_sg = security_group(
        ctx, vid, "invoice-alb", "invoice-api public ALB", [perm(443, "0.0.0.0/0"), perm(80, "0.0.0.0/0")]
    )
    app_sg = security_group(
        ctx, vid, "invoice-api", "invoice-api instances", [perm(8080, group=alb_sg, desc="from ALB")]
    )
    bastion_sg = ctx.rid("sg")
    db_sg = security_group(
        ctx,
        vid,
        "billing-db",
        "billing postgres",
        [perm(5432, group=app_sg), perm(5432, group=bastion_sg, desc="bastion")],
    )
    office = f"81.{rng.randint(100, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    security_group(
        ctx,
        vid,
        "ops-bastion",
        "SSM/SSH bastion",
        [perm(22, f"{office}/32", desc="Leeds office"), perm(22, "198.51.100.77/32", desc="J Patel home")],
        gid=bastion_sg,
    )

    hosts = []
    launched = start - timedelta(days=rng.randint(3, 20))
    for i in range(3):
        az_i = i % 2
        ip = f"{net}.{16 + az_i}.{rng.randint(10, 250)}"
        iid, eni = instance(
            ctx,
            "invoice-api",
            "m7g.large",
            app[az_i],
            vid,
            azs[az_i],
            ip,
            [(app_sg, "invoice-api")],
            launched,
            profile="invoice-api-ec2",
            extra_tags={"aws:autoscaling:groupName": "invoice-api-prod"},
        )
        hosts.append((iid, eni, ip))
    bastion_ip = f"{net}.0.{rng.randint(5, 19)}"
    instance(
        ctx,
        "ops-bastion",
        "t4g.micro",
        pub[0],
        vid,
        azs[0],
        bastion_ip,
        [(bastion_sg, "ops-bastion")],
        start - timedelta(days=90),
    )

    lb = alb(ctx, "invoice-api-prod", vid, list(zip(pub, azs, strict=True)), alb_sg)
    tg = target_group(ctx, "invoice-api-prod-8080", vid, 8080, lb)
    db_ip = f"{net}.32.{rng.randint(10, 250)}"
    ctx.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": "billing-pg-main",
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "EngineVersion": "16.4",
            "DBInstanceStatus": "available",
            "Endpoint": {
                "Address": f"billing-pg-main.c{ctx.hex(11)}.eu-west-2.rds.amazonaws.com",
                "Port": 5432,
            },
            "AvailabilityZone": azs[0],
            "MultiAZ": True,
            "SecondaryAvailabilityZone": azs[1],
            "AllocatedStorage": 200,
            "StorageType": "gp3",
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBSubnetGroup": {
                "DBSubnetGroupName": "billing-prod-data",
                "VpcId": vid,
                "SubnetGroupStatus": "Complete",
            },
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DBInstanceArn": f"arn:aws:rds:eu-west-2:{account}:db:billing-pg-main",
        },
    )
    flow_log(ctx, vid, "/vpc/billing-prod/flow-logs")
    ep_sg = security_group(ctx, vid, "vpce-https", "interface endpoints", [perm(443, cidr)])
    for svc in ("logs", "monitoring", "sqs"):
        ctx.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": "vpce-0" + ctx.hex(16),
                "VpcEndpointType": "Interface",
                "VpcId": vid,
                "ServiceName": f"com.amazonaws.eu-west-2.{svc}",
                "State": "available",
                "SubnetIds": app,
                "Groups": [{"GroupId": ep_sg, "GroupName": "vpce-https"}],
                "PrivateDnsEnabled": True,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [ctx.rid("eni"), ctx.rid("eni")],
                "CreationTimestamp": iso(start - timedelta(days=rng.randint(150, 500))),
                "OwnerId": account,
                "IpAddressType": "ipv4",
            },
        )

    # --- changes: two NACL edits by the same engineer, one deploy, one bastion rule -------------------
    eng = ctx.role_identity(
        "AWSReservedSSO_NetworkAdmin_8d2f61ac03b94e17",
        "m.okafor@brightledger.co.uk",
        onset - timedelta(minutes=40),
    )
    console = "AWS Internal"
    office_ip = office
    data_edit = onset - timedelta(minutes=rng.randint(9, 16))
    ctx.ct(
        data_edit - timedelta(seconds=40),
        "ec2.amazonaws.com",
        "DescribeNetworkAcls",
        eng,
        {
            "networkAclIdSet": {},
            "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vid}]}}]},
        },
        None,
        True,
        agent=console,
        ip=office_ip,
    )
    ctx.ct(
        data_edit,
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        eng,
        {
            "networkAclId": data_acl,
            "ruleNumber": 100,
            "egress": False,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {},
            "aclProtocol": "-1",
            "cidrBlock": cidr,
        },
        {"requestId": ctx.uuid(), "_return": True},
        agent=console,
        ip=office_ip,
    )
    ctx.ct(
        data_edit + timedelta(seconds=31),
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        eng,
        {
            "networkAclId": data_acl,
            "ruleNumber": 100,
            "egress": True,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {},
            "aclProtocol": "-1",
            "cidrBlock": cidr,
        },
        {"requestId": ctx.uuid(), "_return": True},
        agent=console,
        ip=office_ip,
    )
    culprit = ctx.ct(
        onset,
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        eng,
        {
            "networkAclId": app_acl,
            "ruleNumber": 100,
            "egress": False,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {},
            "aclProtocol": "-1",
            "cidrBlock": cidr,
        },
        {"requestId": ctx.uuid(), "_return": True},
        agent=console,
        ip=office_ip,
    )
    ctx.ct(
        onset + timedelta(seconds=25),
        "ec2.amazonaws.com",
        "DescribeNetworkAcls",
        eng,
        {"networkAclIdSet": {"items": [{"networkAclId": app_acl}]}, "filterSet": {}},
        None,
        True,
        agent=console,
        ip=office_ip,
    )

    deploy_role = ctx.role_identity("gha-billing-deploy", "GitHubActions")
    dep_t = onset - timedelta(minutes=rng.randint(48, 75))
    dep_id = f"d-{ctx.upper('', 9)}"
    ctx.ct(
        dep_t,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        deploy_role,
        {
            "applicationName": "invoice-api",
            "deploymentGroupName": "invoice-api-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "brightledger-artifacts",
                    "key": "invoice-api/invoice-api-2.31.0.zip",
                    "bundleType": "zip",
                },
            },
            "description": "invoice-api 2.31.0 (PDF footer wording)",
        },
        {"deploymentId": dep_id},
        agent="aws-sdk-js/3.637.0 ua/2.1 os/linux lang/js md/nodejs#20.17.0 api/codedeploy#3.637.0",
        ip="4.227.91.80",
    )
    ctx.res(
        "codedeploy",
        "DeploymentInfo",
        {
            "applicationName": "invoice-api",
            "deploymentGroupName": "invoice-api-prod",
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "deploymentId": dep_id,
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "brightledger-artifacts",
                    "key": "invoice-api/invoice-api-2.31.0.zip",
                    "bundleType": "zip",
                },
            },
            "status": "Succeeded",
            "createTime": iso(dep_t),
            "startTime": iso(dep_t + timedelta(seconds=4)),
            "completeTime": iso(dep_t + timedelta(minutes=7, seconds=12)),
            "deploymentOverview": {
                "Pending": 0,
                "InProgress": 0,
                "Succeeded": 3,
                "Failed": 0,
                "Skipped": 0,
                "Ready": 0,
            },
            "description": "invoice-api 2.31.0 (PDF footer wording)",
            "creator": "user",
            "computePlatform": "Server",
        },
    )
    sec = ctx.role_identity("AWSReservedSSO_PowerUser_41b7c0e9d2a35f88", "j.patel@brightledger.co.uk")
    bt = onset - timedelta(minutes=rng.randint(100, 150))
    ctx.ct(
        bt,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        sec,
        {
            "groupId": bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "198.51.100.77/32", "description": "J Patel home"}]
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
                        "groupOwnerId": account,
                        "groupId": bastion_sg,
                        "securityGroupRuleId": ctx.rid("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "198.51.100.77/32",
                        "description": "J Patel home",
                    }
                ]
            },
        },
        agent=console,
        ip=office_ip,
    )
    ctx.tooling_noise([vid], [h[0] for h in hosts], "j.patel@brightledger.co.uk")
    ec2_role = ctx.role_identity("invoice-api-ec2", hosts[0][0])
    t = start + timedelta(minutes=3)
    while t < onset:  # no STS endpoint in the VPC: these go out through the NAT gateway
        ctx.ct(
            t,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            ec2_role,
            None,
            None,
            True,
            agent="Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.1.109 md/arch#aarch64 lang/python#3.12.6",
            ip=eip,
        )
        t += timedelta(minutes=rng.randint(25, 40))
    t = start + timedelta(minutes=rng.randint(1, 30))
    while t < onset:  # SSM agent heartbeats also use the NAT gateway
        beat = hosts[rng.randrange(3)][0]
        ctx.ct(
            t,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            ctx.role_identity("invoice-api-ec2", beat),
            {
                "instanceId": beat,
                "agentVersion": "3.3.987.0",
                "agentStatus": "Active",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2023",
            },
            None,
            False,
            agent="aws-sdk-go/1.44.260 (go1.22.7; linux; arm64) amazon-ssm-agent/3.3.987.0",
            ip=eip,
        )
        t += timedelta(minutes=rng.randint(12, 30))

    # --- metrics -------------------------------------------------------------------------------------
    tax_share = rng.uniform(0.07, 0.12)

    def reqs(t: datetime) -> float:
        return wave(t, 380, 520, 12.5) * rng.uniform(0.93, 1.07)

    req: dict[datetime, float] = {}
    five: dict[datetime, float] = {}
    lat: dict[datetime, tuple[float, float, float, float]] = {}
    t = start
    while t < now:
        n = reqs(t)
        req[t] = round(n)
        broken = t >= onset.replace(second=0) + timedelta(minutes=1)
        fails = n * tax_share * rng.uniform(0.9, 1.0) if broken else rng.choice([0, 0, 0, 1, 1, 2])
        five[t] = round(fails)
        slow = n * tax_share if broken else 0
        avg = (0.11 * (n - slow) + 15.2 * slow) / n * rng.uniform(0.95, 1.05)
        lat[t] = (n, avg * n, 0.004, 15.31 if broken else rng.uniform(0.9, 2.4))
        t += timedelta(minutes=1)
    lbd = {"LoadBalancer": lb_dim(lb)}
    ctx.series("AWS/ApplicationELB", "RequestCount", lbd, "Count", lambda t: req.get(t))
    fives = ctx.series(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, "Count", lambda t: five.get(t) or None
    )
    ctx.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        lambda t: round(req[t] * rng.uniform(0.01, 0.02)) if t in req else None,
    )
    ctx.statset("AWS/ApplicationELB", "TargetResponseTime", lbd, "Seconds", lambda t: lat.get(t))
    tgd = {"TargetGroup": tg_dim(tg), "LoadBalancer": lb_dim(lb)}
    ctx.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: 3 if t in req else None)
    ctx.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0 if t in req else None)
    for iid, _, _ in hosts:
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            lambda t: wave(t, 9, 14, 12.5) * rng.uniform(0.85, 1.15),
            period=300,
        )
    ctx.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": "billing-pg-main"},
        "Percent",
        lambda t: wave(t, 11, 16, 12.5) * rng.uniform(0.9, 1.1),
    )
    ctx.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": "billing-pg-main"},
        "Count",
        lambda t: rng.randint(38, 46),
    )
    natd = {"NatGatewayId": nat_id}
    ok_at = onset.replace(second=0) + timedelta(minutes=1)

    def attempts(t: datetime) -> float | None:
        if t not in req:
            return None
        tax = req[t] * tax_share
        return tax * (3 if t >= ok_at else 1) + rng.randint(25, 45)

    ctx.series("AWS/NATGateway", "ConnectionAttemptCount", natd, "Count", attempts)
    ctx.series(
        "AWS/NATGateway",
        "ConnectionEstablishedCount",
        natd,
        "Count",
        lambda t: (
            None
            if t not in req
            else (rng.randint(0, 2) if t >= ok_at else req[t] * tax_share + rng.randint(25, 45))
        ),
    )
    ctx.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        natd,
        "Count",
        lambda t: None if t not in req else (rng.randint(30, 60) if t >= ok_at else rng.randint(180, 260)),
    )
    ctx.series(
        "AWS/NATGateway",
        "BytesOutToDestination",
        natd,
        "Bytes",
        lambda t: (
            None
            if t not in req
            else (
                rng.randint(40000, 70000)
                if t >= ok_at
                else req[t] * tax_share * rng.randint(2500, 3400) + 300000
            )
        ),
    )
    ctx.series(
        "AWS/NATGateway",
        "BytesInFromDestination",
        natd,
        "Bytes",
        lambda t: (
            None
            if t not in req
            else (
                rng.randint(60000, 90000)
                if t >= ok_at
                else req[t] * tax_share * rng.randint(5200, 7400) + 900000
            )
        ),
    )
    ctx.series(
        "AWS/NATGateway",
        "BytesOutToSource",
        natd,
        "Bytes",
        lambda t: (
            None
            if t not in req
            else (
                rng.randint(200, 900) if t >= ok_at else req[t] * tax_share * rng.randint(5200, 7400) + 900000
            )
        ),
    )
    ctx.series("AWS/NATGateway", "PacketsDropCount", natd, "Count", lambda t: 0 if t in req else None)
    ctx.series("AWS/NATGateway", "ErrorPortAllocation", natd, "Count", lambda t: 0 if t in req else None)

    # a nightly-reports queue whose age alarm flaps every hour when the batch lands
    qd = {"QueueName": "invoice-reminders"}
    age = ctx.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: rng.randint(300, 640) if t.minute < 6 else rng.randint(0, 40),
    )
    ctx.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        lambda t: rng.randint(900, 2400) if t.minute < 6 else rng.randint(0, 30),
    )

    topic = f"arn:aws:sns:eu-west-2:{account}:billing-oncall"
    a5, tr5 = ctx.alarm(
        "invoice-api-target-5xx",
        "invoice-api ALB target 5xx > 20/min for 3 minutes. Runbook: wiki/billing/invoice-api",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Sum",
        60,
        3,
        3,
        20,
        "GreaterThanThreshold",
        fives,
        [topic],
    )
    ctx.alarm(
        "invoice-reminders-age",
        "reminder queue backing up",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        60,
        2,
        2,
        300,
        "GreaterThanThreshold",
        age,
        [topic],
    )
    p99 = {t: v for t, v in ((t, s / n) for t, (n, s, _, _) in lat.items())}
    ctx.alarm(
        "invoice-api-latency-high",
        "Average target response time above 2s for 5 of 5 minutes",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        "Average",
        60,
        5,
        5,
        2.0,
        "GreaterThanThreshold",
        p99,
        [topic],
    )
    ctx.alarm(
        "billing-pg-main-cpu",
        "billing-pg-main CPU > 80%",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": "billing-pg-main"},
        "Average",
        300,
        3,
        3,
        80,
        "GreaterThanThreshold",
        {},
        [topic],
    )

    # --- logs ----------------------------------------------------------------------------------------
    vendor_ips = [
        f"104.18.{rng.randint(2, 40)}.{rng.randint(1, 250)}",
        f"172.64.{rng.randint(140, 160)}.{rng.randint(1, 250)}",
    ]
    t = start
    while t < now:
        for hi, (iid, eni, ip) in enumerate(hosts):
            g = "/invoice-api/app"
            ts = t + timedelta(seconds=rng.randint(0, 59))
            n = rng.randint(0, 3)
            for _ in range(n):
                inv = f"INV-{rng.randint(240000, 299999)}"
                ctx.log(
                    g,
                    iid,
                    ts,
                    f"{ts:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO [invoice_api.views] GET /v1/invoices/{inv} 200 {rng.randint(18, 95)}ms",
                )
            if ts < ok_at:
                if rng.random() < 0.6:
                    inv = f"INV-{rng.randint(300000, 309999)}"
                    ctx.log(
                        g,
                        iid,
                        ts + timedelta(seconds=1),
                        f"{ts:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO [invoice_api.tax] tax quote ok for {inv} provider=taxgrid lines={rng.randint(1, 14)} {rng.randint(140, 420)}ms",
                    )
                    ctx.log(
                        g,
                        iid,
                        ts + timedelta(seconds=1),
                        f"{ts:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO [invoice_api.views] POST /v1/invoices/{inv}/issue 201 {rng.randint(300, 700)}ms",
                    )
                    ctx.log(
                        "/vpc/billing-prod/flow-logs",
                        eni,
                        ts,
                        flow(
                            ctx, eni, ip, rng.choice(vendor_ips), rng.randint(32768, 60999), 443, ts, "ACCEPT"
                        ),
                    )
                    ctx.log(
                        "/vpc/billing-prod/flow-logs",
                        eni,
                        ts,
                        flow(
                            ctx, eni, rng.choice(vendor_ips), ip, 443, rng.randint(32768, 60999), ts, "ACCEPT"
                        ),
                    )
            else:
                for _ in range(rng.randint(1, 3)):
                    inv = f"INV-{rng.randint(300000, 309999)}"
                    e = ts + timedelta(seconds=rng.randint(0, 40))
                    ctx.log(
                        g,
                        iid,
                        e,
                        f"{e:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} WARNING [urllib3.connectionpool] Retrying (Retry(total=1, connect=1, read=2, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{ctx.hex(10)}>, 'Connection to rest.taxgrid.io timed out. (connect timeout=5)')': /v2/quotes",
                    )
                    e2 = e + timedelta(seconds=10)
                    ctx.log(
                        g,
                        iid,
                        e2,
                        f"{e2:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} ERROR [invoice_api.tax] tax quote failed for {inv}: ConnectTimeout: HTTPSConnectionPool(host='rest.taxgrid.io', port=443): Max retries exceeded with url: /v2/quotes (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{ctx.hex(10)}>, 'Connection to rest.taxgrid.io timed out. (connect timeout=5)'))",
                    )
                    ctx.log(
                        g,
                        iid,
                        e2,
                        f"{e2:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} ERROR [invoice_api.views] POST /v1/invoices/{inv}/issue 502 {rng.randint(15100, 15300)}ms",
                    )
                    sp = rng.randint(32768, 60999)
                    vip = rng.choice(vendor_ips)
                    ctx.log(
                        "/vpc/billing-prod/flow-logs",
                        eni,
                        e,
                        flow(ctx, eni, ip, vip, sp, 443, e, "ACCEPT", packets=3),
                    )
                    ctx.log(
                        "/vpc/billing-prod/flow-logs",
                        eni,
                        e,
                        flow(ctx, eni, vip, ip, 443, sp, e, "REJECT", packets=rng.randint(3, 6)),
                    )
            if rng.random() < 0.5:
                alb_ip = f"{net}.{hi % 2}.{rng.randint(30, 250)}"
                ctx.log(
                    "/vpc/billing-prod/flow-logs",
                    eni,
                    ts,
                    flow(ctx, eni, alb_ip, ip, rng.randint(1024, 65535), 8080, ts, "ACCEPT"),
                )
                ctx.log(
                    "/vpc/billing-prod/flow-logs",
                    eni,
                    ts,
                    flow(ctx, eni, ip, db_ip, rng.randint(32768, 60999), 5432, ts, "ACCEPT"),
                )
            if abs((ts - dep_t).total_seconds() - 120 * (hi + 1)) < 60:
                ctx.log(
                    g,
                    iid,
                    ts,
                    f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [{rng.randint(2000, 9000)}] [INFO] Starting gunicorn 22.0.0",
                )
                ctx.log(
                    g,
                    iid,
                    ts + timedelta(seconds=2),
                    f"{ts:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO [invoice_api] invoice-api 2.31.0 ready, 4 workers",
                )
        t += timedelta(minutes=1)

    trigger = {
        "question": f"Finance says invoices won't issue since about {local(onset, 'Europe/London'):%H:%M} - the Issue button spins for ages and then errors. Looking up old invoices is fine. We shipped 2.31.0 this morning, is that it?",
        "timezone": "Europe/London",
        "alarm_event": ctx.alarm_event(a5, tr5) if tr5 else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": app_acl,
            "category": "change",
            "failure_mode": "nacl-blocks-return-traffic",
            "event_id": culprit,
        },
        "also_accept": ["billing-prod-app"],
        "actions": ["rollback"],
        "chain": [app_acl, nat_id, "rest.taxgrid.io", "invoice-api-prod", "invoice-api-target-5xx"],
    }
    return ctx.bundle(TITLE, trigger, truth)
