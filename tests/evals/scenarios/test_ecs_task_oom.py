"""Scenario #8: ECS tasks OOM-killed after a task-definition change."""

from __future__ import annotations

from typing import Any

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.replay import replay_session
from evals.scenarios.library import ecs_task_oom  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract

OOM = "OutOfMemoryError: Container killed due to memory usage"


def _deploy(bundle: Bundle) -> dict[str, Any]:
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    return next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)


class TestEcsTaskOom(ExtendedContract):
    name = "ecs-task-oom"

    def test_only_the_new_revision_is_oom_killed(self, bundle: Bundle, known: Known) -> None:
        deploy = _deploy(bundle)
        assert deploy["eventName"] == "UpdateService"
        new = deploy["responseElements"]["service"]["taskDefinition"]
        stopped = [t for t in known.by_type[("ecs", "Task")] if t["lastStatus"] == "STOPPED"]
        oom = [t for t in stopped if t["containers"][0].get("reason") == OOM]
        assert oom
        assert {t["taskDefinitionArn"] for t in oom} == {new}
        assert all(t["containers"][0]["exitCode"] == 137 for t in oom)
        assert all(t["stopCode"] == "EssentialContainerExited" for t in oom)
        assert all(to_datetime(t["stoppedAt"]) > to_datetime(deploy["eventTime"]) for t in oom)

    def test_the_new_revision_has_less_memory_or_a_new_image(self, bundle: Bundle, known: Known) -> None:
        deploy = _deploy(bundle)
        family, revision = deploy["requestParameters"]["taskDefinition"].split(":")
        defs = {d["revision"]: d for d in known.by_type[("ecs", "TaskDefinition")] if d["family"] == family}
        new, old = defs[int(revision)], defs[int(revision) - 1]
        less = int(new["memory"]) < int(old["memory"])
        other_image = new["containerDefinitions"][0]["image"] != old["containerDefinitions"][0]["image"]
        assert less != other_image  # exactly one of the two
        registered = [
            r
            for r in bundle.records("cloudtrail")
            if r["eventName"] == "RegisterTaskDefinition" and r["requestParameters"]["family"] == family
        ]
        assert registered and registered[-1]["eventTime"] <= deploy["eventTime"]

    def test_replay_answers_what_the_tools_ask(self, bundle: Bundle) -> None:
        session, _ = replay_session(bundle)
        ecs = session.client("ecs")
        deploy = _deploy(bundle)
        cluster, service = deploy["requestParameters"]["cluster"], deploy["requestParameters"]["service"]
        (svc,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
        assert svc["taskDefinition"] == deploy["responseElements"]["service"]["taskDefinition"]
        messages = [e["message"] for e in svc["events"]]
        assert any("has started 1 tasks" in m for m in messages)
        assert any("deployment completed" in m for m in messages)
        arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED")["taskArns"]
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100])["tasks"]
        assert any(t["containers"][0].get("reason") == OOM for t in tasks)
        running = ecs.list_tasks(cluster=cluster, serviceName=service)["taskArns"]
        assert len(running) <= svc["desiredCount"]
