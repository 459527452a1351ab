"""The shipped failure-mode catalog (agent/knowledge/*.toml) and how its loader reports bad files."""

from __future__ import annotations

import re
import shlex
import string
import tomllib
from pathlib import Path
from typing import get_args
from urllib.parse import urlparse

import botocore.session
import pytest
from botocore import xform_name

from agent.board import Action, Category
from agent.catalog import KNOWLEDGE, PROBES, CatalogError, FailureMode, catalog, load
from agent.signals import SIGNALS
from evals.scenarios import list_scenarios
from evals.scenarios.registry import generate

MODES = catalog()
AREAS = {
    "alarms",
    "compute",
    "containers",
    "database",
    "dependencies",
    "deploys",
    "network",
    "platform",
    "serverless",
    "storage",
}
DOC_HOSTS = {"aws.amazon.com", "docs.aws.amazon.com", "repost.aws"}
# The AWS CLI adds these options to a few commands on top of the API's own parameters.
CLI_EXTRAS = {
    ("ec2", "authorize-security-group-ingress"): {
        "--protocol",
        "--port",
        "--cidr",
        "--source-group",
        "--group-owner",
    },
}
CLI_GLOBAL = {"--max-items", "--page-size", "--starting-token", "--region", "--output", "--query"}
CLI_SERVICE = {"deploy": "codedeploy"}
# A concrete resource id or an account id in a knowledge file would tie it to one incident.
CONCRETE_ID = re.compile(
    r"\b(?:i|sg|acl|vol|subnet|vpc|nat|eni|tgw|tgw-attach|ami|lt)-[0-9a-f]{8,17}\b|\b\d{12}\b|arn:aws:[^<{\s]*:\d{12}:"
)


def _raw_modes() -> list[tuple[Path, dict[str, object]]]:
    out = []
    for path in sorted(KNOWLEDGE.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("mode", []):
            out.append((path, raw))
    return out


def _steps() -> list[tuple[str, str]]:
    return [(m.id, step.command or "") for m in MODES.values() for step in m.remediation]


# --- the shipped catalog -------------------------------------------------------------------------


def test_every_area_file_loads_and_holds_modes() -> None:
    files = {p.stem: p for p in KNOWLEDGE.glob("*.toml")}
    assert set(files) == AREAS
    per_file = {stem: len(tomllib.loads(p.read_text(encoding="utf-8"))["mode"]) for stem, p in files.items()}
    assert all(n >= 2 for n in per_file.values()), per_file
    assert len(MODES) == sum(per_file.values()) >= 50
    assert load() == MODES


def test_ids_are_unique_across_files() -> None:
    ids = [str(raw["id"]) for _, raw in _raw_modes()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert dupes == []
    assert set(ids) == set(MODES)


def test_every_category_and_action_verb_appears() -> None:
    assert {m.category for m in MODES.values()} == set(get_args(Category))
    assert {s.action for m in MODES.values() for s in m.remediation} == set(get_args(Action))


def test_every_signal_and_probe_used_exists() -> None:
    for mode in MODES.values():
        used = mode.root_signals + mode.corroborating + mode.symptoms + mode.contradicting
        assert set(used) <= set(SIGNALS), mode.id
        assert set(mode.probes) <= set(PROBES), mode.id
        assert mode.probes, f"{mode.id} names no probe that would confirm it"
        assert mode.symptoms, f"{mode.id} explains no downstream symptom"


def test_the_probes_are_exactly_the_registered_tools() -> None:
    from tools.catalog import REGISTRY

    # a tool added without naming it here could not be cited by a failure mode's probes
    assert sorted(set(REGISTRY) - set(PROBES)) == []
    assert sorted(set(PROBES) - set(REGISTRY)) == []
    assert len(PROBES) == len(set(PROBES))
    # the reads added for issue 18 (queues, topics, scaling, APIs, secrets, endpoints and buckets,
    # workflows, streams, caches, DNS, certificates) among them
    issue_18 = {
        "queue_details",
        "event_source_mappings",
        "topic_details",
        "scaling_config",
        "api_details",
        "secret_details",
        "vpc_endpoints",
        "bucket_access",
        "state_machine",
        "stream_details",
        "cache_details",
        "dns_records",
        "certificates",
    }
    assert issue_18 <= set(PROBES)


def test_every_mode_has_remediation_with_a_command_prevention_and_observability() -> None:
    for mode in MODES.values():
        assert mode.prevention and all(p.strip() for p in mode.prevention), mode.id
        assert mode.observability, mode.id
        for step in mode.remediation:
            assert step.command, f"{mode.id}: step {step.description!r} has no command or console path"
            # `{inverse}`: the undo of the culprit's own CloudTrail call, built by code from the record.
            assert step.command.startswith(("aws ", "Console: ")) or step.command == "{inverse}", step.command


def test_commands_take_only_the_resource_placeholder() -> None:
    for mode_id, command in _steps():
        fields = {name for _, name, _, _ in string.Formatter().parse(command) if name is not None}
        assert fields <= {"resource", "inverse"}, (mode_id, command)
        assert "{resource}" not in command.format(resource="x", inverse="y"), mode_id
    # every mode lets the planner point at least one step at the suspect itself
    for mode in MODES.values():
        assert any("{resource}" in (s.command or "") or s.command == "{inverse}" for s in mode.remediation), (
            mode.id
        )


def test_cli_commands_name_real_operations_and_parameters() -> None:
    session = botocore.session.get_session()
    checked = 0
    for mode_id, command in _steps():
        if not command.startswith("aws "):
            continue
        for part in command.split("&&"):
            tokens = shlex.split(part)
            assert tokens[0] == "aws", (mode_id, part)
            cli_service, cli_op = tokens[1], tokens[2]
            model = session.get_service_model(CLI_SERVICE.get(cli_service, cli_service))
            ops = {xform_name(op, "-"): op for op in model.operation_names}
            assert cli_op in ops, f"{mode_id}: aws {cli_service} {cli_op} is not an operation"
            shape = model.operation_model(ops[cli_op]).input_shape
            members = set(shape.members) if shape is not None else set()
            allowed = {"--" + xform_name(m, "-") for m in members}
            allowed |= {"--no-" + xform_name(m, "-") for m in members}
            allowed |= CLI_GLOBAL | CLI_EXTRAS.get((cli_service, cli_op), set())
            options = {t for t in tokens[3:] if t.startswith("--")}
            assert options <= allowed, f"{mode_id}: aws {cli_service} {cli_op}: unknown {options - allowed}"
            checked += 1
    assert checked >= 60


def test_references_and_known_issues_are_aws_documentation_urls() -> None:
    for mode in MODES.values():
        assert mode.references, mode.id
        for url in mode.references + mode.known_issues:
            parsed = urlparse(url)
            assert parsed.scheme == "https", url
            assert parsed.hostname in DOC_HOSTS, url
            assert parsed.path not in ("", "/"), url


def test_knowledge_is_generic_not_tied_to_one_incident() -> None:
    for path in KNOWLEDGE.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert not CONCRETE_ID.findall(text), path.name


def test_a_root_signal_never_also_contradicts() -> None:
    for mode in MODES.values():
        assert not set(mode.root_signals) & set(mode.contradicting), mode.id
        assert not set(mode.corroborating) & set(mode.contradicting), mode.id


# --- the modes the investigation must be able to name ----------------------------------------------


@pytest.mark.parametrize(
    ("mode_id", "category", "kind", "actions"),
    [
        (
            "aurora-mysql-version-bug-aborted-connections",
            "dependency_failure",
            "rds_cluster",
            {"upgrade", "reconfigure"},
        ),
        ("rds-max-connections-exhausted", "limit", "rds_instance", {"scale", "reconfigure"}),
        ("aurora-failover-or-reboot", "system_change", "rds_cluster", {"restart"}),
        ("rds-storage-full", "limit", "rds_instance", {"scale"}),
        ("asg-elb-health-check-replacement-loop", "system_change", "asg", {"reconfigure", "rollback"}),
        ("ec2-start-fails-ebs-kms-key-unusable", "change", "kms_key", {"rollback"}),
        ("ebs-throughput-or-iops-ceiling", "limit", "ebs_volume", {"scale"}),
        ("ebs-gp2-burst-balance-exhausted", "limit", "ebs_volume", {"reconfigure"}),
        ("ec2-cpu-credits-exhausted", "limit", "ec2", {"reconfigure", "scale"}),
        ("ec2-disk-full", "component_failure", "ec2", {"exclude"}),
        ("ec2-system-status-check-failed", "component_failure", "ec2", {"exclude", "restart"}),
        ("nacl-blocks-ephemeral-return-traffic", "change", "transit_gateway_attachment", {"rollback"}),
        ("security-group-rule-revoked", "change", "security_group", {"rollback"}),
        ("nat-gateway-port-allocation-errors", "limit", "nat_gateway", {"scale"}),
        ("iam-policy-change-denies-access", "change", "iam_role", {"rollback"}),
        ("kms-key-disabled", "change", "kms_key", {"rollback"}),
        ("lambda-reserved-concurrency-lowered", "change", "lambda", {"rollback", "reconfigure"}),
        ("lambda-timeouts-after-deploy", "change", "lambda", {"rollback"}),
        ("lambda-account-concurrency-limit", "limit", "lambda", {"scale", "block"}),
        ("ecs-task-oom-after-task-definition-change", "change", "ecs_service", {"rollback"}),
        ("ecs-deployment-failing-health-checks", "change", "ecs_service", {"rollback"}),
        ("codedeploy-deployment-failing-health-checks", "change", "codedeploy_group", {"rollback"}),
        ("dynamodb-hot-partition-throttling", "limit", "dynamodb_table", {"reconfigure"}),
        ("dynamodb-provisioned-capacity-too-low", "limit", "dynamodb_table", {"scale"}),
        ("sqs-backlog-slow-consumer", "limit", "sqs_queue", {"scale"}),
        ("config-parameter-change", "change", "ssm_parameter", {"rollback"}),
        ("third-party-dependency-slow-or-failing", "dependency_failure", "remote", {"block"}),
        ("aws-health-az-degradation", "system_change", "availability_zone", {"exclude"}),
        ("scaling-alarm-threshold-never-met", "change", "asg", {"reconfigure", "scale"}),
        ("alarm-too-sensitive-to-blips", "change", "alarm", {"reconfigure"}),
        ("api-gateway-integration-timeout", "limit", "api_gateway", {"reconfigure"}),
        ("elb-idle-timeout-mismatch", "change", "alb", {"reconfigure"}),
        ("dns-resolution-failures", "change", "vpc", {"rollback"}),
    ],
)
def test_required_mode_is_catalogued(mode_id: str, category: str, kind: str, actions: set[str]) -> None:
    mode = MODES[mode_id]
    assert mode.category == category
    assert kind in mode.applies_to
    assert actions <= {s.action for s in mode.remediation}


@pytest.mark.parametrize(
    ("mode_id", "first_command"),
    [
        ("asg-elb-health-check-replacement-loop", "aws autoscaling suspend-processes"),
        ("aurora-mysql-version-bug-aborted-connections", "aws autoscaling suspend-processes"),
        ("scaling-alarm-threshold-never-met", "aws autoscaling set-desired-capacity"),
        ("third-party-dependency-slow-or-failing", "aws ssm put-parameter"),
    ],
)
def test_first_step_of_an_incident_in_progress_stops_the_bleeding(mode_id: str, first_command: str) -> None:
    assert (MODES[mode_id].remediation[0].command or "").startswith(first_command)


def test_replacement_loop_suspends_exactly_the_health_check_processes() -> None:
    tokens = shlex.split(MODES["asg-elb-health-check-replacement-loop"].remediation[0].command or "")
    processes = tokens[tokens.index("--scaling-processes") + 1 :]
    assert processes == ["HealthCheck", "ReplaceUnhealthy"]
    assert tokens[tokens.index("--auto-scaling-group-name") + 1] == "{resource}"
    last = MODES["asg-elb-health-check-replacement-loop"].remediation[-1].command or ""
    assert last.startswith("aws autoscaling resume-processes")


def test_engine_bug_mode_points_at_release_notes() -> None:
    mode = MODES["aurora-mysql-version-bug-aborted-connections"]
    assert "db_engine_known_issue" in mode.root_signals
    assert any("AuroraMySQLReleaseNotes" in url for url in mode.known_issues)
    assert [s.action for s in mode.remediation][1] == "upgrade"
    assert any("--engine-version" in (s.command or "") for s in mode.remediation)


def test_alarm_configuration_modes_only_reconfigure_or_rollback_the_alarm() -> None:
    # When the alarm itself is the finding the verdict is "no fault": nothing in the workload to fix.
    for mode in MODES.values():
        if mode.applies_to == ["alarm"]:
            assert {s.action for s in mode.remediation} <= {"reconfigure", "rollback"}, mode.id
    blip = MODES["alarm-too-sensitive-to-blips"]
    assert {"alarm_too_sensitive", "metric_blip"} <= set(blip.root_signals)
    assert "--datapoints-to-alarm" in (blip.remediation[0].command or "")


# --- agreement with the scenario library's ground truth -------------------------------------------


def _kind(ref: str) -> str:
    if not ref.startswith("arn:"):
        # AZ names and remote hosts (from traces) are not ARNs
        return "availability_zone" if re.fullmatch(r"[a-z]{2}-[a-z]+-\d[a-z]", ref) else "remote"
    service, resource = ref.split(":")[2], ref.split(":", 5)[5]
    kinds = {
        ("rds", "cluster"): "rds_cluster",
        ("rds", "db"): "rds_instance",
        ("ec2", "instance"): "ec2",
        ("ec2", "security-group"): "security_group",
        ("ec2", "volume"): "ebs_volume",
        ("ec2", "network-acl"): "network_acl",
        ("ec2", "natgateway"): "nat_gateway",
        ("lambda", "function"): "lambda",
        ("kms", "key"): "kms_key",
        ("iam", "role"): "iam_role",
        ("ecs", "service"): "ecs_service",
        ("dynamodb", "table"): "dynamodb_table",
        ("ssm", "parameter"): "ssm_parameter",
        ("autoscaling", "autoScalingGroup"): "asg",
    }
    return kinds[(service, re.split(r"[:/]", resource)[0])]


@pytest.mark.parametrize("name", [info.name for info in list_scenarios()])
def test_scenario_truth_is_a_catalogued_mode(name: str) -> None:
    truth = generate(name, 1).truth
    assert truth is not None
    if truth.root_cause is None:
        # a "no fault" case: some alarm-configuration mode must offer the expected actions
        alarm_actions = [{s.action for s in m.remediation} for m in MODES.values() if "alarm" in m.applies_to]
        assert any(set(truth.actions) <= acts for acts in alarm_actions)
        return
    mode = MODES[truth.root_cause.failure_mode.replace("_", "-")]
    assert mode.category == truth.root_cause.category
    assert _kind(truth.root_cause.resource) in set(mode.applies_to)
    assert set(truth.actions) <= {s.action for s in mode.remediation}


# --- the loader's error reports ----------------------------------------------------------------------

GOOD = """
[[mode]]
id = "example-mode"
title = "An example"
category = "limit"
applies_to = ["ec2"]
root_signals = ["cpu_high"]
probes = ["key_metrics"]
remediation = [{ action = "scale", description = "add capacity", command = "aws ec2 describe-instances" }]
prevention = ["size it"]
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    _write(tmp_path, "one.toml", GOOD)
    modes = load(tmp_path)
    assert list(modes) == ["example-mode"]
    assert isinstance(modes["example-mode"], FailureMode)
    assert modes["example-mode"].symptoms == []


def test_bad_toml_syntax_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.toml", '[[mode]]\nid = "x\n')
    with pytest.raises(CatalogError, match=re.escape(str(path))):
        load(tmp_path)


@pytest.mark.parametrize(
    ("old", "new", "field", "detail"),
    [
        ('root_signals = ["cpu_high"]', 'root_signals = ["cpu_melting"]', "root_signals", "cpu_melting"),
        ('probes = ["key_metrics"]', 'probes = ["crystal_ball"]', "probes", "crystal_ball"),
        ('category = "limit"', 'category = "bug"', "category", "limit"),
        ('applies_to = ["ec2"]', 'applies_to = ["mainframe"]', "applies_to.0", "ec2"),
        ('action = "scale"', 'action = "pray"', "remediation.0.action", "rollback"),
        ('prevention = ["size it"]', "prevention = []", "prevention", "at least 1"),
        ('id = "second"', 'id = "Second_Mode"', "id", "pattern"),
    ],
)
def test_invalid_field_names_file_mode_and_field(
    tmp_path: Path, old: str, new: str, field: str, detail: str
) -> None:
    path = _write(tmp_path, "area.toml", GOOD + GOOD.replace("example-mode", "second").replace(old, new))
    with pytest.raises(CatalogError) as err:
        load(tmp_path)
    message = str(err.value)
    assert str(path) in message
    assert "mode #2" in message
    assert f"field '{field}'" in message
    assert detail in message


def test_root_signal_that_also_contradicts_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "area.toml", GOOD.replace('probes = ["key_metrics"]', 'contradicting = ["cpu_high"]'))
    with pytest.raises(CatalogError, match=r"both nominate and contradict"):
        load(tmp_path)


def test_missing_required_field_is_named(tmp_path: Path) -> None:
    _write(tmp_path, "area.toml", GOOD.replace('title = "An example"\n', ""))
    with pytest.raises(CatalogError, match=r"field 'title': Field required"):
        load(tmp_path)


def test_duplicate_id_across_files_names_the_second_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", GOOD)
    second = _write(tmp_path, "b.toml", GOOD)
    with pytest.raises(
        CatalogError, match=re.escape(f"{second}: failure mode 'example-mode' is defined twice")
    ):
        load(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no failure-mode files"):
        load(tmp_path)
