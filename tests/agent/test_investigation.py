"""End-to-end investigations of built-in scenarios with the rules planner (offline replay).

The full accuracy table over every scenario and seed is `sleuth eval --suite builtin` (the CI gate
runs it through tests/evals/test_gate.py); these cases check what a user reads in the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.investigate import investigate, offline, resume
from agent.runtime import Limits
from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios import build
from evals.scoring import score_case
from tools.aws import AwsClients


@pytest.fixture(scope="module")
def sg_case() -> Any:
    bundle = build("sg-rule-revoked", 1)
    return bundle, offline(bundle)


def test_a_revoked_rule_is_found_with_the_event_and_a_rollback(sg_case: Any) -> None:
    bundle, report = sg_case
    truth = bundle.manifest.truth
    assert report.verdict == "root_cause"
    top = report.hypotheses[0]
    assert top.category == truth.root_cause.category
    assert "rollback" in {r.action for r in top.remediation}
    cited = {e.id: e for e in report.evidence}
    assert set(top.evidence) <= set(cited)
    assert any(truth.root_cause.event_id in cited[i].summary for i in top.evidence)
    scored = score_case(report, truth, bundle)
    assert scored.top1 and scored.grounded


def test_every_cited_evidence_can_be_rerun(sg_case: Any) -> None:
    from tools.catalog import REGISTRY

    _, report = sg_case
    for e in report.evidence:
        tool = REGISTRY[e.source.tool]
        tool.input_model.model_validate(e.source.params)


@pytest.mark.parametrize(
    ("name", "seed"),
    [
        ("aurora-asg-loop", 1),
        ("t3-cpu-credits", 2),
        ("lambda-timeouts", 3),
        ("kms-key-blocks-start", 3),  # the key was scheduled for deletion hours before the window
        ("tgw-nacl-cross-az", 1),  # rejected replies on another subnet's interface name the ACL
        ("rds-connection-exhaustion", 4),  # connections pinned at the ceiling, 18% above baseline
        ("iam-dynamodb-denied", 2),  # two roles changed a minute apart; the denial names one
        ("ebs-az-degradation", 4),  # the AZ, not its instances, even though they fail checks too
    ],
)
def test_root_cause_ranked_first(name: str, seed: int) -> None:
    bundle = build(name, seed)
    report = offline(bundle)
    scored = score_case(report, bundle.manifest.truth, bundle)
    assert report.verdict == "root_cause", report.summary
    assert scored.top1, [h.resource for h in report.hypotheses]
    assert scored.grounded


def test_a_question_alone_is_read_on_the_askers_clock() -> None:
    # The same incident asked about in words only ("since about 11:15am", a team on UTC+1): the
    # window comes from the question read in the trigger's time zone, and the cause is still found.
    bundle = build("aurora-asg-loop", 1)
    m = bundle.manifest
    assert m.trigger.question and m.trigger.timezone
    session, _ = replay_session(bundle)
    report = investigate(
        AwsClients(session), now=m.now, question=m.trigger.question, timezone=m.trigger.timezone
    )
    assert report.verdict == "root_cause", report.summary
    assert score_case(report, m.truth, bundle).top1, [h.resource for h in report.hypotheses]


def test_a_saturated_group_that_did_not_scale_is_found_from_the_alarm_alone() -> None:
    # Nobody asked "why didn't it scale?": a latency alarm, CPU pinned on the group, traffic up.
    bundle = build("asg-no-scale-out", 2)
    m = bundle.manifest
    assert m.trigger.alarm_event is not None
    session, _ = replay_session(bundle)
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True)
    report = investigate(AwsClients(session), now=m.now, alarm_event=event)
    assert report.verdict == "root_cause", report.summary
    assert score_case(report, m.truth, bundle).top1, [h.resource for h in report.hypotheses]


@pytest.mark.parametrize(
    ("name", "seed", "missing"),
    [
        ("slow-third-party", 1, "traces"),  # only the logs name the endpoint that times out
        ("disk-full", 1, "logs"),  # only the traces show one host failing
    ],
)
def test_the_cause_is_found_with_one_kind_of_telemetry_missing(name: str, seed: int, missing: str) -> None:
    full = build(name, seed)
    bundle = Bundle(full.manifest, {k: list(full.records(k)) for k in full.kinds() if k != missing})
    report = offline(bundle)
    scored = score_case(report, bundle.manifest.truth, bundle)
    assert scored.top1, [h.resource for h in report.hypotheses]
    assert scored.grounded


def test_a_benign_blip_is_no_fault_and_says_so() -> None:
    report = offline(build("benign-blip", 1))
    assert report.verdict == "no_fault"
    assert report.hypotheses == []
    assert "No root cause" in report.summary
    assert any("sustained" in g or "datapoints" in g for g in report.observability_gaps)


def test_missing_database_logs_are_named_as_observability_gaps() -> None:
    report = offline(build("aurora-asg-loop", 1))
    assert any("slowquery" in g for g in report.observability_gaps)


def test_a_capped_investigation_still_reports() -> None:
    bundle = build("sg-rule-revoked", 1)
    session, _ = replay_session(bundle)
    m = bundle.manifest
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True) if m.trigger.alarm_event else None
    report = investigate(
        AwsClients(session),
        now=m.now,
        question=m.trigger.question,
        alarm_event=event,
        limits=Limits(max_tool_calls=3),
    )
    # Three calls end before any metric is read: blind, which is not an all-clear.
    assert report.verdict == "insufficient_data"
    assert "tool calls" in report.stats.capped
    assert report.stats.tool_calls <= 3 + 3


def test_feedback_discards_a_hypothesis_and_resumes(tmp_path: Path) -> None:
    bundle = build("sg-rule-revoked", 1)
    session, _ = replay_session(bundle)
    m = bundle.manifest
    event = m.trigger.alarm_event.model_dump(mode="json", by_alias=True) if m.trigger.alarm_event else None
    db = tmp_path / "checkpoints.sqlite"
    first = investigate(
        AwsClients(session),
        now=m.now,
        question=m.trigger.question,
        alarm_event=event,
        thread_id="t-1",
        db_path=db,
    )
    top = first.hypotheses[0]
    session2, _ = replay_session(bundle)
    second = resume(
        AwsClients(session2), thread_id="t-1", feedback={top.failure_mode: "discarded"}, db_path=db
    )
    assert top.failure_mode not in [h.failure_mode for h in second.hypotheses if h.resource == top.resource]
    with pytest.raises(LookupError, match="no checkpointed investigation"):
        resume(AwsClients(session2), thread_id="nope", feedback={"x": "accepted"}, db_path=db)


def test_an_alarm_on_custom_metrics_scans_its_namespace() -> None:
    from tests.conftest import make_bundle
    from tests.evals.bundle.test_bundle import ALARM_EVENT
    from tests.tools.test_metrics import app_points

    # An application's own namespace: checkout's latency jumps at 05:00; its alarm fires at 05:10.
    metric = {
        "id": "m1",
        "metricStat": {
            "metric": {
                "namespace": "Shop/Services",
                "name": "Latency",
                "dimensions": {"Service": "checkout", "Env": "prod"},
            },
            "period": 300,
            "stat": "Average",
        },
    }
    event = {**ALARM_EVENT, "detail": {**ALARM_EVENT["detail"], "configuration": {"metrics": [metric]}}}
    bundle = make_bundle({"metrics": app_points()})
    session, _ = replay_session(bundle)
    report = investigate(AwsClients(session), now=bundle.manifest.now, alarm_event=event)
    assert any(e.source.tool == "namespace_metrics" for e in report.evidence)
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode) == ("checkout", "service-degraded-at-origin")
    assert report.verdict == "root_cause", report.summary
