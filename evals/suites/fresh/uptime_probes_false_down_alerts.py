"""Uptime-monitoring customers getting false "down" alerts since early afternoon."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zb as k
from evals.suites.fresh._kit_zb import ct

NAME = "uptime-probes-false-down-alerts"
TITLE = "Customers getting false down alerts from the probe fleet since early afternoon"
SUMMARY = (
    "After a large customer's bulk monitor import, the probe workers' top-of-minute DNS bursts exceed the "
    "per-interface packet allowance to the VPC resolver; lookups fail intermittently and monitors flap."
)

TZ = "America/Los_Angeles"


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, ["us-west-2"])
    rng = kit.rng
    zone = ZoneInfo(TZ)
    day = kit.pick_day()
    local_onset = datetime(
        day.year, day.month, day.day, 13, rng.randint(40, 59), rng.randint(0, 59), tzinfo=zone
    ) + timedelta(minutes=rng.randint(0, 75))
    onset = local_onset.astimezone(k.UTC)
    off = local_onset.utcoffset()
    utc_off = off.total_seconds() / 3600.0 if off else 0.0
    kit.start = k.minute_floor(onset - timedelta(hours=4, minutes=rng.randint(0, 30)))
    kit.now = k.minute_floor(onset + timedelta(minutes=rng.randint(36, 52)))
    kit.end = kit.now + timedelta(minutes=10)
    acct, region = kit.account, kit.region
    net = k.Net(kit, "pulsewatch-prod", 3)

    sg = kit.rid("sg")
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(kit, sg, "probe-runner", "probe workers (egress only)", net.vpc, []),
    )
    dopt = "dopt-0" + kit.hex(16)
    kit.res(
        "ec2",
        "DhcpOptions",
        {
            "DhcpConfigurations": [
                {"Key": "domain-name", "Values": [{"Value": f"{region}.compute.internal"}]},
                {"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]},
            ],
            "DhcpOptionsId": dopt,
            "OwnerId": acct,
            "Tags": k.tags({"Name": "pulsewatch-prod"}),
        },
    )
    lt_id = "lt-0" + kit.hex(16)
    ltv = str(rng.randint(14, 40))
    ami = "ami-0" + kit.hex(16)
    itype = "c6i.xlarge"
    nodes = []
    for j in range(4):
        zi = j % 3
        nodes.append(
            k.Node(
                kit.rid("i"),
                net.azs[zi],
                zi,
                net.ip(kit, zi),
                kit.start - timedelta(days=rng.uniform(2, 20)),
                ltv,
            )
        )
    asg_name = "probe-runner-prod"
    for n in nodes:
        kit.res(
            "ec2",
            "Instance",
            k.instance(
                kit,
                n.iid,
                itype=itype,
                ami=ami,
                subnet=net.private[n.zone],
                vpc=net.vpc,
                az=n.az,
                ip=n.ip,
                sgs=[(sg, "probe-runner")],
                profile="probe-runner-prod",
                launched=n.launched,
                tagd={
                    "Name": "probe-runner-prod",
                    "service": "probe-runner",
                    "aws:autoscaling:groupName": asg_name,
                },
                lt=(lt_id, "probe-runner-prod", ltv),
            ),
        )
        kit.res("ec2", "InstanceStatus", k.instance_status(n.iid, n.az))
    asg = k.asg_item(
        kit,
        asg_name,
        net,
        (lt_id, "probe-runner-prod"),
        nodes,
        itype,
        min_size=4,
        max_size=8,
        tgs=[],
        created=kit.start - timedelta(days=500),
        health="EC2",
    )
    kit.res("autoscaling", "AutoScalingGroup", asg)
    kit.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": asg_name,
            "PolicyName": "cpu-target-60",
            "PolicyARN": f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{kit.uuid()}:autoScalingGroupName/{asg_name}:policyName/cpu-target-60",
            "PolicyType": "TargetTrackingScaling",
            "StepAdjustments": [],
            "Alarms": [],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 60.0,
                "DisableScaleIn": False,
            },
            "Enabled": True,
        },
    )
    nats = []
    for i, az in enumerate(net.azs):
        nid = "nat-0" + kit.hex(16)
        nats.append(nid)
        kit.res(
            "ec2",
            "NatGateway",
            {
                "CreateTime": k.iso(kit.start - timedelta(days=600)),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": kit.rid("eipalloc"),
                        "NetworkInterfaceId": kit.rid("eni"),
                        "PrivateIp": f"10.{net.octet}.{i}.{rng.randint(10, 200)}",
                        "PublicIp": kit.public_ip(),
                        "AssociationId": kit.rid("eipassoc"),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nid,
                "State": "available",
                "SubnetId": net.public[i],
                "VpcId": net.vpc,
                "Tags": k.tags({"Name": f"pulsewatch-nat-{az[-1]}"}),
                "ConnectivityType": "public",
            },
        )
    zone_id = "Z0" + kit.alnum(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    kit.res(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "internal.pulsewatch.io.",
            "CallerReference": kit.uuid(),
            "Config": {"Comment": "prod private zone", "PrivateZone": True},
            "ResourceRecordSetCount": 9,
        },
    )
    redis_old = f"pw-prod-redis.{kit.alnum(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}.ng.0001.usw2.cache.amazonaws.com"
    redis_new = f"pw-prod-redis-7.{kit.alnum(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}.ng.0001.usw2.cache.amazonaws.com"
    for name, typ, val in (
        (
            "internal.pulsewatch.io.",
            "SOA",
            "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
        ),
        ("internal.pulsewatch.io.", "NS", "ns-1536.awsdns-00.co.uk."),
        (
            "db.internal.pulsewatch.io.",
            "CNAME",
            f"pw-prod.cluster-{kit.alnum(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}.{region}.rds.amazonaws.com",
        ),
        ("queue.internal.pulsewatch.io.", "CNAME", f"b-{kit.uuid()}-1.mq.{region}.amazonaws.com"),
        ("redis.internal.pulsewatch.io.", "CNAME", redis_new),
        ("scheduler.internal.pulsewatch.io.", "A", f"10.{net.octet}.40.{rng.randint(5, 250)}"),
    ):
        kit.res(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": name,
                "Type": typ,
                "TTL": 60 if typ != "SOA" else 900,
                "ResourceRecords": [{"Value": val}],
            },
        )
    for g in ("/pulsewatch/prod/probe-runner", "/pulsewatch/prod/alerting"):
        kit.res(
            "logs",
            "LogGroup",
            k.log_group(kit, g, 14, kit.start - timedelta(days=480), rng.randint(10**10, 10**11)),
        )

    # ---- traffic and the per-interface resolver allowance ------------------------------------------------
    base_cpm = rng.uniform(1850, 2150)  # checks a minute per instance before the import
    added = rng.uniform(2500, 3200)  # monitors the import added (1-minute interval), spread over the fleet
    ramp = timedelta(minutes=rng.randint(6, 11))
    counters = {n.iid: float(rng.randint(0, 40)) for n in nodes}
    other = {
        n.iid: {s: float(rng.randint(0, 3000)) for s in ("bw_in", "bw_out", "pps", "conntrack")}
        for n in nodes
    }
    probe_ns = "Pulsewatch/Probes"
    dns_fail: dict[datetime, float] = {}
    for t in kit.minutes():
        frac = 0.0 if t < onset else min(1.0, (t - onset) / ramp)
        tot_fail = 0.0
        tot_checks = 0.0
        for n in nodes:
            cpm = kit.noisy(base_cpm * (0.97 + 0.06 * k.diurnal(t, utc_off)), 0.01) + added / 4 * frac
            burst_cps = cpm * 0.8 / 4.0  # most monitors are due at the top of the minute, spread over ~4s
            pps = burst_cps * 2.0 * 1.03  # A and AAAA per lookup, some retries
            over = max(0.0, pps - 1024.0)
            dropped = over * 4.0 * kit.noisy(1.0, 0.1)
            if over == 0.0 and rng.random() < 0.004:
                dropped = float(rng.randint(1, 6))
            counters[n.iid] += round(dropped)
            lookups = burst_cps * 4.0
            fail_rate = 0.4 * dropped / (pps * 4.0)
            fails = cpm * min(0.2, fail_rate)
            tot_fail += fails
            tot_checks += cpm
            d = {"InstanceId": n.iid, "driver": "ena", "interface": "ens5"}
            kit.put("CWAgent", "ethtool_linklocal_allowance_exceeded", d, t, counters[n.iid], "None")
            if t.minute % 5 == 0:
                for s in ("bw_in", "bw_out", "pps", "conntrack"):
                    kit.put("CWAgent", f"ethtool_{s}_allowance_exceeded", d, t, other[n.iid][s], "None")
            _ = lookups
        dns_fail[t] = tot_fail
        svc = {"Service": "probe-runner"}
        kit.put(probe_ns, "ChecksExecuted", svc, t, round(tot_checks), "Count")
        kit.put(
            probe_ns,
            "CheckFailures",
            {**svc, "Reason": "dns"},
            t,
            round(tot_fail + kit.noisy(14, 0.3)),
            "Count",
        )
        kit.put(
            probe_ns,
            "CheckFailures",
            {**svc, "Reason": "timeout"},
            t,
            round(kit.noisy(tot_checks * 0.004, 0.1)),
            "Count",
        )
        kit.put(
            probe_ns,
            "CheckFailures",
            {**svc, "Reason": "http_status"},
            t,
            round(kit.noisy(tot_checks * 0.011, 0.08)),
            "Count",
        )
        kit.put(
            probe_ns,
            "CheckFailures",
            {**svc, "Reason": "tls"},
            t,
            round(kit.noisy(tot_checks * 0.0007, 0.3)),
            "Count",
        )
        kit.put(
            probe_ns,
            "AlertsSent",
            {"Service": "alerting", "State": "DOWN"},
            t,
            round(kit.noisy(6, 0.4) + tot_fail * 0.045),
            "Count",
        )
        kit.put(
            probe_ns,
            "MonitorsActive",
            {"Service": "scheduler"},
            t,
            round(base_cpm * 4 * 1.08 + added * frac),
            "Count",
        )
        for nid in nats:
            dn = {"NatGatewayId": nid}
            conns = tot_checks / 3 * kit.noisy(0.93, 0.02)
            kit.put("AWS/NATGateway", "ConnectionAttemptCount", dn, t, round(conns), "Count")
            kit.put(
                "AWS/NATGateway",
                "ConnectionEstablishedCount",
                dn,
                t,
                round(conns * kit.noisy(0.985, 0.003)),
                "Count",
            )
            kit.put("AWS/NATGateway", "ErrorPortAllocation", dn, t, 0, "Count")
            kit.put("AWS/NATGateway", "PacketsDropCount", dn, t, 0, "Count")
            kit.put(
                "AWS/NATGateway",
                "ActiveConnectionCount",
                dn,
                t,
                round(kit.noisy(conns * 0.35, 0.05)),
                "Count",
            )
    for n in nodes:

        def cpu(t: datetime) -> float:
            frac = 0.0 if t < onset else min(1.0, (t - onset) / ramp)
            return kit.noisy(24 + 21 * frac, 0.05)

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": n.iid}, "Percent", cpu, step=300)
        kit.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": n.iid}, "Count", lambda t: 0.0, step=300)

        def pkts(t: datetime) -> float:
            frac = 0.0 if t < onset else min(1.0, (t - onset) / ramp)
            return kit.noisy((base_cpm + added / 4 * frac) * 5 * 34, 0.04)

        kit.series("AWS/EC2", "NetworkPacketsOut", {"InstanceId": n.iid}, "Count", pkts, step=300)
    kit.series(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg_name},
        "Percent",
        lambda t: kit.noisy(24 + 21 * (0.0 if t < onset else min(1.0, (t - onset) / ramp)), 0.04),
        step=60,
    )

    ops = [kit.arn("sns", "pulsewatch-pager")]
    a_dns = kit.alarm(
        "probe-runner-dns-failures",
        "Probe checks failing on DNS resolution above normal",
        probe_ns,
        "CheckFailures",
        {"Service": "probe-runner", "Reason": "dns"},
        "Sum",
        60,
        3,
        150,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "alerting-down-alert-rate",
        "Unusual number of DOWN alerts sent",
        probe_ns,
        "AlertsSent",
        {"Service": "alerting", "State": "DOWN"},
        "Sum",
        300,
        2,
        75,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "probe-runner-timeouts",
        "Probe connect/read timeouts above normal",
        probe_ns,
        "CheckFailures",
        {"Service": "probe-runner", "Reason": "timeout"},
        "Sum",
        60,
        5,
        120,
        "GreaterThanThreshold",
        actions=ops,
    )
    for nid in nats[:2]:
        kit.alarm(
            f"{nid}-port-allocation",
            "NAT port allocation errors",
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

    # ---- logs -----------------------------------------------------------------------------------------
    customers = [
        "shopmarlow.com",
        "api.tandemfit.app",
        "status.kelpcloud.io",
        "www.harborline.co",
        "app.quillform.com",
        "checkout.beanbox.store",
        "portal.meridianhr.com",
        "www.oakandrye.ca",
        "api.fleetnote.io",
        "my.lumacare.health",
    ]
    big = [
        "www.northwind-outlet.com",
        "m.northwind-outlet.com",
        "api.northwind-outlet.com",
        "img.northwind-outlet.com",
        "stores.northwind-outlet.com",
    ]
    regions = ["us-west-2", "us-east-1", "eu-west-1"]
    for t in kit.minutes():
        for n in nodes:
            for _ in range(2):
                ts = t + timedelta(
                    seconds=rng.uniform(0, 4.0) if rng.random() < 0.8 else rng.uniform(4.0, 59.0)
                )
                host = rng.choice(customers + (big if t >= onset else []))
                mid = f"mon_{kit.alnum(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
                fail_p = dns_fail[t] / max(1.0, base_cpm * 4 + added)
                if t >= onset and rng.random() < min(0.6, fail_p * 18):
                    msg = {
                        "level": "warn",
                        "time": k.iso_ms(ts),
                        "svc": "probe-runner",
                        "host": n.host,
                        "monitorId": mid,
                        "target": f"https://{host}/",
                        "result": "error",
                        "err": {
                            "code": "EAI_AGAIN",
                            "syscall": "getaddrinfo",
                            "hostname": host,
                            "message": f"getaddrinfo EAI_AGAIN {host}",
                        },
                        "durationMs": rng.randint(5000, 10020),
                    }
                else:
                    msg = {
                        "level": "info",
                        "time": k.iso_ms(ts),
                        "svc": "probe-runner",
                        "host": n.host,
                        "monitorId": mid,
                        "target": f"https://{host}/",
                        "result": "up",
                        "status": 200,
                        "timings": {
                            "dns": rng.randint(1, 9),
                            "connect": rng.randint(8, 90),
                            "tls": rng.randint(20, 140),
                            "ttfb": rng.randint(40, 900),
                        },
                    }
                kit.log("/pulsewatch/prod/probe-runner", n.iid, ts, json.dumps(msg, separators=(",", ":")))
            if rng.random() < 0.05:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                host = rng.choice(customers)
                kit.log(
                    "/pulsewatch/prod/probe-runner",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "level": "warn",
                            "time": k.iso_ms(ts),
                            "svc": "probe-runner",
                            "host": n.host,
                            "target": f"https://{host}/",
                            "msg": "certificate expires soon",
                            "daysLeft": rng.randint(3, 13),
                        },
                        separators=(",", ":"),
                    ),
                )
            if rng.random() < 0.06:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                host = rng.choice(customers)
                kit.log(
                    "/pulsewatch/prod/probe-runner",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "level": "warn",
                            "time": k.iso_ms(ts),
                            "svc": "probe-runner",
                            "host": n.host,
                            "monitorId": f"mon_{kit.alnum(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}",
                            "target": f"https://{host}/health",
                            "result": "down",
                            "status": rng.choice([500, 502, 503]),
                            "durationMs": rng.randint(30, 900),
                        },
                        separators=(",", ":"),
                    ),
                )
        alerts = max(0, kit.poisson(0.25 + dns_fail[t] * 0.045 / 12))
        for _ in range(min(alerts, 6)):
            ts = t + timedelta(seconds=rng.uniform(9, 59))
            host = rng.choice(customers + (big if t >= onset else []))
            reason = "dns" if t >= onset and rng.random() < 0.85 else rng.choice(["http_status", "timeout"])
            kit.log(
                "/pulsewatch/prod/alerting",
                "alert-dispatcher",
                ts,
                json.dumps(
                    {
                        "level": "info",
                        "time": k.iso_ms(ts),
                        "svc": "alerting",
                        "msg": "alert dispatched",
                        "state": "DOWN",
                        "reason": reason,
                        "target": f"https://{host}/",
                        "channels": rng.choice([["email"], ["slack"], ["email", "sms"], ["pagerduty"]]),
                        "confirmedBy": rng.choice(regions),
                    },
                    separators=(",", ":"),
                ),
            )
        if t == k.minute_floor(onset - timedelta(minutes=2)):
            kit.log(
                "/pulsewatch/prod/alerting",
                "alert-dispatcher",
                t,
                json.dumps(
                    {
                        "level": "info",
                        "time": k.iso_ms(t),
                        "svc": "monitors-api",
                        "msg": "bulk import accepted",
                        "account": "acct_7Q2MZK",
                        "monitors": round(added),
                        "intervalSeconds": 60,
                    },
                    separators=(",", ":"),
                ),
            )

    # ---- CloudTrail ------------------------------------------------------------------------------------
    eng_name = rng.choice(["kai.nakamura", "rosa.diaz", "finn.oconnor"])
    eng = k.sso_user(kit, "PlatformEngineer", eng_name + "@pulsewatch.io")
    dev = k.sso_user(
        kit, "Developer", rng.choice(["amara.obi", "leo.schmidt"]) + "@pulsewatch.io", console=False
    )
    ci = k.terraform_ci(kit, "gha-terraform")
    dd = k.role_session(
        kit, "GrafanaCloudWatchRead", "grafana", kit.public_ip(), "aws-sdk-go/1.51.6 (go1.22.2; linux; amd64)"
    )
    k.routine_reads(
        kit,
        [eng, dev, dd, dd],
        [
            ("route53.amazonaws.com", "ListResourceRecordSets", {"hostedZoneId": zone_id}),
            ("ec2.amazonaws.com", "DescribeDhcpOptions", {"dhcpOptionsSet": {}, "filterSet": {}}),
        ],
        32,
    )
    t_r53 = onset - timedelta(minutes=rng.randint(9, 20))
    ct(
        kit,
        t_r53,
        eng,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "comment": "cut over to redis 7 replication group",
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "redis.internal.pulsewatch.io",
                            "type": "CNAME",
                            "tTL": 60,
                            "resourceRecords": [{"value": redis_new}],
                        },
                    }
                ],
            },
        },
        {
            "changeInfo": {
                "id": f"/change/C0{kit.alnum(19, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}",
                "status": "PENDING",
                "submittedAt": k.iso_ms(t_r53),
            }
        },
    )
    _ = redis_old
    t_lambda = onset + timedelta(minutes=rng.randint(5, 18))
    ct(
        kit,
        t_lambda,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "invoice-mailer-prod",
            "s3Bucket": f"pulsewatch-artifacts-{region}",
            "s3Key": f"invoice-mailer/{kit.hex(40)}.zip",
            "publish": True,
        },
        {
            "functionName": "invoice-mailer-prod",
            "functionArn": kit.arn("lambda", "function:invoice-mailer-prod"),
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(800000, 2000000),
            "lastModified": k.iso(t_lambda).replace("Z", ".000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    t_sg = onset - timedelta(minutes=rng.randint(22, 29))
    ct(
        kit,
        t_sg,
        ci,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": kit.rid("sg"),
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "groups": {"items": [{"groupId": sg}]},
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        k.ec2_resp(
            kit,
            {
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": acct,
                            "groupId": "sg-0" + kit.hex(16),
                            "securityGroupRuleId": "sgr-0" + kit.hex(16),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 6379,
                            "toPort": 6379,
                            "referencedGroupInfo": {"groupId": sg, "userId": acct},
                        }
                    ]
                },
            },
        ),
    )

    ev = kit.alarm_event(a_dns)
    stated = local_onset.replace(minute=local_onset.minute - local_onset.minute % 5)
    question = (
        f"Lots of customers are getting DOWN alerts for sites that are up, since roughly {stated:%-I:%M%p}".replace(
            "AM", "am"
        ).replace("PM", "pm")
        + f". Probe logs say EAI_AGAIN. {eng_name.split('.')[0].title()} changed a record in the private zone around then; did that break DNS?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": asg_name,
            "category": "limit",
            "failure_mode": "vpc-resolver-packet-allowance-exceeded",
        },
        "also_accept": [n.iid for n in nodes],
        "actions": ["scale", "reconfigure"],
        "chain": [
            f"A bulk import adds about {round(added)} one-minute monitors, mostly due at the top of each minute",
            f"Each {asg_name} instance's DNS bursts exceed 1024 packets a second to the VPC resolver (linklocal_allowance_exceeded climbs)",
            "Dropped queries make getaddrinfo fail with EAI_AGAIN for a share of checks",
            "Monitors flap and customers get false DOWN alerts",
        ],
    }
    return kit.bundle(TITLE, {"question": question, "alarm_event": ev, "timezone": TZ}, truth)
