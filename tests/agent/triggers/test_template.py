"""deploy/template.yaml: valid (cfn-lint), read-only plus only the writes it needs, wired to our handler."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.triggers import lambda_handler

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "deploy" / "template.yaml"
READ_POLICY = ROOT / "deploy" / "iam-readonly-policy.json"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...) read as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)
    return loaded


def _role_statements(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    role = template["Resources"]["InvestigatorRole"]["Properties"]
    found = {p["PolicyName"]: p["PolicyDocument"]["Statement"] for p in role["Policies"]}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            found[resource["Properties"]["PolicyName"]] = resource["Properties"]["PolicyDocument"][
                "Statement"
            ]
    return found


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_cfn_lint_passes(tmp_path: Path) -> None:
    pytest.importorskip("cfnlint", reason="cfn-lint is a dev dependency (cfn-lint>=1.40)")
    from cfnlint.api import ManualArgs, lint_file

    config = ManualArgs(regions=["us-east-1"])
    assert [str(m) for m in lint_file(TEMPLATE, config=config)] == []
    # and the same lint does catch a broken template (a dangling reference)
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("!GetAtt DedupeTable.Arn", "!GetAtt DedupeTabel.Arn"))
    assert any("DedupeTabel" in str(m) for m in lint_file(broken, config=config))


def test_read_actions_equal_the_read_only_policy_file(template: dict[str, Any]) -> None:
    expected = json.loads(READ_POLICY.read_text())["Statement"]
    statement, gateway = _role_statements(template)["SleuthReadOnlyInvestigation"]
    file_statement, file_gateway = expected
    assert sorted(_actions(statement)) == sorted(file_statement["Action"])
    assert statement["Resource"] == file_statement["Resource"] == "*"
    assert statement["Effect"] == "Allow"
    # API Gateway: GET on the read paths only, never on every resource (API key values live there too)
    assert gateway == file_gateway
    assert gateway["Action"] == "apigateway:GET" and gateway["Resource"] != "*"
    assert not [r for r in gateway["Resource"] if "apikeys" in r or r.endswith("/keys")]


def test_every_other_permission_is_a_scoped_write_we_need(template: dict[str, Any]) -> None:
    allowed = {
        "dynamodb:PutItem": "DedupeTable",
        "dynamodb:UpdateItem": "DedupeTable",
        "dynamodb:Scan": "DedupeTable",  # finding queued investigations to drain
        "sns:Publish": "ReportTopic",
        "s3:PutObject": "ReportBucket",
        # model access, each behind its parameter's condition
        "bedrock:InvokeModel": "foundation-model",
        "bedrock:InvokeModelWithResponseStream": "foundation-model",
        "secretsmanager:GetSecretValue": "ApiKeySecretArn",
    }
    seen = set()
    for name, statements in _role_statements(template).items():
        if name == "SleuthReadOnlyInvestigation":
            continue
        for statement in statements:
            assert statement["Effect"] == "Allow"
            assert statement["Resource"] != "*", f"{name} grants {statement['Action']} on every resource"
            for action in _actions(statement):
                assert action in allowed, f"{name} grants {action}, which the trigger does not need"
                assert allowed[action] in json.dumps(statement["Resource"])
                seen.add(action)
    assert seen == set(allowed)
    conditions = {
        r["Properties"]["PolicyName"]: r.get("Condition")
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
    }
    assert conditions == {"SleuthBedrockInvoke": "BedrockOn", "SleuthApiKeySecret": "HasApiKeySecret"}


def test_rule_sends_only_alarm_transitions_filtered_by_prefix(template: dict[str, Any]) -> None:
    function = template["Resources"]["InvestigatorFunction"]["Properties"]
    event, drain = function["Events"]["AlarmStateChange"], function["Events"]["DrainQueue"]
    assert drain["Type"] == "Schedule" and json.loads(drain["Properties"]["Input"]) == {"sleuth": "drain"}
    assert event["Type"] == "EventBridgeRule"
    pattern = event["Properties"]["Pattern"]
    assert pattern["source"] == ["aws.cloudwatch"]
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    condition, with_prefix, without = pattern["detail"]["Fn::If"]
    assert condition == "HasAlarmNamePrefix"
    assert with_prefix == {
        "state": {"value": ["ALARM"]},
        "alarmName": [{"prefix": {"Ref": "AlarmNamePrefix"}}],
    }
    assert without == {"state": {"value": ["ALARM"]}}


def _image(template: dict[str, Any]) -> tuple[Path, str]:
    """The function's Dockerfile (resolved as `sam build` does: context relative to the template,
    Dockerfile relative to the context) and its text."""
    meta = template["Resources"]["InvestigatorFunction"]["Metadata"]
    context = (TEMPLATE.parent / meta["DockerContext"]).resolve()
    dockerfile = context / meta["Dockerfile"]
    return context, dockerfile.read_text()


def test_function_runs_our_handler_with_the_settings_it_reads(template: dict[str, Any]) -> None:
    function = template["Resources"]["InvestigatorFunction"]["Properties"]
    assert function["PackageType"] == "Image"
    _, dockerfile = _image(template)
    base = re.search(r"^FROM public\.ecr\.aws/lambda/python:(3\.\d+)$", dockerfile, re.M)
    assert base and base.group(1) in {"3.11", "3.12"}
    cmd = re.search(r'^CMD \["([\w.]+)"\]$', dockerfile, re.M)
    assert cmd
    module, _, attr = cmd.group(1).rpartition(".")
    assert getattr(importlib.import_module(module), attr) is lambda_handler.handler
    env = function["Environment"]["Variables"]
    assert env["SLEUTH_DEDUPE_TABLE"] == {"Ref": "DedupeTable"}
    read = set(re.findall(r"SLEUTH_[A-Z_]+", Path(lambda_handler.__file__).read_text()))
    assert read <= set(env), f"the handler reads settings the template does not set: {read - set(env)}"
    # ... and every setting the template sets is read by some code (SLEUTH_MODEL_ID was read by none).
    code = "".join(p.read_text() for folder in ("agent", "tools") for p in (ROOT / folder).rglob("*.py"))
    unread = {name for name in env if name.startswith("SLEUTH_") and name not in code}
    assert not unread, f"the template sets settings no code reads: {unread}"
    for name in ("ModelId", "UseBedrock", "ApiKeySecretArn", "AlarmNamePrefix"):
        assert name in template["Parameters"]


def test_dedupe_table_matches_the_store(template: dict[str, Any]) -> None:
    table = template["Resources"]["DedupeTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_the_image_installs_exactly_the_runtime_dependencies_and_the_package(
    template: dict[str, Any],
) -> None:
    import tomllib

    context, dockerfile = _image(template)
    assert context == ROOT
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    # requirements.txt is the lock of the runtime set (`make lock`): what pyproject asks for directly is
    # exactly its runtime dependencies, never a dev extra.
    lock = (ROOT / "requirements.txt").read_text()
    pinned = {_name(line) for line in lock.splitlines() if re.match(r"^[A-Za-z0-9]", line)}
    direct = {
        _name(block.split("==")[0])
        for block in re.split(r"\n(?=[A-Za-z0-9])", lock)
        if "sleuth (pyproject.toml)" in block
    }
    assert direct == runtime
    # The test and lint tools of the dev extra are not in it (markdown-it-py is, through rich).
    tools = {"pytest", "pytest-xdist", "moto", "vcrpy", "cfn-lint", "hypothesis", "ruff", "mypy"}
    assert tools <= {_name(r) for r in project["optional-dependencies"]["dev"]}
    assert not (pinned & tools), f"dev-only packages in the runtime lock: {pinned & tools}"
    assert "-r /tmp/sleuth/requirements.txt" in dockerfile and "COPY requirements.txt " in dockerfile
    assert "--no-deps" in dockerfile  # the package adds no unpinned dependency
    # Every package the distribution ships is copied into the image and let through .dockerignore.
    packages = {
        p.rstrip("*")
        for p in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
            "find"
        ]["include"]
    }
    ignore = (ROOT / ".dockerignore").read_text().split()
    for package in packages:
        assert f"COPY {package} /tmp/sleuth/{package}" in dockerfile
        assert f"!{package}/" in ignore
