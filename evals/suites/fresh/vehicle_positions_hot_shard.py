"""Morning roll-out: one Kinesis shard of vehicle-positions hits its per-shard write ceiling."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzm as kit

NAME = "vehicle-positions-hot-shard"
TITLE = "telematics-ingest errors alarm as the morning van roll-out peaks; Leeds vans stuck on the map"
SUMMARY = (
    "Producers key records by depot; as the two largest depots' vans roll out, the shard they hash to passes "
    "1,000 records/s and PutRecords is throttled for it while the stream as a whole is far from its capacity."
)


def build(seed: int) -> Bundle:
    w = kit.World(seed, NAME)
    r = w.rng
    start = w.day + timedelta(hours=2, minutes=r.randint(10, 40))
    onset = start + timedelta(hours=3, minutes=38 + r.randint(0, 25), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(35, 50))
    end = now + timedelta(minutes=10)
    hot_share = r.uniform(0.47, 0.52)
    # size the fleet so the hot shard's share reaches ~92% of 1,000 records/s at the onset (the shape of
    # kit.World.diurnal without its noise)
    h = onset.hour + onset.minute / 60 + 1
    shape = max(0.08, math.sin(max(0.0, min(1.0, (h - 5.0) / 15.0)) * math.pi))
    scale = 920 * 60 / hot_share / (900 + 16500 * shape)
    state: dict[datetime, float] = {}

    def throttled(t: datetime, incoming_per_min: float) -> float:
        """Records over the hot shard's 1,000/s ceiling in this minute (0 before the roll-out peak)."""
        if t < onset:
            return 0.0
        # sub-second bursts are throttled well before the minute's average reaches the ceiling
        over = incoming_per_min * hot_share / 60 - 880
        v = max(0.0, over) * 60 * r.uniform(0.8, 1.0)
        state[t] = round(v)
        return round(v)

    def incoming(t: datetime, v: float) -> float:
        return v if t < onset else round(v - throttled(t, v) * 0.85)

    def inbytes(t: datetime, v: float) -> float:
        return v if t < onset else v * (1 - state.get(t.replace(second=0), 0.0) * 0.85 / max(1.0, v / 415))

    def thr(t: datetime, v: float) -> float:
        return state.get(t.replace(second=0), 0.0)

    def wpte(t: datetime, v: float) -> float:
        return 0.0 if state.get(t.replace(second=0), 0.0) == 0 else round(r.uniform(0.18, 0.34), 3)

    def ing_err(t: datetime, v: float) -> float:
        return (
            v if t < onset else float(round(state.get(t.replace(second=0), 0.0) / 500 * r.uniform(0.2, 0.3)))
        )

    def ing_inv(t: datetime, v: float) -> float:
        return v if t < onset else v * r.uniform(1.25, 1.4)  # the gateway retries rejected batches

    def ing_dur(t: datetime, v: float) -> float:
        return v if t < onset else v * r.uniform(3.0, 4.2)  # SDK backoff inside the handler

    K, L = "AWS/Kinesis", "AWS/Lambda"
    sn = "vehicle-positions"
    mods: dict[str, kit.Mod] = {
        kit.key(K, "IncomingRecords", sn): incoming,
        kit.key(K, "PutRecords.ThrottledRecords", sn): thr,
        kit.key(K, "IncomingBytes", sn): inbytes,
        kit.key(K, "WriteProvisionedThroughputExceeded", sn): wpte,
        kit.key(L, "Errors", "telematics-ingest"): ing_err,
        kit.key(L, "Invocations", "telematics-ingest"): ing_inv,
        kit.key(L, "Duration", "telematics-ingest"): ing_dur,
    }

    def body(name: str, t: datetime) -> tuple[list[str], float] | None:
        if name != "telematics-ingest" or t < onset + timedelta(minutes=1):
            return kit.healthy_line(w, name, t)
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
        n = r.randint(200, 500)
        failed = r.randint(n // 3, n // 2)
        lines = [
            f"[WARNING]\t{ts}\t{{rid}}\tput_records stream=vehicle-positions records={n} failed={failed} "
            f"error_codes={{'ProvisionedThroughputExceededException': {failed}}} attempt=1\n",
            f"[WARNING]\t{ts}\t{{rid}}\tput_records stream=vehicle-positions records={failed} "
            f"failed={failed // 2} error_codes={{'ProvisionedThroughputExceededException': {failed // 2}}} "
            "attempt=2\n",
        ]
        if r.random() < 0.55:
            lines.append(
                f"[ERROR]\t{ts}\t{{rid}}\tgiving up on {failed // 3} records after 3 attempts; first error: "
                f"Rate exceeded for shard shardId-000000000002 in stream vehicle-positions under account "
                f"{w.account}. depots={{'LEE': {failed // 5}, 'BHX': {failed // 9}}}\n"
            )
            lines.append(
                f"[ERROR] PartialPutFailure: {failed // 3} of {n} records not accepted by vehicle-positions\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/ingest.py", line 58, in handler\n'
                '    raise PartialPutFailure(f"{len(pending)} of {len(records)} records not accepted by {STREAM}")\n'
            )
        else:
            lines.append(
                f"[INFO]\t{ts}\t{{rid}}\tput_records stream=vehicle-positions records={failed // 2} "
                "failed=0 attempt=3\n"
            )
        return lines, r.uniform(180, 420)

    env = {
        "telematics-ingest": {
            "STREAM_NAME": sn,
            "PARTITION_KEY_FIELD": "depot_code",
            "MAX_PUT_ATTEMPTS": "3",
            "LOG_LEVEL": "INFO",
        }
    }
    got = kit.base(w, start, end, mods, env, body, scale=scale)
    # the writer reads fine: stream-level read side unchanged; consumer lag for the hot shard is short of new data
    kit.noise_changes(w, onset, start)
    # an innocent Kinesis change: retention raised for a replay job yesterday afternoon is still in CloudTrail
    t_ret = start + timedelta(minutes=r.randint(15, 45))
    w.ct(
        t_ret,
        "kinesis.amazonaws.com",
        "IncreaseStreamRetentionPeriod",
        w.sso("arjun.patel", t_ret, "PowerUserAccess"),
        {"streamName": sn, "retentionPeriodHours": 48},
        None,
        read_only=False,
        agent="[Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36]",
    )
    w.ct(
        t_ret + timedelta(hours=1, minutes=r.randint(5, 40)),
        "kinesis.amazonaws.com",
        "DecreaseStreamRetentionPeriod",
        w.sso("arjun.patel", t_ret + timedelta(hours=1)),
        {"streamName": sn, "retentionPeriodHours": 24},
        None,
        read_only=False,
        agent="[Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36]",
    )
    t_dep = onset - timedelta(minutes=r.randint(40, 75))
    gha = w.role_identity("github-actions-deploy", "GitHubActions", t_dep)
    w.ct(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": "geofence-evaluator",
            "publish": True,
            "s3Bucket": "northway-lambda-artifacts",
            "s3Key": f"geofence-evaluator/{w.hex(40)}.zip",
        },
        {
            "functionName": "geofence-evaluator",
            "functionArn": w.arn("lambda", "function:geofence-evaluator"),
            "runtime": "nodejs20.x",
            "version": str(r.randint(100, 180)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
    )
    w.tooling_reads(start, end, 65, list(kit.FUNCS))
    alarms = kit.base_alarms(w, start, got["dx_con"])
    a = alarms["telematics-ingest-errors"]
    fire = onset + timedelta(minutes=r.randint(5, 8), seconds=r.randint(0, 59))
    vals = [r.randint(24, 60) for _ in range(3)]
    stamps = [(fire - timedelta(minutes=i + 1)).strftime("%d/%m/%y %H:%M:00") for i in range(3)]
    w.transition(
        a,
        fire,
        "OK",
        "ALARM",
        f"Threshold Crossed: 3 out of the last 3 datapoints [{vals[0]}.0 ({stamps[0]}), {vals[1]}.0 ({stamps[1]}), "
        f"{vals[2]}.0 ({stamps[2]})] were greater than the threshold (20.0) (minimum 3 datapoints for OK -> ALARM "
        "transition).",
    )
    g = alarms["geofence-evaluator-duration"]
    ft = t_dep + timedelta(minutes=r.randint(2, 6))
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
        ft + timedelta(minutes=r.randint(4, 9)),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last "
        "2 datapoints were not greater than the threshold (140.0) (minimum 2 datapoints for ALARM -> OK "
        "transition).",
    )
    local = onset.astimezone(ZoneInfo("Europe/London"))
    q = (
        f"Leeds transport office says a lot of their vans have been jumping around or sitting still on the map "
        f"since about {local:%H:%M}. Birmingham maybe too. other depots look ok?"
    )
    sarn = got["stream_arn"]
    return w.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": q,
            "timezone": "Europe/London",
            "alarm_event": w.alarm_event(
                a,
                fire,
                start - timedelta(days=4),
                "Threshold Crossed: 3 out of the last 3 "
                "datapoints were not greater than the threshold (20.0)",
            ),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": sn,
                "category": "limit",
                "failure_mode": "kinesis-hot-shard-write-throughput",
            },
            "also_accept": [sarn, "shardId-000000000002"],
            "actions": ["scale", "reconfigure"],
            "chain": [sn, "shardId-000000000002", "telematics-ingest", "positions-writer"],
        },
    )
