"""The scores that catch a wrong diagnosis: diagnosis, cause_event, overconfident, brier.

Every expectation is worked out by hand from the hand-made report and truth.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.report.model import Report, ReportEvidence, ReportHypothesis, Stats
from evals.bundle.model import Truth
from evals.runner import gate_run
from evals.scoring import Summary, check_floors, failed_score, score_case, summarize
from tests.conftest import make_bundle

DB = "orders-db"
CULPRIT_ID = "3f1d9a52-7c0e-4f7b-9d42-1a2b3c4d5e6f"
SIBLING_ID = "8a6b2e10-44d1-4a0c-b1f7-0e9d8c7b6a54"
STRANGER_ID = "c0ffee00-1111-4222-8333-444455556666"
ADMIN = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/dana"
CI_ROLE = "arn:aws:sts::123456789012:assumed-role/deploy-ci/gh-1234"


def trail(event_id: str, when: str, who: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "arn": who},
        "eventTime": when,
        "eventSource": "rds.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "console.amazonaws.com",
        "requestParameters": params,
        "responseElements": None,
        "requestID": f"req-{event_id[:8]}",
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
    }


BUNDLE = make_bundle(
    {
        "cloudtrail": [
            trail(
                CULPRIT_ID, "2024-05-01T13:58:10Z", ADMIN, "ModifyDBInstance", {"dBInstanceIdentifier": DB}
            ),
            # The console writes a second record for the same change a few seconds later.
            trail(
                SIBLING_ID, "2024-05-01T13:58:40Z", ADMIN, "RebootDBInstance", {"dBInstanceIdentifier": DB}
            ),
            # Same resource, same minute, another principal: a different change.
            trail(STRANGER_ID, "2024-05-01T13:58:30Z", CI_ROLE, "AddTagsToResource", {"resourceName": DB}),
        ]
    }
)


def change_evidence(ev_id: str, event_id: str) -> ReportEvidence:
    return ReportEvidence(
        id=ev_id,
        kind="change_event",
        resource=DB,
        start=None,
        end=None,
        summary=f"dana called rds:ModifyDBInstance on {DB} at 13:58:10 (event {event_id})",
        source={"tool": "recent_changes", "params": {"resources": [DB]}},
    )


def hypothesis(resource: str, category: str, confidence: float, evidence: list[str]) -> ReportHypothesis:
    return ReportHypothesis.model_validate(
        {
            "rank": 1,
            "title": f"{resource} is the cause",
            "category": category,
            "resource": resource,
            "failure_mode": "some_mode",
            "confidence": confidence,
            "chain": [resource],
            "evidence": evidence,
            "remediation": [],
            "prevention": [],
            "status": "open",
        }
    )


def report(
    hyp: ReportHypothesis | None, evidence: list[ReportEvidence], verdict: str = "root_cause"
) -> Report:
    return Report.model_validate(
        {
            "verdict": verdict,
            "summary": "",
            "hypotheses": [hyp.model_dump()] if hyp else [],
            "evidence": [e.model_dump() for e in evidence],
            "timeline": [],
            "data_gaps": [],
            "observability_gaps": [],
            "stats": Stats().model_dump(),
        }
    )


TRUTH = Truth.model_validate(
    {
        "root_cause": {
            "resource": DB,
            "category": "change",
            "failure_mode": "parameter-change",
            "event_id": CULPRIT_ID,
        }
    }
)


def test_right_resource_with_the_wrong_category_is_not_a_diagnosis() -> None:
    score = score_case(
        report(hypothesis(DB, "component_failure", 0.9, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)]),
        TRUTH,
        BUNDLE,
    )
    assert (score.top1, score.category, score.diagnosis) == (True, False, False)
    # Wrong story at 0.9: overconfident, and the Brier score is (0.9 - 0)^2.
    assert score.overconfident is True
    assert score.brier == pytest.approx(0.81)


def test_right_resource_and_category_is_a_diagnosis_and_calibration_rewards_confidence() -> None:
    score = score_case(
        report(hypothesis(DB, "change", 0.9, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)]), TRUTH, BUNDLE
    )
    assert score.diagnosis is True
    assert score.cause_event is True
    assert score.overconfident is False
    assert score.brier == pytest.approx(0.01)  # (0.9 - 1)^2


@pytest.mark.parametrize(
    ("cited", "expected"),
    [
        (CULPRIT_ID, True),  # the record itself
        (SIBLING_ID, True),  # same principal, same resource, 30 s later: the same change
        (STRANGER_ID, False),  # same resource and minute, another principal
    ],
)
def test_cause_event_counts_the_record_or_another_record_of_the_same_change(
    cited: str, expected: bool
) -> None:
    score = score_case(
        report(hypothesis(DB, "change", 0.6, ["ev-1"]), [change_evidence("ev-1", cited)]), TRUTH, BUNDLE
    )
    assert score.cause_event is expected


def test_cause_event_needs_the_top_hypothesis_to_cite_it() -> None:
    # The record is in the report's evidence, but the top hypothesis does not cite it.
    metric = ReportEvidence(
        id="ev-2",
        kind="metric_anomaly",
        resource=DB,
        start=None,
        end=None,
        summary="DatabaseConnections fell from 300 to 0 at 13:59",
        source={"tool": "alarm_details", "params": {"name": "db-conns"}},
    )
    score = score_case(
        report(hypothesis(DB, "change", 0.6, ["ev-2"]), [change_evidence("ev-1", CULPRIT_ID), metric]),
        TRUTH,
        BUNDLE,
    )
    assert score.cause_event is False


def test_cause_event_does_not_apply_without_a_culprit_record() -> None:
    truth = Truth.model_validate(
        {"root_cause": {"resource": DB, "category": "component_failure", "failure_mode": "x"}}
    )
    score = score_case(
        report(hypothesis(DB, "component_failure", 0.5, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)]),
        truth,
        BUNDLE,
    )
    assert score.cause_event is None
    assert score.diagnosis is True


def test_a_claim_on_a_no_fault_case_is_overconfident_at_0_8_and_scored_by_brier() -> None:
    no_fault = Truth.model_validate({"no_fault": True})
    claimed = score_case(
        report(hypothesis(DB, "change", 0.86, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)]),
        no_fault,
        BUNDLE,
    )
    assert (claimed.specificity, claimed.overconfident) == (False, True)
    assert claimed.brier == pytest.approx(0.86**2, abs=1e-4)
    # The same hypothesis, but the verdict says no fault: nothing was claimed.
    honest = score_case(
        report(hypothesis(DB, "change", 0.86, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)], "no_fault"),
        no_fault,
        BUNDLE,
    )
    assert (honest.specificity, honest.overconfident, honest.brier) == (True, False, 0.0)


def test_summary_averages_the_new_scores_over_the_cases_they_apply_to() -> None:
    right = score_case(
        report(hypothesis(DB, "change", 0.9, ["ev-1"]), [change_evidence("ev-1", CULPRIT_ID)]), TRUTH, BUNDLE
    )
    wrong = score_case(
        report(hypothesis("web-alb", "change", 0.8, ["ev-1"]), [change_evidence("ev-1", STRANGER_ID)]),
        TRUTH,
        BUNDLE,
    )
    crashed = failed_score(TRUTH)
    summary = summarize([right, wrong, crashed], failed=1)
    assert summary.diagnosis == pytest.approx(1 / 3, abs=1e-3)
    assert summary.cause_event == pytest.approx(1 / 3, abs=1e-3)
    # right: not over; wrong at 0.8: over; crashed: no claim made
    assert summary.overconfident == pytest.approx(1 / 3, abs=1e-3)
    # (0.01 + 0.64 + 0) / 3  -- a crashed case is scored as a miss, but claimed nothing
    assert summary.brier == pytest.approx(0.217, abs=1e-3)


def test_overconfident_and_brier_are_ceilings_in_the_gate() -> None:
    summary = Summary(n=10, overconfident=0.1, brier=0.05, diagnosis=0.9)
    assert check_floors(summary, {"overconfident": 0.05, "brier": 0.1, "diagnosis": 0.8}) == [
        "overconfident: 0.100 is above the ceiling 0.050"
    ]


def test_the_gate_holds_each_suite_to_its_own_floors(tmp_path: Any) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text('{"floors": {"top1": 0.9}, "suite_floors": {"fresh": {"top1": 0.5}}}')
    data = {
        "summary": {"n": 4, "top1": 0.7},
        "suites": {"builtin": {"n": 2, "top1": 1.0}, "fresh": {"n": 2, "top1": 0.4}},
    }
    assert gate_run(data, floors) == ["fresh top1: 0.400 is below the floor 0.500"]
