"""Warehouse stock stops flowing: the wms-bridge EC2 instance's root volume fills, its forwarder
crash-loops on its checkpoint store, and warehouse deltas stop reaching the FIFO queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzq import Inc, Retail, local, stamp

NAME = "wms-bridge-disk-full-stops-stock-feed"
TITLE = "Site overselling: warehouse picks no longer lowering online stock"
SUMMARY = (
    "The wms-bridge instance's 20 GiB root volume filled with the forwarder's own logs; the forwarder "
    "cannot write its checkpoint database and crash-loops, so warehouse deltas stop entering the queue."
)


def _pylog(t: datetime, level: str, logger: str, msg: str) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} {level} {logger}: {msg}"


def build(seed: int) -> Bundle:
    i = Inc(seed, region="us-west-2")
    r = i.r
    i.window((16, 21), before_h=4.2, after_min=(50, 80))
    env = Retail(i)
    on = i.onset
    # innocent changes: a consumer deploy an hour before, a retention change, the nightly resync
    env.unrelated_deploy(on - timedelta(minutes=r.randint(55, 80)), env.fn_apply)
    env.unrelated_deploy(on - timedelta(minutes=r.randint(150, 200)), env.fn_report)
    i.ct(
        on - timedelta(minutes=r.randint(20, 40)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        env.person,
        {"logGroupName": f"API-Gateway-Execution-Logs_{env.api_id}/prod", "retentionInDays": 7},
        None,
        agent="console.amazonaws.com",
        ip="81.2.69." + str(r.randint(2, 200)),
    )
    i.ct(
        on + timedelta(minutes=r.randint(3, 12)),
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        i.role_identity("wms-bridge", env.instance, on - timedelta(hours=2)),
        {
            "instanceId": env.instance,
            "agentVersion": "3.3.1142.0",
            "platformType": "Linux",
            "platformName": "Amazon Linux",
            "platformVersion": "2023",
            "agentName": "amazon-ssm-agent",
            "availabilityZone": f"{i.region}b",
            "availabilityZoneId": "usw2-az2",
        },
        None,
        agent="aws-sdk-go/1.54.20 (go1.22.5; linux; amd64) amazon-ssm-agent/3.3.1142.0",
        ip=f"10.40.21.{r.randint(5, 250)}",
    )
    env.noise(r.randint(34, 44))
    env.resync_executions(
        [
            (
                i.start - timedelta(hours=h),
                i.start - timedelta(hours=h) + timedelta(minutes=r.randint(38, 55)),
                "SUCCEEDED",
                None,
                None,
            )
            for h in (r.randint(6, 10), 24 + r.randint(6, 10))
        ]
    )
    env.build_resources({env.fn_apply: env.fn_config(env.fn_apply, modified=on - timedelta(minutes=60))})

    lost = r.uniform(0.93, 1.0)

    def wms(t: datetime) -> float:
        return 1.0 if t < on else max(0.0, 1 - lost * min(1.0, (t - on).total_seconds() / 240))

    env.pipeline(wms=wms)

    # CloudWatch agent metrics on the bridge (the team ships these; nobody alarmed on them)
    d0 = r.uniform(79, 86)
    span = (on - i.start).total_seconds()
    disk = {"InstanceId": env.instance, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"}
    for t in i.minutes():
        frac = min(1.0, (t - i.start).total_seconds() / span)
        used = d0 + (100 - d0) * frac**1.15 if t < on else 100.0
        i.put(
            "CWAgent",
            "disk_used_percent",
            disk,
            t,
            "Percent",
            min(100.0, used + r.uniform(-0.05, 0.05)) if t < on else 100.0,
        )
        i.put(
            "CWAgent",
            "mem_used_percent",
            {"InstanceId": env.instance},
            t,
            "Percent",
            r.uniform(41, 47) if t < on else r.uniform(18, 26),
        )
    for t in i.minutes(5):
        i.put(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": env.instance},
            t,
            "Percent",
            r.uniform(9, 16) if t < on else r.uniform(3, 7),
        )
        i.put("AWS/EC2", "StatusCheckFailed", {"InstanceId": env.instance}, t, "Count", 0)
        i.put(
            "AWS/EC2",
            "NetworkOut",
            {"InstanceId": env.instance},
            t,
            "Bytes",
            r.uniform(2.5e6, 4e6) if t < on else r.uniform(1.5e5, 3e5),
        )

    # forwarder log (shipped by the agent from /var/log/wms-bridge/bridge.log)
    g, s = "/inventory/wms-bridge", f"{env.instance}/bridge.log"
    cursor = r.randint(40_000_000, 90_000_000)
    t = i.start + timedelta(seconds=r.randint(1, 50), milliseconds=r.randint(0, 999))
    while t < on:
        rows = max(1, round(i.diurnal(t, env.base_rate * 0.7)))
        cursor += rows
        i.log(
            g,
            s,
            t,
            _pylog(
                t,
                "INFO",
                "wms_bridge.poller",
                f"polled WMS export cursor={cursor} rows={rows} forwarded={rows} in {r.uniform(0.9, 2.6):.2f}s",
            ),
        )
        if r.random() < 0.04:
            i.log(
                g,
                s,
                t + timedelta(seconds=2),
                _pylog(
                    t + timedelta(seconds=2),
                    "WARNING",
                    "wms_bridge.sqs",
                    "SendMessageBatch partial failure 1/10 (ServiceUnavailable); retrying",
                ),
            )
        t += timedelta(seconds=60, milliseconds=r.randint(-400, 400))
    tf = on + timedelta(seconds=r.randint(2, 40))
    i.log(
        g,
        s,
        tf,
        _pylog(
            tf,
            "ERROR",
            "wms_bridge.checkpoint",
            f"failed to persist cursor={cursor} to /var/lib/wms-bridge/offsets.db",
        ),
    )
    i.log(
        g,
        s,
        tf,
        'Traceback (most recent call last):\n  File "/opt/wms-bridge/wms_bridge/checkpoint.py", line 58, in commit\n    self._db.execute("UPDATE offsets SET cursor=? WHERE feed=\'export\'", (cursor,))\nsqlite3.OperationalError: database or disk is full',
    )
    i.log(
        g,
        s,
        tf + timedelta(milliseconds=12),
        _pylog(
            tf + timedelta(milliseconds=12),
            "CRITICAL",
            "wms_bridge.main",
            "checkpoint store unavailable; exiting to avoid duplicate forwarding",
        ),
    )
    t = tf + timedelta(seconds=r.randint(30, 40))
    while t < i.now:
        i.log(
            g,
            s,
            t,
            _pylog(
                t,
                "INFO",
                "wms_bridge.main",
                "starting wms-bridge 3.4.1 (feed=export, queue=inventory-deltas.fifo)",
            ),
        )
        t2 = t + timedelta(milliseconds=r.randint(300, 900))
        i.log(
            g,
            s,
            t2,
            _pylog(
                t2,
                "ERROR",
                "wms_bridge.checkpoint",
                "could not open /var/lib/wms-bridge/offsets.db: database or disk is full",
            ),
        )
        i.log(
            g,
            s,
            t2,
            _pylog(
                t2,
                "CRITICAL",
                "wms_bridge.main",
                "checkpoint store unavailable; exiting to avoid duplicate forwarding",
            ),
        )
        t += timedelta(seconds=r.randint(31, 36), milliseconds=r.randint(0, 999))

    # the consumer keeps working on what it gets
    t = i.start + timedelta(seconds=r.randint(5, 90))
    stream = i.lambda_stream(t)
    first = True
    while t < i.now:
        lines = [
            (
                "INFO",
                f"Received batch of {r.randint(3, 10) if t > on else 10} records; message groups WH-{r.randint(100, 999):04d},API",
            )
        ]
        lines.append(("INFO", f"Applied deltas ({r.randint(0, 2)} conditional retries)"))
        if t > on - timedelta(minutes=60) and first:
            stream = i.lambda_stream(t)
        i.lambda_invocation(
            env.fn_apply,
            stream,
            t,
            lines,
            r.uniform(600, 1800),
            1024,
            r.randint(150, 210),
            init=r.uniform(600, 900) if (first and t > on - timedelta(minutes=60)) else None,
        )
        if t > on - timedelta(minutes=60):
            first = False
        t += timedelta(seconds=r.randint(90, 240))
    # webhook notifier, the usual flaky partner
    t = i.start + timedelta(seconds=r.randint(5, 90))
    nstream = i.lambda_stream(t)
    while t < i.now:
        if r.random() < 0.12:
            i.lambda_invocation(
                env.fn_notify,
                nstream,
                t,
                [
                    (
                        "ERROR",
                        "Webhook POST https://api.marketnest.com/inventory/v2/notify failed: ReadTimeout (attempt 3/3)",
                    )
                ],
                r.uniform(9000, 15000),
                256,
                84,
            )
        else:
            i.lambda_invocation(
                env.fn_notify,
                nstream,
                t,
                [("INFO", f"Delivered {r.randint(1, 10)} stock notifications")],
                r.uniform(200, 800),
                256,
                80,
            )
        t += timedelta(seconds=r.randint(150, 420))

    al = env.standard_alarms()
    env.flap(al["notify"], r.randint(2, 5))
    env.flap(al["api5xx"], 1)
    _ = stamp
    tz, off = "America/Los_Angeles", -8
    seen = on + timedelta(minutes=r.randint(25, 40))
    q = (
        f"Customer care says we're selling items online that the Reno DC already picked to zero, since roughly {local(seen - timedelta(minutes=30), off)}. "
        "Stock on the site just isn't dropping. Is DynamoDB replication broken again? Nothing has paged."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.instance,
            "category": "component_failure",
            "failure_mode": "root-volume-full",
        },
        "also_accept": ["wms-bridge", env.volume],
        "actions": ["restart", "reconfigure"],
        "chain": [env.instance, env.deltas, env.fn_apply, env.table],
    }
    return i.bundle(TITLE, q, None, truth, tz)
