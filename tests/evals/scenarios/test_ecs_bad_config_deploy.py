"""Scenario #9: an ECS deployment with a bad configuration fails its health checks."""

from __future__ import annotations

import math
from typing import Any

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.replay import replay_session
from evals.scenarios.library import ecs_bad_config_deploy  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract


def _deploy(bundle: Bundle) -> dict[str, Any]:
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    return next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)


class TestEcsBadConfigDeploy(ExtendedContract):
    name = "ecs-bad-config-deploy"

    def test_new_revision_differs_only_in_one_variable_or_image(self, bundle: Bundle, known: Known) -> None:
        family, revision = _deploy(bundle)["requestParameters"]["taskDefinition"].split(":")
        defs = {d["revision"]: d for d in known.by_type[("ecs", "TaskDefinition")] if d["family"] == family}
        new, old = (
            defs[int(revision)]["containerDefinitions"][0],
            defs[int(revision) - 1]["containerDefinitions"][0],
        )
        changed = {e["name"] for e in new["environment"]} ^ {e["name"] for e in old["environment"]}
        assert not changed
        differ = [e for e in new["environment"] if e not in old["environment"]]
        assert len(differ) == 1
        assert new["memory"] == old["memory"] and new["healthCheck"] == old["healthCheck"]

    def test_only_new_revision_tasks_fail_and_half_the_old_ones_were_stopped(
        self, bundle: Bundle, known: Known
    ) -> None:
        deploy = _deploy(bundle)
        new = deploy["responseElements"]["service"]["taskDefinition"]
        at = to_datetime(deploy["eventTime"])
        tasks = [
            t
            for t in known.by_type[("ecs", "Task")]
            if t["group"] == f"service:{deploy['requestParameters']['service']}"
        ]
        failed = [
            t
            for t in tasks
            if t.get("stoppedReason")
            in ("Essential container in task exited", "Task failed container health checks")
        ]
        assert failed and {t["taskDefinitionArn"] for t in failed} == {new}
        crashed = [t for t in failed if t["stopCode"] == "EssentialContainerExited"]
        assert all(t["containers"][0]["exitCode"] == 1 for t in crashed)
        scheduler = [
            t
            for t in tasks
            if t.get("stopCode") == "ServiceSchedulerInitiated"
            and t["taskDefinitionArn"] != new
            and to_datetime(t["stoppedAt"]) >= at
        ]
        (svc,) = [
            s
            for s in known.by_type[("ecs", "Service")]
            if s["serviceArn"].endswith("/" + deploy["requestParameters"]["service"])
        ]
        assert len(scheduler) == max(1, svc["desiredCount"] // 2)
        assert svc["deploymentConfiguration"]["minimumHealthyPercent"] == 50

    def test_circuit_breaker_state_matches_the_failures(self, bundle: Bundle, known: Known) -> None:
        deploy = _deploy(bundle)
        session, _ = replay_session(bundle)
        ecs = session.client("ecs")
        cluster, name = deploy["requestParameters"]["cluster"], deploy["requestParameters"]["service"]
        (svc,) = ecs.describe_services(cluster=cluster, services=[name])["services"]
        breaker = svc["deploymentConfiguration"]["deploymentCircuitBreaker"]
        messages = [e["message"] for e in svc["events"]]
        tripped = any("deployment failed: tasks failed to start" in m for m in messages)
        threshold = max(3, math.ceil(0.5 * svc["desiredCount"]))
        new = deploy["responseElements"]["service"]["taskDefinition"]
        failures = [d["failedTasks"] for d in svc["deployments"] if d["taskDefinition"] == new]
        if not breaker["enable"]:
            assert not tripped
            return
        if tripped:
            assert failures and failures[0] >= threshold
            assert any("rolling back" in m for m in messages) == breaker["rollback"]
            if breaker["rollback"]:
                assert svc["taskDefinition"] != new
