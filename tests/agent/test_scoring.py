"""Scoring rules that decide rankings on their own: how a change is dated, how coarse series date
the onset, and which runner-up competes with the top hypothesis for the verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.board import Evidence, Hypothesis, SourceCall
from agent.catalog import catalog
from agent.conclude import _rival
from agent.scoring import generate, incident_onset
from agent.topology import Topology

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
_ids = iter(range(1, 1000))


def ev(
    kind: str, resource: str, start: datetime | None, signals: list[str], strength: float = 0.8, **facts: Any
) -> Evidence:
    return Evidence(
        id=f"ev-{next(_ids)}",
        kind=kind,  # type: ignore[arg-type]
        resource=resource,
        start=start,
        end=None,
        summary=f"{kind} on {resource}: {', '.join(signals)}",
        source=SourceCall(tool="test", params={}),
        signals=signals,
        strength=strength,
        facts=facts,
    )


def web_topology() -> tuple[Topology, str, str]:
    topo = Topology()
    tg = topo.add("target_group", "targetgroup/web-tg/0123456789abcdef", "web-tg")
    svc = topo.add("ecs_service", "auth")
    topo.link(tg, svc, "routes_to")
    return topo, tg, svc


def test_a_coarse_log_count_does_not_date_the_onset_before_per_minute_metrics() -> None:
    topo, tg, _ = web_topology()
    logs = ev("log_pattern", tg, T0, ["log_errors_up"], 0.3, resolution_s=300)
    metric = ev("metric_anomaly", tg, T0 + timedelta(minutes=3), ["error_rate_up"])
    # The count's 5-minute bin says "somewhere in 12:00-12:05": the metric's 12:03 is the onset.
    assert incident_onset([logs, metric], topo, [tg]) == T0 + timedelta(minutes=3)
    # Alone, the bin counts at the latest minute it covers.
    assert incident_onset([logs], topo, [tg]) == T0 + timedelta(minutes=4)


def test_what_a_bad_change_produces_is_dated_by_the_change() -> None:
    topo, tg, svc = web_topology()
    evidence = [
        ev("metric_anomaly", tg, T0, ["error_rate_up"], 0.95),
        ev("log_pattern", tg, None, ["connection_refused_logs", "new_error_pattern"], 0.85),
        # Tasks are seen stopped a few minutes after the errors began; the deploy shipped before them.
        ev("resource_state", svc, T0 + timedelta(minutes=4), ["ecs_tasks_stopped", "oom_logs"], 0.7),
        ev("change_event", svc, T0 - timedelta(minutes=15), ["change", "change_deploy"], 0.6),
    ]
    hyps = generate(catalog(), evidence, topo, [tg])
    oom = next(h for h in hyps if h.failure_mode == "ecs-task-oom-after-task-definition-change")
    assert "began with or before the symptoms" in oom.rationale
    assert "after the symptoms" not in oom.rationale


def hyp(resource: str, confidence: float) -> Hypothesis:
    return Hypothesis(
        id=f"h-{resource}",
        title="t",
        category="component_failure",
        resource=resource,
        failure_mode="m",
        confidence=confidence,
    )


def test_a_part_of_the_top_resource_is_no_rival_for_the_verdict() -> None:
    topo = Topology()
    az = topo.add("availability_zone", "us-east-1a")
    inst = topo.add("ec2", "i-0abc")
    other = topo.add("ec2", "i-0def")
    topo.link(inst, az, "in_az")
    # The instance in the degraded AZ is how the AZ's trouble shows: the rival is the next outsider.
    assert _rival([hyp(az, 0.9), hyp(inst, 0.88), hyp(other, 0.5)], topo) == 0.5
    assert _rival([hyp(az, 0.9), hyp(inst, 0.88)], topo) == 0.0
    # Seen from the instance, the AZ is a rival like any other resource.
    assert _rival([hyp(inst, 0.9), hyp(az, 0.88)], topo) == 0.88


def test_one_health_event_felt_by_two_tables_is_one_cause_not_two_rivals() -> None:
    topo = Topology()
    a, b, other = (topo.add("dynamodb_table", n) for n in ("reservations", "holds", "audit"))
    event = "arn:aws:health:us-east-1::event/DYNAMODB/AWS_DYNAMODB_OPERATIONAL_ISSUE/1"
    on_a = ev("health_event", a, T0, ["health_event"], arn=event)
    on_b = ev("health_event", b, T0, ["health_event"], arn=event)
    elsewhere = ev("health_event", other, T0, ["health_event"], arn=event.replace("/1", "/2"))
    top, second, third = hyp(a, 0.89), hyp(b, 0.84), hyp(other, 0.84)
    top.supporting, second.supporting, third.supporting = [on_a.id], [on_b.id], [elsewhere.id]
    evidence = [on_a, on_b, elsewhere]
    assert _rival([top, second], topo, evidence) == 0.0
    # another event is another story, and the same event argued as another failure is a rival too
    assert _rival([top, third], topo, evidence) == 0.84
    second.failure_mode = "other"
    assert _rival([top, second], topo, evidence) == 0.84


def test_error_lines_date_the_onset_only_a_period_or_two_ahead_of_what_the_metrics_measure() -> None:
    topo, tg, _ = web_topology()
    metric = ev("metric_anomaly", tg, T0, ["error_rate_up"])
    # Error-like lines an hour before the 5xx metric rose: some other, smaller trouble.
    early = ev("log_pattern", tg, T0 - timedelta(minutes=45), ["log_errors_up"], 0.5)
    assert incident_onset([early, metric], topo, [tg]) == T0
    # Lines a few minutes ahead of the metric: the same trouble, seen first in the logs.
    leading = ev("log_pattern", tg, T0 - timedelta(minutes=4), ["timeout_logs"], 0.5)
    assert incident_onset([early, leading, metric], topo, [tg]) == T0 - timedelta(minutes=4)
    # Without a metric, the logs are all there is.
    assert incident_onset([early], topo, [tg]) == T0 - timedelta(minutes=45)


def test_a_key_its_fleet_cannot_decrypt_with_explains_the_fleets_replacement_loop() -> None:
    topo = Topology()
    tg = topo.add("target_group", "targetgroup/web/0123456789abcdef", "web")
    asg = topo.add("asg", "web-asg")
    inst = topo.add("instance", "i-0123456789abcdef0")
    role = topo.add("iam_role", "arn:aws:iam::123456789012:role/web-ec2", "web-ec2")
    key = topo.add("kms_key", "arn:aws:kms:us-east-1:123456789012:key/6c73b997-d242-4b94-8263-53226085acf4")
    topo.link(asg, tg, "registers_in")
    topo.link(inst, asg, "member_of")
    topo.link(inst, role, "assumes")
    topo.link(role, key, "may_use")
    evidence = [
        ev("change_event", key, T0 - timedelta(hours=3), ["change", "change_kms_key"], 0.6),
        ev("metric_anomaly", tg, T0, ["unhealthy_hosts"], 0.95),
        ev("resource_state", asg, T0, ["asg_replacement_loop", "capacity_below_desired"], 0.95),
        ev("log_pattern", inst, None, ["new_error_pattern", "access_denied_logs", "kms_errors"], 0.85),
    ]
    ranked = sorted(generate(catalog(), evidence, topo, [tg]), key=lambda h: -h.confidence)
    assert (ranked[0].failure_mode, ranked[0].resource) == ("kms-key-disabled", key), [
        (h.failure_mode, h.resource, h.confidence) for h in ranked[:3]
    ]


def _slow_vendor_fleet() -> tuple[Topology, list[Evidence], str]:
    """Three functions call a remote vendor from a shared layer; the vendor slows at T0. One function
    has a small reserved concurrency and is throttled a minute later; another had its configuration
    updated two hours before."""
    topo = Topology()
    api = topo.add("api_gateway", "shop-api")
    names = ["orders", "cart", "search"]
    fns = [topo.add("lambda", n) for n in names]
    for f in fns:
        topo.link(api, f, "routes_to")
    host = topo.add("remote", "intake.vendor.example")
    template = (
        'VENDOR | WARN | flush failed after <NUM>: Post "https://intake.vendor.example/v1": deadline exceeded'
    )
    evidence = [
        ev("metric_anomaly", api, T0 + timedelta(minutes=1), ["error_rate_up"], 0.95),
        *[ev("metric_anomaly", f, T0, ["latency_up"], 0.9) for f in fns],
        ev("metric_anomaly", "orders", T0 + timedelta(minutes=1), ["throttled"], 0.95),
        ev("resource_state", "orders", T0 - timedelta(days=6), ["lambda_concurrency_limited"], 0.7),
        ev("metric_anomaly", "orders", T0 - timedelta(hours=1), ["traffic_up"], 0.6),
        # the vendor's line, seen in one function's logs and copied onto the host it names ...
        ev(
            "log_pattern",
            host,
            None,
            ["new_error_pattern", "remote_slow", "timeout_logs"],
            0.85,
            template=template,
            seen_by="cart",
        ),
        # ... and the same line in another function's own logs
        ev("log_pattern", "search", None, ["new_error_pattern", "timeout_logs"], 0.85, template=template),
        ev("change_event", "search", T0 - timedelta(hours=2), ["change", "change_config"], 0.6),
    ]
    return topo, evidence, host


def test_a_function_throttled_once_its_invocations_got_slower_is_throttled_by_what_slowed_them() -> None:
    topo, evidence, host = _slow_vendor_fleet()
    ranked = sorted(generate(catalog(), evidence, topo, ["shop-api"]), key=lambda h: -h.confidence)
    throttle = next(h for h in ranked if h.failure_mode == "lambda-account-concurrency-limit")
    vendor = next(h for h in ranked if h.resource == host)
    # orders got slower with the functions whose lines name the vendor, then hit its concurrency
    assert throttle.confidence < vendor.confidence, [
        (h.failure_mode, h.resource, h.confidence) for h in ranked[:4]
    ]
    assert "what A third-party" in throttle.rationale


def test_a_throttle_that_began_before_the_function_slowed_is_its_own() -> None:
    topo, evidence, _ = _slow_vendor_fleet()
    # the same throttle, but twenty minutes before anything got slower: more load, not longer calls
    evidence = [
        ev("metric_anomaly", "orders", T0 - timedelta(minutes=20), ["throttled"], 0.95)
        if e.signals == ["throttled"]
        else e
        for e in evidence
    ]
    ranked = sorted(generate(catalog(), evidence, topo, ["shop-api"]), key=lambda h: -h.confidence)
    throttle = next(h for h in ranked if h.failure_mode == "lambda-account-concurrency-limit")
    assert "what A third-party" not in throttle.rationale


def _release_loads_the_database(caller_admitted: bool = True) -> tuple[Topology, list[Evidence]]:
    """An API's release at T0; its own response time and the cache in front of the database rise six
    minutes later; the database's CPU saturates after that and its alarm fires half an hour on. The
    database is reached only through its security group, which admits the API's tasks."""
    topo = Topology()
    tg = topo.add("target_group", "targetgroup/catalog-tg/0123456789abcdef", "catalog-tg")
    api = topo.add("ecs_service", "catalog-api")
    db = topo.add("rds_instance", "catalog-pg")
    tasks = topo.add(
        "security_group", "sg-0aaaaaaaaaaaaaaa1", "tasks", attrs={"inbound": "tcp 8080 from sg-0ccc"}
    )
    admitted = "sg-0aaaaaaaaaaaaaaa1" if caller_admitted else "sg-0bbbbbbbbbbbbbbb9"
    dbsg = topo.add(
        "security_group", "sg-0ddddddddddddddd2", "db", attrs={"inbound": f"tcp 5432 from {admitted}"}
    )
    topo.link(api, tg, "registers_in")
    topo.link(api, tasks, "secured_by")
    topo.link(db, dbsg, "secured_by")
    evidence = [
        ev("change_event", api, T0, ["change", "change_deploy"], 0.6),
        ev("metric_anomaly", tg, T0 + timedelta(minutes=6), ["latency_up"], 0.9),
        ev("metric_anomaly", db, T0 + timedelta(minutes=9), ["cpu_high"], 0.95),
        ev("metric_anomaly", db, T0 + timedelta(minutes=20), ["latency_up"], 0.8),
        ev("metric_anomaly", db, T0 + timedelta(minutes=25), ["alarm_breached", "cpu_high"], 0.95),
        ev("metric_anomaly", tg, T0 + timedelta(minutes=27), ["error_rate_up"], 0.9),
    ]
    return topo, evidence


def test_a_release_is_healthy_only_until_its_own_side_goes_wrong() -> None:
    topo, evidence = _release_loads_the_database()
    release = next(
        h
        for h in generate(catalog(), evidence, topo, ["catalog-pg"])
        if h.failure_mode == "bad-code-deploy-errors"
    )
    # its target group slowed six minutes after it shipped: not "served traffic for 20 min"
    assert "served traffic for" not in release.rationale, release.rationale


def test_a_database_saturated_after_a_callers_release_slowed_its_own_side_is_loaded_by_the_release() -> None:
    topo, evidence = _release_loads_the_database()
    ranked = sorted(generate(catalog(), evidence, topo, ["catalog-pg"]), key=lambda h: -h.confidence)
    assert (ranked[0].failure_mode, ranked[0].resource) == ("bad-code-deploy-errors", "catalog-api"), [
        (h.failure_mode, h.resource, h.confidence) for h in ranked[:3]
    ]
    cpu = next(h for h in ranked if h.failure_mode == "rds-cpu-saturated-by-query-load")
    assert "what A new code release" in cpu.rationale


def test_a_release_of_a_service_the_database_does_not_admit_does_not_explain_its_load() -> None:
    topo, evidence = _release_loads_the_database(caller_admitted=False)
    cpu = next(
        h
        for h in generate(catalog(), evidence, topo, ["catalog-pg"])
        if h.failure_mode == "rds-cpu-saturated-by-query-load"
    )
    assert "what A new code release" not in cpu.rationale


def test_a_function_with_reserved_concurrency_is_not_throttled_by_the_accounts_pool() -> None:
    topo = Topology()
    fn = topo.add("lambda", "report-render")
    evidence = [
        ev("metric_anomaly", fn, T0, ["throttled"], 0.95),
        ev("metric_anomaly", fn, T0, ["traffic_up"], 0.8),
        ev("resource_state", fn, T0 - timedelta(days=20), ["lambda_concurrency_limited"], 0.75),
    ]
    pool = next(
        h
        for h in generate(catalog(), evidence, topo, [fn])
        if h.failure_mode == "lambda-account-concurrency-limit"
    )
    # its reservation is where it is throttled: the account's unreserved pool is not what it draws from
    assert "contradicted by lambda_concurrency_limited" in pool.rationale
    assert pool.confidence < 0.8


def _queue_fed(
    set_at: datetime | None = None, erroring: bool = False, fed: bool = True, invoked_async: bool = False
) -> tuple[Topology, list[Evidence]]:
    topo = Topology()
    fn = topo.add("lambda", "report-render")
    queue = topo.add(
        "sqs_queue", "https://sqs.us-east-1.amazonaws.com/123456789012/report-jobs", "report-jobs"
    )
    if fed:
        topo.link(queue, fn, "triggers")
    evidence = [
        ev("metric_anomaly", fn, T0, ["throttled"], 0.95),
        # GetFunction's LastModified, in the window: a code deploy does not set the reservation
        ev("resource_state", fn, T0 - timedelta(minutes=30), ["lambda_concurrency_limited"], 0.75),
    ]
    if set_at is not None:
        put = ev("change_event", fn, set_at, ["change", "change_config"], 0.6)
        summary = f"ops called lambda:PutFunctionConcurrency20171031 on report-render at {set_at:%H:%M}"
        evidence.append(put.model_copy(update={"summary": summary}))
    if invoked_async:
        evidence.append(ev("resource_state", fn, T0 - timedelta(hours=2), ["invoked_async"], 0.3))
    if erroring:
        # its errors, or asynchronous events Lambda dropped (read as errors)
        evidence.append(ev("metric_anomaly", fn, T0, ["error_rate_up"], 0.9))
    return topo, evidence


def test_a_queue_fed_functions_throttles_at_a_standing_reservation_are_the_cap_doing_its_job() -> None:
    from agent.conclude import _capped_as_set

    start = T0 - timedelta(hours=3)
    topo, evidence = _queue_fed()
    assert _capped_as_set(evidence[0], evidence, topo, start)
    topo, evidence = _queue_fed(set_at=T0 - timedelta(days=20))
    assert _capped_as_set(evidence[0], evidence, topo, start)
    # a reservation set in the window (or the hour before it) is a change to look at, not a standing cap
    topo, evidence = _queue_fed(set_at=T0 - timedelta(hours=1))
    assert not _capped_as_set(evidence[0], evidence, topo, start)
    topo, evidence = _queue_fed(set_at=start - timedelta(minutes=30))
    assert not _capped_as_set(evidence[0], evidence, topo, start)
    # a function that also fails, or one called directly (its callers get the throttle), is trouble
    topo, evidence = _queue_fed(erroring=True)
    assert not _capped_as_set(evidence[0], evidence, topo, start)
    topo, evidence = _queue_fed(fed=False)
    assert not _capped_as_set(evidence[0], evidence, topo, start)


def test_an_asynchronously_invoked_functions_throttles_wait_in_lambdas_event_queue() -> None:
    from agent.conclude import _capped_as_set

    start = T0 - timedelta(hours=3)
    topo, evidence = _queue_fed(fed=False, invoked_async=True)
    assert _capped_as_set(evidence[0], evidence, topo, start)
    # the alarm set on the throttles is the same observation
    alarm = ev("metric_anomaly", evidence[0].resource or "", T0, ["alarm_breached", "throttled"], 0.9)
    assert _capped_as_set(alarm, [alarm, *evidence], topo, start)
    # events Lambda dropped (too old or out of retries) are work lost
    topo, evidence = _queue_fed(fed=False, invoked_async=True, erroring=True)
    assert not _capped_as_set(evidence[0], evidence, topo, start)


def _vendor_behind(api_name: str, fn_name: str, host_name: str) -> tuple[Topology, str, str, str]:
    """An API invoking a function that calls a third-party host."""
    topo = Topology()
    api = topo.add("api_gateway", api_name)
    fn = topo.add("lambda", fn_name)
    topo.link(api, fn, "invokes")
    host = topo.add("remote", host_name)
    topo.link(fn, host, "calls")
    return topo, api, fn, host


def test_a_callers_faulted_traces_are_what_the_vendor_it_waits_on_produces() -> None:
    """A function times out waiting on a vendor that answers 503s: its traces fault at the function (its
    own segment ends with the timeout), but the vendor its own lines name is where the failure starts."""
    topo, _, fn, host = _vendor_behind("shop-api", "tax-quote", "calc.vendor.example")
    line = 'ERROR Invoke Error {"errorMessage": "Tax provider returned 503 Service Unavailable"}'
    evidence = [
        ev("metric_anomaly", fn, T0, ["alarm_breached", "error_rate_up"], 0.95),
        ev("log_pattern", fn, T0, ["log_errors_up"], 0.8),
        ev("trace_fault", fn, None, ["trace_faults", "timeout_logs"], 0.9),
        ev("log_pattern", fn, None, ["new_error_pattern", "remote_server_error"], 0.85, template=line),
        ev("trace_fault", host, None, ["remote_slow"], 0.6),
        ev(
            "log_pattern",
            host,
            None,
            ["new_error_pattern", "remote_server_error", "remote_slow"],
            0.85,
            template=line,
            seen_by=fn,
        ),
    ]
    ranked = sorted(generate(catalog(), evidence, topo, ["shop-api"]), key=lambda h: -h.confidence)
    assert ranked[0].resource == host, [(h.failure_mode, h.resource, h.confidence) for h in ranked[:3]]
    caller = next(h for h in ranked if h.resource == fn)
    assert "what A third-party" in caller.rationale


def test_a_neighbours_timeout_to_a_vendor_is_not_the_apis_integration_timeout() -> None:
    """An API's 5xx while the function behind it logs read timeouts calling a vendor: the function's
    lines are its wait on the vendor, not the API reaching its 29 s integration timeout (its latency
    peaked far below that)."""
    topo, api, fn, host = _vendor_behind("partner-api", "quote", "api.rates.example")
    line = "[ERROR] rates lookup failed: HTTPSConnectionPool(host='api.rates.example'): Read timed out."
    evidence = [
        ev("metric_anomaly", api, T0 + timedelta(minutes=2), ["alarm_breached", "error_rate_up"], 0.95),
        ev("metric_anomaly", api, T0 + timedelta(minutes=1), ["latency_up"], 0.8, extreme=550.0),
        ev("metric_anomaly", fn, T0, ["latency_up"], 0.85),
        ev("log_pattern", fn, None, ["new_error_pattern", "timeout_logs"], 0.85, template=line),
        ev("trace_fault", host, None, ["remote_slow"], 0.6),
        ev(
            "log_pattern",
            host,
            None,
            ["new_error_pattern", "timeout_logs", "remote_slow"],
            0.85,
            template=line,
            seen_by=fn,
        ),
    ]
    ranked = sorted(generate(catalog(), evidence, topo, [api]), key=lambda h: -h.confidence)
    assert ranked[0].resource == host, [(h.failure_mode, h.resource, h.confidence) for h in ranked[:3]]
    gateway = next(h for h in ranked if h.failure_mode == "api-gateway-integration-timeout")
    assert "no sign of a ceiling" in gateway.rationale
