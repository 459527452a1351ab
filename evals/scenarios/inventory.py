"""The account rendered as resources.jsonl records: each item in the shape its describe call returns."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios.account import ELB_ZONES, Account, Instance, Service, iso, tags


def _record(service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


def resource_records(acct: Account, *, instance_logs: bool = True) -> list[dict[str, Any]]:
    """Every resource as AWS would describe it at the window's `now`."""
    now = acct.window.now
    out = [
        _record(
            "ec2",
            "Vpc",
            {
                "VpcId": acct.vpc_id,
                "CidrBlock": acct.vpc_cidr,
                "State": "available",
                "OwnerId": acct.account_id,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "DhcpOptionsId": acct.ids.ec2("dopt"),
                "Tags": tags(Name=f"{acct.env}-vpc"),
            },
        )
    ]
    out += [_record("ec2", "Subnet", s) for s in acct.public_subnets + acct.private_subnets]
    out += [_record("ec2", "SecurityGroup", g) for g in acct.security_groups.values()]
    out.append(
        _record(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": acct.alb_arn,
                "LoadBalancerName": acct.alb_name,
                "Type": "application",
                "DNSName": f"{acct.alb_name}-{acct.alb_arn[-10:]}.{acct.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": ELB_ZONES[acct.region],
                "CreatedTime": iso(acct.created),
                "Scheme": "internet-facing",
                "VpcId": acct.vpc_id,
                "State": {"Code": "active"},
                "AvailabilityZones": [
                    {
                        "ZoneName": s["AvailabilityZone"],
                        "SubnetId": s["SubnetId"],
                        "LoadBalancerAddresses": [],
                    }
                    for s in acct.public_subnets
                ],
                "SecurityGroups": [acct.alb_sg],
                "IpAddressType": "ipv4",
            },
        )
    )
    for svc in acct.services:
        out += _service_records(acct, svc, now)
    out += _database_records(acct)
    out += _function_records(acct)
    for role, (description, principal) in acct.roles.items():
        out.append(
            _record(
                "iam",
                "Role",
                {
                    "Path": "/",
                    "RoleName": role,
                    "RoleId": acct.role_id(role),
                    "Arn": acct.role_arn(role),
                    "CreateDate": iso(acct.created + timedelta(minutes=acct.rng.randrange(5, 600))),
                    "Description": description,
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": principal},
                                    "Action": "sts:AssumeRole",
                                }
                            ],
                        }
                    ),
                },
            )
        )
    groups = acct.log_groups(instance_logs=instance_logs)
    for group in groups:
        created = int((acct.created + timedelta(hours=acct.rng.randrange(1, 2000))).timestamp() * 1000)
        out.append(
            _record(
                "logs",
                "LogGroup",
                {
                    "logGroupName": group,
                    "creationTime": created,
                    "metricFilterCount": 0,
                    "retentionInDays": acct.rng.choice([7, 14, 30, 90]),
                    "arn": f"arn:aws:logs:{acct.region}:{acct.account_id}:log-group:{group}:*",
                    "logGroupArn": f"arn:aws:logs:{acct.region}:{acct.account_id}:log-group:{group}",
                    "storedBytes": acct.rng.randrange(10**6, 10**10),
                    "logGroupClass": "STANDARD",
                },
            )
        )
    return out


def _instance_item(acct: Account, inst: Instance, now: datetime) -> dict[str, Any]:
    svc = inst.service
    terminated = inst.terminated is not None and inst.terminated <= now
    state = {"Code": 48, "Name": "terminated"} if terminated else {"Code": 16, "Name": "running"}
    host = f"ip-{inst.private_ip.replace('.', '-')}.{acct.region}.compute.internal"
    item: dict[str, Any] = {
        "InstanceId": inst.id,
        "ImageId": svc.image_id,
        "InstanceType": inst.instance_type,
        "LaunchTime": iso(inst.launched),
        "State": state,
        "AmiLaunchIndex": 0,
        "Placement": {"AvailabilityZone": inst.az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "enabled"},
        "Architecture": "x86_64",
        "Hypervisor": "xen",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "EbsOptimized": True,
        "EnaSupport": True,
        "SourceDestCheck": True,
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{acct.account_id}:instance-profile/{svc.role_name}",
            "Id": acct.ids.principal("AIPA"),
        },
        "SecurityGroups": [{"GroupId": svc.sg_id, "GroupName": acct.security_groups[svc.sg_id]["GroupName"]}],
        "Tags": tags(
            Name=svc.asg_name,
            aws__autoscaling__groupName=svc.asg_name,
            aws__ec2launchtemplate__id=svc.launch_template_id,
            aws__ec2launchtemplate__version=str(svc.launch_template_version),
        ),
        "ProductCodes": [],
    }
    if terminated:
        item["StateTransitionReason"] = f"User initiated ({iso(inst.terminated).replace('T', ' ')[:19]} GMT)"  # type: ignore[arg-type]
        item["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
        item["PrivateDnsName"] = ""
        item["PublicDnsName"] = ""
        item["BlockDeviceMappings"] = []
        item["NetworkInterfaces"] = []
        return item
    item.update(
        {
            "PrivateIpAddress": inst.private_ip,
            "PrivateDnsName": host,
            "PublicDnsName": "",
            "SubnetId": inst.subnet["SubnetId"],
            "VpcId": acct.vpc_id,
            "StateTransitionReason": "",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "VolumeId": inst.volume_id,
                        "Status": "attached",
                        "DeleteOnTermination": True,
                        "AttachTime": iso(inst.launched + timedelta(seconds=2)),
                    },
                }
            ],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": inst.eni_id,
                    "SubnetId": inst.subnet["SubnetId"],
                    "VpcId": acct.vpc_id,
                    "PrivateIpAddress": inst.private_ip,
                    "Status": "in-use",
                    "OwnerId": acct.account_id,
                    "MacAddress": ":".join(acct.ids.hex(2) for _ in range(6)),
                    "Groups": [
                        {"GroupId": svc.sg_id, "GroupName": acct.security_groups[svc.sg_id]["GroupName"]}
                    ],
                }
            ],
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
        }
    )
    if inst.instance_type.startswith("t"):
        item["CpuOptions"] = {"CoreCount": 1, "ThreadsPerCore": 2}
    return item


def _service_records(acct: Account, svc: Service, now: datetime) -> list[dict[str, Any]]:
    alive = svc.alive(now)
    # DescribeInstances keeps terminated instances for about an hour.
    shown = [
        i for i in svc.instances if i.alive(now) or (i.terminated and now - i.terminated < timedelta(hours=1))
    ]
    out = [_record("ec2", "Instance", _instance_item(acct, i, now)) for i in shown]
    lt = {
        "LaunchTemplateId": svc.launch_template_id,
        "LaunchTemplateName": f"{svc.asg_name}-lt",
        "Version": str(svc.launch_template_version),
    }
    out.append(
        _record(
            "ec2",
            "LaunchTemplate",
            {
                "LaunchTemplateId": svc.launch_template_id,
                "LaunchTemplateName": f"{svc.asg_name}-lt",
                "CreateTime": iso(acct.created),
                "CreatedBy": f"arn:aws:iam::{acct.account_id}:root",
                "DefaultVersionNumber": svc.launch_template_version,
                "LatestVersionNumber": svc.launch_template_version,
            },
        )
    )
    out.append(
        _record(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": svc.asg_name,
                "AutoScalingGroupARN": svc.asg_arn,
                "LaunchTemplate": lt,
                "MinSize": svc.min_size,
                "MaxSize": svc.max_size,
                "DesiredCapacity": svc.desired,
                "DefaultCooldown": 300,
                "AvailabilityZones": list(acct.azs),
                "TargetGroupARNs": [svc.tg_arn],
                "LoadBalancerNames": [],
                "HealthCheckType": svc.health_check_type,
                "HealthCheckGracePeriod": svc.grace_seconds,
                "CreatedTime": iso(acct.created),
                "VPCZoneIdentifier": ",".join(s["SubnetId"] for s in acct.private_subnets),
                "Instances": [
                    {
                        "InstanceId": i.id,
                        "InstanceType": i.instance_type,
                        "AvailabilityZone": i.az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": lt,
                        "ProtectedFromScaleIn": False,
                    }
                    for i in alive
                ],
                "EnabledMetrics": [
                    {"Metric": m, "Granularity": "1Minute"}
                    for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances")
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": (
                    f"arn:aws:iam::{acct.account_id}:role/aws-service-role/autoscaling."
                    "amazonaws.com/AWSServiceRoleForAutoScaling"
                ),
                "Tags": [
                    {
                        "Key": "Name",
                        "Value": svc.asg_name,
                        "PropagateAtLaunch": True,
                        "ResourceId": svc.asg_name,
                        "ResourceType": "auto-scaling-group",
                    }
                ],
            },
        )
    )
    out.append(
        _record(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": svc.tg_arn,
                "TargetGroupName": svc.tg_name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": acct.vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 30,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 5,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": "/health",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [acct.alb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    return out


def _database_records(acct: Account) -> list[dict[str, Any]]:
    db = acct.database
    host = db.endpoint
    out = [
        _record(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": db.cluster_id,
                "DBClusterArn": db.cluster_arn,
                "DbClusterResourceId": db.resource_id,
                "Engine": "aurora-mysql",
                "EngineVersion": db.engine_version,
                "EngineMode": "provisioned",
                "Status": "available",
                "Endpoint": host,
                "ReaderEndpoint": host.replace(".cluster-", ".cluster-ro-"),
                "Port": db.port,
                "MasterUsername": "admin",
                "DatabaseName": acct.product.replace("-", "_"),
                "MultiAZ": len(db.members) > 1,
                "AvailabilityZones": list(acct.azs),
                "AllocatedStorage": 1,
                "BackupRetentionPeriod": 7,
                "PreferredBackupWindow": "03:10-03:40",
                "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
                "DBSubnetGroup": db.subnet_group,
                "DBClusterParameterGroup": db.parameter_group,
                "StorageEncrypted": True,
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": m,
                        "IsClusterWriter": m == db.writer,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    }
                    for m in db.members
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": db.sg_id, "Status": "active"}],
                "EnabledCloudwatchLogsExports": list(acct.db_log_exports),
                "ClusterCreateTime": iso(acct.created),
                "IAMDatabaseAuthenticationEnabled": False,
                "DeletionProtection": True,
                "AutoMinorVersionUpgrade": True,
            },
        )
    ]
    for m in db.members:
        out.append(
            _record(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": m,
                    "DBInstanceArn": db.instance_arn(acct, m),
                    "DBInstanceClass": db.instance_class,
                    "Engine": "aurora-mysql",
                    "EngineVersion": db.engine_version,
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": db.cluster_id,
                    "Endpoint": {
                        "Address": f"{m}.{acct.ids.hex(12)}.{acct.region}.rds.amazonaws.com",
                        "Port": db.port,
                    },
                    "AvailabilityZone": db.instance_azs[m],
                    "DbiResourceId": db.dbi_resource_ids[m],
                    "InstanceCreateTime": iso(acct.created + timedelta(minutes=20)),
                    "MultiAZ": False,
                    "PubliclyAccessible": False,
                    "StorageEncrypted": True,
                    "AutoMinorVersionUpgrade": True,
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": db.sg_id, "Status": "active"}],
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                    ],
                    "MonitoringInterval": 60,
                    "MonitoringRoleArn": acct.role_arn("rds-monitoring-role"),
                    "PromotionTier": 1,
                    "PerformanceInsightsEnabled": False,
                    "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                    "EnabledCloudwatchLogsExports": list(acct.db_log_exports),
                },
            )
        )
    return out


def _function_records(acct: Account) -> list[dict[str, Any]]:
    out = []
    for fn in acct.functions:
        out.append(
            _record(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn.name,
                    "FunctionArn": fn.arn,
                    "Runtime": fn.runtime,
                    "Role": acct.role_arn(fn.role_name),
                    "Handler": "app.handler",
                    "CodeSize": acct.rng.randrange(2000, 9000000),
                    "Description": "",
                    "Timeout": fn.timeout,
                    "MemorySize": fn.memory,
                    "LastModified": fn.last_modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": fn.code_sha,
                    "Version": "$LATEST",
                    "TracingConfig": {"Mode": "Active"},
                    "RevisionId": acct.ids.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["x86_64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": fn.log_group},
                },
            )
        )
        if fn.reserved is not None:
            out.append(
                _record(
                    "lambda",
                    "FunctionConcurrency",
                    {"FunctionName": fn.name, "ReservedConcurrentExecutions": fn.reserved},
                )
            )
    return out
