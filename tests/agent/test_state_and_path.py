"""State is evidence, and the path decides: who stopped a task, which policy refused a call, a stopped
target still registered, a schedule that fired, a ceiling set by an edit or by the platform, a remote host
judged through a path that just changed, and an effect that cannot outrank its cause."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from agent.analyzers.alarm import from_alarm, with_missing_counts
from agent.analyzers.changes import targets
from agent.analyzers.logs import denied_by, message_signals
from agent.analyzers.state import from_ecs, from_scaling_config, from_target_health
from agent.board import Hypothesis
from agent.catalog import catalog
from agent.nodes import scalable_id
from agent.scoring import generate
from agent.topology import Topology
from tests.agent.test_scoring import ev
from tools.alarms import AlarmDetails, AlarmInfo, MetricRef
from tools.changes import Change
from tools.ecs import EcsServiceState, StoppedTask
from tools.scaling import Event, ScalingConfig, Scheduled
from tools.state import GroupHealth, TargetHealth, TargetState

T0 = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)


def test_oom_is_a_word_not_a_substring_of_a_name() -> None:
    assert "oom_logs" not in message_signals("Completed failover to DB instance: stockroom-prod-3")
    assert "oom_logs" not in message_signals("zoom-webhooks returned 200")
    for line in ("OOMKilled", "oom-killer invoked", "java.lang.OutOfMemoryError", "Killed process 412"):
        assert "oom_logs" in message_signals(line), line


def test_an_access_denied_message_names_the_policy_that_decided() -> None:
    by_key = (
        "An error occurred (AccessDeniedException) when calling the Decrypt operation: User: "
        "arn:aws:sts::111122223333:assumed-role/payouts-role/payouts is not authorized to perform: kms:Decrypt "
        "on resource: arn:aws:kms:eu-central-1:111122223333:key/73d0ea08-f719-4904-a047-4896a50c25fb "
        "because no resource-based policy allows the kms:Decrypt action"
    )
    assert denied_by(by_key) == (
        "arn:aws:kms:eu-central-1:111122223333:key/73d0ea08-f719-4904-a047-4896a50c25fb",
        "kms:Decrypt",
        "resource-based",
    )
    by_role = (
        "User: arn:aws:sts::111122223333:assumed-role/order-consumer/abc is not authorized to perform: "
        "sqs:ReceiveMessage on resource: arn:aws:sqs:us-east-1:111122223333:orders because no "
        "identity-based policy allows the sqs:ReceiveMessage action"
    )
    assert denied_by(by_role) == (
        "arn:aws:iam::111122223333:role/order-consumer",
        "sqs:ReceiveMessage",
        "identity-based",
    )
    # Without AWS's "because ..." the message does not say which policy refused: no guess.
    assert (
        denied_by(
            "User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: s3:GetObject"
        )
        is None
    )


def _task(code: str | None, reason: str) -> StoppedTask:
    return StoppedTask(
        id="arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef",
        task_definition="quote-engine:12",
        stopped_at=T0,
        stop_code=code,
        stopped_reason=reason,
        containers=[],
        oom=False,
    )


def _ecs(tasks: list[StoppedTask]) -> EcsServiceState:
    return EcsServiceState(service="quote-engine", cluster="pricing", found=True, stopped=tasks)


def test_who_stopped_a_task_is_read_from_its_stop_code() -> None:
    spot = from_ecs(_ecs([_task("SpotInterruption", "Your Spot Task was interrupted.")] * 3))
    assert "spot_interrupted" in spot[0].signals
    crashed = from_ecs(_ecs([_task("EssentialContainerExited", "Essential container in task exited")]))
    assert "spot_interrupted" not in crashed[0].signals


def test_a_stopped_instance_still_registered_is_capacity_the_group_does_not_have() -> None:
    group = GroupHealth(
        name="catalog-api",
        arn="arn:aws:elasticloadbalancing:us-east-2:111122223333:targetgroup/catalog-api/6a10196e48aff2d6",
        health_check="HTTP:8080/health",
        counts={"healthy": 3, "unused": 1},
        targets=[
            TargetState(
                id="i-07885864091cca734",
                port=8080,
                az=None,
                state="unused",
                reason="Target.InvalidState",
                description="Target is in the stopped state",
            ),
            TargetState(
                id="i-0aaaaaaaaaaaaaaaa", port=8080, az=None, state="healthy", reason=None, description=None
            ),
        ],
    )
    drafts = from_target_health(TargetHealth(groups=[group]), T0)
    stopped = [d for d in drafts if d.resource == "i-07885864091cca734"]
    assert stopped and stopped[0].signals == ["target_not_running"]
    assert "3 of 4 targets" in stopped[0].summary


def _config(created: datetime) -> ScalingConfig:
    return ScalingConfig(
        resource="service/shop/storefront-web",
        namespace="ecs",
        targets=[],
        policies=[],
        scheduled=[
            Scheduled(
                name="off-hours-min",
                schedule="cron(0 23 * * ? *)",
                timezone=None,
                min=2,
                max=4,
                desired=None,
                start=None,
                end=None,
                created=created,
            )
        ],
        activities=[
            Event(
                start=T0,
                end=T0 + timedelta(minutes=1),
                status="Successful",
                description="Setting desired count to 4.",
                cause="scheduled action name off-hours-min was triggered",
                message=None,
                not_scaled=[],
            )
        ],
    )


def test_a_newly_written_schedule_that_fired_is_a_change_and_an_old_one_is_routine() -> None:
    fresh = from_scaling_config(
        _config(T0 - timedelta(hours=5)), T0 - timedelta(hours=1), T0 + timedelta(hours=1)
    )
    assert [d.kind for d in fresh] == ["change_event"]
    assert fresh[0].start == T0  # dated when it took effect, not when it was written
    assert "cron(0 23 * * ? *) UTC" in fresh[0].summary
    routine = from_scaling_config(
        _config(T0 - timedelta(days=30)), T0 - timedelta(hours=1), T0 + timedelta(hours=1)
    )
    assert routine == []


def test_an_ecs_service_is_scaled_by_its_cluster_qualified_id() -> None:
    topo = Topology()
    key = topo.add("ecs_service", "storefront-web", aliases=["shop/storefront-web"])
    assert scalable_id(topo.nodes[key]) == "service/shop/storefront-web"


def _table() -> tuple[Topology, str, str]:
    topo = Topology()
    svc = topo.add("ecs_service", "checkout")
    vol = topo.add("ebs_volume", "vol-0f03846f48ef14653")
    topo.link(svc, vol, "uses")
    return topo, svc, vol


def test_a_ceiling_met_minutes_after_an_edit_of_the_resources_settings_is_that_change() -> None:
    topo, svc, vol = _table()
    for lead, expected in ((timedelta(minutes=2), "change"), (timedelta(minutes=40), "limit")):
        evidence = [
            ev("metric_anomaly", svc, T0, ["latency_up", "timeout_logs"], 0.9),
            ev("metric_anomaly", vol, T0, ["io_saturated"], 0.95),
            ev("change_event", vol, T0 - lead, ["change", "change_config"], 0.6, action="ModifyVolume"),
        ]
        hyps = generate(catalog(), evidence, topo, [svc])
        ceiling = next(h for h in hyps if h.resource == vol and h.failure_mode != "resource-setting-changed")
        assert ceiling.category == expected, lead


def test_a_ceiling_met_right_after_the_platform_failed_over_is_the_platforms_change() -> None:
    topo = Topology()
    api = topo.add("ecs_service", "stock-api")
    db = topo.add("rds_instance", "stockroom-prod-3")
    topo.link(api, db, "calls")
    failover = ev("health_event", db, T0 - timedelta(minutes=1), ["db_event"], 0.55)
    failover.summary = "RDS db-instance stockroom-prod-3: DB instance restarted at 13:59"
    evidence = [
        ev("metric_anomaly", api, T0, ["error_rate_up", "db_connection_errors"], 0.9),
        ev("metric_anomaly", db, T0, ["connections_high", "cpu_high"], 0.95),
        failover,
    ]
    hyps = generate(catalog(), evidence, topo, [api])
    limit = next(h for h in hyps if h.failure_mode == "rds-max-connections-exhausted")
    assert limit.category == "system_change"
    assert "the platform acted on it" in limit.rationale


def test_a_remote_host_is_not_blamed_through_a_path_that_just_changed() -> None:
    topo = Topology()
    fn = topo.add("lambda", "payout-dispatcher")
    subnet = topo.add("subnet", "subnet-074a7d1965a5707d0")
    rtb = topo.add("route_table", "rtb-0c51d889eaebbb7e5")
    nat = topo.add("nat_gateway", "nat-00c4f70481b91827b")
    topo.link(fn, subnet, "in_subnet")
    topo.link(subnet, rtb, "route_table")
    topo.link(rtb, nat, "routes_to")
    remote = ev(
        "log_pattern", "api.payments.example", T0, ["new_error_pattern", "remote_slow", "timeout_logs"], 0.8
    )
    remote.kind = "trace_fault"

    def ranked(with_change: bool) -> list[str]:
        evidence = [
            ev("metric_anomaly", fn, T0, ["latency_up", "timeout_logs"], 0.9),
            ev("metric_anomaly", nat, T0, ["traffic_down"], 0.8),
            remote,
        ]
        if with_change:
            evidence.append(
                ev(
                    "change_event",
                    rtb,
                    T0 - timedelta(minutes=1),
                    ["change", "change_config"],
                    0.6,
                    action="ReplaceRoute",
                )
            )
        return [h.resource for h in generate(catalog(), evidence, topo, [fn])]

    assert ranked(False)[0] == "api.payments.example"
    changed = ranked(True)
    assert changed.index(rtb) < changed.index("api.payments.example")


def test_an_arn_names_its_own_resource_not_the_service_inside_its_name() -> None:
    topo = Topology()
    api = topo.add("ecs_service", "ledger-api")
    secret = "arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/ledger-api/postgres-uIhjwa"
    assert topo.resolve(secret) is None
    assert topo.resolve("/ecs/ledger-api") is None  # a log group is not its service either
    assert topo.resolve("user@ledger-api") == api  # a name in a trace still is
    # ... but the service its name mentions is its neighbour: a rotated secret shows on its consumer.
    assert topo.related(secret) == [api]


def test_changes_held_at_the_same_cap_keep_their_order_in_time() -> None:
    topo = Topology()
    svc = topo.add("ecs_service", "refunds")
    early = topo.add("lambda", "refund-notify")
    late = topo.add("lambda", "refund-validate")
    topo.link(svc, early, "invokes")
    topo.link(svc, late, "invokes")
    evidence = [
        ev("metric_anomaly", svc, T0, ["error_rate_up", "new_error_pattern"], 0.9),
        ev("change_event", early, T0 - timedelta(minutes=20), ["change", "change_other"], 0.6, action="PutX"),
        ev("change_event", late, T0 - timedelta(minutes=1), ["change", "change_other"], 0.6, action="PutY"),
    ]
    hyps = [
        h for h in generate(catalog(), evidence, topo, [svc]) if h.failure_mode == "resource-setting-changed"
    ]
    assert [h.resource for h in hyps][:2] == [late, early]
    assert hyps[0].confidence > hyps[1].confidence


def _five_xx_alarm(stat: str) -> AlarmInfo:
    return AlarmInfo(
        name="shop-web-elb-5xx",
        kind="metric",
        state="ALARM",
        metric=MetricRef(
            namespace="AWS/ApplicationELB", metric="HTTPCode_ELB_5XX_Count", stat=stat, period_s=60
        ),
        threshold=5,
        comparison="GreaterThanOrEqualToThreshold",
        evaluation_periods=2,
        datapoints_to_alarm=2,
    )


def test_a_count_that_stopped_being_published_has_stopped_breaching() -> None:
    # ELB publishes 5XX counts only when non-zero: two minutes of 502s during a deploy, then nothing.
    stamps = [T0, T0 + timedelta(minutes=1)]
    alarm = _five_xx_alarm("Sum")
    filled_t, filled_v = with_missing_counts(alarm, stamps, [12.0, 9.0], T0 + timedelta(minutes=20))
    assert len(filled_t) == 20 and filled_v[2:] == [0.0] * 18
    details = AlarmDetails(alarm=alarm, history=[])
    [draft] = from_alarm(details, filled_t, filled_v, "app/shop-web/55ef0c21b42fafcc", None)[:1]
    assert draft.signals == ["metric_blip"]
    # An average is not a count: a gap stays a gap.
    assert (
        with_missing_counts(_five_xx_alarm("Average"), stamps, [12.0, 9.0], T0 + timedelta(minutes=20))[0]
        == stamps
    )


def test_routine_task_stops_are_not_failures() -> None:
    rolled = _task(
        "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/8562042464252214461)"
    )
    assert from_ecs(_ecs([rolled] * 8)) == []
    crashed = _task("EssentialContainerExited", "Essential container in task exited")
    [draft] = from_ecs(_ecs([rolled, crashed]))
    assert draft.summary.startswith("1 tasks")


def test_the_platform_reacting_right_after_a_change_is_that_changes_effect() -> None:
    topo = Topology()
    asg = topo.add("asg", "ledger-web-prod")
    evidence = [
        ev("metric_anomaly", asg, T0 + timedelta(minutes=6), ["unhealthy_hosts"], 0.9),
        ev(
            "resource_state",
            asg,
            T0 + timedelta(minutes=6),
            ["asg_replacement_loop", "capacity_below_desired"],
            0.95,
        ),
        ev("change_event", asg, T0, ["change", "change_deploy"], 0.6, action="StartInstanceRefresh"),
    ]
    hyps = generate(catalog(), evidence, topo, [asg])
    loop = next(h for h in hyps if h.failure_mode == "asg-elb-health-check-replacement-loop")
    assert loop.category == "change"
    assert loop.remediation[0].action == "rollback"


def test_an_alarms_breach_carries_its_metrics_meaning() -> None:
    stamps = [T0 + timedelta(minutes=m) for m in range(10)]
    five_xx = _five_xx_alarm("Sum")
    [draft] = from_alarm(AlarmDetails(alarm=five_xx, history=[]), stamps, [50.0] * 10, "app/x/1", None)[:1]
    assert draft.signals == ["alarm_breached", "error_rate_up"]
    assert draft.facts["resolution_s"] == 60
    four_xx = five_xx.model_copy(
        update={"metric": MetricRef(namespace="AWS/ApiGateway", metric="4XXError", stat="Sum", period_s=300)}
    )
    [draft] = from_alarm(AlarmDetails(alarm=four_xx, history=[]), stamps, [50.0] * 10, "partner-api", None)[
        :1
    ]
    assert draft.signals == ["alarm_breached", "error_rate_up"]
    assert draft.facts["resolution_s"] == 300  # the breach is dated only to within its period


def test_request_parameters_name_the_changed_resource_whatever_their_case() -> None:
    change = Change(
        event_id="6d3ad378",
        time=T0,
        who="dana",
        principal_type="AssumedRole",
        source="apigateway.amazonaws.com",
        action="UpdateUsagePlan",
        resources=[],
        params='{"usageplanId": "w9wgx1", "patch": {"patchOperations": []}}',
    )
    assert targets(change) == ["w9wgx1"]


def test_failed_scale_out_shows_after_the_load_and_still_comes_first() -> None:
    topo = Topology()
    asg = topo.add("asg", "render-api-prod")
    subnet = topo.add("subnet", "subnet-071a070f257b5734b")
    topo.link(asg, subnet, "in_subnet")
    evidence = [
        ev("metric_anomaly", asg, T0, ["latency_up", "error_rate_up"], 0.9),
        ev(
            "resource_state",
            subnet,
            T0 + timedelta(minutes=8),
            ["capacity_below_desired", "subnet_addresses_exhausted"],
            0.5,
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [asg])
    blocked = next(h for h in hyps if h.resource == subnet)
    assert "began with or before the symptoms" in blocked.rationale
    late = [
        *evidence[:1],
        ev(
            "resource_state",
            subnet,
            T0 + timedelta(minutes=25),
            ["capacity_below_desired", "subnet_addresses_exhausted"],
            0.5,
        ),
    ]
    assert (
        "after the symptoms"
        in next(h for h in generate(catalog(), late, topo, [asg]) if h.resource == subnet).rationale
    )


def test_what_another_hypothesis_produces_ranks_below_it() -> None:
    topo = Topology()
    az = topo.add("availability_zone", "eu-west-1a")
    asg = topo.add("asg", "rates-api-prod")
    topo.link(asg, az, "in_az")
    evidence = [
        ev("metric_anomaly", asg, T0, ["unhealthy_hosts", "error_rate_up"], 0.9),
        ev("health_event", az, T0 - timedelta(minutes=5), ["health_event"], 0.5),
        ev(
            "resource_state",
            asg,
            T0 + timedelta(minutes=5),
            ["asg_replacement_loop", "capacity_below_desired"],
            0.95,
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [asg])
    zone = next(h for h in hyps if h.resource == az)
    loop = next(h for h in hyps if h.failure_mode == "asg-elb-health-check-replacement-loop")
    assert "began first" in loop.rationale
    assert loop.confidence < zone.confidence


def test_traffic_that_stopped_flowing_through_what_a_change_touched_is_its_effect() -> None:
    topo = Topology()
    fn = topo.add("lambda", "payout-dispatcher")
    rtb = topo.add("route_table", "rtb-0c51d889eaebbb7e5")
    nat = topo.add("nat_gateway", "nat-00c4f70481b91827b")
    topo.link(rtb, nat, "routes_to")
    change = ev(
        "change_event",
        rtb,
        T0 - timedelta(minutes=1),
        ["change", "change_config"],
        0.6,
        action="ReplaceRoute",
    )

    def route(with_drop: bool) -> str:
        evidence = [ev("metric_anomaly", fn, T0, ["latency_up", "timeout_logs"], 0.9), change]
        if with_drop:
            evidence.append(ev("metric_anomaly", nat, T0, ["traffic_down"], 0.8))
        return next(h for h in generate(catalog(), evidence, topo, [fn]) if h.resource == rtb).rationale

    assert "nothing abnormal on or next to the changed resource" in route(False)
    assert "nothing abnormal on or next to the changed resource" not in route(True)


def test_a_release_that_slowed_a_function_is_named_for_the_throttling_and_backlog_after_it() -> None:
    topo = Topology()
    queue = topo.add("sqs_queue", "label-requests")
    fn = topo.add("lambda", "carrier-label-worker")
    topo.link(queue, fn, "triggers")
    evidence = [
        ev("metric_anomaly", queue, T0, ["queue_backlog"], 0.9),
        ev("metric_anomaly", fn, T0, ["latency_up"], 0.9),
        ev("metric_anomaly", fn, T0 + timedelta(minutes=2), ["throttled"], 0.8),
        ev(
            "change_event",
            fn,
            T0 - timedelta(minutes=1),
            ["change", "change_deploy"],
            0.6,
            action="UpdateFunctionCode",
        ),
    ]
    top = generate(catalog(), evidence, topo, [queue])[0]
    assert (top.failure_mode, top.resource, top.category) == ("lambda-slower-after-deploy", fn, "change")
    assert top.remediation[0].action == "rollback"


def _modify(params: dict[str, object], response: dict[str, object] | None) -> Change:
    from tools.changes import normalise

    record = {
        "eventID": "4f1c0d7e-2a55-4c9e-9d0e-7a1b2c3d4e5f",
        "eventTime": "2024-05-01T17:23:41Z",
        "eventSource": "rds.amazonaws.com",
        "eventName": "ModifyDBInstance",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/Admin/jo"},
        "requestParameters": params,
        "responseElements": response,
    }
    return normalise(
        {
            "EventId": record["eventID"],
            "EventName": "ModifyDBInstance",
            "EventTime": datetime(2024, 5, 1, 17, 23, 41, tzinfo=UTC),
            "EventSource": "rds.amazonaws.com",
            "CloudTrailEvent": json.dumps(record),
        }
    )


def test_a_request_that_sets_a_size_is_a_capacity_change_and_its_response_says_which_way() -> None:
    from agent.analyzers.changes import from_changes, resized
    from tools.changes import Changes

    # RDS answers a modify with the instance as it still is, the new class pending.
    down = _modify(
        {"dBInstanceIdentifier": "billing", "dBInstanceClass": "db.r6g.large", "applyImmediately": True},
        {
            "dBInstanceIdentifier": "billing",
            "dBInstanceClass": "db.r6g.2xlarge",
            "pendingModifiedValues": {"dBInstanceClass": "db.r6g.large"},
        },
    )
    assert down.was == {"dBInstanceClass": "db.r6g.2xlarge"}
    assert resized(down) == "down"
    up = _modify(
        {"dBInstanceIdentifier": "billing", "dBInstanceClass": "db.r6g.4xlarge"},
        {"dBInstanceIdentifier": "billing", "dBInstanceClass": "db.r6g.2xlarge"},
    )
    assert resized(up) == "up"
    unknown = _modify({"dBInstanceIdentifier": "billing", "allocatedStorage": 500}, None)
    assert resized(unknown) is None
    drafts = from_changes(Changes(changes=[down, up, unknown], read=3, dropped_as_noise=0))
    assert ["change_capacity" in d.signals for d in drafts] == [True, False, False]
    assert drafts[0].facts["resized"] == "down"
    # Kinesis answers a reshard with the count it has and the count asked for: the current one is what
    # it was, whatever the echo of the target says.
    halved = _modify(
        {"streamName": "telemetry-in", "targetShardCount": 4, "scalingType": "UNIFORM_SCALING"},
        {"streamName": "telemetry-in", "currentShardCount": 8, "targetShardCount": 4},
    )
    assert halved.was == {"targetShardCount": "8"}
    assert resized(halved) == "down"


def test_less_capacity_bites_at_the_next_peak_and_more_capacity_never_sets_a_ceiling() -> None:
    topo = Topology()
    api = topo.add("ecs_service", "billing-api")
    db = topo.add("rds_instance", "billing-pg")
    topo.link(api, db, "calls")
    for lead, signals, expected in (
        (timedelta(hours=13), ["change", "change_config", "change_capacity"], "change"),
        (timedelta(hours=40), ["change", "change_config", "change_capacity"], "limit"),
        (timedelta(hours=13), ["change", "change_config"], "limit"),  # sized up: no ceiling set
    ):
        evidence = [
            ev("metric_anomaly", api, T0, ["latency_up", "error_rate_up"], 0.9),
            ev("metric_anomaly", db, T0, ["cpu_high", "connections_high"], 0.95),
            ev("change_event", db, T0 - lead, signals, 0.6, action="ModifyDBInstance"),
        ]
        hyps = generate(catalog(), evidence, topo, [api])
        ceiling = next(
            h
            for h in hyps
            if h.resource == db
            and h.category in ("change", "limit")
            and h.failure_mode != "resource-setting-changed"
        )
        assert ceiling.category == expected, (lead, signals)


def test_replica_lag_is_named_by_a_replicas_own_lag_not_by_a_busy_disk() -> None:
    from agent.analyzers.metrics import signal_for

    assert signal_for("ReplicaLag", "up") == "replica_lag"
    assert signal_for("AuroraReplicaLagMaximum", "up") == "replica_lag"
    topo = Topology()
    api = topo.add("ecs_service", "orders-api")
    db = topo.add("rds_instance", "orders-pg")
    topo.link(api, db, "calls")
    symptoms = ev("metric_anomaly", api, T0, ["latency_up"], 0.9)
    busy = generate(catalog(), [symptoms, ev("metric_anomaly", db, T0, ["io_saturated"], 0.9)], topo, [api])
    assert "rds-replica-lag" not in {h.failure_mode for h in busy}
    lagging = generate(catalog(), [symptoms, ev("metric_anomaly", db, T0, ["replica_lag"], 0.9)], topo, [api])
    assert "rds-replica-lag" in {h.failure_mode for h in lagging}


def test_a_health_event_naming_a_few_resources_is_about_them_and_only_locates_their_zone() -> None:
    from agent.analyzers.state import from_health
    from tools.health import Entity, HealthEvent, HealthEvents

    def event(entities: list[str]) -> HealthEvents:
        return HealthEvents(
            events=[
                HealthEvent(
                    arn="arn:aws:health:eu-west-1::event/EBS/AWS_EBS_DEGRADED_EBS_VOLUME_PERFORMANCE/1",
                    service="EBS",
                    type_code="AWS_EBS_DEGRADED_EBS_VOLUME_PERFORMANCE",
                    category="issue",
                    region="eu-west-1",
                    az="eu-west-1a",
                    status="open",
                    start=T0,
                    end=None,
                    description="We have detected degraded performance on one or more of your EBS volumes",
                    entities=[Entity(value=v, arn=None, status="IMPAIRED") for v in entities],
                )
            ]
        )

    one = {d.resource: d.strength for d in from_health(event(["vol-0f4e9467c8811b07f"]))}
    assert one["vol-0f4e9467c8811b07f"] > one["eu-west-1a"]
    several = {d.resource: d.strength for d in from_health(event([f"vol-0{n:016x}" for n in range(2)]))}
    assert several["eu-west-1a"] > several["vol-00000000000000000"]
    issue = event(["vol-0f4e9467c8811b07f"])
    issue.events[0].type_code = "AWS_EBS_OPERATIONAL_ISSUE"
    zone = {d.resource: d.strength for d in from_health(issue)}
    assert zone["eu-west-1a"] > zone["vol-0f4e9467c8811b07f"]
    # The volume named by the event is a failed component, above the zone it sits in.
    topo = Topology()
    api = topo.add("ec2", "i-0dd812d7868f4ee80")
    vol = topo.add("ebs_volume", "vol-0f4e9467c8811b07f", az="eu-west-1a")
    az = topo.add("availability_zone", "eu-west-1a")
    topo.link(api, vol, "uses")
    topo.link(vol, az, "in_az")
    evidence = [ev("metric_anomaly", api, T0, ["latency_up", "timeout_logs"], 0.9)]
    for d in from_health(event([vol])):
        evidence.append(ev("health_event", d.resource or "", T0, d.signals, d.strength))
    hyps = generate(catalog(), evidence, topo, [api])
    assert (hyps[0].resource, hyps[0].category) == (vol, "component_failure")


def test_elasticache_saying_it_failed_over_or_replaced_a_node_is_evidence_about_the_cache() -> None:
    from agent.analyzers.state import from_cache
    from tools.caches import CacheDetails, CacheEvent

    details = CacheDetails(
        id="cart-sessions",
        kind="replication_group",
        status="available",
        engine="redis 7.1",
        node_type="cache.r6g.large",
        automatic_failover="enabled",
        multi_az="enabled",
        nodes=[],
        parameter_group=None,
        user_parameters={},
        pending_changes={},
        events=[
            CacheEvent(
                time=T0,
                source="cart-sessions",
                message="Failover to replica node cart-sessions-002 completed",
            ),
            CacheEvent(
                time=T0 - timedelta(minutes=1), source="cart-sessions-001", message="Cache node 0001 shutdown"
            ),
            CacheEvent(
                time=T0 - timedelta(hours=5),
                source="cart-sessions",
                message="Snapshot succeeded for snapshot nightly",
            ),
        ],
        findings=[],
        gaps=[],
    )
    drafts = from_cache(details)
    assert [d.facts["node"] for d in drafts] == ["cart-sessions", "cart-sessions-001"]
    assert all(d.resource == "cart-sessions" and "cache_event" in d.signals for d in drafts)
    topo = Topology()
    api = topo.add("ecs_service", "cart-api")
    cache = topo.add("elasticache_replication_group", "cart-sessions")
    topo.link(api, cache, "calls")
    evidence = [ev("metric_anomaly", api, T0, ["latency_up", "error_rate_up"], 0.9)]
    evidence += [ev("health_event", cache, d.start or T0, d.signals, d.strength) for d in drafts]
    top = generate(catalog(), evidence, topo, [api])[0]
    assert (top.resource, top.category) == (cache, "system_change")


def test_a_callers_own_network_placement_is_the_path_to_every_host_it_calls() -> None:
    from agent.analyzers.changes import from_changes
    from tools.changes import Changes

    def change(action: str, params: str) -> Change:
        return Change(
            event_id=f"e-{action}",
            time=T0 - timedelta(minutes=1),
            who="terraform",
            principal_type="AssumedRole",
            source="lambda.amazonaws.com" if "Function" in action else "ec2.amazonaws.com",
            action=action,
            resources=[],
            params=params,
        )

    moved, opened = from_changes(
        Changes(
            changes=[
                change(
                    "UpdateFunctionConfiguration20150331v2",
                    '{"functionName":"address-verify","vpcConfig":{"subnetIds":["subnet-0a1b2c3d4e5f60718"],'
                    '"securityGroupIds":["sg-0a1b2c3d4e5f60718"]}}',
                ),
                change("AuthorizeSecurityGroupIngress", '{"groupId":"sg-0a1b2c3d4e5f60718"}'),
            ],
            read=2,
            dropped_as_noise=0,
        )
    )
    assert "change_network_placement" in moved.signals
    assert "change_network_placement" not in opened.signals
    topo = Topology()
    fn = topo.add("lambda", "address-verify")
    host = topo.add("remote", "api.vendor.example")
    topo.link(fn, host, "calls")
    evidence = [
        ev("metric_anomaly", fn, T0, ["error_rate_up", "timeout_logs", "new_error_pattern"], 0.9),
        ev("trace_fault", host, T0, ["remote_slow", "timeout_logs"], 0.8),
        ev("change_event", fn, T0 - timedelta(minutes=1), moved.signals, 0.6, params=moved.facts["params"]),
    ]
    hyps = generate(catalog(), evidence, topo, [fn])
    assert (hyps[0].resource, hyps[0].failure_mode) == (fn, "network-placement-changed")
    remote = next(h for h in hyps if h.resource == host)
    assert "the network path to it changed" in remote.rationale


def test_a_few_targets_failing_checks_their_peers_pass_are_the_failed_hosts() -> None:
    def group(states: list[str]) -> TargetHealth:
        return TargetHealth(
            groups=[
                GroupHealth(
                    name="web",
                    arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
                    health_check="HTTP:traffic-port/health",
                    counts={s: states.count(s) for s in set(states)},
                    targets=[
                        TargetState(
                            id=f"i-0{n:016x}",
                            port=80,
                            state=s,
                            az="us-east-1a",
                            reason="Target.Timeout" if s == "unhealthy" else None,
                            description=None,
                        )
                        for n, s in enumerate(states)
                    ],
                )
            ]
        )

    one = from_target_health(group(["healthy", "healthy", "unhealthy", "healthy"]), T0)
    alone = [d for d in one if "unhealthy_alone" in d.signals]
    assert [d.resource for d in alone] == ["i-00000000000000002"] and alone[0].start is None
    # Most or all failing: the group's checks or what they share, not each host.
    most = from_target_health(group(["unhealthy", "unhealthy", "healthy"]), T0)
    assert not [d for d in most if "unhealthy_alone" in d.signals]


def test_a_permissions_boundary_that_refused_is_the_callers_role() -> None:
    text = (
        "User: arn:aws:sts::123456789012:assumed-role/consent-task/abc is not authorized to perform: "
        "dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/consent because no "
        "permissions boundary allows the dynamodb:PutItem action"
    )
    assert denied_by(text) == (
        "arn:aws:iam::123456789012:role/consent-task",
        "dynamodb:PutItem",
        "permissions boundary",
    )


def test_a_steady_count_that_went_to_zero_stopped_however_noisy_its_baseline() -> None:
    from agent.analyzers.metrics import from_key_metrics
    from tools.metrics import KeyMetrics, MetricFinding
    from tools.series import summarize

    start = T0
    stamps = [start - timedelta(minutes=180 - m) for m in range(180)] + [
        start + timedelta(minutes=m) for m in range(90)
    ]
    noisy = [float(5 + (m * 37) % 60) for m in range(180)]  # 5..64 a minute, a wide spread
    values = noisy + [30.0] * 20 + [0.0] * 70  # then nothing for the last 70 minutes
    finding = MetricFinding(
        resource="orders-inbound",
        kind="sqs_queue",
        namespace="AWS/SQS",
        metric="NumberOfMessagesSent",
        dimensions={"QueueName": "orders-inbound"},
        stat="Sum",
        stats=summarize(stamps, values, start),
    )
    assert finding.stats.direction == "flat"
    [draft] = from_key_metrics(KeyMetrics(findings=[finding], scanned=1))
    assert draft.signals == ["traffic_down"] and "stopped" in draft.summary


def test_a_small_count_that_went_to_zero_after_a_burst_stopped() -> None:
    # The last work going through (or a retry storm) just before a count stops does not make the
    # window a spike: zeros for far longer than the baseline's own zeros make plausible are a stop.
    from agent.analyzers.metrics import from_key_metrics
    from tools.metrics import KeyMetrics, MetricFinding
    from tools.series import summarize

    start = T0
    stamps = [start - timedelta(minutes=180 - m) for m in range(180)] + [
        start + timedelta(minutes=m) for m in range(150)
    ]
    small = [float((m * 7) % 5) for m in range(180)]  # 0..4 a minute, a zero one minute in five
    values = small + [2.0] * 25 + [9.0, 8.0, 6.0] + [0.0] * 122
    finding = MetricFinding(
        resource="dispatch-jobs",
        kind="sqs_queue",
        namespace="AWS/SQS",
        metric="NumberOfMessagesSent",
        dimensions={"QueueName": "dispatch-jobs"},
        stat="Sum",
        stats=summarize(stamps, values, start),
    )
    assert finding.stats.direction != "flat"
    [draft] = from_key_metrics(KeyMetrics(findings=[finding], scanned=1))
    assert draft.signals == ["traffic_down"] and "stopped" in draft.summary, draft.summary


def test_one_change_to_several_instances_changed_each_of_them() -> None:
    topo = Topology()
    lb = topo.add("alb", "app/quote-web/0123456789abcdef")
    first = topo.add("ec2", "i-0aaaaaaaaaaaaaaa1")
    second = topo.add("ec2", "i-0bbbbbbbbbbbbbbb2")
    for i in (first, second):
        topo.link(lb, i, "targets")
    change = ev(
        "change_event",
        first,
        T0 - timedelta(hours=6),
        ["change", "change_capacity"],
        0.6,
        action="ModifyInstanceCreditSpecification",
        resources=[first, second],
    )
    evidence = [
        ev("metric_anomaly", lb, T0, ["latency_up", "error_rate_up"], 0.9),
        ev("metric_anomaly", second, T0, ["credits_exhausted"], 0.9),
        change,
    ]
    hyps = generate(catalog(), evidence, topo, [lb])
    drained = next(h for h in hyps if h.resource == second and h.failure_mode == "ec2-cpu-credits-exhausted")
    assert drained.category == "change"


def test_a_rule_on_one_security_group_does_not_change_the_peer_group_it_names() -> None:
    topo = Topology()
    api = topo.add("ecs_service", "orders-api")
    db_sg = topo.add("security_group", "sg-0aaaaaaaaaaaaaaa1")
    app_sg = topo.add("security_group", "sg-0bbbbbbbbbbbbbbb2")
    topo.link(api, app_sg, "uses")
    topo.link(api, db_sg, "calls")
    revoke = ev(
        "change_event",
        db_sg,
        T0 - timedelta(minutes=1),
        ["change", "change_security_group"],
        0.6,
        action="RevokeSecurityGroupIngress",
        resources=[db_sg, app_sg],
    )
    evidence = [ev("metric_anomaly", api, T0, ["timeout_logs", "error_rate_up"], 0.9), revoke]
    changed = {
        h.resource
        for h in generate(catalog(), evidence, topo, [api])
        if h.failure_mode == "security-group-rule-revoked"
    }
    assert changed == {db_sg}


def test_an_account_notification_of_something_lost_is_evidence_and_a_reminder_is_not() -> None:
    from agent.analyzers.state import from_health
    from tools.health import Entity, HealthEvent, HealthEvents

    def notice(type_code: str, description: str) -> HealthEvents:
        return HealthEvents(
            events=[
                HealthEvent(
                    arn=f"arn:aws:health:eu-west-2::event/VPN/{type_code}/1",
                    service="VPN",
                    type_code=type_code,
                    category="accountNotification",
                    region="eu-west-2",
                    az=None,
                    status="closed",
                    start=T0,
                    end=None,
                    description=description,
                    entities=[Entity(value="vpn-06db8ba77cc11cbc1", arn=None, status=None)],
                )
            ]
        )

    lost = from_health(notice("AWS_VPN_REDUNDANCY_LOSS", "one of two tunnel endpoints was replaced"))
    assert [(d.resource, d.signals[0]) for d in lost] == [("vpn-06db8ba77cc11cbc1", "health_event")]
    reminder = notice("AWS_LAMBDA_RUNTIME_DEPRECATION", "Lambda support for python3.8 is ending")
    assert from_health(reminder) == []


def test_a_request_that_only_keeps_records_changed_nothing_callers_meet() -> None:
    from agent.analyzers.changes import from_changes
    from tools.changes import Changes

    retention = _modify(
        {"dBInstanceIdentifier": "billing", "backupRetentionPeriod": 14, "applyImmediately": True}, None
    )
    resized = _modify(
        {"dBInstanceIdentifier": "billing", "backupRetentionPeriod": 14, "dBInstanceClass": "db.r6g.large"},
        None,
    )
    drafts = from_changes(Changes(changes=[retention, resized], read=2, dropped_as_noise=0))
    assert drafts[0].signals == ["change", "change_housekeeping"]
    assert drafts[1].signals == ["change", "change_config"]


def test_a_remote_host_is_judged_through_the_path_of_the_callers_that_call_it() -> None:
    """The symptoms are on a balancer; the host is called by one instance behind it, whose subnet's route
    table lost a route just before: four hops from the balancer, but on the way from the caller to the
    host. The calls may never have reached the host."""
    topo = Topology()
    alb = topo.add("alb", "app/web/0123456789abcdef")
    tg = topo.add("target_group", "targetgroup/web-tg/0123456789abcdef")
    asg = topo.add("asg", "web-asg")
    instance = topo.add("ec2", "i-0eb9c8ee9be0c1dce")
    subnet = topo.add("subnet", "subnet-022ce5a2334ff443")
    rtb = topo.add("route_table", "rtb-0d45d18608e636bc2")
    topo.link(alb, tg, "forwards_to")
    topo.link(asg, tg, "registers_in")
    topo.link(instance, asg, "member_of")
    topo.link(instance, subnet, "in_subnet")
    topo.link(subnet, rtb, "route_table")
    host = topo.add("remote", "identity.shared.example")
    topo.link(instance, host, "calls")
    remote = ev("log_pattern", host, T0, ["new_error_pattern", "remote_slow", "timeout_logs"], 0.8)
    evidence = [
        ev("metric_anomaly", alb, T0, ["error_rate_up"], 0.9),
        remote,
        ev(
            "change_event",
            rtb,
            T0 - timedelta(minutes=1),
            ["change", "change_config"],
            0.6,
            action="DeleteRoute",
        ),
    ]
    hyp = next(h for h in generate(catalog(), evidence, topo, [alb]) if h.resource == host)
    assert f"the network path to it changed 1 min before ({rtb})" in hyp.rationale
    assert hyp.confidence <= 0.5  # at most a possibility, however well it explains the rest


def test_a_balancer_edit_that_then_served_hours_healthy_did_not_start_the_trouble() -> None:
    """A load balancer's attributes, listeners and rules apply to its next connections: an edit that was
    followed by hours of healthy traffic is not what broke it; the same edit minutes before still is."""
    topo = Topology()
    alb = topo.add("alb", "app/web/0123456789abcdef")

    def edited(before: timedelta) -> Hypothesis:
        evidence = [
            ev("metric_anomaly", alb, T0, ["error_rate_up"], 0.9),
            ev(
                "change_event",
                alb,
                T0 - before,
                ["change", "change_config"],
                0.6,
                action="ModifyLoadBalancerAttributes",
                service="elasticloadbalancing",
            ),
        ]
        return next(h for h in generate(catalog(), evidence, topo, [alb]) if h.resource == alb)

    hours = edited(timedelta(hours=3, minutes=40))
    assert "served traffic for" in hours.rationale and hours.confidence <= 0.5
    assert "served traffic" not in edited(timedelta(minutes=2)).rationale


def test_a_role_that_refuses_its_callers_after_an_edit_is_what_changed() -> None:
    """Three roles edited together; the calls assuming one of them are refused from two minutes later.
    The refusals are that role's own trouble: it is the change that broke, not its untouched siblings
    nor a release that had served for an hour."""
    topo = Topology()
    worker = topo.add("ecs_service", "export-worker")
    roles = ["tenant-export-writer", "billing-reporting", "support-readonly"]
    for name in roles:
        topo.add("iam_role", f"arn:aws:iam::123456789012:role/{name}", name)
    evidence = [
        ev("log_pattern", worker, T0, ["log_errors_up", "new_error_pattern"], 0.7),
        ev("metric_anomaly", "tenant-exports-dlq", T0, ["queue_backlog"], 0.6),
        ev(
            "change_event",
            worker,
            T0 - timedelta(minutes=71),
            ["change", "change_deploy"],
            0.6,
            action="UpdateService",
        ),
        *[
            ev(
                "change_event",
                name,
                T0 - timedelta(minutes=32),
                ["change", "change_other"],
                0.6,
                action="UpdateRole",
            )
            for name in roles
        ],
        ev(
            "resource_state",
            "arn:aws:iam::123456789012:role/tenant-export-writer",
            T0 - timedelta(minutes=30),
            ["calls_refused"],
            0.85,
            action="AssumeRole",
            repeats=30,
        ),
    ]
    hyps = generate(catalog(), evidence, topo, [worker])
    assert hyps[0].resource == "arn:aws:iam::123456789012:role/tenant-export-writer", [
        h.resource for h in hyps
    ]
    # the refusals are what the edit did: an effect on what it changed, not "nothing abnormal"
    assert "nothing abnormal on or next to" not in hyps[0].rationale


def test_a_private_host_is_not_judged_while_the_private_link_to_it_was_impaired() -> None:
    """A name that lives only on the account's private network is reached over its own links: an AWS
    Health event on a VPN connection at the onset is the way there failing, so the host is at most a
    possibility. A public host is not reached that way."""
    topo = Topology()
    fn = topo.add("lambda", "erp-sync")

    def remote(host: str) -> Hypothesis:
        topo.add("remote", host)
        topo.link(fn, host, "calls")
        evidence = [
            ev("metric_anomaly", fn, T0, ["error_rate_up", "latency_up"], 0.9),
            ev("log_pattern", host, T0, ["new_error_pattern", "remote_slow", "timeout_logs"], 0.85),
            ev("health_event", "vpn-06db8ba77cc11cbc1", T0 - timedelta(minutes=2), ["health_event"], 0.6),
        ]
        return next(h for h in generate(catalog(), evidence, topo, [fn]) if h.resource == host)

    private = remote("erp-gw.plant.internal")
    assert private.confidence <= 0.5
    assert "the private link to it was impaired at the onset (vpn-06db8ba77cc11cbc1)" in private.rationale
    assert "private link" not in remote("api.vendor.example").rationale


def test_a_private_host_is_not_judged_while_the_transit_gateway_routes_to_it_were_edited() -> None:
    topo = Topology()
    fn = topo.add("ecs_service", "loans-api")
    host = topo.add("remote", "ledger-core.example.net", attrs={"private": "yes"})
    topo.link(fn, host, "calls")
    evidence = [
        ev("metric_anomaly", fn, T0, ["error_rate_up", "latency_up"], 0.9),
        ev("log_pattern", host, T0, ["new_error_pattern", "remote_slow", "timeout_logs"], 0.85),
        ev(
            "change_event",
            "tgw-rtb-0c6d07ef7b77e90d3",
            T0 - timedelta(minutes=4),
            ["change", "change_config"],
            0.6,
            action="CreateTransitGatewayRoute",
        ),
    ]
    hyp = next(h for h in generate(catalog(), evidence, topo, [fn]) if h.resource == host)
    assert "the private link to it had its routes edited (tgw-rtb-0c6d07ef7b77e90d3)" in hyp.rationale
    assert hyp.confidence <= 0.5
