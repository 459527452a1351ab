"""A partner's bulk SFTP backfill fans out the router Lambda until MySQL refuses connections."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzn as kit

NAME = "filehub-backfill-router-too-many-connections"
TITLE = "Partner says half of their re-sent files never showed up in the tracking portal; ingest router errors alarm"
SUMMARY = (
    "A partner re-uploads weeks of files over SFTP at once; S3 events fan the router Lambda out to hundreds of "
    "environments, each holding a MySQL connection, and the small instance's max_connections refuses the rest."
)


def build(seed: int) -> Bundle:
    w = kit.new_world(seed, salt=NAME, onset_hour=(8, 16), after_min=(40, 60))
    rng = w.rng
    big = w.partners[rng.randint(0, 4)]
    burst_len = rng.randint(22, 34)
    burst_rate = rng.uniform(170, 260)
    max_conn = rng.choice([150, 150, 170])
    cls = "db.t3.small" if max_conn == 150 else "db.t4g.small"

    def in_burst(t: datetime) -> bool:
        return w.onset <= t < w.onset + timedelta(minutes=burst_len)

    def rate(t: datetime, p: str) -> float:
        if p == big and in_burst(t):
            return burst_rate
        return 1.2 if p != big else 0.6

    def secs(t: datetime, p: str) -> float:
        return rng.uniform(3, 15)

    def extra(t: datetime) -> float:
        return rng.uniform(250, 900) if in_burst(t) else 0.0

    def burst(t: datetime) -> float:
        return rng.uniform(0.55, 0.8) if in_burst(t) else 0.0

    def cap(t: datetime) -> int:
        return 600

    k = kit.Knobs(
        upload_rate=rate,
        push_seconds=secs,
        router_extra_ms=extra,
        router_burst=burst,
        max_connections=max_conn,
        push_capacity=cap,
    )
    stats = kit.simulate(w, k)
    kit.resources(w, visibility=720, push_timeout=120, db_class=cls)
    alarms = kit.standard_alarms(w)
    kit.noise(w)
    kit.deploy(w, w.onset - timedelta(minutes=rng.randint(50, 100)), kit.FN_PUSH)
    kit.import_key(
        w,
        w.onset - timedelta(minutes=rng.randint(60, 120)),
        big,
        rng.choice(["priya.natarajan", "tom.reyes"]),
    )
    w.trail(
        w.onset - timedelta(minutes=rng.randint(15, 40), seconds=rng.randint(0, 59)),
        "rds.amazonaws.com",
        "AddTagsToResource",
        kit.sso(w, "finops.bot"),
        {"resourceName": w.arn("rds", f"db:{w.db_id}"), "tags": [{"key": "cost-centre", "value": "CC-4410"}]},
        None,
        read_only=False,
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023",
    )
    kit.console_reads(
        w,
        rng.choice(["marco.bianchi", "aiko.tanaka"]),
        w.now - timedelta(minutes=rng.randint(5, 12)),
        [
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": w.db_id}),
            (
                "rds.amazonaws.com",
                "DescribeEvents",
                {"sourceIdentifier": w.db_id, "sourceType": "db-instance"},
            ),
            ("lambda.amazonaws.com", "GetFunctionConcurrency", {"functionName": kit.FN_ROUTER}),
        ],
    )
    # the MySQL error log: aborted connections from environments reaped after the burst
    lines = []
    t = w.start + timedelta(minutes=rng.randint(5, 30))
    while t < w.now:
        burst_now = in_burst(t) or w.onset + timedelta(minutes=burst_len) <= t < w.onset + timedelta(
            minutes=burst_len + 12
        )
        gap = rng.randint(1, 10) if burst_now else rng.randint(20, 60)
        if t > w.onset + timedelta(minutes=burst_len) and burst_now:
            for _ in range(rng.randint(3, 9)):
                lines.append(
                    f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(100000, 999999)}Z {rng.randint(2000, 90000)} [Note] [MY-010914] [Server] "
                    f"Aborted connection {rng.randint(200000, 900000)} to db: 'filehub' user: 'filehub_app' host: '10.40.{rng.randint(1, 2)}.{rng.randint(10, 250)}' (Got an error reading communication packets)."
                )
        else:
            lines.append(
                f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(100000, 999999)}Z {rng.randint(2000, 90000)} [Note] [MY-010914] [Server] "
                f"Aborted connection {rng.randint(200000, 900000)} to db: 'filehub' user: 'filehub_app' host: '10.40.{rng.randint(1, 2)}.{rng.randint(10, 250)}' (Got an error reading communication packets)."
            )
        t += timedelta(minutes=gap, seconds=rng.randint(0, 59))
    w.resource(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": w.db_id,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": kit.ms(w.now - timedelta(minutes=2)),
            "Size": sum(len(x) + 1 for x in lines),
            "Data": "\n".join(lines) + "\n",
        },
    )
    events = kit.evaluate(w)
    ra = alarms["router"]
    ev = events.get(ra["AlarmName"])
    tz = {"eu-west-1": "Europe/London", "eu-central-1": "Europe/Berlin", "us-east-2": "America/New_York"}[
        w.region
    ]
    local = (w.onset - timedelta(minutes=rng.randint(0, 5))).astimezone(ZoneInfo(tz))
    lost = len(stats.get("lost", []))
    question = (
        f"{big.capitalize()} re-sent their backlog over SFTP at about {local:%H:%M} and say their upload client "
        f"shows every file as transferred, but a lot of them (they think {max(300, lost // 100 * 100)}+) aren't in the "
        "tracking portal or delivered downstream. Is the SFTP server dropping files?"
    )
    trigger = {
        "question": question,
        "timezone": tz,
        "alarm_event": kit.alarm_event(w, ra, ev) if ev else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": w.db_id,
            "category": "limit",
            "failure_mode": "mysql-max-connections-exhausted",
        },
        "also_accept": [w.arn("rds", f"db:{w.db_id}")],
        "actions": ["scale", "reconfigure"],
        "chain": [w.db_id, kit.FN_ROUTER, w.bucket, kit.QUEUE],
    }
    return w.bundle(TITLE, trigger, truth)
