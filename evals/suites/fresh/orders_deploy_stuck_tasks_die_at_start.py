"""Fargate tasks stop before their containers start after an interface-endpoint security group is tightened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzi import Json, Kit, Svc, Topo, iso, perm, task_def

NAME = "orders-deploy-stuck-tasks-die-at-start"
TITLE = "orders-api deploy keeps rolling back and payments can't scale; new tasks die before the app starts"
SUMMARY = (
    "A platform engineer replaced the VPC-wide HTTPS rule on the Secrets Manager interface endpoint's security "
    "group with rules for two other groups, so every new Fargate task fails to fetch its injected secrets."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.rnd
    day = datetime(2026, r.choice([1, 2, 3, 10, 11]), r.randint(3, 26), tzinfo=UTC)
    start = day + timedelta(hours=r.randint(8, 10), minutes=r.choice([0, 15, 30]))
    onset = start + timedelta(hours=3, minutes=r.randint(8, 24), seconds=r.randint(0, 59))
    deploy = onset + timedelta(minutes=r.randint(9, 16))
    scale = onset + timedelta(minutes=r.randint(20, 27))
    now = onset + timedelta(minutes=r.randint(52, 64))
    end = now + timedelta(minutes=10)
    cidr = f"10.{k.cidr_second}.0.0/16"

    svcs = [
        Svc("orders-api", r.choice([4, 6]), r.randint(120, 180), nlb=True),
        Svc("payments-svc", r.choice([4, 6]), r.randint(60, 90), nlb=True),
        Svc("catalog-svc", r.choice([6, 8]), r.randint(200, 260), nlb=True),
        Svc("cart-svc", 3, r.randint(40, 70)),
    ]
    topo = Topo(k, start, svcs)
    o, p, c, cart = svcs
    core_sg = "sg-" + k.hexid(17)
    legacy_sg = "sg-" + k.hexid(17)
    topo.aurora()
    topo.secret(start - timedelta(days=r.randint(3, 25)))
    topo.endpoints({"secretsmanager": topo.vpce_sg})
    topo.sg(
        topo.task_sg,
        "shop-prod-ecs-tasks",
        "Fargate tasks for shop-prod services",
        [perm(8080, group=topo.nlb_sg)],
    )
    topo.sg(
        topo.vpce_sg,
        "shop-prod-secretsmanager-vpce",
        "Secrets Manager interface endpoint",
        [
            perm(443, group=topo.batch_sg, desc="batch workers"),
            perm(443, group=legacy_sg, desc="legacy reporting hosts"),
        ],
    )
    topo.sg(
        core_sg,
        "shop-prod-vpce-core",
        "ECR, Logs and STS interface endpoints",
        [perm(443, cidr=cidr, desc="VPC")],
    )
    topo.sg(
        topo.db_sg,
        "shop-prod-aurora",
        "Aurora MySQL",
        [perm(3306, group=topo.task_sg), perm(3306, group=topo.batch_sg)],
    )
    topo.sg(topo.batch_sg, "shop-prod-batch", "Nightly batch workers on EC2", [])
    topo.sg(topo.nlb_sg, "shop-prod-int-nlb", "Internal NLB", [perm(443, cidr=cidr)])
    # vpce core endpoints use core_sg: patch the items written above
    for res in k.resources:
        if res["type"] == "VpcEndpoint" and res["item"]["VpcEndpointType"] == "Interface":
            if not res["item"]["ServiceName"].endswith("secretsmanager"):
                res["item"]["Groups"] = [{"GroupId": core_sg, "GroupName": "shop-prod-vpce-core"}]
            else:
                res["item"]["Groups"] = [
                    {"GroupId": topo.vpce_sg, "GroupName": "shop-prod-secretsmanager-vpce"}
                ]

    eng = k.human(r.choice(["r.mendes", "a.kowalski", "t.nguyen"]))
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    ci_agent = "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/ecs#3.540.0"
    aas = k.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-UpdateService",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    aas["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService"
    )
    sm_vpce = topo.vpce["secretsmanager"]

    def secret_fetch(t: datetime) -> None:
        task_id = k.hexid(32)
        ident = k.role_identity(topo.exec_role, task_id)
        k.trail(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            ident,
            {"secretId": topo.secret_arn},
            None,
            read_only=True,
            agent="aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
            ip=k.ip(),
            extra={"vpcEndpointId": sm_vpce, "vpcEndpointAccountId": k.account},
        )

    # --- innocent earlier activity: a catalog deploy (its tasks fetched their secrets fine) ---
    cat_dep = onset - timedelta(minutes=r.randint(22, 40))
    new_cat = c.rev + 1
    k.trail(
        cat_dep,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "catalog-svc",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/catalog-svc:{new_cat}"),
                "revision": new_cat,
                "status": "ACTIVE",
            }
        },
        agent=ci_agent,
        ip="20.84.101.17",
    )
    k.trail(
        cat_dep + timedelta(seconds=9),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": "shop-prod",
            "service": "catalog-svc",
            "taskDefinition": f"catalog-svc:{new_cat}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "catalog-svc",
                "taskDefinition": k.arn("ecs", f"task-definition/catalog-svc:{new_cat}"),
                "desiredCount": c.desired,
            }
        },
        agent=ci_agent,
        ip="20.84.101.17",
    )
    for i in range(c.desired):
        secret_fetch(cat_dep + timedelta(seconds=40 + 15 * i + r.randint(0, 9)))
    k.ecs_event(
        c.arn,
        cat_dep + timedelta(seconds=30),
        f"(service catalog-svc) has started {c.desired} tasks: "
        + " ".join(f"(task {k.hexid(32)})" for _ in range(c.desired))
        + ".",
    )
    k.ecs_event(
        c.arn,
        cat_dep + timedelta(minutes=7),
        f"(service catalog-svc) has stopped {c.desired} running tasks: "
        + " ".join(f"(task {k.hexid(32)})" for _ in range(c.desired))
        + ".",
    )
    k.ecs_event(c.arn, cat_dep + timedelta(minutes=8), "(service catalog-svc) has reached a steady state.")
    c.td = k.arn("ecs", f"task-definition/catalog-svc:{new_cat}")
    # secret fetches from earlier task replacements (Fargate retirements, cart restarts)
    for _ in range(r.randint(4, 7)):
        secret_fetch(start + timedelta(minutes=r.randint(5, int((onset - start).total_seconds() // 60) - 45)))

    # --- the change: VPC-wide rule replaced with two group references ---
    t_auth = onset - timedelta(seconds=r.randint(50, 110))
    k.trail(
        t_auth,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        eng,
        {
            "groupId": topo.vpce_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {"items": [{"groupId": g, "description": d}]},
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                    for g, d in [(topo.batch_sg, "batch workers"), (legacy_sg, "legacy reporting hosts")]
                ]
            },
        },
        {
            "requestId": k.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": k.account,
                        "groupId": topo.vpce_sg,
                        "securityGroupRuleId": "sgr-" + k.hexid(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "referencedGroupInfo": {"groupId": g, "userId": k.account},
                        "description": d,
                    }
                    for g, d in [(topo.batch_sg, "batch workers"), (legacy_sg, "legacy reporting hosts")]
                ]
            },
        },
    )
    culprit = k.trail(
        onset,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        eng,
        {
            "groupId": topo.vpce_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": cidr}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": k.uid(),
            "_return": True,
            "revokedSecurityGroupRuleSet": {
                "items": [
                    {
                        "groupId": topo.vpce_sg,
                        "securityGroupRuleId": "sgr-" + k.hexid(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": cidr,
                    }
                ]
            },
        },
    )
    k.trail(
        onset + timedelta(seconds=r.randint(20, 60)),
        "ec2.amazonaws.com",
        "DescribeSecurityGroupRules",
        eng,
        {
            "DescribeSecurityGroupRulesRequest": {
                "Filter": {"Name": "group-id", "Value": {"content": topo.vpce_sg, "tag": 1}}
            }
        },
        None,
        read_only=True,
    )
    # other innocent changes in the window
    k.trail(
        start + timedelta(minutes=r.randint(30, 70)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        eng,
        {
            "alarmName": "cart-svc-memory-high",
            "namespace": "AWS/ECS",
            "metricName": "MemoryUtilization",
            "threshold": 85.0,
            "comparisonOperator": "GreaterThanThreshold",
            "evaluationPeriods": 5,
            "period": 60,
            "statistic": "Average",
        },
        None,
    )
    k.trail(
        onset - timedelta(minutes=r.randint(60, 90)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        eng,
        {"logGroupName": "/ecs/shop-prod/cart-svc", "retentionInDays": 30},
        None,
    )
    k.trail(
        onset + timedelta(minutes=r.randint(3, 7)),
        "ssm.amazonaws.com",
        "PutParameter",
        ci,
        {"name": "/shop/prod/orders-api/feature-flags", "type": "String", "overwrite": True},
        {"version": r.randint(30, 90), "tier": "Standard"},
        agent=ci_agent,
        ip="20.84.101.17",
    )

    # --- the orders deploy that gets stuck ---
    new_o = o.rev + 1
    k.trail(
        deploy,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "orders-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/orders-api:{new_o}"),
                "revision": new_o,
                "status": "ACTIVE",
            }
        },
        agent=ci_agent,
        ip="20.84.101.17",
    )
    k.trail(
        deploy + timedelta(seconds=8),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": "shop-prod",
            "service": "orders-api",
            "taskDefinition": f"orders-api:{new_o}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "orders-api",
                "taskDefinition": k.arn("ecs", f"task-definition/orders-api:{new_o}"),
                "desiredCount": o.desired,
            }
        },
        agent=ci_agent,
        ip="20.84.101.17",
    )
    k.res(
        "ecs",
        "TaskDefinition",
        task_def(
            k,
            topo,
            o,
            o.rev,
            f"2026.{r.randint(100, 199)}.{r.randint(1, 9)}",
            start - timedelta(days=2),
            [{"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}],
        ),
    )
    k.res(
        "ecs",
        "TaskDefinition",
        task_def(
            k,
            topo,
            o,
            new_o,
            f"2026.{r.randint(200, 299)}.1",
            deploy,
            [
                {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                {"name": "ORDERS_BULK_EXPORT_ENABLED", "value": "true"},
            ],
        ),
    )

    reason_tpl = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
        "failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch "
        f"secret {topo.secret_arn} from secrets manager: RequestError: send request failed caused by: Post "
        f'"https://secretsmanager.{k.region}.amazonaws.com/": dial tcp {{ip}}:443: i/o timeout. '
        "Please check your task network configuration."
    )
    eni_ips = [k.ip(i) for i in range(3)]
    failed: list[tuple[datetime, str, Svc, str]] = []
    t = deploy + timedelta(seconds=25)
    dep_id = "ecs-svc/" + "".join(str(r.randint(0, 9)) for _ in range(19))
    old_dep = "ecs-svc/" + "".join(str(r.randint(0, 9)) for _ in range(19))
    n_fail = 0
    while t < deploy + timedelta(minutes=21):
        ids = [k.hexid(32) for _ in range(2)]
        k.ecs_event(o.arn, t, f"(service orders-api) has started 2 tasks: (task {ids[0]}) (task {ids[1]}).")
        for tid in ids:
            failed.append((t, tid, o, f"orders-api:{new_o}"))
        n_fail += 2
        t += timedelta(minutes=r.randint(2, 4), seconds=r.randint(0, 50))
    k.ecs_event(
        o.arn, t, f"(service orders-api) deployment {dep_id} deployment failed: tasks failed to start."
    )
    k.ecs_event(
        o.arn, t + timedelta(seconds=2), f"(service orders-api) rolling back to deployment {old_dep}."
    )
    t += timedelta(seconds=40)
    while t < now - timedelta(minutes=1):
        tid = k.hexid(32)
        k.ecs_event(o.arn, t, f"(service orders-api) has started 1 tasks: (task {tid}).")
        failed.append((t, tid, o, f"orders-api:{o.rev}"))
        t += timedelta(minutes=r.randint(3, 5), seconds=r.randint(0, 50))

    # payments target tracking wants more tasks; they never start
    p_target = p.desired + 2
    k.trail(
        scale,
        "ecs.amazonaws.com",
        "UpdateService",
        aas,
        {"cluster": "shop-prod", "service": "payments-svc", "desiredCount": p_target},
        {"service": {"serviceName": "payments-svc", "desiredCount": p_target}},
    )
    k.event(
        scale,
        "application_autoscaling",
        {
            "ActivityId": k.uid(),
            "ServiceNamespace": "ecs",
            "ResourceId": "service/shop-prod/payments-svc",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {p_target}.",
            "Cause": f"monitor alarm TargetTracking-service/shop-prod/payments-svc-AlarmHigh-{k.uid()} in state ALARM triggered policy payments-cpu-target",
            "StartTime": iso(scale),
            "EndTime": iso(scale + timedelta(seconds=31)),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully set desired count to {p_target}. Change successfully fulfilled by ecs.",
        },
    )
    t = scale + timedelta(seconds=20)
    while t < now - timedelta(minutes=1):
        ids = [k.hexid(32) for _ in range(2)]
        k.ecs_event(p.arn, t, f"(service payments-svc) has started 2 tasks: (task {ids[0]}) (task {ids[1]}).")
        for tid in ids:
            failed.append((t, tid, p, f"payments-svc:{p.rev}"))
        t += timedelta(minutes=r.randint(3, 6), seconds=r.randint(0, 50))

    for t0, tid, s, td in failed:
        if t0 + timedelta(minutes=2) > now:
            continue
        az = r.randint(0, 2)
        k.res(
            "ecs",
            "Task",
            {
                "taskArn": k.arn("ecs", f"task/shop-prod/{tid}"),
                "clusterArn": topo.cluster_arn,
                "taskDefinitionArn": k.arn("ecs", f"task-definition/{td}"),
                "group": f"service:{s.name}",
                "startedBy": "ecs-svc/" + "".join(str(r.randint(0, 9)) for _ in range(19)),
                "availabilityZone": k.azs[az],
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "cpu": "1024",
                "memory": "2048",
                "connectivity": "CONNECTED",
                "connectivityAt": iso(t0 + timedelta(seconds=12)),
                "createdAt": iso(t0),
                "lastStatus": "STOPPED",
                "desiredStatus": "STOPPED",
                "stopCode": "TaskFailedToStart",
                "stoppedReason": reason_tpl.format(ip=eni_ips[az]),
                "stoppingAt": iso(t0 + timedelta(seconds=78)),
                "stoppedAt": iso(t0 + timedelta(seconds=95)),
                "executionStoppedAt": iso(t0 + timedelta(seconds=80)),
                "containers": [
                    {
                        "containerArn": k.arn("ecs", f"container/shop-prod/{tid}/{k.uid()}"),
                        "taskArn": k.arn("ecs", f"task/shop-prod/{tid}"),
                        "name": s.name,
                        "lastStatus": "STOPPED",
                        "networkInterfaces": [{"attachmentId": k.uid(), "privateIpv4Address": k.ip(az)}],
                        "cpu": "0",
                    }
                ],
                "version": 4,
                "ephemeralStorage": {"sizeInGiB": 20},
            },
        )

    o_dep: list[Json] = [
        {
            "id": dep_id,
            "status": "PRIMARY",
            "taskDefinition": k.arn("ecs", f"task-definition/orders-api:{o.rev}"),
            "desiredCount": o.desired,
            "pendingCount": 0,
            "runningCount": o.desired,
            "failedTasks": len([f for f in failed if f[2] is o]),
            "createdAt": iso(deploy + timedelta(minutes=21)),
            "updatedAt": iso(now - timedelta(minutes=2)),
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment detected failure. Rolling back to {old_dep}.",
        }
    ]
    k.res("ecs", "Service", topo.service_item(o, o_dep))
    p.desired = p_target
    k.res("ecs", "Service", topo.service_item(p, running=p_target - 2))
    k.res("ecs", "Service", topo.service_item(c))
    k.res("ecs", "Service", topo.service_item(cart))

    # --- metrics ---
    ci_ns, ecs_ns, nlb_ns = "ECS/ContainerInsights", "AWS/ECS", "AWS/NetworkELB"
    for s in svcs:
        dims = {"ClusterName": "shop-prod", "ServiceName": s.name}
        base_running = s.desired if s is not p else p_target - 2
        k.series(
            ci_ns, "RunningTaskCount", dims, "Count", start, end, lambda t, n=base_running: float(n), digits=0
        )

        def desired(t: datetime, s: Svc = s, n: int = base_running) -> float:
            if s is p and t >= scale:
                return float(p_target)
            if s is o and deploy <= t:
                return float(n)
            return float(n)

        k.series(ci_ns, "DesiredTaskCount", dims, "Count", start, end, desired, digits=0)

        def pending(t: datetime, s: Svc = s) -> float:
            if s is o and t >= deploy:
                return float(2 if (t - deploy).seconds % 240 < 100 else 0)
            if s is p and t >= scale:
                return float(2 if (t - scale).seconds % 300 < 100 else 0)
            return 0.0

        k.series(ci_ns, "PendingTaskCount", dims, "Count", start, end, pending, digits=0)

        def cpu(t: datetime, s: Svc = s) -> float:
            load = Kit.diurnal(t, 13.0, 0.3)
            base = {"orders-api": 38.0, "payments-svc": 46.0, "catalog-svc": 30.0, "cart-svc": 22.0}[s.name]
            if s is p and t >= onset + timedelta(minutes=10):
                base += min(36.0, (t - onset - timedelta(minutes=10)).total_seconds() / 60 * 1.4)
            return min(99.0, k.noise(base * load, 0.08))

        k.series(ecs_ns, "CPUUtilization", dims, "Percent", start, end, cpu)
        k.series(ecs_ns, "MemoryUtilization", dims, "Percent", start, end, lambda t: k.noise(52.0, 0.04))
        if s.nlb:
            tgd = {"TargetGroup": s.tg_dim, "LoadBalancer": topo.nlb_dim}
            k.series(
                nlb_ns,
                "HealthyHostCount",
                tgd,
                "Count",
                start,
                end,
                lambda t, n=base_running: float(n),
                digits=0,
            )

            def unhealthy(t: datetime, s: Svc = s) -> float:
                flap = s is c and cat_dep + timedelta(minutes=1) <= t < cat_dep + timedelta(minutes=8)
                return 1.0 if flap else 0.0

            k.series(nlb_ns, "UnHealthyHostCount", tgd, "Count", start, end, unhealthy, digits=0)
    k.series(
        nlb_ns,
        "ActiveFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(1800 * Kit.diurnal(t, 13.0, 0.3), 0.06),
        digits=0,
    )
    k.series(
        nlb_ns,
        "NewFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(5200 * Kit.diurnal(t, 13.0, 0.3), 0.08),
        digits=0,
    )
    k.series(
        nlb_ns,
        "TCP_Target_Reset_Count",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 4)),
        digits=0,
    )
    for ident, base in [(topo.writer, 31.0), (topo.reader, 17.0)]:
        k.series(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": ident},
            "Percent",
            start,
            end,
            lambda t, b=base: k.noise(b, 0.1),
        )
        k.series(
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": ident},
            "Count",
            start,
            end,
            lambda t, b=base: k.noise(b * 5, 0.05),
            digits=0,
        )

    # --- alarms ---
    pc = k.alarm(
        "payments-svc-cpu-high",
        ecs_ns,
        "CPUUtilization",
        {"ClusterName": "shop-prod", "ServiceName": "payments-svc"},
        stat="Average",
        period=60,
        evals=5,
        threshold=75.0,
        op="GreaterThanThreshold",
        desc="payments-svc average CPU above 75% for 5 minutes. Runbook: https://wiki.shop.internal/runbooks/payments",
        state="ALARM",
        reason="",
        updated=onset,
        configured=start - timedelta(days=120),
    )
    # find first breach from the series
    pts = [
        m
        for m in k.metrics
        if m["metric"] == "CPUUtilization"
        and m["namespace"] == ecs_ns
        and m["dimensions"]["ServiceName"] == "payments-svc"
    ]
    t_alarm = now - timedelta(minutes=5)
    for i in range(4, len(pts)):
        window = pts[i - 4 : i + 1]
        if all(m["value"] > 75 for m in window):
            t_alarm = datetime.fromisoformat(window[-1]["timestamp"].replace("Z", "+00:00")) + timedelta(
                seconds=70
            )
            vals = ", ".join(f"{m['value']}" for m in window)
            pc_reason = (
                f"Threshold Crossed: 5 datapoints [{vals}] were greater than the threshold (75.0) "
                f"(minimum 5 datapoints for OK -> ALARM transition)."
            )
            break
    else:
        pc_reason = "Threshold Crossed: 5 datapoints were greater than the threshold (75.0)."
    t_alarm = min(t_alarm, now - timedelta(minutes=2))
    pc["StateReason"] = pc_reason
    pc["StateUpdatedTimestamp"] = pc["StateTransitionedTimestamp"] = iso(t_alarm)
    k.transition(pc, t_alarm, "OK", "ALARM", pc_reason)
    unh = k.alarm(
        "catalog-svc-nlb-unhealthy-targets",
        nlb_ns,
        "UnHealthyHostCount",
        {"TargetGroup": c.tg_dim, "LoadBalancer": topo.nlb_dim},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0.0,
        op="GreaterThanThreshold",
        desc="catalog-svc has unhealthy NLB targets",
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were not greater than the threshold (0.0).",
        updated=cat_dep + timedelta(minutes=9),
        configured=start - timedelta(days=300),
    )
    k.transition(
        unh,
        cat_dep + timedelta(minutes=3),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints [1.0, 1.0] were greater than the threshold (0.0).",
    )
    k.transition(
        unh,
        cat_dep + timedelta(minutes=9),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were not greater than the threshold (0.0).",
    )
    k.alarm(
        "shop-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": topo.writer},
        stat="Average",
        period=300,
        evals=3,
        threshold=80.0,
        op="GreaterThanThreshold",
        desc="Aurora writer CPU",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        updated=start - timedelta(days=6),
        configured=start - timedelta(days=200),
    )

    # --- application logs (running tasks keep serving) ---
    streams = {s.name: [f"{s.name}/{s.name}/{k.hexid(32)}" for _ in range(2)] for s in svcs}
    t = start
    while t < now:
        for s in (o, p, c):
            st = r.choice(streams[s.name])
            ms_ = r.randint(8, 90) if s is not p or t < onset + timedelta(minutes=20) else r.randint(140, 900)
            path = {
                "orders-api": "POST /v1/orders",
                "payments-svc": "POST /v1/payments/authorize",
                "catalog-svc": "GET /v1/products",
            }[s.name]
            code = 201 if s is o else 200
            thread = r.randint(1, 40)
            k.log(
                f"/ecs/shop-prod/{s.name}",
                st,
                t + timedelta(seconds=r.randint(0, 50)),
                f"{iso(t)[:-1]}.{r.randint(100, 999)}Z  INFO 1 --- [{s.name}] [nio-8080-exec-{thread}] "
                f"c.s.{s.name.split('-')[0]}.web.RequestLogFilter  : {path} {code} {ms_}ms",
            )
        t += timedelta(minutes=2)
    k.log(
        f"/ecs/shop-prod/{p.name}",
        streams[p.name][0],
        onset + timedelta(minutes=31),
        f"{iso(onset + timedelta(minutes=31))[:-1]}.412Z  WARN 1 --- [payments-svc] [nio-8080-exec-33] o.a.tomcat.util.threads.ThreadPoolExecutor : Thread pool nearly exhausted (180/200 active)",
    )

    k.tooling_reads(
        start,
        now,
        r.randint(34, 48),
        [("ec2.amazonaws.com", "DescribeVpcEndpoints", {"vpcEndpointId": {}, "filterSet": {}})],
    )

    hh = (deploy + timedelta(hours=1)).strftime("%H:%M")
    question = (
        f"orders-api deploy from {hh} has been stuck forever, new tasks keep dying before the app even logs "
        "anything and ECS keeps rolling back. Did the new image break something? payments also looks hot"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=question,
        timezone="+01:00",
        alarm_event=None,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": topo.vpce_sg,
                "category": "change",
                "failure_mode": "endpoint-security-group-rule-revoked",
                "event_id": culprit,
            },
            "also_accept": ["shop-prod-secretsmanager-vpce", sm_vpce],
            "actions": ["rollback"],
            "chain": [topo.vpce_sg, sm_vpce, "orders-api", "payments-svc"],
        },
    )
