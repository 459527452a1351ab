"""A slow-execution page for the catalog reindex workflow that is the weekly full rebuild, as every Sunday."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzx as k

NAME = "catalog-reindex-weekly-full-run"
TITLE = "catalog-reindex-slow paged in the small hours of Sunday; is the product index stale?"
SUMMARY = (
    "The execution-time alarm fired when the Sunday full rebuild of the search index finished after its "
    "usual 70-odd minutes; the run succeeded, as it does every week, and nothing is wrong."
)

_REGIONS = [
    ("eu-central-1", "Europe/Berlin"),
    ("us-west-2", "America/Los_Angeles"),
    ("ap-southeast-2", "Australia/Sydney"),
]


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    region, tz = rng.choice(_REGIONS)
    zone = ZoneInfo(tz)
    sun = k.day(rng, weekday=6)
    full_start = datetime(sun.year, sun.month, sun.day, 2, 0, tzinfo=zone).astimezone(UTC)
    full_start += timedelta(seconds=rng.randint(0, 3), milliseconds=rng.randint(0, 999))
    docs = rng.randint(900_000, 1_600_000)
    rate = rng.uniform(260, 330)
    full_secs = docs / rate + rng.uniform(200, 400)
    full_stop = full_start + timedelta(seconds=full_secs)
    start = (full_start - timedelta(hours=3, minutes=rng.randint(10, 40))).replace(second=0, microsecond=0)
    p0 = full_stop.replace(minute=(full_stop.minute // 5) * 5, second=0, microsecond=0)
    fired = p0 + timedelta(minutes=5, seconds=rng.randint(20, 70))
    now = fired + timedelta(minutes=rng.randint(22, 38))
    end = now + timedelta(minutes=10)
    created = sun - timedelta(days=rng.randint(250, 600))
    sm_name = "catalog-reindex"
    sm_arn = f"arn:aws:states:{region}:{account}:stateMachine:{sm_name}"
    domain = "catalog-search-prod"
    trail = k.Trail(ids, account, region)
    svc_who = trail.who(f"{sm_name}-sfn", ids.hex(32), invoked_by="states.amazonaws.com")
    sch_who = trail.who("catalog-reindex-scheduler", ids.hex(32), invoked_by="scheduler.amazonaws.com")
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/search-batch"
    rev = rng.randint(20, 60)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/catalog-indexer:{rev}"

    execs: list[k.Rec] = []
    logs: list[k.Rec] = []
    started: dict[datetime, float] = {}
    succeeded: dict[datetime, float] = {}
    etime: dict[datetime, float] = {}
    busy: list[tuple[datetime, datetime, str]] = []

    def mn(t: datetime) -> datetime:
        return t.replace(second=0, microsecond=0)

    def ilog(task: str, t: datetime, msg: str) -> None:
        logs.extend(
            k.logs(
                "/ecs/catalog-indexer",
                f"catalog-indexer/catalog-indexer/{task}",
                [(t, f"{k.iso_ms(t)} INFO  indexer - {msg}")],
            )
        )

    def run(t0: datetime, mode: str, record: bool = True) -> datetime:
        name = ids.uuid()
        ex_arn = f"arn:aws:states:{region}:{account}:execution:{sm_name}:{name}"
        task = ids.hex(32)
        if mode == "full":
            dur = full_secs if t0 == full_start else rng.uniform(0.9, 1.05) * full_secs
        else:
            dur = rng.uniform(110, 260)
        stop = t0 + timedelta(seconds=dur)
        if record:
            trail.add(
                t0,
                "states.amazonaws.com",
                "StartExecution",
                sch_who,
                {"stateMachineArn": sm_arn, "input": "HIDDEN_DUE_TO_SECURITY_REASONS", "name": name},
                {"executionArn": ex_arn, "startDate": t0.strftime("%b %-d, %Y, %-I:%M:%S %p")},
            )
            rt = t0 + timedelta(seconds=1, milliseconds=rng.randint(0, 600))
            trail.add(
                rt,
                "ecs.amazonaws.com",
                "RunTask",
                svc_who,
                {
                    "cluster": cluster_arn,
                    "taskDefinition": f"catalog-indexer:{rev}",
                    "count": 1,
                    "launchType": "FARGATE",
                    "startedBy": "AWS Step Functions",
                    "overrides": {
                        "containerOverrides": [
                            {"name": "catalog-indexer", "command": ["index", "--mode", mode]}
                        ]
                    },
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": [f"subnet-0{ids.hex(16)}"],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                },
                {
                    "tasks": [
                        {
                            "taskArn": f"arn:aws:ecs:{region}:{account}:task/search-batch/{task}",
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                            "taskDefinitionArn": td_arn,
                            "startedBy": "AWS Step Functions",
                        }
                    ],
                    "failures": [],
                },
            )
            started[mn(t0)] = started.get(mn(t0), 0.0) + 1
            succeeded[mn(stop)] = succeeded.get(mn(stop), 0.0) + 1
            etime[mn(stop)] = max(etime.get(mn(stop), 0.0), dur * 1000)
            busy.append((t0 + timedelta(seconds=40), stop - timedelta(seconds=20), mode))
            s0 = t0 + timedelta(seconds=38)
            if mode == "incremental":
                ch = rng.randint(150, 2400)
                ilog(
                    task,
                    s0,
                    f"starting catalog-indexer 3.{rev}.1 mode=incremental domain={domain} alias=products",
                )
                ilog(task, s0 + timedelta(seconds=4), f"changes since last checkpoint: {ch} products")
                ilog(
                    task,
                    stop - timedelta(seconds=25),
                    f"indexed {ch} docs into alias products (bulk errors=0) took={dur - 60:.1f}s",
                )
                ilog(task, stop - timedelta(seconds=24), "checkpoint saved; exiting 0")
            else:
                idx = f"products-{t0.astimezone(zone):%Y%m%d}"
                old = f"products-{(t0 - timedelta(days=7)).astimezone(zone):%Y%m%d}"
                ilog(
                    task,
                    s0,
                    f"starting catalog-indexer 3.{rev}.1 mode=full domain={domain} target_index={idx}",
                )
                ilog(
                    task,
                    s0 + timedelta(seconds=6),
                    f"created index {idx} (shards=6 replicas=0 refresh_interval=-1)",
                )
                ilog(task, s0 + timedelta(seconds=9), f"snapshot read from catalog replica: {docs} products")
                done = 0
                t = s0 + timedelta(minutes=10)
                while t < stop - timedelta(minutes=4):
                    done = min(docs, int((t - s0).total_seconds() * rate))
                    ilog(
                        task,
                        t,
                        f"progress {done}/{docs} ({100 * done / docs:.1f}%) rate={rate * rng.uniform(0.95, 1.05):.0f} docs/s bulk_rejections=0",
                    )
                    t += timedelta(minutes=10)
                ilog(
                    task,
                    stop - timedelta(minutes=3),
                    f"bulk load complete {docs}/{docs}; setting replicas=1 refresh_interval=1s",
                )
                ilog(
                    task,
                    stop - timedelta(seconds=50),
                    f"index {idx} green; doc count {docs} matches snapshot",
                )
                ilog(task, stop - timedelta(seconds=40), f"swapped alias products: {old} -> {idx}")
                ilog(
                    task,
                    stop - timedelta(seconds=30),
                    f"deleted index {(t0 - timedelta(days=14)).astimezone(zone):products-%Y%m%d}",
                )
                ilog(
                    task,
                    stop - timedelta(seconds=24),
                    f"full rebuild finished in {(dur - 60) / 60:.1f} min; exiting 0",
                )
        execs.append(
            {
                "executionArn": ex_arn,
                "stateMachineArn": sm_arn,
                "name": name,
                "status": "SUCCEEDED",
                "startDate": k.iso_ms(t0),
                "stopDate": k.iso_ms(stop),
                "redriveCount": 0,
                "redriveStatus": "NOT_REDRIVABLE",
                "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            }
        )
        return stop

    # earlier Sundays (metadata only) and their alarm history
    hist: list[k.Rec] = []
    topic = f"arn:aws:sns:{region}:{account}:search-oncall"
    a_slow = k.alarm(
        account,
        region,
        "catalog-reindex-slow",
        "AWS/States",
        "ExecutionTime",
        {"StateMachineArn": sm_arn},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=1800000,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="",
        state_time=fired,
        config_time=created + timedelta(days=20),
        topic=topic,
        treat_missing="notBreaching",
        unit=None,
        description="catalog-reindex execution took longer than 30 minutes",
    )
    ok_txt = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    for w in (3, 2, 1):
        t0 = full_start - timedelta(days=7 * w) + timedelta(seconds=rng.randint(-1, 2))
        t0 = datetime(
            t0.astimezone(zone).year, t0.astimezone(zone).month, t0.astimezone(zone).day, 2, 0, tzinfo=zone
        ).astimezone(UTC) + timedelta(seconds=rng.randint(0, 3))
        stp = run(t0, "full", record=False)
        q0 = stp.replace(minute=(stp.minute // 5) * 5, second=0, microsecond=0)
        r, dd = k.crossed(a_slow, [(q0, round((stp - t0).total_seconds() * 1000, 0))], "ALARM")
        up = q0 + timedelta(minutes=5, seconds=rng.randint(20, 70))
        hist.append(k.history(a_slow, up, "OK", "ALARM", r, dd, ok_txt))
        hist.append(k.history(a_slow, up + timedelta(minutes=5), "ALARM", "OK", ok_txt, None, r))
    prev_ok = hist[-1]

    # tonight: hourly incrementals and the full run
    t = start.replace(minute=5) + (timedelta(hours=1) if start.minute >= 5 else timedelta(0))
    while t < now:
        run(t + timedelta(seconds=rng.randint(0, 2), milliseconds=rng.randint(0, 999)), "incremental")
        t += timedelta(hours=1)
    run(full_start, "full")
    logs = [r for r in logs if r["timestamp"] <= k.ms(now)]
    r_now, d_now = k.crossed(a_slow, [(p0, round(full_secs * 1000, 0))], "ALARM")
    a_slow["StateReason"] = r_now
    hist.append(k.history(a_slow, fired, "OK", "ALARM", r_now, d_now, ok_txt))
    event = k.alarm_event(
        ids,
        a_slow,
        fired,
        r_now,
        d_now,
        "OK",
        datetime.fromisoformat(prev_ok["Timestamp"].replace("Z", "+00:00")),
        ok_txt,
    )

    # --- metrics ----------------------------------------------------------------------------------
    mets: list[k.Rec] = []
    sd_ = {"StateMachineArn": sm_arn}
    mets += k.series(
        "AWS/States", "ExecutionsStarted", sd_, "Count", start, now, 60, lambda x: started.get(x)
    )
    mets += k.series(
        "AWS/States",
        "ExecutionsSucceeded",
        sd_,
        "Count",
        start,
        now,
        60,
        lambda x: succeeded.get(x) if x < now - timedelta(seconds=60) else None,
    )
    mets += k.series(
        "AWS/States",
        "ExecutionTime",
        sd_,
        "Milliseconds",
        start,
        now,
        60,
        lambda x: etime.get(x) if x < now - timedelta(seconds=60) else None,
    )

    def load(x: datetime) -> str | None:
        for a, b, m in busy:
            if a <= x < b and m == "full":
                return m
        for a, b, m in busy:
            if a <= x < b:
                return m
        return None

    dd_ = {"DomainName": domain, "ClientId": account}
    mets += k.series(
        "AWS/ES",
        "CPUUtilization",
        dd_,
        "Percent",
        start,
        now,
        60,
        lambda x: {"full": 72 + rng.random() * 14, "incremental": 24 + rng.random() * 8}.get(
            load(x) or "", 9 + rng.random() * 6
        ),
    )
    mets += k.series(
        "AWS/ES",
        "IndexingRate",
        dd_,
        "Count",
        start,
        now,
        60,
        lambda x: {"full": rate * 60 * rng.uniform(0.93, 1.05) / 3, "incremental": rng.uniform(300, 900)}.get(
            load(x) or "", rng.uniform(0, 6)
        ),
    )
    mets += k.series(
        "AWS/ES",
        "SearchRate",
        dd_,
        "Count",
        start,
        now,
        60,
        lambda x: rng.uniform(140, 260) if x.astimezone(zone).hour in (22, 23, 0) else rng.uniform(40, 110),
    )
    mets += k.series(
        "AWS/ES",
        "SearchLatency",
        dd_,
        "Milliseconds",
        start,
        now,
        60,
        lambda x: rng.uniform(16, 27) if load(x) == "full" else rng.uniform(9, 15),
    )
    mets += k.series(
        "AWS/ES",
        "JVMMemoryPressure",
        dd_,
        "Percent",
        start,
        now,
        60,
        lambda x: (58 + rng.random() * 14) if load(x) == "full" else (41 + rng.random() * 9),
    )
    mets += k.series("AWS/ES", "ClusterStatus.green", dd_, "Count", start, now, 60, lambda x: 1.0)
    mets += k.series("AWS/ES", "ClusterStatus.yellow", dd_, "Count", start, now, 60, lambda x: 0.0)
    mets += k.series("AWS/ES", "ClusterStatus.red", dd_, "Count", start, now, 60, lambda x: 0.0)
    mets += k.series("AWS/ES", "5xx", dd_, "Count", start, now, 60, lambda x: 0.0)
    mets += k.series("AWS/ES", "ThreadpoolWriteRejected", dd_, "Count", start, now, 60, lambda x: 0.0)
    a_cpu = k.alarm(
        account,
        region,
        "catalog-search-prod-cpu-high",
        "AWS/ES",
        "CPUUtilization",
        dd_,
        stat="Average",
        period=300,
        evals=3,
        threshold=90,
        op="GreaterThanThreshold",
        state="OK",
        reason="",
        state_time=created + timedelta(days=60),
        config_time=created,
        topic=topic,
        description="OpenSearch data nodes CPU > 90% for 15 min",
    )
    a_cpu["StateReason"] = (
        "Threshold Crossed: 3 out of the last 3 datapoints [11.2 (01/01/26 00:00:00), 10.4 "
        "(01/01/26 00:00:00), 12.9 (01/01/26 00:00:00)] were not greater than the threshold (90.0)."
    )
    a_red = k.alarm(
        account,
        region,
        "catalog-search-prod-cluster-red",
        "AWS/ES",
        "ClusterStatus.red",
        dd_,
        stat="Maximum",
        period=60,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        reason="Threshold Crossed: 1 out of the last 1 datapoints [0.0 (01/01/26 00:00:00)] was not greater than or equal to the threshold (1.0).",
        state_time=created + timedelta(days=61),
        config_time=created,
        topic=topic,
        description="cluster red",
    )
    a_jvm = k.alarm(
        account,
        region,
        "catalog-search-prod-jvm-pressure",
        "AWS/ES",
        "JVMMemoryPressure",
        dd_,
        stat="Maximum",
        period=300,
        evals=3,
        threshold=80,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0).",
        state_time=created + timedelta(days=90),
        config_time=created,
        topic=topic,
        description="JVM pressure",
    )
    hist.sort(key=lambda h: str(h["Timestamp"]))

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = trail.who("github-actions-deploy", "GitHubActions")
    dep = full_start - timedelta(minutes=rng.randint(20, 45))
    trail.add(
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": "price-sync",
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"deploy-artifacts-{account}",
            "s3Key": f"price-sync/{ids.hex(40)}.zip",
        },
        {
            "functionName": "price-sync",
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:price-sync",
            "runtime": "nodejs20.x",
            "codeSha256": ids.upper(43) + "=",
            "version": str(rng.randint(10, 99)),
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/lambda#3.682.0",
    )
    oncall = trail.who("AWSReservedSSO_ReadOnly_44b1e9a07c3d2f85", "sam.oduya@" + "shopfloor.example")
    look = fired + timedelta(minutes=rng.randint(6, 14))
    for i, (src, nm, prm) in enumerate(
        [
            ("states.amazonaws.com", "ListExecutions", {"stateMachineArn": sm_arn, "maxResults": 100}),
            ("states.amazonaws.com", "DescribeExecution", {"executionArn": execs[-1]["executionArn"]}),
            (
                "cloudwatch.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": "catalog-reindex-slow", "maxRecords": 100},
            ),
        ]
    ):
        if look + timedelta(seconds=30 * i) <= now:
            trail.add(
                look + timedelta(seconds=30 * i),
                src,
                nm,
                oncall,
                prm,
                None,
                read_only=True,
                agent="console.amazonaws.com",
                ip=ids.ip(),
            )
    trail.poll_noise(
        rng,
        start,
        now,
        [
            ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("es.amazonaws.com", "DescribeDomains", {"domainNames": [domain]}),
            ("states.amazonaws.com", "ListStateMachines", None),
            ("ecs.amazonaws.com", "ListClusters", None),
        ],
        every=900,
    )

    # --- resources --------------------------------------------------------------------------------
    definition = {
        "Comment": "Reindex the product catalog into OpenSearch (incremental hourly, full weekly)",
        "StartAt": "RunIndexer",
        "States": {
            "RunIndexer": {
                "Type": "Task",
                "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {
                    "Cluster": cluster_arn,
                    "TaskDefinition": f"catalog-indexer:{rev}",
                    "LaunchType": "FARGATE",
                    "Overrides": {
                        "ContainerOverrides": [
                            {
                                "Name": "catalog-indexer",
                                "Command.$": "States.Array('index', '--mode', $.mode)",
                            }
                        ]
                    },
                },
                "TimeoutSeconds": 10800,
                "Retry": [{"ErrorEquals": ["ECS.AmazonECSException"], "MaxAttempts": 2}],
                "End": True,
            }
        },
    }
    resources = [
        k.res(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": sm_arn,
                "name": sm_name,
                "status": "ACTIVE",
                "definition": json.dumps(definition, indent=2),
                "roleArn": f"arn:aws:iam::{account}:role/{sm_name}-sfn",
                "type": "STANDARD",
                "creationDate": k.iso_ms(created),
                "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
                "tracingConfiguration": {"enabled": False},
                "revisionId": ids.uuid(),
            },
        ),
        k.schedule(
            account,
            region,
            "catalog-reindex-incremental",
            "cron(5 * * * ? *)",
            tz,
            sm_arn,
            "catalog-reindex-scheduler",
            created,
            created + timedelta(days=3),
            group="search",
            target_input='{"mode":"incremental"}',
        ),
        k.schedule(
            account,
            region,
            "catalog-reindex-weekly-full",
            "cron(0 2 ? * SUN *)",
            tz,
            sm_arn,
            "catalog-reindex-scheduler",
            created,
            created + timedelta(days=3),
            group="search",
            target_input='{"mode":"full"}',
            description="weekly full rebuild into a fresh index, then alias swap",
        ),
        k.ecs_cluster(account, region, "search-batch", 1, 0),
        k.ecs_taskdef(
            account,
            region,
            "catalog-indexer",
            rev,
            f"{account}.dkr.ecr.{region}.amazonaws.com/catalog-indexer:3.{rev}.1",
            created + timedelta(days=100),
            "catalog-indexer-task",
            {
                "OPENSEARCH_ENDPOINT": f"https://vpc-{domain}-{ids.hex(26)}.{region}.es.amazonaws.com",
                "INDEX_ALIAS": "products",
                "BULK_SIZE": "2000",
            },
            cpu="2048",
            memory="4096",
        ),
        k.role(ids, account, f"{sm_name}-sfn", "states.amazonaws.com", created, now, region),
        k.role(ids, account, "catalog-reindex-scheduler", "scheduler.amazonaws.com", created, now, region),
        k.log_group(account, region, "/ecs/catalog-indexer", created, 30),
        k.lambda_fn(
            account,
            region,
            "price-sync",
            "price-sync-role",
            dep,
            memory=512,
            timeout=120,
            runtime="nodejs20.x",
            handler="index.handler",
        ),
        k.res(
            "opensearch",
            "DomainStatus",
            {
                "DomainId": f"{account}/{domain}",
                "DomainName": domain,
                "ARN": f"arn:aws:es:{region}:{account}:domain/{domain}",
                "Created": True,
                "Deleted": False,
                "Endpoints": {"vpc": f"vpc-{domain}-{ids.hex(26)}.{region}.es.amazonaws.com"},
                "Processing": False,
                "UpgradeProcessing": False,
                "EngineVersion": "OpenSearch_2.13",
                "ClusterConfig": {
                    "InstanceType": "r6g.large.search",
                    "InstanceCount": 3,
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterType": "m6g.large.search",
                    "DedicatedMasterCount": 3,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                },
                "EBSOptions": {
                    "EBSEnabled": True,
                    "VolumeType": "gp3",
                    "VolumeSize": 200,
                    "Iops": 3000,
                    "Throughput": 250,
                },
            },
        ),
    ]
    resources += [
        k.res("stepfunctions", "DescribeExecutionOutput", e)
        for e in sorted(execs, key=lambda e: str(e["startDate"]))
        if e["startDate"] <= k.iso_ms(now)
    ]
    for e in resources:
        if e["type"] == "DescribeExecutionOutput" and e["item"]["stopDate"] > k.iso_ms(now):
            e["item"]["status"] = "RUNNING"
            for f in ("stopDate", "redriveStatus", "redriveStatusReason"):
                e["item"].pop(f, None)

    local = fired.astimezone(zone)
    question = (
        f"got paged for catalog-reindex-slow at {local:%H:%M}. Search seems to work from my phone but is the "
        "product index stale/stuck? Do I need to do anything or can I go back to sleep?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": account,
        "region": region,
        "start": k.iso(start),
        "end": k.iso(end),
        "now": k.iso(now),
        "trigger": {"question": question, "alarm_event": event, "timezone": tz},
        "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    }
    return k.bundle(
        manifest,
        metrics=mets,
        alarms=[a_slow, a_cpu, a_red, a_jvm],
        alarm_history=hist,
        logs=logs,
        cloudtrail=[r for r in trail.sorted() if r["eventTime"] <= k.iso(now)],
        resources=resources,
    )
