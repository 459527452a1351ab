"""Warehouse scanners cannot post to SAP: names in the corporate domain stop resolving through the
Route 53 Resolver outbound endpoint because the on-prem DNS servers it forwards to stop answering."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzc as k

NAME = "dc-scanners-sap-postings-failing"
TITLE = "Reno DC handhelds say 'SAP posting failed' since early morning; is AWS down?"
SUMMARY = (
    "The corporate on-prem DNS servers that the Resolver forwarding rule for corp.kestrel.local targets "
    "stopped answering; lookups of SAP hosts return SERVFAIL while the VPN path and AWS side stay healthy."
)

ACCOUNT_POOL = ["336108257904", "871203946615", "195730284466"]
REGION = "us-east-1"
TZ = "America/Los_Angeles"
DOMAIN = "corp.kestrel.local"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = rng.choice(ACCOUNT_POOL)
    onset = k.base_day(rng, rng.choice([13, 14]), rng.randint(0, 59)).replace(second=rng.randint(0, 59))
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 30))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(40, 60))
    end = now
    azs = ["us-east-1a", "us-east-1b"]
    topic = f"arn:aws:sns:{REGION}:{acct}:wms-oncall"
    vpc_prod, vpc_shared = k.hexid(rng, "vpc-"), k.hexid(rng, "vpc-")
    dns_ips = [f"10.100.{rng.choice([1, 2])}.{n}" for n in (10, 11)]
    edi_ip = f"10.100.7.{rng.randint(20, 60)}"
    sap_host = f"sap-gw{rng.randint(1, 3)}.{DOMAIN}"
    sap_ip = f"10.100.12.{rng.randint(30, 90)}"
    ep_id = k.hexid(rng, "rslvr-out-")
    rule_id = k.hexid(rng, "rslvr-rr-")
    new_rule_id = k.hexid(rng, "rslvr-rr-")
    ep_ips = [f"10.40.{2 + 16 * n}.{rng.randint(10, 250)}" for n in range(2)]
    ep_enis = [k.hexid(rng, "eni-") for _ in range(2)]
    ep_subnets = [k.hexid(rng, "subnet-") for _ in range(2)]
    app_ids = [k.hexid(rng, "i-") for _ in range(2)]
    app_ips = [f"10.20.{3 + 16 * n}.{rng.randint(10, 240)}" for n in range(2)]
    tgw = k.hexid(rng, "tgw-")
    att_vpn = k.hexid(rng, "tgw-attach-")
    vpn_id = k.hexid(rng, "vpn-")
    created = onset - timedelta(days=rng.randint(250, 600))

    def down(t: datetime) -> bool:
        return t >= onset

    # --- resources -------------------------------------------------------------------------------------
    res: list[k.Rec] = [
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_prod, "10.20.0.0/16", "wms-prod", acct)},
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_shared, "10.40.0.0/16", "shared-services", acct)},
    ]
    res.append(
        {
            "service": "route53resolver",
            "type": "ResolverEndpoint",
            "item": {
                "Id": ep_id,
                "CreatorRequestId": f"terraform-{k.hexid(rng, '', 20)}",
                "Arn": f"arn:aws:route53resolver:{REGION}:{acct}:resolver-endpoint/{ep_id}",
                "Name": "shared-outbound",
                "SecurityGroupIds": [k.hexid(rng, "sg-")],
                "Direction": "OUTBOUND",
                "IpAddressCount": 2,
                "HostVPCId": vpc_shared,
                "Status": "OPERATIONAL",
                "StatusMessage": "This Resolver Endpoint is operational.",
                "CreationTime": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "ModificationTime": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "ResolverEndpointType": "IPV4",
                "Protocols": ["Do53"],
                "RniEnhancedMetricsEnabled": False,
                "TargetNameServerMetricsEnabled": False,
            },
        }
    )

    def rule(rid: str, name: str, domain: str, ips: list[str], when: datetime) -> k.Rec:
        ts = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return {
            "service": "route53resolver",
            "type": "ResolverRule",
            "item": {
                "Id": rid,
                "CreatorRequestId": f"terraform-{k.hexid(rng, '', 20)}",
                "Arn": f"arn:aws:route53resolver:{REGION}:{acct}:resolver-rule/{rid}",
                "DomainName": domain + ".",
                "Status": "COMPLETE",
                "StatusMessage": "[Trace id: 1-"
                + k.hexid(rng, "", 8)
                + "-"
                + k.hexid(rng, "", 24)
                + "] Successfully created Resolver Rule.",
                "RuleType": "FORWARD",
                "Name": name,
                "TargetIps": [{"Ip": ip, "Port": 53, "Protocol": "Do53"} for ip in ips],
                "ResolverEndpointId": ep_id,
                "OwnerId": acct,
                "ShareStatus": "NOT_SHARED",
                "CreationTime": ts,
                "ModificationTime": ts,
            },
        }

    new_rule_at = onset - timedelta(minutes=rng.randint(35, 70))
    res.append(rule(rule_id, "corp-kestrel-local", DOMAIN, dns_ips, created))
    res.append(
        rule(
            new_rule_id,
            "analytics-kestrel-cloud",
            "analytics.kestrel.cloud",
            [f"10.48.{n}.2" for n in (0, 16)],
            new_rule_at,
        )
    )
    for rid, name, vpc_id in (
        (rule_id, "corp-kestrel-local-wms-prod", vpc_prod),
        (rule_id, "corp-kestrel-local-shared", vpc_shared),
        (new_rule_id, "analytics-kestrel-cloud-wms-prod", vpc_prod),
    ):
        res.append(
            {
                "service": "route53resolver",
                "type": "ResolverRuleAssociation",
                "item": {
                    "Id": k.hexid(rng, "rslvr-rrassoc-"),
                    "ResolverRuleId": rid,
                    "Name": name,
                    "VPCId": vpc_id,
                    "Status": "COMPLETE",
                    "StatusMessage": "",
                },
            }
        )
    zone_id = "Z0" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(19))
    res.append(
        {
            "service": "route53",
            "type": "HostedZone",
            "item": {
                "Id": f"/hostedzone/{zone_id}",
                "Name": "kestrel.internal.",
                "CallerReference": k.uid(rng),
                "Config": {"Comment": "private zone for AWS workloads", "PrivateZone": True},
                "ResourceRecordSetCount": rng.randint(40, 80),
            },
        }
    )
    ami = k.hexid(rng, "ami-")
    for n in range(2):
        sid = k.hexid(rng, "subnet-")
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": k.instance(
                    app_ids[n],
                    "m6i.large",
                    app_ips[n],
                    sid,
                    vpc_prod,
                    azs[n],
                    (k.hexid(rng, "sg-"), "wms-api"),
                    onset - timedelta(days=rng.randint(4, 30)),
                    "wms-api",
                    ami,
                    k.hexid(rng, "eni-"),
                    "wms-api",
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
                    ep_subnets[n],
                    vpc_shared,
                    f"10.40.{16 * n}.0/20",
                    azs[n],
                    f"shared-private-{azs[n][-1]}",
                    acct,
                    rng.randint(4000, 4080),
                ),
            }
        )
        res.append(
            {
                "service": "ec2",
                "type": "NetworkInterface",
                "item": {
                    "AvailabilityZone": azs[n],
                    "Description": f"Route 53 Resolver: {ep_id}:{k.hexid(rng, 'rni-', 17)}",
                    "Groups": [
                        {"GroupId": res[2]["item"]["SecurityGroupIds"][0], "GroupName": "resolver-outbound"}
                    ],
                    "InterfaceType": "interface",
                    "NetworkInterfaceId": ep_enis[n],
                    "OwnerId": acct,
                    "PrivateIpAddress": ep_ips[n],
                    "RequesterId": "AROAJNPVSGH2W3WQ6ZRIQ:Route53ResolverSession",
                    "RequesterManaged": True,
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": ep_subnets[n],
                    "VpcId": vpc_shared,
                    "TagSet": [],
                },
            }
        )
    res.append(
        {
            "service": "ec2",
            "type": "VpnConnection",
            "item": {
                "VpnConnectionId": vpn_id,
                "CustomerGatewayId": k.hexid(rng, "cgw-"),
                "TransitGatewayId": tgw,
                "Category": "VPN",
                "State": "available",
                "Type": "ipsec.1",
                "Options": {"StaticRoutesOnly": False, "TunnelInsideIpVersion": "ipv4"},
                "VgwTelemetry": [
                    {
                        "OutsideIpAddress": "34.199.61.20",
                        "Status": "UP",
                        "StatusMessage": "2 BGP ROUTES",
                        "AcceptedRouteCount": 2,
                        "LastStatusChange": k.iso(onset - timedelta(days=rng.randint(5, 20))),
                    },
                    {
                        "OutsideIpAddress": "52.0.118.44",
                        "Status": "UP",
                        "StatusMessage": "2 BGP ROUTES",
                        "AcceptedRouteCount": 2,
                        "LastStatusChange": k.iso(onset - timedelta(days=rng.randint(5, 20))),
                    },
                ],
                "Tags": k.tags(Name="reno-dc-vpn"),
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "TransitGatewayAttachment",
            "item": {
                "TransitGatewayAttachmentId": att_vpn,
                "TransitGatewayId": tgw,
                "TransitGatewayOwnerId": acct,
                "ResourceOwnerId": acct,
                "ResourceType": "vpn",
                "ResourceId": vpn_id,
                "State": "available",
                "CreationTime": k.iso(created),
                "Tags": k.tags(Name="reno-dc-vpn"),
            },
        }
    )

    # --- metrics ---------------------------------------------------------------------------------------
    metrics: list[k.Rec] = []

    def qv(t: datetime) -> float:
        base = 5200 * rng.uniform(0.9, 1.1) * (1 + 0.4 * max(0.0, (t - start).total_seconds() / 3600 - 3) / 2)
        return base * (2.4 if down(t) else 1.0)

    metrics += k.series(
        "AWS/Route53Resolver", "OutboundQueryVolume", {"EndpointId": ep_id}, "Count", start, end, 300, qv
    )
    metrics += k.series(
        "AWS/Route53Resolver",
        "OutboundQueryAggregateVolume",
        {"EndpointId": ep_id},
        "Count",
        start,
        end,
        300,
        qv,
    )
    metrics += k.series(
        "AWS/Route53Resolver",
        "EndpointHealthyENICount",
        {"EndpointId": ep_id},
        "Count",
        start,
        end,
        300,
        lambda t: 2.0,
    )
    metrics += k.series(
        "AWS/Route53Resolver",
        "EndpointUnhealthyENICount",
        {"EndpointId": ep_id},
        "Count",
        start,
        end,
        300,
        lambda t: 0.0,
    )
    for name in ("TunnelDataIn", "TunnelDataOut"):
        metrics += k.series(
            "AWS/VPN",
            name,
            {"VpnId": vpn_id},
            "Bytes",
            start,
            end,
            300,
            lambda t: 3.1e7 * rng.uniform(0.8, 1.2) * (0.7 if down(t) else 1.0),
        )
    metrics += k.series("AWS/VPN", "TunnelState", {"VpnId": vpn_id}, "None", start, end, 300, lambda t: 1.0)
    metrics += k.series(
        "AWS/TransitGateway",
        "BytesOut",
        {"TransitGateway": tgw, "TransitGatewayAttachment": att_vpn},
        "Bytes",
        start,
        end,
        300,
        lambda t: 3.0e7 * rng.uniform(0.8, 1.2) * (0.7 if down(t) else 1.0),
    )
    metrics += k.series(
        "AWS/TransitGateway",
        "BytesIn",
        {"TransitGateway": tgw, "TransitGatewayAttachment": att_vpn},
        "Bytes",
        start,
        end,
        300,
        lambda t: 3.2e7 * rng.uniform(0.8, 1.2) * (0.68 if down(t) else 1.0),
    )
    wdims = {"Service": "wms-api", "Operation": "PostGoodsMovement"}
    metrics += k.series(
        "WMS",
        "SapPostingErrors",
        wdims,
        "Count",
        start,
        end,
        60,
        lambda t: (
            float(rng.randint(25, 60))
            if t >= onset + timedelta(seconds=40)
            else float(rng.choice([0, 0, 0, 0, 1]))
        ),
    )
    metrics += k.series(
        "WMS",
        "SapPostings",
        wdims,
        "Count",
        start,
        end,
        60,
        lambda t: float(rng.randint(60, 110) if t.hour >= 13 else rng.randint(10, 40)),
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
            lambda t: rng.uniform(9, 17),
        )

    # --- alarms ----------------------------------------------------------------------------------------
    alarms: list[k.Rec] = []
    history: list[k.Rec] = []
    fire = onset.replace(second=0) + timedelta(minutes=3, seconds=rng.randint(5, 50))
    sa = k.alarm(
        acct,
        REGION,
        "wms-sap-posting-errors",
        "wms-api: SAP goods-movement postings failing (>10/min for 3 min)",
        "WMS",
        "SapPostingErrors",
        wdims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=10.0,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (10.0).",
        updated=fire,
        configured=onset - timedelta(days=120),
        topic=topic,
        missing="notBreaching",
    )
    alarms.append(sa)
    history.append(
        k.transition(
            sa,
            fire,
            "OK",
            "ALARM",
            sa["StateReason"],
            k.reason_data(sa, fire, [float(rng.randint(25, 60)) for _ in range(3)]),
        )
    )
    va = k.alarm(
        acct,
        REGION,
        "reno-dc-vpn-tunnel-down",
        "Reno DC VPN: a tunnel is down",
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
        updated=onset - timedelta(days=6),
        configured=onset - timedelta(days=400),
        topic=topic,
    )
    alarms.append(va)
    ea = k.alarm(
        acct,
        REGION,
        "shared-outbound-resolver-unhealthy-eni",
        "outbound resolver endpoint has an unhealthy ENI",
        "AWS/Route53Resolver",
        "EndpointUnhealthyENICount",
        {"EndpointId": ep_id},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0.0,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        updated=onset - timedelta(days=30),
        configured=onset - timedelta(days=200),
        topic=topic,
    )
    alarms.append(ea)
    cpu = k.alarm(
        acct,
        REGION,
        "wms-api-cpu-high",
        "wms-api CPU above 75%",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": app_ids[0]},
        stat="Average",
        period=300,
        evals=3,
        threshold=75.0,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (75.0).",
        updated=onset - timedelta(hours=3, minutes=12),
        configured=onset - timedelta(days=60),
        topic=topic,
    )
    alarms.append(cpu)
    t_cpu = onset - timedelta(hours=3, minutes=27)
    history.append(
        k.transition(
            cpu,
            t_cpu,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (75.0).",
            k.reason_data(cpu, t_cpu, [81.2, 84.0, 79.6]),
        )
    )
    history.append(
        k.transition(
            cpu,
            t_cpu + timedelta(minutes=15),
            "ALARM",
            "OK",
            cpu["StateReason"],
            k.reason_data(cpu, t_cpu + timedelta(minutes=15), [22.1, 14.3, 12.8]),
        )
    )

    # --- logs ------------------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    qgroup = "/aws/route53resolver/wms-prod"
    qlc_id = k.hexid(rng, "rslvr-qlc-")
    names_ok = [
        ("sqs.us-east-1.amazonaws.com.", "A"),
        ("wms-db.kestrel.internal.", "A"),
        ("redis.kestrel.internal.", "A"),
        ("logs.us-east-1.amazonaws.com.", "A"),
        ("ingest.analytics.kestrel.cloud.", "A"),
    ]
    t = start
    while t < now:
        n = rng.randrange(2)
        if rng.random() < 0.35:
            qn, qt = rng.choice(
                [(sap_host + ".", "A"), (f"ldap.{DOMAIN}.", "A"), (f"_ldap._tcp.{DOMAIN}.", "SRV")]
            )
            if down(t):
                rcode, answers = "SERVFAIL", []
            else:
                rcode = "NOERROR"
                answers = [
                    {
                        "Rdata": sap_ip
                        if qn.startswith("sap")
                        else "10.100.1.10"
                        if qt == "A"
                        else "0 100 389 dc01.corp.kestrel.local.",
                        "Type": qt,
                        "Class": "IN",
                    }
                ]
        else:
            qn, qt = rng.choice(names_ok if t >= new_rule_at else names_ok[:-1])
            rcode = "NOERROR"
            answers = [
                {
                    "Rdata": f"10.{rng.choice([20, 40, 48])}.{rng.randint(1, 60)}.{rng.randint(4, 250)}",
                    "Type": "A",
                    "Class": "IN",
                }
            ]
        rec = {
            "version": "1.100000",
            "account_id": acct,
            "region": REGION,
            "vpc_id": vpc_prod,
            "query_timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "query_name": qn,
            "query_type": qt,
            "query_class": "IN",
            "rcode": rcode,
            "answers": answers,
            "srcaddr": app_ips[n],
            "srcport": str(rng.randint(32768, 60999)),
            "transport": "UDP",
            "srcids": {"instance": app_ids[n]},
        }
        logs.append(
            {
                "log_group": qgroup,
                "log_stream": f"{vpc_prod}_{qlc_id}",
                "timestamp": k.ms(t),
                "message": json.dumps(rec, separators=(",", ":")),
            }
        )
        t += timedelta(seconds=rng.randint(5, 20))
    t = start
    while t < now:
        n = rng.randrange(2)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z"
        r = rng.random()
        if t >= onset + timedelta(seconds=30) and r < 0.55:
            msg = (
                f"{stamp} ERROR [wms-api,{k.hexid(rng, '', 16)}] c.k.wms.sap.GoodsMovementClient - posting failed for HU "
                f"{rng.randint(100000000, 999999999)}: java.net.UnknownHostException: {sap_host}: Temporary failure in name resolution"
            )
        elif r < 0.75:
            msg = f"{stamp} INFO  [wms-api,{k.hexid(rng, '', 16)}] c.k.wms.edi.EdiPoller - polled edi-gw {edi_ip}:8080, {rng.randint(0, 9)} new ASNs in {rng.randint(30, 120)} ms"
        else:
            msg = f"{stamp} INFO  [wms-api,{k.hexid(rng, '', 16)}] c.k.wms.sap.GoodsMovementClient - posted movement {rng.randint(4900000000, 4999999999)} for HU {rng.randint(100000000, 999999999)} in {rng.randint(120, 600)} ms"
        logs.append(
            {
                "log_group": "/kestrel/wms-api",
                "log_stream": f"wms-api/{app_ids[n]}",
                "timestamp": k.ms(t),
                "message": msg,
            }
        )
        t += timedelta(seconds=rng.randint(6, 20))
    # flow logs of the outbound endpoint's interfaces
    t = start
    while t < now:
        n = rng.randrange(2)
        dst = rng.choice(dns_ips)
        sport = rng.randint(1024, 65535)
        p = rng.randint(20, 120)
        g, s = "/vpc/shared-services/flow-logs", f"{ep_enis[n]}-all"
        logs.append(
            {
                "log_group": g,
                "log_stream": s,
                "timestamp": k.ms(t) + 60000,
                "message": k.flow(
                    acct, ep_enis[n], ep_ips[n], dst, sport, 53, p, p * rng.randint(60, 80), t
                ).replace(" 6 ", " 17 ", 1),
            }
        )
        if not down(t):
            logs.append(
                {
                    "log_group": g,
                    "log_stream": s,
                    "timestamp": k.ms(t) + 60000,
                    "message": k.flow(
                        acct, ep_enis[n], dst, ep_ips[n], 53, sport, p, p * rng.randint(90, 140), t
                    ).replace(" 6 ", " 17 ", 1),
                }
            )
        t += timedelta(seconds=rng.randint(30, 70))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail ------------------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    tf = tr.role("terraform-ci", "atlantis-" + str(rng.randint(1000, 9999)))
    grafana = tr.role("grafana-cloudwatch-read", "grafana")
    net = tr.role(
        "AWSReservedSSO_NetworkAdmin_2b8d0f5e1c7a9436",
        rng.choice(["p.nakamura@kestrel-logistics.com", "a.brennan@kestrel-logistics.com"]),
    )
    ops = tr.role("AWSReservedSSO_PlatformOps_91c4e7a2d05b3f68", "l.ortiz@kestrel-logistics.com")
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    tfa = "APN/1.0 HashiCorp/1.0 Terraform/1.8.2 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2"
    grafa = "Grafana/10.4.1 aws-sdk-go/1.50.8 (go1.21.9; linux; amd64)"
    tr.noise(
        start,
        now,
        [
            ("route53resolver.amazonaws.com", "ListResolverRules", tf, {"maxResults": 100}, tfa),
            ("route53resolver.amazonaws.com", "GetResolverEndpoint", tf, {"resolverEndpointId": ep_id}, tfa),
            (
                "ec2.amazonaws.com",
                "DescribeVpnConnections",
                tf,
                {"vpnConnectionSet": {}, "filterSet": {}},
                tfa,
            ),
            ("ec2.amazonaws.com", "DescribeInstances", tf, {"instancesSet": {}, "filterSet": {}}, tfa),
            ("monitoring.amazonaws.com", "GetMetricData", grafana, None, grafa),
            ("route53.amazonaws.com", "ListResourceRecordSets", tf, {"hostedZoneId": zone_id}, tfa),
        ],
        rng.randint(32, 44),
    )
    tr.add(
        new_rule_at,
        "route53resolver.amazonaws.com",
        "CreateResolverRule",
        net,
        {
            "creatorRequestId": f"console-{k.uid(rng)}",
            "name": "analytics-kestrel-cloud",
            "ruleType": "FORWARD",
            "domainName": "analytics.kestrel.cloud",
            "targetIps": [{"ip": "10.48.0.2", "port": 53}, {"ip": "10.48.16.2", "port": 53}],
            "resolverEndpointId": ep_id,
        },
        {
            "resolverRule": {
                "id": new_rule_id,
                "domainName": "analytics.kestrel.cloud.",
                "status": "COMPLETE",
                "ruleType": "FORWARD",
                "name": "analytics-kestrel-cloud",
                "resolverEndpointId": ep_id,
                "ownerId": acct,
                "shareStatus": "NOT_SHARED",
            }
        },
        agent=console,
        ip="198.51.100.140",
    )
    tr.add(
        new_rule_at + timedelta(minutes=2, seconds=rng.randint(0, 50)),
        "route53resolver.amazonaws.com",
        "AssociateResolverRule",
        net,
        {"resolverRuleId": new_rule_id, "name": "analytics-kestrel-cloud-wms-prod", "vPCId": vpc_prod},
        {
            "resolverRuleAssociation": {
                "id": k.hexid(rng, "rslvr-rrassoc-"),
                "resolverRuleId": new_rule_id,
                "name": "analytics-kestrel-cloud-wms-prod",
                "vPCId": vpc_prod,
                "status": "CREATING",
                "statusMessage": "[Trace id: 1-"
                + k.hexid(rng, "", 8)
                + "-"
                + k.hexid(rng, "", 24)
                + "] Creating the association.",
            }
        },
        agent=console,
        ip="198.51.100.140",
    )
    tr.add(
        onset - timedelta(hours=rng.randint(2, 3), minutes=rng.randint(0, 50)),
        "ssm.amazonaws.com",
        "SendCommand",
        ops,
        {
            "documentName": "AWS-RunPatchBaseline",
            "instanceIds": app_ids,
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "interactive": False,
        },
        {
            "command": {
                "commandId": k.uid(rng),
                "documentName": "AWS-RunPatchBaseline",
                "status": "Pending",
                "targetCount": 2,
            }
        },
        agent=console,
        ip="198.51.100.141",
    )
    tr.add(
        fire + timedelta(minutes=rng.randint(4, 9)),
        "ec2.amazonaws.com",
        "DescribeVpnConnections",
        ops,
        {"vpnConnectionSet": {"items": [{"vpnConnectionId": vpn_id}]}, "filterSet": {}},
        read_only=True,
        agent=console,
        ip="198.51.100.141",
    )

    local = onset.astimezone(ZoneInfo(TZ))
    clock = (local - timedelta(minutes=local.minute % 5)).strftime("%I:%M").lstrip("0")
    question = (
        f"Handhelds at the Reno DC keep showing 'SAP posting failed' since about {clock} this morning, pickers "
        "can't confirm putaways. EDI is still coming in fine. Is AWS having an outage? Nothing was deployed."
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
                    "resource": dns_ips[0],
                    "category": "dependency_failure",
                    "failure_mode": "forward-target-dns-servers-unresponsive",
                },
                "also_accept": [
                    dns_ips[1],
                    f"{DOMAIN} DNS servers",
                    "on-prem DNS servers",
                    rule_id,
                    "corp-kestrel-local",
                ],
                "actions": ["restart"],
                "chain": [dns_ips[0], rule_id, ep_id, "wms-api", "wms-sap-posting-errors"],
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
