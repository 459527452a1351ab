"""quote-api p99 up at the afternoon peak while the database readers look less busy than before."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_y import (
    UA_CONSOLE,
    Json,
    Kit,
    diurnal,
    iam_role,
    iso,
    iso_ms,
    load_balancer,
    log_group,
    office_ip,
    security_group,
    sg_rule_from_cidr,
    sg_rule_from_sg,
    tags,
    target_group,
    ticks,
)

NAME = "aurora-reader-autoscale-cold"
TITLE = "quote-api p99 latency alarm at the afternoon peak, nothing deployed"
SUMMARY = (
    "Aurora replica auto scaling added a reader at the afternoon peak; the reader endpoint sent part of "
    "quote-api's connections to the cold new instance, whose empty buffer pool made those queries slow."
)

TZ = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "us-east-2")
    rng = kit.rng
    acct = kit.account
    day = datetime(2024, 3, 12, tzinfo=UTC) + timedelta(days=rng.randrange(0, 150))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    offset = TZ.utcoffset(day.replace(tzinfo=None)).total_seconds() / 3600  # type: ignore[union-attr]
    # the reader CPU crosses the scaling target in the early afternoon, local time
    scale_at = day + timedelta(hours=13 - offset, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
    create_at = scale_at + timedelta(seconds=rng.randint(8, 25))
    avail_at = create_at + timedelta(minutes=rng.randint(9, 13), seconds=rng.randint(0, 59))
    onset = avail_at + timedelta(seconds=rng.randint(40, 100))
    now = onset + timedelta(minutes=rng.randint(38, 52))
    start = onset - timedelta(hours=6, minutes=15)
    fine_from = onset - timedelta(hours=3)
    tks = ticks(start, now, fine_from)
    created = day - timedelta(days=rng.randint(400, 1000))

    cluster = "quotes-aurora-prod"
    writer, r1, r2 = f"{cluster}-1", f"{cluster}-2", f"{cluster}-3"
    new = f"application-autoscaling-{kit.uuid()}"
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]
    vpc = kit.rid("vpc")
    db_sg, app_sg, alb_sg = kit.rid("sg"), kit.rid("sg"), kit.rid("sg")
    cls = "db.r6g.2xlarge"
    ver = "8.0.mysql_aurora.3.05.2"
    res_id = "cluster-" + kit.upper(26)
    kms = kit.arn("kms", f"key/{kit.uuid()}")

    # ---- RDS resources --------------------------------------------------------------------------
    members = [
        {
            "DBInstanceIdentifier": writer,
            "IsClusterWriter": True,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 0,
        },
        {
            "DBInstanceIdentifier": r1,
            "IsClusterWriter": False,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
        },
        {
            "DBInstanceIdentifier": r2,
            "IsClusterWriter": False,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
        },
        {
            "DBInstanceIdentifier": new,
            "IsClusterWriter": False,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 15,
        },
    ]
    host_sfx = kit.hex(12)
    kit.resource(
        "rds",
        "DBCluster",
        {
            "AllocatedStorage": 1,
            "AvailabilityZones": azs,
            "BackupRetentionPeriod": 14,
            "DatabaseName": "quotes",
            "DBClusterIdentifier": cluster,
            "DBClusterParameterGroup": "quotes-aurora-mysql80",
            "DBSubnetGroup": "quotes-db-private",
            "Status": "available",
            "EarliestRestorableTime": iso(now - timedelta(days=14)),
            "Endpoint": f"{cluster}.cluster-{host_sfx}.{kit.region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{cluster}.cluster-ro-{host_sfx}.{kit.region}.rds.amazonaws.com",
            "CustomEndpoints": [],
            "MultiAZ": True,
            "Engine": "aurora-mysql",
            "EngineVersion": ver,
            "LatestRestorableTime": iso(now - timedelta(minutes=4)),
            "Port": 3306,
            "MasterUsername": "admin",
            "PreferredBackupWindow": "08:10-08:40",
            "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
            "ReadReplicaIdentifiers": [],
            "DBClusterMembers": members,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "HostedZoneId": "Z2XHWR1WZ565X2",
            "StorageEncrypted": True,
            "KmsKeyId": kms,
            "DbClusterResourceId": res_id,
            "DBClusterArn": kit.arn("rds", f"cluster:{cluster}"),
            "AssociatedRoles": [],
            "IAMDatabaseAuthenticationEnabled": False,
            "ClusterCreateTime": iso(created),
            "EnabledCloudwatchLogsExports": ["error", "slowquery"],
            "EngineMode": "provisioned",
            "DeletionProtection": True,
            "HttpEndpointEnabled": False,
            "CopyTagsToSnapshot": True,
            "CrossAccountClone": False,
            "DomainMemberships": [],
            "TagList": tags({"team": "pricing", "env": "prod"}),
            "AutoMinorVersionUpgrade": True,
            "StorageType": "aurora",
        },
    )

    def instance(ident: str, az: str, created_at: datetime, tier: int, status: str = "available") -> Json:
        return kit.resource(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": ident,
                "DBInstanceClass": cls,
                "Engine": "aurora-mysql",
                "DBInstanceStatus": status,
                "MasterUsername": "admin",
                "DBName": "quotes",
                "Endpoint": {
                    "Address": f"{ident}.{host_sfx}.{kit.region}.rds.amazonaws.com",
                    "Port": 3306,
                    "HostedZoneId": "Z2XHWR1WZ565X2",
                },
                "AllocatedStorage": 1,
                "InstanceCreateTime": iso(created_at),
                "PreferredBackupWindow": "08:10-08:40",
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
                "DBParameterGroups": [
                    {
                        "DBParameterGroupName": "quotes-aurora-mysql80-instance",
                        "ParameterApplyStatus": "in-sync",
                    }
                ],
                "AvailabilityZone": az,
                "DBSubnetGroup": {
                    "DBSubnetGroupName": "quotes-db-private",
                    "DBSubnetGroupDescription": "quotes database subnets",
                    "VpcId": vpc,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": kit.rid("subnet"),
                            "SubnetAvailabilityZone": {"Name": a},
                            "SubnetStatus": "Active",
                        }
                        for a in azs
                    ],
                },
                "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                "PendingModifiedValues": {},
                "MultiAZ": False,
                "EngineVersion": ver,
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
                "DbiResourceId": "db-" + kit.upper(26),
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "DomainMemberships": [],
                "CopyTagsToSnapshot": False,
                "MonitoringInterval": 0,
                "PromotionTier": tier,
                "DBInstanceArn": kit.arn("rds", f"db:{ident}"),
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": False,
                "DeletionProtection": False,
                "AssociatedRoles": [],
                "TagList": tags({"team": "pricing", "env": "prod"})
                if not ident.startswith("application")
                else [],
                "CustomerOwnedIpEnabled": False,
                "NetworkType": "IPV4",
                "CertificateDetails": {
                    "CAIdentifier": "rds-ca-rsa2048-g1",
                    "ValidTill": iso(created_at + timedelta(days=365)),
                },
            },
        )

    instance(writer, azs[0], created, 0)
    instance(r1, azs[1], created + timedelta(minutes=14), 1)
    instance(r2, azs[2], created + timedelta(days=rng.randint(60, 200)), 1)
    new_az = azs[rng.randrange(3)]
    instance(new, new_az, create_at + timedelta(minutes=6), 15)

    policy_name = "quotes-reader-cpu-target"
    policy_arn = f"arn:aws:autoscaling:{kit.region}:{acct}:scalingPolicy:{kit.uuid()}:resource/rds/cluster:{cluster}:policyName/{policy_name}"
    high_name = f"TargetTracking-cluster:{cluster}-AlarmHigh-{kit.uuid()}"
    kit.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "rds",
            "ResourceId": f"cluster:{cluster}",
            "ScalableDimension": "rds:cluster:ReadReplicaCount",
            "MinCapacity": 2,
            "MaxCapacity": 5,
            "RoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster",
            "CreationTime": iso(created + timedelta(days=rng.randint(30, 200))),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    kit.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": policy_name,
            "ServiceNamespace": "rds",
            "ResourceId": f"cluster:{cluster}",
            "ScalableDimension": "rds:cluster:ReadReplicaCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "RDSReaderAverageCPUUtilization"},
                "ScaleOutCooldown": 300,
                "ScaleInCooldown": 900,
                "DisableScaleIn": True,
            },
            "Alarms": [{"AlarmName": high_name, "AlarmARN": kit.arn("cloudwatch", f"alarm:{high_name}")}],
            "CreationTime": iso(created + timedelta(days=rng.randint(30, 200))),
        },
    )
    kit.event(
        "application_autoscaling",
        {
            "ActivityId": kit.uuid(),
            "ServiceNamespace": "rds",
            "ResourceId": f"cluster:{cluster}",
            "ScalableDimension": "rds:cluster:ReadReplicaCount",
            "Description": "Setting desired count to 3.",
            "Cause": f"monitor alarm {high_name} in state ALARM triggered policy {policy_name}",
            "StartTime": iso_ms(scale_at),
            "EndTime": iso_ms(avail_at + timedelta(seconds=rng.randint(20, 60))),
            "StatusCode": "Successful",
            "StatusMessage": "Successfully set desired count to 3. Change successfully fulfilled by rds.",
        },
    )
    db_arn_new = kit.arn("rds", f"db:{new}")
    for when, msg, cat in ((create_at + timedelta(seconds=40), "DB instance created", ["creation"]),):
        kit.event(
            "rds",
            {
                "SourceIdentifier": new,
                "SourceType": "db-instance",
                "Message": msg,
                "EventCategories": cat,
                "Date": iso_ms(when),
                "SourceArn": db_arn_new,
            },
        )
    kit.event(
        "rds",
        {
            "SourceIdentifier": f"rds:{cluster}-{(day - timedelta(days=1)):%Y-%m-%d-%H-%M}",
            "SourceType": "db-cluster-snapshot",
            "Message": "Automated cluster snapshot created",
            "EventCategories": ["backup"],
            "Date": iso_ms(day + timedelta(hours=8, minutes=rng.randint(12, 35))),
            "SourceArn": kit.arn("rds", f"cluster-snapshot:rds:{cluster}-{day:%Y-%m-%d-%H-%M}"),
        },
    )

    # ---- web tier -------------------------------------------------------------------------------
    alb_sfx, tg_sfx = kit.hex(16), kit.hex(16)
    subnets_pub = [(kit.rid("subnet"), az) for az in azs]
    subnets_app = [(kit.rid("subnet"), az) for az in azs]
    lb = load_balancer(kit, "quotes-public", alb_sfx, vpc, subnets_pub, [alb_sg], created)
    tg = target_group(
        kit,
        "quote-api-prod",
        tg_sfx,
        vpc,
        8080,
        "/actuator/health",
        lb["LoadBalancerArn"],
        target_type="instance",
    )
    lb_dim, tg_dim = f"app/quotes-public/{alb_sfx}", f"targetgroup/quote-api-prod/{tg_sfx}"
    asg = "quote-api-prod-asg"
    n_inst = 4
    inst_ids = [kit.iid() for _ in range(n_inst)]
    inst_ips = [f"10.30.{16 + 16 * (i % 3)}.{rng.randint(10, 250)}" for i in range(n_inst)]
    lt_id = "lt-0" + kit.hex(16)
    ami = "ami-0" + kit.hex(16)
    role = iam_role(kit, "quote-api-ec2", "ec2.amazonaws.com", created, now, "quote-api instances")
    launched = day - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 12))
    for i, iid in enumerate(inst_ids):
        az = azs[i % 3]
        kit.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": ami,
                "State": {"Code": 16, "Name": "running"},
                "PrivateDnsName": f"ip-{inst_ips[i].replace('.', '-')}.{kit.region}.compute.internal",
                "PublicDnsName": "",
                "StateTransitionReason": "",
                "AmiLaunchIndex": 0,
                "ProductCodes": [],
                "InstanceType": "m6i.xlarge",
                "LaunchTime": iso(launched + timedelta(minutes=i)),
                "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
                "Monitoring": {"State": "enabled"},
                "SubnetId": subnets_app[i % 3][0],
                "VpcId": vpc,
                "PrivateIpAddress": inst_ips[i],
                "Architecture": "x86_64",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "AttachTime": iso(launched),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": kit.rid("vol"),
                        },
                    }
                ],
                "EbsOptimized": True,
                "EnaSupport": True,
                "Hypervisor": "xen",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{acct}:instance-profile/quote-api-ec2",
                    "Id": "AIPA" + kit.upper(17),
                },
                "NetworkInterfaces": [
                    {
                        "Attachment": {
                            "AttachTime": iso(launched),
                            "AttachmentId": kit.rid("eni-attach"),
                            "DeleteOnTermination": True,
                            "DeviceIndex": 0,
                            "Status": "attached",
                            "NetworkCardIndex": 0,
                        },
                        "Description": "",
                        "Groups": [{"GroupName": "quote-api", "GroupId": app_sg}],
                        "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                        "NetworkInterfaceId": kit.rid("eni"),
                        "OwnerId": acct,
                        "PrivateIpAddress": inst_ips[i],
                        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": inst_ips[i]}],
                        "SourceDestCheck": True,
                        "Status": "in-use",
                        "SubnetId": subnets_app[i % 3][0],
                        "VpcId": vpc,
                        "InterfaceType": "interface",
                    }
                ],
                "RootDeviceName": "/dev/xvda",
                "RootDeviceType": "ebs",
                "SecurityGroups": [{"GroupName": "quote-api", "GroupId": app_sg}],
                "SourceDestCheck": True,
                "Tags": tags(
                    {
                        "Name": "quote-api-prod",
                        "aws:autoscaling:groupName": asg,
                        "aws:ec2launchtemplate:id": lt_id,
                        "aws:ec2launchtemplate:version": "41",
                    }
                ),
                "VirtualizationType": "hvm",
                "MetadataOptions": {
                    "State": "applied",
                    "HttpTokens": "required",
                    "HttpPutResponseHopLimit": 2,
                    "HttpEndpoint": "enabled",
                },
                "PlatformDetails": "Linux/UNIX",
                "BootMode": "uefi-preferred",
            },
        )
        kit.resource(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": az,
                "InstanceId": iid,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg["TargetGroupArn"],
                "target": {"Id": iid, "Port": 8080},
                "health": {"State": "healthy"},
                "timestamp": iso(launched + timedelta(minutes=4)),
            },
        )
    kit.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{kit.region}:{acct}:autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{asg}",
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "quote-api-prod",
                "Version": "$Latest",
            },
            "MinSize": 4,
            "MaxSize": 12,
            "DesiredCapacity": n_inst,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg["TargetGroupArn"]],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "m6i.xlarge",
                    "AvailabilityZone": azs[i % 3],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": "quote-api-prod",
                        "Version": "41",
                    },
                    "ProtectedFromScaleIn": False,
                }
                for i, iid in enumerate(inst_ids)
            ],
            "CreatedTime": iso(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(s for s, _ in subnets_app),
            "EnabledMetrics": [],
            "Tags": [],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
        },
    )
    security_group(
        kit,
        db_sg,
        "quotes-aurora",
        "quotes Aurora cluster",
        vpc,
        [sg_rule_from_sg(3306, app_sg, "quote-api")],
        {"Name": "quotes-aurora"},
    )
    security_group(
        kit,
        app_sg,
        "quote-api",
        "quote-api instances",
        vpc,
        [sg_rule_from_sg(8080, alb_sg, "alb")],
        {"Name": "quote-api"},
    )
    security_group(
        kit,
        alb_sg,
        "quotes-public-alb",
        "quotes ALB",
        vpc,
        [sg_rule_from_cidr(443, "0.0.0.0/0", "https")],
        {"Name": "quotes-public-alb"},
    )
    log_group(kit, f"/aws/rds/cluster/{cluster}/slowquery", created, 14, rng.randint(10**8, 10**9))
    log_group(kit, "/quote-api/prod/application", created, 30, rng.randint(10**10, 5 * 10**10))
    del role

    # ---- load model -----------------------------------------------------------------------------
    peak_rpm = rng.uniform(5200, 7400)

    def load(t: datetime) -> float:
        return diurnal(t, offset, low=0.08, peak_hour=14.6)

    rpm: dict[datetime, float] = {t: kit.jitter(peak_rpm * load(t), 0.04) for t, _ in tks}

    def share_new(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 0.0
        return min(0.31, 0.31 * m / 11)

    def cold(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 1.0
        return math.exp(-m / 55)

    # per-reader CPU: 2 readers carry the read load before, then part moves to the new one
    def reader_cpu(t: datetime, who: str) -> float:
        base = 4 + 54.5 * load(t) / max(load(scale_at), 0.01)
        s = share_new(t)
        if who == new:
            return kit.jitter(max(4.0, base * s / 0.31 * 0.55 * (0.7 + 0.3 * (1 - cold(t)))), 0.05)
        return kit.jitter(base * (1 - s * 1.1) if s else base, 0.04)

    # ---- metrics --------------------------------------------------------------------------------
    reader_cluster_cpu: list[tuple[datetime, float]] = []
    p99_pts: list[tuple[datetime, float]] = []
    for t, p in tks:
        k = p // 60
        r = rpm[t]
        s = share_new(t)
        c = cold(t) if s else 0.0
        # request latency distribution (seconds)
        base = kit.jitter(0.14, 0.05)
        slow = s * 0.85 if s else 0.0
        n = r * k
        slow_lat = 0.14 * (1 + 16 * c)
        values = [
            base * 0.6,
            base,
            base * 1.7,
            base * 3.2,
            slow_lat * 0.7,
            slow_lat,
            min(slow_lat * 1.6, 3.05),
        ]
        counts = [
            n * 0.3,
            n * 0.4 * (1 - slow),
            n * 0.2 * (1 - slow),
            n * 0.02,
            n * slow * 0.4,
            n * slow * 0.45,
            n * slow * 0.15,
        ]
        counts = [max(0.0, x) for x in counts]
        kit.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Seconds",
            dist=(values, counts),
        )
        kit.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb_dim},
            t,
            "Seconds",
            dist=(values, counts),
        )
        # p99 for the alarm's 60 s view
        if p == 60:
            tot = sum(counts)
            acc = 0.0
            p99 = values[-1]
            for v, cnt in sorted(zip(values, counts, strict=True)):
                acc += cnt
                if acc >= 0.99 * tot:
                    p99 = v
                    break
            p99_pts.append((t, round(p99, 4)))
        e5 = n * slow * 0.15 * (0.3 if slow_lat > 2.0 else 0.0)
        kit.metric(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Count",
            value=round(n),
        )
        kit.metric(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_dim}, t, "Count", value=round(n * 1.04)
        )
        kit.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Count",
            value=round(n * 0.962 - e5),
        )
        kit.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Count",
            value=round(n * kit.jitter(0.038, 0.1)),
        )
        if round(e5) > 0:
            kit.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
                t,
                "Count",
                value=float(round(e5)),
            )
        kit.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Count",
            stats=(k, float(n_inst * k), float(n_inst), float(n_inst)),
        )
        kit.metric(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            t,
            "Count",
            stats=(k, 0.0, 0.0, 0.0),
        )
        for iid in inst_ids:
            cpu = kit.jitter(5 + 38 * load(t) * (1.0 - 0.15 * slow), 0.06)
            kit.metric(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                t,
                "Percent",
                stats=(k, cpu * k, cpu * 0.85, cpu * 1.2),
            )
        # RDS
        wcpu = kit.jitter(9 + 27 * load(t), 0.05)
        kit.metric(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": writer},
            t,
            "Percent",
            stats=(k, wcpu * k, wcpu * 0.9, wcpu * 1.1),
        )
        readers = [r1, r2] + ([new] if t >= avail_at - timedelta(minutes=1) else [])
        cpus = []
        for who in readers:
            cpu = reader_cpu(t, who)
            cpus.append(cpu)
            d = {"DBInstanceIdentifier": who}
            kit.metric(
                "AWS/RDS", "CPUUtilization", d, t, "Percent", stats=(k, cpu * k, cpu * 0.9, cpu * 1.08)
            )
            is_new = who == new
            conns = (r / 60) * 0.09 * (s / 0.31 * 0.31 if is_new else (1 - s) / 2) * 60 + (
                4 if not is_new else 1
            )
            conns = max(1.0, conns if not is_new else 6 + 140 * s)
            if not is_new:
                conns = 18 + 210 * (1 - s) / 2 * load(t) / max(load(scale_at), 0.01)
            kit.metric(
                "AWS/RDS",
                "DatabaseConnections",
                d,
                t,
                "Count",
                stats=(k, conns * k, conns * 0.9, conns * 1.05),
            )
            hit = 99.96 if not is_new else 100 - 22 * cold(t)
            kit.metric(
                "AWS/RDS",
                "BufferCacheHitRatio",
                d,
                t,
                "Percent",
                stats=(k, hit * k, hit - 0.05, min(100.0, hit + 0.05)),
            )
            riops = (
                kit.jitter(140 + 90 * load(t), 0.1)
                if not is_new
                else kit.jitter(600 + 14500 * cold(t) * s / 0.31, 0.06)
            )
            kit.metric(
                "AWS/RDS", "ReadIOPS", d, t, "Count/Second", stats=(k, riops * k, riops * 0.8, riops * 1.2)
            )
            rlat = (
                kit.jitter(0.0009, 0.1)
                if not is_new
                else kit.jitter(0.0011 + 0.0024 * cold(t) * s / 0.31, 0.06)
            )
            kit.metric("AWS/RDS", "ReadLatency", d, t, "Seconds", stats=(k, rlat * k, rlat * 0.7, rlat * 1.6))
            sel_lat = kit.jitter(1.9, 0.05) if not is_new else kit.jitter(1.9 + 260 * cold(t), 0.05)
            kit.metric(
                "AWS/RDS",
                "SelectLatency",
                d,
                t,
                "Milliseconds",
                stats=(k, sel_lat * k, sel_lat * 0.7, sel_lat * 1.4),
            )
            sel_tp = (r / 60) * 2.4 * ((1 - s) / 2 if not is_new else s)
            kit.metric(
                "AWS/RDS",
                "SelectThroughput",
                d,
                t,
                "Count/Second",
                stats=(k, max(0.1, sel_tp) * k, sel_tp * 0.9, sel_tp * 1.1),
            )
            lag = kit.jitter(18.0, 0.2)
            kit.metric(
                "AWS/RDS", "AuroraReplicaLag", d, t, "Milliseconds", stats=(k, lag * k, lag * 0.5, lag * 1.8)
            )
            mem = 39.5e9 if not is_new else 58.2e9 - 14e9 * (1 - cold(t))
            kit.metric("AWS/RDS", "FreeableMemory", d, t, "Bytes", stats=(k, mem * k, mem * 0.99, mem * 1.01))
        avg_cpu = sum(cpus) / len(cpus)
        if scale_at - timedelta(minutes=4) <= t < avail_at:
            avg_cpu = max(avg_cpu, 60.5 + rng.uniform(0.5, 3))
        kit.metric(
            "AWS/RDS",
            "CPUUtilization",
            {"DBClusterIdentifier": cluster, "Role": "READER"},
            t,
            "Percent",
            stats=(k * len(cpus), avg_cpu * k * len(cpus), min(cpus), max(cpus)),
        )
        if p == 60:
            reader_cluster_cpu.append((t, round(avg_cpu, 4)))
        kit.metric(
            "AWS/RDS",
            "VolumeReadIOPs",
            {"DBClusterIdentifier": cluster},
            t,
            "Count",
            value=round(k * 60 * (300 + (15000 * cold(t) * s / 0.31 if s else 0))),
        )

    # ---- alarms ---------------------------------------------------------------------------------
    topic = kit.arn("sns", "pricing-oncall")
    p99_alarm = kit.alarm(
        "quote-api-p99-latency",
        "quote-api target p99 over 1.5 s for 3 of 3 minutes",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "p99",
        60,
        3,
        3,
        1.5,
        "GreaterThanThreshold",
        p99_pts,
        now,
        [topic],
    )
    high_alarm = kit.alarm(
        high_name,
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cluster, "Role": "READER"},
        "Average",
        60,
        3,
        3,
        60,
        "GreaterThanThreshold",
        reader_cluster_cpu,
        now,
        [policy_arn],
    )
    del high_alarm
    kit.alarm(
        "quotes-aurora-writer-cpu",
        "quotes writer CPU over 80%",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": writer},
        "Average",
        300,
        3,
        3,
        80,
        "GreaterThanThreshold",
        [(t, 30.0) for t, _ in p99_pts if t.minute % 5 == 0],
        now,
        [topic],
    )
    kit.alarm(
        "quote-api-unhealthy-hosts",
        "quote-api unhealthy targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Maximum",
        60,
        2,
        2,
        0,
        "GreaterThanThreshold",
        [(t, 0.0) for t, _ in p99_pts],
        now,
        [topic],
    )
    kit.alarm(
        "quote-api-target-5xx",
        "quote-api 5xx over 2% of requests (count)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Sum",
        300,
        2,
        2,
        400,
        "GreaterThanThreshold",
        [(t, 0.0) for t, _ in p99_pts if t.minute % 5 == 0],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    if p99_alarm["StateValue"] != "ALARM":
        raise AssertionError("p99 alarm should be in ALARM")

    # ---- logs: Aurora slow query log (long_query_time 2 s, then 1 s) and the app ------------------
    lq_change = onset - timedelta(minutes=rng.randint(21, 28))
    sgrp = f"/aws/rds/cluster/{cluster}/slowquery"
    queries = [
        (
            "SELECT f.factor_code, f.band, f.multiplier FROM rating_factors f JOIN rating_tables t ON t.id = f.table_id WHERE t.product = 'MOTOR' AND t.effective_from <= NOW() AND f.postcode_sector = '{pc}'",
            180000,
            2400000,
        ),
        (
            "SELECT v.abi_code, v.group_50, v.security_rating FROM vehicle_groups v WHERE v.abi_code IN ({ab})",
            40000,
            900000,
        ),
        (
            "SELECT c.claim_type, c.settled_amount FROM prior_claims c WHERE c.policyholder_hash = '{h}' ORDER BY c.loss_date DESC",
            2000,
            260000,
        ),
    ]

    def slow_line(inst: str, t: datetime, qt: float) -> None:
        q, lo, hi = kit.pick(queries)
        q = q.replace(
            "{pc}", f"{kit.pick(['B', 'M', 'LS', 'CF', 'G', 'EH'])}{rng.randint(1, 40)} {rng.randint(1, 9)}"
        )
        q = q.replace("{ab}", ",".join(str(rng.randint(10000000, 99999999)) for _ in range(3)))
        q = q.replace("{h}", kit.hex(40))
        ip = kit.pick(inst_ips)
        msg = (
            f"# Time: {t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z\n"
            f"# User@Host: quote_app[quote_app] @  [{ip}]  Id: {rng.randint(100000, 999999)}\n"
            f"# Query_time: {qt:.6f}  Lock_time: 0.000{rng.randint(10, 99)} Rows_sent: {rng.randint(1, 60)}  Rows_examined: {rng.randint(lo, hi)}\n"
            f"SET timestamp={int(t.timestamp())};\n{q};"
        )
        kit.log(sgrp, inst, t, msg)

    for t, p in tks:
        thr = 2.0 if t < lq_change else 1.0
        for inst in (r1, r2):
            # the odd heavy report query on the old readers
            if rng.random() < (0.05 if thr == 2.0 else 0.16) * p / 60:
                slow_line(inst, t + timedelta(seconds=rng.uniform(0, p)), rng.uniform(thr, thr + 1.4))
        if rng.random() < 0.02 * p / 60:
            slow_line(writer, t + timedelta(seconds=rng.uniform(0, p)), rng.uniform(thr, 3.0))
        s = share_new(t)
        if s > 0:
            n_slow = int(rng.uniform(4, 8) * cold(t) * s / 0.31 * p / 60 + 0.5)
            for _ in range(n_slow):
                slow_line(
                    new,
                    t + timedelta(seconds=rng.uniform(0, p)),
                    max(thr, rng.uniform(1.0, 1.2 + 3.4 * cold(t))),
                )

    agrp = "/quote-api/prod/application"
    threads = [f"http-nio-8080-exec-{n}" for n in range(1, 200)]

    def app(t: datetime, idx: int, level: str, logger: str, msg: str) -> None:
        stamp = t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
        kit.log(
            agrp,
            inst_ids[idx],
            t,
            f"{stamp} {level:>5} {rng.randint(2100, 2190)} --- [{kit.pick(threads):>19}] {logger:<40} : {msg}",
        )

    for t, p in tks:
        s = share_new(t)
        per = 4 if p == 60 else 2
        for _ in range(per):
            at = t + timedelta(seconds=rng.uniform(0, p))
            idx = rng.randrange(n_inst)
            slow = s and rng.random() < s * 0.85
            lat = (
                int(rng.uniform(90, 260))
                if not slow
                else int(140 * (1 + 16 * cold(t)) * rng.uniform(0.6, 1.5))
            )
            status = 200
            if slow and lat > 3000:
                status, lat = 503, 3004 + rng.randint(0, 40)
            prod = kit.pick(["MOTOR", "MOTOR", "MOTOR", "VAN", "HOME"])
            app(
                at,
                idx,
                "INFO",
                "c.b.quote.web.QuoteController",
                f"POST /v3/quotes product={prod} status={status} took={lat}ms",
            )
            if status == 503:
                app(
                    at,
                    idx,
                    "ERROR",
                    "c.b.quote.web.GlobalExceptionHandler",
                    "Quote pricing failed: org.springframework.dao.QueryTimeoutException: PreparedStatementCallback; SQL [select f.factor_code, f.band, f.multiplier from rating_factors f ...]; "
                    "Statement cancelled due to timeout or client request\n\tat org.springframework.jdbc.support.SQLStateSQLExceptionTranslator.doTranslate(SQLStateSQLExceptionTranslator.java:99)\n"
                    "\tat org.springframework.jdbc.core.JdbcTemplate.translateException(JdbcTemplate.java:1548)\n\tat com.brightpath.quote.rating.RatingFactorRepository.factorsFor(RatingFactorRepository.java:88)\n"
                    "Caused by: java.sql.SQLTimeoutException: Statement cancelled due to timeout or client request\n\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:113)\n\t... 52 common frames omitted",
                )
            elif slow and lat > 1500:
                app(
                    at,
                    idx,
                    "WARN",
                    "c.b.quote.rating.RatingService",
                    f"rating lookup slow: {lat - rng.randint(20, 80)}ms (factors=214, pool=reader)",
                )
        if rng.random() < 0.04 * p / 60:
            app(
                t + timedelta(seconds=rng.uniform(0, p)),
                rng.randrange(n_inst),
                "WARN",
                "c.b.quote.partner.AggregatorClient",
                f"aggregator callback retry 1/3 for ref CMP-{rng.randint(10**7, 10**8)}: HTTP 502",
            )
        if p == 60 and t.minute % 10 == 0:
            for idx in range(n_inst):
                active = int(12 + 40 * load(t) * (1 + 6 * s * cold(t)))
                app(
                    t + timedelta(seconds=rng.uniform(0, 10)),
                    idx,
                    "DEBUG" if False else "INFO",
                    "com.zaxxer.hikari.pool.HikariPool",
                    f"HikariPool-reader - Pool stats (total={min(60, active + 8)}, active={min(60, active)}, idle={max(0, 8)}, waiting={max(0, active - 60)})",
                )

    # ---- CloudTrail -----------------------------------------------------------------------------
    slr = "AWSServiceRoleForApplicationAutoScaling_RDSCluster"
    aas = kit.role_identity(
        slr,
        "ApplicationAutoScaling",
        path="/aws-service-role/rds.application-autoscaling.amazonaws.com/",
        created=scale_at,
    )
    aas["invokedBy"] = "application-autoscaling.amazonaws.com"
    kit.ct(
        scale_at + timedelta(seconds=3),
        "rds.amazonaws.com",
        "DescribeDBClusters",
        aas,
        {"dBClusterIdentifier": cluster},
        None,
        True,
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        version="1.08",
    )
    kit.ct(
        create_at,
        "rds.amazonaws.com",
        "CreateDBInstance",
        aas,
        {
            "dBInstanceIdentifier": new,
            "dBInstanceClass": cls,
            "engine": "aurora-mysql",
            "dBClusterIdentifier": cluster,
            "promotionTier": 15,
            "dBParameterGroupName": "quotes-aurora-mysql80-instance",
            "autoMinorVersionUpgrade": True,
            "publiclyAccessible": False,
            "monitoringInterval": 0,
            "enablePerformanceInsights": False,
        },
        {
            "dBInstanceIdentifier": new,
            "dBInstanceClass": cls,
            "engine": "aurora-mysql",
            "dBInstanceStatus": "creating",
            "dBClusterIdentifier": cluster,
            "engineVersion": ver,
            "promotionTier": 15,
            "dBInstanceArn": db_arn_new,
            "availabilityZone": new_az,
        },
        False,
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        version="1.08",
    )
    for k_ in range(1, 5):
        kit.ct(
            create_at + timedelta(minutes=3 * k_),
            "rds.amazonaws.com",
            "DescribeDBInstances",
            aas,
            {"dBInstanceIdentifier": new},
            None,
            True,
            "application-autoscaling.amazonaws.com",
            "application-autoscaling.amazonaws.com",
            version="1.08",
        )
    # harmless 1: DBA lowers long_query_time on the cluster parameter group (dynamic parameter)
    dba = kit.sso_identity(
        "DatabaseAdmin", kit.hex(16), "marisol.vega@brightpath.com", lq_change - timedelta(minutes=40)
    )
    kit.ct(
        lq_change,
        "rds.amazonaws.com",
        "ModifyDBClusterParameterGroup",
        dba,
        {
            "dBClusterParameterGroupName": "quotes-aurora-mysql80",
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "1", "applyMethod": "immediate"}
            ],
        },
        {"dBClusterParameterGroupName": "quotes-aurora-mysql80"},
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    kit.ct(
        lq_change - timedelta(minutes=2),
        "rds.amazonaws.com",
        "DescribeDBClusterParameters",
        dba,
        {"dBClusterParameterGroupName": "quotes-aurora-mysql80", "source": "user"},
        None,
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    # harmless 2: a feature flag for the broker portal in Parameter Store
    ff_at = onset - timedelta(minutes=rng.randint(2, 12))
    web = kit.sso_identity("Developer", kit.hex(16), "jordan.pike@brightpath.com", ff_at - timedelta(hours=2))
    kit.ct(
        ff_at,
        "ssm.amazonaws.com",
        "PutParameter",
        web,
        {
            "name": "/broker-portal/prod/flags/renewals-banner",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randint(4, 30), "tier": "Standard"},
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    # harmless 3: ASG scheduled action tweak for the evening
    kit.ct(
        onset + timedelta(minutes=rng.randint(4, 14)),
        "autoscaling.amazonaws.com",
        "DescribeScalingActivities",
        web,
        {"autoScalingGroupName": asg},
        None,
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    # routine
    ro = kit.sso_identity("ReadOnly", kit.hex(16), "ade.okafor@brightpath.com", start)
    t = start + timedelta(minutes=rng.randint(5, 30))
    while t < now:
        c = rng.random()
        if c < 0.3:
            kit.ct(
                t,
                "rds.amazonaws.com",
                "DescribeDBClusters",
                ro,
                {"dBClusterIdentifier": cluster},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.5:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                ro,
                {"alarmNamePrefix": "quote-api"},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.75:
            ec2role = kit.role_identity("quote-api-ec2", kit.pick(inst_ids), created=t - timedelta(hours=2))
            kit.ct(
                t,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                ec2role,
                {"secretId": "prod/quote-api/aurora-reader"},
                None,
                True,
                kit.pick(inst_ips),
                "aws-sdk-java/2.25.40 Linux/6.1.84-99.169.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
            )
        else:
            kit.ct(
                t,
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                ro,
                {"autoScalingGroupNames": [asg]},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        t += timedelta(minutes=rng.randint(7, 20), seconds=rng.randint(0, 59))
    kit.ct(
        now - timedelta(minutes=3),
        "logs.amazonaws.com",
        "StartQuery",
        ro,
        {
            "logGroupNames": [agrp],
            "startTime": int((now - timedelta(hours=1)).timestamp()),
            "endTime": int(now.timestamp()),
            "queryString": "fields @timestamp, @message | filter @message like /took=/ | sort @timestamp desc",
        },
        {"queryId": kit.uuid()},
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )

    # ---- manifest -------------------------------------------------------------------------------
    fired = datetime.fromisoformat(p99_alarm["StateUpdatedTimestamp"].replace("Z", "+00:00")).astimezone(TZ)
    clock = fired.strftime("%-I:%M%p").lower()
    manifest: Json = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": kit.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"quote-api p99 alarm went off at {clock} and brokers are saying some quotes take several seconds or "
                "fail. Nobody has deployed quote-api today. Can you find out why?"
            ),
            "alarm_event": kit.alarm_event(p99_alarm),
            "timezone": "America/Chicago",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": new,
                "category": "system_change",
                "failure_mode": "aurora-autoscaled-reader-cold-buffer-pool",
            },
            "also_accept": [db_arn_new],
            "actions": ["exclude", "reconfigure"],
            "chain": [
                f"Aurora replica auto scaling (policy {policy_name}) added reader {new} at the afternoon peak",
                f"the cluster reader endpoint began handing quote-api connections to {new}, whose buffer pool was empty",
                "queries there read from the cluster volume (low BufferCacheHitRatio, high ReadIOPS, slow SelectLatency)",
                "quote-api requests served through that reader take seconds or time out: ALB p99 alarm and some 503s",
            ],
        },
    }
    return kit.bundle(manifest, now)
