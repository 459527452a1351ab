"""Paged at 2am for a mass smart-meter disconnect that is the fleet's nightly scheduled reconnect."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzg import Account, iso, ms

NAME = "smart-meter-disconnect-spike-2am"
TITLE = "meter-presence disconnect spike alarm at 2am; whole fleet dropped and came back"
SUMMARY = (
    "Every meter closes and reopens its MQTT session at 02:00 local, as the firmware does every night; the "
    "disconnect alarm fires and clears as it did the night before, with readings buffered and caught up."
)

ZONES = ["Australia/Melbourne", "Europe/London", "America/Toronto", "Pacific/Auckland"]


def build(seed: int) -> Bundle:
    a = Account(seed, NAME, hours_before=26, minutes_after=40 + seed % 15)
    r = a.rng
    tz = r.choice(ZONES)
    a.region = {
        "Australia/Melbourne": "ap-southeast-2",
        "Europe/London": "eu-west-2",
        "America/Toronto": "ca-central-1",
        "Pacific/Auckland": "ap-southeast-2",
    }[tz]
    zone = ZoneInfo(tz)
    local_day = a.day.replace(tzinfo=zone) + timedelta(hours=2)
    onset = local_day.astimezone(a.day.tzinfo)
    a.set_onset(onset)
    onset = a.onset
    prev = onset - timedelta(days=1)

    meters = r.randint(30_000, 60_000)
    interval_min = 5
    stream_name = "meter-readings"
    rule = "meter_readings_to_kinesis"
    presence_rule = "meter_presence_events"
    processor = "meter-readings-processor"
    presence = "meter-presence-tracker"
    rollup = "meter-daily-rollup"
    table = "meter-interval-reads"
    ptable = "meter-presence"
    old = a.start - timedelta(days=r.randint(200, 800))
    shards = 4

    stream_arn = a.stream(stream_name, shards, old)
    oncall = a.topic("grid-iot-oncall", "Grid IoT on-call")
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": "SELECT * FROM 'meters/+/reads'",
            "description": "Interval reads to Kinesis",
            "createdAt": iso(old),
            "actions": [
                {
                    "kinesis": {
                        "roleArn": a.role_arn("iot-meter-ingest"),
                        "streamName": stream_name,
                        "partitionKey": "${topic(2)}",
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": presence_rule,
            "sql": "SELECT * FROM '$aws/events/presence/+/+'",
            "description": "Connect/disconnect lifecycle events to the presence tracker",
            "createdAt": iso(old + timedelta(days=12)),
            "actions": [{"lambda": {"functionArn": a.arn("lambda", f"function:{presence}")}}],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    a.role("iot-meter-ingest", "iot.amazonaws.com", old)
    a.function(
        processor,
        "java17",
        "com.gridco.meter.Handler::handleRequest",
        1536,
        120,
        f"{processor}-role",
        old + timedelta(days=r.randint(100, 190)),
        {"TABLE": table},
    )
    a.mapping(processor, stream_arn, 500, old + timedelta(days=2))
    a.function(
        presence,
        "nodejs20.x",
        "index.handler",
        256,
        10,
        f"{presence}-role",
        old + timedelta(days=r.randint(50, 150)),
        {"TABLE": ptable, "POWERTOOLS_METRICS_NAMESPACE": "Meters/Presence"},
    )
    deploy = a.start + timedelta(hours=r.randint(3, 9), minutes=r.randint(0, 59))
    a.function(rollup, "python3.12", "rollup.handler", 2048, 900, f"{rollup}-role", deploy, {"TABLE": table})
    a.table(table, "meter_id", "interval_start", old, items=r.randint(2_000_000_000, 5_000_000_000))
    a.table(ptable, "client_id", "ts", old, items=r.randint(5_000_000, 20_000_000))
    for g in (f"/aws/lambda/{processor}", f"/aws/lambda/{presence}", f"/aws/lambda/{rollup}"):
        a.log_group(g, 14)

    def local_hm(t: datetime) -> tuple[int, int]:
        lt = t.astimezone(zone)
        return lt.hour, lt.minute

    def offline_share(t: datetime) -> float:
        """Share of meters between their 02:00 disconnect and their reconnect."""
        for base in (prev, onset):
            s = (t - base).total_seconds()
            if 0 <= s < 360:
                if s < 90:
                    return s / 90 * 0.9
                return max(0.0, 0.9 - (s - 90) / 270 * 0.9)
        return 0.0

    def churn(t: datetime, base: datetime) -> tuple[float, float]:
        """(disconnects, connects) in the minute starting at t."""
        s = (t - base).total_seconds()
        if not 0 <= s < 420:
            return 0.0, 0.0
        m = int(s // 60)
        disc = [0.55, 0.45, 0.0, 0.0, 0.0, 0.0, 0.0][m]
        conn = [0.05, 0.2, 0.3, 0.25, 0.13, 0.05, 0.02][m]
        return disc * meters, conn * meters

    # --- metrics ------------------------------------------------------------------------------------
    sdims = {"StreamName": stream_name}
    backlog = 0.0
    for t in a.minutes():
        normal = meters / interval_min * a.jitter(1, 0.01)
        off = offline_share(t)
        sent = normal * (1 - off)
        backlog += normal - sent
        if off < 0.5 and backlog > 0:
            catch = min(backlog, normal * 0.8)
            sent += catch
            backlog -= catch
        a.point("AWS/IoT", "PublishIn.Success", {"Protocol": "MQTT"}, t, sent * 1.01, "Count")
        a.point("AWS/IoT", "Success", {"RuleName": rule, "ActionType": "Kinesis"}, t, sent, "Count")
        a.point("AWS/Kinesis", "IncomingRecords", sdims, t, sent, "Count")
        a.point("AWS/Kinesis", "IncomingBytes", sdims, t, sent * a.jitter(410, 0.02), "Bytes")
        a.point(
            "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sdims, t, a.jitter(700, 0.4), "Milliseconds"
        )
        d1, c1 = churn(t, prev)
        d2, c2 = churn(t, onset)
        disc = d1 + d2 + r.randint(0, 6)
        conn = c1 + c2 + r.randint(0, 6)
        a.point("AWS/IoT", "Connect.Success", {"Protocol": "MQTT"}, t, conn, "Count")
        a.point(
            "AWS/IoT", "Success", {"RuleName": presence_rule, "ActionType": "Lambda"}, t, conn + disc, "Count"
        )
        pd = {"FunctionName": presence}
        inv = max(1.0, conn + disc)
        a.point("AWS/Lambda", "Invocations", pd, t, inv, "Count")
        a.point("AWS/Lambda", "Errors", pd, t, 0, "Count")
        a.stats(
            "AWS/Lambda",
            "Duration",
            pd,
            t,
            "Milliseconds",
            max(inv, 1),
            max(inv, 1) * a.jitter(22, 0.1),
            4,
            a.jitter(180, 0.3),
        )
        a.point("AWS/Lambda", "ConcurrentExecutions", pd, t, max(1, inv / 60 * 0.03), "Count")
        a.point("Meters/Presence", "Disconnected", {"service": presence}, t, disc, "Count")
        a.point("Meters/Presence", "Connected", {"service": presence}, t, conn, "Count")
        fd = {"FunctionName": processor}
        pinv = max(1.0, sent / 500) * 1.0
        a.point("AWS/Lambda", "Invocations", fd, t, pinv, "Count")
        a.point("AWS/Lambda", "Errors", fd, t, 0, "Count")
        a.stats(
            "AWS/Lambda",
            "Duration",
            fd,
            t,
            "Milliseconds",
            pinv,
            pinv * a.jitter(95, 0.1),
            20,
            a.jitter(700, 0.3),
        )
        a.point("AWS/Lambda", "IteratorAge", fd, t, a.jitter(900, 0.4), "Milliseconds")
        a.point("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": table}, t, sent, "Count")
        a.point("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": ptable}, t, inv * 2, "Count")
        h, mnt = local_hm(t)
        if h == 2 and mnt < 25:
            if mnt == 15:
                a.point("AWS/Lambda", "Invocations", {"FunctionName": rollup}, t, 1, "Count")
                a.point("AWS/Lambda", "Errors", {"FunctionName": rollup}, t, 0, "Count")
            a.point(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": table},
                t,
                a.jitter(meters * 288 / 2 / 10, 0.1),
                "Count",
            )
        else:
            a.point(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": table},
                t,
                a.jitter(900, 0.2),
                "Count",
            )

    # --- alarms -------------------------------------------------------------------------------------
    thr = 2000.0
    name = "meter-presence-disconnect-spike"

    def fired(base: datetime) -> tuple[datetime, datetime, str]:
        t_on = base + timedelta(minutes=1, seconds=r.randint(20, 55))
        t_off = base + timedelta(minutes=4, seconds=r.randint(10, 50))
        reason = (
            f"Threshold Crossed: 1 out of the last 1 datapoints [{meters * 0.55:.1f} ({base:%d/%m/%y %H:%M:%S})] was "
            f"greater than the threshold ({thr:.1f}) (minimum 1 datapoint for OK -> ALARM transition)."
        )
        return t_on, t_off, reason

    ok_reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [3.0] was not greater than the threshold ({thr:.1f}) "
        "(minimum 1 datapoint for ALARM -> OK transition)."
    )
    p_on, p_off, p_reason = fired(prev)
    n_on, n_off, n_reason = fired(onset)
    alarm = a.alarm(
        name,
        "Meters/Presence",
        "Disconnected",
        {"service": presence},
        "Sum",
        60,
        1,
        thr,
        "GreaterThanThreshold",
        oncall,
        "OK",
        n_off,
        ok_reason,
        "Mass meter disconnects. Check IoT Core health and the Service Health Dashboard.",
        missing="notBreaching",
    )
    for t_on, t_off, reason in ((p_on, p_off, p_reason), (n_on, n_off, n_reason)):
        a.transition(name, t_on, "OK", "ALARM", reason)
        a.transition(name, t_off, "ALARM", "OK", ok_reason)
    alarm_edit = a.start + timedelta(hours=r.randint(4, 12), minutes=r.randint(0, 59))
    age_alarm = a.alarm(
        f"{processor}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": processor},
        "Maximum",
        60,
        5,
        120000,
        "GreaterThanThreshold",
        oncall,
        "OK",
        a.start - timedelta(days=r.randint(4, 30)),
        "Threshold Crossed: 5 datapoints were not greater than the threshold (120000.0).",
    )
    age_alarm["AlarmConfigurationUpdatedTimestamp"] = iso(alarm_edit)
    age_alarm["StateUpdatedTimestamp"] = age_alarm["StateTransitionedTimestamp"] = iso(
        alarm_edit + timedelta(seconds=70)
    )
    a.transition(
        age_alarm["AlarmName"],
        alarm_edit + timedelta(seconds=1),
        "OK",
        "INSUFFICIENT_DATA",
        "Unchecked: Initial alarm creation",
    )
    a.transition(
        age_alarm["AlarmName"],
        alarm_edit + timedelta(seconds=70),
        "INSUFFICIENT_DATA",
        "OK",
        age_alarm["StateReason"],
    )
    a.alarm(
        "meter-readings-incoming-low",
        "AWS/Kinesis",
        "IncomingRecords",
        sdims,
        "Sum",
        300,
        3,
        meters * 0.5,
        "LessThanThreshold",
        oncall,
        "OK",
        a.start - timedelta(days=r.randint(4, 30)),
        "Threshold Crossed: 3 datapoints were not less than the threshold.",
    )
    flap = onset - timedelta(hours=r.randint(6, 14))
    ra = a.alarm(
        f"{rollup}-duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": rollup},
        "Maximum",
        300,
        1,
        600000,
        "GreaterThanThreshold",
        oncall,
        "INSUFFICIENT_DATA",
        flap,
        "Insufficient Data: 1 datapoint was unknown.",
    )
    a.transition(ra["AlarmName"], flap, "OK", "INSUFFICIENT_DATA", ra["StateReason"])

    # --- logs ---------------------------------------------------------------------------------------
    pgroup = f"/aws/lambda/{presence}"
    for base in (prev, onset):
        s = a.lambda_stream(base)
        for _ in range(r.randint(30, 50)):
            t = base + timedelta(seconds=r.uniform(0, 330))
            rid = a.uid()
            cid = f"meter-{a.hexid(8)}"
            disconnect = (t - base).total_seconds() < 95 and r.random() < 0.8
            ev = {
                "clientId": cid,
                "timestamp": ms(t) - r.randint(20, 300),
                "eventType": "disconnected" if disconnect else "connected",
                "sessionIdentifier": a.uid(),
                "principalIdentifier": a.hexid(64),
                "versionNumber": r.randint(200, 900),
            }
            if disconnect:
                ev["clientInitiatedDisconnect"] = True
                ev["disconnectReason"] = "CLIENT_INITIATED_DISCONNECT"
            else:
                ev["ipAddress"] = f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            a.log(pgroup, s, t, f"START RequestId: {rid} Version: $LATEST\n")
            a.log(
                pgroup,
                s,
                t + timedelta(milliseconds=4),
                f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tINFO\tlifecycle event {json.dumps(ev)}\n",
            )
            dur = r.uniform(8, 40)
            end = t + timedelta(milliseconds=dur)
            a.log(pgroup, s, end, f"END RequestId: {rid}\n")
            a.log(
                pgroup,
                s,
                end,
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {r.randint(88, 97)} MB\t\n",
            )
    rgroup = f"/aws/lambda/{rollup}"
    for base in (prev, onset):
        t = base + timedelta(minutes=15, seconds=r.randint(0, 2))
        s = a.lambda_stream(t)
        rid = a.uid()
        a.log(rgroup, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        a.log(
            rgroup,
            s,
            t + timedelta(seconds=1),
            f"[INFO]\t{iso(t)}\t{rid}\trollup for {(t.astimezone(zone) - timedelta(days=1)):%Y-%m-%d}: scanning {meters} meters\n",
        )
        dur = r.uniform(240000, 420000)
        end = t + timedelta(milliseconds=dur)
        a.log(
            rgroup,
            s,
            end - timedelta(seconds=1),
            f"[INFO]\t{iso(end)}\t{rid}\trollup complete: {meters * 288 - r.randint(0, 400)} intervals, {r.randint(0, 30)} meters with gaps\n",
        )
        a.log(rgroup, s, end, f"END RequestId: {rid}\n")
        a.log(
            rgroup,
            s,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 2048 MB\tMax Memory Used: {r.randint(900, 1400)} MB\t\n",
        )
    fgroup = f"/aws/lambda/{processor}"
    s = a.lambda_stream(a.start)
    t = a.start + timedelta(seconds=r.randint(5, 60))
    while t < a.now:
        rid = a.uid()
        dur = r.uniform(40, 300)
        a.log(fgroup, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        a.log(
            fgroup,
            s,
            t + timedelta(milliseconds=dur / 2),
            f"{iso(t)} {rid} INFO  c.g.m.Handler - wrote {r.randint(300, 500)} interval reads, 0 rejected\n",
        )
        end = t + timedelta(milliseconds=dur)
        a.log(fgroup, s, end, f"END RequestId: {rid}\n")
        a.log(
            fgroup,
            s,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 1536 MB\tMax Memory Used: {r.randint(300, 380)} MB\t\n",
        )
        t += timedelta(minutes=r.randint(12, 25))

    # --- cloudtrail ---------------------------------------------------------------------------------
    gh = a.who_role("github-actions-deploy", f"GitHubActions-{r.randint(10**9, 10**10 - 1)}", deploy)
    a.call(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gh,
        {"functionName": rollup, "publish": False, "dryRun": False},
        {
            "functionName": rollup,
            "functionArn": a.arn("lambda", f"function:{rollup}"),
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    eng = a.who_sso(r.choice(["k.wright", "h.singh", "e.morrison"]), deploy)
    a.call(
        deploy + timedelta(hours=r.randint(1, 3)),
        "iot.amazonaws.com",
        "DescribeJob",
        eng,
        {"jobId": "fw-4.12.3-wave3"},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    )
    a.call(
        alarm_edit,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        eng,
        {
            "alarmName": f"{processor}-iterator-age",
            "namespace": "AWS/Lambda",
            "metricName": "IteratorAge",
            "statistic": "Maximum",
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 120000.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "FunctionName", "value": processor}],
            "alarmActions": [oncall],
        },
        None,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    )
    a.tooling_noise(
        r.randint(45, 70),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("iot.amazonaws.com", "ListTopicRules", None),
            ("iot.amazonaws.com", "ListJobs", {"status": "IN_PROGRESS"}),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream_name}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ],
    )
    question = (
        f"Got paged at 2am: {name}. Looked like every meter dropped off at once, then it cleared before I even "
        "opened the laptop. Is IoT Core having problems, and did we lose any reads?"
    )
    n_alarm = dict(alarm)
    n_alarm["StateValue"] = "ALARM"
    n_alarm["StateReason"] = n_reason
    event = a.alarm_event(n_alarm, n_on, "OK", ok_reason)
    return a.bundle(TITLE, question, tz, event, {"no_fault": True})
