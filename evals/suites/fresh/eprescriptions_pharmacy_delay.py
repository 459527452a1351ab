"""E-prescriptions reaching pharmacies late since mid-morning; the relay times out to the network."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zb as k
from evals.suites.fresh._kit_zb import ct

NAME = "eprescriptions-pharmacy-delay"
TITLE = "E-prescriptions reaching pharmacies late since mid-morning"
SUMMARY = (
    "The public subnets' network ACL return-traffic rule was narrowed to 32768-65535; NAT gateway "
    "connections on lower ports lose their replies, so about half of outbound connects time out."
)

TZ = "Europe/London"


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, ["eu-west-2"])
    rng = kit.rng
    zone = ZoneInfo(TZ)
    day = kit.pick_day()
    local_onset = datetime(
        day.year, day.month, day.day, 10, rng.randint(2, 48), rng.randint(0, 59), tzinfo=zone
    )
    onset = local_onset.astimezone(k.UTC)
    off = local_onset.utcoffset()
    utc_off = (off.total_seconds() / 3600.0) if off else 0.0
    kit.start = k.minute_floor(onset - timedelta(hours=4, minutes=rng.randint(0, 30)))
    kit.now = k.minute_floor(onset + timedelta(minutes=rng.randint(38, 55)))
    kit.end = kit.now + timedelta(minutes=5)
    acct, region = kit.account, kit.region

    # ---- network ------------------------------------------------------------------------------
    vpc = kit.rid("vpc")
    cidr2 = rng.choice([20, 40, 64, 96])
    vpc_cidr = f"10.{cidr2}.0.0/16"
    azs = [f"{region}a", f"{region}b"]
    pub = [kit.rid("subnet"), kit.rid("subnet")]
    priv = [kit.rid("subnet"), kit.rid("subnet")]
    kit.res("ec2", "Vpc", k.vpc_item(kit, vpc, vpc_cidr, "quillwell-prod"))
    for i, az in enumerate(azs):
        kit.res(
            "ec2",
            "Subnet",
            k.subnet(
                kit, pub[i], vpc, az, f"10.{cidr2}.{i}.0/24", f"prod-public-{az[-1]}", 241 - i * 3, True
            ),
        )
        kit.res(
            "ec2",
            "Subnet",
            k.subnet(
                kit, priv[i], vpc, az, f"10.{cidr2}.{16 + i * 16}.0/20", f"prod-app-{az[-1]}", 3990 - i * 17
            ),
        )
    nacl_pub = kit.rid("acl")
    nacl_priv = kit.rid("acl")
    block_ip = f"{rng.choice([45, 89, 141, 193])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}/32"

    def entry(
        n: int, egress: bool, action: str, cidr: str, proto: str = "-1", ports: tuple[int, int] | None = None
    ) -> k.Json:
        e: k.Json = {
            "CidrBlock": cidr,
            "Egress": egress,
            "Protocol": proto,
            "RuleAction": action,
            "RuleNumber": n,
        }
        if ports:
            e["PortRange"] = {"From": ports[0], "To": ports[1]}
        return e

    pub_entries = [
        entry(90, False, "deny", block_ip),
        entry(100, False, "allow", vpc_cidr),
        entry(110, False, "allow", "0.0.0.0/0", "6", (443, 443)),
        entry(115, False, "allow", "0.0.0.0/0", "6", (80, 80)),
        entry(120, False, "allow", "0.0.0.0/0", "6", (32768, 65535)),
        entry(130, False, "allow", "0.0.0.0/0", "17", (1024, 65535)),
        entry(32767, False, "deny", "0.0.0.0/0"),
        entry(100, True, "allow", "0.0.0.0/0"),
        entry(32767, True, "deny", "0.0.0.0/0"),
    ]
    kit.res(
        "ec2",
        "NetworkAcl",
        {
            "Associations": [
                {"NetworkAclAssociationId": kit.rid("aclassoc"), "NetworkAclId": nacl_pub, "SubnetId": s}
                for s in pub
            ],
            "Entries": pub_entries,
            "IsDefault": False,
            "NetworkAclId": nacl_pub,
            "Tags": k.tags(
                {"Name": "prod-public", "managed-by": "terraform", "repo": "quillwell/platform-network"}
            ),
            "VpcId": vpc,
            "OwnerId": acct,
        },
    )
    kit.res(
        "ec2",
        "NetworkAcl",
        {
            "Associations": [
                {"NetworkAclAssociationId": kit.rid("aclassoc"), "NetworkAclId": nacl_priv, "SubnetId": s}
                for s in priv
            ],
            "Entries": [
                entry(100, False, "allow", vpc_cidr),
                entry(120, False, "allow", "0.0.0.0/0", "6", (1024, 65535)),
                entry(130, False, "allow", "0.0.0.0/0", "17", (1024, 65535)),
                entry(32767, False, "deny", "0.0.0.0/0"),
                entry(100, True, "allow", "0.0.0.0/0"),
                entry(32767, True, "deny", "0.0.0.0/0"),
            ],
            "IsDefault": False,
            "NetworkAclId": nacl_priv,
            "Tags": k.tags(
                {"Name": "prod-app", "managed-by": "terraform", "repo": "quillwell/platform-network"}
            ),
            "VpcId": vpc,
            "OwnerId": acct,
        },
    )
    nats = []
    for i, az in enumerate(azs):
        nid = "nat-0" + kit.hex(16)
        eip = kit.public_ip().rsplit(".", 2)[0] + f".{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        pip = f"10.{cidr2}.{i}.{rng.randint(20, 200)}"
        eni = kit.rid("eni")
        nats.append((nid, eni, pip, eip, az))
        kit.res(
            "ec2",
            "NatGateway",
            {
                "CreateTime": k.iso(kit.start - timedelta(days=rng.randint(300, 700))),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": kit.rid("eipalloc"),
                        "NetworkInterfaceId": eni,
                        "PrivateIp": pip,
                        "PublicIp": eip,
                        "AssociationId": kit.rid("eipassoc"),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nid,
                "State": "available",
                "SubnetId": pub[i],
                "VpcId": vpc,
                "Tags": k.tags({"Name": f"prod-nat-{az[-1]}"}),
                "ConnectivityType": "public",
            },
        )
        kit.res(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": kit.rid("rtbassoc"),
                        "RouteTableId": (rtb := kit.rid("rtb")),
                        "SubnetId": priv[i],
                        "AssociationState": {"State": "associated"},
                    }
                ],
                "PropagatingVgws": [],
                "RouteTableId": rtb,
                "Routes": [
                    {
                        "DestinationCidrBlock": vpc_cidr,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nid,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": "pl-7ca54015",
                        "GatewayId": kit.rid("vpce"),
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": k.tags({"Name": f"prod-app-{az[-1]}"}),
                "VpcId": vpc,
                "OwnerId": acct,
            },
        )
    for svc in ("sqs", "logs", "monitoring", "secretsmanager"):
        kit.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": kit.rid("vpce"),
                "VpcEndpointType": "Interface",
                "VpcId": vpc,
                "ServiceName": f"com.amazonaws.{region}.{svc}",
                "State": "available",
                "SubnetIds": list(priv),
                "PrivateDnsEnabled": True,
                "CreationTimestamp": k.iso_ms(kit.start - timedelta(days=rng.randint(200, 600))),
                "OwnerId": acct,
            },
        )

    # ---- compute ------------------------------------------------------------------------------
    sg_relay = kit.rid("sg")
    sg_notify = kit.rid("sg")
    kit.res("ec2", "SecurityGroup", k.security_group(kit, sg_relay, "rx-relay", "rx-relay workers", vpc, []))
    kit.res(
        "ec2", "SecurityGroup", k.security_group(kit, sg_notify, "notify-sms", "notify-sms workers", vpc, [])
    )
    ami = "ami-0" + kit.hex(16)
    relay_ids = [kit.rid("i") for _ in range(3)]
    notify_ids = [kit.rid("i") for _ in range(2)]
    lt_relay = ("lt-0" + kit.hex(16), "rx-relay", str(rng.randint(9, 31)))
    lt_notify = ("lt-0" + kit.hex(16), "notify-sms", str(rng.randint(4, 19)))
    hosts: dict[str, str] = {}
    for fleet, ids, sg, lt, itype in (
        ("rx-relay", relay_ids, sg_relay, lt_relay, "c6i.large"),
        ("notify-sms", notify_ids, sg_notify, lt_notify, "t3.medium"),
    ):
        for j, iid in enumerate(ids):
            az = azs[j % 2]
            ip = f"10.{cidr2}.{16 + (j % 2) * 16 + rng.randint(0, 15)}.{rng.randint(4, 250)}"
            hosts[iid] = f"ip-{ip.replace('.', '-')}"
            kit.res(
                "ec2",
                "Instance",
                k.instance(
                    kit,
                    iid,
                    itype=itype,
                    ami=ami,
                    subnet=priv[j % 2],
                    vpc=vpc,
                    az=az,
                    ip=ip,
                    sgs=[(sg, fleet)],
                    profile=f"{fleet}-prod",
                    launched=kit.start - timedelta(days=rng.randint(2, 20), minutes=rng.randint(0, 1400)),
                    tagd={
                        "Name": f"{fleet}-prod",
                        "service": fleet,
                        "env": "prod",
                        "aws:autoscaling:groupName": f"{fleet}-prod",
                    },
                    lt=lt,
                ),
            )
            kit.res("ec2", "InstanceStatus", k.instance_status(iid, az))
        kit.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": f"{fleet}-prod",
                "AutoScalingGroupARN": kit.arn(
                    "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{fleet}-prod"
                ),
                "LaunchTemplate": {
                    "LaunchTemplateId": lt[0],
                    "LaunchTemplateName": lt[1],
                    "Version": "$Latest",
                },
                "MinSize": len(ids),
                "MaxSize": len(ids) * 2,
                "DesiredCapacity": len(ids),
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": itype,
                        "AvailabilityZone": azs[j % 2],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt[0],
                            "LaunchTemplateName": lt[1],
                            "Version": lt[2],
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for j, iid in enumerate(ids)
                ],
                "CreatedTime": k.iso_ms(kit.start - timedelta(days=rng.randint(300, 800))),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(priv),
                "EnabledMetrics": [],
                "Tags": [],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        )

    # ---- queues -------------------------------------------------------------------------------
    def queue(name: str, vis: int, redrive: str | None) -> None:
        attrs = {
            "QueueArn": f"arn:aws:sqs:{region}:{acct}:{name}",
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int((kit.start - timedelta(days=500)).timestamp())),
            "LastModifiedTimestamp": str(int((kit.start - timedelta(days=90)).timestamp())),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if redrive:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": f"arn:aws:sqs:{region}:{acct}:{redrive}", "maxReceiveCount": 10}
            )
        kit.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{name}",
                "Attributes": attrs,
                "Tags": {"service": name.split("-q")[0], "env": "prod"},
            },
        )

    queue("rx-outbound", 60, "rx-outbound-dlq")
    queue("rx-outbound-dlq", 60, None)
    queue("notify-sms", 30, "notify-sms-dlq")
    queue("notify-sms-dlq", 30, None)

    for g, ret, created in (
        ("/quillwell/prod/rx-relay", 30, 400),
        ("/quillwell/prod/notify-sms", 30, 380),
        ("/vpc/prod/flow-logs", 14, 200),
    ):
        kit.res(
            "logs",
            "LogGroup",
            k.log_group(kit, g, ret, kit.start - timedelta(days=created), rng.randint(10**9, 9 * 10**10)),
        )
    kit.res(
        "ec2",
        "FlowLog",
        {
            "CreationTime": k.iso_ms(kit.start - timedelta(days=200)),
            "DeliverLogsPermissionArn": f"arn:aws:iam::{acct}:role/vpc-flow-logs-delivery",
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": "fl-0" + kit.hex(16),
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": "/vpc/prod/flow-logs",
            "ResourceId": vpc,
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogDestination": kit.arn("logs", "log-group:/vpc/prod/flow-logs"),
            "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
            "MaxAggregationInterval": 60,
            "Tags": [],
        },
    )

    # ---- traffic model --------------------------------------------------------------------------
    low_share = (32768 - 1024) / (65536 - 1024)  # NAT gateway source ports below the new range
    peak_rate = rng.uniform(300, 420)  # prescriptions a minute at the late-morning peak
    workers = 16
    backlog = float(rng.randint(0, 3))
    oldest = 0.0

    def broken(t: datetime) -> bool:
        return t >= onset

    q_dims = {"QueueName": "rx-outbound"}
    stats: dict[datetime, tuple[float, float, float, float]] = {}
    dead = 0
    for t in kit.minutes():
        arrivals = kit.noisy(peak_rate * k.diurnal(t, utc_off, night=0.05, peaks=(10.5, 15.5)), 0.07)
        fail = low_share if broken(t) else 0.002
        per_attempt = (1 - fail) * kit.noisy(0.42, 0.1) + fail * 10.0
        capacity = workers * 60.0 / per_attempt
        attempts = min(capacity, backlog + arrivals)
        ok = attempts * (1 - fail)
        backlog = max(0.0, backlog + arrivals - ok)
        if backlog > arrivals * 1.2:
            oldest = min(oldest + 60.0, (backlog / max(ok, 1.0)) * 60.0)
        else:
            oldest = kit.noisy(6.0, 0.5)
        stats[t] = (arrivals, attempts, ok, backlog)
        kit.put("AWS/SQS", "NumberOfMessagesSent", q_dims, t, round(arrivals), "Count")
        kit.put("AWS/SQS", "NumberOfMessagesReceived", q_dims, t, round(attempts), "Count")
        kit.put("AWS/SQS", "NumberOfMessagesDeleted", q_dims, t, round(ok), "Count")
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", q_dims, t, round(backlog), "Count")
        kit.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            q_dims,
            t,
            round(min(attempts, workers) * (1 + 3 * fail)),
            "Count",
        )
        kit.put("AWS/SQS", "ApproximateAgeOfOldestMessage", q_dims, t, round(oldest), "Seconds")
        kit.put(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            q_dims,
            t,
            round(kit.noisy(90 if backlog < 5 else 2, 0.3)),
            "Count",
        )
        dlq = {"QueueName": "rx-outbound-dlq"}
        if t >= onset + timedelta(minutes=11):
            dead += kit.poisson(attempts * fail**10)
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq, t, dead, "Count")
        # notify-sms: small volume, retries hide most failures
        sms = kit.noisy(70 * k.diurnal(t, utc_off, night=0.1), 0.12)
        ns = {"QueueName": "notify-sms"}
        kit.put("AWS/SQS", "NumberOfMessagesSent", ns, t, round(sms), "Count")
        kit.put(
            "AWS/SQS", "NumberOfMessagesDeleted", ns, t, round(sms * (0.97 if broken(t) else 1.0)), "Count"
        )
        kit.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            ns,
            t,
            round(kit.noisy(4 if broken(t) else 1, 0.6)),
            "Count",
        )
        kit.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            ns,
            t,
            round(kit.noisy(14 if broken(t) else 3, 0.5)),
            "Seconds",
        )
        kit.put(
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "notify-sms-dlq"}, t, 0, "Count"
        )
        # NAT gateways
        for ni, (nid, _eni, _pip, _eip, _az) in enumerate(nats):
            share = 0.5 + (0.04 if ni == 0 else -0.04)
            conns = (attempts + sms * 1.2) * share + kit.noisy(160 * k.diurnal(t, utc_off, night=0.3), 0.1)
            est = (
                conns * (1 - fail) * kit.noisy(0.998, 0.001) if broken(t) else conns * kit.noisy(0.998, 0.001)
            )
            d = {"NatGatewayId": nid}
            kit.put("AWS/NATGateway", "ConnectionAttemptCount", d, t, round(conns), "Count")
            kit.put("AWS/NATGateway", "ConnectionEstablishedCount", d, t, round(min(est, conns)), "Count")
            kit.put(
                "AWS/NATGateway",
                "ActiveConnectionCount",
                d,
                t,
                round(kit.noisy(420, 0.08) * (1.1 if broken(t) else 1.0)),
                "Count",
            )
            kit.put("AWS/NATGateway", "ErrorPortAllocation", d, t, 0, "Count")
            kit.put("AWS/NATGateway", "PacketsDropCount", d, t, 0, "Count")
            kit.put(
                "AWS/NATGateway",
                "IdleTimeoutCount",
                d,
                t,
                round(kit.noisy(3, 0.6) + (conns * fail * 0.05 if broken(t) else 0)),
                "Count",
            )
            out_b = est * kit.noisy(5200, 0.1)
            kit.put("AWS/NATGateway", "BytesOutToDestination", d, t, round(out_b), "Bytes")
            kit.put(
                "AWS/NATGateway", "BytesInFromDestination", d, t, round(out_b * kit.noisy(2.6, 0.1)), "Bytes"
            )
            kit.put(
                "AWS/NATGateway", "BytesInFromSource", d, t, round(out_b * kit.noisy(1.01, 0.01)), "Bytes"
            )
            kit.put("AWS/NATGateway", "BytesOutToSource", d, t, round(out_b * kit.noisy(2.55, 0.1)), "Bytes")
    for iid in relay_ids + notify_ids:
        base = rng.uniform(9, 16) if iid in relay_ids else rng.uniform(4, 8)

        def cpu(t: datetime, b: float = base) -> float:
            return kit.noisy(b * (0.5 + k.diurnal(t, utc_off)) * (0.8 if broken(t) else 1.0), 0.1)

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu, step=300)
        kit.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t: 0.0, step=300)
        kit.series(
            "AWS/EC2",
            "NetworkOut",
            {"InstanceId": iid},
            "Bytes",
            lambda t: kit.noisy(2.1e7 * k.diurnal(t, utc_off, night=0.1), 0.1),
            step=300,
        )

    # ---- alarms -------------------------------------------------------------------------------
    ops = [kit.arn("sns", "quillwell-oncall")]
    kit.alarm(
        "rx-outbound-oldest-message-age",
        "Prescriptions waiting more than 5 minutes to be relayed to the pharmacy network",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q_dims,
        "Maximum",
        60,
        5,
        300,
        "GreaterThanThreshold",
        datapoints=3,
        actions=ops,
    )
    kit.alarm(
        "rx-outbound-dlq-not-empty",
        "Prescriptions dead-lettered by rx-relay",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "rx-outbound-dlq"},
        "Maximum",
        60,
        1,
        0,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "notify-sms-oldest-message-age",
        "SMS notifications delayed more than 2 minutes",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "notify-sms"},
        "Maximum",
        60,
        5,
        120,
        "GreaterThanThreshold",
        datapoints=3,
        actions=ops,
    )
    for nid, *_ in nats:
        kit.alarm(
            f"{nid}-port-allocation-errors",
            "NAT gateway could not allocate a source port",
            "AWS/NATGateway",
            "ErrorPortAllocation",
            {"NatGatewayId": nid},
            "Sum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            actions=ops,
        )

    # ---- logs ---------------------------------------------------------------------------------
    gw = "gateway.scriptlink-eps.co.uk"
    gw_ips = [
        f"{rng.choice([20, 51, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
        for _ in range(2)
    ]
    sms_host = "api.textbridge.io"
    for t in kit.minutes(60):
        arrivals, attempts, ok, backlog = stats[t]
        for iid in relay_ids:
            stream = f"{iid}/rx-relay"
            for _ in range(2):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                fail = broken(ts) and rng.random() < low_share
                ods = f"F{rng.choice('ABCDEFGHJKLMNPQRTVWXY')}{rng.choice('ABCDEFGHJKLMNPQRTVWXY')}{rng.randint(10, 99)}"
                rx = f"{kit.hex(6).upper()}-{rng.choice(['C', 'K', 'Z'])}{rng.randint(10000, 99999)}-{kit.hex(5).upper()}"
                if fail:
                    msg = {
                        "level": 50,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": hosts[iid],
                        "msg": "prescription delivery attempt failed; message will be retried",
                        "prescriptionId": rx,
                        "dispenser": ods,
                        "attempt": rng.randint(1, 4),
                        "err": {
                            "type": "ConnectTimeoutError",
                            "message": f"Connect Timeout Error (attempted address: {gw}:443, timeout: 10000ms)",
                            "stack": f"ConnectTimeoutError: Connect Timeout Error (attempted address: {gw}:443, timeout: 10000ms)\n    at onConnectTimeout (/app/node_modules/undici/lib/core/connect.js:190:24)\n    at /app/node_modules/undici/lib/core/connect.js:133:46\n    at Immediate._onImmediate (/app/node_modules/undici/lib/core/connect.js:174:9)\n    at process.processImmediate (node:internal/timers:483:21)",
                            "code": "UND_ERR_CONNECT_TIMEOUT",
                        },
                    }
                else:
                    msg = {
                        "level": 30,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": hosts[iid],
                        "msg": "prescription delivered",
                        "prescriptionId": rx,
                        "dispenser": ods,
                        "status": 200,
                        "latencyMs": int(kit.noisy(380, 0.3)),
                        "queueAgeMs": int(
                            max(
                                1.0, (backlog / max(ok, 1.0)) * 60000 if backlog > 50 else kit.noisy(900, 0.5)
                            )
                        ),
                    }
                kit.log("/quillwell/prod/rx-relay", stream, ts, json.dumps(msg, separators=(",", ":")))
            if rng.random() < 0.015:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                kit.log(
                    "/quillwell/prod/rx-relay",
                    stream,
                    ts,
                    json.dumps(
                        {
                            "level": 40,
                            "time": k.ms(ts),
                            "pid": 1,
                            "hostname": hosts[iid],
                            "msg": "dispenser rejected message: unknown ODS code, sending to manual review",
                            "status": 422,
                        },
                        separators=(",", ":"),
                    ),
                )
        for iid in notify_ids:
            stream = f"{iid}/notify-sms"
            if rng.random() < 0.5:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    "/quillwell/prod/notify-sms",
                    stream,
                    ts,
                    f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} INFO [notify.worker] sent sms provider_id=SM{kit.hex(24)} template=rx-ready status=202",
                )
            if broken(t) and rng.random() < 0.35:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                obj = f"0x7f{kit.hex(10)}"
                kit.log(
                    "/quillwell/prod/notify-sms",
                    stream,
                    ts,
                    f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} WARNING [urllib3.connectionpool] Retrying "
                    f"(Retry(total=2, connect=2, read=3, redirect=None, status=None)) after connection broken by "
                    f"'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at {obj}>, 'Connection to {sms_host} "
                    "timed out. (connect timeout=3.05)')': /v2/messages",
                )
            if rng.random() < 0.01:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    "/quillwell/prod/notify-sms",
                    stream,
                    ts,
                    f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} WARNING [notify.worker] provider rejected number as "
                    "not mobile, dropping message code=21614",
                )
        # VPC flow logs for the NAT gateway interfaces (a sample)
        for _nid, eni, pip, _eip, _az in nats:
            for _ in range(2):
                sport = rng.randint(1024, 65535)
                dst = rng.choice(gw_ips)
                st = int(t.timestamp())
                pk = rng.randint(8, 30)
                kit.log(
                    "/vpc/prod/flow-logs",
                    f"{eni}-all",
                    t + timedelta(seconds=rng.uniform(50, 59)),
                    f"2 {acct} {eni} {pip} {dst} {sport} 443 6 {pk} {pk * rng.randint(90, 400)} {st} {st + 59} ACCEPT OK",
                )
                if broken(t) and sport < 32768:
                    kit.log(
                        "/vpc/prod/flow-logs",
                        f"{eni}-all",
                        t + timedelta(seconds=rng.uniform(50, 59)),
                        f"2 {acct} {eni} {dst} {pip} 443 {sport} 6 {rng.randint(2, 4)} {rng.randint(2, 4) * 60} {st} {st + 59} REJECT OK",
                    )
                else:
                    kit.log(
                        "/vpc/prod/flow-logs",
                        f"{eni}-all",
                        t + timedelta(seconds=rng.uniform(50, 59)),
                        f"2 {acct} {eni} {dst} {pip} 443 {sport} 6 {pk + 3} {(pk + 3) * rng.randint(300, 1400)} {st} {st + 59} ACCEPT OK",
                    )
            if rng.random() < 0.2:
                st = int(t.timestamp())
                kit.log(
                    "/vpc/prod/flow-logs",
                    f"{eni}-all",
                    t + timedelta(seconds=rng.uniform(50, 59)),
                    f"2 {acct} {eni} {block_ip[:-3]} {pip} {rng.randint(30000, 60000)} {rng.choice([22, 23, 3389, 8080])} 6 1 44 {st} {st + 59} REJECT OK",
                )

    # ---- CloudTrail ---------------------------------------------------------------------------
    eng = k.sso_user(
        kit,
        "NetworkAdmin",
        rng.choice(["priya.raman", "tom.hollis", "aisha.bello"]) + "@quillwell.health",
        console=False,
    )
    dev = k.sso_user(
        kit, "Developer", rng.choice(["marek.nowak", "chloe.wu", "sam.okafor"]) + "@quillwell.health"
    )
    oncall = k.sso_user(kit, "ReadOnly", rng.choice(["dan.price", "lena.fischer"]) + "@quillwell.health")
    ci = k.terraform_ci(kit, "gha-deploy-apps")
    dd = k.role_session(
        kit,
        "DatadogIntegrationRole",
        rng.choice(["datadog-aws-integration"]),
        kit.public_ip(),
        "Datadog/AWS-Integration aws-sdk-go/1.50.0 (go1.21.6; linux; amd64)",
    )
    relay_role = k.role_session(
        kit,
        "rx-relay-prod",
        relay_ids[0],
        f"10.{cidr2}.16.{rng.randint(4, 250)}",
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.1.84-99.169.amzn2023.x86_64 lang/js md/nodejs#20.12.1 api/sqs#3.540.0",
    )
    k.routine_reads(
        kit,
        [oncall, dev, dd, eng],
        [
            ("ec2.amazonaws.com", "DescribeNetworkAcls", {"networkAclIdSet": {}, "filterSet": {}}),
            ("ec2.amazonaws.com", "DescribeNatGateways", {"DescribeNatGatewaysRequest": {}}),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/rx-outbound",
                    "attributeNames": ["All"],
                },
            ),
        ],
        30,
    )
    # morning: app deploy of notify-sms config and routine instance-role activity
    for h in range(0, 4):
        t = kit.start + timedelta(hours=h, minutes=rng.randint(0, 50))
        ct(
            kit,
            t,
            relay_role,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {
                "secretId": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/rx-relay/scriptlink-client-cert-{kit.alnum(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
            },
            None,
            read_only=True,
        )
    t_ci = onset - timedelta(minutes=rng.randint(95, 150))
    ct(
        kit,
        t_ci,
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/prod/notify-sms/TEMPLATE_VERSION",
            "type": "String",
            "overwrite": True,
            "value": f"2024.{rng.randint(10, 99)}",
        },
        {"version": rng.randint(10, 60), "tier": "Standard"},
    )
    # the operator's session: block an abusive address, then the ephemeral-range rule
    t_block = onset - timedelta(minutes=rng.randint(12, 22), seconds=rng.randint(0, 59))
    ct(
        kit,
        t_block - timedelta(minutes=2),
        eng,
        "ec2.amazonaws.com",
        "DescribeNetworkAcls",
        {"networkAclIdSet": {"items": [{"networkAclId": nacl_pub}]}, "filterSet": {}},
        None,
        read_only=True,
    )
    ct(
        kit,
        t_block,
        eng,
        "ec2.amazonaws.com",
        "CreateNetworkAclEntry",
        {
            "networkAclId": nacl_pub,
            "ruleNumber": 90,
            "egress": False,
            "ruleAction": "deny",
            "icmpTypeCode": {},
            "portRange": {},
            "aclProtocol": "-1",
            "cidrBlock": block_ip,
        },
        k.ec2_resp(kit),
    )
    t_change = onset - timedelta(seconds=rng.randint(20, 70))
    culprit = ct(
        kit,
        t_change,
        eng,
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        {
            "networkAclId": nacl_pub,
            "ruleNumber": 120,
            "egress": False,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {"from": 32768, "to": 65535},
            "aclProtocol": "6",
            "cidrBlock": "0.0.0.0/0",
        },
        k.ec2_resp(kit),
    )
    ct(
        kit,
        t_change + timedelta(seconds=rng.randint(20, 60)),
        eng,
        "ec2.amazonaws.com",
        "DescribeNetworkAcls",
        {"networkAclIdSet": {"items": [{"networkAclId": nacl_pub}]}, "filterSet": {}},
        None,
        read_only=True,
    )
    # innocent: a developer raises the rx-outbound alarm's evaluation window in the console; a CI deploy of notify-sms
    t_dev = onset + timedelta(minutes=rng.randint(6, 14))
    ct(
        kit,
        t_dev,
        dev,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/notify-sms",
            "attributes": {"ReceiveMessageWaitTimeSeconds": "20"},
        },
        None,
    )
    t_ci2 = onset - timedelta(minutes=rng.randint(3, 9))
    ct(
        kit,
        t_ci2,
        ci,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        {
            "autoScalingGroupName": "notify-sms-prod",
            "preferences": {"minHealthyPercentage": 50, "instanceWarmup": 120, "skipMatching": True},
        },
        {"instanceRefreshId": kit.uuid()},
    )
    ct(
        kit,
        t_ci2 - timedelta(seconds=40),
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_notify[0],
                "SourceVersion": lt_notify[2],
                "LaunchTemplateData": {"UserData": "<sensitiveDataRemoved>"},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": kit.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_notify[0],
                    "launchTemplateName": lt_notify[1],
                    "versionNumber": int(lt_notify[2]) + 1,
                    "createTime": k.iso_ms(t_ci2 - timedelta(seconds=40)),
                    "createdBy": ci.identity["arn"],
                    "defaultVersion": False,
                },
            }
        },
    )
    ct(
        kit,
        onset + timedelta(minutes=rng.randint(20, 30)),
        oncall,
        "monitoring.amazonaws.com",
        "GetMetricData",
        {"startTime": k.iso(onset - timedelta(hours=3)), "endTime": k.iso(onset + timedelta(minutes=30))},
        None,
        read_only=True,
    )
    # the instance refresh is a no-op (skipMatching, same AMI): ASG records it anyway
    kit.event(
        "autoscaling",
        {
            "ActivityId": kit.uuid(),
            "AutoScalingGroupName": "notify-sms-prod",
            "Description": "Instance refresh skipped all instances: instances already match the desired configuration",
            "Cause": f"At {t_ci2:%Y-%m-%dT%H:%M:%SZ} an instance refresh was started.",
            "StartTime": k.iso_ms(t_ci2 + timedelta(seconds=3)),
            "EndTime": k.iso_ms(t_ci2 + timedelta(seconds=35)),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": "{}",
        },
    )

    question = (
        f"Pharmacies are ringing support saying e-prescriptions are arriving late or not at all since around "
        f"{local_onset.replace(minute=local_onset.minute - local_onset.minute % 5):%-I:%M%p}".replace(
            "AM", "am"
        )
        + ". rx-relay is logging timeouts and the rx-outbound queue is backing up. ScriptLink say their gateway is fine. "
        "What is going on?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": nacl_pub,
            "category": "change",
            "failure_mode": "nacl-ephemeral-range-narrowed",
            "event_id": culprit["eventID"],
        },
        "also_accept": ["prod-public"],
        "actions": ["rollback"],
        "chain": [
            f"Network ACL {nacl_pub} (prod-public) inbound rule 120 narrowed to TCP 32768-65535",
            "Replies to NAT gateway connections on source ports 1024-32767 are dropped at the public subnets",
            "About half of rx-relay's connects to the pharmacy gateway time out after 10s",
            "rx-relay throughput halves and the rx-outbound queue backs up; prescriptions arrive late",
        ],
    }
    return kit.bundle(TITLE, {"question": question, "alarm_event": None, "timezone": TZ}, truth)
