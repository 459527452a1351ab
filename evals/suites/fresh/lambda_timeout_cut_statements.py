"""An engineer lowers the payout statement builder's timeout from 30 s to 8 s in the console. The
statements of large merchants take 10-25 s, so those invocations time out, SQS redelivers them
after the visibility timeout, and after three receives they land in the dead-letter queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_i import Kit, diurnal, iso, minutes

NAME = "lambda-timeout-cut-statements"
TITLE = "Payout statements piling up in the DLQ"
SUMMARY = (
    "Someone lowered the statement-builder Lambda's timeout from 30 s to 8 s by hand; slow statements "
    "time out, are redelivered by SQS and end in the dead-letter queue."
)

VISIBILITY = 180
MAX_RECEIVES = 3


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region=["eu-west-1", "eu-west-2", "eu-central-1"][seed % 3])
    rng = kit.rng
    zone = {"eu-west-1": "Europe/Dublin", "eu-west-2": "Europe/London", "eu-central-1": "Europe/Berlin"}[
        kit.region
    ]
    brand = rng.choice(["tillpoint", "payvine", "merchantly"])
    day = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 6) + rng.randint(0, 3))
    # winter: Dublin/London UTC+0, Berlin UTC+1
    tz_off = 1 if zone == "Europe/Berlin" else 0
    onset = day + timedelta(
        hours=9 + rng.randint(0, 5) - tz_off, minutes=rng.randint(0, 59), seconds=rng.randint(1, 59)
    )
    start = (onset - timedelta(hours=3, minutes=rng.randint(10, 40))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(36, 48))).replace(second=0)

    fn = "payout-statement-builder"
    fn_arn = kit.arn("lambda", f"function:{fn}")
    other_fns = ["payout-webhook-dispatcher", "merchant-kyc-sync"]
    queue = "payout-statements"
    dlq = "payout-statements-dlq"
    other_q = "merchant-onboarding-events"
    qurl = f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/"
    role = f"{fn}-exec"
    timeout_before, timeout_after = 30, rng.choice([6, 8, 10])
    memory = 1024

    # --- resources ---------------------------------------------------------------------------------
    def fconf(name: str, timeout: int, mem: int, desc: str, modified: datetime) -> dict[str, Any]:
        return {
            "FunctionName": name,
            "FunctionArn": kit.arn("lambda", f"function:{name}"),
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{kit.account}:role/{name}-exec",
            "Handler": "dist/handler.main",
            "CodeSize": rng.randint(900_000, 4_800_000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": kit.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": {"NODE_OPTIONS": "--enable-source-maps", "STAGE": "prod"}},
            "TracingConfig": {"Mode": "Active"},
            "RevisionId": kit.uuid(),
            "Layers": [],
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    culprit_at = onset - timedelta(seconds=rng.randint(20, 70))
    kit.res(
        "lambda",
        "FunctionConfiguration",
        fconf(
            fn,
            timeout_after,
            memory,
            "renders monthly/weekly payout statements (PDF) and stores them in S3",
            culprit_at,
        ),
    )
    deploy_at = onset - timedelta(minutes=rng.randint(12, 24), seconds=rng.randint(0, 59))
    kit.res(
        "lambda",
        "FunctionConfiguration",
        fconf(other_fns[0], 15, 512, "delivers payout.* webhooks to merchant endpoints", deploy_at),
    )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        fconf(other_fns[1], 60, 512, "nightly KYC status sync", start - timedelta(days=23)),
    )
    esm_uuid = kit.uuid()
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": kit.arn("sqs", queue),
            "FunctionArn": fn_arn,
            "LastModified": iso(start - timedelta(days=140)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 20},
        },
    )
    for name, attrs in (
        (
            queue,
            {
                "VisibilityTimeout": str(VISIBILITY),
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": f'{{"deadLetterTargetArn":"{kit.arn("sqs", dlq)}","maxReceiveCount":{MAX_RECEIVES}}}',
            },
        ),
        (
            dlq,
            {
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "RedriveAllowPolicy": '{"redrivePermission":"allowAll"}',
            },
        ),
        (other_q, {"VisibilityTimeout": "60", "MessageRetentionPeriod": "345600"}),
    ):
        base = {
            "QueueArn": kit.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int((start - timedelta(days=400)).timestamp())),
            "LastModifiedTimestamp": str(int((start - timedelta(days=90)).timestamp())),
            "MaximumMessageSize": "262144",
            "ReceiveMessageWaitTimeSeconds": "20",
            "DelaySeconds": "0",
            "SqsManagedSseEnabled": "true",
        }
        base.update(attrs)
        kit.res("sqs", "Queue", {"QueueUrl": qurl + name, "Attributes": base, "Tags": {"team": "payouts"}})
    kit.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + kit.upper(17),
            "Arn": f"arn:aws:iam::{kit.account}:role/{role}",
            "CreateDate": iso(start - timedelta(days=400)),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
            "%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts"
            "%3AAssumeRole%22%7D%5D%7D",
            "MaxSessionDuration": 3600,
        },
    )
    kit.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role,
            "PolicyName": "AWSLambdaSQSQueueExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        },
    )
    for f in [fn, *other_fns]:
        kit.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{f}",
                "creationTime": int((start - timedelta(days=300)).timestamp() * 1000),
                "retentionInDays": 14,
                "metricFilterCount": 0,
                "arn": kit.arn("logs", f"log-group:/aws/lambda/{f}:*"),
                "storedBytes": rng.randint(10**8, 10**10),
            },
        )

    # --- simulation --------------------------------------------------------------------------------
    mins = minutes(start, now)
    base_rate = rng.uniform(11, 17)
    slow_share = rng.uniform(0.07, 0.11)
    invocations: dict[datetime, float | None] = {t: 0.0 for t in mins}
    errors: dict[datetime, float | None] = {t: 0.0 for t in mins}
    durations: dict[datetime, list[float]] = {t: [] for t in mins}
    sent: dict[datetime, float | None] = {}
    received: dict[datetime, float | None] = {t: 0.0 for t in mins}
    deleted: dict[datetime, float | None] = {t: 0.0 for t in mins}
    dlq_sent: dict[datetime, float | None] = {t: 0.0 for t in mins}
    conc: dict[datetime, float | None] = {t: 0.0 for t in mins}
    inflight: dict[datetime, float] = {t: 0.0 for t in mins}
    oldest: dict[datetime, float | None] = {}
    first_seen: dict[int, datetime] = {}
    pending: list[tuple[datetime, int, float, int]] = []  # (receive at, msg id, duration, receive count)
    mid = 0
    lines: list[
        tuple[datetime, float, str, bool, int, str]
    ] = []  # (at, duration, req id, timed out, msg, merchant)
    for t in mins:
        n = round(kit.noise(base_rate * diurnal(t, tz_off + 0.0, 0.2), 0.2))
        sent[t] = float(n)
        for _ in range(n):
            mid += 1
            if rng.random() < slow_share:
                d = rng.uniform(9.5, 26.0)
            else:
                d = min(7.2, rng.lognormvariate(0.9, 0.45))
            s = t + timedelta(seconds=rng.uniform(0.2, 59))
            first_seen[mid] = s
            pending.append((s, mid, d, 1))
        due = [p for p in pending if p[0] < t + timedelta(minutes=1)]
        pending = [p for p in pending if p[0] >= t + timedelta(minutes=1)]
        for s, m, d, count in due:
            limit = timeout_before if s < culprit_at + timedelta(seconds=5) else timeout_after
            timed_out = d > limit
            run = min(d, limit + 0.01)
            invocations[t] = (invocations[t] or 0) + 1
            received[t] = (received[t] or 0) + 1
            durations[t].append(run * 1000)
            inflight[t] += run / 60
            lines.append((s, run, kit.uuid(), timed_out, m, f"mer_{kit.hex(14)}"))
            if timed_out:
                errors[t] = (errors[t] or 0) + 1
                if count >= MAX_RECEIVES:
                    at = s + timedelta(seconds=VISIBILITY)
                    k = floor(at)
                    if k in dlq_sent:
                        dlq_sent[k] = (dlq_sent[k] or 0) + 1
                else:
                    pending.append(
                        (s + timedelta(seconds=VISIBILITY + rng.uniform(0.1, 1.5)), m, d, count + 1)
                    )
            else:
                deleted[t] = (deleted[t] or 0) + 1
        ages = [(t - first_seen[p[1]]).total_seconds() for p in pending if first_seen[p[1]] <= t]
        oldest[t] = float(max(ages)) if ages else float(rng.randint(0, 2))
        conc[t] = float(max(1, round(inflight[t] * rng.uniform(1.6, 2.4))))

    dims = {"FunctionName": fn}
    kit.emit("AWS/Lambda", "Invocations", dims, "Count", invocations)
    kit.emit("AWS/Lambda", "Errors", dims, "Count", errors)
    kit.emit("AWS/Lambda", "Throttles", dims, "Count", {t: 0.0 for t in mins})
    kit.emit("AWS/Lambda", "ConcurrentExecutions", dims, "Count", conc, how="avg")
    dist: dict[datetime, Any] = {}
    for t in mins:
        ds = durations[t]
        if ds:
            dist[t] = ([round(x, 2) for x in ds], [1.0] * len(ds))
    kit.emit_dist("AWS/Lambda", "Duration", dims, "Milliseconds", dist)
    qd = {"QueueName": queue}
    kit.emit("AWS/SQS", "NumberOfMessagesSent", qd, "Count", sent)
    kit.emit("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", received)
    kit.emit("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", deleted)
    kit.emit("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", {t: float(rng.randint(160, 260)) for t in mins})
    kit.emit(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        {t: float(rng.choice([0, 0, 0, 1])) for t in mins},
        how="avg",
    )
    nv: dict[datetime, float | None] = {}
    for t in mins:
        nv[t] = round(inflight[t] + sum((errors.get(t - timedelta(minutes=k)) or 0) for k in range(3)), 0)
    kit.emit("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", nv, how="avg")
    kit.emit("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", oldest, how="avg")
    dd = {"QueueName": dlq}
    dvis: dict[datetime, float | None] = {}
    total = 0.0
    dlq_age: dict[datetime, float | None] = {}
    first_dead: datetime | None = None
    for t in mins:
        total += dlq_sent[t] or 0
        dvis[t] = total
        if total and first_dead is None:
            first_dead = t
        dlq_age[t] = (t - first_dead).total_seconds() + rng.uniform(0, 50) if first_dead else 0.0
    kit.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, "Count", dvis, how="avg")
    for r in kit.resources:  # the queues' attributes as GetQueueAttributes answers at `now`
        if r["type"] == "Queue" and r["item"]["QueueUrl"].endswith("/" + dlq):
            r["item"]["Attributes"]["ApproximateNumberOfMessages"] = str(int(dvis[mins[-1]] or 0))
        if r["type"] == "Queue" and r["item"]["QueueUrl"].endswith("/" + queue):
            r["item"]["Attributes"]["ApproximateNumberOfMessagesNotVisible"] = str(int(nv[mins[-1]] or 0))
    kit.emit("AWS/SQS", "NumberOfMessagesSent", dd, "Count", {t: 0.0 for t in mins})
    kit.emit("AWS/SQS", "ApproximateAgeOfOldestMessage", dd, "Seconds", dlq_age, how="avg")
    od = {"QueueName": other_q}
    kit.emit("AWS/SQS", "NumberOfMessagesSent", od, "Count", {t: float(rng.randint(0, 4)) for t in mins})
    kit.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", od, "Count", {t: 0.0 for t in mins}, how="avg")
    for f, rate, med in ((other_fns[0], 9, 380.0), (other_fns[1], 0, 0.0)):
        if not rate:
            continue
        fd = {"FunctionName": f}
        inv = {t: float(max(0, round(kit.noise(rate * diurnal(t, tz_off, 0.2), 0.3)))) for t in mins}
        kit.emit("AWS/Lambda", "Invocations", fd, "Count", inv)
        kit.emit("AWS/Lambda", "Errors", fd, "Count", {t: float(rng.random() < 0.02) for t in mins})
        kit.emit(
            "AWS/Lambda", "Duration", fd, "Milliseconds", {t: kit.noise(med, 0.25) for t in mins}, how="avg"
        )

    # --- logs --------------------------------------------------------------------------------------
    lg = f"/aws/lambda/{fn}"
    streams = [f"{day:%Y/%m/%d}/[$LATEST]{kit.hex(32)}" for _ in range(12)]
    for s, run, rid, timed_out, m, merchant in lines:
        if s > now:
            continue
        st = streams[m % len(streams)]
        kit.log(lg, st, s, f"START RequestId: {rid} Version: $LATEST\n")
        if timed_out:
            end = s + timedelta(seconds=run)
            kit.log(
                lg,
                st,
                s + timedelta(milliseconds=rng.randint(30, 90)),
                f"{iso(s)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t"
                f'{{"msg":"building statement","merchantId":"{merchant}","period":"{day:%Y-%m}",'
                f'"payouts":{rng.randint(4000, 60000)}}}\n',
            )
            kit.log(
                lg,
                st,
                end,
                f"{iso(end)[:-1]}.{rng.randint(0, 999):03d}Z {rid} Task timed out after "
                f"{timeout_after + 0.01:.2f} seconds\n",
            )
            kit.log(lg, st, end, f"END RequestId: {rid}\n")
            kit.log(
                lg,
                st,
                end,
                f"REPORT RequestId: {rid}\tDuration: {timeout_after * 1000 + rng.uniform(1, 12):.2f} ms"
                f"\tBilled Duration: {timeout_after * 1000} ms\tMemory Size: {memory} MB\tMax Memory Used: "
                f"{rng.randint(300, 520)} MB\tStatus: timeout\n",
            )
        else:
            end = s + timedelta(seconds=run)
            kit.log(
                lg,
                st,
                end - timedelta(milliseconds=20),
                f"{iso(end)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tINFO\t"
                f'{{"msg":"statement stored","merchantId":"{merchant}","period":"{day:%Y-%m}",'
                f'"pages":{max(1, int(run * 3))},"key":"statements/{merchant}/{day:%Y-%m}.pdf",'
                f'"ms":{int(run * 1000)}}}\n',
            )
            kit.log(lg, st, end, f"END RequestId: {rid}\n")
            kit.log(
                lg,
                st,
                end,
                f"REPORT RequestId: {rid}\tDuration: {run * 1000:.2f} ms\tBilled Duration: "
                f"{int(run * 1000) + 1} ms\tMemory Size: {memory} MB\tMax Memory Used: {rng.randint(180, 420)} MB\t\n",
            )
        if rng.random() < 0.01:
            kit.log(
                lg,
                st,
                s + timedelta(milliseconds=200),
                f"{iso(s)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tWARN\t"
                '{"msg":"fx rate cache miss, falling back to ledger rate","currency":"'
                f'{rng.choice(["SEK", "PLN", "CZK", "NOK"])}"}}\n',
            )
    wl = f"/aws/lambda/{other_fns[0]}"
    for t in mins:
        if rng.random() < 0.25:
            rid = kit.uuid()
            st = f"{t:%Y/%m/%d}/[{'$LATEST'}]{kit.hex(32)}"
            d = rng.uniform(120, 900)
            kit.log(wl, st, t, f"START RequestId: {rid} Version: $LATEST\n")
            msg = (
                f'{{"msg":"webhook delivered","event":"payout.paid","status":200,"ms":{int(d)}}}'
                if rng.random() > 0.08
                else f'{{"msg":"webhook endpoint returned 503, will retry","event":"payout.paid","attempt":{rng.randint(1, 3)}}}'
            )
            kit.log(wl, st, t + timedelta(milliseconds=d - 5), f"{iso(t)[:-1]}.000Z\t{rid}\tINFO\t{msg}\n")
            kit.log(wl, st, t + timedelta(milliseconds=d), f"END RequestId: {rid}\n")
            kit.log(
                wl,
                st,
                t + timedelta(milliseconds=d),
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: "
                f"512 MB\tMax Memory Used: {rng.randint(90, 130)} MB\t\n",
            )

    # --- CloudTrail --------------------------------------------------------------------------------
    people = [
        kit.sso(f"{u}@{brand}.io", ps, start - timedelta(hours=rng.randint(0, 2)))
        for u, ps in (
            ("tomasz.wojcik", "PowerUser"),
            ("aoife.brennan", "PowerUser"),
            ("sanjay.raman", "ReadOnly"),
        )
    ]
    kit.routine_trail(start, now, 36, people)
    engineer = people[rng.randint(0, 1)]
    for idx, (name, params) in enumerate(
        [
            ("GetFunction20150331v2", {"functionName": fn}),
            ("ListEventSourceMappings20150331", {"functionName": fn}),
            ("GetFunctionConfiguration20150331v2", {"functionName": fn}),
        ]
    ):
        kit.ct(
            culprit_at - timedelta(minutes=3, seconds=-idx * 25),
            engineer,
            "lambda.amazonaws.com",
            name,
            params,
            read_only=True,
            console=True,
        )
    resp = {
        k[0].lower() + k[1:]: v
        for k, v in fconf(fn, timeout_after, memory, "", culprit_at).items()
        if k
        in (
            "FunctionName",
            "FunctionArn",
            "Runtime",
            "Role",
            "Handler",
            "CodeSize",
            "Timeout",
            "MemorySize",
            "LastModified",
            "CodeSha256",
            "Version",
            "RevisionId",
            "State",
            "PackageType",
            "Architectures",
        )
    }
    resp["lastUpdateStatus"] = "InProgress"
    resp["lastUpdateStatusReason"] = "The function is being created."
    resp["lastUpdateStatusReasonCode"] = "Creating"
    resp["description"] = "renders monthly/weekly payout statements (PDF) and stores them in S3"
    culprit = kit.ct(
        culprit_at,
        engineer,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn, "timeout": timeout_after},
        resp,
        console=True,
    )
    kit.ct(
        culprit_at + timedelta(minutes=rng.randint(2, 6)),
        engineer,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        {"resource": fn_arn, "tags": {"cost-center": "cc-payments-412"}},
        None,
        console=True,
    )
    ci = kit.role(
        "github-deploy-payouts",
        "GitHubActions",
        deploy_at - timedelta(minutes=2),
        web_identity="token.actions.githubusercontent.com",
    )
    ci_agent = (
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 "
        "api/lambda#3.540.0 serverless/3.38.0"
    )
    kit.ct(
        deploy_at,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": other_fns[0], "publish": True, "dryRun": False},
        {
            "functionName": other_fns[0],
            "functionArn": kit.arn("lambda", f"function:{other_fns[0]}:{rng.randint(40, 90)}"),
            "runtime": "nodejs20.x",
            "timeout": 15,
            "memorySize": 512,
            "lastUpdateStatus": "InProgress",
            "revisionId": kit.uuid(),
        },
        ip=f"4.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent=ci_agent,
    )
    kit.ct(
        deploy_at + timedelta(seconds=14),
        ci,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": other_fns[0], "name": "live", "functionVersion": str(rng.randint(40, 90))},
        {"aliasArn": kit.arn("lambda", f"function:{other_fns[0]}:live"), "name": "live"},
        ip=f"4.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent=ci_agent,
    )
    kit.ct(
        onset + timedelta(minutes=rng.randint(4, 12)),
        people[2],
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": qurl + other_q, "attributes": {"MessageRetentionPeriod": "604800"}},
        None,
        console=True,
    )
    kit.ct(
        onset + timedelta(minutes=rng.randint(14, 20)),
        people[2],
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": qurl + dlq, "attributeNames": ["All"]},
        None,
        read_only=True,
        console=True,
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic = kit.arn("sns", "payouts-alerts")
    trs = kit.alarm(
        f"{dlq}-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Maximum",
        60,
        1,
        1,
        0.0,
        "GreaterThanThreshold",
        dvis,
        start=start,
        now=now,
        actions=[topic],
        description="Statements that failed 3 times. Runbook: https://wiki.internal/payouts/dlq",
    )
    kit.alarm(
        f"{queue}-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        2,
        900.0,
        "GreaterThanThreshold",
        oldest,
        start=start,
        now=now,
        actions=[topic],
        description="statements waiting longer than 15 minutes",
    )
    kit.alarm(
        f"{fn}-throttles",
        "AWS/Lambda",
        "Throttles",
        dims,
        "Sum",
        300,
        1,
        1,
        5.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in mins},
        start=start,
        now=now,
        description="statement builder throttled",
    )
    kit.alarm(
        f"{other_fns[0]}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": other_fns[0]},
        "Sum",
        300,
        3,
        2,
        10.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in mins},
        start=start,
        now=now,
        actions=[topic],
        description="webhook dispatcher failing",
    )
    fired = next((tr for tr in trs if tr["new"] == "ALARM"), None)
    local = (fired["time"] if fired else onset) + timedelta(hours=tz_off)
    hour = local.hour % 12 or 12
    when = f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    trigger = {
        "question": f"payout statements DLQ alarm went off at {when} and there are already "
        f"{int(dvis[mins[-1]] or 0)} messages in there. finance needs statements out today, what broke?",
        "timezone": zone,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": fn_arn,
            "category": "change",
            "failure_mode": "lambda-timeout-too-low",
            "event_id": culprit["eventID"],
        },
        "also_accept": [fn],
        "actions": ["rollback", "reconfigure"],
        "chain": [
            f"UpdateFunctionConfiguration set {fn} Timeout from {timeout_before} to {timeout_after} seconds",
            f"statements for large merchants take 10-25 s, so those invocations of {fn} time out",
            f"SQS redelivers them from {queue} after the {VISIBILITY} s visibility timeout, failing again",
            f"after {MAX_RECEIVES} receives they move to {dlq}",
            f"alarm {dlq}-not-empty fires",
        ],
    }
    return kit.bundle(TITLE, start, now, trigger, truth)


def floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)
