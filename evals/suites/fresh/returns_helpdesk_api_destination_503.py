"""Returns stop getting helpdesk tickets: the third-party helpdesk API behind an EventBridge API destination
answers 503; EventBridge retries and then dead-letters the events. A harmless rate-limit edit to the same API
destination minutes earlier sits right next to it; the helpdesk poller Lambda sees the same 503s."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_u as k

NAME = "returns-helpdesk-tickets-missing"
TITLE = "New returns not creating helpdesk tickets"
SUMMARY = (
    "The SaaS helpdesk's API answers 503 from early afternoon; EventBridge retries the helpdesk-create-ticket "
    "API destination and dead-letters return events. A rate-limit change to that API destination is a red herring."
)

Json = dict[str, Any]
TZ = "Australia/Sydney"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = ids.account()
    region = "ap-southeast-2"
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    local = datetime(day.year, day.month, day.day, rng.randint(13, 15), rng.randint(0, 59), tzinfo=zone)
    onset = local.astimezone(k.UTC).replace(second=rng.randint(0, 59))
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = k.floor_minute(onset - timedelta(hours=5, minutes=rng.randint(0, 50)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(62, 85)))
    fine_from = k.floor_minute(onset - timedelta(hours=3))
    pts = k.steps(start, now, fine_from)
    brand = rng.choice(["brightwater", "wattle-and-co", "harbourhome", "kindling"])
    host = f"{brand.replace('-', '')}.helpdeskhq.com"
    bus = "returns-bus"
    rule_hd, rule_ref, rule_an = (
        "return-requested-to-helpdesk",
        "return-requested-to-refunds",
        "return-requested-to-analytics",
    )
    dest, conn = "helpdesk-create-ticket", "helpdesk-api-key"
    dlq, q_an = "helpdesk-ticket-dlq", "returns-analytics"
    fn_api, fn_ref, fn_sync = "returns-api", "refund-eligibility", "helpdesk-status-sync"
    dest_arn = f"arn:aws:events:{region}:{account}:api-destination/{dest}/{ids.uuid()}"
    conn_arn = f"arn:aws:events:{region}:{account}:connection/{conn}/{ids.uuid()}"
    rate_change_t = onset - timedelta(minutes=rng.randint(5, 11), seconds=rng.randint(0, 59))
    ref_deploy_t = onset + timedelta(minutes=rng.randint(11, 19), seconds=rng.randint(0, 59))
    rule_edit_t = onset - timedelta(minutes=rng.randint(22, 28), seconds=rng.randint(0, 59))

    # ---- return events and their fate ---------------------------------------------------------------
    noise = k.Noise(rng, 0.05, 0.1)
    returns: list[datetime] = []
    t = start
    while t < now:
        lam = 2.6 * k.diurnal(t, offset_h, 0.08, [(20.5, 2.0, 0.25)]) * noise()
        for _ in range(max(0, round(rng.gauss(lam, lam**0.5)))):
            returns.append(t + timedelta(seconds=rng.uniform(0, 59.9)))
        t += timedelta(minutes=1)
    returns.sort()
    attempts: list[datetime] = []
    retries: list[datetime] = []
    ok: list[datetime] = []
    dead: list[datetime] = []
    for r in returns:
        at = r + timedelta(milliseconds=rng.randint(80, 600))
        if at < onset:
            attempts.append(at)
            ok.append(at)
            continue
        # the helpdesk answers 503: retried with backoff (10 retries), then sent to the DLQ
        delay = 1.0
        attempts.append(at)
        for _ in range(10):
            delay = min(delay * 2, 300) * rng.uniform(0.8, 1.2)
            at = at + timedelta(seconds=delay)
            attempts.append(at)
            retries.append(at)
        dead.append(at + timedelta(seconds=rng.uniform(0.2, 2)))

    def count_in(times: list[datetime]) -> Any:
        by: dict[datetime, int] = {}
        for x in times:
            by[k.floor_minute(x)] = by.get(k.floor_minute(x), 0) + 1

        def inner(t0: datetime, step: int) -> float:
            return float(sum(by.get(t0 + timedelta(minutes=i), 0) for i in range(step)))

        return inner

    def nonzero(fn: Any) -> Any:
        def inner(t0: datetime, step: int) -> float | None:
            return fn(t0, step) or None

        return inner

    metrics: list[Json] = []
    n_ret = count_in(returns)
    for rule in (rule_hd, rule_ref, rule_an):
        rd = {"EventBusName": bus, "RuleName": rule}
        metrics += k.series("AWS/Events", "TriggeredRules", rd, "Count", pts, nonzero(n_ret), 0)
        if rule == rule_hd:
            final = count_in(ok + dead)
            metrics += k.series("AWS/Events", "Invocations", rd, "Count", pts, nonzero(final), 0)
            metrics += k.series(
                "AWS/Events", "InvocationAttempts", rd, "Count", pts, nonzero(count_in(attempts)), 0
            )
            metrics += k.series(
                "AWS/Events", "SuccessfulInvocationAttempts", rd, "Count", pts, nonzero(count_in(ok)), 0
            )
            metrics += k.series(
                "AWS/Events", "RetryInvocationAttempts", rd, "Count", pts, nonzero(count_in(retries)), 0
            )
            metrics += k.series(
                "AWS/Events", "FailedInvocations", rd, "Count", pts, nonzero(count_in(dead)), 0
            )
            metrics += k.series(
                "AWS/Events", "InvocationsSentToDlq", rd, "Count", pts, nonzero(count_in(dead)), 0
            )
        else:
            metrics += k.series("AWS/Events", "Invocations", rd, "Count", pts, nonzero(n_ret), 0)
            metrics += k.series("AWS/Events", "InvocationAttempts", rd, "Count", pts, nonzero(n_ret), 0)
            metrics += k.series(
                "AWS/Events", "SuccessfulInvocationAttempts", rd, "Count", pts, nonzero(n_ret), 0
            )
    metrics += k.series(
        "AWS/Events",
        "MatchedEvents",
        {},
        "Count",
        pts,
        nonzero(lambda t0, s: n_ret(t0, s) * 3 + rng.randint(0, 2) * s),
        0,
    )
    # DLQ and analytics queue
    dead_by = count_in(dead)
    cum: dict[datetime, float] = {}
    total = 0.0
    t = start
    while t < now:
        total += dead_by(t, 1)
        cum[t] = total
        t += timedelta(minutes=1)
    dd = {"QueueName": dlq}
    metrics += k.series("AWS/SQS", "NumberOfMessagesSent", dd, "Count", pts, dead_by, 0)
    metrics += k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Count",
        pts,
        lambda t0, s: cum[t0 + timedelta(minutes=s - 1)] if t0 + timedelta(minutes=s - 1) in cum else cum[t0],
        0,
    )
    first_dead = min(dead)
    metrics += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dd,
        "Seconds",
        pts,
        lambda t0, s: max(0.0, (t0 + timedelta(minutes=s) - first_dead).total_seconds()) if cum[t0] else 0.0,
        0,
    )
    ad = {"QueueName": q_an}
    for mname in ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted"):
        metrics += k.series("AWS/SQS", mname, ad, "Count", pts, n_ret, 0)
    metrics += k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        ad,
        "Count",
        pts,
        lambda t0, s: float(rng.randint(0, 3)),
        0,
    )
    metrics += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        ad,
        "Seconds",
        pts,
        lambda t0, s: float(rng.randint(1, 40)),
        0,
    )

    # Lambdas
    api_inv = [
        (r - timedelta(milliseconds=rng.randint(150, 400)), rng.gauss(210, 40), False) for r in returns
    ]
    for _ in range(len(returns)):  # status lookups by customers
        w = returns[rng.randrange(len(returns))] + timedelta(seconds=rng.uniform(-600, 600))
        if start <= w < now:
            api_inv.append((w, max(20.0, rng.gauss(65, 20)), False))
    ref_inv = [
        (r + timedelta(milliseconds=rng.randint(300, 900)), max(30.0, rng.gauss(340, 70)), False)
        for r in returns
    ]
    sync_inv: list[tuple[datetime, float, bool]] = []
    t = start + timedelta(seconds=rng.randint(2, 20))
    while t < now:
        failing = t >= onset
        sync_inv.append((t, rng.uniform(9200, 12400) if failing else rng.uniform(700, 2400), failing))
        t += timedelta(minutes=5)
    metrics += k.lambda_metrics(fn_api, sorted(api_inv), pts)
    metrics += k.lambda_metrics(fn_ref, sorted(ref_inv), pts)
    metrics += k.lambda_metrics(fn_sync, sync_inv, pts)

    # ---- alarms -----------------------------------------------------------------------------------
    notify = f"arn:aws:sns:{region}:{account}:cx-platform-alerts"
    specs = [
        k.AlarmSpec(
            account,
            region,
            f"{dlq}-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dd,
            "Maximum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            description="Return events that could not be sent to the helpdesk",
            actions=[notify],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{fn_sync}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_sync},
            "Sum",
            300,
            3,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Helpdesk status sync failing 3 runs in a row",
            actions=[notify],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{fn_api}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_api},
            "Sum",
            300,
            1,
            5,
            "GreaterThanOrEqualToThreshold",
            description="returns-api failing",
            actions=[notify],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{fn_ref}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_ref},
            "Sum",
            300,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="refund eligibility failing",
            actions=[notify],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{q_an}-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            ad,
            "Maximum",
            300,
            2,
            1800,
            "GreaterThanThreshold",
            description="Returns analytics consumer behind",
            actions=[notify],
        ),
    ]
    for spec in specs:
        spec.evaluate(metrics, start, now, rng, fine_from)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[Json] = []
    streams: dict[str, list[str]] = {}

    def stream_for(fn: str, when: datetime) -> str:
        pool = streams.setdefault(fn, [])
        if not pool or (len(pool) < 4 and rng.random() < 0.03):
            pool.append(k.lambda_stream(ids, when))
        return rng.choice(pool)

    ret_ids = {r: f"RT-{rng.randint(300000, 999999)}" for r in returns}
    for when, dur, _ in sorted(api_inv):
        near: datetime | None = (
            min(returns, key=lambda x: abs((x - when).total_seconds())) if dur > 120 else None
        )
        body: list[tuple[float, str]]
        if near is not None and abs((near - when).total_seconds()) < 2:
            body = [
                (
                    dur * 0.3,
                    "INFO\t"
                    + json.dumps(
                        {
                            "msg": "return requested",
                            "returnId": ret_ids[near],
                            "orderId": f"BW{rng.randint(1000000, 9999999)}",
                            "reason": rng.choice(
                                ["damaged", "wrong_size", "changed_mind", "not_as_described"]
                            ),
                        }
                    ),
                ),
                (
                    dur * 0.8,
                    "INFO\t"
                    + json.dumps(
                        {
                            "msg": "event published",
                            "bus": bus,
                            "detailType": "ReturnRequested",
                            "returnId": ret_ids[near],
                            "FailedEntryCount": 0,
                        }
                    ),
                ),
            ]
        else:
            body = [
                (
                    dur * 0.7,
                    "INFO\t"
                    + json.dumps(
                        {"msg": "return status served", "returnId": f"RT-{rng.randint(300000, 999999)}"}
                    ),
                )
            ]
        logs += k.lambda_invocation(
            f"/aws/lambda/{fn_api}",
            stream_for(fn_api, when),
            ids,
            when,
            round(dur, 2),
            512,
            rng.randint(92, 110),
            body,
        )
    for r, (when, dur, _) in zip(returns, ref_inv, strict=True):
        body = [
            (
                dur * 0.6,
                f"INFO\teligibility decided for return {ret_ids[r]}: "
                + rng.choice(["auto-approve", "auto-approve", "auto-approve", "manual-review"]),
            )
        ]
        logs += k.lambda_invocation(
            f"/aws/lambda/{fn_ref}",
            stream_for(fn_ref, when),
            ids,
            when,
            round(dur, 2),
            256,
            rng.randint(70, 80),
            body,
        )
    for when, dur, failing in sync_inv:
        since = (when - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = f"https://{host}/api/v2/tickets?updated_since={since}&per_page=100"
        if not failing:
            body = [
                (
                    dur * 0.9,
                    f"INFO\tsynced {rng.randint(0, 22)} ticket updates from helpdesk (updated_since={since})",
                )
            ]
        else:
            body = []
            for attempt in (1, 2, 3):
                body.append(
                    (
                        dur * attempt / 3.3,
                        f"WARN\tGET {url} -> 503 Service Unavailable (attempt {attempt}/3, "
                        f"x-request-id: {ids.hex(20)})",
                    )
                )
            err = {
                "errorType": "HelpdeskApiError",
                "errorMessage": f"GET {url} failed after 3 attempts: 503 Service Unavailable",
                "status": 503,
                "body": '{"error":"service_unavailable","message":"We are experiencing elevated error rates. '
                'Please retry later. https://status.helpdeskhq.com"}',
                "stack": [
                    "HelpdeskApiError: GET failed after 3 attempts: 503 Service Unavailable",
                    "    at HelpdeskClient.request (/var/task/dist/helpdesk-client.js:88:19)",
                    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                    "    at async Runtime.handler (/var/task/dist/sync.js:41:23)",
                ],
            }
            body.append((dur - 5, "ERROR\tInvoke Error \t" + json.dumps(err)))
        logs += k.lambda_invocation(
            f"/aws/lambda/{fn_sync}",
            stream_for(fn_sync, when),
            ids,
            when,
            round(dur, 2),
            256,
            rng.randint(81, 90),
            body,
        )

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(150, 500))
    pattern = json.dumps(
        {"source": [f"com.{brand.replace('-', '')}.returns"], "detail-type": ["ReturnRequested"]}
    )
    resources: list[Json] = []
    for rule, desc in (
        (rule_hd, "Open a helpdesk ticket for each return"),
        (rule_ref, "Decide refund eligibility"),
        (rule_an, "Feed returns analytics"),
    ):
        resources.append(
            {
                "service": "events",
                "type": "Rule",
                "item": {
                    "Name": rule,
                    "Arn": f"arn:aws:events:{region}:{account}:rule/{bus}/{rule}",
                    "EventPattern": pattern,
                    "State": "ENABLED",
                    "Description": desc,
                    "EventBusName": bus,
                },
            }
        )
    resources.append(
        {
            "service": "events",
            "type": "ApiDestination",
            "item": {
                "ApiDestinationArn": dest_arn,
                "Name": dest,
                "ApiDestinationState": "ACTIVE",
                "ConnectionArn": conn_arn,
                "InvocationEndpoint": f"https://{host}/api/v2/tickets",
                "HttpMethod": "POST",
                "InvocationRateLimitPerSecond": 10,
                "CreationTime": k.iso(created),
                "LastModifiedTime": k.iso(rate_change_t),
            },
        }
    )
    resources.append(
        {
            "service": "events",
            "type": "Connection",
            "item": {
                "ConnectionArn": conn_arn,
                "Name": conn,
                "ConnectionState": "AUTHORIZED",
                "AuthorizationType": "API_KEY",
                "CreationTime": k.iso(created),
                "LastModifiedTime": k.iso(created + timedelta(days=90)),
                "LastAuthorizedTime": k.iso(created + timedelta(days=90)),
            },
        }
    )
    resources.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": k.sqs_queue(
                account,
                region,
                dlq,
                created,
                created,
                retention=1209600,
                counts=(int(cum[max(cum)]), 0, 0),
                tags={"team": "cx-platform"},
                policy={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "eventbridge-dlq",
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": f"arn:aws:sqs:{region}:{account}:{dlq}",
                            "Condition": {
                                "ArnEquals": {
                                    "aws:SourceArn": f"arn:aws:events:{region}:{account}:rule/{bus}/{rule_hd}"
                                }
                            },
                        }
                    ],
                },
            ),
        }
    )
    resources.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": k.sqs_queue(
                account,
                region,
                q_an,
                created,
                created + timedelta(days=20),
                visibility=120,
                tags={"team": "data"},
            ),
        }
    )
    for fn, handler, mem, env in (
        (fn_api, "dist/index.handler", 512, {"EVENT_BUS": bus, "TABLE": "returns"}),
        (fn_ref, "dist/eligibility.handler", 256, {"RULESET": "returns-2024-q3"}),
        (
            fn_sync,
            "dist/sync.handler",
            256,
            {"HELPDESK_BASE_URL": f"https://{host}/api/v2", "HELPDESK_SECRET_ID": "cx/helpdesk/api-key"},
        ),
    ):
        resources.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": k.lambda_function(
                    ids,
                    account,
                    region,
                    fn,
                    runtime="nodejs20.x",
                    handler=handler,
                    memory=mem,
                    timeout=30 if fn != fn_sync else 60,
                    role=f"{fn}-role",
                    modified=ref_deploy_t
                    if fn == fn_ref and ref_deploy_t < now
                    else created + timedelta(days=rng.randint(20, 140)),
                    env=env,
                ),
            }
        )
    resources.append(
        {
            "service": "secretsmanager",
            "type": "SecretListEntry",
            "item": {
                "ARN": f"arn:aws:secretsmanager:{region}:{account}:secret:cx/helpdesk/api-key-{ids.alnum(6)}",
                "Name": "cx/helpdesk/api-key",
                "Description": "Helpdesk API key used by helpdesk-status-sync",
                "LastChangedDate": k.iso(created + timedelta(days=90)),
                "LastAccessedDate": k.iso(k.floor_minute(now).replace(hour=0, minute=0)),
                "CreatedDate": k.iso(created),
            },
        }
    )

    # ---- CloudTrail -------------------------------------------------------------------------------
    ct: list[Json] = []
    eng = k.sso_user(
        account,
        ids,
        f"{rng.choice(['mia.nguyen', 'liam.walsh', 'zoe.tan', 'arjun.das'])}@{brand}.com.au",
        "CXPlatformEngineer",
    )
    viewer = k.sso_user(
        account,
        ids,
        f"{rng.choice(['sophie.king', 'jack.ryan', 'ella.ward'])}@{brand}.com.au",
        "ReadOnlyAccess",
    )
    ci = k.ci_role(
        account,
        ids,
        "gha-deploy-refunds",
        "GitHubActions",
        k.GHA_AGENT.format(cmd="lambda.update-function-code"),
    )
    tf = k.ci_role(
        account,
        ids,
        "terraform-apply-cx",
        f"terraform-{ids.hex(8)}",
        k.TERRAFORM_AGENT.format(api="eventbridge", ver="1.30.3"),
    )
    sync_role = k.workload_role(
        account,
        ids,
        f"{fn_sync}-role",
        fn_sync,
        ids.public_ip(),
        "aws-sdk-nodejs/3.592.0 linux/v20.14.0 exec-env/AWS_Lambda_nodejs20.x",
    )
    sync_role.ip = "13.236." + f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    def add(*args: Any, **kw: Any) -> Json:
        rec = k.cloudtrail(ids, account, region, *args, **kw)
        ct.append(rec)
        return rec

    for when in k.spread(rng, start, now, 10):
        ct.append(
            k.assume_role_by_service(
                ids,
                account,
                region,
                when,
                "lambda.amazonaws.com",
                rng.choice([f"{fn_api}-role", f"{fn_ref}-role", f"{fn_sync}-role"]),
                rng.choice([fn_api, fn_ref, fn_sync]),
            )
        )
    for when in k.spread(rng, start, now, 6):
        add(
            when,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            sync_role,
            {"secretId": "cx/helpdesk/api-key"},
            None,
            read_only=True,
        )
    mon = k.workload_role(
        account,
        ids,
        "datadog-integration",
        "DatadogAWSIntegration",
        ids.public_ip(),
        "Datadog/1.0 aws-sdk-go/1.50.38 (go1.21.8; linux; amd64)",
    )
    for when in k.spread(rng, start, now, 8):
        add(
            when, "monitoring.amazonaws.com", "DescribeAlarms", mon, {"maxRecords": 100}, None, read_only=True
        )
    for when in k.spread(rng, start, now, 4):
        add(when, "events.amazonaws.com", "ListRules", viewer, {"eventBusName": bus}, None, read_only=True)
    add(
        rule_edit_t,
        "events.amazonaws.com",
        "PutRule",
        tf,
        {
            "name": rule_an,
            "eventBusName": bus,
            "eventPattern": pattern,
            "state": "ENABLED",
            "description": "Feed returns analytics",
        },
        {"ruleArn": f"arn:aws:events:{region}:{account}:rule/{bus}/{rule_an}"},
    )
    add(
        rule_edit_t + timedelta(seconds=2),
        "events.amazonaws.com",
        "PutTargets",
        tf,
        {
            "rule": rule_an,
            "eventBusName": bus,
            "targets": [{"id": "analytics-queue", "arn": f"arn:aws:sqs:{region}:{account}:{q_an}"}],
        },
        {"failedEntryCount": 0, "failedEntries": []},
    )
    add(
        rate_change_t - timedelta(minutes=2),
        "events.amazonaws.com",
        "DescribeApiDestination",
        eng,
        {"name": dest},
        None,
        read_only=True,
    )
    add(
        rate_change_t - timedelta(seconds=50),
        "events.amazonaws.com",
        "DescribeConnection",
        eng,
        {"name": conn},
        None,
        read_only=True,
    )
    add(
        rate_change_t,
        "events.amazonaws.com",
        "UpdateApiDestination",
        eng,
        {
            "name": dest,
            "connectionArn": conn_arn,
            "invocationEndpoint": f"https://{host}/api/v2/tickets",
            "httpMethod": "POST",
            "invocationRateLimitPerSecond": 10,
        },
        {
            "apiDestinationArn": dest_arn,
            "apiDestinationState": "ACTIVE",
            "creationTime": k.iso(created),
            "lastModifiedTime": k.iso(rate_change_t),
        },
    )
    if ref_deploy_t < now:
        add(
            ref_deploy_t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ci,
            {
                "functionName": fn_ref,
                "s3Bucket": f"{brand}-artifacts-{region}",
                "s3Key": f"{fn_ref}/{ids.hex(40)}.zip",
            },
            {
                "functionName": fn_ref,
                "runtime": "nodejs20.x",
                "lastUpdateStatus": "InProgress",
                "version": "$LATEST",
            },
        )
    add(
        onset + timedelta(minutes=rng.randint(40, 55)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        eng,
        {"queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{dlq}", "attributeNames": ["All"]},
        None,
        read_only=True,
    )
    add(
        onset + timedelta(minutes=rng.randint(41, 56)),
        "events.amazonaws.com",
        "ListTargetsByRule",
        eng,
        {"rule": rule_hd, "eventBusName": bus},
        None,
        read_only=True,
    )
    add(
        start + timedelta(minutes=rng.randint(30, 120)),
        "logs.amazonaws.com",
        "CreateLogGroup",
        tf,
        {"logGroupName": f"/aws/vendedlogs/events/{bus}"},
        None,
    )
    ct = k.sort_records(ct)

    asked = onset.astimezone(zone)
    clock = (asked - timedelta(minutes=asked.minute % 5)).strftime("%-I:%M%p").lower()
    question = (
        f"None of the returns lodged since about {clock} have a helpdesk ticket — the CX team is creating them by "
        "hand. Returns themselves are going through fine. Did something change on the EventBridge side?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": dest,
                    "category": "dependency_failure",
                    "failure_mode": "third-party-api-unavailable",
                    "event_id": None,
                },
                "also_accept": [dest_arn, host, conn],
                "actions": ["reconfigure"],
                "chain": [
                    f"the helpdesk SaaS API ({host}) answers 503 Service Unavailable",
                    f"EventBridge retries every {rule_hd} delivery to API destination {dest} and then dead-letters it",
                    f"return events pile up in {dlq}; {fn_sync} fails with the same 503",
                    "new returns get no helpdesk ticket",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [s.item() for s in specs],
            "alarm_history": [h for s in specs for h in s.history()],
            "logs": k.sort_logs(logs),
            "cloudtrail": ct,
            "resources": resources,
        },
    )
