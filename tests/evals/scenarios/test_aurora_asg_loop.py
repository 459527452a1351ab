"""Scenario #1: Aurora MySQL version bug and the ASG terminate/launch loop."""

from __future__ import annotations

from evals.bundle import Bundle
from tests.evals.scenarios.contract import Known, ScenarioContract


class TestAuroraAsgLoop(ScenarioContract):
    name = "aurora-asg-loop"

    def test_only_the_db_error_log_is_exported(self, bundle: Bundle, known: Known) -> None:
        groups = {e["log_group"] for e in bundle.records("logs")}
        rds = {g for g in groups if g.startswith("/aws/rds/")}
        assert rds and all(g.endswith("/error") for g in rds)
        assert not {g for g in known.log_groups if "/aws/lambda/" not in g and not g.startswith("/aws/rds/")}

    def test_asg_replaced_instances_more_than_once(self, bundle: Bundle) -> None:
        activities = [e["item"] for e in bundle.records("events") if e["source"] == "autoscaling"]
        terminated = [a for a in activities if a["Description"].startswith("Terminating")]
        launched = [a for a in activities if a["Description"].startswith("Launching")]
        assert len(terminated) > 3 and launched
        assert all("ELB system health check failure" in a["Cause"] for a in terminated)
        # A replacement was itself replaced: the loop, not a one-off.
        replacement_ids = {a["Description"].rsplit(" ", 1)[1] for a in launched}
        assert replacement_ids & {a["Description"].rsplit(" ", 1)[1] for a in terminated}

    def test_aborted_connections_burst_in_the_error_log(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        onset = bundle.manifest.start  # compare rates before and after the hop the truth names
        lines = [e for e in bundle.records("logs") if "Aborted connection" in e["message"]]
        assert lines and onset
        stamps = sorted(e["timestamp"] for e in lines)
        half = stamps[len(stamps) // 2]
        # Background aborted connections are rare; the incident produces most of them in its last hour.
        assert bundle.manifest.now.timestamp() * 1000 - half < 2 * 3600 * 1000
