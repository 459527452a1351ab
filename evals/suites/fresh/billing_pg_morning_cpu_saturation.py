"""Billing database saturates at the morning peak: its instance class was cut by hand the evening before."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_k import (
    CHROME,
    FIREFOX,
    MIN,
    AlarmSpec,
    Ctx,
    Noise,
    alarm_event,
    at_local,
    aws_service,
    business_curve,
    ct,
    evaluate_alarm,
    grafana_agent,
    iso,
    local_hour,
    mixed_steps,
    pick_day,
    role_session,
    routine_reads,
    scatter,
    sso_user,
    steps,
    tag_list,
)

NAME = "billing-pg-morning-cpu-saturation"
TITLE = "billing-pg-prod CPU alarm during the morning peak"
SUMMARY = (
    "Someone downsized billing-pg-prod from db.r6g.2xlarge to db.r6g.large with ApplyImmediately the "
    "evening before; at the next morning peak the CPU saturates, queries time out and invoicing-api errors."
)

ZONE = "Europe/Berlin"
GIB = 1024**3


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "eu-central-1")
    rng = ctx.rng
    day = pick_day(rng)
    while day.weekday() == 0:  # the evening before must be a working day
        day += timedelta(days=1)
    prev = day - timedelta(days=1)
    start = at_local(prev, 6 * 60 + rng.randrange(0, 30), ZONE)
    change = at_local(prev, 19 * 60 + 10 + rng.randrange(0, 70), ZONE) + timedelta(seconds=rng.randrange(60))
    db = "billing-pg-prod"
    old_class, new_class = "db.r6g.2xlarge", "db.r6g.large"
    vcpu_ratio = 4.0
    # the modification: standby first, then failover, then the old primary
    fo_start = change + timedelta(minutes=7, seconds=rng.randrange(0, 120))
    fo_end = fo_start + timedelta(seconds=rng.randrange(38, 70))
    finished = fo_end + timedelta(minutes=9, seconds=rng.randrange(0, 240))

    # demand on the database, in "2xlarge CPU percent"; after the change the same work costs 4x the share
    fine_from = at_local(day, 5 * 60, ZONE)
    grid = mixed_steps(start, at_local(day, 11 * 60 + 30, ZONE), fine_from)
    noise = Noise(rng, 0.04, 0.015)
    base_cpu = 4.0 + rng.random() * 2
    peak_cpu = 27.0 + rng.random() * 6
    demand: dict[datetime, float] = {}
    for t, _p in grid:
        load = business_curve(local_hour(t, ZONE), 0.08)
        demand[t] = (base_cpu + peak_cpu * load) * noise()
    util: dict[datetime, float] = {}
    for t, _p in grid:
        d = demand[t] * (vcpu_ratio if t >= finished else (vcpu_ratio / 2 if t >= fo_end else 1.0))
        util[t] = d
    onset = next(t for t, p in grid if p == 60 and util[t] > 92.0)
    now = onset + timedelta(minutes=34 + rng.randrange(0, 14))
    grid = [(t, p) for t, p in grid if t < now]

    # --- resources ------------------------------------------------------------------------------------
    vpc = ctx.rid("vpc")
    azs = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    subnets = {az: ctx.rid("subnet") for az in azs}
    sg_db, sg_app, sg_alb = ctx.rid("sg"), ctx.rid("sg"), ctx.rid("sg")
    kms_key = ctx.arn("kms", f"key/{ctx.uuid()}")
    db_arn = ctx.arn("rds", f"db:{db}")
    db_res_id = "db-" + ctx.alnum_up(26)
    endpoint = f"{db}.c{ctx.hex(11)}.eu-central-1.rds.amazonaws.com"
    created = day - timedelta(days=rng.randrange(500, 900))

    def db_item(
        ident: str, klass: str, multi_az: bool, storage: int, arn: str, res_id: str, ep: str, az: str
    ) -> dict[str, Any]:
        return {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": klass,
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "billing_admin",
            "DBName": "billing",
            "Endpoint": {"Address": ep, "Port": 5432, "HostedZoneId": "Z1RLNUO7B9Q6NB"},
            "AllocatedStorage": storage,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "01:10-01:40",
            "BackupRetentionPeriod": 14,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "billing-pg16", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": "billing-db-private",
                "DBSubnetGroupDescription": "billing private data subnets",
                "VpcId": vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": subnets[a],
                        "SubnetAvailabilityZone": {"Name": a},
                        "SubnetOutpost": {},
                        "SubnetStatus": "Active",
                    }
                    for a in azs
                ],
            },
            "PreferredMaintenanceWindow": "sun:02:30-sun:03:00",
            "PendingModifiedValues": {},
            "LatestRestorableTime": iso(now - timedelta(minutes=4)),
            "MultiAZ": multi_az,
            "EngineVersion": "16.3",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license",
            "Iops": 12000 if storage > 400 else 3000,
            "StorageThroughput": 500 if storage > 400 else 125,
            "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-16", "Status": "in-sync"}],
            "SecondaryAvailabilityZone": "eu-central-1b" if multi_az else None,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": kms_key,
            "DbiResourceId": res_id,
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "DomainMemberships": [],
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 60,
            "EnhancedMonitoringResourceArn": ctx.arn("logs", f"log-group:RDSOSMetrics:log-stream:{res_id}"),
            "MonitoringRoleArn": f"arn:aws:iam::{ctx.account}:role/rds-monitoring-role",
            "DBInstanceArn": arn,
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": True,
            "PerformanceInsightsKMSKeyId": kms_key,
            "PerformanceInsightsRetentionPeriod": 7,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
            "AssociatedRoles": [],
            "MaxAllocatedStorage": storage * 2,
            "TagList": tag_list(
                [
                    ("team", "billing"),
                    ("env", "prod" if "prod" in ident else "staging"),
                    ("cost-center", "cc-4120"),
                ]
            ),
            "CustomerOwnedIpEnabled": False,
            "NetworkType": "IPV4",
            "BackupTarget": "region",
            "CertificateDetails": {
                "CAIdentifier": "rds-ca-rsa2048-g1",
                "ValidTill": iso(created + timedelta(days=390)),
            },
            "DedicatedLogVolume": False,
            "IsStorageConfigUpgradeAvailable": False,
            "EngineLifecycleSupport": "open-source-rds-extended-support",
        }

    prod_item = db_item(
        db,
        new_class,
        True,
        800,
        db_arn,
        db_res_id,
        endpoint,
        "eu-central-1a" if rng.random() < 0.5 else "eu-central-1c",
    )
    prod_item["SecondaryAvailabilityZone"] = "eu-central-1b"
    ctx.resource("rds", "DBInstance", prod_item)
    stg_item = db_item(
        "billing-pg-staging",
        "db.t4g.medium",
        False,
        200,
        ctx.arn("rds", "db:billing-pg-staging"),
        "db-" + ctx.alnum_up(26),
        f"billing-pg-staging.c{ctx.hex(11)}.eu-central-1.rds.amazonaws.com",
        "eu-central-1a",
    )
    del stg_item["SecondaryAvailabilityZone"]
    ctx.resource("rds", "DBInstance", stg_item)
    for p_name, p_val in (
        ("max_connections", "LEAST({DBInstanceClassMemory/9531392},5000)"),
        ("log_min_duration_statement", "1000"),
        ("statement_timeout", "15000"),
        ("shared_buffers", "{DBInstanceClassMemory/32768}"),
    ):
        ctx.resource(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": "billing-pg16",
                "ParameterName": p_name,
                "ParameterValue": p_val,
                "Source": "user"
                if p_name in ("log_min_duration_statement", "statement_timeout")
                else "system",
                "ApplyType": "dynamic",
                "DataType": "integer",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot" if p_name == "shared_buffers" else "immediate",
            },
        )

    cluster = "billing-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    svc = "invoicing-api"
    svc_arn = ctx.arn("ecs", f"service/{cluster}/{svc}")
    worker_svc = "invoice-pdf-worker"
    worker_arn = ctx.arn("ecs", f"service/{cluster}/{worker_svc}")
    lb_name = "billing-public"
    lb_dim = f"app/{lb_name}/{ctx.hex(16)}"
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{lb_dim}")
    tg_dim = f"targetgroup/invoicing-api-prod/{ctx.hex(16)}"
    tg_arn = ctx.arn("elasticloadbalancing", tg_dim)
    api_rev = rng.randrange(180, 260)
    worker_rev = rng.randrange(40, 90)
    tasks = 6
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks + 2,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )

    def service_item(
        name: str, arn: str, rev: int, count: int, deployed: datetime, lbs: list[dict[str, Any]]
    ) -> dict[str, Any]:
        td = ctx.arn("ecs", f"task-definition/{name}:{rev}")
        dep = {
            "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
            "status": "PRIMARY",
            "taskDefinition": td,
            "desiredCount": count,
            "pendingCount": 0,
            "runningCount": count,
            "failedTasks": 0,
            "createdAt": iso(deployed),
            "updatedAt": iso(deployed + timedelta(minutes=4)),
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": list(subnets.values()),
                    "securityGroups": [sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "rolloutState": "COMPLETED",
            "rolloutStateReason": "ECS deployment ecs-svc completed.",
        }
        return {
            "serviceArn": arn,
            "serviceName": name,
            "clusterArn": cluster_arn,
            "loadBalancers": lbs,
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [dep],
            "roleArn": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso(created + timedelta(days=20)),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": dep["networkConfiguration"],
            "healthCheckGracePeriodSeconds": 60 if lbs else 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{ctx.account}:role/gha-deploy-billing",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        }

    api_deployed = prev - timedelta(days=rng.randrange(1, 4), hours=-11)
    ctx.resource(
        "ecs",
        "Service",
        service_item(
            svc,
            svc_arn,
            api_rev,
            tasks,
            api_deployed,
            [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}],
        ),
    )
    worker_deploy = onset - timedelta(minutes=21, seconds=rng.randrange(0, 300))
    ctx.resource("ecs", "Service", service_item(worker_svc, worker_arn, worker_rev + 1, 2, worker_deploy, []))
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.eu-central-1.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": a, "SubnetId": ctx.rid("subnet"), "LoadBalancerAddresses": []} for a in azs
            ],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "invoicing-api-prod",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 20,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health/liveness",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    task_ips = [f"10.31.{rng.randrange(8, 40)}.{rng.randrange(4, 250)}" for _ in range(tasks)]
    for ip in task_ips:
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": ip, "Port": 8080, "AvailabilityZone": rng.choice(azs)},
                "health": {"State": "healthy"},
                "timestamp": iso(api_deployed + timedelta(minutes=3)),
            },
        )
    ctx.resource(
        "ec2",
        "SecurityGroup",
        {
            "Description": "billing postgres",
            "GroupName": "billing-pg",
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_app, "UserId": ctx.account}],
                }
            ],
            "OwnerId": ctx.account,
            "GroupId": sg_db,
            "IpPermissionsEgress": [],
            "VpcId": vpc,
            "Tags": tag_list([("Name", "billing-pg")]),
        },
    )
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": ctx.arn("ecs", "cluster/billing-staging"),
            "clusterName": "billing-staging",
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 3,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "statistics": [],
            "tags": [],
            "settings": [],
            "capacityProviders": ["FARGATE"],
            "defaultCapacityProviderStrategy": [],
        },
    )

    # --- RDS events -----------------------------------------------------------------------------------
    def rds_event(at: datetime, msg: str, cats: list[str], ident: str = db, arn: str = db_arn) -> None:
        ctx.event(
            "rds",
            {
                "SourceIdentifier": ident,
                "SourceType": "db-instance",
                "Message": msg,
                "EventCategories": cats,
                "Date": iso(at),
                "SourceArn": arn,
            },
        )

    rds_event(
        change + timedelta(seconds=3),
        "Applying modification to database instance class",
        ["configuration change"],
    )
    rds_event(fo_start, "Multi-AZ instance failover started.", ["failover"])
    rds_event(fo_start + timedelta(seconds=25), "DB instance restarted", ["availability"])
    rds_event(fo_end, "Multi-AZ instance failover completed", ["failover"])
    rds_event(finished, "Finished applying modification to DB instance class", ["configuration change"])
    stg_change = change - timedelta(minutes=rng.randrange(12, 30))
    rds_event(
        stg_change + timedelta(seconds=4),
        "Applying modification to database instance class",
        ["configuration change"],
        "billing-pg-staging",
        ctx.arn("rds", "db:billing-pg-staging"),
    )
    rds_event(
        stg_change + timedelta(minutes=6),
        "DB instance restarted",
        ["availability"],
        "billing-pg-staging",
        ctx.arn("rds", "db:billing-pg-staging"),
    )
    rds_event(
        stg_change + timedelta(minutes=9),
        "Finished applying modification to DB instance class",
        ["configuration change"],
        "billing-pg-staging",
        ctx.arn("rds", "db:billing-pg-staging"),
    )
    bk = datetime(
        day.year, day.month, day.day, 1, 10 + rng.randrange(0, 10), rng.randrange(60), tzinfo=start.tzinfo
    )
    rds_event(bk, "Backing up DB instance", ["backup"])
    rds_event(bk + timedelta(minutes=rng.randrange(9, 16)), "Finished DB Instance backup", ["backup"])

    # --- metrics ----------------------------------------------------------------------------------------
    dims = {"DBInstanceIdentifier": db}
    ns = "AWS/RDS"
    req_peak = 5200 + rng.randrange(0, 1600)  # ALB requests per minute at peak
    alb_5xx: list[tuple[datetime, float]] = []
    cpu_pts: list[tuple[datetime, float]] = []
    lat_pts: list[tuple[datetime, float]] = []
    conn_pts: list[tuple[datetime, float]] = []
    stress: dict[datetime, float] = {}
    for t, p in grid:
        k = p / 60
        load = business_curve(local_hour(t, ZONE), 0.08)
        u = util[t]
        pressure = max(0.0, u - 80.0) / 20.0  # 0 below 80%, 1 at 100% demand
        over = max(0.0, u - 100.0) / 100.0
        stress[t] = over
        failing = fo_start <= t < fo_end + MIN
        cpu = min(99.2 + rng.random() * 0.6, u) if not failing else 3.0
        cpu_pts.append((t, cpu))
        conns = (38 + 30 * load) * (1 + 0.9 * min(1.0, pressure + over * 4)) if not failing else 0.0
        conns = min(conns, 120.0)
        conn_pts.append((t, conns))
        mem_total = 64 if t < finished else 16
        free_mem = (
            (mem_total * 0.31 + rng.random() * 0.4) * GIB
            if t < finished
            else (16 * 0.18 - 0.6 * min(1.0, pressure)) * GIB
        )
        read_iops = (120 + 900 * load) * (
            1 if t < finished else 2.8 + 2 * min(1.0, pressure)
        )  # smaller cache, more reads
        write_iops = 180 + 700 * load
        ctx.metric(ns, "CPUUtilization", dims, "Percent", t, round(cpu, 2))
        ctx.metric(ns, "DatabaseConnections", dims, "Count", t, round(conns))
        ctx.metric(ns, "FreeableMemory", dims, "Bytes", t, round(free_mem))
        ctx.metric(ns, "ReadIOPS", dims, "Count/Second", t, round(read_iops, 2))
        ctx.metric(
            ns, "WriteIOPS", dims, "Count/Second", t, round(write_iops * (0.9 + 0.2 * rng.random()), 2)
        )
        ctx.metric(
            ns,
            "ReadLatency",
            dims,
            "Seconds",
            t,
            round((0.00042 + 0.0004 * rng.random()) * (1 + pressure), 6),
        )
        ctx.metric(ns, "WriteLatency", dims, "Seconds", t, round(0.0011 + 0.0006 * rng.random(), 6))
        ctx.metric(
            ns,
            "DiskQueueDepth",
            dims,
            "Count",
            t,
            round(0.4 + 1.2 * load + 3 * min(1.0, pressure) * rng.random(), 3),
        )
        ctx.metric(
            ns,
            "FreeStorageSpace",
            dims,
            "Bytes",
            t,
            round((800 - 513.4) * GIB - (t - start).total_seconds() * 1300),
        )
        ctx.metric(
            ns,
            "SwapUsage",
            dims,
            "Bytes",
            t,
            round(
                (2.1e6 if t < finished else 4.2e7 + 3e7 * min(1.0, pressure)) * (0.95 + 0.1 * rng.random())
            ),
        )
        ctx.metric(
            ns,
            "NetworkReceiveThroughput",
            dims,
            "Bytes/Second",
            t,
            round((4.0e5 + 3.1e6 * load) * (0.9 + 0.2 * rng.random()), 1),
        )
        ctx.metric(
            ns,
            "NetworkTransmitThroughput",
            dims,
            "Bytes/Second",
            t,
            round((9.0e5 + 7.4e6 * load) * (0.9 + 0.2 * rng.random()), 1),
        )
        dbload_cpu = (u / 100) * (8 if t < finished else 2) * (1 + over * 6)
        ctx.metric(ns, "DBLoadCPU", dims, "None", t, round(dbload_cpu, 3))
        ctx.metric(
            ns,
            "DBLoadNonCPU",
            dims,
            "None",
            t,
            round(0.3 + 0.6 * load + 1.5 * min(1.0, pressure) * rng.random(), 3),
        )
        ctx.metric(ns, "DBLoad", dims, "None", t, round(dbload_cpu + 0.3 + 0.6 * load, 3))
        # application side
        reqs = req_peak * load * (0.94 + 0.12 * rng.random())
        bad = 0.0
        if failing:
            bad = reqs * (0.35 + 0.2 * rng.random())
        elif over > 0:
            bad = reqs * min(0.45, over * 1.6) * (0.8 + 0.4 * rng.random())
        elif pressure > 0.5:
            bad = reqs * 0.002 * pressure
        bad = round(bad * k)
        avg_rt = (0.045 + 0.03 * load) * (1 + 2.5 * min(1.0, pressure) + 40 * over)
        avg_rt = min(avg_rt, 9.5)
        total = round(reqs * k)
        ctx.metric("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_dim}, "Count", t, float(total))
        ctx.metric(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(total),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(max(0, total - bad - round(total * 0.02))),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(round(total * 0.02)),
        )
        if bad:
            for dd in ({"LoadBalancer": lb_dim}, {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}):
                ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dd, "Count", t, float(bad))
            alb_5xx.append((t, float(bad) / k))
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Seconds",
            t,
            stats=(float(max(total, 1)), avg_rt * max(total, 1), 0.006, min(30.0, avg_rt * 6 + 0.4)),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim},
            "Seconds",
            t,
            stats=(float(max(total, 1)), avg_rt * max(total, 1), 0.006, min(30.0, avg_rt * 6 + 0.4)),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(tasks),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            0.0,
        )
        lat_pts.append((t, avg_rt))
        ecs_cpu = (8 + 30 * load) * (1 - 0.4 * min(1.0, over * 3)) * (0.9 + 0.2 * rng.random())
        ctx.metric(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            t,
            stats=(float(tasks), ecs_cpu * tasks, ecs_cpu * 0.8, ecs_cpu * 1.2),
        )
        ctx.metric(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            t,
            stats=(float(tasks), 61.0 * tasks, 58.0, 66.0 + 6 * min(1.0, over * 3)),
        )
        wc = 4 + 6 * rng.random()
        ctx.metric(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": worker_svc},
            "Percent",
            t,
            stats=(2.0, 2 * wc, wc * 0.8, wc * 1.2),
        )

    # --- alarms --------------------------------------------------------------------------------------
    sns = ctx.arn("sns", "billing-oncall")
    spec_cpu = AlarmSpec(
        name=f"{db}-cpu-high",
        description="billing-pg-prod CPU above 90% for 5 minutes",
        namespace=ns,
        metric="CPUUtilization",
        dims=dims,
        statistic="Average",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=90.0,
        operator="GreaterThanThreshold",
        actions=[sns],
        ok_actions=[sns],
    )
    fine_cpu = [(t, v) for t, v in cpu_pts if t >= fine_from]
    trs = evaluate_alarm(ctx, spec_cpu, fine_cpu, fine_from, now)
    fired = next(tr for tr in trs if tr.new == "ALARM")
    for name, desc, metric, series, stat, per, n, m, thr, op, miss, acts in (
        (
            "invoicing-api-5xx",
            "invoicing-api target 5xx above 50/min",
            "HTTPCode_Target_5XX_Count",
            alb_5xx,
            "Sum",
            60,
            3,
            3,
            50.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
        ),
        (
            "invoicing-api-latency",
            "invoicing-api average latency above 1s",
            "TargetResponseTime",
            lat_pts,
            "Average",
            60,
            5,
            5,
            1.0,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
        (
            f"{db}-connections-high",
            "billing-pg-prod connections above 400",
            "DatabaseConnections",
            conn_pts,
            "Maximum",
            300,
            2,
            2,
            400.0,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
    ):
        adims: dict[str, str] = (
            dims if metric == "DatabaseConnections" else {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        )
        pts = [(t, v) for t, v in series if t >= fine_from] if per == 60 else series
        evaluate_alarm(
            ctx,
            AlarmSpec(
                name=name,
                description=desc,
                namespace=ns if metric == "DatabaseConnections" else "AWS/ApplicationELB",
                metric=metric,
                dims=adims,
                statistic=stat,
                period=per,
                evaluation_periods=n,
                datapoints_to_alarm=m,
                threshold=thr,
                operator=op,
                treat_missing=miss,
                actions=acts,
            ),
            pts,
            fine_from if per == 60 else start,
            now,
        )
    evaluate_alarm(
        ctx,
        AlarmSpec(
            name=f"{db}-free-storage-low",
            description="less than 50 GiB free",
            namespace=ns,
            metric="FreeStorageSpace",
            dims=dims,
            statistic="Minimum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=50.0 * GIB,
            operator="LessThanThreshold",
            actions=[sns],
        ),
        [(t, (800 - 513.4) * GIB) for t, _ in grid],
        start,
        now,
    )

    # --- logs -------------------------------------------------------------------------------------------
    pg_group = f"/aws/rds/instance/{db}/postgresql"
    pg_stream = db
    app_group = "/ecs/invoicing-api"
    queries = [
        (
            "SELECT i.* FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE a.tenant_id = $1 AND i.status = ANY($2) ORDER BY i.due_date DESC LIMIT 50",
            1.0,
        ),
        ("SELECT sum(l.amount_cents) FROM invoice_lines l WHERE l.invoice_id = ANY($1)", 0.6),
        ("UPDATE invoices SET status = $1, updated_at = now() WHERE id = $2", 0.3),
        (
            "SELECT p.* FROM payments p WHERE p.account_id = $1 AND p.created_at > $2 ORDER BY p.created_at",
            0.8,
        ),
    ]

    def pg(ts: datetime, pid: int, msg: str, client: str = "", user: str = "billing_app") -> None:
        who = f"{client}:{user}@billing" if client else ":@"
        ctx.log(pg_group, pg_stream, ts, f"{ts.strftime('%Y-%m-%d %H:%M:%S')} UTC:{who}:[{pid}]:{msg}")

    for t in steps(start, now, timedelta(minutes=5)):
        pg(t + timedelta(seconds=rng.randrange(0, 20)), 571, "LOG:  checkpoint starting: time")
        bufs = rng.randrange(2000, 9000)
        pg(
            t + timedelta(seconds=rng.randrange(150, 270)),
            571,
            f"LOG:  checkpoint complete: wrote {bufs} buffers ({bufs / 1048576 * 100:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randrange(1, 4)} recycled; write={rng.randrange(120, 269)}.{rng.randrange(100, 999)} s, sync=0.0{rng.randrange(10, 99)} s, total={rng.randrange(269, 270)}.{rng.randrange(100, 999)} s; sync files={rng.randrange(40, 200)}, longest=0.0{rng.randrange(10, 40)} s, average=0.001 s; distance={rng.randrange(20000, 90000)} kB, estimate={rng.randrange(60000, 99000)} kB; lsn=3A/{ctx.hex(8).upper()}, redo lsn=3A/{ctx.hex(8).upper()}",
        )
    for t, p in grid:
        u = util[t]
        n_slow = 0
        if u > 70:
            n_slow = int((u - 70) / 6 * p / 60)
        elif rng.random() < 0.05 * p / 60:
            n_slow = 1
        for _ in range(min(n_slow, 14)):
            ts = t + timedelta(seconds=rng.randrange(0, p))
            q, _w = rng.choice(queries)
            client = f"10.31.{rng.randrange(8, 40)}.{rng.randrange(4, 250)}({rng.randrange(32768, 60999)})"
            pid = rng.randrange(20000, 65000)
            if stress.get(t, 0) > 0.05 and rng.random() < 0.4:
                pg(ts, pid, "ERROR:  canceling statement due to statement timeout", client)
                pg(ts, pid, f"STATEMENT:  {q}", client)
            else:
                dur = 1000 + rng.random() * (2000 + 9000 * max(0.0, (u - 90) / 10))
                pg(ts, pid, f"LOG:  duration: {min(dur, 14990):.3f} ms  execute <unnamed>: {q}", client)
    pg(fo_start + timedelta(seconds=2), 1, "LOG:  received fast shutdown request")
    pg(fo_start + timedelta(seconds=2), 1, "LOG:  aborting any active transactions")
    pg(fo_start + timedelta(seconds=4), 571, "LOG:  shutting down")
    pg(fo_start + timedelta(seconds=5), 1, "LOG:  database system is shut down")
    pg(
        fo_end - timedelta(seconds=6),
        1,
        "LOG:  starting PostgreSQL 16.3 on aarch64-unknown-linux-gnu, compiled by gcc (GCC) 7.3.1 20180712 (Red Hat 7.3.1-6), 64-bit",
    )
    pg(fo_end - timedelta(seconds=5), 1, 'LOG:  listening on IPv4 address "0.0.0.0", port 5432')
    pg(fo_end - timedelta(seconds=3), 1, "LOG:  database system is ready to accept connections")

    def spring(stream: str, ts: datetime, level: str, thread: str, logger: str, msg: str) -> None:
        ctx.log(
            app_group,
            stream,
            ts,
            f"{iso(ts)[:-1]}.{ts.microsecond // 1000:03d}Z {level:>5} 1 --- [invoicing-api] [{thread}] {logger:<40} : {msg}",
        )

    streams = [f"app/app/{ctx.hex(32)}" for _ in range(tasks)]
    for t, p in grid:
        if p == 300 and rng.random() < 0.7:
            continue
        for stream in streams:
            load = business_curve(local_hour(t, ZONE), 0.08)
            if rng.random() < 0.25 + load * 0.5:
                ts = t + timedelta(seconds=rng.randrange(0, 60), milliseconds=rng.randrange(1000))
                spring(
                    stream,
                    ts,
                    "INFO",
                    f"nio-8080-exec-{rng.randrange(1, 60)}",
                    "c.t.b.invoicing.web.RequestLogFilter",
                    f"GET /v2/tenants/{rng.randrange(1000, 9999)}/invoices status=200 duration={rng.randrange(18, 140) * (1 + int(4 * stress.get(t, 0) * 10))}ms",
                )
            over = stress.get(t, 0)
            failing = fo_start <= t < fo_end
            if failing:
                ts = t + timedelta(seconds=rng.randrange(0, 50))
                spring(
                    stream,
                    ts,
                    "WARN",
                    "HikariPool-1 housekeeper",
                    "com.zaxxer.hikari.pool.PoolBase",
                    f"HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@{ctx.hex(8)} (This connection has been closed.). Possibly consider using a shorter maxLifetime value.",
                )
                spring(
                    stream,
                    ts + timedelta(milliseconds=300),
                    "ERROR",
                    f"nio-8080-exec-{rng.randrange(1, 60)}",
                    "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                    f"Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection] with root cause\norg.postgresql.util.PSQLException: Connection to {endpoint}:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)\n\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)",
                )
            if over > 0.02:
                for _ in range(min(6, 1 + int(over * 20))):
                    ts = t + timedelta(seconds=rng.randrange(0, 60), milliseconds=rng.randrange(1000))
                    if rng.random() < 0.55:
                        spring(
                            stream,
                            ts,
                            "WARN",
                            f"nio-8080-exec-{rng.randrange(1, 200)}",
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "SQL Error: 0, SQLState: 57014",
                        )
                        spring(
                            stream,
                            ts + timedelta(milliseconds=1),
                            "ERROR",
                            f"nio-8080-exec-{rng.randrange(1, 200)}",
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "ERROR: canceling statement due to statement timeout",
                        )
                    else:
                        spring(
                            stream,
                            ts,
                            "WARN",
                            f"nio-8080-exec-{rng.randrange(1, 200)}",
                            "com.zaxxer.hikari.pool.HikariPool",
                            "HikariPool-1 - Connection is not available, request timed out after 30000ms (total=20, active=20, idle=0, waiting="
                            + str(rng.randrange(20, 180))
                            + ")",
                        )
                        spring(
                            stream,
                            ts + timedelta(milliseconds=2),
                            "ERROR",
                            f"nio-8080-exec-{rng.randrange(1, 200)}",
                            "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction] with root cause\njava.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=61)\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)\n\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)",
                        )
    for ts in scatter(ctx, start, now, 9):
        spring(
            streams[0],
            ts,
            "WARN",
            "scheduling-1",
            "c.t.b.invoicing.fx.FxRateClient",
            "FX rate cache stale for GBP, refreshing from ECB feed (age=3712s)",
        )
    wgroup = "/ecs/invoice-pdf-worker"
    worker_streams = [f"worker/worker/{ctx.hex(32)}" for _ in range(2)]
    for t in steps(start, now, timedelta(minutes=2)):
        ts = t + timedelta(seconds=rng.randrange(0, 100))
        stream = worker_streams[0] if ts < worker_deploy else worker_streams[1]
        ctx.log(
            wgroup,
            stream,
            ts,
            json.dumps(
                {
                    "ts": iso(ts),
                    "level": "info",
                    "msg": "rendered invoice pdf",
                    "invoiceId": f"INV-{rng.randrange(10**6, 10**7)}",
                    "pages": rng.randrange(1, 5),
                    "ms": rng.randrange(300, 1900),
                }
            ),
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    jonas = sso_user(
        ctx,
        "jonas.hartmann@tallyhaus.de",
        "PowerUserAccess",
        f"91.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        FIREFOX,
        change - timedelta(minutes=40),
    )
    jonas.identity["sessionContext"]["attributes"]["creationDate"] = iso(change - timedelta(minutes=40))
    petra = sso_user(
        ctx,
        "petra.vogel@tallyhaus.de",
        "FinOpsReadWrite",
        f"87.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        CHROME,
        onset - timedelta(hours=1),
    )
    deploy = role_session(
        ctx,
        "gha-deploy-billing",
        "GitHubActions",
        f"4.{rng.randrange(150, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        "aws-cli/2.15.41 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1017-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
        onset - timedelta(minutes=30),
    )
    grafana = role_session(
        ctx,
        "grafana-cloudwatch",
        "grafana",
        f"3.{rng.randrange(64, 79)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        grafana_agent("monitoring"),
        start,
    )
    for c in (jonas, petra):
        c.identity["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
    console = {"sessionCredentialFromConsole": "true"}
    r = ct(
        ctx,
        change - timedelta(minutes=2, seconds=10),
        jonas,
        "rds.amazonaws.com",
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        None,
        read_only=True,
    )
    r.update(console)
    r = ct(
        ctx,
        stg_change,
        jonas,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {
            "dBInstanceIdentifier": "billing-pg-staging",
            "dBInstanceClass": "db.t4g.medium",
            "applyImmediately": True,
            "allowMajorVersionUpgrade": False,
        },
        {
            "dBInstanceIdentifier": "billing-pg-staging",
            "dBInstanceClass": "db.t4g.large",
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "pendingModifiedValues": {"dBInstanceClass": "db.t4g.medium"},
            "multiAZ": False,
            "engineVersion": "16.3",
            "dBInstanceArn": ctx.arn("rds", "db:billing-pg-staging"),
        },
    )
    r.update(console)
    culprit = ct(
        ctx,
        change,
        jonas,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {
            "dBInstanceIdentifier": db,
            "dBInstanceClass": new_class,
            "applyImmediately": True,
            "allowMajorVersionUpgrade": False,
        },
        {
            "dBInstanceIdentifier": db,
            "dBInstanceClass": old_class,
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "masterUsername": "billing_admin",
            "dBName": "billing",
            "endpoint": {"address": endpoint, "port": 5432, "hostedZoneId": "Z1RLNUO7B9Q6NB"},
            "allocatedStorage": 800,
            "pendingModifiedValues": {"dBInstanceClass": new_class},
            "multiAZ": True,
            "engineVersion": "16.3",
            "dbiResourceId": db_res_id,
            "dBInstanceArn": db_arn,
            "storageType": "gp3",
            "deletionProtection": True,
            "performanceInsightsEnabled": True,
        },
    )
    culprit.update(console)
    for when in scatter(ctx, change + timedelta(minutes=1), finished, 4):
        r = ct(
            ctx,
            when,
            jonas,
            "rds.amazonaws.com",
            "DescribeDBInstances",
            {"dBInstanceIdentifier": db},
            None,
            read_only=True,
        )
        r.update(console)
    r = ct(
        ctx,
        finished + timedelta(minutes=3),
        jonas,
        "rds.amazonaws.com",
        "DescribeEvents",
        {"sourceIdentifier": db, "sourceType": "db-instance", "duration": 60},
        None,
        read_only=True,
    )
    r.update(console)
    routine_reads(
        ctx,
        start,
        now,
        rng.randrange(16, 22),
        [grafana],
        [
            ("monitoring.amazonaws.com", "GetMetricData", lambda: None),
            ("monitoring.amazonaws.com", "DescribeAlarms", lambda: {"stateValue": "ALARM"}),
            ("monitoring.amazonaws.com", "ListMetrics", lambda: {"namespace": "AWS/RDS"}),
        ],
    )
    for when in scatter(ctx, start, now, 5):
        ct(
            ctx,
            when,
            aws_service("config.amazonaws.com"),
            "rds.amazonaws.com",
            "DescribeDBInstances",
            {"dBInstanceIdentifier": rng.choice([db, "billing-pg-staging"])},
            None,
            read_only=True,
        )
    # the nightly deploy yesterday and this morning's worker deploy
    for when, rev in (
        (at_local(prev, 14 * 60 + rng.randrange(0, 120), ZONE), worker_rev),
        (worker_deploy, worker_rev + 1),
    ):
        ct(
            ctx,
            when - timedelta(seconds=20),
            deploy,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": worker_svc,
                "containerDefinitions": [
                    {
                        "name": "worker",
                        "image": f"{ctx.account}.dkr.ecr.eu-central-1.amazonaws.com/invoice-pdf-worker:{ctx.hex(7)}",
                        "cpu": 512,
                        "memory": 1024,
                        "essential": True,
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": "512",
                "memory": "1024",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": ctx.arn("ecs", f"task-definition/{worker_svc}:{rev}"),
                    "family": worker_svc,
                    "revision": rev,
                    "status": "ACTIVE",
                }
            },
        )
        ct(
            ctx,
            when,
            deploy,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": worker_svc,
                "taskDefinition": f"{worker_svc}:{rev}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": worker_svc,
                    "serviceArn": worker_arn,
                    "clusterArn": cluster_arn,
                    "taskDefinition": ctx.arn("ecs", f"task-definition/{worker_svc}:{rev}"),
                    "desiredCount": 2,
                    "status": "ACTIVE",
                }
            },
        )
        ctx.event(
            "ecs",
            {
                "service_arn": worker_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": iso(when + timedelta(minutes=5, seconds=rng.randrange(60))),
                    "message": f"(service {worker_svc}) has reached a steady state.",
                },
            },
        )
        ctx.event(
            "ecs",
            {
                "service_arn": worker_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": iso(when + timedelta(seconds=14)),
                    "message": f"(service {worker_svc}) has started 2 tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
                },
            },
        )
    for h in range(0, int((now - start).total_seconds() // 21600) + 1):
        at = start + timedelta(hours=6 * h, minutes=rng.randrange(0, 30))
        if at < now:
            ctx.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": ctx.uuid(),
                        "createdAt": iso(at),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            )
    r = ct(
        ctx,
        onset - timedelta(minutes=11, seconds=rng.randrange(60)),
        petra,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {
            "resourceName": db_arn,
            "tags": [
                {"key": "cost-center", "value": "cc-4120"},
                {"key": "rightsizing-review", "value": "2024-q3"},
            ],
        },
        None,
    )
    r.update(console)
    ct(
        ctx,
        onset + timedelta(minutes=2, seconds=rng.randrange(60)),
        petra,
        "ce.amazonaws.com",
        "GetCostAndUsage",
        {
            "timePeriod": {
                "start": (day - timedelta(days=30)).strftime("%Y-%m-%d"),
                "end": day.strftime("%Y-%m-%d"),
            },
            "granularity": "DAILY",
            "metrics": ["UnblendedCost"],
        },
        None,
        read_only=True,
    )
    ct(
        ctx,
        onset - timedelta(minutes=26, seconds=rng.randrange(60)),
        petra,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": wgroup, "retentionInDays": 30},
        None,
    )

    tr_event = alarm_event(ctx, spec_cpu, fired, fired.at - timedelta(days=5))
    return ctx.bundle(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": tr_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": db,
                    "category": "change",
                    "failure_mode": "instance-class-downsized",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [db_arn, db_res_id],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"ModifyDBInstance the evening before: {db} {old_class} -> {new_class}, ApplyImmediately (a quarter of the vCPUs and memory)",
                    f"morning traffic on {svc} is normal, but {db} CPU saturates at the peak",
                    "queries slow and hit statement_timeout; Hikari pools in invoicing-api run dry",
                    f"invoicing-api returns 5xx and latency rises behind {lb_name}",
                ],
            },
        }
    )
