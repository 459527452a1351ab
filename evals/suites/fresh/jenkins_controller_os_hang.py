"""Jenkins unreachable: the controller instance's guest OS locked up and failed its instance status check."""

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
    target_timeline,
    telemetry,
    tooling_trail,
)

NAME = "jenkins-controller-os-hang"
TITLE = "Jenkins UI timing out and every build agent offline since mid-afternoon"
SUMMARY = (
    "The jenkins-controller EC2 instance's kernel locked up (soft lockups, hung tasks); its instance "
    "reachability check failed while the system check passed, the ALB target went unhealthy and agents dropped."
)

TZ = "Europe/Dublin"


class _Shape(Shape):
    def __init__(self, c: Ctx, e: Estate, tz: int, onset: datetime) -> None:
        super().__init__(c, e, tz)
        self.onset = onset

    def jenkins_up(self, t: datetime) -> bool:
        return t < self.onset

    def jenkins_unhealthy(self, t: datetime) -> int:
        return 1 if t >= self.onset + timedelta(minutes=1) else 0

    def instance_check_failed(self, i: str, t: datetime) -> int:
        return 1 if i == self.e.jenkins and t >= self.onset + timedelta(minutes=3) else 0

    def instance_cpu(self, i: str, t: datetime) -> float | None:
        if i == self.e.jenkins and t >= self.onset:
            return 25.0
        if i in self.e.agents and t >= self.onset + timedelta(minutes=2):
            return 1.5
        return super().instance_cpu(i, t)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    e = Estate(c)
    tzh = local_offset(TZ, c.day)
    local_onset = c.day.replace(hour=r.randint(13, 16), minute=r.randint(0, 55), second=r.randint(0, 59))
    onset = local_onset - timedelta(hours=tzh)
    c.start = (onset - timedelta(hours=3, minutes=r.randint(20, 45))).replace(second=0)
    c.now = (onset + timedelta(minutes=r.randint(35, 50))).replace(second=0)
    s = _Shape(c, e, tzh, onset)
    jk = e.jenkins
    impaired = onset + timedelta(minutes=3)

    e.add_resources(instance_status={jk: "impaired"}, ping={jk: "ConnectionLost"})
    for rec in c.resources:
        if rec["type"] == "InstanceStatus" and rec["item"]["InstanceId"] == jk:
            rec["item"]["InstanceStatus"]["Details"][0]["ImpairedSince"] = iso(impaired)
    e.standard_records()
    telemetry(c, s)
    healthy_targets(c, e, skip=(jk,))
    target_timeline(
        c,
        e.tg_arn[e.tg_jenkins],
        jk,
        [
            (c.start, "healthy", None, None),
            (onset + timedelta(minutes=1), "unhealthy", "Target.Timeout", "Request timed out"),
        ],
    )

    # CloudTrail: tooling, patch scan, a portal deploy, an alarm tweak, a snapshot
    tooling_trail(c, e, r.randint(45, 70), silent={jk: onset - timedelta(minutes=2)})
    patch_scan(c, e, c.start + timedelta(minutes=r.randint(10, 40)))
    ci = c.role_identity("github-actions-deploy", "gha-" + c.hexid(8))
    version = f"3.{r.randint(8, 14)}.{r.randint(0, 9)}"
    deploy_t = onset - timedelta(minutes=r.randint(18, 40))
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
    eng = r.choice(["aoife.byrne", "tom.walsh", "nina.ferreira"])
    sso = c.role_identity("AWSReservedSSO_ToolsAdmin_" + c.hexid(16), f"{eng}@corp.example")
    c.ct(
        onset - timedelta(hours=1, minutes=r.randint(10, 50)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        sso,
        {
            "alarmName": "tools-portal-latency-p90",
            "namespace": "AWS/ApplicationELB",
            "metricName": "TargetResponseTime",
            "extendedStatistic": "p90",
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 2.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [e.topic],
            "oKActions": [e.topic],
        },
        None,
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    snap_t = onset - timedelta(hours=2, minutes=r.randint(0, 30))
    c.ct(
        snap_t,
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        c.role_identity("aws-backup-tools", "AWSBackup-" + c.hexid(10)),
        {"dBSnapshotIdentifier": f"awsbackup:job-{c.uid()}", "dBInstanceIdentifier": e.db},
        {
            "dBSnapshotIdentifier": f"awsbackup:job-{c.uid()}",
            "dBInstanceIdentifier": e.db,
            "status": "creating",
        },
        agent="backup.amazonaws.com",
        ip="backup.amazonaws.com",
    )
    # someone looks at it after the page
    c.ct(
        onset + timedelta(minutes=14),
        "ec2.amazonaws.com",
        "DescribeInstanceStatus",
        sso,
        {"instancesSet": {"items": [{"instanceId": jk}]}, "includeAllInstances": False},
        None,
        read_only=True,
    )
    c.ct(
        onset + timedelta(minutes=16),
        "ec2.amazonaws.com",
        "GetConsoleOutput",
        sso,
        {"instanceId": jk},
        None,
        read_only=True,
    )

    # Logs
    ip = e.ips[jk]
    t = c.start + timedelta(seconds=r.randint(0, 60))
    builds = r.randint(4100, 9000)
    jobs = [
        "tools-portal/main",
        "infra-terraform/plan",
        "wiki-theme/main",
        "data-export/nightly",
        "api-gw/pr-",
    ]
    while t < onset:
        job = r.choice(jobs)
        if job.endswith("-"):
            job += str(r.randint(100, 900))
        builds += 1
        msg = r.choice(
            [
                f"INFO\thudson.model.Run#execute: {job} #{builds % 997} main build action completed: SUCCESS",
                f"INFO\thudson.model.Run#execute: {job} #{builds % 997} main build action completed: SUCCESS",
                f"INFO\thudson.model.Run#execute: {job} #{builds % 997} main build action completed: FAILURE",
                "INFO\tjenkins.InitReactorRunner$1#onAttained: ...",
                f"INFO\to.j.p.g.w.s.DefaultPushGHEventSubscriber#onEvent: Received PushEvent for {job.split('/')[0]}",
            ]
        )
        if "InitReactor" in msg:
            msg = "WARNING\thudson.security.csrf.CrumbFilter#doFilter: Found invalid crumb. Will check remaining parameters for a valid one..."
        c.log(
            "/tools/jenkins/controller",
            f"{jk}/jenkins.log",
            t,
            f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}+0000 [id={r.randint(30, 900)}]\t{msg}",
        )
        t += timedelta(seconds=r.randint(25, 110))
    host = f"ip-{ip.replace('.', '-')}"
    t = c.start + timedelta(minutes=r.randint(0, 5))
    while t < onset - timedelta(minutes=6):
        msg = r.choice(
            [
                "systemd[1]: Starting sysstat-collect.service - system activity accounting tool...",
                "systemd[1]: sysstat-collect.service: Deactivated successfully.",
                f"amazon-ssm-agent[{r.randint(1800, 1900)}]: INFO [MessageService] [MGSInteractor] Sending reply",
                "chronyd[1412]: Selected source 169.254.169.123",
            ]
        )
        c.log("/tools/ec2/messages", f"{jk}/messages", t, f"{t.strftime('%b %d %H:%M:%S')} {host} {msg}")
        t += timedelta(minutes=r.randint(2, 10))
    lock = [
        (-360, "kernel: INFO: task jbd2/nvme0n1p1-8:412 blocked for more than 122 seconds."),
        (-359, "kernel:       Not tainted 6.1.112-122.189.amzn2023.x86_64 #1"),
        (-359, 'kernel: "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'),
        (-240, f"kernel: INFO: task java:{r.randint(2100, 2400)} blocked for more than 122 seconds."),
        (
            -120,
            f"kernel: watchdog: BUG: soft lockup - CPU#2 stuck for 23s! [kworker/2:1:{r.randint(9000, 20000)}]",
        ),
        (
            -92,
            f"kernel: watchdog: BUG: soft lockup - CPU#2 stuck for 49s! [kworker/2:1:{r.randint(9000, 20000)}]",
        ),
        (-40, "kernel: rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"),
        (
            -12,
            f"kernel: watchdog: BUG: soft lockup - CPU#2 stuck for 101s! [kworker/2:1:{r.randint(9000, 20000)}]",
        ),
    ]
    for off, msg in lock:
        tt = onset + timedelta(seconds=off)
        c.log("/tools/ec2/messages", f"{jk}/messages", tt, f"{tt.strftime('%b %d %H:%M:%S')} {host} {msg}")
    for n, ag in enumerate(e.agents):
        st = f"{ag}/agent.log"
        tt = c.start + timedelta(seconds=r.randint(0, 200))
        while tt < onset:
            c.log(
                "/tools/jenkins/agents",
                st,
                tt,
                f"{tt.strftime('%b %d, %Y %-I:%M:%S %p')} hudson.remoting.Launcher$CuiListener status\nINFO: Connected",
            )
            tt += timedelta(minutes=r.randint(20, 45))
        tt = onset + timedelta(minutes=4, seconds=r.randint(0, 50))
        c.log(
            "/tools/jenkins/agents",
            st,
            tt,
            f"{tt.strftime('%b %d, %Y %-I:%M:%S %p')} hudson.remoting.PingThread$1 onDead\n"
            f"SEVERE: Ping failed. Terminating the channel JNLP4-connect connection to jenkins.tools.internal/{ip}:50000.\n"
            "java.util.concurrent.TimeoutException: Ping started at "
            f"{int((tt - timedelta(minutes=4)).timestamp() * 1000)} hasn't completed by {int(tt.timestamp() * 1000)}",
        )
        while tt < c.now:
            tt += timedelta(seconds=10 + r.randint(0, 4) + n)
            c.log(
                "/tools/jenkins/agents",
                st,
                tt,
                f"{tt.strftime('%b %d, %Y %-I:%M:%S %p')} hudson.remoting.Engine waitForServerToBack\n"
                f"INFO: Failed to connect to https://jenkins.tools.internal/tcpSlaveAgentListener/: connect timed out",
            )
            tt += timedelta(seconds=r.randint(40, 80))

    # Alarms
    chk = c.alarm(
        "jenkins-controller-status-check",
        "AWS/EC2",
        "StatusCheckFailed_Instance",
        {"InstanceId": jk},
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        60,
        2,
        "ALARM",
        impaired + timedelta(minutes=2),
        "Threshold Crossed: 2 out of the last 2 datapoints [1.0 ("
        + iso(impaired + timedelta(minutes=1))[:-1]
        + "+0000), 1.0 ("
        + iso(impaired)[:-1]
        + "+0000)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
        e.topic,
        "Jenkins controller failed its instance status check",
    )
    unh = c.alarm(
        "jenkins-tg-unhealthy",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": e.tg_jenkins, "LoadBalancer": e.lb},
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        60,
        3,
        "ALARM",
        onset + timedelta(minutes=4),
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold (1.0).",
        e.topic,
        "jenkins target unhealthy",
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
        c.start - timedelta(days=4),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0).",
        e.topic,
        "tools portal target 5xx",
        missing="notBreaching",
    )
    flap = c.alarm(
        "efs-tools-shared-iolimit",
        "AWS/EFS",
        "PercentIOLimit",
        {"FileSystemId": e.efs},
        "Maximum",
        20,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        onset - timedelta(minutes=35),
        "Threshold Crossed: 1 datapoint [18.4] was not greater than the threshold (20.0).",
        e.topic,
        "efs io limit",
    )
    for k in range(2):
        t0 = c.start + timedelta(minutes=60 + 70 * k + r.randint(0, 10))
        c.hist(
            flap["AlarmName"],
            t0,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [21.7] was greater than the threshold (20.0).",
        )
        c.hist(
            flap["AlarmName"],
            t0 + timedelta(minutes=5),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [17.9] was not greater than the threshold (20.0).",
        )
    c.hist(unh["AlarmName"], onset + timedelta(minutes=4), "OK", "ALARM", unh["StateReason"])
    c.hist(chk["AlarmName"], impaired + timedelta(minutes=2), "OK", "ALARM", chk["StateReason"])
    event = c.alarm_event(chk, impaired + timedelta(minutes=2), "OK", c.start - timedelta(days=9))
    local = (onset + timedelta(hours=tzh, minutes=r.choice([-5, 0, 5]))).strftime("%H:%M")
    question = (
        f"Jenkins has been down since about {local}, UI just spins and all the agents show offline. "
        "Did someone change the load balancer?"
    )
    return c.bundle(
        TITLE,
        question,
        TZ,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": jk,
                "category": "component_failure",
                "failure_mode": "guest-os-hang-instance-check-failed",
            },
            "also_accept": ["jenkins-controller", f"ip-{ip.replace('.', '-')}.ec2.internal", ip],
            "actions": ["restart"],
            "chain": [jk, "jenkins", e.lb_name],
        },
    )
