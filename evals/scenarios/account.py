"""A small but complete AWS account in AWS's own item shapes, wired consistently.

One VPC with public and private subnets in two or three AZs, an internet-facing ALB with one target
group per web tier, an Auto Scaling group of EC2 instances behind each target group, an Aurora MySQL
cluster, a few Lambda functions, IAM roles and log groups. Ids and ARNs agree everywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios import naming
from evals.scenarios.ids import Ids
from evals.scenarios.window import Window

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
]
AZ_IDS = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-central-1": "euc1",
    "ap-southeast-2": "apse2",
    "ap-northeast-1": "apne1",
}
ELB_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-northeast-1": "Z14GRHDCWA56QT",
}
AURORA_VERSIONS = [
    "8.0.mysql_aurora.3.04.0",
    "8.0.mysql_aurora.3.04.1",
    "8.0.mysql_aurora.3.05.2",
    "8.0.mysql_aurora.3.06.0",
    "5.7.mysql_aurora.2.11.2",
    "5.7.mysql_aurora.2.11.4",
]
APP_TYPES = ["m5.large", "m6i.large", "c5.large", "c6i.large", "m5.xlarge", "t3.large", "t3.medium"]
# Aurora MySQL's default max_connections per instance class (from the class's memory).
DB_CLASSES = {
    "db.t4g.medium": 90,
    "db.t3.medium": 90,
    "db.r5.large": 1000,
    "db.r6g.large": 1000,
    "db.r6g.xlarge": 2000,
    "db.r5.xlarge": 2000,
}
RUNTIMES = ["python3.11", "python3.12", "nodejs18.x", "nodejs20.x", "java17"]
LOG_RETENTION = [7, 14, 30, 90]


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": k.replace("__", ":"), "Value": v} for k, v in pairs.items()]


@dataclass
class Instance:
    """An EC2 instance of an Auto Scaling group; `terminated` is None while it runs."""

    id: str
    service: Service
    subnet: dict[str, Any]
    private_ip: str
    instance_type: str
    launched: datetime
    terminated: datetime | None = None
    volume_id: str = ""
    eni_id: str = ""

    @property
    def az(self) -> str:
        return str(self.subnet["AvailabilityZone"])

    def alive(self, at: datetime) -> bool:
        return self.launched <= at and (self.terminated is None or at < self.terminated)


@dataclass
class Service:
    """A web tier: an ASG of instances registered in a target group behind the shared ALB."""

    name: str
    asg_name: str
    asg_arn: str
    tg_name: str
    tg_arn: str
    role_name: str
    launch_template_id: str
    launch_template_version: int
    instance_type: str
    image_id: str
    sg_id: str
    path: str
    desired: int
    min_size: int
    max_size: int
    health_check_type: str
    grace_seconds: int
    log_group: str
    instances: list[Instance] = field(default_factory=list)

    @property
    def tg_dimension(self) -> str:
        return self.tg_arn.split(":")[-1]

    def alive(self, at: datetime) -> list[Instance]:
        return [i for i in self.instances if i.alive(at)]


@dataclass
class Function:
    name: str
    arn: str
    role_name: str
    runtime: str
    memory: int
    timeout: int
    reserved: int | None
    last_modified: datetime
    code_sha: str
    log_group: str


@dataclass
class Database:
    cluster_id: str
    cluster_arn: str
    resource_id: str
    engine_version: str
    instance_class: str
    writer: str
    readers: list[str]
    instance_azs: dict[str, str]
    dbi_resource_ids: dict[str, str]
    sg_id: str
    port: int
    max_connections: int
    subnet_group: str
    parameter_group: str
    endpoint: str = ""  # the cluster (writer) endpoint's host name

    def instance_arn(self, account: Account, name: str) -> str:
        return f"arn:aws:rds:{account.region}:{account.account_id}:db:{name}"

    @property
    def members(self) -> list[str]:
        return [self.writer, *self.readers]


@dataclass
class Account:
    """The whole account. Built by `Account.draw`; scenarios then change what their story needs."""

    rng: random.Random
    ids: Ids
    window: Window
    account_id: str
    region: str
    env: str
    product: str
    vpc_id: str
    vpc_cidr: str
    azs: list[str]
    public_subnets: list[dict[str, Any]]
    private_subnets: list[dict[str, Any]]
    alb_name: str
    alb_arn: str
    alb_sg: str
    services: list[Service]
    database: Database
    functions: list[Function]
    roles: dict[str, tuple[str, str]]  # role name -> (description, service principal that assumes it)
    db_log_exports: list[str]
    created: datetime
    extra_log_groups: list[str] = field(default_factory=list)
    security_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    _role_ids: dict[str, str] = field(default_factory=dict)

    # --- drawing ----------------------------------------------------------------------------------

    @classmethod
    def draw(
        cls, rng: random.Random, window: Window, *, services: int = 2, functions: int = 2, region: str = ""
    ) -> Account:
        ids = Ids(rng)
        region = region or rng.choice(REGIONS)
        product = naming.pick(rng, naming.PRODUCTS)
        env = rng.choice(naming.ENVS)
        octet = rng.randrange(10, 200)
        created = window.start - timedelta(days=rng.randrange(90, 900), seconds=rng.randrange(86400))
        letters = rng.sample("abc", k=rng.choice([2, 3]))
        azs = [f"{region}{x}" for x in sorted(letters)]
        acct = cls(
            rng=rng,
            ids=ids,
            window=window,
            account_id=ids.account(),
            region=region,
            env=env,
            product=product,
            vpc_id=ids.ec2("vpc"),
            vpc_cidr=f"10.{octet}.0.0/16",
            azs=azs,
            public_subnets=[],
            private_subnets=[],
            alb_name="",
            alb_arn="",
            alb_sg="",
            services=[],
            database=None,  # type: ignore[arg-type]  # set just below, it needs the subnets
            functions=[],
            roles={},
            db_log_exports=["error", "slowquery"],
            created=created,
        )
        acct._draw_network(octet)
        acct._draw_alb()
        taken: set[str] = set()
        for n in range(services):
            acct._draw_service(n, taken)
        acct._draw_database()
        fn_taken: set[str] = set()
        for _ in range(functions):
            acct._draw_function(fn_taken)
        return acct

    def name(self, *parts: str, hyphens: bool = False) -> str:
        """A resource name in this team's habits; `hyphens` for services that refuse underscores."""
        prefix = self.rng.choice([self.env, self.product, f"{self.product}-{self.env}", ""])
        name = naming.joined(self.rng, prefix, *parts)
        return name.replace("_", "-") if hyphens else name

    def _draw_network(self, octet: int) -> None:
        for i, az in enumerate(self.azs):
            for kind, base in (("public", 0), ("private", 96)):
                sid = self.ids.ec2("subnet")
                subnet = {
                    "SubnetId": sid,
                    "VpcId": self.vpc_id,
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"{AZ_IDS[self.region]}-az{'abc'.index(az[-1]) + 1}",
                    "CidrBlock": f"10.{octet}.{base + i * 16}.0/20",
                    "State": "available",
                    "AvailableIpAddressCount": self.rng.randrange(3900, 4090),
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": kind == "public",
                    "OwnerId": self.account_id,
                    "SubnetArn": f"arn:aws:ec2:{self.region}:{self.account_id}:subnet/{sid}",
                    "Tags": tags(Name=f"{self.env}-{kind}-{az[-1]}", Tier=kind),
                }
                (self.public_subnets if kind == "public" else self.private_subnets).append(subnet)

    def _sg(self, name: str, description: str, ingress: list[dict[str, Any]]) -> str:
        gid = self.ids.ec2("sg")
        self.security_groups[gid] = {
            "GroupId": gid,
            "GroupName": name,
            "Description": description,
            "VpcId": self.vpc_id,
            "OwnerId": self.account_id,
            "IpPermissions": ingress,
            "SecurityGroupArn": f"arn:aws:ec2:{self.region}:{self.account_id}:security-group/{gid}",
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "Tags": tags(Name=name),
        }
        return gid

    def _from_groups(self, port: int, groups: list[tuple[str, str]]) -> dict[str, Any]:
        """One permission for a port, with every source group in it, as DescribeSecurityGroups merges them."""
        return {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [
                {"GroupId": g, "UserId": self.account_id, "Description": d} for g, d in groups
            ],
        }

    def _from_group(self, port: int, group: str, description: str = "") -> dict[str, Any]:
        pair: dict[str, Any] = {"GroupId": group, "UserId": self.account_id}
        if description:
            pair["Description"] = description
        return {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [pair],
        }

    def _draw_alb(self) -> None:
        self.alb_name = self.name("alb", hyphens=True)[:32].strip("-")
        self.alb_arn = (
            f"arn:aws:elasticloadbalancing:{self.region}:{self.account_id}:loadbalancer/app/"
            f"{self.alb_name}/{self.ids.hex(16)}"
        )
        web = {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}],
        }
        self.alb_sg = self._sg(f"{self.alb_name}-sg", "Load balancer", [web])

    @property
    def alb_dimension(self) -> str:
        return self.alb_arn.split(":loadbalancer/")[1]

    def _draw_service(self, n: int, taken: set[str]) -> None:
        label = naming.pick(self.rng, naming.SERVICES if n == 0 else naming.WORKERS, taken)
        base = self.name(label)
        instance_type = self.rng.choice(APP_TYPES)
        sg = self._sg(f"{base}-sg", f"{label} instances", [self._from_group(8080, self.alb_sg, "from ALB")])
        desired = self.rng.randrange(3, 6) if n == 0 else self.rng.randrange(2, 4)
        tg_name = naming.joined(self.rng, self.product, label, "tg")[:32].replace("_", "-")
        svc = Service(
            name=label,
            asg_name=f"{base}-asg" if self.rng.random() < 0.5 else base,
            asg_arn="",
            tg_name=tg_name,
            tg_arn=(
                f"arn:aws:elasticloadbalancing:{self.region}:{self.account_id}:targetgroup/"
                f"{tg_name}/{self.ids.hex(16)}"
            ),
            role_name=naming.joined(self.rng, self.product, label, "instance-role"),
            launch_template_id=self.ids.ec2("lt"),
            launch_template_version=self.rng.randrange(3, 40),
            instance_type=instance_type,
            image_id=self.ids.ec2("ami"),
            sg_id=sg,
            path="/" if n == 0 else f"/{label}/*",
            desired=desired,
            min_size=max(1, desired - 1),
            max_size=desired + self.rng.randrange(3, 8),
            health_check_type="ELB",
            grace_seconds=self.rng.choice([120, 180, 300]),
            log_group=self.rng.choice([f"/{self.env}/{label}/app", f"/ec2/{base}", f"{base}-application"]),
        )
        svc.asg_arn = (
            f"arn:aws:autoscaling:{self.region}:{self.account_id}:autoScalingGroup:"
            f"{self.ids.uuid()}:autoScalingGroupName/{svc.asg_name}"
        )
        self.roles[svc.role_name] = (f"EC2 instance role for {label}", "ec2.amazonaws.com")
        for k in range(desired):
            self.launch(svc, self.window.start - timedelta(hours=self.rng.randrange(20, 900)), k)
        self.services.append(svc)

    def launch(self, svc: Service, when: datetime, k: int | None = None) -> Instance:
        """A new instance of `svc`, placed in AZs round-robin like Auto Scaling's AZ balancing."""
        alive = svc.alive(when)
        counts = {az: sum(1 for i in alive if i.az == az) for az in self.azs}
        az = (
            min(self.azs, key=lambda a: (counts[a], self.rng.random()))
            if k is None
            else self.azs[k % len(self.azs)]
        )
        subnet = next(s for s in self.private_subnets if s["AvailabilityZone"] == az)
        cidr = subnet["CidrBlock"]
        inst = Instance(
            id=self.ids.ec2("i"),
            service=svc,
            subnet=subnet,
            private_ip=self.ids.ip(cidr),
            instance_type=svc.instance_type,
            launched=when,
            volume_id=self.ids.ec2("vol"),
            eni_id=self.ids.ec2("eni"),
        )
        svc.instances.append(inst)
        return inst

    def _draw_database(self) -> None:
        cluster = self.name(self.rng.choice(["db", "aurora", "mysql", "rds"]), hyphens=True)
        self.roles["rds-monitoring-role"] = ("Enhanced monitoring for RDS", "monitoring.rds.amazonaws.com")
        sg = self._sg(
            f"{cluster}-sg",
            "Aurora MySQL",
            [self._from_groups(3306, [(s.sg_id, f"from {s.name}") for s in self.services])],
        )
        writer = f"{cluster}-instance-1"
        readers = [f"{cluster}-instance-{k}" for k in range(2, 2 + self.rng.choice([1, 1, 2]))]
        members = [writer, *readers]
        cls_ = self.rng.choice(sorted(DB_CLASSES))
        self.database = Database(
            cluster_id=cluster,
            cluster_arn=f"arn:aws:rds:{self.region}:{self.account_id}:cluster:{cluster}",
            resource_id="cluster-" + self.ids.upper(26),
            engine_version=self.rng.choice(AURORA_VERSIONS),
            instance_class=cls_,
            writer=writer,
            readers=readers,
            instance_azs={m: self.azs[k % len(self.azs)] for k, m in enumerate(members)},
            dbi_resource_ids={m: "db-" + self.ids.upper(26) for m in members},
            sg_id=sg,
            port=3306,
            max_connections=DB_CLASSES[cls_],
            subnet_group=f"{cluster}-subnets",
            endpoint=f"{cluster}.cluster-{self.ids.hex(12)}.{self.region}.rds.amazonaws.com",
            parameter_group=f"{cluster}-params",
        )

    def _draw_function(self, taken: set[str]) -> None:
        base = naming.pick(self.rng, naming.FUNCTIONS, taken)
        name = naming.joined(self.rng, self.env, base) if self.rng.random() < 0.6 else base
        role = f"{name}-role"
        self.roles[role] = (f"Execution role for {name}", "lambda.amazonaws.com")
        self.functions.append(
            Function(
                name=name,
                arn=f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}",
                role_name=role,
                runtime=self.rng.choice(RUNTIMES),
                memory=self.rng.choice([256, 512, 1024, 1769]),
                timeout=self.rng.choice([10, 15, 30, 60]),
                reserved=self.rng.choice([None, None, 20, 50, 100, 200]),
                last_modified=self.window.start
                - timedelta(days=self.rng.randrange(1, 60), seconds=self.rng.randrange(86400)),
                code_sha=self.ids.upper(43) + "=",
                log_group=f"/aws/lambda/{name}",
            )
        )

    # --- derived names ----------------------------------------------------------------------------

    def role_id(self, role: str) -> str:
        """The role's unique id (AROA...), minted on first use so CloudTrail and IAM agree."""
        if role not in self._role_ids:
            self._role_ids[role] = self.ids.principal()
        return self._role_ids[role]

    def role_arn(self, role: str) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{role}"

    def instance_arn(self, instance_id: str) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account_id}:instance/{instance_id}"

    def sg_arn(self, group_id: str) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account_id}:security-group/{group_id}"

    def db_log_groups(self) -> list[str]:
        return [f"/aws/rds/cluster/{self.database.cluster_id}/{kind}" for kind in self.db_log_exports]

    def log_groups(self, *, instance_logs: bool = True) -> list[str]:
        groups = [f.log_group for f in self.functions] + self.db_log_groups() + self.extra_log_groups
        if instance_logs:
            groups += [s.log_group for s in self.services]
        return groups

    def instances(self) -> list[Instance]:
        return [i for s in self.services for i in s.instances]

    def service_of(self, instance_id: str) -> Service:
        return next(i.service for i in self.instances() if i.id == instance_id)
