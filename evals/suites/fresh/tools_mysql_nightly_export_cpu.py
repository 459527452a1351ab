"""A night-time CPU page on the tools database that is the nightly reporting export, as every night."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzi import (
    Ctx,
    Estate,
    Shape,
    healthy_targets,
    iso,
    local_offset,
    patch_scan,
    telemetry,
    tooling_trail,
)

NAME = "tools-mysql-nightly-export-cpu"
TITLE = "Paged overnight for tools-mysql-prod CPU; is something hammering the database?"
SUMMARY = (
    "The reports-etl host's cron export runs its heavy joins against tools-mysql-prod every night at 02:00 "
    "local; CPU crosses the alarm for half an hour and recovers, as on previous nights. No fault."
)

TZ = "America/Chicago"


class _Shape(Shape):
    def __init__(self, c: Ctx, e: Estate, tz: int, onset: datetime, dur: int, peak: float) -> None:
        super().__init__(c, e, tz)
        self.onset = onset
        self.dur = dur
        self.peak = peak

    def _etl(self, t: datetime) -> float:
        m = (t - self.onset).total_seconds() / 60
        if m < 0 or m > self.dur:
            return 0.0
        return min(1.0, m / 4, (self.dur - m) / 3)

    def db_cpu(self, t: datetime) -> float:
        return super().db_cpu(t) + self.peak * self._etl(t)

    def db_read_iops(self, t: datetime) -> float:
        return super().db_read_iops(t) + 2600 * self._etl(t)

    def db_connections(self, t: datetime) -> float:
        return super().db_connections(t) + 4 * (self._etl(t) > 0)

    def instance_cpu(self, i: str, t: datetime) -> float | None:
        if i == self.e.reports:
            return 2.5 + 38 * self._etl(t)
        return super().instance_cpu(i, t)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    e = Estate(c)
    tzh = local_offset(TZ, c.day)
    local_onset = c.day.replace(hour=2, minute=0, second=0)
    onset = local_onset - timedelta(hours=tzh)
    dur = r.randint(31, 40)
    c.start = onset - timedelta(hours=3, minutes=r.randint(30, 50))
    c.now = onset + timedelta(minutes=dur + r.randint(6, 14))
    peak = r.uniform(78, 86)
    s = _Shape(c, e, tzh, onset, dur, peak)

    e.add_resources()
    e.standard_records()
    telemetry(c, s)
    healthy_targets(c, e)
    tooling_trail(c, e, r.randint(40, 60))
    patch_scan(c, e, c.start + timedelta(minutes=r.randint(5, 30)))
    eng = r.choice(["kayla.morris", "diego.alvarez", "ben.carter"])
    sso = c.role_identity("AWSReservedSSO_ToolsAdmin_" + c.hexid(16), f"{eng}@corp.example")
    web = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"
    late = onset - timedelta(hours=2, minutes=r.randint(0, 50))
    c.ct(
        late,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        sso,
        {
            "groupId": e.sg_ci,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": "10.8.0.0/16"}]},
                    }
                ]
            },
        },
        {"requestId": c.uid(), "_return": True},
        agent=web,
    )
    c.ct(
        late + timedelta(minutes=3),
        "ssm.amazonaws.com",
        "UpdateAssociation",
        sso,
        {
            "associationId": c.uid(),
            "scheduleExpression": "cron(0 30 4 ? * SUN *)",
            "associationName": "cwagent-config-refresh",
        },
        {
            "associationDescription": {
                "name": "AmazonCloudWatch-ManageAgent",
                "associationVersion": "4",
                "scheduleExpression": "cron(0 30 4 ? * SUN *)",
            }
        },
        agent=web,
    )
    ci = c.role_identity("github-actions-deploy", "gha-" + c.hexid(8))
    c.ct(
        onset - timedelta(minutes=r.randint(70, 120)),
        "ssm.amazonaws.com",
        "SendCommand",
        ci,
        {
            "documentName": "AWS-RunShellScript",
            "instanceIds": e.agents,
            "comment": "rotate build caches",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "timeoutSeconds": 900,
        },
        {"command": {"commandId": c.uid(), "documentName": "AWS-RunShellScript", "status": "Pending"}},
        agent="aws-sdk-js/3.600.0 ua/2.0 os/linux lang/js md/nodejs#20.15.0 api/ssm#3.600.0",
        ip="4.227.130.17",
    )
    oncall = c.role_identity("AWSReservedSSO_ToolsReadOnly_" + c.hexid(16), f"{eng}@corp.example")
    page = onset + timedelta(minutes=16)
    looks: list[tuple[str, str, dict[str, Any] | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["tools-mysql-prod-cpu-high"]}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": e.db}),
        ("rds.amazonaws.com", "DescribeEvents", {"sourceIdentifier": e.db, "sourceType": "db-instance"}),
        ("pi.amazonaws.com", "DescribeDimensionKeys", None),
    ]
    for k, (src, name, req) in enumerate(looks):
        c.ct(page + timedelta(minutes=3 + k), src, name, oncall, req, None, read_only=True, agent=web)

    # Logs: cron + the export's own log on reports-etl; slow query log on the instance
    rep = e.reports
    ip = e.ips[rep]
    host = f"ip-{ip.replace('.', '-')}"
    t = c.start + timedelta(minutes=r.randint(0, 10))
    while t < c.now:
        if t.minute % 10 == 0:
            c.log(
                "/tools/ec2/cron",
                f"{rep}/cron",
                t,
                f"{t.strftime('%b %d %H:%M:%S')} {host} CROND[{r.randint(20000, 60000)}]: (root) CMD (/usr/lib64/sa/sa1 1 1)",
            )
        t += timedelta(minutes=1)
    c.log(
        "/tools/ec2/cron",
        f"{rep}/cron",
        onset + timedelta(seconds=1),
        f"{onset.strftime('%b %d %H:%M:%S')} {host} CROND[{r.randint(20000, 60000)}]: (etl) CMD (/opt/reports/bin/nightly_export.sh >> /var/log/reports/export.log 2>&1)",
    )
    tables = ["tickets", "ticket_events", "wiki_pages", "page_views", "users", "assets"]
    tt = onset + timedelta(seconds=2)
    rows_total = 0
    c.log(
        "/tools/reports/export",
        f"{rep}/export.log",
        tt,
        f"{tt.strftime('%Y-%m-%d %H:%M:%S')} INFO nightly_export starting run_id={c.hexid(8)} target=mysql.tools.internal",
    )
    for tb in tables:
        n = r.randint(200_000, 4_000_000)
        rows_total += n
        tt += timedelta(seconds=int(dur * 60 / len(tables) * r.uniform(0.8, 1.1)))
        c.log(
            "/tools/reports/export",
            f"{rep}/export.log",
            tt,
            f"{tt.strftime('%Y-%m-%d %H:%M:%S')} INFO extracted table={tb} rows={n} ",
        )
    end = onset + timedelta(minutes=dur, seconds=r.randint(0, 50))
    c.log(
        "/tools/reports/export",
        f"{rep}/export.log",
        end,
        f"{end.strftime('%Y-%m-%d %H:%M:%S')} INFO nightly_export finished rows={rows_total} elapsed={dur}m{r.randint(0, 59)}s status=ok",
    )
    slow = []
    qt = onset + timedelta(minutes=3)
    while qt < onset + timedelta(minutes=dur - 2):
        q = r.uniform(12, 95)
        slow.append(
            f"# Time: {qt.strftime('%Y-%m-%dT%H:%M:%S')}.{r.randint(100000, 999999)}Z\n"
            f"# User@Host: reports_etl[reports_etl] @  [{ip}]  Id: {r.randint(90000, 99999)}\n"
            f"# Query_time: {q:.6f}  Lock_time: 0.000004 Rows_sent: {r.randint(10000, 900000)}  Rows_examined: {r.randint(2_000_000, 30_000_000)}\n"
            f"SET timestamp={int(qt.timestamp())};\n"
            f"SELECT t.*, e.* FROM {r.choice(['tickets', 'wiki_pages', 'page_views'])} t JOIN ticket_events e ON e.ticket_id = t.id "
            "WHERE t.updated_at >= DATE_SUB(CURDATE(), INTERVAL 400 DAY);\n"
        )
        qt += timedelta(seconds=r.randint(90, 300))
    c.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": e.db,
            "LogFileName": "slowquery/mysql-slowquery.log",
            "LastWritten": int(qt.timestamp() * 1000),
            "Size": sum(len(x) for x in slow),
            "Data": "".join(slow),
        },
    )
    c.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": e.db,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": int((c.start - timedelta(days=2)).timestamp() * 1000),
            "Size": 0,
            "Data": "",
        },
    )

    # Alarms: the same alarm fired at this hour on previous nights
    fire = onset + timedelta(minutes=15)
    clear = onset + timedelta(minutes=dur + 1)
    reason_a = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{peak + 9:.4f} ({iso(fire - timedelta(minutes=5))[:-1]}+0000), "
        f"{peak + 8:.4f} ({iso(fire - timedelta(minutes=10))[:-1]}+0000), {peak + 6:.4f} ({iso(fire - timedelta(minutes=15))[:-1]}+0000)] "
        "were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    reason_ok = (
        f"Threshold Crossed: 1 out of the last 3 datapoints [{r.uniform(12, 20):.4f} ({iso(clear - timedelta(minutes=5))[:-1]}+0000)] "
        "was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    cpu = c.alarm(
        "tools-mysql-prod-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": e.db},
        "Average",
        80,
        "GreaterThanThreshold",
        300,
        3,
        "OK" if c.now >= clear else "ALARM",
        clear if c.now >= clear else fire,
        reason_ok if c.now >= clear else reason_a,
        e.topic,
        "tools-mysql-prod CPU high",
    )
    for d in range(1, 6):
        f0 = fire - timedelta(days=d, minutes=r.randint(-3, 4))
        c.hist(
            cpu["AlarmName"],
            f0,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0).",
        )
        c.hist(
            cpu["AlarmName"],
            f0 + timedelta(minutes=r.randint(16, 26)),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (80.0).",
        )
    c.hist(cpu["AlarmName"], fire, "OK", "ALARM", reason_a)
    if c.now >= clear:
        c.hist(cpu["AlarmName"], clear, "ALARM", "OK", reason_ok)
    c.alarm(
        "tools-portal-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": e.tg_portal, "LoadBalancer": e.lb},
        "Sum",
        50,
        "GreaterThanThreshold",
        60,
        3,
        "OK",
        c.start - timedelta(days=6),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0).",
        e.topic,
        "tools portal target 5xx",
        missing="notBreaching",
    )
    c.alarm(
        "jenkins-controller-status-check",
        "AWS/EC2",
        "StatusCheckFailed_Instance",
        {"InstanceId": e.jenkins},
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        60,
        2,
        "OK",
        c.start - timedelta(days=30),
        "Threshold Crossed: 2 datapoints were not greater than or equal to the threshold (1.0).",
        e.topic,
        "jenkins status check",
    )
    ev_alarm = dict(cpu)
    ev_alarm["StateReason"] = reason_a
    event = c.alarm_event(ev_alarm, fire, "OK", fire - timedelta(days=1) + timedelta(minutes=20))
    question = (
        "Got paged for tools-mysql-prod CPU at 2:15am. Nobody's complaining (it's the middle of the night) "
        "but is something hammering the DB? Do I need to do anything?"
    )
    return c.bundle(
        TITLE,
        question,
        TZ,
        event,
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
