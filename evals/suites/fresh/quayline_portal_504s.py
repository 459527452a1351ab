"""quayline-portal: ELB 5xx alarm on a weekday morning (see _kit_zk.py, idea 1)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zk as k

NAME = "quayline-portal-504s"
TITLE = "quayline-portal ELB 5xx alarm on a weekday morning"
SUMMARY = (
    "A Terraform hardening apply narrowed the app-tier network ACL's outbound return-traffic rule to "
    "32768-65535; ALB connections from low source ports time out (ELB 504s, flapping targets) just after an app deploy."
)

ACCOUNT = "418236970512"
REGION = "eu-west-1"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = k.pick_day(rng)
    onset = day + timedelta(hours=rng.choice([8, 9, 10]), minutes=rng.randint(0, 59))
    change_t = onset - timedelta(seconds=rng.randint(20, 50))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    start = k.floor5(start)
    now = onset + timedelta(minutes=rng.randint(34, 44), seconds=rng.randint(0, 59))
    deploy_t = onset - timedelta(minutes=rng.randint(13, 17), seconds=rng.randint(0, 59))
    deploy_done = onset - timedelta(minutes=rng.randint(2, 4), seconds=rng.randint(0, 59))

    vpc_id = "vpc-0" + k.hexid(rng, 16)
    azs = [("eu-west-1a", "euw1-az2"), ("eu-west-1b", "euw1-az3"), ("eu-west-1c", "euw1-az1")]
    pub = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    app = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    data = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    acl_app = "acl-0" + k.hexid(rng, 16)
    sg_alb, sg_web, sg_db = ("sg-0" + k.hexid(rng, 16) for _ in range(3))
    lb_hex, tg_hex = k.hexid(rng, 16), k.hexid(rng, 16)
    lb_name = "quayline-portal-prod"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{lb_dim}"
    tg_dim = f"targetgroup/quayline-portal-web/{tg_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{tg_dim}"
    asg_name = "quayline-portal-web-prod"
    n_inst = rng.choice([5, 6, 6])
    insts = []
    for i in range(n_inst):
        az, _ = azs[i % 3]
        ip = f"10.42.{16 + 4 * (i % 3) + rng.randint(0, 3)}.{rng.randint(10, 250)}"
        insts.append(("i-0" + k.hexid(rng, 16), az, app[i % 3], ip, "eni-0" + k.hexid(rng, 16)))
    alb_ips = [f"10.42.{j}.{rng.randint(20, 240)}" for j in range(3)]
    db_id = "quayline-prod-pg"
    rep_ip = f"10.42.{rng.randint(40, 43)}.{rng.randint(10, 200)}"
    flow_group = "/vpc/flowlogs/quayline-prod"

    # --- principals -----------------------------------------------------------------------------
    office_ip = f"81.{rng.randint(128, 159)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    users = ["maya.okafor", "tom.lindqvist", "priya.raman", "dan.whitlock"]
    rng.shuffle(users)
    dom = "@quayline.io"
    p_sso_admin = k.sso(ACCOUNT, "PlatformAdmin", users[0] + dom, office_ip, rng)
    p_sso_dev = k.sso(
        ACCOUNT,
        "DeveloperAccess",
        users[1] + dom,
        f"86.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        rng,
    )
    p_sso_ro = k.sso(ACCOUNT, "ReadOnly", users[2] + dom, office_ip, rng)
    gh_ip = f"20.{rng.randint(20, 120)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 "
        "md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0"
    )
    run_no = rng.randint(1200, 4800)
    p_tf = k.role(ACCOUNT, "gha-terraform-network", f"GitHubActions-{run_no}", gh_ip, tf_agent, rng)
    p_deploy = k.role(
        ACCOUNT,
        "gha-deploy-portal",
        f"GitHubActions-{run_no + rng.randint(3, 40)}",
        gh_ip,
        "aws-cli/2.17.31 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 "
        "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off command/deploy.create-deployment",
        rng,
    )
    p_grafana = k.role(
        ACCOUNT,
        "grafana-cloudwatch-read",
        "grafana",
        f"3.{rng.randint(64, 120)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-sdk-go/1.51.9 (go1.22.2; linux; amd64) grafana/11.1.0",
        rng,
    )
    p_cd = k.service_linked(
        ACCOUNT, "AWSServiceRoleForCodeDeploy", "CodeDeploy", "codedeploy.amazonaws.com", rng
    )
    p_inst = k.role(
        ACCOUNT,
        "quayline-portal-web",
        insts[0][0],
        insts[0][3],
        "aws-sdk-java/2.26.12 Linux/6.1.102-108.177.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. md/internal exec-env/AWS_EC2 io/sync http/Apache cfg/retry-mode/legacy",
        rng,
    )

    trail: list[k.Rec] = []

    def ro(params: k.Rec | None) -> Callable[[random.Random], k.Rec | None]:
        return lambda _r: params

    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", ro({"instancesSet": {}, "filterSet": {}}), True),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", ro({"targetGroupArn": tg_arn}), True),
        ("monitoring.amazonaws.com", "GetMetricData", ro(None), True),
        ("monitoring.amazonaws.com", "DescribeAlarms", ro({"maxRecords": 100}), True),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            ro({"logGroupName": "/quayline/portal-web", "limit": 500}),
            True,
        ),
        ("rds.amazonaws.com", "DescribeDBInstances", ro({"dBInstanceIdentifier": db_id}), True),
        (
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            ro({"autoScalingGroupNames": [asg_name]}),
            True,
        ),
        (
            "ssm.amazonaws.com",
            "GetParameters",
            ro({"names": ["/quayline/portal/feature-flags"], "withDecryption": False}),
            True,
        ),
        ("s3.amazonaws.com", "ListBuckets", ro({"Host": "s3.eu-west-1.amazonaws.com"}), True),
        ("sts.amazonaws.com", "GetCallerIdentity", ro(None), True),
    ]
    trail += k.routine_trail(rng, REGION, start, now, [p_sso_ro, p_grafana, p_sso_dev, p_grafana], calls, 34)
    # instance role reading its secret at boot, kms by services
    for iid, _, _, ip, _ in insts:
        t = deploy_t + timedelta(minutes=rng.uniform(1, 12))
        pi = k.role(ACCOUNT, "quayline-portal-web", iid, ip, p_inst.agent, rng)
        trail.append(
            k.ct(
                rng,
                t,
                pi,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                REGION,
                {
                    "secretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:quayline/portal/db-AbC{k.hexid(rng, 3)}"
                },
                None,
                True,
            )
        )

    # Terraform plan/apply on the network stack
    tf_plan = change_t - timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(0, 50))
    for j, nm in enumerate(
        [
            "DescribeVpcs",
            "DescribeSubnets",
            "DescribeNetworkAcls",
            "DescribeRouteTables",
            "DescribeSecurityGroups",
        ]
    ):
        trail.append(
            k.ct(
                rng,
                tf_plan + timedelta(seconds=j * 2 + rng.random()),
                p_tf,
                "ec2.amazonaws.com",
                nm,
                REGION,
                {"filterSet": {}}
                if nm != "DescribeNetworkAcls"
                else {"networkAclIdSet": {"items": [{"networkAclId": acl_app}]}, "filterSet": {}},
                None,
                True,
            )
        )
        trail.append(
            k.ct(
                rng,
                change_t - timedelta(seconds=40 - j * 3),
                p_tf,
                "ec2.amazonaws.com",
                nm,
                REGION,
                {"filterSet": {}},
                None,
                True,
            )
        )

    def acl_entry(rule: int, egress: bool, lo: int, hi: int, cidr: str) -> k.Rec:
        return {
            "networkAclId": acl_app,
            "ruleNumber": rule,
            "egress": egress,
            "ruleAction": "allow",
            "icmpTypeCode": {},
            "portRange": {"from": lo, "to": hi},
            "aclProtocol": "6",
            "cidrBlock": cidr,
        }

    ing_rec = k.ct(
        rng,
        change_t - timedelta(seconds=1),
        p_tf,
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        REGION,
        acl_entry(110, False, 32768, 65535, "0.0.0.0/0"),
        {"requestId": k.uuid(rng), "_return": True},
    )
    egr_rec = k.ct(
        rng,
        change_t,
        p_tf,
        "ec2.amazonaws.com",
        "ReplaceNetworkAclEntry",
        REGION,
        acl_entry(120, True, 32768, 65535, "10.42.0.0/16"),
        {"requestId": k.uuid(rng), "_return": True},
    )
    tag_rec = k.ct(
        rng,
        change_t + timedelta(seconds=1),
        p_tf,
        "ec2.amazonaws.com",
        "CreateTags",
        REGION,
        {
            "resourcesSet": {"items": [{"resourceId": acl_app}]},
            "tagSet": {
                "items": [
                    {"key": "cis-benchmark", "value": "5.1"},
                    {"key": "last-reviewed", "value": (day - timedelta(days=1)).strftime("%Y-%m-%d")},
                ]
            },
        },
        {"requestId": k.uuid(rng), "_return": True},
    )
    for rec in (ing_rec, egr_rec, tag_rec):
        rec["responseElements"]["requestId"] = rec["requestID"]
    trail += [ing_rec, egr_rec, tag_rec]
    culprit_id = egr_rec["eventID"]

    # Application deploy via CodeDeploy (innocent, just before)
    dep_id = "d-" + k.upper_id(rng, 9)
    commit = k.hexid(rng, 40)
    trail.append(
        k.ct(
            rng,
            deploy_t,
            p_deploy,
            "codedeploy.amazonaws.com",
            "CreateDeployment",
            REGION,
            {
                "applicationName": "quayline-portal",
                "deploymentGroupName": "portal-web-prod",
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": "quayline-artifacts-" + ACCOUNT,
                        "key": f"portal-web/portal-web-{commit[:7]}.zip",
                        "bundleType": "zip",
                    },
                },
                "description": f"portal-web {commit[:7]} (main)",
            },
            {"deploymentId": dep_id},
        )
    )
    step = (deploy_done - deploy_t) / n_inst
    th: list[k.Rec] = []
    for i, (iid, _az, _, _, _) in enumerate(insts):
        t0 = deploy_t + step * i + timedelta(seconds=rng.randint(5, 20))
        trail.append(
            k.ct(
                rng,
                t0,
                p_cd,
                "elasticloadbalancing.amazonaws.com",
                "DeregisterTargets",
                REGION,
                {"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                None,
            )
        )
        trail.append(
            k.ct(
                rng,
                t0 + step * 0.7,
                p_cd,
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                REGION,
                {"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                None,
            )
        )
        th.append(
            k.th_event(
                tg_arn,
                iid,
                8080,
                t0,
                "draining",
                "Target.DeregistrationInProgress",
                k.HC_DESC["Target.DeregistrationInProgress"],
            )
        )
        th.append(
            k.th_event(
                tg_arn,
                iid,
                8080,
                t0 + timedelta(seconds=30),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
        )
        th.append(
            k.th_event(
                tg_arn,
                iid,
                8080,
                t0 + step * 0.7,
                "initial",
                "Elb.RegistrationInProgress",
                k.HC_DESC["Elb.RegistrationInProgress"],
            )
        )
        th.append(k.th_event(tg_arn, iid, 8080, t0 + step * 0.7 + timedelta(seconds=31), "healthy"))

    # Innocent: reporting host allowed to the database, after the onset
    sg_t = onset + timedelta(minutes=rng.randint(9, 22), seconds=rng.randint(0, 59))
    sgr = k.ct(
        rng,
        sg_t,
        p_sso_admin,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        REGION,
        {
            "groupId": sg_db,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": f"{rep_ip}/32", "description": "metabase reporting"}]
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
                        "groupId": sg_db,
                        "securityGroupRuleId": "sgr-0" + k.hexid(rng, 16),
                        "description": "metabase reporting",
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "cidrIpv4": f"{rep_ip}/32",
                    }
                ]
            },
        },
    )
    sgr["responseElements"]["requestId"] = sgr["requestID"]
    trail.append(sgr)
    # Innocent: an SSM parameter bump for a feature flag, shortly before
    trail.append(
        k.ct(
            rng,
            onset - timedelta(minutes=rng.randint(20, 28)),
            p_sso_dev,
            "ssm.amazonaws.com",
            "PutParameter",
            REGION,
            {
                "name": "/quayline/portal/feature-flags",
                "type": "String",
                "overwrite": True,
                "tier": "Standard",
            },
            {"version": rng.randint(40, 90), "tier": "Standard"},
        )
    )
    # on-call poking around after the alarm
    for j in range(4):
        t = onset + timedelta(minutes=6 + j * 4, seconds=rng.randint(0, 59))
        nm = ["DescribeTargetHealth", "DescribeLoadBalancers", "DescribeInstances", "ListDeployments"][j]
        srcs = (
            "codedeploy.amazonaws.com"
            if nm == "ListDeployments"
            else ("ec2.amazonaws.com" if nm == "DescribeInstances" else "elasticloadbalancing.amazonaws.com")
        )
        trail.append(
            k.ct(
                rng,
                t,
                p_sso_dev,
                srcs,
                nm,
                REGION,
                {"targetGroupArn": tg_arn} if nm == "DescribeTargetHealth" else None,
                None,
                True,
            )
        )
    trail = [r for r in trail if r["eventTime"] <= k.iso(now)]

    # --- health-check simulation after the change -------------------------------------------------
    # interval 10s, timeout 5s, healthy 3, unhealthy 3: checks from low ALB source ports never connect.
    healthy_at: dict[str, list[tuple[datetime, bool]]] = {}
    for iid, _az, _, _, _ in insts:
        state, run_ok, run_bad = True, 0, 0
        tl = [(start, True)]
        t = change_t + timedelta(seconds=rng.randint(0, 9))
        while t <= now:
            ok = rng.random() > 0.49
            run_ok, run_bad = (run_ok + 1, 0) if ok else (0, run_bad + 1)
            if state and run_bad >= 3:
                state = False
                tl.append((t + timedelta(seconds=5), False))
                th.append(
                    k.th_event(
                        tg_arn,
                        iid,
                        8080,
                        t + timedelta(seconds=5),
                        "unhealthy",
                        "Target.Timeout",
                        k.HC_DESC["Target.Timeout"],
                    )
                )
            elif not state and run_ok >= 3:
                state = True
                tl.append((t, True))
                th.append(k.th_event(tg_arn, iid, 8080, t, "healthy"))
            t += timedelta(seconds=10)
        healthy_at[iid] = tl

    def is_healthy(iid: str, t: datetime) -> bool:
        st = True
        for tt, v in healthy_at[iid]:
            if tt <= t:
                st = v
        return st

    # --- metrics ----------------------------------------------------------------------------------
    metrics: list[k.Rec] = []
    ns = "AWS/ApplicationELB"
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    base_rpm = rng.uniform(5200, 8800)
    elb5xx: dict[datetime, float] = {}
    unhealthy_max: dict[datetime, float] = {}
    p99: dict[datetime, float] = {}
    for t in k.minutes(start, now - timedelta(minutes=1)):
        load = k.diurnal(t, 1.0, 13.0, 0.15)
        req = int(k.jitter(rng, base_rpm * load, 0.04))
        samples = [t + timedelta(seconds=s) for s in range(0, 60, 10)]
        counts = [sum(1 for i in insts if is_healthy(i[0], s)) for s in samples]
        in_deploy = deploy_t <= t <= deploy_done
        if in_deploy:
            counts = [c - 1 for c in counts]
        healthy_avg = sum(counts) / len(counts)
        after = t >= change_t.replace(second=0)
        new_conn_frac = rng.uniform(0.025, 0.04)
        e504 = k.poisson(rng, req * new_conn_frac * 0.49 * (1.0 if t >= change_t else 0)) if after else 0
        e502 = k.poisson(rng, 0.15) if not in_deploy else k.poisson(rng, 1.2)
        t5xx = k.poisson(rng, req * 0.00025)
        t4xx = k.poisson(rng, req * 0.011)
        served = req - e504 - e502
        metrics.append(k.datum(ns, "RequestCount", lbd, t, "Count", req))
        metrics.append(k.datum(ns, "RequestCount", tgd, t, "Count", req))
        metrics.append(k.datum(ns, "HTTPCode_Target_2XX_Count", lbd, t, "Count", served - t4xx - t5xx))
        metrics.append(k.datum(ns, "HTTPCode_Target_2XX_Count", tgd, t, "Count", served - t4xx - t5xx))
        metrics.append(k.datum(ns, "HTTPCode_Target_4XX_Count", lbd, t, "Count", t4xx))
        metrics.append(k.datum(ns, "HTTPCode_Target_4XX_Count", tgd, t, "Count", t4xx))
        if t5xx:
            metrics.append(k.datum(ns, "HTTPCode_Target_5XX_Count", lbd, t, "Count", t5xx))
            metrics.append(k.datum(ns, "HTTPCode_Target_5XX_Count", tgd, t, "Count", t5xx))
        elb4 = k.poisson(rng, req * 0.0004)
        if elb4:
            metrics.append(k.datum(ns, "HTTPCode_ELB_4XX_Count", lbd, t, "Count", elb4))
        if e504 + e502:
            metrics.append(k.datum(ns, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", e504 + e502))
            elb5xx[t] = e504 + e502
        if e504:
            metrics.append(k.datum(ns, "HTTPCode_ELB_504_Count", lbd, t, "Count", e504))
            metrics.append(k.datum(ns, "TargetConnectionErrorCount", lbd, t, "Count", e504))
            metrics.append(k.datum(ns, "TargetConnectionErrorCount", tgd, t, "Count", e504))
        if e502:
            metrics.append(k.datum(ns, "HTTPCode_ELB_502_Count", lbd, t, "Count", e502))
        conc = max(1.0, healthy_avg)
        stress = (n_inst / conc) if after else 1.0
        lat = [max(0.004, rng.lognormvariate(-2.9, 0.55) * (0.9 + 0.15 * stress)) for _ in range(60)]
        lat += [rng.uniform(0.4, 1.6) for _ in range(rng.randint(0, 2))]
        p99[t] = sorted(lat)[int(len(lat) * 0.99) - 1]
        metrics.append(k.dist(ns, "TargetResponseTime", lbd, t, "Seconds", lat))
        metrics.append(k.dist(ns, "TargetResponseTime", tgd, t, "Seconds", lat))
        metrics.append(
            k.stat(
                ns, "HealthyHostCount", tgd, t, "Count", len(counts), sum(counts), min(counts), max(counts)
            )
        )
        unh = [n_inst - c - (1 if in_deploy else 0) for c in counts]
        unh = [max(0, u) for u in unh]
        unhealthy_max[t] = max(unh)
        metrics.append(
            k.stat(ns, "UnHealthyHostCount", tgd, t, "Count", len(unh), sum(unh), min(unh), max(unh))
        )
        metrics.append(
            k.datum(ns, "ActiveConnectionCount", lbd, t, "Count", int(req * k.jitter(rng, 0.21, 0.05)))
        )
        metrics.append(
            k.datum(ns, "NewConnectionCount", lbd, t, "Count", int(req * k.jitter(rng, 0.08, 0.06)))
        )
        metrics.append(k.datum(ns, "ProcessedBytes", lbd, t, "Bytes", int(req * k.jitter(rng, 23800, 0.05))))
        metrics.append(
            k.datum(ns, "ConsumedLCUs", lbd, t, "Count", round(req / 60 / 25 * k.jitter(rng, 1.0, 0.05), 3))
        )
        # RDS, 1-minute enhanced basic metrics
        rd = {"DBInstanceIdentifier": db_id}
        metrics.append(
            k.datum(
                "AWS/RDS", "CPUUtilization", rd, t, "Percent", min(99, k.jitter(rng, 9 + 28 * load, 0.07))
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "DatabaseConnections",
                rd,
                t,
                "Count",
                float(int(k.jitter(rng, 14 * n_inst * 0.5 + 8, 0.03))),
            )
        )
        metrics.append(
            k.datum("AWS/RDS", "ReadLatency", rd, t, "Seconds", max(0.0002, k.jitter(rng, 0.0009, 0.2)))
        )
    for t in k.minutes(start, now - timedelta(minutes=5), 5):
        load = k.diurnal(t, 1.0, 13.0, 0.15)
        for iid, _, _, _, _ in insts:
            d = {"InstanceId": iid}
            cpu = k.jitter(rng, 6 + 34 * load * (1.1 if t >= change_t else 1.0), 0.08)
            metrics.append(k.datum("AWS/EC2", "CPUUtilization", d, t, "Percent", min(99.0, cpu)))
            metrics.append(
                k.datum("AWS/EC2", "NetworkIn", d, t, "Bytes", int(k.jitter(rng, 4.1e7 * load + 3e6, 0.06)))
            )
            metrics.append(
                k.datum("AWS/EC2", "NetworkOut", d, t, "Bytes", int(k.jitter(rng, 1.3e8 * load + 4e6, 0.06)))
            )
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed", d, t, "Count", 0.0))

    # --- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:quayline-oncall-pager"
    created = start - timedelta(days=rng.randint(90, 400))
    specs = [
        (
            k.AlarmSpec(
                "quayline-portal-prod-elb-5xx",
                ns,
                "HTTPCode_ELB_5XX_Count",
                lbd,
                "Sum",
                25.0,
                "GreaterThanThreshold",
                60,
                3,
                3,
                "notBreaching",
                None,
                "Portal ALB is returning 5xx generated by the load balancer itself. Runbook: https://wiki.quayline.io/ops/portal-alb",
                [topic],
            ),
            elb5xx,
        ),
        (
            k.AlarmSpec(
                "quayline-portal-prod-unhealthy-targets",
                ns,
                "UnHealthyHostCount",
                tgd,
                "Maximum",
                2.0,
                "GreaterThanOrEqualToThreshold",
                60,
                5,
                5,
                "notBreaching",
                None,
                "Two or more portal-web targets failing ALB health checks",
                [topic],
            ),
            unhealthy_max,
        ),
        (
            k.AlarmSpec(
                "quayline-portal-prod-p99-latency",
                ns,
                "TargetResponseTime",
                lbd,
                "p99",
                2.5,
                "GreaterThanThreshold",
                60,
                5,
                4,
                "notBreaching",
                None,
                "portal-web p99 latency above 2.5s",
                [topic],
                "p99",
            ),
            p99,
        ),
    ]
    tgt5: dict[datetime, float] = {}
    for m in metrics:
        if m["metric"] == "HTTPCode_Target_5XX_Count" and m["dimensions"] == lbd:
            tgt5[datetime.fromisoformat(m["timestamp"])] = m["value"]
    specs.append(
        (
            k.AlarmSpec(
                "quayline-portal-prod-target-5xx",
                ns,
                "HTTPCode_Target_5XX_Count",
                lbd,
                "Sum",
                20.0,
                "GreaterThanThreshold",
                60,
                3,
                3,
                "notBreaching",
                None,
                "portal-web application 5xx",
                [topic],
            ),
            tgt5,
        )
    )
    rdscpu = {
        datetime.fromisoformat(m["timestamp"]): m["value"]
        for m in metrics
        if m["namespace"] == "AWS/RDS" and m["metric"] == "CPUUtilization"
    }
    specs.append(
        (
            k.AlarmSpec(
                "quayline-prod-pg-cpu-high",
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": db_id},
                "Average",
                80.0,
                "GreaterThanThreshold",
                300,
                3,
                3,
                "missing",
                "Percent",
                "RDS CPU above 80% for 15 minutes",
                [topic],
            ),
            {t: v for t, v in rdscpu.items() if t.minute % 5 == 0},
        )
    )
    alarms, history = [], []
    trigger_event = None
    for spec, vals in specs:
        item, hist, trans = k.evaluate_alarm(spec, vals, start, now, ACCOUNT, REGION, rng, created)
        alarms.append(item)
        history += hist
        if spec.name == "quayline-portal-prod-elb-5xx":
            for when, old, new, rdata in trans:
                if new == "ALARM" and trigger_event is None:
                    trigger_event = k.alarm_event(ACCOUNT, REGION, item, when, old, new, rdata, rng)
    assert trigger_event is not None

    # --- logs -------------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    paths = [
        ("GET", "/api/bookings", 200),
        ("GET", "/api/bookings/{id}", 200),
        ("GET", "/api/schedules/search", 200),
        ("POST", "/api/bookings", 201),
        ("GET", "/api/containers/{id}/events", 200),
        ("GET", "/api/quotes", 200),
        ("GET", "/api/bookings/{id}", 404),
        ("PUT", "/api/bookings/{id}/documents", 200),
    ]
    loggers = {
        "/api/bookings": "c.q.portal.web.BookingController",
        "/api/schedules/search": "c.q.portal.web.ScheduleController",
        "/api/quotes": "c.q.portal.web.QuoteController",
        "/api/containers/{id}/events": "c.q.portal.web.TrackingController",
    }
    boot_at: dict[str, datetime] = {}
    for i, (iid, _, _, _, _) in enumerate(insts):
        boot_at[iid] = deploy_t + step * i + timedelta(seconds=rng.randint(5, 20)) + step * 0.45

    def jl(t: datetime, level: str, logger: str, thread: str, msg: str, **extra: object) -> str:
        d: dict[str, object] = {
            "@timestamp": k.iso_ms(t),
            "level": level,
            "logger_name": logger,
            "thread_name": thread,
            "message": msg,
        }
        d.update(extra)
        return json.dumps(d, separators=(",", ":"))

    for iid, _, _, _, _ in insts:
        stream = f"{iid}/application.log"
        for t in k.minutes(start, now):
            b = boot_at[iid]
            if b <= t < b + timedelta(minutes=1):
                bt = b
                for bl in [
                    (
                        "INFO",
                        "c.q.portal.PortalWebApplication",
                        "main",
                        f"Starting PortalWebApplication v2.{rng.randint(40, 49)}.{rng.randint(0, 9)} using Java 21.0.4 with PID {rng.randint(2000, 9000)}",
                    ),
                    (
                        "INFO",
                        "c.q.portal.PortalWebApplication",
                        "main",
                        'The following 1 profile is active: "prod"',
                    ),
                    ("INFO", "com.zaxxer.hikari.HikariDataSource", "main", "HikariPool-1 - Starting..."),
                    (
                        "INFO",
                        "com.zaxxer.hikari.pool.HikariPool",
                        "main",
                        "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@" + k.hexid(rng, 8),
                    ),
                    ("INFO", "com.zaxxer.hikari.HikariDataSource", "main", "HikariPool-1 - Start completed."),
                    (
                        "INFO",
                        "o.s.b.w.embedded.tomcat.TomcatWebServer",
                        "main",
                        "Tomcat started on port 8080 (http) with context path '/'",
                    ),
                    (
                        "INFO",
                        "c.q.portal.PortalWebApplication",
                        "main",
                        f"Started PortalWebApplication in {rng.uniform(18, 29):.3f} seconds (process running for {rng.uniform(20, 31):.3f})",
                    ),
                ]:
                    bt += timedelta(milliseconds=rng.randint(200, 3500))
                    logs.append(k.log("/quayline/portal-web", stream, bt, jl(bt, *bl)))
                continue
            load = k.diurnal(t, 1.0, 13.0, 0.15)
            for _ in range(k.poisson(rng, 1.6 * load + 0.2)):
                tt = t + timedelta(seconds=rng.uniform(0, 59.9))
                if not is_healthy(iid, tt) and tt > change_t:
                    continue
                m_, p_, s_ = paths[rng.randrange(len(paths))]
                dur = int(rng.lognormvariate(3.4, 0.6))
                base = p_.replace("/{id}", "")
                logs.append(
                    k.log(
                        "/quayline/portal-web",
                        stream,
                        tt,
                        jl(
                            tt,
                            "INFO",
                            loggers.get(base, "c.q.portal.web.BookingController"),
                            f"http-nio-8080-exec-{rng.randint(1, 40)}",
                            f"{m_} {p_} {s_} {dur}ms",
                            trace_id=k.hexid(rng, 32),
                            user_org=f"org_{rng.randint(1000, 9999)}",
                        ),
                    )
                )
            if rng.random() < 0.012:
                tt = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        "/quayline/portal-web",
                        stream,
                        tt,
                        jl(
                            tt,
                            "WARN",
                            "c.q.portal.integration.CarrierScheduleClient",
                            f"carrier-sync-{rng.randint(1, 4)}",
                            f"Carrier schedule feed for {rng.choice(['MSCU', 'MAEU', 'CMDU', 'HLCU'])} returned 429, retrying in 30s",
                        ),
                    )
                )
            if rng.random() < 0.004:
                tt = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        "/quayline/portal-web",
                        stream,
                        tt,
                        jl(
                            tt,
                            "WARN",
                            "com.zaxxer.hikari.pool.HikariPool",
                            "HikariPool-1 housekeeper",
                            f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randint(61, 75)}s{rng.randint(100, 999)}ms).",
                        ),
                    )
                )

    # VPC flow logs from the app-tier ENIs (default format, 10-minute aggregation)
    for _iid, _, _, ip, eni in insts:
        stream = f"{eni}-all"
        for w in k.minutes(start, now - timedelta(minutes=10), 10):
            end_w = w + timedelta(minutes=10)
            ws, we = int(w.timestamp()), int(end_w.timestamp())
            lines = []
            for _ in range(rng.randint(5, 8)):
                alb = rng.choice(alb_ips)
                port = rng.randint(1024, 65535)
                if w >= change_t - timedelta(minutes=10) and port < 32768 and end_w > change_t:
                    pk = rng.randint(2, 6)
                    lines.append(
                        f"2 {ACCOUNT} {eni} {alb} {ip} {port} 8080 6 {pk} {pk * 60} {ws} {we} ACCEPT OK"
                    )
                    lines.append(
                        f"2 {ACCOUNT} {eni} {ip} {alb} 8080 {port} 6 {pk} {pk * 60} {ws} {we} REJECT OK"
                    )
                else:
                    pk = rng.randint(40, 900)
                    lines.append(
                        f"2 {ACCOUNT} {eni} {alb} {ip} {port} 8080 6 {pk} {pk * rng.randint(300, 900)} {ws} {we} ACCEPT OK"
                    )
                    lines.append(
                        f"2 {ACCOUNT} {eni} {ip} {alb} 8080 {port} 6 {pk} {pk * rng.randint(2000, 9000)} {ws} {we} ACCEPT OK"
                    )
            dbip = f"10.42.{32 + rng.randint(0, 2)}.{rng.randint(10, 200)}"
            sp = rng.randint(32768, 60999)
            lines.append(
                f"2 {ACCOUNT} {eni} {ip} {dbip} {sp} 5432 6 {rng.randint(200, 3000)} {rng.randint(40000, 900000)} {ws} {we} ACCEPT OK"
            )
            lines.append(
                f"2 {ACCOUNT} {eni} {dbip} {ip} 5432 {sp} 6 {rng.randint(200, 3000)} {rng.randint(90000, 2900000)} {ws} {we} ACCEPT OK"
            )
            if rng.random() < 0.3:
                lines.append(
                    f"2 {ACCOUNT} {eni} 10.42.{rng.randint(0, 2)}.{rng.randint(2, 250)} {ip} {rng.randint(32768, 60999)} 22 6 1 60 {ws} {we} REJECT OK"
                )
            t_del = end_w + timedelta(seconds=rng.randint(60, 400))
            if t_del > now:
                continue
            for n_, fl in enumerate(lines):
                logs.append(k.log(flow_group, stream, t_del + timedelta(milliseconds=n_), fl))

    # --- resources --------------------------------------------------------------------------------
    r: list[k.Rec] = []
    r.append(k.res("ec2", "Vpc", k.vpc(vpc_id, "10.42.0.0/16", ACCOUNT, "quayline-prod", rng)))
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
                    f"10.42.{j}.0/24",
                    240 - rng.randint(0, 20),
                    ACCOUNT,
                    REGION,
                    f"quayline-prod-public-{az[-1]}",
                ),
            )
        )
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    app[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.42.{16 + 4 * j}.0/22",
                    1010 - rng.randint(0, 30),
                    ACCOUNT,
                    REGION,
                    f"quayline-prod-app-{az[-1]}",
                ),
            )
        )
        r.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    data[j],
                    vpc_id,
                    az,
                    azid,
                    f"10.42.{32 + j}.0/24",
                    248 - rng.randint(0, 8),
                    ACCOUNT,
                    REGION,
                    f"quayline-prod-data-{az[-1]}",
                ),
            )
        )

    def entry(
        n: int,
        egress: bool,
        proto: str,
        cidr: str,
        lo: int | None = None,
        hi: int | None = None,
        action: str = "allow",
    ) -> k.Rec:
        e: k.Rec = {
            "CidrBlock": cidr,
            "Egress": egress,
            "Protocol": proto,
            "RuleAction": action,
            "RuleNumber": n,
        }
        if lo is not None:
            e["PortRange"] = {"From": lo, "To": hi}
        return e

    r.append(
        k.res(
            "ec2",
            "NetworkAcl",
            {
                "Associations": [
                    {
                        "NetworkAclAssociationId": "aclassoc-0" + k.hexid(rng, 16),
                        "NetworkAclId": acl_app,
                        "SubnetId": s,
                    }
                    for s in app
                ],
                "Entries": [
                    entry(100, True, "6", "0.0.0.0/0", 443, 443),
                    entry(110, True, "6", "10.42.32.0/22", 5432, 5432),
                    entry(120, True, "6", "10.42.0.0/16", 32768, 65535),
                    entry(130, True, "17", "10.42.0.2/32", 53, 53),
                    entry(32767, True, "-1", "0.0.0.0/0", action="deny"),
                    entry(100, False, "6", "10.42.0.0/22", 8080, 8080),
                    entry(110, False, "6", "0.0.0.0/0", 32768, 65535),
                    entry(120, False, "6", "10.42.250.0/24", 22, 22),
                    entry(32767, False, "-1", "0.0.0.0/0", action="deny"),
                ],
                "IsDefault": False,
                "NetworkAclId": acl_app,
                "VpcId": vpc_id,
                "OwnerId": ACCOUNT,
                "Tags": k.tags(
                    {
                        "Name": "quayline-prod-app",
                        "cis-benchmark": "5.1",
                        "last-reviewed": (day - timedelta(days=1)).strftime("%Y-%m-%d"),
                        "managed-by": "terraform",
                    }
                ),
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_alb,
                "quayline-portal-alb",
                "Portal ALB",
                vpc_id,
                ACCOUNT,
                REGION,
                [
                    k.perm("tcp", 443, 443, [("0.0.0.0/0", "")]),
                    k.perm("tcp", 80, 80, [("0.0.0.0/0", "redirect")]),
                ],
                {"Name": "quayline-portal-alb"},
            ),
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_web,
                "quayline-portal-web",
                "portal-web instances",
                vpc_id,
                ACCOUNT,
                REGION,
                [k.perm("tcp", 8080, 8080, groups=[(sg_alb, ACCOUNT, "from ALB")])],
                {"Name": "quayline-portal-web"},
            ),
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_db,
                "quayline-prod-pg",
                "Postgres",
                vpc_id,
                ACCOUNT,
                REGION,
                [
                    k.perm(
                        "tcp",
                        5432,
                        5432,
                        [(f"{rep_ip}/32", "metabase reporting")] if sg_t <= now else [],
                        [(sg_web, ACCOUNT, "portal-web")],
                    )
                ],
                {"Name": "quayline-prod-pg"},
            ),
        )
    )
    ami = "ami-0" + k.hexid(rng, 16)
    launched = start - timedelta(days=rng.randint(3, 20))
    for iid, az, sn, ip, eni in insts:
        r.append(
            k.res(
                "ec2",
                "Instance",
                k.instance(
                    rng,
                    iid,
                    "m6i.large",
                    az,
                    sn,
                    vpc_id,
                    ip,
                    [(sg_web, "quayline-portal-web")],
                    ami,
                    launched + timedelta(minutes=rng.randint(0, 30)),
                    {
                        "Name": "quayline-portal-web",
                        "aws:autoscaling:groupName": asg_name,
                        "service": "portal-web",
                        "env": "prod",
                    },
                    f"arn:aws:iam::{ACCOUNT}:instance-profile/quayline-portal-web",
                    [("/dev/xvda", "vol-0" + k.hexid(rng, 16))],
                    eni,
                ),
            )
        )
        r.append(k.res("ec2", "InstanceStatus", k.instance_status(iid, az)))
    r.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.load_balancer(
                lb_arn,
                lb_name,
                "application",
                "internet-facing",
                vpc_id,
                created,
                [(azs[j][0], pub[j]) for j in range(3)],
                [sg_alb],
                f"{lb_name}-{rng.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                "Z32O12XQLNTSW2",
            ),
        )
    )
    r.append(
        k.res(
            "elbv2",
            "TargetGroup",
            k.target_group(
                tg_arn,
                "quayline-portal-web",
                "HTTP",
                8080,
                vpc_id,
                lb_arn,
                {
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckIntervalSeconds": 10,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 3,
                    "HealthCheckPath": "/actuator/health/liveness",
                    "Matcher": {"HttpCode": "200"},
                },
            ),
        )
    )
    cert = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{k.uuid(rng)}"
    r.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/{lb_dim}/{k.hexid(rng, 16)}",
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": cert}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        )
    )
    lt = ("lt-0" + k.hexid(rng, 16), "quayline-portal-web", str(rng.randint(30, 60)))
    r.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            k.asg(
                asg_name,
                f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}",
                lt,
                (n_inst, 12, n_inst),
                [a for a, _ in azs],
                app,
                [tg_arn],
                created,
                [(i[0], "m6i.large", i[1]) for i in insts],
                {"service": "portal-web", "env": "prod"},
                ACCOUNT,
            ),
        )
    )
    r.append(
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "EngineVersion": "16.3",
                "DBInstanceStatus": "available",
                "MasterUsername": "quayline_admin",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.hexid(rng, 12)}.{REGION}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z29XKXDKYMONMX",
                },
                "AllocatedStorage": 500,
                "InstanceCreateTime": k.iso_ms(created),
                "MultiAZ": True,
                "AvailabilityZone": "eu-west-1a",
                "SecondaryAvailabilityZone": "eu-west-1b",
                "StorageType": "gp3",
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{db_id}",
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "FlowLog",
            {
                "CreationTime": k.iso_ms(created),
                "DeliverLogsPermissionArn": f"arn:aws:iam::{ACCOUNT}:role/vpc-flow-logs-delivery",
                "DeliverLogsStatus": "SUCCESS",
                "FlowLogId": "fl-0" + k.hexid(rng, 16),
                "FlowLogStatus": "ACTIVE",
                "LogGroupName": flow_group,
                "ResourceId": vpc_id,
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "LogDestination": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{flow_group}",
                "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
                "MaxAggregationInterval": 600,
            },
        )
    )
    for g in ("/quayline/portal-web", flow_group):
        r.append(
            k.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": k.ms(created),
                    "retentionInDays": 30,
                    "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{g}:*",
                    "storedBytes": rng.randint(10**9, 10**10),
                },
            )
        )

    events = th + [
        {
            "source": "autoscaling",
            "item": {
                "ActivityId": k.uuid(rng),
                "AutoScalingGroupName": asg_name,
                "Description": f"Launching a new EC2 instance: {i[0]}",
                "Cause": f"At {k.iso(launched)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {j} to {j + 1}.",
                "StartTime": k.iso_ms(launched + timedelta(seconds=j)),
                "EndTime": k.iso_ms(launched + timedelta(seconds=j + 40)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": i[2], "Availability Zone": i[1]}),
            },
        }
        for j, i in enumerate(insts)
    ]
    events = [e for e in events if e["item"].get("timestamp", "") <= k.iso(now)]
    events.sort(key=lambda e: (e["source"], e["item"].get("timestamp") or e["item"].get("StartTime")))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ACCOUNT,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": acl_app,
                    "category": "change",
                    "failure_mode": "nacl-ephemeral-range-narrowed",
                    "event_id": culprit_id,
                },
                "also_accept": ["quayline-prod-app"],
                "actions": ["rollback"],
                "chain": [
                    f"Network ACL {acl_app} (quayline-prod-app) outbound rule 120 replaced to allow only ports 32768-65535 back to the VPC",
                    "SYN-ACKs from portal-web instances to ALB nodes' low source ports are dropped; new ALB-to-target connections time out",
                    f"ALB {lb_name} returns 504s (TargetConnectionErrorCount) and targets flap unhealthy on Target.Timeout",
                    "quayline-portal-prod-elb-5xx alarm fires",
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
