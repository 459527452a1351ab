"""An account's request quota for an API is shared by everything in the account: when it throttles its
callers, work started shortly before (a task, a workflow, a bulk job) is a new consumer that may have
taken it, and is named rather than the API alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.board import Evidence, SourceCall
from agent.investigate import offline
from agent.nodes import _workload
from tests.conftest import make_bundle
from tests.evals.test_scoring_diagnosis import trail
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
JOB = "1c3999c4-1609-42e8-9981-0cba19c5dc83"
THROTTLED = (
    'ERROR decrypt failed: ThrottlingException: "You have exceeded the rate at which you may call KMS. '
    'Reduce the frequency of your calls." (Service: Kms, Status Code: 400)'
)


def _change(event_id: str, minutes: int, source: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    record = trail(
        event_id,
        (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Data_0a1b/sam",
        name,
        params,
    )
    record["eventSource"] = source
    return record


def _innocent_edit() -> dict[str, Any]:
    """An unrelated parameter edit ten minutes before the throttling: a change beside it, not its cause."""
    return _change(
        "7a1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e11",
        290,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/envelope/log-level", "type": "String", "overwrite": True},
    )


def _bundle(with_job: bool) -> Any:
    logs = [
        {
            "log_group": "/aws/lambda/envelope-api",
            "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
            "timestamp": int((T0 + timedelta(minutes=minute, seconds=i * 7)).timestamp() * 1000),
            "message": THROTTLED if minute >= 300 else "INFO document stored",
        }
        for minute in range(200, 360)
        for i in range(4 if minute >= 300 else 1)
    ]
    errors = [
        {
            "namespace": "AWS/Lambda",
            "metric": "Errors",
            "dimensions": {"FunctionName": "envelope-api"},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": 40.0 + minute % 5 if minute >= 300 else float(minute % 2),
        }
        for minute in range(360)
    ]
    trails = [_innocent_edit()]
    if with_job:
        job = _change(
            "7a1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e12",
            265,
            "s3.amazonaws.com",
            "CreateJob",
            {
                "accountId": ACCOUNT,
                "confirmationRequired": False,
                "operation": {"s3PutObjectCopy": {"targetResource": "arn:aws:s3:::archive-ir"}},
            },
        )
        job["responseElements"] = {"jobId": JOB}
        trails.append(job)
    function = res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "envelope-api",
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:envelope-api",
            "Runtime": "nodejs20.x",
            "State": "Active",
        },
    )
    return make_bundle(
        {"resources": [function], "metrics": errors, "logs": logs, "cloudtrail": trails},
        trigger={"question": "envelope-api has been returning errors since about 05:00"},
    )


def test_work_started_before_a_shared_quota_throttles_is_named_as_its_consumer() -> None:
    report = offline(_bundle(with_job=True))
    top = report.hypotheses[0]
    assert (top.failure_mode, top.resource, top.category) == (
        "account-quota-taken-by-new-workload",
        JOB,
        "limit",
    ), report.summary
    assert any("quota_consumer_started" in e.signals and e.resource == JOB for e in report.evidence)


def test_without_new_work_the_quota_is_named_as_the_apis_and_no_consumer_is_made_up() -> None:
    report = offline(_bundle(with_job=False))
    assert not any("quota_consumer_started" in e.signals for e in report.evidence)
    assert report.hypotheses[0].failure_mode == "aws-api-rate-limit", report.summary


def _started(action: str, resource: str | None, params: str, touched: list[str]) -> Evidence:
    return Evidence(
        id="ev-1",
        kind="change_event",
        resource=resource,
        start=T0,
        end=None,
        summary=action,
        source=SourceCall(tool="test", params={}),
        signals=["change"],
        strength=0.5,
        facts={"action": action, "params": params, "resources": touched},
    )


def test_what_a_call_started_is_the_work_not_where_it_runs() -> None:
    cluster = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/marketing"
    taskdef = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/campaign-sender:52"
    # parameters cut short before the task definition: CloudTrail's resources still name it
    cut = '{"cluster":"' + cluster + '","overrides":{"containerOverrides":[{"environment":[…'
    assert _workload(_started("RunTask", cluster, cut, [cluster, taskdef])) == "campaign-sender"
    sm = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:nightly-export"
    assert _workload(_started("StartExecution", None, f'{{"stateMachineArn":"{sm}"}}', [])) == sm
    # an S3 batch job started by confirming it; a cancel starts nothing
    assert (
        _workload(_started("UpdateJobStatus", None, f'{{"jobId":"{JOB}","requestedJobStatus":"Ready"}}', []))
        == JOB
    )
    assert (
        _workload(
            _started("UpdateJobStatus", None, f'{{"jobId":"{JOB}","requestedJobStatus":"Cancelled"}}', [])
        )
        is None
    )


def _surge_bundle(surge_at: int, factor: float) -> Any:
    """envelope-api and import-worker both call KMS and both are throttled from minute 300;
    import-worker's own invocations grew `factor` times from minute `surge_at`."""

    def fn(name: str) -> dict[str, Any]:
        return res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}",
                "Runtime": "nodejs20.x",
                "State": "Active",
            },
        )

    logs = [
        {
            "log_group": f"/aws/lambda/{name}",
            "log_stream": "2024/05/01/[$LATEST]0a1b2c3d",
            "timestamp": int((T0 + timedelta(minutes=minute, seconds=i * 7)).timestamp() * 1000),
            "message": THROTTLED if minute >= 300 else "INFO document stored",
        }
        for name in ("envelope-api", "import-worker")
        for minute in range(200, 360)
        for i in range(4 if minute >= 300 else 1)
    ]

    def point(name: str, metric: str, minute: int, value: float) -> dict[str, Any]:
        return {
            "namespace": "AWS/Lambda",
            "metric": metric,
            "dimensions": {"FunctionName": name},
            "timestamp": (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Count",
            "value": value,
        }

    metrics = [
        *(point("envelope-api", "Errors", m, 40.0 + m % 5 if m >= 300 else float(m % 2)) for m in range(360)),
        *(point("envelope-api", "Invocations", m, 300.0 + m % 7) for m in range(360)),
        *(
            point("import-worker", "Invocations", m, (20.0 + m % 3) * (factor if m >= surge_at else 1))
            for m in range(360)
        ),
    ]
    trails = [_innocent_edit()]
    return make_bundle(
        {
            "resources": [fn("envelope-api"), fn("import-worker")],
            "metrics": metrics,
            "logs": logs,
            "cloudtrail": trails,
        },
        trigger={"question": "envelope-api has been returning errors since about 05:00"},
    )


def test_a_throttled_caller_whose_own_calls_surged_first_is_named_as_the_quotas_new_consumer() -> None:
    report = offline(_surge_bundle(surge_at=297, factor=20))
    top = report.hypotheses[0]
    assert (top.failure_mode, top.resource) == ("account-quota-taken-by-new-workload", "import-worker"), (
        report.summary
    )
    made = [e for e in report.evidence if "quota_consumer_started" in e.signals]
    assert made and all(e.resource == "import-worker" for e in made)
    assert "its calls rose 21x from 04:57" in made[0].summary


def test_a_caller_that_surges_only_after_the_throttling_began_is_retrying_not_consuming() -> None:
    report = offline(_surge_bundle(surge_at=320, factor=20))
    assert not any("quota_consumer_started" in e.signals for e in report.evidence)


def test_a_caller_at_a_busier_hour_is_no_new_consumer() -> None:
    report = offline(_surge_bundle(surge_at=297, factor=2))
    assert not any("quota_consumer_started" in e.signals for e in report.evidence)
