"""A core node of the EMR cluster fails its instance status check; the nightly Spark step loses executors and fails."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzo import Estate, Inc, af, iso

NAME = "emr-core-node-impaired-spark-step"
TITLE = "sessions_daily Spark step failed on EMR twice tonight; it ran fine yesterday"
SUMMARY = (
    "One EC2 core node of the long-running EMR cluster fails its instance status check; YARN loses the "
    "node, HDFS reports missing blocks and the Spark step launched by Airflow fails after retries."
)


def _step(onset: datetime, high: float) -> Callable[[datetime], float]:
    def value(t: datetime) -> float:
        return high if t >= onset else 0.0

    return value


def _cpu(r: random.Random, dead_from: datetime | None) -> Callable[[datetime], float]:
    def value(t: datetime) -> float:
        if dead_from is not None and t >= dead_from:
            return r.uniform(0, 2)
        return r.uniform(8, 70)

    return value


def build(seed: int) -> Bundle:
    inc = Inc(seed, NAME)
    r = inc.rng
    est = Estate(inc, r.choice(["orchard", "nimbus", "saltmarsh", "copperline"]))
    onset = inc.day + timedelta(hours=r.randint(0, 3), minutes=r.randint(10, 40), seconds=r.randint(0, 59))
    inc.start = onset - timedelta(hours=3, minutes=r.randint(30, 50))
    inc.now = onset + timedelta(minutes=r.randint(70, 95))
    inc.end = inc.now + timedelta(minutes=15)
    est.add_resources()
    est.background()
    inc.res("redshift", "Cluster", est.redshift_item(4, "ra3.xlplus"))

    jf = "j-" + inc.upper(13)
    cname = f"{est.company}-spark-prod"
    core_ig = "ig-" + inc.upper(13)
    master_ig = "ig-" + inc.upper(13)
    nodes = []
    for _ in range(5):
        ip = f"10.{r.randint(40, 60)}.{r.randint(1, 30)}.{r.randint(10, 250)}"
        nodes.append(("i-0" + inc.hexid(16), ip, "ci-" + inc.upper(13)))
    bad_i, bad_ip, _ = nodes[r.randint(1, 4)]
    bad_dns = f"ip-{bad_ip.replace('.', '-')}.ec2.internal"
    inc.res(
        "emr",
        "Cluster",
        {
            "Id": jf,
            "Name": cname,
            "Status": {
                "State": "RUNNING",
                "StateChangeReason": {"Message": "Running step"},
                "Timeline": {
                    "CreationDateTime": iso(est.created),
                    "ReadyDateTime": iso(est.created + timedelta(minutes=9)),
                },
            },
            "Ec2InstanceAttributes": {
                "Ec2SubnetId": est.subnets[0],
                "Ec2AvailabilityZone": f"{inc.region}a",
                "IamInstanceProfile": "EMR_EC2_DefaultRole",
            },
            "InstanceCollectionType": "INSTANCE_GROUP",
            "ReleaseLabel": "emr-6.15.0",
            "AutoTerminate": False,
            "TerminationProtected": True,
            "Applications": [
                {"Name": "Spark", "Version": "3.4.1"},
                {"Name": "Hadoop", "Version": "3.3.6"},
                {"Name": "Hive", "Version": "3.1.3"},
            ],
            "ServiceRole": "EMR_DefaultRole",
            "NormalizedInstanceHours": r.randint(200000, 400000),
            "MasterPublicDnsName": f"ip-{nodes[0][1].replace('.', '-')}.ec2.internal",
            "ClusterArn": f"arn:aws:elasticmapreduce:{inc.region}:{inc.account}:cluster/{jf}",
            "LogUri": f"s3n://aws-logs-{inc.account}-{inc.region}/elasticmapreduce/",
        },
    )
    for k, (iid, ip, ci) in enumerate(nodes):
        inc.res(
            "emr",
            "Instance",
            {
                "Id": ci,
                "Ec2InstanceId": iid,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
                "PrivateIpAddress": ip,
                "Status": {
                    "State": "RUNNING",
                    "StateChangeReason": {},
                    "Timeline": {
                        "CreationDateTime": iso(est.created),
                        "ReadyDateTime": iso(est.created + timedelta(minutes=8)),
                    },
                },
                "InstanceGroupId": master_ig if k == 0 else core_ig,
                "Market": "ON_DEMAND",
                "InstanceType": "m5.xlarge" if k == 0 else "r5.2xlarge",
            },
        )
    for iid, _ip, _ci in nodes:
        bad = iid == bad_i
        inc.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": f"{inc.region}a",
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {
                    "Status": "impaired" if bad else "ok",
                    "Details": [
                        {
                            "Name": "reachability",
                            "Status": "failed" if bad else "passed",
                            **({"ImpairedSince": iso(onset)} if bad else {}),
                        }
                    ],
                },
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        inc.series(
            "AWS/EC2",
            "StatusCheckFailed_Instance",
            {"InstanceId": iid},
            "Count",
            _step(onset, 1.0 if bad else 0.0),
            period=60,
        )
        inc.series(
            "AWS/EC2",
            "StatusCheckFailed_System",
            {"InstanceId": iid},
            "Count",
            lambda t: 0.0,
            period=60,
        )
        inc.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            _cpu(r, onset if bad else None),
            period=300,
        )
    dims = {"JobFlowId": jf}
    lost = onset + timedelta(minutes=10, seconds=30)  # NodeManager liveness expiry

    def after(t: datetime, a: float, b: float) -> float:
        return a if t < lost else b

    inc.series("AWS/ElasticMapReduce", "CoreNodesRunning", dims, "Count", lambda t: after(t, 4, 3))
    inc.series("AWS/ElasticMapReduce", "MRActiveNodes", dims, "Count", lambda t: after(t, 4, 3))
    inc.series("AWS/ElasticMapReduce", "MRLostNodes", dims, "Count", lambda t: after(t, 0, 1))
    inc.series("AWS/ElasticMapReduce", "MRUnhealthyNodes", dims, "Count", lambda t: 0.0)
    inc.series(
        "AWS/ElasticMapReduce",
        "MissingBlocks",
        dims,
        "Count",
        lambda t: after(t, 0, float(r.randint(180, 260))),
    )
    inc.series("AWS/ElasticMapReduce", "HDFSUtilization", dims, "Percent", lambda t: r.uniform(38, 40))
    inc.series(
        "AWS/ElasticMapReduce", "YARNMemoryAvailablePercentage", dims, "Percent", lambda t: r.uniform(20, 80)
    )
    inc.series("AWS/ElasticMapReduce", "IsIdle", dims, "None", lambda t: 0.0)

    # the Spark step, via Airflow
    grp = f"airflow-{est.env}-Task"
    logical = onset.replace(hour=0, minute=0, second=0) - timedelta(days=1)
    step_start = onset - timedelta(minutes=r.randint(20, 35))
    attempts = [step_start, lost + timedelta(minutes=r.randint(8, 12))]
    fails: list[datetime] = []
    for n, st in enumerate(attempts, start=1):
        step = "s-" + inc.upper(13)
        inc.ct(
            st,
            "elasticmapreduce.amazonaws.com",
            "AddJobFlowSteps",
            est.mwaa_ident,
            {
                "jobFlowId": jf,
                "steps": [
                    {
                        "name": "sessions_daily",
                        "actionOnFailure": "CONTINUE",
                        "hadoopJarStep": {
                            "jar": "command-runner.jar",
                            "args": [
                                "spark-submit",
                                "--deploy-mode",
                                "cluster",
                                f"s3://{est.scripts}/spark/sessions_daily.py",
                            ],
                        },
                    }
                ],
            },
            {"stepIds": [step]},
        )
        stream = f"dag_id=sessions_daily/run_id=scheduled__{logical.isoformat()}/task_id=watch_sessions_step/attempt={n}.log"
        inc.log(
            grp,
            stream,
            st + timedelta(seconds=5),
            f"[{af(st)}] {{emr.py:512}} INFO - Poking step {step} on cluster {jf}",
        )
        p = st + timedelta(minutes=1)
        end = (
            lost + timedelta(minutes=r.randint(2, 5)) if n == 1 else st + timedelta(minutes=r.randint(14, 20))
        )
        while p < min(end, inc.now):
            inc.ct(
                p,
                "elasticmapreduce.amazonaws.com",
                "DescribeStep",
                est.mwaa_ident,
                {"clusterId": jf, "stepId": step},
                None,
                read_only=True,
            )
            inc.log(grp, stream, p, f"[{af(p)}] {{emr.py:94}} INFO - Job flow currently RUNNING")
            p += timedelta(minutes=2)
        if end < inc.now:
            fails.append(end)
            inc.log(
                grp,
                stream,
                end,
                f"[{af(end)}] {{emr.py:106}} INFO - EMR job failed with reason: Unknown Error. and message: "
                'Exception in thread "main" org.apache.spark.SparkException: Job aborted due to stage failure: '
                f"Task {r.randint(10, 400)} in stage {r.randint(3, 9)}.0 failed 4 times, most recent failure: Lost task in stage: "
                f"ExecutorLostFailure (executor {r.randint(2, 30)} exited caused by one of the running tasks) Reason: Container marked as failed: "
                f"container_{r.randint(1600000000000, 1700000000000)}_0{r.randint(100, 999)}_01_0000{r.randint(10, 99)} on host: {bad_dns}. Exit status: -100. "
                "Diagnostics: Container released on a *lost* node. and log file "
                f"s3://aws-logs-{inc.account}-{inc.region}/elasticmapreduce/{jf}/steps/{step}/",
            )
            inc.log(
                grp,
                stream,
                end + timedelta(seconds=1),
                f"[{af(end)}] {{taskinstance.py:2699}} ERROR - Task failed with exception\nairflow.exceptions.AirflowException: EMR job failed",
            )

    # hourly Glue work and innocent changes
    h = inc.start.replace(minute=5)
    while h < inc.now:
        tt = inc.jitter(h.replace(minute=5), 0, 40)
        dur = r.uniform(6, 9)
        if tt + timedelta(minutes=dur) < inc.now:
            est.glue_run("orders-curate", tt, dur, True)
        h += timedelta(hours=1)
    inc.ct(
        onset - timedelta(minutes=r.randint(40, 80)),
        "elasticmapreduce.amazonaws.com",
        "ModifyInstanceGroups",
        est.engineers[0],
        {"clusterId": jf, "instanceGroups": [{"instanceGroupId": "ig-" + inc.upper(13), "instanceCount": 2}]},
        None,
        agent="AWS Internal",
    )
    inc.ct(
        onset - timedelta(minutes=r.randint(5, 25)),
        "glue.amazonaws.com",
        "UpdateTable",
        est.mwaa_ident,
        {"databaseName": "curated", "tableInput": {"name": "sessions_daily"}},
        None,
    )

    # alarms
    al = inc.alarm(
        f"{cname}-airflow-step-failures",
        "DataPlatform/Airflow",
        "TaskFailures",
        {"Environment": est.env},
        "Sum",
        300,
        0,
        "GreaterThanThreshold",
        1,
        est.topic,
        [
            (
                inc.start - timedelta(hours=r.randint(20, 40)),
                "OK",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            ),
            (
                fails[0] + timedelta(minutes=6),
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
        ],
        description="Failed task instances in prod Airflow (metric filter on Task logs)",
        treat_missing="notBreaching",
    )
    for f in fails:
        inc.point(
            "DataPlatform/Airflow",
            "TaskFailures",
            {"Environment": est.env},
            f.replace(second=0),
            "Count",
            1.0,
        )
    inc.alarm(
        f"{cname}-hdfs-utilization",
        "AWS/ElasticMapReduce",
        "HDFSUtilization",
        dims,
        "Average",
        300,
        80,
        "GreaterThanThreshold",
        2,
        est.topic,
        [
            (
                inc.start - timedelta(days=30),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (80.0).",
            )
        ],
    )
    question = (
        "sessions_daily failed twice tonight on the spark cluster (EMR) and the Airflow log only says "
        "ExecutorLostFailure. Someone resized a task group earlier - related? It ran fine yesterday."
    )
    return inc.bundle(
        TITLE,
        question,
        None,
        inc.alarm_event(al, fails[0] + timedelta(minutes=6), "OK", inc.start - timedelta(hours=30)),
        {
            "no_fault": False,
            "root_cause": {
                "resource": bad_i,
                "category": "component_failure",
                "failure_mode": "emr-core-node-instance-impaired",
            },
            "also_accept": [bad_dns, bad_ip],
            "actions": ["exclude", "restart"],
            "chain": [bad_i, jf, "sessions_daily"],
        },
    )
