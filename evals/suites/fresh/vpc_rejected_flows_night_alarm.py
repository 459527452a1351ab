"""Rejected-flows alarm on the production VPC in the middle of the night."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zb as k
from evals.suites.fresh._kit_zb import ct

NAME = "vpc-rejected-flows-night-alarm"
TITLE = "Rejected-flows alarm on the production VPC at night, after a bastion security-group change"
SUMMARY = (
    "An internet-wide scanner sweeps the public addresses for twenty minutes; the flow-log REJECT metric "
    "alarms, just after an unused SSH rule was removed from the bastion group. Nothing is broken."
)

TZ = "Europe/Berlin"
FLOW_GROUP = "/vpc/prod/flow-logs"


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, ["eu-central-1"])
    rng = kit.rng
    zone = ZoneInfo(TZ)
    day = kit.pick_day(weekday=False)
    scan_local = datetime(
        day.year,
        day.month,
        day.day,
        rng.choice([1, 2, 3]),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=zone,
    )
    scan = scan_local.astimezone(k.UTC)
    off = scan_local.utcoffset()
    utc_off = off.total_seconds() / 3600.0 if off else 0.0
    scan_len = timedelta(minutes=rng.randint(14, 24))
    kit.start = k.minute_floor(scan - timedelta(hours=4, minutes=rng.randint(0, 40)))
    kit.now = k.minute_floor(scan + scan_len + timedelta(minutes=rng.randint(16, 30)))
    kit.end = kit.now + timedelta(minutes=10)
    acct, region = kit.account, kit.region
    net = k.Net(kit, "harbourline-prod", 3)

    sg_alb, sg_web, sg_bastion = kit.rid("sg"), kit.rid("sg"), kit.rid("sg")
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_alb,
            "tracking-web-alb",
            "public ALB",
            net.vpc,
            [k.sg_rule("tcp", 443, 443, cidr="0.0.0.0/0"), k.sg_rule("tcp", 80, 80, cidr="0.0.0.0/0")],
        ),
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_web,
            "tracking-web",
            "tracking web instances",
            net.vpc,
            [
                k.sg_rule("tcp", 8080, 8080, group=sg_alb, desc="ALB"),
                k.sg_rule("tcp", 22, 22, group=sg_bastion, desc="bastion"),
            ],
        ),
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(kit, sg_bastion, "ops-bastion", "ops bastion host", net.vpc, []),
    )
    lb = kit.res(
        "elbv2",
        "LoadBalancer",
        k.alb(
            kit,
            "tracking-web-prod",
            net.vpc,
            list(zip(net.public, net.azs, strict=True)),
            [sg_alb],
            kit.start - timedelta(days=700),
        ),
    )
    tg = kit.res(
        "elbv2",
        "TargetGroup",
        k.target_group(kit, "tracking-web-prod", net.vpc, 8080, "/actuator/health", lb["LoadBalancerArn"]),
    )
    lbd, tgd = k.lb_dim(lb), k.tg_dim(tg)
    lt_id = "lt-0" + kit.hex(16)
    ltv = str(rng.randint(20, 60))
    ami = "ami-0" + kit.hex(16)
    nodes = []
    for j in range(3):
        nodes.append(
            k.Node(
                kit.rid("i"),
                net.azs[j],
                j,
                net.ip(kit, j),
                kit.start - timedelta(days=rng.uniform(1, 12)),
                ltv,
            )
        )
    asg_name = "tracking-web-prod"
    for n in nodes:
        kit.res(
            "ec2",
            "Instance",
            k.instance(
                kit,
                n.iid,
                itype="m6i.large",
                ami=ami,
                subnet=net.private[n.zone],
                vpc=net.vpc,
                az=n.az,
                ip=n.ip,
                sgs=[(sg_web, "tracking-web")],
                profile="tracking-web-prod",
                launched=n.launched,
                tagd={
                    "Name": "tracking-web-prod",
                    "service": "tracking-web",
                    "aws:autoscaling:groupName": asg_name,
                },
                lt=(lt_id, "tracking-web-prod", ltv),
            ),
        )
        kit.res("ec2", "InstanceStatus", k.instance_status(n.iid, n.az))
        k.target_point(kit, tg["TargetGroupArn"], n, 8080, kit.start - timedelta(hours=2), "healthy")
    kit.res(
        "autoscaling",
        "AutoScalingGroup",
        k.asg_item(
            kit,
            asg_name,
            net,
            (lt_id, "tracking-web-prod"),
            nodes,
            "m6i.large",
            min_size=3,
            max_size=9,
            tgs=[tg["TargetGroupArn"]],
            created=kit.start - timedelta(days=700),
        ),
    )
    bastion = kit.rid("i")
    b_ip = f"10.{net.octet}.0.{rng.randint(10, 200)}"
    b_pub = kit.public_ip()
    b_item = k.instance(
        kit,
        bastion,
        itype="t3.micro",
        ami="ami-0" + kit.hex(16),
        subnet=net.public[0],
        vpc=net.vpc,
        az=net.azs[0],
        ip=b_ip,
        sgs=[(sg_bastion, "ops-bastion")],
        profile="ops-bastion",
        launched=kit.start - timedelta(days=rng.randint(200, 500)),
        tagd={"Name": "ops-bastion", "service": "ops"},
        key="ops-2023",
    )
    b_item["PublicIpAddress"] = b_pub
    b_item["PublicDnsName"] = f"ec2-{b_pub.replace('.', '-')}.{region}.compute.amazonaws.com"
    b_item["NetworkInterfaces"][0]["Association"] = {
        "IpOwnerId": "amazon",
        "PublicDnsName": b_item["PublicDnsName"],
        "PublicIp": b_pub,
    }
    b_eni = b_item["NetworkInterfaces"][0]["NetworkInterfaceId"]
    kit.res("ec2", "Instance", b_item)
    kit.res("ec2", "InstanceStatus", k.instance_status(bastion, net.azs[0]))
    alb_enis = []
    for i, az in enumerate(net.azs):
        eni = kit.rid("eni")
        pip = f"10.{net.octet}.{i}.{rng.randint(10, 250)}"
        alb_enis.append((eni, pip))
        kit.res(
            "ec2",
            "NetworkInterface",
            {
                "AvailabilityZone": az,
                "Description": f"ELB {lbd}",
                "Groups": [{"GroupName": "tracking-web-alb", "GroupId": sg_alb}],
                "InterfaceType": "interface",
                "Ipv6Addresses": [],
                "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": acct,
                "PrivateIpAddress": pip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": pip}],
                "RequesterId": "amazon-elb",
                "RequesterManaged": True,
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": net.public[i],
                "TagSet": [],
                "VpcId": net.vpc,
            },
        )
    fl_id = "fl-0" + kit.hex(16)
    kit.res(
        "ec2",
        "FlowLog",
        {
            "CreationTime": k.iso_ms(kit.start - timedelta(days=400)),
            "DeliverLogsPermissionArn": f"arn:aws:iam::{acct}:role/vpc-flow-logs",
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": fl_id,
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": FLOW_GROUP,
            "ResourceId": net.vpc,
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogDestination": kit.arn("logs", f"log-group:{FLOW_GROUP}"),
            "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
            "MaxAggregationInterval": 60,
            "Tags": [],
        },
    )
    kit.res(
        "logs",
        "LogGroup",
        k.log_group(
            kit, FLOW_GROUP, 30, kit.start - timedelta(days=400), rng.randint(10**10, 10**11), filters=1
        ),
    )
    kit.res(
        "logs",
        "LogGroup",
        k.log_group(
            kit,
            "/harbourline/prod/bastion/secure",
            90,
            kit.start - timedelta(days=480),
            rng.randint(10**7, 10**8),
        ),
    )
    kit.res(
        "logs",
        "LogGroup",
        k.log_group(
            kit,
            "/harbourline/prod/tracking-web",
            30,
            kit.start - timedelta(days=690),
            rng.randint(10**10, 10**11),
        ),
    )
    kit.res(
        "logs",
        "MetricFilter",
        {
            "filterName": "vpc-prod-rejected-flows",
            "filterPattern": '[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]',
            "metricTransformations": [
                {
                    "metricName": "RejectedFlows",
                    "metricNamespace": "Security/VPC",
                    "metricValue": "1",
                    "defaultValue": 0.0,
                }
            ],
            "creationTime": k.ms(kit.start - timedelta(days=390)),
            "logGroupName": FLOW_GROUP,
        },
    )

    # ---- the SG change and the scan ---------------------------------------------------------------------
    t_rev = scan - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59))
    scanners = [
        f"162.142.125.{rng.randint(2, 250)}",
        f"167.94.138.{rng.randint(2, 250)}",
        f"167.94.146.{rng.randint(2, 250)}",
    ]
    noise_ips = [kit.public_ip() for _ in range(40)]
    public_targets = [(b_eni, b_ip), *alb_enis]
    rejects: dict[datetime, int] = {}
    acct_s = acct
    ssh_after = 0
    for t in kit.minutes():
        st = int(t.timestamp())
        count = 0
        # background internet noise: telnet, rdp, smb, random high ports
        for _ in range(kit.poisson(rng.uniform(5, 9))):
            eni, pip = rng.choice(public_targets)
            port = rng.choice(
                [23, 445, 3389, 1433, 5900, 8080, 8443, 2323, 6379, 9200, rng.randint(1024, 65535)]
            )
            kit.log(
                FLOW_GROUP,
                f"{eni}-all",
                t + timedelta(seconds=rng.uniform(55, 59.9)),
                f"2 {acct_s} {eni} {rng.choice(noise_ips)} {pip} {rng.randint(1024, 65535)} {port} 6 1 {rng.choice([40, 44, 60])} {st} {st + 59} REJECT OK",
            )
            count += 1
        # SSH probes at the bastion: accepted (then refused by sshd) before the rule was removed, rejected after
        for _ in range(kit.poisson(1.1)):
            src = rng.choice(noise_ips)
            sport = rng.randint(30000, 65000)
            if t < t_rev:
                kit.log(
                    FLOW_GROUP,
                    f"{b_eni}-all",
                    t + timedelta(seconds=rng.uniform(55, 59.9)),
                    f"2 {acct_s} {b_eni} {src} {b_ip} {sport} 22 6 {rng.randint(8, 22)} {rng.randint(1800, 4200)} {st} {st + 59} ACCEPT OK",
                )
                user = rng.choice(["admin", "ubuntu", "test", "oracle", "postgres", "git", "user", "support"])
                ts = t + timedelta(seconds=rng.uniform(0, 50))
                kit.log(
                    "/harbourline/prod/bastion/secure",
                    bastion,
                    ts,
                    f"{ts:%b %d %H:%M:%S} ip-{b_ip.replace('.', '-')} sshd[{rng.randint(10000, 60000)}]: Invalid user {user} from {src} port {sport}",
                )
                kit.log(
                    "/harbourline/prod/bastion/secure",
                    bastion,
                    ts + timedelta(seconds=1),
                    f"{ts:%b %d %H:%M:%S} ip-{b_ip.replace('.', '-')} sshd[{rng.randint(10000, 60000)}]: Connection closed by invalid user {user} {src} port {sport} [preauth]",
                )
            else:
                kit.log(
                    FLOW_GROUP,
                    f"{b_eni}-all",
                    t + timedelta(seconds=rng.uniform(55, 59.9)),
                    f"2 {acct_s} {b_eni} {src} {b_ip} {sport} 22 6 {rng.randint(1, 3)} {rng.choice([60, 120, 180])} {st} {st + 59} REJECT OK",
                )
                count += 1
                ssh_after += 1
        # a sweep across ports of every public address
        if scan <= t < scan + scan_len:
            for _ in range(kit.poisson(rng.uniform(130, 190))):
                eni, pip = rng.choice(public_targets)
                port = (
                    rng.randint(1, 65535)
                    if rng.random() < 0.7
                    else rng.choice([21, 22, 25, 53, 110, 143, 993, 995, 3306, 5432, 8000, 8888, 9090, 27017])
                )
                if pip != b_ip and port in (80, 443):
                    continue
                kit.log(
                    FLOW_GROUP,
                    f"{eni}-all",
                    t + timedelta(seconds=rng.uniform(55, 59.9)),
                    f"2 {acct_s} {eni} {rng.choice(scanners)} {pip} {rng.randint(40000, 65000)} {port} 6 1 44 {st} {st + 59} REJECT OK",
                )
                count += 1
        # a little normal accepted traffic on the ALB
        for _ in range(2):
            eni, pip = rng.choice(alb_enis)
            kit.log(
                FLOW_GROUP,
                f"{eni}-all",
                t + timedelta(seconds=rng.uniform(55, 59.9)),
                f"2 {acct_s} {eni} {kit.public_ip()} {pip} {rng.randint(30000, 65000)} 443 6 {rng.randint(10, 40)} {rng.randint(3000, 40000)} {st} {st + 59} ACCEPT OK",
            )
        rejects[t] = count
        kit.put("Security/VPC", "RejectedFlows", {}, t, float(count), "None")

    # ---- service metrics: quiet night, nothing wrong ------------------------------------------------------
    for t in kit.minutes():
        shape = k.diurnal(t, utc_off, night=0.06, peaks=(10.0, 16.0))
        r = kit.noisy(2600 * shape, 0.08)
        scan_hits = kit.poisson(40) if scan <= t < scan + scan_len else 0
        r4 = kit.poisson(r * 0.01) + scan_hits
        for dims in ({"LoadBalancer": lbd}, {"LoadBalancer": lbd, "TargetGroup": tgd}):
            kit.put("AWS/ApplicationELB", "RequestCount", dims, t, round(r) + scan_hits, "Count")
            kit.put(
                "AWS/ApplicationELB",
                "HTTPCode_Target_2XX_Count",
                dims,
                t,
                round(r) - kit.poisson(r * 0.01),
                "Count",
            )
            if r4:
                kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, r4, "Count")
            kit.put_dist(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dims,
                t,
                [kit.noisy(0.05, 0.4) for _ in range(10)],
                "Seconds",
            )
            kit.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, 3, "Count")
            kit.put("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, 0, "Count")
        if scan <= t < scan + scan_len and rng.random() < 0.5:
            kit.put(
                "AWS/ApplicationELB",
                "HTTPCode_ELB_4XX_Count",
                {"LoadBalancer": lbd},
                t,
                kit.poisson(6) + 1,
                "Count",
            )
        kit.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            {"LoadBalancer": lbd},
            t,
            round(r * 0.3) + scan_hits,
            "Count",
        )
        kit.put(
            "AWS/ApplicationELB",
            "NewConnectionCount",
            {"LoadBalancer": lbd},
            t,
            round(r * 0.2) + scan_hits * 2,
            "Count",
        )
    for iid, base in [(n.iid, 14.0) for n in nodes] + [(bastion, 1.2)]:

        def cpu(t: datetime, b: float = base) -> float:
            return kit.noisy(b * (0.4 + k.diurnal(t, utc_off, night=0.06)), 0.1)

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu, step=300)
        kit.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t: 0.0, step=300)

    ops = [kit.arn("sns", "harbourline-secops")]
    pager = [kit.arn("sns", "harbourline-oncall")]
    a_rej = kit.alarm(
        "vpc-prod-rejected-flows-high",
        "Rejected flows in the production VPC well above normal (flow-log metric filter)",
        "Security/VPC",
        "RejectedFlows",
        {},
        "Sum",
        300,
        1,
        400,
        "GreaterThanThreshold",
        actions=ops + pager,
    )
    kit.alarm(
        "tracking-web-target-5xx",
        "tracking-web 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Sum",
        60,
        3,
        20,
        "GreaterThanThreshold",
        actions=pager,
    )
    kit.alarm(
        "tracking-web-unhealthy-hosts",
        "tracking-web unhealthy targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        actions=pager,
    )
    kit.alarm(
        "ops-bastion-status-check",
        "bastion status check",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": bastion},
        "Maximum",
        300,
        2,
        0,
        "GreaterThanThreshold",
        actions=ops,
    )

    # ---- app logs (quiet night) ------------------------------------------------------------------------------
    for t in kit.minutes(120):
        for n in nodes:
            ts = t + timedelta(seconds=rng.uniform(0, 119))
            kit.log(
                "/harbourline/prod/tracking-web",
                n.iid,
                ts,
                json.dumps(
                    {
                        "@timestamp": k.iso_ms(ts),
                        "level": "INFO",
                        "logger_name": "c.h.tracking.web.ShipmentController",
                        "thread_name": f"http-nio-8080-exec-{rng.randint(1, 20)}",
                        "message": f"GET /api/shipments/HL{rng.randint(10**8, 10**9 - 1)} 200 {rng.randint(8, 90)}ms",
                    }
                ),
            )
            if scan <= t < scan + scan_len:
                ts = t + timedelta(seconds=rng.uniform(0, 119))
                kit.log(
                    "/harbourline/prod/tracking-web",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "@timestamp": k.iso_ms(ts),
                            "level": "WARN",
                            "logger_name": "o.s.web.servlet.PageNotFound",
                            "thread_name": f"http-nio-8080-exec-{rng.randint(1, 20)}",
                            "message": f"No mapping for GET {rng.choice(['/.env', '/wp-login.php', '/.git/config', '/actuator/env', '/server-status', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php'])}",
                        }
                    ),
                )
            if rng.random() < 0.03:
                ts = t + timedelta(seconds=rng.uniform(0, 119))
                kit.log(
                    "/harbourline/prod/tracking-web",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "@timestamp": k.iso_ms(ts),
                            "level": "WARN",
                            "logger_name": "c.h.tracking.carrier.DhlClient",
                            "thread_name": "scheduling-1",
                            "message": "carrier status poll slow: 2.8s for batch of 50",
                        }
                    ),
                )

    # ---- CloudTrail -------------------------------------------------------------------------------------------
    eng_name = rng.choice(["tom.becker", "jana.novak", "miguel.santos"])
    eng = k.sso_user(kit, "NetworkAdmin", eng_name + "@harbourline.eu")
    oncall = k.sso_user(kit, "ReadOnly", rng.choice(["lukas.weber", "sofia.rossi"]) + "@harbourline.eu")
    ci = k.terraform_ci(kit, "gha-terraform")
    ssm_role = k.role_session(
        kit,
        "ops-bastion",
        bastion,
        b_pub,
        "aws-sdk-go/1.44.260 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0",
    )
    k.routine_reads(
        kit,
        [eng, oncall, ci],
        [
            ("ec2.amazonaws.com", "DescribeFlowLogs", {"DescribeFlowLogsRequest": {}}),
            ("logs.amazonaws.com", "DescribeMetricFilters", {"logGroupName": FLOW_GROUP}),
        ],
        30,
    )
    for h in range(5):
        ct(
            kit,
            kit.start + timedelta(minutes=h * 50 + rng.randint(0, 40)),
            ssm_role,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            {
                "instanceId": bastion,
                "agentVersion": "3.3.131.0",
                "agentStatus": "Active",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2023",
                "iPAddress": b_ip,
                "computerName": f"ip-{b_ip.replace('.', '-')}.{region}.compute.internal",
                "agentName": "amazon-ssm-agent",
                "availabilityZone": net.azs[0],
                "availabilityZoneId": k.az_id(region, net.azs[0]),
            },
            None,
        )
    ct(
        kit,
        t_rev - timedelta(minutes=3),
        eng,
        "ec2.amazonaws.com",
        "DescribeSecurityGroupRules",
        {
            "DescribeSecurityGroupRulesRequest": {
                "Filter": {"Name": "group-id", "Value": {"content": sg_bastion, "tag": 1}, "tag": 1}
            }
        },
        None,
        read_only=True,
    )
    rule_id = "sgr-0" + kit.hex(16)
    ct(
        kit,
        t_rev,
        eng,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        {"groupId": sg_bastion, "securityGroupRuleIds": {"items": [{"securityGroupRuleId": rule_id}]}},
        k.ec2_resp(
            kit,
            {
                "_return": True,
                "revokedSecurityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": acct,
                            "groupId": sg_bastion,
                            "securityGroupRuleId": rule_id,
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "cidrIpv4": "0.0.0.0/0",
                            "description": "ssh (legacy)",
                        }
                    ]
                },
            },
        ),
    )
    ct(
        kit,
        t_rev + timedelta(minutes=rng.randint(2, 6)),
        eng,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/harbourline/prod/bastion/secure", "retentionInDays": 365},
        None,
    )
    ct(
        kit,
        scan + timedelta(minutes=rng.randint(3, 12)),
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/prod/tracking-web/CARRIER_POLL_BATCH", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 30), "tier": "Standard"},
    )
    t_look = scan + scan_len + timedelta(minutes=rng.randint(5, 12))
    ct(
        kit,
        t_look,
        oncall,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": [FLOW_GROUP],
            "startTime": int((scan - timedelta(minutes=30)).timestamp()),
            "endTime": int((scan + scan_len).timestamp()),
            "queryString": "fields @timestamp, srcAddr, dstPort, action | filter action = 'REJECT' | stats count(*) by srcAddr | sort count(*) desc | limit 20",
        },
        {"queryId": kit.uuid()},
        read_only=True,
    )
    _ = ssh_after

    ev = kit.alarm_event(a_rej, which=0)
    hist = [
        h
        for h in kit.history
        if h["AlarmName"] == a_rej["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
    ]
    fired = datetime.fromisoformat(hist[0]["Timestamp"].replace("Z", "+00:00")).astimezone(zone)
    who = eng_name.split(".")[0].title()
    question = (
        f"vpc-prod-rejected-flows-high paged me at {fired:%H:%M} and has since gone quiet. {who} removed the SSH rule from "
        "the bastion security group earlier in the night. Did that break something, or is something attacking us? "
        "Do I need to do anything?"
    )
    truth = {"no_fault": True}
    return kit.bundle(TITLE, {"question": question, "alarm_event": ev, "timezone": TZ}, truth)
