"""dispatch-api p99 latency alarm: every outbound call waits five seconds before it starts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_z import (
    CONSOLE_UA,
    AlarmSpec,
    Json,
    Kit,
    alarm_event,
    diurnal,
    evaluate_alarm,
    iso,
    name_tags,
    office_ip,
    spread,
)

NAME = "dispatch-dns-forwarder-impaired"
TITLE = "dispatch-api p99 latency alarm; driver app sluggish, nothing deployed"
SUMMARY = (
    "The first of two self-managed DNS forwarders in the VPC's DHCP options fails its instance status check; "
    "lookups wait for the resolver timeout before trying the second, so outbound calls gain ~5 s."
)

REGION = "eu-central-1"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 8)}{rng.randint(10**10, 10**11 - 1)}"
    day = datetime(2024, 5, 13, tzinfo=UTC) + timedelta(days=rng.randint(0, 80))
    onset = (
        day
        + timedelta(hours=6, minutes=rng.randint(50, 59), seconds=rng.randint(0, 59))
        + timedelta(minutes=rng.randint(0, 25))
    )
    start = onset - timedelta(hours=rng.randint(4, 5), minutes=rng.randint(0, 40))
    now = onset + timedelta(minutes=rng.randint(35, 50))
    kit = Kit(NAME, seed, REGION, account, start, now, now + timedelta(minutes=1))
    kit.rng = rng

    vpc = kit.eid("vpc")
    dopt = f"dopt-0{kit.hex(16)}"
    subnets = {"a": kit.eid("subnet"), "b": kit.eid("subnet"), "c": kit.eid("subnet")}
    sg_dns, sg_app, sg_alb = kit.eid("sg"), kit.eid("sg"), kit.eid("sg")
    dns_ips = {"a": "10.30.1.53", "b": "10.30.2.53"}
    dns_ids = {"a": kit.eid("i"), "b": kit.eid("i")}
    app_ids = [kit.eid("i") for _ in range(3)]
    app_ips = [f"10.30.{n}.{rng.randint(20, 240)}" for n in (11, 12, 13)]
    app_azs = ["a", "b", "c"]
    alb_name = "dispatch-prod"
    alb_dim = f"app/{alb_name}/{kit.hex(16)}"
    tg_dim = f"targetgroup/dispatch-api/{kit.hex(16)}"
    tg_arn = kit.arn("elasticloadbalancing", tg_dim)
    alb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/{alb_dim}")
    asg = "dispatch-api-prod"
    sns_arn = kit.arn("sns", "dispatch-oncall")
    ami_app, ami_dns = f"ami-0{kit.hex(16)}", f"ami-0{kit.hex(16)}"
    bad = "a"

    jonas = kit.sso("jonas.weber", "PlatformEngineer")
    lena = kit.sso("lena.hoffmann", "Developer")
    ops = kit.role("ssm-patch-maintenance", "ssm-automation")
    dd = kit.role("DatadogIntegrationRole", "datadog-aws-integration")
    ip_j, ip_l = office_ip(rng), office_ip(rng)

    # --- metrics -------------------------------------------------------------------------------------
    fine_from = onset - timedelta(minutes=90)
    lb = {"LoadBalancer": alb_dim}
    lbtg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    for t, step in kit.times(fine_from):
        after = t >= onset
        rps = diurnal(t, 2, 3, 48, peak_hour=10)
        req = kit.noise(rps * step, 0.05)
        kit.put("AWS/ApplicationELB", "RequestCount", lb, t, round(req))
        kit.put("AWS/ApplicationELB", "RequestCount", lbtg, t, round(req))
        # about 70% of requests make at least one uncached outbound lookup
        lat: list[float] = []
        for _ in range(40):
            base = max(0.01, rng.lognormvariate(-2.1, 0.5))
            if after and rng.random() < 0.7:
                base += 5.0 + rng.uniform(0.001, 0.03) + (5.0 if rng.random() < 0.04 else 0.0)
            lat.append(min(base, 12.0))
        kit.put_dist("AWS/ApplicationELB", "TargetResponseTime", lbtg, t, lat)
        e5 = kit.poisson(req * (0.06 if after else 0.0003))
        if e5:
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbtg, t, e5)
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lbtg, t, round(req * 0.97) - e5)
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lbtg, t, round(req * 0.03))
        kit.put("AWS/ApplicationELB", "HealthyHostCount", lbtg, t, 3)
        kit.put("AWS/ApplicationELB", "UnHealthyHostCount", lbtg, t, 0)
        kit.put("AWS/ApplicationELB", "ActiveConnectionCount", lb, t, round(kit.noise(rps * step * 0.4)))
        for iid in app_ids:
            d = {"InstanceId": iid}
            kit.put(
                "AWS/EC2",
                "CPUUtilization",
                d,
                t,
                kit.noise(9 + rps * 0.55 * (0.85 if after else 1), 0.06),
                "Percent",
            )
            kit.put("AWS/EC2", "NetworkOut", d, t, kit.noise(rps * step * 2400 / 3, 0.06), "Bytes")
            kit.put("AWS/EC2", "StatusCheckFailed", d, t, 0)
        for z in ("a", "b"):
            d = {"InstanceId": dns_ids[z]}
            q = rps * 9 * step / 2  # queries
            if z == bad and after:
                kit.put("AWS/EC2", "CPUUtilization", d, t, kit.noise(0.4, 0.5), "Percent")
                kit.put("AWS/EC2", "NetworkIn", d, t, kit.noise(q * 92, 0.05), "Bytes")
                kit.put("AWS/EC2", "NetworkOut", d, t, kit.noise(900, 0.4), "Bytes")
                kit.put("AWS/EC2", "NetworkPacketsIn", d, t, round(q), "Count")
                kit.put("AWS/EC2", "NetworkPacketsOut", d, t, rng.randint(0, 6), "Count")
                kit.put("AWS/EC2", "StatusCheckFailed", d, t, 1)
                kit.put("AWS/EC2", "StatusCheckFailed_Instance", d, t, 1)
                kit.put("AWS/EC2", "StatusCheckFailed_System", d, t, 0)
            else:
                share = 2.0 if (after and z != bad) else 1.0
                kit.put(
                    "AWS/EC2", "CPUUtilization", d, t, kit.noise(2.5 + rps * 0.05 * share, 0.1), "Percent"
                )
                kit.put("AWS/EC2", "NetworkIn", d, t, kit.noise(q * share * 140, 0.05), "Bytes")
                kit.put("AWS/EC2", "NetworkOut", d, t, kit.noise(q * share * 210, 0.05), "Bytes")
                kit.put("AWS/EC2", "NetworkPacketsIn", d, t, round(q * share * 1.4), "Count")
                kit.put("AWS/EC2", "NetworkPacketsOut", d, t, round(q * share * 1.4), "Count")
                kit.put("AWS/EC2", "StatusCheckFailed", d, t, 0)
                kit.put("AWS/EC2", "StatusCheckFailed_Instance", d, t, 0)
                kit.put("AWS/EC2", "StatusCheckFailed_System", d, t, 0)
        dbd = {"DBInstanceIdentifier": "dispatch-pg-prod"}
        kit.put("AWS/RDS", "DatabaseConnections", dbd, t, round(kit.noise(62, 0.03)))
        kit.put(
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            t,
            kit.noise(14 + rps * 0.3 * (0.85 if after else 1), 0.05),
            "Percent",
        )
        kit.put("AWS/RDS", "ReadLatency", dbd, t, kit.noise(0.0011, 0.15), "Seconds")

    # --- logs ----------------------------------------------------------------------------------------
    app_group = "/dispatch/api"
    hosts_ext = [
        "rates.carrierhub.eu",
        "api.geoapify.com",
        "pricing.corp.kinetic.internal",
        "fleet-telemetry.kinetic.aws",
    ]
    routes = [
        ("GET", "/v2/jobs/nearby", True),
        ("POST", "/v2/jobs/{id}/accept", True),
        ("GET", "/v2/driver/me", False),
        ("POST", "/v2/driver/location", False),
        ("GET", "/v2/quotes", True),
        ("POST", "/v2/jobs/{id}/pod", True),
    ]
    for iid, ip in zip(app_ids, app_ips, strict=True):
        host = f"ip-{ip.replace('.', '-')}"
        t = start
        while t < now:
            t += timedelta(seconds=rng.expovariate(1 / 20))
            if t >= now:
                break
            m, path, calls_out = rng.choice(routes)
            slow = t >= onset and calls_out and rng.random() < 0.85
            dur = rng.lognormvariate(4.6, 0.4) + (5000 if slow else 0)
            code = 200
            rid = kit.hex(16)
            if slow and rng.random() < 0.09:
                code = 504
                up = rng.choice(hosts_ext)
                kit.log(
                    app_group,
                    iid,
                    t + timedelta(milliseconds=int(dur)),
                    json.dumps(
                        {
                            "level": "error",
                            "time": iso(t),
                            "host": host,
                            "reqId": rid,
                            "msg": f"upstream request failed: timeout of 6000ms exceeded ({up})",
                            "err": {"code": "ECONNABORTED", "name": "AxiosError"},
                        },
                        separators=(",", ":"),
                    ),
                )
            elif slow and rng.random() < 0.35:
                up = rng.choice(hosts_ext)
                kit.log(
                    app_group,
                    iid,
                    t + timedelta(milliseconds=int(dur)),
                    json.dumps(
                        {
                            "level": "warn",
                            "time": iso(t),
                            "host": host,
                            "reqId": rid,
                            "msg": "slow upstream",
                            "upstream": up,
                            "timings": {
                                "dns": 5000 + rng.randint(1, 12),
                                "tcp": rng.randint(1, 30),
                                "tls": rng.randint(0, 40),
                                "firstByte": rng.randint(40, 300),
                            },
                        },
                        separators=(",", ":"),
                    ),
                )
            kit.log(
                app_group,
                iid,
                t + timedelta(milliseconds=int(dur)),
                json.dumps(
                    {
                        "level": "info",
                        "time": iso(t),
                        "host": host,
                        "reqId": rid,
                        "method": m,
                        "path": path,
                        "status": code,
                        "durationMs": round(dur, 1),
                    },
                    separators=(",", ":"),
                ),
            )
            if rng.random() < 0.002:
                kit.log(
                    app_group,
                    iid,
                    t,
                    json.dumps(
                        {
                            "level": "warn",
                            "time": iso(t),
                            "host": host,
                            "msg": "redis reconnecting",
                            "attempt": 1,
                        },
                        separators=(",", ":"),
                    ),
                )

    sys_group = "/ec2/dns-forwarders/messages"
    for z in ("a", "b"):
        stream = dns_ids[z]
        name = f"dns-fwd-1{z}"
        t = start + timedelta(minutes=rng.randint(0, 9))
        while t < now:
            if z == bad and t >= onset - timedelta(minutes=3):
                break
            for th in range(2):
                kit.log(
                    sys_group,
                    stream,
                    t,
                    f"{t:%b %e %H:%M:%S} {name} unbound[811]: [811:{th}] info: server stats "
                    f"for thread {th}: {rng.randint(15000, 30000)} queries, {rng.randint(12000, 14000)} answers "
                    f"from cache, {rng.randint(1500, 3000)} recursions, 0 prefetch, 0 rejected by ip ratelimiting",
                )
            t += timedelta(minutes=10)
        for _ in range(2):
            tt = start + timedelta(minutes=rng.randint(5, 150), seconds=rng.randint(0, 59))
            kit.log(
                sys_group,
                stream,
                tt,
                f"{tt:%b %e %H:%M:%S} {name} chronyd[602]: Selected source 169.254.169.123",
            )
        if z == bad:
            t0 = onset - timedelta(minutes=2, seconds=rng.randint(0, 40))
            lines = [
                "kernel: watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:1:3187]",
                "kernel: Modules linked in: nf_conntrack_netlink nft_chain_nat xt_MASQUERADE ena ptp pps_core",
                "kernel: CPU: 1 PID: 3187 Comm: kworker/1:1 Not tainted 5.10.215-203.850.amzn2.x86_64 #1",
                "kernel: Workqueue: events_power_efficient neigh_periodic_work",
                "kernel: watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [unbound:811]",
                "kernel: rcu: INFO: rcu_sched self-detected stall on CPU",
            ]
            for i, line in enumerate(lines):
                tt = t0 + timedelta(seconds=i * 9)
                kit.log(sys_group, stream, tt, f"{tt:%b %e %H:%M:%S} {name} {line}")
        else:
            tt = start + timedelta(minutes=rng.randint(20, 100))
            kit.log(
                sys_group,
                stream,
                tt,
                f"{tt:%b %e %H:%M:%S} {name} unbound[811]: [811:0] error: "
                "SERVFAIL <legacy-erp.corp.kinetic.internal. A IN>: exceeded the maximum nameserver nxdomains",
            )

    # --- events: instance status is in the resources; target health steady ---------------------------
    for iid, ip, z in zip(app_ids, app_ips, app_azs, strict=True):
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": f"{REGION}{z}"},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        del ip

    # --- CloudTrail ----------------------------------------------------------------------------------
    zone_id = "Z0" + kit.upper_id(19)
    t1 = onset - timedelta(minutes=rng.randint(12, 22))
    kit.ct(
        t1,
        jonas,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "reports.kinetic.aws",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [
                                {
                                    "value": f"internal-reports-prod-{rng.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com"
                                }
                            ],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + kit.upper_id(19),
                "status": "PENDING",
                "submittedAt": t1.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        ip=ip_j,
        agent=CONSOLE_UA,
        version="1.08",
    )
    t2 = onset + timedelta(minutes=rng.randint(6, 14))
    kit.ct(
        t2,
        lena,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": "dispatch-worker-prod", "desiredCapacity": 4},
        None,
        ip=ip_l,
        agent=CONSOLE_UA,
    )
    t3 = onset - timedelta(minutes=rng.randint(25, 29))
    kit.ct(
        t3,
        jonas,
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": dns_ids["a"]}, {"resourceId": dns_ids["b"]}]},
            "tagSet": {"items": [{"key": "Patch Group", "value": "infra-weekly"}]},
        },
        {"_return": True},
        ip=ip_j,
        agent=CONSOLE_UA,
    )
    for t in spread(kit, start, now, 14):
        choices: list[tuple[str, Json]] = [
            ("DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            (
                "DescribeInstanceStatus",
                {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False},
            ),
            ("DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
        ]
        api, params = rng.choice(choices)
        kit.ct(
            t,
            dd,
            "ec2.amazonaws.com",
            api,
            params,
            None,
            read_only=True,
            ip="3.233.144.10",
            agent="Datadog-AWS-Integration/1.0",
        )
    for t in spread(kit, start, onset - timedelta(minutes=40), 4):
        kit.ct(
            t,
            ops,
            "ssm.amazonaws.com",
            "ListCommandInvocations",
            {"details": False, "maxResults": 50},
            None,
            read_only=True,
            ip="ssm.amazonaws.com",
            agent="ssm.amazonaws.com",
        )
    for t in spread(kit, start, now, 5):
        kit.service_assume(
            t, "ec2.amazonaws.com", f"arn:aws:iam::{account}:role/dispatch-api-instance", rng.choice(app_ids)
        )
    for t in spread(kit, start, now, 4):
        kit.ct(
            t,
            kit.aws_service("autoscaling.amazonaws.com"),
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": tg_arn},
            None,
            read_only=True,
        )
    kit.ct(
        start + timedelta(minutes=rng.randint(30, 90)),
        lena,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": [app_group],
            "queryString": "stats avg(durationMs) by path",
            "startTime": 0,
            "endTime": 0,
        },
        {"queryId": kit.uuid()},
        read_only=True,
        ip=ip_l,
        agent=CONSOLE_UA,
    )
    kit.ct(
        start + timedelta(minutes=rng.randint(95, 140)),
        jonas,
        "ssm.amazonaws.com",
        "UpdateMaintenanceWindow",
        {"windowId": f"mw-0{kit.hex(16)}", "schedule": "cron(0 2 ? * SUN *)"},
        None,
        ip=ip_j,
        agent=CONSOLE_UA,
    )

    # --- alarms --------------------------------------------------------------------------------------
    p99 = evaluate_alarm(
        kit,
        AlarmSpec(
            "dispatch-api-p99-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbtg,
            "",
            60,
            3,
            3,
            2.0,
            "GreaterThanThreshold",
            "dispatch-api p99 target response time above 2 s",
            extended="p99",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "dispatch-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lbtg,
            "Sum",
            300,
            1,
            1,
            150,
            "GreaterThanThreshold",
            "dispatch-api 5xx burst",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
    )
    for z in ("a", "b"):
        evaluate_alarm(
            kit,
            AlarmSpec(
                f"dns-fwd-1{z}-system-check-recover",
                "AWS/EC2",
                "StatusCheckFailed_System",
                {"InstanceId": dns_ids[z]},
                "Maximum",
                60,
                2,
                2,
                1,
                "GreaterThanOrEqualToThreshold",
                f"Recover dns-fwd-1{z} when the host fails",
                actions=[f"arn:aws:automate:{REGION}:ec2:recover"],
            ),
        )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "dispatch-pg-prod-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "dispatch-pg-prod"},
            "Average",
            300,
            3,
            3,
            80,
            "GreaterThanThreshold",
            "dispatch database CPU",
            actions=[sns_arn],
        ),
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 500))

    def instance(
        iid: str,
        ip: str,
        z: str,
        name: str,
        itype: str,
        ami: str,
        sg: tuple[str, str],
        launched: datetime,
        extra_tags: list[Json],
    ) -> Json:
        return {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": f"{REGION}{z}", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnets[z],
            "VpcId": vpc,
            "Architecture": "x86_64" if itype.startswith("t3") else "arm64",
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "Hypervisor": "xen",
            "VirtualizationType": "hvm",
            "EbsOptimized": True,
            "EnaSupport": True,
            "SourceDestCheck": True,
            "Monitoring": {"State": "disabled"},
            "SecurityGroups": [{"GroupId": sg[0], "GroupName": sg[1]}],
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{account}:instance-profile/{name.rsplit('-', 1)[0]}",
                "Id": "AIPA" + kit.upper_id(17),
            },
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": f"vol-0{kit.hex(16)}",
                    },
                }
            ],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": f"eni-0{kit.hex(16)}",
                    "PrivateIpAddress": ip,
                    "SubnetId": subnets[z],
                    "VpcId": vpc,
                    "Status": "in-use",
                    "OwnerId": account,
                    "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                    "SourceDestCheck": True,
                    "Groups": [{"GroupId": sg[0], "GroupName": sg[1]}],
                    "Attachment": {
                        "AttachmentId": f"eni-attach-0{kit.hex(16)}",
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                    },
                    "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                }
            ],
            "Tags": name_tags(name) + extra_tags,
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
        }

    dns_launch = created + timedelta(days=rng.randint(30, 90))
    for z in ("a", "b"):
        kit.res(
            "ec2",
            "Instance",
            instance(
                dns_ids[z],
                dns_ips[z],
                z,
                f"dns-fwd-1{z}",
                "t4g.small",
                ami_dns,
                (sg_dns, "dns-forwarders"),
                dns_launch,
                [{"Key": "role", "Value": "dns-forwarder"}, {"Key": "Patch Group", "Value": "infra-weekly"}],
            ),
        )
    app_launch = start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 12))
    for iid, ip, z in zip(app_ids, app_ips, app_azs, strict=True):
        kit.res(
            "ec2",
            "Instance",
            instance(
                iid,
                ip,
                z,
                "dispatch-api-prod",
                "t3.large",
                ami_app,
                (sg_app, "dispatch-api"),
                app_launch,
                [{"Key": "aws:autoscaling:groupName", "Value": asg}],
            ),
        )

    def status(iid: str, z: str, impaired: bool) -> Json:
        inst: Json = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        if impaired:
            inst = {
                "Status": "impaired",
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(onset + timedelta(minutes=1)),
                    }
                ],
            }
        return {
            "AvailabilityZone": f"{REGION}{z}",
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": inst,
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        }

    for z in ("a", "b"):
        kit.res("ec2", "InstanceStatus", status(dns_ids[z], z, z == bad))
    for iid, z in zip(app_ids, app_azs, strict=True):
        kit.res("ec2", "InstanceStatus", status(iid, z, False))
    kit.res(
        "ec2",
        "DhcpOptions",
        {
            "DhcpOptionsId": dopt,
            "OwnerId": account,
            "Tags": name_tags("core-prod-hybrid-dns"),
            "DhcpConfigurations": [
                {"Key": "domain-name", "Values": [{"Value": f"{REGION}.compute.internal"}]},
                {"Key": "domain-name-servers", "Values": [{"Value": dns_ips["a"]}, {"Value": dns_ips["b"]}]},
                {"Key": "ntp-servers", "Values": [{"Value": "169.254.169.123"}]},
            ],
        },
    )
    kit.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc,
            "CidrBlock": "10.30.0.0/16",
            "State": "available",
            "OwnerId": account,
            "DhcpOptionsId": dopt,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": name_tags("core-prod"),
        },
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg_dns,
            "GroupName": "dns-forwarders",
            "VpcId": vpc,
            "OwnerId": account,
            "Description": "DNS from VPC and on-prem",
            "IpPermissions": [
                {"IpProtocol": p, "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
                for p in ("udp", "tcp")
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": name_tags("dns-forwarders"),
        },
    )
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{rng.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": f"{REGION}{z}", "SubnetId": s} for z, s in subnets.items()],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "dispatch-api",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/health/live",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
        },
    )
    kit.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": kit.arn(
                "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{asg}"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": f"lt-0{kit.hex(16)}",
                "LaunchTemplateName": "dispatch-api",
                "Version": "$Latest",
            },
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": [f"{REGION}{z}" for z in "abc"],
            "TargetGroupARNs": [tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 120,
            "CreatedTime": iso(created),
            "VPCZoneIdentifier": ",".join(subnets.values()),
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "t3.large",
                    "AvailabilityZone": f"{REGION}{z}",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "LaunchTemplate": {
                        "LaunchTemplateId": f"lt-0{kit.hex(16)}",
                        "LaunchTemplateName": "dispatch-api",
                        "Version": "14",
                    },
                }
                for iid, z in zip(app_ids, app_azs, strict=True)
            ],
            "TerminationPolicies": ["Default"],
            "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/"
            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        },
    )
    kit.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": sys_group,
            "creationTime": int(created.timestamp() * 1000),
            "retentionInDays": 14,
            "arn": kit.arn("logs", f"log-group:{sys_group}:*"),
        },
    )

    ev = alarm_event(kit, p99)
    local = onset + timedelta(hours=2)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(kit.end),
            "now": iso(now),
            "trigger": {
                "question": f"dispatch-api p99 alarm went off. Drivers say the app has been sluggish since about "
                f"{local:%H:%M}; we haven't deployed anything today and the database looks fine. Why?",
                "alarm_event": ev,
                "timezone": "Europe/Berlin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": dns_ids[bad],
                    "category": "component_failure",
                    "failure_mode": "dns-forwarder-instance-unreachable",
                    "event_id": None,
                },
                "also_accept": [f"dns-fwd-1{bad}", dns_ips[bad]],
                "actions": ["restart", "exclude"],
                "chain": [
                    f"DNS forwarder dns-fwd-1{bad} ({dns_ids[bad]}) fails its instance status check and stops answering",
                    f"it is the first name server in DHCP options {dopt} for the core-prod VPC",
                    "each uncached lookup waits for the 5 s resolver timeout before asking dns-fwd-1b",
                    "dispatch-api outbound calls gain ~5 s; some exceed the client timeout and return 504",
                    "dispatch-api p99 TargetResponseTime alarm",
                ],
            },
        }
    )
    return Bundle(manifest, kit.finish())
