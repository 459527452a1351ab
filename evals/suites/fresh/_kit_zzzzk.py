"""Private helpers for kit zzzzk: a B2B invoicing SaaS ("ledgerloop") on EKS in one AWS account."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

REGION = "eu-west-1"
AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int = 17) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def floor_min(t: datetime, step: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % step)


class Account:
    """Ids, names and resources of the account, all drawn from one seeded Random."""

    def __init__(self, seed: int, onset: datetime | None = None) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.account = "".join(rng.choice("0123456789") for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
        self.onset = onset or day + timedelta(hours=rng.randint(9, 15), minutes=rng.randint(0, 59))
        self.cluster = "ledgerloop-prod"
        self.vpc = "vpc-" + hexid(rng)
        self.subnets_private = ["subnet-" + hexid(rng) for _ in AZS]
        self.subnets_public = ["subnet-" + hexid(rng) for _ in AZS]
        self.subnets_db = ["subnet-" + hexid(rng) for _ in AZS]
        self.sg_node = "sg-" + hexid(rng)
        self.sg_cluster = "sg-" + hexid(rng)
        self.sg_alb = "sg-" + hexid(rng)
        self.sg_db = "sg-" + hexid(rng)
        self.sg_redis = "sg-" + hexid(rng)
        self.nodegroup = "app-ng-" + hexid(rng, 4)
        self.asg = f"eks-{self.nodegroup}-{uid(rng)[:8]}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 12)}"
        self.asg = f"eks-{self.nodegroup}-{hexid(rng, 8)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 12)}"
        self.n_nodes = rng.randint(5, 7)
        self.nodes: list[dict[str, Any]] = []
        for i in range(self.n_nodes):
            az_i = i % 3
            third = rng.randint(0, 63)
            ip = f"10.40.{32 * az_i + third % 32}.{rng.randint(10, 250)}"
            self.nodes.append(
                {
                    "id": "i-" + hexid(rng),
                    "az": AZS[az_i],
                    "subnet": self.subnets_private[az_i],
                    "ip": ip,
                    "dns": f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal",
                    "vol": "vol-" + hexid(rng),
                    "eni": "eni-" + hexid(rng),
                    "launch": self.onset - timedelta(days=rng.randint(2, 20), minutes=rng.randint(0, 600)),
                }
            )
        self.alb_name = "k8s-ledgerloop-" + hexid(rng, 10)
        self.alb_id = hexid(rng, 16)
        self.alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:loadbalancer/app/{self.alb_name}/{self.alb_id}"
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.nlb_name = "k8s-ingest-smtp-" + hexid(rng, 10)
        self.nlb_id = hexid(rng, 16)
        self.nlb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:loadbalancer/net/{self.nlb_name}/{self.nlb_id}"
        self.tg_api = f"k8s-ledgerlo-apiweb-{hexid(rng, 10)}"
        self.tg_api_id = hexid(rng, 16)
        self.tg_api_arn = (
            f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:targetgroup/{self.tg_api}/{self.tg_api_id}"
        )
        self.tg_api_dim = f"targetgroup/{self.tg_api}/{self.tg_api_id}"
        self.tg_nlb = f"k8s-ingest-smtpin-{hexid(rng, 10)}"
        self.tg_nlb_id = hexid(rng, 16)
        self.tg_nlb_arn = (
            f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:targetgroup/{self.tg_nlb}/{self.tg_nlb_id}"
        )
        self.db = "ledgerloop-prod-pg"
        self.db_resid = "db-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26))
        self.db_host = f"{self.db}.c{hexid(rng, 11)}.{REGION}.rds.amazonaws.com"
        self.redis = "ledgerloop-sessions"
        self.zone_id = "Z0" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(19))
        self.cert_id = uid(rng)
        self.cert_arn = f"arn:aws:acm:{REGION}:{self.account}:certificate/{self.cert_id}"
        self.node_role = "ledgerloop-prod-node-role"
        self.ci_role = "github-actions-deploy"
        self.api_pods = [f"api-web-{hexid(rng, 10)}-{hexid(rng, 5)}" for _ in range(rng.randint(6, 9))]
        self.pod_ips = [
            f"10.40.{32 * (i % 3) + rng.randint(0, 31)}.{rng.randint(10, 250)}"
            for i in range(len(self.api_pods))
        ]
        self.pod_node = [i % self.n_nodes for i in range(len(self.api_pods))]
        self.people = ["maria.okafor", "tomasz.wierzbicki", "dev.ramanathan", "chloe.brennan"]

    # --- resources ---------------------------------------------------------------------------------

    def resources(self, *, subnet_free: dict[str, int] | None = None) -> list[dict[str, Any]]:
        a = self
        out: list[dict[str, Any]] = []
        tags_node = [
            {"Key": "eks:cluster-name", "Value": a.cluster},
            {"Key": "eks:nodegroup-name", "Value": a.nodegroup},
            {"Key": "aws:autoscaling:groupName", "Value": a.asg},
            {"Key": f"kubernetes.io/cluster/{a.cluster}", "Value": "owned"},
        ]
        for n in a.nodes:
            out.append(
                {
                    "service": "ec2",
                    "type": "Instance",
                    "item": {
                        "InstanceId": n["id"],
                        "ImageId": "ami-0c4f1e3b3c1d2a9e7",
                        "InstanceType": "m6i.2xlarge",
                        "LaunchTime": iso(n["launch"]),
                        "Placement": {"AvailabilityZone": n["az"], "Tenancy": "default"},
                        "PrivateDnsName": n["dns"],
                        "PrivateIpAddress": n["ip"],
                        "State": {"Code": 16, "Name": "running"},
                        "SubnetId": n["subnet"],
                        "VpcId": a.vpc,
                        "Architecture": "x86_64",
                        "RootDeviceName": "/dev/xvda",
                        "RootDeviceType": "ebs",
                        "BlockDeviceMappings": [
                            {
                                "DeviceName": "/dev/xvda",
                                "Ebs": {
                                    "AttachTime": iso(n["launch"]),
                                    "DeleteOnTermination": True,
                                    "Status": "attached",
                                    "VolumeId": n["vol"],
                                },
                            }
                        ],
                        "IamInstanceProfile": {
                            "Arn": f"arn:aws:iam::{a.account}:instance-profile/eks-{a.nodegroup}",
                            "Id": "AIPA" + hexid(random.Random(n["id"]), 16).upper(),
                        },
                        "NetworkInterfaces": [
                            {
                                "NetworkInterfaceId": n["eni"],
                                "PrivateIpAddress": n["ip"],
                                "SubnetId": n["subnet"],
                                "VpcId": a.vpc,
                                "Status": "in-use",
                                "Groups": [{"GroupId": a.sg_node, "GroupName": "ledgerloop-prod-node"}],
                            }
                        ],
                        "SecurityGroups": [{"GroupId": a.sg_node, "GroupName": "ledgerloop-prod-node"}],
                        "Tags": tags_node,
                    },
                }
            )
            out.append(self.instance_status(n["id"], n["az"]))
        free = subnet_free or {}
        for i, s in enumerate(a.subnets_private):
            out.append(
                {
                    "service": "ec2",
                    "type": "Subnet",
                    "item": {
                        "SubnetId": s,
                        "VpcId": a.vpc,
                        "AvailabilityZone": AZS[i],
                        "CidrBlock": f"10.40.{32 * i}.0/19",
                        "AvailableIpAddressCount": free.get(s, 6200 + i * 131),
                        "State": "available",
                        "MapPublicIpOnLaunch": False,
                        "Tags": [
                            {"Key": "Name", "Value": f"ledgerloop-prod-private-{AZS[i][-1]}"},
                            {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
                        ],
                    },
                }
            )
        out.append(
            {
                "service": "elbv2",
                "type": "LoadBalancer",
                "item": {
                    "LoadBalancerArn": a.alb_arn,
                    "DNSName": f"{a.alb_name}-{hexid(a.rng, 9)}.{REGION}.elb.amazonaws.com",
                    "LoadBalancerName": a.alb_name,
                    "Scheme": "internet-facing",
                    "VpcId": a.vpc,
                    "State": {"Code": "active"},
                    "Type": "application",
                    "AvailabilityZones": [
                        {"ZoneName": z, "SubnetId": s} for z, s in zip(AZS, a.subnets_public, strict=False)
                    ],
                    "SecurityGroups": [a.sg_alb],
                    "IpAddressType": "ipv4",
                },
            }
        )
        out.append(
            {
                "service": "elbv2",
                "type": "LoadBalancer",
                "item": {
                    "LoadBalancerArn": a.nlb_arn,
                    "DNSName": f"{a.nlb_name}-{hexid(a.rng, 9)}.elb.{REGION}.amazonaws.com",
                    "LoadBalancerName": a.nlb_name,
                    "Scheme": "internet-facing",
                    "VpcId": a.vpc,
                    "State": {"Code": "active"},
                    "Type": "network",
                    "AvailabilityZones": [
                        {"ZoneName": z, "SubnetId": s} for z, s in zip(AZS, a.subnets_public, strict=False)
                    ],
                    "IpAddressType": "ipv4",
                },
            }
        )
        out.append(
            {
                "service": "elbv2",
                "type": "TargetGroup",
                "item": {
                    "TargetGroupArn": a.tg_api_arn,
                    "TargetGroupName": a.tg_api,
                    "Protocol": "HTTP",
                    "Port": 8080,
                    "VpcId": a.vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 2,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [a.alb_arn],
                    "TargetType": "ip",
                },
            }
        )
        out.append(
            {
                "service": "elbv2",
                "type": "TargetGroup",
                "item": {
                    "TargetGroupArn": a.tg_nlb_arn,
                    "TargetGroupName": a.tg_nlb,
                    "Protocol": "TCP",
                    "Port": 30525,
                    "VpcId": a.vpc,
                    "HealthCheckProtocol": "TCP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 30,
                    "HealthCheckTimeoutSeconds": 10,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 3,
                    "LoadBalancerArns": [a.nlb_arn],
                    "TargetType": "instance",
                },
            }
        )
        out.append(
            {
                "service": "rds",
                "type": "DBInstance",
                "item": {
                    "DBInstanceIdentifier": a.db,
                    "DBInstanceClass": "db.r6g.2xlarge",
                    "Engine": "postgres",
                    "EngineVersion": "15.7",
                    "DBInstanceStatus": "available",
                    "Endpoint": {"Address": a.db_host, "Port": 5432},
                    "AllocatedStorage": 800,
                    "StorageType": "gp3",
                    "Iops": 12000,
                    "MultiAZ": True,
                    "AvailabilityZone": "eu-west-1b",
                    "SecondaryAvailabilityZone": "eu-west-1c",
                    "PreferredBackupWindow": "01:10-01:40",
                    "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
                    "BackupRetentionPeriod": 14,
                    "DbiResourceId": a.db_resid,
                    "DBInstanceArn": f"arn:aws:rds:{REGION}:{a.account}:db:{a.db}",
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": a.sg_db, "Status": "active"}],
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "ledgerloop-pg15", "ParameterApplyStatus": "in-sync"}
                    ],
                    "DBSubnetGroup": {
                        "DBSubnetGroupName": "ledgerloop-prod-db",
                        "VpcId": a.vpc,
                        "SubnetGroupStatus": "Complete",
                        "Subnets": [
                            {
                                "SubnetIdentifier": s,
                                "SubnetAvailabilityZone": {"Name": z},
                                "SubnetStatus": "Active",
                            }
                            for s, z in zip(a.subnets_db, AZS, strict=False)
                        ],
                    },
                    "PerformanceInsightsEnabled": True,
                    "StorageEncrypted": True,
                },
            }
        )
        out.append(
            {
                "service": "elasticache",
                "type": "ReplicationGroup",
                "item": {
                    "ReplicationGroupId": a.redis,
                    "Description": "session and rate-limit cache",
                    "Status": "available",
                    "MemberClusters": [f"{a.redis}-001", f"{a.redis}-002"],
                    "AutomaticFailover": "enabled",
                    "MultiAZ": "enabled",
                    "CacheNodeType": "cache.r7g.large",
                    "ClusterEnabled": False,
                    "NodeGroups": [
                        {
                            "NodeGroupId": "0001",
                            "Status": "available",
                            "PrimaryEndpoint": {
                                "Address": f"master.{a.redis}.{hexid(a.rng, 6)}.euw1.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "NodeGroupMembers": [
                                {
                                    "CacheClusterId": f"{a.redis}-001",
                                    "CacheNodeId": "0001",
                                    "PreferredAvailabilityZone": "eu-west-1a",
                                    "CurrentRole": "primary",
                                },
                                {
                                    "CacheClusterId": f"{a.redis}-002",
                                    "CacheNodeId": "0001",
                                    "PreferredAvailabilityZone": "eu-west-1b",
                                    "CurrentRole": "replica",
                                },
                            ],
                        }
                    ],
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                },
            }
        )
        out.append(
            {
                "service": "route53",
                "type": "HostedZone",
                "item": {
                    "Id": f"/hostedzone/{a.zone_id}",
                    "Name": "ledgerloop.io.",
                    "CallerReference": "terraform-" + hexid(a.rng, 20),
                    "Config": {"Comment": "managed by terraform", "PrivateZone": False},
                    "ResourceRecordSetCount": 41,
                },
            }
        )
        for name in ("app.ledgerloop.io.", "api.ledgerloop.io."):
            out.append(
                {
                    "service": "route53",
                    "type": "ZoneRecordSet",
                    "item": {
                        "HostedZoneId": a.zone_id,
                        "Name": name,
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": "Z32O12XQLNTSW2",
                            "DNSName": f"dualstack.{a.alb_name}.{REGION}.elb.amazonaws.com.",
                            "EvaluateTargetHealth": True,
                        },
                    },
                }
            )
        out.append(
            {
                "service": "acm",
                "type": "CertificateDetail",
                "item": {
                    "CertificateArn": a.cert_arn,
                    "DomainName": "ledgerloop.io",
                    "SubjectAlternativeNames": ["ledgerloop.io", "*.ledgerloop.io"],
                    "Status": "ISSUED",
                    "Type": "AMAZON_ISSUED",
                    "KeyAlgorithm": "RSA-2048",
                    "CreatedAt": iso(a.onset - timedelta(days=400)),
                    "IssuedAt": iso(a.onset - timedelta(days=50)),
                    "NotBefore": iso(a.onset - timedelta(days=50)),
                    "NotAfter": iso(a.onset + timedelta(days=345)),
                    "InUseBy": [a.alb_arn],
                    "RenewalEligibility": "ELIGIBLE",
                },
            }
        )
        return out

    def instance_status(
        self, iid: str, az: str, impaired: bool = False, since: datetime | None = None
    ) -> dict[str, Any]:
        inst: dict[str, Any] = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        if impaired and since is not None:
            inst = {
                "Status": "impaired",
                "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(since)}],
            }
        return {
            "service": "ec2",
            "type": "InstanceStatus",
            "item": {
                "InstanceId": iid,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": inst,
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "AttachedEbsStatus": {
                    "Status": "ok",
                    "Details": [{"Name": "reachability", "Status": "passed"}],
                },
            },
        }

    # --- CloudTrail ----------------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        *,
        who: str = "role",
        role: str = "",
        session: str = "",
        agent: str = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0",
        ip: str = "",
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        read_only: bool = True,
        error: tuple[str, str] | None = None,
        event_id: str | None = None,
        region: str = REGION,
    ) -> dict[str, Any]:
        rng = self.rng
        if who == "role":
            role = role or self.node_role
            session = session or f"i-{hexid(rng)}"
            principal = "AROA" + hexid(random.Random(role), 17).upper()
            identity: dict[str, Any] = {
                "type": "AssumedRole",
                "principalId": f"{principal}:{session}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
                "accountId": self.account,
                "accessKeyId": "ASIA" + hexid(rng, 16).upper(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": principal,
                        "arn": f"arn:aws:iam::{self.account}:role/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "attributes": {
                        "creationDate": iso(t - timedelta(minutes=rng.randint(1, 50))),
                        "mfaAuthenticated": "false",
                    },
                },
            }
        else:  # SSO person
            role = "AWSReservedSSO_PlatformAdmin_" + hexid(random.Random(self.account), 16)
            principal = "AROA" + hexid(random.Random(role), 17).upper()
            identity = {
                "type": "AssumedRole",
                "principalId": f"{principal}:{who}@ledgerloop.io",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{who}@ledgerloop.io",
                "accountId": self.account,
                "accessKeyId": "ASIA" + hexid(rng, 16).upper(),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": principal,
                        "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{REGION}/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "attributes": {
                        "creationDate": iso(t - timedelta(minutes=rng.randint(5, 200))),
                        "mfaAuthenticated": "false",
                    },
                },
            }
            agent = (
                agent if "console" in agent or "aws-cli" in agent else "aws-internal/3 aws-sdk-java/1.12.720"
            )
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip or f"10.40.{rng.randint(0, 95)}.{rng.randint(10, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": uid(rng),
            "eventID": event_id or uid(rng),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        return rec

    def noise_trail(self, start: datetime, now: datetime, n: int = 60) -> list[dict[str, Any]]:
        """Read-only tooling traffic and routine writes spread over the window."""
        rng = self.rng
        span = int((now - start).total_seconds())
        out: list[dict[str, Any]] = []
        nat_ip = f"34.{rng.randint(240, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
        for _ in range(n):
            t = start + timedelta(seconds=rng.randint(0, span))
            k = rng.random()
            if k < 0.25:
                out.append(
                    self.ct(
                        t,
                        "autoscaling.amazonaws.com",
                        "DescribeAutoScalingGroups",
                        role="ledgerloop-prod-cluster-autoscaler",
                        session=str(ms(t) * 1000000 + rng.randint(0, 999999)),
                        agent="aws-sdk-go/1.44.241 (go1.22.4; linux; amd64)",
                        req={"maxRecords": 100},
                    )
                )
            elif k < 0.45:
                out.append(
                    self.ct(
                        t,
                        "elasticloadbalancing.amazonaws.com",
                        "DescribeTargetHealth",
                        role="ledgerloop-prod-aws-load-balancer-controller",
                        session=str(ms(t) * 1000000 + rng.randint(0, 999999)),
                        agent="elbv2.k8s.aws/v2.8.1 aws-sdk-go/1.54.8 (go1.22.5; linux; amd64)",
                        req={"targetGroupArn": rng.choice([self.tg_api_arn, self.tg_nlb_arn])},
                    )
                )
            elif k < 0.6:
                out.append(
                    self.ct(
                        t,
                        "monitoring.amazonaws.com",
                        "GetMetricData",
                        role="DatadogIntegrationRole",
                        session="DatadogAWSIntegration",
                        agent="Datadog/1.0 Boto3/1.34.131 Python/3.11.9 Linux/5.10 Botocore/1.34.131",
                        ip="52.203.14.77",
                        req={
                            "startTime": iso(t - timedelta(minutes=10)),
                            "endTime": iso(t),
                            "maxDatapoints": 100800,
                        },
                    )
                )
            elif k < 0.72:
                out.append(
                    self.ct(
                        t,
                        "route53.amazonaws.com",
                        "ListResourceRecordSets",
                        role="ledgerloop-prod-external-dns",
                        session=str(ms(t) * 1000000 + rng.randint(0, 999999)),
                        agent="ExternalDNS/v0.14.2 aws-sdk-go/1.54.8",
                        req={"hostedZoneId": self.zone_id},
                        region="us-east-1",
                    )
                )
            elif k < 0.82:
                n_ = rng.choice(self.nodes)
                out.append(
                    self.ct(
                        t,
                        "sts.amazonaws.com",
                        "AssumeRoleWithWebIdentity",
                        who="role",
                        role=rng.choice(["ledgerloop-prod-api-irsa", "ledgerloop-prod-worker-irsa"]),
                        session=f"botocore-session-{int(t.timestamp())}",
                        agent="Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.223 lang/python#3.12.4",
                        ip=n_["ip"],
                        req={
                            "roleArn": f"arn:aws:iam::{self.account}:role/ledgerloop-prod-api-irsa",
                            "roleSessionName": f"botocore-session-{int(t.timestamp())}",
                        },
                        resp={"subjectFromWebIdentityToken": "system:serviceaccount:ledgerloop:api-web"},
                    )
                )
            elif k < 0.92:
                out.append(
                    self.ct(
                        t,
                        "ec2.amazonaws.com",
                        "DescribeInstances",
                        role="ledgerloop-prod-node-role",
                        session=rng.choice(self.nodes)["id"],
                        agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/ec2#1.173.0 m/g",
                        req={
                            "instancesSet": {"items": [{"instanceId": rng.choice(self.nodes)["id"]}]},
                            "filterSet": {},
                        },
                    )
                )
            else:
                out.append(
                    self.ct(
                        t,
                        "rds.amazonaws.com",
                        "DescribeDBInstances",
                        role="DatadogIntegrationRole",
                        session="DatadogAWSIntegration",
                        agent="Datadog/1.0 Boto3/1.34.131 Python/3.11.9 Linux/5.10 Botocore/1.34.131",
                        ip="52.203.14.77",
                        req={"dBInstanceIdentifier": self.db},
                    )
                )
        # Routine writes: CI pushes images, a person edits a log group's retention.
        for _i in range(rng.randint(2, 3)):
            t = start + timedelta(seconds=rng.randint(0, span))
            repo = rng.choice(["ledgerloop/api-web", "ledgerloop/worker", "ledgerloop/pdf-render"])
            out.append(
                self.ct(
                    t,
                    "ecr.amazonaws.com",
                    "PutImage",
                    role=self.ci_role,
                    session=f"GitHubActions-{rng.randint(10**9, 10**10)}",
                    agent="aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 api/ecr#1.30.1",
                    ip=nat_ip,
                    req={"repositoryName": repo, "imageTag": hexid(rng, 7), "registryId": self.account},
                    resp={
                        "image": {
                            "registryId": self.account,
                            "repositoryName": repo,
                            "imageId": {"imageDigest": "sha256:" + hexid(rng, 64), "imageTag": hexid(rng, 7)},
                        }
                    },
                    read_only=False,
                )
            )
        return out


def series(
    start: datetime,
    end: datetime,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    fn: Any,
    step: int = 1,
) -> list[dict[str, Any]]:
    """Datapoints every `step` minutes; `fn(t)` gives a value, a statistic-set dict, or None (no datapoint)."""
    out: list[dict[str, Any]] = []
    t = floor_min(start, step)
    while t < end:
        v = fn(t)
        if v is not None:
            d: dict[str, Any] = {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if isinstance(v, dict):
                d["statistic_values"] = v
            else:
                d["value"] = round(float(v), 3)
            out.append(d)
        t += timedelta(minutes=step)
    return out


def alarm(
    a: Account,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    updated: datetime,
    period: int = 60,
    evals: int = 3,
    desc: str = "",
    missing: str = "missing",
) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{a.account}:alarm:{name}",
        "AlarmDescription": desc,
        "AlarmConfigurationUpdatedTimestamp": iso(updated - timedelta(days=60)),
        "ActionsEnabled": True,
        "OKActions": [f"arn:aws:sns:{REGION}:{a.account}:pagerduty-ledgerloop"],
        "AlarmActions": [f"arn:aws:sns:{REGION}:{a.account}:pagerduty-ledgerloop"],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso(updated),
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
    }


def history(a: Account, name: str, t: datetime, old: str, new: str, reason: str) -> dict[str, Any]:
    import json

    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(
            {
                "version": "1.0",
                "oldState": {"stateValue": old},
                "newState": {"stateValue": new, "stateReason": reason},
            }
        ),
    }


def alarm_event(a: Account, al: dict[str, Any], t: datetime, prev_t: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": uid(a.rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": a.account,
        "time": iso(t),
        "region": REGION,
        "resources": [al["AlarmArn"]],
        "detail": {
            "alarmName": al["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": al["StateReason"],
                "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": "Threshold Crossed: no datapoints were breaching.",
                "timestamp": prev_t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            },
            "configuration": {
                "description": al.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": uid(a.rng),
                        "metricStat": {
                            "metric": {
                                "namespace": al["Namespace"],
                                "name": al["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in al["Dimensions"]},
                            },
                            "period": al["Period"],
                            "stat": al["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def diurnal(t: datetime, base: float, amp: float = 0.35) -> float:
    """A daily traffic curve peaking mid-afternoon UTC (European business hours)."""
    import math

    h = t.hour + t.minute / 60
    return base * (1 + amp * math.sin((h - 8) / 24 * 2 * math.pi))


def alb_series(
    a: Account, start: datetime, end: datetime, rps: float, fivexx: Any, latency: Any
) -> list[dict[str, Any]]:
    """ALB and target group metrics; fivexx(t, count) -> (elb5xx, target5xx); latency(t) -> seconds."""
    rng = random.Random(a.account + "alb")
    out: list[dict[str, Any]] = []
    t = floor_min(start)
    dims_lb = {"LoadBalancer": a.alb_dim}
    dims_tg = {"TargetGroup": a.tg_api_dim, "LoadBalancer": a.alb_dim}
    while t < end:
        count = int(diurnal(t, rps * 60) * rng.uniform(0.93, 1.07))
        e5, t5 = fivexx(t, count)
        lat = latency(t)
        ts = iso(t)
        out.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": dims_lb,
                "timestamp": ts,
                "unit": "Count",
                "value": count,
            }
        )
        out.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": dims_tg,
                "timestamp": ts,
                "unit": "Count",
                "value": count - e5,
            }
        )
        t2 = int(count * rng.uniform(0.004, 0.009))
        out.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HTTPCode_Target_4XX_Count",
                "dimensions": dims_lb,
                "timestamp": ts,
                "unit": "Count",
                "value": t2,
            }
        )
        out.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HTTPCode_Target_2XX_Count",
                "dimensions": dims_lb,
                "timestamp": ts,
                "unit": "Count",
                "value": max(0, count - t2 - e5 - t5),
            }
        )
        if e5:
            out.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_ELB_5XX_Count",
                    "dimensions": dims_lb,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": e5,
                }
            )
        if t5:
            out.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": dims_lb,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": t5,
                }
            )
            out.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": dims_tg,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": t5,
                }
            )
        vals = [round(lat * f, 4) for f in (0.4, 0.7, 1.0, 1.6, 3.0, 6.0)]
        cnts = [count * 0.2, count * 0.35, count * 0.25, count * 0.13, count * 0.05, max(1.0, count * 0.02)]
        out.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "TargetResponseTime",
                "dimensions": dims_lb,
                "timestamp": ts,
                "unit": "Seconds",
                "values": vals,
                "counts": [round(c, 1) for c in cnts],
            }
        )
        t += timedelta(minutes=1)
    return out
