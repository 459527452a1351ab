"""A VPC endpoint stands on the path between the code in its VPC and the service it answers for: calls
that fail through it are evidence about it, changes to it are found under its own id, and what a
function is configured to call (its environment, as names only) places it on that path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from agent.analyzers.changes import from_changes, kind_of, targets
from agent.analyzers.logs import ENDPOINT_POLICY, denied_by
from agent.nodes import _attribute_endpoint_hosts, _attribute_remote_hosts, _Batch
from agent.runtime import Runtime
from agent.topology import Topology
from evals.replay import replay_session
from tests.agent.test_reach import discovered, metric
from tests.agent.test_scoring import ev
from tests.conftest import make_bundle
from tests.evals.replay.test_endpoints_buckets import VPC, endpoint
from tests.tools.test_queues import function
from tools.aws import AwsClients
from tools.changes import Change, Changes, normalise
from tools.redact import strip_environment
from tools.registry import ToolContext

T = datetime(2024, 5, 1, 5, 30, tzinfo=UTC)
VENDOR_VPCE = "vpce-0d0d0d0d0d0d0d0d4"
VENDOR_HOST = "score.eu-west-1.vigil.example"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"],
            }
        ]
        * 4,
    }
)


def record(name: str, request: dict[str, Any], response: dict[str, Any] | None = None) -> dict[str, Any]:
    """A LookupEvents event for an EC2 query-API call, its parameters in the `<Action>Request` wrapper."""
    raw = {
        "eventName": name,
        "eventSource": "ec2.amazonaws.com",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/ci/run"},
        "requestParameters": {f"{name}Request": request},
        "responseElements": response,
    }
    return {
        "EventId": f"ev-{name}",
        "EventName": name,
        "EventTime": T,
        "EventSource": "ec2.amazonaws.com",
        "Resources": [],
        "CloudTrailEvent": json.dumps(raw),
    }


def test_a_long_policy_does_not_hide_which_endpoint_a_modify_changed() -> None:
    """The endpoint's id sits after a policy document long enough to cut the parameters: the id survives
    the cut (documents are shortened first), and the bucket the policy names is not what changed."""
    change = normalise(
        record("ModifyVpcEndpoint", {"VpcEndpointId": "vpce-0aaaaaaaaaaaaaaa1", "PolicyDocument": POLICY})
    )
    assert len(json.dumps(change.params)) < len(POLICY)
    assert targets(change)[0] == "vpce-0aaaaaaaaaaaaaaa1"
    assert not any(t.endswith("\\") for t in targets(change)), "an ARN stops at the document's escapes"


def test_what_a_create_call_changed_is_what_its_response_names() -> None:
    """Only the response knows the id AWS gave the new endpoint; creating an interface endpoint with
    private DNS makes the service's names resolve to it for the whole VPC, so it is a configuration
    change on the path, not something added beside it."""
    change = normalise(
        record(
            "CreateVpcEndpoint",
            {"VpcId": VPC, "ServiceName": "com.amazonaws.us-east-1.execute-api", "PrivateDnsEnabled": True},
            {
                "CreateVpcEndpointResponse": {
                    "vpcEndpoint": {"vpcEndpointId": "vpce-0eeeeeeeeeeeeeee5", "vpcId": VPC}
                }
            },
        )
    )
    assert change.created == ["vpce-0eeeeeeeeeeeeeee5"]
    assert targets(change)[0] == "vpce-0eeeeeeeeeeeeeee5"
    assert kind_of("CreateVpcEndpoint") == "change_config"
    (draft,) = from_changes(Changes(changes=[change], read=1, dropped_as_noise=0))
    assert draft.resource == "vpce-0eeeeeeeeeeeeeee5" and "change_config" in draft.signals
    # an association alters what already serves (a web ACL, a route table); a tag alters nothing
    assert kind_of("AssociateWebACL") == "change_other" and kind_of("CreateTags") is None


def test_a_refusal_by_an_endpoint_policy_lands_on_the_endpoint_for_that_service() -> None:
    text = (
        "User: arn:aws:sts::123456789012:assumed-role/rewards-api/i-0123 is not authorized to perform: "
        "dynamodb:Query on resource: arn:aws:dynamodb:us-east-2:123456789012:table/rewards/index/by-member "
        "because no VPC endpoint policy allows the dynamodb:Query action"
    )
    assert denied_by(text) == (f"{ENDPOINT_POLICY}dynamodb", "dynamodb:Query", "VPC endpoint")
    topo = Topology()
    s3 = topo.add("vpc_endpoint", "vpce-0aaaaaaaaaaaaaaa1", attrs={"service": "com.amazonaws.us-east-2.s3"})
    ddb = topo.add(
        "vpc_endpoint", "vpce-0bbbbbbbbbbbbbbb2", attrs={"service": "com.amazonaws.us-east-2.dynamodb"}
    )
    batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # these steps call nothing
    batch.evidence.append(ev("log_pattern", f"{ENDPOINT_POLICY}dynamodb", None, ["access_denied_logs"], 0.6))
    _attribute_endpoint_hosts(batch, topo)
    assert batch.evidence[0].resource == ddb != s3


def test_environment_values_keep_only_the_names_of_what_the_code_calls() -> None:
    fn = {
        "Environment": {
            "Variables": {
                "FRAUD_API_URL": "https://user:pw@Score.Vigil.example:8443/v2/score?key=abc",
                "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
                "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:order-events",
                "QUEUE_URL_PARAM": "/orders/prod/queue-url",
                "DB_PATH": "/var/lib/data/store",
                "DB_PASSWORD": "hunter2hunter2",
                "DATABASE_URL": "postgres://u:p@db.internal/orders",
            }
        }
    }
    strip_environment("GetFunctionConfiguration", fn)
    assert fn["Environment"]["Variables"] == {
        "FRAUD_API_URL": "https://score.vigil.example/[WITHHELD]",
        "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:order-events",
        "QUEUE_URL_PARAM": "/orders/prod/queue-url",
        "DB_PATH": "[WITHHELD]",
        "DB_PASSWORD": "[WITHHELD]",
        "DATABASE_URL": "[WITHHELD]",
    }


def vendor_records() -> dict[str, list[Any]]:
    fn = function("place-order")
    fn["item"]["VpcConfig"] = {
        "SubnetIds": ["subnet-0123456789abcdef0"],
        "SecurityGroupIds": [],
        "VpcId": VPC,
    }
    fn["item"]["Environment"] = {"Variables": {"FRAUD_API_URL": f"https://{VENDOR_HOST}/v2/score"}}
    vendor = endpoint(
        VENDOR_VPCE,
        "x",
        "Interface",
        ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
        PrivateDnsEnabled=True,
        DnsEntries=[
            {"DnsName": f"{VENDOR_VPCE}-1a2b3c4d.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com"},
            {"DnsName": VENDOR_HOST},
        ],
    )
    return {
        "resources": [fn, vendor],
        "metrics": metric("AWS/Lambda", "Errors", {"FunctionName": "place-order"}, 5.0, 60),
    }


def test_a_configured_host_that_a_privatelink_endpoint_answers_is_reached_through_it() -> None:
    """The function's VPC is read from its own configuration (its subnets need not be readable), its
    endpoints with it; the vendor's private DNS name is a name of the endpoint."""
    topo = discovered(vendor_records(), "place-order errors since 05:20")
    fn, vpce = topo.resolve("place-order"), topo.resolve(VENDOR_VPCE)
    assert fn and vpce and topo.resolve(VENDOR_HOST) == vpce
    assert (fn, vpce, "calls_through") in topo.edges
    assert topo.nodes[fn].attrs["calls"] == f"FRAUD_API_URL={VENDOR_HOST}"


def test_timeouts_that_name_the_dependency_as_its_configuration_does_are_about_it() -> None:
    """ "fraud score attempt 2 aborted due to timeout" names no host, but the function is configured
    with one FRAUD_ URL: the timeouts are about what answers that host (here, the vendor's endpoint)."""
    topo = discovered(vendor_records(), "place-order errors since 05:20")
    vpce = topo.resolve(VENDOR_VPCE)
    bundle = make_bundle({})
    session, _ = replay_session(bundle)
    batch = _Batch({}, Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now)))
    batch.evidence.append(ev("log_pattern", "place-order", None, ["timeout_logs", "new_error_pattern"], 0.85))
    batch.evidence[0].facts["example"] = (
        '{"level":"WARN","message":"fraud score attempt 2 operation was aborted due to timeout"}'
    )
    _attribute_remote_hosts(batch, topo)
    copied = [e for e in batch.evidence if e.resource == vpce]
    assert len(copied) == 1 and "remote_slow" in copied[0].signals
    # a line that names none of the configuration's words stays with the function alone
    batch.evidence = [ev("log_pattern", "place-order", None, ["timeout_logs"], 0.85)]
    batch.evidence[0].facts["example"] = "Task timed out after 15.03 seconds"
    _attribute_remote_hosts(batch, topo)
    assert [e.resource for e in batch.evidence] == ["place-order"]


def test_failed_calls_to_an_aws_host_go_through_the_interface_endpoint_with_private_dns() -> None:
    """With private DNS on, an execute-api interface endpoint answers every API's host in its VPC: a 403
    from https://abc123.execute-api.us-east-1.amazonaws.com is evidence about the endpoint."""
    topo = Topology()
    ep = topo.add(
        "vpc_endpoint",
        "vpce-0fffffffffffffff6",
        attrs={"service": "com.amazonaws.us-east-1.execute-api", "private_dns": "true", "type": "Interface"},
    )
    topo.add("lambda", "benefits-eligibility")
    batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # these steps call nothing
    batch.evidence.append(
        ev("log_pattern", "benefits-eligibility", None, ["new_error_pattern", "access_denied_logs"], 0.8)
    )
    batch.evidence[0].facts["example"] = (
        "[ERROR] HTTPError: 403 Client Error: Forbidden for url: "
        "https://abc123.execute-api.us-east-1.amazonaws.com/v1/rates/OR"
    )
    _attribute_endpoint_hosts(batch, topo)
    copied = [e for e in batch.evidence if e.resource == ep]
    assert len(copied) == 1 and "remote_slow" not in copied[0].signals  # an AWS service, not a vendor
    assert (topo.resolve("benefits-eligibility"), ep, "calls_through") in topo.edges
    # without private DNS the names resolve publicly: the endpoint is not on that path
    topo.nodes[ep].attrs["private_dns"] = "false"
    batch.evidence = batch.evidence[:1]
    _attribute_endpoint_hosts(batch, topo)
    assert len(batch.evidence) == 1


def test_a_domain_named_in_an_error_is_not_mentioned_by_its_subdomains() -> None:
    topo = Topology()
    topo.add("dns_record", "parcelwise.com")
    api = topo.add("dns_record", "api.parcelwise.com")
    assert topo.mentioned("Host: api.parcelwise.com. is not in the cert's altnames") == [api]


def test_a_change_record_is_still_a_change_without_a_parseable_request() -> None:
    change = Change(
        event_id="e",
        time=T,
        who="ci",
        principal_type="AssumedRole",
        source="ec2.amazonaws.com",
        action="ModifyVpcEndpoint",
        resources=[],
        params='{"ModifyVpcEndpointRequest":{"PolicyDocument":"{\\"Statement\\":[…',
    )
    assert targets(change) == []


def test_an_sdks_throttle_names_the_api_whose_account_quota_was_reached() -> None:
    """A throttle from KMS, Parameter Store or Secrets Manager is the account's request quota for that
    API, reached by all callers together: it lands on the one key (or parameter, or secret) of that
    service the caller uses, else on the API itself, which is named but never confirmed."""
    from agent.analyzers.logs import called_api, message_signals
    from agent.catalog import catalog
    from agent.nodes import _attribute_throttles
    from agent.scoring import generate

    js = (
        'ERROR Invoke Error {"errorType":"ThrottlingException","errorMessage":"Rate exceeded","stack":["at '
        'de_GetParametersCommandError (/var/runtime/node_modules/@aws-sdk/client-ssm/dist-cjs/index.js:7652:14)"]}'
    )
    java = (
        "software.amazon.awssdk.services.kms.model.KmsException: You have exceeded the rate at which you may "
        "call KMS. Reduce the frequency of your calls. (Service: Kms, Status Code: 400, Request ID: 9001)"
    )
    assert called_api(js) == ("ssm", "GetParameters") and "throttling_logs" in message_signals(js)
    assert called_api(java) == ("kms", None) and "throttling_logs" in message_signals(java)
    assert called_api(
        "An error occurred (ThrottlingException) when calling the GetSecretValue operation"
    ) == (
        "secretsmanager",
        "GetSecretValue",
    )

    def attributed(text: str, topo: Topology) -> list[Any]:
        batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # this step calls nothing
        batch.evidence.append(
            ev("log_pattern", "promo-price", T, ["throttling_logs", "new_error_pattern"], 0.85)
        )
        batch.evidence[0].facts["example"] = text
        _attribute_throttles(batch, topo)
        return batch.evidence[1:]

    topo = Topology()
    fn = topo.add("lambda", "promo-price")
    (copied,) = attributed(js, topo)
    assert copied.resource == "ssm:GetParameters" and topo.kind("ssm:GetParameters") == "aws_api"
    assert "throttled" in copied.signals and (fn, "ssm:GetParameters", "calls") in topo.edges
    hyps = generate(catalog(), [*attributed(js, topo)], topo, [fn])
    top = next(h for h in hyps if h.resource == "ssm:GetParameters")
    assert top.category == "limit" and top.confidence <= 0.7

    # the caller's own key, through its role: the quota is reached on the calls it makes with that key
    topo = Topology()
    fn = topo.add("ecs_service", "passes-auth")
    role = topo.add("iam_role", "arn:aws:iam::123456789012:role/passes-auth-task")
    key = topo.add(
        "kms_key", "arn:aws:kms:eu-central-1:123456789012:key/a39ea931-3c05-474b-af97-bd46724759e4"
    )
    topo.link(fn, role, "assumes")
    topo.link(role, key, "may_use")
    batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # this step calls nothing
    batch.evidence.append(ev("log_pattern", "passes-auth", T, ["throttling_logs"], 0.85))
    batch.evidence[0].facts["example"] = java
    _attribute_throttles(batch, topo)
    assert [e.resource for e in batch.evidence[1:]] == [key]
    # a table's own throttles are its capacity, not an account quota: left to the table
    batch.evidence = [ev("log_pattern", "passes-auth", T, ["throttling_logs"], 0.85)]
    batch.evidence[0].facts["example"] = (
        "ProvisionedThroughputExceededException (Service: DynamoDb, Status Code: 400)"
    )
    _attribute_throttles(batch, topo)
    assert len(batch.evidence) == 1


def test_a_roles_inline_policy_links_its_holders_to_the_keys_and_parameters_it_names() -> None:
    role = {"RoleName": "passes-auth-task", "Arn": "arn:aws:iam::123456789012:role/passes-auth-task"}
    key = "arn:aws:kms:us-east-1:123456789012:key/a39ea931-3c05-474b-af97-bd46724759e4"
    policy = {
        "RoleName": "passes-auth-task",
        "PolicyName": "token-signing",
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["kms:Sign"], "Resource": key},
                {
                    "Effect": "Allow",
                    "Action": "ssm:GetParameter",
                    "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/passes/prod/issuer",
                },
                {
                    "Effect": "Allow",
                    "Action": "ssm:GetParameters",
                    "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/passes/prod/*",
                },
                {
                    "Effect": "Deny",
                    "Action": "kms:Decrypt",
                    "Resource": "arn:aws:kms:us-east-1:123456789012:key/other",
                },
            ],
        },
    }
    fn = function("passes-auth")
    fn["item"]["Role"] = role["Arn"]
    records = {
        "resources": [
            fn,
            {"service": "iam", "type": "Role", "item": role},
            {"service": "iam", "type": "RoleInlinePolicy", "item": policy},
        ],
        "metrics": metric("AWS/Lambda", "Errors", {"FunctionName": "passes-auth"}, 5.0, 60),
    }
    topo = discovered(records, "passes-auth errors since 05:20")
    assert (role["Arn"], key, "may_use") in topo.edges and topo.kind(key) == "kms_key"
    assert (role["Arn"], "/passes/prod/issuer", "may_use") in topo.edges
    assert topo.resolve("arn:aws:kms:us-east-1:123456789012:key/other") is None, "a Deny grants nothing"
    assert not any(b.endswith("*") for _, b, _ in topo.edges), "a wildcard names no one resource"


def test_a_security_group_named_after_the_application_is_not_what_its_errors_are_about() -> None:
    from agent.nodes import _attribute_mentions

    topo = Topology()
    sg = topo.add("security_group", "sg-000cbf0b41d9c9d48", "floorplan-api")
    table = topo.add("dynamodb_table", "floorplan-rooms")
    batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # this step calls nothing
    batch.evidence.append(ev("log_pattern", "i-0966cbf3369884ed9", None, ["new_error_pattern"], 0.85))
    batch.evidence[0].facts["example"] = "ERROR [floorplan-api] query on floorplan-rooms failed"
    _attribute_mentions(batch, topo)
    assert [e.resource for e in batch.evidence[1:]] == [table] != [sg]
    # its id in the line is another matter
    batch.evidence = batch.evidence[:1]
    batch.evidence[0].facts["example"] = "ERROR [floorplan-api] sg-000cbf0b41d9c9d48 refused the connection"
    _attribute_mentions(batch, topo)
    assert [e.resource for e in batch.evidence[1:]] == [sg]


def test_a_count_of_a_services_error_lines_is_about_that_service_not_its_cluster() -> None:
    from agent.analyzers.logs import owner_of
    from agent.nodes import _attribute_mentions

    # A service's group under its cluster's name was written by the service.
    assert owner_of("/ecs/shop-prod/orders-api") == "orders-api"
    assert owner_of("/ecs/orders-api") == "orders-api"
    assert owner_of("/aws/ecs/containerinsights/shop-prod/performance") == "shop-prod"
    topo = Topology()
    cluster = topo.add("ecs_cluster", "shop-prod")
    svc = topo.add("ecs_service", "orders-api")
    topo.link(svc, cluster, "runs_in")
    batch = _Batch({}, Runtime(tools=None))  # type: ignore[arg-type]  # this step calls nothing
    # a count's summary names the group, and so the cluster in its path: the lines name nothing
    count = ev("log_pattern", "orders-api", None, ["log_errors_up"], 0.8)
    count.summary = "error-like lines in /ecs/shop-prod/orders-api rose: baseline 0 -> peak 16"
    batch.evidence.append(count)
    _attribute_mentions(batch, topo)
    assert len(batch.evidence) == 1
    # a line that names the cluster is about it
    count.facts["example"] = "ERROR cluster shop-prod has no container instance with capacity"
    _attribute_mentions(batch, topo)
    assert [e.resource for e in batch.evidence[1:]] == [cluster]
