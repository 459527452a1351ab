"""Merchant webhook deliveries stop: every attempt times out while connecting.

A Terraform apply from the network-baseline repository replaced inbound rule 120 of the app subnets'
network ACL (TCP 1024-65535, the return traffic of outbound connections) so that it only admits the VPC
CIDR instead of 0.0.0.0/0. Network ACLs are stateless: the SYN-ACKs of every connection to the internet
(through the NAT gateway, whose public side answers from the internet) are now dropped at the subnet
boundary. The webhook dispatcher Lambda, the one component in those subnets that calls out to the
internet, can no longer complete a TCP handshake with any merchant endpoint; everything inside the VPC
(Aurora, the VPC resolver, interface endpoints) still works. A deploy of the dispatcher 15-20 minutes
earlier and a security-group rule added by an engineer shortly after are innocent. With
ReportBatchItemFailures the function never errors: Lambda Errors stay at zero.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_v as k

NAME = "webhook-dispatch-timeouts"
TITLE = "Merchant webhook queue age alarm; deliveries not going out"
SUMMARY = (
    "A network-baseline Terraform apply narrowed the app subnets' NACL inbound ephemeral rule to the VPC CIDR; "
    "the webhook dispatcher's outbound connections through NAT can no longer complete."
)

REGION = "eu-central-1"
TZ = ZoneInfo("Europe/Berlin")

MERCHANT_HOSTS = [
    ("hooks.kaffeerad.de", "18.197.{}.{}"),
    ("api.nordlicht-moebel.com", "52.29.{}.{}"),
    ("webhooks.fietsenbaas.nl", "104.21.{}.{}"),
    ("erp.brotzeit-shop.de", "85.214.{}.{}"),
    ("integrations.sportwerk24.at", "3.120.{}.{}"),
    ("n8n.gruenfink.eu", "167.235.{}.{}"),
    ("hooks.zapier.com", "54.86.{}.{}"),
    ("shop.hafenkontor.de", "81.169.{}.{}"),
]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randrange(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    day = datetime(2024, 1, 15, tzinfo=TZ) + timedelta(days=rng.randrange(0, 240))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset_local = day.replace(
        hour=rng.choice([13, 14, 15]), minute=rng.randrange(0, 60), second=rng.randrange(0, 60)
    )
    onset = onset_local.astimezone(UTC)
    utc_off = onset_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=4, minutes=rng.randrange(5, 40))).replace(second=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    now = (onset + timedelta(minutes=rng.randrange(36, 45))).replace(second=rng.randrange(0, 60))

    vpc = "vpc-" + k.hexid(rng)
    subnets = [
        ("a", "10.42.16.0/20", "subnet-" + k.hexid(rng)),
        ("b", "10.42.32.0/20", "subnet-" + k.hexid(rng)),
        ("c", "10.42.48.0/20", "subnet-" + k.hexid(rng)),
    ]
    pub_a = "subnet-" + k.hexid(rng)
    acl = "acl-" + k.hexid(rng)
    rtb = "rtb-" + k.hexid(rng)
    nat = "nat-" + k.hexid(rng)
    sg_fn = "sg-" + k.hexid(rng)
    sg_db = "sg-" + k.hexid(rng)
    enis = [
        (
            "eni-" + k.hexid(rng),
            f"10.42.{16 * (i + 1) + rng.randrange(0, 15)}.{rng.randrange(4, 250)}",
            sid,
            az,
        )
        for i, (az, _c, sid) in enumerate(subnets)
    ]
    nat_eip = f"3.{rng.choice([64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    db_ip = f"10.42.{rng.randrange(65, 79)}.{rng.randrange(4, 250)}"
    fn = "webhook-dispatcher"
    queue, dlq = "webhook-deliveries", "webhook-deliveries-dlq"
    topic = f"arn:aws:sns:{REGION}:{account}:tp-prod-platform-alerts"
    hosts = [(h, ip.format(rng.randrange(1, 254), rng.randrange(1, 254))) for h, ip in MERCHANT_HOSTS]
    merchants = {h: f"m_{k.hexid(rng, 10)}" for h, _ in hosts}

    deploy_at = (onset - timedelta(minutes=rng.randrange(14, 21), seconds=rng.randrange(0, 60))).replace(
        microsecond=0
    )
    apply_at = (onset - timedelta(seconds=rng.randrange(1, 20))).replace(microsecond=0)
    sg_at = (onset + timedelta(minutes=rng.randrange(5, 11), seconds=rng.randrange(0, 60))).replace(
        microsecond=0
    )

    records: dict[str, list[k.Json]] = {
        k_: [] for k_ in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources")
    }
    metrics, logs, trail = records["metrics"], records["logs"], records["cloudtrail"]

    # --- queue / dispatcher simulation (1-minute) ----------------------------------------------------
    group = f"/aws/lambda/{fn}"
    streams = [k.lambda_stream(rng, start, "7") for _ in range(4)]
    streams_new: list[str] = []
    cohorts: list[tuple[datetime, int]] = []
    dlq_depth = 0
    dlq_first: datetime | None = None
    age_points: dict[datetime, float] = {}
    dlq5: dict[datetime, float] = {}
    flow_group = "/vpc/flowlogs/tp-prod-app"
    for t in k.steps(start, now - timedelta(minutes=1), timedelta(minutes=1)):
        load = k.diurnal(t, utc_off, low=0.1, peak_hour=13.5)
        arrivals = max(1, round(k.jitter(rng, 44 * load, 0.18)))
        broken = t >= onset.replace(second=0)
        version = "8" if t >= deploy_at else "7"
        if version == "8" and not streams_new:
            streams_new = [k.lambda_stream(rng, deploy_at, "8") for _ in range(4)]
        pool = streams_new if version == "8" else streams
        invocations: list[float] = []
        attempts = failures = 0
        if not broken:
            received = deleted = arrivals
            retry_now = rng.random() < 0.35
            left = arrivals
            while left > 0:
                size = min(10, left)
                left -= size
                fails = 1 if (retry_now and rng.random() < 0.3) else 0
                retry_now = retry_now and not fails
                dur = rng.uniform(160, 900) + (rng.uniform(4000, 10000) if fails else 0)
                invocations.append(dur)
                attempts += size
                failures += fails
                at = t + timedelta(seconds=rng.uniform(0, 50))
                req, st = k.uid(rng), k.pick(rng, pool)
                logs.append(k.log(group, st, at, f"START RequestId: {req} Version: {version}"))
                end = at + timedelta(milliseconds=dur)
                summary: k.Json = {
                    "level": "INFO",
                    "message": "batch processed",
                    "service": fn,
                    "timestamp": k.iso_ms(end),
                    "function_request_id": req,
                    "cold_start": False,
                    "batchSize": size,
                    "delivered": size - fails,
                    "failed": fails,
                }
                if fails:
                    h, _ip = k.pick(rng, hosts)
                    code = rng.choice(["HTTP_503", "HTTP_500", "HTTP_429", "UND_ERR_CONNECT_TIMEOUT"])
                    logs.append(
                        k.log(
                            group,
                            st,
                            end - timedelta(milliseconds=3),
                            json.dumps(
                                {
                                    "level": "WARN",
                                    "message": "delivery attempt failed, will retry",
                                    "service": fn,
                                    "timestamp": k.iso_ms(end - timedelta(milliseconds=3)),
                                    "function_request_id": req,
                                    "merchantId": merchants[h],
                                    "endpointHost": h,
                                    "error": code,
                                    "attempt": rng.randrange(1, 3),
                                },
                                separators=(",", ":"),
                            ),
                        )
                    )
                logs.append(k.log(group, st, end, json.dumps(summary, separators=(",", ":"))))
                logs.append(k.log(group, st, end, f"END RequestId: {req}"))
                logs.append(k.log(group, st, end, k.lambda_report(req, dur, 512, rng.randrange(120, 168))))
            visible, not_visible, oldest = (
                rng.randrange(0, 6),
                rng.randrange(2, 14),
                rng.uniform(2, 35) + (rng.uniform(60, 130) if rng.random() < 0.2 else 0),
            )
        else:
            cohorts.append((t, arrivals))
            received = in_flight = 0
            keep = []
            for arrived, n in cohorts:
                age = int((t - arrived).total_seconds() // 60)
                if age >= 20:
                    dlq_depth += n
                    dlq_first = dlq_first or arrived
                    continue
                keep.append((arrived, n))
                in_flight += n
                if age % 2 == 0:
                    received += n
            cohorts = keep
            deleted = 0
            left = received
            while left > 0:
                size = min(10, left)
                left -= size
                dur = rng.uniform(10020, 10160)
                invocations.append(dur)
                attempts += size
                failures += size
                at = t + timedelta(seconds=rng.uniform(0, 48))
                req, st = k.uid(rng), k.pick(rng, pool)
                logs.append(k.log(group, st, at, f"START RequestId: {req} Version: {version}"))
                end = at + timedelta(milliseconds=dur)
                h, ip = k.pick(rng, hosts)
                warn = {
                    "level": "WARN",
                    "message": "delivery attempt failed, will retry",
                    "service": fn,
                    "timestamp": k.iso_ms(end - timedelta(milliseconds=4)),
                    "function_request_id": req,
                    "merchantId": merchants[h],
                    "endpointHost": h,
                    "error": "fetch failed",
                    "cause": {
                        "name": "ConnectTimeoutError",
                        "code": "UND_ERR_CONNECT_TIMEOUT",
                        "message": f"Connect Timeout Error (attempted address: {h}:443, timeout: 10000ms)",
                    },
                    "attempt": rng.randrange(1, 9),
                    "failedInBatch": size,
                }
                logs.append(
                    k.log(group, st, end - timedelta(milliseconds=4), json.dumps(warn, separators=(",", ":")))
                )
                summary = {
                    "level": "INFO",
                    "message": "batch processed",
                    "service": fn,
                    "timestamp": k.iso_ms(end),
                    "function_request_id": req,
                    "cold_start": False,
                    "batchSize": size,
                    "delivered": 0,
                    "failed": size,
                }
                logs.append(k.log(group, st, end, json.dumps(summary, separators=(",", ":"))))
                logs.append(k.log(group, st, end, f"END RequestId: {req}"))
                logs.append(k.log(group, st, end, k.lambda_report(req, dur, 512, rng.randrange(120, 150))))
            visible = rng.randrange(0, 8)
            not_visible = in_flight
            oldest = max((t - a).total_seconds() for a, _ in cohorts) + rng.uniform(20, 55)
        age_points[t] = round(oldest)
        dq = {"QueueName": queue}
        for name, unit, v in (
            ("NumberOfMessagesSent", "Count", arrivals),
            ("NumberOfMessagesReceived", "Count", received),
            ("NumberOfMessagesDeleted", "Count", deleted),
            ("ApproximateNumberOfMessagesVisible", "Count", visible),
            ("ApproximateNumberOfMessagesNotVisible", "Count", not_visible),
            ("ApproximateAgeOfOldestMessage", "Seconds", round(oldest)),
        ):
            metrics.append(k.datum("AWS/SQS", name, dq, t, unit, v))
        dd = {"QueueName": dlq}
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", dlq_depth + 3)
        )
        p5 = t.replace(minute=t.minute - t.minute % 5)
        dlq5[p5] = max(dlq5.get(p5, 0.0), float(dlq_depth + 3))
        metrics.append(
            k.datum(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                dd,
                t,
                "Seconds",
                round((t - start).total_seconds() + 86400 * 2.6),
            )
        )
        fd = {"FunctionName": fn}
        metrics.append(k.datum("AWS/Lambda", "Invocations", fd, t, "Count", len(invocations)))
        metrics.append(k.datum("AWS/Lambda", "Errors", fd, t, "Count", 0))
        metrics.append(k.dist("AWS/Lambda", "Duration", fd, t, "Milliseconds", invocations))
        metrics.append(
            k.datum(
                "AWS/Lambda",
                "ConcurrentExecutions",
                fd,
                t,
                "Count",
                max(1, min(10, round(sum(invocations) / 60000 + 0.5))),
            )
        )
        ed = {"Service": fn, "Environment": "prod"}
        metrics.append(k.datum("Tillpoint/Webhooks", "DeliveryAttempts", ed, t, "Count", attempts))
        metrics.append(k.datum("Tillpoint/Webhooks", "DeliveryFailures", ed, t, "Count", failures))
        # NAT gateway: SYNs still go out and SYN-ACKs still come back to the NAT; nothing completes after onset
        conns = attempts * 1.05 + rng.uniform(2, 8)
        nd = {"NatGatewayId": nat}
        est = conns * rng.uniform(0.96, 1.0) if not broken else rng.uniform(0, 2)
        nat_vals: tuple[tuple[str, str, float], ...] = (
            ("ConnectionAttemptCount", "Count", conns * (3 if broken else 1)),
            ("ConnectionEstablishedCount", "Count", est),
            (
                "ActiveConnectionCount",
                "Count",
                (est * rng.uniform(1.6, 2.2) if not broken else rng.uniform(0, 3)),
            ),
            ("PacketsOutToDestination", "Count", conns * (18 if not broken else 3)),
            ("PacketsInFromDestination", "Count", conns * (16 if not broken else 3)),
            ("BytesOutToDestination", "Bytes", conns * (4200 if not broken else 180)),
            ("BytesInFromDestination", "Bytes", conns * (6100 if not broken else 190)),
            ("ErrorPortAllocation", "Count", 0),
            ("PacketsDropCount", "Count", 0),
        )
        for name, unit, nv in nat_vals:
            metrics.append(
                k.datum("AWS/NATGateway", name, nd, t, unit, round(k.jitter(rng, nv, 0.05)) if nv else 0)
            )
        # flow logs of the dispatcher's ENIs: a sample of records per minute
        for _ in range(3):
            eni, eip, _sid, _az = k.pick(rng, enis)
            h, ip = k.pick(rng, hosts)
            sport = rng.randrange(32768, 60999)
            fe = t + timedelta(seconds=rng.randrange(40, 60))
            pk = rng.randrange(6, 22)
            logs.append(
                k.log(
                    flow_group,
                    f"{eni}-all",
                    fe,
                    k.flow_record(
                        account,
                        eni,
                        eip,
                        ip,
                        sport,
                        443,
                        pk if not broken else rng.randrange(2, 4),
                        pk * 180 if not broken else 180,
                        t,
                        fe,
                        "ACCEPT",
                    ),
                )
            )
            if not broken:
                logs.append(
                    k.log(
                        flow_group,
                        f"{eni}-all",
                        fe,
                        k.flow_record(account, eni, ip, eip, 443, sport, pk, pk * 260, t, fe, "ACCEPT"),
                    )
                )
            else:
                logs.append(
                    k.log(
                        flow_group,
                        f"{eni}-all",
                        fe,
                        k.flow_record(
                            account, eni, ip, eip, 443, sport, rng.randrange(2, 5), 180, t, fe, "REJECT"
                        ),
                    )
                )
            if rng.random() < 0.5:
                sp2 = rng.randrange(32768, 60999)
                logs.append(
                    k.log(
                        flow_group,
                        f"{eni}-all",
                        fe,
                        k.flow_record(account, eni, eip, db_ip, sp2, 5432, 12, 2100, t, fe, "ACCEPT"),
                    )
                )
                logs.append(
                    k.log(
                        flow_group,
                        f"{eni}-all",
                        fe,
                        k.flow_record(account, eni, db_ip, eip, 5432, sp2, 10, 3900, t, fe, "ACCEPT"),
                    )
                )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- alarms ------------------------------------------------------------------------------------
    created = onset - timedelta(days=rng.randrange(90, 400))
    tr_age = k.evaluate_alarm(
        age_points,
        first_eval=start + timedelta(minutes=6),
        now=now,
        period=60,
        evals=5,
        dta=5,
        threshold=300,
        op="GreaterThanThreshold",
        stat="Maximum",
    )
    a_age, h_age = k.metric_alarm(
        account=account,
        region=REGION,
        name="webhook-deliveries-oldest-message",
        description="Merchant webhooks are waiting more than 5 minutes. Dispatcher: webhook-dispatcher (Lambda). Runbook: https://tillpoint.atlassian.net/wiki/x/WHK",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": queue},
        stat="Maximum",
        period=60,
        evals=5,
        dta=5,
        threshold=300,
        op="GreaterThanThreshold",
        topic=topic,
        created=created,
        transitions=tr_age,
    )
    a_err, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="webhook-dispatcher-errors",
        description="webhook-dispatcher invocations failing",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn},
        stat="Sum",
        period=300,
        evals=1,
        dta=1,
        threshold=5,
        op="GreaterThanThreshold",
        topic=topic,
        created=created,
        transitions=[],
        ok_since=created + timedelta(minutes=6),
    )
    a_port, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="tp-prod-nat-port-allocation-errors",
        description="NAT gateway cannot allocate source ports",
        namespace="AWS/NATGateway",
        metric="ErrorPortAllocation",
        dims={"NatGatewayId": nat},
        stat="Sum",
        period=300,
        evals=1,
        dta=1,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        created=created - timedelta(days=40),
        transitions=[],
    )
    tr_dlq = k.evaluate_alarm(
        dlq5,
        first_eval=start + timedelta(minutes=10),
        now=now,
        period=300,
        evals=1,
        dta=1,
        threshold=100,
        op="GreaterThanThreshold",
        stat="Maximum",
    )
    a_dlq, h_dlq = k.metric_alarm(
        account=account,
        region=REGION,
        name="webhook-deliveries-dlq-growing",
        description="More than 100 merchant webhooks dead-lettered",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        stat="Maximum",
        period=300,
        evals=1,
        dta=1,
        threshold=100,
        op="GreaterThanThreshold",
        topic=topic,
        created=created,
        transitions=tr_dlq,
    )
    records["alarms"] = [a_age, a_err, a_port, a_dlq]
    records["alarm_history"] = h_age + h_dlq

    # --- resources ---------------------------------------------------------------------------------
    tg = [{"Key": "Environment", "Value": "prod"}, {"Key": "ManagedBy", "Value": "terraform"}]
    r = records["resources"]
    r.append(
        k.res(
            "ec2",
            "Vpc",
            {
                "VpcId": vpc,
                "CidrBlock": "10.42.0.0/16",
                "State": "available",
                "OwnerId": account,
                "DhcpOptionsId": "dopt-" + k.hexid(rng),
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "tp-prod"}, *tg],
            },
        )
    )
    for az, cidr, sid in subnets:
        r.append(
            k.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "CidrBlock": cidr,
                    "AvailabilityZone": f"{REGION}{az}",
                    "AvailableIpAddressCount": rng.randrange(3950, 4080),
                    "State": "available",
                    "MapPublicIpOnLaunch": False,
                    "DefaultForAz": False,
                    "OwnerId": account,
                    "SubnetArn": f"arn:aws:ec2:{REGION}:{account}:subnet/{sid}",
                    "Tags": [
                        {"Key": "Name", "Value": f"tp-prod-app-{az}"},
                        {"Key": "Tier", "Value": "app"},
                        *tg,
                    ],
                },
            )
        )
    r.append(
        k.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": pub_a,
                "VpcId": vpc,
                "CidrBlock": "10.42.0.0/22",
                "AvailabilityZone": f"{REGION}a",
                "AvailableIpAddressCount": rng.randrange(1000, 1018),
                "State": "available",
                "MapPublicIpOnLaunch": False,
                "DefaultForAz": False,
                "OwnerId": account,
                "SubnetArn": f"arn:aws:ec2:{REGION}:{account}:subnet/{pub_a}",
                "Tags": [
                    {"Key": "Name", "Value": "tp-prod-public-a"},
                    {"Key": "Tier", "Value": "public"},
                    *tg,
                ],
            },
        )
    )

    def entry(
        num: int, egress: bool, proto: str, cidr: str, ports: tuple[int, int] | None, action: str = "allow"
    ) -> k.Json:
        e: k.Json = {
            "RuleNumber": num,
            "Egress": egress,
            "Protocol": proto,
            "CidrBlock": cidr,
            "RuleAction": action,
        }
        if ports:
            e["PortRange"] = {"From": ports[0], "To": ports[1]}
        return e

    r.append(
        k.res(
            "ec2",
            "NetworkAcl",
            {
                "NetworkAclId": acl,
                "VpcId": vpc,
                "OwnerId": account,
                "IsDefault": False,
                "Associations": [
                    {
                        "NetworkAclAssociationId": "aclassoc-" + k.hexid(rng, 8),
                        "NetworkAclId": acl,
                        "SubnetId": sid,
                    }
                    for _, _, sid in subnets
                ],
                "Entries": [
                    entry(100, False, "6", "10.42.0.0/16", (443, 443)),
                    entry(110, False, "6", "10.42.0.0/16", (8080, 8080)),
                    entry(120, False, "6", "10.42.0.0/16", (1024, 65535)),
                    entry(130, False, "17", "10.42.0.0/16", (1024, 65535)),
                    entry(32767, False, "-1", "0.0.0.0/0", None, "deny"),
                    entry(100, True, "-1", "0.0.0.0/0", None),
                    entry(32767, True, "-1", "0.0.0.0/0", None, "deny"),
                ],
                "Tags": [{"Key": "Name", "Value": "tp-prod-app-nacl"}, *tg],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": rtb,
                "VpcId": vpc,
                "OwnerId": account,
                "PropagatingVgws": [],
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": "rtbassoc-" + k.hexid(rng),
                        "RouteTableId": rtb,
                        "SubnetId": sid,
                        "AssociationState": {"State": "associated"},
                    }
                    for _, _, sid in subnets
                ],
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.42.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nat,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": [{"Key": "Name", "Value": "tp-prod-app"}, *tg],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "NatGateway",
            {
                "NatGatewayId": nat,
                "SubnetId": pub_a,
                "VpcId": vpc,
                "State": "available",
                "ConnectivityType": "public",
                "CreateTime": k.iso(created - timedelta(days=200)),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": "eipalloc-" + k.hexid(rng),
                        "NetworkInterfaceId": "eni-" + k.hexid(rng),
                        "PrivateIp": f"10.42.{rng.randrange(0, 3)}.{rng.randrange(4, 250)}",
                        "PublicIp": nat_eip,
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "Tags": [{"Key": "Name", "Value": "tp-prod-nat-a"}, *tg],
            },
        )
    )
    sg_rule: k.Json = {"Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_fn,
                "GroupName": "webhook-dispatcher",
                "Description": "webhook-dispatcher lambda",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [],
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], **sg_rule}
                ],
                "Tags": tg,
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_db,
                "GroupName": "tp-prod-aurora",
                "Description": "Aurora PostgreSQL tp-prod",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [
                            {"GroupId": sg_fn, "UserId": account, "Description": "webhook-dispatcher"}
                        ],
                    }
                ],
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], **sg_rule}
                ],
                "Tags": tg,
            },
        )
    )
    for eni, eip, sid, az in enis:
        r.append(
            k.res(
                "ec2",
                "NetworkInterface",
                {
                    "NetworkInterfaceId": eni,
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "AvailabilityZone": f"{REGION}{az}",
                    "InterfaceType": "lambda",
                    "Description": f"AWS Lambda VPC ENI-{fn}-{k.uid(rng)}",
                    "Status": "in-use",
                    "RequesterId": "560934726144",
                    "RequesterManaged": True,
                    "SourceDestCheck": True,
                    "OwnerId": account,
                    "PrivateIpAddress": eip,
                    "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": eip}],
                    "Groups": [{"GroupId": sg_fn, "GroupName": "webhook-dispatcher"}],
                    "MacAddress": ":".join(k.hexid(rng, 2) for _ in range(6)),
                    "TagSet": [],
                },
            )
        )
    code_sha = (
        "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)
        )
        + "="
    )
    fn_arn = f"arn:aws:lambda:{REGION}:{account}:function:{fn}"
    r.append(
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": fn_arn,
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/{fn}",
                "Handler": "dist/handler.handler",
                "CodeSize": rng.randrange(1200000, 2600000),
                "Description": "Delivers merchant webhooks",
                "Timeout": 60,
                "MemorySize": 512,
                "LastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": code_sha,
                "Version": "$LATEST",
                "VpcConfig": {
                    "SubnetIds": [sid for _, _, sid in subnets],
                    "SecurityGroupIds": [sg_fn],
                    "VpcId": vpc,
                    "Ipv6AllowedForDualStack": False,
                },
                "Environment": {
                    "Variables": {
                        "CONNECT_TIMEOUT_MS": "10000",
                        "DB_HOST": "tp-prod.cluster-" + k.hexid(rng, 12) + f".{REGION}.rds.amazonaws.com",
                        "POWERTOOLS_SERVICE_NAME": fn,
                    }
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": k.uid(rng),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": group},
            },
        )
    )
    q_arn, dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{queue}", f"arn:aws:sqs:{REGION}:{account}:{dlq}"
    r.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": k.uid(rng),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 1,
                "EventSourceArn": q_arn,
                "FunctionArn": fn_arn + ":live",
                "LastModified": k.iso(created),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 10},
            },
        )
    )
    qts = str(int((created - timedelta(days=50)).timestamp()))
    r.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}",
                "Attributes": {
                    "QueueArn": q_arn,
                    "VisibilityTimeout": "120",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "CreatedTimestamp": qts,
                    "LastModifiedTimestamp": qts,
                    "SqsManagedSseEnabled": "true",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 10}, separators=(",", ":")
                    ),
                },
                "Tags": {"Environment": "prod"},
            },
        )
    )
    r.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}",
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "MaximumMessageSize": "262144",
                    "CreatedTimestamp": qts,
                    "LastModifiedTimestamp": qts,
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"Environment": "prod"},
            },
        )
    )
    for svc in ("logs", "sts", "secretsmanager"):
        r.append(
            k.res(
                "ec2",
                "VpcEndpoint",
                {
                    "VpcEndpointId": "vpce-" + k.hexid(rng),
                    "VpcEndpointType": "Interface",
                    "VpcId": vpc,
                    "ServiceName": f"com.amazonaws.{REGION}.{svc}",
                    "State": "available",
                    "SubnetIds": [sid for _, _, sid in subnets],
                    "PrivateDnsEnabled": True,
                    "RequesterManaged": False,
                    "CreationTimestamp": k.iso(created - timedelta(days=150)),
                    "OwnerId": account,
                    "IpAddressType": "ipv4",
                    "Tags": tg,
                },
            )
        )
    r.append(
        k.res(
            "ec2",
            "FlowLog",
            {
                "FlowLogId": "fl-" + k.hexid(rng),
                "FlowLogStatus": "ACTIVE",
                "DeliverLogsStatus": "SUCCESS",
                "ResourceId": vpc,
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "LogGroupName": flow_group,
                "CreationTime": k.iso(created - timedelta(days=120)),
                "DeliverLogsPermissionArn": f"arn:aws:iam::{account}:role/tp-prod-flowlogs",
                "MaxAggregationInterval": 60,
                "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
                "Tags": tg,
            },
        )
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    s_ = f"{NAME}:{seed}"
    atl_plan = k.role_identity(s_, account, "atlantis-plan", "atlantis-plan")
    atl = k.role_identity(
        s_, account, "atlantis-apply", f"atlantis-network-baseline-{rng.randrange(300, 480)}"
    )
    gha = k.role_identity(s_, account, "gha-deploy-webhooks", "GitHubActions")
    lena = k.sso_identity(s_, account, "PlatformEngineer", "lena.hoffmann@tillpoint.io")
    jonas = k.sso_identity(s_, account, "ReadOnly", "jonas.brandt@tillpoint.io")
    cfg = k.role_identity(
        s_,
        account,
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "/aws-service-role/config.amazonaws.com/",
        invoked_by="config.amazonaws.com",
    )
    ip_ci = f"52.{rng.randrange(28, 59)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    ip_gh = f"20.{rng.randrange(25, 220)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    ip_office = f"91.{rng.randrange(64, 250)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}"
    tfa = k.TF_AGENT.format(svc="ec2", ver="1.152.0")
    reads: list[tuple[k.Json, str, str, str, k.Json | None, str, str]] = [
        (
            atl_plan,
            "ec2.amazonaws.com",
            "DescribeNetworkAcls",
            tfa,
            {"networkAclIdSet": {"items": [{"networkAclId": acl}]}, "filterSet": {}},
            ip_ci,
            "1.09",
        ),
        (
            atl_plan,
            "ec2.amazonaws.com",
            "DescribeVpcs",
            tfa,
            {"vpcSet": {"items": [{"vpcId": vpc}]}, "filterSet": {}},
            ip_ci,
            "1.09",
        ),
        (
            atl_plan,
            "ec2.amazonaws.com",
            "DescribeSubnets",
            tfa,
            {"subnetSet": {"items": [{"subnetId": sid} for _, _, sid in subnets]}, "filterSet": {}},
            ip_ci,
            "1.09",
        ),
        (
            cfg,
            "ec2.amazonaws.com",
            "DescribeNetworkInterfaces",
            "config.amazonaws.com",
            {"networkInterfaceIdSet": {}, "filterSet": {}},
            "config.amazonaws.com",
            "1.09",
        ),
        (
            cfg,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            "config.amazonaws.com",
            {"functionName": fn},
            "config.amazonaws.com",
            "1.08",
        ),
        (
            jonas,
            "cloudwatch.amazonaws.com",
            "DescribeAlarms",
            k.CONSOLE_AGENT,
            {"alarmNamePrefix": "webhook"},
            ip_office,
            "1.09",
        ),
        (
            jonas,
            "logs.amazonaws.com",
            "DescribeLogGroups",
            k.CONSOLE_AGENT,
            {"logGroupNamePrefix": "/aws/lambda/"},
            ip_office,
            "1.09",
        ),
        (
            gha,
            "lambda.amazonaws.com",
            "GetAlias20150331",
            "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.556.0",
            {"functionName": fn, "name": "live"},
            ip_gh,
            "1.08",
        ),
    ]
    trail.extend(
        k.routine_reads(
            rng,
            account=account,
            region=REGION,
            start=start,
            end=now,
            count=rng.randrange(30, 40),
            calls=reads,
        )
    )
    sdk = "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.556.0"
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=deploy_at,
            source="lambda.amazonaws.com",
            name="UpdateFunctionCode20150331v2",
            ident=gha,
            params={"functionName": fn, "publish": True, "dryRun": False},
            response={
                "functionName": fn,
                "functionArn": fn_arn + ":8",
                "runtime": "nodejs20.x",
                "codeSha256": code_sha,
                "version": "8",
                "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
            },
            read_only=False,
            agent=sdk,
            ip=ip_gh,
            version="1.08",
        )
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=deploy_at + timedelta(seconds=14),
            source="lambda.amazonaws.com",
            name="UpdateAlias20150331",
            ident=gha,
            params={"functionName": fn, "name": "live", "functionVersion": "8"},
            response={
                "aliasArn": fn_arn + ":live",
                "name": "live",
                "functionVersion": "8",
                "revisionId": k.uid(rng),
            },
            read_only=False,
            agent=sdk,
            ip=ip_gh,
            version="1.08",
        )
    )
    # the network-baseline apply: a new rule, then rule 120 replaced
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=apply_at - timedelta(seconds=rng.randrange(20, 40)),
            source="ec2.amazonaws.com",
            name="DescribeNetworkAcls",
            ident=atl,
            params={"networkAclIdSet": {"items": [{"networkAclId": acl}]}, "filterSet": {}},
            read_only=True,
            agent=tfa,
            ip=ip_ci,
        )
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=apply_at - timedelta(seconds=2),
            source="ec2.amazonaws.com",
            name="CreateNetworkAclEntry",
            ident=atl,
            params={
                "networkAclId": acl,
                "ruleNumber": 130,
                "egress": False,
                "ruleAction": "allow",
                "icmpTypeCode": {},
                "portRange": {"from": 1024, "to": 65535},
                "aclProtocol": "17",
                "cidrBlock": "10.42.0.0/16",
            },
            response={"requestId": k.uid(rng), "_return": True},
            read_only=False,
            agent=tfa,
            ip=ip_ci,
        )
    )
    culprit = k.ct(
        rng,
        account=account,
        region=REGION,
        when=apply_at,
        source="ec2.amazonaws.com",
        name="ReplaceNetworkAclEntry",
        ident=atl,
        params={
            "networkAclId": acl,
            "ruleNumber": 120,
            "egress": False,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {"from": 1024, "to": 65535},
            "aclProtocol": "6",
            "cidrBlock": "10.42.0.0/16",
        },
        response={"requestId": k.uid(rng), "_return": True},
        read_only=False,
        agent=tfa,
        ip=ip_ci,
    )
    trail.append(culprit)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=apply_at + timedelta(seconds=3),
            source="ec2.amazonaws.com",
            name="DescribeNetworkAcls",
            ident=atl,
            params={"networkAclIdSet": {"items": [{"networkAclId": acl}]}, "filterSet": {}},
            read_only=True,
            agent=tfa,
            ip=ip_ci,
        )
    )
    # an engineer opens the Aurora group to the dispatcher on 5432 explicitly (already allowed via the SG pair; harmless)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=sg_at,
            source="ec2.amazonaws.com",
            name="ModifySecurityGroupRules",
            ident=lena,
            params={
                "ModifySecurityGroupRulesRequest": {
                    "GroupId": sg_db,
                    "SecurityGroupRule": {
                        "tag": 1,
                        "SecurityGroupRuleId": "sgr-" + k.hexid(rng),
                        "SecurityGroupRule": {
                            "IpProtocol": "tcp",
                            "FromPort": 5432,
                            "ToPort": 5432,
                            "ReferencedGroupId": sg_fn,
                            "Description": "webhook-dispatcher (lambda)",
                        },
                    },
                }
            },
            response={"ModifySecurityGroupRulesResponse": {"requestId": k.uid(rng), "return": True}},
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ip_office,
        )
    )
    # an unrelated log retention change
    lr_at = (onset - timedelta(minutes=rng.randrange(22, 28))).replace(microsecond=0)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=lr_at,
            source="logs.amazonaws.com",
            name="PutRetentionPolicy",
            ident=lena,
            params={"logGroupName": "/ecs/tp-prod/orders-api", "retentionInDays": 30},
            response=None,
            read_only=False,
            agent=k.CLI_AGENT.format(cmd="logs.put-retention-policy"),
            ip=ip_office,
        )
    )
    records["cloudtrail"] = k.sort_trail([x for x in trail if x["eventTime"] <= k.iso(now)])

    assert tr_age, "the age alarm must fire"
    event = k.alarm_event(rng, a_age, tr_age[-1])
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": acl,
                    "category": "change",
                    "failure_mode": "nacl-ephemeral-return-traffic-blocked",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["tp-prod-app-nacl"],
                "actions": ["rollback"],
                "chain": [
                    f"ReplaceNetworkAclEntry narrowed inbound rule 120 (TCP 1024-65535) of {acl} from 0.0.0.0/0 to 10.42.0.0/16",
                    f"return traffic from the internet (via {nat}) to the app subnets is dropped; in-VPC traffic still flows",
                    f"{fn} connect timeouts to every merchant endpoint; batch items reported as failures, Lambda Errors stay 0",
                    f"{queue} messages retried until redriven; ApproximateAgeOfOldestMessage alarm",
                ],
            },
        }
    )
    return Bundle(manifest, records)
