"""tillpoint: some shops' card terminals time out on payments (see _kit_zk.py, idea 2)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zk as k

NAME = "tillpoint-terminal-timeouts"
TITLE = "Some shops' card terminals timing out on payments; gateway dashboards green"
SUMMARY = (
    "The journal EBS volume of one termgw instance stalls; the NLB's TCP health check keeps passing, so the "
    "flows hashed to that instance hang and those terminals time out while the rest of the fleet is fine."
)

ACCOUNT = "730915284466"
REGION = "eu-west-2"
ZONE = "Europe/London"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = k.pick_day(rng)
    onset = day + timedelta(
        hours=rng.choice([10, 11, 12, 13]), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    start = k.floor5(onset - timedelta(hours=3, minutes=rng.randint(30, 50)))
    now = onset + timedelta(minutes=rng.randint(38, 55), seconds=rng.randint(0, 59))

    vpc_id = "vpc-0" + k.hexid(rng, 16)
    azs = [("eu-west-2a", "euw2-az2"), ("eu-west-2b", "euw2-az3"), ("eu-west-2c", "euw2-az1")]
    pub = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    priv = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    sg_gw = "sg-0" + k.hexid(rng, 16)
    lb_name = "tillpoint-termgw-prod"
    lb_dim = f"net/{lb_name}/{k.hexid(rng, 16)}"
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{lb_dim}"
    tg_dim = f"targetgroup/termgw-tls-8443/{k.hexid(rng, 16)}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{tg_dim}"
    asg_name = "termgw-prod"
    n = 4
    insts = []
    for i in range(n):
        j = [0, 1, 2, 0][i]
        ip = f"10.60.{8 + j * 8 + rng.randint(0, 3)}.{rng.randint(10, 250)}"
        insts.append(
            {
                "id": "i-0" + k.hexid(rng, 16),
                "az": azs[j][0],
                "subnet": priv[j],
                "ip": ip,
                "eni": "eni-0" + k.hexid(rng, 16),
                "root": "vol-0" + k.hexid(rng, 16),
                "journal": "vol-0" + k.hexid(rng, 16),
            }
        )
    bad = insts[rng.randrange(n)]

    # --- principals ------------------------------------------------------------------------------
    office = f"194.{rng.randint(60, 90)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    people = ["ellie.marsh", "kwame.boateng", "sofia.ricci", "jonas.keller", "hana.sato"]
    rng.shuffle(people)
    p_net = k.sso(ACCOUNT, "NetworkAdmin", people[0] + "@tillpoint.co.uk", office, rng)
    p_dev = k.sso(ACCOUNT, "Engineer", people[1] + "@tillpoint.co.uk", office, rng)
    p_ro = k.sso(ACCOUNT, "SupportReadOnly", people[2] + "@tillpoint.co.uk", office, rng)
    p_dd = k.role(
        ACCOUNT,
        "DatadogIntegrationRole",
        k.hexid(rng, 32),
        f"3.{rng.randint(210, 235)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)",
        rng,
    )
    p_ci = k.role(
        ACCOUNT,
        "buildkite-deploy",
        f"buildkite-{rng.randint(20000, 90000)}",
        f"52.{rng.randint(0, 60)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-cli/2.15.58 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
        rng,
    )
    p_dlm = k.service_linked(
        ACCOUNT, "AWSDataLifecycleManagerDefaultRole", "dlm-snapshot", "dlm.amazonaws.com", rng
    )

    def c(params: k.Rec | None) -> Callable[[random.Random], k.Rec | None]:
        return lambda _r: params

    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", c({"instancesSet": {}, "filterSet": {}}), True),
        ("ec2.amazonaws.com", "DescribeVolumes", c({"volumeSet": {}, "filterSet": {}}), True),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", c({"pageSize": 400}), True),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", c({"targetGroupArn": tg_arn}), True),
        ("monitoring.amazonaws.com", "GetMetricData", c(None), True),
        ("monitoring.amazonaws.com", "ListMetrics", c({"namespace": "AWS/NetworkELB"}), True),
        (
            "tag.amazonaws.com",
            "GetResources",
            c({"resourceTypeFilters": ["ec2:instance"], "resourcesPerPage": 100}),
            True,
        ),
        (
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            c({"autoScalingGroupNames": [asg_name]}),
            True,
        ),
        ("kms.amazonaws.com", "ListAliases", c(None), True),
        (
            "ecs.amazonaws.com",
            "DescribeServices",
            c({"cluster": "tillpoint-prod", "services": ["merchant-portal"]}),
            True,
        ),
    ]
    trail = k.routine_trail(rng, REGION, start, now, [p_dd, p_dd, p_ro, p_dev], calls, 36)
    # DLM nightly snapshots of journal volumes happened long before; an hourly one is in window
    snap_t = start + timedelta(minutes=rng.randint(20, 60))
    for x in insts:
        trail.append(
            k.ct(
                rng,
                snap_t + timedelta(seconds=rng.randint(0, 20)),
                p_dlm,
                "ec2.amazonaws.com",
                "CreateSnapshot",
                REGION,
                {
                    "volumeId": x["journal"],
                    "description": "Created for policy: policy-0"
                    + k.hexid(rng, 17)
                    + " schedule: journal-4h",
                },
                {
                    "requestId": k.uuid(rng),
                    "snapshotId": "snap-0" + k.hexid(rng, 16),
                    "volumeId": x["journal"],
                    "status": "pending",
                    "startTime": k.ms(snap_t),
                    "progress": "",
                    "ownerId": ACCOUNT,
                    "volumeSize": 100,
                    "encrypted": True,
                },
            )
        )
    # innocent change 1: SG ingress for a new retail chain's egress range, shortly before the onset
    chain_cidr = f"{rng.choice([81, 86, 109, 178])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.choice([0, 64, 128])}/26"
    sgt = onset - timedelta(minutes=rng.randint(7, 14), seconds=rng.randint(0, 59))
    rec = k.ct(
        rng,
        sgt,
        p_net,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        REGION,
        {
            "groupId": sg_gw,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": chain_cidr, "description": "Hollins & Daughters store NAT"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": "",
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ACCOUNT,
                        "groupId": sg_gw,
                        "securityGroupRuleId": "sgr-0" + k.hexid(rng, 16),
                        "description": "Hollins & Daughters store NAT",
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "cidrIpv4": chain_cidr,
                    }
                ]
            },
        },
    )
    rec["responseElements"]["requestId"] = rec["requestID"]
    trail.append(rec)
    # innocent change 2: merchant portal deploy on ECS (another service), after the onset
    dep_t = onset + timedelta(minutes=rng.randint(4, 16), seconds=rng.randint(0, 59))
    td_rev = rng.randint(140, 260)
    trail.append(
        k.ct(
            rng,
            dep_t - timedelta(seconds=9),
            p_ci,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            REGION,
            {
                "family": "merchant-portal",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/merchant-portal:{td_rev}",
                    "revision": td_rev,
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dep_t,
            p_ci,
            "ecs.amazonaws.com",
            "UpdateService",
            REGION,
            {
                "cluster": "tillpoint-prod",
                "service": "merchant-portal",
                "taskDefinition": f"merchant-portal:{td_rev}",
                "forceNewDeployment": False,
            },
            {"service": {"serviceName": "merchant-portal", "status": "ACTIVE", "desiredCount": 3}},
        )
    )
    # innocent change 3: NLB attribute tweak on the staging gateway, before the onset
    trail.append(
        k.ct(
            rng,
            onset - timedelta(minutes=rng.randint(22, 29)),
            p_net,
            "elasticloadbalancing.amazonaws.com",
            "ModifyTargetGroupAttributes",
            REGION,
            {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/termgw-staging-8443/{k.hexid(rng, 16)}",
                "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
            },
            None,
        )
    )
    # on-call looking around after the report
    for j, (src, nm) in enumerate(
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth"),
            ("ec2.amazonaws.com", "DescribeInstanceStatus"),
            ("logs.amazonaws.com", "StartQuery"),
            ("elasticloadbalancing.amazonaws.com", "DescribeListeners"),
        ]
    ):
        t = onset + timedelta(minutes=24 + j * 3, seconds=rng.randint(0, 59))
        trail.append(
            k.ct(
                rng,
                t,
                p_dev,
                src,
                nm,
                REGION,
                {"targetGroupArn": tg_arn} if nm == "DescribeTargetHealth" else None,
                None,
                True,
            )
        )
    trail = [x for x in trail if x["eventTime"] <= k.iso(now)]

    # --- metrics --------------------------------------------------------------------------------
    metrics: list[k.Rec] = []
    nlb = {"LoadBalancer": lb_dim}
    nlbtg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    base = rng.uniform(2600, 4200)  # payments per minute at the daily peak
    stats_lines: dict[str, list[tuple[datetime, str]]] = {x["id"]: [] for x in insts}
    app_cnt: dict[datetime, float] = {}
    for t in k.minutes(start, now - timedelta(minutes=1)):
        load = k.diurnal(t, 0.0, 12.8, 0.08)
        pays = k.jitter(rng, base * load, 0.05)
        after = t >= onset.replace(second=0)
        # share of attempts hashing to the bad target: 1/n; those hang 30s then the terminal retries once
        hung = pays / n if after else 0.0
        new_flows = pays + hung * 0.92 + rng.randint(20, 60)  # plus health-check-free keepalive reconnects
        metrics.append(k.datum("AWS/NetworkELB", "NewFlowCount", nlb, t, "Count", int(new_flows)))
        metrics.append(k.datum("AWS/NetworkELB", "NewFlowCount_TCP", nlb, t, "Count", int(new_flows)))
        active = pays * 0.06 + hung * 0.5 + rng.uniform(-5, 5)
        metrics.append(k.datum("AWS/NetworkELB", "ActiveFlowCount", nlb, t, "Count", max(1, int(active))))
        metrics.append(k.datum("AWS/NetworkELB", "ActiveFlowCount_TCP", nlb, t, "Count", max(1, int(active))))
        metrics.append(
            k.datum(
                "AWS/NetworkELB",
                "ProcessedBytes",
                nlb,
                t,
                "Bytes",
                int(pays * k.jitter(rng, 6100, 0.04) + hung * 2900),
            )
        )
        metrics.append(
            k.datum(
                "AWS/NetworkELB",
                "ProcessedBytes_TCP",
                nlb,
                t,
                "Bytes",
                int(pays * k.jitter(rng, 6100, 0.04) + hung * 2900),
            )
        )
        cr = k.poisson(rng, pays * 0.0015 + hung * 0.35)
        if cr:
            metrics.append(k.datum("AWS/NetworkELB", "TCP_Client_Reset_Count", nlb, t, "Count", cr))
        tr = k.poisson(rng, 0.4)
        if tr:
            metrics.append(k.datum("AWS/NetworkELB", "TCP_Target_Reset_Count", nlb, t, "Count", tr))
        er = k.poisson(rng, 0.2)
        if er:
            metrics.append(k.datum("AWS/NetworkELB", "TCP_ELB_Reset_Count", nlb, t, "Count", er))
        metrics.append(k.stat("AWS/NetworkELB", "HealthyHostCount", nlbtg, t, "Count", 3, 3 * n, n, n))
        metrics.append(k.stat("AWS/NetworkELB", "UnHealthyHostCount", nlbtg, t, "Count", 3, 0, 0, 0))
        # app metrics (EMF, per service): only completed authorisations are counted
        done = pays - hung * (1 if after else 0)
        app_cnt[t] = done
        metrics.append(
            k.datum(
                "Tillpoint/Termgw", "AuthorisationsCompleted", {"Service": "termgw"}, t, "Count", int(done)
            )
        )
        lat = [max(0.04, rng.lognormvariate(-1.75, 0.35)) for _ in range(50)]
        metrics.append(
            k.dist("Tillpoint/Termgw", "AuthorisationLatency", {"Service": "termgw"}, t, "Seconds", lat)
        )
        declines = k.poisson(rng, done * 0.055)
        metrics.append(
            k.datum("Tillpoint/Termgw", "AuthorisationsDeclined", {"Service": "termgw"}, t, "Count", declines)
        )
        # EBS, 1-minute (Nitro)
        for x in insts:
            is_bad = x is bad and after
            vd = {"VolumeId": x["journal"]}
            share = pays / n
            if is_bad:
                metrics.append(k.datum("AWS/EBS", "VolumeWriteOps", vd, t, "Count", 0.0))
                metrics.append(k.datum("AWS/EBS", "VolumeWriteBytes", vd, t, "Bytes", 0.0))
                metrics.append(
                    k.datum("AWS/EBS", "VolumeQueueLength", vd, t, "Count", float(rng.randint(28, 34)))
                )
                metrics.append(k.datum("AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", 0.0))
                stalled = 1.0 if t >= onset.replace(second=0) + timedelta(minutes=1) else 0.0
            else:
                ops = share * 2.1 + rng.uniform(3, 12)
                metrics.append(k.datum("AWS/EBS", "VolumeWriteOps", vd, t, "Count", int(ops)))
                metrics.append(
                    k.datum(
                        "AWS/EBS",
                        "VolumeWriteBytes",
                        vd,
                        t,
                        "Bytes",
                        int(ops * k.jitter(rng, 4096 * 1.6, 0.05)),
                    )
                )
                metrics.append(
                    k.datum(
                        "AWS/EBS", "VolumeQueueLength", vd, t, "Count", round(abs(rng.gauss(0.02, 0.01)), 4)
                    )
                )
                metrics.append(
                    k.datum("AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", round(rng.uniform(50, 58.5), 3))
                )
                stalled = 0.0
            metrics.append(
                k.datum(
                    "AWS/EBS",
                    "VolumeStalledIOCheck",
                    {"VolumeId": x["journal"], "InstanceId": x["id"]},
                    t,
                    "None",
                    stalled,
                )
            )
        # app stats line per instance
        for x in insts:
            if x is bad and after:
                inflight = min(256, int((t - onset).total_seconds() / 60 * pays / n * 0.3) + 40)
                stats_lines[x["id"]].append(
                    (
                        t,
                        f"stats window=60s auths=0 approved=0 declined=0 p50=- p99=- inflight={inflight} acq_link=UP journal_lag_ms={int((t - onset).total_seconds() * 1000)}",
                    )
                )
            else:
                a = int(pays / n * k.jitter(rng, 1, 0.03))
                dcl = int(a * k.jitter(rng, 0.055, 0.1))
                stats_lines[x["id"]].append(
                    (
                        t,
                        f"stats window=60s auths={a} approved={a - dcl} declined={dcl} p50={int(rng.uniform(150, 200))}ms p99={int(rng.uniform(480, 820))}ms inflight={rng.randint(2, 14)} acq_link=UP journal_lag_ms={rng.randint(1, 4)}",
                    )
                )
    for t in k.minutes(start, now - timedelta(minutes=5), 5):
        load = k.diurnal(t, 0.0, 12.8, 0.08)
        for x in insts:
            is_bad = x is bad and t >= onset.replace(second=0) - timedelta(minutes=4)
            d = {"InstanceId": x["id"]}
            cpu = k.jitter(rng, 4 + 31 * load, 0.07) * (0.12 if is_bad else 1)
            metrics.append(k.datum("AWS/EC2", "CPUUtilization", d, t, "Percent", max(0.3, cpu)))
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "NetworkIn",
                    d,
                    t,
                    "Bytes",
                    int(k.jitter(rng, 9.5e6 * load + 4e5, 0.06) * (0.35 if is_bad else 1)),
                )
            )
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "NetworkOut",
                    d,
                    t,
                    "Bytes",
                    int(k.jitter(rng, 1.2e7 * load + 5e5, 0.06) * (0.2 if is_bad else 1)),
                )
            )
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed", d, t, "Count", 0.0))
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed_System", d, t, "Count", 0.0))
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed_Instance", d, t, "Count", 0.0))
            ebsf = 1.0 if (x is bad and t >= onset.replace(second=0) + timedelta(minutes=3)) else 0.0
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed_AttachedEBS", d, t, "Count", ebsf))

    # --- alarms --------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:payments-oncall"
    created = start - timedelta(days=rng.randint(120, 500))
    unh = {
        datetime.fromisoformat(m["timestamp"]): 0.0 for m in metrics if m["metric"] == "UnHealthyHostCount"
    }
    p99s: dict[datetime, float] = {}
    for m in metrics:
        if m["metric"] == "AuthorisationLatency":
            vals = m["values"]
            p99s[datetime.fromisoformat(m["timestamp"])] = vals[-1]
    cpu_by: dict[str, dict[datetime, float]] = {}
    for m in metrics:
        if m["namespace"] == "AWS/EC2" and m["metric"] == "CPUUtilization":
            cpu_by.setdefault(m["dimensions"]["InstanceId"], {})[datetime.fromisoformat(m["timestamp"])] = m[
                "value"
            ]
    specs: list[tuple[k.AlarmSpec, dict[datetime, float]]] = [
        (
            k.AlarmSpec(
                "termgw-nlb-unhealthy-targets",
                "AWS/NetworkELB",
                "UnHealthyHostCount",
                nlbtg,
                "Maximum",
                1.0,
                "GreaterThanOrEqualToThreshold",
                60,
                3,
                3,
                "breaching",
                None,
                "A termgw target is failing NLB health checks",
                [topic],
            ),
            unh,
        ),
        (
            k.AlarmSpec(
                "termgw-auth-latency-p99",
                "Tillpoint/Termgw",
                "AuthorisationLatency",
                {"Service": "termgw"},
                "p99",
                2.0,
                "GreaterThanThreshold",
                60,
                5,
                5,
                "notBreaching",
                "Seconds",
                "termgw p99 authorisation latency above 2s",
                [topic],
                "p99",
            ),
            p99s,
        ),
        (
            k.AlarmSpec(
                "termgw-auth-volume-floor",
                "Tillpoint/Termgw",
                "AuthorisationsCompleted",
                {"Service": "termgw"},
                "Sum",
                150.0,
                "LessThanThreshold",
                300,
                2,
                2,
                "breaching",
                None,
                "Completed authorisations dropped below the floor (business hours)",
                [topic],
            ),
            {
                t: sum(app_cnt.get(t + timedelta(minutes=i), 0) for i in range(5))
                for t in app_cnt
                if t.minute % 5 == 0
            },
        ),
    ]
    for x in insts:
        specs.append(
            (
                k.AlarmSpec(
                    f"termgw-cpu-high-{x['id']}",
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": x["id"]},
                    "Average",
                    85.0,
                    "GreaterThanThreshold",
                    300,
                    3,
                    3,
                    "missing",
                    "Percent",
                    "termgw instance CPU",
                    [topic],
                ),
                cpu_by[x["id"]],
            )
        )
    alarms, history = [], []
    for spec, vals in specs:
        item, hist, _ = k.evaluate_alarm(spec, vals, start, now, ACCOUNT, REGION, rng, created)
        alarms.append(item)
        history += hist

    # --- logs -----------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    grp = "/tillpoint/termgw"
    for x in insts:
        stream = f"termgw/{x['id']}"
        for t, line in stats_lines[x["id"]]:
            tt = t + timedelta(seconds=59, milliseconds=rng.randint(0, 999))
            if tt > now:
                continue
            logs.append(
                k.log(grp, stream, tt, f"{k.iso_ms(tt)} INFO  [stats-reporter] c.t.termgw.Stats - {line}")
            )
        for t in k.minutes(start, now - timedelta(minutes=1), 1):
            if rng.random() < 0.05:
                tt = t + timedelta(seconds=rng.uniform(0, 59))
                mid = f"{rng.randint(10**7, 10**8 - 1)}"
                logs.append(
                    k.log(
                        grp,
                        stream,
                        tt,
                        f"{k.iso_ms(tt)} WARN  [conn-{rng.randint(1, 200)}] c.t.termgw.session.TerminalSession - TLS handshake failed from {rng.randint(2, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}: Received fatal alert: certificate_unknown (terminal TID {mid[:8]})",
                    )
                )
            if rng.random() < 0.03:
                tt = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        grp,
                        stream,
                        tt,
                        f"{k.iso_ms(tt)} WARN  [acq-link-1] c.t.termgw.acquirer.AcquirerLink - echo test response slow: {rng.randint(900, 1900)}ms (threshold 800ms)",
                    )
                )
        if x is bad:
            t = onset + timedelta(seconds=61)
            seg = rng.randint(300, 900)
            while t < now:
                blocked = int((t - onset).total_seconds() * 1000) + rng.randint(0, 400)
                logs.append(
                    k.log(
                        grp,
                        stream,
                        t,
                        f"{k.iso_ms(t)} WARN  [journal-watchdog] c.t.termgw.journal.JournalWatchdog - journal writer has not completed a sync for {blocked} ms (segment /var/lib/termgw/journal/seg-{seg:06d}.wal, pending="
                        + str(min(4096, blocked // 40))
                        + ")",
                    )
                )
                t += timedelta(seconds=60, milliseconds=rng.randint(-200, 200))
            t2 = onset + timedelta(minutes=rng.randint(7, 10))
            if t2 < now:
                logs.append(
                    k.log(
                        grp,
                        stream,
                        t2,
                        f"{k.iso_ms(t2)} WARN  [acceptor] c.t.termgw.server.Acceptor - worker pool saturated (256/256 busy); new sessions queued",
                    )
                )
    # system log from the CloudWatch agent (dmesg shipped) on each instance
    for x in insts:
        stream = f"{x['id']}/messages"
        for t in k.minutes(start, now, 30):
            tt = t + timedelta(seconds=rng.uniform(0, 600))
            if tt > now:
                continue
            host = f"ip-{x['ip'].replace('.', '-')}"
            logs.append(
                k.log(
                    "/tillpoint/system",
                    stream,
                    tt,
                    f"{tt.strftime('%b %e %H:%M:%S')} {host} systemd[1]: Started sysstat-collect.service - system activity accounting tool.",
                )
            )
        if x is bad:
            host = f"ip-{x['ip'].replace('.', '-')}"
            for secs, msg in [
                (122, f"INFO: task java:{rng.randint(1800, 2600)} blocked for more than 120 seconds."),
                (122, "      Not tainted 6.1.109-118.189.amzn2023.aarch64 #1"),
                (123, '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'),
                (
                    245,
                    f"INFO: task jbd2/nvme1n1-8:{rng.randint(400, 700)} blocked for more than 241 seconds.",
                ),
            ]:
                tt = onset + timedelta(seconds=secs, milliseconds=rng.randint(0, 900))
                if tt < now:
                    logs.append(
                        k.log(
                            "/tillpoint/system",
                            stream,
                            tt,
                            f"{tt.strftime('%b %e %H:%M:%S')} {host} kernel: {msg}",
                        )
                    )

    # --- resources ------------------------------------------------------------------------------
    r: list[k.Rec] = [k.res("ec2", "Vpc", k.vpc(vpc_id, "10.60.0.0/16", ACCOUNT, "tillpoint-prod", rng))]
    for j, (az, azid) in enumerate(azs):
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    pub[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.60.{j}.0/24",
                    245 - rng.randint(0, 6),
                    ACCOUNT,
                    REGION,
                    f"tillpoint-prod-public-{az[-1]}",
                ),
            )
        )
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    priv[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.60.{8 + j * 8}.0/21",
                    2030 - rng.randint(0, 60),
                    ACCOUNT,
                    REGION,
                    f"tillpoint-prod-private-{az[-1]}",
                ),
            )
        )
    ranges = [
        (f"{rng.randint(80, 200)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24", f"{c} store NAT")
        for c in ("Kettle & Crumb", "Marlow Pharmacy", "Bayside Newsagents")
    ]
    ranges.append(("0.0.0.0/0", "terminals (mobile SIM)"))
    if sgt <= now:
        ranges.append((chain_cidr, "Hollins & Daughters store NAT"))
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_gw,
                "termgw-prod",
                "termgw instances",
                vpc_id,
                ACCOUNT,
                REGION,
                [
                    k.perm("tcp", 8443, 8443, ranges),
                    k.perm("tcp", 9100, 9100, [("10.60.0.0/16", "node exporter")]),
                ],
                {"Name": "termgw-prod"},
            ),
        )
    )
    ami = "ami-0" + k.hexid(rng, 16)
    launched = start - timedelta(days=rng.randint(6, 30), hours=rng.randint(0, 12))
    for x in insts:
        r.append(
            k.res(
                "ec2",
                "Instance",
                k.instance(
                    rng,
                    x["id"],
                    "c7g.large",
                    x["az"],
                    x["subnet"],
                    vpc_id,
                    x["ip"],
                    [(sg_gw, "termgw-prod")],
                    ami,
                    launched + timedelta(minutes=rng.randint(0, 20)),
                    {"Name": "termgw-prod", "aws:autoscaling:groupName": asg_name, "team": "payments-edge"},
                    f"arn:aws:iam::{ACCOUNT}:instance-profile/termgw-prod",
                    [("/dev/xvda", x["root"]), ("/dev/sdf", x["journal"])],
                    x["eni"],
                ),
            )
        )
        ebs_ok = x is not bad or now < onset + timedelta(minutes=3)
        r.append(
            k.res(
                "ec2",
                "InstanceStatus",
                k.instance_status(x["id"], x["az"], True, ebs_ok, onset + timedelta(minutes=2)),
            )
        )
        for vol, size, dev, tag in (
            (x["root"], 16, "/dev/xvda", "root"),
            (x["journal"], 100, "/dev/sdf", "journal"),
        ):
            r.append(
                k.res(
                    "ec2",
                    "Volume",
                    {
                        "Attachments": [
                            {
                                "AttachTime": k.iso(launched),
                                "Device": dev,
                                "InstanceId": x["id"],
                                "State": "attached",
                                "VolumeId": vol,
                                "DeleteOnTermination": True,
                            }
                        ],
                        "AvailabilityZone": x["az"],
                        "CreateTime": k.iso_ms(launched),
                        "Encrypted": True,
                        "Size": size,
                        "SnapshotId": "" if tag == "journal" else "snap-0" + k.hexid(rng, 16),
                        "State": "in-use",
                        "VolumeId": vol,
                        "Iops": 3000,
                        "VolumeType": "gp3",
                        "Throughput": 125,
                        "MultiAttachEnabled": False,
                        "Tags": k.tags(
                            {
                                "Name": f"termgw-prod-{tag}",
                                "dlm-policy": "journal-4h" if tag == "journal" else "none",
                            }
                        ),
                    },
                )
            )
    vs_status = "impaired" if now >= onset + timedelta(minutes=2) else "ok"
    r.append(
        k.res(
            "ec2",
            "VolumeStatusItem",
            {
                "AvailabilityZone": bad["az"],
                "VolumeId": bad["journal"],
                "VolumeStatus": {
                    "Status": vs_status,
                    "Details": [
                        {"Name": "io-enabled", "Status": "passed"},
                        {
                            "Name": "io-performance",
                            "Status": "severely-degraded" if vs_status == "impaired" else "normal",
                        },
                    ],
                },
                "Actions": [],
                "Events": [],
                "AttachmentStatuses": [
                    {
                        "InstanceId": bad["id"],
                        "IoPerformance": "stalled" if vs_status == "impaired" else "normal",
                    }
                ],
            },
        )
    )
    r.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.load_balancer(
                lb_arn,
                lb_name,
                "network",
                "internet-facing",
                vpc_id,
                created,
                [(azs[j][0], pub[j]) for j in range(3)],
                [],
                f"{lb_name}-{k.hexid(rng, 16)}.elb.{REGION}.amazonaws.com",
                "ZD4D7Y8KGAS4G",
            ),
        )
    )
    r.append(
        k.res(
            "elbv2",
            "TargetGroup",
            k.target_group(
                tg_arn,
                "termgw-tls-8443",
                "TCP",
                8443,
                vpc_id,
                lb_arn,
                {
                    "HealthCheckProtocol": "TCP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckIntervalSeconds": 30,
                    "HealthCheckTimeoutSeconds": 10,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 3,
                },
            ),
        )
    )
    r.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/{lb_dim}/{k.hexid(rng, 16)}",
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "TCP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        )
    )
    lt = ("lt-0" + k.hexid(rng, 16), "termgw-prod", str(rng.randint(12, 40)))
    r.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            k.asg(
                asg_name,
                f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}",
                lt,
                (4, 8, 4),
                [a for a, _ in azs],
                priv,
                [tg_arn],
                created,
                [(x["id"], "c7g.large", x["az"]) for x in insts],
                {"team": "payments-edge"},
                ACCOUNT,
            ),
        )
    )
    for g in (grp, "/tillpoint/system"):
        r.append(
            k.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": k.ms(created),
                    "retentionInDays": 90,
                    "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{g}:*",
                    "storedBytes": rng.randint(10**9, 10**10),
                },
            )
        )

    events: list[k.Rec] = []
    for x in insts:
        events.append(
            k.th_event(tg_arn, x["id"], 8443, launched + timedelta(minutes=2), "healthy", az=x["az"])
        )

    local = onset.astimezone(ZoneInfo(ZONE))
    approx = local - timedelta(minutes=local.minute % 5)
    clock = approx.strftime("%-I:%M%p").lower().replace(":00", "")
    q = rng.choice(
        [
            f"Support are getting calls from shops whose card terminals time out on payments since about {clock}; most shops are fine and a retry usually goes through. termgw dashboards look green. What's going on?",
            f"Since roughly {clock} some merchants say card payments hang for 30 seconds and then fail on the terminal, other merchants fine. Nothing alarmed. Can you find out why?",
        ]
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
            "trigger": {"question": q, "alarm_event": None, "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad["journal"],
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-io-stalled",
                },
                "also_accept": [bad["id"]],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"EBS journal volume {bad['journal']} stops completing I/O (VolumeStalledIOCheck 1, queue length stuck, zero write ops)",
                    f"termgw on {bad['id']} blocks on journal syncs; its workers hang while the port stays open",
                    f"NLB {lb_name} TCP health checks keep passing, so about 1/{n} of terminal flows still go to {bad['id']}",
                    "those terminals time out on payments; retries hashed to other targets succeed",
                ],
            },
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
