"""Loan funding step failing: ledger calls time out from the app VPC after a Transit Gateway route change."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzc as k

NAME = "loan-funding-ledger-timeouts"
TITLE = "Loan applications failing at the funding step this afternoon; is the ledger down?"
SUMMARY = (
    "A static Transit Gateway route meant for a new on-prem range was typed over part of the "
    "shared-services VPC, sending the app VPC's ledger traffic into the VPN; funding calls time out."
)

ACCOUNT_POOL = ["418273905516", "630918274455", "752610394827"]
REGION = "us-east-1"
TZ = "America/New_York"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = rng.choice(ACCOUNT_POOL)
    onset = k.base_day(rng, rng.randint(18, 20), rng.randint(0, 59)).replace(second=rng.randint(0, 59))
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 20))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(40, 55))
    end = now
    dc_block = rng.choice([140, 141])

    tgw = k.hexid(rng, "tgw-")
    rt_prod = k.hexid(rng, "tgw-rtb-")
    rt_shared = k.hexid(rng, "tgw-rtb-")
    att_prod = k.hexid(rng, "tgw-attach-")
    att_shared = k.hexid(rng, "tgw-attach-")
    att_egress = k.hexid(rng, "tgw-attach-")
    att_vpn = k.hexid(rng, "tgw-attach-")
    vpn_id = k.hexid(rng, "vpn-")
    cgw = k.hexid(rng, "cgw-")
    vpc_prod, vpc_shared, vpc_egress = (k.hexid(rng, "vpc-") for _ in range(3))
    sg_app = k.hexid(rng, "sg-")
    sg_ledger = k.hexid(rng, "sg-")
    topic = f"arn:aws:sns:{REGION}:{acct}:platform-oncall"
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    culprit_cidr = "10.40.16.0/20"
    wanted = [f"10.{dc_block}.0.0/20", f"10.{dc_block}.16.0/20"]

    # --- resources -------------------------------------------------------------------------------------
    res: list[k.Rec] = []
    created = onset - timedelta(days=rng.randint(300, 700))
    res.append(
        {
            "service": "ec2",
            "type": "TransitGateway",
            "item": {
                "TransitGatewayId": tgw,
                "TransitGatewayArn": f"arn:aws:ec2:{REGION}:{acct}:transit-gateway/{tgw}",
                "State": "available",
                "OwnerId": acct,
                "Description": "core network hub",
                "CreationTime": k.iso(created),
                "Options": {
                    "AmazonSideAsn": 64512,
                    "AutoAcceptSharedAttachments": "disable",
                    "DefaultRouteTableAssociation": "disable",
                    "DefaultRouteTablePropagation": "disable",
                    "VpnEcmpSupport": "enable",
                    "DnsSupport": "enable",
                },
                "Tags": k.tags(Name="core-tgw"),
            },
        }
    )
    for rtid, name in ((rt_prod, "prod-spoke-rt"), (rt_shared, "shared-services-rt")):
        res.append(
            {
                "service": "ec2",
                "type": "TransitGatewayRouteTable",
                "item": {
                    "TransitGatewayRouteTableId": rtid,
                    "TransitGatewayId": tgw,
                    "State": "available",
                    "DefaultAssociationRouteTable": False,
                    "DefaultPropagationRouteTable": False,
                    "CreationTime": k.iso(created + timedelta(minutes=7)),
                    "Tags": k.tags(Name=name),
                },
            }
        )
    atts = [
        (att_prod, "vpc", vpc_prod, "prod-app", rt_prod),
        (att_shared, "vpc", vpc_shared, "shared-services", rt_shared),
        (att_egress, "vpc", vpc_egress, "egress-inspection", rt_shared),
        (att_vpn, "vpn", vpn_id, "dc1-vpn", rt_shared),
    ]
    for aid, rtype, rid, name, rt in atts:
        res.append(
            {
                "service": "ec2",
                "type": "TransitGatewayAttachment",
                "item": {
                    "TransitGatewayAttachmentId": aid,
                    "TransitGatewayId": tgw,
                    "TransitGatewayOwnerId": acct,
                    "ResourceOwnerId": acct,
                    "ResourceType": rtype,
                    "ResourceId": rid,
                    "State": "available",
                    "Association": {"TransitGatewayRouteTableId": rt, "State": "associated"},
                    "CreationTime": k.iso(created + timedelta(days=rng.randint(1, 60))),
                    "Tags": k.tags(Name=name),
                },
            }
        )
    for cidr, name, vid in (
        ("10.20.0.0/16", "prod-app", vpc_prod),
        ("10.40.0.0/16", "shared-services", vpc_shared),
        ("10.0.0.0/16", "egress-inspection", vpc_egress),
    ):
        res.append({"service": "ec2", "type": "Vpc", "item": k.vpc(vid, cidr, name, acct)})
    res.append(
        {
            "service": "ec2",
            "type": "VpnConnection",
            "item": {
                "VpnConnectionId": vpn_id,
                "CustomerGatewayId": cgw,
                "TransitGatewayId": tgw,
                "Category": "VPN",
                "State": "available",
                "Type": "ipsec.1",
                "Options": {"StaticRoutesOnly": False, "TunnelInsideIpVersion": "ipv4"},
                "VgwTelemetry": [
                    {
                        "OutsideIpAddress": "3.214.88.19",
                        "Status": "UP",
                        "StatusMessage": "1 BGP ROUTES",
                        "AcceptedRouteCount": 1,
                        "LastStatusChange": k.iso(onset - timedelta(hours=2, minutes=11)),
                    },
                    {
                        "OutsideIpAddress": "52.4.172.201",
                        "Status": "UP",
                        "StatusMessage": "1 BGP ROUTES",
                        "AcceptedRouteCount": 1,
                        "LastStatusChange": k.iso(onset - timedelta(days=9)),
                    },
                ],
                "Tags": k.tags(Name="dc1-vpn"),
            },
        }
    )

    app_ids = [k.hexid(rng, "i-") for _ in range(3)]
    app_ips = [f"10.20.{11 + 16 * n}.{rng.randint(10, 240)}" for n in range(3)]
    app_enis = [k.hexid(rng, "eni-") for _ in range(3)]
    app_subnets = [k.hexid(rng, "subnet-") for _ in range(3)]
    ami = k.hexid(rng, "ami-")
    for n in range(3):
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": k.instance(
                    app_ids[n],
                    "m6i.large",
                    app_ips[n],
                    app_subnets[n],
                    vpc_prod,
                    azs[n],
                    (sg_app, "loans-api"),
                    onset - timedelta(days=rng.randint(3, 20)),
                    "loans-api",
                    ami,
                    app_enis[n],
                    "loans-api",
                    acct,
                ),
            }
        )
        res.append(
            {"service": "ec2", "type": "InstanceStatus", "item": k.instance_status(app_ids[n], azs[n])}
        )
        res.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": k.subnet(
                    app_subnets[n],
                    vpc_prod,
                    f"10.20.{16 * n}.0/20",
                    azs[n],
                    f"prod-app-private-{azs[n][-1]}",
                    acct,
                    rng.randint(3900, 4060),
                ),
            }
        )
    ledger_ips = [f"10.40.{rng.choice([16, 17, 18]) + 4 * n}.{rng.randint(20, 200)}" for n in range(3)]
    for n in range(3):
        res.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": k.subnet(
                    k.hexid(rng, "subnet-"),
                    vpc_shared,
                    f"10.40.{16 + 4 * n}.0/22",
                    azs[n],
                    f"shared-ledger-{azs[n][-1]}",
                    acct,
                    rng.randint(990, 1010),
                ),
            }
        )
    alb_name = "loans-public"
    alb_arn = (
        f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/app/{alb_name}/{k.hexid(rng, '', 16)}"
    )
    nlb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/net/ledger-core-int/{k.hexid(rng, '', 16)}"
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"{alb_name}-{rng.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_prod,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": azs[n], "SubnetId": k.hexid(rng, "subnet-")} for n in range(3)
                ],
                "SecurityGroups": [k.hexid(rng, "sg-")],
                "IpAddressType": "ipv4",
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": nlb_arn,
                "DNSName": f"ledger-core-int-{k.hexid(rng, '', 16)}.elb.{REGION}.amazonaws.com",
                "CanonicalHostedZoneId": "Z26RNL4JYFTOTI",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": "ledger-core-int",
                "Scheme": "internal",
                "VpcId": vpc_shared,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [
                    {
                        "ZoneName": azs[n],
                        "SubnetId": k.hexid(rng, "subnet-"),
                        "LoadBalancerAddresses": [{"PrivateIPv4Address": ledger_ips[n]}],
                    }
                    for n in range(3)
                ],
                "IpAddressType": "ipv4",
            },
        }
    )

    # --- metrics ---------------------------------------------------------------------------------------
    metrics: list[k.Rec] = []
    alb_dim = {"LoadBalancer": alb_arn.split("loadbalancer/")[1]}
    nlb_dim = {"LoadBalancer": nlb_arn.split("loadbalancer/")[1]}
    base_rpm = rng.randint(180, 320)
    ledger_share = rng.uniform(0.55, 0.7)

    def rpm(t: datetime) -> float:
        return base_rpm * (1 + 0.1 * ((t.minute * 7 + t.hour * 13) % 10) / 10)

    def broke(t: datetime) -> bool:
        return t >= onset.replace(second=0) + timedelta(minutes=1)

    def target_5xx(t: datetime) -> float | None:
        if broke(t):
            return round(rpm(t) * ledger_share * rng.uniform(0.92, 1.0))
        return rng.choice([None, None, None, 1.0, 2.0])

    def resp_time(t: datetime) -> float:
        return (ledger_share * 10.2 + 0.15) if broke(t) else rng.uniform(0.11, 0.19)

    metrics += k.series(
        "AWS/ApplicationELB", "RequestCount", alb_dim, "Count", start, end, 60, lambda t: round(rpm(t))
    )
    metrics += k.series(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb_dim, "Count", start, end, 60, target_5xx
    )
    metrics += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        alb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: rng.choice([None, None, 3.0, 6.0]) if broke(t) else None,
    )
    metrics += k.series(
        "AWS/ApplicationELB", "TargetResponseTime", alb_dim, "Seconds", start, end, 60, resp_time
    )
    metrics += k.series(
        "AWS/NetworkELB",
        "ActiveFlowCount",
        nlb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: rng.uniform(14, 22) if broke(t) else rng.uniform(160, 210),
    )
    metrics += k.series(
        "AWS/NetworkELB",
        "NewFlowCount",
        nlb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: rng.uniform(20, 40) if broke(t) else rng.uniform(300, 420),
    )
    metrics += k.series(
        "AWS/NetworkELB",
        "HealthyHostCount",
        {**nlb_dim, "TargetGroup": f"targetgroup/ledger-core-8443/{k.hexid(rng, '', 16)}"},
        "Count",
        start,
        end,
        60,
        lambda t: 3.0,
    )

    def tgw_bytes(att: str, direction: str) -> None:
        dims = {"TransitGateway": tgw, "TransitGatewayAttachment": att}

        def val(t: datetime) -> float:
            if att == att_prod:
                b = 5.2e8 if direction == "BytesIn" else 6.1e8
                return b * rng.uniform(0.9, 1.1) * (0.45 if broke(t) else 1.0)
            if att == att_shared:
                b = 4.4e8 if direction == "BytesOut" else 3.9e8
                return b * rng.uniform(0.9, 1.1) * (0.42 if broke(t) else 1.0)
            if att == att_vpn:
                b = 2.1e7
                return b * rng.uniform(0.85, 1.15) + (
                    rng.uniform(1.2e6, 1.6e6) if broke(t) and direction == "BytesOut" else 0
                )
            return 1.4e8 * rng.uniform(0.85, 1.15)

        metrics.extend(k.series("AWS/TransitGateway", direction, dims, "Bytes", start, end, 300, val))

    for att in (att_prod, att_shared, att_egress, att_vpn):
        tgw_bytes(att, "BytesIn")
        tgw_bytes(att, "BytesOut")
    metrics += k.series(
        "AWS/TransitGateway",
        "PacketDropCountBlackhole",
        {"TransitGateway": tgw},
        "Count",
        start,
        end,
        300,
        lambda t: 0.0,
    )
    metrics += k.series(
        "AWS/TransitGateway",
        "PacketDropCountNoRoute",
        {"TransitGateway": tgw},
        "Count",
        start,
        end,
        300,
        lambda t: float(rng.randint(0, 4)),
    )
    tunnel_flap = onset - timedelta(hours=2, minutes=17)

    def tunnel_state(t: datetime) -> float:
        return 0.5 if tunnel_flap <= t < tunnel_flap + timedelta(minutes=6) else 1.0

    metrics += k.series("AWS/VPN", "TunnelState", {"VpnId": vpn_id}, "None", start, end, 300, tunnel_state)
    metrics += k.series(
        "AWS/VPN",
        "TunnelDataOut",
        {"VpnId": vpn_id},
        "Bytes",
        start,
        end,
        300,
        lambda t: 2.0e7 * rng.uniform(0.85, 1.15) + (1.4e6 if broke(t) else 0),
    )
    metrics += k.series(
        "AWS/VPN",
        "TunnelDataIn",
        {"VpnId": vpn_id},
        "Bytes",
        start,
        end,
        300,
        lambda t: 1.8e7 * rng.uniform(0.85, 1.15),
    )
    for iid in app_ids:
        metrics += k.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            start,
            end,
            300,
            lambda t: rng.uniform(8, 14) if broke(t) else rng.uniform(22, 35),
        )

    # --- alarms ----------------------------------------------------------------------------------------
    alarms: list[k.Rec] = []
    history: list[k.Rec] = []
    fire = onset.replace(second=0) + timedelta(minutes=4, seconds=rng.randint(5, 50))
    a5 = k.alarm(
        acct,
        REGION,
        "loans-api-target-5xx",
        "loans-public ALB: target 5xx over 20/min for 3 minutes",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        alb_dim,
        stat="Sum",
        period=60,
        evals=3,
        threshold=20.0,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (20.0).",
        updated=fire,
        configured=onset - timedelta(days=140),
        topic=topic,
        missing="notBreaching",
    )
    vals = [round(rpm(onset) * ledger_share)] * 3
    rd = k.reason_data(a5, fire, [float(v) for v in vals])
    alarms.append(a5)
    history.append(k.transition(a5, fire, "OK", "ALARM", a5["StateReason"], rd))
    lat = k.alarm(
        acct,
        REGION,
        "loans-api-latency-high",
        "loans-public ALB average target response time over 1.5s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        alb_dim,
        stat="Average",
        period=60,
        evals=5,
        threshold=1.5,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (1.5).",
        updated=fire + timedelta(minutes=2),
        configured=onset - timedelta(days=140),
        topic=topic,
    )
    alarms.append(lat)
    history.append(
        k.transition(
            lat,
            fire + timedelta(minutes=2),
            "OK",
            "ALARM",
            lat["StateReason"],
            k.reason_data(lat, fire + timedelta(minutes=2), [round(ledger_share * 10.2 + 0.15, 2)] * 5),
        )
    )
    vpn_a = k.alarm(
        acct,
        REGION,
        "dc1-vpn-tunnel-down",
        "Either dc1 tunnel down",
        "AWS/VPN",
        "TunnelState",
        {"VpnId": vpn_id},
        stat="Minimum",
        period=300,
        evals=1,
        threshold=1.0,
        op="LessThanThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint [1.0] was not less than the threshold (1.0).",
        updated=tunnel_flap + timedelta(minutes=10),
        configured=onset - timedelta(days=400),
        topic=topic,
    )
    alarms.append(vpn_a)
    history.append(
        k.transition(
            vpn_a,
            tunnel_flap + timedelta(minutes=5),
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [0.5] was less than the threshold (1.0).",
            k.reason_data(vpn_a, tunnel_flap + timedelta(minutes=5), [0.5]),
        )
    )
    history.append(
        k.transition(
            vpn_a,
            tunnel_flap + timedelta(minutes=10),
            "ALARM",
            "OK",
            vpn_a["StateReason"],
            k.reason_data(vpn_a, tunnel_flap + timedelta(minutes=10), [1.0]),
        )
    )
    alarms.append(
        k.alarm(
            acct,
            REGION,
            "ledger-core-unhealthy-hosts",
            "ledger-core NLB healthy hosts below 2",
            "AWS/NetworkELB",
            "HealthyHostCount",
            {**nlb_dim},
            stat="Minimum",
            period=60,
            evals=3,
            threshold=2.0,
            op="LessThanThreshold",
            state="OK",
            reason="Threshold Crossed: 3 datapoints were not less than the threshold (2.0).",
            updated=onset - timedelta(days=12),
            configured=onset - timedelta(days=200),
            topic=topic,
        )
    )
    alarms.append(
        k.alarm(
            acct,
            REGION,
            "core-tgw-blackhole-drops",
            "Packets dropped on blackhole routes",
            "AWS/TransitGateway",
            "PacketDropCountBlackhole",
            {"TransitGateway": tgw},
            stat="Sum",
            period=300,
            evals=2,
            threshold=1000.0,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 2 datapoints were not greater than the threshold (1000.0).",
            updated=onset - timedelta(days=33),
            configured=onset - timedelta(days=300),
            topic=topic,
        )
    )

    # --- logs ------------------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    host = "ledger-core.internal.fernwood.net"
    t = start
    threads = ["http-nio-8080-exec-" + str(n) for n in range(1, 41)]
    while t < now:
        n = rng.randrange(3)
        stream = f"{app_ids[n]}/application.log"
        th = rng.choice(threads)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{rng.randint(0, 999):03d}"
        if broke(t) and rng.random() < 0.8:
            ip = rng.choice(ledger_ips)
            msg = (
                f"{stamp} ERROR 1 --- [{th}] c.f.loans.funding.FundingService        : funding failed for application "
                f'LA-{rng.randint(1000000, 9999999)}: I/O error on POST request for "https://{host}:8443/v2/postings": '
                f"Connect to {host}:8443 [{host}/{ip}] failed: Connect timed out"
            )
        else:
            roll = rng.random()
            if roll < 0.7:
                msg = f"{stamp}  INFO 1 --- [{th}] c.f.loans.funding.FundingService        : application LA-{rng.randint(1000000, 9999999)} funded, posting {k.uid(rng)[:8]} accepted in {rng.randint(40, 190)} ms"
            elif roll < 0.9:
                msg = f"{stamp}  INFO 1 --- [{th}] c.f.loans.rates.RateClient              : rate sheet refreshed from http://rates-svc.internal.fernwood.net/v1/sheets/current in {rng.randint(8, 40)} ms"
            else:
                msg = f"{stamp}  WARN 1 --- [{th}] .m.m.a.ExceptionHandlerExceptionResolver : Resolved [org.springframework.web.bind.MethodArgumentNotValidException: Validation failed for argument [0]: field 'amount' must be greater than 0]"
        logs.append(
            {"log_group": "/fernwood/loans-api", "log_stream": stream, "timestamp": k.ms(t), "message": msg}
        )
        t += timedelta(seconds=rng.randint(8, 30))
    # VPC flow logs from the app VPC, loans-api interfaces to the ledger NLB
    t = start
    while t < now:
        n = rng.randrange(3)
        dst = rng.choice(ledger_ips)
        sport = rng.randint(32768, 60999)
        if broke(t):
            line = k.flow(
                acct, app_enis[n], app_ips[n], dst, sport, 8443, rng.randint(2, 3), rng.choice([120, 180]), t
            )
            logs.append(
                {
                    "log_group": "/vpc/prod-app/flow-logs",
                    "log_stream": f"{app_enis[n]}-all",
                    "timestamp": k.ms(t) + 60000,
                    "message": line,
                }
            )
        else:
            p = rng.randint(9, 30)
            logs.append(
                {
                    "log_group": "/vpc/prod-app/flow-logs",
                    "log_stream": f"{app_enis[n]}-all",
                    "timestamp": k.ms(t) + 60000,
                    "message": k.flow(
                        acct, app_enis[n], app_ips[n], dst, sport, 8443, p, p * rng.randint(300, 900), t
                    ),
                }
            )
            logs.append(
                {
                    "log_group": "/vpc/prod-app/flow-logs",
                    "log_stream": f"{app_enis[n]}-all",
                    "timestamp": k.ms(t) + 60000,
                    "message": k.flow(
                        acct, app_enis[n], dst, app_ips[n], 8443, sport, p - 1, p * rng.randint(500, 1400), t
                    ),
                }
            )
        t += timedelta(seconds=rng.randint(40, 90))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail ------------------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    neteng = tr.role(
        "AWSReservedSSO_NetworkAdmin_5c1e0b7a93d2f481",
        rng.choice(["d.okafor@fernwood.net", "m.lindqvist@fernwood.net"]),
    )
    devops = tr.role("AWSReservedSSO_PlatformEngineer_0a9b3c4d5e6f7a8b", "j.reyes@fernwood.net")
    tf = tr.role("terraform-ci", "atlantis-" + str(rng.randint(1000, 9999)))
    grafana = tr.role("grafana-cloudwatch-read", "grafana")
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    tfa = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0"
    grafa = "Grafana/10.4.1 aws-sdk-go/1.50.8 (go1.21.9; linux; amd64)"
    tr.noise(
        start,
        now,
        [
            ("ec2.amazonaws.com", "DescribeInstances", tf, {"instancesSet": {}, "filterSet": {}}, tfa),
            (
                "ec2.amazonaws.com",
                "DescribeTransitGatewayAttachments",
                tf,
                {"DescribeTransitGatewayAttachmentsRequest": {}},
                tfa,
            ),
            ("ec2.amazonaws.com", "DescribeVpcs", tf, {"vpcSet": {}, "filterSet": {}}, tfa),
            ("monitoring.amazonaws.com", "GetMetricData", grafana, None, grafa),
            ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}, grafa),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                tf,
                {
                    "targetGroupArn": nlb_arn.replace(":loadbalancer/net/", ":targetgroup/").rsplit("/", 1)[0]
                    + "-8443/"
                    + k.hexid(rng, "", 16)
                },
                tfa,
            ),
        ],
        rng.randint(34, 48),
    )
    # innocent changes
    tr.add(
        onset - timedelta(minutes=rng.randint(55, 80)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        devops,
        {
            "groupId": sg_ledger,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "ipRanges": {
                            "items": [
                                {"cidrIp": "10.30.0.0/16", "description": "analytics VPC read-only reporting"}
                            ]
                        },
                    }
                ]
            },
        },
        {
            "requestId": k.uid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "cidrIpv4": "10.30.0.0/16",
                        "securityGroupRuleId": k.hexid(rng, "sgr-"),
                        "groupId": sg_ledger,
                    }
                ]
            },
        },
        agent=console,
        ip="198.51.100.23",
    )
    dep = "d-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    tr.add(
        onset - timedelta(minutes=rng.randint(28, 40)),
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        tr.role("github-actions-deploy", "GitHubActions"),
        {
            "applicationName": "loans-api",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"fernwood-artifacts-{acct}",
                    "key": f"loans-api/loans-api-4.{rng.randint(10, 40)}.{rng.randint(0, 9)}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        },
        {"deploymentId": dep},
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/codedeploy#3.556.0",
        ip="140.82.112.21",
    )
    tr.add(
        onset - timedelta(minutes=rng.randint(90, 130)),
        "network-firewall.amazonaws.com",
        "UpdateRuleGroup",
        devops,
        {
            "ruleGroupName": "egress-domain-allowlist",
            "type": "STATEFUL",
            "updateToken": k.uid(rng),
            "ruleGroup": "***",
        },
        {
            "updateToken": k.uid(rng),
            "ruleGroupResponse": {
                "ruleGroupName": "egress-domain-allowlist",
                "type": "STATEFUL",
                "ruleGroupStatus": "ACTIVE",
                "capacity": 200,
            },
        },
        agent=console,
        ip="198.51.100.23",
    )
    # the network change: routes for the new DC ranges, first in shared-services-rt, then prod-spoke-rt
    t0 = onset - timedelta(minutes=rng.randint(6, 9))
    sess_ip = rng.choice(["203.0.113.77", "203.0.113.140"])
    tr.add(
        t0 - timedelta(minutes=3),
        "ec2.amazonaws.com",
        "SearchTransitGatewayRoutes",
        neteng,
        {
            "SearchTransitGatewayRoutesRequest": {
                "TransitGatewayRouteTableId": rt_prod,
                "Filter": {"Name": "type", "Value": {"content": "static", "tag": 1}},
            }
        },
        read_only=True,
        agent=console,
        ip=sess_ip,
    )

    def create_route(t: datetime, rt: str, cidr: str) -> k.Rec:
        return tr.add(
            t,
            "ec2.amazonaws.com",
            "CreateTransitGatewayRoute",
            neteng,
            {
                "CreateTransitGatewayRouteRequest": {
                    "TransitGatewayRouteTableId": rt,
                    "DestinationCidrBlock": cidr,
                    "TransitGatewayAttachmentId": att_vpn,
                }
            },
            {
                "CreateTransitGatewayRouteResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "requestId": k.uid(rng),
                    "route": {
                        "destinationCidrBlock": cidr,
                        "transitGatewayAttachments": {
                            "item": {
                                "resourceId": vpn_id,
                                "transitGatewayAttachmentId": att_vpn,
                                "resourceType": "vpn",
                            }
                        },
                        "type": "static",
                        "state": "active",
                    },
                }
            },
            agent=console,
            ip=sess_ip,
        )

    create_route(t0, rt_shared, wanted[0])
    create_route(t0 + timedelta(seconds=rng.randint(40, 80)), rt_shared, wanted[1])
    create_route(onset - timedelta(seconds=rng.randint(100, 160)), rt_prod, wanted[0])
    culprit = create_route(onset, rt_prod, culprit_cidr)
    tr.add(
        onset + timedelta(seconds=rng.randint(30, 70)),
        "ec2.amazonaws.com",
        "SearchTransitGatewayRoutes",
        neteng,
        {
            "SearchTransitGatewayRoutesRequest": {
                "TransitGatewayRouteTableId": rt_prod,
                "Filter": {"Name": "type", "Value": {"content": "static", "tag": 1}},
            }
        },
        read_only=True,
        agent=console,
        ip=sess_ip,
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(5, 9)),
        "ec2.amazonaws.com",
        "DescribeVpnConnections",
        neteng,
        {"vpnConnectionSet": {"items": [{"vpnConnectionId": vpn_id}]}, "filterSet": {}},
        read_only=True,
        agent=console,
        ip=sess_ip,
    )
    tr.add(
        fire + timedelta(minutes=rng.randint(3, 8)),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        devops,
        {"targetGroupArn": nlb_arn.replace(":loadbalancer/net/", ":targetgroup/")},
        read_only=True,
        agent=console,
        ip="198.51.100.23",
    )

    local = onset.astimezone(ZoneInfo(TZ))
    local = local - timedelta(minutes=local.minute % 5)
    clock = local.strftime("%I:%M").lstrip("0") + local.strftime("%p").lower()
    question = (
        f"Loan applications have been failing at the funding step since about {clock} — customers get "
        "'something went wrong, try again later'. Is the ledger down? Nothing was released on our side apart "
        "from the usual loans-api deploy."
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": rt_prod,
                    "category": "change",
                    "failure_mode": "tgw-static-route-overlaps-vpc-cidr",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["prod-spoke-rt", f"{culprit_cidr} static route", culprit_cidr],
                "actions": ["rollback"],
                "chain": [rt_prod, att_vpn, "ledger-core-int", "loans-api", alb_name],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "resources": res,
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": tr.sorted(),
        },
    )
