"""Private helpers for kit zzzr: a news site (CloudFront + S3 media, CMS on EC2 behind an ALB,
ElastiCache Memcached, RDS MySQL) in one us-east-1 account."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

REGION = "us-east-1"
MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def upper_id(rng: random.Random, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class Site:
    """Ids and names of one news site's account, drawn from a seed."""

    rng: random.Random
    account: str
    brand: str
    domain: str
    start: datetime
    onset: datetime
    now: datetime
    vpc: str
    subnets: list[str]
    azs: list[str]
    sg_alb: str
    sg_cms: str
    sg_db: str
    sg_cache: str
    instances: list[str]
    ips: list[str]
    alb_name: str
    alb_suffix: str
    tg_suffix: str
    dist_id: str
    dist_domain: str
    media_bucket: str
    cache_id: str
    cache_nodes: list[str]
    db_id: str
    fn_name: str
    asg: str
    ami: str
    sso_users: list[str]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # ---- derived names -----------------------------------------------------------------------------
    @property
    def alb_dim(self) -> str:
        return f"app/{self.alb_name}/{self.alb_suffix}"

    @property
    def alb_arn(self) -> str:
        return f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:loadbalancer/{self.alb_dim}"

    @property
    def tg_dim(self) -> str:
        return f"targetgroup/{self.brand}-cms-web/{self.tg_suffix}"

    @property
    def tg_arn(self) -> str:
        return f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:{self.tg_dim}"

    @property
    def dist_arn(self) -> str:
        return f"arn:aws:cloudfront::{self.account}:distribution/{self.dist_id}"

    @property
    def fn_arn(self) -> str:
        return f"arn:aws:cloudfront::{self.account}:function/{self.fn_name}"

    @property
    def db_endpoint(self) -> str:
        return f"{self.db_id}.c{hexid(random.Random(self.account), 11)}.{REGION}.rds.amazonaws.com"

    @property
    def cache_endpoint(self) -> str:
        return f"{self.cache_id}.{hexid(random.Random(self.account + 'c'), 6)}.cfg.use1.cache.amazonaws.com"

    def add(self, kind: str, row: dict[str, Any]) -> None:
        self.records.setdefault(kind, []).append(row)

    # ---- record helpers ----------------------------------------------------------------------------
    def metric(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "Count"
    ) -> None:
        self.add(
            "metrics",
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            },
        )

    def metric_set(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, vals: list[float], unit: str
    ) -> None:
        self.add(
            "metrics",
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 4) for v in vals],
            },
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.add("logs", {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.add("resources", {"service": service, "type": type_, "item": item})

    def sso(self, user: str, role: str = "PlatformEngineer") -> dict[str, Any]:
        r = random.Random(self.account + user + role)
        role_name = f"AWSReservedSSO_{role}_{hexid(r, 16)}"
        rid = "AROA" + upper_id(r, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + upper_id(r, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(self.start + timedelta(minutes=7)),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def role(self, role_name: str, session: str, ec2: bool = False) -> dict[str, Any]:
        r = random.Random(self.account + role_name)
        rid = "AROA" + upper_id(r, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + upper_id(random.Random(session + role_name), 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }
        if ec2:
            ident["sessionContext"]["ec2RoleDelivery"] = "2.0"
        return ident

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: Any,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        ip: str = "AWS Internal",
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off",
        error: tuple[str, str] | None = None,
        api_version: str | None = None,
    ) -> str:
        event_id = uid(self.rng)
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "cloudfront.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": uid(self.rng),
            "eventID": event_id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if api_version:
            rec["apiVersion"] = api_version
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if ip != "AWS Internal":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com",
            }
        self.add("cloudtrail", rec)
        return event_id


def new_site(seed: int, salt: str, *, onset_hour_utc: tuple[int, int] = (13, 20)) -> Site:
    rng = random.Random(f"{salt}:{seed}")
    brands = [
        ("ledger", "ridgewoodledger.com"),
        ("courier", "baycitycourier.com"),
        ("herald", "lakeshoreherald.com"),
        ("sentinel", "millbrooksentinel.com"),
        ("gazette", "tristategazette.com"),
        ("tribune", "valleytribune.net"),
    ]
    brand, domain = rng.choice(brands)
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 300))
    lo, hi = onset_hour_utc
    onset = day + timedelta(
        hours=rng.randint(lo, hi), minutes=rng.randrange(0, 60), seconds=rng.randrange(0, 60)
    )
    start = (onset - timedelta(hours=3, minutes=rng.randint(25, 50))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(38, 55))).replace(second=0)
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    n_inst = rng.choice([3, 4])
    site = Site(
        rng=rng,
        account=str(rng.randrange(10**11, 10**12)),
        brand=brand,
        domain=domain,
        start=start,
        onset=onset,
        now=now,
        vpc="vpc-0" + hexid(rng, 16),
        subnets=["subnet-0" + hexid(rng, 16) for _ in azs],
        azs=azs,
        sg_alb="sg-0" + hexid(rng, 16),
        sg_cms="sg-0" + hexid(rng, 16),
        sg_db="sg-0" + hexid(rng, 16),
        sg_cache="sg-0" + hexid(rng, 16),
        instances=["i-0" + hexid(rng, 16) for _ in range(n_inst)],
        ips=[f"10.40.{11 + i % 3}.{rng.randint(20, 230)}" for i in range(n_inst)],
        alb_name=f"{brand}-cms-alb",
        alb_suffix=hexid(rng, 16),
        tg_suffix=hexid(rng, 16),
        dist_id="E" + upper_id(rng, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
        dist_domain="d" + upper_id(rng, 13, "abcdefghijklmnopqrstuvwxyz0123456789") + ".cloudfront.net",
        media_bucket=f"{brand}-media-prod-{rng.randint(1000, 9999)}",
        cache_id=f"{brand}-cms-mc",
        cache_nodes=["0001", "0002", "0003"],
        db_id=f"{brand}-cms-db",
        fn_name=f"{brand}-viewer-request",
        asg=f"{brand}-cms-web-asg",
        ami="ami-0" + hexid(rng, 16),
        sso_users=rng.sample(
            [
                "maria.lopez",
                "dan.okafor",
                "priya.raman",
                "tom.becker",
                "lena.hoff",
                "sam.whitaker",
                "ana.silva",
            ],
            4,
        ),
    )
    return site


def traffic(site: Site, t: datetime) -> float:
    """Requests per minute at the edge, a smooth daytime curve plus noise (seeded by minute)."""
    r = random.Random(f"{site.account}:{t.isoformat()}")
    hour = (t.hour - 5) % 24 + t.minute / 60.0  # US Eastern approx
    diurnal = 0.55 + 0.45 * math.sin(math.pi * max(0.0, min(1.0, (hour - 6) / 17)))
    return 42000 * diurnal * (1 + r.uniform(-0.05, 0.05))


State = dict[str, float]
StateFn = Callable[[datetime, State], None]


def emit_metrics(site: Site, tweak: StateFn, cache_node_type_bw: float = 0.0) -> None:
    """Emit the site's CloudWatch metrics, minute by minute (EC2 and RDS every minute, CloudFront every
    minute, S3 request metrics every minute), letting `tweak` change the state per minute."""
    t = site.start
    cf = {"DistributionId": site.dist_id, "Region": "Global"}
    alb = {"LoadBalancer": site.alb_dim}
    tg = {"TargetGroup": site.tg_dim, "LoadBalancer": site.alb_dim}
    s3d = {"BucketName": site.media_bucket, "FilterId": "EntireBucket"}
    fn = {"FunctionName": site.fn_name, "Region": "Global"}
    db = {"DBInstanceIdentifier": site.db_id}
    while t <= site.now:
        r = random.Random(f"{site.account}:m:{t.isoformat()}")
        req = traffic(site, t)
        st: State = {
            "req": req,
            "hit": 0.91 + r.uniform(-0.015, 0.015),
            "media_share": 0.58 + r.uniform(-0.02, 0.02),
            "cf_4xx": 0.35 + r.uniform(-0.1, 0.15),
            "cf_5xx": 0.02 + max(0.0, r.gauss(0, 0.015)),
            "s3_4xx_frac": 0.004 + r.uniform(0, 0.002),
            "alb_5xx_frac": 0.0004 * r.random(),
            "elb_5xx": 0.0,
            "latency": 0.21 + r.uniform(-0.03, 0.05),
            "cms_cpu": 0.0,
            "mc_miss": 0.06 + r.uniform(-0.01, 0.01),
            "mc_bw_exceeded": 0.0,
            "mc_errors": 0.0,
            "db_cpu": 0.0,
            "db_conn": 0.0,
            "db_read_iops": 0.0,
            "healthy": float(len(site.instances)),
            "fn_errors": 0.0,
            "mc_out_factor": 1.0,
            "mc_out_cap": 0.0,
        }
        tweak(t, st)
        req = st["req"]
        miss = req * (1 - st["hit"])
        origin_alb = miss * (1 - st["media_share"])
        origin_s3 = miss * st["media_share"]
        cf_4xx = st["cf_4xx"] + (st["s3_4xx_frac"] * origin_s3 * 100.0 / req if req else 0.0)
        cf_5xx = st["cf_5xx"] + st["elb_5xx"] * 100.0 / req
        site.metric("AWS/CloudFront", "Requests", cf, t, round(req), "None")
        site.metric(
            "AWS/CloudFront", "BytesDownloaded", cf, t, req * 61000 * (1 + r.uniform(-0.05, 0.05)), "None"
        )
        site.metric("AWS/CloudFront", "4xxErrorRate", cf, t, cf_4xx, "Percent")
        site.metric("AWS/CloudFront", "5xxErrorRate", cf, t, cf_5xx, "Percent")
        site.metric("AWS/CloudFront", "TotalErrorRate", cf, t, cf_4xx + cf_5xx, "Percent")
        site.metric("AWS/CloudFront", "FunctionInvocations", fn, t, round(req), "None")
        if st["fn_errors"]:
            site.metric("AWS/CloudFront", "FunctionExecutionErrors", fn, t, round(st["fn_errors"]), "None")
        site.metric("AWS/CloudFront", "FunctionComputeUtilization", fn, t, 9 + r.uniform(-2, 3), "Percent")
        # S3 request metrics (filter EntireBucket), origin fetches from CloudFront plus CMS uploads
        gets = origin_s3
        site.metric("AWS/S3", "AllRequests", s3d, t, round(gets + 30 + r.randint(0, 20)))
        site.metric("AWS/S3", "GetRequests", s3d, t, round(gets))
        site.metric("AWS/S3", "4xxErrors", s3d, t, round(gets * st["s3_4xx_frac"]))
        site.metric("AWS/S3", "5xxErrors", s3d, t, 0 if r.random() > 0.03 else 1)
        site.metric_set(
            "AWS/S3",
            "FirstByteLatency",
            s3d,
            t,
            [18 + r.expovariate(1 / 9) for _ in range(12)],
            "Milliseconds",
        )
        # ALB
        site.metric("AWS/ApplicationELB", "RequestCount", alb, t, round(origin_alb))
        site.metric("AWS/ApplicationELB", "RequestCount", tg, t, round(origin_alb))
        t5 = round(origin_alb * st["alb_5xx_frac"])
        if t5:
            site.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, t, t5)
            site.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, t, t5)
        if st["elb_5xx"] >= 1:
            site.metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, t, round(st["elb_5xx"]))
        site.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            tg,
            t,
            round(origin_alb * 0.93 - t5 - st["elb_5xx"]),
        )
        site.metric("AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", tg, t, round(origin_alb * 0.05))
        lat = st["latency"]
        site.metric_set(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            alb,
            t,
            [lat * (0.4 + r.expovariate(1.4)) for _ in range(20)],
            "Seconds",
        )
        site.metric("AWS/ApplicationELB", "HealthyHostCount", tg, t, st["healthy"])
        site.metric("AWS/ApplicationELB", "UnHealthyHostCount", tg, t, len(site.instances) - st["healthy"])
        # EC2 (detailed monitoring on the CMS group)
        per_inst = origin_alb / len(site.instances)
        for i in site.instances:
            cpu = st["cms_cpu"] or min(99.0, 9 + per_inst / 38 + r.uniform(-3, 3))
            site.metric("AWS/EC2", "CPUUtilization", {"InstanceId": i}, t, cpu, "Percent")
        # Memcached, per node
        gets_mc = origin_alb * 14
        for n in site.cache_nodes:
            d = {"CacheClusterId": site.cache_id, "CacheNodeId": n}
            share = gets_mc / len(site.cache_nodes) * (1 + r.uniform(-0.08, 0.08))
            site.metric("AWS/ElastiCache", "GetHits", d, t, round(share * (1 - st["mc_miss"])))
            site.metric("AWS/ElastiCache", "GetMisses", d, t, round(share * st["mc_miss"]))
            site.metric("AWS/ElastiCache", "CmdSet", d, t, round(share * st["mc_miss"] * 0.9))
            site.metric(
                "AWS/ElastiCache", "CurrConnections", d, t, len(site.instances) * 52 + r.randint(0, 8)
            )
            site.metric(
                "AWS/ElastiCache", "CPUUtilization", d, t, 4 + share / 9000 + r.uniform(0, 2), "Percent"
            )
            out = share * 7200 * (st["mc_out_factor"] if n == site.cache_nodes[0] else 1.0)
            if st["mc_out_cap"] and n == site.cache_nodes[0]:
                out = min(out, st["mc_out_cap"] * (1 + r.uniform(-0.015, 0.01)))
            site.metric("AWS/ElastiCache", "NetworkBytesOut", d, t, out, "Bytes")
            site.metric("AWS/ElastiCache", "NetworkBytesIn", d, t, share * 260, "Bytes")
            bw = st["mc_bw_exceeded"] if n == site.cache_nodes[0] else 0.0
            site.metric("AWS/ElastiCache", "NetworkBandwidthOutAllowanceExceeded", d, t, round(bw))
            site.metric("AWS/ElastiCache", "NetworkBandwidthInAllowanceExceeded", d, t, 0)
            site.metric("AWS/ElastiCache", "Evictions", d, t, r.randint(0, 40))
        # RDS
        db_cpu = st["db_cpu"] or 14 + origin_alb * st["mc_miss"] / 140 + r.uniform(-2, 2)
        site.metric("AWS/RDS", "CPUUtilization", db, t, min(db_cpu, 99.6), "Percent")
        site.metric(
            "AWS/RDS",
            "DatabaseConnections",
            db,
            t,
            st["db_conn"] or len(site.instances) * 21 + r.randint(0, 6),
        )
        site.metric(
            "AWS/RDS", "ReadIOPS", db, t, st["db_read_iops"] or 140 + r.uniform(0, 60), "Count/Second"
        )
        site.metric("AWS/RDS", "ReadLatency", db, t, 0.0006 + r.uniform(0, 0.0003), "Seconds")
        site.metric("AWS/RDS", "FreeableMemory", db, t, 9.1e9 + r.uniform(-1e8, 1e8), "Bytes")
        t += MIN


def base_resources(site: Site, *, cache_node_type: str = "cache.r6g.large") -> None:
    acct, s = site.account, site
    s.resource(
        "ec2",
        "Vpc",
        {
            "VpcId": s.vpc,
            "CidrBlock": "10.40.0.0/16",
            "State": "available",
            "OwnerId": acct,
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": f"{s.brand}-prod"}],
        },
    )
    for i, (sub, az) in enumerate(zip(s.subnets, s.azs, strict=True)):
        s.resource(
            "ec2",
            "Subnet",
            {
                "SubnetId": sub,
                "VpcId": s.vpc,
                "AvailabilityZone": az,
                "CidrBlock": f"10.40.{11 + i}.0/24",
                "State": "available",
                "AvailableIpAddressCount": 240 - i * 3,
                "Tags": [{"Key": "Name", "Value": f"{s.brand}-prod-private-{az[-1]}"}],
            },
        )

    def sg(gid: str, name: str, desc: str, perms: list[dict[str, Any]]) -> None:
        s.resource(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "OwnerId": acct,
                "VpcId": s.vpc,
                "IpPermissions": perms,
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}
                ],
            },
        )

    def from_sg(port: int, src: str) -> dict[str, Any]:
        return {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "UserIdGroupPairs": [{"GroupId": src, "UserId": acct}],
            "IpRanges": [],
        }

    sg(
        s.sg_alb,
        f"{s.brand}-cms-alb",
        "CMS ALB, CloudFront origin-facing",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": "pl-3b927c52", "Description": "CloudFront origin-facing"}],
                "IpRanges": [],
            }
        ],
    )
    sg(s.sg_cms, f"{s.brand}-cms-web", "CMS web instances", [from_sg(80, s.sg_alb)])
    sg(s.sg_db, f"{s.brand}-cms-db", "CMS MySQL", [from_sg(3306, s.sg_cms)])
    sg(s.sg_cache, f"{s.brand}-cms-cache", "CMS memcached", [from_sg(11211, s.sg_cms)])
    for n, (iid, ip) in enumerate(zip(s.instances, s.ips, strict=True)):
        s.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": s.ami,
                "InstanceType": "c6i.xlarge",
                "State": {"Code": 16, "Name": "running"},
                "PrivateIpAddress": ip,
                "SubnetId": s.subnets[n % 3],
                "VpcId": s.vpc,
                "LaunchTime": iso(s.start - timedelta(days=2, hours=n * 5 + 3)),
                "Placement": {"AvailabilityZone": s.azs[n % 3], "Tenancy": "default"},
                "Monitoring": {"State": "enabled"},
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{acct}:instance-profile/{s.brand}-cms-ec2",
                    "Id": "AIPA"
                    + upper_id(random.Random(acct + "ip"), 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                },
                "SecurityGroups": [{"GroupId": s.sg_cms, "GroupName": f"{s.brand}-cms-web"}],
                "Tags": [
                    {"Key": "Name", "Value": f"{s.brand}-cms-web"},
                    {"Key": "aws:autoscaling:groupName", "Value": s.asg},
                    {"Key": "service", "Value": "cms"},
                ],
            },
        )
    s.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": s.asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{acct}:autoScalingGroup:{uid(random.Random(acct))}:autoScalingGroupName/{s.asg}",
            "LaunchTemplate": {
                "LaunchTemplateId": "lt-0" + hexid(random.Random(acct + "lt"), 16),
                "LaunchTemplateName": f"{s.brand}-cms-web",
                "Version": "$Latest",
            },
            "MinSize": len(s.instances),
            "MaxSize": 10,
            "DesiredCapacity": len(s.instances),
            "DefaultCooldown": 300,
            "AvailabilityZones": s.azs,
            "TargetGroupARNs": [s.tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "c6i.xlarge",
                    "AvailabilityZone": s.azs[n % 3],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for n, iid in enumerate(s.instances)
            ],
            "CreatedTime": "2024-03-11T15:02:44Z",
            "VPCZoneIdentifier": ",".join(s.subnets),
            "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        },
    )
    s.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": s.alb_arn,
            "DNSName": f"internal-{s.alb_name}-{random.Random(acct).randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com".replace(
                "internal-", ""
            ),
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": "2024-03-11T14:40:02Z",
            "LoadBalancerName": s.alb_name,
            "Scheme": "internet-facing",
            "VpcId": s.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sub} for az, sub in zip(s.azs, s.subnets, strict=True)
            ],
            "SecurityGroups": [s.sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    s.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": s.tg_arn,
            "TargetGroupName": f"{s.brand}-cms-web",
            "Protocol": "HTTP",
            "Port": 80,
            "VpcId": s.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [s.alb_arn],
            "TargetType": "instance",
        },
    )
    s.resource(
        "elasticache",
        "CacheCluster",
        {
            "CacheClusterId": s.cache_id,
            "ConfigurationEndpoint": {"Address": s.cache_endpoint, "Port": 11211},
            "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
            "CacheNodeType": cache_node_type,
            "Engine": "memcached",
            "EngineVersion": "1.6.22",
            "CacheClusterStatus": "available",
            "NumCacheNodes": len(s.cache_nodes),
            "PreferredAvailabilityZone": "Multiple",
            "CacheClusterCreateTime": "2024-03-11T14:51:19Z",
            "PreferredMaintenanceWindow": "sun:08:00-sun:09:00",
            "CacheSecurityGroups": [],
            "CacheParameterGroup": {
                "CacheParameterGroupName": "default.memcached1.6",
                "ParameterApplyStatus": "in-sync",
                "CacheNodeIdsToReboot": [],
            },
            "CacheSubnetGroupName": f"{s.brand}-cache-private",
            "CacheNodes": [
                {
                    "CacheNodeId": n,
                    "CacheNodeStatus": "available",
                    "CacheNodeCreateTime": "2024-03-11T14:51:19Z",
                    "Endpoint": {"Address": s.cache_endpoint.replace(".cfg.", f".{n}."), "Port": 11211},
                    "ParameterGroupStatus": "in-sync",
                    "CustomerAvailabilityZone": s.azs[k],
                }
                for k, n in enumerate(s.cache_nodes)
            ],
            "AutoMinorVersionUpgrade": True,
            "SecurityGroups": [{"SecurityGroupId": s.sg_cache, "Status": "active"}],
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": False,
            "AtRestEncryptionEnabled": False,
            "ARN": f"arn:aws:elasticache:{REGION}:{acct}:cluster:{s.cache_id}",
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
        },
    )
    s.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": s.db_id,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "mysql",
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "DBName": "cms",
            "Endpoint": {"Address": s.db_endpoint, "Port": 3306, "HostedZoneId": "Z2R2ITUGPM61AM"},
            "AllocatedStorage": 500,
            "InstanceCreateTime": "2024-03-11T14:58:05Z",
            "PreferredBackupWindow": "07:10-07:40",
            "BackupRetentionPeriod": 7,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": s.sg_db, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": f"{s.brand}-mysql80", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": "us-east-1b",
            "SecondaryAvailabilityZone": "us-east-1c",
            "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
            "MultiAZ": True,
            "EngineVersion": "8.0.39",
            "AutoMinorVersionUpgrade": True,
            "StorageType": "gp3",
            "Iops": 12000,
            "StorageThroughput": 500,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + upper_id(random.Random(acct + "db"), 26),
            "DBInstanceArn": f"arn:aws:rds:{REGION}:{acct}:db:{s.db_id}",
            "PerformanceInsightsEnabled": False,
            "EnabledCloudwatchLogsExports": ["error", "slowquery"],
            "DeletionProtection": True,
        },
    )
    s.resource(
        "s3",
        "Bucket",
        {"Name": s.media_bucket, "CreationDate": "2024-03-11T14:33:10Z", "BucketRegion": REGION},
    )
    s.resource(
        "s3",
        "BucketPolicy",
        {
            "Bucket": s.media_bucket,
            "Policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowCloudFrontServicePrincipalReadOnly",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{s.media_bucket}/*",
                        "Condition": {"StringEquals": {"AWS:SourceArn": s.dist_arn}},
                    }
                ],
            },
        },
    )
    s.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/{s.brand}/cms/nginx-access",
            "creationTime": 1710168000000,
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/{s.brand}/cms/nginx-access:*",
            "storedBytes": 81234567890,
        },
    )
    s.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/{s.brand}/cms/php-app",
            "creationTime": 1710168000000,
            "retentionInDays": 30,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/{s.brand}/cms/php-app:*",
            "storedBytes": 3234567890,
        },
    )


def function_summary(site: Site, stage: str, modified: datetime, comment: str) -> dict[str, Any]:
    return {
        "Name": site.fn_name,
        "Status": "UNPUBLISHED" if stage == "DEVELOPMENT" else "DEPLOYED",
        "FunctionConfig": {"Comment": comment, "Runtime": "cloudfront-js-2.0"},
        "FunctionMetadata": {
            "FunctionARN": site.fn_arn,
            "Stage": stage,
            "CreatedTime": "2024-06-18T16:12:40Z",
            "LastModifiedTime": iso(modified),
        },
    }


def distribution(site: Site, modified: datetime) -> dict[str, Any]:
    fa = {"Quantity": 1, "Items": [{"FunctionARN": site.fn_arn, "EventType": "viewer-request"}]}
    alb_dns = f"origin.{site.domain}"
    return {
        "Id": site.dist_id,
        "ARN": site.dist_arn,
        "Status": "Deployed",
        "LastModifiedTime": iso(modified),
        "InProgressInvalidationBatches": 0,
        "DomainName": site.dist_domain,
        "DistributionConfig": {
            "CallerReference": "terraform-20240311143512000000000001",
            "Aliases": {"Quantity": 2, "Items": [f"www.{site.domain}", site.domain]},
            "Origins": {
                "Quantity": 2,
                "Items": [
                    {
                        "Id": "cms-alb",
                        "DomainName": alb_dns,
                        "OriginPath": "",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                            "OriginReadTimeout": 30,
                            "OriginKeepaliveTimeout": 5,
                        },
                        "ConnectionAttempts": 3,
                        "ConnectionTimeout": 10,
                    },
                    {
                        "Id": "media-s3",
                        "DomainName": f"{site.media_bucket}.s3.{REGION}.amazonaws.com",
                        "OriginPath": "",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                        "OriginAccessControlId": "E" + upper_id(random.Random(site.account + "oac"), 13),
                        "ConnectionAttempts": 3,
                        "ConnectionTimeout": 10,
                    },
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "cms-alb",
                "ViewerProtocolPolicy": "redirect-to-https",
                "Compress": True,
                "CachePolicyId": "e1b2c3d4-1111-4a2b-9c3d-" + hexid(random.Random(site.account + "cp"), 12),
                "FunctionAssociations": fa,
            },
            "CacheBehaviors": {
                "Quantity": 1,
                "Items": [
                    {
                        "PathPattern": "/media/*",
                        "TargetOriginId": "media-s3",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "Compress": True,
                        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                        "FunctionAssociations": fa,
                    }
                ],
            },
            "Comment": f"www.{site.domain}",
            "PriceClass": "PriceClass_100",
            "Enabled": True,
            "HttpVersion": "http2and3",
            "IsIPV6Enabled": True,
        },
    }


def alarm(
    site: Site,
    name: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    threshold: float,
    *,
    op: str = "GreaterThanThreshold",
    period: int = 300,
    evals: int = 1,
    state: str = "OK",
    state_time: datetime | None = None,
    reason: str = "",
    desc: str = "",
    unit: str | None = None,
    treat_missing: str = "missing",
) -> dict[str, Any]:
    a: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{site.account}:alarm:{name}",
        "AlarmDescription": desc,
        "AlarmConfigurationUpdatedTimestamp": "2025-09-30T18:21:07.114Z",
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [f"arn:aws:sns:{REGION}:{site.account}:{site.brand}-oncall"],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason
        or f"Threshold Crossed: 1 datapoint [0.0 ({iso(site.start)})] was not greater than the threshold ({threshold}).",
        "StateUpdatedTimestamp": iso(state_time or site.start - timedelta(days=3)),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
    }
    if unit:
        a["Unit"] = unit
    site.add("alarms", a)
    return a


def history(
    site: Site, name: str, t: datetime, old: str, new: str, reason: str, reason_data: dict[str, Any]
) -> None:
    data = {
        "version": "1.0",
        "oldState": {"stateValue": old},
        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": reason_data},
    }
    site.add(
        "alarm_history",
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(t),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps(data, separators=(",", ":")),
        },
    )


def alarm_event(
    site: Site, a: dict[str, Any], t: datetime, reason: str, reason_data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": uid(random.Random(site.account + a["AlarmName"])),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": site.account,
        "time": iso(t),
        "region": REGION,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(reason_data),
                "timestamp": iso(t).replace("Z", ".000+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": a["StateReason"],
                "timestamp": a["StateUpdatedTimestamp"].replace("Z", ".000+0000"),
            },
            "configuration": {
                "description": a.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": a["Namespace"],
                                "name": a["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                            },
                            "period": a["Period"],
                            "stat": a["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def noise_trail(site: Site, *, skip: set[str] | None = None) -> None:
    """Read-only tooling, CMS invalidations on publish, and ordinary changes through the day."""
    skip = skip or set()
    rng = random.Random(site.account + "noise")
    mon = site.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    tf = site.role(f"{site.brand}-gha-terraform", "GitHubActions")
    cms = {i: site.role(f"{site.brand}-cms-ec2", i, ec2=True) for i in site.instances}
    dd_agent = "Datadog/AWS-Integration aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
    t = site.start + timedelta(minutes=rng.randint(1, 9))
    while t < site.now:
        site.trail(
            t,
            "ec2.amazonaws.com",
            "DescribeInstances",
            mon,
            {"instancesSet": {}, "filterSet": {}},
            None,
            read_only=True,
            ip=f"3.233.148.{rng.randint(2, 250)}",
            agent=dd_agent,
        )
        site.trail(
            t + timedelta(seconds=4),
            "elasticache.amazonaws.com",
            "DescribeCacheClusters",
            mon,
            {"showCacheNodeInfo": True},
            None,
            read_only=True,
            ip=f"3.233.148.{rng.randint(2, 250)}",
            agent=dd_agent,
        )
        site.trail(
            t + timedelta(seconds=9),
            "rds.amazonaws.com",
            "DescribeDBInstances",
            mon,
            None,
            None,
            read_only=True,
            ip=f"3.233.148.{rng.randint(2, 250)}",
            agent=dd_agent,
        )
        t += timedelta(minutes=rng.randint(18, 26))
    # CMS invalidates article paths when editors publish/update
    t = site.start + timedelta(minutes=rng.randint(2, 12))
    slugs = [
        "city-council-approves-budget",
        "school-board-election-results",
        "storm-knocks-out-power",
        "high-school-football-playoffs",
        "restaurant-week-returns",
        "downtown-parking-changes",
        "police-blotter",
        "weather-weekend-forecast",
        "transit-fare-hearing",
        "obituaries",
    ]
    while t < site.now:
        inst = rng.choice(site.instances)
        ref = f"cms-{int(t.timestamp())}-{rng.randint(100, 999)}"
        path = f"/news/{t:%Y/%m/%d}/{rng.choice(slugs)}"
        inv = "I" + upper_id(rng, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        site.trail(
            t,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            cms[inst],
            {
                "distributionId": site.dist_id,
                "invalidationBatch": {
                    "paths": {"quantity": 3, "items": [path, "/", "/news/"]},
                    "callerReference": ref,
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{site.dist_id}/invalidation/{inv}",
                "invalidation": {
                    "id": inv,
                    "status": "InProgress",
                    "createTime": iso(t),
                    "invalidationBatch": {
                        "paths": {"quantity": 3, "items": [path, "/", "/news/"]},
                        "callerReference": ref,
                    },
                },
            },
            ip=site.ips[site.instances.index(inst)],
            agent="aws-sdk-php/3.305.4 OS/Linux/6.1.109 lang/php#8.2.20 GuzzleHttp/7",
            api_version="2020_05_31",
        )
        t += timedelta(minutes=rng.randint(7, 19))
    # A terraform plan run from CI (read-only) a couple of hours in
    tp = site.start + timedelta(minutes=rng.randint(40, 90))
    for k, (src, name) in enumerate(
        [
            ("cloudfront.amazonaws.com", "GetDistribution"),
            ("cloudfront.amazonaws.com", "GetFunction"),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers"),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups"),
            ("ec2.amazonaws.com", "DescribeSecurityGroups"),
            ("rds.amazonaws.com", "DescribeDBParameterGroups"),
            ("elasticache.amazonaws.com", "DescribeCacheClusters"),
            ("s3.amazonaws.com", "GetBucketPolicy"),
        ]
    ):
        params: Any = None
        if name == "GetDistribution":
            params = {"id": site.dist_id}
        elif name == "GetFunction":
            params = {"name": site.fn_name, "stage": "LIVE"}
        elif name == "GetBucketPolicy":
            params = {
                "bucketName": site.media_bucket,
                "Host": f"{site.media_bucket}.s3.amazonaws.com",
                "policy": "",
            }
        site.trail(
            tp + timedelta(seconds=3 * k),
            src,
            name,
            tf,
            params,
            None,
            read_only=True,
            ip=f"20.42.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1",
        )
    # Engineers poking around in the console
    eng = site.sso(site.sso_users[2], "ReadOnly")
    tc = site.start + timedelta(minutes=rng.randint(100, 150))
    for k, (src, name, params) in enumerate(
        [
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": site.db_id}),
            ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-instance", "duration": 1440}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
        ]
    ):
        if name in skip:
            continue
        site.trail(
            tc + timedelta(seconds=20 * k),
            src,
            name,
            eng,
            params,
            None,
            read_only=True,
            ip="AWS Internal"
            if src == "monitoring.amazonaws.com"
            else f"73.158.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            agent="AWS Internal"
            if src == "monitoring.amazonaws.com"
            else "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        )


def nginx_access(
    site: Site,
    t: datetime,
    inst: str,
    path: str,
    status: int,
    rt: float,
    size: int,
    *,
    ua: str = "Amazon CloudFront",
    referer: str = "-",
) -> None:
    r = random.Random(f"{site.account}{t.isoformat()}{path}{inst}")
    client = f"{r.randint(24, 199)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    alb_ip = f"10.40.{r.randint(11, 13)}.{r.randint(5, 250)}"
    stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
    msg = (
        f'{alb_ip} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "{referer}" "{ua}" '
        f'rt={rt:.3f} uct="0.000" urt="{rt:.3f}" xff="{client}, 130.176.{r.randint(0, 255)}.{r.randint(1, 254)}"'
    )
    site.log(f"/{site.brand}/cms/nginx-access", f"{inst}/access.log", t, msg)


def finish(
    site: Site,
    title: str,
    trigger: dict[str, Any],
    truth: dict[str, Any],
) -> Bundle:
    for kind in ("cloudtrail", "logs", "alarm_history"):
        key = "eventTime" if kind == "cloudtrail" else ("timestamp" if kind == "logs" else "Timestamp")
        site.records.get(kind, []).sort(key=lambda r: str(r[key]) if kind != "logs" else r[key])
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": title,
            "account_id": site.account,
            "region": REGION,
            "start": iso(site.start),
            "end": iso(site.now),
            "now": iso(site.now),
            "trigger": trigger,
            "truth": truth,
        }
    )
    return Bundle(manifest, site.records)


def _cw_stamp(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def _cw_iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def evaluate(site: Site, a: dict[str, Any]) -> datetime | None:
    """Run the alarm over the emitted metrics: write its StateUpdate history, set its final state, and
    return the time of its last OK -> ALARM transition (None if it never fired)."""
    dims = {d["Name"]: d["Value"] for d in a["Dimensions"]}
    period = timedelta(seconds=a["Period"])
    buckets: dict[datetime, list[float]] = {}
    for m in site.records.get("metrics", []):
        if m["namespace"] != a["Namespace"] or m["metric"] != a["MetricName"] or m["dimensions"] != dims:
            continue
        t = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
        b = t - timedelta(seconds=int(t.timestamp()) % a["Period"])
        if "value" in m:
            buckets.setdefault(b, []).append(m["value"])
        else:
            buckets.setdefault(b, []).extend(m["values"])
    stat = a["Statistic"]

    def agg(v: list[float]) -> float:
        if stat == "Sum":
            return sum(v)
        if stat == "Maximum":
            return max(v)
        if stat == "Minimum":
            return min(v)
        return sum(v) / len(v)

    op = a["ComparisonOperator"]
    thr = a["Threshold"]

    def breach(x: float) -> bool:
        return {
            "GreaterThanThreshold": x > thr,
            "GreaterThanOrEqualToThreshold": x >= thr,
            "LessThanThreshold": x < thr,
            "LessThanOrEqualToThreshold": x <= thr,
        }[op]

    words = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[op]
    n, m_ = a["EvaluationPeriods"], a["DatapointsToAlarm"]
    keys = sorted(buckets)
    state = a["StateValue"]
    fired: datetime | None = None
    if keys:
        first = [round(agg(buckets[k]), 4) for k in keys[:n]]
        back = datetime.fromisoformat(a["StateUpdatedTimestamp"].replace("Z", "+00:00")).replace(second=0)
        pts0 = ", ".join(f"{v} ({_cw_stamp(back - period * (j + 1))})" for j, v in enumerate(reversed(first)))
        a["StateReason"] = (
            f"Threshold Crossed: {n} out of the last {n} datapoints [{pts0}] {'was' if n == 1 else 'were'} not "
            f"{words} the threshold ({thr}) (minimum 1 datapoint for ALARM -> OK transition)."
        )
    for i in range(n - 1, len(keys)):
        window = keys[i - n + 1 : i + 1]
        vals = [round(agg(buckets[k]), 4) for k in window]
        bad = sum(1 for v in vals if breach(v))
        when = window[-1] + period + timedelta(seconds=random.Random(f"{a['AlarmName']}{i}").randint(20, 80))
        if when > site.now:
            break
        new = state
        if state != "ALARM" and bad >= m_:
            new = "ALARM"
        elif state == "ALARM" and bad == 0:
            new = "OK"
        if new == state:
            continue
        pts = ", ".join(
            f"{v} ({_cw_stamp(k)})" for v, k in zip(reversed(vals), reversed(window), strict=True)
        )
        if new == "ALARM":
            verb = "was" if n == 1 else "were"
            reason = (
                f"Threshold Crossed: {bad} out of the last {n} datapoints [{pts}] {verb} {words} the threshold "
                f"({thr}) (minimum {m_} datapoint{'s' if m_ > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            reason = (
                f"Threshold Crossed: {n} out of the last {n} datapoints [{pts}] {'was' if n == 1 else 'were'} not "
                f"{words} the threshold ({thr}) (minimum 1 datapoint for ALARM -> OK transition)."
            )
        data = {
            "version": "1.0",
            "queryDate": _cw_iso(when),
            "startDate": _cw_iso(window[0]),
            "statistic": stat,
            "period": a["Period"],
            "recentDatapoints": list(reversed(vals)),
            "threshold": thr,
            "evaluatedDatapoints": [
                {"timestamp": _cw_iso(k), "sampleCount": float(len(buckets[k])), "value": v}
                for k, v in zip(reversed(window), reversed(vals), strict=True)
            ],
        }
        history(site, a["AlarmName"], when, state, new, reason, data)
        a["StateValue"], a["StateReason"], a["StateUpdatedTimestamp"] = new, reason, iso(when)
        a["StateReasonData"] = json.dumps(data)
        if new == "ALARM":
            fired = when
        state = new
    return fired


def local_time(t: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return t.astimezone(ZoneInfo(zone))


def clock(t: datetime) -> str:
    """A person's clock time, rounded to five minutes: 2:40pm."""
    t = t - timedelta(minutes=t.minute % 5, seconds=t.second)
    h = t.hour % 12 or 12
    return f"{h}:{t.minute:02d}{'am' if t.hour < 12 else 'pm'}"
