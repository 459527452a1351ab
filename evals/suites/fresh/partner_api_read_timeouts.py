"""One partner's inbound API stops answering; deliveries to it time out and dead-letter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzn as kit

NAME = "filehub-one-partner-deliveries-timing-out"
TITLE = "filehub-partner-push errors alarm an hour after a push release; should we roll it back?"
SUMMARY = (
    "One partner's HTTPS intake API stops responding; the push function's calls to that host hit their "
    "read timeout, retries fail, and that partner's files dead-letter while every other partner is fine."
)


def build(seed: int) -> Bundle:
    w = kit.new_world(seed, salt=NAME, onset_hour=(12, 15), after_min=(40, 65))
    rng = w.rng
    bad = w.partners[rng.randint(0, 4)]
    host = kit.host_of(bad)
    deploy_at = w.onset - timedelta(minutes=rng.randint(35, 75))

    def rate(t: datetime, p: str) -> float:
        return rng.choice([1.1, 1.3, 1.6]) if p == bad else 1.0

    def secs(t: datetime, p: str) -> float:
        if p == bad and t >= w.onset:
            return 30.0 + rng.uniform(0.05, 0.6)
        return rng.uniform(3, 16)

    def fail(t: datetime, p: str) -> float:
        if p != bad or t < w.onset:
            return 0.004
        return 0.97

    def line(h: str) -> str:
        if h != host:
            return f"delivery to https://{h}/ failed: HTTP 502 Bad Gateway; will retry"
        return (
            f"ReadTimeout: HTTPSConnectionPool(host='{h}', port=443): Read timed out. (read timeout=30)\n"
            "Traceback (most recent call last):\n"
            '  File "/var/task/push.py", line 88, in handler\n    resp = session.post(url, data=body, headers=headers, timeout=(5, 30))\n'
            '  File "/var/task/requests/sessions.py", line 637, in post\n    return self.request("POST", url, data=data, json=json, **kwargs)\n'
            '  File "/var/task/requests/adapters.py", line 713, in send\n    raise ReadTimeout(e, request=request)'
        )

    k = kit.Knobs(upload_rate=rate, push_seconds=secs, push_fail=fail, push_fail_line=line)
    kit.simulate(w, k)
    kit.resources(w, visibility=720, push_timeout=120)
    alarms = kit.standard_alarms(w)
    kit.noise(w)
    kit.deploy(w, deploy_at, kit.FN_PUSH)
    cfg_user = rng.choice(["ines.duarte", "tom.reyes"])
    ident = kit.sso(w, cfg_user)
    w.trail(
        deploy_at + timedelta(minutes=3, seconds=rng.randint(0, 59)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        w.role_identity("github-actions-filehub-deploy", f"GitHubActions-{rng.randint(10**9, 10**10)}"),
        {
            "functionName": kit.FN_PUSH,
            "environment": {},
            "description": "Delivers routed files to partner HTTPS APIs",
        },
        {
            "functionName": kit.FN_PUSH,
            "functionArn": w.arn("lambda", f"function:{kit.FN_PUSH}"),
            "runtime": "python3.12",
            "timeout": 120,
            "memorySize": 512,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "environment": {},
        },
        read_only=False,
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    kit.import_key(
        w,
        w.onset - timedelta(minutes=rng.randint(90, 150)),
        w.partners[(w.partners.index(bad) + 1) % 5],
        cfg_user,
    )
    w.trail(
        w.onset - timedelta(minutes=rng.randint(10, 25), seconds=rng.randint(0, 59)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        ident,
        {
            "alarmName": f"{w.db_id}-free-storage-low",
            "namespace": "AWS/RDS",
            "metricName": "FreeStorageSpace",
            "dimensions": [{"name": "DBInstanceIdentifier", "value": w.db_id}],
            "statistic": "Minimum",
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 10737418240.0,
            "comparisonOperator": "LessThanThreshold",
            "alarmActions": [w.arn("sns", "filehub-oncall")],
        },
        None,
        read_only=False,
        agent="AWS Internal",
    )
    kit.console_reads(
        w,
        rng.choice(["marco.bianchi", "aiko.tanaka"]),
        w.now - timedelta(minutes=rng.randint(6, 12)),
        [
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": kit.FN_PUSH}),
            ("lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": kit.FN_PUSH}),
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": "filehub-partner-push-errors"},
            ),
            (
                "logs.amazonaws.com",
                "DescribeLogStreams",
                {
                    "logGroupName": f"/aws/lambda/{kit.FN_PUSH}",
                    "orderBy": "LastEventTime",
                    "descending": True,
                },
            ),
        ],
    )
    events = kit.evaluate(w)
    pa = alarms["push"]
    ev = events.get(pa["AlarmName"])
    tz = {"eu-west-1": "Europe/Dublin", "eu-central-1": "Europe/Berlin", "us-east-2": "America/Chicago"}[
        w.region
    ]
    local = deploy_at.astimezone(ZoneInfo(tz))
    question = (
        f"Push errors alarm just paged. We shipped a new filehub-partner-push build around {local:%H:%M} "
        "(the retry/backoff refactor). Did the release break partner deliveries? Should I roll it back?"
    )
    trigger = {
        "question": question,
        "timezone": tz,
        "alarm_event": kit.alarm_event(w, pa, ev) if ev else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": host,
            "category": "dependency_failure",
            "failure_mode": "partner-api-read-timeouts",
        },
        "also_accept": [bad, f"https://{host}/"],
        "actions": ["exclude"],
        "chain": [host, kit.FN_PUSH, kit.QUEUE, kit.DLQ],
    }
    return w.bundle(TITLE, trigger, truth)
