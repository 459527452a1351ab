"""Scores against hand-built reports and truths: each expectation is worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from agent.report.model import Report, ReportEvidence, ReportHypothesis, Stats
from evals.bundle.model import Truth
from evals.scoring import (
    Spellings,
    Summary,
    check_floors,
    failed_score,
    grounding_problems,
    percentile,
    score_case,
    summarize,
)
from tests.conftest import make_bundle

ACCOUNT = "123456789012"
LAMBDA_ARN = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:search-indexer"
ALB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web-alb/50dc6c495c0c9188"
CLUSTER_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:billing-db"
DB_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:billing-db-instance-1"
INSTANCE = "i-0123456789abcdef0"
INSTANCE_ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{INSTANCE}"
ASG_ARN = (
    f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:"
    "e718f584-287a-449f-a480-550f762b1aed:autoScalingGroupName/portal"
)


def evidence(ev_id: str, tool: str = "alarm_details", **params: Any) -> ReportEvidence:
    return ReportEvidence(
        id=ev_id,
        kind="alarm",
        resource=None,
        start=None,
        end=None,
        summary="alarm web-5xx went to ALARM",
        source={"tool": tool, "params": params or {"name": "web-5xx"}},
    )


def hyp(
    rank: int,
    resource: str,
    *,
    category: str = "change",
    evidence_ids: tuple[str, ...] = ("ev-1",),
    actions: tuple[str, ...] = ("rollback",),
    chain: tuple[str, ...] = (),
    status: str = "open",
) -> ReportHypothesis:
    return ReportHypothesis.model_validate(
        {
            "rank": rank,
            "title": f"{resource} is the cause",
            "category": category,
            "resource": resource,
            "failure_mode": "some_mode",
            "confidence": 0.7,
            "chain": list(chain) or [resource],
            "evidence": list(evidence_ids),
            "remediation": [{"action": a, "description": f"{a} it"} for a in actions],
            "prevention": [],
            "status": status,
        }
    )


def report(
    *hyps: ReportHypothesis, verdict: str = "root_cause", evidence_list: list[ReportEvidence] | None = None
) -> Report:
    return Report.model_validate(
        {
            "verdict": verdict,
            "summary": "",
            "hypotheses": [h.model_dump() for h in hyps],
            "evidence": [
                e.model_dump() for e in (evidence_list if evidence_list is not None else [evidence("ev-1")])
            ],
            "timeline": [],
            "data_gaps": [],
            "observability_gaps": [],
            "stats": Stats(tool_calls=7, aws_calls=31, duration_s=4.5, llm_tokens=0).model_dump(),
        }
    )


def truth(resource: str, *also: str, **fields: Any) -> Truth:
    return Truth.model_validate(
        {
            "root_cause": {
                "resource": resource,
                "category": fields.pop("category", "change"),
                "failure_mode": "m",
            },
            "also_accept": list(also),
            **fields,
        }
    )


NO_FAULT = Truth(no_fault=True)


# --- the root-cause resource in any spelling ------------------------------------------------------


@pytest.mark.parametrize(
    ("truth_resource", "also", "named", "expected"),
    [
        (LAMBDA_ARN, (), "search-indexer", True),
        (LAMBDA_ARN, (), "search", False),
        (ALB_ARN, (), "app/web-alb/50dc6c495c0c9188", True),
        (ALB_ARN, (), "web-alb", True),
        ("app/web-alb/50dc6c495c0c9188", (), ALB_ARN, True),
        (CLUSTER_ARN, (DB_ARN,), "billing-db", True),
        (CLUSTER_ARN, (DB_ARN,), "billing-db-instance-1", True),
        (CLUSTER_ARN, (DB_ARN,), "billing-db-instance-2", False),
        (CLUSTER_ARN, (), "billing-db-instance-1", False),
        (INSTANCE_ARN, (ASG_ARN,), "portal", True),
        (INSTANCE_ARN, (ASG_ARN,), INSTANCE, True),
        (INSTANCE_ARN, (), "i-0123456789abcdef1", False),
        ("api.taxjar.com", (), "API.TaxJar.com", True),
    ],
)
def test_top1_matches_any_spelling_of_the_root_cause(
    truth_resource: str, also: tuple[str, ...], named: str, expected: bool
) -> None:
    score = score_case(report(hyp(1, named)), truth(truth_resource, *also))
    assert score.top1 is expected
    assert score.top3 is expected
    assert score.top_resource == named
    assert score.truth_resource == truth_resource


def _instances(*pairs: tuple[str, str]) -> Any:
    rows = [
        {
            "service": "ec2",
            "type": "Instance",
            "item": {"InstanceId": iid, "Tags": [{"Key": "Name", "Value": name}]},
        }
        for iid, name in pairs
    ]
    bundle = make_bundle({"resources": rows})
    bundle.validate()
    return bundle


def test_a_name_tag_matches_through_the_bundle_inventory() -> None:
    bundle = _instances((INSTANCE, "web-1"), ("i-0fedcba9876543210", "web-2"))
    t = truth(INSTANCE_ARN)
    assert score_case(report(hyp(1, "web-1")), t, bundle).top1 is True
    assert score_case(report(hyp(1, "web-2")), t, bundle).top1 is False
    # Without the inventory nothing says web-1 is that instance.
    assert score_case(report(hyp(1, "web-1")), t).top1 is False


def test_a_name_shared_by_several_resources_names_none_of_them() -> None:
    bundle = _instances((INSTANCE, "portal-node"), ("i-0fedcba9876543210", "portal-node"))
    assert score_case(report(hyp(1, "portal-node")), truth(INSTANCE_ARN), bundle).top1 is False
    assert Spellings(bundle).of("portal-node") == {"portal-node"}


def test_a_security_group_name_matches_its_group_unless_two_vpcs_share_it() -> None:
    sg = "sg-0e62f6765faae9907"
    t = truth(f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{sg}")
    groups = [
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {"GroupId": sg, "GroupName": "db-sg", "VpcId": "vpc-1"},
        },
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1"},
        },
    ]
    one = make_bundle({"resources": groups})
    one.validate()
    assert score_case(report(hyp(1, "db-sg")), t, one).top1 is True
    assert score_case(report(hyp(1, sg)), t, one).top1 is True
    # The group's VPC is another resource, not a spelling of the group.
    assert score_case(report(hyp(1, "vpc-1")), t, one).top1 is False
    twin = {"service": "ec2", "type": "SecurityGroup", "item": {"GroupId": "sg-2", "GroupName": "db-sg"}}
    assert score_case(report(hyp(1, "db-sg")), t, make_bundle({"resources": [*groups, twin]})).top1 is False


def test_spellings_gather_ids_arns_and_names_of_one_resource() -> None:
    bundle = make_bundle(
        {
            "resources": [
                {
                    "service": "rds",
                    "type": "DBInstance",
                    "item": {
                        "DBInstanceIdentifier": "orders-db-1",
                        "DBInstanceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-db-1",
                        "DBClusterIdentifier": "orders-db",
                        "DbiResourceId": "db-ABCDEFGHIJKLMNOP",
                    },
                }
            ]
        }
    )
    bundle.validate()
    # The cluster it belongs to is another resource, not a spelling of this one.
    assert Spellings(bundle).of("db-ABCDEFGHIJKLMNOP") == {
        "orders-db-1",
        f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-db-1",
        "db-abcdefghijklmnop",
    }


def test_an_arn_no_resource_record_spells_names_its_resource_by_its_last_component() -> None:
    config = "c-d418f7af-25b7-401a-89c1-ffeffdc1786b"
    arn = f"arn:aws:mq:eu-north-1:{ACCOUNT}:configuration:{config}"
    assert score_case(report(hyp(1, arn)), truth(config)).top1 is True
    assert (
        score_case(
            report(hyp(1, f"arn:aws:mq:eu-north-1:{ACCOUNT}:configuration:c-other")), truth(config)
        ).top1
        is False
    )


# --- ranks, category, actions, chain --------------------------------------------------------------


def test_top3_counts_the_first_three_hypotheses_the_agent_did_not_set_aside() -> None:
    t = truth(LAMBDA_ARN)
    second = report(hyp(1, "web-alb"), hyp(2, "search-indexer"))
    assert (score_case(second, t).top1, score_case(second, t).top3) == (False, True)
    fourth = report(hyp(1, "a-fn"), hyp(2, "b-fn"), hyp(3, "c-fn"), hyp(4, "search-indexer"))
    assert (score_case(fourth, t).top1, score_case(fourth, t).top3) == (False, False)
    ruled_out = report(hyp(1, "web-alb", status="ruled_out"), hyp(2, "search-indexer"))
    score = score_case(ruled_out, t)
    assert (score.top1, score.top_resource) == (True, "search-indexer")


def test_category_is_the_first_hypothesis_category() -> None:
    t = truth(LAMBDA_ARN, category="limit")
    assert score_case(report(hyp(1, "search-indexer", category="limit")), t).category is True
    # The right category on the wrong first hypothesis' resource still scores the category alone.
    assert score_case(report(hyp(1, "web-alb", category="limit")), t).category is True
    assert score_case(report(hyp(1, "search-indexer", category="change")), t).category is False


def test_actions_is_the_share_of_expected_verbs_the_first_hypothesis_proposes() -> None:
    t = truth(LAMBDA_ARN, actions=["rollback", "reconfigure"])
    half = report(
        hyp(1, "search-indexer", actions=("rollback", "scale")), hyp(2, "x", actions=("reconfigure",))
    )
    assert score_case(half, t).actions == 0.5
    both = report(hyp(1, "search-indexer", actions=("reconfigure", "rollback", "rollback")))
    assert score_case(both, t).actions == 1.0
    assert score_case(report(hyp(1, "search-indexer")), truth(LAMBDA_ARN)).actions is None
    assert score_case(report(verdict="no_fault"), t).actions == 0.0


def test_chain_overlap_counts_truth_steps_naming_a_chain_resource() -> None:
    t = truth(
        CLUSTER_ARN,
        DB_ARN,
        chain=[
            "traffic spike on billing-alb",
            "billing-db aborts client connections under load",
            "p1-gateway instances reach 100% CPU reconnecting",
            "ELB health checks on billing-gateway-tg time out.",
        ],
    )
    # billing-db-instance-1 is an accepted spelling of the root cause, so "billing-db" steps count.
    score = score_case(
        report(hyp(1, "billing-db-instance-1", chain=("billing-db-instance-1", "billing-gateway-tg"))), t
    )
    assert score.chain == 0.5
    # A name inside a longer name is not a mention: "billing-db" does not name "billing-db-instance-2".
    other = truth("billing-db-instance-2", chain=["billing-db-instance-2 fails", "billing-db is fine"])
    assert score_case(report(hyp(1, "billing-db", chain=("billing-db",))), other).chain == 0.5
    assert score_case(report(verdict="no_fault"), t).chain == 0.0
    assert score_case(report(hyp(1, "x")), truth(LAMBDA_ARN)).chain is None


# --- verdicts and specificity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "specific", "correct"),
    [("no_fault", True, True), ("inconclusive", True, False), ("root_cause", False, False)],
)
def test_no_fault_cases_score_specificity(verdict: str, specific: bool, correct: bool) -> None:
    hyps = () if verdict == "no_fault" else (hyp(1, "fulfilment-db"),)
    score = score_case(report(*hyps, verdict=verdict), NO_FAULT)
    assert score.expected_verdict == "no_fault"
    assert (score.specificity, score.verdict_correct) == (specific, correct)
    assert (score.top1, score.top3, score.category, score.actions, score.chain) == (None,) * 5
    assert score.truth_resource is None


def test_fault_cases_expect_a_root_cause_verdict() -> None:
    score = score_case(report(hyp(1, "search-indexer"), verdict="inconclusive"), truth(LAMBDA_ARN))
    assert (score.expected_verdict, score.verdict, score.verdict_correct) == (
        "root_cause",
        "inconclusive",
        False,
    )
    assert score.top1 is True
    assert score.specificity is None
    assert (score.duration_s, score.aws_calls, score.tool_calls, score.llm_tokens) == (4.5, 31, 7, 0)


# --- grounding ------------------------------------------------------------------------------------


def test_grounded_when_every_cited_evidence_exists_and_re_validates() -> None:
    ev = [
        evidence("ev-1"),
        evidence(
            "ev-2",
            "metric_series",
            start="2024-05-01T00:00:00Z",
            end="2024-05-01T01:00:00Z",
            namespace="AWS/Lambda",
            metric="Throttles",
        ),
    ]
    r = report(hyp(1, "search-indexer", evidence_ids=("ev-1", "ev-2")), evidence_list=ev)
    assert grounding_problems(r) == []
    assert score_case(r, truth(LAMBDA_ARN)).grounded is True


@pytest.mark.parametrize(
    ("r", "problem"),
    [
        (
            report(hyp(1, "fn", evidence_ids=("ev-1", "ev-9"))),
            "hypothesis 1 (fn) cites ev-9, which the report lacks",
        ),
        (report(hyp(1, "fn", evidence_ids=())), "hypothesis 1 (fn) cites no evidence"),
        (
            report(hyp(1, "fn"), evidence_list=[evidence("ev-1", "delete_everything", x=1)]),
            "ev-1: source tool 'delete_everything' is not a registered tool",
        ),
        (
            report(hyp(1, "fn"), evidence_list=[evidence("ev-1", "alarm_details", history_hours=3)]),
            "ev-1: alarm_details params do not validate (name: Field required)",
        ),
        (report(verdict="root_cause"), "verdict is root_cause but no hypothesis backs it"),
    ],
)
def test_ungrounded_claims_fail_grounding(r: Report, problem: str) -> None:
    assert grounding_problems(r) == [problem]
    score = score_case(r, truth(LAMBDA_ARN))
    assert score.grounded is False
    assert score.grounding_problems == [problem]


def test_contradicting_evidence_must_exist_too() -> None:
    h = hyp(1, "fn").model_copy(update={"contradicting": ["ev-5"]})
    assert grounding_problems(report(h)) == ["hypothesis 1 (fn) cites ev-5, which the report lacks"]


def test_a_no_fault_report_without_claims_is_grounded() -> None:
    assert score_case(report(verdict="no_fault", evidence_list=[]), NO_FAULT).grounded is True


# --- totals and the gate --------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile(range(1, 21), 95) == 19
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_summary_averages_each_score_over_the_cases_it_applies_to() -> None:
    t = truth(LAMBDA_ARN, actions=["rollback", "reconfigure"])
    hit = score_case(report(hyp(1, "search-indexer", actions=("rollback",))), t)  # top1, 0.5 actions
    third = score_case(report(hyp(1, "a", actions=("scale",)), hyp(2, "b"), hyp(3, "search-indexer")), t)
    third.duration_s = 10.0
    quiet = score_case(report(verdict="no_fault", evidence_list=[]), NO_FAULT)
    quiet.duration_s = 2.0
    loud = score_case(report(hyp(1, "db"), verdict="root_cause"), NO_FAULT)
    loud.duration_s = 1.0
    crashed = failed_score(t, duration_s=60.0)
    summary = summarize([hit, third, quiet, loud, crashed, None], failed=2)
    assert (summary.n, summary.failed, summary.n_fault, summary.n_no_fault) == (6, 2, 3, 2)
    assert summary.top1 == round(1 / 3, 3)
    assert summary.top3 == round(2 / 3, 3)
    assert summary.actions == round((0.5 + 0.0 + 0.0) / 3, 3)
    assert summary.specificity == 0.5
    assert summary.grounded == 0.8  # the crash is not grounded; the unscorable case is not counted
    # The verdict alone: hit and third (a root cause, if the wrong one) and quiet.
    assert summary.verdict == 0.6
    # Durations of finished investigations: 1.0, 2.0, 4.5, 10.0 (the crash's 60 s is left out).
    assert (summary.p50_s, summary.p95_s) == (2.0, 10.0)
    assert summary.aws_calls == 31 * 4


def test_a_crashed_case_misses_everything_that_applies() -> None:
    fault = failed_score(truth(LAMBDA_ARN, actions=["rollback"], chain=["x"]))
    assert (fault.top1, fault.top3, fault.category, fault.actions, fault.chain) == (
        False,
        False,
        False,
        0.0,
        0.0,
    )
    assert (fault.specificity, fault.grounded, fault.verdict) == (None, False, None)
    quiet = failed_score(NO_FAULT)
    assert (quiet.specificity, quiet.top1, quiet.actions) == (False, None, None)


def test_floors_fail_below_pass_at_and_fail_unmeasured() -> None:
    summary = Summary(n=4, top1=0.5, top3=0.75, specificity=None)
    assert check_floors(summary, {"top1": 0.5, "top3": 0.7}) == []
    assert check_floors(summary, {"top1": 0.6, "top3": 0.7, "specificity": 0.5}) == [
        "top1: 0.500 is below the floor 0.600",
        "specificity: not measured by these cases (floor 0.500)",
    ]
    with pytest.raises(ValueError, match="unknown floor 'top5'"):
        check_floors(summary, {"top5": 0.1})


def test_an_accuracy_only_score_does_not_re_run_the_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fresh gate measures accuracy alone: scoring still reads the bundle's spellings, and re-runs
    nothing (re-running is the built-in gate's grounding check)."""
    import evals.scoring as scoring

    def boom(*_a: object) -> list[str]:
        raise AssertionError("re-ran the evidence")

    monkeypatch.setattr(scoring, "rerun_problems", boom)
    bundle = make_bundle({"resources": []})
    score = score_case(report(hyp(1, "web-1")), truth("web-1"), bundle, rerun=False)
    assert score.top1 is True
    with pytest.raises(AssertionError, match="re-ran"):
        score_case(report(hyp(1, "web-1")), truth("web-1"), bundle)
