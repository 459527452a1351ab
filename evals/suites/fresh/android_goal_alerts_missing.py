"""Android match-alert pushes stop arriving in the evening: Firebase Cloud Messaging answers SNS with
503 UNAVAILABLE for most sends. iOS (APNs) is fine; an FCM credential rotation earlier in the day is a red herring."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzc import MIN, Kit, iso, iso_ms, lambda_role_assumes, tooling_noise

NAME = "android-goal-alerts-missing"
TITLE = "Android users not getting goal alerts since early evening; iPhone users say theirs arrive"
SUMMARY = (
    "Firebase Cloud Messaging started answering most sends with 503 UNAVAILABLE; SNS accepts every publish, "
    "so the fan-out Lambda shows no errors while the Android platform application's deliveries fail."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-1", (250, 330))
    r = k.rng
    day = k.day
    acct, reg = k.account, k.region
    onset = day + timedelta(hours=18, minutes=r.randint(35, 59), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(40, 65))
    start = (now - timedelta(hours=4, minutes=r.randint(30, 45))).replace(second=0)
    end = now + timedelta(minutes=30)
    created = day - timedelta(days=r.randint(300, 700))

    app_a, app_i = "goalpost-android-prod", "goalpost-ios-prod"
    arn_a = k.arn("sns", f"app/GCM/{app_a}")
    arn_i = k.arn("sns", f"app/APNS/{app_i}")
    fn_ingest, fn_fanout, fn_register = "match-feed-ingest", "alert-fanout", "device-register"
    stream = "match-feed"
    rotate_at = onset - timedelta(hours=r.randint(2, 3), minutes=r.randint(0, 50))
    fb_role = f"arn:aws:iam::{acct}:role/sns-delivery-status-logging"

    k.res(
        "sns",
        "PlatformApplication",
        {
            "PlatformApplicationArn": arn_a,
            "Attributes": {
                "Enabled": "true",
                "AppleCertificateExpiryDate": "",
                "SuccessFeedbackRoleArn": fb_role,
                "FailureFeedbackRoleArn": fb_role,
                "SuccessFeedbackSampleRate": "5",
                "EventEndpointCreated": "",
                "EventDeliveryFailure": "",
            },
        },
    )
    k.res(
        "sns",
        "PlatformApplication",
        {
            "PlatformApplicationArn": arn_i,
            "Attributes": {
                "Enabled": "true",
                "AppleCertificateExpiryDate": iso(day + timedelta(days=r.randint(90, 300))),
                "ApplePlatformTeamID": "7Q" + k.hexid(8).upper(),
                "ApplePlatformBundleID": "app.goalpost.ios",
                "SuccessFeedbackRoleArn": fb_role,
                "FailureFeedbackRoleArn": fb_role,
                "SuccessFeedbackSampleRate": "5",
            },
        },
    )
    ops_arn = k.arn("sns", "goalpost-oncall")
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": ops_arn,
            "Attributes": {
                "TopicArn": ops_arn,
                "Owner": acct,
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    k.lambda_fn(
        fn_ingest,
        runtime="nodejs20.x",
        handler="index.handler",
        role="match-feed-ingest-role",
        mem=512,
        timeout=60,
        modified=created + timedelta(days=r.randint(200, 290)),
        env={"EVENT_BUS": "default"},
    )
    k.lambda_fn(
        fn_fanout,
        runtime="nodejs20.x",
        handler="index.handler",
        role="alert-fanout-role",
        mem=1024,
        timeout=120,
        modified=day - timedelta(days=r.randint(4, 12)),
        env={"ANDROID_APP_ARN": arn_a, "IOS_APP_ARN": arn_i, "FOLLOWERS_TABLE": "team-followers"},
    )
    k.lambda_fn(
        fn_register,
        runtime="nodejs20.x",
        handler="index.handler",
        role="device-register-role",
        mem=256,
        timeout=10,
        modified=created + timedelta(days=r.randint(100, 200)),
        env={"ANDROID_APP_ARN": arn_a, "IOS_APP_ARN": arn_i},
    )
    stream_arn = k.arn("kinesis", f"stream/{stream}")
    k.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": 2,
            "ConsumerCount": 0,
        },
    )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uuid(),
            "StartingPosition": "LATEST",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": k.arn("lambda", f"function:{fn_ingest}"),
            "LastModified": iso(created + timedelta(days=30)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": [],
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "team-followers",
            "TableArn": k.arn("dynamodb", "table/team-followers"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ItemCount": r.randint(900_000, 2_000_000),
            "TableSizeBytes": r.randint(2 * 10**8, 6 * 10**8),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "KeySchema": [
                {"AttributeName": "teamId", "KeyType": "HASH"},
                {"AttributeName": "endpointArn", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "teamId", "AttributeType": "S"},
                {"AttributeName": "endpointArn", "AttributeType": "S"},
            ],
        },
    )
    for g in (fn_ingest, fn_fanout, fn_register):
        k.log_group(f"/aws/lambda/{g}", created, 14)
    lg_a_ok, lg_a_fail = f"sns/{reg}/{acct}/app/GCM/{app_a}", f"sns/{reg}/{acct}/app/GCM/{app_a}/Failure"
    lg_i_ok, lg_i_fail = f"sns/{reg}/{acct}/app/APNS/{app_i}", f"sns/{reg}/{acct}/app/APNS/{app_i}/Failure"
    for g in (lg_a_ok, lg_a_fail, lg_i_ok, lg_i_fail):
        k.log_group(g, created + timedelta(days=5), 7)

    # ---------------- traffic ----------------
    # match events: kickoffs at 17:30 and 19:45 local-ish; goals at random minutes
    kickoffs = [
        day + timedelta(hours=17, minutes=r.choice([0, 15, 30])),
        onset - timedelta(minutes=r.randint(8, 25)),
    ]
    key_minutes: dict = {}
    for ko in kickoffs:
        key_minutes[ko.replace(second=0)] = "KICK_OFF"
        key_minutes[(ko + timedelta(minutes=47)).replace(second=0)] = "HALF_TIME"
        key_minutes[(ko + timedelta(minutes=r.randint(1, 45))).replace(second=0)] = "GOAL"
        key_minutes[(ko + timedelta(minutes=r.randint(62, 95))).replace(second=0)] = "GOAL"
    for _ in range(r.randint(3, 6)):
        key_minutes[(start + timedelta(minutes=r.randint(0, 170))).replace(second=0)] = r.choice(
            ["GOAL", "RED_CARD", "LINEUPS"]
        )
    key_minutes[(onset + timedelta(minutes=r.randint(6, 14))).replace(second=0)] = "GOAL"
    key_minutes[(onset + timedelta(minutes=r.randint(22, 35))).replace(second=0)] = "GOAL"
    android_share = r.uniform(0.55, 0.68)
    fail_frac = r.uniform(0.78, 0.9)
    s_fan = k.lambda_stream(start)
    s_ing = k.lambda_stream(start)
    fails_logged = 0
    t = start
    while t < end:
        ev = key_minutes.get(t)
        feed = r.randint(40, 90) + (300 if ev else 0)
        k.put("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, "Count", feed)
        k.put("AWS/Kinesis", "IncomingBytes", {"StreamName": stream}, t, "Bytes", feed * r.uniform(800, 1100))
        k.put(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            "Milliseconds",
            r.uniform(200, 900) + (r.uniform(30000, 70000) if ev == "KICK_OFF" else 0),
        )
        inv = r.randint(20, 40)
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_ingest}, t, "Count", inv)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_ingest}, t, "Count", 0)
        k.put(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": fn_ingest},
            t,
            "Milliseconds",
            r.uniform(300, 1200) + (r.uniform(30000, 70000) if ev == "KICK_OFF" else 0),
        )
        k.put_stats(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn_ingest},
            t,
            "Milliseconds",
            inv,
            inv * r.uniform(40, 70),
            8,
            r.uniform(180, 400),
        )
        reg_n = r.randint(2, 9)
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_register}, t, "Count", reg_n)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_register}, t, "Count", 0)
        # alert pushes: steady trickle (news, line-ups) plus bursts on match events
        pushes = r.randint(150, 400) + (
            r.randint(18000, 42000) if ev in ("GOAL", "KICK_OFF") else r.randint(6000, 12000) if ev else 0
        )
        pa = int(pushes * android_share)
        pi = pushes - pa
        broken = onset <= t
        stale_a = int(pa * r.uniform(0.004, 0.01))
        stale_i = int(pi * r.uniform(0.003, 0.008))
        failed_a = stale_a + (int((pa - stale_a) * fail_frac * r.uniform(0.95, 1.03)) if broken else 0)
        failed_a = min(failed_a, pa)
        dims_a = {"Application": app_a, "Platform": "GCM"}
        dims_i = {"Application": app_i, "Platform": "APNS"}
        k.put("AWS/SNS", "NumberOfNotificationsDelivered", dims_a, t, "Count", pa - failed_a)
        k.put("AWS/SNS", "NumberOfNotificationsFailed", dims_a, t, "Count", failed_a)
        k.put("AWS/SNS", "NumberOfNotificationsDelivered", dims_i, t, "Count", pi - stale_i)
        k.put("AWS/SNS", "NumberOfNotificationsFailed", dims_i, t, "Count", stale_i)
        if ev:
            n_inv = max(1, pushes // 500)
            dur = r.uniform(1800, 4200)
        else:
            n_inv = r.randint(1, 3)
            dur = r.uniform(300, 700)
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_fanout}, t, "Count", n_inv)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_fanout}, t, "Count", 0)
        k.put_stats(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn_fanout},
            t,
            "Milliseconds",
            n_inv,
            n_inv * dur,
            dur * 0.6,
            dur * 1.4,
        )
        k.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            {"FunctionName": fn_fanout},
            t,
            "Count",
            max(1, n_inv * dur / 60000 * 4),
        )
        if t < now:
            if ev:
                match = f"m-{k.hexid(6)}"
                k.lambda_invocation(
                    f"/aws/lambda/{fn_fanout}",
                    s_fan,
                    t + timedelta(seconds=r.randint(2, 8)),
                    dur,
                    1024,
                    r.randint(180, 260),
                    [
                        (
                            15,
                            f"{{ts}}\t{{rid}}\tINFO\tfan-out start event={ev} match={match} followers={pushes}\n",
                        ),
                        (
                            dur - 10,
                            f"{{ts}}\t{{rid}}\tINFO\tfan-out done event={ev} match={match} published={pushes} android={pa} ios={pi} publish_errors=0\n",
                        ),
                    ],
                )
            elif t.minute % 7 == 0:
                k.lambda_invocation(
                    f"/aws/lambda/{fn_fanout}",
                    s_fan,
                    t + timedelta(seconds=r.randint(2, 50)),
                    dur,
                    1024,
                    r.randint(150, 190),
                    [
                        (
                            dur - 10,
                            f"{{ts}}\t{{rid}}\tINFO\tfan-out done event=NEWS published={pushes} android={pa} ios={pi} publish_errors=0\n",
                        )
                    ],
                )
            if t.minute % 9 == 0:
                k.lambda_invocation(
                    f"/aws/lambda/{fn_ingest}",
                    s_ing,
                    t + timedelta(seconds=r.randint(1, 50)),
                    r.uniform(30, 90),
                    512,
                    r.randint(90, 110),
                    [
                        (
                            12,
                            f"{{ts}}\t{{rid}}\tINFO\tprocessed batch records={r.randint(20, 100)} shard=shardId-00000000000{r.randint(0, 1)} putEvents.failed=0\n",
                        )
                    ],
                )

            # delivery-status logs: failures are all logged; success sampled at 5%
            def status_log(
                group: str, platform: str, app: str, ok: bool, code: int, provider: str, at
            ) -> None:
                mid = k.uuid()
                k.log(
                    group,
                    k.uuid(),
                    at,
                    json.dumps(
                        {
                            "notification": {
                                "messageMD5Sum": hashlib.md5(mid.encode()).hexdigest(),
                                "messageId": mid,
                                "timestamp": iso_ms(at - timedelta(milliseconds=r.randint(40, 900)))
                                .replace("T", " ")
                                .replace("Z", ""),
                            },
                            "delivery": {
                                "deliveryId": k.uuid(),
                                "destination": k.arn("sns", f"endpoint/{platform}/{app}/{k.uuid()}"),
                                "providerResponse": provider,
                                "dwellTimeMs": r.randint(40, 900),
                                "attempts": 1,
                                "token": "" if platform == "GCM" else k.hexid(64),
                                "statusCode": code,
                            },
                            "status": "SUCCESS" if ok else "FAILURE",
                        },
                        separators=(",", ":"),
                    ),
                )

            n_log = 1 if not ev else r.randint(3, 6)
            for _ in range(n_log):
                at = t + timedelta(seconds=r.uniform(0, 59))
                status_log(
                    lg_a_ok,
                    "GCM",
                    app_a,
                    True,
                    200,
                    json.dumps(
                        {
                            "name": f"projects/goalpost-prod/messages/0:{r.randint(10**15, 10**16)}%{k.hexid(16)}"
                        }
                    ),
                    at,
                )
                status_log(
                    lg_i_ok, "APNS", app_i, True, 200, "{}", at + timedelta(milliseconds=r.randint(1, 400))
                )
            if stale_a and r.random() < 0.5:
                status_log(
                    lg_a_fail,
                    "GCM",
                    app_a,
                    False,
                    404,
                    json.dumps(
                        {
                            "error": {
                                "code": 404,
                                "message": "Requested entity was not found.",
                                "status": "NOT_FOUND",
                                "details": [
                                    {
                                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                        "errorCode": "UNREGISTERED",
                                    }
                                ],
                            }
                        }
                    ),
                    t + timedelta(seconds=r.uniform(0, 59)),
                )
            if stale_i and r.random() < 0.4:
                status_log(
                    lg_i_fail,
                    "APNS",
                    app_i,
                    False,
                    410,
                    json.dumps(
                        {
                            "reason": "Unregistered",
                            "timestamp": int(t.timestamp() * 1000) - 86400000 * r.randint(2, 40),
                        }
                    ),
                    t + timedelta(seconds=r.uniform(0, 59)),
                )
            if broken:
                n_fail_logs = 2 if not ev else r.randint(10, 16)
                for _ in range(n_fail_logs):
                    if r.random() < 0.85:
                        prov, code = (
                            {
                                "error": {
                                    "code": 503,
                                    "message": "The service is currently unavailable.",
                                    "status": "UNAVAILABLE",
                                }
                            },
                            503,
                        )
                    else:
                        prov, code = (
                            {
                                "error": {
                                    "code": 500,
                                    "message": "Internal error encountered.",
                                    "status": "INTERNAL",
                                }
                            },
                            500,
                        )
                    status_log(
                        lg_a_fail,
                        "GCM",
                        app_a,
                        False,
                        code,
                        json.dumps(prov),
                        t + timedelta(seconds=r.uniform(0, 59)),
                    )
                    fails_logged += 1
        t += MIN

    # ---------------- alarms ----------------
    a = k.alarm(
        f"{app_a}-delivery-failures",
        ns="AWS/SNS",
        metric="NumberOfNotificationsFailed",
        dims={"Application": app_a, "Platform": "GCM"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=2000,
        op="GreaterThanThreshold",
        desc="Android push failures",
        topic=ops_arn,
        state="OK",
        reason="",
        state_ts=start,
        updated=created + timedelta(days=40),
        missing="notBreaching",
    )
    # evaluate the alarm on 5-minute sums
    sums: dict = {}
    for m in k.metrics:
        if m["metric"] == "NumberOfNotificationsFailed" and m["dimensions"].get("Application") == app_a:
            ts = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            b = ts - timedelta(minutes=ts.minute % 5)
            sums[b] = sums.get(b, 0) + m["value"]
    state, st_at = "OK", start - timedelta(days=r.randint(2, 9))
    st_reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    st_data = None
    for b in sorted(sums):
        at = b + timedelta(minutes=5, seconds=r.randint(25, 55))
        if at >= now:
            break
        v = sums[b]
        txt, data = k.reason_threshold([(b, v)], 2000, period=300)
        if v > 2000 and state == "OK":
            k.hist(a, at, "OK", "ALARM", txt, data)
            state, st_at, st_reason, st_data = "ALARM", at, txt, data
        elif v <= 2000 and state == "ALARM":
            txt = txt.replace("was greater than", "was not greater than")
            k.hist(a, at, "ALARM", "OK", txt, data)
            state, st_at, st_reason, st_data = "OK", at, txt, data
    a.update(
        {
            "StateValue": state,
            "StateReason": st_reason,
            "StateUpdatedTimestamp": iso_ms(st_at),
            "StateTransitionedTimestamp": iso_ms(st_at),
        }
    )
    if st_data:
        a["StateReasonData"] = json.dumps(st_data, separators=(",", ":"))
    k.alarm(
        f"{app_i}-delivery-failures",
        ns="AWS/SNS",
        metric="NumberOfNotificationsFailed",
        dims={"Application": app_i, "Platform": "APNS"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=2000,
        op="GreaterThanThreshold",
        desc="iOS push failures",
        topic=ops_arn,
        state="OK",
        reason="Threshold Crossed: 1 datapoint was not greater than the threshold (2000.0).",
        state_ts=start - timedelta(days=r.randint(1, 6)),
        updated=created + timedelta(days=40),
        missing="notBreaching",
    )
    ia = k.alarm(
        f"{fn_ingest}-iterator-age",
        ns="AWS/Lambda",
        metric="IteratorAge",
        dims={"FunctionName": fn_ingest},
        stat="Maximum",
        period=60,
        evals=1,
        threshold=30000,
        op="GreaterThanThreshold",
        desc="Match feed falling behind",
        topic=ops_arn,
        state="OK",
        reason="",
        state_ts=start,
        updated=created + timedelta(days=60),
    )
    last_ok = None
    for ko in kickoffs:
        if start < ko < now:
            v = next(
                m["value"]
                for m in k.metrics
                if m["metric"] == "IteratorAge" and m["timestamp"] == iso(ko.replace(second=0))
            )
            if v > 30000:
                txt, data = k.reason_threshold([(ko.replace(second=0), round(v, 1))], 30000)
                k.hist(ia, ko.replace(second=0) + timedelta(seconds=80), "OK", "ALARM", txt, data)
                last_ok = ko.replace(second=0) + timedelta(minutes=2, seconds=20)
                k.hist(
                    ia,
                    last_ok,
                    "ALARM",
                    "OK",
                    "Threshold Crossed: 1 datapoint was not greater than the threshold (30000.0).",
                )
    ia.update(
        {
            "StateReason": "Threshold Crossed: 1 datapoint was not greater than the threshold (30000.0).",
            "StateUpdatedTimestamp": iso_ms(last_ok or start - timedelta(days=1)),
            "StateTransitionedTimestamp": iso_ms(last_ok or start - timedelta(days=1)),
        }
    )

    # ---------------- cloudtrail ----------------
    rid_reg = k.role_id()
    t = start + timedelta(seconds=r.randint(10, 120))
    while t < now:
        who = k.assumed("device-register-role", fn_register, rid_reg, t - timedelta(minutes=r.randint(1, 40)))
        plat_a = r.random() < android_share
        app_arn = arn_a if plat_a else arn_i
        k.ct(
            t,
            "sns.amazonaws.com",
            "CreatePlatformEndpoint",
            who,
            {
                "platformApplicationArn": app_arn,
                "token": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "customUserData": f"user:{r.randint(10**6, 10**7)}",
            },
            {"endpointArn": app_arn.replace(":app/", ":endpoint/") + "/" + k.uuid()},
            read_only=False,
            agent="aws-sdk-nodejs/3.621.0 ua/2.0 os/linux#5.10.226-234.879.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/sns#3.621.0 exec-env/AWS_Lambda_nodejs20.x",
            ip=f"3.{r.randint(240, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        )
        t += timedelta(seconds=r.randint(240, 600))
    rid_dev = k.role_id()
    dev = k.assumed(
        "AWSReservedSSO_AdministratorAccess_2c81f0d9e4a7b365",
        "sam.okafor@goalpost.app",
        rid_dev,
        rotate_at - timedelta(minutes=25),
    )
    browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"
    dip = f"31.{r.randint(100, 220)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    k.ct(
        rotate_at - timedelta(minutes=2),
        "sns.amazonaws.com",
        "GetPlatformApplicationAttributes",
        dev,
        {"platformApplicationArn": arn_a},
        None,
        read_only=True,
        agent=browser,
        ip=dip,
    )
    k.ct(
        rotate_at,
        "sns.amazonaws.com",
        "SetPlatformApplicationAttributes",
        dev,
        {
            "platformApplicationArn": arn_a,
            "attributes": {"PlatformCredential": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        },
        None,
        read_only=False,
        agent=browser,
        ip=dip,
    )
    secret_arn = k.arn("secretsmanager", "secret:push/fcm-service-account-" + k.hexid(6))
    k.ct(
        rotate_at + timedelta(minutes=6),
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        dev,
        {
            "secretId": secret_arn,
            "clientRequestToken": k.uuid(),
            "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "arn": secret_arn,
            "name": "push/fcm-service-account",
            "versionId": k.uuid(),
            "versionStages": ["AWSCURRENT"],
        },
        read_only=False,
        agent=browser,
        ip=dip,
    )
    ci = k.assumed(
        "github-actions-deploy",
        f"GitHubActions-{r.randint(10**9, 10**10)}",
        k.role_id(),
        onset - timedelta(minutes=50),
    )
    k.ct(
        onset - timedelta(minutes=r.randint(30, 48)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ci,
        {"functionName": fn_register, "environment": {}, "timeout": 10},
        {
            "functionName": fn_register,
            "functionArn": k.arn("lambda", f"function:{fn_register}"),
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "environment": {},
        },
        read_only=False,
        ip=f"20.{r.randint(40, 200)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    )
    tooling_noise(
        k,
        start,
        now,
        r.randint(20, 30),
        [
            ("sns.amazonaws.com", "ListPlatformApplications", {}),
            ("sns.amazonaws.com", "ListTopics", {}),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
    )
    lambda_role_assumes(
        k, start, now, ["alert-fanout-role", "match-feed-ingest-role", "device-register-role"], 30
    )

    asked = (onset + timedelta(minutes=r.randint(2, 6))).astimezone(ZoneInfo("Europe/Dublin"))
    q = (
        f"Lots of 1-star reviews coming in from Android users saying they got no goal alerts tonight, started around "
        f"{asked:%-I:%M}pm they reckon. iPhone people seem fine. Did the alert service fall over? "
        "Sam changed something with the Firebase key today, could that be it?"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        alarm_event=None,
        timezone="Europe/Dublin",
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": "fcm.googleapis.com",
                "category": "dependency_failure",
                "failure_mode": "push-provider-unavailable",
            },
            "also_accept": ["Firebase Cloud Messaging", "FCM", "Firebase"],
            "actions": [],
            "chain": ["fcm.googleapis.com", arn_a, "android-push-alerts"],
        },
    )
