"""describe_resources over a replayed bundle (and, for the wire contract, over moto)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.resource_graph import ResourceGraph
from tools.resources import describe_resources
from tools.result import ToolStatus

ACCOUNT = "123456789012"
VPC = "vpc-0a1b2c3d4e5f60718"
SUB_A = "subnet-0aaaaaaaaaaaaaaa1"
SUB_B = "subnet-0bbbbbbbbbbbbbbb2"
WEB_SG = "sg-0aaaaaaaaaaaaaaa1"
DB_SG = "sg-0bbbbbbbbbbbbbbb2"
I1, I2 = "i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"
V1, V2 = "vol-0aaaaaaaaaaaaaaa1", "vol-0bbbbbbbbbbbbbbb2"
LB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"
TG = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067"


def res(service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


def instance(iid: str, subnet: str, az: str, vol: str, state: str = "running") -> dict[str, Any]:
    return res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "InstanceType": "m5.large",
            "State": {"Code": 16 if state == "running" else 80, "Name": state},
            "Placement": {"AvailabilityZone": az},
            "SubnetId": subnet,
            "VpcId": VPC,
            "PrivateIpAddress": "10.0.1.10",
            "LaunchTime": "2024-04-30T00:00:00Z",
            "SecurityGroups": [{"GroupId": WEB_SG, "GroupName": "web"}],
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": vol, "Status": "attached"}}
            ],
            "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "web"}, {"Key": "team", "Value": "shop"}],
        },
    )


def volume(vid: str, az: str, iid: str) -> dict[str, Any]:
    return res(
        "ec2",
        "Volume",
        {
            "VolumeId": vid,
            "Size": 100,
            "VolumeType": "gp3",
            "Iops": 3000,
            "State": "in-use",
            "AvailabilityZone": az,
            "CreateTime": "2024-04-30T00:00:00Z",
            "Attachments": [{"VolumeId": vid, "InstanceId": iid, "State": "attached", "Device": "/dev/xvda"}],
        },
    )


def subnet(sid: str, cidr: str, az: str, free: int = 200) -> dict[str, Any]:
    return res(
        "ec2",
        "Subnet",
        {
            "SubnetId": sid,
            "CidrBlock": cidr,
            "AvailabilityZone": az,
            "VpcId": VPC,
            "State": "available",
            "AvailableIpAddressCount": free,
        },
    )


def sg(gid: str, name: str, inbound: list[dict[str, Any]]) -> dict[str, Any]:
    return res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": gid,
            "GroupName": name,
            "Description": name,
            "VpcId": VPC,
            "OwnerId": ACCOUNT,
            "IpPermissions": inbound,
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        },
    )


def records() -> dict[str, list[dict[str, Any]]]:
    asg = {
        "AutoScalingGroupName": "web",
        "AutoScalingGroupARN": f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:uuid:autoScalingGroupName/web",
        "MinSize": 2,
        "MaxSize": 4,
        "DesiredCapacity": 2,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "HealthCheckType": "ELB",
        "HealthCheckGracePeriod": 300,
        "CreatedTime": "2024-04-01T00:00:00Z",
        "VPCZoneIdentifier": f"{SUB_A},{SUB_B}",
        "TargetGroupARNs": [TG],
        "LaunchTemplate": {
            "LaunchTemplateId": "lt-0123456789abcdef0",
            "LaunchTemplateName": "web",
            "Version": "7",
        },
        "Tags": [
            {
                "Key": "team",
                "Value": "shop",
                "ResourceId": "web",
                "ResourceType": "auto-scaling-group",
                "PropagateAtLaunch": True,
            }
        ],
        "Instances": [
            {
                "InstanceId": i,
                "AvailabilityZone": az,
                "LifecycleState": "InService",
                "HealthStatus": h,
                "ProtectedFromScaleIn": False,
            }
            for i, az, h in ((I1, "us-east-1a", "Healthy"), (I2, "us-east-1b", "Unhealthy"))
        ],
    }
    lb = {
        "LoadBalancerArn": LB,
        "LoadBalancerName": "web",
        "DNSName": "web-1.us-east-1.elb.amazonaws.com",
        "Type": "application",
        "Scheme": "internet-facing",
        "State": {"Code": "active"},
        "VpcId": VPC,
        "CreatedTime": "2024-04-01T00:00:00Z",
        "AvailabilityZones": [
            {"ZoneName": "us-east-1a", "SubnetId": SUB_A},
            {"ZoneName": "us-east-1b", "SubnetId": SUB_B},
        ],
        "SecurityGroups": [WEB_SG],
    }
    tg = {
        "TargetGroupArn": TG,
        "TargetGroupName": "web-tg",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckPath": "/health",
        "TargetType": "instance",
        "LoadBalancerArns": [LB],
    }
    acl = {
        "NetworkAclId": "acl-0aaaaaaaaaaaaaaa1",
        "VpcId": VPC,
        "IsDefault": True,
        "Entries": [
            {
                "RuleNumber": 100,
                "RuleAction": "allow",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
                "Protocol": "-1",
            },
            {
                "RuleNumber": 32767,
                "RuleAction": "deny",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
                "Protocol": "-1",
            },
            {
                "RuleNumber": 100,
                "RuleAction": "allow",
                "Egress": True,
                "CidrBlock": "0.0.0.0/0",
                "Protocol": "-1",
            },
        ],
        "Associations": [
            {
                "NetworkAclAssociationId": f"aclassoc-0{k}",
                "NetworkAclId": "acl-0aaaaaaaaaaaaaaa1",
                "SubnetId": s,
            }
            for k, s in enumerate((SUB_A, SUB_B))
        ],
    }
    explicit = {
        "RouteTableId": "rtb-0aaaaaaaaaaaaaaa1",
        "VpcId": VPC,
        "Associations": [
            {
                "Main": False,
                "RouteTableAssociationId": "rtbassoc-01",
                "RouteTableId": "rtb-0aaaaaaaaaaaaaaa1",
                "SubnetId": SUB_A,
            }
        ],
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
            {
                "DestinationCidrBlock": "10.8.0.0/16",
                "TransitGatewayId": "tgw-0aaaaaaaaaaaaaaa1",
                "State": "blackhole",
            },
        ],
    }
    main = {
        "RouteTableId": "rtb-0bbbbbbbbbbbbbbb2",
        "VpcId": VPC,
        "Associations": [
            {"Main": True, "RouteTableAssociationId": "rtbassoc-02", "RouteTableId": "rtb-0bbbbbbbbbbbbbbb2"}
        ],
        "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}],
    }
    tgw = {
        "TransitGatewayAttachmentId": "tgw-attach-0aaaaaaaaaaaaaaa1",
        "TransitGatewayId": "tgw-0aaaaaaaaaaaaaaa1",
        "ResourceType": "vpc",
        "ResourceId": VPC,
        "State": "available",
        "CreationTime": "2024-04-01T00:00:00Z",
    }
    health = [
        {
            "source": "target_health",
            "item": {
                "target_group_arn": TG,
                "target": {"Id": i, "Port": 8080},
                "health": h,
                "timestamp": "2024-05-01T05:00:00Z",
            },
        }
        for i, h in (
            (I1, {"State": "healthy"}),
            (I2, {"State": "unhealthy", "Reason": "Target.Timeout", "Description": "Request timed out"}),
        )
    ]
    return {
        "resources": [
            res("autoscaling", "AutoScalingGroup", asg),
            res("elbv2", "LoadBalancer", lb),
            res("elbv2", "TargetGroup", tg),
            instance(I1, SUB_A, "us-east-1a", V1),
            instance(I2, SUB_B, "us-east-1b", V2),
            volume(V1, "us-east-1a", I1),
            volume(V2, "us-east-1b", I2),
            subnet(SUB_A, "10.0.1.0/24", "us-east-1a"),
            subnet(SUB_B, "10.0.2.0/24", "us-east-1b", free=0),
            res("ec2", "Vpc", {"VpcId": VPC, "CidrBlock": "10.0.0.0/16", "State": "available"}),
            sg(
                WEB_SG,
                "web",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            ),
            sg(
                DB_SG,
                "db",
                [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "UserIdGroupPairs": [{"GroupId": WEB_SG}],
                    }
                ],
            ),
            res("ec2", "NetworkAcl", acl),
            res("ec2", "RouteTable", explicit),
            res("ec2", "RouteTable", main),
            res("ec2", "TransitGatewayAttachment", tgw),
            *rds_records(),
        ],
        "events": health,
    }


def rds_records() -> list[dict[str, Any]]:
    cluster = {
        "DBClusterIdentifier": "orders",
        "DBClusterArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders",
        "Engine": "aurora-postgresql",
        "EngineVersion": "15.4",
        "Status": "available",
        "MultiAZ": True,
        "DBClusterMembers": [
            {"DBInstanceIdentifier": "orders-1", "IsClusterWriter": True},
            {"DBInstanceIdentifier": "orders-2", "IsClusterWriter": False},
        ],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": DB_SG, "Status": "active"}],
    }

    def db(ident: str, az: str, status: str) -> dict[str, Any]:
        return res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": ident,
                "DBInstanceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:{ident}",
                "DBInstanceClass": "db.r6g.large",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": status,
                "AvailabilityZone": az,
                "DBClusterIdentifier": "orders",
                "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": SUB_A}, {"SubnetIdentifier": SUB_B}]},
                "VpcSecurityGroups": [{"VpcSecurityGroupId": DB_SG, "Status": "active"}],
            },
        )

    return [
        res("rds", "DBCluster", cluster),
        db("orders-1", "us-east-1a", "available"),
        db("orders-2", "us-east-1b", "rebooting"),
    ]


def kinds(graph: ResourceGraph) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in graph.nodes:
        out.setdefault(n.kind, []).append(n.id)
    return {k: sorted(v) for k, v in out.items()}


def test_asg_by_name_with_its_neighbourhood(tool_ctx: Any) -> None:
    result = describe_resources.run(tool_ctx(records()), {"refs": ["web"]})
    assert result.status is ToolStatus.OK, result.summary
    g = result.data
    assert g is not None
    found = kinds(g)
    assert found["asg"] == ["web"]
    assert found["instance"] == [I1, I2]
    assert found["target_group"] == [TG] and found["load_balancer"] == [LB]
    assert found["volume"] == [V1, V2]
    assert found["subnet"] == [SUB_A, SUB_B] and found["vpc"] == [VPC]
    assert found["security_group"] == [WEB_SG]  # the DB's group is not a neighbour of the web tier
    assert found["network_acl"] == ["acl-0aaaaaaaaaaaaaaa1"]
    assert found["route_table"] == ["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"]
    assert found["tgw_attachment"] == ["tgw-attach-0aaaaaaaaaaaaaaa1"]
    assert "rds_cluster" not in found
    assert sorted(g.neighbours("web", "member_of")) == [I1, I2]
    assert g.neighbours(LB, "forwards_to") == [TG]
    assert sorted(g.neighbours(TG, "routes_to")) == [I1, I2]
    assert g.neighbours(I1, "uses_volume") == [V1]
    assert g.neighbours(SUB_A, "route_table") == ["rtb-0aaaaaaaaaaaaaaa1"]
    assert g.neighbours(SUB_B, "route_table (main)") == ["rtb-0bbbbbbbbbbbbbbb2"]
    tg = g.node(TG)
    assert tg is not None and tg.state == "1/2 healthy" and "Target.Timeout" in tg.attrs["unhealthy"]
    asg = g.node("web")
    assert asg is not None and asg.attrs["unhealthy"] == f"unhealthy instances: {I2}"
    assert asg.attrs["launch_template"] == "web:7"
    # The template is a node of its own, keyed by its id (it shares the group's name).
    assert found["launch_template"] == ["lt-0123456789abcdef0"]
    assert g.neighbours("web", "launches_from") == ["lt-0123456789abcdef0"]
    web_sg = g.node(WEB_SG)
    assert web_sg is not None and web_sg.attrs["inbound"] == "tcp 443 from 0.0.0.0/0"
    acl = g.node("acl-0aaaaaaaaaaaaaaa1")
    assert acl is not None and acl.attrs["inbound"] == "100 allow all 0.0.0.0/0; * deny all 0.0.0.0/0"
    rtb = g.node("rtb-0aaaaaaaaaaaaaaa1")
    assert (
        rtb is not None and rtb.attrs["blackhole"] == "blackhole routes: 10.8.0.0/16 -> tgw-0aaaaaaaaaaaaaaa1"
    )
    sub_b = g.node(SUB_B)
    assert sub_b is not None and sub_b.attrs["warning"] == "no free IP addresses"
    assert "attention:" in result.summary and "blackhole" in result.summary
    assert g.unresolved == [] and g.gaps == []


def test_encrypted_volumes_name_their_key_and_a_deleted_volume_fails_nothing(tool_ctx: Any) -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b9e5c1e-1111-4222-8333-944445555666"
    recs = records()
    recs["resources"] = [r for r in recs["resources"] if r["item"].get("VolumeId") != V1]  # gone since
    for r in recs["resources"]:
        if r["item"].get("VolumeId") == V2:
            r["item"] |= {"Encrypted": True, "KmsKeyId": key}
    result = describe_resources.run(tool_ctx(recs), {"refs": ["web"], "include_network": False})
    assert result.status is ToolStatus.OK, result.summary
    g = result.data
    assert g is not None
    found = kinds(g)
    assert found["volume"] == [V2] and found["kms_key"] == [key]
    # The key must be usable for the volume to attach: it sits next to the volume.
    assert g.neighbours(V2, "encrypted_with") == [key]
    assert g.gaps == []


def test_tag_arn_and_id_references(tool_ctx: Any) -> None:
    ctx = tool_ctx(records())
    tagged = describe_resources.run(ctx, {"refs": ["team=shop"], "include_network": False})
    assert tagged.data is not None
    found = kinds(tagged.data)
    assert found["instance"] == [I1, I2] and found["asg"] == ["web"]
    assert "subnet" not in found
    cluster = describe_resources.run(
        ctx, {"refs": [f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders"], "include_network": False}
    )
    assert cluster.data is not None
    assert kinds(cluster.data) == {"rds_cluster": ["orders"], "rds_instance": ["orders-1", "orders-2"]}
    assert cluster.data.neighbours("orders", "writer_of") == ["orders-1"]
    reboot = cluster.data.node("orders-2")
    assert reboot is not None and reboot.state == "rebooting" and reboot.az == "us-east-1b"
    assert "orders-2" in cluster.summary.split("attention:")[1]
    # Two references to overlapping resources both count as found; RDS ids are not case-sensitive.
    both = describe_resources.run(ctx, {"refs": ["web", "team=shop", "Orders-1"], "include_network": False})
    assert both.data is not None and both.data.unresolved == []
    assert "rds_instance" in kinds(both.data)
    by_id = describe_resources.run(ctx, {"refs": [V1], "include_network": False})
    assert by_id.data is not None and kinds(by_id.data) == {"volume": [V1]}


def test_lambda_dynamodb_and_ecs_by_name(tool_ctx: Any) -> None:
    fn = {
        "FunctionName": "orders-api",
        "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders-api",
        "Runtime": "python3.12",
        "MemorySize": 512,
        "Timeout": 30,
        "State": "Active",
        "LastModified": "2024-05-01T05:12:00.000+0000",
        "VpcConfig": {"SubnetIds": [SUB_A], "SecurityGroupIds": [WEB_SG], "VpcId": VPC},
    }
    table = {
        "TableName": "carts",
        "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/carts",
        "TableStatus": "ACTIVE",
        "ItemCount": 42,
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    }
    ecs = "arn:aws:ecs:us-east-1:123456789012"
    svc = {
        "serviceArn": f"{ecs}:service/prod/cart",
        "serviceName": "cart",
        "clusterArn": f"{ecs}:cluster/prod",
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 1,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "createdAt": "2024-04-01T00:00:00Z",
        "deployments": [
            {
                "id": "ecs-svc/9",
                "status": "PRIMARY",
                "taskDefinition": f"{ecs}:task-definition/cart:3",
                "rolloutState": "FAILED",
                "createdAt": "2024-05-01T05:00:00Z",
            }
        ],
        "loadBalancers": [{"targetGroupArn": TG, "containerName": "app", "containerPort": 8080}],
    }
    task = {
        "taskArn": f"{ecs}:task/prod/0123456789abcdef0123456789abcdef",
        "clusterArn": f"{ecs}:cluster/prod",
        "taskDefinitionArn": f"{ecs}:task-definition/cart:3",
        "group": "service:cart",
        "createdAt": "2024-05-01T05:00:00Z",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "availabilityZone": "us-east-1a",
    }
    extra = [
        res("lambda", "FunctionConfiguration", fn),
        res(
            "lambda", "FunctionConcurrency", {"FunctionName": "orders-api", "ReservedConcurrentExecutions": 0}
        ),
        res("dynamodb", "TableDescription", table),
        res("ecs", "Service", svc),
        res("ecs", "Task", task),
    ]
    base = records()
    ctx = tool_ctx({"resources": base["resources"] + extra, "events": base["events"]})
    out = describe_resources.run(
        ctx, {"refs": ["orders-api", "carts", "cart"], "ecs_cluster": "prod", "include_network": False}
    )
    assert out.status is ToolStatus.OK, out.summary
    g = out.data
    assert g is not None
    lam = g.node("orders-api")
    assert (
        lam is not None and lam.attrs["reserved_concurrency"] == "0" and "throttled" in lam.attrs["warning"]
    )
    tbl = g.node("carts")
    assert (
        tbl is not None and tbl.attrs["capacity"] == "RCU 5 WCU 5" and tbl.attrs["billing"] == "PROVISIONED"
    )
    service = g.node("prod/cart")
    assert service is not None and service.attrs["warning"] == "a deployment rollout FAILED"
    assert g.neighbours("prod/cart", "runs_task") == ["0123456789abcdef0123456789abcdef"]
    assert g.neighbours("prod/cart", "registers_in") == [TG]
    assert g.neighbours("orders-api", "secured_by") == [] and g.unresolved == []  # network left out


def test_unknown_names_caps_and_gaps(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx(records())
    none = describe_resources.run(ctx, {"refs": ["no-such-thing"]})
    assert none.status is ToolStatus.NO_DATA
    assert none.data is not None and none.data.unresolved == ["no-such-thing"]
    gone = describe_resources.run(ctx, {"refs": ["i-0cccccccccccccccc"]})
    assert gone.status is ToolStatus.NO_DATA and gone.data is not None
    # Described by filter, an id that no longer exists is simply not found: named as unresolved,
    # without failing the instances asked for alongside it.
    assert gone.data.unresolved == ["i-0cccccccccccccccc"] and gone.data.gaps == []
    both = describe_resources.run(ctx, {"refs": ["i-0cccccccccccccccc", I1], "include_network": False})
    assert both.data is not None and both.data.unresolved == ["i-0cccccccccccccccc"]
    assert I1 in kinds(both.data)["instance"]
    capped = describe_resources.run(ctx, {"refs": ["web"], "max_nodes": 5})
    assert capped.data is not None and len(capped.data.nodes) == 5 and capped.has_more
    assert capped.data.gaps == ["node cap of 5 reached; graph cut"]
    deny(monkeypatch, "ec2", "DescribeSubnets")
    partial = describe_resources.run(ctx, {"refs": ["web"]})
    assert partial.status is ToolStatus.OK
    assert partial.data is not None and "subnet" not in kinds(partial.data)
    assert "ec2:DescribeSubnets denied (AccessDeniedException)" in partial.data.gaps


def test_nothing_readable_is_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deny(monkeypatch, "ec2", "DescribeInstances")
    res_ = describe_resources.run(tool_ctx(records()), {"refs": [I1]})
    assert res_.status is ToolStatus.DENIED and res_.error_code == "AccessDeniedException"


def test_budget_is_respected(tool_ctx: Any) -> None:
    out = describe_resources.run(tool_ctx(records(), budget=3), {"refs": ["web"]})
    assert out.status is ToolStatus.ERROR and out.error_code == "budget"


def test_functions_and_services_are_linked_to_the_roles_they_act_as(tool_ctx: Any) -> None:
    ecs = "arn:aws:ecs:us-east-1:123456789012"
    role = f"arn:aws:iam::{ACCOUNT}:role/cart-task"
    fn = {
        "FunctionName": "orders-api",
        "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders-api",
        "Role": f"arn:aws:iam::{ACCOUNT}:role/orders-api-exec",
        "State": "Active",
    }

    def service(name: str, family: str) -> dict[str, Any]:
        return {
            "serviceArn": f"{ecs}:service/prod/{name}",
            "serviceName": name,
            "clusterArn": f"{ecs}:cluster/prod",
            "status": "ACTIVE",
            "taskDefinition": f"{ecs}:task-definition/{family}:3",
            "createdAt": "2024-04-01T00:00:00Z",
        }

    definition = {
        "taskDefinitionArn": f"{ecs}:task-definition/cart:3",
        "family": "cart",
        "revision": 3,
        "status": "ACTIVE",
        "containerDefinitions": [{"name": "app", "image": "app:1"}],
        "taskRoleArn": role,
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecs-task-execution",
        "registeredAt": "2024-04-20T00:00:00Z",
    }
    extra = [
        res("lambda", "FunctionConfiguration", fn),
        res("ecs", "Service", service("cart", "cart")),
        res("ecs", "Service", service("billing", "billing")),  # its definition is not there to read
        res("ecs", "TaskDefinition", definition),
    ]
    base = records()
    ctx = tool_ctx({"resources": base["resources"] + extra, "events": base["events"]})
    out = describe_resources.run(
        ctx, {"refs": ["orders-api", "cart", "billing"], "ecs_cluster": "prod", "include_network": False}
    )
    assert out.status is ToolStatus.OK, out.summary
    g = out.data
    assert g is not None
    assert g.neighbours("orders-api", "assumes") == [f"arn:aws:iam::{ACCOUNT}:role/orders-api-exec"]
    assert g.neighbours("prod/cart", "assumes") == [role]
    assert g.neighbours("prod/cart", "starts_as") == [f"arn:aws:iam::{ACCOUNT}:role/ecs-task-execution"]
    node = g.node(role)
    assert node is not None and node.kind == "iam_role" and node.name == "cart-task"
    # A definition that cannot be read is a gap for that service; the rest of the graph stands.
    assert g.node("prod/billing") is not None and g.neighbours("prod/billing", "assumes") == []
    assert any("DescribeTaskDefinition" in gap and "billing:3" in gap for gap in g.gaps), g.gaps


def test_a_service_runs_the_ecr_images_its_task_definition_names_by_tag(tool_ctx: Any) -> None:
    """A tag is resolved when a deployment starts its tasks, so the repository behind a tag is a
    setting the service reads at start; an image pinned by digest, or from outside ECR, is not."""
    ecs = "arn:aws:ecs:us-east-1:123456789012"
    registry = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    service = {
        "serviceArn": f"{ecs}:service/prod/orders",
        "serviceName": "orders",
        "clusterArn": f"{ecs}:cluster/prod",
        "status": "ACTIVE",
        "taskDefinition": f"{ecs}:task-definition/orders:108",
        "createdAt": "2024-04-01T00:00:00Z",
    }
    definition = {
        "taskDefinitionArn": f"{ecs}:task-definition/orders:108",
        "family": "orders",
        "revision": 108,
        "status": "ACTIVE",
        "containerDefinitions": [
            {"name": "app", "image": f"{registry}/shop/orders-api:release"},
            {"name": "proxy", "image": f"{registry}/shop/envoy@sha256:{'a' * 64}"},
            {"name": "agent", "image": "public.ecr.aws/datadog/agent:7"},
            {"name": "migrate", "image": f"{registry}/shop/orders-api"},
        ],
        "registeredAt": "2024-04-20T00:00:00Z",
    }
    base = records()
    extra = [res("ecs", "Service", service), res("ecs", "TaskDefinition", definition)]
    ctx = tool_ctx({"resources": base["resources"] + extra, "events": base["events"]})
    out = describe_resources.run(ctx, {"refs": ["orders"], "ecs_cluster": "prod", "include_network": False})
    assert out.status is ToolStatus.OK, out.summary
    g = out.data
    assert g is not None
    repo = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop/orders-api"
    assert g.neighbours("prod/orders", "runs_image") == [repo]
    node = g.node(repo)
    assert node is not None and node.kind == "ecr_repository" and node.name == "shop/orders-api"
    # An image named without a tag runs "latest".
    assert node.attrs["tags_run"] == "latest,release"


def test_a_function_uses_the_tables_its_environment_names_that_exist(tool_ctx: Any) -> None:
    fn = {
        "FunctionName": "cart-writer",
        "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:cart-writer",
        "Runtime": "python3.12",
        "State": "Active",
        "LastModified": "2024-05-01T05:12:00.000+0000",
        # a table by name under a table key, one by ARN, and a name that is no table of the account
        "Environment": {
            "Variables": {
                "CARTS_TABLE": "carts",
                "AUDIT": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/cart-audit",
                "LEGACY_TABLE": "carts-2019",
            }
        },
    }

    def table(name: str) -> dict[str, Any]:
        return {
            "TableName": name,
            "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}",
            "TableStatus": "ACTIVE",
            "ItemCount": 7,
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        }

    ctx = tool_ctx(
        {
            "resources": [
                res("lambda", "FunctionConfiguration", fn),
                res("dynamodb", "TableDescription", table("carts")),
                res("dynamodb", "TableDescription", table("cart-audit")),
            ]
        }
    )
    out = describe_resources.run(ctx, {"refs": ["cart-writer"], "include_network": False})
    g = out.data
    assert g is not None, out.summary
    assert sorted(g.neighbours("cart-writer", "uses_table")) == ["cart-audit", "carts"]
    # the name that is no table is neither a node nor a gap
    assert g.node("carts-2019") is None and not any("DescribeTable" in gap for gap in g.gaps)
