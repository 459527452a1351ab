"""A newly created dispatch-backlog alarm fires at the top of every hour when one partner's hourly batch lands."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzn as kit

NAME = "filehub-dispatch-backlog-alarm-top-of-hour"
TITLE = "New partner-dispatch backlog alarm keeps paging just after the hour; are partner deliveries delayed?"
SUMMARY = (
    "A backlog alarm created this morning on the dispatch queue's visible-message count trips every hour when "
    "one partner's hourly batch lands, and clears minutes later as the push function drains it; nothing is wrong."
)


def build(seed: int) -> Bundle:
    w = kit.new_world(seed, salt=NAME, onset_hour=(9, 15))
    rng = w.rng
    hourly = w.partners[rng.randint(0, 4)]
    batch = rng.randint(260, 420)
    drop_min = rng.randint(0, 2)
    created = (w.onset - timedelta(minutes=rng.randint(20, 45))).replace(second=rng.randint(0, 59))
    w.onset = w.onset.replace(minute=drop_min) + timedelta(hours=1)
    w.now = w.onset + timedelta(hours=rng.randint(1, 2), minutes=rng.randint(7, 14))
    w.end = w.now + timedelta(minutes=15)
    threshold = rng.choice([100, 150])
    cap = rng.randint(70, 95)

    def rate(t: datetime, p: str) -> float:
        if p == hourly:
            return batch / 2 if t.minute in (drop_min, drop_min + 1) else 0.02
        return rng.choice([0.8, 1.0, 1.4])

    def secs(t: datetime, p: str) -> float:
        return rng.uniform(18, 45)

    def capacity(t: datetime) -> int:
        return cap + rng.randint(-8, 8)

    k = kit.Knobs(upload_rate=rate, push_seconds=secs, push_capacity=capacity)
    kit.simulate(w, k)
    kit.resources(w, visibility=720, push_timeout=120)
    kit.standard_alarms(w)
    name = "filehub-partner-dispatch-backlog"
    new = kit.alarm(
        w,
        name,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": kit.QUEUE},
        "Maximum",
        60,
        1,
        threshold,
        "GreaterThanThreshold",
        "Dispatch backlog building up",
    )
    new["AlarmConfigurationUpdatedTimestamp"] = kit.iso(created)
    kit.noise(w)
    user = rng.choice(["noor.haddad", "felix.brandt"])
    eid = w.trail(
        created,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        kit.sso(w, user),
        {
            "alarmName": name,
            "alarmDescription": "Dispatch backlog building up",
            "actionsEnabled": True,
            "alarmActions": [w.arn("sns", "filehub-oncall")],
            "metricName": "ApproximateNumberOfMessagesVisible",
            "namespace": "AWS/SQS",
            "statistic": "Maximum",
            "dimensions": [{"name": "QueueName", "value": kit.QUEUE}],
            "period": 60,
            "evaluationPeriods": 1,
            "datapointsToAlarm": 1,
            "threshold": float(threshold),
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "missing",
        },
        None,
        read_only=False,
        agent="AWS Internal",
    )
    del eid
    kit.deploy(w, w.onset + timedelta(minutes=rng.randint(20, 40)), kit.FN_ROUTER)
    kit.import_key(
        w,
        w.onset - timedelta(minutes=rng.randint(60, 100)),
        w.partners[(w.partners.index(hourly) + 2) % 5],
        user,
    )
    kit.console_reads(
        w,
        rng.choice(["marco.bianchi", "aiko.tanaka"]),
        w.now - timedelta(minutes=rng.randint(3, 6)),
        [
            ("monitoring.amazonaws.com", "DescribeAlarmHistory", {"alarmName": name}),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.{w.region}.amazonaws.com/{w.account}/{kit.QUEUE}",
                    "attributeNames": ["All"],
                },
            ),
        ],
    )
    events = kit.evaluate(w)
    w.history = [
        h
        for h in w.history
        if h["AlarmName"] != name or h["Timestamp"] > kit.iso(created + timedelta(minutes=1))
    ]
    w.history.append(
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": kit.iso(created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{name}" created',
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "type": "Create",
                    "createdAlarm": {
                        "alarmName": name,
                        "namespace": "AWS/SQS",
                        "metricName": "ApproximateNumberOfMessagesVisible",
                        "threshold": float(threshold),
                        "period": 60,
                        "evaluationPeriods": 1,
                        "statistic": "Maximum",
                        "comparisonOperator": "GreaterThanThreshold",
                    },
                }
            ),
        }
    )
    w.history.append(
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": kit.iso(created + timedelta(seconds=50)),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from INSUFFICIENT_DATA to OK",
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {
                        "stateValue": "INSUFFICIENT_DATA",
                        "stateReason": "Unchecked: Initial alarm creation",
                    },
                    "newState": {
                        "stateValue": "OK",
                        "stateReason": f"Threshold Crossed: 1 datapoint [3.0] was not greater than the threshold ({float(threshold)}).",
                    },
                }
            ),
        }
    )
    ev = events.get(name + "#last")
    tz = {"eu-west-1": "Europe/Dublin", "eu-central-1": "Europe/Berlin", "us-east-2": "America/Chicago"}[
        w.region
    ]
    local = (ev["time"] if ev else w.now).astimezone(ZoneInfo(tz))
    question = (
        f"The new dispatch backlog alarm has paged me again ({local:%H:%M}), it seems to go off every hour. "
        "Are files to partners stuck or late? Nobody has complained yet but I'd rather know before they do."
    )
    trigger = {
        "question": question,
        "timezone": tz,
        "alarm_event": kit.alarm_event(w, new, ev) if ev else None,
    }
    truth: kit.Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return w.bundle(TITLE, trigger, truth)
