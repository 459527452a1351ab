"""An image tag is a setting read when tasks start: a push over a tag a service already runs reaches
it at its next deployment, and that push, not the deployment that picked it up, is what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from agent.catalog import catalog
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev

ONSET = datetime(2025, 4, 17, 11, 43, tzinfo=UTC)
REPO = "arn:aws:ecr:eu-west-1:757306493728:repository/shop/orders-api"


def _push(at: datetime, tag: str) -> object:
    params = json.dumps({"imageTag": tag, "registryId": "757306493728", "repositoryName": "shop/orders-api"})
    return ev(
        "change_event",
        REPO,
        at,
        ["change", "change_image"],
        0.6,
        action="PutImage",
        service="ecr",
        params=params,
    )


def _ranked(push_at: datetime, tag: str, deploy_at: datetime, pushed_before: bool = True) -> list[object]:
    topo = Topology()
    tg = topo.add("target_group", "targetgroup/orders/80e3ac55ab982ba3", "orders")
    svc = topo.add("ecs_service", "prod/orders-api", "orders-api")
    repo = topo.add("ecr_repository", REPO, "shop/orders-api")
    topo.nodes[repo].attrs["tags_run"] = "release"
    topo.link(tg, svc, "routes_to")
    topo.link(svc, repo, "runs_image")
    evidence = [
        ev("metric_anomaly", tg, ONSET, ["error_rate_up"], 0.9),
        ev("log_pattern", svc, ONSET, ["log_errors_up"], 0.8),
        ev("log_pattern", svc, None, ["new_error_pattern"], 0.85),
        _push(push_at, tag),
        # The day before, the same tag was pushed too (a tag that moves), unless this is its first push.
        *([_push(push_at - timedelta(hours=21), tag)] if pushed_before else []),
        ev(
            "change_event",
            svc,
            deploy_at,
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
            service="ecs",
        ),
    ]
    return generate(catalog(), evidence, topo, [tg])  # type: ignore[return-value]


def test_a_push_over_a_tag_a_service_runs_is_what_its_next_deployment_shipped() -> None:
    hyps = _ranked(ONSET - timedelta(hours=2, minutes=26), "release", ONSET - timedelta(minutes=2))
    assert "2 h 26 min before the onset" in hyps[0].rationale  # type: ignore[attr-defined]  # the last push counts
    top, deploy = hyps[0], next(h for h in hyps if h.failure_mode == "bad-code-deploy-errors")  # type: ignore[attr-defined]
    assert (top.resource, top.failure_mode, top.category) == (REPO, "image-tag-moved", "change")  # type: ignore[attr-defined]
    assert "tasks running its tag were deployed 2 min before the onset" in top.rationale  # type: ignore[attr-defined]
    assert "what changed is the image" in deploy.rationale
    # Rolling the task definition back would start the same tag again: the tag itself is pointed back.
    (rollback,) = [s for s in top.remediation if s.action == "rollback"]  # type: ignore[attr-defined]
    # By name, with the tag the push wrote and the service that runs it filled in.
    assert "aws ecr put-image --repository-name shop/orders-api --image-tag release " in (
        rollback.command or ""
    )
    assert "update-service --cluster prod --service orders-api --force-new-deployment" in (
        rollback.command or ""
    )


def test_a_push_of_another_tag_or_of_one_release_with_its_deployment_is_not_the_change() -> None:
    # A tag no task here runs (a build's own tag, a release candidate) changed nothing they start with.
    other = _ranked(ONSET - timedelta(hours=2), "1.43.0-rc.3", ONSET - timedelta(minutes=2))
    assert other[0].failure_mode == "bad-code-deploy-errors"  # type: ignore[attr-defined]
    assert next(h for h in other if h.resource == REPO).confidence <= 0.1  # type: ignore[attr-defined]
    # Pushed minutes before the deployment that adopted it: one release, named by its deployment.
    same = _ranked(ONSET - timedelta(minutes=9), "release", ONSET - timedelta(minutes=2))
    assert same[0].failure_mode == "bad-code-deploy-errors"  # type: ignore[attr-defined]
    assert "as one release" in next(h for h in same if h.resource == REPO).rationale  # type: ignore[attr-defined]
    # A tag pushed for the first time names one build, whenever it was deployed: the deployment that
    # adopted it changed what the service runs.
    once = _ranked(ONSET - timedelta(hours=3), "release", ONSET - timedelta(minutes=2), pushed_before=False)
    assert once[0].failure_mode == "bad-code-deploy-errors"  # type: ignore[attr-defined]
    assert "what changed is the image" not in once[0].rationale  # type: ignore[attr-defined]
