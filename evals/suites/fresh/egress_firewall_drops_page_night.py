"""Night page on the egress firewall's dropped-packets alarm: the nightly vulnerability-DB refresh tries a
registry that is not on the allowlist, is dropped, falls back to the internal mirror and finishes. Every night."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzc as k

NAME = "egress-firewall-drops-page-night"
TITLE = (
    "Egress firewall dropped-packets alarm paged in the small hours; are we being attacked or leaking data?"
)
SUMMARY = (
    "No fault: the nightly scanner-DB refresh task in the CI VPC first tries ghcr.io, which the egress "
    "firewall's domain allowlist drops, then succeeds from the ECR mirror; the alarm fires every night."
)

ACCOUNT_POOL = ["562018374920", "740291836655", "318402957716"]
REGION = "us-east-1"
TZ = "Europe/London"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = rng.choice(ACCOUNT_POOL)
    job_min = rng.choice([0, 0, 15, 30])
    job = k.base_day(rng, 2, job_min)  # tonight's run (cron in UTC)
    prev_job = job - timedelta(days=1)
    start = (job - timedelta(hours=24, minutes=rng.randint(30, 70))).replace(second=0)
    now = job + timedelta(minutes=rng.randint(32, 45))
    end = now
    azs = ["us-east-1a", "us-east-1b"]
    topic = f"arn:aws:sns:{REGION}:{acct}:netops-pager"
    fw_name = "egress-fw"
    vpc_insp, vpc_ci, vpc_prod = (k.hexid(rng, "vpc-") for _ in range(3))
    fw_id = k.uid(rng)
    runner_ips = [f"10.30.{4 + 16 * n}.{rng.randint(10, 240)}" for n in range(2)]
    ghcr_ips = ["140.82.112.34", "140.82.113.34", "140.82.114.34"]
    created = job - timedelta(days=rng.randint(200, 500))
    rg_mod = job - timedelta(hours=rng.randint(5, 8), minutes=rng.randint(0, 59))
    cluster = f"arn:aws:ecs:{REGION}:{acct}:cluster/ci-tools"

    def burst(t: datetime) -> bool:
        return any(j <= t < j + timedelta(minutes=14) for j in (prev_job, job))

    def fin(j: datetime) -> datetime:
        return j + timedelta(minutes=11, seconds=rng.randint(0, 80))

    # --- resources -------------------------------------------------------------------------------------
    res: list[k.Rec] = [
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_insp, "10.0.0.0/16", "inspection", acct)},
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_ci, "10.30.0.0/16", "ci-tools", acct)},
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_prod, "10.20.0.0/16", "portal-prod", acct)},
    ]
    fw_subnets = [k.hexid(rng, "subnet-") for _ in range(2)]
    for n in range(2):
        res.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": k.subnet(
                    fw_subnets[n], vpc_insp, f"10.0.{n}.0/28", azs[n], f"inspection-fw-{azs[n][-1]}", acct, 10
                ),
            }
        )
    policy_arn = f"arn:aws:network-firewall:{REGION}:{acct}:firewall-policy/egress-policy"
    rg_arn = f"arn:aws:network-firewall:{REGION}:{acct}:stateful-rulegroup/egress-domain-allowlist"
    res.append(
        {
            "service": "network-firewall",
            "type": "Firewall",
            "item": {
                "FirewallName": fw_name,
                "FirewallArn": f"arn:aws:network-firewall:{REGION}:{acct}:firewall/{fw_name}",
                "FirewallPolicyArn": policy_arn,
                "VpcId": vpc_insp,
                "SubnetMappings": [{"SubnetId": s, "IPAddressType": "IPV4"} for s in fw_subnets],
                "DeleteProtection": True,
                "SubnetChangeProtection": True,
                "FirewallPolicyChangeProtection": False,
                "Description": "central egress inspection for all spoke VPCs",
                "FirewallId": fw_id,
                "Tags": k.tags(Name=fw_name),
            },
        }
    )
    res.append(
        {
            "service": "network-firewall",
            "type": "RuleGroupResponse",
            "item": {
                "RuleGroupArn": rg_arn,
                "RuleGroupName": "egress-domain-allowlist",
                "RuleGroupId": k.uid(rng),
                "Description": "TLS SNI / HTTP host allowlist for outbound traffic",
                "Type": "STATEFUL",
                "Capacity": 300,
                "RuleGroupStatus": "ACTIVE",
                "ConsumedCapacity": rng.randint(90, 140),
                "NumberOfAssociations": 1,
                "LastModifiedTime": k.iso(rg_mod),
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster,
                "clusterName": "ci-tools",
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": rng.randint(2, 4),
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        }
    )
    nat = k.hexid(rng, "nat-")
    res.append(
        {
            "service": "ec2",
            "type": "NatGateway",
            "item": {
                "CreateTime": k.iso(created),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": k.hexid(rng, "eipalloc-"),
                        "NetworkInterfaceId": k.hexid(rng, "eni-"),
                        "PrivateIp": f"10.0.64.{rng.randint(5, 250)}",
                        "PublicIp": f"3.{rng.randint(210, 230)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nat,
                "State": "available",
                "SubnetId": k.hexid(rng, "subnet-"),
                "VpcId": vpc_insp,
                "ConnectivityType": "public",
                "Tags": k.tags(Name="inspection-nat-a"),
            },
        }
    )
    tgw = k.hexid(rng, "tgw-")
    for vid, name in ((vpc_insp, "inspection"), (vpc_ci, "ci-tools"), (vpc_prod, "portal-prod")):
        res.append(
            {
                "service": "ec2",
                "type": "TransitGatewayAttachment",
                "item": {
                    "TransitGatewayAttachmentId": k.hexid(rng, "tgw-attach-"),
                    "TransitGatewayId": tgw,
                    "TransitGatewayOwnerId": acct,
                    "ResourceOwnerId": acct,
                    "ResourceType": "vpc",
                    "ResourceId": vid,
                    "State": "available",
                    "CreationTime": k.iso(created),
                    "Tags": k.tags(Name=name),
                },
            }
        )
    alb_suffix = k.hexid(rng, "", 16)
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/app/portal-prod/{alb_suffix}",
                "DNSName": f"portal-prod-{rng.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": "portal-prod",
                "Scheme": "internet-facing",
                "VpcId": vpc_prod,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": a, "SubnetId": k.hexid(rng, "subnet-")} for a in azs],
                "IpAddressType": "ipv4",
            },
        }
    )

    # --- metrics ---------------------------------------------------------------------------------------
    metrics: list[k.Rec] = []

    def day_factor(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return 0.25 + 0.75 * max(0.0, min(1.0, (h - 6) / 4)) * max(0.0, min(1.0, (23 - h) / 4))

    for n, az in enumerate(azs):
        fdims = {"FirewallName": fw_name, "AvailabilityZone": az, "Engine": "Stateful"}

        def dropped(t: datetime, n: int = n) -> float:
            if burst(t):
                return float(rng.randint(900, 1900) if n == 0 else rng.randint(80, 300))
            return float(rng.randint(0, 40))

        metrics += k.series("AWS/NetworkFirewall", "DroppedPackets", fdims, "Count", start, end, 300, dropped)
        metrics += k.series(
            "AWS/NetworkFirewall",
            "PassedPackets",
            fdims,
            "Count",
            start,
            end,
            300,
            lambda t: 2.6e6 * day_factor(t) * rng.uniform(0.9, 1.1) + (4.0e5 if burst(t) else 0),
        )
        metrics += k.series(
            "AWS/NetworkFirewall",
            "ReceivedPackets",
            {"FirewallName": fw_name, "AvailabilityZone": az},
            "Count",
            start,
            end,
            300,
            lambda t: 2.7e6 * day_factor(t) * rng.uniform(0.9, 1.1),
        )
    metrics += k.series(
        "AWS/NATGateway",
        "BytesOutToDestination",
        {"NatGatewayId": nat},
        "Bytes",
        start,
        end,
        300,
        lambda t: 9.0e8 * day_factor(t) * rng.uniform(0.9, 1.1) + (2.1e8 if burst(t) else 0),
    )
    metrics += k.series(
        "AWS/NATGateway",
        "BytesInFromDestination",
        {"NatGatewayId": nat},
        "Bytes",
        start,
        end,
        300,
        lambda t: 3.4e9 * day_factor(t) * rng.uniform(0.9, 1.1) + (1.2e9 if burst(t) else 0),
    )
    adim = {"LoadBalancer": f"app/portal-prod/{alb_suffix}"}
    metrics += k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        adim,
        "Count",
        start,
        end,
        300,
        lambda t: round(9000 * day_factor(t) * rng.uniform(0.9, 1.1)),
    )
    metrics += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        adim,
        "Count",
        start,
        end,
        300,
        lambda t: rng.choice([None, None, 1.0, 2.0, 3.0]),
    )
    metrics += k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        adim,
        "Seconds",
        start,
        end,
        300,
        lambda t: rng.uniform(0.08, 0.16),
    )

    # --- alarms ----------------------------------------------------------------------------------------
    alarms: list[k.Rec] = []
    history: list[k.Rec] = []
    da = k.alarm(
        acct,
        REGION,
        "egress-fw-dropped-packets-high",
        "Egress firewall stateful engine dropping more than 500 packets per 5 minutes in us-east-1a",
        "AWS/NetworkFirewall",
        "DroppedPackets",
        {"FirewallName": fw_name, "AvailabilityZone": azs[0], "Engine": "Stateful"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=500.0,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="",
        updated=job,
        configured=rg_mod - timedelta(days=rng.randint(10, 30)),
        topic=topic,
        missing="notBreaching",
    )
    fire_times = []
    for j in (prev_job, job):
        f = j + timedelta(minutes=5, seconds=rng.randint(20, 70))
        fire_times.append(f)
        v = float(rng.randint(1100, 1800))
        reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{v} ({j.strftime('%d/%m/%y %H:%M:%S')})] was greater than the threshold (500.0) (minimum 1 datapoint for OK -> ALARM transition)."
        history.append(k.transition(da, f, "OK", "ALARM", reason, k.reason_data(da, f, [v])))
        if j == prev_job:
            okt = j + timedelta(minutes=20, seconds=rng.randint(0, 50))
            history.append(
                k.transition(
                    da,
                    okt,
                    "ALARM",
                    "OK",
                    "Threshold Crossed: 1 datapoint [12.0] was not greater than the threshold (500.0).",
                    k.reason_data(da, okt, [12.0]),
                )
            )
        else:
            da["StateReason"] = reason
            da["StateUpdatedTimestamp"] = da["StateTransitionedTimestamp"] = k.iso(f)
            event_reason, event_data, event_time = reason, k.reason_data(da, f, [v]), f
    alarms.append(da)
    okt2 = job + timedelta(minutes=20, seconds=rng.randint(0, 50))
    if okt2 <= now:
        history.append(
            k.transition(
                da,
                okt2,
                "ALARM",
                "OK",
                "Threshold Crossed: 1 datapoint [9.0] was not greater than the threshold (500.0).",
                k.reason_data(da, okt2, [9.0]),
            )
        )
        da["StateValue"] = "OK"
        da["StateReason"] = "Threshold Crossed: 1 datapoint [9.0] was not greater than the threshold (500.0)."
        da["StateUpdatedTimestamp"] = da["StateTransitionedTimestamp"] = k.iso(okt2)
    for name, metric, dims, thr in (
        ("portal-prod-5xx", "HTTPCode_Target_5XX_Count", adim, 50.0),
        ("portal-prod-latency", "TargetResponseTime", adim, 1.0),
    ):
        alarms.append(
            k.alarm(
                acct,
                REGION,
                name,
                f"portal-prod {metric} above {thr}",
                "AWS/ApplicationELB",
                metric,
                dims,
                stat="Sum" if "5XX" in metric else "Average",
                period=300,
                evals=2,
                threshold=thr,
                op="GreaterThanThreshold",
                state="OK",
                reason=f"Threshold Crossed: 2 datapoints were not greater than the threshold ({thr}).",
                updated=start - timedelta(days=rng.randint(2, 9)),
                configured=created,
                topic=topic,
            )
        )
    nat_a = k.alarm(
        acct,
        REGION,
        "inspection-nat-bytes-out-high",
        "NAT egress over 5 GB per 5 minutes",
        "AWS/NATGateway",
        "BytesOutToDestination",
        {"NatGatewayId": nat},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5.0e9,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint was not greater than the threshold (5.0E9).",
        updated=created + timedelta(days=3),
        configured=created,
        topic=topic,
    )
    alarms.append(nat_a)

    # --- logs ------------------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    for j in (prev_job, job):
        task = k.hexid(rng, "", 32)
        stream = f"ecs/trivy/{task}"
        ts = j + timedelta(seconds=rng.randint(25, 50))

        def line(t: datetime, level: str, msg: str, stream: str = stream) -> None:
            logs.append(
                {
                    "log_group": "/ecs/vulndb-refresh",
                    "log_stream": stream,
                    "timestamp": k.ms(t),
                    "message": f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{rng.randint(0, 999):03d}Z\t{level}\t{msg}",
                }
            )

        line(ts, "INFO", "Need to update DB")
        line(ts, "INFO", 'Downloading vulnerability DB...\trepository="ghcr.io/aquasecurity/trivy-db:2"')
        t = ts
        for attempt in range(1, 4):
            t += timedelta(seconds=30 + attempt * 10)
            line(
                t,
                "WARN",
                f'Failed to download artifact\trepo="ghcr.io/aquasecurity/trivy-db:2" attempt={attempt} err="OCI repository error: Get \\"https://ghcr.io/v2/\\": dial tcp {rng.choice(ghcr_ips)}:443: i/o timeout"',
            )
        line(
            t + timedelta(seconds=1),
            "INFO",
            f'Trying next repository\trepository="{acct}.dkr.ecr.{REGION}.amazonaws.com/ghcr/aquasecurity/trivy-db:2"',
        )
        done = fin(j)
        line(
            done - timedelta(seconds=rng.randint(40, 90)),
            "INFO",
            f'Downloading vulnerability DB...\trepository="{acct}.dkr.ecr.{REGION}.amazonaws.com/ghcr/aquasecurity/trivy-db:2"',
        )
        line(
            done - timedelta(seconds=5),
            "INFO",
            f"DB updated\tversion=2 updated_at={j.strftime('%Y-%m-%d')}T00:{rng.randint(10, 59)}:{rng.randint(10, 59)}Z",
        )
        line(
            done,
            "INFO",
            f"Uploaded trivy-db snapshot to s3://ci-tools-cache-{acct}/trivy/db.tar.gz ({rng.randint(55, 75)} MiB)",
        )
        t = j + timedelta(seconds=rng.randint(20, 40))
        flow_id = rng.randint(10**14, 10**15)
        while t < done - timedelta(minutes=1):
            src = rng.choice(runner_ips)
            sni = rng.choice(["ghcr.io", "ghcr.io", "pkg-containers.githubusercontent.com"])
            ev = {
                "firewall_name": fw_name,
                "availability_zone": azs[0],
                "event_timestamp": str(int(t.timestamp())),
                "event": {
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999999):06d}+0000",
                    "flow_id": flow_id + rng.randint(1, 10**9),
                    "event_type": "alert",
                    "src_ip": src,
                    "src_port": rng.randint(32768, 60999),
                    "dest_ip": rng.choice(ghcr_ips)
                    if sni == "ghcr.io"
                    else f"185.199.{rng.randint(108, 111)}.133",
                    "dest_port": 443,
                    "proto": "TCP",
                    "app_proto": "tls",
                    "tls": {"sni": sni, "version": "UNDETERMINED"},
                    "alert": {
                        "action": "blocked",
                        "signature_id": 2,
                        "rev": 1,
                        "signature": "not matching any TLS allowlisted FQDNs",
                        "category": "",
                        "severity": 3,
                    },
                },
            }
            logs.append(
                {
                    "log_group": "/network-firewall/egress-fw/alert",
                    "log_stream": f"/aws/network-firewall/alert/{fw_name}_{azs[0].replace('-', '')}_{fw_id[:8]}",
                    "timestamp": k.ms(t),
                    "message": json.dumps(ev, separators=(",", ":")),
                }
            )
            t += timedelta(seconds=rng.randint(2, 9))
    # occasional daytime blocked flows (a developer's curl, an SDK's telemetry), as any allowlist sees
    t = start
    while t < now:
        t += timedelta(minutes=rng.randint(25, 90))
        if t >= now or burst(t):
            continue
        sni = rng.choice(
            [
                "telemetry.individual.githubcopilot.com",
                "registry.npmjs.org",
                "pypi.org",
                "ifconfig.me",
                "checkip.amazonaws.com",
            ]
        )
        src = f"10.{rng.choice([20, 30])}.{rng.randint(1, 40)}.{rng.randint(4, 250)}"
        ev = {
            "firewall_name": fw_name,
            "availability_zone": rng.choice(azs),
            "event_timestamp": str(int(t.timestamp())),
            "event": {
                "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999999):06d}+0000",
                "flow_id": rng.randint(10**14, 10**15),
                "event_type": "alert",
                "src_ip": src,
                "src_port": rng.randint(32768, 60999),
                "dest_ip": f"{rng.randint(13, 199)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                "dest_port": 443,
                "proto": "TCP",
                "app_proto": "tls",
                "tls": {"sni": sni, "version": "UNDETERMINED"},
                "alert": {
                    "action": "blocked",
                    "signature_id": 2,
                    "rev": 1,
                    "signature": "not matching any TLS allowlisted FQDNs",
                    "category": "",
                    "severity": 3,
                },
            },
        }
        az_tag = ev["availability_zone"]
        assert isinstance(az_tag, str)
        logs.append(
            {
                "log_group": "/network-firewall/egress-fw/alert",
                "log_stream": f"/aws/network-firewall/alert/{fw_name}_{az_tag.replace('-', '')}_{fw_id[:8]}",
                "timestamp": k.ms(t),
                "message": json.dumps(ev, separators=(",", ":")),
            }
        )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail ------------------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    tf = tr.role("terraform-ci", "atlantis-" + str(rng.randint(1000, 9999)))
    grafana = tr.role("grafana-cloudwatch-read", "grafana")
    net = tr.role(
        "AWSReservedSSO_NetworkAdmin_6a0e3d9b2c7f1485",
        rng.choice(["c.murphy@tallyhealth.co.uk", "o.adeyemi@tallyhealth.co.uk"]),
    )
    oncall = tr.role("AWSReservedSSO_ReadOnly_0d3b6f9a1e5c7248", "oncall@tallyhealth.co.uk")
    console = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    tfa = "APN/1.0 HashiCorp/1.0 Terraform/1.8.2 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2"
    grafa = "Grafana/10.4.1 aws-sdk-go/1.50.8 (go1.21.9; linux; amd64)"
    tr.noise(
        start,
        now,
        [
            ("network-firewall.amazonaws.com", "DescribeFirewall", tf, {"firewallName": fw_name}, tfa),
            ("network-firewall.amazonaws.com", "DescribeRuleGroup", tf, {"ruleGroupArn": rg_arn}, tfa),
            (
                "ec2.amazonaws.com",
                "DescribeTransitGatewayAttachments",
                tf,
                {"DescribeTransitGatewayAttachmentsRequest": {}},
                tfa,
            ),
            ("monitoring.amazonaws.com", "GetMetricData", grafana, None, grafa),
            ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}, grafa),
            ("ecr.amazonaws.com", "DescribeRepositories", tf, {"maxResults": 1000}, tfa),
        ],
        rng.randint(30, 40),
    )
    for j in (prev_job, job):
        tr.add(
            j + timedelta(seconds=rng.randint(0, 3)),
            "ecs.amazonaws.com",
            "RunTask",
            {
                "type": "AssumedRole",
                "principalId": "AROAEVENTS:vulndb",
                "arn": f"arn:aws:sts::{acct}:assumed-role/ecs-events-ci-tools/{k.hexid(rng, '', 32)}",
                "accountId": acct,
                "invokedBy": "events.amazonaws.com",
            },
            {
                "cluster": cluster,
                "count": 1,
                "launchType": "FARGATE",
                "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/vulndb-refresh:{rng.randint(12, 19)}",
                "startedBy": "events-rule/vulndb-refresh-nightly",
            },
            {
                "tasks": [
                    {
                        "clusterArn": cluster,
                        "lastStatus": "PROVISIONING",
                        "desiredStatus": "RUNNING",
                        "launchType": "FARGATE",
                        "taskArn": f"arn:aws:ecs:{REGION}:{acct}:task/ci-tools/{k.hexid(rng, '', 32)}",
                    }
                ],
                "failures": [],
            },
            agent="events.amazonaws.com",
            ip="events.amazonaws.com",
            service_call=True,
        )
    tr.add(
        rg_mod,
        "network-firewall.amazonaws.com",
        "UpdateRuleGroup",
        net,
        {
            "ruleGroupArn": rg_arn,
            "type": "STATEFUL",
            "updateToken": k.uid(rng),
            "ruleGroup": "***",
            "description": "TLS SNI / HTTP host allowlist for outbound traffic",
        },
        {
            "updateToken": k.uid(rng),
            "ruleGroupResponse": {
                "ruleGroupArn": rg_arn,
                "ruleGroupName": "egress-domain-allowlist",
                "type": "STATEFUL",
                "ruleGroupStatus": "ACTIVE",
                "capacity": 300,
                "lastModifiedTime": k.iso(rg_mod),
            },
        },
        agent=console,
        ip="81.2.69.160",
    )
    tr.add(
        rg_mod - timedelta(minutes=rng.randint(20, 50)),
        "ec2.amazonaws.com",
        "CreateTags",
        net,
        {
            "resourcesSet": {"items": [{"resourceId": nat}]},
            "tagSet": {"items": [{"key": "CostCentre", "value": "netops"}]},
        },
        {"requestId": k.uid(rng), "_return": True},
        agent=console,
        ip="81.2.69.160",
    )
    for m in range(rng.randint(2, 4)):
        tr.add(
            fire_times[1] + timedelta(minutes=6 + 3 * m),
            "logs.amazonaws.com",
            "StartQuery",
            oncall,
            {
                "logGroupNames": ["/network-firewall/egress-fw/alert"],
                "startTime": int((job - timedelta(hours=1)).timestamp()),
                "endTime": int((job + timedelta(minutes=20)).timestamp()),
                "queryString": "fields @timestamp, event.src_ip, event.tls.sni | sort @timestamp desc | limit 200",
            },
            {"queryId": k.uid(rng)},
            agent=console,
            ip="86.12.40.211",
        )

    local = fire_times[1].astimezone(ZoneInfo(TZ))
    question = (
        f"Got paged at {local.strftime('%I:%M').lstrip('0')}am for egress-fw-dropped-packets-high. Is someone inside the network trying to "
        "reach out somewhere they shouldn't — are we being attacked or leaking data? Is anything actually broken?"
    )
    event = k.alarm_event(da, acct, REGION, event_time, rng, event_reason, event_data)
    event["detail"]["previousState"]["timestamp"] = str(history[1]["Timestamp"]).replace("Z", ".000+0000")
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": TZ},
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
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
