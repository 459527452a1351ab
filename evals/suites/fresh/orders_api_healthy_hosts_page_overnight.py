"""No fault: an overnight healthy-hosts page that was Fargate's announced task retirement replacing tasks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzb as kz
from evals.suites.fresh._kit_zzb import Kit, iso

NAME = "orders-api-healthy-hosts-page-overnight"
TITLE = (
    "orders-api healthy-hosts page in the small hours that cleared before anyone looked; nothing was deployed"
)
SUMMARY = (
    "No fault: the announced Fargate task retirement replaced orders-api's tasks overnight; with a 50% "
    "minimum healthy percent the service briefly ran on half its tasks, paging the healthy-hosts alarm, "
    "and recovered by itself within minutes."
)

TZ = {
    "eu-west-1": "Europe/London",
    "us-east-1": "America/New_York",
    "eu-central-1": "Europe/Paris",
    "us-west-2": "America/Los_Angeles",
}


def build(seed: int) -> Bundle:
    k = Kit(seed + 4400)
    r = k.rng
    tz = TZ[k.region]
    zone = ZoneInfo(tz)
    ret = (
        k.day.replace(tzinfo=zone)
        + timedelta(hours=r.choice([2, 3]), minutes=r.randrange(0, 50), seconds=r.randrange(0, 59))
    ).astimezone(kz.UTC)
    start = ret - timedelta(hours=3, minutes=r.randrange(10, 40))
    now = (k.day.replace(tzinfo=zone) + timedelta(hours=8, minutes=r.randrange(0, 50))).astimezone(kz.UTC)
    org = r.choice(["basketful", "crateandco", "greengrocer", "mealdrop"])
    cluster = f"{org}-prod"
    net = kz.vpc(k, f"{org}-prod", r.randrange(16, 90))
    subnets = net["subnets"]
    created = k.day - timedelta(days=r.randrange(300, 800))
    sg_task, sg_alb = k.rid("sg"), k.rid("sg")
    for sg, nm in ((sg_task, "ecs-services"), (sg_alb, "public-alb")):
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg,
                "GroupName": nm,
                "Description": nm,
                "VpcId": net["vpc"],
                "OwnerId": k.account,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 8080 if sg == sg_task else 443,
                        "ToPort": 8080 if sg == sg_task else 443,
                        **(
                            {"UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": k.account}]}
                            if sg == sg_task
                            else {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                        ),
                    }
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
    alb_name = f"{org}-public"
    alb_arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{k.hx(16)}")
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**8, 10**9)}.{k.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": net["vpc"],
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": k.rid("subnet")} for az in k.azs],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    repo = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": kz.cluster_arn(k, cluster),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 10,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
        },
    )
    svcs: dict[str, tuple[Any, ...]] = {}
    # (name, tasks, minimum healthy %, retirement offset in minutes)
    plan = [("orders-api", 4, 50, 0), ("cart-api", 4, 100, r.randrange(9, 25))]
    for name, n, minh, off in plan:
        tg_arn = k.arn("elasticloadbalancing", f"targetgroup/{name}/{k.hx(16)}")
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": net["vpc"],
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
        td = kz.taskdef_item(
            k,
            name,
            r.randrange(30, 200),
            f"{repo}/{name}:{r.randrange(100, 999)}-{k.hx(7)}",
            registered=k.day - timedelta(days=r.randrange(9, 20)),
            cpu="1024",
            memory="2048",
        )
        k.res("ecs", "TaskDefinition", td)
        t_dep = k.day - timedelta(days=r.randrange(9, 20))
        item = kz.service_item(
            k,
            cluster,
            name,
            td["taskDefinitionArn"],
            desired=n,
            running=n,
            created=created,
            dep_created=t_dep,
            subnets=subnets,
            sgs=[sg_task],
            tg_arn=tg_arn,
        )
        item["deploymentConfiguration"]["minimumHealthyPercent"] = minh
        item["healthCheckGracePeriodSeconds"] = 90
        k.res("ecs", "Service", item)
        svcs[name] = (item["serviceArn"], tg_arn, td, n, minh, ret + timedelta(minutes=off))
    td_exp = kz.taskdef_item(
        k,
        "orders-nightly-export",
        r.randrange(5, 30),
        f"{repo}/orders-export:{k.hx(7)}",
        registered=k.day - timedelta(days=40),
        port=None,
        cpu="2048",
        memory="4096",
    )
    k.res("ecs", "TaskDefinition", td_exp)

    # ---- retirement: service events, target health, running tasks ------------------------------------
    for name, (sarn, tg_arn, td, n, minh, t_ret) in svcs.items():
        kz.svc_event(
            k,
            sarn,
            start + timedelta(minutes=r.randrange(5, 60)),
            f"(service {name}) has reached a steady state.",
        )
        old = [
            (k.hx(32), i % 3, f"{net['base']}.{16 * (i % 3 + 1) + r.randrange(0, 15)}.{r.randrange(2, 250)}")
            for i in range(n)
        ]
        new = [
            (k.hx(32), i % 3, f"{net['base']}.{16 * (i % 3 + 1) + r.randrange(0, 15)}.{r.randrange(2, 250)}")
            for i in range(n)
        ]
        half = n // 2
        batches = [(0, half), (half, n)]
        t = t_ret
        for b0, b1 in batches:
            ids = " ".join(f"(task {x[0]})" for x in old[b0:b1])
            nids = " ".join(f"(task {x[0]})" for x in new[b0:b1])
            if minh < 100:
                t_stop, t_start = t, t + timedelta(seconds=r.randrange(20, 40))
            else:
                t_start, t_stop = t, t + timedelta(seconds=r.randrange(100, 140))
            kz.svc_event(k, sarn, t_stop, f"(service {name}) has stopped {b1 - b0} running tasks: {ids}.")
            kz.svc_event(
                k,
                sarn,
                t_stop + timedelta(seconds=1),
                f"(service {name}) deregistered {b1 - b0} targets in (target-group {tg_arn})",
            )
            kz.svc_event(k, sarn, t_start, f"(service {name}) has started {b1 - b0} tasks: {nids}.")
            t_reg = t_start + timedelta(seconds=r.randrange(40, 60))
            kz.svc_event(
                k, sarn, t_reg, f"(service {name}) registered {b1 - b0} targets in (target-group {tg_arn})"
            )
            for _tid, azi, ip in old[b0:b1]:
                tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": k.azs[azi]}
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": iso(start),
                    },
                )
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": iso(t_stop + timedelta(seconds=1)),
                    },
                )
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                        "timestamp": iso(t_stop + timedelta(seconds=31)),
                    },
                )
            t_ok = t_reg + timedelta(seconds=r.randrange(50, 80))
            for tid, azi, ip in new[b0:b1]:
                tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": k.azs[azi]}
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "initial",
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        },
                        "timestamp": iso(t_reg),
                    },
                )
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": iso(t_ok),
                    },
                )
                k.res(
                    "ecs",
                    "Task",
                    {
                        "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                        "clusterArn": kz.cluster_arn(k, cluster),
                        "taskDefinitionArn": td["taskDefinitionArn"],
                        "lastStatus": "RUNNING",
                        "desiredStatus": "RUNNING",
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "cpu": "1024",
                        "memory": "2048",
                        "availabilityZone": k.azs[azi],
                        "group": f"service:{name}",
                        "startedBy": "ecs-svc/" + str(r.randrange(10**18, 10**19)),
                        "createdAt": iso(t_start),
                        "startedAt": iso(t_start + timedelta(seconds=35)),
                        "connectivity": "CONNECTED",
                        "connectivityAt": iso(t_start + timedelta(seconds=3)),
                        "healthStatus": "UNKNOWN",
                        "version": 3,
                        "containers": [
                            {
                                "containerArn": k.arn("ecs", f"container/{cluster}/{tid}/{k.uid()}"),
                                "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                                "name": name,
                                "image": td["containerDefinitions"][0]["image"],
                                "lastStatus": "RUNNING",
                                "networkInterfaces": [{"attachmentId": k.uid(), "privateIpv4Address": ip}],
                            }
                        ],
                        "attachments": [
                            {
                                "id": k.uid(),
                                "type": "ElasticNetworkInterface",
                                "status": "ATTACHED",
                                "details": [
                                    {"name": "subnetId", "value": subnets[azi]},
                                    {"name": "privateIPv4Address", "value": ip},
                                ],
                            }
                        ],
                    },
                )
            t = t_ok + timedelta(seconds=r.randrange(5, 30))
        kz.svc_event(
            k,
            sarn,
            t + timedelta(seconds=r.randrange(30, 90)),
            f"(service {name}) has reached a steady state.",
        )
        svcs[name] = (sarn, tg_arn, td, n, minh, t_ret, t)

    # ---- AWS Health: the retirement notice, sent a week earlier ------------------------------------------
    ev_arn = f"arn:aws:health:{k.region}::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/AWS_ECS_TASK_PATCHING_RETIREMENT_{k.hx(5).upper()}_{k.hx(12).upper()}"
    ret_day = ret.replace(hour=0, minute=0, second=0)
    notice = ret_day - timedelta(days=7)
    k.event(
        "health",
        {
            "event": {
                "arn": ev_arn,
                "service": "ECS",
                "eventTypeCode": "AWS_ECS_TASK_PATCHING_RETIREMENT",
                "eventTypeCategory": "scheduledChange",
                "region": k.region,
                "startTime": iso(ret_day),
                "lastUpdatedTime": iso(notice),
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                "A software update has been deployed to Fargate which includes CVE patches or other critical patches. No action is "
                "required on your part. All new tasks launched automatically uses the latest software version. For existing tasks, "
                "your tasks need to be restarted in order for these updates to apply.\n\nYour tasks running as part of the following "
                f"ECS Services will be automatically updated beginning {ret_day.strftime('%A, %B %-d, %Y')} at 00:00 UTC.\n\nAfter this "
                "time, the ECS scheduler will gracefully stop and replace the tasks, respecting the deployment configuration "
                "(minimumHealthyPercent) of each service. Typically, services should see little to no interruption during the update "
                "and no action is required. If you would like to update your services before the scheduled date, you can do so by "
                "running UpdateService with the force-new-deployment option.\n\nA list of your affected services can be found in the "
                "'Affected resources' tab."
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:{k.region}:{k.account}:entity/{k.hx(24)}",
                    "eventArn": ev_arn,
                    "entityValue": f"{cluster}|{name}",
                    "awsAccountId": k.account,
                    "lastUpdatedTime": iso(notice),
                    "statusCode": "UNKNOWN",
                }
                for name in svcs
            ],
        },
    )

    # ---- metrics -----------------------------------------------------------------------------------
    lb = alb_arn.split("loadbalancer/")[1]

    def night(t):
        return k.diurnal(t.astimezone(zone).replace(tzinfo=kz.UTC), peak_hour=19, depth=0.85)

    for name, (_sarn, tg_arn, _td, n, minh, t_ret, t_done) in svcs.items():
        tgd = {"TargetGroup": tg_arn.split(":")[-1], "LoadBalancer": lb}

        def healthy(t, n=n, minh=minh, t_ret=t_ret, t_done=t_done):
            if minh < 100 and t_ret <= t < t_done:
                return n // 2
            return n

        k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, start, now, healthy, unit="Count")
        k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, start, now, lambda t: 0, unit="Count")
        k.series(
            "AWS/ApplicationELB",
            "RequestCount",
            tgd,
            start,
            now,
            lambda t: k.noise(900 * night(t), 0.08),
            unit="Count",
        )
        k.series(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            start,
            now,
            lambda t, h=healthy, n=n: k.noise(0.07 * (1.4 if h(t) < n else 1), 0.1),
            unit="Seconds",
        )
        k.series(
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            start,
            now,
            lambda t: 1 if r.random() < 0.06 else None,
            unit="Count",
        )
        k.series(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            {"ClusterName": cluster, "ServiceName": name},
            start,
            now,
            healthy,
            unit="Count",
        )
        k.series(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": name},
            start,
            now,
            lambda t: k.noise(6 + 30 * night(t), 0.06),
            unit="Percent",
        )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb},
        start,
        now,
        lambda t: r.randrange(1, 3) if r.random() < 0.03 else None,
        unit="Count",
    )
    db = f"{org}-orders-db"
    t_exp = (k.day.replace(tzinfo=zone) + timedelta(hours=1, minutes=30)).astimezone(kz.UTC)
    exp_end = t_exp + timedelta(minutes=r.randrange(28, 40))
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        start,
        now,
        lambda t: k.noise(86 if t_exp <= t < exp_end else 9 + 25 * night(t), 0.05),
        unit="Percent",
    )
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.m6g.large",
            "Engine": "postgres",
            "EngineVersion": "16.3",
            "DBInstanceStatus": "available",
            "MultiAZ": True,
            "AvailabilityZone": k.azs[0],
            "SecondaryAvailabilityZone": k.azs[1],
            "DBInstanceArn": k.arn("rds", f"db:{db}"),
            "InstanceCreateTime": iso(created),
            "PubliclyAccessible": False,
            "AllocatedStorage": 200,
            "StorageType": "gp3",
        },
    )

    # ---- alarms ------------------------------------------------------------------------------------
    topic = k.arn("sns", "orders-pagerduty")
    cfg = created + timedelta(days=r.randrange(30, 200))
    _o_arn, o_tg, _, _o_n, _, o_ret, o_done = svcs["orders-api"]
    t_al = o_ret.replace(second=0) + timedelta(minutes=2, seconds=r.randrange(10, 40))
    t_ok = o_done.replace(second=0) + timedelta(minutes=1, seconds=r.randrange(10, 40))
    k.alarm(
        "orders-api-healthy-hosts-low",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {"TargetGroup": o_tg.split(":")[-1], "LoadBalancer": lb},
        stat="Minimum",
        threshold=3,
        evals=2,
        op="LessThanThreshold",
        missing="breaching",
        topic=topic,
        configured=cfg,
        desc="orders-api has fewer than 3 healthy targets",
        transitions=[
            (start, "OK", "Threshold Crossed: 2 datapoints were not less than the threshold (3.0)."),
            (
                t_al,
                "ALARM",
                f"Threshold Crossed: 2 out of the last 2 datapoints [2.0 ({(t_al.replace(second=0) - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')}), 2.0 ({(t_al.replace(second=0) - timedelta(minutes=2)).strftime('%d/%m/%y %H:%M:%S')})] were less than the threshold (3.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                t_ok,
                "OK",
                f"Threshold Crossed: 1 out of the last 2 datapoints [4.0 ({(t_ok.replace(second=0) - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')})] was not less than the threshold (3.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    k.alarm(
        "orders-db-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        stat="Average",
        period=300,
        threshold=80,
        evals=2,
        topic=k.arn("sns", "orders-email"),
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 2 datapoints were not greater than the threshold (80.0)."),
            (
                t_exp + timedelta(minutes=11),
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                exp_end + timedelta(minutes=6),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (80.0) (minimum 2 datapoints for ALARM -> OK transition).",
            ),
        ],
    )
    k.alarm(
        "orders-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": o_tg.split(":")[-1], "LoadBalancer": lb},
        threshold=20,
        evals=3,
        topic=topic,
        configured=cfg,
        transitions=[
            (
                start,
                "OK",
                "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
            )
        ],
    )

    # ---- CloudTrail --------------------------------------------------------------------------------
    ecs_slr = k.role_identity("AWSServiceRoleForECS", "ecs-service-scheduler", invoked_by="ecs.amazonaws.com")
    for _name, (_sarn, tg_arn, _td, _n, _minh, t_ret, t_done) in svcs.items():
        for j in range(2):
            tt = t_ret + timedelta(minutes=j * (t_done - t_ret).total_seconds() / 120, seconds=2)
            k.ct(
                tt,
                "elasticloadbalancing.amazonaws.com",
                "DeregisterTargets",
                ecs_slr,
                {
                    "targetGroupArn": tg_arn,
                    "targets": [
                        {"id": f"{net['base']}.{r.randrange(16, 63)}.{r.randrange(2, 250)}", "port": 8080}
                    ],
                },
                None,
            )
            k.ct(
                tt + timedelta(seconds=45),
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                ecs_slr,
                {
                    "targetGroupArn": tg_arn,
                    "targets": [
                        {"id": f"{net['base']}.{r.randrange(16, 63)}.{r.randrange(2, 250)}", "port": 8080}
                    ],
                },
                None,
            )
    evr = k.role_identity(f"{cluster}-eventbridge-ecs-run", k.hx(32), invoked_by="events.amazonaws.com")
    rt = k.ct(
        t_exp,
        "ecs.amazonaws.com",
        "RunTask",
        evr,
        {
            "cluster": kz.cluster_arn(k, cluster),
            "taskDefinition": td_exp["taskDefinitionArn"],
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "events-rule/orders-nightly-export",
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": subnets[:1], "assignPublicIp": "DISABLED"}
            },
        },
        {
            "tasks": [{"taskArn": k.arn("ecs", f"task/{cluster}/{k.hx(32)}"), "lastStatus": "PROVISIONING"}],
            "failures": [],
        },
    )
    del rt
    ops = k.role_identity(
        f"AWSReservedSSO_ReadOnly_{k.hx(16)}", f"{r.choice(['niamh', 'oskar', 'femi', 'hana'])}@{org}.com"
    )
    for _j in range(r.randrange(4, 8)):
        k.ct(
            now - timedelta(minutes=r.randrange(1, 12)),
            r.choice(["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "monitoring.amazonaws.com"]),
            r.choice(["DescribeServices", "DescribeTargetHealth", "DescribeAlarmHistory"]),
            ops,
            None,
            None,
            read_only=True,
            agent="AWS Internal",
        )
    dev = k.role_identity(f"AWSReservedSSO_Developer_{k.hx(16)}", f"late.shift@{org}.com")
    k.ct(
        start + timedelta(minutes=r.randrange(5, 40)),
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/cart-api/prod/feature-flags", "type": "String", "overwrite": True},
        {"version": r.randrange(20, 90), "tier": "Standard"},
        agent="aws-cli/2.17.4 Python/3.12.4 Darwin/23.5.0 exe/arm64",
    )
    mon = k.role_identity("DatadogIntegrationRole", "datadog-aws-integration")
    k.readonly_noise(
        start,
        now,
        r.randrange(40, 55),
        [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": list(svcs)}),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": o_tg}),
            ("health.amazonaws.com", "DescribeEvents", None),
            ("tagging.amazonaws.com", "GetResources", None),
        ],
        mon,
        "Datadog",
    )

    # ---- logs ---------------------------------------------------------------------------------------
    for name, (_sarn, _tg_arn, _td, n, minh, t_ret, _t_done) in svcs.items():
        t = start
        streams = [f"ecs/{name}/{k.hx(32)}" for _ in range(n)]
        new_streams = [f"ecs/{name}/{k.hx(32)}" for _ in range(n)]
        while t < now:
            pool = streams if t < t_ret else new_streams
            s = r.choice(pool)
            k.log(
                f"/ecs/{name}",
                s,
                t,
                f"{iso(t)[:-1]}.{r.randrange(100, 999)}Z  INFO 1 --- [{name}] [nio-8080-exec-{r.randrange(1, 20)}] c.{org}.web.RequestLog : {r.choice(['GET', 'POST'])} /api/v1/{'orders' if name == 'orders-api' else 'cart'}/{r.randrange(10**5, 10**6)} 200 {r.randrange(8, 120)}ms",
            )
            t += timedelta(seconds=r.randrange(60, 240))
        for s in new_streams:
            t0 = t_ret + timedelta(seconds=r.randrange(30, 200))
            k.log(
                f"/ecs/{name}",
                s,
                t0,
                f"{iso(t0)[:-1]}.{r.randrange(100, 999)}Z  INFO 1 --- [{name}] [           main] c.{org}.Application : Started Application in {r.uniform(24, 41):.3f} seconds (process running for {r.uniform(26, 44):.3f})",
            )
        for s in streams[: n // 2 if minh < 100 else n]:
            t0 = t_ret + timedelta(seconds=r.randrange(0, 20))
            k.log(
                f"/ecs/{name}",
                s,
                t0,
                f"{iso(t0)[:-1]}.{r.randrange(100, 999)}Z  INFO 1 --- [{name}] [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown : Commencing graceful shutdown. Waiting for active requests to complete",
            )

    loc = t_al.astimezone(zone)
    question = (
        f"got paged at {loc.strftime('%-I:%M')}am for orders-api healthy hosts low, it had cleared by the time I opened the laptop. "
        "nothing was deployed last night as far as I know. is something wrong with orders-api or the load balancer? "
        "do I need to do anything before the lunch rush?"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        question=question,
        tz=tz,
        alarm_event=None,
        truth={"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
