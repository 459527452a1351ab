"""brindle: warehouse VPN tunnel alarm in the middle of the night (see _kit_zk.py, idea 4: no fault)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zk as k

NAME = "brindle-warehouse-vpn-tunnel"
TITLE = "Warehouse VPN tunnel-down alarm in the middle of the night"
SUMMARY = (
    "AWS updates one tunnel endpoint of the warehouse site-to-site VPN overnight; BGP carries the traffic on the "
    "other tunnel, stock sync barely notices, the tunnel comes back. Nothing to fix."
)

ACCOUNT = "904471236650"
REGION = "us-east-2"
ZONE = "America/New_York"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = k.pick_day(rng, weekday_only=False)
    local_night = datetime(
        day.year,
        day.month,
        day.day,
        rng.choice([1, 2, 3]),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=ZoneInfo(ZONE),
    )
    onset = local_night.astimezone(UTC)
    down_for = timedelta(minutes=rng.randint(11, 21), seconds=rng.randint(0, 59))
    back = onset + down_for
    start = k.floor5(onset - timedelta(hours=4, minutes=rng.randint(0, 40)))
    now = back + timedelta(minutes=rng.randint(18, 28), seconds=rng.randint(0, 59))

    vpc_id = "vpc-0" + k.hexid(rng, 16)
    vpn_id = "vpn-0" + k.hexid(rng, 16)
    vgw_id = "vgw-0" + k.hexid(rng, 16)
    cgw_id = "cgw-0" + k.hexid(rng, 16)
    rtb_id = "rtb-0" + k.hexid(rng, 16)
    t1_ip = f"3.{rng.randint(128, 150)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    t2_ip = f"18.{rng.randint(216, 224)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    cgw_ip = f"{rng.choice([66, 72, 98])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    wms_ip = f"10.200.{rng.randint(1, 9)}.{rng.randint(10, 60)}"
    azs = [("us-east-2a", "use2-az1"), ("us-east-2b", "use2-az2"), ("us-east-2c", "use2-az3")]
    priv = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    cluster = "brindle-prod"
    svc = "stock-sync"
    svc_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{svc}"
    tasks = [k.hexid(rng, 32) for _ in range(2)]
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:brindle/wms-api-{k.upper_id(rng, 6)}"
    queue = "stock-updates"

    # --- CloudTrail ------------------------------------------------------------------------------
    p_dd = k.role(
        ACCOUNT,
        "DatadogAWSIntegrationRole",
        k.hexid(rng, 32),
        f"3.{rng.randint(230, 235)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
        rng,
    )
    p_ops = k.sso(
        ACCOUNT,
        "OpsEngineer",
        rng.choice(["arjun.mehta", "kavya.iyer"]) + "@brindlehome.com",
        f"49.{rng.randint(32, 47)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        rng,
    )
    p_rot = k.role(
        ACCOUNT,
        "wms-secret-rotation-lambda",
        "wms-secret-rotation",
        "lambda.amazonaws.com",
        "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224-234.876.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
        rng,
    )
    p_aas = k.service_linked(
        ACCOUNT,
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-ECSService",
        "ecs.application-autoscaling.amazonaws.com",
        rng,
    )
    p_task = k.role(
        ACCOUNT,
        "stock-sync-task",
        tasks[0],
        "10.31." + f"{rng.randint(16, 40)}.{rng.randint(10, 250)}",
        "aws-sdk-nodejs/3.637.0 ua/2.1 os/linux#5.10.225-213.878.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/sqs#3.637.0",
        rng,
    )

    def c(params: k.Rec | None) -> Callable[[random.Random], k.Rec | None]:
        return lambda _r: params

    calls = [
        ("monitoring.amazonaws.com", "GetMetricData", c(None), True),
        ("ec2.amazonaws.com", "DescribeVpnConnections", c({"vpnConnectionSet": {}, "filterSet": {}}), True),
        ("ec2.amazonaws.com", "DescribeInstances", c({"instancesSet": {}, "filterSet": {}}), True),
        ("ecs.amazonaws.com", "ListClusters", c(None), True),
        ("ecs.amazonaws.com", "DescribeServices", c({"cluster": cluster, "services": [svc]}), True),
        ("sqs.amazonaws.com", "ListQueues", c(None), True),
        ("tag.amazonaws.com", "GetResources", c({"resourcesPerPage": 100}), True),
        (
            "health.amazonaws.com",
            "DescribeEvents",
            c({"filter": {"eventStatusCodes": ["open", "upcoming"]}}),
            True,
        ),
        ("rds.amazonaws.com", "DescribeDBInstances", c(None), True),
    ]
    trail = k.routine_trail(rng, REGION, start, now, [p_dd, p_dd, p_dd, p_task], calls, 32)
    # innocent 1: scheduled rotation of the WMS API secret shortly before the tunnel drops
    rot_t = onset - timedelta(minutes=rng.randint(9, 20), seconds=rng.randint(0, 59))
    p_sm = k.Principal("service", ACCOUNT, service="secretsmanager.amazonaws.com")
    new_ver = k.uuid(rng)
    trail.append(
        k.ct(
            rng,
            rot_t,
            p_sm,
            "secretsmanager.amazonaws.com",
            "RotationStarted",
            REGION,
            None,
            None,
            False,
            extra={
                "eventType": "AwsServiceEvent",
                "serviceEventDetails": {"versionId": new_ver},
                "additionalEventData": {"SecretId": secret_arn},
            },
        )
    )
    for j, (nm, ro) in enumerate(
        [
            ("DescribeSecret", True),
            ("GetSecretValue", True),
            ("GetRandomPassword", True),
            ("PutSecretValue", False),
            ("GetSecretValue", True),
            ("UpdateSecretVersionStage", False),
        ]
    ):
        prm: k.Rec = {"secretId": secret_arn}
        if nm == "PutSecretValue":
            prm = {"secretId": secret_arn, "clientRequestToken": new_ver, "versionStages": ["AWSPENDING"]}
        if nm == "UpdateSecretVersionStage":
            prm = {
                "secretId": secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": new_ver,
                "removeFromVersionId": k.uuid(rng),
            }
        if nm == "GetRandomPassword":
            prm = {"passwordLength": 40, "excludePunctuation": True}
        trail.append(
            k.ct(
                rng,
                rot_t + timedelta(seconds=2 + j * 3),
                p_rot,
                "secretsmanager.amazonaws.com",
                nm,
                REGION,
                prm,
                None,
                ro,
            )
        )
    trail.append(
        k.ct(
            rng,
            rot_t + timedelta(seconds=24),
            p_sm,
            "secretsmanager.amazonaws.com",
            "RotationSucceeded",
            REGION,
            None,
            None,
            False,
            extra={
                "eventType": "AwsServiceEvent",
                "serviceEventDetails": {"versionId": new_ver},
                "additionalEventData": {"SecretId": secret_arn},
            },
        )
    )
    # innocent 2: night-time scale-in of the storefront by Application Auto Scaling
    aas_t = onset + timedelta(minutes=rng.randint(4, 14), seconds=rng.randint(0, 59))
    trail.append(
        k.ct(
            rng,
            aas_t,
            p_aas,
            "ecs.amazonaws.com",
            "UpdateService",
            REGION,
            {"cluster": cluster, "service": "storefront-web", "desiredCount": 2},
            {"service": {"serviceName": "storefront-web", "desiredCount": 2, "status": "ACTIVE"}},
        )
    )
    # innocent 3: an engineer in another time zone adjusts a queue setting, well after
    q_t = onset + timedelta(minutes=rng.randint(16, 26), seconds=rng.randint(0, 59))
    trail.append(
        k.ct(
            rng,
            q_t,
            p_ops,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            REGION,
            {
                "queueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/returns-intake",
                "attributes": {"MessageRetentionPeriod": "1209600"},
            },
            None,
        )
    )
    # task reads its secret at start-up (days ago) and polls the queue: a few SQS calls are management events? no: data events; skip
    trail = [x for x in trail if x["eventTime"] <= k.iso(now)]

    # --- metrics (VPN: 5-minute; everything else 1-minute) --------------------------------------
    metrics: list[k.Rec] = []
    tstate1: dict[datetime, float] = {}
    for t in k.minutes(start, now - timedelta(minutes=5), 5):
        load = k.diurnal(t, -5.0, 14.0, 0.2)
        t1_down = onset - timedelta(minutes=1) < t + timedelta(minutes=5) and t < back
        frac_down = 0.0
        if t1_down:
            s = max(t, onset)
            e = min(t + timedelta(minutes=5), back)
            frac_down = (e - s).total_seconds() / 300
        s1 = 1.0 - frac_down
        s1 = 0.0 if frac_down > 0.5 else s1
        tstate1[t] = s1
        bytes_in = k.jitter(rng, 5.5e7 * load + 6e6, 0.08)
        bytes_out = k.jitter(rng, 2.1e7 * load + 3e6, 0.08)
        p1 = 1.0 - frac_down
        for ip, st, share in ((t1_ip, s1, p1), (t2_ip, 1.0, 1 - p1 + 0.0)):
            d = {"VpnId": vpn_id, "TunnelIpAddress": ip}
            metrics.append(k.datum("AWS/VPN", "TunnelState", d, t, "None", st))
            metrics.append(
                k.datum(
                    "AWS/VPN",
                    "TunnelDataIn",
                    d,
                    t,
                    "Bytes",
                    int(bytes_in * share + (rng.randint(200, 600) if st else 0)),
                )
            )
            metrics.append(
                k.datum(
                    "AWS/VPN",
                    "TunnelDataOut",
                    d,
                    t,
                    "Bytes",
                    int(bytes_out * share + (rng.randint(200, 600) if st else 0)),
                )
            )
        dv = {"VpnId": vpn_id}
        metrics.append(k.datum("AWS/VPN", "TunnelState", dv, t, "None", 1.0 if s1 == 1.0 else 0.5))
        metrics.append(k.datum("AWS/VPN", "TunnelDataIn", dv, t, "Bytes", int(bytes_in + 900)))
        metrics.append(k.datum("AWS/VPN", "TunnelDataOut", dv, t, "Bytes", int(bytes_out + 900)))
    syncs: dict[datetime, float] = {}
    for t in k.minutes(start, now - timedelta(minutes=1)):
        load = k.diurnal(t, -5.0, 14.0, 0.2)
        sv = {"ServiceName": svc, "ClusterName": cluster}
        metrics.append(
            k.datum(
                "AWS/ECS", "CPUUtilization", sv, t, "Percent", round(k.jitter(rng, 7 + 10 * load, 0.1), 3)
            )
        )
        metrics.append(
            k.datum("AWS/ECS", "MemoryUtilization", sv, t, "Percent", round(k.jitter(rng, 41, 0.02), 3))
        )
        qd = {"QueueName": queue}
        sent = k.poisson(rng, 140 * load + 6)
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent))
        metrics.append(
            k.datum("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", max(0, sent + rng.randint(-3, 3)))
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", float(rng.randint(0, 4)))
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", float(rng.randint(0, 3)))
        )
        synced = k.poisson(rng, 32 * load + 3)
        syncs[t] = synced
        metrics.append(
            k.datum("Brindle/StockSync", "WmsCallsSucceeded", {"Service": svc}, t, "Count", synced)
        )
        lat = [max(0.02, rng.lognormvariate(-2.2, 0.35)) for _ in range(25)]
        metrics.append(k.dist("Brindle/StockSync", "WmsCallLatency", {"Service": svc}, t, "Seconds", lat))
    # the failover minute: a handful of calls time out and are retried
    fo_min = onset.replace(second=0)
    retries = rng.randint(2, 5)
    metrics.append(k.datum("Brindle/StockSync", "WmsCallRetries", {"Service": svc}, fo_min, "Count", retries))

    # --- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:brindle-infra-pager"
    created = start - timedelta(days=rng.randint(200, 700))
    age = {
        datetime.fromisoformat(m["timestamp"]): m["value"]
        for m in metrics
        if m["metric"] == "ApproximateAgeOfOldestMessage"
    }
    specs = [
        (
            k.AlarmSpec(
                f"vpn-warehouse-tunnel1-down-{vpn_id}",
                "AWS/VPN",
                "TunnelState",
                {"VpnId": vpn_id, "TunnelIpAddress": t1_ip},
                "Maximum",
                1.0,
                "LessThanThreshold",
                300,
                1,
                1,
                "breaching",
                None,
                "Warehouse (Columbus DC) VPN tunnel 1 is down",
                [topic],
            ),
            tstate1,
        ),
        (
            k.AlarmSpec(
                f"vpn-warehouse-tunnel2-down-{vpn_id}",
                "AWS/VPN",
                "TunnelState",
                {"VpnId": vpn_id, "TunnelIpAddress": t2_ip},
                "Maximum",
                1.0,
                "LessThanThreshold",
                300,
                1,
                1,
                "breaching",
                None,
                "Warehouse (Columbus DC) VPN tunnel 2 is down",
                [topic],
            ),
            dict.fromkeys(tstate1, 1.0),
        ),
        (
            k.AlarmSpec(
                "stock-updates-oldest-message-age",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": queue},
                "Maximum",
                600.0,
                "GreaterThanThreshold",
                60,
                5,
                5,
                "notBreaching",
                "Seconds",
                "stock-updates backing up",
                [topic],
            ),
            age,
        ),
        (
            k.AlarmSpec(
                "stock-sync-wms-calls-low",
                "Brindle/StockSync",
                "WmsCallsSucceeded",
                {"Service": svc},
                "Sum",
                1.0,
                "LessThanThreshold",
                300,
                3,
                3,
                "breaching",
                None,
                "stock-sync has not reached the WMS for 15 minutes",
                [topic],
            ),
            {
                t: sum(syncs.get(t + timedelta(minutes=i), 0) for i in range(5))
                for t in syncs
                if t.minute % 5 == 0
            },
        ),
    ]
    alarms, history = [], []
    trigger_event = None
    for spec, vals in specs:
        item, hist, trans = k.evaluate_alarm(spec, vals, start, now, ACCOUNT, REGION, rng, created)
        alarms.append(item)
        history += hist
        if spec.name.startswith("vpn-warehouse-tunnel1"):
            for when, old, new, rdata in trans:
                if new == "ALARM" and trigger_event is None:
                    trigger_event = k.alarm_event(ACCOUNT, REGION, item, when, old, new, rdata, rng)
    assert trigger_event is not None

    # --- logs -----------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    grp = "/ecs/stock-sync"

    def pino(t: datetime, level: int, msg: str, **kw: object) -> str:
        d: dict[str, object] = {
            "level": level,
            "time": k.ms(t),
            "pid": 1,
            "hostname": "ip-10-31-"
            + str(rng.randint(16, 40))
            + "-"
            + str(rng.randint(10, 250))
            + ".us-east-2.compute.internal",
            "msg": msg,
        }
        d.update(kw)
        return json.dumps(d, separators=(",", ":"))

    for i, task in enumerate(tasks):
        stream = f"stock-sync/stock-sync/{task}"
        for t in k.minutes(start, now - timedelta(minutes=1)):
            n_batches = rng.randint(0, 2)
            for _ in range(n_batches):
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                n_sku = rng.randint(3, 60)
                logs.append(
                    k.log(
                        grp,
                        stream,
                        tt,
                        pino(
                            tt,
                            30,
                            "pushed stock batch to WMS",
                            batch=k.hexid(rng, 12),
                            skus=n_sku,
                            wmsStatus=200,
                            ms=int(rng.lognormvariate(4.9, 0.35)),
                        ),
                    )
                )
            if rng.random() < 0.01:
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                logs.append(
                    k.log(
                        grp,
                        stream,
                        tt,
                        pino(
                            tt,
                            40,
                            "WMS returned 409 for SKU reservation; will re-read and retry",
                            sku=f"BRD-{rng.randint(10000, 99999)}",
                            wmsStatus=409,
                        ),
                    )
                )
        if i == 0 or rng.random() < 0.6:
            tt = onset + timedelta(seconds=rng.uniform(1, 25))
            for a in range(1, rng.randint(2, 3)):
                logs.append(
                    k.log(
                        grp,
                        stream,
                        tt,
                        pino(
                            tt,
                            40,
                            "WMS request failed, retrying",
                            err="connect ETIMEDOUT " + wms_ip + ":8443",
                            attempt=a,
                            maxAttempts=5,
                            backoffMs=2000 * a,
                        ),
                    )
                )
                tt += timedelta(seconds=10 + 2 * a)
            logs.append(
                k.log(
                    grp,
                    stream,
                    tt,
                    pino(
                        tt,
                        30,
                        "pushed stock batch to WMS",
                        batch=k.hexid(rng, 12),
                        skus=rng.randint(3, 40),
                        wmsStatus=200,
                        ms=int(rng.lognormvariate(5.0, 0.3)),
                    ),
                )
            )
    # after the rotation, the tasks pick the new secret version up on their next refresh
    for task in tasks:
        tt = rot_t + timedelta(minutes=rng.randint(2, 8), seconds=rng.randint(0, 59))
        logs.append(
            k.log(
                grp,
                f"stock-sync/stock-sync/{task}",
                tt,
                pino(tt, 30, "refreshed WMS API credentials from Secrets Manager", versionId=new_ver),
            )
        )

    # --- resources and events ------------------------------------------------------------------
    r: list[k.Rec] = [k.res("ec2", "Vpc", k.vpc(vpc_id, "10.31.0.0/16", ACCOUNT, "brindle-prod", rng))]
    for j, (az, azid) in enumerate(azs):
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    priv[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.31.{16 + 8 * j}.0/21",
                    2010 - rng.randint(0, 40),
                    ACCOUNT,
                    REGION,
                    f"brindle-prod-private-{az[-1]}",
                ),
            )
        )
    status_now = "UP"
    last_change = back if back <= now else onset

    def tunnel_opts(ip: str, inside: str) -> k.Rec:
        return {
            "OutsideIpAddress": ip,
            "TunnelInsideCidr": inside,
            "Phase1LifetimeSeconds": 28800,
            "Phase2LifetimeSeconds": 3600,
            "RekeyMarginTimeSeconds": 540,
            "RekeyFuzzPercentage": 100,
            "ReplayWindowSize": 1024,
            "DpdTimeoutSeconds": 30,
            "DpdTimeoutAction": "clear",
            "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
            "Phase2EncryptionAlgorithms": [{"Value": "AES256"}],
            "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}],
            "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
            "Phase1DHGroupNumbers": [{"Value": 14}],
            "Phase2DHGroupNumbers": [{"Value": 14}],
            "IkeVersions": [{"Value": "ikev2"}],
            "StartupAction": "add",
            "LogOptions": {"CloudWatchLogOptions": {"LogEnabled": False}},
            "EnableTunnelLifecycleControl": False,
        }

    a1 = rng.randint(0, 63) * 4
    a2 = rng.randint(0, 63) * 4
    r.append(
        k.res(
            "ec2",
            "VpnConnection",
            {
                "CustomerGatewayConfiguration": "",
                "CustomerGatewayId": cgw_id,
                "Category": "VPN",
                "State": "available",
                "Type": "ipsec.1",
                "VpnConnectionId": vpn_id,
                "VpnGatewayId": vgw_id,
                "Options": {
                    "EnableAcceleration": False,
                    "StaticRoutesOnly": False,
                    "LocalIpv4NetworkCidr": "0.0.0.0/0",
                    "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                    "OutsideIpAddressType": "PublicIpv4",
                    "TunnelInsideIpVersion": "ipv4",
                    "TunnelBandwidth": "standard",
                    "TunnelOptions": [
                        tunnel_opts(t1_ip, f"169.254.{rng.randint(10, 250)}.{a1}/30"),
                        tunnel_opts(t2_ip, f"169.254.{rng.randint(10, 250)}.{a2}/30"),
                    ],
                },
                "Routes": [],
                "Tags": k.tags({"Name": "warehouse-columbus-dc", "owner": "infra"}),
                "VgwTelemetry": [
                    {
                        "AcceptedRouteCount": 3,
                        "LastStatusChange": k.iso(last_change),
                        "OutsideIpAddress": t1_ip,
                        "Status": status_now,
                        "StatusMessage": "3 BGP ROUTES",
                    },
                    {
                        "AcceptedRouteCount": 3,
                        "LastStatusChange": k.iso(start - timedelta(days=rng.randint(20, 90))),
                        "OutsideIpAddress": t2_ip,
                        "Status": "UP",
                        "StatusMessage": "3 BGP ROUTES",
                    },
                ],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "VpnGateway",
            {
                "AmazonSideAsn": 64512,
                "State": "available",
                "Type": "ipsec.1",
                "VpnGatewayId": vgw_id,
                "VpcAttachments": [{"State": "attached", "VpcId": vpc_id}],
                "Tags": k.tags({"Name": "brindle-prod-vgw"}),
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "CustomerGateway",
            {
                "BgpAsn": "65010",
                "CustomerGatewayId": cgw_id,
                "IpAddress": cgw_ip,
                "State": "available",
                "Type": "ipsec.1",
                "DeviceName": "columbus-dc-fw01",
                "Tags": k.tags({"Name": "columbus-dc-fw01"}),
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": "rtbassoc-0" + k.hexid(rng, 16),
                        "RouteTableId": rtb_id,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in priv
                ],
                "PropagatingVgws": [{"GatewayId": vgw_id}],
                "RouteTableId": rtb_id,
                "VpcId": vpc_id,
                "OwnerId": ACCOUNT,
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.31.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": "nat-0" + k.hexid(rng, 16),
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "10.200.0.0/16",
                        "GatewayId": vgw_id,
                        "Origin": "EnableVgwRoutePropagation",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "10.201.0.0/20",
                        "GatewayId": vgw_id,
                        "Origin": "EnableVgwRoutePropagation",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "192.168.40.0/22",
                        "GatewayId": vgw_id,
                        "Origin": "EnableVgwRoutePropagation",
                        "State": "active",
                    },
                ],
                "Tags": k.tags({"Name": "brindle-prod-private"}),
            },
        )
    )
    td = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/stock-sync:{rng.randint(30, 90)}"
    dep_t = start - timedelta(days=rng.randint(2, 9))
    r.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{cluster}",
                "status": "ACTIVE",
                "desiredCount": 2,
                "runningCount": 2,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": td,
                "deployments": [
                    {
                        "id": "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
                        "status": "PRIMARY",
                        "taskDefinition": td,
                        "desiredCount": 2,
                        "pendingCount": 0,
                        "runningCount": 2,
                        "failedTasks": 0,
                        "createdAt": k.iso(dep_t),
                        "updatedAt": k.iso(dep_t + timedelta(minutes=4)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": [],
                "createdAt": k.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": priv,
                        "securityGroups": ["sg-0" + k.hexid(rng, 16)],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableExecuteCommand": False,
            },
        )
    )
    r.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{queue}",
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
                    "VisibilityTimeout": "120",
                    "MessageRetentionPeriod": "345600",
                    "ApproximateNumberOfMessages": "2",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps(
                        {
                            "deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}-dlq",
                            "maxReceiveCount": 5,
                        },
                        separators=(",", ":"),
                    ),
                },
                "Tags": {"service": svc},
            },
        )
    )
    r.append(
        k.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": secret_arn,
                "Name": "brindle/wms-api",
                "Description": "WMS API client credentials",
                "RotationEnabled": True,
                "RotationLambdaARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:wms-secret-rotation",
                "RotationRules": {"AutomaticallyAfterDays": 30},
                "LastRotatedDate": k.iso(rot_t),
                "LastChangedDate": k.iso(rot_t + timedelta(seconds=24)),
                "LastAccessedDate": k.iso(day),
                "CreatedDate": k.iso(created),
            },
        )
    )
    r.append(
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": grp,
                "creationTime": k.ms(created),
                "retentionInDays": 30,
                "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{grp}:*",
                "storedBytes": rng.randint(10**8, 10**9),
            },
        )
    )

    events: list[k.Rec] = []
    health_arn = f"arn:aws:health:{REGION}::event/VPN/AWS_VPN_REDUNDANCY_LOSS/AWS_VPN_REDUNDANCY_LOSS_{k.hexid(rng, 8).upper()}{k.hexid(rng, 24)}"
    h_start = onset + timedelta(minutes=rng.randint(3, 6))
    if h_start <= now:
        closed = back + timedelta(minutes=rng.randint(4, 9))
        ev: k.Rec = {
            "arn": health_arn,
            "service": "VPN",
            "eventTypeCode": "AWS_VPN_REDUNDANCY_LOSS",
            "eventTypeCategory": "accountNotification",
            "region": REGION,
            "startTime": k.iso(h_start),
            "lastUpdatedTime": k.iso(h_start),
            "statusCode": "open",
            "eventScopeCode": "ACCOUNT_SPECIFIC",
        }
        if closed <= now:
            ev.update({"endTime": k.iso(closed), "lastUpdatedTime": k.iso(closed), "statusCode": "closed"})
        events.append(
            {
                "source": "health",
                "item": {
                    "event": ev,
                    "description": (
                        f"Your VPN Connection associated with this event in the {REGION} Region had a momentary lapse of redundancy as one of two tunnel endpoints was "
                        "replaced. Connectivity on the second tunnel was not affected during this time. Both tunnels are now operating normally.\n\n"
                        "Replacements can occur for several reasons, including health, software upgrades, customer-initiated modifications, and when underlying "
                        "hardware is retired. If you have configured your VPN Customer Gateway to use both tunnels, then your VPN Connection will have utilized the "
                        "alternate tunnel during the replacement process. For more on tunnel endpoint replacements, please see our documentation [1].\n\n"
                        "If you have not configured your VPN Customer Gateway to use both tunnels, then your VPN Connection may have been interrupted during the "
                        "replacement. We encourage you to configure your router to use both tunnels.\n\n"
                        "[1] https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-vpn-health-events.html"
                    ),
                    "affected_entities": [
                        {
                            "entityArn": f"arn:aws:health:{REGION}:{ACCOUNT}:entity/{k.hexid(rng, 32)}",
                            "eventArn": health_arn,
                            "entityValue": vpn_id,
                            "awsAccountId": ACCOUNT,
                            "lastUpdatedTime": k.iso(h_start),
                            "statusCode": "RESOLVED" if closed <= now else "IMPAIRED",
                        }
                    ],
                },
            }
        )
    for j in range(int((now - start).total_seconds() // 21600) + 1):
        tt = start + timedelta(hours=6 * j, minutes=rng.randint(1, 50))
        if tt <= now:
            events.append(
                {
                    "source": "ecs",
                    "item": {
                        "service_arn": svc_arn,
                        "event": {
                            "id": k.uuid(rng),
                            "createdAt": k.iso(tt),
                            "message": f"(service {svc}) has reached a steady state.",
                        },
                    },
                }
            )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ACCOUNT,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": "Got paged for the warehouse VPN tunnel alarm. Is the warehouse integration affected, and do I need to do anything right now?",
                "alarm_event": trigger_event,
                "timezone": ZONE,
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(metrics),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": k.sort_trail(trail),
            "resources": r,
            "events": events,
        },
    )
