"""Change impact: a change is judged by what follows it on what it changed, a deploy by whether its code
ran healthy, a lowered ceiling is a change, and the remedy is the inverse call with real identifiers."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta

from agent.analyzers.alarm import from_alarm
from agent.analyzers.changes import kind_of
from agent.catalog import catalog
from agent.inverse import inverse_command
from agent.scoring import generate
from agent.topology import Topology, derived_aliases
from tests.agent.test_scoring import ev
from tools.alarms import AlarmDetails, AlarmInfo, HistoryEntry, MetricRef

T0 = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)


def test_any_write_that_alters_or_removes_a_setting_is_a_candidate_and_tags_are_not() -> None:
    assert kind_of("UpdateUsagePlan") == "change_other"
    assert kind_of("PutBucketPolicy") == "change_other"
    assert kind_of("RotateSecret") == "change_other"
    assert kind_of("ChangeResourceRecordSets") == "change_other"
    # Metadata and additions change nothing that was serving.
    assert kind_of("TagResource") is None
    assert kind_of("CreateDBSnapshot") is None
    assert kind_of("CreateApiKey") is None
    # The table of known kinds still wins.
    assert kind_of("UpdateFunctionCode20150331v2") == "change_deploy"


def _service_with_store() -> tuple[Topology, str, str]:
    topo = Topology()
    svc = topo.add("ecs_service", "checkout")
    table = topo.add("dynamodb_table", "orders")
    topo.link(svc, table, "calls")
    return topo, svc, table


def test_a_change_with_nothing_abnormal_after_it_on_or_next_to_it_is_capped() -> None:
    topo, svc, _ = _service_with_store()
    unrelated = topo.add("resource", "arn:aws:s3:::marketing-assets")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
        ev(
            "change_event",
            unrelated,
            T0 - timedelta(minutes=2),
            ["change", "change_other"],
            0.6,
            action="PutBucketPolicy",
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    bucket = next(h for h in hyps if h.resource == unrelated)
    assert bucket.confidence <= 0.5
    assert "nothing abnormal on or next to the changed resource" in bucket.rationale


def test_a_generic_change_on_the_failing_path_is_named_but_never_certain() -> None:
    topo, svc, table = _service_with_store()
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
        ev("log_pattern", table, T0 + timedelta(minutes=1), ["access_denied_logs", "new_error_pattern"], 0.9),
        ev(
            "change_event",
            table,
            T0 - timedelta(minutes=1),
            ["change", "change_other"],
            0.6,
            action="UpdateContinuousBackups",
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    generic = next(h for h in hyps if h.failure_mode == "resource-setting-changed" and h.resource == table)
    assert generic.category == "change"
    assert 0.4 < generic.confidence <= 0.6


def test_a_deploy_that_served_traffic_healthy_for_long_loses_to_what_began_with_the_trouble() -> None:
    topo, svc, _ = _service_with_store()
    vendor = topo.add("remote", "api.tax-vendor.example")
    topo.link(svc, vendor, "calls")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up", "latency_up"], 0.95),
        ev("log_pattern", svc, T0, ["log_errors_up", "new_error_pattern"], 0.9),
        ev("log_pattern", vendor, T0, ["timeout_logs", "remote_slow"], 0.85),
        ev(
            "change_event",
            svc,
            T0 - timedelta(minutes=44),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    deploy = next(h for h in hyps if h.resource == svc and h.category == "change")
    assert "served traffic for 44 min before the trouble began" in deploy.rationale
    # Shipped 5 minutes before the onset, the same deploy is not marked down.
    recent = [
        *evidence[:3],
        ev("change_event", svc, T0 - timedelta(minutes=5), ["change", "change_deploy"], 0.6),
    ]
    again = next(
        h for h in generate(catalog(), recent, topo, [svc]) if h.resource == svc and h.category == "change"
    )
    assert "served traffic" not in again.rationale
    assert again.confidence > deploy.confidence


def _function_timing_out(deployed_before: timedelta | None) -> tuple[Topology, str, list]:  # type: ignore[type-arg]
    topo = Topology()
    fn = topo.add("lambda", "webhook-dispatcher")
    evidence = [
        ev("metric_anomaly", fn, T0, ["latency_up"], 0.9),
        ev("log_pattern", fn, T0, ["timeout_logs", "new_error_pattern"], 0.85),
    ]
    if deployed_before is not None:
        evidence.append(
            ev(
                "change_event",
                fn,
                T0 - deployed_before,
                ["change", "change_deploy"],
                0.6,
                action="UpdateFunctionCode20150331v2",
            )
        )
    return topo, fn, evidence


def _deploy_mode(hyps: list, fn: str):  # type: ignore[no-untyped-def,type-arg]
    return next(h for h in hyps if h.resource == fn and h.failure_mode == "lambda-timeouts-after-deploy")


def test_a_release_mode_argued_from_its_effects_needs_the_release() -> None:
    # Timeouts on a function nobody changed: "timeouts after a deploy" is a guess, capped.
    topo, fn, evidence = _function_timing_out(None)
    guess = _deploy_mode(generate(catalog(), evidence, topo, [fn]), fn)
    assert guess.confidence <= 0.4 and "no change was made to it before the onset" in guess.rationale
    # Released two minutes before the onset: the release is the argument, and it holds.
    topo, fn, evidence = _function_timing_out(timedelta(minutes=2))
    fresh = _deploy_mode(generate(catalog(), evidence, topo, [fn]), fn)
    assert fresh.confidence > 0.8 and "served traffic" not in fresh.rationale
    # A function's new code serves its very next invocation: fourteen healthy minutes after it are an
    # alibi (a rolling deploy of a service would still be rolling out).
    topo, fn, evidence = _function_timing_out(timedelta(minutes=14))
    late = _deploy_mode(generate(catalog(), evidence, topo, [fn]), fn)
    assert "served traffic for 14 min after its last release" in late.rationale
    assert late.confidence < fresh.confidence - 0.15


def test_what_builds_up_after_a_release_is_not_excused_by_a_healthy_spell() -> None:
    # Tasks OOM-killed 25 minutes after a new task definition: memory fills while serving traffic.
    topo = Topology()
    svc = topo.add("ecs_service", "quotes")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
        ev("resource_state", svc, T0, ["ecs_tasks_stopped", "oom_logs"], 0.9),
        ev(
            "change_event",
            svc,
            T0 - timedelta(minutes=25),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
    ]
    oom = next(h for h in generate(catalog(), evidence, topo, [svc]) if "oom" in h.failure_mode)
    assert "served traffic" not in oom.rationale and oom.category == "change"


def test_a_ceiling_reached_right_after_someone_lowered_it_is_a_change_undone_by_restoring_it() -> None:
    topo, svc, table = _service_with_store()
    params = json.dumps({"tableName": "orders", "provisionedThroughput": {"writeCapacityUnits": 100}})
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
        ev("metric_anomaly", table, T0, ["throttled"], 0.95),
        ev(
            "change_event",
            table,
            T0 - timedelta(minutes=6),
            ["change", "change_capacity"],
            0.6,
            action="UpdateTable",
            params=params,
            event_id="9f1c",
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    limit = next(h for h in hyps if h.resource == table and "capacity was changed" in h.rationale)
    assert limit.category == "change"
    assert limit.remediation[0].action == "rollback"
    assert limit.remediation[0].command is not None
    assert "aws dynamodb update-table --table-name orders" in limit.remediation[0].command


def test_the_inverse_call_carries_the_records_identifiers_quoted() -> None:
    hostile = "ops;rm -rf /"
    facts = {
        "action": "DetachRolePolicy",
        "params": json.dumps(
            {"roleName": hostile, "policyArn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"}
        ),
        "event_id": "e1",
    }
    command = inverse_command(facts)
    assert command.startswith("aws iam attach-role-policy --role-name ")
    assert shlex.split(command)[4] == hostile  # one argument, not a second command
    stop = {
        "action": "StopInstances",
        "params": json.dumps({"instancesSet": {"items": [{"instanceId": "i-0abc"}]}}),
    }
    assert inverse_command(stop) == "aws ec2 start-instances --instance-ids i-0abc"
    # No inverse known: the exact record to read, never an invented value.
    unknown = inverse_command({"action": "UpdateUsagePlan", "params": "{}", "event_id": "abc-123"})
    assert "AttributeValue=abc-123" in unknown


def test_other_spellings_of_buckets_secrets_and_state_machines() -> None:
    assert derived_aliases("arn:aws:s3:::media-prod") == ["media-prod"]
    assert "prod/db" in derived_aliases("arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbC123")
    assert derived_aliases("arn:aws:states:us-east-1:123456789012:stateMachine:refunds") == ["refunds"]


def _alarm() -> AlarmInfo:
    return AlarmInfo(
        name="db-cpu-high",
        kind="metric",
        state="ALARM",
        metric=MetricRef(
            namespace="AWS/RDS",
            metric="CPUUtilization",
            dimensions={"DBInstanceIdentifier": "db"},
            stat="Average",
            period_s=60,
        ),
        threshold=80,
        comparison="GreaterThanThreshold",
        evaluation_periods=3,
        datapoints_to_alarm=3,
    )


def test_the_fired_alarms_own_breach_is_a_symptom_dated_by_its_first_run() -> None:
    stamps = [T0 + timedelta(minutes=i) for i in range(6)]
    values = [50, 85, 60, 90, 91, 95]  # one lone point, then three in a row from 14:03
    drafts = from_alarm(AlarmDetails(alarm=_alarm()), stamps, values, "db", T0 + timedelta(minutes=5))
    breach = next(d for d in drafts if "alarm_breached" in d.signals)
    assert breach.start == T0 + timedelta(minutes=3)
    assert not [d for d in drafts if "recurring_alarm" in d.signals]


def test_a_metric_reported_only_while_a_job_runs_keeps_its_last_runs_failure() -> None:
    """A job's failed-task count is published while it runs (zeros included) and not between runs: the
    silence after a failed run is not a recovery, and the alarm's breach stands until a run passes."""
    alarm = AlarmInfo(
        name="orders-curate-failed-tasks",
        kind="metric",
        state="ALARM",
        metric=MetricRef(
            namespace="Glue",
            metric="glue.driver.aggregate.numFailedTasks",
            dimensions={"JobName": "orders-curate", "JobRunId": "ALL", "Type": "count"},
            stat="Sum",
            period_s=300,
        ),
        threshold=0,
        comparison="GreaterThanThreshold",
        evaluation_periods=1,
        datapoints_to_alarm=1,
    )
    hourly = [T0 + timedelta(hours=h, minutes=m) for h in range(3) for m in (5, 10)]
    failed = [0.0, 0.0, 0.0, 0.0, 0.0, 12.0]  # two clean runs, then the third fails
    # the periods between runs, counted zero up to the end of the window
    stamps = [T0 + timedelta(minutes=5 * i) for i in range(1, 32)]
    values = [dict(zip(hourly, failed, strict=True)).get(t, 0.0) for t in stamps]
    fired = T0 + timedelta(hours=2, minutes=15)
    published = list(zip(hourly, failed, strict=True))
    [breach] = from_alarm(AlarmDetails(alarm=alarm), stamps, values, None, fired, published)
    # (a failed-task count rising is errors, as every failure count is)
    assert breach.signals == ["alarm_breached", "error_rate_up"] and breach.facts["sustained"] is True
    # without what it published, the zeros after the run read as a recovery
    [blip] = from_alarm(AlarmDetails(alarm=alarm), stamps, values, None, fired)
    assert blip.signals == ["metric_blip"]
    # a count published only when it is non-zero (silence is zero) gets no such reading
    sparse = [(t, v) for t, v in published if v]
    [blip] = from_alarm(AlarmDetails(alarm=alarm), stamps, values, None, fired, sparse)
    assert blip.signals == ["metric_blip"]
    # nor does a series reported throughout at its own spacing, however coarser than the alarm's period
    coarse = alarm.model_copy(update={"metric": alarm.metric.model_copy(update={"period_s": 60})})
    every_five = [(t, 0.0 if t < fired - timedelta(minutes=5) else 12.0) for t in stamps if t <= fired]
    [blip] = from_alarm(AlarmDetails(alarm=coarse), stamps, values, None, fired, every_five)
    assert blip.signals == ["metric_blip"]
    # nor does one continuous series (no run before the breach, no silence)
    steady = [(t, v) for t, v in zip(stamps, values, strict=True)]
    [blip] = from_alarm(AlarmDetails(alarm=alarm), stamps, values, None, fired, steady)
    assert blip.signals == ["metric_blip"]


def test_an_alarm_that_fires_at_the_same_time_on_earlier_days_is_a_pattern() -> None:
    fired = T0.replace(hour=2, minute=10)
    history = [
        HistoryEntry(
            time=fired - timedelta(days=d, minutes=m),
            type="StateUpdate",
            summary="Alarm updated from OK to ALARM",
        )
        for d, m in ((1, 5), (2, -12), (3, 20))
    ]
    # A firing at another time of day does not count.
    history.append(
        HistoryEntry(
            time=fired - timedelta(days=4, hours=9),
            type="StateUpdate",
            summary="Alarm updated from OK to ALARM",
        )
    )
    drafts = from_alarm(AlarmDetails(alarm=_alarm(), history=history), [], [], "db", fired)
    recurring = next(d for d in drafts if "recurring_alarm" in d.signals)
    assert "on 3 earlier days" in recurring.summary


def test_an_alarm_that_fired_at_this_hour_on_the_same_weekday_a_week_before_is_a_weekly_pattern() -> None:
    fired = T0.replace(hour=9, minute=10)

    def firing(days: int) -> HistoryEntry:
        return HistoryEntry(
            time=fired - timedelta(days=days, minutes=4),
            type="StateUpdate",
            summary="Alarm updated from OK to ALARM",
        )

    weekly = from_alarm(AlarmDetails(alarm=_alarm(), history=[firing(7)]), [], [], "db", fired)
    recurring = next(d for d in weekly if "recurring_alarm" in d.signals)
    assert "a week before" in recurring.summary
    # One firing on another weekday is neither a daily nor a weekly pattern.
    once = from_alarm(AlarmDetails(alarm=_alarm(), history=[firing(3)]), [], [], "db", fired)
    assert not [d for d in once if "recurring_alarm" in d.signals]


def test_failed_launches_are_dated_by_the_first_failure_and_attributed_by_the_message() -> None:
    from agent.analyzers.state import from_scaling
    from tools.state import Activity, ScalingActivities

    def failed(minutes: int) -> Activity:
        return Activity(
            id=f"a-{minutes}",
            kind="launch",
            instance_id=None,
            start=T0 + timedelta(minutes=minutes),
            end=T0 + timedelta(minutes=minutes, seconds=20),
            status="Failed",
            description="Launching a new EC2 instance.  Status Reason: There are not enough free addresses in "
            "subnet 'subnet-0a1b2c3d4e5f60718' to satisfy the requested number of instances.",
            cause="an alarm triggered policy scale-out",
            health_check=False,
            status_message="There are not enough free addresses in subnet 'subnet-0a1b2c3d4e5f60718'",
        )

    newest_first = [failed(40), failed(20), failed(3)]
    out = ScalingActivities(
        group="render", activities=newest_first, read=3, launches=3, terminations=0, failed=3
    )
    draft = next(d for d in from_scaling(out) if "capacity_below_desired" in d.signals)
    assert draft.start == T0 + timedelta(minutes=3)
    assert "subnet_addresses_exhausted" in draft.signals


def test_a_dns_change_names_the_record_it_changed_before_its_zone() -> None:
    from agent.analyzers.changes import targets
    from tools.changes import Change

    params = {
        "hostedZoneId": "Z0123456789ABCDEFGHIJ",
        "changeBatch": {
            "changes": [
                {
                    "action": "UPSERT",
                    "resourceRecordSet": {
                        "name": "api.example.com.",
                        "type": "A",
                        "aliasTarget": {"dNSName": "x"},
                    },
                }
            ]
        },
    }
    change = Change(
        event_id="e1",
        time=T0,
        who="dana",
        principal_type="AssumedRole",
        source="route53.amazonaws.com",
        action="ChangeResourceRecordSets",
        resources=[],
        params=json.dumps(params, separators=(",", ":"), sort_keys=True),
    )
    assert targets(change)[:2] == ["api.example.com", "Z0123456789ABCDEFGHIJ"]


def test_storage_rds_reports_exhausted_is_full_storage() -> None:
    from agent.analyzers.state import from_rds_events
    from tools.database import RdsEvent, RdsEvents

    out = RdsEvents(
        events=[
            RdsEvent(
                time=T0,
                source_type="db-instance",
                source_id="billing-db",
                categories=["low storage"],
                message="Allocated storage has been exhausted. Allocate additional storage to resolve the issue.",
            )
        ]
    )
    draft = from_rds_events(out)[0]
    assert {"disk_full", "disk_full_logs"} <= set(draft.signals)


def test_a_listener_rule_is_its_own_resource_and_part_of_its_load_balancer() -> None:
    from agent.nodes import _place_changed

    topo = Topology()
    lb = topo.add(
        "alb",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/api-prod/fa1e2d61c4df4f4e",
    )
    rule = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener-rule/app/api-prod/fa1e2d61c4df4f4e/abf8/9644"
    # The load balancer's name inside the rule's ARN does not make the rule the load balancer.
    assert topo.resolve(rule) is None
    _place_changed(
        topo, [ev("change_event", rule, T0, ["change", "change_config"], 0.6, action="ModifyRule")]
    )
    assert topo.resolve(rule) == rule
    assert (rule, lb, "part_of") in [tuple(e) for e in topo.edges]


def test_a_breach_over_within_a_few_datapoints_is_a_blip() -> None:
    stamps = [T0 + timedelta(minutes=i) for i in range(12)]
    values = [50, 50, 85, 90, 95, 60, 55, 50, 52, 51, 50, 49]  # three points over, then back for good
    drafts = from_alarm(AlarmDetails(alarm=_alarm()), stamps, values, "db", T0 + timedelta(minutes=4))
    blip = drafts[0]
    assert blip.signals == ["metric_blip"]
    assert blip.facts["sustained"] is False


def test_a_finding_copied_onto_the_resource_it_names_still_holds_on_a_rerun() -> None:
    from agent.analyzers import Draft
    from agent.recheck import _matching
    from agent.report.model import ReportEvidence

    original = Draft(
        kind="resource_state",
        resource="render-api",
        summary="3 scaling activities of render-api failed; latest: not enough free addresses in subnet 'subnet-1'",
        signals=["capacity_below_desired", "subnet_addresses_exhausted"],
        strength=0.5,
    )
    copied = ReportEvidence(
        id="ev-20",
        kind="resource_state",
        resource="subnet-1",
        start=None,
        end=None,
        summary=f"{original.summary} (names subnet-1)",
        source={"tool": "scaling_activities", "params": {"group": "render-api"}},
    )
    assert _matching(copied, [original]) is original


def test_a_recurring_alarm_leaves_only_trouble_elsewhere_as_symptoms() -> None:
    from agent.conclude import beyond_recurring

    topo = Topology()
    db = topo.add("rds_instance", "billing-db")
    web = topo.add("alb", "app/web/0123456789abcdef")
    cpu = ev("metric_anomaly", db, T0, ["alarm_breached"], 0.6)
    pattern = ev("resource_state", db, T0, ["recurring_alarm"], 0.7)
    errors = ev("metric_anomaly", web, T0, ["error_rate_up"], 0.9)
    # Tonight's breach on the database is its nightly normal: nothing else hurts, nothing is left.
    assert beyond_recurring([cpu], [cpu, pattern], topo) == []
    # The same pattern with the front end failing: that trouble stays.
    assert beyond_recurring([cpu, errors], [cpu, pattern, errors], topo) == [errors]
    # Without the pattern every symptom stands.
    assert beyond_recurring([cpu], [cpu], topo) == [cpu]


def test_a_breach_the_metric_recovered_from_is_not_when_the_firing_one_began() -> None:
    stamps = [T0 + timedelta(minutes=i) for i in range(10)]
    values = [85, 90, 95, 50, 50, 50, 88, 91, 93, 95]  # a run from 14:00, back to normal, a run from 14:06
    drafts = from_alarm(AlarmDetails(alarm=_alarm()), stamps, values, "db", T0 + timedelta(minutes=9))
    breach = next(d for d in drafts if "alarm_breached" in d.signals)
    assert breach.start == T0 + timedelta(minutes=6)


def test_a_backlog_is_the_effect_of_its_consumer_failing_not_a_cause_of_its_own() -> None:
    # Consumers time out through a NAT gateway that cannot allocate ports; their queue backs up.
    topo = Topology()
    queue = topo.add("sqs_queue", "customs-declarations")
    worker = topo.add("ecs_service", "customs-filer")
    topo.link(worker, queue, "reads")
    nat = topo.add("nat_gateway", "nat-021f6926a0ff1e227")
    evidence = [
        ev("metric_anomaly", nat, T0 - timedelta(minutes=2), ["port_allocation_errors"], 0.98),
        ev("log_pattern", worker, T0, ["timeout_logs", "new_error_pattern"], 0.85),
        ev("metric_anomaly", queue, T0 + timedelta(minutes=4), ["queue_backlog"], 0.98),
    ]
    hyps = generate(catalog(), evidence, topo, [queue])
    assert hyps[0].resource == nat
    backlog = next(h for h in hyps if h.resource == queue)
    assert "are what NAT gateway" in backlog.rationale and backlog.confidence < hyps[0].confidence


def test_one_services_release_does_not_explain_another_services_missing_tasks() -> None:
    # Two services share a cluster; one was released, the other lost its tasks on its own.
    topo = Topology()
    cluster = topo.add("ecs_cluster", "tiles")
    api = topo.add("ecs_service", "tile-api")
    worker = topo.add("ecs_service", "tile-render-worker")
    topo.link(api, cluster, "in_cluster")
    topo.link(worker, cluster, "in_cluster")
    evidence = [
        ev(
            "change_event",
            api,
            T0 - timedelta(minutes=12),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
        ev("metric_anomaly", api, T0 - timedelta(minutes=10), ["capacity_below_desired"], 0.6),
        ev("resource_state", worker, T0, ["capacity_below_desired"], 0.92),
    ]
    hyps = generate(catalog(), evidence, topo, [worker])
    own = next(h for h in hyps if h.resource == worker)
    assert "tile-api" not in own.rationale, own.rationale


def test_a_release_that_ran_healthy_twice_its_rollout_is_only_a_possibility_and_dates_nothing() -> None:
    # A function released 14 minutes before its calls began timing out; an ACL change right at the onset.
    topo, fn, evidence = _function_timing_out(timedelta(minutes=14))
    acl = topo.add("network_acl", "acl-0123456789abcdef0")
    subnet = topo.add("subnet", "subnet-0123456789abcdef0")
    topo.link(fn, subnet, "in_subnet")
    topo.link(acl, subnet, "guards")
    evidence += [
        ev("change_event", acl, T0 - timedelta(minutes=1), ["change", "change_network"], 0.6),
        ev("metric_anomaly", acl, T0, ["flow_log_rejects"], 0.6),
    ]
    hyps = generate(catalog(), evidence, topo, [fn])
    deploy = _deploy_mode(hyps, fn)
    # Healthy for more than twice the few minutes a function's new code takes to serve: capped.
    assert deploy.confidence <= 0.5
    # ... and its release time cannot put it "before" anyone else's signs: nothing is explained away by it.
    assert all("webhook-dispatcher) produces, and that began first" not in h.rationale for h in hyps)
    # Released two minutes before, the same release is not capped.
    topo, fn, evidence = _function_timing_out(timedelta(minutes=2))
    assert _deploy_mode(generate(catalog(), evidence, topo, [fn]), fn).confidence > 0.8


def test_a_cause_that_leaves_the_distinctive_trouble_unexplained_loses_to_one_that_explains_it() -> None:
    # A release and a tightened role, both before the onset; the service's writes are denied.
    topo = Topology()
    svc = topo.add("ecs_service", "consent-service")
    role = topo.add("iam_role", "arn:aws:iam::123456789012:role/consent-service-task")
    topo.link(svc, role, "assumes")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
        ev("log_pattern", svc, T0, ["log_errors_up", "new_error_pattern", "access_denied_logs"], 0.9),
        ev(
            "change_event",
            svc,
            T0 - timedelta(minutes=8),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
        ev("change_event", role, T0 - timedelta(minutes=2), ["change", "change_iam_policy"], 0.77),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    deploy = next(h for h in hyps if h.resource == svc and h.category == "change")
    assert "leaves access_denied_logs unexplained" in deploy.rationale
    assert hyps[0].resource == role
    # A resource's own state is what a hypothesis about that resource explains: failed status checks
    # on an instance are not "unexplained" by the instance being faulty.
    topo = Topology()
    inst = topo.add("ec2", "i-0123456789abcdef0")
    evidence = [
        ev("resource_state", inst, T0, ["status_check_failed"], 0.9),
        ev("metric_anomaly", inst, T0, ["error_rate_up"], 0.8),
    ]
    for h in generate(catalog(), evidence, topo, [inst]):
        if h.resource == inst:
            assert "status_check_failed unexplained" not in h.rationale


def test_a_backlog_whose_consumer_errors_is_not_a_slow_consumer() -> None:
    topo = Topology()
    queue = topo.add("sqs_queue", "listing-index-events")
    fn = topo.add("lambda", "listing-indexer")
    topo.link(fn, queue, "reads")
    slow = [
        ev("metric_anomaly", queue, T0, ["queue_backlog"], 0.98),
        ev("metric_anomaly", fn, T0, ["traffic_up", "latency_up", "lambda_concurrency_limited"], 0.8),
    ]
    failing = [
        slow[0],
        ev("metric_anomaly", fn, T0, ["error_rate_up", "latency_up", "lambda_concurrency_limited"], 0.8),
    ]

    def backlog(evidence: list) -> float:  # type: ignore[type-arg]
        hyps = generate(catalog(), evidence, topo, [queue])
        return next(
            h for h in hyps if h.resource == queue and h.failure_mode == "sqs-backlog-slow-consumer"
        ).confidence

    # Invocations that fail return their messages: the backlog is the failure's effect, not a ceiling.
    assert backlog(failing) < backlog(slow) - 0.2


def test_an_edit_of_the_settings_a_resource_uses_is_a_change_to_it_named_where_it_was_made() -> None:
    # A replica falls behind 50 minutes after its parameter group was edited.
    topo = Topology()
    replica = topo.add("rds_instance", "ledger-replica-1")
    group = topo.add("db_parameter_group", "ledger-pg15-replica")
    topo.link(replica, group, "uses_parameters")
    evidence = [
        ev("metric_anomaly", replica, T0, ["replica_lag"], 0.98),
        ev("metric_anomaly", replica, T0, ["error_rate_up"], 0.6),
        ev("change_event", group, T0 - timedelta(minutes=50), ["change", "change_config"], 0.6),
    ]
    hyps = generate(catalog(), evidence, topo, [replica])
    lag = next(h for h in hyps if h.failure_mode == "rds-replica-lag")
    assert lag.resource == group and lag.category == "change"
    assert "its settings in ledger-pg15-replica were changed 50 min before the onset" in lag.rationale
    # What the parameter group's user shows after the edit is its effect, not "nothing abnormal".
    generic = next(h for h in hyps if h.failure_mode == "resource-setting-changed")
    assert "nothing abnormal" not in generic.rationale


def test_a_launch_template_is_dated_by_the_first_launch_from_it() -> None:
    topo = Topology()
    group = topo.add("asg", "printshop-api-prod")
    template = topo.add("launch_template", "lt-02107aac8c3eb5b5d")
    topo.link(group, template, "launches_from")
    edit = ev(
        "change_event",
        template,
        T0 - timedelta(hours=20),
        ["change", "change_deploy"],
        0.6,
        action="CreateLaunchTemplateVersion",
    )
    trouble = [ev("metric_anomaly", group, T0, ["error_rate_up", "targets_unhealthy"], 0.9)]

    def template_hypothesis(evidence: list) -> object:  # type: ignore[type-arg]
        return next(h for h in generate(catalog(), evidence, topo, [group]) if h.resource == template)

    # Launched from four minutes before the onset: a day-old edit reaches the instances only now.
    launched = ev(
        "resource_state",
        group,
        T0 - timedelta(minutes=4),
        ["instances_launched"],
        0.3,
        launched=[(T0 - timedelta(minutes=4)).isoformat()],
    )
    new = template_hypothesis([*trouble, edit, launched])
    assert "instances launched from it 4 min before the onset" in new.rationale  # type: ignore[attr-defined]
    assert "served traffic" not in new.rationale  # type: ignore[attr-defined]
    # No instance launched since the edit: the template has reached nothing, so it caused nothing.
    idle = template_hypothesis([*trouble, edit])
    assert idle.confidence <= 0.1 and "no instance was launched from it" in idle.rationale  # type: ignore[attr-defined]
    assert new.confidence > idle.confidence + 0.3  # type: ignore[attr-defined]


def test_successful_launches_are_recorded_as_when_the_template_reached_instances() -> None:
    from agent.analyzers.state import from_scaling
    from tools.state import Activity, ScalingActivities

    def launch(minutes: int, status: str) -> Activity:
        return Activity(
            id=f"a-{minutes}",
            kind="launch",
            instance_id=f"i-0{minutes:016x}",
            start=T0 + timedelta(minutes=minutes),
            end=T0 + timedelta(minutes=minutes, seconds=40),
            status=status,
            description=f"Launching a new EC2 instance: i-0{minutes:016x}",
            cause="an alarm triggered policy scale-out",
            health_check=False,
        )

    out = ScalingActivities(
        group="printshop-api-prod",
        activities=[launch(30, "Successful"), launch(12, "Failed"), launch(5, "Successful")],
        read=3,
        launches=3,
        terminations=0,
        failed=1,
    )
    draft = next(d for d in from_scaling(out) if "instances_launched" in d.signals)
    assert draft.start == T0 + timedelta(minutes=5)
    assert draft.facts["launched"] == [(T0 + timedelta(minutes=m)).isoformat() for m in (5, 30)]


def test_an_instance_stopped_by_the_platform_explains_the_timeouts_of_those_who_dial_it() -> None:
    topo = Topology()
    proxy = topo.add("ec2", "i-0c4dac9363320785e")
    evidence = [
        ev("health_event", proxy, T0 - timedelta(minutes=2), ["health_event"], 0.4),
        ev("log_pattern", proxy, T0, ["timeout_logs", "new_error_pattern"], 0.8),
    ]
    retired = next(
        h
        for h in generate(catalog(), evidence, topo, [proxy])
        if h.failure_mode == "ec2-scheduled-maintenance-or-retirement"
    )
    assert "timeout_logs unexplained" not in retired.rationale
    assert "corroborated by timeout_logs" in retired.rationale


def test_a_capacity_reading_of_a_backlog_needs_a_sign_of_its_ceiling() -> None:
    topo = Topology()
    queue = topo.add("sqs_queue", "notify-outbound")
    fn = topo.add("lambda", "notify-dispatch")
    topo.link(fn, queue, "reads")
    backlog = ev("metric_anomaly", queue, T0, ["queue_backlog"], 0.98)
    arrivals = ev("metric_anomaly", queue, T0, ["traffic_up"], 0.8)

    def slow(evidence: list) -> object:  # type: ignore[type-arg]
        hyps = generate(catalog(), evidence, topo, [queue])
        return next(h for h in hyps if h.resource == queue and h.failure_mode == "sqs-backlog-slow-consumer")

    # More arrivals and a backlog, but nothing working for the queue at its ceiling: a possibility only
    # (a queue nobody reads any more backs up just the same).
    guess = slow([backlog, arrivals])
    assert guess.confidence <= 0.5 and "no sign of a ceiling" in guess.rationale  # type: ignore[attr-defined]
    # The consumer at its concurrency limit is the ceiling.
    limited = slow([backlog, arrivals, ev("metric_anomaly", fn, T0, ["lambda_concurrency_limited"], 0.9)])
    assert limited.confidence > 0.8 and "no sign of a ceiling" not in limited.rationale  # type: ignore[attr-defined]


def test_a_function_that_runs_out_of_memory_is_at_its_memory_ceiling_not_a_bad_release_upstream() -> None:
    """Runtime.OutOfMemory in a function's REPORT lines is its memory limit reached: named on the
    function as a limit (raise the memory), above a change to what feeds it that shows no failure of
    its own."""
    topo = Topology()
    queue = topo.add("sqs_queue", "photo-jobs")
    resizer = topo.add("lambda", "photo-resizer")
    ingest = topo.add("lambda", "photo-ingest")
    topo.link(ingest, queue, "sends_to")
    topo.link(queue, resizer, "triggers")
    t0 = datetime(2024, 5, 27, 15, 45, tzinfo=UTC)
    evidence = [
        ev("metric_anomaly", resizer, t0, ["error_rate_up"], 0.8),
        ev("log_pattern", resizer, t0, ["log_errors_up"], 0.8),
        ev("log_pattern", resizer, None, ["new_error_pattern", "oom_logs"], 0.85),
        ev("metric_anomaly", queue, t0 + timedelta(minutes=5), ["queue_backlog"], 0.8),
        ev("change_event", ingest, t0 - timedelta(minutes=23), ["change", "change_config"], 0.6),
    ]
    hyps = generate(catalog(), evidence, topo, [resizer])
    assert (hyps[0].resource, hyps[0].failure_mode, hyps[0].category) == (
        resizer,
        "lambda-out-of-memory",
        "limit",
    )
    assert any(s.action == "scale" and "--memory-size" in (s.command or "") for s in hyps[0].remediation)


def test_a_parameter_handed_to_tasks_at_start_is_dated_by_the_next_deployment() -> None:
    """A task is handed its parameters and secrets when it starts: an edit hours ago reaches the service
    at its next deployment, and is dated by it; a parameter the code reads itself is not held back."""
    topo = Topology()
    svc = topo.add("ecs_service", "accounts-api")
    param = topo.add("ssm_parameter", "/accounts/prod/notify/queue-url")
    topo.link(svc, param, "reads_at_start")
    edit = ev(
        "change_event",
        param,
        T0 - timedelta(hours=4),
        ["change", "change_config"],
        0.6,
        action="PutParameter",
    )
    trouble = [ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9)]

    def parameter_hypothesis(evidence: list) -> object:  # type: ignore[type-arg]
        return next(h for h in generate(catalog(), evidence, topo, [svc]) if h.resource == param)

    deployed = ev("change_event", svc, T0 - timedelta(minutes=4), ["change", "change_deploy"], 0.6)
    new = parameter_hypothesis([*trouble, edit, deployed])
    assert "tasks handed it were deployed 4 min before the onset" in new.rationale  # type: ignore[attr-defined]
    idle = parameter_hypothesis([*trouble, edit])
    assert idle.confidence <= 0.1 and "no task that is handed it was deployed" in idle.rationale  # type: ignore[attr-defined]
    # read by the code itself (its name in the environment): no start to wait for
    topo.edges = [(svc, param, "reads_setting")]
    assert "no task that is handed it" not in parameter_hypothesis([*trouble, edit]).rationale  # type: ignore[attr-defined]


def test_failures_confined_to_newly_launched_hosts_point_to_what_they_were_launched_with() -> None:
    """Only the instance launched at the afternoon scale-out fails (its own log pattern), the rest of
    the fleet serves: the morning's template edit explains that; a parameter every host reads does not."""
    topo = Topology()
    group = topo.add("asg", "floorplan-api-prod")
    template = topo.add("launch_template", "lt-015a5a5d089a91753", "floorplan-api-prod")
    param = topo.add("ssm_parameter", "/prod/floorplan-api/ROOM_LABELS")
    new_host = topo.add("ec2", "i-0966cbf3369884ed9")
    topo.link(group, template, "launches_from")
    topo.link(group, new_host, "contains")
    launched_at = T0 - timedelta(minutes=3)
    evidence = [
        ev("metric_anomaly", group, T0, ["error_rate_up"], 0.9),
        ev("log_pattern", new_host, None, ["new_error_pattern"], 0.85),
        ev("change_event", template, T0 - timedelta(hours=4), ["change", "change_deploy"], 0.6),
        ev("change_event", param, T0 - timedelta(minutes=11), ["change", "change_config"], 0.6),
        ev(
            "resource_state",
            group,
            launched_at,
            ["instances_launched"],
            0.3,
            launched=[launched_at.isoformat()],
            instances={new_host: launched_at.isoformat()},
        ),
    ]
    hyps = {h.resource: h for h in generate(catalog(), evidence, topo, [group])}
    assert "the failing hosts (i-0966cbf3369884ed9) were launched from it" in hyps[template].rationale
    assert "confined to newly launched hosts" in hyps[param].rationale
    assert hyps[template].confidence > hyps[param].confidence


def test_a_template_and_the_group_rolling_it_out_are_one_story_not_rivals() -> None:
    from agent.board import Hypothesis
    from agent.conclude import _rival

    topo = Topology()
    group = topo.add("asg", "invoice-portal-web")
    template = topo.add("launch_template", "lt-029e30b71bf016b18", "invoice-portal-web")
    other = topo.add("ecs_service", "invoice-portal-worker")
    topo.link(group, template, "launches_from")

    def h(resource: str, confidence: float, mode: str) -> Hypothesis:
        return Hypothesis(
            id=resource,
            title="t",
            category="change",
            resource=resource,
            failure_mode=mode,
            confidence=confidence,
        )

    same = "launch-template-change-breaks-instances"
    assert _rival([h(group, 0.99, same), h(template, 0.98, same), h(other, 0.56, "x")], topo) == 0.56
    # another failure told on the template is a rival
    assert _rival([h(group, 0.99, same), h(template, 0.98, "resource-setting-changed")], topo) == 0.98


def test_a_release_whose_new_errors_are_a_dependencys_refusals_ranks_below_that_dependency() -> None:
    # A release 8 minutes before the onset; from the onset the service's calls to its cache are refused
    # and time out, and the cache's node was replaced at the onset.
    topo = Topology()
    svc = topo.add("ecs_service", "reminder-api")
    cache = topo.add("elasticache_cluster", "reminders-redis-001")
    topo.link(svc, cache, "calls")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up", "latency_up"], 0.9),
        ev("log_pattern", svc, T0, ["log_errors_up", "new_error_pattern"], 0.8),
        ev("log_pattern", svc, T0, ["connection_refused_logs", "timeout_logs"], 0.8),
        ev(
            "change_event",
            svc,
            T0 - timedelta(minutes=8),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
        ev("health_event", cache, T0 - timedelta(minutes=1), ["cache_event"], 0.6),
    ]
    hyps = generate(catalog(), evidence, topo, [svc])
    release = next(h for h in hyps if h.resource == svc and h.failure_mode == "bad-code-deploy-errors")
    assert "leaves connection_refused_logs, timeout_logs unexplained" in release.rationale
    assert hyps[0].resource == cache, [(h.resource, h.confidence) for h in hyps]
    assert release.confidence < hyps[0].confidence
    assert "reminders-redis-001 accounts for connection_refused_logs, timeout_logs" in release.rationale
    # Without the refusals, nothing is left unexplained and the release keeps its place.
    hyps = generate(catalog(), [e for e in evidence if "timeout_logs" not in e.signals], topo, [svc])
    release = next(h for h in hyps if h.resource == svc and h.failure_mode == "bad-code-deploy-errors")
    assert "accounts for" not in release.rationale
    # A change no failure mode names is linked to the trouble by time and place alone: it explains
    # anything, so it accounts for nothing in particular and demotes no one.
    flag = topo.add("s3_bucket", "reminders-templates")
    topo.link(svc, flag, "calls")
    unnamed = [
        *[e for e in evidence if e.kind != "health_event"],
        ev("change_event", flag, T0 - timedelta(minutes=2), ["change", "change_config"], 0.6),
    ]
    hyps = generate(catalog(), unnamed, topo, [svc])
    release = next(h for h in hyps if h.resource == svc and h.failure_mode == "bad-code-deploy-errors")
    assert "accounts for" not in release.rationale, release.rationale
    # ... yet an explanation that leaves the refusals unaccounted for is incomplete: never near certain.
    assert release.confidence <= 0.79, release.rationale
    # Timeouts alone are what most failures upstream produce: they do not hold the release down.
    timeouts = [
        *[e for e in unnamed if "connection_refused_logs" not in e.signals],
        ev("log_pattern", svc, T0, ["timeout_logs"], 0.8),
    ]
    hyps = generate(catalog(), timeouts, topo, [svc])
    release = next(h for h in hyps if h.resource == svc and h.failure_mode == "bad-code-deploy-errors")
    assert "leaves timeout_logs unexplained" in release.rationale and release.confidence > 0.79


def test_a_node_the_platform_replaced_because_it_failed_is_a_component_failure() -> None:
    topo = Topology()
    svc = topo.add("ecs_service", "unlock-api")
    cache = topo.add("elasticache_replication_group", "locks")
    topo.link(svc, cache, "calls")

    def hyps(*messages: str) -> list:  # type: ignore[type-arg]
        evidence = [
            ev("metric_anomaly", svc, T0, ["error_rate_up"], 0.9),
            ev("log_pattern", svc, T0, ["connection_refused_logs", "timeout_logs"], 0.8),
        ]
        for i, message in enumerate(messages):
            e = ev("health_event", cache, T0 - timedelta(minutes=2 - i), ["cache_event"], 0.6)
            e.summary = message
            evidence.append(e)
        return [h for h in generate(catalog(), evidence, topo, [svc]) if h.resource == cache]

    # ElastiCache recovers a node whose host failed: the node's failure.
    assert (
        hyps(
            "Failover from primary node locks-001 to replica node locks-002 completed",
            "Recovering cache nodes 0001",
        )[0].category
        == "component_failure"
    )
    # A node shut down and restarted in its maintenance window: a change the platform made.
    assert (
        hyps("Cache node 0001 shutdown", "Recovering cache nodes 0001", "Cache node 0001 restarted")[
            0
        ].category
        == "system_change"
    )


def test_of_two_equal_changes_the_one_to_what_broke_comes_first() -> None:
    # Time and place are a generic change's whole argument: at the same minute, the change to the queue
    # whose own traffic stopped comes before the change to its dead-letter queue beside it.
    topo = Topology()
    queue = topo.add("sqs_queue", "courier-bookings")
    dlq = topo.add("sqs_queue", "courier-bookings-dlq")
    topo.link(queue, dlq, "dead_letters_to")
    evidence = [
        ev("metric_anomaly", queue, T0, ["traffic_down", "flow_stopped"], 0.6),
        *(
            ev(
                "change_event",
                q,
                T0 - timedelta(minutes=1),
                ["change", "change_other"],
                0.6,
                action="SetQueueAttributes",
            )
            for q in (dlq, queue)
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [])
    ranked = sorted(hyps, key=lambda h: -h.confidence)
    assert ranked[0].resource == queue and ranked[0].failure_mode == "resource-setting-changed"
    changed = next(h for h in hyps if h.resource == dlq)
    assert changed.confidence < ranked[0].confidence
    assert "shows no trouble itself" in changed.rationale
