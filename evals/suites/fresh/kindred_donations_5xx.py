"""donations-api 5xx alarm at Kindred Giving; several services time out on the database."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zi import (
    BOTO_UA,
    CLI_UA,
    CONSOLE_UA,
    DD_UA,
    GHA_UA,
    TF_UA,
    AlarmSpec,
    Ctx,
    Json,
    Principal,
    account_id,
    aggregate,
    alarm_event,
    background_reads,
    diurnal,
    evaluate_alarm,
    grid,
    iso,
    lognormal_ms,
    network,
    noisy,
    ok_alarm,
    poisson,
    private_ip,
    role_session,
    security_group,
    sg_rule,
    sso_user,
    trail,
)

NAME = "kindred-donations-api-5xx"
TITLE = "donations-api target 5xx alarm; donor portal and receipts also failing"
SUMMARY = (
    "donations-api, donor-portal-api and the receipts worker all time out reaching Postgres; the database is idle "
    "because the single connection-pooler EC2 instance lost its host"
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 240))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset = day.replace(hour=rng.randrange(9, 15), minute=rng.randrange(60), second=rng.randrange(60))
    start = (onset - timedelta(hours=5)).replace(minute=0, second=0)
    now = (onset + timedelta(minutes=rng.randrange(34, 50))).replace(second=0)
    ctx = Ctx(rng, account_id(rng), "eu-central-1", start, now)
    offset_h = 1.0 if not (3 < day.month < 11) else 2.0
    azs = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    net = network(ctx, "kindred-prod", rng.choice([40, 42, 48]), azs)

    alb_sg = security_group(
        ctx, net, "kindred-public-alb", "public ALB", [sg_rule(443, cidr="0.0.0.0/0", desc="https")]
    )
    api_sg = security_group(ctx, net, "kindred-api-tasks", "ECS API tasks", [sg_rule(3000, group=alb_sg)])
    lambda_sg = security_group(ctx, net, "receipts-worker", "receipts worker lambda", [])
    pgb_sg = security_group(
        ctx,
        net,
        "pgbouncer",
        "pgbouncer pooler",
        [sg_rule(6432, group=api_sg, desc="ecs apis"), sg_rule(6432, group=lambda_sg, desc="receipts")],
    )
    analytics_sg = "sg-" + ctx.hex(17)
    db_sg = security_group(
        ctx,
        net,
        "kindred-pg-prod",
        "postgres",
        [
            sg_rule(5432, group=pgb_sg, desc="pgbouncer"),
            sg_rule(5432, group=analytics_sg, desc="metabase read replica access"),
        ],
    )

    # --- the pooler instance ---------------------------------------------------------------------
    pgb_id = "i-0" + ctx.hex(16)
    pgb_subnet, pgb_az, pgb_cidr = net.subnets[0]
    pgb_ip = private_ip(ctx, pgb_cidr)
    pgb_dns = f"ip-{pgb_ip.replace('.', '-')}.eu-central-1.compute.internal"
    launched = start - timedelta(days=rng.randrange(120, 400))
    eni = "eni-" + ctx.hex(17)
    ctx.resource(
        "ec2",
        "Instance",
        {
            "InstanceId": pgb_id,
            "ImageId": "ami-0" + ctx.hex(16),
            "InstanceType": "m6g.large",
            "KeyName": "kindred-ops",
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": pgb_az, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": pgb_dns,
            "PrivateIpAddress": pgb_ip,
            "SubnetId": pgb_subnet,
            "VpcId": net.vpc,
            "State": {"Code": 16, "Name": "running"},
            "Monitoring": {"State": "enabled"},
            "Architecture": "arm64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": "vol-0" + ctx.hex(16),
                    },
                }
            ],
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/pgbouncer",
                "Id": "AIPA" + ctx.upper(17),
            },
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": eni,
                    "SubnetId": pgb_subnet,
                    "VpcId": net.vpc,
                    "PrivateIpAddress": pgb_ip,
                    "PrivateDnsName": pgb_dns,
                    "Status": "in-use",
                    "Groups": [{"GroupId": pgb_sg, "GroupName": "pgbouncer"}],
                    "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                    "OwnerId": ctx.account,
                    "SourceDestCheck": True,
                    "InterfaceType": "interface",
                    "Attachment": {
                        "AttachmentId": "eni-attach-" + ctx.hex(17),
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                    },
                    "PrivateIpAddresses": [
                        {"Primary": True, "PrivateIpAddress": pgb_ip, "PrivateDnsName": pgb_dns}
                    ],
                }
            ],
            "SecurityGroups": [{"GroupId": pgb_sg, "GroupName": "pgbouncer"}],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "VirtualizationType": "hvm",
            "MetadataOptions": {
                "HttpTokens": "required",
                "HttpEndpoint": "enabled",
                "HttpPutResponseHopLimit": 1,
                "State": "applied",
            },
            "Tags": [
                {"Key": "Name", "Value": "pgbouncer-prod-1"},
                {"Key": "team", "Value": "platform"},
                {"Key": "managed-by", "Value": "terraform"},
            ],
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "MaintenanceOptions": {"AutoRecovery": "default"},
        },
    )
    impaired_at = onset - timedelta(seconds=rng.randrange(5, 40))
    notice_at = onset + timedelta(minutes=rng.randrange(17, 26))
    retire_at = (onset + timedelta(days=14)).replace(hour=rng.randrange(0, 23), minute=0, second=0)
    inst_status: Json = {
        "InstanceId": pgb_id,
        "AvailabilityZone": pgb_az,
        "InstanceState": {"Code": 16, "Name": "running"},
        "SystemStatus": {
            "Status": "impaired",
            "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(impaired_at)}],
        },
        "InstanceStatus": {
            "Status": "insufficient-data",
            "Details": [{"Name": "reachability", "Status": "insufficient-data"}],
        },
    }
    if notice_at <= now:
        inst_status["Events"] = [
            {
                "InstanceEventId": "instance-event-0" + ctx.hex(16),
                "Code": "instance-stop",
                "Description": "The instance is running on degraded hardware",
                "NotBefore": iso(retire_at),
            }
        ]
    ctx.resource("ec2", "InstanceStatus", inst_status)
    ctx.event(
        "health",
        {
            "event": {
                "arn": f"arn:aws:health:eu-central-1::event/EC2/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_{ctx.hex(8)}-{ctx.hex(4)}-{ctx.hex(4)}-{ctx.hex(4)}-{ctx.hex(12)}",
                "service": "EC2",
                "eventTypeCode": "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": "eu-central-1",
                "availabilityZone": pgb_az,
                "startTime": iso(retire_at),
                "endTime": iso(retire_at + timedelta(days=7)),
                "lastUpdatedTime": iso(notice_at),
                "statusCode": "upcoming",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance (instance-ID: "
                f"{pgb_id}) in the eu-central-1 region. Due to this degradation your instance could already be unreachable. "
                f"After {retire_at.strftime('%Y-%m-%d %H:%M')} UTC your instance, which has an EBS volume as the root device, "
                "will be stopped.\n\nYou can see more information on your instances that are scheduled for retirement in the "
                "AWS Management Console.\n\n* How does this affect you?\nYour instance's root device is an EBS volume and the "
                "instance will be stopped after the specified retirement date. You can start it again at any time.\n\n"
                "* What do you need to do?\nYou may still be able to access the instance. We recommend that you replace the "
                "instance by creating an AMI of your instance and launch a new instance from the AMI, or stop and start the "
                "instance, which moves it to healthy hardware."
            ),
            "affected_entities": [
                {
                    "entityValue": pgb_id,
                    "awsAccountId": ctx.account,
                    "lastUpdatedTime": iso(notice_at),
                    "statusCode": "IMPAIRED",
                }
            ],
        },
    ) if notice_at <= now else None
    zone_id = "Z0" + ctx.upper(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ctx.resource(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "kindred.internal.",
            "CallerReference": "terraform-" + ctx.hex(26),
            "Config": {"Comment": "prod private zone", "PrivateZone": True},
            "ResourceRecordSetCount": 9,
        },
    )
    db_id = "kindred-pg-prod"
    db_host = f"{db_id}.{ctx.hex(12)}.eu-central-1.rds.amazonaws.com"
    for rname, rtype, value in (
        ("pgbouncer.kindred.internal.", "A", pgb_ip),
        ("db.kindred.internal.", "CNAME", db_host),
    ):
        ctx.resource(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": rname,
                "Type": rtype,
                "TTL": 60,
                "ResourceRecords": [{"Value": value}],
            },
        )
    ctx.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "kindred_admin",
            "DBName": "kindred",
            "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z1RLNUO7B9Q6NB"},
            "AllocatedStorage": 500,
            "InstanceCreateTime": iso(launched - timedelta(days=300)),
            "PreferredBackupWindow": "02:00-02:30",
            "BackupRetentionPeriod": 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "kindred-pg16", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": azs[1],
            "SecondaryAvailabilityZone": azs[2],
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "MultiAZ": True,
            "EngineVersion": "16.2",
            "AutoMinorVersionUpgrade": True,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + ctx.upper(26),
            "DBInstanceArn": ctx.arn("rds", f"db:{db_id}"),
            "PerformanceInsightsEnabled": True,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
        },
    )

    # --- ECS services behind the ALB --------------------------------------------------------------
    cluster = "kindred-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "runningTasksCount": 6,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "capacityProviders": ["FARGATE"],
        },
    )
    lb_name = "kindred-public"
    lb_hex = ctx.hex(16)
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.eu-central-1.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": iso(launched),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": sid} for sid, az, _ in net.public],
            "SecurityGroups": [alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    services = {"donations-api": rng.randrange(3, 5), "donor-portal-api": 2}
    tgs: dict[str, tuple[str, str]] = {}
    svc_arns: dict[str, str] = {}
    tds: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for svc, count in services.items():
        tg_hex = ctx.hex(16)
        tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{svc}/{tg_hex}")
        tgs[svc] = (tg_arn, f"targetgroup/{svc}/{tg_hex}")
        ctx.resource(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": svc,
                "Protocol": "HTTP",
                "Port": 3000,
                "VpcId": net.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
            },
        )
        rev = rng.randrange(40, 220)
        td_arn = ctx.arn("ecs", f"task-definition/{svc}:{rev}")
        tds[svc] = td_arn
        ctx.resource(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": td_arn,
                "family": svc,
                "revision": rev,
                "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/{svc}-task",
                "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/kindred-ecs-execution",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "containerDefinitions": [
                    {
                        "name": svc,
                        "image": f"{ctx.account}.dkr.ecr.eu-central-1.amazonaws.com/{svc}:{ctx.hex(7)}",
                        "essential": True,
                        "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
                        "environment": [
                            {"name": "PGHOST", "value": "pgbouncer.kindred.internal"},
                            {"name": "PGPORT", "value": "6432"},
                            {"name": "PG_POOL_MAX", "value": "10"},
                            {"name": "PG_CONNECT_TIMEOUT_MS", "value": "5000"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{svc}",
                                "awslogs-region": "eu-central-1",
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
                "registeredAt": iso(start - timedelta(days=rng.randrange(1, 12))),
            },
        )
        svc_arn = ctx.arn("ecs", f"service/{cluster}/{svc}")
        svc_arns[svc] = svc_arn
        ctx.resource(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": svc, "containerPort": 3000}],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td_arn,
                "events": [],
                "createdAt": iso(launched),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _, _ in net.subnets],
                        "securityGroups": [api_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
            },
        )
        tasks[svc] = [ctx.hex(32) for _ in range(count)]
        for i, _task in enumerate(tasks[svc]):
            ip = private_ip(ctx, net.subnets[i % 3][2])
            ctx.event(
                "target_health",
                {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 3000, "AvailabilityZone": azs[i % 3]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            )
        ctx.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": iso(start + timedelta(minutes=rng.randrange(1, 50))),
                    "message": f"(service {svc}) has reached a steady state.",
                },
            },
        )
    ctx.resource(
        "elbv2",
        "Listener",
        {
            "ListenerArn": ctx.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{ctx.hex(16)}"),
            "LoadBalancerArn": lb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": ctx.arn("acm", f"certificate/{ctx.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tgs["donations-api"][0], "Order": 1}],
        },
    )
    portal_deploy = onset - timedelta(minutes=rng.randrange(22, 29), seconds=rng.randrange(60))
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arns["donor-portal-api"],
            "event": {
                "id": ctx.uuid(),
                "createdAt": iso(portal_deploy + timedelta(seconds=15)),
                "message": f"(service donor-portal-api) has started 2 tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arns["donor-portal-api"],
            "event": {
                "id": ctx.uuid(),
                "createdAt": iso(portal_deploy + timedelta(minutes=7)),
                "message": "(service donor-portal-api) has reached a steady state.",
            },
        },
    )

    # --- receipts worker (Lambda + SQS) ----------------------------------------------------------
    fn = "receipts-worker"
    fn_arn = ctx.arn("lambda", f"function:{fn}")
    q_name = "receipt-requests"
    q_arn = ctx.arn("sqs", q_name)
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{ctx.account}:role/receipts-worker",
            "Handler": "receipts.handler.main",
            "CodeSize": rng.randrange(9_000_000, 14_000_000),
            "Timeout": 60,
            "MemorySize": 512,
            "LastModified": (start - timedelta(days=rng.randrange(2, 30))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "CodeSha256": ctx.hex(43) + "=",
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": [s for s, _, _ in net.subnets],
                "SecurityGroupIds": [lambda_sg],
                "VpcId": net.vpc,
            },
            "Environment": {
                "Variables": {
                    "PGHOST": "pgbouncer.kindred.internal",
                    "PGPORT": "6432",
                    "PGCONNECT_TIMEOUT": "10",
                    "RECEIPT_BUCKET": "kindred-prod-receipts",
                }
            },
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        },
    )
    ctx.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.eu-central-1.amazonaws.com/{ctx.account}/{q_name}",
            "Attributes": {
                "QueueArn": q_arn,
                "VisibilityTimeout": "360",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": ctx.arn("sqs", q_name + "-dlq"), "maxReceiveCount": 5}
                ),
                "SqsManagedSseEnabled": "true",
                "CreatedTimestamp": str(int(launched.timestamp())),
            },
            "Tags": {"team": "payments"},
        },
    )
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": ctx.uuid(),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": fn_arn,
            "LastModified": iso(launched),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )

    # --- metrics ---------------------------------------------------------------------------------
    points = grid(ctx, onset - timedelta(hours=2))
    lb_dim = f"app/{lb_name}/{lb_hex}"
    peak = {"donations-api": rng.uniform(14, 22), "donor-portal-api": rng.uniform(6, 10)}
    donations_5xx: list[tuple[datetime, float]] = []
    backlog = 0.0
    oldest = 0.0
    rds_conn = rng.randrange(60, 68)
    for t, period in points:
        shape = diurnal(t, offset_h, peak_h=13.0, low=0.2)
        down = t >= impaired_at
        since = (t - impaired_at).total_seconds()
        # pooler host
        ec2_d = {"InstanceId": pgb_id}
        ctx.datum("AWS/EC2", "StatusCheckFailed_System", ec2_d, t, 1 if down else 0, "Count")
        ctx.datum("AWS/EC2", "StatusCheckFailed", ec2_d, t, 1 if down else 0, "Count")
        if not down:
            ctx.datum("AWS/EC2", "StatusCheckFailed_Instance", ec2_d, t, 0, "Count")
        ctx.datum(
            "AWS/EC2", "CPUUtilization", ec2_d, t, noisy(rng, 0.4 if down else 6 + 14 * shape, 0.1), "Percent"
        )
        ctx.datum(
            "AWS/EC2",
            "NetworkIn",
            ec2_d,
            t,
            int(noisy(rng, 0 if down else (2.1e6 + 9e6 * shape) * period / 60, 0.08)),
            "Bytes",
        )
        ctx.datum(
            "AWS/EC2",
            "NetworkOut",
            ec2_d,
            t,
            int(noisy(rng, 0 if down else (5e6 + 2.6e7 * shape) * period / 60, 0.08)),
            "Bytes",
        )
        if not down:
            ctx.datum("CWAgent", "mem_used_percent", ec2_d, t, noisy(rng, 21.5, 0.02), "Percent")
            ctx.datum(
                "CWAgent",
                "disk_used_percent",
                {"InstanceId": pgb_id, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
                t,
                38.2 + (t - start).total_seconds() / 3600 * 0.01,
                "Percent",
            )
        # RDS: connections held by the pooler linger until TCP keepalive gives up on them
        if down and since > 0:
            lingering = rds_conn * max(0.0, 1 - since / rng.uniform(380, 460))
            conns = int(lingering) + rng.randrange(3, 6)
        else:
            conns = rds_conn + rng.randrange(-3, 4)
        rds_d = {"DBInstanceIdentifier": db_id}
        ctx.datum("AWS/RDS", "DatabaseConnections", rds_d, t, conns, "Count")
        ctx.datum(
            "AWS/RDS",
            "CPUUtilization",
            rds_d,
            t,
            noisy(rng, 2.5 if down else 9 + 26 * shape, 0.07),
            "Percent",
        )
        ctx.datum(
            "AWS/RDS", "ReadIOPS", rds_d, t, noisy(rng, 4 if down else 90 + 400 * shape, 0.1), "Count/Second"
        )
        ctx.datum(
            "AWS/RDS",
            "WriteIOPS",
            rds_d,
            t,
            noisy(rng, 12 if down else 60 + 210 * shape, 0.1),
            "Count/Second",
        )
        ctx.datum("AWS/RDS", "FreeableMemory", rds_d, t, noisy(rng, 1.92e10, 0.005), "Bytes")
        # ALB
        for svc, (_tg_arn, tg_dim) in tgs.items():
            dims = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
            reqs = noisy(rng, peak[svc] * shape, 0.08) * period
            db_frac = 0.85 if svc == "donations-api" else 0.7
            n5 = (
                poisson(rng, reqs * db_frac * (0.97 if since > 8 else 0.3))
                if down
                else poisson(rng, reqs * 0.0002)
            )
            n4 = poisson(rng, reqs * 0.012)
            ctx.datum("AWS/ApplicationELB", "RequestCount", dims, t, int(reqs), "Count")
            ctx.datum(
                "AWS/ApplicationELB",
                "HTTPCode_Target_2XX_Count",
                dims,
                t,
                max(0, int(reqs) - n5 - n4),
                "Count",
            )
            if n4:
                ctx.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, n4, "Count")
            if n5:
                ctx.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, n5, "Count")
            if svc == "donations-api":
                donations_5xx.append((t, float(n5)))
            trt = (
                (db_frac * rng.uniform(4.6, 5.1) + (1 - db_frac) * 0.03)
                if down
                else noisy(rng, 0.045 + 0.03 * shape, 0.1)
            )
            ctx.datum("AWS/ApplicationELB", "TargetResponseTime", dims, t, round(trt, 4), "Seconds")
            ctx.datum("AWS/ApplicationELB", "HealthyHostCount", dims, t, services[svc], "Count")
            ctx.datum("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, 0, "Count")
            ecs_d = {"ClusterName": cluster, "ServiceName": svc}
            ctx.datum(
                "AWS/ECS",
                "CPUUtilization",
                ecs_d,
                t,
                noisy(rng, (3 if down else 8 + 30 * shape), 0.08),
                "Percent",
            )
            ctx.datum("AWS/ECS", "MemoryUtilization", ecs_d, t, noisy(rng, 36, 0.03), "Percent")
        # receipts: SQS + Lambda
        sent = poisson(rng, 2.2 * shape * period)
        q_d = {"QueueName": q_name}
        f_d = {"FunctionName": fn}
        if down:
            deleted = 0
            backlog += sent
            oldest += period
            inv = max(1, min(int(backlog), 10)) if backlog else 0
            errs = inv
            durs = [rng.uniform(10010, 10060) for _ in range(inv)]
        else:
            deleted = sent
            oldest = rng.uniform(0, 3)
            inv = max(1, sent // 2) if sent else 0
            errs = 0
            durs = [lognormal_ms(rng, 180, 0.35) for _ in range(inv)]
        ctx.datum("AWS/SQS", "NumberOfMessagesSent", q_d, t, sent, "Count")
        ctx.datum("AWS/SQS", "NumberOfMessagesDeleted", q_d, t, deleted, "Count")
        ctx.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", q_d, t, int(backlog * 0.9), "Count")
        ctx.datum(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            q_d,
            t,
            min(int(backlog), 30) if down else rng.randrange(0, 4),
            "Count",
        )
        ctx.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", q_d, t, int(oldest), "Seconds")
        if inv:
            ctx.datum("AWS/Lambda", "Invocations", f_d, t, inv, "Count")
            ctx.datum("AWS/Lambda", "Errors", f_d, t, errs, "Count")
            ctx.dist("AWS/Lambda", "Duration", f_d, t, durs)
            ctx.datum("AWS/Lambda", "ConcurrentExecutions", f_d, t, min(inv, 3 if not down else 5), "Count")

    # --- alarms ----------------------------------------------------------------------------------
    topic = ctx.arn("sns", "kindred-pagerduty")
    d_tg = tgs["donations-api"][1]
    spec = AlarmSpec(
        "donations-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": d_tg, "LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        3,
        10.0,
        "GreaterThanThreshold",
        "notBreaching",
        "donations-api returning 5xx to donors",
        [topic],
    )
    fired = evaluate_alarm(ctx, spec, aggregate(donations_5xx, 60, "Sum"), onset - timedelta(hours=3))
    ok_alarm(
        ctx,
        AlarmSpec(
            "kindred-pg-prod-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        2.6,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "kindred-pg-prod-connections",
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": db_id},
            "Maximum",
            300,
            2,
            2,
            400.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        5.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "donations-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"TargetGroup": d_tg, "LoadBalancer": lb_dim},
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "receipt-requests-dlq-visible",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q_name + "-dlq"},
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "pgbouncer-prod-1-cpu",
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": pgb_id},
            "Average",
            300,
            3,
            3,
            85.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.4,
    )

    # --- logs ------------------------------------------------------------------------------------
    routes = {
        "donations-api": [
            ("POST", "/v1/donations", 201, 85),
            ("GET", "/v1/campaigns/{c}", 200, 18),
            ("GET", "/v1/campaigns/{c}/totals", 200, 24),
            ("POST", "/v1/donations/{d}/gift-aid", 200, 40),
        ],
        "donor-portal-api": [
            ("GET", "/v1/me/donations", 200, 30),
            ("GET", "/v1/me", 200, 12),
            ("PATCH", "/v1/me/preferences", 200, 26),
        ],
    }
    campaigns = [f"cmp_{ctx.hex(8)}" for _ in range(25)]
    for svc, svc_tasks in tasks.items():
        t = start + timedelta(seconds=rng.randrange(10, 200))
        while t < now:
            dense = t >= onset - timedelta(minutes=40)
            t += timedelta(seconds=rng.uniform(8, 20) if dense else rng.uniform(200, 500))
            if t >= now:
                break
            task = svc_tasks[rng.randrange(len(svc_tasks))]
            stream = f"ecs/{svc}/{task}"
            method, path, status, med = routes[svc][rng.randrange(len(routes[svc]))]
            url = path.format(c=campaigns[rng.randrange(len(campaigns))], d="don_" + ctx.hex(10))
            if t >= impaired_at + timedelta(seconds=5):
                err = {
                    "level": "error",
                    "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z",
                    "service": svc,
                    "reqId": ctx.uuid(),
                    "method": method,
                    "path": url,
                    "dbHost": "pgbouncer.kindred.internal",
                    "err": {
                        "name": "Error",
                        "message": "timeout exceeded when trying to connect",
                        "stack": "Error: timeout exceeded when trying to connect\n    at Timeout._onTimeout (/app/node_modules/pg-pool/index.js:205:27)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)",
                    },
                    "msg": "database unavailable",
                }
                ctx.log(f"/ecs/{svc}", stream, t, json.dumps(err, separators=(",", ":")))
                status = 503 if svc == "donations-api" else 500
                rt = rng.uniform(5001, 5040)
            else:
                rt = lognormal_ms(rng, med)
                if rng.random() < 0.015:
                    status = 404
            line = {
                "level": "info",
                "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z",
                "service": svc,
                "method": method,
                "path": url,
                "status": status,
                "durationMs": round(rt, 1),
                "msg": "request",
            }
            ctx.log(
                f"/ecs/{svc}",
                stream,
                t + timedelta(milliseconds=int(rt)),
                json.dumps(line, separators=(",", ":")),
            )
            if rng.random() < 0.006:
                warn = {
                    "level": "warn",
                    "time": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "service": svc,
                    "msg": "stripe webhook signature older than 300s, accepted with tolerance",
                    "ageSec": rng.randrange(301, 340),
                }
                ctx.log(f"/ecs/{svc}", stream, t, json.dumps(warn, separators=(",", ":")))
    # Lambda logs
    lg = f"/aws/lambda/{fn}"
    t = start + timedelta(seconds=rng.randrange(60))
    stream = f"{start.strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}"
    while t < now:
        t += timedelta(
            seconds=rng.uniform(120, 300) if t < onset - timedelta(minutes=30) else rng.uniform(25, 60)
        )
        if t >= now:
            break
        rid = ctx.uuid()
        ctx.log(lg, stream, t, f"START RequestId: {rid} Version: $LATEST")
        if t >= impaired_at:
            dur = rng.uniform(10010, 10060)
            ctx.log(
                lg,
                stream,
                t + timedelta(milliseconds=int(dur) - 5),
                f'[ERROR] OperationalError: connection to server at "pgbouncer.kindred.internal" ({pgb_ip}), port 6432 failed: timeout expired\n\nTraceback (most recent call last):\n  File "/var/task/receipts/handler.py", line 41, in main\n    with db.connect() as conn:\n  File "/var/task/receipts/db.py", line 18, in connect\n    return psycopg2.connect(**params)\n  File "/var/task/psycopg2/__init__.py", line 122, in connect\n    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)',
            )
        else:
            dur = lognormal_ms(rng, 180, 0.35)
            ctx.log(
                lg,
                stream,
                t + timedelta(milliseconds=int(dur) - 3),
                f"[INFO]\t{(t + timedelta(milliseconds=int(dur) - 3)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\treceipts issued: {rng.randrange(1, 10)} (gift-aid: {rng.randrange(0, 4)})",
            )
        end = t + timedelta(milliseconds=int(dur))
        ctx.log(lg, stream, end, f"END RequestId: {rid}")
        ctx.log(
            lg,
            stream,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randrange(96, 120)} MB",
        )
    # pgbouncer's own log (shipped by the CloudWatch agent) stops when the host goes away
    pg_lg = "/ec2/pgbouncer"
    t = start
    while t < impaired_at:
        shape = diurnal(t, offset_h, 13.0, 0.2)
        x = int(noisy(rng, 60 + 420 * shape, 0.1))
        ctx.log(
            pg_lg,
            pgb_id,
            t,
            f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{rng.randrange(700, 720)}] LOG stats: {x} xacts/s, {int(x * 1.6)} queries/s, {int(x * 1.3)} client parses/s, 0 server parses/s, 0 binds/s, in {x * 410} B/s, out {x * 2050} B/s, xact {rng.randrange(900, 2400)} us, query {rng.randrange(500, 1400)} us, wait {rng.randrange(3, 40)} us",
        )
        t += timedelta(seconds=60)
    # Postgres log: the server side eventually notices the pooler's connections are dead
    rds_lg = f"/aws/rds/instance/{db_id}/postgresql"
    for _ in range(rng.randrange(14, 22)):
        tt = impaired_at + timedelta(seconds=rng.uniform(330, 470))
        pid = rng.randrange(20000, 60000)
        user = rng.choice(["donations_app", "portal_app", "receipts_app"])
        ctx.log(
            rds_lg,
            f"{db_id}.0",
            tt,
            f"{tt.strftime('%Y-%m-%d %H:%M:%S')} UTC:{pgb_ip}({rng.randrange(40000, 60000)}):{user}@kindred:[{pid}]:LOG:  could not receive data from client: Connection timed out",
        )
    for _ in range(rng.randrange(4, 8)):
        tt = start + timedelta(seconds=rng.uniform(0, (impaired_at - start).total_seconds()))
        ctx.log(
            rds_lg,
            f"{db_id}.0",
            tt,
            f"{tt.strftime('%Y-%m-%d %H:%M:%S')} UTC::@:[{rng.randrange(300, 900)}]:LOG:  checkpoint complete: wrote {rng.randrange(800, 4000)} buffers ({rng.uniform(0.1, 1.5):.1f}%); 0 WAL file(s) added, 0 removed, {rng.randrange(1, 4)} recycled; write={rng.uniform(100, 270):.3f} s, sync={rng.uniform(0.01, 0.2):.3f} s, total={rng.uniform(100, 270):.3f} s",
        )
    ctx.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # --- CloudTrail ------------------------------------------------------------------------------
    plat = sso_user(
        ctx,
        "noah.richter@kindredgiving.org",
        "PlatformAdmin",
        "91.64.12." + str(rng.randrange(2, 250)),
        CONSOLE_UA,
    )
    data = sso_user(
        ctx, "priya.nair@kindredgiving.org", "DataAnalyst", "87.123.200." + str(rng.randrange(2, 250)), CLI_UA
    )
    gha = role_session(
        ctx,
        "kindred-gha-deploy",
        "GitHubActions",
        "4.210.177." + str(rng.randrange(2, 250)),
        GHA_UA,
        web_identity=True,
    )
    tf = role_session(
        ctx, "kindred-terraform", "spacelift-run", "18.194.5." + str(rng.randrange(2, 250)), TF_UA
    )
    dd = role_session(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.146." + str(rng.randrange(2, 250)),
        DD_UA,
    )
    rcpt = role_session(ctx, "receipts-worker", fn, "3.72.18." + str(rng.randrange(2, 250)), BOTO_UA)
    reads: list[tuple[Principal, list[tuple[str, str, Json]]]] = [
        (
            dd,
            [
                ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
                ("rds.amazonaws.com", "DescribeDBInstances", {}),
                ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {}),
                ("ecs.amazonaws.com", "ListServices", {"cluster": cluster}),
                ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            ],
        ),
        (
            tf,
            [
                (
                    "ec2.amazonaws.com",
                    "DescribeSecurityGroups",
                    {"groupIdSet": {"items": [{"groupId": db_sg}]}},
                ),
                ("route53.amazonaws.com", "ListResourceRecordSets", {"hostedZoneId": zone_id}),
                ("rds.amazonaws.com", "DescribeDBParameters", {"dBParameterGroupName": "kindred-pg16"}),
            ],
        ),
        (
            rcpt,
            [
                ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/kindred/receipts-db"}),
                ("kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            ],
        ),
        (
            data,
            [
                ("athena.amazonaws.com", "GetQueryExecution", {"queryExecutionId": ctx.uuid()}),
                ("glue.amazonaws.com", "GetTables", {"databaseName": "kindred_analytics"}),
            ],
        ),
    ]
    background_reads(ctx, reads, rng.randrange(40, 55), start, now)
    portal_td = tds["donor-portal-api"]
    fam, rev_s = portal_td.rsplit("/", 1)[1].split(":")
    new_td = portal_td.rsplit(":", 1)[0] + f":{int(rev_s) + 1}"
    trail(
        ctx,
        portal_deploy - timedelta(seconds=20),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": fam,
            "cpu": "512",
            "memory": "1024",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": new_td,
                "family": fam,
                "revision": int(rev_s) + 1,
                "status": "ACTIVE",
            }
        },
    )
    for rec in list(ctx.resources):
        item = rec["item"]
        if rec["type"] == "Service" and item.get("serviceName") == "donor-portal-api":
            item["taskDefinition"] = new_td
        if rec["type"] == "TaskDefinition" and item.get("taskDefinitionArn") == portal_td:
            newer = json.loads(json.dumps(item))
            newer.update(
                {
                    "taskDefinitionArn": new_td,
                    "revision": int(rev_s) + 1,
                    "registeredAt": iso(portal_deploy - timedelta(seconds=20)),
                }
            )
            newer["containerDefinitions"][0]["image"] = (
                newer["containerDefinitions"][0]["image"].rsplit(":", 1)[0] + ":" + ctx.hex(7)
            )
            ctx.resource("ecs", "TaskDefinition", newer)
    trail(
        ctx,
        portal_deploy,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "donor-portal-api",
            "taskDefinition": new_td,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arns["donor-portal-api"],
                "serviceName": "donor-portal-api",
                "desiredCount": 2,
                "taskDefinition": new_td,
            }
        },
    )
    sg_change = onset - timedelta(minutes=rng.randrange(8, 15), seconds=rng.randrange(60))
    trail(
        ctx,
        sg_change,
        plat,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": db_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {
                            "items": [
                                {"groupId": analytics_sg, "description": "metabase read replica access"}
                            ]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ctx.account,
                        "groupId": db_sg,
                        "securityGroupRuleId": "sgr-" + ctx.hex(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "referencedGroupInfo": {"groupId": analytics_sg, "userId": ctx.account},
                        "description": "metabase read replica access",
                    }
                ]
            },
        },
    )
    trail(
        ctx,
        sg_change + timedelta(minutes=3),
        plat,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {"dBInstanceIdentifier": db_id, "performanceInsightsRetentionPeriod": 31, "applyImmediately": True},
        {"dBInstanceIdentifier": db_id, "dBInstanceStatus": "available", "engine": "postgres"},
    )
    trail(
        ctx,
        start + timedelta(minutes=rng.randrange(30, 120)),
        tf,
        "route53.amazonaws.com",
        "GetHostedZone",
        {"id": zone_id},
        None,
        read_only=True,
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(6, 12)),
        plat,
        "rds.amazonaws.com",
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db_id},
        None,
        read_only=True,
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(12, 18)),
        plat,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["donations-api", "donor-portal-api"]},
        None,
        read_only=True,
    )

    event = alarm_event(ctx, spec, fired) if fired else None
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pgb_id,
                    "category": "component_failure",
                    "failure_mode": "ec2-host-hardware-degraded-unreachable",
                    "event_id": None,
                },
                "also_accept": ["pgbouncer-prod-1", "pgbouncer.kindred.internal", pgb_ip, pgb_dns],
                "actions": ["restart", "reconfigure"],
                "chain": [
                    f"The hardware under EC2 instance {pgb_id} (pgbouncer-prod-1) degraded; the system status check fails and the host is unreachable.",
                    "PgBouncer at pgbouncer.kindred.internal:6432 stops answering; connection attempts time out.",
                    f"donations-api, donor-portal-api and receipts-worker cannot reach Postgres; {db_id} goes idle as its pooled connections time out.",
                    "donations-api returns 503 after 5 s connect timeouts; donations-api-target-5xx fires.",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.bundle_records())
