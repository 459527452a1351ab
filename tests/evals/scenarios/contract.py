"""What every scenario must satisfy; each scenario's test module subclasses `ScenarioContract`."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from evals.bundle import KINDS, Bundle
from evals.bundle.shapes import to_datetime
from evals.scenarios import build, list_scenarios
from evals.scenarios.incident import Incident
from evals.scenarios.registry import generate

SEED = 7


class Known:
    """Every id, name and ARN the bundle's resources (and its recorded launches) make known."""

    def __init__(self, bundle: Bundle) -> None:
        self.by_type: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for rec in bundle.records("resources"):
            self.by_type[(rec["service"], rec["type"])].append(rec["item"])
        items = self.by_type
        self.instances = {i["InstanceId"] for i in items[("ec2", "Instance")]}
        # Instances terminated over an hour ago drop out of DescribeInstances; the ASG's activity
        # history and CloudTrail's RunInstances still name them.
        for event in bundle.records("events"):
            if event["source"] == "autoscaling":
                self.instances.add(event["item"]["Description"].rsplit(" ", 1)[1])
        self.subnets = {s["SubnetId"] for s in items[("ec2", "Subnet")]}
        self.vpcs = {v["VpcId"] for v in items[("ec2", "Vpc")]}
        self.groups = {g["GroupId"] for g in items[("ec2", "SecurityGroup")]}
        self.asgs = {a["AutoScalingGroupName"] for a in items[("autoscaling", "AutoScalingGroup")]}
        self.albs = {lb["LoadBalancerArn"] for lb in items[("elbv2", "LoadBalancer")]}
        self.tgs = {t["TargetGroupArn"] for t in items[("elbv2", "TargetGroup")]}
        self.db_instances = {d["DBInstanceIdentifier"] for d in items[("rds", "DBInstance")]}
        self.clusters = {c["DBClusterIdentifier"] for c in items[("rds", "DBCluster")]}
        self.functions = {f["FunctionName"] for f in items[("lambda", "FunctionConfiguration")]}
        self.roles = {r["Arn"] for r in items[("iam", "Role")]}
        self.log_groups = {g["logGroupName"] for g in items[("logs", "LogGroup")]}
        self.images = {i["ImageId"] for i in items[("ec2", "Instance")]}
        self.arns = (
            self.albs
            | self.tgs
            | self.roles
            | {a["AutoScalingGroupARN"] for a in items[("autoscaling", "AutoScalingGroup")]}
            | {d["DBInstanceArn"] for d in items[("rds", "DBInstance")]}
            | {c["DBClusterArn"] for c in items[("rds", "DBCluster")]}
            | {f["FunctionArn"] for f in items[("lambda", "FunctionConfiguration")]}
            | {g["SecurityGroupArn"] for g in items[("ec2", "SecurityGroup")]}
            | {s["SubnetArn"] for s in items[("ec2", "Subnet")]}
            | {
                f"arn:aws:ec2:{_region(bundle)}:{bundle.manifest.account_id}:instance/{i}"
                for i in self.instances
            }
        )

    def dimension_exists(self, name: str, value: str) -> bool:
        lookup = {
            "InstanceId": self.instances,
            "AutoScalingGroupName": self.asgs,
            "DBInstanceIdentifier": self.db_instances,
            "DBClusterIdentifier": self.clusters,
            "FunctionName": self.functions,
            "ImageId": self.images,
            "LoadBalancer": {a.split(":loadbalancer/")[1] for a in self.albs},
            "TargetGroup": {t.split(":")[-1] for t in self.tgs},
        }
        if name in lookup:
            return value in lookup[name]
        return name in {"InstanceType", "path", "device", "fstype", "Role"}


def _region(bundle: Bundle) -> str:
    return bundle.manifest.region


class ScenarioContract:
    """Build, validate, determinism and consistency checks, run once per scenario module."""

    name: ClassVar[str]

    @pytest.fixture(scope="class")
    @classmethod
    def incident(cls) -> Incident:
        return generate(cls.name, SEED)

    @pytest.fixture(scope="class")
    @classmethod
    def bundle(cls, incident: Incident) -> Bundle:
        return incident.bundle()

    @pytest.fixture(scope="class")
    @classmethod
    def written(cls, bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
        return bundle.write(tmp_path_factory.mktemp(cls.name) / "bundle")

    @pytest.fixture(scope="class")
    @classmethod
    def known(cls, bundle: Bundle) -> Known:
        return Known(bundle)

    # --- catalogue, validity, determinism ---------------------------------------------------------

    def test_listed_with_title_and_summary(self) -> None:
        info = next(i for i in list_scenarios() if i.name == self.name)
        assert info.title and info.summary

    def test_round_trip_through_disk(self, bundle: Bundle, written: Path) -> None:
        loaded = Bundle.load(written)
        assert loaded.manifest == bundle.manifest
        for kind in bundle.kinds():
            assert list(loaded.records(kind)) == list(bundle.records(kind)), kind
        assert loaded.manifest.truth is not None

    def test_same_seed_gives_byte_identical_bundle(self, bundle: Bundle, written: Path) -> None:
        again = build(self.name, SEED)
        # Bundle.write emits the manifest, then each record as compact JSON in order: compare exactly that.
        assert again._manifest_bytes() == (written / "manifest.json").read_bytes()
        assert again.kinds() == bundle.kinds()
        for kind in again.kinds():
            lines = (written / KINDS[kind][0]).read_text().splitlines()
            assert [line for _, line in again._lines(kind)] == lines, kind

    def test_other_seed_differs(self, bundle: Bundle) -> None:
        other = build(self.name, SEED + 1)
        assert other.manifest.account_id != bundle.manifest.account_id
        assert other.manifest.now != bundle.manifest.now
        assert other.manifest.truth != bundle.manifest.truth

    # --- the window -------------------------------------------------------------------------------

    def test_hours_of_history_before_onset(self, incident: Incident, bundle: Bundle) -> None:
        assert incident.window.onset - bundle.manifest.start >= timedelta(hours=5, minutes=30)
        assert bundle.manifest.start < incident.window.onset < bundle.manifest.now

    def test_nothing_is_stamped_after_now(self, bundle: Bundle) -> None:
        now = bundle.manifest.now
        # The generator writes every metric timestamp as "YYYY-MM-DDTHH:MM:SSZ", so strings order like times.
        stamps = {m["timestamp"] for m in bundle.records("metrics")}
        assert all(len(t) == 20 and t.endswith("Z") for t in stamps)
        assert max(stamps) <= now.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert all(e["timestamp"] <= now.timestamp() * 1000 for e in bundle.records("logs"))
        assert all(to_datetime(r["eventTime"]) <= now for r in bundle.records("cloudtrail"))
        assert all(t["end_time"] <= now.timestamp() for t in bundle.records("traces"))

    # --- consistency ------------------------------------------------------------------------------

    def test_every_metric_dimension_names_an_existing_resource(self, bundle: Bundle, known: Known) -> None:
        seen: set[tuple[str, str]] = set()
        for m in bundle.records("metrics"):
            seen.update(m["dimensions"].items())
        missing = [(k, v) for k, v in sorted(seen) if not known.dimension_exists(k, v)]
        assert missing == []

    def test_every_resource_has_one_minute_metrics(self, bundle: Bundle, known: Known) -> None:
        per: dict[tuple[str, str], list[str]] = defaultdict(list)
        for m in bundle.records("metrics"):
            for k, v in m["dimensions"].items():
                per[(k, v)].append(m["timestamp"])
        running = [
            i["InstanceId"] for i in known.by_type[("ec2", "Instance")] if i["State"]["Name"] == "running"
        ]
        expected = (
            [("InstanceId", i) for i in running]
            + [("AutoScalingGroupName", a) for a in known.asgs]
            + [("DBInstanceIdentifier", d) for d in known.db_instances]
            + [("DBClusterIdentifier", c) for c in known.clusters]
            + [("FunctionName", f) for f in known.functions]
            + [("LoadBalancer", a.split(":loadbalancer/")[1]) for a in known.albs]
            + [("TargetGroup", t.split(":")[-1]) for t in known.tgs]
        )
        assert [e for e in expected if e not in per] == []
        lb = next(a.split(":loadbalancer/")[1] for a in known.albs)
        stamps = sorted({to_datetime(t) for t in per[("LoadBalancer", lb)]})
        assert {b - a for a, b in itertools.pairwise(stamps)} == {timedelta(minutes=1)}

    def test_resources_reference_each_other_consistently(self, known: Known) -> None:
        items = known.by_type
        for inst in items[("ec2", "Instance")]:
            assert {g["GroupId"] for g in inst["SecurityGroups"]} <= known.groups
            if inst["State"]["Name"] == "running":
                assert inst["SubnetId"] in known.subnets and inst["VpcId"] in known.vpcs
            role = inst["IamInstanceProfile"]["Arn"].rsplit("/", 1)[1]
            assert any(r.endswith(f":role/{role}") for r in known.roles)
        for asg in items[("autoscaling", "AutoScalingGroup")]:
            assert {i["InstanceId"] for i in asg["Instances"]} <= known.instances
            assert set(asg["TargetGroupARNs"]) <= known.tgs
            assert set(asg["VPCZoneIdentifier"].split(",")) <= known.subnets
        for tg in items[("elbv2", "TargetGroup")]:
            assert set(tg["LoadBalancerArns"]) <= known.albs and tg["VpcId"] in known.vpcs
        for g in items[("ec2", "SecurityGroup")]:
            refs = {p["GroupId"] for perm in g["IpPermissions"] for p in perm["UserIdGroupPairs"]}
            assert refs <= known.groups
        for lb in items[("elbv2", "LoadBalancer")]:
            assert set(lb["SecurityGroups"]) <= known.groups
            assert {z["SubnetId"] for z in lb["AvailabilityZones"]} <= known.subnets
        assert len({s["AvailabilityZone"] for s in items[("ec2", "Subnet")]}) >= 2
        for cluster in items[("rds", "DBCluster")]:
            assert {m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]} <= known.db_instances
            assert {g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]} <= known.groups
        for db in items[("rds", "DBInstance")]:
            assert db["DBClusterIdentifier"] in known.clusters and db["MonitoringRoleArn"] in known.roles
        for fn in items[("lambda", "FunctionConfiguration")]:
            assert fn["Role"] in known.roles and fn["LoggingConfig"]["LogGroup"] in known.log_groups
        for c in items[("lambda", "FunctionConcurrency")]:
            assert c["FunctionName"] in known.functions

    def test_telemetry_points_at_existing_resources(self, bundle: Bundle, known: Known) -> None:
        assert {e["log_group"] for e in bundle.records("logs")} <= known.log_groups
        assert {t["aws"]["ec2"]["instance_id"] for t in bundle.records("traces")} <= known.instances
        for event in bundle.records("events"):
            item = event["item"]
            if event["source"] == "target_health":
                assert item["target_group_arn"] in known.tgs and item["target"]["Id"] in known.instances
            elif event["source"] == "autoscaling":
                assert item["AutoScalingGroupName"] in known.asgs
            elif event["source"] == "rds":
                assert item["SourceArn"] in known.arns
        endpoints = {c["Endpoint"] for c in known.by_type[("rds", "DBCluster")]}
        for trace in bundle.records("traces"):
            for sub in trace["subsegments"]:
                if "sql" in sub:
                    assert sub["sql"]["url"].rsplit(":", 1)[0] in endpoints
        alarm_names = {a["AlarmName"] for a in bundle.records("alarms")}
        assert {h["AlarmName"] for h in bundle.records("alarm_history")} <= alarm_names
        for alarm in bundle.records("alarms"):
            assert all(known.dimension_exists(d["Name"], d["Value"]) for d in alarm["Dimensions"])

    def test_trigger_alarm_exists_and_fired(self, bundle: Bundle) -> None:
        event = bundle.manifest.trigger.alarm_event
        assert event is not None and event.detail.state["value"] == "ALARM"
        alarms = {a["AlarmName"]: a for a in bundle.records("alarms")}
        assert event.resources == [alarms[event.detail.alarm_name]["AlarmArn"]]
        history = [
            h
            for h in bundle.records("alarm_history")
            if h["AlarmName"] == event.detail.alarm_name and h["HistoryItemType"] == "StateUpdate"
        ]
        assert any(
            "to ALARM" in h["HistorySummary"]
            and to_datetime(h["Timestamp"])
            == event.time.replace(microsecond=to_datetime(h["Timestamp"]).microsecond)
            for h in history
        )

    def test_truth_names_existing_resources_and_change(self, bundle: Bundle, known: Known) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.chain and truth.actions
        if truth.no_fault:
            return
        assert truth.root_cause is not None
        remote = {
            s["name"]
            for t in bundle.records("traces")
            for s in t.get("subsegments", [])
            if s.get("namespace") == "remote" and "sql" not in s
        }
        # An AWS resource by ARN, or an external dependency by the name traces give its remote node.
        assert truth.root_cause.resource in known.arns | remote
        assert set(truth.also_accept) <= known.arns
        if truth.root_cause.event_id:
            ids = {r["eventID"]: r for r in bundle.records("cloudtrail")}
            assert truth.root_cause.event_id in ids
            assert ids[truth.root_cause.event_id]["readOnly"] is False

    # --- the story --------------------------------------------------------------------------------

    def test_signature_onset_precedes_downstream_symptoms(self, incident: Incident) -> None:
        hops = incident.hops
        assert hops and hops[0].at == min(h.at for h in hops)
        assert [h.at for h in hops] == sorted(h.at for h in hops)
        w = incident.window
        for hop in hops:
            if hop.series is None:
                continue
            values = incident.series[hop.series].values
            i = w.index(hop.at)
            before = [v for v in values[max(0, i - 60) : i] if v is not None]
            after = [v for v in values[i : i + 10] if v is not None]
            assert before and after, hop.label
            if hop.direction > 0:
                assert max(after) > max(before), hop.label
            else:
                assert min(after) < min(before), hop.label

    def test_innocent_changes_one_close_to_onset(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        guilty = truth.root_cause.event_id if truth and truth.root_cause else None
        writes = [
            r
            for r in bundle.records("cloudtrail")
            if not r["readOnly"] and r["eventID"] != guilty and "invokedBy" not in r["userIdentity"]
        ]
        assert len(writes) >= 2
        onset = incident.window.onset
        assert any(abs(onset - to_datetime(r["eventTime"])) <= timedelta(minutes=16) for r in writes)

    def test_unrelated_alarm_fired_too(self, bundle: Bundle) -> None:
        event = bundle.manifest.trigger.alarm_event
        assert event is not None
        fired = {h["AlarmName"] for h in bundle.records("alarm_history") if "to ALARM" in h["HistorySummary"]}
        assert fired - {event.detail.alarm_name}

    def test_cloudtrail_records_have_the_real_shape(self, bundle: Bundle) -> None:
        fields = {
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "requestParameters",
            "responseElements",
            "requestID",
            "eventID",
            "readOnly",
            "eventType",
            "managementEvent",
            "recipientAccountId",
            "eventCategory",
        }
        records = list(bundle.records("cloudtrail"))
        assert all(fields <= set(r) for r in records)
        assert len({r["eventID"] for r in records}) == len(records)
        assert all(r["recipientAccountId"] == bundle.manifest.account_id for r in records)
        assert json.dumps(records[0])  # plain JSON, as CloudTrail delivers it
