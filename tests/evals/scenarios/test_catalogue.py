"""The public API: list and build scenarios by name and seed."""

from __future__ import annotations

import random

import pytest

from evals.bundle import Bundle
from evals.scenarios import build, list_scenarios
from evals.scenarios.account import Account
from evals.scenarios.inventory import resource_records
from evals.scenarios.window import Window


def test_catalogue_lists_the_scenarios_in_order() -> None:
    names = [i.name for i in list_scenarios()]
    mine = [
        "aurora-asg-loop",
        "lambda-throttling",
        "lambda-timeouts",
        "sg-rule-revoked",
        "rds-connection-exhaustion",
        "t3-cpu-credits",
        "disk-full",
        "slow-third-party",
        "benign-blip",
    ]
    # Other scenarios may sit between these; the catalogue keeps the numbering order.
    assert [n for n in names if n in mine] == mine
    assert names[0] == "aurora-asg-loop"  # the demo default comes first
    assert len(set(names)) == len(names)


def test_unknown_scenario_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no scenario named 'nope'"):
        build("nope", 1)


def test_build_returns_an_in_memory_bundle_with_truth() -> None:
    bundle = build("benign-blip", 3)
    assert isinstance(bundle, Bundle) and bundle.source is None
    assert bundle.manifest.truth is not None and bundle.manifest.truth.no_fault


def test_the_global_random_state_is_neither_used_nor_disturbed() -> None:
    random.seed(1)
    expected = random.random()
    random.seed(1)
    first = build("benign-blip", 5).manifest
    assert random.random() == expected
    random.seed(99)
    assert build("benign-blip", 5).manifest == first


def test_account_items_validate_against_botocore_shapes() -> None:
    rng = random.Random(11)
    window = Window.draw(rng)
    account = Account.draw(rng, window)
    records = resource_records(account)
    types = {(r["service"], r["type"]) for r in records}
    assert {
        ("ec2", "Vpc"),
        ("ec2", "Subnet"),
        ("ec2", "SecurityGroup"),
        ("ec2", "Instance"),
        ("elbv2", "LoadBalancer"),
        ("elbv2", "TargetGroup"),
        ("autoscaling", "AutoScalingGroup"),
        ("rds", "DBCluster"),
        ("rds", "DBInstance"),
        ("iam", "Role"),
        ("logs", "LogGroup"),
        ("lambda", "FunctionConfiguration"),
    } <= types
    from evals.bundle.items import check_resource

    for r in records:
        check_resource(r["service"], r["type"], r["item"])
