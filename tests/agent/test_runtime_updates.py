"""A managed runtime moved under a function's code: AWS updates Lambda runtimes itself (runtime
management mode Auto) and says so only in the INIT_START lines of the function's own log group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.analyzers.state import from_runtime_versions
from agent.catalog import catalog
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tools.functions import RuntimeVersion, RuntimeVersions

ONSET = datetime(2026, 3, 22, 20, 11, tzinfo=UTC)
START = ONSET - timedelta(minutes=40)
OLD = RuntimeVersion(
    version="python:3.11.v38",
    arn="arn:aws:lambda:us-east-1::runtime:f85a",
    inits=22,
    first=ONSET - timedelta(hours=20),
    last=ONSET - timedelta(minutes=53),
)
NEW = RuntimeVersion(
    version="python:3.11.v39",
    arn="arn:aws:lambda:us-east-1::runtime:ad48",
    inits=14,
    first=ONSET + timedelta(minutes=2),
    last=ONSET + timedelta(minutes=39),
)


def _read(*versions: RuntimeVersion) -> list[object]:
    out = RuntimeVersions(
        function="refill-status",
        log_group="/aws/lambda/refill-status",
        versions=list(versions),
        status="Complete",
    )
    return from_runtime_versions(out, START, ONSET + timedelta(minutes=40))  # type: ignore[return-value]


def test_environments_starting_on_a_new_runtime_version_near_the_window_are_a_runtime_update() -> None:
    (moved,) = _read(OLD, NEW)
    assert (moved.resource, moved.signals, moved.start) == ("refill-status", ["runtime_updated"], NEW.first)  # type: ignore[attr-defined]
    assert moved.facts["previous_arn"] == OLD.arn and moved.facts["version"] == "python:3.11.v39"  # type: ignore[attr-defined]
    assert "from runtime python:3.11.v38" in moved.summary  # type: ignore[attr-defined]
    # One version all along, or a version that arrived a day ago, is nothing the window shows.
    assert _read(OLD) == []
    assert _read(OLD, NEW.model_copy(update={"first": START - timedelta(hours=20)})) == []


def test_a_function_failing_on_a_runtime_it_was_moved_to_is_named_as_the_platforms_change() -> None:
    """The API in front answers 502s because the function fails to initialise: the function, moved to a
    new runtime version by AWS at the onset, is where it began, and rolling back means pinning the
    runtime version it ran before, not a deploy nobody made."""
    topo = Topology()
    api = topo.add("api_gateway", "refill-api")
    fn = topo.add("lambda", "refill-status")
    topo.link(api, fn, "invokes")
    (moved,) = _read(OLD, NEW)
    evidence = [
        ev("metric_anomaly", api, ONSET, ["error_rate_up"], 0.9),
        ev("metric_anomaly", api, ONSET, ["latency_up"], 0.9),
        ev("metric_anomaly", fn, ONSET, ["error_rate_up"], 0.9),
        ev("log_pattern", fn, None, ["new_error_pattern"], 0.85),
        ev("resource_state", fn, moved.start, moved.signals, moved.strength, **moved.facts),  # type: ignore[attr-defined]
    ]
    hyps = generate(catalog(), evidence, topo, [api])
    top = hyps[0]
    assert (top.resource, top.failure_mode, top.category) == (
        fn,
        "lambda-runtime-version-updated",
        "system_change",
    )
    assert any(
        s.action == "rollback" and "put-runtime-management-config" in (s.command or "")
        for s in top.remediation
    )
    # Deployed at the same minute, the function may have taken the new runtime with its own new code.
    deployed = [
        *evidence,
        ev("change_event", fn, ONSET - timedelta(minutes=3), ["change", "change_deploy"], 0.6),
    ]
    again = next(h for h in generate(catalog(), deployed, topo, [api]) if h.failure_mode == top.failure_mode)
    assert again.confidence < top.confidence and "contradicted by change_deploy" in again.rationale
