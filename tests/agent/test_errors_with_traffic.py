"""An error count is a share of the requests: errors that grew only as much as the extra requests bring at
the usual error rate (within counting noise) are not a new failure; errors beyond that, or from none, are."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.nodes import _Batch, _errors_with_traffic
from agent.runtime import Runtime
from agent.topology import Topology
from evals.replay import replay_session
from tests.agent.test_scoring import ev
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.registry import ToolContext

T = datetime(2024, 5, 1, 5, tzinfo=UTC)
ALB = "app/web/0123456789abcdef"
TG = "targetgroup/web-tg/0123456789abcdef"


def _signals_after(errors: tuple[float, float], requests: tuple[float, float]) -> list[str]:
    """The 5xx evidence's signals on a target group behind a balancer whose requests rose."""
    bundle = make_bundle({})
    session, _ = replay_session(bundle)
    batch = _Batch({}, Runtime(tools=ToolContext(aws=AwsClients(session), now=bundle.manifest.now)))
    topo = Topology()
    topo.add("alb", ALB)
    topo.add("target_group", TG)
    topo.link(ALB, TG, "routes_to")
    elb = "AWS/ApplicationELB"
    batch.evidence += [
        ev(
            "metric_anomaly",
            ALB,
            T,
            ["traffic_up"],
            metric="RequestCount",
            baseline=requests[0],
            extreme=requests[1],
            namespace=elb,
        ),
        ev(
            "metric_anomaly",
            TG,
            T,
            ["error_rate_up"],
            metric="HTTPCode_Target_5XX_Count",
            baseline=errors[0],
            extreme=errors[1],
            namespace=elb,
        ),
    ]
    _errors_with_traffic(batch, topo)
    return batch.evidence[1].signals


def test_errors_in_proportion_to_a_traffic_peak_are_not_a_failure() -> None:
    # 2 a minute in 4,400 requests, 11 in 12,200 at the morning peak: the same rate, counted small
    assert _signals_after((2, 11), (4400, 12200)) == ["errors_with_traffic"]


def test_errors_beyond_what_the_traffic_brings_still_rise() -> None:
    assert _signals_after((2, 60), (4400, 12200)) == ["error_rate_up"]
    # from none there is no rate to compare with
    assert _signals_after((0, 11), (4400, 12200)) == ["error_rate_up"]
    # flat traffic: any clear rise is a rise
    assert _signals_after((2, 15), (4400, 4500)) == ["error_rate_up"]


def test_a_question_about_scaling_is_answered_even_when_errors_only_followed_the_load() -> None:
    """'Why didn't it scale out when traffic jumped?': its errors grew only with the requests, yet the
    group not scaling while load rose is the trouble asked about, and its policy is the answer."""
    from agent.investigate import offline
    from evals.scenarios import build

    report = offline(build("asg-no-scale-out", 1))
    assert any("errors_with_traffic" in e.signals for e in report.evidence)
    assert report.verdict != "no_fault", report.summary
    top = report.hypotheses[0]
    # the load it did not meet is what its policy explains
    assert top.confidence >= 0.4 and "traffic_up" in top.rationale, top.rationale
    assert (top.failure_mode, top.resource.rsplit("/", 1)[-1]) == (
        "scaling-alarm-threshold-never-met",
        "tickets-core",
    )
