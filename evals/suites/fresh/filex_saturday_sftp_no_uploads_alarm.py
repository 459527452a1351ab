"""No fault: the SFTP no-uploads alarm treats missing data as breaching, and on Saturdays partners send only an
early-morning batch, so it fires around midday every weekend while the server keeps accepting logins."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzs as k

NAME = "filex-saturday-sftp-no-uploads-alarm"
TITLE = "filex-sftp-no-uploads paged on Saturday; are partners locked out of SFTP?"
SUMMARY = (
    "Weekend partner batches finish early in the morning; an hour with no FilesIn datapoint (missing data "
    "treated as breaching) trips the no-uploads alarm as on previous Saturdays, while polling sessions still "
    "authenticate and the rest of the exchange is healthy."
)


def build(seed: int) -> Bundle:
    probe = k.Ctx(seed, NAME, datetime(2026, 1, 1, tzinfo=k.UTC), timedelta(0), timedelta(0))
    day = k.onset_for(probe.rng, 5, (10, 12))
    onset = day.replace(minute=0)
    c = k.Ctx(
        seed,
        NAME,
        onset,
        timedelta(hours=4, minutes=probe.rng.randint(0, 40)),
        timedelta(minutes=probe.rng.randint(32, 50)),
    )
    r = c.rng
    k.resources(c)
    last_upload = onset - timedelta(minutes=r.randint(63, 80))

    def rate(t: datetime) -> float:
        if t > last_upload:
            return 0.0
        return 0.35 if t.minute < 20 else 0.08

    conc = k.simulate(c, rate, k.ok_ingest, lifetime=(20, 60))
    k.dispatch_runs(c)
    k.rds_metrics(c, conc)
    # partners' schedulers keep polling their outbound folders: log in, list, nothing to fetch, log out
    for p, every in (("northgate-clearing", 15), ("meridian-cards", 30), ("fenwick-fx", 20)):
        t = c.start + timedelta(minutes=r.randint(0, every), seconds=r.randint(0, 59))
        while t < c.now:
            k.transfer_session(c, t, p, [])
            t += timedelta(minutes=every, seconds=r.randint(-20, 20))
    k.background_trail(c, 45)

    ops = c.identity(
        "AWSReservedSSO_PlatformOps_5d2e8f1a7b3c9046", "gareth.lloyd@northbank.example", sso=True
    )
    t1 = last_upload - timedelta(minutes=r.randint(70, 110))
    c.trail(
        t1 - timedelta(minutes=3),
        ops,
        "transfer.amazonaws.com",
        "DescribeSecurityPolicy",
        {"securityPolicyName": "TransferSecurityPolicy-2024-01"},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="10.40.70.44",
    )
    c.trail(
        t1,
        ops,
        "transfer.amazonaws.com",
        "UpdateServer",
        {"serverId": c.server_id, "securityPolicyName": "TransferSecurityPolicy-2024-01"},
        {"serverId": c.server_id},
        read_only=False,
        agent="AWS Internal",
        ip="10.40.70.44",
    )
    c.trail(
        t1 + timedelta(minutes=4),
        ops,
        "transfer.amazonaws.com",
        "DescribeServer",
        {"serverId": c.server_id},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="10.40.70.44",
    )
    c.trail(
        t1 + timedelta(minutes=9),
        ops,
        "logs.amazonaws.com",
        "FilterLogEvents",
        {
            "logGroupName": f"/aws/transfer/{c.server_id}",
            "filterPattern": "AUTH_FAILURE",
            "startTime": k.ms(t1),
            "endTime": k.ms(t1 + timedelta(minutes=9)),
        },
        None,
        read_only=True,
        agent="AWS Internal",
        ip="10.40.70.44",
    )
    c.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": f"{k.CLUSTER}-1",
                "SourceType": "db-instance",
                "Message": "Backing up DB instance",
                "EventCategories": ["backup"],
                "Date": k.iso(c.start + timedelta(minutes=r.randint(5, 40))),
                "SourceArn": c.arn("rds", f"db:{k.CLUSTER}-1"),
            },
        }
    )

    k.standard_alarms(c)
    # the same alarm on earlier weekends (history before the window)
    name = "filex-sftp-no-uploads"
    for weeks in (2, 1):
        fired = (
            onset
            - timedelta(weeks=weeks)
            + timedelta(minutes=r.choice((-60, 0, 60)), seconds=r.randint(10, 40))
        )
        cleared = fired.replace(hour=r.randint(5, 6)) + timedelta(days=2, seconds=r.randint(0, 50))
        for t, old, new, why in (
            (
                fired,
                "OK",
                "ALARM",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
            ),
            (
                cleared,
                "ALARM",
                "OK",
                "Threshold Crossed: 1 datapoint [3.0 ("
                + f"{cleared:%d/%m/%y %H}:00:00"
                + ")] was not less than the threshold (1.0).",
            ),
        ):
            c.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": k.iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": old},
                            "newState": {"stateValue": new, "stateReason": why},
                        }
                    ),
                }
            )
    event = c.alarm_event(name)
    local = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/London"))
    q = (
        f"filex-sftp-no-uploads paged me at {local:%H:%M}. Are the partners locked out of the SFTP server? "
        "Someone changed the server's security policy this morning, could that be it?"
    )
    return c.bundle(
        TITLE,
        {"question": q, "alarm_event": event, "timezone": "Europe/London"},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
