"""What a ceiling needs: an API's integration timeout needs answers that reached it, not only slower ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.analyzers.metrics import from_key_metrics
from agent.catalog import catalog
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tools.metrics import KeyMetrics, MetricFinding
from tools.series import summarize

T0 = datetime(2026, 4, 9, 18, 30, tzinfo=UTC)


def _api_latency(peak_ms: float) -> MetricFinding:
    stamps = [T0 - timedelta(minutes=60 - i) for i in range(60)] + [
        T0 + timedelta(minutes=i) for i in range(15)
    ]
    values = [400.0 + (i % 5) * 10 for i in range(60)] + [peak_ms] * 15
    return MetricFinding(
        resource="reviews-api",
        kind="api_gateway",
        namespace="AWS/ApiGateway",
        metric="IntegrationLatency",
        dimensions={"ApiName": "reviews-api"},
        stat="p99",
        stats=summarize(stamps, values, T0),
    )


def test_an_integration_is_timed_out_only_when_its_answers_reach_the_timeout() -> None:
    """API Gateway ends a request after 29 s (REST) or 30 s (HTTP APIs): a p99 near that is requests cut
    off there; a p99 of 5 s is a slower backend, and reading it as the API's timeout blames the front
    door for what the function behind it does."""
    (slow,) = from_key_metrics(KeyMetrics(findings=[_api_latency(5_600.0)], scanned=1))
    (cut_off,) = from_key_metrics(KeyMetrics(findings=[_api_latency(29_000.0)], scanned=1))
    assert slow.signals == ["latency_up"]
    assert cut_off.signals == ["latency_up", "integration_timeout"]

    topo = Topology()
    api = topo.add("api_gateway", "reviews-api")

    def timeout_reading(signals: list[str]) -> object:
        evidence = [
            ev("metric_anomaly", api, T0, signals, 0.9),
            ev("metric_anomaly", api, T0, ["error_rate_up"], 0.9),
        ]
        hyps = generate(catalog(), evidence, topo, [api])
        return next(h for h in hyps if h.failure_mode == "api-gateway-integration-timeout")

    slower = timeout_reading(slow.signals)
    assert slower.confidence <= 0.5 and "no sign of a ceiling" in slower.rationale  # type: ignore[attr-defined]
    reached = timeout_reading(cut_off.signals)
    assert reached.confidence > 0.5 and "no sign of a ceiling" not in reached.rationale  # type: ignore[attr-defined]
