"""describe_resources against moto over real HTTP, cross-checked with replay of what moto holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.tools.test_resources import kinds, res
from tools.resource_graph import ResourceGraph
from tools.resources import describe_resources
from tools.result import ToolStatus


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


@pytest.mark.moto
def test_instance_graph_matches_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    ec2 = moto_tool_ctx.aws.session.client("ec2", endpoint_url=moto_tool_ctx.aws.endpoint_url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"
    ]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    iid = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=sub,
        SecurityGroupIds=[group],
    )["Instances"][0]["InstanceId"]
    live = describe_resources.run(moto_tool_ctx, {"refs": [iid]})
    assert live.status is ToolStatus.OK, live.summary
    # Capture what moto holds into a bundle, then ask replay the same question.
    captured = [
        res("ec2", "Instance", i) for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
    ]
    captured += [res("ec2", "Volume", v) for v in ec2.describe_volumes()["Volumes"]]
    captured += [res("ec2", "Subnet", s) for s in ec2.describe_subnets()["Subnets"]]
    captured += [res("ec2", "Vpc", v) for v in ec2.describe_vpcs()["Vpcs"]]
    captured += [res("ec2", "SecurityGroup", g) for g in ec2.describe_security_groups()["SecurityGroups"]]
    captured += [res("ec2", "NetworkAcl", a) for a in ec2.describe_network_acls()["NetworkAcls"]]
    captured += [res("ec2", "RouteTable", t) for t in ec2.describe_route_tables()["RouteTables"]]
    now = datetime.now(UTC) + timedelta(hours=1)
    window = {"start": (now - timedelta(days=1)).isoformat(), "end": now.isoformat(), "now": now.isoformat()}
    replayed = describe_resources.run(tool_ctx({"resources": _iso(captured)}, **window), {"refs": [iid]})
    assert live.data is not None and replayed.data is not None
    assert kinds(live.data) == kinds(replayed.data)
    assert sorted(map(str, live.data.edges)) == sorted(map(str, replayed.data.edges))
    assert [n.model_dump() for n in live.data.nodes] == [n.model_dump() for n in replayed.data.nodes]
    found = kinds(live.data)
    assert found["instance"] == [iid] and found["subnet"] == [sub] and group in found["security_group"]
    assert "network_acl" in found and "route_table" in found


@pytest.mark.moto
def test_asg_graph_matches_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    url = moto_tool_ctx.aws.endpoint_url
    session = moto_tool_ctx.aws.session
    ec2, elb, asg = (session.client(s, endpoint_url=url) for s in ("ec2", "elbv2", "autoscaling"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{k}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
            "SubnetId"
        ]
        for k, z in ((1, "a"), (2, "b"))
    ]
    lb = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"
    ]
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    ec2.create_launch_template(
        LaunchTemplateName="web", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        MinSize=2,
        MaxSize=2,
        DesiredCapacity=2,
        VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[tg],
    )
    live = describe_resources.run(moto_tool_ctx, {"refs": ["web"]})
    assert live.status is ToolStatus.OK, live.summary
    now = datetime.now(UTC) + timedelta(hours=1)
    start = now - timedelta(days=1)
    captured = [
        res("autoscaling", "AutoScalingGroup", g)
        for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
    ]
    captured += [res("elbv2", "LoadBalancer", x) for x in elb.describe_load_balancers()["LoadBalancers"]]
    captured += [res("elbv2", "TargetGroup", x) for x in elb.describe_target_groups()["TargetGroups"]]
    captured += [
        res("ec2", "Instance", i) for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
    ]
    captured += [res("ec2", "Volume", v) for v in ec2.describe_volumes()["Volumes"]]
    captured += [res("ec2", "Subnet", s) for s in ec2.describe_subnets()["Subnets"]]
    captured += [res("ec2", "Vpc", v) for v in ec2.describe_vpcs()["Vpcs"]]
    captured += [res("ec2", "SecurityGroup", g) for g in ec2.describe_security_groups()["SecurityGroups"]]
    captured += [res("ec2", "NetworkAcl", a) for a in ec2.describe_network_acls()["NetworkAcls"]]
    captured += [res("ec2", "RouteTable", t) for t in ec2.describe_route_tables()["RouteTables"]]
    health = [
        {
            "source": "target_health",
            "item": {
                "target_group_arn": tg,
                "target": d["Target"],
                "health": d["TargetHealth"],
                "timestamp": start,
            },
        }
        for d in elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    ]
    window = {"start": start.isoformat(), "end": now.isoformat(), "now": now.isoformat()}
    replayed = describe_resources.run(
        tool_ctx({"resources": _iso(captured), "events": _iso(health)}, **window), {"refs": ["web"]}
    )
    assert live.data is not None and replayed.data is not None

    def nodes(g: ResourceGraph) -> list[dict[str, Any]]:
        return sorted((n.model_dump() for n in g.nodes), key=lambda n: (n["kind"], n["id"]))

    assert nodes(live.data) == nodes(replayed.data)
    assert sorted(map(str, live.data.edges)) == sorted(map(str, replayed.data.edges))
    found = kinds(live.data)
    assert found["asg"] == ["web"] and found["load_balancer"] == [lb] and found["target_group"] == [tg]
    assert len(found["instance"]) == 2 and found["subnet"] == sorted(subnets)
    assert sorted(live.data.neighbours(tg, "routes_to")) == found["instance"]
    tg_node = live.data.node(tg)
    assert tg_node is not None and tg_node.state == "2/2 healthy"


@pytest.mark.moto
def test_rds_cluster_and_table_match_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    url = moto_tool_ctx.aws.endpoint_url
    rds = moto_tool_ctx.aws.session.client("rds", endpoint_url=url)
    ddb = moto_tool_ctx.aws.session.client("dynamodb", endpoint_url=url)
    rds.create_db_cluster(
        DBClusterIdentifier="orders",
        Engine="aurora-postgresql",
        MasterUsername="app",
        MasterUserPassword="pw-12345678",
    )
    for name in ("orders-1", "orders-2"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier="orders",
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
        )
    ddb.create_table(
        TableName="carts",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    refs = {"refs": ["orders", "carts"], "include_network": False}
    live = describe_resources.run(moto_tool_ctx, refs)
    assert live.status is ToolStatus.OK, live.summary
    captured = [res("rds", "DBCluster", c) for c in rds.describe_db_clusters()["DBClusters"]]
    captured += [res("rds", "DBInstance", i) for i in rds.describe_db_instances()["DBInstances"]]
    captured.append(res("dynamodb", "TableDescription", ddb.describe_table(TableName="carts")["Table"]))
    now = datetime.now(UTC) + timedelta(hours=1)
    window = {"start": (now - timedelta(days=1)).isoformat(), "end": now.isoformat(), "now": now.isoformat()}
    replayed = describe_resources.run(tool_ctx({"resources": _iso(captured)}, **window), refs)
    assert live.data is not None and replayed.data is not None
    assert [n.model_dump() for n in live.data.nodes] == [n.model_dump() for n in replayed.data.nodes]
    assert sorted(map(str, live.data.edges)) == sorted(map(str, replayed.data.edges))
    assert kinds(live.data) == {
        "rds_cluster": ["orders"],
        "rds_instance": ["orders-1", "orders-2"],
        "table": ["carts"],
    }
    table = live.data.node("carts")
    assert table is not None and table.attrs["billing"] == "PAY_PER_REQUEST" and table.state == "ACTIVE"
