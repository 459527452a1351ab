"""No fault: a 2am NAT traffic alarm is the weekly SSM patch window downloading packages, not data leaving."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzg import (
    Ctx,
    acl_entry,
    alb,
    instance,
    iso,
    jnum,
    lb_dim,
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

NAME = "nat-traffic-alarm-weekly-patch-window"
TITLE = "NAT gateway traffic alarm at 2am Sunday; worried data is being exfiltrated"
SUMMARY = (
    "The NAT gateway's inbound-bytes alarm fires when the weekly SSM maintenance window patches the Ubuntu "
    "fleet: package downloads from the Ubuntu mirrors, outbound bytes flat; it happens every week."
)

ZONE = "Australia/Sydney"
THRESHOLD = 1.5e9  # bytes in 5 minutes


def build(seed: int) -> Bundle:
    probe = Ctx(
        seed,
        NAME,
        "000000000000",
        "ap-southeast-2",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    r = probe.rng
    sunday = datetime(2026, 10, 25, 2, 0, tzinfo=ZoneInfo(ZONE)) + timedelta(days=7 * r.randint(0, 8))
    window = sunday.replace(hour=2, minute=0).astimezone(UTC)
    now = window + timedelta(minutes=r.randint(55, 85))
    start = window - timedelta(hours=4, minutes=r.randint(0, 30))
    account = f"{r.randint(2, 9)}{r.randint(10**10, 10**11 - 1)}"
    region = "ap-southeast-2"
    ctx = Ctx(seed, NAME + "-b", account, region, start.replace(second=0), now.replace(second=0))
    rng = ctx.rng
    start, now = ctx.start, ctx.now

    o2 = rng.randint(30, 70)
    cidr = f"10.{o2}.0.0/16"
    net = f"10.{o2}"
    azs = ["ap-southeast-2a", "ap-southeast-2b"]
    vid = vpc(ctx, cidr, "tidewater-prod")
    pub = [subnet(ctx, vid, f"{net}.{i}.0/24", az, f"prod-public-{az[-1]}", True) for i, az in enumerate(azs)]
    priv = [
        subnet(ctx, vid, f"{net}.{16 + i * 16}.0/20", az, f"prod-private-{az[-1]}")
        for i, az in enumerate(azs)
    ]
    eip = f"13.{rng.randint(54, 55)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    nat_id, _ = nat_gateway(ctx, vid, pub[0], azs[0], f"{net}.0.{rng.randint(100, 200)}", eip, "prod-nat")
    route_table(
        ctx,
        vid,
        cidr,
        "prod-public",
        pub,
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": ctx.rid("igw"),
                "Origin": "CreateRoute",
                "State": "active",
            }
        ],
    )
    s3ep = "vpce-0" + ctx.hex(16)
    route_table(
        ctx,
        vid,
        cidr,
        "prod-private",
        priv,
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": nat_id,
                "Origin": "CreateRoute",
                "State": "active",
            },
            {
                "DestinationPrefixListId": "pl-6ca54005",
                "GatewayId": s3ep,
                "Origin": "CreateRoute",
                "State": "active",
            },
        ],
        main=True,
    )
    network_acl(
        ctx,
        vid,
        "default",
        pub + priv,
        [acl_entry(100, False, "0.0.0.0/0"), acl_entry(100, True, "0.0.0.0/0")],
        default=True,
    )
    alb_sg = security_group(ctx, vid, "web-alb", "public ALB", [perm(443, "0.0.0.0/0")])
    web_sg = security_group(ctx, vid, "web", "web tier", [perm(3000, group=alb_sg)])
    wk_sg = security_group(ctx, vid, "workers", "queue workers", [])

    fleet: list[tuple[str, str]] = []
    web_ids: list[str] = []
    for i in range(4):
        az = i % 2
        iid, _ = instance(
            ctx,
            "web-prod",
            "c7i.large",
            priv[az],
            vid,
            azs[az],
            f"{net}.{16 + az * 16}.{rng.randint(10, 250)}",
            [(web_sg, "web")],
            start - timedelta(days=rng.randint(4, 30)),
            profile="web-prod",
            extra_tags={"aws:autoscaling:groupName": "web-prod", "PatchGroup": "prod-ubuntu"},
        )
        fleet.append((iid, "web"))
        web_ids.append(iid)
    for i in range(3):
        az = i % 2
        iid, _ = instance(
            ctx,
            "worker-prod",
            "m7i.large",
            priv[az],
            vid,
            azs[az],
            f"{net}.{17 + az * 16}.{rng.randint(10, 250)}",
            [(wk_sg, "workers")],
            start - timedelta(days=rng.randint(20, 90)),
            profile="worker-prod",
            extra_tags={"PatchGroup": "prod-ubuntu"},
        )
        fleet.append((iid, "worker"))
    lb = alb(ctx, "web-prod", vid, list(zip(pub, azs, strict=True)), alb_sg)
    tg = target_group(ctx, "web-prod-3000", vid, 3000, lb)
    ctx.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": "web-prod",
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/web-prod",
            "LaunchTemplate": {
                "LaunchTemplateId": ctx.rid("lt"),
                "LaunchTemplateName": "web-prod",
                "Version": "$Latest",
            },
            "MinSize": 4,
            "MaxSize": 10,
            "DesiredCapacity": 4,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "c7i.large",
                    "AvailabilityZone": azs[k % 2],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for k, iid in enumerate(web_ids)
            ],
            "CreatedTime": iso(start - timedelta(days=500)),
            "VPCZoneIdentifier": ",".join(priv),
            "Tags": [],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        },
    )
    mw = "mw-0" + ctx.hex(16)
    nxt = (sunday + timedelta(days=7)).strftime("%Y-%m-%dT%H:%MZ")
    ctx.res(
        "ssm",
        "MaintenanceWindowIdentity",
        {
            "WindowId": mw,
            "Name": "prod-ubuntu-weekly-patching",
            "Description": "Weekly security patching, prod Ubuntu fleet (PatchGroup=prod-ubuntu)",
            "Enabled": True,
            "Duration": 3,
            "Cutoff": 1,
            "Schedule": "cron(0 2 ? * SUN *)",
            "ScheduleTimezone": ZONE,
            "NextExecutionTime": nxt,
        },
    )

    # --- CloudTrail: the maintenance window's Run Command, tooling, a Saturday-evening change ----------
    mw_role = ctx.role_identity("ssm-maintenance-window-role", f"{mw}-{ctx.uuid()}", window)
    cmd_id = ctx.uuid()
    ids = [i for i, _ in fleet]
    ctx.ct(
        window + timedelta(seconds=rng.randint(1, 4)),
        "ssm.amazonaws.com",
        "SendCommand",
        mw_role,
        {
            "documentName": "AWS-RunPatchBaseline",
            "targets": [{"key": "WindowTargetIds", "values": [ctx.uuid()]}],
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "maxConcurrency": "50%",
            "maxErrors": "25%",
            "timeoutSeconds": 600,
            "cloudWatchOutputConfig": {
                "cloudWatchLogGroupName": "/aws/ssm/AWS-RunPatchBaseline",
                "cloudWatchOutputEnabled": True,
            },
        },
        {
            "command": {
                "commandId": cmd_id,
                "documentName": "AWS-RunPatchBaseline",
                "documentVersion": "$DEFAULT",
                "comment": "",
                "expiresAfter": (window + timedelta(hours=1, minutes=10)).strftime("%b %d, %Y, %I:%M:%S %p"),
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "instanceIds": [],
                "targets": [{"key": "WindowTargetIds", "values": ["HIDDEN_DUE_TO_SECURITY_REASONS"]}],
                "requestedDateTime": window.strftime("%b %d, %Y, %I:%M:%S %p"),
                "status": "Pending",
                "statusDetails": "Pending",
                "maxConcurrency": "50%",
                "maxErrors": "25%",
                "targetCount": 0,
                "completedCount": 0,
                "errorCount": 0,
                "deliveryTimedOutCount": 0,
                "serviceRole": "",
                "timeoutSeconds": 600,
            }
        },
        agent="ssm.amazonaws.com",
        ip="ssm.amazonaws.com",
    )
    for iid in ids:
        role = "web-prod" if iid in web_ids else "worker-prod"
        ctx.ct(
            window + timedelta(seconds=rng.randint(5, 40)),
            "ssm.amazonaws.com",
            "ListInstanceAssociations",
            ctx.role_identity(role, iid),
            {"instanceId": iid, "maxResults": 20},
            None,
            True,
            agent="aws-sdk-go/1.44.260 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.1142.0",
            ip=eip,
        )
    ctx.tooling_noise([vid], ids, "k.nguyen@tidewater.com.au")
    dev = ctx.role_identity("AWSReservedSSO_Developer_1b9e3c7d05a24f68", "a.rossi@tidewater.com.au")
    sat = window - timedelta(hours=rng.randint(2, 3), minutes=rng.randint(0, 59))
    ctx.ct(
        sat,
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/prod/web/FEATURE_SEARCH_V2", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": rng.randint(4, 12), "tier": "Standard"},
        agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.11.9 cmd/ssm.put-parameter",
        ip=f"120.{rng.randint(16, 23)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    oncall = ctx.role_identity(
        "AWSReservedSSO_ReadOnlyAccess_5c1a9e2b7d3f4a60",
        "k.nguyen@tidewater.com.au",
        now - timedelta(minutes=30),
    )
    ot = window + timedelta(minutes=rng.randint(24, 34))
    ctx.ct(
        ot,
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        oncall,
        {"alarmName": "prod-nat-egress-spike"},
        None,
        True,
        agent="AWS Internal",
        ip=f"101.{rng.randint(160, 190)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    ctx.ct(
        ot + timedelta(seconds=45),
        "ec2.amazonaws.com",
        "DescribeNatGateways",
        oncall,
        {"DescribeNatGatewaysRequest": {"NatGatewayId": {"tag": 1, "content": nat_id}}},
        None,
        True,
        agent="AWS Internal",
        ip=f"101.{rng.randint(160, 190)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
    )
    t = start + timedelta(minutes=rng.randint(0, 20))
    while t < now:
        ctx.ct(
            t,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            ctx.role_identity("worker-prod", fleet[4][0]),
            {
                "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/render-jobs",
                "attributeNames": ["ApproximateNumberOfMessages"],
            },
            None,
            True,
            agent="aws-sdk-nodejs/2.1691.0 linux/v20.17.0 promise",
            ip=eip,
        )
        t += timedelta(minutes=rng.randint(30, 45))

    # --- metrics -------------------------------------------------------------------------------------
    patch_starts: dict[str, datetime] = {}
    for k, (iid, _) in enumerate(fleet):
        batch = 0 if k % 2 == 0 else 1
        patch_starts[iid] = window + timedelta(seconds=rng.randint(8, 40) + batch * rng.randint(330, 420))

    def patching(t: datetime, iid: str | None = None) -> float:
        """Share of the fleet downloading during the minute starting at t."""
        items = [patch_starts[iid]] if iid else list(patch_starts.values())
        return sum(1 for s in items if s <= t + timedelta(seconds=59) and t < s + timedelta(minutes=4)) / len(
            items
        )

    def rebooting(iid: str, t: datetime) -> bool:
        s = patch_starts[iid] + timedelta(minutes=5)
        return s <= t < s + timedelta(minutes=2)

    per_mb = rng.uniform(480, 760) * 1e6
    natd = {"NatGatewayId": nat_id}

    def dl(t: datetime) -> float:
        return wave(t, 18e6, 60e6, 4) * rng.uniform(0.85, 1.15) + patching(t) * len(fleet) * per_mb / 4

    down = ctx.series("AWS/NATGateway", "BytesInFromDestination", natd, "Bytes", dl, period=60)
    ctx.series(
        "AWS/NATGateway",
        "BytesOutToSource",
        natd,
        "Bytes",
        lambda t: down[t] * rng.uniform(0.995, 1.0),
        period=60,
    )
    ctx.series(
        "AWS/NATGateway",
        "BytesOutToDestination",
        natd,
        "Bytes",
        lambda t: wave(t, 6e6, 20e6, 4) * rng.uniform(0.85, 1.15) + patching(t) * len(fleet) * 6e6,
        period=60,
    )
    ctx.series(
        "AWS/NATGateway",
        "BytesInFromSource",
        natd,
        "Bytes",
        lambda t: wave(t, 6e6, 20e6, 4) * rng.uniform(0.85, 1.15) + patching(t) * len(fleet) * 6e6,
        period=60,
    )
    ctx.series(
        "AWS/NATGateway",
        "ConnectionAttemptCount",
        natd,
        "Count",
        lambda t: wave(t, 90, 300, 4) * rng.uniform(0.9, 1.1) + patching(t) * len(fleet) * 40,
        period=60,
    )
    ctx.series(
        "AWS/NATGateway",
        "ConnectionEstablishedCount",
        natd,
        "Count",
        lambda t: wave(t, 88, 296, 4) * rng.uniform(0.9, 1.1) + patching(t) * len(fleet) * 40,
        period=60,
    )
    ctx.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        natd,
        "Count",
        lambda t: wave(t, 140, 500, 4) * rng.uniform(0.9, 1.1) + patching(t) * len(fleet) * 12,
        period=60,
    )
    ctx.series("AWS/NATGateway", "PacketsDropCount", natd, "Count", lambda t: 0, period=60)
    ctx.series("AWS/NATGateway", "ErrorPortAllocation", natd, "Count", lambda t: 0, period=60)
    five: dict[datetime, float] = {}
    for t in list(down):
        bucket = t.replace(minute=t.minute - t.minute % 5)
        five[bucket] = five.get(bucket, 0.0) + down[t]
    nat_alarm_data = {}
    for t in down:
        w = [t - timedelta(minutes=k) for k in range(5)]
        if all(x in down for x in w):
            nat_alarm_data[t] = sum(down[x] for x in w)
    cpu: dict[str, dict[datetime, float]] = {}
    for iid, _ in fleet:
        d = {"InstanceId": iid}
        cpu[iid] = ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            d,
            "Percent",
            lambda t, iid=iid: (
                rng.uniform(55, 90)
                if patching(t, iid)
                else (None if rebooting(iid, t) else wave(t, 3, 18, 4) * rng.uniform(0.8, 1.2))
            ),
            period=60,
        )
        ctx.series(
            "AWS/EC2",
            "NetworkIn",
            d,
            "Bytes",
            lambda t, iid=iid: (
                per_mb / 4 * rng.uniform(0.9, 1.1)
                if patching(t, iid)
                else (None if rebooting(iid, t) else wave(t, 2e6, 9e6, 4) * rng.uniform(0.8, 1.2))
            ),
            period=60,
        )
        ctx.series(
            "AWS/EC2",
            "StatusCheckFailed",
            d,
            "Count",
            lambda t, iid=iid: None if rebooting(iid, t) else 0,
            period=60,
        )
    tgd = {"TargetGroup": tg_dim(tg), "LoadBalancer": lb_dim(lb)}
    ctx.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Count",
        lambda t: 4 - sum(1 for i in web_ids if rebooting(i, t) or rebooting(i, t - timedelta(minutes=1))),
    )
    ctx.series(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Count",
        lambda t: sum(1 for i in web_ids if rebooting(i, t) or rebooting(i, t - timedelta(minutes=1))),
    )
    lbd = {"LoadBalancer": lb_dim(lb)}
    req = ctx.series(
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        "Count",
        lambda t: wave(t, 40, 900, 4) * rng.uniform(0.85, 1.15),
    )
    ctx.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda t: rng.choice([1, 1, 2, 3]) if rng.random() < 0.1 else None,
    )
    ctx.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda t: rng.randint(1, 3) if any(rebooting(i, t) for i in web_ids) and rng.random() < 0.5 else None,
    )
    _ = req

    topic = f"arn:aws:sns:{region}:{account}:platform-pager"
    nat_alarm, nat_tr = ctx.alarm(
        "prod-nat-egress-spike",
        "NAT traffic unusually high (possible exfiltration or runaway job). Data processing is billed per GB.",
        "AWS/NATGateway",
        "BytesInFromDestination",
        natd,
        "Sum",
        300,
        1,
        1,
        THRESHOLD,
        "GreaterThanThreshold",
        {t: v for t, v in five.items()},
        [topic],
        created=start - timedelta(days=58),
    )
    hh: dict[datetime, float] = {
        t: v
        for t, v in (
            (t, 4 - sum(1 for i in web_ids if rebooting(i, t) or rebooting(i, t - timedelta(minutes=1))))
            for t in down
        )
    }
    ctx.alarm(
        "web-prod-healthy-hosts-low",
        "web-prod healthy targets < 2 for 3 minutes",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Minimum",
        60,
        3,
        3,
        2,
        "LessThanThreshold",
        hh,
        [topic],
    )
    ctx.alarm(
        f"worker-cpu-high-{fleet[4][0]}",
        "worker CPU > 80% for 2 minutes",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": fleet[4][0]},
        "Average",
        60,
        2,
        2,
        80,
        "GreaterThanThreshold",
        cpu[fleet[4][0]],
        [],
        missing="missing",
    )

    # the same alarm paged at the same hour last Sunday (history is kept 30 days)
    for weeks in (1, 2):
        prev = window - timedelta(days=7 * weeks)
        up = prev + timedelta(minutes=5, seconds=rng.randint(5, 50))
        ok = prev + timedelta(minutes=15, seconds=rng.randint(5, 50))
        gb = rng.uniform(1.9, 2.6)
        for at, old, new, reason in (
            (
                up,
                "OK",
                "ALARM",
                f"Threshold Crossed: 1 out of the last 1 datapoints [{jnum(gb * 1e9)} ({prev:%d/%m/%y %H:%M:%S})] was greater than the threshold ({jnum(THRESHOLD)}) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
            (
                ok,
                "ALARM",
                "OK",
                f"Threshold Crossed: 1 out of the last 1 datapoints [{jnum(rng.uniform(0.1, 0.3) * 1e9)} ({prev + timedelta(minutes=10):%d/%m/%y %H:%M:%S})] was not greater than the threshold ({jnum(THRESHOLD)}) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ):
            ctx.history.append(
                {
                    "AlarmName": "prod-nat-egress-spike",
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(at),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": old},
                            "newState": {"stateValue": new, "stateReason": reason},
                        },
                        separators=(",", ":"),
                    ),
                }
            )

    # --- logs: Run Command output of AWS-RunPatchBaseline ----------------------------------------------
    g = "/aws/ssm/AWS-RunPatchBaseline"
    pkgs = [
        ("linux-aws", "6.8.0-1019.21~22.04.1", 2.1),
        ("linux-image-6.8.0-1019-aws", "6.8.0-1019.21~22.04.1", 14.6),
        ("linux-modules-6.8.0-1019-aws", "6.8.0-1019.21~22.04.1", 25.9),
        ("openssl", "3.0.2-0ubuntu1.18", 1.2),
        ("libssl3", "3.0.2-0ubuntu1.18", 1.9),
        ("curl", "7.81.0-1ubuntu1.20", 0.2),
        ("libcurl4", "7.81.0-1ubuntu1.20", 0.3),
        ("docker-ce", "5:27.3.1-1~ubuntu.22.04~jammy", 25.6),
        ("containerd.io", "1.7.22-1", 29.5),
        ("nodejs", "20.18.0-1nodesource1", 31.8),
    ]
    for iid, _ in fleet:
        s = patch_starts[iid]
        st = f"{cmd_id}/{iid}/PatchLinux/stdout"
        lines = [
            "/usr/bin/python3",
            f"{s:%m/%d/%Y %H:%M:%S} root [INFO]: Downloading payload from https://s3.dualstack.{region}.amazonaws.com/aws-ssm-{region}/patchbaselineoperations/linux/payloads/patch-baseline-operations-1.230.tar.gz",
            f"{s:%m/%d/%Y %H:%M:%S} root [INFO]: Attempting to import entrance file os_selector",
            f"{s:%m/%d/%Y %H:%M:%S} root [INFO]: Patch group is prod-ubuntu.",
            f"{s:%m/%d/%Y %H:%M:%S} root [INFO]: Operation type is Install, reboot option is RebootIfNeeded.",
            "Hit:1 http://ap-southeast-2.ec2.archive.ubuntu.com/ubuntu jammy InRelease",
            "Get:2 http://ap-southeast-2.ec2.archive.ubuntu.com/ubuntu jammy-updates InRelease [128 kB]",
            "Get:3 http://security.ubuntu.com/ubuntu jammy-security InRelease [129 kB]",
            "Get:4 https://download.docker.com/linux/ubuntu jammy InRelease [48.8 kB]",
            "Get:5 https://deb.nodesource.com/node_20.x nodistro InRelease [12.1 kB]",
        ]
        total = 0.0
        n = 6
        for name, ver, mb in pkgs:
            if rng.random() < 0.85:
                src = (
                    "https://download.docker.com/linux/ubuntu jammy/stable"
                    if name in ("docker-ce", "containerd.io")
                    else (
                        "https://deb.nodesource.com/node_20.x nodistro/main"
                        if name == "nodejs"
                        else "http://ap-southeast-2.ec2.archive.ubuntu.com/ubuntu jammy-updates/main"
                    )
                )
                lines.append(f"Get:{n} {src} amd64 {name} amd64 {ver} [{mb * 1000:.0f} kB]")
                total += mb
                n += 1
        lines.append(
            f"Fetched {total + rng.uniform(300, 520):.0f} MB in {rng.randint(40, 160)}s ({rng.uniform(4, 14):.1f} MB/s)"
        )
        lines.append(
            f"{s + timedelta(minutes=3):%m/%d/%Y %H:%M:%S} root [INFO]: Installed {n - 6 + rng.randint(20, 60)} packages, 0 failed."
        )
        lines.append(
            f"{s + timedelta(minutes=4):%m/%d/%Y %H:%M:%S} root [INFO]: Reboot is required (linux-image), rebooting now."
        )
        for k, line in enumerate(lines):
            ctx.log(
                g,
                st,
                s + timedelta(seconds=k * 14 if k < len(lines) - 2 else 180 + 60 * (k - len(lines) + 2)),
                line,
            )
        back = s + timedelta(minutes=7, seconds=rng.randint(0, 40))
        ctx.log(
            g,
            st,
            back,
            f"{back:%m/%d/%Y %H:%M:%S} root [INFO]: Instance came back after reboot, reporting compliance: COMPLIANT",
        )
    # application logs keep going through the night
    t = start
    while t < now:
        for iid in web_ids:
            if rng.random() < 0.4 and not rebooting(iid, t):
                ts = t + timedelta(seconds=rng.randint(0, 59))
                ctx.log(
                    "/tidewater/web",
                    iid,
                    ts,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms_(ts),
                            "pid": 2211,
                            "hostname": iid,
                            "req": {
                                "method": "GET",
                                "url": rng.choice(
                                    ["/api/tides/nearby", "/api/stations/", "/healthz", "/api/forecast"]
                                ),
                            },
                            "res": {"statusCode": 200},
                            "responseTime": rng.randint(8, 140),
                            "msg": "request completed",
                        },
                        separators=(",", ":"),
                    ),
                )
        t += timedelta(minutes=1)

    local_alarm = nat_tr[0][0].astimezone(ZoneInfo(ZONE)) if nat_tr else sunday
    trigger = {
        "question": f"Got paged at {local_alarm:%-I:%M}am for prod-nat-egress-spike - several GB through the prod NAT gateway in a few minutes. Nobody should be doing anything at this hour on a Sunday. Are we leaking data? Do I need to wake the security team?",
        "timezone": ZONE,
        "alarm_event": ctx.alarm_event(nat_alarm, nat_tr, 0) if nat_tr else None,
    }
    return ctx.bundle(TITLE, trigger, {"no_fault": True, "also_accept": [], "actions": [], "chain": []})


def ms_(t: datetime) -> int:
    return int(t.timestamp() * 1000)
