"""Mobile app: the push-failure alarm fires during the weekly digest; failures are stale device tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzza import UTC, Kit, compact, iso, iso_ms

NAME = "gohanote-weekly-digest-push-failures"
TITLE = "sns push failures alarm on Monday morning: are Gohanote notifications broken?"
SUMMARY = (
    "The weekly digest push goes to every registered device at 08:00 JST; APNs and FCM reject tokens of "
    "uninstalled apps at the usual rate, which crosses the absolute failure-count alarm every week. Nothing is wrong."
)

TZ = "Asia/Tokyo"
TZ_H = 9


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-northeast-1", TZ_H)
    rng = k.rng
    day = datetime(2025, 3, 2, tzinfo=UTC) + timedelta(weeks=rng.randint(0, 70))  # a Sunday
    run = day.replace(hour=23, minute=0)  # 08:00 JST Monday
    now = run + timedelta(minutes=rng.randint(38, 55))
    start = now - timedelta(hours=4, minutes=rng.choice([0, 10, 20]))
    created = start - timedelta(days=rng.randint(300, 900))
    apps = {"gohanote-ios": "APNS", "gohanote-android": "GCM"}
    audience = {
        "gohanote-ios": rng.randint(160_000, 260_000),
        "gohanote-android": rng.randint(110_000, 190_000),
    }
    stale = {"gohanote-ios": rng.uniform(0.035, 0.05), "gohanote-android": rng.uniform(0.03, 0.045)}
    run_minutes = rng.randint(11, 16)
    fan_fn = "gohanote-digest-fanout"
    reaper_fn = "gohanote-endpoint-reaper"
    api_id = k.alnum(10)
    ci = k.role_user("gohanote-gha-deploy", "GitHubActions")
    eng = rng.choice(["kenji.sato", "yui.tanaka", "hiro.nakamura", "emi.kobayashi"])
    human = k.sso_user(f"{eng}@gohanote.jp", "ReadOnlyAccess")

    # --- resources -----------------------------------------------------------------------------
    for app, plat in apps.items():
        arn = k.arn("sns", f"app/{plat}/{app}")
        k.res(
            "sns",
            "PlatformApplication",
            {
                "PlatformApplicationArn": arn,
                "Attributes": {
                    "Enabled": "true",
                    "SuccessFeedbackSampleRate": "5",
                    "SuccessFeedbackRoleArn": f"arn:aws:iam::{k.account}:role/SNSSuccessFeedback",
                    "FailureFeedbackRoleArn": f"arn:aws:iam::{k.account}:role/SNSFailureFeedback",
                    **(
                        {"AppleCertificateExpirationDate": iso(day + timedelta(days=rng.randint(90, 300)))}
                        if plat == "APNS"
                        else {}
                    ),
                },
            },
        )
        k.log_group(f"sns/{k.region}/{k.account}/app/{plat}/{app}", 7, created)
        k.log_group(f"sns/{k.region}/{k.account}/app/{plat}/{app}/Failure", 7, created)
    fns = {
        fan_fn: (900, 1024),
        reaper_fn: (300, 256),
        "gohanote-recipes-api": (10, 512),
        "gohanote-notify-activity": (10, 256),
        "gohanote-devices-register": (10, 256),
        "gohanote-upload-url": (10, 256),
    }
    for fn, (timeout, mem) in fns.items():
        k.role(f"{fn}-role", "lambda.amazonaws.com", created)
        k.lambda_fn(
            fn,
            f"{fn}-role",
            runtime="python3.12",
            memory=mem,
            timeout=timeout,
            env={"DEVICES_TABLE": "gohanote-devices"},
            modified=start - timedelta(days=rng.randint(3, 40)),
        )
        k.log_group(f"/aws/lambda/{fn}", 14, created)
    k.table(
        "gohanote-devices",
        "userId",
        created,
        sum(audience.values()) + rng.randint(5_000, 20_000),
        rng.randint(10**8, 3 * 10**8),
        "deviceId",
    )
    k.table(
        "gohanote-recipes",
        "recipeId",
        created,
        rng.randint(400_000, 900_000),
        rng.randint(2 * 10**9, 5 * 10**9),
    )
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "CreatedDate": iso(created),
            "Name": "gohanote-api",
            "ProtocolType": "HTTP",
            "RouteSelectionExpression": "$request.method $request.path",
        },
    )
    k.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": k.arn("scheduler", "schedule/default/weekly-digest"),
            "CreationDate": iso(created + timedelta(days=20)),
            "GroupName": "default",
            "LastModificationDate": iso(created + timedelta(days=20)),
            "Name": "weekly-digest",
            "ScheduleExpression": "cron(0 8 ? * MON *)",
            "ScheduleExpressionTimezone": "Asia/Tokyo",
            "State": "ENABLED",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": k.arn("lambda", f"function:{fan_fn}"),
                "RoleArn": f"arn:aws:iam::{k.account}:role/scheduler-digest-invoke",
            },
        },
    )

    # --- metrics -------------------------------------------------------------------------------
    fail_by_min: dict[str, dict[datetime, int]] = {a: {} for a in apps}
    t = start
    while t <= now:
        local_h = (t.hour + TZ_H) % 24
        act = 25 + 60 * max(0.0, 1 - abs(local_h - 8) / 6)
        in_run = run <= t < run + timedelta(minutes=run_minutes)
        for app, plat in apps.items():
            share = 0.58 if plat == "APNS" else 0.42
            sent = k.jitter(act * share, 0.3)
            fail = sum(1 for _ in range(round(sent)) if rng.random() < 0.012)
            if in_run:
                digest = audience[app] / run_minutes * rng.uniform(0.9, 1.1)
                sent += digest
                fail += round(digest * stale[app] * rng.uniform(0.92, 1.08))
            fail_by_min[app][t] = fail
            d = {"Application": app, "Platform": plat}
            k.point("AWS/SNS", "NumberOfNotificationsDelivered", d, t, "Count", round(sent) - fail)
            k.point("AWS/SNS", "NumberOfNotificationsFailed", d, t, "Count", fail)
        api_c = k.jitter(
            300 + 500 * max(0.0, 1 - abs(local_h - 8.5) / 5) + (250 if t >= run + timedelta(minutes=2) else 0)
        )
        k.point("AWS/ApiGateway", "Count", {"ApiId": api_id, "Stage": "$default"}, t, "Count", round(api_c))
        k.point(
            "AWS/ApiGateway",
            "5xx",
            {"ApiId": api_id, "Stage": "$default"},
            t,
            "Count",
            1 if rng.random() < 0.05 else 0,
        )
        k.point(
            "AWS/ApiGateway",
            "4xx",
            {"ApiId": api_id, "Stage": "$default"},
            t,
            "Count",
            round(api_c * rng.uniform(0.01, 0.02)),
        )
        for fn, share in (
            ("gohanote-recipes-api", 0.8),
            ("gohanote-notify-activity", 0.07),
            ("gohanote-devices-register", 0.03),
            ("gohanote-upload-url", 0.02),
        ):
            inv = api_c * share
            k.point("AWS/Lambda", "Invocations", {"FunctionName": fn}, t, "Count", round(inv))
            k.point("AWS/Lambda", "Errors", {"FunctionName": fn}, t, "Count", 1 if rng.random() < 0.01 else 0)
            k.stats(
                "AWS/Lambda", "Duration", {"FunctionName": fn}, t, "Milliseconds", inv, k.jitter(60), 12, 700
            )
        if run <= t <= run + timedelta(minutes=run_minutes):
            k.point("AWS/Lambda", "Invocations", {"FunctionName": fan_fn}, t, "Count", 1 if t == run else 0)
            k.point("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": fan_fn}, t, "Count", 1)
            k.point(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": "gohanote-devices"},
                t,
                "Count",
                k.jitter(sum(audience.values()) / run_minutes * 0.5 + 40),
            )
        else:
            k.point(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": "gohanote-devices"},
                t,
                "Count",
                k.jitter(40 + api_c * 0.05),
            )
        if t == run + timedelta(minutes=run_minutes):
            k.point("AWS/Lambda", "Errors", {"FunctionName": fan_fn}, t, "Count", 0)
            k.stats(
                "AWS/Lambda",
                "Duration",
                {"FunctionName": fan_fn},
                t,
                "Milliseconds",
                1,
                run_minutes * 60000 - rng.uniform(2000, 40000),
                0,
                0,
            )
        k.point(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "gohanote-devices"},
            t,
            "Count",
            k.jitter(3 + api_c * 0.01),
        )
        t += timedelta(minutes=1)

    # --- logs ----------------------------------------------------------------------------------
    fg = f"/aws/lambda/{fan_fn}"
    fs = k.lambda_stream(run)
    rid = k.uuid()
    week = (run + timedelta(hours=TZ_H)).isocalendar()
    k.log(
        fg,
        fs,
        run,
        f"INIT_START Runtime Version: python:3.12.v{rng.randint(30, 60)}\tRuntime Version ARN: arn:aws:lambda:{k.region}::runtime:{k.hex(64)}\n",
    )
    k.log(fg, fs, run + timedelta(milliseconds=420), f"START RequestId: {rid} Version: $LATEST\n")
    k.log(
        fg,
        fs,
        run + timedelta(seconds=1),
        f"[INFO]\t{iso_ms(run + timedelta(seconds=1))}\t{rid}\tdigest {week.year}-W{week.week:02d} start audience ios={audience['gohanote-ios']} android={audience['gohanote-android']}\n",
    )
    tot = {a: 0 for a in apps}
    dis = {a: 0 for a in apps}
    for m in range(run_minutes):
        tm = run + timedelta(minutes=m + 1)
        for a in apps:
            tot[a] += round(audience[a] / run_minutes)
            dis[a] += round(audience[a] / run_minutes * 0.004)
        k.log(
            fg,
            fs,
            tm,
            f"[INFO]\t{iso_ms(tm)}\t{rid}\tprogress published={sum(tot.values())} endpoint_disabled_skipped={sum(dis.values())} errors=0\n",
        )
    end = run + timedelta(minutes=run_minutes)
    k.log(
        fg,
        fs,
        end,
        f"[INFO]\t{iso_ms(end)}\t{rid}\tdigest {week.year}-W{week.week:02d} done published={sum(tot.values())} endpoint_disabled_skipped={sum(dis.values())} throttled_retries={rng.randint(0, 40)} errors=0\n",
    )
    dur = (end - run).total_seconds() * 1000
    k.log(fg, fs, end + timedelta(milliseconds=5), f"END RequestId: {rid}\n")
    k.log(
        fg,
        fs,
        end + timedelta(milliseconds=6),
        f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur)} ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randint(310, 420)} MB\tInit Duration: {rng.uniform(380, 520):.2f} ms\t\n",
    )

    reasons = {
        "APNS": [("410", '{"reason":"Unregistered"}', 0.8), ("400", '{"reason":"BadDeviceToken"}', 0.2)],
        "GCM": [
            (
                "404",
                '{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}',
                0.9,
            ),
            (
                "400",
                '{"error":{"code":400,"message":"The registration token is not a valid FCM registration token","status":"INVALID_ARGUMENT"}}',
                0.1,
            ),
        ],
    }
    for app, plat in apps.items():
        fgp = f"sns/{k.region}/{k.account}/app/{plat}/{app}/Failure"
        sgp = f"sns/{k.region}/{k.account}/app/{plat}/{app}"
        for tm, n in fail_by_min[app].items():
            sample = min(n, 3 if n < 50 else 6)
            for _ in range(sample):
                ts = tm + timedelta(seconds=rng.uniform(0, 59))
                code, body, _w = reasons[plat][0] if rng.random() < reasons[plat][0][2] else reasons[plat][1]
                rec = {
                    "notification": {
                        "messageMD5Sum": k.hex(32),
                        "messageId": k.uuid(),
                        "timestamp": iso_ms(ts - timedelta(milliseconds=rng.randint(20, 400)))
                        .replace("T", " ")
                        .replace("Z", ""),
                    },
                    "delivery": {
                        "deliveryId": k.uuid(),
                        "destination": k.arn("sns", f"endpoint/{plat}/{app}/{k.uuid()}"),
                        "providerResponse": body,
                        "dwellTimeMs": rng.randint(30, 900),
                        "attempts": 1,
                        "statusCode": int(code),
                    },
                    "status": "FAILURE",
                }
                k.log(fgp, f"{k.hex(32)}", ts, compact(rec))
            if rng.random() < 0.5:
                ts = tm + timedelta(seconds=rng.uniform(0, 59))
                ok = {
                    "notification": {
                        "messageMD5Sum": k.hex(32),
                        "messageId": k.uuid(),
                        "timestamp": iso_ms(ts).replace("T", " ").replace("Z", ""),
                    },
                    "delivery": {
                        "deliveryId": k.uuid(),
                        "destination": k.arn("sns", f"endpoint/{plat}/{app}/{k.uuid()}"),
                        "providerResponse": "{}"
                        if plat == "GCM"
                        else '{"apns-id":"' + k.uuid().upper() + '"}',
                        "dwellTimeMs": rng.randint(30, 300),
                        "attempts": 1,
                        "statusCode": 200,
                    },
                    "status": "SUCCESS",
                }
                k.log(sgp, f"{k.hex(32)}", ts, compact(ok))

    # --- cloudtrail ----------------------------------------------------------------------------
    reaper = k.role_user(f"{reaper_fn}-role", reaper_fn)
    boto = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.4 exec-env/AWS_Lambda_python3.12"
    for hour_back in range(0, 5):
        rt = run - timedelta(hours=hour_back) + timedelta(minutes=30)
        if rt > now or rt < start:
            continue
        for _ in range(rng.randint(3, 6) if hour_back else rng.randint(9, 14)):
            app = rng.choice(list(apps))
            ep = k.arn("sns", f"endpoint/{apps[app]}/{app}/{k.uuid()}")
            k.ct(
                rt + timedelta(seconds=rng.uniform(0, 90)),
                "sns.amazonaws.com",
                "DeleteEndpoint",
                reaper,
                {"endpointArn": ep},
                None,
                agent=boto,
                ip="13.230.41.7",
            )
    reg = k.role_user("gohanote-devices-register-role", "gohanote-devices-register")
    for _ in range(rng.randint(8, 12)):
        app = rng.choice(list(apps))
        tt = start + timedelta(minutes=rng.uniform(0, (now - start).total_seconds() / 60))
        k.ct(
            tt,
            "sns.amazonaws.com",
            "CreatePlatformEndpoint",
            reg,
            {
                "platformApplicationArn": k.arn("sns", f"app/{apps[app]}/{app}"),
                "token": "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            {"endpointArn": k.arn("sns", f"endpoint/{apps[app]}/{app}/{k.uuid()}")},
            agent=boto,
            ip="35.74.12.9",
        )
    k.ct(
        start + timedelta(minutes=rng.randint(10, 70)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "gohanote-recipes-api",
            "s3Bucket": "gohanote-artifacts",
            "s3Key": f"recipes-api/{k.hex(40)}.zip",
            "publish": False,
        },
        {"functionName": "gohanote-recipes-api", "lastUpdateStatus": "InProgress", "state": "Active"},
        agent="Boto3/1.34.140 md/Botocore#1.34.140 ua/2.0 os/linux#6.5.0-1022-azure lang/python#3.12.4 exec-env/GitHub-Actions",
    )
    k.ct(
        run + timedelta(minutes=rng.randint(16, 24)),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        human,
        {"alarmName": "sns-push-failures-high", "historyItemType": "StateUpdate"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.ct(
        run + timedelta(minutes=rng.randint(25, 30)),
        "sns.amazonaws.com",
        "GetPlatformApplicationAttributes",
        human,
        {"platformApplicationArn": k.arn("sns", "app/APNS/gohanote-ios")},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.readonly_noise(
        start,
        now,
        rng.randint(22, 30),
        [
            ("sns.amazonaws.com", "ListPlatformApplications", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "gohanote-devices"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ],
    )

    # --- alarms --------------------------------------------------------------------------------
    topic = k.arn("sns", "gohanote-oncall")
    dims = {"Application": "gohanote-ios", "Platform": "APNS"}
    fire = run + timedelta(minutes=5)
    s5 = sum(v for ts, v in fail_by_min["gohanote-ios"].items() if fire - timedelta(minutes=5) <= ts < fire)
    pa = k.alarm(
        "sns-push-failures-high",
        "AWS/SNS",
        "NumberOfNotificationsFailed",
        dims,
        "Sum",
        1000,
        period=300,
        evals=1,
        state="OK",
        state_time=run + timedelta(minutes=run_minutes // 5 * 5 + 10),
        reason="Threshold Crossed: 1 datapoint [14.0] was not greater than the threshold (1000.0).",
        description="iOS push deliveries failing",
        actions=[topic],
    )
    alarm_reason = f"Threshold Crossed: 1 datapoint [{float(s5)}] was greater than the threshold (1000.0)."
    for weeks in (2, 1):
        past = run - timedelta(weeks=weeks)
        k.transition(
            pa,
            past + timedelta(minutes=5, seconds=rng.randint(10, 50)),
            "OK",
            "ALARM",
            f"Threshold Crossed: 1 datapoint [{float(round(audience['gohanote-ios'] * stale['gohanote-ios'] * rng.uniform(0.3, 0.45)))}] was greater than the threshold (1000.0).",
        )
        k.transition(
            pa,
            past + timedelta(minutes=run_minutes // 5 * 5 + 10, seconds=rng.randint(10, 50)),
            "ALARM",
            "OK",
            pa["StateReason"],
        )
    k.transition(pa, fire, "OK", "ALARM", alarm_reason)
    if run + timedelta(minutes=run_minutes // 5 * 5 + 10) <= now:
        k.transition(pa, run + timedelta(minutes=run_minutes // 5 * 5 + 10), "ALARM", "OK", pa["StateReason"])
    else:
        pa["StateValue"] = "ALARM"
        pa["StateReason"] = alarm_reason
        pa["StateUpdatedTimestamp"] = iso(fire)
        pa["StateTransitionedTimestamp"] = iso(fire)
    k.alarm(
        "gohanote-api-5xx",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": api_id, "Stage": "$default"},
        "Sum",
        50,
        period=300,
        evals=1,
        state="OK",
        state_time=start - timedelta(days=6),
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (50.0).",
        actions=[topic],
    )
    k.alarm(
        "gohanote-digest-fanout-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fan_fn},
        "Sum",
        0,
        period=300,
        evals=1,
        state="OK",
        state_time=start - timedelta(days=20),
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        actions=[topic],
    )

    local = fire + timedelta(hours=TZ_H)
    question = (
        f"Got paged at {local.hour}:{local.minute:02d} by sns-push-failures-high. Are push notifications broken for iOS? "
        "Nothing was deployed over the weekend as far as I know."
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question=question,
        alarm_event=k.alarm_event(
            pa,
            fire,
            alarm_reason,
            run - timedelta(weeks=1) + timedelta(minutes=run_minutes // 5 * 5 + 10),
            "Threshold Crossed: 1 datapoint [9.0] was not greater than the threshold (1000.0).",
        ),
        tz=TZ,
        truth={"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
