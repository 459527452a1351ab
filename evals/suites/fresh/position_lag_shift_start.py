"""No fault: the position-lag alarm fires as vans leave the depots and upload positions buffered overnight."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzm as kit

NAME = "position-lag-shift-start"
TITLE = "fleet position-lag alarm at the start of the early shift; new on-call asks if processing is behind"
SUMMARY = (
    "Every weekday as vans leave the depot yards their trackers flush positions buffered without signal; the "
    "custom device-timestamp lag metric spikes and its alarm fires while Kinesis and Lambda lag stay flat."
)


def build(seed: int) -> Bundle:
    w = kit.World(seed, NAME)
    r = w.rng
    # 05:40-06:10 local (BST, UTC+1) shift start
    onset = w.day + timedelta(hours=4, minutes=40 + r.randint(0, 30), seconds=r.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=r.randint(5, 30))
    now = onset + timedelta(minutes=r.randint(34, 48))
    end = now + timedelta(minutes=10)
    peak = r.uniform(1500, 2600)
    settle = timedelta(minutes=r.randint(22, 30))

    def lag(t: datetime) -> float:
        if t < onset:
            return r.uniform(4, 14)
        x = (t - onset) / settle
        if x > 1.2:
            return r.uniform(5, 16)
        return max(6.0, peak * (1 - abs(x - 0.35) / 0.85) * r.uniform(0.85, 1.1))

    def body(name: str, t: datetime) -> tuple[list[str], float] | None:
        if name != "positions-writer" or t < onset or (t - onset) / settle > 1.1:
            return kit.healthy_line(w, name, t)
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
        n = r.randint(300, 500)
        late = r.randint(n // 4, n - 20)
        oldest = int(lag(t) * r.uniform(2.5, 5.5))
        return [
            f"[INFO]\t{ts}\t{{rid}}\tbatch shard=shardId-00000000000{r.randint(0, 3)} records={n} upserted={n} "
            "skipped_stale=0\n",
            f"[INFO]\t{ts}\t{{rid}}\tlate positions in batch: {late} (device_ts older than 120s, oldest "
            f"{oldest}s, source=buffer_replay)\n",
        ], r.uniform(200, 540)

    got = kit.base(w, start, end, {}, {}, body)
    dims = {"Service": "positions-writer"}
    w.series("Northway/Fleet", "PositionLagP95", dims, "Seconds", start, end, lag)
    w.series(
        "Northway/Fleet",
        "ActiveVehicles",
        dims,
        "Count",
        start,
        end,
        lambda t: round(w.diurnal(t, 40, 2900) / 6),
    )
    kit.noise_changes(w, onset, start)
    # yesterday evening's release of positions-writer (last change to the function before this morning)
    fn = got["functions"]["positions-writer"]
    t_rel = start + timedelta(minutes=r.randint(10, 35))
    fn["LastModified"] = t_rel.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    gha = w.role_identity("github-actions-deploy", "GitHubActions", t_rel)
    w.ct(
        t_rel,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": "positions-writer",
            "publish": True,
            "s3Bucket": "northway-lambda-artifacts",
            "s3Key": f"positions-writer/{w.hex(40)}.zip",
        },
        {
            "functionName": "positions-writer",
            "functionArn": fn["FunctionArn"],
            "runtime": "python3.12",
            "version": str(r.randint(200, 260)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
    )
    w.tooling_reads(start, end, 55, list(kit.FUNCS))
    alarms = kit.base_alarms(w, start, got["dx_con"])
    lag_alarm = w.alarm(
        "fleet-position-lag-high",
        "Northway/Fleet",
        "PositionLagP95",
        dims,
        "Maximum",
        600,
        "GreaterThanThreshold",
        period=60,
        evals=3,
        since=start - timedelta(hours=r.randint(20, 22)),
        desc="Positions reaching the map more than 10 min after the device recorded them",
        unit="Seconds",
    )
    # the same alarm on earlier weekday mornings (kept in history; older than the telemetry here)
    for back in range(1, 6):
        day = onset - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        t1 = day.replace(minute=(day.minute + r.randint(-9, 9)) % 60) + timedelta(minutes=r.randint(4, 9))
        w.transition(
            lag_alarm,
            t1,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater "
            "than the threshold (600.0) (minimum 3 datapoints for OK -> ALARM transition).",
        )
        w.transition(
            lag_alarm,
            t1 + timedelta(minutes=r.randint(12, 22)),
            "ALARM",
            "OK",
            "Threshold Crossed: 3 "
            "out of the last 3 datapoints were not greater than the threshold (600.0) (minimum 3 "
            "datapoints for ALARM -> OK transition).",
        )
    fire = onset + timedelta(minutes=r.randint(3, 5), seconds=r.randint(0, 59))
    pts = [lag(fire - timedelta(minutes=i + 1)) for i in range(3)]
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints [{:.1f} ({}), {:.1f} ({}), {:.1f} ({})] were greater than "
        "the threshold (600.0) (minimum 3 datapoints for OK -> ALARM transition)."
    ).format(
        max(pts[0], 601.5),
        (fire - timedelta(minutes=1)).strftime("%d/%m/%y %H:%M:00"),
        max(pts[1], 640.2),
        (fire - timedelta(minutes=2)).strftime("%d/%m/%y %H:%M:00"),
        max(pts[2], 612.8),
        (fire - timedelta(minutes=3)).strftime("%d/%m/%y %H:%M:00"),
    )
    w.transition(lag_alarm, fire, "OK", "ALARM", reason)
    back_ok = onset + settle + timedelta(minutes=r.randint(1, 4))
    if back_ok < now:
        w.transition(
            lag_alarm,
            back_ok,
            "ALARM",
            "OK",
            "Threshold Crossed: 3 out of the last 3 datapoints were not "
            "greater than the threshold (600.0) (minimum 3 datapoints for ALARM -> OK transition).",
        )
    g = alarms["geofence-evaluator-duration"]
    ft = start + timedelta(minutes=r.randint(20, 100))
    w.transition(
        g,
        ft,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the "
        "threshold (140.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    w.transition(
        g,
        ft + timedelta(minutes=r.randint(3, 7)),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last "
        "2 datapoints were not greater than the threshold (140.0) (minimum 2 datapoints for ALARM -> OK "
        "transition).",
    )
    local = fire.astimezone(ZoneInfo("Europe/London"))
    q = (
        f"first week on call - fleet-position-lag-high paged me at {local:%H:%M}, says positions are 10+ min late. "
        "are we behind on processing the stream? do I need to add shards or anything? a release went out last "
        "night"
    )
    return w.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": q,
            "timezone": "Europe/London",
            "alarm_event": w.alarm_event(
                lag_alarm,
                fire,
                onset - timedelta(hours=23),
                "Threshold Crossed: 3 out of "
                "the last 3 datapoints were not greater than the threshold (600.0)",
            ),
        },
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
