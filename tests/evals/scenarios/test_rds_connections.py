"""Scenario #12: Aurora writer out of connections after the web tier scaled out."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from tests.evals.scenarios.contract import Known, ScenarioContract


class TestRdsConnectionExhaustion(ScenarioContract):
    name = "rds-connection-exhaustion"

    def test_writer_connections_plateau_at_max_after_scale_out(
        self, incident: Incident, known: Known
    ) -> None:
        db = incident.account.database
        writer = next(
            d for d in known.by_type[("rds", "DBInstance")] if d["DBInstanceIdentifier"] == db.writer
        )
        assert writer["DBInstanceClass"] == db.instance_class
        conns = incident.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=db.writer).values
        onset = incident.window.index(incident.window.onset)
        assert max(v or 0 for v in conns[:onset]) < db.max_connections
        assert max(v or 0 for v in conns[onset:]) == db.max_connections

    def test_scale_out_activities_precede_the_onset(self, incident: Incident, bundle: Bundle) -> None:
        svc = incident.account.services[0]
        launches = [
            e["item"]
            for e in bundle.records("events")
            if e["source"] == "autoscaling" and e["item"]["AutoScalingGroupName"] == svc.asg_name
        ]
        assert launches and all("TargetTracking-" in a["Cause"] for a in launches)
        assert min(a["StartTime"] for a in launches) < incident.window.onset.isoformat().replace(
            "+00:00", "Z"
        )
        desired = incident.get(
            "AWS/AutoScaling", "GroupDesiredCapacity", AutoScalingGroupName=svc.asg_name
        ).values
        assert desired[0] is not None and desired[-1] == svc.desired > desired[0]
        asg = next(
            a
            for a in incident.bundle().records("resources")
            if a["type"] == "AutoScalingGroup" and a["item"]["AutoScalingGroupName"] == svc.asg_name
        )
        assert asg["item"]["DesiredCapacity"] == svc.desired
