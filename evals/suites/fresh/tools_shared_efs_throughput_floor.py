"""Wiki attachments and page loads crawl once the shared EFS file system runs out of burst credits."""

from __future__ import annotations

from datetime import datetime, timedelta

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

NAME = "tools-shared-efs-throughput-floor"
TITLE = "Wiki and portal pages crawling late morning, some 502s, right after the portal deploy"
SUMMARY = (
    "The bursting-mode EFS file system behind the wiki attachments and Jenkins home spent its burst credit "
    "balance; throughput fell to the size-based baseline and portal workers timed out."
)

TZ = "Europe/Berlin"
MIB = 1024**2


class _Shape(Shape):
    def __init__(self, c: Ctx, e: Estate, tz: int, onset: datetime, heavy: float) -> None:
        super().__init__(c, e, tz)
        self.onset = onset
        self.heavy = heavy
        self.elb_code = 502
        self.credit0 = 0.0

    def efs_credit_start(self) -> float:
        return self.credit0

    def efs_read_mibs(self, t: datetime) -> float:
        return 9 + self.heavy * self.load(t)

    def _starved(self, t: datetime) -> float:
        if t < self.onset:
            return 0.0
        return min(1.0, (t - self.onset).total_seconds() / 420)

    def portal_latency_factor(self, t: datetime) -> float:
        return 1 + 28 * self._starved(t)

    def portal_elb_5xx(self, t: datetime) -> int:
        if self._starved(t) < 0.5:
            return 0
        return int(self.base_rpm * self.load(t) * self.c.rng.uniform(0.03, 0.08))

    def portal_target_5xx(self, t: datetime) -> float:
        return 0.0015 + 0.01 * self._starved(t)

    def instance_cpu(self, i: str, t: datetime) -> float | None:
        v = super().instance_cpu(i, t)
        if v is not None and self._starved(t) > 0 and i in self.e.portal:
            return v * 0.55  # workers blocked on NFS reads (iowait), not computing
        return v


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    e = Estate(c)
    tzh = local_offset(TZ, c.day)
    local_onset = c.day.replace(hour=r.randint(10, 12), minute=r.randint(0, 55), second=0)
    onset = local_onset - timedelta(hours=tzh)
    c.start = onset - timedelta(hours=3, minutes=r.randint(25, 45))
    c.now = onset + timedelta(minutes=r.randint(38, 55))
    heavy = r.uniform(40, 52)
    s = _Shape(c, e, tzh, onset, heavy)
    baseline = e.efs_gib * 50 * 1024
    need = 0.0
    t = c.start
    while t < onset:
        need += (min(1.2 * s.efs_read_mibs(t) * MIB, 100 * MIB) - baseline) * 60
        t += timedelta(minutes=1)
    credit0 = max(need, 5 * 1024**3)
    s.credit0 = credit0

    e.add_resources(efs_mode="bursting")
    e.standard_records()
    telemetry(c, s)
    healthy_targets(c, e)

    tooling_trail(c, e, r.randint(45, 70))
    patch_scan(c, e, c.start + timedelta(minutes=r.randint(5, 30)))
    ci = c.role_identity("github-actions-deploy", "gha-" + c.hexid(8))
    version = f"3.{r.randint(8, 14)}.{r.randint(0, 9)}"
    deploy_t = onset - timedelta(minutes=r.randint(12, 28))
    c.ct(
        deploy_t,
        "ssm.amazonaws.com",
        "SendCommand",
        ci,
        {
            "documentName": "AWS-RunShellScript",
            "instanceIds": e.portal,
            "comment": f"deploy tools-portal {version}",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "timeoutSeconds": 600,
        },
        {"command": {"commandId": c.uid(), "documentName": "AWS-RunShellScript", "status": "Pending"}},
        agent="aws-sdk-js/3.600.0 ua/2.0 os/linux lang/js md/nodejs#20.15.0 api/ssm#3.600.0",
        ip="4.227.130.17",
    )
    eng = r.choice(["jonas.weber", "lena.schmidt", "marco.rossi"])
    sso = c.role_identity("AWSReservedSSO_ToolsAdmin_" + c.hexid(16), f"{eng}@corp.example")
    c.ct(
        onset - timedelta(hours=1, minutes=r.randint(0, 50)),
        "elasticfilesystem.amazonaws.com",
        "PutLifecycleConfiguration",
        sso,
        {
            "fileSystemId": e.efs,
            "lifecyclePolicies": [
                {"transitionToIA": "AFTER_30_DAYS"},
                {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ],
        },
        {
            "lifecyclePolicies": [
                {"transitionToIA": "AFTER_30_DAYS"},
                {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ]
        },
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.ct(
        onset - timedelta(hours=2, minutes=r.randint(0, 40)),
        "ec2.amazonaws.com",
        "ModifyInstanceAttribute",
        sso,
        {"instanceId": e.reports, "disableApiTermination": {"value": True}},
        {"requestId": c.uid(), "_return": True},
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.ct(
        onset + timedelta(minutes=20),
        "elasticfilesystem.amazonaws.com",
        "DescribeFileSystems",
        sso,
        {"fileSystemId": e.efs},
        None,
        read_only=True,
    )

    # portal logs: gunicorn + app; deploy restart; slow attachment reads, worker timeouts later
    for i in e.portal:
        stream = f"{i}/portal.log"
        t = c.start + timedelta(seconds=r.randint(0, 120))
        while t < c.now:
            starving = t >= onset + timedelta(minutes=3)
            if not starving:
                msg = r.choice(
                    [
                        f"INFO [portal.views] GET /portal/requests 200 {r.randint(40, 160)}ms",
                        f"INFO [wiki.render] page rendered id={r.randint(1000, 90000)} {r.randint(30, 200)}ms",
                        f"INFO [wiki.attachments] GET /wiki/download/attachments/{r.randint(1000, 90000)}/"
                        f"{r.choice(['diagram.png', 'runbook.pdf', 'export.xlsx'])} 200 {r.randint(20, 300)}ms",
                    ]
                )
                step = r.randint(30, 120)
            else:
                roll = r.random()
                if roll < 0.25:
                    msg = f"[CRITICAL] WORKER TIMEOUT (pid:{r.randint(2000, 9000)})"
                elif roll < 0.35:
                    msg = f"[ERROR] Worker (pid:{r.randint(2000, 9000)}) was sent SIGKILL! Perhaps out of memory?"
                elif roll < 0.7:
                    msg = (
                        f"WARNING [wiki.attachments] slow request GET /wiki/download/attachments/{r.randint(1000, 90000)}/"
                        f"{r.choice(['diagram.png', 'runbook.pdf', 'export.xlsx', 'capture.mp4'])} 200 {r.randint(9000, 29000)}ms"
                    )
                else:
                    msg = f"WARNING [wiki.render] slow request GET /wiki/display/ENG/{r.choice(['Runbooks', 'Home', 'Release+Notes'])} 200 {r.randint(4000, 15000)}ms"
                step = r.randint(6, 25)
            c.log("/tools/portal/app", stream, t, f"{t.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} {msg}")
            t += timedelta(seconds=step)
        dt = deploy_t + timedelta(seconds=r.randint(20, 60))
        for k, line in enumerate(
            [
                "[INFO] Handling signal: term",
                "[INFO] Shutting down: Master",
                "[INFO] Starting gunicorn 22.0.0",
                "[INFO] Listening at: http://0.0.0.0:8080 (1)",
                f"INFO [portal] tools-portal {version} ready",
            ]
        ):
            tt = dt + timedelta(seconds=k)
            c.log("/tools/portal/app", stream, tt, f"{tt.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} {line}")
    jk = e.jenkins
    t = c.start + timedelta(seconds=r.randint(0, 60))
    while t < c.now:
        slow = t >= onset
        job = r.choice(
            ["tools-portal/main", "infra-terraform/plan", "wiki-theme/main", "data-export/nightly"]
        )
        if slow and r.random() < 0.5:
            msg = f"WARNING\thudson.model.Run#execute: {job} #{r.randint(100, 900)} Archiving artifacts took {r.randint(180, 900)} s"
        else:
            msg = f"INFO\thudson.model.Run#execute: {job} #{r.randint(100, 900)} main build action completed: SUCCESS"
        c.log(
            "/tools/jenkins/controller",
            f"{jk}/jenkins.log",
            t,
            f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}+0000 [id={r.randint(30, 900)}]\t{msg}",
        )
        t += timedelta(seconds=r.randint(40, 160))

    # Alarms: latency paged; the team's EFS alarm watches PercentIOLimit (stays OK); no credit alarm
    since = onset + timedelta(minutes=10)
    lat = c.alarm(
        "tools-portal-latency-p90",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": e.tg_portal, "LoadBalancer": e.lb},
        "p90",
        2.0,
        "GreaterThanThreshold",
        300,
        1,
        "ALARM",
        since,
        f"Threshold Crossed: 1 datapoint [{r.uniform(4, 9):.3f} ({iso(since - timedelta(minutes=5))[:-1]}+0000)] "
        "was greater than the threshold (2.0).",
        e.topic,
        "portal p90 latency",
        extended=True,
    )
    c.alarm(
        "efs-tools-shared-iolimit",
        "AWS/EFS",
        "PercentIOLimit",
        {"FileSystemId": e.efs},
        "Maximum",
        80,
        "GreaterThanThreshold",
        300,
        2,
        "OK",
        c.start - timedelta(days=12),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (80.0).",
        e.topic,
        "EFS IO limit",
    )
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
        c.start - timedelta(days=3),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0).",
        e.topic,
        "tools portal target 5xx",
        missing="notBreaching",
    )
    flap = c.alarm(
        "reports-etl-cpu-credits",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": e.reports},
        "Average",
        70,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        c.start + timedelta(minutes=95),
        "Threshold Crossed: 1 datapoint [3.1] was not greater than the threshold (70.0).",
        e.topic,
        "reports box busy",
    )
    t0 = c.start + timedelta(minutes=r.randint(40, 70))
    c.hist(
        flap["AlarmName"],
        t0,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [88.0] was greater than the threshold (70.0).",
    )
    c.hist(flap["AlarmName"], c.start + timedelta(minutes=95), "ALARM", "OK", flap["StateReason"])
    c.hist(lat["AlarmName"], since, "OK", "ALARM", lat["StateReason"])
    event = c.alarm_event(lat, since, "OK", c.start - timedelta(days=2))
    local = (onset + timedelta(hours=tzh, minutes=r.choice([0, 5, 10]))).strftime("%H:%M")
    question = (
        f"Wiki is crawling since ~{local}, attachments take forever and some pages give 502. "
        f"The portal deploy ({version}) went out just before - should we roll it back?"
    )
    return c.bundle(
        TITLE,
        question,
        TZ,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": e.efs,
                "category": "limit",
                "failure_mode": "efs-burst-credits-exhausted",
            },
            "also_accept": [
                "tools-shared",
                f"arn:aws:elasticfilesystem:us-east-1:{c.account}:file-system/{e.efs}",
            ],
            "actions": ["reconfigure", "scale"],
            "chain": [e.efs, e.tg_portal.split("/")[1], e.lb_name],
        },
    )
