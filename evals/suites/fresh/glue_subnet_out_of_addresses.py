"""Inventory refresh fails: the Glue connection's subnet ran out of free IPv4 addresses after EMR scaled out."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzl import (
    Ctx,
    Lake,
    athena_metrics,
    iso,
    parse,
    sfn_execution,
    sfn_machine,
    tooling_noise,
)

NAME = "inventory-dashboard-stale-glue-runs-fail-fast"
TITLE = "Stock dashboard numbers hours old; inventory refresh runs failing within a minute"
SUMMARY = (
    "The shared private subnet used by the Glue JDBC connection ran out of free addresses once the ad-hoc EMR "
    "cluster scaled out its task nodes; each inventory_snapshot run fails creating its worker ENIs."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, (7, 12))
    r = c.rng
    lake = Lake(c)
    lake.base_resources()
    job = "inventory_snapshot"
    workers = r.choice([30, 40, 50])
    conn = "erp-replica-jdbc"
    lake.glue_job(job, workers, connections=[conn])
    lake.glue_job("orders_raw_to_curated", 10)
    lake.glue_job("customers_dedupe", 10, connections=[conn])

    az_a, az_b = c.region + "a", c.region + "b"
    third = r.randint(16, 90)
    sub_a, sub_b = f"subnet-{c.hexid(17)}", f"subnet-{c.hexid(17)}"
    free_now = r.randint(3, workers - 12)
    sg = f"sg-{c.hexid(17)}"
    for snid, az, cidr, free, nm in (
        (sub_a, az_a, f"10.{third}.8.0/24", free_now, "data-private-a"),
        (sub_b, az_b, f"10.{third}.9.0/24", r.randint(160, 220), "data-private-b"),
    ):
        c.res(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": az,
                "AvailabilityZoneId": f"{c.region[:3]}{c.region[-1]}-az{1 if az == az_a else 2}",
                "AvailableIpAddressCount": free,
                "CidrBlock": cidr,
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": snid,
                "VpcId": lake.vpc,
                "OwnerId": c.account,
                "AssignIpv6AddressOnCreation": False,
                "Ipv6CidrBlockAssociationSet": [],
                "Tags": [{"Key": "Name", "Value": nm}, {"Key": "tier", "Value": "data"}],
                "SubnetArn": c.arn("ec2", f"subnet/{snid}"),
            },
        )
    c.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": f"10.{third}.0.0/16",
            "DhcpOptionsId": f"dopt-{c.hexid(17)}",
            "State": "available",
            "VpcId": lake.vpc,
            "OwnerId": c.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "data-platform"}],
        },
    )
    c.res(
        "glue",
        "Connection",
        {
            "Name": conn,
            "ConnectionType": "JDBC",
            "ConnectionProperties": {
                "JDBC_CONNECTION_URL": f"jdbc:postgresql://erp-replica.{c.hexid(12)}.{c.region}.rds.amazonaws.com:5432/erp",
                "JDBC_ENFORCE_SSL": "true",
                "SECRET_ID": "glue/erp-replica",
            },
            "PhysicalConnectionRequirements": {
                "SubnetId": sub_a,
                "SecurityGroupIdList": [sg],
                "AvailabilityZone": az_a,
            },
            "CreationTime": iso(c.start - timedelta(days=400)),
            "LastUpdatedTime": iso(c.start - timedelta(days=r.randint(100, 300))),
        },
    )

    # --- the ad-hoc EMR cluster in the same subnet: managed scaling adds task nodes for an analyst's step -------
    emr_id = f"j-{c.upper(13)}"
    emr_role = "EMR_DefaultRole_V2"
    base_nodes, peak = 4, r.randint(150, 190)
    t_step = c.onset - timedelta(minutes=r.randint(35, 55))
    t_full = c.onset - timedelta(minutes=r.randint(3, 10))
    c.res(
        "emr",
        "Cluster",
        {
            "Id": emr_id,
            "Name": "adhoc-spark",
            "Status": {
                "State": "RUNNING",
                "StateChangeReason": {"Message": "Running step"},
                "Timeline": {
                    "CreationDateTime": iso(c.start - timedelta(days=2, hours=3)),
                    "ReadyDateTime": iso(c.start - timedelta(days=2, hours=2, minutes=51)),
                },
            },
            "Ec2InstanceAttributes": {
                "Ec2SubnetId": sub_a,
                "RequestedEc2SubnetIds": [sub_a],
                "Ec2AvailabilityZone": az_a,
                "RequestedEc2AvailabilityZones": [],
                "IamInstanceProfile": "EMR_EC2_DefaultRole",
            },
            "InstanceCollectionType": "INSTANCE_FLEET",
            "LogUri": f"s3n://{lake.assets}/emr-logs/",
            "ReleaseLabel": "emr-7.1.0",
            "AutoTerminate": False,
            "TerminationProtected": False,
            "VisibleToAllUsers": True,
            "Applications": [
                {"Name": "Spark", "Version": "3.5.0"},
                {"Name": "Hadoop", "Version": "3.3.6"},
                {"Name": "JupyterEnterpriseGateway", "Version": "2.6.0"},
            ],
            "Tags": [{"Key": "team", "Value": "analytics"}, {"Key": "purpose", "Value": "adhoc"}],
            "ServiceRole": emr_role,
            "NormalizedInstanceHours": r.randint(900, 1400),
            "ScaleDownBehavior": "TERMINATE_AT_TASK_COMPLETION",
            "ClusterArn": c.arn("elasticmapreduce", f"cluster/{emr_id}"),
            "StepConcurrencyLevel": 1,
            "OSReleaseLabel": "2023.4.20240513.0",
        },
    )
    analyst = r.choice(["nadia.b", "felix.m", "ana.sousa"])
    c.ct(
        t_step,
        "elasticmapreduce.amazonaws.com",
        "AddJobFlowSteps",
        c.sso_identity(analyst, t_step),
        {
            "jobFlowId": emr_id,
            "steps": [
                {
                    "name": "backfill-basket-affinity-2y",
                    "actionOnFailure": "CONTINUE",
                    "hadoopJarStep": {
                        "jar": "command-runner.jar",
                        "args": [
                            "spark-submit",
                            "--deploy-mode",
                            "cluster",
                            f"s3://{lake.assets}/adhoc/basket_affinity.py",
                            "--months",
                            "24",
                        ],
                    },
                }
            ],
        },
        {"stepIds": [f"s-{c.upper(13)}"]},
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    )
    nodes_at: dict[str, float] = {}
    emr_ident_t = t_step + timedelta(minutes=3)
    n = base_nodes
    while emr_ident_t < t_full and n < peak:
        batch = r.randint(18, 36)
        batch = min(batch, peak - n)
        ids = [
            {"instanceId": f"i-{c.hexid(17)}", "instanceType": "r6g.2xlarge", "subnetId": sub_a}
            for _ in range(min(batch, 5))
        ]
        c.ct(
            emr_ident_t,
            "ec2.amazonaws.com",
            "CreateFleet",
            c.role_identity(
                emr_role, "ElasticMapReduceSession", emr_ident_t, "elasticmapreduce.amazonaws.com"
            ),
            {
                "CreateFleetRequest": {
                    "Type": "instant",
                    "TargetCapacitySpecification": {
                        "TotalTargetCapacity": batch,
                        "DefaultTargetCapacityType": "spot",
                    },
                    "LaunchTemplateConfigs": {
                        "Overrides": {"SubnetId": sub_a, "InstanceType": "r6g.2xlarge"}
                    },
                }
            },
            {
                "CreateFleetResponse": {
                    "fleetId": f"fleet-{c.uuid()}",
                    "fleetInstanceSet": {
                        "item": {"instanceIds": {"item": [i["instanceId"] for i in ids]}, "lifecycle": "spot"}
                    },
                }
            },
        )
        n += batch
        nodes_at[iso(emr_ident_t)] = n
        emr_ident_t += timedelta(minutes=r.randint(4, 7))
    for t in c.steps(300):
        if t > c.now:
            break
        cur = float(base_nodes)
        for when, count in nodes_at.items():
            if when <= iso(t):
                cur = count
        dims = {"JobFlowId": emr_id}
        c.metric("AWS/ElasticMapReduce", "TaskNodesRunning", dims, t, "Count", cur - 2)
        c.metric("AWS/ElasticMapReduce", "CoreNodesRunning", dims, t, "Count", 2)
        c.metric(
            "AWS/ElasticMapReduce", "IsIdle", dims, t, "None", 1.0 if t < t_step and r.random() < 0.7 else 0.0
        )
        pend = 0.0 if t < t_step else r.uniform(200, 900) * (1 if cur < peak else 0.4)
        c.metric("AWS/ElasticMapReduce", "ContainerPending", dims, t, "Count", round(pend))
        c.metric(
            "AWS/ElasticMapReduce",
            "YARNMemoryAvailablePercentage",
            dims,
            t,
            "Percent",
            r.uniform(70, 95) if t < t_step else r.uniform(2, 15),
        )
    c.alarm(
        "adhoc-spark-idle-4h",
        "AWS/ElasticMapReduce",
        "IsIdle",
        {"JobFlowId": emr_id},
        "Minimum",
        300,
        48,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "Ad-hoc cluster idle for 4 hours: terminate it",
    )

    # --- the refresh pipeline -----------------------------------------------------------------------------
    sm_name = "inventory-refresh"
    definition = {
        "Comment": "Every 20 min: ERP stock levels -> lake (inventory_snapshot) -> Redshift external schema is read by BI",
        "StartAt": "Snapshot",
        "States": {
            "Snapshot": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": job},
                "End": True,
            },
        },
    }
    sm = sfn_machine(c, sm_name, definition, f"arn:aws:iam::{c.account}:role/service-role/{lake.sfn_role}")
    smarn = sm["stateMachineArn"]
    alarm = c.alarm(
        f"{sm_name}-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": smarn},
        "Sum",
        3600,
        1,
        2.0,
        "GreaterThanOrEqualToThreshold",
        "inventory refresh failing repeatedly (2+ an hour)",
        "notBreaching",
    )
    t = c.start.replace(minute=r.choice([0, 5, 10]))
    ev_role = f"Amazon_EventBridge_Invoke_Step_Functions_{r.randint(1000000, 9999999)}"
    fails: list[str] = []
    while t <= c.now:
        broken = t >= t_full
        c.ct(
            t,
            "states.amazonaws.com",
            "StartExecution",
            c.role_identity(ev_role, c.hexid(32), t, "events.amazonaws.com"),
            {"stateMachineArn": smarn},
            None,
        )
        c.metric("AWS/States", "ExecutionsStarted", {"StateMachineArn": smarn}, t, "Count", 1)
        sid = c.role_identity(lake.sfn_role, c.hexid(32), t, "states.amazonaws.com")
        js = t + timedelta(seconds=r.randint(1, 3))
        if broken:
            req = f"{c.uuid()}"
            err = (
                f"The specified subnet does not have enough free addresses to satisfy the request. (Service: AmazonEC2; "
                f"Status Code: 400; Error Code: InsufficientFreeAddressesInSubnet; Request ID: {req}; Proxy: null)"
            )
            secs = r.randint(25, 55)
            run = lake.job_run(job, js, secs, "FAILED", err)
            run["ExecutionTime"] = 0
            run["DPUSeconds"] = 0.0
            te = js + timedelta(seconds=secs - 5)
            c.ct(
                te,
                "ec2.amazonaws.com",
                "CreateNetworkInterface",
                c.role_identity(lake.glue_role, "GlueJobRunnerSession", te, "glue.amazonaws.com"),
                {
                    "subnetId": sub_a,
                    "description": f"Attached to Glue using role: arn:aws:iam::{c.account}:role/service-role/{lake.glue_role}",
                    "groupSet": {"items": [{"groupId": sg}]},
                    "privateIpAddressesSet": {},
                },
                None,
                error=(
                    "Client.InsufficientFreeAddressesInSubnet",
                    "The specified subnet does not have enough free addresses to satisfy the request.",
                ),
            )
            stop = js + timedelta(seconds=secs + r.randint(3, 8))
            if stop <= c.now:
                cause = json.dumps(
                    {
                        "AllocatedCapacity": workers,
                        "Attempt": 0,
                        "ErrorMessage": err,
                        "Id": run["Id"],
                        "JobName": job,
                        "JobRunState": "FAILED",
                        "StartedOn": run["StartedOn"],
                        "WorkerType": "G.1X",
                    }
                )
                sfn_execution(c, sm, t, stop, "FAILED", "States.TaskFailed", cause)
                c.metric(
                    "AWS/States",
                    "ExecutionsFailed",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Count",
                    1,
                )
                fails.append(iso(stop))
            else:
                sfn_execution(c, sm, t, None, "RUNNING")
            c.log(
                "/aws-glue/jobs/error",
                run["Id"],
                js + timedelta(seconds=secs - 2),
                f"{(js + timedelta(seconds=secs - 2)).strftime('%Y-%m-%d %H:%M:%S')},118 ERROR [main] glue.ProcessLauncher (Logging.scala:logError(94)): {err}",
            )
        else:
            secs = r.randint(420, 780)
            run = lake.job_run(job, js, secs)
            lake.glue_run_telemetry(
                run, True, r.randint(2_000_000, 3_000_000), r.randint(900, 1400) * 1024**2
            )
            stop = js + timedelta(seconds=secs + 8)
            if stop <= c.now:
                sfn_execution(c, sm, t, stop, "SUCCEEDED")
                c.metric(
                    "AWS/States",
                    "ExecutionsSucceeded",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Count",
                    1,
                )
                c.metric(
                    "AWS/States",
                    "ExecutionTime",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Milliseconds",
                    (stop - t).total_seconds() * 1000,
                )
            else:
                sfn_execution(c, sm, t, None, "RUNNING")
        c.ct(js, "glue.amazonaws.com", "StartJobRun", sid, {"jobName": job}, {"jobRunId": run["Id"]})
        c.ct(
            js + timedelta(seconds=30),
            "glue.amazonaws.com",
            "GetJobRun",
            sid,
            {"jobName": job, "runId": run["Id"], "predecessorsIncluded": False},
            None,
            True,
        )
        t += timedelta(minutes=20)
    assert len(fails) >= 2
    fired = fails[1]
    t_fired = parse(fired) + timedelta(seconds=r.randint(40, 100))
    c.transition(
        alarm,
        t_fired,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [2.0] was greater than or equal to the threshold (2.0) (minimum 1 datapoint for OK -> ALARM transition).",
    )

    # --- orders job, hourly and healthy (no connection: it never needs an ENI) ------------------------------
    t = c.start + timedelta(minutes=r.randint(2, 9))
    while t + timedelta(minutes=12) < c.now:
        run = lake.job_run("orders_raw_to_curated", t, r.randint(300, 520), trigger="orders-hourly")
        lake.glue_run_telemetry(run, True, 300_000, 600 * 1024**2)
        c.ct(
            t,
            "glue.amazonaws.com",
            "StartJobRun",
            c.role_identity("AWSServiceRoleForGlue", "GlueTrigger", t, "glue.amazonaws.com"),
            {"jobName": "orders_raw_to_curated"},
            {"jobRunId": run["Id"]},
        )
        t += timedelta(hours=1)

    # --- innocent changes --------------------------------------------------------------------------------
    t1 = c.onset - timedelta(minutes=r.randint(20, 45))
    c.ct(
        t1,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        c.sso_identity(r.choice(["tomasz.k", "jo.ellis"]), t1),
        {
            "groupId": sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {"items": [{"groupId": sg}]},
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": c.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.account,
                        "groupId": sg,
                        "securityGroupRuleId": f"sgr-{c.hexid(17)}",
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                    }
                ]
            },
        },
        agent="AWS Internal",
    )
    t2 = c.start + timedelta(minutes=r.randint(30, 100))
    c.ct(
        t2,
        "glue.amazonaws.com",
        "UpdateJob",
        c.role_identity("gitlab-deploy-data", f"gitlab-{r.randint(100000, 999999)}", t2),
        {
            "jobName": "customers_dedupe",
            "jobUpdate": {
                "role": lake.glue_role,
                "command": {
                    "name": "glueetl",
                    "scriptLocation": f"s3://{lake.assets}/scripts/customers_dedupe.py",
                },
                "connections": {"connections": [conn]},
                "numberOfWorkers": 10,
                "workerType": "G.1X",
            },
        },
        {"jobName": "customers_dedupe"},
        agent="Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8",
    )
    t3 = c.onset - timedelta(minutes=r.randint(70, 150))
    c.ct(
        t3,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        c.role_identity("terraform-apply", f"gitlab-{r.randint(100000, 999999)}", t3),
        {
            "alarmName": "adhoc-spark-idle-4h",
            "namespace": "AWS/ElasticMapReduce",
            "metricName": "IsIdle",
            "statistic": "Minimum",
            "period": 300,
            "evaluationPeriods": 48,
            "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "dimensions": [{"name": "JobFlowId", "value": emr_id}],
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
    )
    athena_metrics(c)
    tooling_noise(c, lake, r.randint(40, 60))

    tz = {
        "eu-west-1": "Europe/Dublin",
        "us-east-1": "America/New_York",
        "us-west-2": "America/Los_Angeles",
        "eu-central-1": "Europe/Berlin",
    }[c.region]
    seen = t_full + timedelta(minutes=25)
    local = (seen - timedelta(minutes=seen.minute % 5, seconds=seen.second)).astimezone(ZoneInfo(tz))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"
    q = (
        f"The stock levels dashboard hasn't moved since about {clock}, the numbers are hours old now. Is the ERP "
        "replica down again? The inventory refresh runs seem to fail almost immediately."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": sub_a,
            "category": "limit",
            "failure_mode": "subnet-free-ip-addresses-exhausted",
        },
        "also_accept": [c.arn("ec2", f"subnet/{sub_a}"), "data-private-a", conn],
        "actions": ["reconfigure", "scale"],
        "chain": [sub_a, conn, job, smarn],
    }
    return c.bundle(TITLE, {"question": q, "alarm_event": None, "timezone": tz}, truth)
