"""wattwise quote engine: quotes coming back with suppliers missing during the evening."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zf as k

NAME = "wattwise-quotes-incomplete-evening"
TITLE = "Energy quotes missing suppliers and erroring since the evening, suppliers say they are fine"
SUMMARY = (
    "An evening TV-ad surge pushes each quote-engine instance past the per-ENI 1024 pps limit to the VPC "
    "DNS resolver (linklocal_allowance_exceeded); uncached lookups fail with EAI_AGAIN to every host."
)

REGION = "eu-west-2"
AZS = [("eu-west-2a", "euw2-az2"), ("eu-west-2b", "euw2-az3"), ("eu-west-2c", "euw2-az1")]
SUPPLIERS = [
    "brightwatt", "ovalgreen", "pennine-power", "solent-energy", "northstar-gas", "cobalt-utilities",
    "tidal-home", "heron-energy", "greyfield", "lumen-supply", "marlow-power", "kestrel-energy",
    "beacon-utilities", "fernleaf", "harbour-gas", "quarry-energy", "saltmarsh", "ember-home",
    "ridgeway-power", "anvil-energy", "wrenfield", "copperline", "sunbury-energy", "thistle-power",
    "orchard-utilities", "boltwood", "meridian-home", "lantern-energy",
]  # fmt: skip


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    day = k.pick_day(rng)
    while day.month not in (4, 5, 6, 9, 10):
        day = k.pick_day(rng)
    # BST (UTC+1): the ad airs at about 20:10-20:25 local
    onset = day + timedelta(hours=19, minutes=rng.randrange(10, 25), seconds=rng.randrange(60))
    start = (onset - timedelta(hours=4, minutes=rng.randrange(0, 30))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randrange(38, 55))).replace(second=0)
    fine_from = k.floor_min(onset - timedelta(minutes=100), 5)
    tz = 1.0
    n_sup = len(SUPPLIERS)
    new_supplier = "wavecrest-energy"
    sup_hosts = {
        s: f"api.{s}.co.uk" if rng.random() < 0.6 else f"quotes.{s}.com" for s in [*SUPPLIERS, new_supplier]
    }

    vpc_id = "vpc-0" + k.hexs(rng, 16)
    priv = [
        ("subnet-0" + k.hexs(rng, 16), az, azid, f"10.8.{32 + 16 * i}") for i, (az, azid) in enumerate(AZS)
    ]
    pub = [("subnet-0" + k.hexs(rng, 16), az, azid, f"10.8.{i}") for i, (az, azid) in enumerate(AZS)]
    sg_alb, sg_app, sg_db = ("sg-0" + k.hexs(rng, 16) for _ in range(3))
    asg_name = "wattwise-quote-prod"
    lt = ("lt-0" + k.hexs(rng, 16), "wattwise-quote-prod", str(rng.randrange(20, 45)))
    ami = "ami-0" + k.hexs(rng, 16)
    launched = day - timedelta(days=rng.randrange(2, 9), hours=rng.randrange(0, 12))
    insts = []
    for n in range(4):
        sid, az, _azid, pre = priv[n % 3]
        insts.append(
            k.Inst("i-0" + k.hexs(rng, 16), az, sid, k.ip_private(rng, pre), launched + timedelta(minutes=n))
        )
    db_host_suffix = k.hexs(rng, 12)
    db_host = f"wattwise-pg-prod.{db_host_suffix}.{REGION}.rds.amazonaws.com"
    flag_change = onset - timedelta(minutes=rng.randrange(8, 14), seconds=rng.randrange(60))
    dns_change = onset - timedelta(minutes=rng.randrange(18, 27), seconds=rng.randrange(60))

    # quotes per second per instance
    def qps(t: datetime) -> float:
        base = 9.5 * k.diurnal(t, tz, peak_h=20.5, floor=0.12)
        if t >= onset:
            mins = (t - onset).total_seconds() / 60
            surge = 1.0 + 1.7 * min(1.0, mins / 3) * (1 if mins < 25 else max(0.55, 1 - (mins - 25) / 60))
            base *= surge
        return base

    def suppliers_at(t: datetime) -> int:
        return n_sup + (1 if t >= flag_change else 0)

    def dns_pps(t: datetime) -> float:
        # A + AAAA per uncached lookup; the pg pool reconnects and the metrics exporter resolve too
        return qps(t) * suppliers_at(t) * 2 * 1.06 + 14

    def drop_frac(t: datetime) -> float:
        p = dns_pps(t)
        return max(0.0, 1 - 1024 / p) if p > 1024 else 0.0

    # --- metrics ---------------------------------------------------------------------------------
    m = k.Metrics()
    times = k.timeline(start, fine_from, now)
    ll_counter = {i.id: float(rng.randrange(0, 4000)) for i in insts}  # since the driver loaded
    lbres, lb_arn, lb_dim = k.alb(
        rng,
        "wattwise-quotes",
        acct,
        REGION,
        vpc_id,
        [(az, sid) for sid, az, _, _ in pub],
        [sg_alb],
        day - timedelta(days=700),
    )
    tgres, tg_arn, tg_dim = k.target_group(
        rng, "wattwise-quote-8080", acct, REGION, vpc_id, lb_arn, 8080, "/health"
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    qns = "Wattwise/QuoteEngine"
    for t, s in times:
        sec = 60 * s
        tot_q = 0
        tot_partial = 0
        errs = {"EAI_AGAIN": 0, "ETIMEDOUT": 0, "HTTP_5XX": 0}
        db_fail = 0
        for i in insts:
            q = k.poisson(rng, qps(t) * sec * k.jitter(rng, 1, 0.03))
            f = drop_frac(t)
            calls = q * suppliers_at(t)
            eai = k.poisson(rng, calls * f * 0.78)
            tmo = k.poisson(rng, calls * (0.0004 + f * 0.05))
            h5 = k.poisson(rng, calls * 0.0003)
            errs["EAI_AGAIN"] += eai
            errs["ETIMEDOUT"] += tmo
            errs["HTTP_5XX"] += h5
            partial = min(q, k.poisson(rng, (eai + tmo + h5) * 0.92))
            tot_q += q
            tot_partial += partial
            db_fail += k.poisson(rng, q * f * 0.012)
            cpu = 8 + 1.9 * qps(t) * (1 + 0.05 * f)
            m.add(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": i.id},
                t,
                round(k.jitter(rng, cpu, 0.05), 2),
                "Percent",
            )
            m.add(
                "AWS/EC2",
                "NetworkPacketsOut",
                {"InstanceId": i.id},
                t,
                float(int(k.jitter(rng, qps(t) * sec * 29 * 14, 0.04))),
                "Count",
            )
            m.add(
                "AWS/EC2",
                "NetworkOut",
                {"InstanceId": i.id},
                t,
                float(int(k.jitter(rng, qps(t) * sec * 29 * 5200, 0.04))),
                "Bytes",
            )
            m.add("AWS/EC2", "StatusCheckFailed", {"InstanceId": i.id}, t, 0.0, "Count")
            ll_counter[i.id] += max(0.0, dns_pps(t) * k.jitter(rng, 1, 0.04) - 1024) * sec
            ed = {"InstanceId": i.id, "driver": "ena", "interface": "ens5"}
            m.add(
                "CWAgent", "ethtool_linklocal_allowance_exceeded", ed, t, float(int(ll_counter[i.id])), "None"
            )
            for other in (
                "pps_allowance_exceeded",
                "bw_in_allowance_exceeded",
                "bw_out_allowance_exceeded",
                "conntrack_allowance_exceeded",
            ):
                m.add("CWAgent", f"ethtool_{other}", ed, t, 0.0, "None")
            m.add(
                "CWAgent",
                "mem_used_percent",
                {"InstanceId": i.id, "AutoScalingGroupName": asg_name},
                t,
                round(k.jitter(rng, 41 + 6 * qps(t) / 9.5, 0.02), 2),
                "Percent",
            )
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg_name},
            t,
            round(8 + 1.9 * qps(t) * (1 + 0.05 * drop_frac(t)), 2),
            "Percent",
        )
        m.add(qns, "QuotesServed", {"Service": "quote-engine"}, t, float(tot_q), "Count")
        m.add(qns, "QuotesPartial", {"Service": "quote-engine"}, t, float(tot_partial), "Count")
        for code, v in errs.items():
            if v:
                m.add(
                    qns,
                    "SupplierCallErrors",
                    {"Service": "quote-engine", "ErrorCode": code},
                    t,
                    float(v),
                    "Count",
                )
        n_req = int(tot_q * 1.35)
        t5 = db_fail + k.poisson(rng, n_req * 0.00003)
        for dims in (lbd, tgd):
            m.add("AWS/ApplicationELB", "RequestCount", dims, t, float(n_req), "Count")
            m.add("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, float(n_req - t5), "Count")
            if t5:
                m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, float(t5), "Count")
            f = drop_frac(t)
            vals, cnts = k.latency_hist(rng, 0.52, n_req, tail=0.002 + 0.5 * f, tail_s=4.05)
            m.add_dist("AWS/ApplicationELB", "TargetResponseTime", dims, t, vals, cnts, "Seconds")
        m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, t, 4.0, "Count")
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, 0.0, "Count")
        dbd = {"DBInstanceIdentifier": "wattwise-pg-prod"}
        m.add(
            "AWS/RDS", "CPUUtilization", dbd, t, round(k.jitter(rng, 11 + 1.1 * qps(t), 0.05), 2), "Percent"
        )
        m.add("AWS/RDS", "DatabaseConnections", dbd, t, float(int(k.jitter(rng, 80, 0.03))), "Count")

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{REGION}:{acct}:wattwise-oncall"
    specs = [
        k.AlarmSpec(
            "wattwise-quotes-partial-high",
            "More than 5% of quotes missing at least one supplier",
            qns,
            "QuotesPartial",
            {"Service": "quote-engine"},
            "Sum",
            300,
            2,
            2,
            0.05 * 4 * 300 * 9.5 * 0.9,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "wattwise-quotes-p99",
            "quote API p99 > 3.5s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbd,
            "p99",
            60,
            5,
            4,
            3.5,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "wattwise-quotes-5xx",
            "quote API 5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lbd,
            "Sum",
            300,
            1,
            1,
            150.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "wattwise-quote-cpu-high",
            "quote fleet CPU > 75%",
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg_name},
            "Average",
            300,
            2,
            2,
            75.0,
            "GreaterThanThreshold",
            actions=[sns],
        ),
        k.AlarmSpec(
            "wattwise-pg-prod-cpu",
            "RDS CPU",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "wattwise-pg-prod"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns],
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for sp in specs:
        ar = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, start, now)
        alarms.append(ar.alarm)
        history += ar.history
    history.sort(key=lambda h: (h["Timestamp"], h["AlarmName"]))

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = k.Trail(rng, acct, REGION)
    mkt = k.sso_user(
        rng,
        acct,
        REGION,
        "WebOps",
        "hannah.okafor@wattwise.co.uk",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    prod_eng = k.sso_user(
        rng,
        acct,
        REGION,
        "Developer",
        "sam.pryce@wattwise.co.uk",
        k.ip_public(rng),
        k.cli_ua("ssm.put-parameter"),
    )
    oncall = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "ravi.mistry@wattwise.co.uk",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    mon = k.role_session(
        rng,
        acct,
        "datadog-integration",
        "DatadogAWSIntegration",
        k.ip_public(rng),
        "Datadog/1.0 aws-sdk-go/1.45.26 (go1.21.6; linux; amd64)",
    )
    ci = k.role_session(
        rng, acct, "gha-wattwise-deploy", "GitHubActions", k.ip_public(rng), k.TF_UA.format(api="ec2#1.157.0")
    )
    zone_id = "Z0" + k.upper_id(rng, "", 18).replace("0", "Q")
    k.set_session_created(mkt, dns_change - timedelta(minutes=12))
    trail.add(
        dns_change - timedelta(minutes=1),
        mkt,
        "route53.amazonaws.com",
        "ListResourceRecordSets",
        {"hostedZoneId": zone_id},
        None,
        read_only=True,
        host="route53.amazonaws.com",
    )
    change_id = "C0" + k.upper_id(rng, "", 18).replace("0", "K")
    trail.add(
        dns_change,
        mkt,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "comment": "status page for tonight's campaign",
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "status.wattwise.co.uk",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [{"value": "wattwise.statuspage.io"}],
                        },
                    }
                ],
            },
        },
        {
            "changeInfo": {
                "id": f"/change/{change_id}",
                "status": "PENDING",
                "submittedAt": dns_change.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "comment": "status page for tonight's campaign",
            }
        },
        host="route53.amazonaws.com",
    )
    k.set_session_created(prod_eng, flag_change - timedelta(minutes=30))
    trail.add(
        flag_change - timedelta(minutes=2),
        prod_eng,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/wattwise/prod/quote-engine/suppliers-enabled", "withDecryption": False},
        None,
        read_only=True,
    )
    trail.add(
        flag_change,
        prod_eng,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/wattwise/prod/quote-engine/suppliers-enabled", "type": "StringList", "overwrite": True},
        {"version": rng.randrange(40, 90), "tier": "Standard"},
    )
    for t, _s in [(x, 0) for x in k.minutes(start + timedelta(minutes=7), now - timedelta(minutes=1), 60)]:
        trail.add(
            t,
            ci,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "filterSet": {
                    "items": [
                        {
                            "name": "tag:aws:autoscaling:groupName",
                            "valueSet": {"items": [{"value": asg_name}]},
                        }
                    ]
                }
            },
            None,
            read_only=True,
        )
    k.routine_reads(
        trail,
        rng,
        start,
        now,
        [mon],
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": qns}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
        ],
        16,
    )
    k.routine_reads(
        trail,
        rng,
        start,
        onset - timedelta(minutes=40),
        [prod_eng],
        [
            (
                "ssm.amazonaws.com",
                "GetParametersByPath",
                {"path": "/wattwise/prod/quote-engine", "recursive": True},
            ),
            ("logs.amazonaws.com", "StartQuery", None),
        ],
        4,
    )
    k.set_session_created(oncall, now - timedelta(minutes=14))
    for j, (src, name, params) in enumerate(
        [
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            (
                "ssm.amazonaws.com",
                "GetParameterHistory",
                {"name": "/wattwise/prod/quote-engine/suppliers-enabled"},
            ),
            ("route53.amazonaws.com", "GetChange", {"id": change_id}),
        ]
    ):
        trail.add(
            now - timedelta(minutes=12 - 3 * j, seconds=rng.randrange(50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
            host="route53.amazonaws.com" if "route53" in src else None,
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    lg = "/wattwise/quote-engine"
    for i in insts:
        host = "ip-" + i.ip.replace(".", "-")
        pid = rng.randrange(1000, 9000)
        stream = f"{i.id}/quote-engine"
        t = start + timedelta(seconds=rng.randrange(2, 20))
        while t < now:
            f = drop_frac(t)
            base = {"level": 30, "time": k.ms(t), "pid": pid, "hostname": host}
            if f > 0 and rng.random() < min(0.85, f * 3.2):
                sup = rng.choice(SUPPLIERS + ([new_supplier] if t >= flag_change else []))
                h = sup_hosts[sup]
                if rng.random() < 0.06:
                    rec = base | {
                        "level": 50,
                        "msg": "db query failed",
                        "err": {
                            "type": "Error",
                            "message": f"getaddrinfo EAI_AGAIN {db_host}",
                            "code": "EAI_AGAIN",
                            "errno": -3001,
                            "syscall": "getaddrinfo",
                            "hostname": db_host,
                        },
                    }
                else:
                    rec = base | {
                        "level": 40,
                        "msg": "supplier call failed",
                        "supplier": sup,
                        "quoteId": k.hexs(rng, 16),
                        "err": {
                            "type": "Error",
                            "message": f"getaddrinfo EAI_AGAIN {h}",
                            "code": "EAI_AGAIN",
                            "errno": -3001,
                            "syscall": "getaddrinfo",
                            "hostname": h,
                        },
                    }
            elif rng.random() < 0.03:
                sup = rng.choice(SUPPLIERS[:6])
                rec = base | {
                    "level": 40,
                    "msg": "supplier call failed",
                    "supplier": sup,
                    "quoteId": k.hexs(rng, 16),
                    "err": {
                        "type": "HTTPError",
                        "message": "Response code 503 (Service Unavailable)",
                        "code": "ERR_NON_2XX_3XX_RESPONSE",
                        "statusCode": 503,
                    },
                }
            else:
                nn = suppliers_at(t)
                missing = sum(1 for _ in range(nn) if rng.random() < f * 0.8)
                rec = base | {
                    "msg": "quote served",
                    "quoteId": k.hexs(rng, 16),
                    "postcodeArea": rng.choice(["SW", "M", "LS", "B", "BS", "NE", "G", "CF", "EH", "NG"]),
                    "suppliersQueried": nn,
                    "suppliersResponded": nn - missing,
                    "durationMs": int(rng.lognormvariate(6.8, 0.3))
                    if missing == 0
                    else 4000 + rng.randrange(5, 60),
                }
            logs.append(k.log(lg, stream, t, json.dumps(rec, separators=(",", ":"))))
            gap = rng.uniform(10, 30) if t < fine_from else rng.uniform(3, 9)
            t += timedelta(seconds=gap)
        logs.append(
            k.log(
                lg,
                stream,
                flag_change + timedelta(seconds=rng.randrange(20, 60)),
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(flag_change) + 30000,
                        "pid": pid,
                        "hostname": host,
                        "msg": "supplier config reloaded",
                        "enabled": n_sup + 1,
                        "added": [new_supplier],
                    },
                    separators=(",", ":"),
                ),
            )
        )

    # --- resources -------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        k.vpc(vpc_id, "10.8.0.0/16", acct, "wattwise-prod", "dopt-0" + k.hexs(rng, 16))
    ]
    for sid, az, azid, pre in priv:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/20",
                az,
                azid,
                acct,
                REGION,
                f"wattwise-prod-private-{az[-1]}",
                rng.randrange(4000, 4080),
            )
        )
    for sid, az, azid, pre in pub:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/24",
                az,
                azid,
                acct,
                REGION,
                f"wattwise-prod-public-{az[-1]}",
                rng.randrange(240, 250),
                public=True,
            )
        )
    resources += [
        k.security_group(
            sg_alb,
            "wattwise-quotes-alb",
            "quotes ALB",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 443, 443, cidrs=[("0.0.0.0/0", "")])],
        ),
        k.security_group(
            sg_app,
            "wattwise-quote-engine",
            "quote engine",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 8080, 8080, groups=[(sg_alb, "")], acct=acct)],
        ),
        k.security_group(
            sg_db,
            "wattwise-pg",
            "postgres",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 5432, 5432, groups=[(sg_app, "")], acct=acct)],
        ),
        lbres,
        tgres,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(rng)}"),
    ]
    tag = {"Name": "wattwise-quote-prod", "service": "quote-engine", "aws:autoscaling:groupName": asg_name}
    az_ids = dict(AZS)
    for i in insts:
        resources.append(
            k.instance(
                rng,
                i,
                acct=acct,
                region=REGION,
                vpc_id=vpc_id,
                itype="c6i.xlarge",
                ami=ami,
                profile="wattwise-quote-engine",
                sgs=[(sg_app, "wattwise-quote-engine")],
                tag=tag,
                lt=lt,
            )
        )
        resources.append(k.instance_status(i, az_ids[i.az]))
    resources.append(
        k.asg(
            asg_name,
            acct,
            REGION,
            lt,
            [tg_arn],
            [p[0] for p in priv],
            [a for a, _ in AZS],
            [(i, "InService", "Healthy") for i in insts],
            day - timedelta(days=700),
            min_size=4,
            max_size=10,
            desired=4,
            itype="c6i.xlarge",
            tag={"service": "quote-engine"},
            rng=rng,
        )
    )
    rds = k.rds_instance(
        rng,
        "wattwise-pg-prod",
        acct,
        REGION,
        "eu-west-2a",
        klass="db.r6g.large",
        engine="postgres",
        version="15.5",
        sg=sg_db,
        subnet_group="wattwise-prod-db",
        vpc_id=vpc_id,
        created=day - timedelta(days=650),
        now=now,
        storage=300,
    )
    rds["item"]["Endpoint"]["Address"] = db_host
    resources.append(rds)
    resources.append(
        k.res(
            "route53",
            "HostedZone",
            {
                "Id": f"/hostedzone/{zone_id}",
                "Name": "wattwise.co.uk.",
                "CallerReference": k.uid(rng),
                "Config": {"Comment": "public zone", "PrivateZone": False},
                "ResourceRecordSetCount": 41,
            },
        )
    )
    for name, typ, val in (
        ("status.wattwise.co.uk.", "CNAME", "wattwise.statuspage.io"),
        ("www.wattwise.co.uk.", "CNAME", "d1" + k.hexs(rng, 12) + ".cloudfront.net"),
    ):
        resources.append(
            k.res(
                "route53",
                "ZoneRecordSet",
                {
                    "HostedZoneId": zone_id,
                    "Name": name,
                    "Type": typ,
                    "TTL": 300,
                    "ResourceRecords": [{"Value": val}],
                },
            )
        )
    resources.append(
        k.res(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": "quotes.wattwise.co.uk.",
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": "ZHURV8PSTC4K8",
                    "DNSName": f"dualstack.{lbres['item']['DNSName']}.",
                    "EvaluateTargetHealth": True,
                },
            },
        )
    )
    resources.append(
        k.log_group(lg, acct, REGION, day - timedelta(days=600), 30, rng.randrange(10**9, 10**10))
    )
    resources.append(
        k.iam_role(
            rng,
            "wattwise-quote-engine",
            acct,
            "ec2.amazonaws.com",
            day - timedelta(days=700),
            "quote engine instances",
            now - timedelta(minutes=5),
            REGION,
        )
    )

    local = onset + timedelta(hours=1)
    hour = local.hour - 12
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"Since about {hour}:{local.minute // 5 * 5:02d}pm a lot of quotes come back with suppliers missing and the "
                    "logs are full of supplier call errors, across pretty much every supplier. The suppliers we've "
                    "called say they're fine. Traffic is up because the TV ad aired, but CPU on the quote fleet is only "
                    "around 50-60%. What is going on?"
                ),
                "timezone": "Europe/London",
                "alarm_event": None,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg_name,
                    "category": "limit",
                    "failure_mode": "ec2-linklocal-dns-pps-allowance-exceeded",
                    "event_id": None,
                },
                "also_accept": [i.id for i in insts] + [lt[0], "wattwise-quote-prod"],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"The TV-ad surge roughly doubles quotes per instance on {asg_name}; each quote resolves ~{n_sup} supplier hostnames (A and AAAA) with no local DNS cache",
                    "DNS packets to the VPC resolver (169.254.169.253) exceed the 1024 pps per-ENI link-local allowance; ethtool linklocal_allowance_exceeded climbs on every instance",
                    "Dropped queries make getaddrinfo fail with EAI_AGAIN for supplier APIs and even the RDS endpoint",
                    "Quotes come back partial after the 4s supplier deadline; p99 latency and the partial-quotes alarm go up while CPU stays moderate",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(m.rows),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
        },
    )
