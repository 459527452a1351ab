"""Scenario #15: the ASG did not scale out because its scaling alarm never breached."""

from __future__ import annotations

from typing import Any

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from evals.scenarios.library import asg_no_scale_out  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract


def _policy(bundle: Bundle, known: Known) -> dict[str, Any]:
    """The guilty group's own scale-out policy."""
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    asg = truth.root_cause.resource.rsplit("/", 1)[1]
    (policy,) = [
        p for p in known.by_type[("autoscaling", "ScalingPolicy")] if p["AutoScalingGroupName"] == asg
    ]
    return policy


class TestAsgNoScaleOut(ExtendedContract):
    name = "asg-no-scale-out"

    def test_scaling_alarm_never_fired_and_capacity_stayed_flat(self, bundle: Bundle, known: Known) -> None:
        policy = _policy(bundle, known)
        assert policy["PolicyType"] in ("SimpleScaling", "StepScaling")
        (link,) = policy["Alarms"]
        alarm = next(a for a in bundle.records("alarms") if a["AlarmName"] == link["AlarmName"])
        assert alarm["AlarmActions"] == [policy["PolicyARN"]] and alarm["StateValue"] == "OK"
        assert alarm["Dimensions"] == [
            {"Name": "AutoScalingGroupName", "Value": policy["AutoScalingGroupName"]}
        ]
        assert not [h for h in bundle.records("alarm_history") if h["AlarmName"] == alarm["AlarmName"]]
        # Neither tier launched or terminated anything: the peer's target tracking sits at its minimum.
        assert not [e for e in bundle.records("events") if e["source"] == "autoscaling"]
        desired = {
            m["value"]
            for m in bundle.records("metrics")
            if m["metric"] == "GroupDesiredCapacity"
            and m["dimensions"]["AutoScalingGroupName"] == policy["AutoScalingGroupName"]
        }
        assert len(desired) == 1

    def test_load_came_close_to_the_threshold(self, incident: Incident, bundle: Bundle) -> None:
        alarm = next(
            a for a in bundle.records("alarms") if a["AlarmActions"][0].startswith("arn:aws:autoscaling")
        )
        asg = alarm["Dimensions"][0]["Value"]
        cpu = incident.get("AWS/EC2", "CPUUtilization", AutoScalingGroupName=asg).values
        w = incident.window
        onset = w.index(w.onset)
        # Five-minute averages aligned on the grid, as the alarm evaluates them.
        averages = [sum(v for v in cpu[k : k + 5] if v is not None) / 5 for k in range(0, w.minutes - 4, 5)]
        before, after = max(averages[: onset // 5]), max(averages[onset // 5 + 1 :])
        assert after > before + 10
        periods = alarm["EvaluationPeriods"]
        runs = [
            all(a > alarm["Threshold"] for a in averages[k : k + periods])
            for k in range(len(averages) - periods + 1)
        ]
        assert not any(runs)
        assert after > alarm["Threshold"] - 20

    def test_trigger_is_the_latency_alarm(self, bundle: Bundle) -> None:
        event = bundle.manifest.trigger.alarm_event
        assert event is not None and event.detail.alarm_name.endswith("-latency")

    def test_peer_tier_scales_by_target_tracking(self, bundle: Bundle, known: Known) -> None:
        guilty = _policy(bundle, known)
        (peer,) = [p for p in known.by_type[("autoscaling", "ScalingPolicy")] if p is not guilty]
        assert peer["PolicyType"] == "TargetTrackingScaling"
        alarms = {a["AlarmName"]: a for a in bundle.records("alarms")}
        high, low = (alarms[a["AlarmName"]] for a in peer["Alarms"])
        assert high["ComparisonOperator"] == "GreaterThanThreshold" and high["StateValue"] == "OK"
        assert low["Threshold"] < high["Threshold"] and low["AlarmActions"] == [peer["PolicyARN"]]
        groups = {g["AutoScalingGroupName"]: g for g in known.by_type[("autoscaling", "AutoScalingGroup")]}
        assert (
            groups[peer["AutoScalingGroupName"]]["DesiredCapacity"]
            == groups[peer["AutoScalingGroupName"]]["MinSize"]
        )
