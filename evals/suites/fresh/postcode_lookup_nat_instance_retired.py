"""Half of postcode lookups fail: AWS retired the NAT instance one AZ's private route table points at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzg import (
    Ctx,
    acl_entry,
    instance,
    iso,
    local,
    network_acl,
    perm,
    route_table,
    security_group,
    subnet,
    vpc,
    wave,
)

NAME = "postcode-lookup-half-failing-nat-instance-retired"
TITLE = "Postcode lookup on the sign-up form failing about half the time since early morning"
SUMMARY = (
    "AWS stopped a self-managed NAT instance for scheduled hardware retirement; the AZ-a private route "
    "table's default route went blackhole, so Lambda invocations placed in that subnet cannot reach the "
    "address API while those in AZ-b still can."
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
    day = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 50))
    onset = day.replace(hour=r.randint(5, 7), minute=r.randint(0, 59), second=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(70, 110))
    start = now - timedelta(hours=6)
    account = f"{r.randint(2, 9)}{r.randint(10**10, 10**11 - 1)}"
    ctx = Ctx(seed, NAME + "-b", account, "eu-west-2", start.replace(second=0), now.replace(second=0))
    rng = ctx.rng
    start, now = ctx.start, ctx.now
    region = "eu-west-2"

    o2 = rng.randint(100, 140)
    cidr = f"10.{o2}.0.0/16"
    net = f"10.{o2}"
    azs = ["eu-west-2a", "eu-west-2b"]
    vid = vpc(ctx, cidr, "nestmove-main")
    pub = [
        subnet(ctx, vid, f"{net}.{i}.0/24", az, f"nestmove-public-{az[-1]}", True) for i, az in enumerate(azs)
    ]
    priv = [
        subnet(ctx, vid, f"{net}.{8 + i}.0/22", az, f"nestmove-private-{az[-1]}") for i, az in enumerate(azs)
    ]
    nat_sg = security_group(
        ctx, vid, "nat-instances", "fck-nat instances", [perm(0, cidr, desc="all from VPC", to_port=65535)]
    )
    fn_sg = security_group(ctx, vid, "lambda-egress", "Lambda functions (egress only)", [])
    ops_sg = security_group(ctx, vid, "ops-ssm", "SSM-managed ops box", [])
    launched = start - timedelta(days=rng.randint(200, 420))
    retired_at = onset
    nat_a, nat_a_eni = instance(
        ctx,
        "fck-nat-a",
        "t4g.small",
        pub[0],
        vid,
        azs[0],
        f"{net}.0.{rng.randint(10, 60)}",
        [(nat_sg, "nat-instances")],
        launched,
        profile="fck-nat",
        state="stopped",
        state_reason=("Server.ScheduledStop", "Server.ScheduledStop: Stopped due to scheduled retirement"),
        source_dest_check=False,
    )
    item_a = ctx.resources[-1]["item"]
    item_a["PublicIpAddress"] = f"18.{rng.randint(130, 175)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    item_a["StateTransitionReason"] = f"Service initiated ({retired_at:%Y-%m-%d %H:%M:%S} GMT)"
    nat_b, nat_b_eni = instance(
        ctx,
        "fck-nat-b",
        "t4g.small",
        pub[1],
        vid,
        azs[1],
        f"{net}.1.{rng.randint(10, 60)}",
        [(nat_sg, "nat-instances")],
        launched + timedelta(minutes=3),
        profile="fck-nat",
        source_dest_check=False,
    )
    ctx.resources[-2]["item"]["PublicIpAddress"] = (
        f"18.{rng.randint(130, 175)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    )
    ops, _ = instance(
        ctx,
        "ops-box",
        "t4g.medium",
        priv[1],
        vid,
        azs[1],
        f"{net}.9.{rng.randint(10, 250)}",
        [(ops_sg, "ops-ssm")],
        start - timedelta(days=33),
        profile="ops-ssm",
    )
    igw = ctx.rid("igw")
    route_table(
        ctx,
        vid,
        cidr,
        "nestmove-public",
        pub,
        [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
        main=True,
    )
    s3pl = "pl-7ca54015"
    rtb_a = route_table(
        ctx,
        vid,
        cidr,
        "nestmove-private-a",
        [priv[0]],
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "InstanceId": nat_a,
                "InstanceOwnerId": account,
                "NetworkInterfaceId": nat_a_eni,
                "Origin": "CreateRoute",
                "State": "blackhole",
            },
            {
                "DestinationPrefixListId": s3pl,
                "GatewayId": "vpce-0" + ctx.hex(16),
                "Origin": "CreateRoute",
                "State": "active",
            },
        ],
    )
    route_table(
        ctx,
        vid,
        cidr,
        "nestmove-private-b",
        [priv[1]],
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "InstanceId": nat_b,
                "InstanceOwnerId": account,
                "NetworkInterfaceId": nat_b_eni,
                "Origin": "CreateRoute",
                "State": "active",
            },
            {
                "DestinationPrefixListId": s3pl,
                "GatewayId": "vpce-0" + ctx.hex(16),
                "Origin": "CreateRoute",
                "State": "active",
            },
        ],
    )
    network_acl(
        ctx,
        vid,
        "default",
        pub + priv,
        [acl_entry(100, False, "0.0.0.0/0"), acl_entry(100, True, "0.0.0.0/0")],
        default=True,
    )

    hotfix = onset - timedelta(hours=rng.randint(3, 4), minutes=rng.randint(0, 59))
    funcs = {
        "address-lookup": ("nodejs20.x", "index.handler", 6, hotfix),
        "signup-webhook-relay": ("nodejs20.x", "relay.handler", 10, start - timedelta(days=12)),
    }
    for fname, (rt, handler, timeout, modified) in funcs.items():
        ctx.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fname,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fname}",
                "Runtime": rt,
                "Role": f"arn:aws:iam::{account}:role/{fname}-role",
                "Handler": handler,
                "CodeSize": rng.randint(400000, 2400000),
                "Timeout": timeout,
                "MemorySize": 256,
                "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ctx.hex(43) + "=",
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": priv, "SecurityGroupIds": [fn_sg], "VpcId": vid},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fname}"},
            },
        )

    # --- AWS Health: the retirement notice posted two weeks earlier ------------------------------------
    ev_arn = f"arn:aws:health:{region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{ctx.hex(8).upper()}-{ctx.hex(4).upper()}"
    posted = onset - timedelta(days=14, hours=rng.randint(1, 9))
    ctx.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": ev_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": region,
                    "availabilityZone": azs[0],
                    "startTime": iso(retired_at.replace(second=0)),
                    "lastUpdatedTime": iso(posted),
                    "statusCode": "open",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance "
                    f"(instance-ID: {nat_a}) associated with your AWS account (AWS Account ID: {account}) in the "
                    f"{region} region. Due to this degradation your instance could already be unreachable. We will "
                    f"stop your instance after {retired_at:%Y-%m-%d} {retired_at.hour:02d}:00:00 UTC.\n\n"
                    "You can see more information on your instances that are scheduled for retirement in the AWS "
                    "Management Console (https://console.aws.amazon.com/ec2/v2/home?region="
                    f"{region}#Events)\n\n* How does this affect you?\nYour instance's root device is an EBS "
                    "volume and the instance will be stopped after the specified retirement date. You can start it "
                    "again at any time. Note that if you have EC2 instance store volumes attached to the instance, "
                    "any data on these volumes will be lost when the instance is stopped or terminated as these "
                    "volumes are physically attached to the host computer\n\n* What do you need to do?\nYou may "
                    "still be able to access the instance. We recommend that you replace the instance by creating "
                    "an AMI of your instance and launch a new instance from the AMI. For more information please "
                    "see Amazon Machine Images (AMI) "
                    "(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIs.html) in the Amazon EC2 User "
                    "Guide. In case of difficulties stopping your EBS-backed instance, please see the Instance "
                    "FAQ (https://aws.amazon.com/instance-help/#ebs-stuck-stopping).\n\n* Why retirement?\nAWS "
                    "may schedule instances for retirement in cases where there is an unrecoverable issue with "
                    "the underlying hardware."
                ),
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:{region}:{account}:entity/{ctx.hex(30)}",
                        "eventArn": ev_arn,
                        "entityValue": nat_a,
                        "awsAccountId": account,
                        "lastUpdatedTime": iso(posted),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        }
    )

    # --- CloudTrail: nobody stopped the instance; a hotfix, backups, tooling, on-call reads ------------
    dev = ctx.role_identity(
        "AWSReservedSSO_Developer_92d7e0a4c1b6f385",
        "t.adeyemi@nestmove.co.uk",
        hotfix - timedelta(minutes=25),
    )
    home = f"86.{rng.randint(128, 190)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    sam = "aws-sam-cli/1.124.0 aws-sdk-js/3.637.0 ua/2.1 os/darwin#23.6.0 lang/js md/nodejs#20.17.0"
    ctx.ct(
        hotfix - timedelta(seconds=50),
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        dev,
        {"changeSetName": f"samcli-deploy{int(hotfix.timestamp())}", "stackName": "address-lookup"},
        None,
        agent=sam,
        ip=home,
    )
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:address-lookup"
    ctx.ct(
        hotfix,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ctx.role_identity("cdk-cfn-exec-role", "AWSCloudFormation"),
        {
            "functionName": fn_arn,
            "s3Bucket": f"aws-sam-cli-managed-default-samclisourcebucket-{ctx.hex(12)}",
            "s3Key": f"address-lookup/{ctx.hex(32)}",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "address-lookup",
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "timeout": 6,
            "memorySize": 256,
            "lastModified": hotfix.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="cloudformation.amazonaws.com",
        ip="cloudformation.amazonaws.com",
    )
    backup = ctx.role_identity("AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole")
    bt = start.replace(minute=0) + timedelta(hours=2)
    for vol in range(3):
        ctx.ct(
            bt + timedelta(seconds=rng.randint(5, 200)),
            "ec2.amazonaws.com",
            "CreateSnapshot",
            backup,
            {
                "volumeId": ctx.rid("vol"),
                "description": "This snapshot is created by the AWS Backup service.",
                "tagSpecificationSet": {},
            },
            {"requestId": ctx.uuid(), "snapshotId": ctx.rid("snap"), "status": "pending", "progress": ""},
            agent="backup.amazonaws.com",
            ip="backup.amazonaws.com",
        )
        _ = vol
    oncall = ctx.role_identity(
        "AWSReservedSSO_ReadOnlyAccess_5c1a9e2b7d3f4a60",
        "p.greaves@nestmove.co.uk",
        now - timedelta(minutes=18),
    )
    ot = now - timedelta(minutes=rng.randint(10, 16))
    ctx.ct(
        ot,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        oncall,
        {"functionName": "address-lookup"},
        None,
        True,
        agent="AWS Internal",
        ip=home,
    )
    ctx.ct(
        ot + timedelta(seconds=40),
        "lambda.amazonaws.com",
        "ListVersionsByFunction20150331",
        oncall,
        {"functionName": "address-lookup"},
        None,
        True,
        agent="AWS Internal",
        ip=home,
    )
    ctx.tooling_noise([vid], [nat_b, ops], "p.greaves@nestmove.co.uk")
    t = start + timedelta(minutes=rng.randint(0, 15))
    while t < now:
        ctx.ct(
            t,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            ctx.role_identity("ops-ssm", ops),
            {
                "instanceId": ops,
                "agentVersion": "3.3.1142.0",
                "agentStatus": "Active",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2023",
            },
            None,
            False,
            agent="aws-sdk-go/1.44.260 (go1.22.7; linux; arm64) amazon-ssm-agent/3.3.1142.0",
            ip=f"{net}.9.10",
        )
        t += timedelta(minutes=rng.randint(20, 40))

    # --- metrics -------------------------------------------------------------------------------------
    stop_min = retired_at.replace(second=0)

    def down(t: datetime) -> bool:
        return t >= stop_min

    share_a = rng.uniform(0.45, 0.55)
    for iid, is_a in ((nat_a, True), (nat_b, False)):
        d = {"InstanceId": iid}

        def alive(t: datetime, is_a: bool = is_a) -> bool:
            return not (is_a and down(t))

        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            d,
            "Percent",
            lambda t, alive=alive: wave(t, 1.5, 6, 12) * rng.uniform(0.8, 1.2) if alive(t) else None,
            period=300,
        )
        ctx.series(
            "AWS/EC2",
            "NetworkOut",
            d,
            "Bytes",
            lambda t, alive=alive, a=is_a: (
                wave(t, 4e6, 6e7, 12) * rng.uniform(0.8, 1.2) * (1.0 if a or not down(t) else 1.3)
                if alive(t)
                else None
            ),
            period=300,
        )
        ctx.series(
            "AWS/EC2",
            "NetworkIn",
            d,
            "Bytes",
            lambda t, alive=alive, a=is_a: (
                wave(t, 5e6, 7e7, 12) * rng.uniform(0.8, 1.2) * (1.0 if a or not down(t) else 1.3)
                if alive(t)
                else None
            ),
            period=300,
        )
        sc = ctx.series(
            "AWS/EC2", "StatusCheckFailed", d, "Count", lambda t, alive=alive: 0 if alive(t) else None
        )
        ctx.series(
            "AWS/EC2", "StatusCheckFailed_System", d, "Count", lambda t, alive=alive: 0 if alive(t) else None
        )
        ctx.alarm(
            f"{'fck-nat-a' if is_a else 'fck-nat-b'}-status-check",
            f"NAT instance {'a' if is_a else 'b'} failed status checks - recover",
            "AWS/EC2",
            "StatusCheckFailed",
            d,
            "Maximum",
            60,
            2,
            2,
            1,
            "GreaterThanOrEqualToThreshold",
            sc,
            [f"arn:aws:automate:{region}:ec2:recover"],
            missing="missing",
            created=start - timedelta(days=300),
        )

    fd = {"FunctionName": "address-lookup"}
    inv: dict[datetime, int] = {}
    err: dict[datetime, int] = {}
    dur: dict[datetime, tuple[float, float, float, float]] = {}
    t = start
    while t < now:
        n = round(wave(t, 4, 60, 11) * rng.uniform(0.85, 1.15))
        inv[t] = n
        if down(t) and t > retired_at:
            e = sum(1 for _ in range(n) if rng.random() < share_a)
            dur[t] = (max(n, 1), e * 3040 + (n - e) * 210, 140.0, 3068.0 if e else 400.0)
        else:
            e = 1 if rng.random() < 0.03 else 0
            dur[t] = (max(n, 1), n * rng.uniform(170, 260), 120.0, rng.uniform(400, 900))
        err[t] = e
        t += timedelta(minutes=1)
    ctx.series("AWS/Lambda", "Invocations", fd, "Count", lambda t: inv.get(t) or None)
    errs = ctx.series("AWS/Lambda", "Errors", fd, "Count", lambda t: err.get(t) if inv.get(t) else None)
    ctx.statset("AWS/Lambda", "Duration", fd, "Milliseconds", lambda t: dur.get(t) if inv.get(t) else None)
    wd = {"FunctionName": "signup-webhook-relay"}
    wh = ctx.series(
        "AWS/Lambda",
        "Invocations",
        wd,
        "Count",
        lambda t: max(0, round(inv[t] / 6)) or None if t in inv else None,
    )
    ctx.series(
        "AWS/Lambda",
        "Errors",
        wd,
        "Count",
        lambda t: (
            (sum(1 for _ in range(int(wh[t])) if rng.random() < share_a) if down(t) else 0)
            if t in wh
            else None
        ),
    )

    topic = f"arn:aws:sns:{region}:{account}:nestmove-pager"
    ae, tre = ctx.alarm(
        "address-lookup-errors",
        "address-lookup Lambda errors >= 5 in 3 of 5 minutes",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        60,
        5,
        3,
        5,
        "GreaterThanOrEqualToThreshold",
        errs,
        [topic],
    )

    # --- logs ----------------------------------------------------------------------------------------
    g = "/aws/lambda/address-lookup"
    outward = ["LS6", "M14", "BS3", "NG7", "SE15", "G12", "CF24", "B29", "EH6", "L17", "SW9", "OX4"]
    api_ip = f"35.{rng.randint(176, 190)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    streams: list[str] = []
    t = start
    while t < now:
        if not streams or rng.random() < 0.02 or t.replace(second=0) == hotfix.replace(second=0):
            streams.append(f"{t:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}")
        n = min(inv[t], 3)
        for _ in range(n):
            ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            rid = ctx.uuid()
            st = rng.choice(streams[-3:])
            pc = rng.choice(outward)
            ctx.log(g, st, ts, f"START RequestId: {rid} Version: $LATEST")
            if down(t) and t > retired_at and rng.random() < share_a:
                te = ts + timedelta(milliseconds=3000 + rng.randint(5, 40))
                ctx.log(
                    g,
                    st,
                    te,
                    f'{te.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]}Z\t{rid}\tERROR\tpostcode lookup failed {{"outward":"{pc}","provider":"postfinder","message":"timeout of 3000ms exceeded","code":"ECONNABORTED","url":"https://api.postfinder.co.uk/v3/find"}}',
                )
                ctx.log(g, st, te, f"END RequestId: {rid}")
                ctx.log(
                    g,
                    st,
                    te,
                    f"REPORT RequestId: {rid}\tDuration: {(te - ts).total_seconds() * 1000:.2f} ms\tBilled Duration: {int((te - ts).total_seconds() * 1000) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(88, 104)} MB",
                )
            else:
                el = rng.uniform(120, 420)
                te = ts + timedelta(milliseconds=el)
                ctx.log(
                    g,
                    st,
                    te,
                    f'{te.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]}Z\t{rid}\tINFO\tpostcode lookup ok {{"outward":"{pc}","results":{rng.randint(4, 60)},"upstreamMs":{el - rng.uniform(10, 40):.0f}}}',
                )
                ctx.log(g, st, te, f"END RequestId: {rid}")
                ctx.log(
                    g,
                    st,
                    te,
                    f"REPORT RequestId: {rid}\tDuration: {el:.2f} ms\tBilled Duration: {int(el) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(84, 100)} MB",
                )
        t += timedelta(minutes=1)
    ctx.log(
        g,
        streams[0],
        start + timedelta(seconds=5),
        f"INIT_START Runtime Version: nodejs:20.v43\tRuntime Version ARN: arn:aws:lambda:{region}::runtime:{ctx.hex(64)}",
    )
    _ = api_ip
    ng = "/fck-nat/messages"
    t = start + timedelta(minutes=rng.randint(2, 9))
    while t < now:
        for name, iid, up in (("fck-nat-a", nat_a, not down(t)), ("fck-nat-b", nat_b, True)):
            if up:
                ctx.log(
                    ng,
                    iid,
                    t,
                    f"{t:%b %d %H:%M:%S} ip-{name} systemd[1]: Started sysstat-collect.service - system activity accounting tool.",
                )
        t += timedelta(minutes=10)
    stopping = retired_at - timedelta(seconds=rng.randint(20, 40))
    ctx.log(
        ng,
        nat_a,
        stopping,
        f"{stopping:%b %d %H:%M:%S} ip-fck-nat-a systemd-logind[1781]: Power key pressed short.",
    )
    ctx.log(
        ng,
        nat_a,
        stopping + timedelta(seconds=1),
        f"{stopping:%b %d %H:%M:%S} ip-fck-nat-a systemd-logind[1781]: Powering off...",
    )
    ctx.log(
        ng,
        nat_a,
        stopping + timedelta(seconds=1),
        f"{stopping:%b %d %H:%M:%S} ip-fck-nat-a systemd[1]: Stopping fck-nat.service - fck-nat...",
    )

    noticed = local(retired_at + timedelta(minutes=rng.randint(10, 35)), "Europe/London")
    trigger = {
        "question": f"Since about {noticed:%-I:%M}am roughly half of postcode lookups on the sign-up form say 'We couldn't find your address'. Retrying usually works. Tolu pushed an address-lookup hotfix last night - could that be it?",
        "timezone": "Europe/London",
        "alarm_event": ctx.alarm_event(ae, tre) if tre else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": nat_a,
            "category": "system_change",
            "failure_mode": "nat-instance-retired-route-blackhole",
        },
        "also_accept": ["fck-nat-a", rtb_a, ev_arn],
        "actions": ["restart", "reconfigure"],
        "chain": [nat_a, rtb_a, "address-lookup", "api.postfinder.co.uk", "address-lookup-errors"],
    }
    return ctx.bundle(TITLE, trigger, truth)
