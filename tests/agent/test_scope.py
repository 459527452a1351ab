"""Intake: questions and alarm events become a window, entry resources and symptoms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.scope import alarm_event, from_trigger, named_alarm
from tests.evals.bundle.test_bundle import ALARM_EVENT
from tools.window import parse_timezone

NOW = datetime(2024, 5, 1, 15, 20, tzinfo=UTC)


def test_question_with_a_clock_time_sets_the_window() -> None:
    scope = from_trigger("why is checkout returning 5xx since 14:00?", None, NOW)
    assert scope.start == datetime(2024, 5, 1, 13, 30, tzinfo=UTC)
    assert scope.end == NOW
    assert "errors" in scope.symptoms


def test_clock_times_are_read_in_the_askers_time_zone() -> None:
    # 11:15am in Berlin (+01:00 in winter) is 10:15 UTC; read as UTC it would start an hour late.
    now = datetime(2024, 3, 7, 11, 38, tzinfo=UTC)
    question = "We are getting 502s from the load balancer since about 11:15am."
    berlin = from_trigger(question, None, now, tz=parse_timezone("Europe/Berlin"))
    assert berlin.start == datetime(2024, 3, 7, 9, 45, tzinfo=UTC)
    assert "errors" in berlin.symptoms  # "502s" counts
    assert any("Europe/Berlin" in n for n in berlin.notes)
    offset = from_trigger(question, None, now, tz=parse_timezone("+01:00"))
    assert offset.start == berlin.start
    utc = from_trigger(question, None, now)
    assert utc.start == datetime(2024, 3, 7, 10, 45, tzinfo=UTC)
    assert any("read in UTC" in n for n in utc.notes)


@pytest.mark.parametrize("text", ["Mars/Olympus", "+15:00", "UTC+3:75", ""])
def test_unknown_time_zones_are_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="time zone"):
        parse_timezone(text)


def test_words_for_hours_pick_the_most_recent_past_time() -> None:
    scope = from_trigger("checkout is slow since about two", None, NOW)
    assert scope.start == datetime(2024, 5, 1, 13, 30, tzinfo=UTC)  # 14:00, not 02:00
    assert "latency" in scope.symptoms


@pytest.mark.parametrize(
    ("question", "since"),
    [
        ("duplicate emails since roughly 11:00am today", datetime(2024, 5, 1, 11, 0, tzinfo=UTC)),
        ("tickets starting ~1:40pm, the 5xx alarm is firing", datetime(2024, 5, 1, 13, 40, tzinfo=UTC)),
        ("oldest message age keeps climbing since ~11:03am", datetime(2024, 5, 1, 11, 3, tzinfo=UTC)),
        ("failing as of approximately 2 p.m.", datetime(2024, 5, 1, 14, 0, tzinfo=UTC)),
        ("errors began just after 14:05", datetime(2024, 5, 1, 14, 5, tzinfo=UTC)),
    ],
)
def test_hedged_clock_times_are_read(question: str, since: datetime) -> None:
    scope = from_trigger(question, None, NOW)
    assert scope.start == since - timedelta(minutes=30)


@pytest.mark.parametrize(
    "question", ["errors up 50% since the deploy", "slow since 5 minutes ago", "at 3 hosts"]
)
def test_numbers_that_are_not_clock_times_leave_the_default_window(question: str) -> None:
    assert from_trigger(question, None, NOW).notes == [] or all(
        "window from the question" not in n for n in from_trigger(question, None, NOW).notes
    )


def test_relative_windows_and_ids_in_the_question() -> None:
    scope = from_trigger("i-0abc12345678 keeps failing in the last 3 hours", None, NOW)
    assert scope.start == datetime(2024, 5, 1, 12, 20, tzinfo=UTC)
    assert [(e.kind, e.id) for e in scope.entry] == [("ec2", "i-0abc12345678")]


def test_alarm_event_gives_window_and_entry_resources() -> None:
    event = {
        **ALARM_EVENT,
        "detail": {
            **ALARM_EVENT["detail"],
            "configuration": {
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ApplicationELB",
                                "name": "HTTPCode_Target_5XX_Count",
                                "dimensions": {"LoadBalancer": "app/web/0123456789abcdef"},
                            },
                            "period": 60,
                            "stat": "Sum",
                        },
                    }
                ]
            },
        },
    }
    scope = from_trigger(None, event, NOW)
    assert scope.alarm_name == "api-5xx"
    assert scope.start == datetime(2024, 5, 1, 4, 10, tzinfo=UTC)
    assert scope.end == datetime(2024, 5, 1, 5, 20, tzinfo=UTC)
    assert [(e.kind, e.id) for e in scope.entry] == [("alb", "app/web/0123456789abcdef")]
    assert scope.symptoms == ["errors"]


def test_a_custom_metric_alarm_names_its_component() -> None:
    metric = {
        "id": "m1",
        "metricStat": {
            "metric": {
                "namespace": "Shop/Services",
                "name": "Latency",
                "dimensions": {"Service": "checkout", "Env": "prod"},
            },
            "period": 300,
            "stat": "p99",
        },
    }
    event = {**ALARM_EVENT, "detail": {**ALARM_EVENT["detail"], "configuration": {"metrics": [metric]}}}
    scope = from_trigger(None, event, NOW)
    assert [(e.kind, e.id) for e in scope.entry] == [("service", "checkout")]
    assert scope.alarm_metric is not None and scope.alarm_metric["namespace"] == "Shop/Services"
    assert scope.symptoms == ["latency"]


def test_an_empty_window_is_refused_with_the_times() -> None:
    with pytest.raises(ValueError, match="window is empty"):
        from_trigger("why?", None, NOW, start=NOW, end=NOW)


def test_a_full_timestamp_in_the_question_is_that_instant_not_its_year() -> None:
    scope = from_trigger("Is checkout latency breaching its SLO since 2024-05-01T14:30:00Z?", None, NOW)
    assert scope.start == datetime(2024, 5, 1, 14, 0, tzinfo=UTC)  # half an hour before, as for 14:30
    # A timestamp in the future of the question says nothing about the window.
    later = from_trigger("errors since 2024-05-02T09:00:00Z", None, NOW)
    assert later.start < NOW and "since" not in " ".join(later.notes)


@pytest.mark.parametrize(
    ("question", "names", "expected"),
    [
        # The asker's separators and plurals are theirs: every word of the name is said.
        (
            "The statement-render throttles alarm went off again at 2:05am",
            ["statement-render-throttles", "statement-render-errors", "render-latency"],
            "statement-render-throttles",
        ),
        ("checkout p99 alarm fired at 9:10, broken?", ["checkout-p99", "checkout-errors"], "checkout-p99"),
        # The most specific name wins over one whose words are a subset of it.
        ("orders api 5xx alert", ["orders-api", "orders-api-5xx"], "orders-api-5xx"),
        # Two names that fit equally well are not guessed between.
        ("orders api alarm", ["orders-api", "api-orders"], None),
        # No alarm mentioned, or no name fully said: not an alarm question.
        ("why is orders api slow", ["orders-api"], None),
        ("the payments alarm went off", ["payments-api-5xx"], None),
    ],
)
def test_a_question_names_an_alarm_by_all_of_its_words(
    question: str, names: list[str], expected: str | None
) -> None:
    assert named_alarm(question, names) == expected


def test_an_alarm_found_by_name_scopes_like_its_own_event() -> None:
    fired = datetime(2024, 7, 13, 7, 5, tzinfo=UTC)
    event = alarm_event(
        "render-throttles",
        {
            "namespace": "AWS/Lambda",
            "metric": "Throttles",
            "dimensions": {"FunctionName": "render"},
            "stat": "Sum",
            "period": 60,
        },
        fired,
    )
    scope = from_trigger("is the render throttles alarm a problem?", event, fired + timedelta(hours=7))
    assert scope.alarm_name == "render-throttles"
    assert scope.alarm_time == fired
    assert scope.start == fired - timedelta(minutes=60)
    assert [(e.kind, e.id) for e in scope.entry] == [("lambda", "render")]
    assert "throttling" in scope.symptoms


def test_an_asker_who_reports_refused_or_missing_requests_makes_client_errors_the_symptom() -> None:
    from agent.analyzers.metrics import signal_for

    now = datetime(2024, 9, 10, 9, 0, tzinfo=UTC)
    scope = from_trigger("partners are getting 404 Not Found from the fleet API", None, now)
    assert "client_errors" in scope.symptoms
    assert "client_errors" not in from_trigger("why is checkout slow?", None, now).symptoms
    # A 4XX count is client errors, not traffic, whichever service publishes it.
    assert signal_for("HTTPCode_Target_4XX_Count", "up") == "client_errors_up"
    assert signal_for("4XXError", "up") == "client_errors_up"


@pytest.mark.parametrize(
    "question",
    [
        "no new pick waves have been released since about 1:35pm and the dashboard has gone flat",
        "orders are not being processed since 10:00",
        "the consumer has been idle for an hour",
        "loyalty points haven't been credited for any orders since about 10:15am",
        "stock levels on the website haven't updated since 11:39",
        "no invoices since 9am",
        "no courier collections have been booked since about 2:17pm",
        "customers aren't getting their delivery notifications since 10:30",
        "contractors haven't had a single new job since around 10:40am",
        "this morning's import only had 5 invoices in it",
    ],
)
def test_an_asker_who_reports_that_work_stopped_makes_the_stop_the_symptom(question: str) -> None:
    now = datetime(2024, 3, 11, 14, 0, tzinfo=UTC)
    assert "flow_stopped" in from_trigger(question, None, now).symptoms
    assert "flow_stopped" not in from_trigger("checkout is slow", None, now).symptoms
    # What the asker has not seen is not work that stopped; "credited" is not CPU credits.
    seen = from_trigger("we haven't seen errors but logins are slow", None, now).symptoms
    assert "flow_stopped" not in seen
    assert "cpu" not in from_trigger("points haven't been credited since 10:00", None, now).symptoms


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("no courier bookings since 2pm and the booker shows no errors at all", {"flow_stopped"}),
        (
            "the dispatch worker isn't showing any errors but contractors get no jobs since 10am",
            {"flow_stopped"},
        ),
        ("the API isn't erroring, yet homes vanished from shortlists", set()),
        ("we haven't seen errors but logins are slow", {"latency"}),
        ("orders failing with no errors in the app logs but 502s at the ALB", {"errors"}),
    ],
)
def test_what_the_asker_says_is_absent_is_not_a_symptom(question: str, named: set[str]) -> None:
    now = datetime(2024, 3, 11, 14, 0, tzinfo=UTC)
    symptoms = set(from_trigger(question, None, now).symptoms)
    assert symptoms & {"errors", "flow_stopped", "latency"} == named
