"""Outbound webhooks fall behind at the evening peak: the relay's name lookups start failing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzp import Kit, Rec, ec2_instance, floor_min, iso, jitter, pick_day

NAME = "webhook-deliveries-lagging-evening-peak"
TITLE = "Customer webhooks arriving late or not at all during the evening peak"
SUMMARY = (
    "At the evening peak the single webhook-relay instance sends more than 1024 packets a second to the VPC "
    "resolver; its interface is throttled, lookups fail with EAI_AGAIN, deliveries slow and the queue backs up."
)

ZONE = "America/Los_Angeles"
MERCHANTS = [
    "hooks.ticketpeak.io",
    "api.brightcart.com",
    "webhooks.lumenpay.co",
    "events.shopwise.net",
    "notify.campfire-tix.com",
    "hooks.orderlane.app",
    "in.mailmoth.com",
    "api.stockroom.dev",
    "cb.parcelkit.io",
    "webhook.venuehub.com",
    "hooks.zapflow.net",
    "ingest.metricly.io",
    "api.kindlepos.com",
    "events.fanzone.live",
    "hooks.greenbox.store",
]


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "us-west-2")
    rng = k.rng
    acct = k.account
    day = pick_day(rng)
    # evening peak in Pacific time is early morning UTC
    onset = day + timedelta(hours=rng.randint(2, 4), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    ramp = onset - timedelta(minutes=rng.randint(18, 30))
    start = floor_min(onset - timedelta(hours=3, minutes=rng.randint(20, 45)), 5)
    now = floor_min(onset + timedelta(minutes=rng.randint(38, 55))) + timedelta(seconds=rng.randint(5, 55))
    peak = rng.uniform(520, 580)
    base = rng.uniform(150, 200)

    vpc = f"vpc-{k.hex(17)}"
    subnets = [f"subnet-{k.hex(17)}" for _ in range(2)]
    azs = ["us-west-2a", "us-west-2b"]
    relay = f"i-{k.hex(17)}"
    relay_eni = f"eni-{k.hex(17)}"
    relay_ip = f"10.40.{rng.randint(1, 15)}.{rng.randint(10, 250)}"
    api_ids = [f"i-{k.hex(17)}" for _ in range(2)]
    sg_relay = (f"sg-{k.hex(17)}", "webhook-relay")
    sg_api = (f"sg-{k.hex(17)}", "public-api")
    queue, dlq = "outbound-webhooks", "outbound-webhooks-dlq"
    group = "/hookline/webhook-relay"

    # --- the relay: arrivals, attempts, DNS packets, failures (per minute) -----------------------------
    t = start
    backlog = 0.0
    fail = 0.0
    counter = float(rng.randint(0, 40))  # linklocal_allowance_exceeded since boot
    age = rng.uniform(1, 4)
    rows: list[tuple[datetime, float, float, float, float, float, float, float]] = []
    while t < now:
        if t < ramp:
            hour_shape = 1 + 0.15 * ((t - start).total_seconds() / (ramp - start).total_seconds())
            arrivals = jitter(rng, base * hour_shape, 0.08)
        else:
            frac = min(1.0, (t - ramp).total_seconds() / (onset - ramp).total_seconds())
            arrivals = jitter(rng, base * 1.15 + (peak - base * 1.15) * frac, 0.05)
        latency = (1 - fail) * 0.34 + fail * 7.6  # a failed lookup waits out the resolver timeout and retry
        capacity = 215 / latency
        attempts = min(arrivals + backlog / 60, capacity)
        pps = attempts * 2 * (1 + fail * 1.5) + rng.uniform(
            6, 14
        )  # A + AAAA per lookup, retries, SQS/SSM lookups
        over = max(0.0, pps - 1024)
        fail = 0.55 * fail + 0.45 * (min(0.35, over / pps * 1.6) if over else 0.0)
        if fail < 0.002:
            fail = 0.0
        counter += over * 60
        ok = attempts * (1 - fail)
        backlog = max(0.0, backlog + (arrivals - ok) * 60)
        age = age + 60 if backlog > arrivals * 90 else rng.uniform(1, 5)
        rows.append((t, arrivals, attempts, ok, fail, pps, counter, age))
        t += timedelta(minutes=1)

    idims = {"InstanceId": relay}
    cw = {"InstanceId": relay, "driver": "ena", "interface": "eth0"}
    qd = {"QueueName": queue}
    http_codes = {"HTTP_4XX": 0.004, "HTTP_5XX": 0.003, "ETIMEDOUT": 0.0015, "ECONNREFUSED": 0.0004}
    for ts, arr, att, ok, f, _pps, cnt, ag in rows:
        s = iso(ts)

        def put(ns: str, metric: str, dims: dict[str, str], value: float, unit: str, stamp: str = s) -> None:
            k.metrics.append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": stamp,
                    "unit": unit,
                    "value": round(value, 2),
                }
            )

        put("CWAgent", "ethtool_linklocal_allowance_exceeded", cw, float(int(cnt)), "None")
        put("CWAgent", "ethtool_pps_allowance_exceeded", cw, 0.0, "None")
        put("CWAgent", "ethtool_bw_out_allowance_exceeded", cw, 0.0, "None")
        put("CWAgent", "ethtool_conntrack_allowance_exceeded", cw, 0.0, "None")
        put("CWAgent", "mem_used_percent", idims, jitter(rng, 41, 0.04), "Percent")
        put("AWS/EC2", "CPUUtilization", idims, min(95.0, 6 + att * 0.07 + rng.uniform(-2, 2)), "Percent")
        put("AWS/EC2", "NetworkPacketsOut", idims, att * 60 * jitter(rng, 24, 0.05), "Count")
        put("AWS/EC2", "NetworkPacketsIn", idims, att * 60 * jitter(rng, 19, 0.05), "Count")
        put("AWS/EC2", "NetworkOut", idims, att * 60 * jitter(rng, 5200, 0.08), "Bytes")
        put("AWS/SQS", "NumberOfMessagesSent", qd, float(int(arr * 60)), "Count")
        put("AWS/SQS", "NumberOfMessagesReceived", qd, float(int(att * 60)), "Count")
        put("AWS/SQS", "NumberOfMessagesDeleted", qd, float(int(ok * 60)), "Count")
        put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            float(int(max(0.0, backlog_at(rows, ts)))),
            "Count",
        )
        put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, float(int(ag)), "Seconds")
        put(
            "Hookline/WebhookRelay",
            "DeliveryAttempts",
            {"Service": "webhook-relay"},
            float(int(att * 60)),
            "Count",
        )
        put(
            "Hookline/WebhookRelay",
            "DeliverySucceeded",
            {"Service": "webhook-relay"},
            float(int(ok * 60 * (1 - sum(http_codes.values())))),
            "Count",
        )
        for code, p in http_codes.items():
            n = int(att * 60 * p * rng.uniform(0.6, 1.4))
            if n:
                put(
                    "Hookline/WebhookRelay",
                    "DeliveryFailed",
                    {"Service": "webhook-relay", "ErrorCode": code},
                    float(n),
                    "Count",
                )
        if f:
            put(
                "Hookline/WebhookRelay",
                "DeliveryFailed",
                {"Service": "webhook-relay", "ErrorCode": "EAI_AGAIN"},
                float(int(att * 60 * f)),
                "Count",
            )
        for aid in api_ids:
            put(
                "AWS/EC2", "CPUUtilization", {"InstanceId": aid}, jitter(rng, 22 + arr * 0.02, 0.1), "Percent"
            )
        # application log sample: failures (sampled 1 in 20 by the logger), one success line in 500
        n_fail = int(att * 60 * f / 20)
        n_http = int(att * 60 * 0.009 / 20) + (1 if rng.random() < 0.5 else 0)
        n_ok = int(ok * 60 / 500)
        for _ in range(n_ok):
            at = ts + timedelta(seconds=rng.uniform(0, 60))
            host = rng.choice(MERCHANTS)
            k.log(
                group,
                relay,
                at,
                json.dumps(
                    {
                        "level": 30,
                        "time": int(at.timestamp() * 1000),
                        "pid": 2231,
                        "hostname": f"ip-{relay_ip.replace('.', '-')}",
                        "msg": "webhook delivered",
                        "webhookId": f"wh_{k.hex(20)}",
                        "host": host,
                        "status": 200,
                        "attempt": 1,
                        "ms": int(rng.lognormvariate(5.3, 0.5)),
                    },
                    separators=(",", ":"),
                ),
            )
        for _ in range(n_http):
            at = ts + timedelta(seconds=rng.uniform(0, 60))
            host = rng.choice(MERCHANTS)
            code = rng.choice(["HTTP_4XX", "HTTP_5XX", "HTTP_5XX", "ETIMEDOUT"])
            if code == "ETIMEDOUT":
                err: Rec = {
                    "type": "Error",
                    "message": f"connect ETIMEDOUT {rng.randint(3, 200)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}:443",
                    "code": "ETIMEDOUT",
                }
                k.log(
                    group,
                    relay,
                    at,
                    json.dumps(
                        {
                            "level": 40,
                            "time": int(at.timestamp() * 1000),
                            "pid": 2231,
                            "hostname": f"ip-{relay_ip.replace('.', '-')}",
                            "msg": "webhook delivery failed, will retry",
                            "webhookId": f"wh_{k.hex(20)}",
                            "host": host,
                            "attempt": rng.randint(1, 4),
                            "err": err,
                        },
                        separators=(",", ":"),
                    ),
                )
            else:
                status = rng.choice([404, 410, 401]) if code == "HTTP_4XX" else rng.choice([500, 502, 503])
                k.log(
                    group,
                    relay,
                    at,
                    json.dumps(
                        {
                            "level": 40,
                            "time": int(at.timestamp() * 1000),
                            "pid": 2231,
                            "hostname": f"ip-{relay_ip.replace('.', '-')}",
                            "msg": "webhook endpoint returned non-2xx",
                            "webhookId": f"wh_{k.hex(20)}",
                            "host": host,
                            "status": status,
                            "attempt": rng.randint(1, 4),
                        },
                        separators=(",", ":"),
                    ),
                )
        for _ in range(n_fail):
            at = ts + timedelta(seconds=rng.uniform(0, 60))
            host = rng.choice(MERCHANTS)
            dns_err: Rec = {
                "type": "Error",
                "message": f"getaddrinfo EAI_AGAIN {host}",
                "stack": f"Error: getaddrinfo EAI_AGAIN {host}\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:109:26)",
                "errno": -3001,
                "code": "EAI_AGAIN",
                "syscall": "getaddrinfo",
                "hostname": host,
            }
            k.log(
                group,
                relay,
                at,
                json.dumps(
                    {
                        "level": 40,
                        "time": int(at.timestamp() * 1000),
                        "pid": 2231,
                        "hostname": f"ip-{relay_ip.replace('.', '-')}",
                        "msg": "webhook delivery failed, will retry",
                        "webhookId": f"wh_{k.hex(20)}",
                        "host": host,
                        "attempt": rng.randint(1, 5),
                        "err": dns_err,
                    },
                    separators=(",", ":"),
                ),
            )

    # --- alarms ------------------------------------------------------------------------------------------
    topic = "platform-pager"
    created = start - timedelta(days=rng.randint(60, 500))
    ages = [(ts, ag) for ts, *_rest, ag in rows]
    alarm_t = None
    pts: list[tuple[datetime, float]] = []
    for i in range(2, len(ages)):
        window = ages[i - 2 : i + 1]
        if all(v >= 300 for _, v in window):
            alarm_t = window[-1][0] + timedelta(seconds=60 + rng.randint(15, 45))
            pts = [(ts, float(int(v))) for ts, v in window]
            break
    assert alarm_t is not None
    assert alarm_t < now
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{pts[2][1]} ({pts[2][0]:%d/%m/%y %H:%M:%S}), {pts[1][1]} "
        f"({pts[1][0]:%d/%m/%y %H:%M:%S}), {pts[0][1]} ({pts[0][0]:%d/%m/%y %H:%M:%S})] were greater than or equal to the "
        "threshold (300.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    rdata = k.reason_data("Maximum", 60, 300.0, pts, alarm_t)
    age_alarm = k.alarm(
        "outbound-webhooks-oldest-message-age",
        "Webhook deliveries are falling behind (oldest message > 5 min). Runbook: https://runbooks.hookline.io/webhooks/backlog",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        period=60,
        evals=3,
        threshold=300.0,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        state_reason=reason,
        state_time=alarm_t,
        created=created,
        topic=topic,
    )
    age_alarm["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    k.transition(age_alarm, alarm_t, "OK", "ALARM", reason, rdata)
    k.action(age_alarm, alarm_t)
    event = k.alarm_event(
        age_alarm,
        alarm_t,
        reason,
        rdata,
        "Threshold Crossed: 3 out of the last 3 datapoints were less than the threshold (300.0).",
        start - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 20)),
        "Maximum",
    )
    cpu = k.alarm(
        "webhook-relay-cpu-high",
        "webhook-relay CPU above 80% for 10 minutes",
        "AWS/EC2",
        "CPUUtilization",
        idims,
        stat="Average",
        period=300,
        evals=2,
        threshold=80.0,
        op="GreaterThanThreshold",
        state="OK",
        state_reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (80.0).",
        state_time=start - timedelta(days=rng.randint(5, 40)),
        created=created,
        topic=topic,
    )
    assert cpu
    dlq_alarm = k.alarm(
        "outbound-webhooks-dlq-not-empty",
        "Webhooks exhausted their retries",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=500.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_reason="Threshold Crossed: 1 datapoint [212.0] was not greater than or equal to the threshold (500.0).",
        state_time=start - timedelta(days=2),
        created=created,
        topic=topic,
    )
    # the DLQ holds a steady trickle from endpoints that answer 410/404 for days
    dl = float(rng.randint(150, 260))
    for ts, *_r in rows:
        if ts.minute % 5 == 0:
            dl += rng.choice([0, 0, 1, 2])
            k.metrics.append(
                {
                    "namespace": "AWS/SQS",
                    "metric": "ApproximateNumberOfMessagesVisible",
                    "dimensions": {"QueueName": dlq},
                    "timestamp": iso(ts),
                    "unit": "Count",
                    "value": dl,
                }
            )
    assert dlq_alarm
    # an unrelated API latency alarm that flapped before the peak
    lb = f"app/public-api/{k.hex(16)}"
    flap = onset - timedelta(minutes=rng.randint(70, 120))
    lat = k.alarm(
        "public-api-p99-latency",
        "Public API p99 over 1.5 s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        stat="p99",
        period=60,
        evals=3,
        threshold=1.5,
        op="GreaterThanThreshold",
        state="OK",
        state_reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1.5).",
        state_time=flap + timedelta(minutes=5, seconds=30),
        created=created,
        topic="api-oncall",
        to_alarm=2,
    )
    k.transition(
        lat,
        flap + timedelta(seconds=50),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (1.5).",
    )
    k.action(lat, flap + timedelta(seconds=50))
    k.transition(lat, flap + timedelta(minutes=5, seconds=30), "ALARM", "OK", lat["StateReason"])
    t = start
    while t < now:
        slow = flap - timedelta(minutes=3) <= t < flap + timedelta(minutes=3)
        vals = [rng.lognormvariate(-2.2, 0.6) for _ in range(40)] + (
            [rng.uniform(1.6, 3.8) for _ in range(3)] if slow else []
        )
        k.dist("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb}, t, vals, "Seconds")
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": {"LoadBalancer": lb},
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(rng.randint(2400, 3300)),
            }
        )
        t += timedelta(minutes=1)

    # --- CloudTrail --------------------------------------------------------------------------------------
    net = k.sso_identity(
        "NetworkAdmin", rng.choice(["priya.raman", "jo.lindqvist", "marco.bellini"]) + "@hookline.io"
    )
    oncall = k.sso_identity(
        "PlatformEngineer", rng.choice(["alex.kim", "sam.otieno", "lee.carver"]) + "@hookline.io"
    )
    console = "AWS Internal"
    ip_net = f"73.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    ep_id = f"rslvr-out-{k.hex(17)}"
    rule_id = f"rslvr-rr-{k.hex(17)}"
    assoc_id = f"rslvr-rrassoc-{k.hex(17)}"
    rule_t = onset - timedelta(minutes=rng.randint(45, 75))
    target_ips = [{"Ip": f"172.20.{rng.randint(0, 9)}.{n}", "Port": 53} for n in (10, 11)]
    rule_arn = k.arn("route53resolver", f"resolver-rule/{rule_id}")
    creator = k.uid()
    k.ct(
        rule_t - timedelta(minutes=6),
        "route53resolver.amazonaws.com",
        "ListResolverEndpoints",
        net,
        params={"maxResults": 100},
        read_only=True,
        ip=ip_net,
        agent=console,
    )
    k.ct(
        rule_t,
        "route53resolver.amazonaws.com",
        "CreateResolverRule",
        net,
        params={
            "creatorRequestId": creator,
            "name": "corp-hookline-internal",
            "ruleType": "FORWARD",
            "domainName": "corp.hookline.internal",
            "targetIps": target_ips,
            "resolverEndpointId": ep_id,
        },
        response={
            "resolverRule": {
                "id": rule_id,
                "creatorRequestId": creator,
                "arn": rule_arn,
                "domainName": "corp.hookline.internal.",
                "status": "COMPLETE",
                "statusMessage": "[Trace id: 1-"
                + k.hex(8)
                + "-"
                + k.hex(24)
                + "] Successfully created Resolver Rule.",
                "ruleType": "FORWARD",
                "name": "corp-hookline-internal",
                "targetIps": target_ips,
                "resolverEndpointId": ep_id,
                "ownerId": acct,
                "shareStatus": "NOT_SHARED",
                "creationTime": rule_t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "modificationTime": rule_t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            }
        },
        read_only=False,
        ip=ip_net,
        agent=console,
    )
    k.ct(
        rule_t + timedelta(seconds=48),
        "route53resolver.amazonaws.com",
        "AssociateResolverRule",
        net,
        params={"resolverRuleId": rule_id, "name": "corp-hookline-internal-prod", "vPCId": vpc},
        response={
            "resolverRuleAssociation": {
                "id": assoc_id,
                "resolverRuleId": rule_id,
                "name": "corp-hookline-internal-prod",
                "vPCId": vpc,
                "status": "CREATING",
                "statusMessage": "[Trace id: 1-" + k.hex(8) + "-" + k.hex(24) + "] Creating the association.",
            }
        },
        read_only=False,
        ip=ip_net,
        agent=console,
    )
    k.ct(
        rule_t + timedelta(minutes=2),
        "route53resolver.amazonaws.com",
        "GetResolverRuleAssociation",
        net,
        params={"resolverRuleAssociationId": assoc_id},
        read_only=True,
        ip=ip_net,
        agent=console,
    )
    # the on-call engineer looking around after the page
    look = alarm_t + timedelta(minutes=rng.randint(3, 6))
    for i, (src, name, params) in enumerate(
        [
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.us-west-2.amazonaws.com/{acct}/{queue}",
                    "attributeNames": ["All"],
                },
            ),
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"instancesSet": {"items": [{"instanceId": relay}]}, "filterSet": {}},
            ),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("route53resolver.amazonaws.com", "ListResolverRules", {"maxResults": 100}),
            ("ssm.amazonaws.com", "StartSession", {"target": relay}),
        ]
    ):
        when = look + timedelta(seconds=40 * i)
        if when < now:
            resp = (
                {
                    "sessionId": f"{oncall['arn'].rsplit('/', 1)[1]}-{k.hex(17)}",
                    "tokenValue": "Value hidden due to security reasons.",
                    "streamUrl": f"wss://ssmmessages.us-west-2.amazonaws.com/v1/data-channel/{k.hex(17)}",
                }
                if name == "StartSession"
                else None
            )
            k.ct(
                when,
                src,
                name,
                oncall,
                params=params,
                response=resp,
                read_only=name != "StartSession",
                agent=console,
            )
    # deploy of the public API by CI through Auto Scaling instance refresh (unrelated), earlier
    ci = k.role_identity("gha-deploy", "github-actions")
    ref_t = onset - timedelta(minutes=rng.randint(120, 160))
    k.ct(
        ref_t,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        ci,
        params={
            "autoScalingGroupName": "public-api-asg",
            "preferences": {"minHealthyPercentage": 90, "instanceWarmup": 120},
        },
        response={"instanceRefreshId": k.uid()},
        read_only=False,
    )
    k.readonly_noise(
        start,
        now,
        60,
        [
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("ec2.amazonaws.com", "DescribeVolumes", None),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
            ("route53resolver.amazonaws.com", "ListResolverRules", {"maxResults": 100}),
            ("route53resolver.amazonaws.com", "ListResolverQueryLogConfigs", {"maxResults": 100}),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("iam.amazonaws.com", "ListRoles", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ],
        k.role_identity("security-audit-readonly", "prowler"),
        "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.34.144 prowler/4.3.1",
    )
    k.assume_role_noise(
        start, now, 12, ["webhook-relay-instance-role", "public-api-instance-role"], "ec2.amazonaws.com"
    )

    # --- resources ---------------------------------------------------------------------------------------
    launched = start - timedelta(days=rng.randint(20, 120))
    ec2_instance(
        k,
        iid=relay,
        name="webhook-relay-1",
        itype="c6i.2xlarge",
        az=azs[0],
        subnet=subnets[0],
        vpc=vpc,
        sg=sg_relay,
        ip=relay_ip,
        eni=relay_eni,
        launched=launched,
        profile="webhook-relay-instance-role",
        extra_tags={"service": "webhook-relay", "env": "prod"},
    )
    for n, aid in enumerate(api_ids):
        ec2_instance(
            k,
            iid=aid,
            name="public-api",
            itype="m6i.large",
            az=azs[n],
            subnet=subnets[n],
            vpc=vpc,
            sg=sg_api,
            ip=f"10.40.{16 + n * 16 + rng.randint(0, 9)}.{rng.randint(10, 250)}",
            eni=f"eni-{k.hex(17)}",
            launched=ref_t + timedelta(minutes=2 + n * 3),
            profile="public-api-instance-role",
            extra_tags={"aws:autoscaling:groupName": "public-api-asg", "env": "prod"},
        )
    k.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": "10.40.0.0/16",
            "DhcpOptionsId": f"dopt-{k.hex(17)}",
            "State": "available",
            "VpcId": vpc,
            "OwnerId": acct,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "prod"}],
        },
    )
    for n, sn in enumerate(subnets):
        k.res(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": azs[n],
                "AvailableIpAddressCount": rng.randint(3000, 4000),
                "CidrBlock": f"10.40.{n * 16}.0/20",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": sn,
                "VpcId": vpc,
                "OwnerId": acct,
            },
        )
    k.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg_relay[0],
            "GroupName": sg_relay[1],
            "Description": "webhook relay",
            "VpcId": vpc,
            "OwnerId": acct,
            "IpPermissions": [],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
        },
    )
    k.res(
        "route53resolver",
        "ResolverEndpoint",
        {
            "Id": ep_id,
            "CreatorRequestId": k.uid(),
            "Arn": k.arn("route53resolver", f"resolver-endpoint/{ep_id}"),
            "Name": "prod-outbound",
            "SecurityGroupIds": [f"sg-{k.hex(17)}"],
            "Direction": "OUTBOUND",
            "IpAddressCount": 2,
            "HostVPCId": vpc,
            "Status": "OPERATIONAL",
            "StatusMessage": "This Resolver Endpoint is operational.",
            "CreationTime": iso(launched - timedelta(days=200)),
            "ModificationTime": iso(launched - timedelta(days=200)),
            "ResolverEndpointType": "IPV4",
            "Protocols": ["Do53"],
        },
    )
    k.res(
        "route53resolver",
        "ResolverRule",
        {
            "Id": rule_id,
            "CreatorRequestId": creator,
            "Arn": rule_arn,
            "DomainName": "corp.hookline.internal.",
            "Status": "COMPLETE",
            "StatusMessage": "[Trace id: 1-"
            + k.hex(8)
            + "-"
            + k.hex(24)
            + "] Successfully created Resolver Rule.",
            "RuleType": "FORWARD",
            "Name": "corp-hookline-internal",
            "TargetIps": target_ips,
            "ResolverEndpointId": ep_id,
            "OwnerId": acct,
            "ShareStatus": "NOT_SHARED",
            "CreationTime": iso(rule_t),
            "ModificationTime": iso(rule_t),
        },
    )
    k.res(
        "route53resolver",
        "ResolverRuleAssociation",
        {
            "Id": assoc_id,
            "ResolverRuleId": rule_id,
            "Name": "corp-hookline-internal-prod",
            "VPCId": vpc,
            "Status": "COMPLETE",
            "StatusMessage": "",
        },
    )
    for q, vis in ((queue, "60"), (dlq, "30")):
        attrs = {
            "QueueArn": k.arn("sqs", q),
            "VisibilityTimeout": vis,
            "MessageRetentionPeriod": "345600" if q == queue else "1209600",
            "SqsManagedSseEnabled": "true",
        }
        if q == queue:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": k.arn("sqs", dlq), "maxReceiveCount": 8}
            )
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.us-west-2.amazonaws.com/{acct}/{q}",
                "Attributes": attrs,
                "Tags": {"service": "webhook-relay"},
            },
        )
    k.log_group(group, launched - timedelta(days=300), 14)

    local = (alarm_t + timedelta(minutes=rng.randint(4, 12))).astimezone(ZoneInfo(ZONE))
    since = (onset + timedelta(minutes=rng.randint(3, 10))).astimezone(ZoneInfo(ZONE))
    question = rng.choice(
        [
            f"Several merchants say webhooks are showing up late or not at all since about {since:%-I:%M}pm. The webhook queue alarm is going. Is Route 53 / DNS broken? Networking added a new resolver rule today.",
            f"Webhooks backing up since ~{since:%-I:%M} tonight, merchants complaining. Did the resolver rule change this afternoon break something? (it's {local:%-I:%M} now)",
        ]
    )
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": relay,
            "category": "limit",
            "failure_mode": "vpc-resolver-packets-per-second-per-eni",
        },
        "also_accept": ["webhook-relay-1", relay_eni],
        "actions": ["reconfigure", "scale"],
        "chain": [relay, "webhook-relay", queue],
    }
    return k.bundle(TITLE, start, now, {"question": question, "alarm_event": event, "timezone": ZONE}, truth)


def backlog_at(
    rows: list[tuple[datetime, float, float, float, float, float, float, float]], ts: datetime
) -> float:
    """Messages waiting at `ts`: what arrived minus what was delivered up to then."""
    total = 0.0
    for t, arr, _att, ok, *_rest in rows:
        if t > ts:
            break
        total = max(0.0, total + (arr - ok) * 60)
    return total
