"""Private helpers for kit zzzzr: a legacy ERP estate (Windows app servers behind an internal NLB,
a Linux batch host, RDS SQL Server, FSx for Windows, EFS, a Site-to-Site VPN to head office)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]

OFFICES = [
    ("Europe/Berlin", "10.60", "Hamburg"),
    ("Europe/London", "10.70", "Leeds"),
    ("America/Chicago", "10.80", "Milwaukee"),
    ("Europe/Amsterdam", "10.90", "Utrecht"),
]
REGIONS = {
    "Europe/Berlin": "eu-central-1",
    "Europe/London": "eu-west-2",
    "America/Chicago": "us-east-2",
    "Europe/Amsterdam": "eu-west-1",
}
PEOPLE = ["jmorales", "a.kowalski", "priya.n", "tbauer", "l.okafor", "svensson.m", "dchen", "r.haddad"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Env:
    def __init__(self, seed: int, onset_local_hour: float, weekday: int | None = None) -> None:
        self.rng = random.Random(seed)
        r = self.rng
        self.seed = seed
        self.tz_name, self.office_prefix, self.office_city = r.choice(OFFICES)
        self.tz = ZoneInfo(self.tz_name)
        self.region = REGIONS[self.tz_name]
        self.account = str(r.randint(100000000000, 999999999999))
        day = datetime(2026, 9, 1, tzinfo=self.tz) + timedelta(days=r.randint(0, 80))
        if weekday is None:
            while day.weekday() >= 5:
                day += timedelta(days=1)
        else:
            while day.weekday() != weekday:
                day += timedelta(days=1)
        hh = onset_local_hour + r.randint(-20, 20) / 60
        self.onset = (day + timedelta(hours=hh)).astimezone(UTC).replace(second=0, microsecond=0)
        self.start = (self.onset - timedelta(hours=3, minutes=r.randint(40, 70))).replace(minute=0)
        self.now = self.onset + timedelta(minutes=r.randint(38, 55))
        self.end = self.now
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self._ids()

    # --- ids -----------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _ids(self) -> None:
        h = self.hexid
        self.vpc = "vpc-" + h(17)
        self.azs = [self.region + "a", self.region + "b"]
        self.sub_priv = ["subnet-" + h(17), "subnet-" + h(17)]
        self.sub_pub = ["subnet-" + h(17), "subnet-" + h(17)]
        self.rtb_priv = "rtb-" + h(17)
        self.rtb_pub = "rtb-" + h(17)
        self.nat = "nat-" + h(17)
        self.igw = "igw-" + h(17)
        self.vgw = "vgw-" + h(17)
        self.cgw = "cgw-" + h(17)
        self.vpn = "vpn-" + h(17)
        self.sg_app = "sg-" + h(17)
        self.sg_db = "sg-" + h(17)
        self.sg_batch = "sg-" + h(17)
        self.sg_fsx = "sg-" + h(17)
        self.app1 = "i-" + h(17)
        self.app2 = "i-" + h(17)
        self.batch = "i-" + h(17)
        self.rdgw = "i-" + h(17)
        self.ami_win = "ami-" + h(17)
        self.ami_lnx = "ami-" + h(17)
        self.nlb_name = "erp-nlb-int"
        self.nlb_suffix = f"net/{self.nlb_name}/{h(16)}"
        self.nlb_arn = (
            f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/{self.nlb_suffix}"
        )
        self.tg_suffix = f"targetgroup/erp-appsrv-tcp/{h(16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:{self.tg_suffix}"
        self.db = "erp-sqlprod"
        self.fsx = "fs-" + h(17)
        self.efs = "fs-" + h(8)
        self.tun = [
            f"{self.rng.randint(3, 52)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"
            for _ in range(2)
        ]
        self.cgw_ip = f"{self.rng.randint(80, 95)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"
        self.ip_app1 = f"10.20.1.{self.rng.randint(10, 90)}"
        self.ip_app2 = f"10.20.2.{self.rng.randint(10, 90)}"
        self.ip_batch = f"10.20.1.{self.rng.randint(100, 180)}"
        self.ip_rdgw = f"10.20.0.{self.rng.randint(10, 90)}"
        self.office_cidr = f"{self.office_prefix}.0.0/16"
        self.admin = self.rng.choice(PEOPLE)
        self.others = [p for p in PEOPLE if p != self.admin]

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.tz)

    # --- load profile ---------------------------------------------------------------------------------
    def load(self, t: datetime) -> float:
        lt = self.local(t)
        if lt.weekday() >= 5:
            return 0.04
        h = lt.hour + lt.minute / 60
        if h < 6.5 or h > 19.5:
            return 0.05
        day = math.sin(math.pi * (h - 6.5) / 13.0)
        lunch = 0.25 if 12.0 <= h <= 13.0 else 0.0
        return max(0.05, 0.15 + 0.85 * day - lunch)

    def times(self, step_min: int = 5, until: datetime | None = None) -> list[datetime]:
        out = []
        t = self.start
        stop = until or self.end
        while t <= stop:
            out.append(t)
            t += timedelta(minutes=step_min)
        return out

    def jit(self, v: float, pct: float = 0.06) -> float:
        return v * (1 + self.rng.uniform(-pct, pct))

    # --- records --------------------------------------------------------------------------------------
    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 5,
    ) -> None:
        for t in self.times(step):
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, max(0.0, v), unit)

    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    def res(self, service: str, typ: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    # --- CloudTrail ------------------------------------------------------------------------------------
    def user(self, name: str, role: str = "AWSReservedSSO_ERPAdmins_4f1c2a9e") -> Rec:
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hexid(17).upper()}:{name}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{name}",
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

    def role_session(self, role: str, session: str) -> Rec:
        u = self.user(session, role)
        u["sessionContext"]["sessionIssuer"]["arn"] = f"arn:aws:iam::{self.account}:role/{role}"
        return u

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None = None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        invoked_by: str | None = None,
    ) -> str:
        eid = self.uid()
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(3, 50))
            )
        if invoked_by:
            ident["invokedBy"] = invoked_by
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked_by or ip or f"{self.cgw_ip}",
            "userAgent": invoked_by
            or agent
            or "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if not invoked_by:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def tooling_noise(self, n: int) -> None:
        """Read-only polling by the monitoring integration and the backup/inventory tooling."""
        mon = self.role_session("erp-monitoring-readonly", "grafana-cloudwatch")
        calls: list[tuple[str, str, Rec | None]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            (
                "ec2.amazonaws.com",
                "DescribeInstanceStatus",
                {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": self.tg_arn}),
            ("ec2.amazonaws.com", "DescribeVpnConnections", {"vpnConnectionSet": {}, "filterSet": {}}),
            ("fsx.amazonaws.com", "DescribeFileSystems", {"fileSystemIds": [self.fsx]}),
            ("elasticfilesystem.amazonaws.com", "DescribeFileSystems", None),
        ]
        span = (self.now - self.start).total_seconds()
        for _ in range(n):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, req = self.rng.choice(calls)
            self.ct(
                t,
                src,
                name,
                mon,
                req,
                None,
                read_only=True,
                ip=f"52.29.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
                agent="Grafana/11.3.0 aws-sdk-go/1.55.5 (go1.22.8; linux; amd64)",
            )
        ssm_roles = [
            (self.app1, "erp-ec2-windows"),
            (self.app2, "erp-ec2-windows"),
            (self.batch, "erp-ec2-linux"),
            (self.rdgw, "erp-ec2-windows"),
        ]
        for iid, role in ssm_roles:
            t = self.start + timedelta(minutes=self.rng.randint(1, 40))
            while t < self.now:
                ident = self.role_session(role, iid)
                ident["type"] = "AssumedRole"
                self.ct(
                    t,
                    "ssm.amazonaws.com",
                    "UpdateInstanceInformation",
                    ident,
                    {"instanceId": iid, "agentVersion": "3.3.1142.0", "agentStatus": "Active"},
                    None,
                    ip=self.ip_of(iid),
                    agent="aws-sdk-go/1.44.260 (go1.21.11; windows; amd64) amazon-ssm-agent/3.3.1142.0",
                )
                t += timedelta(minutes=self.rng.randint(55, 80))

    def ip_of(self, iid: str) -> str:
        return {self.app1: self.ip_app1, self.app2: self.ip_app2, self.batch: self.ip_batch}.get(
            iid, self.ip_rdgw
        )

    def console_noise(self) -> None:
        """People logging in and looking around, plus a couple of innocent changes."""
        span = (self.now - self.start).total_seconds()
        for p in self.rng.sample(self.others, 3):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span * 0.8))
            u = self.user(p)
            self.ct(
                t,
                "ec2.amazonaws.com",
                "DescribeSecurityGroups",
                u,
                {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
                None,
                read_only=True,
            )
            self.ct(
                t + timedelta(seconds=40),
                "cloudwatch.amazonaws.com".replace("cloudwatch", "monitoring"),
                "GetMetricData",
                u,
                {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t)},
                None,
                read_only=True,
            )
            self.ct(
                t + timedelta(seconds=95),
                "ssm.amazonaws.com",
                "StartSession",
                u,
                {"target": self.rng.choice([self.rdgw, self.batch])},
                {
                    "sessionId": f"{p}-{self.hexid(17)}",
                    "tokenValue": "Value hidden due to security reasons.",
                    "streamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{p}-{self.hexid(17)}?role=publish_subscribe&cell-number=AAEAAQ",
                },
            )
        # AWS Backup snapshot of the batch host volume early in the window
        t = self.start + timedelta(minutes=self.rng.randint(5, 40))
        bk = self.role_session("AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole")
        vol = "vol-" + self.hexid(17)
        snap = "snap-" + self.hexid(17)
        self.ct(
            t,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            bk,
            {"volumeId": vol, "description": "This snapshot is created by the AWS Backup service."},
            {
                "snapshotId": snap,
                "volumeId": vol,
                "status": "pending",
                "startTime": ms(t),
                "progress": "",
                "ownerId": self.account,
                "volumeSize": 200,
                "encrypted": True,
            },
            invoked_by="backup.amazonaws.com",
        )

    # --- estate resources ------------------------------------------------------------------------------
    def tags(self, name: str, **more: str) -> list[Rec]:
        out = [
            {"Key": "Name", "Value": name},
            {"Key": "app", "Value": "erp"},
            {"Key": "owner", "Value": "it-infrastructure"},
        ]
        out += [{"Key": k, "Value": v} for k, v in more.items()]
        return out

    def instance(
        self, iid: str, name: str, ip: str, subnet: int, windows: bool, itype: str, sg: str, sgname: str
    ) -> None:
        launch = self.start - timedelta(days=self.rng.randint(20, 400))
        eni = "eni-" + self.hexid(17)
        item: Rec = {
            "InstanceId": iid,
            "ImageId": self.ami_win if windows else self.ami_lnx,
            "InstanceType": itype,
            "LaunchTime": iso(launch),
            "Placement": {"AvailabilityZone": self.azs[subnet], "Tenancy": "default"},
            "PrivateIpAddress": ip,
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{self.region}.compute.internal",
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": self.sub_priv[subnet],
            "VpcId": self.vpc,
            "Architecture": "x86_64",
            "PlatformDetails": "Windows" if windows else "Linux/UNIX",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{self.account}:instance-profile/{'erp-ec2-windows' if windows else 'erp-ec2-linux'}",
                "Id": "AIPA" + self.hexid(17).upper(),
            },
            "SecurityGroups": [{"GroupId": sg, "GroupName": sgname}],
            "Tags": self.tags(name),
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": eni,
                    "PrivateIpAddress": ip,
                    "SubnetId": self.sub_priv[subnet],
                    "VpcId": self.vpc,
                    "Status": "in-use",
                    "Groups": [{"GroupId": sg, "GroupName": sgname}],
                }
            ],
            "Monitoring": {"State": "disabled"},
        }
        if windows:
            item["Platform"] = "windows"
        self.res("ec2", "Instance", item)

    def instance_status(self, iid: str, subnet: int, system: str = "ok", inst: str = "ok") -> None:
        def det(s: str) -> Rec:
            return {
                "Status": s,
                "Details": [{"Name": "reachability", "Status": "passed" if s == "ok" else "failed"}],
            }

        self.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": self.azs[subnet],
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": det(inst),
                "SystemStatus": det(system),
                "AttachedEbsStatus": {
                    "Status": "ok",
                    "Details": [{"Name": "reachability", "Status": "passed"}],
                },
            },
        )

    def estate(
        self, *, propagating: bool = True, db_status: str = "available", db_storage: int = 500
    ) -> None:
        r = self.rng
        self.res(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc,
                "CidrBlock": "10.20.0.0/16",
                "State": "available",
                "OwnerId": self.account,
                "IsDefault": False,
                "Tags": self.tags("erp-prod"),
            },
        )
        for i in range(2):
            self.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": self.sub_priv[i],
                    "VpcId": self.vpc,
                    "CidrBlock": f"10.20.{i + 1}.0/24",
                    "AvailabilityZone": self.azs[i],
                    "State": "available",
                    "AvailableIpAddressCount": r.randint(200, 240),
                    "MapPublicIpOnLaunch": False,
                    "Tags": self.tags(f"erp-private-{self.azs[i][-1]}"),
                },
            )
            self.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": self.sub_pub[i],
                    "VpcId": self.vpc,
                    "CidrBlock": f"10.20.{i + 100}.0/24",
                    "AvailabilityZone": self.azs[i],
                    "State": "available",
                    "AvailableIpAddressCount": r.randint(240, 250),
                    "MapPublicIpOnLaunch": False,
                    "Tags": self.tags(f"erp-public-{self.azs[i][-1]}"),
                },
            )
        priv_routes: list[Rec] = [
            {
                "DestinationCidrBlock": "10.20.0.0/16",
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            },
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": self.nat,
                "Origin": "CreateRoute",
                "State": "active",
            },
        ]
        if propagating:
            priv_routes.append(
                {
                    "DestinationCidrBlock": self.office_cidr,
                    "GatewayId": self.vgw,
                    "Origin": "EnableVgwRoutePropagation",
                    "State": "active",
                }
            )
        self.res(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": self.rtb_priv,
                "VpcId": self.vpc,
                "OwnerId": self.account,
                "Routes": priv_routes,
                "PropagatingVgws": [{"GatewayId": self.vgw}] if propagating else [],
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": "rtbassoc-" + self.hexid(17),
                        "RouteTableId": self.rtb_priv,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in self.sub_priv
                ],
                "Tags": self.tags("erp-private-rt"),
            },
        )
        self.res(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": self.rtb_pub,
                "VpcId": self.vpc,
                "OwnerId": self.account,
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.20.0.0/16",
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
                "PropagatingVgws": [],
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": "rtbassoc-" + self.hexid(17),
                        "RouteTableId": self.rtb_pub,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in self.sub_pub
                ],
                "Tags": self.tags("erp-public-rt"),
            },
        )
        office = self.office_cidr

        def perm(
            port: int, cidrs: list[str] | None = None, groups: list[str] | None = None, desc: str = ""
        ) -> Rec:
            p: Rec = {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": c, "Description": desc} for c in (cidrs or [])],
                "UserIdGroupPairs": [{"GroupId": g, "UserId": self.account} for g in (groups or [])],
            }
            return p

        self.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": self.sg_app,
                "GroupName": "erp-appsrv",
                "Description": "ERP application servers",
                "VpcId": self.vpc,
                "OwnerId": self.account,
                "IpPermissions": [
                    perm(7400, [office, "10.20.0.0/16"], desc="ERP client"),
                    perm(3389, [self.ip_rdgw + "/32"], desc="RDP from RD gateway"),
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
        self.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": self.sg_db,
                "GroupName": "erp-sqlserver",
                "Description": "RDS SQL Server",
                "VpcId": self.vpc,
                "OwnerId": self.account,
                "IpPermissions": [perm(1433, groups=[self.sg_app, self.sg_batch])],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
        self.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": self.sg_batch,
                "GroupName": "erp-batch",
                "Description": "ERP batch and integration host",
                "VpcId": self.vpc,
                "OwnerId": self.account,
                "IpPermissions": [perm(22, [office], desc="SFTP/SSH from head office")],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
        self.instance(self.app1, "erp-app-01", self.ip_app1, 0, True, "m5.2xlarge", self.sg_app, "erp-appsrv")
        self.instance(self.app2, "erp-app-02", self.ip_app2, 1, True, "m5.2xlarge", self.sg_app, "erp-appsrv")
        self.instance(
            self.batch, "erp-batch-01", self.ip_batch, 0, False, "r5.large", self.sg_batch, "erp-batch"
        )
        self.instance(self.rdgw, "erp-rdgw-01", self.ip_rdgw, 0, True, "t3.medium", self.sg_app, "erp-appsrv")
        self.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.nlb_arn,
                "DNSName": f"{self.nlb_name}-{self.hexid(16)}.elb.{self.region}.amazonaws.com",
                "CanonicalHostedZoneId": "Z" + self.hexid(12).upper(),
                "CreatedTime": iso(self.start - timedelta(days=600)),
                "LoadBalancerName": self.nlb_name,
                "Scheme": "internal",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [
                    {"ZoneName": self.azs[i], "SubnetId": self.sub_priv[i]} for i in range(2)
                ],
                "IpAddressType": "ipv4",
            },
        )
        self.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": "erp-appsrv-tcp",
                "Protocol": "TCP",
                "Port": 7400,
                "VpcId": self.vpc,
                "HealthCheckProtocol": "TCP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 30,
                "HealthCheckTimeoutSeconds": 10,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "LoadBalancerArns": [self.nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        )
        self.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": self.db,
                "DBInstanceClass": "db.r5.2xlarge",
                "Engine": "sqlserver-se",
                "EngineVersion": "15.00.4385.2.v1",
                "DBInstanceStatus": db_status,
                "MasterUsername": "erpadmin",
                "Endpoint": {
                    "Address": f"{self.db}.{self.hexid(12)}.{self.region}.rds.amazonaws.com",
                    "Port": 1433,
                    "HostedZoneId": "Z" + self.hexid(12).upper(),
                },
                "AllocatedStorage": db_storage,
                "StorageType": "gp3",
                "Iops": 12000,
                "StorageThroughput": 500,
                "InstanceCreateTime": iso(self.start - timedelta(days=900)),
                "MultiAZ": True,
                "AvailabilityZone": self.azs[0],
                "SecondaryAvailabilityZone": self.azs[1],
                "LicenseModel": "license-included",
                "DBInstanceArn": f"arn:aws:rds:{self.region}:{self.account}:db:{self.db}",
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
                "BackupRetentionPeriod": 14,
                "PreferredBackupWindow": "01:00-01:30",
                "PreferredMaintenanceWindow": "sun:02:00-sun:02:30",
                "StorageEncrypted": True,
                "PubliclyAccessible": False,
                "DBParameterGroups": [
                    {"DBParameterGroupName": "erp-sqlserver-se-15", "ParameterApplyStatus": "in-sync"}
                ],
            },
        )
        self.res(
            "fsx",
            "FileSystem",
            {
                "OwnerId": self.account,
                "CreationTime": iso(self.start - timedelta(days=700)),
                "FileSystemId": self.fsx,
                "FileSystemType": "WINDOWS",
                "Lifecycle": "AVAILABLE",
                "StorageCapacity": 2048,
                "StorageType": "SSD",
                "VpcId": self.vpc,
                "SubnetIds": [self.sub_priv[0], self.sub_priv[1]],
                "DNSName": f"amznfsx{self.hexid(8)}.corp.example.internal",
                "ResourceARN": f"arn:aws:fsx:{self.region}:{self.account}:file-system/{self.fsx}",
                "Tags": self.tags("erp-fileshare"),
                "WindowsConfiguration": {
                    "ActiveDirectoryId": "d-" + self.hexid(10),
                    "DeploymentType": "MULTI_AZ_1",
                    "PreferredSubnetId": self.sub_priv[0],
                    "ThroughputCapacity": 64,
                    "WeeklyMaintenanceStartTime": "7:03:00",
                    "DailyAutomaticBackupStartTime": "00:30",
                    "AutomaticBackupRetentionDays": 7,
                },
            },
        )
        self.res(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": self.account,
                "CreationToken": "erp-batch-exchange",
                "FileSystemId": self.efs,
                "FileSystemArn": f"arn:aws:elasticfilesystem:{self.region}:{self.account}:file-system/{self.efs}",
                "CreationTime": iso(self.start - timedelta(days=500)),
                "LifeCycleState": "available",
                "Name": "erp-batch-exchange",
                "NumberOfMountTargets": 2,
                "SizeInBytes": {"Value": r.randint(30, 90) * 2**30},
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "ThroughputMode": "elastic",
                "Tags": self.tags("erp-batch-exchange"),
            },
        )
        last = iso(self.start - timedelta(days=r.randint(3, 30)))
        self.res(
            "ec2",
            "VpnConnection",
            {
                "VpnConnectionId": self.vpn,
                "CustomerGatewayId": self.cgw,
                "VpnGatewayId": self.vgw,
                "State": "available",
                "Type": "ipsec.1",
                "Category": "VPN",
                "Options": {
                    "StaticRoutesOnly": False,
                    "TunnelInsideIpVersion": "ipv4",
                    "LocalIpv4NetworkCidr": "0.0.0.0/0",
                    "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                },
                "Routes": [],
                "VgwTelemetry": [
                    {
                        "OutsideIpAddress": ip,
                        "Status": "UP",
                        "LastStatusChange": last,
                        "StatusMessage": "1 BGP ROUTES",
                        "AcceptedRouteCount": 1,
                    }
                    for ip in self.tun
                ],
                "Tags": self.tags(f"vpn-{self.office_city.lower()}-hq"),
            },
        )
        self.res(
            "ec2",
            "VpnGateway",
            {
                "VpnGatewayId": self.vgw,
                "State": "available",
                "Type": "ipsec.1",
                "AmazonSideAsn": 64512,
                "VpcAttachments": [{"VpcId": self.vpc, "State": "attached"}],
                "Tags": self.tags("erp-vgw"),
            },
        )
        self.res(
            "ec2",
            "CustomerGateway",
            {
                "CustomerGatewayId": self.cgw,
                "BgpAsn": "65010",
                "IpAddress": self.cgw_ip,
                "State": "available",
                "Type": "ipsec.1",
                "DeviceName": f"{self.office_city.lower()}-fw01",
                "Tags": self.tags(f"cgw-{self.office_city.lower()}-hq"),
            },
        )
        self.instance_status(self.batch, 0)
        self.instance_status(self.rdgw, 0)

    # --- baseline telemetry ---------------------------------------------------------------------------
    def base_metrics(
        self,
        *,
        flows: Callable[[datetime, float], float] | None = None,
        office_out: Callable[[datetime, float], float] | None = None,
        app2_cpu: Callable[[datetime, float], float] | None = None,
        db_free: Callable[[datetime], float] | None = None,
        db_conn: Callable[[datetime, float], float] | None = None,
        healthy: Callable[[datetime], float] | None = None,
        mem2: Callable[[datetime], float | None] | None = None,
        resets: Callable[[datetime], float] | None = None,
        db_write: Callable[[datetime, float], float] | None = None,
        cpu: dict[str, Callable[[datetime, float], float]] | None = None,
    ) -> None:
        r = self.rng
        lb = {"LoadBalancer": self.nlb_suffix}
        tg = {"LoadBalancer": self.nlb_suffix, "TargetGroup": self.tg_suffix}
        users = r.randint(140, 260)

        def active(t: datetime) -> float:
            base = self.jit(users * self.load(t), 0.05)
            return flows(t, base) if flows else base

        self.series("AWS/NetworkELB", "ActiveFlowCount", lb, "Count", active)
        self.series("AWS/NetworkELB", "NewFlowCount", lb, "Count", lambda t: self.jit(active(t) * 0.9 + 3))
        self.series("AWS/NetworkELB", "ProcessedBytes", lb, "Bytes", lambda t: self.jit(active(t) * 2.1e6))
        self.series(
            "AWS/NetworkELB",
            "TCP_Client_Reset_Count",
            lb,
            "Count",
            resets or (lambda t: float(r.randint(0, 3))),
        )
        self.series("AWS/NetworkELB", "TCP_Target_Reset_Count", lb, "Count", lambda t: float(r.randint(0, 2)))
        self.series(
            "AWS/NetworkELB",
            "HealthyHostCount",
            tg,
            "Count",
            lambda t: healthy(t) if healthy else 2.0,
            step=1,
        )
        self.series(
            "AWS/NetworkELB",
            "UnHealthyHostCount",
            tg,
            "Count",
            lambda t: (2.0 - healthy(t)) if healthy else 0.0,
            step=1,
        )
        for iid, base in ((self.app1, 22.0), (self.app2, 24.0), (self.batch, 9.0), (self.rdgw, 4.0)):
            if cpu and iid in cpu:
                fn3 = cpu[iid]
                self.series(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    "Percent",
                    self._busy(base, fn3),
                )
            elif iid == self.app2 and app2_cpu:
                fn2 = app2_cpu
                self.series(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    "Percent",
                    self._busy(base, fn2),
                )
            elif iid in (self.app1, self.app2):
                self.series(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    "Percent",
                    self._busy(base, None),
                )
            else:
                self.series(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    "Percent",
                    self._flat(base, 0.3),
                )
            self.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t: 0.0)
        for iid, itype, base_mem in (
            (self.app1, "m5.2xlarge", 58.0),
            (self.app2, "m5.2xlarge", 61.0),
            (self.rdgw, "t3.medium", 47.0),
        ):
            dims = {"InstanceId": iid, "ImageId": self.ami_win, "InstanceType": itype, "objectname": "Memory"}
            if iid == self.app2 and mem2:
                self.series("CWAgent", "Memory % Committed Bytes In Use", dims, "None", mem2)
            else:
                self.series(
                    "CWAgent",
                    "Memory % Committed Bytes In Use",
                    dims,
                    "None",
                    self._flat(base_mem, 0.03),
                )
        self.series(
            "CWAgent",
            "mem_used_percent",
            {"InstanceId": self.batch, "ImageId": self.ami_lnx, "InstanceType": "r5.large"},
            "Percent",
            lambda t: self.jit(41.0, 0.08),
        )
        dbd = {"DBInstanceIdentifier": self.db}
        self.series(
            "AWS/RDS", "CPUUtilization", dbd, "Percent", lambda t: self.jit(12 + 38 * self.load(t), 0.1)
        )

        def conns(t: datetime) -> float:
            base = float(int(18 + active(t) * 0.55))
            return db_conn(t, base) if db_conn else base

        self.series("AWS/RDS", "DatabaseConnections", dbd, "Count", conns)
        self.series(
            "AWS/RDS", "ReadIOPS", dbd, "Count/Second", lambda t: self.jit(220 + 1800 * self.load(t), 0.15)
        )

        def wiops(t: datetime) -> float:
            base = self.jit(140 + 700 * self.load(t), 0.15)
            return db_write(t, base) if db_write else base

        self.series("AWS/RDS", "WriteIOPS", dbd, "Count/Second", wiops)
        self.series("AWS/RDS", "ReadLatency", dbd, "Seconds", lambda t: self.jit(0.0011, 0.2))
        self.series("AWS/RDS", "WriteLatency", dbd, "Seconds", lambda t: self.jit(0.0016, 0.2))
        free0 = r.uniform(140, 190) * 2**30
        self.series(
            "AWS/RDS",
            "FreeStorageSpace",
            dbd,
            "Bytes",
            db_free or (lambda t: free0 - (t - self.start).total_seconds() * 900),
        )
        self.series("AWS/RDS", "FreeableMemory", dbd, "Bytes", lambda t: self.jit(9.4 * 2**30, 0.02))
        fx = {"FileSystemId": self.fsx}
        fsx_free = r.uniform(500, 900) * 2**30
        self.series(
            "AWS/FSx",
            "FreeStorageCapacity",
            fx,
            "Bytes",
            lambda t: fsx_free - (t - self.start).total_seconds() * 2000,
        )
        self.series(
            "AWS/FSx", "DataReadBytes", fx, "Bytes", lambda t: self.jit(9e8 * self.load(t) + 2e7, 0.2)
        )
        self.series(
            "AWS/FSx", "DataWriteBytes", fx, "Bytes", lambda t: self.jit(3e8 * self.load(t) + 1e7, 0.2)
        )
        ef = {"FileSystemId": self.efs}
        self.series("AWS/EFS", "ClientConnections", ef, "Count", lambda t: 2.0)
        self.series("AWS/EFS", "DataWriteIOBytes", ef, "Bytes", lambda t: self.jit(4e7, 0.5))
        for ip in self.tun:
            self.series("AWS/VPN", "TunnelState", {"TunnelIpAddress": ip}, "None", lambda t: 1.0)
        active_tun = self.tun[0]
        self.series(
            "AWS/VPN",
            "TunnelDataIn",
            {"TunnelIpAddress": active_tun},
            "Bytes",
            lambda t: self.jit(active(t) * 6.5e5 + 4e5, 0.1),
        )

        def out(t: datetime) -> float:
            base = self.jit(active(t) * 1.9e6 + 6e5, 0.1)
            return office_out(t, base) if office_out else base

        self.series("AWS/VPN", "TunnelDataOut", {"TunnelIpAddress": active_tun}, "Bytes", out)
        self.series(
            "AWS/VPN",
            "TunnelDataIn",
            {"TunnelIpAddress": self.tun[1]},
            "Bytes",
            lambda t: float(r.randint(0, 400)),
        )
        self.series(
            "AWS/VPN",
            "TunnelDataOut",
            {"TunnelIpAddress": self.tun[1]},
            "Bytes",
            lambda t: float(r.randint(0, 400)),
        )

    def _busy(self, b: float, f: Callable[[datetime, float], float] | None) -> Callable[[datetime], float]:
        def g(t: datetime) -> float:
            v = self.jit(b * (0.3 + self.load(t)), 0.12)
            return f(t, v) if f else v

        return g

    def _flat(self, b: float, pct: float) -> Callable[[datetime], float]:
        def g(t: datetime) -> float:
            return self.jit(b, pct)

        return g

    # --- alarms ----------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        desc: str,
        transitions: list[tuple[datetime, str, str]] | None = None,
        missing: str = "missing",
    ) -> Rec:
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        topic = f"arn:aws:sns:{self.region}:{self.account}:erp-ops-alerts"
        state, reason, since = (
            "OK",
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            self.start - timedelta(days=self.rng.randint(2, 40)),
        )
        prev = "OK"
        for t, new, why in transitions or []:
            data = {
                "version": "1.0",
                "oldState": {"stateValue": prev, "stateReason": "Threshold Crossed"},
                "newState": {
                    "stateValue": new,
                    "stateReason": why,
                    "stateReasonData": {
                        "version": "1.0",
                        "queryDate": iso(t)[:-1] + ".512+0000",
                        "statistic": stat,
                        "period": period,
                        "threshold": threshold,
                        "evaluatedDatapoints": [],
                    },
                },
            }
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {new}",
                    "HistoryData": json.dumps(data),
                }
            )
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t + timedelta(seconds=1)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {topic}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(t),
                            "notificationResource": topic,
                            "publishedMessage": {"messageId": self.uid()},
                        }
                    ),
                }
            )
            prev, state, reason, since = prev if False else new, new, why, t
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(60, 400))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(item)
        return item

    def standard_alarms(self, skip: set[str] | None = None) -> None:
        skip = skip or set()
        lb = {"LoadBalancer": self.nlb_suffix, "TargetGroup": self.tg_suffix}
        if "unhealthy" not in skip:
            self.alarm(
                "erp-nlb-unhealthy-hosts",
                "AWS/NetworkELB",
                "UnHealthyHostCount",
                lb,
                "Maximum",
                60,
                3,
                0,
                "GreaterThanThreshold",
                "ERP app server target unhealthy behind erp-nlb-int",
            )
        for iid, nm in ((self.app1, "erp-app-01"), (self.app2, "erp-app-02"), (self.batch, "erp-batch-01")):
            self.alarm(
                f"{nm}-status-check-failed",
                "AWS/EC2",
                "StatusCheckFailed",
                {"InstanceId": iid},
                "Maximum",
                300,
                2,
                0,
                "GreaterThanThreshold",
                f"EC2 status check failed on {nm}",
            )
        if "dbcpu" not in skip:
            self.alarm(
                "erp-sqlprod-cpu-high",
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": self.db},
                "Average",
                300,
                3,
                80,
                "GreaterThanThreshold",
                "RDS SQL Server CPU > 80% for 15 min",
            )
        if "dbfree" not in skip:
            self.alarm(
                "erp-sqlprod-free-storage-low",
                "AWS/RDS",
                "FreeStorageSpace",
                {"DBInstanceIdentifier": self.db},
                "Minimum",
                300,
                1,
                20 * 2**30,
                "LessThanThreshold",
                "Less than 20 GiB free on erp-sqlprod",
            )
        for i, ip in enumerate(self.tun):
            self.alarm(
                f"vpn-{self.office_city.lower()}-tunnel{i + 1}-down",
                "AWS/VPN",
                "TunnelState",
                {"TunnelIpAddress": ip},
                "Maximum",
                300,
                3,
                1,
                "LessThanThreshold",
                f"Site-to-Site VPN tunnel {i + 1} to {self.office_city} head office down",
                missing="breaching",
            )
        self.alarm(
            "erp-fsx-free-storage-low",
            "AWS/FSx",
            "FreeStorageCapacity",
            {"FileSystemId": self.fsx},
            "Minimum",
            300,
            1,
            100 * 2**30,
            "LessThanThreshold",
            "FSx ERP share under 100 GiB free",
        )

    def alarm_event(self, alarm: Rec, t: datetime, prev: str = "OK") -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
            "source": "aws.cloudwatch",
            "detail-type": "CloudWatch Alarm State Change",
            "account": self.account,
            "region": self.region,
            "time": iso(t),
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": alarm["StateReason"],
                    "timestamp": iso(t)[:-1] + ".204+0000",
                },
                "previousState": {
                    "value": prev,
                    "reason": "Threshold Crossed",
                    "timestamp": iso(t - timedelta(days=3))[:-1] + ".118+0000",
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

    # --- application logs -----------------------------------------------------------------------------
    def app_logs(
        self,
        iid: str,
        host: str,
        until: datetime | None = None,
        extra: Callable[[datetime], str | None] | None = None,
    ) -> None:
        r = self.rng
        t = self.start
        stop = until or self.now
        modules = ["FI.Posting", "SD.Orders", "MM.Inventory", "HR.Time", "CO.Reports"]
        while t < stop:
            busy = self.load(t)
            t += timedelta(seconds=r.randint(20, 90) / max(busy, 0.1) * 0.4)
            if t >= stop:
                break
            stamp = self.local(t).strftime("%Y-%m-%d %H:%M:%S,") + f"{r.randint(0, 999):03d}"
            special = extra(t) if extra else None
            if special:
                msg = special
            else:
                roll = r.random()
                ip = f"{self.office_prefix}.{r.randint(10, 40)}.{r.randint(2, 250)}"
                if roll < 0.35:
                    msg = f"INFO  [Session] Client {ip} user={r.choice(['MKLEIN', 'JSCHMIDT', 'AHOFFMANN', 'PWEBER', 'KBRAUN', 'LSCHULZ', 'TWAGNER'])} logged on, session {r.randint(100000, 999999)}"
                elif roll < 0.8:
                    msg = f"INFO  [{r.choice(modules)}] request completed in {r.randint(40, 900)} ms"
                elif roll < 0.97:
                    msg = f"INFO  [Session] session {r.randint(100000, 999999)} logged off"
                else:
                    msg = f"WARN  [DB] slow query {r.randint(2100, 6500)} ms on ERPPROD (module {r.choice(modules)})"
            self.log("/erp/appsrv", f"{host}/{iid}/ErpAppSrv.log", t, f"{stamp} {msg}")

    def batch_logs(self) -> None:
        t = self.start.replace(minute=0) + timedelta(minutes=15)
        r = self.rng
        while t < self.now:
            job = r.choice(["edi_inbound", "bank_statement_import", "stock_sync"])
            stamp = (
                t.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
                if t.day < 10
                else t.strftime("%b %d %H:%M:%S")
            )
            self.log(
                "/erp/batch/syslog",
                f"{self.batch}/messages",
                t,
                f"{stamp} erp-batch-01 CROND[{r.randint(20000, 40000)}]: (erpbatch) CMD (/opt/erp/bin/run_job.sh {job})",
            )
            self.log(
                "/erp/batch/jobs",
                f"{self.batch}/{job}",
                t + timedelta(seconds=r.randint(20, 200)),
                f"{iso(t)} {job}: finished rc=0, {r.randint(0, 400)} records",
            )
            t += timedelta(minutes=15)

    def bundle(self, title: str, question: str | None, alarm_event: Rec | None, truth: Rec) -> Bundle:
        self.trail.sort(key=lambda x: x["eventTime"])
        self.logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))
        self.history.sort(key=lambda x: x["Timestamp"])
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": self.tz_name},
                "truth": truth,
            }
        )
        recs: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
        }
        if self.events:
            recs["events"] = self.events
        return Bundle(manifest, recs)
