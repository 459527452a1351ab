"""describe_resources: the resources behind a name, tag or ARN, and their neighbours, as a typed graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.apis import graph_apis, listed_apis
from tools.buckets import walk_buckets
from tools.caches import walk_caches
from tools.certificates import walk_certificates, walk_listeners
from tools.dns import DNS_NAME, ZONE_ID, DnsIndex, plain, walk_dns, walk_pointing_at
from tools.endpoints import walk_vpc_endpoints
from tools.errors import OperationUnsupported
from tools.functions import mapping_of
from tools.policies import parse_policy
from tools.queues import redrive_of
from tools.redact import WEB_URL, data_endpoint, names_parameter, names_table
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, ResourceGraph, cut
from tools.resource_walk import GraphWalk
from tools.scaling import graph_attrs, group_graph_attrs
from tools.secrets import secret_refs, walk_secrets
from tools.streams import walk_streams
from tools.topics import subscription_of
from tools.workflows import Invokers, walk_state_machines

MAX_TAGGED = 20  # instances or groups one tag may resolve to (context budget)
MAX_TASKS = 10  # ECS tasks shown per service
MAX_TARGETS = 50  # targets followed per target group
MAX_MAPPINGS = 20  # event-source mappings and dead-letter sources followed per function or queue

_LB_NAME = re.compile(r"[A-Za-z0-9-]{1,32}")
_RDS_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}")
_LAMBDA_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_ARN = re.compile(r"arn:[\w-]+:([\w-]+):([\w-]*):(\d*):(.+)")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?")
MAX_ROLES_READ = 6  # roles whose inline policies are read in one walk
MAX_POLICIES_READ = 5  # inline policies read per role
MAX_PROFILE_INSTANCES = 50  # instances linked to their instance profile's role
MAX_PROXIES = 10  # RDS Proxies checked for the databases in the graph
_ECS_SERVICE = re.compile(r"[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}")  # "cluster/service"
_QUEUE_URL = re.compile(r"https://(sqs\.[\w.-]+|queue\.amazonaws\.com)/\d{12}/[A-Za-z0-9_.-]{1,80}")


# An image in ECR as a task definition names it: by tag (mutable unless the repository forbids it) or by
# digest (one image for good).
_ECR_IMAGE = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)


class DescribeResourcesInput(BaseModel):
    """Arguments of describe_resources."""

    refs: list[str] = Field(
        min_length=1,
        max_length=10,
        description="what to describe: names, ids (i-, vol-, sg-, subnet-, vpc-), ARNs, cluster/service "
        "for an ECS service, or tags as key=value",
    )
    ecs_cluster: str | None = Field(default=None, description="the ECS cluster, to find services by name")
    include_network: bool = Field(
        default=True,
        description="add subnets, VPCs, security groups, network ACLs, route tables, TGW attachments",
    )
    max_nodes: int = Field(
        default=80, ge=5, le=200, description="nodes in the graph at most (context budget)"
    )


class _Builder(GraphWalk):
    """Resolves references and walks to neighbours, one batched describe per kind and round."""

    def __init__(self, ctx: ToolContext, args: DescribeResourcesInput) -> None:
        super().__init__(ctx, args.max_nodes)
        self.args = args
        self._subscriptions: list[dict[str, Any]] | None = None  # the account's, read once
        self._invokers = Invokers()
        self._apis: list[tuple[str, str, str]] | None = None  # the account's APIs, read once
        self._dns = DnsIndex(self)  # the account's hosted zones and records, read once
        self._proxies: list[tuple[dict[str, Any], set[str]]] | None = (
            None  # proxies and what they front, read once
        )
        self.grants: list[tuple[str, str]] = []  # (role, resource ARN) its inline policies allow
        self.profiles: dict[str, list[str]] = {}  # instance profile ARN -> the instances launched with it

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, ref: str) -> set[str]:
        """The ids a reference resolved to (still to be described)."""
        ref = ref.strip()
        self.wanted = set()
        arn = _ARN.fullmatch(ref)
        if arn:
            self._resolve_arn(ref, arn.group(1), arn.group(4))
        elif _QUEUE_URL.fullmatch(ref):
            self.want("sqs_queue", ref)
        elif re.fullmatch(r"service/[\w-]{1,255}/[\w-]{1,255}", ref):
            # The form Application Auto Scaling and ECS metrics name a service by: service/<cluster>/<name>.
            self.want("ecs_service", ref.split("/", 1)[1])
        elif re.fullmatch(r"vpce-[0-9a-f]{8,17}", ref):
            self.want("vpc_endpoint", ref)
        elif ZONE_ID.fullmatch(ref):
            self.want("hosted_zone", ZONE_ID.fullmatch(ref).group(1))  # type: ignore[union-attr]
        elif re.fullmatch(r"(i|vol|sg|subnet|vpc)-[0-9a-f]{8,17}", ref):
            kind = {
                "i": "instance",
                "vol": "volume",
                "sg": "security_group",
                "subnet": "subnet",
                "vpc": "vpc",
            }
            self.want(kind[ref.split("-")[0]], ref)
        elif _ECS_SERVICE.fullmatch(ref):
            self.want("ecs_service", ref)
        elif "=" in ref:
            key, value = ref.split("=", 1)
            self._resolve_tag(key.strip(), value.strip())
        else:
            self._resolve_name(ref)
        return set(self.wanted)

    def _resolve_arn(self, arn: str, service: str, resource: str) -> None:
        if service == "elasticloadbalancing" and resource.startswith(
            ("loadbalancer/app/", "loadbalancer/net/", "loadbalancer/gwy/")
        ):
            self.want("load_balancer", arn)
        elif service == "elasticloadbalancing" and resource.startswith("targetgroup/"):
            self.want("target_group", arn)
        elif service == "elasticloadbalancing" and resource.startswith("listener/"):
            self.want("listener", arn)
        elif service == "acm" and resource.startswith("certificate/"):
            self.want("certificate", arn)
        elif service == "autoscaling" and "autoScalingGroupName/" in resource:
            self.want("asg", resource.split("autoScalingGroupName/", 1)[1])
        elif service == "lambda" and resource.startswith("function:"):
            self.want("lambda", resource.split(":")[1])
        elif service == "rds" and resource.startswith(("cluster:", "db:")):
            self.want(
                "rds_cluster" if resource.startswith("cluster:") else "rds_instance",
                resource.split(":", 1)[1],
            )
        elif service == "dynamodb" and resource.startswith("table/"):
            self.want("table", resource.split("/")[1])
        elif service == "ecs" and resource.startswith("service/") and resource.count("/") == 2:
            self.want("ecs_service", resource.split("/", 1)[1])
        elif service == "sqs":
            self.want("sqs_queue", arn)
        elif service == "sns" and resource.count(":") == 0:
            self.want("sns_topic", arn)
        elif service == "secretsmanager" and resource.startswith("secret:"):
            self.want("secret", arn)
        elif service == "states" and resource.startswith(("stateMachine:", "execution:")):
            self.want(
                "state_machine",
                arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
                if resource.startswith("execution:")
                else arn,
            )
        elif service == "elasticache" and resource.startswith(("cluster:", "replicationgroup:")):
            self.want("elasticache", resource.split(":", 1)[1])
        elif service == "kinesis" and resource.startswith("stream/"):
            self.want("kinesis_stream", arn)
        elif service == "s3" and resource and "/" not in resource:
            self.want("s3_bucket", resource)
        elif service == "apigateway" and re.match(r"/(restapis|apis)/\w+", resource):
            kind, api_id = resource.split("/")[1:3]
            self.want("api_gateway", f"{'rest' if kind == 'restapis' else 'http'}:{api_id}")
            self.wanted.add(api_id)
        elif service == "ec2" and "/" in resource:
            self.resolve(resource.split("/", 1)[1])  # ec2 ARNs end in the resource's id

    def _resolve_tag(self, key: str, value: str) -> None:
        flt = [{"Name": f"tag:{key}", "Values": [value]}]
        asgs = self.call(
            "autoscaling", "DescribeAutoScalingGroups", probe=True, Filters=flt, MaxRecords=MAX_TAGGED
        )
        for group in (asgs or {}).get("AutoScalingGroups", []):
            self.want("asg", group["AutoScalingGroupName"])
        page = self.call(
            "ec2",
            "DescribeInstances",
            probe=True,
            Filters=[
                *flt,
                {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
            ],
            MaxResults=MAX_TAGGED,
        )
        for res in (page or {}).get("Reservations", []):
            for inst in res.get("Instances", []):
                self.want("instance", inst["InstanceId"])

    def _resolve_name(self, name: str) -> None:
        asgs = self.call("autoscaling", "DescribeAutoScalingGroups", probe=True, AutoScalingGroupNames=[name])
        if (asgs or {}).get("AutoScalingGroups"):
            self.want("asg", name)
        if _LB_NAME.fullmatch(name):
            lbs = self.call("elbv2", "DescribeLoadBalancers", probe=True, Names=[name])
            for lb in (lbs or {}).get("LoadBalancers", []):
                self.want("load_balancer", lb["LoadBalancerArn"])
            tgs = self.call("elbv2", "DescribeTargetGroups", probe=True, Names=[name])
            for tg in (tgs or {}).get("TargetGroups", []):
                self.want("target_group", tg["TargetGroupArn"])
        if _LAMBDA_NAME.fullmatch(name) and self.call(
            "lambda", "GetFunctionConfiguration", probe=True, FunctionName=name
        ):
            self.want("lambda", name)
        if _RDS_ID.fullmatch(name):
            if self.call("rds", "DescribeDBClusters", probe=True, DBClusterIdentifier=name):
                self.want("rds_cluster", name)
            if self.call("rds", "DescribeDBInstances", probe=True, DBInstanceIdentifier=name):
                self.want("rds_instance", name)
        if _TABLE_NAME.fullmatch(name) and self.call("dynamodb", "DescribeTable", probe=True, TableName=name):
            self.want("table", name)
        if _QUEUE_NAME.fullmatch(name):
            found = self.call("sqs", "GetQueueUrl", probe=True, QueueName=name)
            if found:
                self.want("sqs_queue", found["QueueUrl"])
        if self.args.ecs_cluster:
            page = self.call(
                "ecs", "DescribeServices", probe=True, cluster=self.args.ecs_cluster, services=[name]
            )
            for svc in (page or {}).get("services", []):
                self.want("ecs_service", f"{svc['clusterArn'].rsplit('/', 1)[-1]}/{svc['serviceName']}")
        if self._apis is None:
            self._apis = listed_apis(self)
        for kind, api_id, api_name in self._apis:
            if name in (api_id, api_name):
                self.want("api_gateway", f"{kind}:{api_id}")
                self.wanted.add(api_id)  # the node's id, for telling resolved from unresolved
        self._resolve_tag("Name", name)
        if not self.wanted:  # none of the above: a stream or cache (named by an alarm's dimension)
            self.want("kinesis_stream", name)
            self.want("elasticache_guess", name)
        if DNS_NAME.fullmatch(name):  # a hostname: the record sets that answer it, if a zone here holds it
            self.want("dns_name", plain(name))

    # --- expansion -------------------------------------------------------------------------------

    def expand(self) -> None:
        steps: list[tuple[str, Callable[[list[str]], None]]] = [
            ("asg", self._asgs),
            ("ecs_service", self._ecs_services),
            ("lambda", self._lambdas),
            ("load_balancer", self._load_balancers),
            ("target_group", self._target_groups),
            ("rds_cluster", self._rds_clusters),
            ("rds_instance", self._rds_instances),
            ("rds_proxies_of", self._rds_proxies),
            ("table", self._tables),
            ("sqs_queue", self._queues),
            ("sns_topic", self._topics),
            ("secret", lambda ids: walk_secrets(self, ids)),
            ("s3_bucket", lambda ids: walk_buckets(self, ids)),
            ("state_machine", lambda ids: walk_state_machines(self, ids)),
            ("kinesis_stream", lambda ids: walk_streams(self, ids)),
            ("elasticache", lambda ids: walk_caches(self, ids)),
            ("elasticache_guess", lambda ids: walk_caches(self, ids, guess=True)),
            ("vpc_endpoint", lambda ids: walk_vpc_endpoints(self, ids)),
            ("api_gateway", lambda refs: graph_apis(self, refs)),
            ("hosted_zone", lambda ids: walk_dns(self, self._dns, ids)),
            ("dns_name", lambda names: walk_dns(self, self._dns, names)),
            ("dns_pointing_at", lambda arns: walk_pointing_at(self, self._dns, arns)),
            ("listener", lambda arns: walk_listeners(self, [], listeners=arns)),
            ("listeners_of", lambda arns: walk_listeners(self, arns)),
            ("certificate", lambda arns: walk_certificates(self, arns)),
            ("instance", self._instances),
            ("volume", self._volumes),
            ("instance_profile", self._instance_profiles),
            ("role_policies", self._role_policies),
        ]
        if self.args.include_network:
            steps += [
                ("subnet", self._subnets),
                ("vpc", self._vpcs),
                ("security_group", self._security_groups),
                ("vpc_endpoints_of", lambda ids: walk_vpc_endpoints(self, [], vpcs=ids)),
            ]
        for _ in range(6):  # each round follows one more hop; the graph is shallow
            progressed = False
            for kind, step in steps:
                ids = self.take(kind)
                if ids and not self.full():
                    step(ids)
                    progressed = True
            if not progressed:
                break
        self._granted()
        if self.args.include_network:
            self._network_around()

    def _asgs(self, names: list[str]) -> None:
        page = self.call("autoscaling", "DescribeAutoScalingGroups", AutoScalingGroupNames=names[:50])
        for g in (page or {}).get("AutoScalingGroups", []):
            name = g["AutoScalingGroupName"]
            unhealthy = [
                i["InstanceId"] for i in g.get("Instances", []) if i.get("HealthStatus") != "Healthy"
            ]
            template = g.get("LaunchTemplate") or (g.get("MixedInstancesPolicy") or {}).get(
                "LaunchTemplate", {}
            ).get("LaunchTemplateSpecification", {})
            attrs = {
                "capacity": f"desired {g.get('DesiredCapacity')} min {g.get('MinSize')} max {g.get('MaxSize')}",
                "instances": str(len(g.get("Instances", []))),
                "health_check": f"{g.get('HealthCheckType')} grace {g.get('HealthCheckGracePeriod')}s",
            }
            if template:
                attrs["launch_template"] = (
                    f"{template.get('LaunchTemplateName') or template.get('LaunchTemplateId')}:{template.get('Version')}"
                )
            if g.get("SuspendedProcesses"):
                attrs["warning"] = "suspended: " + ",".join(p["ProcessName"] for p in g["SuspendedProcesses"])
            if unhealthy:
                attrs["unhealthy"] = "unhealthy instances: " + ",".join(unhealthy[:10])
            attrs |= group_graph_attrs(self, name)
            if not self.add(
                Node(kind="asg", id=name, name=name, state=g.get("Status") or "active", attrs=attrs)
            ):
                return
            # Keyed by its id alone: a template is often named after its group, and the graph would
            # take one for the other.
            template_id = template.get("LaunchTemplateId")
            if template_id and self.add(Node(kind="launch_template", id=template_id)):
                # What the group launches from holds its instances' settings (image, metadata options,
                # user data): a new version reaches the instances launched after it.
                self.link(name, template_id, "launches_from")
            for inst in g.get("Instances", []):
                self.want("instance", inst["InstanceId"])
                self.link(inst["InstanceId"], name, "member_of")
            for arn in g.get("TargetGroupARNs", []):
                self.want("target_group", arn)
                self.link(name, arn, "registers_in")
            for subnet in filter(None, (g.get("VPCZoneIdentifier") or "").split(",")):
                self.want("subnet", subnet.strip())
                self.link(name, subnet.strip(), "in_subnet")

    def _instances(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 100):
            # A filter, not InstanceIds: an instance gone since the group listed it (a replacement
            # loop terminates them every few minutes) must not fail the others.
            flt = [{"Name": "instance-id", "Values": ids[i : i + 100]}]
            page = self.call("ec2", "DescribeInstances", Filters=flt)
            for res in (page or {}).get("Reservations", []):
                for inst in res.get("Instances", []):
                    self._instance(inst)

    def _instance(self, inst: dict[str, Any]) -> None:
        iid = inst["InstanceId"]
        tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
        attrs = {"type": str(inst.get("InstanceType")), "private_ip": str(inst.get("PrivateIpAddress"))}
        if inst.get("LaunchTime"):
            attrs["launched"] = inst["LaunchTime"].isoformat()
        reason = (inst.get("StateReason") or {}).get("Message")
        if reason and inst.get("State", {}).get("Name") != "running":
            attrs["warning"] = cut(reason)
        node = Node(
            kind="instance",
            id=iid,
            name=tags.get("Name"),
            state=inst.get("State", {}).get("Name"),
            az=(inst.get("Placement") or {}).get("AvailabilityZone"),
            attrs=attrs,
        )
        if not self.add(node):
            return
        profile = (inst.get("IamInstanceProfile") or {}).get("Arn")
        if profile and ":instance-profile/" in profile:
            self.profiles.setdefault(profile, []).append(iid)
            self.want("instance_profile", profile)
        if tags.get("aws:autoscaling:groupName"):
            self.want("asg", tags["aws:autoscaling:groupName"])
            self.link(iid, tags["aws:autoscaling:groupName"], "member_of")
        for bdm in inst.get("BlockDeviceMappings", []):
            vol = (bdm.get("Ebs") or {}).get("VolumeId")
            self.want("volume", vol)
            if vol:
                self.link(iid, vol, "uses_volume")
        self._placement(
            iid,
            inst.get("SubnetId"),
            inst.get("VpcId"),
            [g["GroupId"] for g in inst.get("SecurityGroups", [])],
        )

    def _optional(self, service: str, op: str, **params: Any) -> dict[str, Any] | None:
        """A read that may be missing without harm: absent, denied or not answerable (a recording
        that did not capture it) is None."""
        try:
            return self.call(service, op, probe=True, **params)
        except OperationUnsupported:
            return None

    def _instance_profiles(self, arns: list[str]) -> None:
        """An instance acts as the role of the instance profile it was launched with: what that role's
        policies allow (a key, a secret) is on its path. When the profile cannot be read, the role of
        the same name stands for it, as the console and most tools create them, if such a role exists."""
        for arn in arns[:MAX_ROLES_READ]:
            name = arn.rsplit("/", 1)[-1]
            page = self._optional("iam", "GetInstanceProfile", InstanceProfileName=name)
            roles = [r["Arn"] for r in ((page or {}).get("InstanceProfile") or {}).get("Roles", [])]
            same = self._optional("iam", "GetRole", RoleName=name) if page is None else None
            if same and (same.get("Role") or {}).get("Arn"):
                roles = [same["Role"]["Arn"]]
            for iid in self.profiles.get(arn, [])[:MAX_PROFILE_INSTANCES]:
                self._roles(iid, [(role, "assumes") for role in roles])

    def _volumes(self, ids: list[str]) -> None:
        # A filter, not VolumeIds: one volume deleted since its instance was read must not fail them all.
        page = self.call("ec2", "DescribeVolumes", Filters=[{"Name": "volume-id", "Values": ids[:200]}])
        for v in (page or {}).get("Volumes", []):
            attrs = {"size_gib": str(v.get("Size")), "type": str(v.get("VolumeType"))}
            if v.get("Iops"):
                attrs["iops"] = str(v["Iops"])
            self.add(
                Node(
                    kind="volume",
                    id=v["VolumeId"],
                    state=v.get("State"),
                    az=v.get("AvailabilityZone"),
                    attrs=attrs,
                )
            )
            key = v.get("KmsKeyId")
            if v.get("Encrypted") and key:
                # The key must be usable for the volume to attach: a disabled key stops the instance.
                # DescribeVolumes gives the key's ARN; the key itself is not described (no KMS read here).
                self.add(Node(kind="kms_key", id=key, attrs={}))
                self.link(v["VolumeId"], key, "encrypted_with")

    def _target_groups(self, arns: list[str]) -> None:
        page = self.call("elbv2", "DescribeTargetGroups", TargetGroupArns=arns[:20])
        for tg in (page or {}).get("TargetGroups", []):
            arn = tg["TargetGroupArn"]
            attrs = {
                "target": f"{tg.get('Protocol')}:{tg.get('Port')} {tg.get('TargetType')}",
                "health_check": f"{tg.get('HealthCheckProtocol')}:{tg.get('HealthCheckPort')}{tg.get('HealthCheckPath', '')}",
            }
            health = self.call("elbv2", "DescribeTargetHealth", TargetGroupArn=arn) or {}
            described = health.get("TargetHealthDescriptions", [])
            states = [d.get("TargetHealth", {}).get("State") for d in described]
            bad = [
                f"{d['Target']['Id']} {d['TargetHealth'].get('State')} {d['TargetHealth'].get('Reason', '')}"
                for d in described
                if d.get("TargetHealth", {}).get("State") not in ("healthy", None)
            ]
            if bad:
                attrs["unhealthy"] = cut("; ".join(bad))
            state = f"{states.count('healthy')}/{len(states)} healthy"
            if not self.add(
                Node(kind="target_group", id=arn, name=tg.get("TargetGroupName"), state=state, attrs=attrs)
            ):
                return
            for lb in tg.get("LoadBalancerArns", []):
                self.want("load_balancer", lb)
                self.link(lb, arn, "forwards_to")
            for d in described[:MAX_TARGETS]:
                target = str(d["Target"]["Id"])
                if target.startswith("i-"):
                    self.want("instance", target)
                self.link(arn, target, "routes_to")

    def _load_balancers(self, arns: list[str]) -> None:
        page = self.call("elbv2", "DescribeLoadBalancers", LoadBalancerArns=arns[:20])
        for lb in (page or {}).get("LoadBalancers", []):
            arn = lb["LoadBalancerArn"]
            state = lb.get("State", {})
            attrs = {"type": f"{lb.get('Type')} {lb.get('Scheme')}", "dns": str(lb.get("DNSName"))}
            if state.get("Reason"):
                attrs["warning"] = cut(state["Reason"])
            node = Node(
                kind="load_balancer",
                id=arn,
                name=lb.get("LoadBalancerName"),
                state=state.get("Code"),
                attrs=attrs,
            )
            if not self.add(node):
                return
            self.want("dns_pointing_at", arn)  # the names clients reach it by
            self.want("listeners_of", arn)  # its TLS listeners and the certificates they present
            subnets = [z["SubnetId"] for z in lb.get("AvailabilityZones", []) if z.get("SubnetId")]
            for subnet in subnets:
                self._placement(arn, subnet, None, [])
            self._placement(arn, None, None if subnets else lb.get("VpcId"), lb.get("SecurityGroups", []))
            if arn in self.seeds or not any(
                e.source == arn and e.relation == "forwards_to" for e in self.edges
            ):
                tgs = self.call("elbv2", "DescribeTargetGroups", LoadBalancerArn=arn)
                for tg in (tgs or {}).get("TargetGroups", []):
                    self.want("target_group", tg["TargetGroupArn"])
                    self.link(arn, tg["TargetGroupArn"], "forwards_to")

    def _lambdas(self, names: list[str]) -> None:
        for name in names:
            cfg = self.call("lambda", "GetFunctionConfiguration", FunctionName=name)
            if cfg is None:
                continue
            conc = self.call("lambda", "GetFunctionConcurrency", FunctionName=name) or {}
            reserved = conc.get("ReservedConcurrentExecutions")
            attrs = {
                "runtime": str(cfg.get("Runtime") or cfg.get("PackageType")),
                "memory_mb": str(cfg.get("MemorySize")),
                "timeout_s": str(cfg.get("Timeout")),
                "reserved_concurrency": "unreserved" if reserved is None else str(reserved),
                "last_modified": str(cfg.get("LastModified")),
            }
            if reserved == 0:
                attrs["warning"] = "reserved concurrency 0: every invocation is throttled"
            elif cfg.get("LastUpdateStatus") == "Failed":
                attrs["warning"] = cut(f"last update failed: {cfg.get('LastUpdateStatusReason')}")
            fname = cfg["FunctionName"]
            if not self.add(Node(kind="lambda", id=fname, name=fname, state=cfg.get("State"), attrs=attrs)):
                return
            self._roles(fname, [(cfg.get("Role"), "assumes")])
            self._configured(fname, (cfg.get("Environment") or {}).get("Variables") or {}, [])
            vpc = cfg.get("VpcConfig") or {}
            for subnet in vpc.get("SubnetIds", []):
                self._placement(fname, subnet, None, [])
            if vpc.get("VpcId") and vpc.get("SubnetIds"):
                # Its VPC by name, not only through its subnets (which may not be readable).
                self.want("vpc", vpc["VpcId"])
                self.want("vpc_endpoints_of", vpc["VpcId"])
                self.link(fname, vpc["VpcId"], "in_vpc")
            self._placement(fname, None, None, vpc.get("SecurityGroupIds", []))
            self._publishers(fname, cfg.get("FunctionArn"))
            for machine in self._invokers.of(self, fname):
                self.want("state_machine", machine)
                self.link(machine, fname, "invokes")
            dead_letter = (cfg.get("DeadLetterConfig") or {}).get("TargetArn") or ""
            if ":sqs:" in dead_letter:
                self.want("sqs_queue", dead_letter)
                self.link(fname, dead_letter, "dead_letters_to")
            page = self.call("lambda", "ListEventSourceMappings", FunctionName=fname, MaxItems=MAX_MAPPINGS)
            for m in (page or {}).get("EventSourceMappings", []):
                self._event_source(m, fname)

    def _image(self, node: str, image: str) -> None:
        """An ECR image a service's tasks run by tag (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`):
        a tag is resolved when a deployment starts its tasks, so whatever was pushed to that tag last is
        what the next deployment runs (`runs_image`, the tags on the repository node). An image pinned by
        digest names one image for good and is no such setting."""
        m = _ECR_IMAGE.fullmatch(image.strip())
        if not m or m.group("digest"):
            return
        account, region, repo, tag = m.group("account", "region", "repo", "tag")
        arn = f"arn:aws:ecr:{region}:{account}:repository/{repo}"
        tag = tag or "latest"
        known = self.nodes.get(arn)
        if known is not None:
            tags = {t for t in str(known.attrs.get("tags_run", "")).split(",") if t} | {tag}
            known.attrs["tags_run"] = ",".join(sorted(tags))
        elif not self.add(Node(kind="ecr_repository", id=arn, name=repo, attrs={"tags_run": tag})):
            return
        self.link(node, arn, "runs_image")

    def _configured(self, node: str, env: dict[str, str], settings: list[str]) -> None:
        """What a function or service is configured to use, from its own configuration (no extra call):
        the parameters and secrets injected at start (`reads_at_start`: read when a task starts, so an
        edit takes effect at the next start); parameters whose names the code is handed
        (`reads_setting`: it reads them itself, when it decides); the queues and topics its environment
        names; and the hosts of the URLs in it (attribute `calls`, `KEY=host`: the key is how the code
        names the dependency). Only host names are kept from values: never a value itself (it may
        carry a credential)."""
        for ref in settings:
            if ":secretsmanager:" in ref:
                arn = ":".join(ref.split(":")[:7])  # without a JSON key or version suffix
                self.want("secret", arn)
                self.link(node, arn, "reads_at_start")
            elif ":ssm:" in ref or ref.startswith("/"):
                name = ref.split(":parameter", 1)[-1] if ":ssm:" in ref else ref
                if self.add(
                    Node(
                        kind="ssm_parameter", id=name, name=name, attrs={"arn": ref if ":ssm:" in ref else ""}
                    )
                ):
                    self.link(node, name, "reads_at_start")
        hosts: list[str] = []
        for key, value in sorted(env.items()):
            value = str(value).strip()
            queue = _QUEUE_URL.fullmatch(value)
            if queue or value.startswith(("arn:aws:sqs:", "arn:aws:sns:")):
                kind = "sns_topic" if value.startswith("arn:aws:sns:") else "sqs_queue"
                self.want(kind, value)
                self.link(node, value, "sends_to")
                continue
            table = names_table(key, value)
            if table and self.call("dynamodb", "DescribeTable", probe=True, TableName=table):
                # A table the code is handed by name: what it reads and writes (checked to exist, so a
                # name that only looks like a table's is not one).
                self.want("table", table)
                self.link(node, table, "uses_table")
                continue
            url = WEB_URL.match(value)
            endpoint = data_endpoint(value)
            if endpoint:
                # A database's, proxy's or cache node's own address: it is on the path by name.
                hosts.append(f"{key}={endpoint}")
                self._want_endpoint(endpoint)
            elif url and not url.group(2).endswith(".amazonaws.com"):
                hosts.append(f"{key}={url.group(2).lower()}")
            elif names_parameter(key, value) and self.add(Node(kind="ssm_parameter", id=value, name=value)):
                # A parameter's name handed to the code, which reads it itself (when, the code decides).
                self.link(node, value, "reads_setting")
        if hosts and node in self.nodes:
            self.nodes[node].attrs["calls"] = cut(" ".join(hosts[:8]))

    def _want_endpoint(self, host: str) -> None:
        """Describe what an AWS data-store endpoint names: `NAME.cluster-(ro-)x.region.rds` a cluster,
        `NAME.x.region.rds` an instance (a proxy's `NAME.proxy-x` is found from its database), and
        `master.NAME.x`, `replica.NAME.x`, `clustercfg.NAME.x` or `NAME.x` under `cache.amazonaws.com` a
        replication group or cache cluster."""
        labels = host.split(".")
        if len(labels) < 4:
            return
        if host.endswith(".cache.amazonaws.com"):
            self.want(
                "elasticache_guess",
                labels[1] if labels[0] in ("master", "replica", "clustercfg") else labels[0],
            )
        elif host.endswith(".rds.amazonaws.com") and not labels[1].startswith("proxy-"):
            self.want("rds_cluster" if labels[1].startswith("cluster-") else "rds_instance", labels[0])

    def _role_policies(self, arns: list[str]) -> None:
        """What a role's inline policies allow on named resources: the keys, parameters and secrets its
        holders use are on their path (a key's request quota, a parameter's throughput, a secret's
        rotation reach them through it). Wildcards name no one resource and are left out."""
        for arn in arns[:MAX_ROLES_READ]:
            role = arn.rsplit("/", 1)[-1]
            listed = self.call("iam", "ListRolePolicies", probe=True, RoleName=role) or {}
            for name in listed.get("PolicyNames", [])[:MAX_POLICIES_READ]:
                page = self.call("iam", "GetRolePolicy", probe=True, RoleName=role, PolicyName=name) or {}
                statements, _ = parse_policy(page.get("PolicyDocument") or {})
                for s in statements:
                    if s.effect != "Allow":
                        continue
                    for resource in s.resources:
                        if "*" not in resource and resource.startswith("arn:"):
                            self.grants.append((arn, resource))

    def _granted(self) -> None:
        """Link roles to the resources their policies name: keys and parameters as nodes of their own
        (nothing else describes them), anything else when the graph already holds it."""
        for role, resource in dict.fromkeys(self.grants):
            if role not in self.nodes:
                continue
            if ":kms:" in resource and ":key/" in resource:
                self.add(
                    Node(
                        kind="kms_key", id=resource, name=resource.rsplit("/", 1)[-1], attrs={"arn": resource}
                    )
                )
            elif ":ssm:" in resource and ":parameter/" in resource:
                name = "/" + resource.split(":parameter/", 1)[1]
                self.add(Node(kind="ssm_parameter", id=name, name=name, attrs={"arn": resource}))
                resource = name
            target = next(
                (k for k, n in self.nodes.items() if k == resource or n.attrs.get("arn") == resource), None
            )
            if target is not None:
                self.link(role, target, "may_use")

    def _roles(self, node: str, roles: list[tuple[str | None, str]]) -> None:
        """The IAM roles a function or service acts as, from its own configuration (no IAM call)."""
        for arn, relation in roles:
            if (
                arn
                and ":role/" in arn
                and self.add(Node(kind="iam_role", id=arn, name=arn.rsplit("/", 1)[-1]))
            ):
                self.want("role_policies", arn)
                self.link(node, arn, relation)

    def _reads_secrets(self, node: str, values: list[Any]) -> None:
        """Secrets a resource's configuration names (a database's managed master-user secret)."""
        for arn in secret_refs(values):
            self.want("secret", arn)
            self.link(node, arn, "reads_secret")

    def _publishers(self, node: str, arn: str | None) -> None:
        """Topics whose subscriptions deliver to this queue or function."""
        if not arn:
            return
        if self._subscriptions is None:
            listed = self.call("sns", "ListSubscriptions") or {}
            self._subscriptions = listed.get("Subscriptions", [])
            if listed.get("NextToken"):
                self.gaps.append("sns:ListSubscriptions: only the first page was read")
        # a function subscribed by alias or version is still this function
        unqualified = re.sub(r"(:function:[^:]+):.*$", r"\1", arn)
        for sub in self._subscriptions:
            endpoint = str(sub.get("Endpoint", ""))
            if endpoint in (arn, unqualified) or endpoint.startswith(unqualified + ":"):
                self.want("sns_topic", sub["TopicArn"])
                self.link(sub["TopicArn"], node, "delivers_to")

    def _topics(self, arns: list[str]) -> None:
        for arn in arns:
            attrs_page = self.call("sns", "GetTopicAttributes", TopicArn=arn)
            if attrs_page is None:
                continue
            listed = (self.call("sns", "ListSubscriptionsByTopic", TopicArn=arn) or {}).get(
                "Subscriptions", []
            )
            subs = []
            for sub in listed[:MAX_MAPPINGS]:
                got: dict[str, Any] = {}
                if sub["SubscriptionArn"] != "PendingConfirmation":
                    got = (
                        self.call("sns", "GetSubscriptionAttributes", SubscriptionArn=sub["SubscriptionArn"])
                        or {}
                    )
                subs.append(subscription_of(sub, got.get("Attributes", {})))
            name = arn.rsplit(":", 1)[-1]
            attrs = {"arn": arn, "subscriptions": cut("; ".join(s.line() for s in subs) or "none")}
            pending = [s for s in subs if s.pending_confirmation]
            if pending or not subs:
                attrs["warning"] = (
                    f"{len(pending)} subscription(s) pending confirmation receive nothing"
                    if pending
                    else "no subscriptions: published messages reach nobody"
                )
            if not self.add(Node(kind="sns_topic", id=arn, name=name, state="available", attrs=attrs)):
                return
            for sub in subs:
                if ":sqs:" in sub.endpoint:
                    self.want("sqs_queue", sub.endpoint)
                    self.link(arn, sub.endpoint, "delivers_to")
                elif ":function:" in sub.endpoint:
                    function = sub.endpoint.split(":function:")[1].split(":")[0]
                    self.want("lambda", function)
                    self.link(arn, function, "delivers_to")

    def _event_source(self, mapping: dict[str, Any], function: str) -> None:
        """A poller that feeds `function`: its source is upstream of the function."""
        source = str(mapping.get("EventSourceArn") or "")
        if ":sqs:" in source:
            self.want("sqs_queue", source)
            self.link(source, function, "triggers")
        elif ":kinesis:" in source and ":stream/" in source:
            self.want("kinesis_stream", source)
            self.link(source, function, "triggers")

    def _queues(self, refs: list[str]) -> None:
        for ref in refs:
            url = ref
            if self.queue_named(re.split(r"[/:]", ref)[-1]):
                continue  # the same queue asked for by URL and by ARN
            if ref.startswith("arn:"):
                parts = ref.split(":", 5)
                found = self.call("sqs", "GetQueueUrl", QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])
                if found is None:
                    continue
                url = found["QueueUrl"]
            page = self.call("sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])
            if page is None:
                continue
            self._queue(url, page.get("Attributes", {}))

    def queue_named(self, name: str) -> bool:
        return any(n.kind == "sqs_queue" and n.name == name for n in self.nodes.values())

    def _queue(self, url: str, q: dict[str, str]) -> None:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        arn = q.get("QueueArn") or url  # queues and topics go by ARN: names repeat across kinds
        attrs = {
            "arn": q.get("QueueArn", ""),
            "url": url,
            "backlog": f"{q.get('ApproximateNumberOfMessages')} visible, "
            f"{q.get('ApproximateNumberOfMessagesNotVisible')} in flight",
            "visibility_timeout_s": q.get("VisibilityTimeout", ""),
            "retention_s": q.get("MessageRetentionPeriod", ""),
        }
        dlq, max_receives = redrive_of(q)
        if dlq:
            attrs["dead_letter_queue"] = f"{dlq.rsplit(':', 1)[-1]} after {max_receives} receives"
        mappings = []
        dead_from: list[str] = []
        if q.get("QueueArn"):
            page = self.call(
                "lambda", "ListEventSourceMappings", EventSourceArn=q["QueueArn"], MaxItems=MAX_MAPPINGS
            )
            mappings = (page or {}).get("EventSourceMappings", [])
            sources = self.call("sqs", "ListDeadLetterSourceQueues", QueueUrl=url, MaxResults=MAX_MAPPINGS)
            dead_from = [u.rstrip("/").rsplit("/", 1)[-1] for u in (sources or {}).get("queueUrls", [])]
            if dead_from:
                attrs["dead_letter_queue_of"] = cut(", ".join(dead_from))
                held = q.get("ApproximateNumberOfMessages", "0")
                if held not in ("0", ""):
                    attrs["warning"] = f"dead-letter queue holds {held} messages that failed processing"
        if mappings:
            consumers = [mapping_of(m) for m in mappings]
            attrs["consumers"] = cut("; ".join(c.line() for c in consumers))
            stopped = [c for c in consumers if c.state not in ("Enabled", "Enabling", "Creating", "Updating")]
            failing = [c for c in consumers if (c.last_processing_result or "").startswith("PROBLEM")]
            if stopped or failing:
                attrs["warning"] = cut(
                    "; ".join(
                        [f"consumer mapping {c.state}" for c in stopped]
                        + [f"consumer {c.last_processing_result}" for c in failing]
                    )
                )
        if not self.add(Node(kind="sqs_queue", id=arn, name=name, state="available", attrs=attrs)):
            return
        for edge in self.edges:  # a sender named it by URL: point the edge at the node
            if edge.target == url:
                edge.target = arn
        self._publishers(arn, q.get("QueueArn"))
        if dlq:
            self.want("sqs_queue", dlq)
            self.link(arn, dlq, "dead_letters_to")
        # A dead-letter queue fills with what its sources' consumers failed: the sources (same account
        # and region, by the API's own rule) and their consumers are on its path.
        for source in dead_from[:MAX_MAPPINGS]:
            source_arn = f"{arn.rsplit(':', 1)[0]}:{source}"
            self.want("sqs_queue", source_arn)
            self.link(source_arn, arn, "dead_letters_to")
        for m in mappings:
            function = str(m.get("FunctionArn") or "").split(":function:")[-1].split(":")[0]
            if function:
                self.want("lambda", function)
                self.link(arn, function, "triggers")

    def _ecs_services(self, refs: list[str]) -> None:
        by_cluster: dict[str, list[str]] = {}
        for ref in refs:
            cluster, name = ref.split("/", 1)
            by_cluster.setdefault(cluster, []).append(name)
        for cluster, names in by_cluster.items():
            page = self.call("ecs", "DescribeServices", cluster=cluster, services=names[:10])
            for svc in (page or {}).get("services", []):
                self._ecs_service(cluster, svc)

    def _ecs_service(self, cluster: str, svc: dict[str, Any]) -> None:
        sid = f"{cluster}/{svc['serviceName']}"
        deps = "; ".join(
            f"{d.get('status')} {d.get('taskDefinition', '').rsplit('/', 1)[-1]} {d.get('rolloutState', '')} "
            f"{d.get('runningCount')}/{d.get('desiredCount')} failed={d.get('failedTasks', 0)}"
            for d in svc.get("deployments", [])
        )
        attrs = {
            "counts": f"running {svc.get('runningCount')} pending {svc.get('pendingCount')} desired {svc.get('desiredCount')}",
            "deployments": cut(deps),
            "launch_type": str(svc.get("launchType") or "capacity provider"),
        }
        if any(d.get("rolloutState") == "FAILED" for d in svc.get("deployments", [])):
            attrs["warning"] = "a deployment rollout FAILED"
        attrs = graph_attrs(self, "ecs", f"service/{sid}") | attrs
        if not self.add(
            Node(kind="ecs_service", id=sid, name=svc["serviceName"], state=svc.get("status"), attrs=attrs)
        ):
            return
        if self.add(Node(kind="ecs_cluster", id=f"cluster/{cluster}", name=cluster)):
            self.link(sid, f"cluster/{cluster}", "in_cluster")
        for lb in svc.get("loadBalancers", []):
            if lb.get("targetGroupArn"):
                self.want("target_group", lb["targetGroupArn"])
                self.link(sid, lb["targetGroupArn"], "registers_in")
        net = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
        for subnet in net.get("subnets", []):
            self._placement(sid, subnet, None, [])
        self._placement(sid, None, None, net.get("securityGroups", []))
        if svc.get("taskDefinition"):
            # The roles its tasks act as: what their calls are allowed to do is decided there.
            try:
                page = self.call(
                    "ecs", "DescribeTaskDefinition", probe=True, taskDefinition=svc["taskDefinition"]
                )
            except ClientError as exc:  # a definition that cannot be read: a gap for this service only
                self.gaps.append(f"ecs:DescribeTaskDefinition {svc['taskDefinition']}: {exc}")
                page = None
            td = (page or {}).get("taskDefinition") or {}
            self._roles(sid, [(td.get("taskRoleArn"), "assumes"), (td.get("executionRoleArn"), "starts_as")])
            containers = td.get("containerDefinitions") or []
            for container in containers:
                self._image(sid, str(container.get("image") or ""))
            self._configured(
                sid,
                {
                    str(v.get("name")): str(v.get("value"))
                    for c in containers
                    for v in c.get("environment") or []
                },
                [
                    str(v.get("valueFrom"))
                    for c in containers
                    for v in c.get("secrets") or []
                    if v.get("valueFrom")
                ],
            )
        listed = self.call(
            "ecs", "ListTasks", cluster=cluster, serviceName=svc["serviceName"], maxResults=MAX_TASKS
        )
        arns = (listed or {}).get("taskArns", [])
        tasks = (
            (self.call("ecs", "DescribeTasks", cluster=cluster, tasks=arns) or {}).get("tasks", [])
            if arns
            else []
        )
        for task in tasks:
            tid = task["taskArn"].rsplit("/", 1)[-1]
            attrs = {"task_definition": task.get("taskDefinitionArn", "").rsplit("/", 1)[-1]}
            if task.get("healthStatus"):
                attrs["health"] = task["healthStatus"]
            if self.add(
                Node(
                    kind="ecs_task",
                    id=tid,
                    state=task.get("lastStatus"),
                    az=task.get("availabilityZone"),
                    attrs=attrs,
                )
            ):
                self.link(sid, tid, "runs_task")

    def _rds_clusters(self, ids: list[str]) -> None:
        for ident in ids:
            page = self.call("rds", "DescribeDBClusters", DBClusterIdentifier=ident)
            for c in (page or {}).get("DBClusters", []):
                cid = c["DBClusterIdentifier"]
                writer = [
                    m["DBInstanceIdentifier"]
                    for m in c.get("DBClusterMembers", [])
                    if m.get("IsClusterWriter")
                ]
                attrs = {
                    "engine": f"{c.get('Engine')} {c.get('EngineVersion')}",
                    "writer": ",".join(writer) or "none",
                    "multi_az": str(c.get("MultiAZ")),
                    # Its addresses, as its callers are configured with them.
                    "dns_names": " ".join(
                        str(c[k]).lower() for k in ("Endpoint", "ReaderEndpoint") if c.get(k)
                    ),
                }
                if not self.add(
                    Node(kind="rds_cluster", id=cid, name=cid, state=c.get("Status"), attrs=attrs)
                ):
                    return
                self.want("rds_proxies_of", cid)
                for m in c.get("DBClusterMembers", []):
                    self.want("rds_instance", m["DBInstanceIdentifier"])
                    self.link(
                        m["DBInstanceIdentifier"],
                        cid,
                        "writer_of" if m.get("IsClusterWriter") else "reader_of",
                    )
                self._placement(
                    cid, None, None, [g["VpcSecurityGroupId"] for g in c.get("VpcSecurityGroups", [])]
                )
                self._reads_secrets(cid, [(c.get("MasterUserSecret") or {}).get("SecretArn")])

    def _rds_proxies(self, databases: list[str]) -> None:
        """The RDS Proxies in front of these clusters or instances. A proxy's pool (a percentage of the
        database's max_connections, a borrow timeout) caps the connections all its callers share, so
        it is a hop on their path: callers -> proxy -> database."""
        if self._proxies is None:
            page = self.call("rds", "DescribeDBProxies", probe=True) or {}
            self._proxies = []
            for proxy in page.get("DBProxies", [])[:MAX_PROXIES]:
                name = str(proxy.get("DBProxyName", ""))
                listed = self.call("rds", "DescribeDBProxyTargets", probe=True, DBProxyName=name) or {}
                behind = {
                    str(t.get("TrackedClusterId") or str(t.get("TargetArn", "")).rsplit(":db:", 1)[-1])
                    for t in listed.get("Targets", [])
                    if t.get("TrackedClusterId") or ":db:" in str(t.get("TargetArn", ""))
                }
                if name:
                    self._proxies.append((proxy, behind))
        fronted = set(databases)
        for proxy, behind in self._proxies:
            name = str(proxy["DBProxyName"])
            if not behind & fronted:
                continue
            groups = self.call("rds", "DescribeDBProxyTargetGroups", probe=True, DBProxyName=name) or {}
            pool = next(
                (
                    g.get("ConnectionPoolConfig") or {}
                    for g in groups.get("TargetGroups", [])
                    if g.get("IsDefault")
                ),
                {},
            )
            attrs = {
                "arn": str(proxy.get("DBProxyArn", "")),
                "engine": str(proxy.get("EngineFamily", "")),
                "dns_names": str(proxy.get("Endpoint", "")).lower(),
                "max_connections_percent": str(pool.get("MaxConnectionsPercent", "")),
                "max_idle_connections_percent": str(pool.get("MaxIdleConnectionsPercent", "")),
                "borrow_timeout_s": str(pool.get("ConnectionBorrowTimeout", "")),
            }
            if not self.add(
                Node(kind="rds_proxy", id=name, name=name, state=proxy.get("Status"), attrs=attrs)
            ):
                return
            for db in sorted(behind & fronted):
                self.link(name, db, "calls")
            self._placement(name, None, None, list(proxy.get("VpcSecurityGroupIds") or []))
            self._reads_secrets(name, [a.get("SecretArn") for a in proxy.get("Auth") or []])

    def _rds_instances(self, ids: list[str]) -> None:
        page = self.call(
            "rds", "DescribeDBInstances", Filters=[{"Name": "db-instance-id", "Values": ids[:100]}]
        )
        for db in (page or {}).get("DBInstances", []):
            did = db["DBInstanceIdentifier"]
            attrs = {
                "class": str(db.get("DBInstanceClass")),
                "engine": f"{db.get('Engine')} {db.get('EngineVersion')}",
                "dns_names": str((db.get("Endpoint") or {}).get("Address") or "").lower(),
            }
            if db.get("MultiAZ"):
                attrs["multi_az"] = f"standby {db.get('SecondaryAvailabilityZone')}"
            node = Node(
                kind="rds_instance",
                id=did,
                name=did,
                state=db.get("DBInstanceStatus"),
                az=db.get("AvailabilityZone"),
                attrs=attrs,
            )
            if not self.add(node):
                return
            if db.get("DBClusterIdentifier"):
                self.want("rds_cluster", db["DBClusterIdentifier"])
                self.link(did, db["DBClusterIdentifier"], "member_of")
            else:
                self.want("rds_proxies_of", did)
            for pg in db.get("DBParameterGroups", []):
                # The settings the engine runs with; "pending-reboot" ones wait for the next restart.
                name = pg.get("DBParameterGroupName")
                # A default group cannot be modified: nothing about it can have changed.
                if (
                    name
                    and not name.startswith("default.")
                    and self.add(
                        Node(
                            kind="db_parameter_group",
                            id=name,
                            name=name,
                            attrs={"apply_status": str(pg.get("ParameterApplyStatus"))},
                        )
                    )
                ):
                    self.link(did, name, "uses_parameters")
            group = db.get("DBSubnetGroup") or {}
            for s in group.get("Subnets", []):
                self._placement(did, s.get("SubnetIdentifier"), None, [])
            self._placement(
                did, None, None, [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])]
            )
            self._reads_secrets(did, [(db.get("MasterUserSecret") or {}).get("SecretArn")])

    def _tables(self, names: list[str]) -> None:
        for name in names:
            page = self.call("dynamodb", "DescribeTable", TableName=name)
            if page is None:
                continue
            t = page["Table"]
            billing = (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
            attrs = {
                "billing": billing,
                "items": str(t.get("ItemCount")),
                "gsis": str(len(t.get("GlobalSecondaryIndexes", []))),
            }
            if billing == "PROVISIONED":
                tp = t.get("ProvisionedThroughput") or {}
                attrs["capacity"] = f"RCU {tp.get('ReadCapacityUnits')} WCU {tp.get('WriteCapacityUnits')}"
                attrs |= graph_attrs(self, "dynamodb", f"table/{t['TableName']}")
            self.add(
                Node(
                    kind="table",
                    id=t["TableName"],
                    name=t["TableName"],
                    state=t.get("TableStatus"),
                    attrs=attrs,
                )
            )
            self._indexes(t, billing)

    def _indexes(self, table: dict[str, Any], billing: str) -> None:
        """A table's global secondary indexes, each with its own capacity: every write to the table
        that projects into an index is a write to the index too, and an index short of write capacity
        throttles the table's writes (DynamoDB's back-pressure) while the table shows headroom."""
        name = table["TableName"]
        for gsi in table.get("GlobalSecondaryIndexes", []):
            index = gsi.get("IndexName")
            arn = gsi.get("IndexArn") or f"{table.get('TableArn', name)}/index/{index}"
            if not index:
                continue
            attrs = {"table": name, "index": index}
            if billing == "PROVISIONED":
                tp = gsi.get("ProvisionedThroughput") or {}
                attrs["capacity"] = f"RCU {tp.get('ReadCapacityUnits')} WCU {tp.get('WriteCapacityUnits')}"
                attrs |= graph_attrs(self, "dynamodb", f"table/{name}/index/{index}")
            if not self.add(
                Node(kind="dynamodb_index", id=arn, name=index, state=gsi.get("IndexStatus"), attrs=attrs)
            ):
                return
            self.link(arn, name, "index_of")


@tool
def describe_resources(ctx: ToolContext, args: DescribeResourcesInput) -> ResourceGraph:
    """Describe the resources behind names, ids, ARNs or tags (key=value) and their neighbours, as a
    small graph: Auto Scaling group <-> instances <-> target groups <-> load balancer, EBS volumes,
    Lambda functions (with reserved concurrency and the queues that trigger them), the scaling bounds
    and scheduled scaling of groups, ECS services and DynamoDB tables, API Gateway APIs (stage
    throttling, integration timeouts, the functions and load balancers behind them), SQS queues
    (backlog, dead-letter queue, consumers), SNS topics (subscriptions, filter policies), Secrets
    Manager secrets (rotation, version stages; never values), S3 bucket policies and public-access
    settings (never objects), VPC endpoints (state, routes, policy), Step Functions state machines
    (recent failures, what their tasks call, the ones that call a function), Kinesis streams (shards,
    readers), ElastiCache replication groups and clusters (nodes, parameter groups), Route 53 record
    sets (what a hostname points at, the names that point at a load balancer), a load balancer's TLS
    listeners and their ACM certificates (expiry, status, what else uses them), ECS services (tasks, deployments), RDS clusters and
    instances, DynamoDB tables (and their global secondary indexes, each with its own capacity), and the
    subnets, VPCs, security groups (rules summarised), network
    ACLs, route tables (blackholes flagged) and transit gateway attachments around them. Nodes carry
    state, AZ and key attributes; problems (unhealthy targets, failed rollouts) are called out.

    Args:
        refs: names, ids, ARNs or key=value tags (tags find EC2 instances and Auto Scaling groups).
        ecs_cluster: the ECS cluster, to find services by name.
        include_network: add the network around the resources.
        max_nodes: nodes in the graph at most.
    """
    builder = _Builder(ctx, args)
    resolved = {ref: builder.resolve(ref) for ref in args.refs}
    builder.seeds = {i for ids in resolved.values() for i in ids}
    builder.expand()
    if not builder.nodes and builder.denied:
        raise builder.denied[0]  # nothing could be read: report denied, not "nothing there"
    # RDS identifiers are not case-sensitive: "Orders" finds the cluster AWS names "orders".
    found = {i.lower() for i in builder.nodes} | {n.name.lower() for n in builder.nodes.values() if n.name}
    found |= {v.lower() for n in builder.nodes.values() for k, v in n.attrs.items() if k in ("arn", "url")}
    return ResourceGraph(
        nodes=list(builder.nodes.values()),
        edges=[e for e in builder.edges if e.source in builder.nodes and e.target in builder.nodes],
        unresolved=[ref for ref, ids in resolved.items() if not {i.lower() for i in ids} & found],
        gaps=builder.gaps,
        has_more=any(g.startswith("node cap") for g in builder.gaps),
        total=len(builder.nodes),
    )
