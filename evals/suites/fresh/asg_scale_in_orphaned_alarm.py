"""No fault: a per-instance alarm loses its metric when the scheduled evening scale-in terminates that instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    asg_item,
    ec2_instance,
    iso,
    log_group,
    network,
    security_group,
    target_group,
)
from evals.suites.fresh._kit_f import (
    Json,
    clock,
    people,
    routine_reads,
    sns_topic,
    wave,
)

NAME = "asg-scale-in-orphaned-instance-alarm"
TITLE = "status-check alarm for a pdf render web instance"
SUMMARY = (
    "No fault: the scheduled evening scale-in terminated the oldest instance of the render web group; "
    "a hand-made per-instance status-check alarm (missing data treated as breaching) went to ALARM and "
    "its disk alarm to INSUFFICIENT_DATA. The service is healthy on the remaining instances."
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    c = clock(kit, local_hours=(18, 18), before=timedelta(days=2, hours=6), after_min=(32, 45))
    rng = kit.rng
    # the scheduled scale-in runs at 18:00 local; its activity starts a few seconds after
    T = (
        c.onset.astimezone(ZoneInfo(c.zone))
        .replace(hour=18, minute=0, second=rng.randint(4, 40), microsecond=0)
        .astimezone(UTC)
    )
    c.onset = T
    c.now = T + timedelta(minutes=rng.randint(32, 45), seconds=rng.randint(0, 59))
    c.start = (T - timedelta(days=2, hours=6)).replace(minute=0, second=0)
    app = rng.choice(["pdfrender", "docforge", "printshop"])
    asg = f"{app}-web-asg"
    created = c.start - timedelta(days=rng.randint(120, 400))
    who = people(kit, c, rng.choice(["paperlane.io", "docforge.dev", "inkwell.app"]))

    net = network(kit, f"{app}-prod", created)
    alb_sg = security_group(kit, net, f"{app}-alb", "render public ALB", 443, None)
    web_sg = security_group(kit, net, f"{app}-web", "render web instances", 8080, alb_sg)
    lb_arn, lb_dim = alb(kit, net, f"{app}-web", alb_sg, created)
    tg_arn, tg_dim = target_group(kit, net, f"{app}-web-tg", 8080, lb_arn, "instance", "/healthz")
    topic = sns_topic(kit, f"{app}-ops")
    log_group(kit, f"/{app}/web/access", created, 14)
    log_group(kit, f"/{app}/web/app", created, 14)
    profile = f"arn:aws:iam::{kit.account}:instance-profile/{app}-web"
    ami = "ami-0" + kit.hex(16)
    lt = ("lt-0" + kit.hex(16), f"{app}-web", str(rng.randint(20, 60)))
    itype = rng.choice(["c6g.xlarge", "c7g.xlarge"])

    # instance history: the oldest (alarmed) one, two mid-age ones, today's morning launch
    day0 = T - timedelta(hours=10)  # 08:00 local today
    old_launch = day0 - timedelta(days=3) + timedelta(seconds=rng.randint(3, 50))
    mids = [
        day0 - timedelta(days=1) + timedelta(seconds=rng.randint(3, 50)),
        c.start - timedelta(days=rng.randint(5, 9)),
    ]
    new_launch = day0 + timedelta(seconds=rng.randint(3, 50))
    old_id = kit.iid()
    ids: list[tuple[str, str, str]] = []
    for idx, launched in enumerate([mids[1], mids[0], new_launch]):
        ids.append(
            ec2_instance(
                kit,
                net,
                idx + 1,
                ami=ami,
                itype=itype,
                sg=(web_sg, f"{app}-web"),
                launched=launched,
                profile_arn=profile,
                name=f"{app}-web",
                asg=asg,
            )
        )
    _, _, old_az = ec2_instance(
        kit,
        net,
        0,
        ami=ami,
        itype=itype,
        sg=(web_sg, f"{app}-web"),
        launched=old_launch,
        profile_arn=profile,
        name=f"{app}-web",
        asg=asg,
        state="terminated",
        iid=old_id,
    )
    item = asg_item(
        kit,
        asg,
        net,
        lt,
        tg_arn,
        [(i, z, "InService") for i, _, z in ids],
        created,
        min_size=3,
        max_size=8,
        health="ELB",
        itype=itype,
    )
    item["TerminationPolicies"] = ["OldestInstance"]
    asg_arn = item["AutoScalingGroupARN"]
    for name, cron, desired in (("morning", "0 8 * * *", 4), ("evening", "0 18 * * *", 3)):
        kit.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            {
                "AutoScalingGroupName": asg,
                "ScheduledActionName": name,
                "ScheduledActionARN": kit.arn(
                    "autoscaling",
                    f"scheduledUpdateGroupAction:{kit.uuid()}:autoScalingGroupName/{asg}:scheduledActionName/{name}",
                ),
                "Time": iso(T + timedelta(days=1) if name == "evening" else day0 + timedelta(days=1)),
                "StartTime": iso(created),
                "Recurrence": cron,
                "MinSize": 3,
                "MaxSize": 8,
                "DesiredCapacity": desired,
                "TimeZone": c.zone,
            },
        )

    # who ran when (for metrics): (id, launch, termination or None)
    fleet: list[tuple[str, datetime, datetime | None]] = [
        (ids[0][0], mids[1], None),
        (ids[1][0], mids[0], None),
        (old_id, old_launch, T + timedelta(seconds=rng.randint(200, 330))),
        (ids[2][0], new_launch, None),
    ]
    # an earlier morning/evening cycle inside the window: yesterday's 4th instance was terminated at 18:00
    y_id = kit.iid()
    y_launch = day0 - timedelta(days=1) + timedelta(seconds=rng.randint(3, 50))
    y_term = T - timedelta(days=1) + timedelta(seconds=rng.randint(200, 330))
    fleet.append((y_id, y_launch - timedelta(days=4), y_term))
    fleet[1] = (ids[1][0], y_launch, None)

    for r in kit.resources:
        inst = r["item"]
        if r["type"] == "Instance":
            inst["Monitoring"] = {"State": "enabled"}
            if inst["InstanceId"] == old_id and fleet[2][2] is not None:
                inst["StateTransitionReason"] = f"User initiated ({fleet[2][2]:%Y-%m-%d %H:%M:%S} GMT)"
                inst["StateReason"] = {
                    "Code": "Client.UserInitiatedShutdown",
                    "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
                }

    svc = kit.service_role(
        "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com", creation=c.start
    )

    def activity(start: datetime, desc: str, cause: str, iid: str, az: str, took: int) -> None:
        sid = next(s for s, z in net.subnets if z == az)
        kit.event(
            "autoscaling",
            {
                "ActivityId": kit.uuid(),
                "AutoScalingGroupName": asg,
                "Description": desc,
                "Cause": cause,
                "StartTime": iso(start),
                "EndTime": iso(start + timedelta(seconds=took)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{sid}","Availability Zone":"{az}"}}',
                "AutoScalingGroupARN": asg_arn,
            },
        )

    azs = [z for _, z in net.subnets]
    for when, launched_id, az in ((y_launch, ids[1][0], ids[1][2]), (new_launch, ids[2][0], ids[2][2])):
        sched = when.replace(second=0) + timedelta(seconds=rng.randint(1, 3))
        activity(
            sched,
            f"Launching a new EC2 instance: {launched_id}",
            f"At {iso(sched - timedelta(seconds=1))} a scheduled action update of AutoScalingGroup constraints to min: 3, max: 8, desired: 4 changing the desired capacity from 3 to 4.  At {iso(sched)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 3 to 4.",
            launched_id,
            az,
            rng.randint(40, 80),
        )
        kit.ct(
            sched,
            svc,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"imageId": ami, "minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt[0], "version": lt[2]},
                "disableApiTermination": False,
                "clientToken": kit.uuid(),
            },
            {
                "reservationId": "r-0" + kit.hex(16),
                "ownerId": kit.account,
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": launched_id,
                            "imageId": ami,
                            "instanceType": itype,
                            "currentInstanceState": {"code": 0, "name": "pending"},
                        }
                    ]
                },
            },
        )
    for when, term_id, az in ((y_term, y_id, azs[1]), (fleet[2][2] or T, old_id, old_az)):
        st = (T if term_id == old_id else T - timedelta(days=1)) + timedelta(seconds=1)
        activity(
            st,
            f"Terminating EC2 instance: {term_id}",
            f"At {iso(st - timedelta(seconds=1))} a scheduled action update of AutoScalingGroup constraints to min: 3, max: 8, desired: 3 changing the desired capacity from 4 to 3.  At {iso(st)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 4 to 3.  At {iso(st)} instance {term_id} was selected for termination.",
            term_id,
            az,
            int((when - st).total_seconds()) + 30,
        )
        kit.ct(
            st + timedelta(seconds=1),
            svc,
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": tg_arn, "targets": [{"id": term_id}]},
            None,
        )
        kit.ct(
            when,
            svc,
            "ec2.amazonaws.com",
            "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": term_id}]}},
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": term_id,
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                }
            },
        )

    # target health
    for iid, launched, term in fleet:
        if iid == y_id:
            continue
        az = next((z for i, _, z in ids if i == iid), old_az)
        tgt = {"Id": iid, "Port": 8080, "AvailabilityZone": az}
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(max(launched + timedelta(minutes=3), c.start - timedelta(hours=1))),
            },
        )
        if term:
            kit.event(
                "target_health",
                {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": iso(T + timedelta(seconds=2)),
                },
            )
            kit.event(
                "target_health",
                {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(term),
                },
            )

    # --- metrics ------------------------------------------------------------------------------------
    fine_from = T - timedelta(minutes=60)
    peak = rng.randint(600, 1100)
    root_dev = "nvme0n1p1"
    for t, step in kit.timeline(c.start, c.now, fine_from):
        w = wave(t, c.utc_offset, 0.25)
        live = [
            (i, lch, term)
            for i, lch, term in fleet
            if lch + timedelta(minutes=3) <= t and (term is None or t < term)
        ]
        serving = [x for x in live if not (x[2] and t >= x[2] - timedelta(seconds=300))]
        n = max(1, len(serving))
        rpm = peak * w * rng.uniform(0.92, 1.08) * step / 60
        alb_minute(kit, lb_dim, tg_dim, t, rpm, rng.choice([0, 0, 0, 0, 1]), 0.42, 2.6, n)
        for iid, _lch, term in live:
            d = {"InstanceId": iid}
            share = 0.0 if (term and t >= term - timedelta(seconds=300)) else 1.0 / n
            cpu = 3 + 150 * w * share * (peak / 900)
            kit.put("AWS/EC2", "CPUUtilization", d, t, min(99.0, kit.noise(cpu, 0.08)), "Percent")
            kit.put("AWS/EC2", "NetworkIn", d, t, kit.noise(rpm * share * 4200 + 30000, 0.1), "Bytes")
            kit.put("AWS/EC2", "NetworkOut", d, t, kit.noise(rpm * share * 180000 + 20000, 0.1), "Bytes")
            for m in ("StatusCheckFailed",):
                kit.put("AWS/EC2", m, d, t, 0.0, "Count")
            kit.put(
                "CWAgent",
                "disk_used_percent",
                {"InstanceId": iid, "path": "/", "device": root_dev, "fstype": "xfs"},
                t,
                31 + (t - _lch).total_seconds() / 86400 * 9 + rng.uniform(0, 0.3),
                "Percent",
            )
            kit.put(
                "CWAgent",
                "mem_used_percent",
                {"InstanceId": iid},
                t,
                kit.noise(38 + 30 * share * w, 0.03),
                "Percent",
            )
        kit.put(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg},
            t,
            kit.noise(3 + 150 * w / n * (peak / 900), 0.05),
            "Percent",
        )

    # --- logs (nginx access + app) ---------------------------------------------------------------
    ag = f"/{app}/web/access"
    paths = ["/v1/render", "/v1/render", "/v1/render", "/v1/jobs/{id}", "/v1/templates", "/healthz"]
    for iid, lch, term in fleet:
        if iid == y_id:
            continue
        stream = f"{iid}/nginx/access.log"
        t = max(c.start, lch + timedelta(minutes=3)) + timedelta(seconds=rng.uniform(0, 20))
        end = min(c.now, term or c.now)
        while t < end:
            if term and t >= term - timedelta(seconds=300):
                t += timedelta(seconds=30)
                continue
            p = rng.choice(paths).replace("{id}", kit.hex(12))
            meth = "POST" if p == "/v1/render" else "GET"
            rt = rng.lognormvariate(-1.0, 0.6) if p == "/v1/render" else rng.uniform(0.002, 0.02)
            ip = f"{net.cidr16}.{rng.randint(16, 63)}.{rng.randint(2, 254)}"
            size = rng.randint(20000, 900000) if p == "/v1/render" else rng.randint(80, 2400)
            kit.log(
                ag,
                stream,
                t,
                f'{ip} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{meth} {p} HTTP/1.1" 200 {size} "-" "{rng.choice(["Go-http-client/1.1", "axios/1.6.8", "ELB-HealthChecker/2.0" if p == "/healthz" else "python-requests/2.31.0"])}" rt={rt:.3f}',
            )
            t += timedelta(seconds=rng.uniform(70, 150) if t < fine_from else rng.uniform(8, 16))
        if term:
            tq = term - timedelta(seconds=rng.randint(4, 10))
            kit.log(
                f"/{app}/web/app",
                f"{iid}/app.log",
                tq,
                f"{tq:%Y-%m-%dT%H:%M:%S}.{tq.microsecond // 1000:03d}Z INFO  server: received SIGTERM, draining (in_flight=0)",
            )
            kit.log(
                f"/{app}/web/app",
                f"{iid}/app.log",
                tq + timedelta(seconds=1),
                f"{tq + timedelta(seconds=1):%Y-%m-%dT%H:%M:%S}.000Z INFO  server: shutdown complete",
            )
        if lch >= c.start:
            tl = lch + timedelta(seconds=rng.randint(70, 110))
            kit.log(
                f"/{app}/web/app",
                f"{iid}/app.log",
                tl,
                f"{tl:%Y-%m-%dT%H:%M:%S}.{tl.microsecond // 1000:03d}Z INFO  server: listening on :8080 (render workers=4, chromium=124.0.6367.91)",
            )
        for _ in range(rng.randint(1, 3)):
            tw = max(c.start, lch) + timedelta(minutes=rng.uniform(10, 600))
            if tw < end:
                kit.log(
                    f"/{app}/web/app",
                    f"{iid}/app.log",
                    tw,
                    f"{tw:%Y-%m-%dT%H:%M:%S}.{tw.microsecond // 1000:03d}Z WARN  render: font fallback for glyph U+{rng.randint(0x3000, 0x9FFF):04X} in template invoice-{rng.randint(1, 40)}",
                )

    # --- CloudTrail -----------------------------------------------------------------------------------
    routine_reads(
        kit,
        c,
        who,
        [
            (
                who.dev,
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                {"autoScalingGroupNames": [asg]},
            ),
            (
                who.grafana,
                "ec2.amazonaws.com",
                "DescribeInstances",
                {
                    "instancesSet": {},
                    "filterSet": {
                        "items": [
                            {"name": "tag:aws:autoscaling:groupName", "valueSet": {"items": [{"value": asg}]}}
                        ]
                    },
                },
            ),
            (
                who.admin,
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tg_arn},
            ),
        ],
        rng.randint(40, 52),
    )
    # two days ago an engineer hand-made alarms for the instance they were looking at
    made = c.start + timedelta(hours=rng.randint(2, 5), minutes=rng.randint(0, 59))
    status_name = f"{app}-web-{old_id}-status-check"
    disk_name = f"{app}-web-{old_id}-root-disk"
    kit.ct(
        made,
        who.dev,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": status_name,
            "metricName": "StatusCheckFailed",
            "namespace": "AWS/EC2",
            "statistic": "Maximum",
            "dimensions": [{"name": "InstanceId", "value": old_id}],
            "period": 60,
            "evaluationPeriods": 2,
            "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "treatMissingData": "breaching",
            "alarmActions": [topic],
        },
        None,
    )
    kit.ct(
        made + timedelta(seconds=rng.randint(40, 90)),
        who.dev,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": disk_name,
            "metricName": "disk_used_percent",
            "namespace": "CWAgent",
            "statistic": "Maximum",
            "dimensions": [
                {"name": "InstanceId", "value": old_id},
                {"name": "path", "value": "/"},
                {"name": "device", "value": root_dev},
                {"name": "fstype", "value": "xfs"},
            ],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 85.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [topic],
        },
        None,
    )
    # innocent changes near the scale-in
    lt_t = T - timedelta(minutes=rng.randint(12, 25))
    kit.ct(
        lt_t,
        who.ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt[0],
                "SourceVersion": lt[2],
                "VersionDescription": "chromium 124 security update",
                "LaunchTemplateData": {"ImageId": "ami-0" + kit.hex(16)},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateId": lt[0],
                    "launchTemplateName": lt[1],
                    "versionNumber": int(lt[2]) + 1,
                    "defaultVersion": False,
                }
            }
        },
    )
    kit.ct(
        T - timedelta(minutes=rng.randint(3, 9)),
        who.admin,
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": f"{app}-overview"},
        None,
    )
    kit.ct(
        T + timedelta(minutes=rng.randint(4, 12)),
        who.tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/{app}/web/app", "retentionInDays": 14},
        None,
    )

    # --- alarms ---------------------------------------------------------------------------------------
    fine_eval = fine_from + timedelta(minutes=6)
    status = AlarmSpec(
        status_name,
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": old_id},
        "Maximum",
        60,
        2,
        1.0,
        "GreaterThanOrEqualToThreshold",
        treat_missing="breaching",
        actions=[topic],
        configured=made,
    )
    trs = kit.alarm(status, fine_eval, c.now)
    disk = AlarmSpec(
        disk_name,
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": old_id, "path": "/", "device": root_dev, "fstype": "xfs"},
        "Maximum",
        300,
        1,
        85.0,
        "GreaterThanThreshold",
        actions=[topic],
        configured=made + timedelta(seconds=60),
    )
    kit.alarm(disk, c.start + timedelta(hours=6), c.now)
    for spec in (
        AlarmSpec(
            f"{app}-web-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Sum",
            300,
            2,
            25.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        AlarmSpec(
            f"{app}-web-healthy-hosts-low",
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Minimum",
            60,
            3,
            2.0,
            "LessThanThreshold",
            treat_missing="breaching",
            actions=[topic],
        ),
        AlarmSpec(
            f"{asg}-cpu-high",
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg},
            "Average",
            300,
            3,
            75.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
    ):
        kit.alarm(spec, fine_eval if spec.period == 60 else c.start + timedelta(hours=6), c.now)
    trig = next(tr for tr in trs if tr.new == "ALARM")
    event = kit.alarm_event(status, trig)
    truth: Json = {"no_fault": True}
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(c.start),
            "end": iso(c.now),
            "now": iso(c.now),
            "trigger": {
                "question": f"Paged for {status_name}. Is that box dead, and do we need to do anything?",
                "alarm_event": event,
            },
            "truth": truth,
        },
        c.now,
    )
