"""The PetShop adapter: listing cases, hand-checked replay answers, resources, normal windows, command line."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evals.bundle import Bundle
from evals.datasets.petshop import PetShopError, list_cases, main, normal_windows, to_bundle
from evals.datasets.petshop_nodes import node_of
from evals.replay import replay_session
from tests.evals.datasets.checks import DATA, column, metric_data, needs_data, read_csv, target_of

pytestmark = needs_data


# --- listing --------------------------------------------------------------------------------------


def test_lists_the_twenty_train_issues() -> None:
    cases = list_cases(DATA, "train")
    assert len(cases) == 20
    assert [c.name for c in cases[:3]] == [
        "high_traffic-train-issue_0",
        "high_traffic-train-issue_1",
        "high_traffic-train-issue_2",
    ]
    assert {c.scenario for c in cases} == {
        "high_traffic",
        "low_traffic",
        "temporal_traffic1",
        "temporal_traffic2",
    }
    assert all(c.metrics_path.is_file() and c.target_path.is_file() and c.graph_path.is_file() for c in cases)


def test_test_split_says_it_is_held_out() -> None:
    with pytest.raises(PetShopError, match="held out"):
        list_cases(DATA, "test")
    assert len(list_cases(DATA, "all")) == 20


def test_one_scenario_folder_works_as_root() -> None:
    assert [c.issue for c in list_cases(DATA / "temporal_traffic1")] == ["issue_0", "issue_1"]


def test_natural_order_of_issue_numbers(tmp_path: Path) -> None:
    scenario = tmp_path / "s"
    for n in (10, 2, 1):
        issue = scenario / "train" / f"issue_{n}"
        issue.mkdir(parents=True)
        (issue / "metrics.csv").write_text("x")
        (issue / "target.json").write_text("{}")
    (scenario / "graph.csv").write_text(",a\na,0\n")
    assert [c.issue for c in list_cases(tmp_path)] == ["issue_1", "issue_2", "issue_10"]


# --- replay answers checked by hand -----------------------------------------------------------------


def test_hand_checked_case_high_traffic_issue_0() -> None:
    bundle = to_bundle(list_cases(DATA / "high_traffic")[0])
    session, _ = replay_session(bundle)
    cw = session.client("cloudwatch")
    alarm = cw.describe_alarms()["MetricAlarms"][0]
    # Target 01:49:08. Worst before its period: 0.083310951677786 (01:40); worst in 01:45-01:55:
    # 0.1178163723426467 (01:50). Halfway: 0.1005636..., to six significant figures.
    assert alarm["Threshold"] == 0.100564
    assert (alarm["AlarmName"], alarm["StateValue"]) == ("PetSite-latency-slo", "ALARM")
    assert alarm["StateUpdatedTimestamp"] == datetime(2023, 4, 13, 1, 56, tzinfo=UTC)
    assert bundle.manifest.now == datetime(2023, 4, 13, 1, 57, tzinfo=UTC)
    t0 = datetime(2023, 4, 13, 1, 40, tzinfo=UTC)
    now = bundle.manifest.now
    avg = metric_data(session, {"Service": "PetSite"}, "Latency", "Average", t0, now)
    assert avg[t0 + timedelta(minutes=10)] == pytest.approx(0.1178163723426467, rel=1e-12)
    assert avg[t0 + timedelta(minutes=5)] == pytest.approx(0.0863194391724365, rel=1e-12)
    p90 = metric_data(session, {"Service": "PetSite"}, "Latency", "p90", t0, now)
    assert p90[t0] == 0.221531870203245
    # Over ten minutes the average is weighted by requests: (0.08331 * 701 + 0.08632 * 711) / 1412.
    ten = metric_data(session, {"Service": "PetSite"}, "Latency", "Average", t0, now, period=600)
    assert ten[t0] == pytest.approx((0.083310951677786 * 701 + 0.0863194391724365 * 711) / 1412, rel=1e-12)
    count = metric_data(session, {"Service": "PetSite"}, "Latency", "SampleCount", t0, now)
    assert count[t0] == pytest.approx(701.0)
    search = {"Service": "PetSearch", "Type": "AWS::ECS::Fargate"}
    assert metric_data(session, search, "Requests", "Sum", t0, now)[t0] == 1215.0
    history = cw.describe_alarm_history(AlarmName="PetSite-latency-slo")["AlarmHistoryItems"]
    # The latest item is the incident's OK -> ALARM; before it, the threshold's crossings in normal operation.
    assert history[0]["HistorySummary"] == "Alarm updated from OK to ALARM"
    assert history[0]["Timestamp"] == max(h["Timestamp"] for h in history)
    assert {h["HistorySummary"] for h in history[1:]} <= {
        "Alarm updated from OK to ALARM",
        "Alarm updated from ALARM to OK",
    }
    # Data after `now` has not happened yet.
    assert max(avg) == t0 + timedelta(minutes=15)


def test_availability_is_request_weighted() -> None:
    case = next(c for c in list_cases(DATA / "high_traffic") if c.issue == "issue_4")
    bundle = to_bundle(case)
    session, _ = replay_session(bundle)
    t0 = datetime.fromtimestamp(column(case, "PetSite", "requests", "Sum")[0][0], UTC)
    now = bundle.manifest.now
    avail = metric_data(session, {"Service": "PetSite"}, "Availability", "Average", t0, now)
    assert avail[t0 + timedelta(minutes=10)] == pytest.approx(97.3724884080371, rel=1e-12)
    minimum = metric_data(session, {"Service": "PetSite"}, "Availability", "Minimum", t0, now)
    assert minimum[t0 + timedelta(minutes=10)] == 0.0  # some requests failed in that period
    assert minimum[t0 + timedelta(minutes=5)] == 0.0 and avail[t0 + timedelta(minutes=5)] < 100
    alarm = session.client("cloudwatch").describe_alarms()["MetricAlarms"][0]
    assert alarm["ComparisonOperator"] == "LessThanThreshold"


def test_traces_name_only_dataset_nodes() -> None:
    case = next(c for c in list_cases(DATA / "low_traffic") if c.issue == "issue_4")
    labels = {(n.name, n.type) for n in map(node_of, read_csv(case.graph_path)[0][1:])}
    docs = list(to_bundle(case).records("traces"))
    assert {(d["name"], d.get("origin")) for d in docs} <= labels
    assert all(s["namespace"] in ("aws", "remote") for d in docs for s in d.get("subsegments", []))
    # Faults in traces follow availability: the issue's failing requests show as faulted segments.
    assert any(d.get("fault") for d in docs)


def test_resources_say_what_the_components_are() -> None:
    bundle = to_bundle(list_cases(DATA / "high_traffic")[0])
    kinds = {(r["service"], r["type"]) for r in bundle.records("resources")}
    assert {
        ("ecs", "Service"),
        ("lambda", "FunctionConfiguration"),
        ("dynamodb", "TableDescription"),
        ("apigateway", "Stage"),
        ("rds", "DBInstance"),
        ("elbv2", "LoadBalancer"),
        ("eks", "Cluster"),
    } <= kinds
    # The state machine is recorded by its type alone: with no name there is no resource to describe.
    assert ("stepfunctions", "StateMachineListItem") not in kinds
    session, _ = replay_session(bundle)
    ecs = session.client("ecs").describe_services(
        cluster="petshop", services=["PetSearch", "petlistadoptions"]
    )
    assert [s["launchType"] for s in ecs["services"]] == ["FARGATE", "FARGATE"]
    functions = session.client("lambda").list_functions()["Functions"]
    assert sorted(f["FunctionName"] for f in functions) == [
        "lambda_step_priceGreaterThan55",
        "lambda_step_priceLessThan55",
        "lambda_step_readDDB",
        "lambdastatusupdater",
    ]
    # `Servi-searc...` and `servi-searc...` are two spellings of one load balancer's DNS name.
    lbs = session.client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert sorted(lb["LoadBalancerName"] for lb in lbs) == [
        "servi-lista",
        "servi-payfo",
        "servi-petsi",
        "servi-searc",
    ]


def test_also_accept_names_the_ecs_service() -> None:
    truth = to_bundle(list_cases(DATA / "high_traffic")[0]).manifest.truth
    assert truth is not None
    assert "PetSearch" in truth.also_accept
    assert "arn:aws:ecs:us-west-2:111122223333:service/petshop/PetSearch" in truth.also_accept


# --- ground truth stays in `truth` --------------------------------------------------------------------


def test_telemetry_does_not_depend_on_the_ground_truth(tmp_path: Path) -> None:
    case = list_cases(DATA / "low_traffic")[5]
    written = []
    for n, (node, command) in enumerate(
        [("PetSearch_AWS::ECS::Fargate", "x"), ("DynamoDB_AWS::DynamoDB", "y")]
    ):
        scenario = tmp_path / str(n) / case.scenario
        issue = scenario / "train" / case.issue
        issue.mkdir(parents=True)
        shutil.copy(case.graph_path, scenario / "graph.csv")
        shutil.copy(case.metrics_path, issue / "metrics.csv")
        data = target_of(case)
        data["root_cause"]["node"] = node
        data["metadata"]["reproducibility"]["command"] = command
        (issue / "target.json").write_text(json.dumps(data))
        written.append(to_bundle(list_cases(scenario)[0]).write(tmp_path / f"b{n}"))
    first, second = written
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for file in sorted(first.iterdir()):
        other = second / file.name
        if file.name == "manifest.json":
            a, b = json.loads(file.read_text()), json.loads(other.read_text())
            assert a.pop("truth") != b.pop("truth")
            assert a == b
        else:
            assert file.read_bytes() == other.read_bytes(), file.name


# --- normal operation ---------------------------------------------------------------------------------


def test_normal_windows_are_no_fault_bundles(tmp_path: Path) -> None:
    windows = normal_windows(DATA / "high_traffic")
    # noissue/ has 589 rows: the dataset's specificity protocol splits at rows 294, 352, 410, 468, 526 and
    # 584, and each window asks about both SLO targets of the scenario's issues (PetSite latency and
    # availability). temporal_traffic1/2 have no noissue/ folder, hence no windows.
    assert len(windows) == 6 * 2
    assert normal_windows(DATA / "temporal_traffic1") == []
    assert all(w.manifest.truth is not None and w.manifest.truth.no_fault for w in windows)
    loaded = Bundle.load(windows[0].write(tmp_path / "w0"))
    assert loaded.manifest.trigger.alarm_event is None
    assert loaded.manifest.trigger.question == (
        "Is PetSite availability (Average) breaching its SLO since 2023-09-06T14:30:00Z? "
        "If so, what is the root cause?"
    )
    assert "alarms" not in loaded.kinds() and "traces" in loaded.kinds()
    rows = read_csv(DATA / "high_traffic" / "noissue" / "metrics.csv")
    col = next(
        i
        for i in range(len(rows[0]))
        if (rows[0][i], rows[1][i], rows[2][i]) == ("PetSite", "latency", "Average")
    )
    first_row = rows[4 + 293]  # one period before split row 294
    # The rows before the window are its metric history, as the protocol gives them to every method.
    assert loaded.manifest.start == datetime.fromtimestamp(float(rows[4][0]), UTC)
    window_start = datetime.fromtimestamp(float(first_row[0]), UTC)
    session, _ = replay_session(loaded)
    seen = metric_data(
        session, {"Service": "PetSite"}, "Latency", "Average", loaded.manifest.start, loaded.manifest.now
    )
    assert seen[window_start] == pytest.approx(float(first_row[col]), rel=1e-12)
    assert seen[loaded.manifest.start] == pytest.approx(float(rows[4][col]), rel=1e-12)
    assert session.client("cloudwatch").describe_alarms()["MetricAlarms"] == []


# --- command line ---------------------------------------------------------------------------------------


def test_command_line_writes_bundles_and_reports_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(DATA / "temporal_traffic2"), str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "temporal_traffic2-train-issue_0",
        "temporal_traffic2-train-issue_1",
    ]
    assert "wrote 2 bundles" in capsys.readouterr().out
    assert main([str(DATA), str(tmp_path / "out"), "--split", "test"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {DATA}: no test/ issue folders")
