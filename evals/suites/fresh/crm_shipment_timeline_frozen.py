"""CRM shipment timeline stops updating: the CRM queue's access policy was rewritten for a new returns topic
and no longer lets the shipment-status topic deliver; customer e-mails (another subscriber) keep flowing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzc import MIN, Kit, iso, lambda_role_assumes, tooling_noise

NAME = "crm-shipment-timeline-frozen"
TITLE = "Shipment timeline in the CRM stopped updating mid-afternoon; customer delivery e-mails still go out"
SUMMARY = (
    "A console edit that subscribed the CRM queue to a new returns topic replaced the queue's access "
    "policy, so SNS deliveries from the shipment-status topic to that queue fail and the CRM sync goes idle."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-2")
    r = k.rng
    day = k.day
    onset = day + timedelta(hours=r.randint(12, 14), minutes=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(48, 75))
    start = now - timedelta(hours=4, minutes=40)
    end = now + timedelta(minutes=30)
    acct, reg = k.account, k.region

    topic = "shipment-status-events"
    topic_arn = k.arn("sns", topic)
    new_topic = "returns-status-events"
    new_topic_arn = k.arn("sns", new_topic)
    crm_q, crm_dlq = "crm-shipment-updates", "crm-shipment-updates-dlq"
    notify_q, notify_dlq = "customer-notify-shipments", "customer-notify-shipments-dlq"
    returns_q = "returns-label-jobs"
    fn_ingest, fn_crm, fn_notify, fn_returns = (
        "tracking-ingest",
        "crm-shipment-sync",
        "customer-notify-sender",
        "returns-label-worker",
    )
    api_id = k.hexid(10)
    created = day - timedelta(days=r.randint(200, 500))

    # ---------------- resources ----------------
    topic_policy: dict[str, Any] = {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "SNS:Publish",
                    "SNS:RemovePermission",
                    "SNS:SetTopicAttributes",
                    "SNS:DeleteTopic",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:GetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:Subscribe",
                ],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": acct}},
            }
        ],
    }
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": acct,
                "DisplayName": "",
                "Policy": json.dumps(topic_policy),
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                        }
                    }
                ),
                "KmsMasterKeyId": "alias/aws/sns",
            },
        },
    )
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": new_topic_arn,
            "Attributes": {
                "TopicArn": new_topic_arn,
                "Owner": acct,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Policy": json.dumps(
                    {
                        **topic_policy,
                        "Statement": [{**topic_policy["Statement"][0], "Resource": new_topic_arn}],
                    }
                ),
            },
        },
    )

    def sub(t_arn: str, q: str, raw: bool, filt: dict | None = None) -> str:
        sarn = f"{t_arn}:{k.uuid()}"
        attrs = {
            "SubscriptionArn": sarn,
            "TopicArn": t_arn,
            "Owner": acct,
            "Protocol": "sqs",
            "Endpoint": k.arn("sqs", q),
            "ConfirmationWasAuthenticated": "true",
            "PendingConfirmation": "false",
            "RawMessageDelivery": "true" if raw else "false",
            "SubscriptionPrincipal": f"arn:aws:iam::{acct}:root",
        }
        if filt:
            attrs["FilterPolicy"] = json.dumps(filt)
            attrs["FilterPolicyScope"] = "MessageAttributes"
        k.res(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sarn,
                "TopicArn": t_arn,
                "Protocol": "sqs",
                "Endpoint": k.arn("sqs", q),
                "Owner": acct,
                "Attributes": attrs,
            },
        )
        return sarn

    sub(topic_arn, crm_q, True)
    sub(topic_arn, notify_q, True, {"status": ["OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"]})
    new_sub_arn = sub(new_topic_arn, crm_q, True)
    sub(new_topic_arn, returns_q, True, {"eventType": ["RETURN_CREATED"]})

    def q_policy(topics: list[str], q: str) -> dict:
        return {
            "Version": "2012-10-17",
            "Id": f"arn:aws:sqs:{reg}:{acct}:{q}/SQSDefaultPolicy",
            "Statement": [
                {
                    "Sid": f"topic-subscription-{t}",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "SQS:SendMessage",
                    "Resource": k.arn("sqs", q),
                    "Condition": {"ArnLike": {"aws:SourceArn": t}},
                }
                for t in topics
            ],
        }

    crm_policy_now = q_policy([new_topic_arn], crm_q)
    change_at = onset - timedelta(seconds=r.randint(5, 40))
    k.queue(
        crm_q,
        created,
        {
            "VisibilityTimeout": "180",
            "Policy": json.dumps(crm_policy_now),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": k.arn("sqs", crm_dlq), "maxReceiveCount": 5}),
            "LastModifiedTimestamp": str(int(change_at.timestamp())),
        },
        {"team": "crm-integrations", "service": "crm-sync"},
    )
    k.queue(
        crm_dlq,
        created,
        {
            "MessageRetentionPeriod": "1209600",
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
        },
        {"team": "crm-integrations"},
    )
    k.queue(
        notify_q,
        created,
        {
            "VisibilityTimeout": "60",
            "Policy": json.dumps(q_policy([topic_arn], notify_q)),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": k.arn("sqs", notify_dlq), "maxReceiveCount": 4}
            ),
        },
        {"team": "customer-comms"},
    )
    k.queue(notify_dlq, created, {"MessageRetentionPeriod": "1209600"}, {"team": "customer-comms"})
    k.queue(
        returns_q,
        onset - timedelta(hours=2, minutes=12),
        {"VisibilityTimeout": "120", "Policy": json.dumps(q_policy([new_topic_arn], returns_q))},
        {"team": "returns"},
    )

    k.lambda_fn(
        fn_ingest,
        runtime="nodejs20.x",
        handler="dist/handler.webhook",
        role="tracking-ingest-role",
        mem=512,
        timeout=15,
        modified=onset - timedelta(minutes=r.randint(30, 55)),
        env={
            "TOPIC_ARN": topic_arn,
            "POWERTOOLS_SERVICE_NAME": "tracking-ingest",
            "NODE_OPTIONS": "--enable-source-maps",
        },
    )
    k.lambda_fn(
        fn_crm,
        runtime="python3.12",
        handler="crm_sync.app.handler",
        role="crm-shipment-sync-role",
        mem=256,
        timeout=120,
        modified=created + timedelta(days=r.randint(100, 180)),
        env={"CRM_BASE_URL": "https://ferncastle.my.salesforce.com", "CRM_SECRET_ID": "crm/integration-user"},
    )
    k.lambda_fn(
        fn_notify,
        runtime="python3.12",
        handler="sender.handler",
        role="customer-notify-sender-role",
        mem=256,
        timeout=30,
        modified=created + timedelta(days=r.randint(20, 90)),
        env={"SES_CONFIGURATION_SET": "transactional", "FROM_ADDRESS": "deliveries@ferncastle.co.uk"},
    )
    k.lambda_fn(
        fn_returns,
        runtime="python3.12",
        handler="labels.handler",
        role="returns-label-worker-role",
        mem=512,
        timeout=60,
        modified=onset - timedelta(hours=2, minutes=5),
    )
    for fn, q, bs in ((fn_crm, crm_q, 10), (fn_notify, notify_q, 10), (fn_returns, returns_q, 5)):
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": k.uuid(),
                "BatchSize": bs,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": k.arn("sqs", q),
                "FunctionArn": k.arn("lambda", f"function:{fn}"),
                "LastModified": iso(created + timedelta(days=3)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiId": api_id,
            "Name": "carrier-webhooks",
            "ProtocolType": "HTTP",
            "ApiEndpoint": f"https://{api_id}.execute-api.{reg}.amazonaws.com",
            "RouteSelectionExpression": "$request.method $request.path",
            "CreatedDate": iso(created),
            "DisableExecuteApiEndpoint": False,
            "Tags": {},
        },
    )
    integ = k.hexid(7)
    k.res(
        "apigatewayv2",
        "ApiIntegration",
        {
            "ApiId": api_id,
            "IntegrationId": integ,
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": k.arn("lambda", f"function:{fn_ingest}"),
            "PayloadFormatVersion": "2.0",
            "TimeoutInMillis": 15000,
            "ConnectionType": "INTERNET",
            "IntegrationMethod": "POST",
        },
    )
    k.res(
        "apigatewayv2",
        "ApiRoute",
        {
            "ApiId": api_id,
            "RouteId": k.hexid(7),
            "RouteKey": "POST /v1/carriers/{carrier}/events",
            "Target": f"integrations/{integ}",
            "AuthorizationType": "NONE",
            "ApiKeyRequired": False,
        },
    )
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": "$default",
            "AutoDeploy": True,
            "CreatedDate": iso(created),
            "LastUpdatedDate": iso(created + timedelta(days=40)),
            "DefaultRouteSettings": {
                "DetailedMetricsEnabled": False,
                "ThrottlingBurstLimit": 2000,
                "ThrottlingRateLimit": 1000.0,
            },
        },
    )
    for g in (fn_ingest, fn_crm, fn_notify, fn_returns):
        k.log_group(f"/aws/lambda/{g}", created, 30)

    # ---------------- telemetry ----------------
    crm_invocations: list = []
    t = start
    peak = r.uniform(38, 55)  # status events a minute
    while t < now + timedelta(minutes=30):
        hour = (t - day).total_seconds() / 3600
        rate = peak * (0.75 + 0.25 * max(0.0, 1 - abs(hour - 14) / 6)) * r.uniform(0.85, 1.15)
        events = max(1, round(rate))
        api_4xx = r.choice([0, 0, 0, 0, 1])
        api_5xx = 1 if r.random() < 0.015 else 0
        apid = {"ApiId": api_id, "Stage": "$default"}
        k.put("AWS/ApiGateway", "Count", apid, t, "Count", events + api_4xx)
        k.put("AWS/ApiGateway", "4xx", apid, t, "Count", api_4xx)
        k.put("AWS/ApiGateway", "5xx", apid, t, "Count", api_5xx)
        k.latency_dist("AWS/ApiGateway", "Latency", apid, t, events, r.uniform(38, 55), r.uniform(180, 400))
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_ingest}, t, "Count", events)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_ingest}, t, "Count", api_5xx)
        k.latency_dist(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn_ingest},
            t,
            events,
            r.uniform(28, 40),
            r.uniform(150, 320),
        )
        k.put("AWS/SNS", "NumberOfMessagesPublished", {"TopicName": topic}, t, "Count", events)
        notify_share = round(events * r.uniform(0.34, 0.42))
        filtered = events - notify_share
        broken = t >= onset
        delivered = notify_share + (0 if broken else events)
        k.put("AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": topic}, t, "Count", delivered)
        k.put("AWS/SNS", "NumberOfNotificationsFilteredOut", {"TopicName": topic}, t, "Count", filtered)
        if broken:
            k.put("AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": topic}, t, "Count", events)
        else:
            k.put("AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": topic}, t, "Count", 0)
        k.put("AWS/SNS", "PublishSize", {"TopicName": topic}, t, "Bytes", r.uniform(1350, 1520))
        # queues
        crm_in = 0 if broken else events
        for q, n_in in ((crm_q, crm_in), (notify_q, notify_share)):
            qd = {"QueueName": q}
            k.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", n_in)
            k.put("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", n_in)
            k.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", n_in)
            k.put(
                "AWS/SQS",
                "NumberOfEmptyReceives",
                qd,
                t,
                "Count",
                r.randint(14, 22) if n_in else r.randint(28, 32),
            )
            k.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                qd,
                t,
                "Count",
                r.choice([0, 0, 0, 1, 2]) if n_in else 0,
            )
            k.put(
                "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", r.randint(0, 3) if n_in else 0
            )
        for q in (crm_dlq, notify_dlq):
            k.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": q},
                t,
                "Count",
                2 if q == notify_dlq else 0,
            )
        if crm_in:
            batches = max(1, crm_in // r.randint(3, 6))
            k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_crm}, t, "Count", batches)
            k.put("AWS/Lambda", "Errors", {"FunctionName": fn_crm}, t, "Count", 0)
            k.latency_dist(
                "AWS/Lambda",
                "Duration",
                {"FunctionName": fn_crm},
                t,
                batches,
                r.uniform(420, 650),
                r.uniform(1500, 2600),
            )
            crm_invocations.append((t, crm_in))
        nb = max(1, notify_share // r.randint(2, 4))
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_notify}, t, "Count", nb)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_notify}, t, "Count", 1 if r.random() < 0.01 else 0)
        k.latency_dist(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn_notify},
            t,
            nb,
            r.uniform(120, 180),
            r.uniform(500, 900),
        )
        t += MIN

    # returns topic: new, very light traffic after it is wired up
    t = onset + timedelta(minutes=2)
    while t < now + timedelta(minutes=30):
        n = r.choice([0, 0, 1, 1, 2])
        if n:
            k.put("AWS/SNS", "NumberOfMessagesPublished", {"TopicName": new_topic}, t, "Count", n)
            k.put("AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": new_topic}, t, "Count", n * 2)
            k.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": crm_q}, t, "Count", n)
            k.put("AWS/SQS", "NumberOfMessagesReceived", {"QueueName": crm_q}, t, "Count", n)
            k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_crm}, t, "Count", n)
            k.put("AWS/Lambda", "Errors", {"FunctionName": fn_crm}, t, "Count", 0)
            crm_invocations.append((t, -n))
        t += timedelta(minutes=r.randint(3, 9))

    # ---------------- logs ----------------
    g_crm = f"/aws/lambda/{fn_crm}"
    stream = k.lambda_stream(start)
    for i, (t, n) in enumerate(crm_invocations):
        if i % 3 and n > 0:
            continue
        when = t + timedelta(seconds=r.randint(1, 50))
        if n > 0:
            ids = [f"FC{r.randint(10**9, 10**10 - 1)}GB" for _ in range(min(n, 4))]
            body = [
                (3, f"[INFO]\t{{ts}}\t{{rid}}\tReceived {min(n, 10)} records from {crm_q}\n"),
                (
                    r.uniform(300, 500),
                    f"[INFO]\t{{ts}}\t{{rid}}\tUpserted Shipment_Event__c for {', '.join(ids)} (composite 200)\n",
                ),
            ]
        else:
            rid_ret = f"RMA-{r.randint(100000, 999999)}"
            body = [
                (3, f"[INFO]\t{{ts}}\t{{rid}}\tReceived 1 records from {crm_q}\n"),
                (
                    r.uniform(200, 400),
                    f"[WARNING]\t{{ts}}\t{{rid}}\tSkipping record: unknown eventType 'RETURN_CREATED' ({rid_ret})\n",
                ),
            ]
        k.lambda_invocation(g_crm, stream, when, r.uniform(400, 900), 256, r.randint(88, 97), body)

    g_ing = f"/aws/lambda/{fn_ingest}"
    deploy_at = onset - timedelta(minutes=r.randint(30, 55))
    s1, s2 = k.lambda_stream(start), k.lambda_stream(deploy_at)
    t = start + timedelta(seconds=r.randint(5, 40))
    first_new = True
    while t < now:
        new = t >= deploy_at + timedelta(seconds=20)
        s = s2 if new else s1
        carrier = r.choice(["dpd", "evri", "royalmail", "dpd", "yodel"])
        trk = f"FC{r.randint(10**9, 10**10 - 1)}GB"
        status = r.choice(["IN_TRANSIT", "IN_TRANSIT", "AT_DEPOT", "OUT_FOR_DELIVERY", "DELIVERED"])
        mid = k.uuid()
        line = json.dumps(
            {
                "level": "INFO",
                "message": "published shipment status",
                "service": "tracking-ingest",
                "timestamp": iso(t)[:-1] + f".{r.randint(0, 999):03d}Z",
                "carrier": carrier,
                "trackingNumber": trk,
                "status": status,
                "snsMessageId": mid,
                **({"version": "2.14.0"} if new else {"version": "2.13.2"}),
            }
        )
        init = r.uniform(310, 420) if (new and first_new) else None
        first_new = first_new and not new
        k.lambda_invocation(
            g_ing,
            s,
            t,
            r.uniform(22, 60),
            512,
            r.randint(101, 118),
            [(r.uniform(12, 20), line + "\n")],
            init_ms=init,
        )
        t += timedelta(seconds=r.randint(90, 240))

    g_not = f"/aws/lambda/{fn_notify}"
    s = k.lambda_stream(start)
    t = start + timedelta(seconds=r.randint(5, 60))
    while t < now:
        status = r.choice(["OUT_FOR_DELIVERY", "DELIVERED", "OUT_FOR_DELIVERY"])
        body = [
            (
                40,
                f"[INFO]\t{{ts}}\t{{rid}}\tsent {status.lower()} email template=v7 ses_message_id=0102{k.hexid(12)}-{k.uuid()}-000000\n",
            )
        ]
        k.lambda_invocation(g_not, s, t, r.uniform(110, 190), 256, r.randint(72, 80), body)
        t += timedelta(seconds=r.randint(120, 300))

    # ---------------- alarms ----------------
    ops = k.arn("sns", "ops-alerts")

    def ok(m: float, when: datetime) -> str:
        return f"Threshold Crossed: 1 out of the last 1 datapoints [0.0 ({when:%d/%m/%y %H:%M:%S})] was not greater than the threshold ({m:g}) (minimum 1 datapoint for ALARM -> OK transition)."

    k.alarm(
        f"{fn_crm}-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_crm},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5,
        op="GreaterThanThreshold",
        desc="CRM sync Lambda failing",
        topic=ops,
        state="OK",
        reason=ok(5, start - timedelta(days=3)),
        state_ts=start - timedelta(days=3),
        updated=created + timedelta(days=10),
        missing="notBreaching",
    )
    k.alarm(
        f"{crm_dlq}-visible",
        ns="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": crm_dlq},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        desc="Messages in CRM DLQ",
        topic=ops,
        state="OK",
        reason=ok(0, start - timedelta(days=9)),
        state_ts=start - timedelta(days=9),
        updated=created + timedelta(days=10),
    )
    k.alarm(
        f"{notify_q}-age",
        ns="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": notify_q},
        stat="Maximum",
        period=60,
        evals=5,
        threshold=600,
        op="GreaterThanThreshold",
        desc="Customer notifications delayed",
        topic=ops,
        state="OK",
        reason=ok(600, start - timedelta(days=20)),
        state_ts=start - timedelta(days=20),
        updated=created + timedelta(days=30),
    )
    # a flapping webhook 5xx alarm (carrier retries)
    flap_at = start + timedelta(minutes=r.randint(50, 110))
    a = k.alarm(
        "carrier-webhooks-5xx",
        ns="AWS/ApiGateway",
        metric="5xx",
        dims={"ApiId": api_id, "Stage": "$default"},
        stat="Sum",
        period=60,
        evals=1,
        threshold=2,
        op="GreaterThanOrEqualToThreshold",
        desc="Carrier webhook API 5xx",
        topic=ops,
        state="OK",
        reason=ok(2, flap_at + timedelta(minutes=3)),
        state_ts=flap_at + timedelta(minutes=3),
        updated=created + timedelta(days=50),
    )
    for m in k.metrics:
        if m["metric"] == "5xx" and m["timestamp"] == iso(flap_at):
            m["value"] = 3.0
    txt, data = k.reason_threshold([(flap_at, 3.0)], 2)
    k.hist(
        a,
        flap_at + timedelta(seconds=95),
        "OK",
        "ALARM",
        txt.replace("was greater than", "was greater than or equal to"),
        data,
    )
    k.hist(a, flap_at + timedelta(minutes=3), "ALARM", "OK", ok(2, flap_at + timedelta(minutes=2)))
    k.alarm(
        f"{fn_ingest}-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_ingest},
        stat="Sum",
        period=300,
        evals=2,
        threshold=10,
        op="GreaterThanThreshold",
        desc="tracking-ingest failing",
        topic=ops,
        state="OK",
        reason=ok(10, start - timedelta(days=2)),
        state_ts=start - timedelta(days=2),
        updated=created + timedelta(days=10),
        missing="notBreaching",
    )

    # ---------------- cloudtrail ----------------
    rid_dev = k.role_id()
    dev = k.assumed(
        "AWSReservedSSO_PowerUserAccess_5b1e8d2c47a9f310",
        "priya.nair@ferncastle.co.uk",
        rid_dev,
        onset - timedelta(hours=1, minutes=40),
    )
    browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    dev_ip = f"81.{r.randint(100, 200)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    t0 = onset - timedelta(hours=2, minutes=20)
    k.ct(
        t0,
        "sqs.amazonaws.com",
        "CreateQueue",
        dev,
        {"queueName": returns_q, "attributes": {"VisibilityTimeout": "120"}},
        {"queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{returns_q}"},
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        t0 + timedelta(minutes=6),
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        dev,
        {
            "functionName": fn_returns,
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{acct}:role/returns-label-worker-role",
            "handler": "labels.handler",
            "timeout": 60,
            "memorySize": 512,
            "publish": False,
        },
        {
            "functionName": fn_returns,
            "functionArn": k.arn("lambda", f"function:{fn_returns}"),
            "runtime": "python3.12",
            "state": "Pending",
            "stateReasonCode": "Creating",
        },
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        onset - timedelta(minutes=r.randint(22, 28)),
        "sns.amazonaws.com",
        "CreateTopic",
        dev,
        {"name": new_topic},
        {"topicArn": new_topic_arn},
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        onset - timedelta(minutes=r.randint(15, 20)),
        "sns.amazonaws.com",
        "Subscribe",
        dev,
        {
            "topicArn": new_topic_arn,
            "protocol": "sqs",
            "endpoint": k.arn("sqs", returns_q),
            "returnSubscriptionArn": True,
            "attributes": {
                "FilterPolicy": json.dumps({"eventType": ["RETURN_CREATED"]}),
                "RawMessageDelivery": "true",
            },
        },
        {"subscriptionArn": f"{new_topic_arn}:{k.uuid()}"},
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        onset - timedelta(minutes=r.randint(10, 14)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        dev,
        {
            "queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{returns_q}",
            "attributes": {"Policy": json.dumps(q_policy([new_topic_arn], returns_q))},
        },
        None,
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        onset - timedelta(minutes=3),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        dev,
        {"queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{crm_q}", "attributeNames": ["All"]},
        None,
        read_only=True,
        agent=browser,
        ip=dev_ip,
    )
    culprit = k.ct(
        change_at,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        dev,
        {
            "queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{crm_q}",
            "attributes": {"Policy": json.dumps(crm_policy_now)},
        },
        None,
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    k.ct(
        onset + timedelta(seconds=r.randint(30, 70)),
        "sns.amazonaws.com",
        "Subscribe",
        dev,
        {
            "topicArn": new_topic_arn,
            "protocol": "sqs",
            "endpoint": k.arn("sqs", crm_q),
            "returnSubscriptionArn": True,
            "attributes": {"RawMessageDelivery": "true"},
        },
        {"subscriptionArn": new_sub_arn},
        read_only=False,
        agent=browser,
        ip=dev_ip,
    )
    # CI deploy of tracking-ingest (innocent)
    rid_ci = k.role_id()
    ci = k.assumed(
        "github-actions-deploy",
        f"GitHubActions-{r.randint(10**9, 10**10 - 1)}",
        rid_ci,
        deploy_at - timedelta(minutes=2),
    )
    ci_agent = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/aws-cli command/lambda.update-function-code"
    ci_ip = f"20.{r.randint(40, 200)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    k.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn_ingest,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"ferncastle-artifacts-{acct}",
            "s3Key": f"tracking-ingest/2.14.0/{k.hexid(12)}.zip",
        },
        {
            "functionName": fn_ingest,
            "functionArn": k.arn("lambda", f"function:{fn_ingest}"),
            "runtime": "nodejs20.x",
            "codeSha256": k.hexid(43) + "=",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=ci_agent,
        ip=ci_ip,
    )
    k.ct(
        deploy_at - timedelta(seconds=40),
        "lambda.amazonaws.com",
        "GetFunction",
        ci,
        {"functionName": fn_ingest},
        None,
        read_only=True,
        agent=ci_agent,
        ip=ci_ip,
    )
    k.ct(
        deploy_at + timedelta(seconds=25),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration",
        ci,
        {"functionName": fn_ingest},
        None,
        read_only=True,
        agent=ci_agent,
        ip=ci_ip,
    )
    # an alarm tweak by the comms team earlier in the day
    k.ct(
        start + timedelta(minutes=r.randint(20, 60)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        k.assumed(
            "AWSReservedSSO_PowerUserAccess_5b1e8d2c47a9f310", "tom.brewer@ferncastle.co.uk", rid_dev, start
        ),
        {
            "alarmName": f"{notify_q}-age",
            "metricName": "ApproximateAgeOfOldestMessage",
            "namespace": "AWS/SQS",
            "statistic": "Maximum",
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 600.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "QueueName", "value": notify_q}],
            "alarmActions": [ops],
            "oKActions": [ops],
        },
        None,
        read_only=False,
        agent=browser,
        ip=f"86.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    )
    tooling_noise(
        k,
        start,
        now,
        r.randint(34, 46),
        [
            ("sqs.amazonaws.com", "ListQueues", {}),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{crm_q}", "attributeNames": ["All"]},
            ),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": f"https://sqs.{reg}.amazonaws.com/{acct}/{notify_q}", "attributeNames": ["All"]},
            ),
            ("sns.amazonaws.com", "ListTopics", {}),
            ("sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"functionVersion": "ALL"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
            ("apigateway.amazonaws.com", "GetApis", None),
        ],
    )
    lambda_role_assumes(
        k, start, now, ["tracking-ingest-role", "crm-shipment-sync-role", "customer-notify-sender-role"], 30
    )

    q = (
        (
            f"CS say the shipment timeline in Salesforce stopped updating for every parcel around "
            f"{(onset + timedelta(minutes=r.randint(3, 9))).astimezone(ZoneInfo('Europe/London')):%-I:%M%p} today. "
            "Customers are still getting their out-for-delivery emails so tracking itself looks fine? "
            "crm-shipment-sync has no errors at all. What broke?"
        )
        .replace("AM", "am")
        .replace("PM", "pm")
    )
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        alarm_event=None,
        timezone="Europe/London",
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": k.arn("sqs", crm_q),
                "category": "change",
                "failure_mode": "sqs-queue-policy-overwritten",
                "event_id": culprit["eventID"],
            },
            "also_accept": [crm_q, f"https://sqs.{reg}.amazonaws.com/{acct}/{crm_q}"],
            "actions": ["rollback", "reconfigure"],
            "chain": [k.arn("sqs", crm_q), topic_arn, fn_crm, "salesforce-shipment-timeline"],
        },
    )
