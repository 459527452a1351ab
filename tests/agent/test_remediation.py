"""Remediation commands carry AWS identifiers from the evidence, shell-quoted; names never reach a shell."""

from __future__ import annotations

import copy
import shlex
from typing import Any

from agent.investigate import offline
from agent.remediation import fill
from agent.report import markdown
from agent.topology import Topology
from agent.triggers.delivery.slack import build_message
from evals.bundle import Bundle
from evals.scenarios import build

ATTACK = "x;aws ec2 terminate-instances --instance-ids i-0123456789abcdef0;#"


def _renamed(bundle: Bundle, name: str) -> Bundle:
    """The bundle with every security group's GroupName and every Name tag set to `name`."""
    records = {k: [copy.deepcopy(r) for r in bundle.records(k)] for k in bundle.kinds()}
    for i, r in enumerate(records.get("resources", [])):
        item: dict[str, Any] = r["item"]
        if "GroupName" in item and r.get("type") == "SecurityGroup":
            item["GroupName"] = f"{i}{name}"
        for tag in item.get("Tags", []) if isinstance(item.get("Tags"), list) else []:
            if isinstance(tag, dict) and tag.get("Key") == "Name":
                tag["Value"] = f"{i}{name}"
    return Bundle(bundle.manifest, records)


def test_revoked_rule_is_restored_with_ids_and_known_values() -> None:
    report = offline(build("sg-rule-revoked", 1))
    top = report.hypotheses[0]
    (step,) = [s for s in top.remediation if s.command and "authorize-security-group-ingress" in s.command]
    argv = shlex.split(step.command or "")
    assert argv[argv.index("--group-id") + 1].startswith("sg-")  # the id, not the group's name
    assert argv[argv.index("--port") + 1] == "3306"
    assert argv[argv.index("--source-group") + 1].startswith("sg-")
    assert "<" not in (step.command or "")


def test_names_full_of_shell_metacharacters_never_reach_a_command() -> None:
    report = offline(_renamed(build("sg-rule-revoked", 1), ATTACK))
    commands = [s.command for h in report.hypotheses for s in h.remediation if s.command]
    assert commands, (report.verdict, [h.title for h in report.hypotheses])
    for command in commands:
        assert "terminate-instances" not in command, command
    rendered = markdown.render(report) + str(
        build_message(report, investigation_id="i", link=None, link_notice="")
    )
    assert "InstanceId=x;aws" not in rendered and "--group-id x;aws" not in rendered


def test_every_substituted_value_is_one_shell_word() -> None:
    topo = Topology()
    topo.add("asg", "web asg;rm -rf /")
    cmd = fill(
        "aws autoscaling resume-processes --auto-scaling-group-name {resource}", "web asg;rm -rf /", topo, []
    )
    assert cmd is not None
    assert shlex.split(cmd)[-1] == "web asg;rm -rf /"
    assert (
        fill("aws x --id {resource} --v <previous-version>", "i-1", topo, [])
        == "aws x --id i-1 --v <previous-version>"
    )


def test_an_instance_command_names_its_group_from_the_graph() -> None:
    topo = Topology()
    topo.add("ec2", "i-0abc", "web-1")
    topo.add("asg", "web-asg")
    topo.link("i-0abc", "web-asg", "member_of")
    cmd = fill(
        "aws autoscaling enter-standby --instance-ids {resource} --auto-scaling-group-name <asg-name>",
        "i-0abc",
        topo,
        [],
    )
    assert cmd == "aws autoscaling enter-standby --instance-ids i-0abc --auto-scaling-group-name web-asg"
