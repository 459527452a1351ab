"""Two partners' server-to-server integrations rejected with 403 after a web ACL update dropped a rule override."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzze import (
    Account,
    Ctx,
    access_log,
    api_metrics,
    camel,
    diurnal,
    dynamo_metrics,
    iso,
    lambda_metrics,
    sqs_metrics,
    waf_metrics,
)

NAME = "partner-erp-waf-no-user-agent"
TITLE = "A couple of partners get 403 on every partner-API call; everyone else is fine"
SUMMARY = (
    "A Terraform apply of the web ACL dropped the Count override on the common rule set's NoUserAgent_HEADER "
    "rule, so WAF began blocking the partners whose ERP connectors send no User-Agent header."
)

PREFIXES = ["nordfreight", "bluecart", "parcelly", "shipwise", "cargolane", "tradepost"]


def _vis(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def _rules(version: str, override_size: bool, rate: int) -> list[dict[str, Any]]:
    common: dict[str, Any] = {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "Version": version}
    if override_size:
        common["RuleActionOverrides"] = [{"Name": "NoUserAgent_HEADER", "ActionToUse": {"Count": {}}}]
    return [
        {
            "Name": "AWS-AWSManagedRulesAmazonIpReputationList",
            "Priority": 0,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesAmazonIpReputationList",
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesAmazonIpReputationList"),
        },
        {
            "Name": "per-ip-rate-limit",
            "Priority": 1,
            "Statement": {
                "RateBasedStatement": {"Limit": rate, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}
            },
            "Action": {"Block": {}},
            "VisibilityConfig": _vis("per-ip-rate-limit"),
        },
        {
            "Name": "AWS-AWSManagedRulesCommonRuleSet",
            "Priority": 2,
            "Statement": {"ManagedRuleGroupStatement": common},
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesCommonRuleSet"),
        },
        {
            "Name": "AWS-AWSManagedRulesKnownBadInputsRuleSet",
            "Priority": 3,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesKnownBadInputsRuleSet"),
        },
    ]


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    a = Account(c, r.choice(PREFIXES))
    a.standing()
    onset = c.onset
    base = r.uniform(90, 260)  # requests a minute
    big_share = r.uniform(0.12, 0.22)  # share of all requests from the connectors without a User-Agent
    rate = r.choice([2000, 3000, 5000])
    version = r.choice(["Version_1.12", "Version_1.14", "Version_1.15"])

    def after(t: datetime) -> bool:
        return t >= onset

    traffic = {t: diurnal(t, base, r) for t in c.minutes(1)}

    def count(t: datetime) -> float:
        return traffic.get(t, base)

    post_share = 0.42

    def blocked_common(t: datetime) -> float:
        return count(t) * big_share * r.uniform(0.9, 1.1) if after(t) else r.choice([0, 0, 0, 1])

    def e4(t: datetime) -> float:
        return count(t) * 0.012 * r.uniform(0.6, 1.4) + (blocked_common(t) if after(t) else 0)

    def e5(t: datetime) -> float:
        return r.choice([0, 0, 0, 0, 1])

    api_metrics(a, count, e4, e5, lambda t: r.uniform(85, 120), lambda t: r.uniform(60, 95))
    waf_metrics(
        a,
        lambda t: count(t) - (blocked_common(t) if after(t) else 0),
        {
            "AWS-AWSManagedRulesAmazonIpReputationList": lambda t: r.choice([0, 0, 0, 0, 2, 5]),
            "per-ip-rate-limit": lambda t: 0,
            "AWS-AWSManagedRulesCommonRuleSet": blocked_common,
            "AWS-AWSManagedRulesKnownBadInputsRuleSet": lambda t: r.choice([0] * 12 + [1]),
        },
    )

    def create_inv(t: datetime) -> float:
        return count(t) * post_share * (1 - (big_share if after(t) else 0))

    def keep(t: datetime) -> float:
        return 1 - (big_share if after(t) else 0)

    lambda_metrics(
        a, a.fn_create, create_inv, lambda t: r.choice([0] * 20 + [1]), lambda t: r.uniform(140, 210)
    )
    lambda_metrics(a, a.fn_get, lambda t: count(t) * 0.45 * keep(t), lambda t: 0, lambda t: r.uniform(25, 45))
    lambda_metrics(
        a,
        a.fn_quote,
        lambda t: count(t) * 0.13 * keep(t),
        lambda t: r.choice([0] * 30 + [1]),
        lambda t: r.uniform(300, 600),
    )
    lambda_metrics(a, a.fn_auth, lambda t: count(t) * 0.08 * keep(t), lambda t: 0, lambda t: r.uniform(8, 20))
    lambda_metrics(
        a, a.fn_notify, lambda t: create_inv(t) / 10 * 0.9, lambda t: 0, lambda t: r.uniform(120, 260)
    )
    sqs_metrics(a, a.queue, lambda t: create_inv(t) * 5, lambda t: r.uniform(0, 6), lambda t: r.uniform(1, 9))
    dynamo_metrics(a, a.table, lambda t: count(t) * 0.45 / 60 * 2, lambda t: create_inv(t) / 60 * 3)

    # --- the change, and the other changes of the day ------------------------------------------
    sec = c.assumed(f"{a.prefix}-security-baseline-deploy", "terraform-apply", ip="54.160.12.8")
    t_change = onset - timedelta(seconds=r.randint(20, 100))
    acl_desc = "Partner API protection (managed by security-baseline)"
    culprit = c.ct(
        t_change,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        sec,
        {
            "name": a.webacl,
            "scope": "REGIONAL",
            "id": a.webacl_id,
            "defaultAction": {"allow": {}},
            "description": acl_desc,
            "rules": camel(_rules(version, False, rate)),
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": a.webacl,
            },
            "lockToken": c.uuid(),
        },
        {"nextLockToken": c.uuid()},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1",
    )
    c.ct(
        t_change - timedelta(seconds=4),
        "wafv2.amazonaws.com",
        "GetWebACL",
        sec,
        {"name": a.webacl, "scope": "REGIONAL", "id": a.webacl_id},
        None,
        read_only=True,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1",
    )
    c.ct(
        t_change + timedelta(seconds=3),
        "wafv2.amazonaws.com",
        "ListResourcesForWebACL",
        sec,
        {"webACLArn": a.webacl_arn(), "resourceType": "API_GATEWAY"},
        None,
        read_only=True,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1",
    )
    # the same pipeline also touched an unrelated IP set and a log group retention in that apply
    ipset = f"{a.prefix}-office-egress"
    c.ct(
        t_change - timedelta(seconds=11),
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        sec,
        {
            "name": ipset,
            "scope": "REGIONAL",
            "id": c.uuid(),
            "addresses": ["198.51.100.0/24", "203.0.113.64/26"],
            "lockToken": c.uuid(),
        },
        {"nextLockToken": c.uuid()},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1",
    )
    c.resource(
        "wafv2",
        "WebACL",
        {
            "Name": a.webacl,
            "Id": a.webacl_id,
            "ARN": a.webacl_arn(),
            "DefaultAction": {"Allow": {}},
            "Description": acl_desc,
            "Rules": _rules(version, False, rate),
            "VisibilityConfig": _vis(a.webacl),
            "Capacity": 1230,
            "ManagedByFirewallManager": False,
            "LabelNamespace": f"awswaf:{c.account}:webacl:{a.webacl}:",
        },
    )
    # innocent: a deploy of the read path 20-40 minutes earlier, and a notification template edit
    dev = c.sso(r.choice(["m.kowalski", "p.anand", "d.reyes"]), "PowerUserAccess")
    a.deploy(onset - timedelta(minutes=r.randint(20, 40)), a.fn_get)
    a.deploy(onset - timedelta(minutes=r.randint(95, 150)), a.fn_quote)
    c.ct(
        onset - timedelta(minutes=r.randint(45, 70)),
        "ses.amazonaws.com",
        "UpdateTemplate",
        dev,
        {"templateName": "partner-order-confirmation"},
        None,
    )
    c.ct(
        onset + timedelta(minutes=r.randint(5, 12)),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        dev,
        {"functionName": a.fn_get},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    c.ct(
        onset + timedelta(minutes=r.randint(6, 14)),
        "logs.amazonaws.com",
        "StartQuery",
        dev,
        {
            "logGroupNames": [f"/aws/lambda/{a.fn_get}"],
            "startTime": int((onset - timedelta(hours=1)).timestamp()),
            "endTime": int(onset.timestamp() + 600),
            "queryString": "fields @timestamp, @message | filter @message like /ERROR/",
        },
        {"queryId": c.uuid()},
        agent="console.amazonaws.com",
    )
    a.readonly_noise(r.randint(38, 55))
    a.kms_decrypts(r.randint(8, 14))
    # an unrelated alarm flapping: the authorizer's p99 now and then

    # --- logs -----------------------------------------------------------------------------------
    names = r.sample(["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay"], 6)
    keys = {f"partner-{p}": c.alnum(10) for p in names}
    erp = names[:2]  # connectors that send no User-Agent
    uas = {
        p: r.choice(
            [
                "okhttp/4.12.0",
                "python-requests/2.31.0",
                "axios/1.6.8",
                "Go-http-client/2.0",
                "Apache-HttpClient/5.2.1 (Java/17.0.10)",
                "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
            ]
        )
        for p in names[2:]
    }
    for t in c.minutes(1):
        for _ in range(r.randint(1, 3)):
            at = t + timedelta(seconds=r.uniform(0, 59))
            pick_erp = r.random() < big_share
            partner = r.choice(erp) if pick_erp else r.choice(names[2:])
            ua = "" if pick_erp else uas[partner]
            pick = r.random()
            method, path, st, il = (
                ("POST", "/v1/orders", 201, r.randint(110, 240))
                if pick < post_share
                else ("GET", "/v1/orders/{orderId}", 404 if r.random() < 0.03 else 200, r.randint(20, 60))
                if pick < 0.9
                else ("POST", "/v1/quotes", 200, r.randint(280, 650))
            )
            if pick_erp and after(at):
                access_log(
                    a, at, method, path, 403, -1, waf="403", key=keys[f"partner-{partner}"], length=23, ua=ua
                )
            else:
                access_log(a, at, method, path, st, il, key=keys[f"partner-{partner}"], ua=ua)

    def create_lines(at: datetime, rid: str) -> list[str]:
        n = r.randint(1, 40)
        return [
            f"[INFO]\t{iso(at)}\t{rid}\tcreate_order partner={r.choice(list(keys))} lines={n} "
            f"order_id=ord_{c.alnum(12)}",
            f"[INFO]\t{iso(at)}\t{rid}\tqueued notification order-created",
        ]

    a.lambda_logs(a.fn_create, lambda t: 0.5 if not after(t) else 0.35, create_lines, 1024, lambda t: 170)

    def get_lines(at: datetime, rid: str) -> list[str]:
        return [f"[INFO]\t{iso(at)}\t{rid}\tget_order order_id=ord_{c.alnum(12)} found=true"]

    a.lambda_logs(a.fn_get, lambda t: 0.3, get_lines, 512, lambda t: 35)

    # --- alarms ---------------------------------------------------------------------------------
    dims = {"ApiName": a.api_name, "Stage": a.stage}
    fire = onset + timedelta(minutes=r.randint(5, 7))
    thr = float(max(10, round(base * 0.05)))
    pts = [
        m["value"]
        for m in c.metrics
        if m["metric"] == "4XXError"
        and m["namespace"] == "AWS/ApiGateway"
        and fire - timedelta(minutes=5) <= datetime.fromisoformat(m["timestamp"]) < fire
    ]
    shown = ", ".join(f"{v:.1f}" for v in pts[-5:][::-1])
    reason = (
        f"Threshold Crossed: 5 out of the last 5 datapoints [{shown}] were greater than the threshold ({thr}) "
        f"(minimum 5 datapoints for OK -> ALARM transition)."
    )
    al = c.alarm(
        f"{a.api_name}-prod-4xx-high",
        "AWS/ApiGateway",
        "4XXError",
        dims,
        "Sum",
        60,
        5,
        thr,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        reason,
        "Partner API 4xx above normal. Usually a partner sending bad requests; check access logs by apiKeyId.",
        a.topic,
    )
    c.transition(al, fire, "OK", "ALARM", reason)
    al5 = c.alarm(
        f"{a.api_name}-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        dims,
        "Sum",
        60,
        3,
        10.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=3),
        "Threshold Crossed: no datapoints were breaching the threshold",
        "Partner API 5xx",
        a.topic,
    )
    del al5
    # the authorizer duration alarm flaps a couple of times a day
    fl = c.alarm(
        f"{a.fn_auth}-duration-p99",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": a.fn_auth},
        "p99",
        300,
        1,
        800.0,
        "GreaterThanThreshold",
        "OK",
        c.start + timedelta(minutes=95),
        "Threshold Crossed: 1 datapoint [212.4] was not greater than the threshold (800.0).",
        "Authorizer slow (cold starts after idle)",
        a.topic,
    )
    f1 = c.start + timedelta(minutes=r.randint(60, 85))
    c.transition(
        fl,
        f1,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [1243.9] was greater than the threshold (800.0).",
    )
    c.transition(
        fl,
        c.start + timedelta(minutes=95),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [212.4] was not greater than the threshold (800.0).",
    )
    c.alarm(
        f"{a.queue}-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": a.dlq},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=6),
        "Threshold Crossed: no datapoints were breaching the threshold",
        "Notification DLQ has messages",
        a.topic,
        missing="notBreaching",
    )

    zone = r.choice(["America/Chicago", "America/New_York", "Europe/London"])
    from zoneinfo import ZoneInfo

    local = (onset + timedelta(minutes=r.randint(-3, 4))).astimezone(ZoneInfo(zone))
    question = (
        (
            f"{erp[0].title()} and {erp[1].title()} both say every call to our API has been getting 403 Forbidden since "
            f"about {local:%-I:%M%p}. Did their API keys get revoked or hit the usage plan? Other partners seem fine."
        )
        .replace("AM", "am")
        .replace("PM", "pm")
    )
    trigger = {
        "question": question,
        "timezone": zone,
        "alarm_event": c.alarm_event(
            al,
            fire,
            reason,
            {"version": "1.0", "queryDate": iso(fire), "statistic": "Sum", "period": 60, "threshold": thr},
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": a.webacl,
            "category": "change",
            "failure_mode": "waf-managed-rule-count-override-removed",
            "event_id": culprit,
        },
        "also_accept": [a.webacl_arn(), a.webacl_id, "AWSManagedRulesCommonRuleSet", "NoUserAgent_HEADER"],
        "actions": ["rollback", "reconfigure"],
        "chain": [a.webacl, "NoUserAgent_HEADER", f"{a.api_name}/{a.stage}"],
    }
    return c.bundle(TITLE, trigger, truth)
