"""ELBv2 replay: load balancers, target groups and listeners (cross-checked with moto), target health over
time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported, replay_session
from evals.replay.services.elbv2 import NOT_REGISTERED
from tests.conftest import make_bundle

NOW = datetime(2024, 5, 1, 6, tzinfo=UTC)
ACCOUNT = "123456789012"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"


def _client(
    resources: list[dict[str, Any]], events: list[dict[str, Any]] | None = None, **manifest: Any
) -> Any:
    bundle = make_bundle({"resources": resources, "events": events or []}, **manifest)
    bundle.validate()
    session, _ = replay_session(bundle)
    return session.client("elbv2")


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# --- cross-check with moto ----------------------------------------------------------------------------


def _moto_setup(moto_session: Callable[[str], Any]) -> Any:
    ec2 = moto_session("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    elb = moto_session("elbv2")
    lbs = [
        elb.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0] for name in ("web", "api")
    ]
    tgs = {
        name: elb.create_target_group(Name=name, Protocol="HTTP", Port=port, VpcId=vpc)["TargetGroups"][0]
        for name, port in (("web-blue", 80), ("api-tg", 8080), ("web-green", 80), ("spare", 9000))
    }
    for lb, tg in ((lbs[0], "web-blue"), (lbs[0], "web-green"), (lbs[1], "api-tg")):
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80 if tg != "web-green" else 8080,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tgs[tg]["TargetGroupArn"]}],
        )
    return elb


@pytest.mark.moto
def test_load_balancers_and_target_groups_match_moto(moto_session: Callable[[str], Any]) -> None:
    moto = _moto_setup(moto_session)
    lbs = moto.describe_load_balancers()["LoadBalancers"]
    tgs = moto.describe_target_groups()["TargetGroups"]
    now = max(lb["CreatedTime"] for lb in lbs) + timedelta(minutes=5)
    resources = [{"service": "elbv2", "type": "LoadBalancer", "item": lb} for lb in lbs]
    resources += [{"service": "elbv2", "type": "TargetGroup", "item": tg} for tg in tgs]
    replay = _client(
        resources, start=(now - timedelta(hours=1)).isoformat(), end=now.isoformat(), now=now.isoformat()
    )
    web, api = (lb["LoadBalancerArn"] for lb in lbs)
    blue = next(tg["TargetGroupArn"] for tg in tgs if tg["TargetGroupName"] == "web-blue")
    lb_requests: list[dict[str, Any]] = [{}, {"Names": ["api"]}, {"LoadBalancerArns": [web, api]}]
    for request in lb_requests:
        assert _strip(replay.describe_load_balancers(**request)) == _strip(
            moto.describe_load_balancers(**request)
        ), request
    tg_requests: list[dict[str, Any]] = [
        {},
        {"LoadBalancerArn": web},
        {"Names": ["spare", "api-tg"]},
        {"TargetGroupArns": [blue]},
    ]
    for request in tg_requests:
        ours = replay.describe_target_groups(**request)["TargetGroups"]
        assert ours == moto.describe_target_groups(**request)["TargetGroups"], request
    by_lb = replay.describe_target_groups(LoadBalancerArn=web)["TargetGroups"]
    assert [tg["TargetGroupName"] for tg in by_lb] == ["web-blue", "web-green"]
    for call, kwargs, code in [
        ("describe_load_balancers", {"Names": ["nope"]}, "LoadBalancerNotFound"),
        (
            "describe_load_balancers",
            {"LoadBalancerArns": [web.replace("web", "gone")]},
            "LoadBalancerNotFound",
        ),
        ("describe_target_groups", {"Names": ["nope"]}, "TargetGroupNotFound"),
        ("describe_target_groups", {"TargetGroupArns": [blue + "0"]}, "TargetGroupNotFound"),
        ("describe_target_groups", {"LoadBalancerArn": web + "0"}, "LoadBalancerNotFound"),
        ("describe_target_groups", {"LoadBalancerArn": web, "Names": ["web-blue"]}, "ValidationError"),
    ]:
        for client in (replay, moto):
            with pytest.raises(ClientError) as exc:
                getattr(client, call)(**kwargs)
            assert _code(exc) == code, (call, kwargs)
    # One unknown name among known ones fails the whole call (moto 5 misses this case, so replay only).
    with pytest.raises(ClientError) as exc:
        replay.describe_load_balancers(Names=["web", "nope"])
    assert _code(exc) == "LoadBalancerNotFound"


@pytest.mark.moto
def test_listeners_match_moto(moto_session: Callable[[str], Any]) -> None:
    moto = _moto_setup(moto_session)
    lbs = moto.describe_load_balancers()["LoadBalancers"]
    listeners = [
        li for lb in lbs for li in moto.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    ]
    now = max(lb["CreatedTime"] for lb in lbs) + timedelta(minutes=5)
    resources = [{"service": "elbv2", "type": "LoadBalancer", "item": lb} for lb in lbs]
    resources += [{"service": "elbv2", "type": "Listener", "item": li} for li in listeners]
    replay = _client(
        resources, start=(now - timedelta(hours=1)).isoformat(), end=now.isoformat(), now=now.isoformat()
    )
    web = lbs[0]["LoadBalancerArn"]
    for request in ({"LoadBalancerArn": web}, {"ListenerArns": [listeners[-1]["ListenerArn"]]}):
        ours = replay.describe_listeners(**request)["Listeners"]
        assert ours == moto.describe_listeners(**request)["Listeners"], request
    assert [li["Port"] for li in replay.describe_listeners(LoadBalancerArn=web)["Listeners"]] == [80, 8080]
    for kwargs, code in [
        ({"LoadBalancerArn": web + "0"}, "LoadBalancerNotFound"),
        ({"ListenerArns": [listeners[0]["ListenerArn"] + "0"]}, "ListenerNotFound"),
    ]:
        for client in (replay, moto):
            with pytest.raises(ClientError) as exc:
                client.describe_listeners(**kwargs)
            assert _code(exc) == code, kwargs


def _strip(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


# --- pagination and visibility ------------------------------------------------------------------------


def _lb(name: str, created: datetime = NOW - timedelta(days=1)) -> dict[str, Any]:
    item = {
        "LoadBalancerArn": LB_ARN.replace("/web/", f"/{name}/"),
        "DNSName": f"{name}-1234.us-east-1.elb.amazonaws.com",
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": "vpc-1",
        "State": {"Code": "active"},
        "Type": "application",
        "CreatedTime": created.isoformat(),
    }
    return {"service": "elbv2", "type": "LoadBalancer", "item": item}


def test_marker_pagination_and_load_balancers_created_after_now() -> None:
    client = _client([_lb("a"), _lb("b"), _lb("c"), _lb("d", created=NOW + timedelta(hours=1))])
    first = client.describe_load_balancers(PageSize=2)
    assert [lb["LoadBalancerName"] for lb in first["LoadBalancers"]] == ["a", "b"]
    rest = client.describe_load_balancers(PageSize=2, Marker=first["NextMarker"])
    assert [lb["LoadBalancerName"] for lb in rest["LoadBalancers"]] == ["c"]
    assert "NextMarker" not in rest
    with pytest.raises(ClientError) as exc:
        client.describe_load_balancers(Names=["d"])  # not created yet
    assert _code(exc) == "LoadBalancerNotFound"
    with pytest.raises(ClientError) as exc:
        client.describe_load_balancers(Names=["a"], Marker=first["NextMarker"])  # marker of another request
    assert _code(exc) == "ValidationError"


# --- DescribeTargetHealth -----------------------------------------------------------------------------

TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067"
IP_TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/ip-tg/0123456789abcdef"


def _tg(arn: str, name: str, target_type: str, check_port: str) -> dict[str, Any]:
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": 80,
        "VpcId": "vpc-1",
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": check_port,
        "TargetType": target_type,
        "LoadBalancerArns": [LB_ARN],
    }
    return {"service": "elbv2", "type": "TargetGroup", "item": item}


def _point(
    minutes: int, target_id: str, state: str, reason: str | None = None, port: int = 80, group: str = TG_ARN
) -> dict[str, Any]:
    health = {"State": state, **({"Reason": reason, "Description": f"{reason} happened"} if reason else {})}
    item = {
        "target_group_arn": group,
        "target": {"Id": target_id, "Port": port, "AvailabilityZone": "us-east-1a"},
        "health": health,
        "timestamp": (NOW + timedelta(minutes=minutes)).isoformat(),
    }
    return {"source": "target_health", "item": item}


def _health_client() -> Any:
    timeline = [
        _point(-60, "i-a", "initial", "Elb.RegistrationInProgress"),
        _point(-60, "i-b", "healthy"),
        _point(-60, "i-c", "healthy"),
        _point(-58, "i-a", "healthy"),
        _point(-40, "i-a", "healthy", port=8080),
        _point(-30, "i-c", "draining", "Target.DeregistrationInProgress"),
        _point(-25, "i-c", "unused", "Target.NotRegistered"),  # deregistration finished
        _point(-10, "i-a", "unhealthy", "Target.Timeout"),
        _point(-5, "i-b", "draining", "Target.DeregistrationInProgress"),
        _point(5, "i-d", "healthy"),  # registered after now
        _point(6, "i-a", "healthy"),  # recovery after now: not yet
        _point(-1, "i-e", "initial", "Elb.RegistrationInProgress"),
        _point(-20, "10.0.0.5", "healthy", group=IP_TG_ARN),
    ]
    resources = [_tg(TG_ARN, "web-tg", "instance", "traffic-port"), _tg(IP_TG_ARN, "ip-tg", "ip", "8081")]
    return _client(resources, timeline)


def _summary(answer: dict[str, Any]) -> list[tuple[str, int, str, str | None, str | None]]:
    return [
        (d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"),
         d.get("HealthCheckPort"))
        for d in answer["TargetHealthDescriptions"]
    ]  # fmt: skip


def test_target_health_as_of_now() -> None:
    client = _health_client()
    assert _summary(client.describe_target_health(TargetGroupArn=TG_ARN)) == [
        ("i-a", 80, "unhealthy", "Target.Timeout", "80"),
        ("i-b", 80, "draining", "Target.DeregistrationInProgress", "80"),
        ("i-a", 8080, "healthy", None, "8080"),
        # No health check port while the target is still being registered, as in AWS's examples.
        ("i-e", 80, "initial", "Elb.RegistrationInProgress", None),
    ]


def test_target_health_of_named_targets() -> None:
    client = _health_client()
    answer = client.describe_target_health(TargetGroupArn=TG_ARN, Targets=[{"Id": "i-a"}])
    assert [
        (d["Target"]["Port"], d["TargetHealth"]["State"]) for d in answer["TargetHealthDescriptions"]
    ] == [
        (80, "unhealthy"),
        (8080, "healthy"),
    ]
    answer = client.describe_target_health(
        TargetGroupArn=TG_ARN, Targets=[{"Id": "i-a", "Port": 8080}, {"Id": "i-c"}]
    )
    [a8080, c] = answer["TargetHealthDescriptions"]
    assert a8080["TargetHealth"] == {"State": "healthy"}
    assert c["TargetHealth"] == {
        "State": "unused",
        "Reason": "Target.NotRegistered",
        "Description": "Target.NotRegistered happened",
    }
    [d] = client.describe_target_health(TargetGroupArn=TG_ARN, Targets=[{"Id": "i-d"}])[
        "TargetHealthDescriptions"
    ]
    assert d == {
        "Target": {"Id": "i-d", "Port": 80},
        "TargetHealth": {
            "State": "unused",
            "Reason": "Target.NotRegistered",
            "Description": "Target is not registered to the target group",
        },
    }


def test_target_health_errors_and_ip_targets() -> None:
    client = _health_client()
    with pytest.raises(ClientError) as exc:
        client.describe_target_health(TargetGroupArn=TG_ARN, Targets=[{"Id": "i-nothere"}])
    assert _code(exc) == "InvalidTarget"
    with pytest.raises(ClientError) as exc:
        client.describe_target_health(TargetGroupArn=TG_ARN.replace("web-tg", "old-tg"))
    assert _code(exc) == "TargetGroupNotFound"
    assert _summary(client.describe_target_health(TargetGroupArn=IP_TG_ARN)) == [
        ("10.0.0.5", 80, "healthy", None, "8081")  # a fixed health check port
    ]
    # An IP address cannot be checked for existence: it is simply not registered.
    assert _summary(
        client.describe_target_health(TargetGroupArn=IP_TG_ARN, Targets=[{"Id": "10.0.0.9"}])
    ) == [("10.0.0.9", 80, "unused", "Target.NotRegistered", None)]
    with pytest.raises(ReplayUnsupported):
        client.describe_target_health(TargetGroupArn=TG_ARN, Include=["AnomalyDetection"])


@pytest.mark.moto
def test_target_health_matches_moto_after_a_deregistration(moto_session: Callable[[str], Any]) -> None:
    elb = _moto_setup(moto_session)
    ec2 = moto_session("ec2")
    tg = elb.describe_target_groups(Names=["web-blue"])["TargetGroups"][0]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    ids = [
        i["InstanceId"]
        for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, SubnetId=subnet)[
            "Instances"
        ]
    ]
    arn = tg["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": i} for i in ids])
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": ids[1]}])
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)

    def point(target_id: str, minutes: int, health: dict[str, str]) -> dict[str, Any]:
        at = (now - timedelta(minutes=minutes)).isoformat()
        item = {
            "target_group_arn": arn,
            "target": {"Id": target_id, "Port": 80},
            "health": health,
            "timestamp": at,
        }
        return {"source": "target_health", "item": item}

    timeline = [
        point(ids[0], 3, {"State": "healthy"}),
        point(ids[1], 3, {"State": "healthy"}),
        point(ids[1], 1, dict(NOT_REGISTERED)),
    ]
    replay = _client(
        [{"service": "elbv2", "type": "TargetGroup", "item": tg}],
        timeline,
        start=(now - timedelta(hours=1)).isoformat(),
        end=now.isoformat(),
        now=now.isoformat(),
    )
    for request in (
        {},
        {"Targets": [{"Id": ids[1]}]},
        {"Targets": [{"Id": ids[0], "Port": 80}, {"Id": ids[1]}]},
    ):
        ours = replay.describe_target_health(TargetGroupArn=arn, **request)["TargetHealthDescriptions"]
        theirs = elb.describe_target_health(TargetGroupArn=arn, **request)["TargetHealthDescriptions"]
        # moto echoes "traffic-port"; AWS names the port it checks ("80") and none for unused targets.
        ports = [d.pop("HealthCheckPort", None) for d in ours]
        assert ports == ["80" if d["TargetHealth"]["State"] == "healthy" else None for d in ours]
        assert ours == [{k: v for k, v in d.items() if k != "HealthCheckPort"} for d in theirs], request
    assert [
        d["Target"]["Id"]
        for d in replay.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    ] == ids[:1]
