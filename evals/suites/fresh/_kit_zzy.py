"""Private helpers for kit zzy: a classic three-tier EC2 web app (ASG behind an ALB, NAT, TGW, RDS, EFS)."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

REGIONS = ["eu-west-1", "eu-west-2", "eu-central-1", "eu-north-1", "eu-west-3"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Env:
    """One account's three-tier web app, its noise, and the records being collected."""

    def __init__(self, seed: int, app: str, onset_hour: tuple[int, int]) -> None:
        self.rng = random.Random(f"{app}|{seed}")
        r = self.rng
        self.app = app
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "3" + self.account[1:]
        self.region = r.choice(REGIONS)
        self.azs = [self.region + s for s in ("a", "b", "c")]
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        self.onset = day + timedelta(
            hours=r.randint(*onset_hour), minutes=r.randint(0, 59), seconds=r.randint(0, 59)
        )
        self.start = (self.onset - timedelta(hours=4, minutes=r.randint(0, 20))).replace(second=0)
        self.now = (self.onset + timedelta(minutes=r.randint(38, 55))).replace(second=0)
        self.end = self.now + timedelta(minutes=10)
        self.retired: list[dict[str, Any]] = []
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._topology()

    # --- ids ----------------------------------------------------------------------------------------
    def hexid(self, n: int = 17) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexid(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def minutes(self, step: int = 60) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    # --- topology -------------------------------------------------------------------------------------
    def _topology(self) -> None:
        r = self.rng
        a = self.app
        self.vpc = "vpc-" + self.hexid()
        second = r.randint(20, 60)
        self.cidr = f"10.{second}.0.0/16"
        self.shared_cidr = f"10.{r.randint(200, 230)}.0.0/16"
        self.pub_subnets = ["subnet-" + self.hexid() for _ in self.azs]
        self.app_subnets = ["subnet-" + self.hexid() for _ in self.azs]
        self.db_subnets = ["subnet-" + self.hexid() for _ in self.azs]
        self.app_rtbs = ["rtb-" + self.hexid() for _ in self.azs]
        self.pub_rtb = "rtb-" + self.hexid()
        self.nats = ["nat-" + self.hexid() for _ in self.azs]
        self.igw = "igw-" + self.hexid()
        self.tgw = "tgw-" + self.hexid()
        self.tgw_att = "tgw-attach-" + self.hexid()
        self.sg_alb = "sg-" + self.hexid()
        self.sg_web = "sg-" + self.hexid()
        self.sg_db = "sg-" + self.hexid()
        self.sg_efs = "sg-" + self.hexid()
        self.asg = f"{a}-web-asg"
        self.lt = "lt-" + self.hexid()
        self.ami = "ami-" + self.hexid()
        self.alb_name = f"{a}-web-alb"
        self.alb_id = self.hexid(16)
        self.alb_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/app/{self.alb_name}/{self.alb_id}"
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.tg_name = f"{a}-web-tg"
        self.tg_id = self.hexid(16)
        self.tg_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:targetgroup/{self.tg_name}/{self.tg_id}"
        self.tg_dim = f"targetgroup/{self.tg_name}/{self.tg_id}"
        self.db = f"{a}-mysql-prod"
        self.efs = "fs-" + self.hexid()
        self.ip_base = second
        self.efs_size = r.randint(120, 260) * 1024**3 + r.randint(0, 1024**3)
        self.instances: list[dict[str, Any]] = []
        n = 3 * r.randint(1, 2)
        for i in range(n):
            az = i % 3
            self.instances.append(
                {
                    "id": "i-" + self.hexid(),
                    "az": az,
                    "ip": f"10.{second}.{10 + az * 16 + r.randint(0, 12)}.{r.randint(5, 250)}",
                    "launched": self.start - timedelta(days=r.randint(1, 9), minutes=r.randint(0, 900)),
                }
            )

    def base_resources(self, rtb_routes: dict[str, list[dict[str, Any]]] | None = None) -> None:
        """Everything of the app as describe calls would return it at `now`."""
        a = self.app
        acct = self.account

        def tags(name: str) -> list[dict[str, str]]:
            return [{"Key": "Name", "Value": name}, {"Key": "team", "Value": "web-platform"}]

        add = self.add_resource
        add(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc,
                "CidrBlock": self.cidr,
                "State": "available",
                "OwnerId": acct,
                "IsDefault": False,
                "Tags": tags(f"{a}-prod"),
            },
        )
        for kind, subs, off in (
            ("public", self.pub_subnets, 0),
            ("app", self.app_subnets, 10),
            ("db", self.db_subnets, 100),
        ):
            for i, s in enumerate(subs):
                third = off + i * 16 if kind != "public" else i
                add(
                    "ec2",
                    "Subnet",
                    {
                        "SubnetId": s,
                        "VpcId": self.vpc,
                        "AvailabilityZone": self.azs[i],
                        "CidrBlock": f"10.{self.ip_base}.{third}.0/{24 if kind == 'public' else 20}",
                        "State": "available",
                        "MapPublicIpOnLaunch": kind == "public",
                        "OwnerId": acct,
                        "AvailableIpAddressCount": 4000 if kind != "public" else 240,
                        "Tags": tags(f"{a}-{kind}-{self.azs[i][-1]}"),
                    },
                )
        add(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": self.pub_rtb,
                "VpcId": self.vpc,
                "OwnerId": acct,
                "Routes": [
                    {
                        "DestinationCidrBlock": self.cidr,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": self.igw,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Associations": [
                    {
                        "RouteTableAssociationId": "rtbassoc-" + self.hexid(),
                        "RouteTableId": self.pub_rtb,
                        "SubnetId": s,
                        "Main": False,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in self.pub_subnets
                ],
                "Tags": tags(f"{a}-public"),
            },
        )
        for i, rt in enumerate(self.app_rtbs):
            routes = (rtb_routes or {}).get(rt)
            if routes is None:
                routes = self.app_routes(i)
            add(
                "ec2",
                "RouteTable",
                {
                    "RouteTableId": rt,
                    "VpcId": self.vpc,
                    "OwnerId": acct,
                    "Routes": routes,
                    "Associations": [
                        {
                            "RouteTableAssociationId": "rtbassoc-" + self.hexid(),
                            "RouteTableId": rt,
                            "SubnetId": self.app_subnets[i],
                            "Main": False,
                            "AssociationState": {"State": "associated"},
                        },
                        {
                            "RouteTableAssociationId": "rtbassoc-" + self.hexid(),
                            "RouteTableId": rt,
                            "SubnetId": self.db_subnets[i],
                            "Main": False,
                            "AssociationState": {"State": "associated"},
                        },
                    ],
                    "Tags": tags(f"{a}-private-{self.azs[i][-1]}"),
                },
            )
        for i, n in enumerate(self.nats):
            add(
                "ec2",
                "NatGateway",
                {
                    "NatGatewayId": n,
                    "VpcId": self.vpc,
                    "SubnetId": self.pub_subnets[i],
                    "State": "available",
                    "ConnectivityType": "public",
                    "CreateTime": iso(self.start - timedelta(days=400)),
                    "NatGatewayAddresses": [
                        {
                            "AllocationId": "eipalloc-" + self.hexid(),
                            "NetworkInterfaceId": "eni-" + self.hexid(),
                            "PrivateIp": f"10.{self.ip_base}.{i}.{20 + i}",
                            "PublicIp": f"52.{self.rng.randint(16, 60)}.{self.rng.randint(1, 250)}."
                            f"{self.rng.randint(1, 250)}",
                        }
                    ],
                    "Tags": tags(f"{a}-nat-{self.azs[i][-1]}"),
                },
            )
        add(
            "ec2",
            "TransitGatewayAttachment",
            {
                "TransitGatewayAttachmentId": self.tgw_att,
                "TransitGatewayId": self.tgw,
                "TransitGatewayOwnerId": "".join(reversed(acct)),
                "ResourceOwnerId": acct,
                "ResourceType": "vpc",
                "ResourceId": self.vpc,
                "State": "available",
                "Association": {
                    "TransitGatewayRouteTableId": "tgw-rtb-" + self.hexid(),
                    "State": "associated",
                },
                "CreationTime": iso(self.start - timedelta(days=380)),
                "Tags": tags(f"{a}-prod-to-shared"),
            },
        )
        for sg, name, perms in (
            (
                self.sg_alb,
                f"{a}-alb",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            ),
            (
                self.sg_web,
                f"{a}-web",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 8080,
                        "ToPort": 8080,
                        "UserIdGroupPairs": [{"GroupId": self.sg_alb, "UserId": acct}],
                    }
                ],
            ),
            (
                self.sg_db,
                f"{a}-db",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 3306,
                        "ToPort": 3306,
                        "UserIdGroupPairs": [{"GroupId": self.sg_web, "UserId": acct}],
                    }
                ],
            ),
            (
                self.sg_efs,
                f"{a}-efs",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 2049,
                        "ToPort": 2049,
                        "UserIdGroupPairs": [{"GroupId": self.sg_web, "UserId": acct}],
                    }
                ],
            ),
        ):
            add(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": sg,
                    "GroupName": name,
                    "Description": f"{name} managed by terraform",
                    "VpcId": self.vpc,
                    "OwnerId": acct,
                    "IpPermissions": perms,
                    "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                    "Tags": tags(name),
                },
            )
        for inst in self.instances:
            self.add_instance(inst)
        add(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{self.region}:{acct}:autoScalingGroup:{self.uuid()}"
                f":autoScalingGroupName/{self.asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": self.lt,
                    "LaunchTemplateName": f"{a}-web",
                    "Version": "$Latest",
                },
                "MinSize": len(self.instances),
                "MaxSize": len(self.instances) * 3,
                "DesiredCapacity": len(self.instances),
                "DefaultCooldown": 300,
                "AvailabilityZones": self.azs,
                "TargetGroupARNs": [self.tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 300,
                "CreatedTime": iso(self.start - timedelta(days=500)),
                "VPCZoneIdentifier": ",".join(self.app_subnets),
                "TerminationPolicies": ["Default"],
                "Instances": [
                    {
                        "InstanceId": i["id"],
                        "InstanceType": "m6i.large",
                        "AvailabilityZone": self.azs[i["az"]],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": self.lt,
                            "LaunchTemplateName": f"{a}-web",
                            "Version": "14",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i in self.instances
                ],
                "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/"
                "AWSServiceRoleForAutoScaling",
                "Tags": [
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": f"{a}-web",
                        "PropagateAtLaunch": True,
                    }
                ],
            },
        )
        add(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.alb_arn,
                "LoadBalancerName": self.alb_name,
                "DNSName": f"{self.alb_name}-{self.rng.randint(100000000, 999999999)}.{self.region}.elb.amazonaws.com",
                "Scheme": "internet-facing",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": self.azs[i], "SubnetId": s} for i, s in enumerate(self.pub_subnets)
                ],
                "SecurityGroups": [self.sg_alb],
                "IpAddressType": "ipv4",
                "CreatedTime": iso(self.start - timedelta(days=500)),
            },
        )
        add(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": self.tg_name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": self.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [self.alb_arn],
                "TargetType": "instance",
            },
        )
        add("rds", "DBInstance", self.db_item())
        add(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": acct,
                "CreationToken": f"{a}-shared-media",
                "FileSystemId": self.efs,
                "FileSystemArn": f"arn:aws:elasticfilesystem:{self.region}:{acct}:file-system/{self.efs}",
                "CreationTime": iso(self.start - timedelta(days=610)),
                "LifeCycleState": "available",
                "Name": f"{a}-shared-media",
                "NumberOfMountTargets": 3,
                "SizeInBytes": {"Value": self.efs_size, "ValueInIA": 0, "ValueInStandard": self.efs_size},
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "ThroughputMode": "bursting",
                "Tags": tags(f"{a}-shared-media"),
            },
        )
        for i, s in enumerate(self.app_subnets):
            add(
                "efs",
                "MountTargetDescription",
                {
                    "OwnerId": acct,
                    "MountTargetId": "fsmt-" + self.hexid(),
                    "FileSystemId": self.efs,
                    "SubnetId": s,
                    "LifeCycleState": "available",
                    "IpAddress": f"10.{self.ip_base}.{10 + i * 16}.{40 + i}",
                    "NetworkInterfaceId": "eni-" + self.hexid(),
                    "AvailabilityZoneName": self.azs[i],
                    "VpcId": self.vpc,
                },
            )
        add(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/{a}/web/app",
                "retentionInDays": 30,
                "arn": f"arn:aws:logs:{self.region}:{acct}:log-group:/{a}/web/app:*",
                "creationTime": ms(self.start - timedelta(days=480)),
            },
        )
        add(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/{a}/web/nginx",
                "retentionInDays": 14,
                "arn": f"arn:aws:logs:{self.region}:{acct}:log-group:/{a}/web/nginx:*",
                "creationTime": ms(self.start - timedelta(days=480)),
            },
        )

    def app_routes(self, i: int) -> list[dict[str, Any]]:
        return [
            {
                "DestinationCidrBlock": self.cidr,
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": self.nats[i],
                "Origin": "CreateRoute",
                "State": "active",
            },
            {
                "DestinationCidrBlock": self.shared_cidr,
                "TransitGatewayId": self.tgw,
                "Origin": "CreateRoute",
                "State": "active",
            },
        ]

    def db_item(self, **over: Any) -> dict[str, Any]:
        item = {
            "DBInstanceIdentifier": self.db,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "mysql",
            "EngineVersion": "8.0.39",
            "DBInstanceStatus": "available",
            "MultiAZ": True,
            "AvailabilityZone": self.azs[0],
            "SecondaryAvailabilityZone": self.azs[1],
            "Endpoint": {
                "Address": f"{self.db}.c{self.hexid(11)}.{self.region}.rds.amazonaws.com",
                "Port": 3306,
            },
            "AllocatedStorage": 500,
            "StorageType": "gp3",
            "Iops": 12000,
            "DBInstanceArn": f"arn:aws:rds:{self.region}:{self.account}:db:{self.db}",
            "DbiResourceId": "db-" + self.hexid(26).upper(),
            "InstanceCreateTime": iso(self.start - timedelta(days=700)),
            "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": f"{self.app}-mysql80", "ParameterApplyStatus": "in-sync"}
            ],
            "PreferredBackupWindow": "02:10-02:40",
            "PreferredMaintenanceWindow": "sun:04:00-sun:04:30",
            "BackupRetentionPeriod": 7,
            "AutoMinorVersionUpgrade": False,
            "DBSubnetGroup": {
                "DBSubnetGroupName": f"{self.app}-db",
                "VpcId": self.vpc,
                "SubnetGroupStatus": "Complete",
            },
            "EnabledCloudwatchLogsExports": ["error", "slowquery"],
        }
        item.update(over)
        return item

    def add_instance(self, inst: dict[str, Any], state: str = "running") -> None:
        az = self.azs[inst["az"]]
        self.add_resource(
            "ec2",
            "Instance",
            {
                "InstanceId": inst["id"],
                "ImageId": self.ami,
                "InstanceType": "m6i.large",
                "LaunchTime": iso(inst["launched"]),
                "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
                "PrivateIpAddress": inst["ip"],
                "SubnetId": self.app_subnets[inst["az"]],
                "VpcId": self.vpc,
                "State": {"Code": 16, "Name": state},
                "SecurityGroups": [{"GroupId": self.sg_web, "GroupName": f"{self.app}-web"}],
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{self.account}:instance-profile/{self.app}-web",
                    "Id": "AIPA" + self.hexid(17).upper(),
                },
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-" + self.hexid(),
                        "PrivateIpAddress": inst["ip"],
                        "SubnetId": self.app_subnets[inst["az"]],
                        "VpcId": self.vpc,
                        "Status": "in-use",
                        "Groups": [{"GroupId": self.sg_web, "GroupName": f"{self.app}-web"}],
                    }
                ],
                "Tags": [
                    {"Key": "Name", "Value": f"{self.app}-web"},
                    {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                ],
            },
        )
        self.add_resource(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": inst["id"],
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": state},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )

    def add_resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- metrics --------------------------------------------------------------------------------------
    def put(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def put_stats(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, samples: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": len(samples),
                    "Sum": round(sum(samples), 4),
                    "Minimum": round(min(samples), 4),
                    "Maximum": round(max(samples), 4),
                },
            }
        )

    def diurnal(self, t: datetime, base: float) -> float:
        """Traffic shape over the day (UTC hours, shifted so business hours peak)."""
        h = t.hour + t.minute / 60
        return base * (0.45 + 0.55 * max(0.0, math.sin((h - 5) / 24 * 2 * math.pi)) + 0.1)

    def auto(self, alarm: dict[str, Any], until: datetime | None = None) -> list[dict[str, Any]]:
        """Evaluate `alarm` over the stored datapoints each period, as CloudWatch would; record its
        transitions and return their EventBridge events, oldest first."""
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        period = int(alarm["Period"])
        buckets: dict[datetime, list[tuple[float, float, float]]] = {}
        for m in self.metrics:
            if (
                m["metric"] != alarm["MetricName"]
                or m["namespace"] != alarm["Namespace"]
                or m["dimensions"] != dims
            ):
                continue
            t = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            slot = self.start + timedelta(seconds=((t - self.start).total_seconds() // period) * period)
            if "value" in m:
                v = float(m["value"])
                buckets.setdefault(slot, []).append((v, 1.0, v))
            else:
                sv = m["statistic_values"]
                buckets.setdefault(slot, []).append(
                    (float(sv["Sum"]), float(sv["SampleCount"]), float(sv["Maximum"]))
                )

        def stat(slot: datetime) -> float | None:
            got = buckets.get(slot)
            if not got:
                return (
                    0.0
                    if alarm["Statistic"] == "Sum" and alarm["TreatMissingData"] == "notBreaching"
                    else None
                )
            if alarm["Statistic"] == "Sum":
                return sum(x[0] for x in got)
            if alarm["Statistic"] == "Maximum":
                return max(x[2] for x in got)
            return sum(x[0] for x in got) / sum(x[1] for x in got)

        def breach(v: float) -> bool:
            th = float(alarm["Threshold"])
            return {
                "GreaterThanThreshold": v > th,
                "GreaterThanOrEqualToThreshold": v >= th,
                "LessThanThreshold": v < th,
                "LessThanOrEqualToThreshold": v <= th,
            }[alarm["ComparisonOperator"]]

        n, m_req = int(alarm["EvaluationPeriods"]), int(alarm["DatapointsToAlarm"])
        state = alarm["StateValue"]
        events = []
        slot = self.start + timedelta(seconds=period * n)
        stop = until or self.now
        while slot + timedelta(seconds=period) <= stop:
            window = [slot - timedelta(seconds=period * k) for k in range(n, 0, -1)]
            vals = [(w, stat(w)) for w in window]
            seen = [(w, v) for w, v in vals if v is not None]
            bad = [(w, v) for w, v in seen if breach(v)]
            at = slot + timedelta(seconds=37)
            if state != "ALARM" and len(bad) >= m_req:
                events.append(self.fire(alarm, at, [v for _, v in bad], stamps=[w for w, _ in bad]))
                state = "ALARM"
            elif state == "ALARM" and seen and len(bad) < m_req:
                last = seen[-1]
                events.append(self.fire(alarm, at, [last[1]], new="OK", old="ALARM", stamps=[last[0]]))
                state = "OK"
            slot += timedelta(seconds=period)
        return events

    # --- cloudtrail -----------------------------------------------------------------------------------
    def who_sso(
        self, user: str, role: str = "AWSReservedSSO_PlatformAdmin_3f1c2a9d0b7e4c51"
    ) -> dict[str, Any]:
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hexid(17).upper()}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexid(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA" + self.hexid(17).upper(),
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def who_role(self, role: str, session: str) -> dict[str, Any]:
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hexid(17).upper()}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexid(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA" + self.hexid(17).upper(),
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def who_asg(self) -> dict[str, Any]:
        ident = self.who_role(
            "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", "AutoScaling"
        )
        ident["invokedBy"] = "autoscaling.amazonaws.com"
        return ident

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        params: Any = None,
        response: Any = None,
        read_only: bool = False,
        agent: str = "",
        ip: str = "",
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        who = dict(who)
        if "sessionContext" in who:
            sc = dict(who["sessionContext"])
            sc["attributes"] = {
                "creationDate": iso(t - timedelta(minutes=self.rng.randint(3, 50))),
                "mfaAuthenticated": "false",
            }
            who["sessionContext"] = sc
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or who.get("invokedBy")
            or f"10.{self.ip_base}.{self.rng.randint(10, 60)}.{self.rng.randint(2, 250)}",
            "userAgent": agent
            or who.get("invokedBy")
            or "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5",
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if source.startswith(
            ("ec2", "elasticloadbalancing", "rds", "autoscaling", "elasticfilesystem", "monitoring")
        ):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def readonly_noise(self, n: int) -> None:
        """Monitoring and inventory tooling polling describe APIs."""
        r = self.rng
        poller = self.who_role("datadog-integration", "DatadogAWSIntegration")
        inv = self.who_role(f"{self.app}-inventory-lambda", f"{self.app}-inventory")
        calls = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": self.tg_arn}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("rds.amazonaws.com", "DescribeDBInstances", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("elasticfilesystem.amazonaws.com", "DescribeFileSystems", None),
            (
                "ec2.amazonaws.com",
                "DescribeNatGateways",
                {"DescribeNatGatewaysRequest": {"MaxResults": 1000}},
            ),
        ]
        span = (self.now - self.start).total_seconds()
        for _ in range(n):
            t = self.start + timedelta(seconds=r.uniform(60, span - 60))
            src, name, params = r.choice(calls)
            who, agent = (
                (poller, "Datadog")
                if r.random() < 0.7
                else (
                    inv,
                    "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10 lang#python#3.12 exec-env/AWS_Lambda_python3.12",
                )
            )
            self.ct(
                t,
                src,
                name,
                who,
                params,
                None,
                read_only=True,
                agent=agent,
                ip="54.236.1.15"
                if who is poller
                else f"10.{self.ip_base}.{r.randint(16, 60)}.{r.randint(2, 250)}",
            )

    # --- alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        threshold: float,
        op: str,
        evals: int,
        desc: str,
        state: str = "OK",
        reason: str = "",
        changed: datetime | None = None,
        datapoints: int | None = None,
        treat_missing: str = "missing",
        unit: str | None = None,
    ) -> dict[str, Any]:
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "ActionsEnabled": True,
            "OKActions": [f"arn:aws:sns:{self.region}:{self.account}:{self.app}-oncall"],
            "AlarmActions": [f"arn:aws:sns:{self.region}:{self.account}:{self.app}-oncall"],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
            "datapoint was treated as [NonBreaching].",
            "StateUpdatedTimestamp": iso(changed or (self.start - timedelta(days=3))),
            "StateTransitionedTimestamp": iso(changed or (self.start - timedelta(days=3))),
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=60)),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def transition(
        self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str, data: dict[str, Any]
    ) -> None:
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    }
                ),
            }
        )
        if (not alarm["AlarmActions"] and new == "ALARM") or (not alarm["OKActions"] and new == "OK"):
            return
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t + timedelta(milliseconds=180)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {alarm['AlarmActions'][0]}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(t),
                        "notificationResource": alarm["AlarmActions"][0],
                    }
                ),
            }
        )

    def reason_data(
        self, alarm: dict[str, Any], t: datetime, values: list[float], first: datetime | None = None
    ) -> dict[str, Any]:
        start = first or t.replace(second=0) - timedelta(seconds=alarm["Period"] * len(values))
        return {
            "version": "1.0",
            "queryDate": iso(t).replace("Z", ".000+0000"),
            "startDate": iso(start).replace("Z", ".000+0000"),
            "statistic": alarm["Statistic"],
            "period": alarm["Period"],
            "recentDatapoints": [round(v, 3) for v in values],
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [
                {
                    "timestamp": iso(start + timedelta(seconds=alarm["Period"] * i)).replace(
                        "Z", ".000+0000"
                    ),
                    "sampleCount": 1.0,
                    "value": round(v, 3),
                }
                for i, v in enumerate(values)
            ],
        }

    def fire(
        self,
        alarm: dict[str, Any],
        t: datetime,
        values: list[float],
        new: str = "ALARM",
        old: str = "OK",
        stamps: list[datetime] | None = None,
    ) -> dict[str, Any]:
        """Move an alarm to `new` at `t`; record history; return the EventBridge event for it."""
        op = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[alarm["ComparisonOperator"]]
        if new == "OK":
            op = {
                "greater than": "not greater than",
                "less than": "not less than",
                "greater than or equal to": "not greater than or equal to",
                "less than or equal to": "not less than or equal to",
            }[op]
        start = t.replace(second=0) - timedelta(seconds=alarm["Period"] * len(values))
        when = stamps or [start + timedelta(seconds=alarm["Period"] * i) for i in range(len(values))]
        stamped = list(zip(when, (round(v, 3) for v in values), strict=True))
        shown = ", ".join(f"{v:g} ({w.strftime('%d/%m/%y %H:%M:%S')})" for w, v in reversed(stamped))
        count = len(values)
        reason = (
            f"Threshold Crossed: {count} {'datapoint' if count == 1 == alarm['EvaluationPeriods'] else 'out of the last ' + str(alarm['EvaluationPeriods']) + ' datapoints'} "
            f"[{shown}] was {op} the threshold "
            f"({alarm['Threshold']:g}) (minimum {alarm['DatapointsToAlarm']} datapoint"
            f"{'s' if alarm['DatapointsToAlarm'] > 1 else ''} for {'OK -> ALARM' if new == 'ALARM' else 'ALARM -> OK'} transition)."
        )
        data = self.reason_data(alarm, t, values, when[0])
        self.transition(alarm, t, old, new, reason, data)
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateReasonData"] = json.dumps(data)
        alarm["StateUpdatedTimestamp"] = iso(t)
        alarm["StateTransitionedTimestamp"] = iso(t)
        prev = alarm.get("_prev", iso(self.start - timedelta(days=3)))
        alarm["_prev"] = iso(t)
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": iso(t).replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": old,
                    "reason": "Threshold Crossed",
                    "timestamp": prev.replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hexid(8),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- logs -----------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    # --- bundle ---------------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        for a in self.alarms:
            a.pop("_prev", None)
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": sorted(self.metrics, key=lambda rec: str(rec["timestamp"])),
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda h: str(h["Timestamp"])),
            "logs": sorted(
                self.logs, key=lambda rec: (rec["log_group"], rec["log_stream"], rec["timestamp"])
            ),
            "cloudtrail": sorted(self.trail, key=lambda rec: str(rec["eventTime"])),
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, records)


Mod = Any  # a callable (metric key, t, default value) -> value, or None to publish nothing


def _keep(key: str, t: datetime, v: float | None) -> float | None:
    return v


def traffic(env: Env, base_rps: float, mod: Mod = _keep, log_every: int = 7) -> None:
    """Per-minute ALB, EC2, RDS, NAT, TGW and EFS metrics of a healthy app; `mod` bends them."""
    r = env.rng
    lb = {"LoadBalancer": env.alb_dim}
    tg = {"TargetGroup": env.tg_dim, "LoadBalancer": env.alb_dim}
    n = len(env.instances)
    efs_credit = 2.1e12 + r.uniform(-2e11, 2e11)
    for i, t in enumerate(env.minutes()):
        req = env.diurnal(t, base_rps * 60) * r.uniform(0.93, 1.07)

        def emit(
            ns: str,
            name: str,
            dims: dict[str, str],
            unit: str,
            v: float | None,
            key: str = "",
            at: datetime = t,
        ) -> None:
            out = mod(key or name, at, v)
            if out is not None:
                env.put(ns, name, dims, at, unit, out)

        req_m = mod("RequestCount", t, req) or 0.0
        emit("AWS/ApplicationELB", "RequestCount", lb, "Count", req_m)
        emit("AWS/ApplicationELB", "RequestCount", tg, "Count", req_m, "RequestCountTG")
        t5 = mod("HTTPCode_Target_5XX_Count", t, req_m * r.uniform(0.0002, 0.0009))
        if t5 is not None and t5 >= 0.5:
            env.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, t, "Count", round(t5))
            env.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, t, "Count", round(t5))
        t4 = req_m * r.uniform(0.01, 0.02)
        emit("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lb, "Count", round(t4))
        emit(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            lb,
            "Count",
            round(req_m - t4 - (t5 or 0)),
            "HTTPCode_Target_2XX_Count",
        )
        e5 = mod("HTTPCode_ELB_5XX_Count", t, 1.0 if r.random() < 0.03 else 0.0)
        if e5:
            env.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, t, "Count", round(e5))
        e504 = mod("HTTPCode_ELB_504_Count", t, 0.0)
        if e504:
            env.put("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb, t, "Count", round(e504))
        lat = mod("TargetResponseTime", t, 0.085 + r.uniform(-0.01, 0.02)) or 0.1
        samples = [max(0.004, r.gauss(lat, lat * 0.5)) for _ in range(20)] + [lat * r.uniform(2.5, 4)]
        env.put_stats(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lb,
            t,
            "Seconds",
            [s * (lat / (sum(samples) / len(samples))) for s in samples],
        )
        healthy = mod("HealthyHostCount", t, float(n))
        for zone in env.azs:
            share = (healthy if healthy is not None else n) / 3
            zone_h = mod("HealthyHostCount:" + zone, t, share)
            env.put(
                "AWS/ApplicationELB",
                "HealthyHostCount",
                {**tg, "AvailabilityZone": zone},
                t,
                "Count",
                zone_h if zone_h is not None else share,
            )
            env.put(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                {**tg, "AvailabilityZone": zone},
                t,
                "Count",
                mod("UnHealthyHostCount:" + zone, t, 0.0) or 0.0,
            )
        env.put(
            "AWS/ApplicationELB", "HealthyHostCount", tg, t, "Count", healthy if healthy is not None else n
        )
        env.put(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tg,
            t,
            "Count",
            mod("UnHealthyHostCount", t, 0.0) or 0.0,
        )
        # EC2 detailed monitoring, per instance
        for inst in env.instances + env.retired:
            if not inst["launched"] <= t < inst.get("gone", env.end + timedelta(days=1)):
                continue
            cpu = 12 + 38 * req / (base_rps * 60) / n * 3 + r.uniform(-3, 3)
            emit(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": inst["id"]},
                "Percent",
                min(99.0, cpu),
                "CPU:" + inst["id"],
            )
            emit(
                "AWS/EC2",
                "NetworkOut",
                {"InstanceId": inst["id"]},
                "Bytes",
                req / n * r.uniform(21000, 24000),
                "NetOut:" + inst["id"],
            )
        emit(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": env.asg},
            "Percent",
            12 + 38 * req / (base_rps * 60) * 3 / n + r.uniform(-1, 1),
            "CPU:asg",
        )
        # RDS, one-minute
        db = {"DBInstanceIdentifier": env.db}
        emit(
            "AWS/RDS",
            "CPUUtilization",
            db,
            "Percent",
            18 + 30 * req / (base_rps * 60) + r.uniform(-2, 2),
            "RDS:CPU",
        )
        emit("AWS/RDS", "DatabaseConnections", db, "Count", float(n * 20 + r.randint(0, 6)), "RDS:Conn")
        emit("AWS/RDS", "FreeableMemory", db, "Bytes", 9.1e9 + r.uniform(-1e8, 1e8), "RDS:Mem")
        emit("AWS/RDS", "ReadLatency", db, "Seconds", 0.0006 + r.uniform(0, 0.0003), "RDS:ReadLat")
        emit("AWS/RDS", "WriteLatency", db, "Seconds", 0.0011 + r.uniform(0, 0.0005), "RDS:WriteLat")
        emit(
            "AWS/RDS", "ReadIOPS", db, "Count/Second", 300 + req / 60 * 0.6 + r.uniform(0, 40), "RDS:ReadIOPS"
        )
        emit(
            "AWS/RDS",
            "WriteIOPS",
            db,
            "Count/Second",
            120 + req / 60 * 0.3 + r.uniform(0, 20),
            "RDS:WriteIOPS",
        )
        emit("AWS/RDS", "FreeStorageSpace", db, "Bytes", 2.11e11 - i * 4e5, "RDS:Free")
        # NAT gateways
        for z, nat in enumerate(env.nats):
            d = {"NatGatewayId": nat}
            att = req * 0.02 / 3 * r.uniform(0.8, 1.2)
            a2 = mod(f"NAT:Attempt:{z}", t, att) or 0.0
            est = mod(f"NAT:Est:{z}", t, att) or 0.0
            env.put("AWS/NATGateway", "ConnectionAttemptCount", d, t, "Count", round(a2))
            env.put("AWS/NATGateway", "ConnectionEstablishedCount", d, t, "Count", round(min(a2, est)))
            env.put("AWS/NATGateway", "ActiveConnectionCount", d, t, "Count", round(att * 1.7 + 40))
            env.put("AWS/NATGateway", "BytesOutToDestination", d, t, "Bytes", att * r.uniform(3000, 5000))
            env.put("AWS/NATGateway", "BytesInFromDestination", d, t, "Bytes", att * r.uniform(9000, 16000))
            env.put("AWS/NATGateway", "ErrorPortAllocation", d, t, "Count", 0.0)
            env.put("AWS/NATGateway", "PacketsDropCount", d, t, "Count", 0.0)
        # Transit gateway attachment (published by the attachment owner's account too)
        ta = {"TransitGateway": env.tgw, "TransitGatewayAttachment": env.tgw_att}
        tb = req * 0.3 * r.uniform(0.9, 1.1)
        emit("AWS/TransitGateway", "BytesOut", ta, "Bytes", tb * 900, "TGW:BytesOut")
        emit("AWS/TransitGateway", "BytesIn", ta, "Bytes", tb * 2400, "TGW:BytesIn")
        emit("AWS/TransitGateway", "PacketsOut", ta, "Count", tb * 3, "TGW:PacketsOut")
        emit("AWS/TransitGateway", "PacketsIn", ta, "Count", tb * 3.4, "TGW:PacketsIn")
        emit("AWS/TransitGateway", "PacketDropCountBlackhole", ta, "Count", 0.0, "TGW:Blackhole")
        emit("AWS/TransitGateway", "PacketDropCountNoRoute", ta, "Count", 0.0, "TGW:NoRoute")
        # EFS
        fs = {"FileSystemId": env.efs}
        io = req * r.uniform(40000, 52000)
        io = mod("EFS:IO", t, io) or 0.0
        permitted = mod("EFS:Permitted", t, 104857600.0) or 104857600.0
        efs_credit = mod("EFS:Credit", t, efs_credit) or 0.0
        env.put("AWS/EFS", "BurstCreditBalance", fs, t, "Bytes", max(0.0, efs_credit))
        env.put("AWS/EFS", "PermittedThroughput", fs, t, "Bytes/Second", permitted)
        env.put_stats(
            "AWS/EFS", "MeteredIOBytes", fs, t, "Bytes", [io / 600 * r.uniform(0.5, 1.5) for _ in range(600)]
        )
        env.put_stats(
            "AWS/EFS",
            "DataReadIOBytes",
            fs,
            t,
            "Bytes",
            [io * 0.86 / 600 * r.uniform(0.5, 1.5) for _ in range(600)],
        )
        env.put("AWS/EFS", "ClientConnections", fs, t, "Count", float(n + 1))
        env.put("AWS/EFS", "PercentIOLimit", fs, t, "Percent", mod("EFS:PIO", t, 4 + r.uniform(0, 3)) or 0.0)
        if i % log_every == 0:
            inst = r.choice(env.instances)
            env.log(
                f"/{env.app}/web/nginx",
                f"{inst['id']}/access.log",
                t + timedelta(seconds=r.randint(0, 59)),
                f"10.{env.ip_base}.{r.randint(0, 2)}.{r.randint(10, 250)} - - "
                f'[{t.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {r.choice(["/", "/search?q=boots", "/account/orders", "/static/app.js", "/product/8831"])} HTTP/1.1" '
                f'200 {r.randint(800, 42000)} "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" '
                f"{lat * r.uniform(0.5, 1.5):.3f}",
            )


def change_noise(env: Env, around: datetime, n_before: int = 5) -> None:
    """Innocent configuration changes over the window, some close to `around`."""
    r = env.rng
    tf = env.who_role("terraform-ci", f"gha-{r.randint(1000000, 9999999)}")
    ops = env.who_sso(r.choice(["priya.n@", "mkowalski@", "tom.h@"]) + "example.com")
    tfa = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0"
    lt_ver = r.randint(15, 19)
    plan = [
        (
            around - timedelta(minutes=r.randint(150, 200)),
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            tf,
            {
                "alarmName": f"{env.app}-worker-queue-age",
                "metricName": "ApproximateAgeOfOldestMessage",
                "namespace": "AWS/SQS",
                "statistic": "Maximum",
                "period": 300,
                "evaluationPeriods": 3,
                "threshold": 900.0,
                "comparisonOperator": "GreaterThanThreshold",
            },
            None,
            tfa,
        ),
        (
            around - timedelta(minutes=r.randint(90, 130)),
            "ec2.amazonaws.com",
            "CreateLaunchTemplateVersion",
            tf,
            {
                "CreateLaunchTemplateVersionRequest": {
                    "LaunchTemplateId": env.lt,
                    "SourceVersion": str(lt_ver - 1),
                    "VersionDescription": "bump cloudwatch agent 1.300044",
                    "LaunchTemplateData": {"ImageId": env.ami},
                }
            },
            {
                "CreateLaunchTemplateVersionResponse": {
                    "launchTemplateVersion": {
                        "launchTemplateId": env.lt,
                        "launchTemplateName": f"{env.app}-web",
                        "versionNumber": lt_ver,
                        "versionDescription": "bump cloudwatch agent 1.300044",
                        "defaultVersion": False,
                    }
                }
            },
            tfa,
        ),
        (
            around - timedelta(minutes=r.randint(25, 60)),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            ops,
            {
                "groupId": env.sg_web,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "ipRanges": {
                                "items": [
                                    {"cidrIp": f"{env.shared_cidr[:-4]}4.0/24", "description": "bastion"}
                                ]
                            },
                        }
                    ]
                },
            },
            {
                "requestId": env.uuid(),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": env.account,
                            "groupId": env.sg_web,
                            "securityGroupRuleId": "sgr-" + env.hexid(),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "cidrIpv4": f"{env.shared_cidr[:-4]}4.0/24",
                            "description": "bastion",
                        }
                    ]
                },
            },
            "",
        ),
        (
            around - timedelta(minutes=r.randint(6, 18)),
            "rds.amazonaws.com",
            "CreateDBSnapshot",
            ops,
            {
                "dBSnapshotIdentifier": f"{env.db}-pre-change-{around.strftime('%Y%m%d')}",
                "dBInstanceIdentifier": env.db,
            },
            {
                "dBSnapshotIdentifier": f"{env.db}-pre-change-{around.strftime('%Y%m%d')}",
                "dBInstanceIdentifier": env.db,
                "status": "creating",
                "engine": "mysql",
                "snapshotType": "manual",
            },
            "",
        ),
        (
            around + timedelta(minutes=r.randint(8, 25)),
            "autoscaling.amazonaws.com",
            "PutScheduledUpdateGroupAction",
            tf,
            {
                "autoScalingGroupName": env.asg,
                "scheduledActionName": "weekend-scale-down",
                "recurrence": "0 22 * * FRI",
                "minSize": len(env.instances),
                "desiredCapacity": len(env.instances),
            },
            None,
            tfa,
        ),
        (
            around - timedelta(minutes=r.randint(200, 230)),
            "elasticloadbalancing.amazonaws.com",
            "ModifyLoadBalancerAttributes",
            tf,
            {
                "loadBalancerArn": env.alb_arn,
                "attributes": [{"key": "idle_timeout.timeout_seconds", "value": "60"}],
            },
            {"attributes": [{"key": "idle_timeout.timeout_seconds", "value": "60"}]},
            tfa,
        ),
    ]
    for t, src, name, who, params, resp, agent in plan[: n_before + 1]:
        if env.start < t < env.now:
            env.ct(t, src, name, who, params, resp, agent=agent)
