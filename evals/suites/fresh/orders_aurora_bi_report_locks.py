"""Order API 5xx and slow checkout: a long INSERT ... SELECT from a new BI user holds shared row locks on
the Aurora MySQL writer; application updates wait out innodb_lock_wait_timeout or deadlock."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_p as k

NAME = "orders-aurora-bi-report-locks"
TITLE = "Order API errors and slow checkout in the afternoon"
SUMMARY = (
    "A BI user's long INSERT...SELECT on the Aurora MySQL writer holds shared row locks; order updates hit "
    "lock wait timeouts and deadlocks, history list grows, ALB 5xx and latency rise; no config change."
)

_REGIONS = [
    ("us-east-2", "America/Chicago", -5),
    ("us-east-1", "America/New_York", -4),
    ("us-west-2", "America/Los_Angeles", -7),
]


def _clock(dt: datetime, off: int) -> str:
    local = dt + timedelta(hours=off)
    h = local.hour % 12 or 12
    return f"{h}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200000000000, 899999999999))
    region, tz, off = rng.choice(_REGIONS)
    day = k.day_in(rng, 2024, (4, 5, 6, 9, 10))
    onset = day + timedelta(hours=13 - off, minutes=rng.randint(35, 95), seconds=rng.randint(0, 59))
    start = k.floor_to(onset - timedelta(hours=6, minutes=rng.randint(0, 20)), 300)
    now = onset + timedelta(minutes=rng.randint(42, 55), seconds=rng.randint(0, 59))
    fine_from = k.floor_to(onset - timedelta(hours=3), 300)
    company = rng.choice(["fernbrook", "tallgrass", "oakhollow"])
    domain = f"{company}.io"

    net = k.network(rng, region, rng.choice([40, 52, 64]))
    alb_sg, app_sg, db_sg, bastion_sg = (k.rid(rng, "sg") for _ in range(4))
    cluster = "orders-aurora-prod"
    writer = f"{cluster}-instance-1"
    reader = f"{cluster}-instance-2"
    cluster_res_id = "cluster-" + k.upper(rng, 26)
    w_az, r_az = net.azs[0], net.azs[1]
    resources: list[k.JSON] = []
    resources += k.net_resources(net, account, "orders-prod")
    resources += [
        k.security_group(
            alb_sg, "order-api-alb", "order-api public ALB", net.vpc_id, account, [(443, "0.0.0.0/0")]
        ),
        k.security_group(
            app_sg, "order-api-app", "order-api instances", net.vpc_id, account, [(8080, alb_sg)]
        ),
        k.security_group(
            db_sg,
            "orders-aurora",
            "orders Aurora MySQL",
            net.vpc_id,
            account,
            [(3306, app_sg), (3306, bastion_sg)],
        ),
        k.security_group(bastion_sg, "data-bastion", "analytics bastion / SSM", net.vpc_id, account, []),
    ]

    # --- the order API fleet -------------------------------------------------------------------------------
    n_inst = rng.choice([3, 4])
    ami = k.rid(rng, "ami")
    lt_id = k.rid(rng, "lt")
    asg_name = "order-api-prod-asg"
    instances = []
    for i in range(n_inst):
        iid = k.rid(rng, "i")
        az_i = i % 3
        ip = f"{net.private_cidrs[az_i].split('.')[0]}.{net.private_cidrs[az_i].split('.')[1]}.{16 * (az_i + 1) + rng.randint(0, 3)}.{rng.randint(10, 250)}"
        launched = day - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 20))
        instances.append((iid, net.azs[az_i], ip))
        resources.append(
            k.ec2_instance(
                rng,
                account=account,
                region=region,
                iid=iid,
                itype="m6i.large",
                ami=ami,
                az=net.azs[az_i],
                subnet=net.private[az_i],
                vpc=net.vpc_id,
                ip=ip,
                sgs=[(app_sg, "order-api-app")],
                launched=launched,
                profile="order-api-prod",
                tags={
                    "Name": "order-api-prod",
                    "service": "order-api",
                    "env": "prod",
                    "aws:autoscaling:groupName": asg_name,
                },
                lt=(lt_id, "order-api-prod", "14"),
            )
        )
        resources.append(k.instance_status(iid, net.azs[az_i]))
    bastion_iid = k.rid(rng, "i")
    bastion_ip = f"10.{net.cidr.split('.')[1]}.{16 + rng.randint(0, 3)}.{rng.randint(10, 250)}"
    resources.append(
        k.ec2_instance(
            rng,
            account=account,
            region=region,
            iid=bastion_iid,
            itype="t3.small",
            ami=k.rid(rng, "ami"),
            az=net.azs[0],
            subnet=net.private[0],
            vpc=net.vpc_id,
            ip=bastion_ip,
            sgs=[(bastion_sg, "data-bastion")],
            launched=day - timedelta(days=rng.randint(30, 90)),
            profile="data-bastion-ssm",
            tags={"Name": "data-bastion", "team": "data-platform", "env": "prod"},
        )
    )
    resources.append(k.instance_status(bastion_iid, net.azs[0]))
    lb_res, lb_arn, lb_dim = k.load_balancer(
        rng, account, region, "order-api-prod", net, alb_sg, day - timedelta(days=400)
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng, account, region, "order-api-prod-8080", net.vpc_id, lb_arn, 8080, "/actuator/health"
    )
    cert = f"arn:aws:acm:{region}:{account}:certificate/{k.uuid(rng)}"
    resources += [lb_res, tg_res, k.listener(rng, lb_arn, tg_arn, cert)]
    resources.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "order-api-prod",
                    "Version": "$Latest",
                },
                "MinSize": n_inst,
                "MaxSize": 10,
                "DesiredCapacity": n_inst,
                "DefaultCooldown": 300,
                "AvailabilityZones": net.azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 180,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "m6i.large",
                        "AvailabilityZone": az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "order-api-prod",
                            "Version": "14",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for iid, az, _ in instances
                ],
                "CreatedTime": k.iso(day - timedelta(days=400)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(net.private),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "service",
                        "Value": "order-api",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        }
    )

    # --- Aurora ---------------------------------------------------------------------------------------------
    kms = f"arn:aws:kms:{region}:{account}:key/{k.uuid(rng)}"
    cluster_arn = f"arn:aws:rds:{region}:{account}:cluster:{cluster}"
    endpoint_suffix = f"{k.hexs(rng, 12)}.{region}.rds.amazonaws.com"
    engine_version = rng.choice(
        ["8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.04.1", "8.0.mysql_aurora.3.06.0"]
    )
    backup_h = (start + timedelta(hours=1)).hour
    resources.append(
        {
            "service": "rds",
            "type": "DBCluster",
            "item": {
                "AllocatedStorage": 1,
                "AvailabilityZones": net.azs,
                "BackupRetentionPeriod": 14,
                "DatabaseName": "orders",
                "DBClusterIdentifier": cluster,
                "DBClusterParameterGroup": "orders-aurora-mysql80-cluster",
                "DBSubnetGroup": "orders-prod-db",
                "Status": "available",
                "EarliestRestorableTime": k.iso(day - timedelta(days=14)),
                "Endpoint": f"{cluster}.cluster-{endpoint_suffix}",
                "ReaderEndpoint": f"{cluster}.cluster-ro-{endpoint_suffix}",
                "MultiAZ": True,
                "Engine": "aurora-mysql",
                "EngineVersion": engine_version,
                "LatestRestorableTime": k.iso(now - timedelta(minutes=3)),
                "Port": 3306,
                "MasterUsername": "admin",
                "PreferredBackupWindow": f"{backup_h:02d}:00-{backup_h:02d}:30",
                "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
                "ReadReplicaIdentifiers": [],
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": reader,
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
                "HostedZoneId": "Z2XHWR1WZ565X2",
                "StorageEncrypted": True,
                "KmsKeyId": kms,
                "DbClusterResourceId": cluster_res_id,
                "DBClusterArn": cluster_arn,
                "AssociatedRoles": [],
                "IAMDatabaseAuthenticationEnabled": False,
                "ClusterCreateTime": k.iso(day - timedelta(days=700)),
                "EnabledCloudwatchLogsExports": ["error", "slowquery"],
                "EngineMode": "provisioned",
                "DeletionProtection": True,
                "HttpEndpointEnabled": False,
                "CopyTagsToSnapshot": True,
                "CrossAccountClone": False,
                "DomainMemberships": [],
                "TagList": [{"Key": "service", "Value": "orders"}, {"Key": "env", "Value": "prod"}],
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "IPV4",
                "StorageType": "aurora",
            },
        }
    )
    for ident, az, is_writer in ((writer, w_az, True), (reader, r_az, False)):
        resources.append(
            {
                "service": "rds",
                "type": "DBInstance",
                "item": {
                    "DBInstanceIdentifier": ident,
                    "DBInstanceClass": "db.r6g.2xlarge",
                    "Engine": "aurora-mysql",
                    "DBInstanceStatus": "available",
                    "MasterUsername": "admin",
                    "DBName": "orders",
                    "Endpoint": {
                        "Address": f"{ident}.{endpoint_suffix}",
                        "Port": 3306,
                        "HostedZoneId": "Z2XHWR1WZ565X2",
                    },
                    "AllocatedStorage": 1,
                    "InstanceCreateTime": k.iso(day - timedelta(days=700 if is_writer else 300)),
                    "PreferredBackupWindow": f"{backup_h:02d}:00-{backup_h:02d}:30",
                    "BackupRetentionPeriod": 14,
                    "DBSecurityGroups": [],
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "orders-aurora-mysql80", "ParameterApplyStatus": "in-sync"}
                    ],
                    "AvailabilityZone": az,
                    "DBSubnetGroup": {
                        "DBSubnetGroupName": "orders-prod-db",
                        "DBSubnetGroupDescription": "orders prod databases",
                        "VpcId": net.vpc_id,
                        "SubnetGroupStatus": "Complete",
                        "Subnets": [
                            {
                                "SubnetIdentifier": s,
                                "SubnetAvailabilityZone": {"Name": a},
                                "SubnetStatus": "Active",
                            }
                            for s, a in zip(net.private, net.azs, strict=True)
                        ],
                    },
                    "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
                    "PendingModifiedValues": {},
                    "MultiAZ": False,
                    "EngineVersion": engine_version,
                    "AutoMinorVersionUpgrade": True,
                    "ReadReplicaDBInstanceIdentifiers": [],
                    "LicenseModel": "general-public-license",
                    "OptionGroupMemberships": [
                        {"OptionGroupName": "default:aurora-mysql-8-0", "Status": "in-sync"}
                    ],
                    "PubliclyAccessible": False,
                    "StorageType": "aurora",
                    "DbInstancePort": 0,
                    "DBClusterIdentifier": cluster,
                    "StorageEncrypted": True,
                    "KmsKeyId": kms,
                    "DbiResourceId": "db-" + k.upper(rng, 26),
                    "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                    "CopyTagsToSnapshot": False,
                    "MonitoringInterval": 60,
                    "PromotionTier": 1,
                    "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}",
                    "IAMDatabaseAuthenticationEnabled": False,
                    "PerformanceInsightsEnabled": True,
                    "PerformanceInsightsRetentionPeriod": 7,
                    "DeletionProtection": False,
                    "TagList": [{"Key": "service", "Value": "orders"}],
                    "NetworkType": "IPV4",
                },
            }
        )
    for pname, value, source, desc in (
        (
            "innodb_lock_wait_timeout",
            "50",
            "engine-default",
            "Timeout in seconds an innodb transaction may wait for a row lock before giving up",
        ),
        ("innodb_print_all_deadlocks", "1", "user", "Print all deadlocks to the error log"),
        ("slow_query_log", "1", "user", "Enable or disable the slow query log"),
        ("long_query_time", "2", "user", "Queries taking longer than this many seconds are logged"),
        (
            "transaction_isolation",
            "REPEATABLE-READ",
            "engine-default",
            "Sets the default transaction isolation level",
        ),
        (
            "max_execution_time",
            "0",
            "engine-default",
            "Statement execution timeout in milliseconds (SELECT only)",
        ),
    ):
        resources.append(
            {
                "service": "rds",
                "type": "DBParameter",
                "item": {
                    "DBParameterGroupName": "orders-aurora-mysql80",
                    "ParameterName": pname,
                    "ParameterValue": value,
                    "Description": desc,
                    "Source": source,
                    "ApplyType": "dynamic",
                    "DataType": "string" if pname == "transaction_isolation" else "integer",
                    "IsModifiable": True,
                    "ApplyMethod": "pending-reboot",
                },
            }
        )

    # --- downstream: SQS + Lambda ---------------------------------------------------------------------------
    queue = "order-events"
    mailer = "order-confirmation-mailer"
    topic = f"arn:aws:sns:{region}:{account}:orders-prod-alerts"
    resources.append(
        k.sqs_queue(
            account,
            region,
            queue,
            day - timedelta(days=500),
            {
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{queue}-dlq",
                        "maxReceiveCount": 5,
                    }
                )
            },
            {"service": "orders"},
        )
    )
    mailer_modified = onset - timedelta(minutes=12, seconds=rng.randint(0, 50))
    resources.append(
        k.lambda_function(
            rng,
            account,
            region,
            mailer,
            "nodejs20.x",
            "dist/handler.main",
            512,
            30,
            "order-confirmation-mailer-role",
            mailer_modified,
            {"TEMPLATE_BUCKET": f"{company}-email-templates", "NODE_OPTIONS": "--enable-source-maps"},
        )
    )
    resources.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {"TopicArn": topic, "Attributes": {"DisplayName": "orders prod alerts"}},
        }
    )
    bi_secret_arn = (
        f"arn:aws:secretsmanager:{region}:{account}:secret:prod/orders-aurora/bi_reporting-{k.upper(rng, 6)}"
    )
    app_secret_arn = (
        f"arn:aws:secretsmanager:{region}:{account}:secret:prod/orders-aurora/order_api-{k.upper(rng, 6)}"
    )
    bi_created = day - timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
    for arn, sname, created in (
        (app_secret_arn, "prod/orders-aurora/order_api", day - timedelta(days=690)),
        (bi_secret_arn, "prod/orders-aurora/bi_reporting", bi_created),
    ):
        resources.append(
            {
                "service": "secretsmanager",
                "type": "SecretListEntry",
                "item": {
                    "ARN": arn,
                    "Name": sname,
                    "KmsKeyId": kms,
                    "RotationEnabled": False,
                    "LastChangedDate": k.iso(created),
                    "LastAccessedDate": k.iso(day),
                    "Tags": [{"Key": "service", "Value": "orders"}],
                    "SecretVersionsToStages": {k.uuid(rng): ["AWSCURRENT"]},
                    "CreatedDate": k.iso(created),
                },
            }
        )
    for lg in (
        "/app/order-api",
        f"/aws/rds/cluster/{cluster}/error",
        f"/aws/rds/cluster/{cluster}/slowquery",
        f"/aws/lambda/{mailer}",
    ):
        resources.append(k.log_group(account, region, lg, day - timedelta(days=300), 30))

    # --- the story in numbers ---------------------------------------------------------------------------------
    bi_start = onset  # INSERT ... SELECT begins
    t_first_err = onset + timedelta(seconds=rng.randint(55, 80))
    sev_full = onset + timedelta(minutes=rng.randint(5, 8))
    bi_adhoc: list[tuple[datetime, float, int, int]] = []  # (end, seconds, rows_sent, rows_examined)
    t = onset - timedelta(minutes=rng.randint(150, 170))
    while t < onset - timedelta(minutes=15):
        secs = rng.uniform(24, 190)
        bi_adhoc.append(
            (t + timedelta(seconds=secs), secs, rng.randint(12, 4000), rng.randint(9_000_000, 61_000_000))
        )
        t += timedelta(minutes=rng.randint(9, 26))

    def sev(t: datetime) -> float:
        if t < t_first_err:
            return 0.0
        if t >= sev_full:
            return 1.0
        return (t - t_first_err) / (sev_full - t_first_err)

    def adhoc_load(t: datetime) -> float:
        for end, secs, _, _ in bi_adhoc:
            if end - timedelta(seconds=secs) <= t <= end:
                return 1.0
        return 0.0

    minutes = k.steps(start, now, 60)
    fives = k.steps(start, now, 300)
    m = k.Metrics(fine_from)
    nz = k.Noise(rng)
    rps = rng.uniform(28, 40)  # requests/sec at the daily peak
    req: dict[datetime, float] = {}
    err5: dict[datetime, float] = {}
    elb5: dict[datetime, float] = {}
    rt: dict[datetime, float] = {}
    for tm in minutes:
        base = rps * 60 * k.diurnal(tm, off) * nz()
        s = sev(tm) * rng.uniform(0.8, 1.15)
        req[tm] = round(base * (1 - 0.08 * min(1.0, s)))
        e = 1 if rng.random() < 0.12 else 0
        err5[tm] = e + round(req[tm] * min(0.35, 0.17 * s))
        elb5[tm] = round(req[tm] * 0.012 * s) if s > 0.3 else 0
        rt[tm] = (
            0.085 * rng.uniform(0.85, 1.2) + (0.25 if rng.random() < 0.02 else 0) + s * rng.uniform(5.5, 9.0)
        )

    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    ns = "AWS/ApplicationELB"
    m.add(ns, "RequestCount", lbd, "Count", [(tm, req[tm]) for tm in minutes])
    m.add(ns, "RequestCount", tgd, "Count", [(tm, req[tm]) for tm in minutes])
    m.add(ns, "TargetResponseTime", lbd, "Seconds", [(tm, round(rt[tm], 4)) for tm in minutes])
    m.add(ns, "TargetResponseTime", tgd, "Seconds", [(tm, round(rt[tm], 4)) for tm in minutes])
    m.add(
        ns,
        "HTTPCode_Target_2XX_Count",
        lbd,
        "Count",
        [(tm, req[tm] - err5[tm] - elb5[tm] - round(req[tm] * 0.03)) for tm in minutes],
    )
    m.add(
        ns,
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        [(tm, round(req[tm] * rng.uniform(0.02, 0.04))) for tm in minutes],
    )
    t5 = m.add(
        ns, "HTTPCode_Target_5XX_Count", lbd, "Count", [(tm, err5[tm]) for tm in minutes if err5[tm] > 0]
    )
    m.add(ns, "HTTPCode_Target_5XX_Count", tgd, "Count", [(tm, err5[tm]) for tm in minutes if err5[tm] > 0])
    m.add(ns, "HTTPCode_ELB_5XX_Count", lbd, "Count", [(tm, elb5[tm]) for tm in minutes if elb5[tm] > 0])
    m.add(ns, "HealthyHostCount", tgd, "Count", [(tm, float(n_inst)) for tm in minutes])
    m.add(ns, "UnHealthyHostCount", tgd, "Count", [(tm, 0.0) for tm in minutes])
    m.add(
        ns,
        "ActiveConnectionCount",
        lbd,
        "Count",
        [(tm, round(req[tm] * 0.31 * (1 + 3 * sev(tm)))) for tm in minutes],
    )
    for iid, _, _ in instances:
        cpu_n = k.Noise(rng, 0.03, 0.06)
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            [
                (tm, round(min(95, (9 + 30 * k.diurnal(tm, off)) * cpu_n() * (1 - 0.3 * sev(tm))), 3))
                for tm in fives
            ],
        )

    # Aurora writer
    wd = {"DBInstanceIdentifier": writer}
    rd = {"DBInstanceIdentifier": reader}
    wn = k.Noise(rng, 0.02, 0.05)
    hll = rng.uniform(400, 1500)
    hll_series = []
    for tm in minutes:
        if tm >= bi_start:
            hll += rng.uniform(38000, 62000)
        elif adhoc_load(tm):
            hll += rng.uniform(2000, 9000)
        else:
            hll = max(rng.uniform(200, 900), hll * 0.55)
        hll_series.append((tm, round(hll)))
    m.add("AWS/RDS", "RollbackSegmentHistoryListLength", wd, "Count", hll_series)
    (
        cpu_pts,
        conn_pts,
        dml_lat,
        dml_thr,
        sel_lat,
        sel_thr,
        com_lat,
        dead,
        blocked,
        load,
        load_cpu,
        load_non,
        riops,
        wiops,
        bchr,
        fmem,
    ) = ([] for _ in range(16))
    pool = n_inst * 40 + 6
    for tm in minutes:
        d = k.diurnal(tm, off)
        s = sev(tm)
        bi = 1.0 if tm >= bi_start else adhoc_load(tm)
        cpu_pts.append((tm, round(min(99, (11 + 36 * d) * wn() + 11 * bi), 2)))
        conn_pts.append(
            (tm, float(pool + (1 if bi else 0) + rng.randint(0, 3) + (2 if rng.random() < 0.1 else 0)))
        )
        dml_lat.append((tm, round(rng.uniform(1.6, 3.1) + s * rng.uniform(6500, 14500), 3)))
        dml_thr.append((tm, round(req[tm] / 60 * 2.4 * (1 - 0.55 * s) * rng.uniform(0.92, 1.08), 3)))
        sel_lat.append((tm, round(rng.uniform(0.35, 0.7) + 0.4 * bi + 0.6 * s, 3)))
        sel_thr.append((tm, round(req[tm] / 60 * 9.5 * (1 - 0.3 * s) * rng.uniform(0.92, 1.08), 3)))
        com_lat.append((tm, round(rng.uniform(2.4, 4.2) + 1.4 * s, 3)))
        if s > 0:
            dead.append((tm, round(s * rng.uniform(0.05, 0.22), 4)))
        else:
            dead.append((tm, 0.0 if rng.random() < 0.96 else round(1 / 60, 4)))
        blocked.append((tm, round(s * rng.uniform(0.6, 1.4) + (0.02 if rng.random() < 0.05 else 0.0), 3)))
        l_cpu = (0.9 + 3.2 * d) * rng.uniform(0.85, 1.15) + 1.1 * bi
        l_non = (0.3 + 0.8 * d) * rng.uniform(0.8, 1.2) + s * rng.uniform(34, 52)
        load.append((tm, round(l_cpu + l_non, 3)))
        load_cpu.append((tm, round(l_cpu, 3)))
        load_non.append((tm, round(l_non, 3)))
        riops.append((tm, round((40 + 90 * d) * rng.uniform(0.8, 1.2) + bi * rng.uniform(1400, 2600), 2)))
        wiops.append((tm, round((160 + 380 * d) * rng.uniform(0.85, 1.15) * (1 - 0.4 * s) + 90 * bi, 2)))
        bchr.append((tm, round(99.95 - bi * rng.uniform(0.8, 2.6), 3)))
        fmem.append((tm, float(round(rng.uniform(21.1, 21.6) * 1024**3 - bi * 3.1e8))))
    m.add("AWS/RDS", "CPUUtilization", wd, "Percent", cpu_pts)
    m.add("AWS/RDS", "DatabaseConnections", wd, "Count", conn_pts)
    m.add("AWS/RDS", "DMLLatency", wd, "Milliseconds", dml_lat)
    m.add("AWS/RDS", "DMLThroughput", wd, "Count/Second", dml_thr)
    m.add("AWS/RDS", "SelectLatency", wd, "Milliseconds", sel_lat)
    m.add("AWS/RDS", "SelectThroughput", wd, "Count/Second", sel_thr)
    m.add("AWS/RDS", "CommitLatency", wd, "Milliseconds", com_lat)
    m.add("AWS/RDS", "Deadlocks", wd, "Count/Second", dead)
    m.add("AWS/RDS", "BlockedTransactions", wd, "Count/Second", blocked)
    m.add("AWS/RDS", "DBLoad", wd, "None", load)
    m.add("AWS/RDS", "DBLoadCPU", wd, "None", load_cpu)
    m.add("AWS/RDS", "DBLoadNonCPU", wd, "None", load_non)
    m.add("AWS/RDS", "ReadIOPS", wd, "Count/Second", riops)
    m.add("AWS/RDS", "WriteIOPS", wd, "Count/Second", wiops)
    m.add("AWS/RDS", "BufferCacheHitRatio", wd, "Percent", bchr)
    m.add("AWS/RDS", "FreeableMemory", wd, "Bytes", fmem)
    cw = {"DBClusterIdentifier": cluster, "Role": "WRITER"}
    m.add("AWS/RDS", "CPUUtilization", cw, "Percent", cpu_pts)
    m.add("AWS/RDS", "DatabaseConnections", cw, "Count", conn_pts)
    rn = k.Noise(rng)
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        [(tm, round((6 + 18 * k.diurnal(tm, off)) * rn(), 2)) for tm in minutes],
    )
    m.add(
        "AWS/RDS", "DatabaseConnections", rd, "Count", [(tm, float(24 + rng.randint(0, 4))) for tm in minutes]
    )
    lag = m.add(
        "AWS/RDS",
        "AuroraReplicaLag",
        rd,
        "Milliseconds",
        [(tm, round(rng.uniform(11, 24), 2)) for tm in minutes],
    )
    m.add(
        "AWS/RDS",
        "SelectLatency",
        rd,
        "Milliseconds",
        [(tm, round(rng.uniform(0.3, 0.6), 3)) for tm in minutes],
    )
    m.add(
        "AWS/RDS",
        "AuroraReplicaLagMaximum",
        {"DBClusterIdentifier": cluster},
        "Milliseconds",
        [(p[0], p[1] + rng.uniform(0, 3)) for p in lag.points],
    )

    # SQS + Lambda (orders flow only when orders succeed)
    placed = {tm: req[tm] * 0.11 * (1 - min(0.9, 0.55 * sev(tm))) for tm in minutes}
    sq = {"QueueName": queue}
    m.add("AWS/SQS", "NumberOfMessagesSent", sq, "Count", [(tm, float(round(placed[tm]))) for tm in minutes])
    m.add(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        sq,
        "Count",
        [(tm, float(round(placed[tm] * rng.uniform(0.97, 1.03)))) for tm in minutes],
    )
    m.add(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        sq,
        "Count",
        [(tm, float(round(placed[tm] * rng.uniform(0.97, 1.02)))) for tm in minutes],
    )
    m.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        sq,
        "Count",
        [(tm, float(rng.randint(0, 4))) for tm in minutes],
    )
    oldest = m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        sq,
        "Seconds",
        [(tm, float(rng.randint(0, 6))) for tm in minutes],
    )
    fd = {"FunctionName": mailer}
    inv = [(tm, float(max(1, round(placed[tm] / 8)))) for tm in minutes]
    m.add("AWS/Lambda", "Invocations", fd, "Count", inv)
    lerr = m.add(
        "AWS/Lambda", "Errors", fd, "Count", [(tm, 0.0 if rng.random() < 0.97 else 1.0) for tm in minutes]
    )
    m.add(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        [(tm, round(rng.uniform(380, 900), 2)) for tm in minutes],
    )
    m.add(
        "AWS/Lambda", "ConcurrentExecutions", fd, "Count", [(tm, float(rng.randint(1, 3))) for tm in minutes]
    )

    # --- alarms -------------------------------------------------------------------------------------------------
    configured = day - timedelta(days=rng.randint(60, 300))
    pd = f"arn:aws:sns:{region}:{account}:pagerduty-orders-critical"
    specs = [
        (
            k.AlarmSpec(
                "order-api-prod-target-5xx",
                "order-api returning 5xx to the ALB (pages on-call)",
                ns,
                "HTTPCode_Target_5XX_Count",
                lbd,
                "Sum",
                60,
                3,
                3,
                25.0,
                "GreaterThanThreshold",
                "notBreaching",
                [pd],
                [pd],
                configured,
            ),
            t5,
        ),
        (
            k.AlarmSpec(
                "order-api-prod-latency-high",
                "order-api average target response time above 1.5s",
                ns,
                "TargetResponseTime",
                lbd,
                "Average",
                60,
                5,
                5,
                1.5,
                "GreaterThanThreshold",
                "missing",
                [pd, topic],
                [topic],
                configured,
            ),
            m.find(ns, "TargetResponseTime", lbd),
        ),
        (
            k.AlarmSpec(
                "orders-aurora-prod-writer-cpu",
                "orders writer CPU sustained above 80%",
                "AWS/RDS",
                "CPUUtilization",
                wd,
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            m.find("AWS/RDS", "CPUUtilization", wd),
        ),
        (
            k.AlarmSpec(
                "orders-aurora-prod-replica-lag",
                "orders reader lagging writer by more than 1s",
                "AWS/RDS",
                "AuroraReplicaLag",
                rd,
                "Maximum",
                60,
                5,
                5,
                1000.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            lag,
        ),
        (
            k.AlarmSpec(
                "orders-aurora-prod-writer-connections",
                "orders writer connections above 85% of max_connections",
                "AWS/RDS",
                "DatabaseConnections",
                wd,
                "Maximum",
                300,
                2,
                2,
                2700.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            m.find("AWS/RDS", "DatabaseConnections", wd),
        ),
        (
            k.AlarmSpec(
                "order-confirmation-mailer-errors",
                "mailer Lambda errors",
                "AWS/Lambda",
                "Errors",
                fd,
                "Sum",
                300,
                1,
                1,
                5.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [],
                configured,
            ),
            lerr,
        ),
        (
            k.AlarmSpec(
                "order-events-oldest-message",
                "order-events backlog older than 10 minutes",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                sq,
                "Maximum",
                300,
                2,
                2,
                600.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            oldest,
        ),
    ]
    alarms: list[k.JSON] = []
    history: list[k.JSON] = []
    for spec, ser in specs:
        item, hist, _ = k.evaluate_alarm(rng, spec, ser, start, now, account, region)
        alarms.append(item)
        history += hist

    # --- logs ---------------------------------------------------------------------------------------------------
    logs: list[k.JSON] = []
    app_lg = "/app/order-api"
    pid = {iid: rng.randint(900, 4000) for iid, _, _ in instances}
    order_no = rng.randint(81_000_000, 89_000_000)

    def spring(tm: datetime, iid: str, level: str, thread: str, logger: str, msg: str) -> k.JSON:
        ts = tm.strftime("%Y-%m-%dT%H:%M:%S.") + f"{tm.microsecond // 1000:03d}Z"
        return k.log(
            app_lg,
            f"order-api/{iid}",
            tm,
            f"{ts} {level:>5} {pid[iid]} --- [order-api] [{thread:>15}] {logger:<40} : {msg}",
        )

    app_ips = {iid: ip for iid, _, ip in instances}
    bi_ip = bastion_ip
    trace = (
        "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:124)\n"
        "\tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:113)\n"
        "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:916)\n"
        "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal(ClientPreparedStatement.java:1061)\n"
        "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeLargeUpdate(ClientPreparedStatement.java:1402)\n"
        "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdate(ClientPreparedStatement.java:1021)\n"
        "\tat com.zaxxer.hikari.pool.ProxyPreparedStatement.executeUpdate(ProxyPreparedStatement.java:61)\n"
        "\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)\n"
        "\tat org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:194)\n"
        "\tat org.hibernate.engine.jdbc.mutation.internal.AbstractMutationExecutor.performNonBatchedMutation(AbstractMutationExecutor.java:108)\n"
        "\tat org.hibernate.persister.entity.mutation.UpdateCoordinatorStandard.doStaticUpdate(UpdateCoordinatorStandard.java:784)\n"
        "\tat org.hibernate.action.internal.EntityUpdateAction.execute(EntityUpdateAction.java:170)\n"
        "\tat org.hibernate.engine.spi.ActionQueue.executeActions(ActionQueue.java:635)\n"
        "\tat org.hibernate.internal.SessionImpl.flush(SessionImpl.java:1412)\n"
        f"\tat io.{company}.orders.service.OrderService.markPaid(OrderService.java:212)\n"
        f"\tat io.{company}.orders.api.CheckoutController.confirm(CheckoutController.java:88)\n"
        "\t... 48 common frames omitted\n"
    )
    for iid, _, _ in instances:
        tm = start + timedelta(seconds=rng.uniform(0, 20))
        while tm < now:
            d = k.diurnal(tm, off)
            s = sev(tm)
            thread = f"nio-8080-exec-{rng.randint(1, 200)}"
            r = rng.random()
            if s > 0 and r < 0.55 * s:
                order_no += rng.randint(1, 40)
                kind = rng.random()
                if kind < 0.62:
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "WARN",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "SQL Error: 1205, SQLState: 40001",
                        )
                    )
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "ERROR",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "Lock wait timeout exceeded; try restarting transaction",
                        )
                    )
                    logs.append(
                        spring(
                            tm + timedelta(milliseconds=3),
                            iid,
                            "ERROR",
                            thread,
                            "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                            "[Request processing failed: org.springframework.dao.PessimisticLockingFailureException: "
                            "could not execute statement [Lock wait timeout exceeded; try restarting transaction] "
                            "[update orders set status=?,payment_ref=?,updated_at=?,version=? where id=? and version=?]; "
                            "SQL [update orders set status=?,payment_ref=?,updated_at=?,version=? where id=? and version=?]] "
                            "with root cause\n\ncom.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: "
                            "Lock wait timeout exceeded; try restarting transaction\n" + trace,
                        )
                    )
                elif kind < 0.80:
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "WARN",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "SQL Error: 1213, SQLState: 40001",
                        )
                    )
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "ERROR",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "Deadlock found when trying to get lock; try restarting transaction",
                        )
                    )
                    logs.append(
                        spring(
                            tm + timedelta(milliseconds=2),
                            iid,
                            "WARN",
                            thread,
                            f"i.{company[0]}.orders.service.RetryingTxTemplate",
                            f"order {order_no}: transaction rolled back (CannotAcquireLockException), attempt 1 of 2, retrying in 250ms",
                        )
                    )
                else:
                    w = rng.randint(35, 80)
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "WARN",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "SQL Error: 0, SQLState: null",
                        )
                    )
                    logs.append(
                        spring(
                            tm,
                            iid,
                            "ERROR",
                            thread,
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            f"HikariPool-1 - Connection is not available, request timed out after 30000ms "
                            f"(total=40, active=40, idle=0, waiting={w})",
                        )
                    )
                tm += timedelta(seconds=rng.uniform(1.5, 5.0))
                continue
            if r < 0.78:
                order_no += rng.randint(1, 40)
                ms_ = rng.randint(38, 140) + int(s * rng.randint(9000, 48000))
                logs.append(
                    spring(
                        tm,
                        iid,
                        "INFO",
                        thread,
                        f"i.{company[0]}.orders.api.CheckoutController",
                        f"order {order_no} confirmed status=PAID items={rng.randint(1, 7)} took={ms_}ms",
                    )
                )
            elif r < 0.93:
                logs.append(
                    spring(
                        tm,
                        iid,
                        "INFO",
                        thread,
                        f"i.{company[0]}.orders.events.OrderEventPublisher",
                        f"published OrderPlaced order={order_no} queue={queue}",
                    )
                )
            elif r < 0.975:
                logs.append(
                    spring(
                        tm,
                        iid,
                        "WARN",
                        thread,
                        f"i.{company[0]}.orders.client.TaxQuoteClient",
                        f"tax quote slow: {rng.randint(1200, 2900)}ms (region=US-{rng.choice(['TX', 'CA', 'NY', 'IL', 'WA'])})",
                    )
                )
            elif r < 0.99:
                logs.append(
                    spring(
                        tm,
                        iid,
                        "WARN",
                        "HikariPool-1 housekeeper",
                        "com.zaxxer.hikari.pool.HikariPool",
                        f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randint(61, 75)}s{rng.randint(100, 999)}ms).",
                    )
                )
            else:
                logs.append(
                    spring(
                        tm,
                        iid,
                        "WARN",
                        thread,
                        "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
                        "Resolved [org.springframework.web.HttpMediaTypeNotSupportedException: Content-Type 'text/plain;charset=UTF-8' is not supported]",
                    )
                )
            tm += timedelta(seconds=rng.uniform(6, 16) / max(0.3, d))

    # slow query log + error log of the writer
    slow_lg = f"/aws/rds/cluster/{cluster}/slowquery"
    err_lg = f"/aws/rds/cluster/{cluster}/error"
    slow_text: list[str] = []
    err_text: list[str] = []
    conn_id = rng.randint(61000, 79000)
    bi_conn = conn_id + rng.randint(9000, 12000)

    def slow(
        end: datetime, user: str, host: str, cid: int, qt: float, lt: float, sent: int, exam: int, sql: str
    ) -> None:
        text = (
            f"# Time: {end.strftime('%Y-%m-%dT%H:%M:%S.')}{end.microsecond:06d}Z\n"
            f"# User@Host: {user}[{user}] @  [{host}]  Id: {cid}\n"
            f"# Query_time: {qt:.6f}  Lock_time: {lt:.6f} Rows_sent: {sent}  Rows_examined: {exam}\n"
            f"SET timestamp={int(end.timestamp())};\n{sql};"
        )
        logs.append(k.log(slow_lg, writer, end, text))
        slow_text.append(text)

    tm = start + timedelta(minutes=rng.randint(5, 30), seconds=rng.uniform(0, 59))
    while tm < now:
        host = rng.choice(list(app_ips.values()))
        slow(
            tm,
            "order_api",
            host,
            rng.randint(conn_id, conn_id + 800),
            rng.uniform(2.0, 3.6),
            rng.uniform(0.00005, 0.0003),
            rng.randint(200, 900),
            rng.randint(500000, 900000),
            "SELECT o.id, o.customer_id, o.total_cents, o.status FROM orders o WHERE o.customer_id = "
            + str(rng.randint(10**6, 9 * 10**6))
            + " ORDER BY o.created_at DESC LIMIT 500",
        )
        tm += timedelta(minutes=rng.randint(11, 34), seconds=rng.uniform(0, 59))
    for end, secs, sent, exam in bi_adhoc:
        if end > now:
            continue
        q = rng.choice(
            [
                "SELECT DATE(o.created_at) d, oi.sku, SUM(oi.quantity) units, SUM(oi.price_cents*oi.quantity)/100 revenue FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.created_at >= '2024-01-01' GROUP BY d, oi.sku",
                "SELECT c.region, COUNT(DISTINCT o.customer_id) buyers, AVG(o.total_cents)/100 aov FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status IN ('PAID','SHIPPED','DELIVERED') GROUP BY c.region",
                "SELECT oi.sku, p.category, SUM(oi.quantity) FROM order_items oi JOIN products p ON p.sku = oi.sku JOIN orders o ON o.id = oi.order_id WHERE o.created_at BETWEEN '2024-04-01' AND NOW() GROUP BY oi.sku, p.category ORDER BY 3 DESC",
            ]
        )
        slow(
            end,
            "bi_reporting",
            bi_ip,
            bi_conn - rng.randint(1, 40),
            secs,
            rng.uniform(0.0001, 0.0009),
            sent,
            exam,
            q,
        )
    # application statements that waited out innodb_lock_wait_timeout (logged when they give up)
    tm = t_first_err
    while tm < now:
        host = rng.choice(list(app_ips.values()))
        oid = rng.randint(order_no - 9000, order_no)
        slow(
            tm,
            "order_api",
            host,
            rng.randint(conn_id + 900, conn_id + 3000),
            50.0 + rng.uniform(0.0003, 0.02),
            50.0 + rng.uniform(0, 0.01),
            0,
            0,
            f"update orders set status='PAID',payment_ref='pi_{k.hexs(rng, 24)}',updated_at='{tm:%Y-%m-%d %H:%M:%S}',version={rng.randint(2, 5)} where id={oid} and version={rng.randint(1, 4)}",
        )
        tm += timedelta(seconds=rng.uniform(4, 14))

    def err(tm: datetime, tid: int, level: str, code: str, sub: str, msg: str) -> None:
        line = (
            f"{tm.strftime('%Y-%m-%dT%H:%M:%S.')}{tm.microsecond:06d}Z {tid} [{level}] [{code}] [{sub}] {msg}"
        )
        logs.append(k.log(err_lg, writer, tm, line))
        err_text.append(line)

    tm = start + timedelta(minutes=rng.randint(3, 25), seconds=rng.uniform(0, 59))
    while tm < now:
        host = rng.choice(list(app_ips.values()))
        cid = rng.randint(conn_id - 5000, conn_id)
        err(
            tm,
            cid,
            "Note",
            "MY-010914",
            "Server",
            f"Aborted connection {cid} to db: 'orders' user: 'order_api' host: '{host}' (Got an error reading communication packets).",
        )
        tm += timedelta(minutes=rng.randint(18, 55), seconds=rng.uniform(0, 59))
    tm = t_first_err + timedelta(seconds=rng.randint(20, 90))
    trx_bi = rng.randint(98_000_000, 99_000_000)
    bi_qid = rng.randint(4_000_000, 5_000_000)
    while tm < now:
        trx_app = trx_bi + rng.randint(10_000, 900_000)
        oid = rng.randint(order_no - 9000, order_no)
        active_bi = int((tm - bi_start).total_seconds())
        app_tid = rng.randint(conn_id + 900, conn_id + 3000)
        dump = [
            (
                "Note",
                "MY-012468",
                "InnoDB",
                "Transactions deadlock detected, dumping detailed information. (lock0lock.cc:6482)",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (1) TRANSACTION:"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"TRANSACTION {trx_app}, ACTIVE {rng.randint(1, 30)} sec starting index read\nmysql tables in use 1, locked 1\nLOCK WAIT 4 lock struct(s), heap size 1128, 3 row lock(s), undo log entries 2\nMySQL thread id {app_tid}, OS thread handle 70368{rng.randint(10**8, 10**9 - 1)}, query id {bi_qid + rng.randint(10**4, 10**6)} {rng.choice(list(app_ips.values()))} order_api updating\nupdate orders set status='PAID',payment_ref='pi_{k.hexs(rng, 24)}',updated_at='{tm:%Y-%m-%d %H:%M:%S}',version=3 where id={oid} and version=2",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (1) HOLDS THE LOCK(S):"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"RECORD LOCKS space id 418 page no {rng.randint(40000, 90000)} n bits 112 index PRIMARY of table `orders`.`order_items` trx id {trx_app} lock_mode X locks rec but not gap",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (1) WAITING FOR THIS LOCK TO BE GRANTED:"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"RECORD LOCKS space id 412 page no {rng.randint(40000, 90000)} n bits 120 index PRIMARY of table `orders`.`orders` trx id {trx_app} lock_mode X locks rec but not gap waiting",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (2) TRANSACTION:"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"TRANSACTION {trx_bi}, ACTIVE {active_bi} sec fetching rows\nmysql tables in use 3, locked 3\n{rng.randint(60000, 90000) + active_bi * 40} lock struct(s), heap size {rng.randint(8, 40) * 1048576}, {active_bi * rng.randint(9000, 14000)} row lock(s), undo log entries {active_bi * rng.randint(300, 900)}\nMySQL thread id {bi_conn}, OS thread handle 70368{rng.randint(10**8, 10**9 - 1)}, query id {bi_qid} {bi_ip} bi_reporting executing\nINSERT INTO bi_scratch.order_margin_by_sku_q SELECT o.id, o.created_at, oi.sku, oi.quantity, oi.price_cents, p.unit_cost_cents, o.shipping_cents FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.sku = oi.sku WHERE o.created_at >= '2023-10-01'",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (2) HOLDS THE LOCK(S):"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"RECORD LOCKS space id 412 page no {rng.randint(40000, 90000)} n bits 120 index PRIMARY of table `orders`.`orders` trx id {trx_bi} lock mode S",
            ),
            ("Note", "MY-012469", "InnoDB", "*** (2) WAITING FOR THIS LOCK TO BE GRANTED:"),
            (
                "Note",
                "MY-012469",
                "InnoDB",
                f"RECORD LOCKS space id 418 page no {rng.randint(40000, 90000)} n bits 112 index PRIMARY of table `orders`.`order_items` trx id {trx_bi} lock mode S waiting",
            ),
            ("Note", "MY-012469", "InnoDB", "*** WE ROLL BACK TRANSACTION (1)"),
        ]
        for level, code, sub, msg in dump:
            err(tm, 0, level, code, sub, msg)
        tm += timedelta(seconds=rng.uniform(25, 140))

    # mailer Lambda
    mlg = f"/aws/lambda/{mailer}"
    tm = start + timedelta(seconds=rng.uniform(0, 30))
    stream_date = tm.strftime("%Y/%m/%d")
    stream = f"{stream_date}/[$LATEST]{k.hexs(rng, 32)}"
    switched = False
    rotate = tm + timedelta(minutes=rng.randint(50, 140))
    while tm < now:
        init: float | None = None
        if not switched and tm > mailer_modified + timedelta(minutes=1):
            stream = f"{stream_date}/[$LATEST]{k.hexs(rng, 32)}"
            switched = True
            init = rng.uniform(380, 620)
        if tm > rotate:
            stream = f"{tm:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
            rotate = tm + timedelta(minutes=rng.randint(50, 140))
        rid_ = k.uuid(rng)
        for when, msg in k.lambda_report(
            rng, tm, rng.uniform(350, 950), 512, rng.randint(96, 140), init, rid_
        ):
            logs.append(k.log(mlg, stream, when, msg))
        sent_at = tm + timedelta(milliseconds=rng.randint(180, 330))
        logs.append(
            k.log(
                mlg,
                stream,
                sent_at,
                f"{k.iso_ms(sent_at)}\t{rid_}\tINFO\tsent confirmation order={rng.randint(order_no - 500, order_no)} template=order-confirmed-v{'7' if switched else '6'} provider=ses",
            )
        )
        tm += timedelta(seconds=rng.uniform(20, 70) / max(0.3, k.diurnal(tm, off)) * (1 + 2 * sev(tm)))

    resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": writer,
                "LogFileName": "slowquery/mysql-slowquery.log",
                "LastWritten": k.ms(now - timedelta(seconds=rng.randint(2, 20))),
                "Size": sum(len(x) + 1 for x in slow_text),
                "Data": "\n".join(sorted(slow_text)) + "\n",
            },
        }
    )
    resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": writer,
                "LogFileName": "error/mysql-error-running.log",
                "LastWritten": k.ms(now - timedelta(seconds=rng.randint(5, 60))),
                "Size": sum(len(x) + 1 for x in err_text),
                "Data": "\n".join(err_text) + "\n",
            },
        }
    )

    # --- CloudTrail ---------------------------------------------------------------------------------------------
    trail = k.Trail(rng, account, region)
    dd = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        f"3.233.{rng.randint(140, 159)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.51.30 (go1.22.2; linux; amd64)",
    )
    tm = start + timedelta(minutes=rng.randint(1, 9), seconds=rng.randint(0, 59))
    while tm < now:
        calls: list[tuple[str, str, k.JSON]] = [
            ("rds.amazonaws.com", "DescribeDBInstances", {"maxRecords": 100}),
            ("rds.amazonaws.com", "DescribeDBClusters", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
            ),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
        ]
        src, nm, rq = rng.choice(calls)
        trail.add(tm, dd, src, nm, rq, None, read_only=True)
        tm += timedelta(minutes=rng.randint(9, 23), seconds=rng.randint(-29, 29))
    mk = k.sso_user(
        rng,
        account,
        region,
        f"marcus.lee@{domain}",
        "PowerUserAccess",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    snap_t = onset - timedelta(minutes=rng.randint(19, 27))
    snap_id = f"{cluster}-pre-sku-migration-{snap_t:%Y%m%d}"
    ticket = f"ORD-{rng.randint(1200, 1900)}"
    trail.add(
        snap_t - timedelta(seconds=40),
        mk,
        "rds.amazonaws.com",
        "DescribeDBClusters",
        {"dBClusterIdentifier": cluster},
        None,
        read_only=True,
    )
    trail.add(
        snap_t,
        mk,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        {
            "dBClusterSnapshotIdentifier": snap_id,
            "dBClusterIdentifier": cluster,
            "tags": [{"key": "ticket", "value": ticket}],
        },
        {
            "dBClusterSnapshotIdentifier": snap_id,
            "dBClusterIdentifier": cluster,
            "engine": "aurora-mysql",
            "engineMode": "provisioned",
            "allocatedStorage": 0,
            "status": "creating",
            "port": 0,
            "vpcId": net.vpc_id,
            "clusterCreateTime": k.iso(day - timedelta(days=700)),
            "masterUsername": "admin",
            "engineVersion": engine_version,
            "licenseModel": "aurora-mysql",
            "snapshotType": "manual",
            "percentProgress": 0,
            "storageEncrypted": True,
            "kmsKeyId": kms,
            "dBClusterSnapshotArn": f"arn:aws:rds:{region}:{account}:cluster-snapshot:{snap_id}",
            "iAMDatabaseAuthenticationEnabled": False,
            "tagList": [{"key": "ticket", "value": ticket}],
            "storageType": "aurora",
        },
        version="1.08",
    )
    trail.add(
        snap_t + timedelta(minutes=2),
        mk,
        "rds.amazonaws.com",
        "DescribeDBClusterSnapshots",
        {"dBClusterSnapshotIdentifier": snap_id},
        None,
        read_only=True,
    )
    # notifications team deploys the mailer Lambda through GitHub Actions
    repo = f"{company}/notifications"
    sub = f"repo:{repo}:ref:refs/heads/main"
    oidc = f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
    gha_ip = f"20.{rng.randint(25, 230)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    gha = k.role_session(
        rng,
        account,
        "gha-deploy-notifications",
        "GitHubActions",
        gha_ip,
        "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.556.0",
    )
    trail.add(
        mailer_modified - timedelta(seconds=35),
        k.Principal(
            {
                "type": "WebIdentityUser",
                "principalId": f"{oidc}:sts.amazonaws.com:{sub}",
                "userName": sub,
                "identityProvider": oidc,
            },
            gha_ip,
            "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/sts#3.556.0",
        ),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "roleArn": f"arn:aws:iam::{account}:role/gha-deploy-notifications",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        {
            "credentials": {
                "accessKeyId": gha.identity["accessKeyId"],
                "sessionToken": "IQoJb3JpZ2luX2VjE...",
                "expiration": (mailer_modified + timedelta(minutes=59)).strftime("%b %d, %Y, %I:%M:%S %p"),
            },
            "subjectFromWebIdentityToken": sub,
            "assumedRoleUser": {"assumedRoleId": gha.identity["principalId"], "arn": gha.identity["arn"]},
            "provider": oidc,
            "audience": "sts.amazonaws.com",
        },
        version="1.08",
        extra={"additionalEventData": {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}},
    )
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{mailer}"
    trail.add(
        mailer_modified,
        gha,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": mailer,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"{company}-lambda-artifacts",
            "s3Key": f"notifications/{mailer}/{k.hexs(rng, 40)}.zip",
        },
        {
            "functionName": mailer,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "handler": "dist/handler.main",
            "codeSize": rng.randint(800000, 2000000),
            "timeout": 30,
            "memorySize": 512,
            "lastModified": mailer_modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        version="1.08",
    )
    ver = rng.randint(40, 90)
    trail.add(
        mailer_modified + timedelta(seconds=9),
        gha,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": mailer},
        {"functionName": mailer, "functionArn": f"{fn_arn}:{ver}", "version": str(ver), "state": "Active"},
        version="1.08",
    )
    trail.add(
        mailer_modified + timedelta(seconds=11),
        gha,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": mailer, "name": "live", "functionVersion": str(ver)},
        {
            "aliasArn": f"{fn_arn}:live",
            "name": "live",
            "functionVersion": str(ver),
            "revisionId": k.uuid(rng),
        },
        version="1.08",
    )
    # analyst pulls the BI credentials from Secrets Manager (once in the morning, again just before onset)
    priya = k.sso_user(
        rng,
        account,
        region,
        f"priya.raman@{domain}",
        "DataAnalyst",
        k.office_ip(rng),
        k.cli_agent(rng, "secretsmanager.get-secret-value"),
        False,
    )
    for when in (
        bi_adhoc[0][0] - timedelta(seconds=bi_adhoc[0][1] + rng.randint(120, 400)),
        onset - timedelta(minutes=rng.randint(4, 7)),
    ):
        trail.add(
            when,
            priya,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": "prod/orders-aurora/bi_reporting"},
            None,
            read_only=True,
            version="1.08",
        )
    priya_ssm = k.sso_user(
        rng,
        account,
        region,
        f"priya.raman@{domain}",
        "DataAnalyst",
        priya.ip,
        k.cli_agent(rng, "ssm.start-session"),
        False,
    )
    trail.add(
        onset - timedelta(minutes=rng.randint(8, 11)),
        priya_ssm,
        "ssm.amazonaws.com",
        "StartSession",
        {
            "target": bastion_iid,
            "documentName": "AWS-StartPortForwardingSessionToRemoteHost",
            "parameters": {
                "host": [f"{cluster}.cluster-{endpoint_suffix}"],
                "portNumber": ["3306"],
                "localPortNumber": ["13306"],
            },
        },
        {
            "sessionId": f"priya.raman@{domain}-{k.hexs(rng, 17)}",
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/priya.raman@{domain}-{k.hexs(rng, 17)}?role=publish_subscribe&cell-number=AAEAAQ",
        },
        version="1.08",
        resources=[
            {
                "accountId": account,
                "type": "AWS::EC2::Instance",
                "ARN": f"arn:aws:ec2:{region}:{account}:instance/{bastion_iid}",
            }
        ],
    )
    # platform engineer: terraform for an unrelated log retention + tags
    tf = k.role_session(
        rng,
        account,
        "terraform-apply",
        f"tf-{k.hexs(rng, 8)}",
        f"52.{rng.randint(0, 90)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        k.TERRAFORM_AGENT.format(api="cloudwatchlogs#1.35.1"),
    )
    tf_t = onset - timedelta(minutes=rng.randint(26, 29))
    trail.add(
        tf_t,
        tf,
        "logs.amazonaws.com",
        "DescribeLogGroups",
        {"logGroupNamePrefix": "/app/storefront"},
        None,
        read_only=True,
    )
    trail.add(
        tf_t + timedelta(seconds=3),
        tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/app/storefront-web", "retentionInDays": 14},
        None,
    )
    trail.add(
        tf_t + timedelta(seconds=4),
        tf,
        "logs.amazonaws.com",
        "TagResource",
        {
            "resourceArn": f"arn:aws:logs:{region}:{account}:log-group:/app/storefront-web",
            "tags": {"cost-center": "web", "managed-by": "terraform"},
        },
        None,
    )
    # SSM agents on the order-api hosts
    for iid, _, _ in instances:
        inst = k.role_session(
            rng,
            account,
            "order-api-prod",
            iid,
            app_ips[iid],
            "aws-sdk-go/1.50.8 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.380.0",
        )
        tm = start + timedelta(minutes=rng.randint(0, 60), seconds=rng.randint(0, 59))
        while tm < now:
            trail.add(
                tm,
                inst,
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                {
                    "instanceId": iid,
                    "agentVersion": "3.3.380.0",
                    "agentStatus": "Active",
                    "platformType": "Linux",
                    "platformName": "Amazon Linux",
                    "platformVersion": "2023",
                    "iPAddress": app_ips[iid],
                    "computerName": f"ip-{app_ips[iid].replace('.', '-')}.{region}.compute.internal",
                    "agentName": "amazon-ssm-agent",
                    "availabilityZone": next(a for i2, a, _ in instances if i2 == iid),
                },
                None,
            )
            tm += timedelta(minutes=rng.randint(70, 110), seconds=rng.randint(-29, 29))
    # on-call looks around after the page
    oc = k.sso_user(
        rng,
        account,
        region,
        f"dana.whitfield@{domain}",
        "AdministratorAccess",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    tm = onset + timedelta(minutes=rng.randint(8, 12))
    for src, nm, rq in (
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNamePrefix": "order-api-prod", "maxRecords": 100},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("autoscaling.amazonaws.com", "DescribeScalingActivities", {"autoScalingGroupName": asg_name}),
        ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": cluster}),
        ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-cluster", "duration": 1440}),
        ("rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": writer}),
    ):
        if tm < now:
            trail.add(tm, oc, src, nm, rq, None, read_only=True)
        tm += timedelta(seconds=rng.randint(25, 140))

    # --- RDS events -------------------------------------------------------------------------------------------
    events: list[k.JSON] = []
    snap_arn = f"arn:aws:rds:{region}:{account}:cluster-snapshot:{snap_id}"
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": snap_id,
                "SourceType": "db-cluster-snapshot",
                "Message": "Creating manual cluster snapshot",
                "EventCategories": ["backup"],
                "Date": k.iso(snap_t + timedelta(seconds=2)),
                "SourceArn": snap_arn,
            },
        }
    )
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": snap_id,
                "SourceType": "db-cluster-snapshot",
                "Message": "Manual cluster snapshot created",
                "EventCategories": ["backup"],
                "Date": k.iso(snap_t + timedelta(minutes=rng.randint(3, 7))),
                "SourceArn": snap_arn,
            },
        }
    )
    auto_t = start.replace(minute=0, second=0) + timedelta(hours=1, minutes=rng.randint(2, 20))
    auto_id = f"rds:{cluster}-{auto_t:%Y-%m-%d-%H-%M}"
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": auto_id,
                "SourceType": "db-cluster-snapshot",
                "Message": "Creating automated cluster snapshot",
                "EventCategories": ["backup"],
                "Date": k.iso(auto_t),
                "SourceArn": f"arn:aws:rds:{region}:{account}:cluster-snapshot:{auto_id}",
            },
        }
    )
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": auto_id,
                "SourceType": "db-cluster-snapshot",
                "Message": "Automated cluster snapshot created",
                "EventCategories": ["backup"],
                "Date": k.iso(auto_t + timedelta(minutes=rng.randint(4, 9))),
                "SourceArn": f"arn:aws:rds:{region}:{account}:cluster-snapshot:{auto_id}",
            },
        }
    )
    for iid, _, _ in instances:
        events.append(k.health_point(tg_arn, iid, 8080, day - timedelta(days=2), "healthy"))

    asked = onset + timedelta(minutes=rng.randint(2, 5))
    asked_round = asked - timedelta(minutes=asked.minute % 5)
    question = rng.choice(
        [
            f"order-api has been throwing 500s and checkout is really slow since about {_clock(asked_round, off)}. Support says some customers can't complete orders. What's going on?",
            f"Since roughly {_clock(asked_round, off)} a chunk of checkouts are failing and the rest take forever. The order-api 5xx alarm is paging. Can you find out why?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": cluster,
                    "category": "limit",
                    "failure_mode": "long-running-transaction-row-lock-contention",
                    "event_id": None,
                },
                "also_accept": [
                    writer,
                    cluster_arn,
                    f"arn:aws:rds:{region}:{account}:db:{writer}",
                    cluster_res_id,
                ],
                "actions": ["block", "reconfigure"],
                "chain": [
                    f"A bi_reporting INSERT ... SELECT on {writer} ({cluster}) holds shared row locks on orders and pins the history list",
                    "order-api UPDATEs on orders wait out innodb_lock_wait_timeout (1205) or deadlock (1213); Hikari pool exhausts",
                    "order-api returns 500s and slow responses through the order-api-prod ALB",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.records(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
