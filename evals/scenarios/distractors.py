"""Innocent changes and unrelated noise, so that "something changed" or "something alarmed" proves nothing.

Every scenario gets at least two innocent changes in the window, one of them shortly before the onset
on a resource next to the real cause, and at least one noisy metric with its own alarm. Which ones,
when, and how big all come from the seed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios import alarms as alarm_lib
from evals.scenarios.account import iso
from evals.scenarios.cloudtrail import Actor, ci_actor, people, record
from evals.scenarios.incident import Incident
from evals.scenarios.series import ramp

Change = Callable[[Incident, Actor, datetime], dict[str, Any]]


def launch_template_version(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    """A new launch-template version for the second web tier, not rolled out (no instance refresh)."""
    svc = inc.account.services[-1]
    version = svc.launch_template_version + 1
    return record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": svc.launch_template_id,
                "SourceVersion": str(svc.launch_template_version),
                "VersionDescription": f"bump agent config {inc.account.ids.hex(7)}",
                "LaunchTemplateData": {"ImageId": inc.account.ids.ec2("ami")},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateId": svc.launch_template_id,
                    "versionNumber": version,
                    "defaultVersion": False,
                    "createTime": iso(when),
                }
            }
        },
    )


def _function(inc: Incident) -> Any:
    return inc.rng.choice([f for f in inc.account.functions if f.arn not in inc.protected])


def function_memory(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    fn = _function(inc)
    memory = fn.memory * 2 if fn.memory < 2048 else fn.memory // 2
    return record(
        inc,
        actor,
        when,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn.name, "memorySize": memory},
        {
            "functionName": fn.name,
            "functionArn": fn.arn,
            "runtime": fn.runtime,
            "memorySize": memory,
            "timeout": fn.timeout,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "revisionId": inc.account.ids.uuid(),
        },
    )


def function_code(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    fn = _function(inc)
    return record(
        inc,
        actor,
        when,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn.name, "publish": False, "dryRun": False},
        {
            "functionName": fn.name,
            "functionArn": fn.arn,
            "runtime": fn.runtime,
            "codeSha256": inc.account.ids.upper(43) + "=",
            "codeSize": inc.rng.randrange(2000, 9000000),
            "lastUpdateStatus": "InProgress",
            "revisionId": inc.account.ids.uuid(),
        },
    )


def alb_ingress(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    """An office range allowed on the load balancer's HTTPS port (broader than it needs, but harmless)."""
    acct = inc.account
    cidr = f"{acct.ids.public_ip().rsplit('.', 1)[0]}.0/24"
    rule_id = acct.ids.ec2("sgr")
    return record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": acct.alb_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {"items": [{"cidrIp": cidr, "description": "office VPN"}]},
                    }
                ]
            },
        },
        {
            "requestId": acct.ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct.account_id,
                        "groupId": acct.alb_sg,
                        "securityGroupRuleId": rule_id,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": cidr,
                        "description": "office VPN",
                    }
                ]
            },
        },
    )


def app_sg_monitoring_port(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    """The node-exporter port opened on an app tier's group to the VPC (monitoring, harmless)."""
    acct = inc.account
    svc = inc.rng.choice(acct.services)
    rule_id = acct.ids.ec2("sgr")
    return record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": svc.sg_id,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "ipRanges": {"items": [{"cidrIp": acct.vpc_cidr, "description": "prometheus"}]},
                    }
                ]
            },
        },
        {
            "requestId": acct.ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct.account_id,
                        "groupId": svc.sg_id,
                        "securityGroupRuleId": rule_id,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "cidrIpv4": acct.vpc_cidr,
                    }
                ]
            },
        },
    )


def target_group_attributes(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    svc = inc.rng.choice(inc.account.services)
    delay = str(inc.rng.choice([30, 60, 120]))
    attrs = [{"key": "deregistration_delay.timeout_seconds", "value": delay}]
    return record(
        inc,
        actor,
        when,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {"targetGroupArn": svc.tg_arn, "attributes": attrs},
        {"attributes": attrs},
    )


def asg_max_size(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    svc = inc.account.services[-1]
    return record(
        inc,
        actor,
        when,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": svc.asg_name, "maxSize": svc.max_size},
        None,
    )


def db_tags(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    db = inc.account.database
    return record(
        inc,
        actor,
        when,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {
            "resourceName": db.cluster_arn,
            "tags": [
                {
                    "key": inc.rng.choice(["DataClassification", "CostCenter", "Owner"]),
                    "value": inc.rng.choice(
                        ["internal", "confidential", f"cc-{inc.rng.randrange(100, 999)}"]
                    ),
                }
            ],
        },
        None,
    )


def db_parameter(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    """A dynamic, harmless logging parameter on the cluster's parameter group."""
    db = inc.account.database
    name, value = inc.rng.choice(
        [("long_query_time", str(inc.rng.choice([1, 2, 5]))), ("slow_query_log", "1"), ("log_output", "FILE")]
    )
    return record(
        inc,
        actor,
        when,
        "rds.amazonaws.com",
        "ModifyDBClusterParameterGroup",
        {
            "dBClusterParameterGroupName": db.parameter_group,
            "parameters": [{"parameterName": name, "parameterValue": value, "applyMethod": "immediate"}],
        },
        {"dBClusterParameterGroupName": db.parameter_group},
    )


def ssm_parameter(inc: Incident, actor: Actor, when: datetime) -> dict[str, Any]:
    svc = inc.rng.choice(inc.account.services)
    name = f"/{inc.account.product}/{svc.name}/{inc.rng.choice(['banner_text', 'support_email', 'docs_url'])}"
    return record(
        inc,
        actor,
        when,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": name, "type": "String", "overwrite": True},
        {"version": inc.rng.randrange(2, 30), "tier": "Standard"},
    )


CHANGES: dict[str, Change] = {
    "launch_template_version": launch_template_version,
    "function_memory": function_memory,
    "function_code": function_code,
    "alb_ingress": alb_ingress,
    "app_sg_monitoring_port": app_sg_monitoring_port,
    "target_group_attributes": target_group_attributes,
    "asg_max_size": asg_max_size,
    "db_tags": db_tags,
    "db_parameter": db_parameter,
    "ssm_parameter": ssm_parameter,
}


def innocent_changes(
    inc: Incident, near: list[str], *, count: tuple[int, int] = (2, 5)
) -> list[dict[str, Any]]:
    """One change from `near` close to the onset, and more at random times in the window."""
    rng, w = inc.rng, inc.window
    humans = people(inc, 3)
    actors = [*humans, ci_actor(inc)]
    first = rng.choice(near)
    # Usually shortly before the onset, sometimes just after it, so "latest change wins" fails too.
    lead = timedelta(seconds=rng.randrange(-4 * 60, 15 * 60))
    made = [CHANGES[first](inc, rng.choice(actors), w.onset - lead)]
    others = [k for k in CHANGES if k != first]
    for key in rng.sample(others, rng.randrange(count[0] - 1, count[1])):
        made.append(
            CHANGES[key](inc, rng.choice(actors), w.between(rng, w.start + timedelta(minutes=10), w.now))
        )
    return made


# --- unrelated noise ------------------------------------------------------------------------------


def noisy_batch_cpu(inc: Incident, topic: str) -> None:
    """A batch job pegs one instance of the second tier for a while, and its CPU alarm flaps."""
    rng, w = inc.rng, inc.window
    svc = inc.account.services[-1]
    inst = rng.choice(svc.alive(w.start + (w.onset - w.start) / 2) or svc.instances)
    s = inc.get("AWS/EC2", "CPUUtilization", InstanceId=inst.id)
    begin = w.between(rng, w.start + timedelta(minutes=30), w.onset - timedelta(minutes=25))
    length = rng.randrange(8, 25)
    level = rng.uniform(82, 97)
    s.apply(w, begin, lambda k, v: max(v, level + rng.gauss(0, 2)), begin + timedelta(minutes=length))
    alarm_lib.add_alarm(
        inc,
        alarm_lib.AlarmSpec(
            name=f"{svc.asg_name}-{inst.id[-6:]}-cpu-high",
            series=s,
            statistic="Average",
            period=60,
            threshold=float(rng.choice([75, 80])),
            comparison="GreaterThanThreshold",
            evaluation_periods=3,
            datapoints_to_alarm=3,
            description=f"CPU high on {inst.id}",
        ),
        topic,
    )


def noisy_function_errors(inc: Incident, topic: str) -> None:
    """An unrelated function errors for a few minutes (a partner webhook was down) and alarms."""
    rng, w = inc.rng, inc.window
    fn = _function(inc)
    errs = inc.get("AWS/Lambda", "Errors", FunctionName=fn.name)
    inv = inc.get("AWS/Lambda", "Invocations", FunctionName=fn.name).values
    begin = w.between(rng, w.start + timedelta(minutes=20), w.now - timedelta(minutes=10))
    # The team set the threshold above the function's ordinary error rate.
    usual = max(sum(v or 0 for v in errs.values[k : k + 5]) for k in range(0, w.minutes - 5, 5))
    threshold = float(max(5, int(usual * rng.uniform(1.5, 2.5)) // 5 * 5 + 5))
    share = rng.uniform(0.08, 0.4)
    start = w.index(begin)
    errs.apply(
        w,
        begin,
        lambda k, v: max(v, float(round((inv[start + k] or 0) * share)), threshold / 4 + 1),
        begin + timedelta(minutes=rng.randrange(5, 14)),
    )
    alarm_lib.add_alarm(
        inc,
        alarm_lib.AlarmSpec(
            name=f"{fn.name}-errors",
            series=errs,
            statistic="Sum",
            period=300,
            threshold=threshold,
            comparison="GreaterThanOrEqualToThreshold",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            description=f"Errors in {fn.name}",
        ),
        topic,
    )


def noisy_replica_lag(inc: Incident, topic: str) -> None:
    """A reader's replica lag spikes during a heavy report query (harmless, recovers by itself)."""
    rng, w = inc.rng, inc.window
    db = inc.account.database
    reader = rng.choice(db.readers)
    s = inc.get("AWS/RDS", "AuroraReplicaLag", DBInstanceIdentifier=reader)
    begin = w.between(rng, w.start + timedelta(minutes=20), w.onset - timedelta(minutes=20))
    length = rng.randrange(5, 15)
    peak = rng.uniform(400, 2500)
    s.apply(
        w,
        begin,
        lambda k, v: v + peak * (1 - abs(2 * ramp(k, length) - 1)),
        begin + timedelta(minutes=length),
    )
    alarm_lib.add_alarm(
        inc,
        alarm_lib.AlarmSpec(
            name=f"{reader}-replica-lag",
            series=s,
            statistic="Maximum",
            period=60,
            threshold=300.0,
            comparison="GreaterThanThreshold",
            evaluation_periods=2,
            datapoints_to_alarm=2,
            description="Aurora replica lag",
        ),
        topic,
    )


def noisy_scanner_4xx(inc: Incident, topic: str) -> None:
    """A vulnerability scanner hammers the load balancer with 404s for a quarter of an hour."""
    rng, w = inc.rng, inc.window
    s = inc.get("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", LoadBalancer=inc.account.alb_dimension)
    begin = w.between(rng, w.start + timedelta(minutes=20), w.now - timedelta(minutes=15))
    rate = rng.uniform(150, 900)
    s.apply(
        w,
        begin,
        lambda k, v: v + rate * rng.uniform(0.7, 1.3),
        begin + timedelta(minutes=rng.randrange(8, 20)),
    )
    alarm_lib.add_alarm(
        inc,
        alarm_lib.AlarmSpec(
            name=f"{inc.account.alb_name}-4xx-spike",
            series=s,
            statistic="Sum",
            period=300,
            threshold=1000.0,
            comparison="GreaterThanThreshold",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            description="Many client errors at the load balancer",
        ),
        topic,
    )


NOISE: dict[str, Callable[[Incident, str], None]] = {
    "batch_cpu": noisy_batch_cpu,
    "function_errors": noisy_function_errors,
    "replica_lag": noisy_replica_lag,
    "scanner_4xx": noisy_scanner_4xx,
}


def unrelated_noise(inc: Incident, topic: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """One to three noisy metrics with alarms that have nothing to do with the incident."""
    keys = [k for k in NOISE if k not in exclude]
    chosen = inc.rng.sample(keys, inc.rng.randrange(1, min(3, len(keys)) + 1))
    for key in chosen:
        NOISE[key](inc, topic)
    return chosen
