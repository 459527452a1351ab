"""The public API's alias record is UPSERTed to the staging load balancer; clients fail TLS against it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Alb,
    Kit,
    Net,
    cli,
    ec2_metrics,
    instance,
    iso,
    lambda_invocation,
    lambda_stream,
    log_group,
    standard_menu,
    tcp_from_cidr,
    tcp_from_sg,
)

NAME = "route53-api-alias-to-staging"
TITLE = "Mobile and web clients cannot reach the public API"
SUMMARY = (
    "A console edit UPSERTs the production api A-alias to the staging ALB; clients get the staging "
    "certificate and fail TLS while prod traffic collapses"
)

COMPANIES = [("brightcart.io", "brightcart"), ("parcelwise.com", "parcelwise"), ("tallyhq.com", "tally")]
PEOPLE = ["maria.okafor", "dev.raman", "lukas.berger", "sophie.tran", "jonas.meyer", "amira.haddad"]


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="us-east-1")
    rng = kit.rng
    domain, co = rng.choice(COMPANIES)
    onset = kit.clock(onset_hour=(18, 21), hours_before=4.5, minutes_after=rng.randint(34, 48))
    email_dom = domain
    people = rng.sample(PEOPLE, 4)
    culprit_person = f"{people[0]}@{email_dom}"
    platform = kit.sso(culprit_person, "PlatformEngineer")
    dev2 = kit.sso(f"{people[1]}@{email_dom}", "Developer")
    dev3 = kit.sso(f"{people[2]}@{email_dom}", "PowerUserAccess")
    ci = kit.role_session(f"{co}-terraform-apply", "GitHubActions")
    monitor = kit.role_session("grafana-cloudwatch-reader", "grafana")
    ec2role = kit.role_session(f"{co}-api-ec2", kit.ec2id("i"))

    # --- network and load balancers -------------------------------------------------------------------
    prod = Net(kit, f"{co}-prod", rng.choice([20, 24, 32]))
    stg = Net(kit, f"{co}-staging", rng.choice([60, 64, 72]), env="staging")
    prod_alb_sg = prod.sg(
        f"{co}-api-alb-sg",
        "public API load balancer",
        [tcp_from_cidr(443, "0.0.0.0/0"), tcp_from_cidr(80, "0.0.0.0/0")],
    )
    prod_app_sg = prod.sg(f"{co}-api-sg", "api instances", [tcp_from_sg(8080, prod_alb_sg, "from alb")])
    office = kit.public_ip()
    stg_alb_sg = stg.sg(
        f"{co}-api-stg-alb-sg",
        "staging API load balancer",
        [tcp_from_cidr(443, "0.0.0.0/0"), tcp_from_cidr(443, f"{office}/32", "office vpn")],
    )
    stg_app_sg = stg.sg(
        f"{co}-api-stg-sg", "staging api instances", [tcp_from_sg(8080, stg_alb_sg, "from alb")]
    )
    prod_alb = Alb(kit, prod, f"{co}-api-prod", f"{co}-api-prod-8080", prod_alb_sg)
    stg_alb = Alb(kit, stg, f"{co}-api-stg", f"{co}-api-stg-8080", stg_alb_sg)
    prod_cert = kit.arn("acm", f"certificate/{kit.uuid()}")
    stg_cert = kit.arn("acm", f"certificate/{kit.uuid()}")
    prod_alb.listener(443, "HTTPS", cert=prod_cert)
    prod_alb.listener(80, "HTTP")
    stg_alb.listener(443, "HTTPS", cert=stg_cert)

    # --- instances -------------------------------------------------------------------------------------
    ami = kit.ec2id("ami")
    launched = kit.start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 20))
    asg = f"{co}-api-prod-asg"
    insts = []
    for i in range(3):
        iid, ip = instance(
            kit,
            prod,
            name=f"{co}-api-prod",
            az_index=i,
            sg=prod_app_sg,
            itype="m7g.large",
            ami=ami,
            profile=f"{co}-api-ec2",
            asg=asg,
            launched=launched + timedelta(seconds=40 * i),
        )
        insts.append((iid, ip))
    stg_iid, stg_ip = instance(
        kit,
        stg,
        name=f"{co}-api-stg",
        az_index=0,
        sg=stg_app_sg,
        itype="t4g.medium",
        ami=ami,
        profile=f"{co}-api-ec2",
        asg=f"{co}-api-stg-asg",
        launched=launched,
    )

    for iid, _ in insts:
        kit.event(
            "target_health",
            {
                "target_group_arn": prod_alb.tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": prod.azs[insts.index((iid, _))]},
                "health": {"State": "healthy"},
                "timestamp": iso(launched + timedelta(minutes=2)),
            },
        )
    kit.event(
        "target_health",
        {
            "target_group_arn": stg_alb.tg_arn,
            "target": {"Id": stg_iid, "Port": 8080, "AvailabilityZone": stg.azs[0]},
            "health": {"State": "healthy"},
            "timestamp": iso(launched + timedelta(minutes=3)),
        },
    )

    # --- Route 53 ---------------------------------------------------------------------------------------
    zone_id = "Z0" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(18))
    kit.res(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": f"{domain}.",
            "CallerReference": kit.uuid(),
            "Config": {"Comment": f"{co} public zone (terraform)", "PrivateZone": False},
            "ResourceRecordSetCount": 14,
        },
    )
    verify_token = kit.hex(32)

    def rrset(item: dict[str, object]) -> None:
        kit.res("route53", "ZoneRecordSet", {"HostedZoneId": zone_id, **item})

    def alias(dns: str, zone: str) -> dict[str, object]:
        return {"HostedZoneId": zone, "DNSName": f"dualstack.{dns}.", "EvaluateTargetHealth": True}

    rrset(
        {
            "Name": f"{domain}.",
            "Type": "NS",
            "TTL": 172800,
            "ResourceRecords": [
                {"Value": f"ns-{rng.randint(100, 2000)}.awsdns-{rng.randint(10, 63)}.{tld}."}
                for tld in ("org", "co.uk", "com", "net")
            ],
        }
    )
    rrset({"Name": f"api.{domain}.", "Type": "A", "AliasTarget": alias(stg_alb.dns, stg_alb.zone)})
    rrset({"Name": f"api.staging.{domain}.", "Type": "A", "AliasTarget": alias(stg_alb.dns, stg_alb.zone)})
    rrset(
        {
            "Name": f"hooks.{domain}.",
            "Type": "CNAME",
            "TTL": 300,
            "ResourceRecords": [{"Value": prod_alb.dns}],
        }
    )
    rrset(
        {
            "Name": f"www.{domain}.",
            "Type": "CNAME",
            "TTL": 300,
            "ResourceRecords": [{"Value": f"d{kit.hex(12)}.cloudfront.net"}],
        }
    )
    rrset(
        {
            "Name": f"{domain}.",
            "Type": "MX",
            "TTL": 3600,
            "ResourceRecords": [{"Value": "1 smtp.google.com."}],
        }
    )
    rrset(
        {
            "Name": f"{domain}.",
            "Type": "TXT",
            "TTL": 300,
            "ResourceRecords": [
                {"Value": '"v=spf1 include:_spf.google.com include:sendgrid.net ~all"'},
                {"Value": f'"google-site-verification={kit.upper(20)}"'},
                {"Value": f'"atlassian-domain-verification={verify_token}"'},
            ],
        }
    )
    rrset(
        {
            "Name": f"_dmarc.{domain}.",
            "Type": "TXT",
            "TTL": 300,
            "ResourceRecords": [{"Value": '"v=DMARC1; p=quarantine; rua=mailto:dmarc@' + domain + '"'}],
        }
    )

    # --- traffic model ----------------------------------------------------------------------------------
    base = rng.uniform(2600, 4200)
    hooks_share = rng.uniform(0.14, 0.22)

    def moved(t: datetime) -> float:
        """Share of client traffic resolving the api name to the staging ALB."""
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 0.0
        return min(0.97, 0.97 * (1 - 0.5 ** (m / 1.3)))

    def demand(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=19.5)

    def prod_rps(t: datetime) -> float:
        return demand(t) * (hooks_share + (1 - hooks_share) * (1 - moved(t)))

    def stg_rps(t: datetime) -> float:
        return 14 + 8 * kit.diurnal(t, utc_peak=17)

    prod_alb.metrics(
        prod_rps, t5xx=lambda t: prod_rps(t) * 0.0004, latency=lambda t: (0.042, 0.55), healthy=lambda t: 3.0
    )
    stg_alb.metrics(
        stg_rps,
        t5xx=lambda t: 0.03,
        latency=lambda t: (0.061, 0.6),
        healthy=lambda t: 1.0,
        tls_err=lambda t: 0.05 + demand(t) * (1 - hooks_share) * moved(t) * 0.21,
        t4xx_frac=0.05,
    )
    for iid, _ in insts:
        ec2_metrics(kit, iid, lambda t: 11 + 34 * prod_rps(t) / base, lambda t: prod_rps(t) * 2100 / 3)
    ec2_metrics(kit, stg_iid, lambda t: 6.0, lambda t: 90000.0)

    # --- synthetics canary ---------------------------------------------------------------------------------
    canary = f"{co}-api-public"
    canary_fn = f"cwsyn-{canary}-{kit.uuid()}"
    canary_group = f"/aws/lambda/{canary_fn}"
    kit.res(
        "synthetics",
        "Canary",
        {
            "Id": kit.uuid(),
            "Name": canary,
            "Code": {
                "SourceLocationArn": kit.arn("lambda", f"layer:cwsyn-{canary}-{kit.uuid()}:1"),
                "Handler": "apiCanaryBlueprint.handler",
            },
            "ExecutionRoleArn": f"arn:aws:iam::{kit.account}:role/service-role/CloudWatchSyntheticsRole-{canary}-{kit.hex(4)}",
            "Schedule": {"Expression": "rate(1 minute)", "DurationInSeconds": 0},
            "RunConfig": {"TimeoutInSeconds": 60, "MemoryInMB": 1000, "ActiveTracing": False},
            "SuccessRetentionPeriodInDays": 31,
            "FailureRetentionPeriodInDays": 31,
            "Status": {"State": "RUNNING"},
            "Timeline": {
                "Created": iso(kit.start - timedelta(days=300)),
                "LastModified": iso(kit.start - timedelta(days=41)),
                "LastStarted": iso(kit.start - timedelta(days=41)),
            },
            "ArtifactS3Location": f"cw-syn-results-{kit.account}-{kit.region}/canary/{kit.region}/{canary}",
            "EngineArn": kit.arn("lambda", f"function:{canary_fn}:7"),
            "RuntimeVersion": "syn-nodejs-puppeteer-9.1",
        },
    )
    log_group(kit, canary_group, retention=14)
    sdims = {"CanaryName": canary}
    kit.series(
        "CloudWatchSynthetics",
        "SuccessPercent",
        sdims,
        "Percent",
        lambda t: 100.0 if t < onset + timedelta(minutes=1) else 0.0,
    )
    kit.series(
        "CloudWatchSynthetics",
        "Duration",
        sdims,
        "Milliseconds",
        lambda t: kit.jitter(1850 if t < onset else 1420, 0.08),
        digits=0,
    )
    kit.series(
        "CloudWatchSynthetics",
        "Failed",
        sdims,
        "Count",
        lambda t: 0.0 if t < onset + timedelta(minutes=1) else 1.0,
        digits=0,
    )
    kit.series(
        "CloudWatchSynthetics",
        "2xx",
        sdims,
        "Count",
        lambda t: 1.0 if t < onset + timedelta(minutes=1) else 0.0,
        digits=0,
    )
    stream = lambda_stream(kit, kit.start)
    t = kit.start + timedelta(seconds=rng.randint(3, 20))
    host = f"api.{domain}"
    while t < kit.now:
        ok = t < onset + timedelta(minutes=1)
        if ok:
            lines = [
                "INFO: Start Canary",
                f'INFO: Making request with options: {{"hostname":"{host}","method":"GET","path":"/v2/health","port":443,"protocol":"https:"}}',
                "INFO: Status Code: 200 OK",
                'INFO: Response: {"status":"ok"}',
                "INFO: Request completed successfully",
            ]
        else:
            lines = [
                "INFO: Start Canary",
                f'INFO: Making request with options: {{"hostname":"{host}","method":"GET","path":"/v2/health","port":443,"protocol":"https:"}}',
                f"ERROR: Canary execution exception. Error: Hostname/IP does not match certificate's altnames: Host: {host}. is not in the cert's altnames: DNS:*.staging.{domain}, DNS:staging.{domain}",
                "ERROR: Canary failed. Step result: FAILED",
            ]
        lambda_invocation(
            kit,
            canary_group,
            stream,
            t,
            rng.uniform(1500, 2300) if ok else rng.uniform(1200, 1600),
            1000,
            rng.randint(180, 230),
            lines,
        )
        t += timedelta(seconds=60 + rng.uniform(-0.4, 0.4))

    # --- application logs --------------------------------------------------------------------------------
    app_group = f"/{co}/api/prod"
    stg_group = f"/{co}/api/staging"
    log_group(kit, app_group, retention=30)
    log_group(kit, stg_group, retention=7)
    routes = [
        ("GET", "/v2/cart", 200),
        ("GET", "/v2/catalog/items", 200),
        ("POST", "/v2/cart/items", 201),
        ("GET", "/v2/me", 200),
        ("POST", "/v2/auth/refresh", 200),
        ("GET", "/v2/orders", 200),
    ]
    hooks = [("POST", "/v2/webhooks/stripe", 200), ("POST", "/v2/webhooks/shippo", 202)]
    for iid, ip in insts:
        stream = f"{iid}/app.log"
        pid = rng.randint(900, 30000)
        t = kit.start
        while t < kit.now:
            t += timedelta(seconds=rng.expovariate(1 / 22) + 1)
            share = prod_rps(t) / demand(t)
            pool = routes if rng.random() < (share - hooks_share) / share else hooks
            method, url, code = rng.choice(pool)
            hostname = f"ip-{ip.replace('.', '-')}"
            rt = round(rng.lognormvariate(3.5, 0.5), 1)
            kit.log(
                app_group,
                stream,
                t,
                json.dumps(
                    {
                        "level": 30,
                        "time": int(t.timestamp() * 1000),
                        "pid": pid,
                        "hostname": hostname,
                        "reqId": f"req-{rng.randint(1000, 99999):x}",
                        "req": {"method": method, "url": url},
                        "res": {"statusCode": code},
                        "responseTime": rt,
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
            if rng.random() < 0.012:
                kit.log(
                    app_group,
                    stream,
                    t,
                    json.dumps(
                        {
                            "level": 40,
                            "time": int(t.timestamp() * 1000) + 3,
                            "pid": pid,
                            "hostname": hostname,
                            "msg": "redis command slow",
                            "cmd": "GET",
                            "durationMs": rng.randint(120, 400),
                        },
                        separators=(",", ":"),
                    ),
                )
    t = kit.start
    while t < kit.now:
        t += timedelta(seconds=rng.expovariate(1 / 240) + 5)
        kit.log(
            stg_group,
            f"{stg_iid}/app.log",
            t,
            json.dumps(
                {
                    "level": 30,
                    "time": int(t.timestamp() * 1000),
                    "pid": 4121,
                    "hostname": f"ip-{stg_ip.replace('.', '-')}",
                    "req": {
                        "method": "GET",
                        "url": rng.choice(["/v2/catalog/items", "/v2/me", "/v2/health"]),
                    },
                    "res": {"statusCode": 200},
                    "responseTime": round(rng.lognormvariate(3.8, 0.4), 1),
                    "msg": "request completed",
                },
                separators=(",", ":"),
            ),
        )

    # --- alarms ---------------------------------------------------------------------------------------------
    topic = kit.arn("sns", f"{co}-oncall-pager")
    kit.alarm(
        f"Synthetics-Alarm-{canary}-1",
        ns="CloudWatchSynthetics",
        metric="SuccessPercent",
        dims=sdims,
        stat="Average",
        period=60,
        evals=3,
        to_alarm=2,
        threshold=90,
        op="LessThanThreshold",
        missing="breaching",
        topic=topic,
        description=f"Public API canary for https://{host}/v2/health",
    )
    lb = {"LoadBalancer": prod_alb.dim}
    kit.alarm(
        f"{co}-api-prod-5xx",
        ns="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lb,
        stat="Sum",
        period=60,
        evals=5,
        to_alarm=3,
        threshold=60,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        f"{co}-api-prod-p99-latency",
        ns="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb,
        stat="p99",
        period=300,
        evals=2,
        threshold=1.5,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        f"{co}-api-prod-unhealthy-hosts",
        ns="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims={"LoadBalancer": prod_alb.dim, "TargetGroup": prod_alb.tg_dim},
        stat="Maximum",
        period=60,
        evals=3,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
    )

    # --- CloudTrail -------------------------------------------------------------------------------------------
    menu = standard_menu(
        kit,
        humans=[dev2, dev3, platform],
        ci=ci,
        monitor=monitor,
        instance_ids=[i for i, _ in insts] + [stg_iid],
        alarms=[a["AlarmName"] for a in kit.records["alarms"]],
        lb_arns=[prod_alb.arn, stg_alb.arn],
        tg_arns=[prod_alb.tg_arn, stg_alb.tg_arn],
        functions=[],
        log_groups=[app_group, stg_group],
        ssm_role=ec2role,
    )
    kit.routine(menu, 34)
    home_ip = kit.public_ip()
    # the engineer browses the zone, then edits a record in the console
    t_change = onset - timedelta(seconds=rng.randint(25, 70))
    for dt, name, params in (
        (-9.5, "ListHostedZones", {}),
        (-9.1, "GetHostedZone", {"id": zone_id}),
        (-8.8, "ListResourceRecordSets", {"hostedZoneId": zone_id}),
        (-3.2, "ListResourceRecordSets", {"hostedZoneId": zone_id}),
    ):
        kit.trail(
            platform,
            t_change + timedelta(minutes=dt),
            "route53.amazonaws.com",
            name,
            params,
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=home_ip,
            console=True,
        )
    change_id = "C0" + kit.upper(19)
    culprit = kit.trail(
        platform,
        t_change,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": f"api.{domain}",
                            "type": "A",
                            "aliasTarget": {
                                "hostedZoneId": stg_alb.zone,
                                "dNSName": f"dualstack.{stg_alb.dns}",
                                "evaluateTargetHealth": True,
                            },
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": f"/change/{change_id}",
                "status": "PENDING",
                "submittedAt": t_change.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        agent=AGENT_CONSOLE,
        ip=home_ip,
        console=True,
    )
    kit.trail(
        platform,
        t_change + timedelta(seconds=3),
        "route53.amazonaws.com",
        "GetChange",
        {"id": change_id},
        read_only=True,
        agent=AGENT_CONSOLE,
        ip=home_ip,
        console=True,
    )
    kit.trail(
        platform,
        t_change + timedelta(seconds=9),
        "route53.amazonaws.com",
        "ListResourceRecordSets",
        {"hostedZoneId": zone_id},
        read_only=True,
        agent=AGENT_CONSOLE,
        ip=home_ip,
        console=True,
    )
    # innocent: terraform replaces a verification TXT record in the same zone
    t_txt = onset - timedelta(minutes=rng.randint(12, 22), seconds=rng.randint(0, 59))
    tf_ip = kit.public_ip()
    kit.trail(
        ci,
        t_txt - timedelta(seconds=40),
        "route53.amazonaws.com",
        "ListResourceRecordSets",
        {"hostedZoneId": zone_id, "name": domain, "type": "TXT"},
        read_only=True,
        agent=AGENT_TF.format(api="route53#1.40.8"),
        ip=tf_ip,
    )
    kit.trail(
        ci,
        t_txt,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": domain,
                            "type": "TXT",
                            "tTL": 300,
                            "resourceRecords": [
                                {"value": '"v=spf1 include:_spf.google.com include:sendgrid.net ~all"'},
                                {"value": '"google-site-verification=..."'},
                                {"value": f'"atlassian-domain-verification={verify_token}"'},
                            ],
                        },
                    }
                ],
                "comment": "Managed by Terraform",
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + kit.upper(19),
                "status": "PENDING",
                "submittedAt": t_txt.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        agent=AGENT_TF.format(api="route53#1.40.8"),
        ip=tf_ip,
    )
    # innocent: a developer opens the staging ALB to the office VPN range
    t_sg = onset - timedelta(minutes=rng.randint(4, 9))
    rule = "sgr-0" + kit.hex(16)
    kit.trail(
        dev2,
        t_sg,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": stg_alb_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {"items": [{"cidrIp": f"{office}/32", "description": "office vpn"}]},
                    }
                ]
            },
        },
        {
            "requestId": kit.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": kit.account,
                        "groupId": stg_alb_sg,
                        "securityGroupRuleId": rule,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": f"{office}/32",
                        "description": "office vpn",
                    }
                ]
            },
        },
        agent=cli("ec2.authorize-security-group-ingress"),
        ip=office,
    )
    # later: on-call starts looking
    for dt in (18, 21, 26):
        kit.trail(
            dev3,
            onset + timedelta(minutes=dt, seconds=rng.randint(0, 50)),
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": prod_alb.tg_arn},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=kit.public_ip(),
            console=True,
        )

    # --- trigger & truth ----------------------------------------------------------------------------------------
    tz = "America/Chicago"
    local = (onset + timedelta(minutes=rng.randint(-3, 3))).astimezone(ZoneInfo(tz))
    clock = _clock(local)
    question = rng.choice(
        [
            f"The app can't load anything for customers since about {clock} and the API canary is red. Our dashboards say prod is fine?",
            f"Support is flooded with 'cannot connect' reports from the mobile app since around {clock}. What's going on with the API?",
        ]
    )
    return kit.bundle(
        title=TITLE,
        trigger={"question": question, "timezone": tz},
        truth={
            "root_cause": {
                "resource": f"api.{domain}",
                "category": "change",
                "failure_mode": "dns-record-points-to-wrong-target",
                "event_id": culprit["eventID"],
            },
            "also_accept": [f"api.{domain}.", f"{zone_id}/api.{domain}"],
            "actions": ["rollback"],
            "chain": [
                f"Route 53 record api.{domain} in zone {zone_id} UPSERTed to the alias of ALB {stg_alb.name}",
                f"clients resolve api.{domain} to {stg_alb.name}, which presents the *.staging.{domain} certificate",
                f"TLS handshakes fail (ClientTLSNegotiationErrorCount on {stg_alb.name}; canary {canary} fails)",
                f"traffic on {prod_alb.name} falls to webhook callers on hooks.{domain}",
            ],
        },
    )


def _clock(local: datetime) -> str:
    minute = local.minute - local.minute % 5
    hour = local.hour % 12 or 12
    return f"{hour}:{minute:02d}{'am' if local.hour < 12 else 'pm'}"
