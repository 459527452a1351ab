"""Store stock checks time out: a bulk DataSync copy from the data centre fills the single active VPN tunnel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzg import (
    Ctx,
    iso,
    local,
    perm,
    route_table,
    security_group,
    subnet,
    tags,
    vpc,
    wave,
)

NAME = "store-stock-check-timeouts-vpn-tunnel-full"
TITLE = "Store tills timing out on stock checks since early afternoon; some lookups still work"
SUMMARY = (
    "A large DataSync archive copy from the data centre, started without a bandwidth limit, saturates the "
    "one active Site-to-Site VPN tunnel (static routing, ~1.25 Gbps); ERP queries from the stock-lookup "
    "Lambda crawl and time out."
)

GBPS_CEILING = 1.25e9 / 8  # bytes a second one VPN tunnel carries at most


def build(seed: int) -> Bundle:
    probe = Ctx(
        seed,
        NAME,
        "000000000000",
        "eu-west-1",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    r = probe.rng
    day = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(days=r.randint(0, 80))
    onset = day.replace(hour=r.randint(12, 14), minute=r.randint(0, 59), second=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(38, 55))
    start = now - timedelta(hours=4, minutes=20)
    account = f"{r.randint(2, 9)}{r.randint(10**10, 10**11 - 1)}"
    ctx = Ctx(seed, NAME + "-b", account, "eu-west-1", start.replace(second=0), now.replace(second=0))
    rng = ctx.rng
    start, now = ctx.start, ctx.now
    region = "eu-west-1"

    o2 = rng.randint(60, 90)
    cidr = f"10.{o2}.0.0/16"
    net = f"10.{o2}"
    onprem = "10.200.0.0/16"
    erp_ip = f"10.200.4.{rng.randint(10, 60)}"
    azs = ["eu-west-1a", "eu-west-1b"]
    vid = vpc(ctx, cidr, "storeops-prod")
    priv = [
        subnet(ctx, vid, f"{net}.{10 + i}.0/24", az, f"storeops-private-{az[-1]}") for i, az in enumerate(azs)
    ]
    vgw = ctx.rid("vgw")
    cgw = ctx.rid("cgw")
    vpn = ctx.rid("vpn")
    nat = ctx.rid("nat")
    route_table(
        ctx,
        vid,
        cidr,
        "storeops-private",
        priv,
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": nat,
                "Origin": "CreateRoute",
                "State": "active",
            },
            {"DestinationCidrBlock": onprem, "GatewayId": vgw, "Origin": "CreateRoute", "State": "active"},
        ],
    )
    t1 = f"52.{rng.randint(16, 50)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    t2 = f"54.{rng.randint(72, 78)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    dc_ip = f"185.{rng.randint(10, 90)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    up_since = start - timedelta(days=rng.randint(9, 40), minutes=rng.randint(0, 600))
    ctx.res(
        "ec2",
        "CustomerGateway",
        {
            "CustomerGatewayId": cgw,
            "State": "available",
            "Type": "ipsec.1",
            "IpAddress": dc_ip,
            "BgpAsn": "65000",
            "DeviceName": "dub-dc1-fw01",
            "Tags": tags(Name="dub-dc1-fw01"),
        },
    )
    ctx.res(
        "ec2",
        "VpnGateway",
        {
            "VpnGatewayId": vgw,
            "State": "available",
            "Type": "ipsec.1",
            "AmazonSideAsn": 64512,
            "VpcAttachments": [{"VpcId": vid, "State": "attached"}],
            "Tags": tags(Name="storeops-vgw"),
        },
    )
    ctx.res(
        "ec2",
        "VpnConnection",
        {
            "VpnConnectionId": vpn,
            "State": "available",
            "Type": "ipsec.1",
            "Category": "VPN",
            "CustomerGatewayId": cgw,
            "VpnGatewayId": vgw,
            "GatewayAssociationState": "associated",
            "Options": {
                "EnableAcceleration": False,
                "StaticRoutesOnly": True,
                "LocalIpv4NetworkCidr": "0.0.0.0/0",
                "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                "OutsideIpAddressType": "PublicIpv4",
                "TunnelInsideIpVersion": "ipv4",
                "TunnelBandwidth": "standard",
                "TunnelOptions": [
                    {
                        "OutsideIpAddress": t1,
                        "TunnelInsideCidr": "169.254.41.8/30",
                        "DpdTimeoutSeconds": 30,
                        "DpdTimeoutAction": "clear",
                        "StartupAction": "add",
                        "IkeVersions": [{"Value": "ikev2"}],
                    },
                    {
                        "OutsideIpAddress": t2,
                        "TunnelInsideCidr": "169.254.93.196/30",
                        "DpdTimeoutSeconds": 30,
                        "DpdTimeoutAction": "clear",
                        "StartupAction": "add",
                        "IkeVersions": [{"Value": "ikev2"}],
                    },
                ],
            },
            "Routes": [{"DestinationCidrBlock": onprem, "Source": "Static", "State": "available"}],
            "VgwTelemetry": [
                {
                    "OutsideIpAddress": t1,
                    "Status": "UP",
                    "LastStatusChange": iso(up_since),
                    "StatusMessage": "",
                    "AcceptedRouteCount": 0,
                },
                {
                    "OutsideIpAddress": t2,
                    "Status": "UP",
                    "LastStatusChange": iso(up_since + timedelta(seconds=41)),
                    "StatusMessage": "",
                    "AcceptedRouteCount": 0,
                },
            ],
            "Tags": tags(Name="dub-dc1-vpn"),
        },
    )
    lambda_sg = security_group(ctx, vid, "stock-lookup-fn", "stock-lookup Lambda ENIs", [])
    ep_sg = security_group(
        ctx,
        vid,
        "datasync-endpoint",
        "DataSync agent to VPC endpoint",
        [perm(443, onprem, desc="dc1 agents"), perm(1024, onprem, desc="dc1 agents data", to_port=1064)],
    )
    dsvpce = ctx.rid("vpce")
    ctx.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": dsvpce,
            "VpcEndpointType": "Interface",
            "VpcId": vid,
            "ServiceName": f"com.amazonaws.{region}.datasync",
            "State": "available",
            "SubnetIds": [priv[0]],
            "Groups": [{"GroupId": ep_sg, "GroupName": "datasync-endpoint"}],
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [ctx.rid("eni")],
            "CreationTimestamp": iso(onset - timedelta(days=rng.randint(6, 12))),
            "OwnerId": account,
            "IpAddressType": "ipv4",
            "Tags": tags(Name="datasync-dc1"),
        },
    )
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:stock-lookup"
    cfg_changed = onset - timedelta(minutes=rng.randint(95, 160))
    ctx.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "stock-lookup",
            "FunctionArn": fn_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{account}:role/stock-lookup-fn",
            "Handler": "handler.lookup",
            "CodeSize": 18734211,
            "Timeout": 10,
            "MemorySize": 512,
            "LastModified": cfg_changed.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": ctx.hex(43) + "=",
            "Version": "$LATEST",
            "VpcConfig": {"SubnetIds": priv, "SecurityGroupIds": [lambda_sg], "VpcId": vid},
            "Environment": {
                "Variables": {
                    "ERP_HOST": erp_ip,
                    "ERP_DB": "NAVPROD",
                    "LOG_LEVEL": "INFO",
                    "POWERTOOLS_SERVICE_NAME": "stock-lookup",
                }
            },
            "TracingConfig": {"Mode": "PassThrough"},
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": "/aws/lambda/stock-lookup"},
        },
    )
    ctx.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "store-price-sync",
            "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:store-price-sync",
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{account}:role/store-price-sync-fn",
            "Handler": "sync.main",
            "CodeSize": 9211003,
            "Timeout": 300,
            "MemorySize": 1024,
            "LastModified": (start - timedelta(days=19)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": ctx.hex(43) + "=",
            "Version": "$LATEST",
            "VpcConfig": {"SubnetIds": priv, "SecurityGroupIds": [lambda_sg], "VpcId": vid},
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )
    task_arn = f"arn:aws:datasync:{region}:{account}:task/task-0{ctx.hex(16)}"
    hourly_arn = f"arn:aws:datasync:{region}:{account}:task/task-0{ctx.hex(16)}"
    exec_arn = f"{task_arn}/execution/exec-0{ctx.hex(16)}"
    est = rng.randint(14, 22) * 10**12
    secs = (now - onset).total_seconds()
    moved = int(GBPS_CEILING * 0.93 * secs)
    ctx.res(
        "datasync",
        "DescribeTaskExecutionResponse",
        {
            "TaskExecutionArn": exec_arn,
            "Status": "TRANSFERRING",
            "Options": {
                "VerifyMode": "ONLY_FILES_TRANSFERRED",
                "OverwriteMode": "NEVER",
                "PreserveDeletedFiles": "PRESERVE",
                "BytesPerSecond": -1,
                "TaskQueueing": "ENABLED",
                "LogLevel": "BASIC",
                "TransferMode": "CHANGED",
            },
            "StartTime": iso(onset),
            "EstimatedFilesToTransfer": rng.randint(9, 15) * 10**6,
            "EstimatedBytesToTransfer": est,
            "FilesTransferred": rng.randint(200000, 400000),
            "BytesWritten": moved,
            "BytesTransferred": moved,
        },
    )
    ctx.res(
        "s3",
        "Bucket",
        {
            "Name": f"storeops-archive-scans-{account[-4:]}",
            "CreationDate": iso(onset - timedelta(days=rng.randint(14, 30))),
        },
    )
    ctx.res(
        "s3",
        "Bucket",
        {"Name": f"storeops-pos-exports-{account[-4:]}", "CreationDate": iso(start - timedelta(days=600))},
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    mig = ctx.role_identity(
        "AWSReservedSSO_MigrationEngineer_0f3b9a7e21c4d658",
        "r.byrne@harrowvale.ie",
        onset - timedelta(minutes=22),
    )
    office = f"89.{rng.randint(100, 127)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    ctx.ct(
        onset - timedelta(minutes=rng.randint(6, 12)),
        "datasync.amazonaws.com",
        "DescribeTask",
        mig,
        {"taskArn": task_arn},
        None,
        True,
        agent="AWS Internal",
        ip=office,
    )
    culprit_start = ctx.ct(
        onset,
        "datasync.amazonaws.com",
        "StartTaskExecution",
        mig,
        {"taskArn": task_arn},
        {"taskExecutionArn": exec_arn},
        agent="AWS Internal",
        ip=office,
    )
    for k in range(1, 4):
        ctx.ct(
            onset + timedelta(minutes=4 * k, seconds=rng.randint(0, 50)),
            "datasync.amazonaws.com",
            "DescribeTaskExecution",
            mig,
            {"taskExecutionArn": exec_arn},
            None,
            True,
            agent="AWS Internal",
            ip=office,
        )
    dev = ctx.role_identity("AWSReservedSSO_Developer_7c2e4d91b0a85f36", "s.nolan@harrowvale.ie")
    ctx.ct(
        cfg_changed,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": "stock-lookup", "environment": {}},
        {
            "functionName": "stock-lookup",
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{account}:role/stock-lookup-fn",
            "handler": "handler.lookup",
            "codeSize": 18734211,
            "description": "",
            "timeout": 10,
            "memorySize": 512,
            "lastModified": cfg_changed.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="AWS Internal",
        ip=f"89.{rng.randint(100, 127)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    net_admin = ctx.role_identity("AWSReservedSSO_NetworkAdmin_3e8a1f07c6d2b945", "c.walsh@harrowvale.ie")
    nt = onset - timedelta(minutes=rng.randint(30, 80))
    ctx.ct(
        nt,
        "ec2.amazonaws.com",
        "DescribeVpnConnections",
        net_admin,
        {"vpnConnectionSet": {"items": [{"vpnConnectionId": vpn}]}, "filterSet": {}},
        None,
        True,
        agent="AWS Internal",
        ip=office,
    )
    ctx.ct(
        nt + timedelta(seconds=70),
        "ec2.amazonaws.com",
        "CreateTags",
        net_admin,
        {
            "resourcesSet": {"items": [{"resourceId": vpn}]},
            "tagSet": {"items": [{"key": "cost-centre", "value": "it-infra"}]},
        },
        {"requestId": ctx.uuid(), "_return": True},
        agent="AWS Internal",
        ip=office,
    )
    ctx.tooling_noise([vid], [], "c.walsh@harrowvale.ie")
    sched = ctx.role_identity("storeops-datasync-scheduler", "datasync-schedule")
    t = start.replace(minute=5)
    while t < now:
        if t >= start:
            ctx.ct(
                t + timedelta(seconds=rng.randint(0, 20)),
                "datasync.amazonaws.com",
                "StartTaskExecution",
                sched,
                {"taskArn": hourly_arn},
                {"taskExecutionArn": f"{hourly_arn}/execution/exec-0{ctx.hex(16)}"},
                agent="aws-sdk-java/2.25.60 Linux/5.10 OpenJDK_64-Bit_Server_VM/17 Java/17.0.11 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/UrlConnection cfg/retry-mode/legacy",
                ip="34.253.12.44",
            )
        t += timedelta(hours=1)
    t = start + timedelta(minutes=rng.randint(0, 10))
    while t < now:
        ctx.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            ctx.role_identity("storeops-ci", "bitbucket-pipelines"),
            {
                "roleArn": f"arn:aws:iam::{account}:role/storeops-readonly",
                "roleSessionName": "drift-check",
                "durationSeconds": 900,
            },
            {
                "credentials": {
                    "accessKeyId": ctx.upper("ASIA", 16),
                    "expiration": (t + timedelta(minutes=15)).strftime("%b %d, %Y, %I:%M:%S %p"),
                },
                "assumedRoleUser": {
                    "assumedRoleId": ctx.upper("AROA", 17) + ":drift-check",
                    "arn": f"arn:aws:sts::{account}:assumed-role/storeops-readonly/drift-check",
                },
            },
            agent="aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.ubuntu.22",
            ip="18.205.93.1",
        )
        t += timedelta(minutes=rng.randint(28, 40))

    # --- metrics -------------------------------------------------------------------------------------
    def saturated(t: datetime) -> bool:
        return t >= onset.replace(second=0)

    vpnd1 = {"VpnId": vpn, "TunnelIpAddress": t1}
    vpnd2 = {"VpnId": vpn, "TunnelIpAddress": t2}
    p = 300

    def data_in(t: datetime) -> float:
        base = wave(t, 30e6, 70e6, 13) / 8 * p * rng.uniform(0.85, 1.15)
        hourly = 2.4e9 * rng.uniform(0.8, 1.2) if t.minute == 5 else 0
        if saturated(t):
            return GBPS_CEILING * p * rng.uniform(0.935, 0.955)
        return base + hourly

    din = ctx.series(
        "AWS/VPN",
        "TunnelDataIn",
        vpnd1,
        "Bytes",
        data_in,
        period=p,
        start=start.replace(minute=start.minute - start.minute % 5),
    )
    ctx.series(
        "AWS/VPN",
        "TunnelDataOut",
        vpnd1,
        "Bytes",
        lambda t: (
            (din.get(t, 0) * 0.035 if saturated(t) else wave(t, 12e6, 25e6, 13) / 8 * p)
            * rng.uniform(0.9, 1.1)
        ),
        period=p,
        start=start.replace(minute=start.minute - start.minute % 5),
    )
    ctx.series(
        "AWS/VPN",
        "TunnelDataIn",
        vpnd2,
        "Bytes",
        lambda t: rng.randint(600, 1400),
        period=p,
        start=start.replace(minute=start.minute - start.minute % 5),
    )
    ctx.series(
        "AWS/VPN",
        "TunnelDataOut",
        vpnd2,
        "Bytes",
        lambda t: rng.randint(600, 1400),
        period=p,
        start=start.replace(minute=start.minute - start.minute % 5),
    )
    for d in (vpnd1, vpnd2):
        ctx.series(
            "AWS/VPN",
            "TunnelState",
            d,
            "None",
            lambda t: 1.0,
            period=p,
            start=start.replace(minute=start.minute - start.minute % 5),
        )
    st1 = ctx.series(
        "AWS/VPN",
        "TunnelState",
        {"VpnId": vpn},
        "None",
        lambda t: 1.0,
        period=p,
        start=start.replace(minute=start.minute - start.minute % 5),
    )
    ctx.series(
        "AWS/DataSync",
        "BytesTransferred",
        {"TaskId": task_arn.split("/")[-1]},
        "Bytes",
        lambda t: GBPS_CEILING * 60 * rng.uniform(0.9, 0.94) if saturated(t) else None,
    )
    ctx.series(
        "AWS/DataSync",
        "FilesTransferred",
        {"TaskId": task_arn.split("/")[-1]},
        "Count",
        lambda t: rng.randint(6000, 9000) if saturated(t) else None,
    )
    ctx.series(
        "AWS/DataSync",
        "BytesTransferred",
        {"TaskId": hourly_arn.split("/")[-1]},
        "Bytes",
        lambda t: (
            4.8e8 * rng.uniform(0.8, 1.2)
            if t.minute in (5, 6, 7, 8, 9) and not saturated(t)
            else (1.1e8 if t.minute in range(5, 25) and saturated(t) else None)
        ),
    )

    fd = {"FunctionName": "stock-lookup"}
    inv: dict[datetime, int] = {}
    err: dict[datetime, int] = {}
    dur: dict[datetime, tuple[float, float, float, float]] = {}
    t = start
    while t < now:
        n = round(wave(t, 60, 420, 13) * rng.uniform(0.9, 1.1))
        inv[t] = n
        if saturated(t) and t > onset:
            tout = rng.uniform(0.28, 0.42)
            slow = rng.uniform(0.3, 0.4)
            e = round(n * tout)
            s = n * ((1 - tout - slow) * 0.2 + slow * rng.uniform(2.5, 6.5) + tout * 10.0) * 1000
            dur[t] = (n, s, 61.0, 10002.0)
        else:
            e = rng.choice([0, 0, 0, 0, 1])
            dur[t] = (n, n * rng.uniform(110, 170), 38.0, rng.uniform(700, 1900))
        err[t] = e
        t += timedelta(minutes=1)
    ctx.series("AWS/Lambda", "Invocations", fd, "Count", lambda t: inv.get(t))
    errs = ctx.series("AWS/Lambda", "Errors", fd, "Count", lambda t: err.get(t))
    ctx.statset("AWS/Lambda", "Duration", fd, "Milliseconds", lambda t: dur.get(t))
    ctx.series("AWS/Lambda", "Throttles", fd, "Count", lambda t: 0 if t in inv else None)
    ctx.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        lambda t: max(1, round(inv[t] * dur[t][1] / dur[t][0] / 60000 * 1.3)) if t in inv else None,
    )
    api = ctx.hex(10)
    apid = {"ApiId": api, "Stage": "$default"}
    ctx.series("AWS/ApiGateway", "Count", apid, "Count", lambda t: inv.get(t))
    ctx.series("AWS/ApiGateway", "5xx", apid, "Count", lambda t: err.get(t))
    ctx.series("AWS/ApiGateway", "4xx", apid, "Count", lambda t: rng.randint(0, 4) if t in inv else None)
    pd = {"FunctionName": "store-price-sync"}
    ctx.series("AWS/Lambda", "Invocations", pd, "Count", lambda t: 1 if t.minute % 15 == 0 else None)
    ctx.series("AWS/Lambda", "Errors", pd, "Count", lambda t: 0 if t.minute % 15 == 0 else None)
    ctx.statset(
        "AWS/Lambda",
        "Duration",
        pd,
        "Milliseconds",
        lambda t: (
            (1, (rng.uniform(30, 60) if not saturated(t) else rng.uniform(150, 260)) * 1000, 0, 0)
            if t.minute % 15 == 0
            else None
        ),
    )

    topic = f"arn:aws:sns:{region}:{account}:storeops-alerts"
    ae, tre = ctx.alarm(
        "stock-lookup-errors",
        "stock-lookup Lambda errors > 10/min for 3 minutes (tills show 'stock unavailable')",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        60,
        3,
        3,
        10,
        "GreaterThanThreshold",
        errs,
        [topic],
    )
    ctx.alarm(
        "dub-dc1-vpn-tunnel-down",
        "Both DC1 tunnels down",
        "AWS/VPN",
        "TunnelState",
        {"VpnId": vpn},
        "Maximum",
        300,
        2,
        2,
        1,
        "LessThanThreshold",
        st1,
        [topic],
        missing="breaching",
    )
    ctx.alarm(
        "store-price-sync-errors",
        "price sync failed",
        "AWS/Lambda",
        "Errors",
        pd,
        "Sum",
        900,
        1,
        1,
        0,
        "GreaterThanThreshold",
        {},
        [topic],
    )

    # --- logs ----------------------------------------------------------------------------------------
    g = "/aws/lambda/stock-lookup"
    streams = [
        f"{(start + timedelta(minutes=40 * k)).strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}" for k in range(8)
    ]
    t = start
    while t < now:
        stream = streams[min(7, int((t - start).total_seconds() // 2400))]
        for _ in range(rng.randint(1, 3)):
            ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            rid = ctx.uuid()
            store = f"{rng.randint(1, 140):04d}"
            sku = rng.randint(100000, 999999)
            ctx.log(g, stream, ts, f"START RequestId: {rid} Version: $LATEST")
            if saturated(t) and t > onset and rng.random() < 0.75:
                roll = rng.random()
                if roll < 0.45:
                    end = ts + timedelta(seconds=10, milliseconds=rng.randint(1, 9))
                    ctx.log(
                        g,
                        stream,
                        end,
                        f"{end.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {rid} Task timed out after 10.01 seconds",
                    )
                    ctx.log(g, stream, end, f"END RequestId: {rid}")
                    ctx.log(
                        g,
                        stream,
                        end,
                        f"REPORT RequestId: {rid}\tDuration: 10007.{rng.randint(10, 99)} ms\tBilled Duration: 10000 ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(96, 120)} MB\tStatus: timeout",
                    )
                    continue
                if roll < 0.6:
                    end = ts + timedelta(seconds=rng.uniform(5.0, 8.5))
                    ctx.log(
                        g,
                        stream,
                        end,
                        f"[ERROR]\t{end.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tstore={store} sku={sku} ERP query failed: OperationalError: ('HYT00', '[HYT00] [Microsoft][ODBC Driver 18 for SQL Server]Query timeout expired (0) (SQLExecDirectW)')",
                    )
                    ctx.log(g, stream, end, f"END RequestId: {rid}")
                    ctx.log(
                        g,
                        stream,
                        end,
                        f"REPORT RequestId: {rid}\tDuration: {(end - ts).total_seconds() * 1000:.2f} ms\tBilled Duration: {int((end - ts).total_seconds() * 1000) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(96, 120)} MB",
                    )
                    continue
                el = rng.uniform(2200, 7800)
            else:
                el = rng.uniform(60, 240)
            end = ts + timedelta(milliseconds=el)
            ctx.log(
                g,
                stream,
                end,
                f"[INFO]\t{end.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tstore={store} sku={sku} on_hand={rng.randint(0, 60)} erp_ms={el - rng.uniform(5, 20):.0f}",
            )
            ctx.log(g, stream, end, f"END RequestId: {rid}")
            ctx.log(
                g,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: {el:.2f} ms\tBilled Duration: {int(el) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(90, 118)} MB",
            )
        t += timedelta(minutes=1)
    pg = "/aws/lambda/store-price-sync"
    t = start.replace(minute=start.minute - start.minute % 15) + timedelta(minutes=15)
    while t < now:
        rid = ctx.uuid()
        stream = f"{t:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}"
        secs_ = rng.uniform(30, 60) if not saturated(t) else rng.uniform(150, 260)
        ctx.log(pg, stream, t, f"START RequestId: {rid} Version: $LATEST")
        ctx.log(
            pg,
            stream,
            t + timedelta(seconds=secs_),
            f"[INFO]\t{(t + timedelta(seconds=secs_)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tprice sync done: {rng.randint(1800, 4200)} changed prices pushed to {rng.randint(120, 140)} stores",
        )
        ctx.log(
            pg,
            stream,
            t + timedelta(seconds=secs_),
            f"REPORT RequestId: {rid}\tDuration: {secs_ * 1000:.2f} ms\tBilled Duration: {int(secs_ * 1000) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randint(300, 420)} MB",
        )
        t += timedelta(minutes=15)

    trigger = {
        "question": f"Store managers are ringing in - tills keep saying 'stock unavailable' when they check stock, started around {local(onset + timedelta(minutes=rng.randint(5, 15)), 'Europe/Dublin'):%H:%M}ish. Some checks work if they retry. Nobody released anything to stock-lookup today as far as I know. What's going on?",
        "timezone": "Europe/Dublin",
        "alarm_event": ctx.alarm_event(ae, tre) if tre else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": vpn,
            "category": "limit",
            "failure_mode": "vpn-tunnel-bandwidth-saturated",
        },
        "also_accept": ["dub-dc1-vpn", t1],
        "actions": ["reconfigure", "scale"],
        "chain": [exec_arn, vpn, erp_ip, "stock-lookup", "stock-lookup-errors"],
    }
    _ = culprit_start
    return ctx.bundle(TITLE, trigger, truth)
