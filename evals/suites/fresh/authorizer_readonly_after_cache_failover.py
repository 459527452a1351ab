"""Night-time API 5xx: an ElastiCache maintenance failover demotes the primary under the authorizer's connections."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzn import World, access_line, iso, std_ct_noise

NAME = "authorizer-readonly-after-cache-failover"
TITLE = "tenant-api 5xx alarm in the early hours; a WAF rule change went out earlier in the night"
SUMMARY = (
    "A scheduled ElastiCache maintenance failed the entitlement cache over to its replica; warm authorizer "
    "environments keep writing to the demoted node, get READONLY errors and API Gateway answers 500."
)

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    win_h = r.choice([3, 4, 5])
    onset = w.day + timedelta(hours=win_h, minutes=r.randint(4, 25), seconds=r.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=r.randint(20, 45))
    start = start.replace(second=0)
    now = onset + timedelta(minutes=r.randint(36, 55))
    now = now.replace(second=0)
    api_id = w.alnum(10)
    stage = "prod"
    api_name = "tenant-api"
    access_group = f"API-Gateway-Access-Logs_{api_id}/{stage}"
    waf_id = w.uid()
    waf_arn = f"arn:aws:wafv2:{w.region}:{w.account}:regional/webacl/tenant-api-acl/{waf_id}"
    rg = r.choice(["entitlements-cache", "tenant-session-cache", "authz-cache"])
    n1, n2 = f"{rg}-001", f"{rg}-002"
    auth, profile, billing = "tenant-api-authorizer", "tenant-profile-api", "billing-usage-exporter"
    azs = [f"{w.region}a", f"{w.region}b"]
    dom = f"{rg}.{w.alnum(6)}.ng.0001.{w.region[:2]}{w.region.split('-')[1][0]}{w.region[-1]}.cache.amazonaws.com"
    window = f"{DAYS[onset.weekday()]}:{win_h:02d}:00-{DAYS[onset.weekday()]}:{win_h + 1:02d}:00"
    promote_at = onset - timedelta(seconds=r.randint(20, 60))

    # --- resources -------------------------------------------------------------------------
    w.rest_api(api_id, api_name, stage, w.alnum(6), access_group, waf_arn)
    w.res(
        "logs",
        "LogGroup",
        {"logGroupName": access_group, "creationTime": 1610000000000, "retentionInDays": 14},
    )
    w.usage_plan(w.alnum(6), "standard", api_id, stage, 50.0, 100, 2_000_000)
    w.usage_plan(w.alnum(6), "enterprise", api_id, stage, 500.0, 1000, 50_000_000)
    pool_id = f"{w.region}_{w.alnum(9).upper()}"
    w.user_pool(pool_id, "tenant-users")
    w.lambda_fn(
        auth,
        "nodejs20.x",
        512,
        5,
        w.day - timedelta(days=r.randint(15, 40)),
        {
            "USER_POOL_ID": pool_id,
            "REDIS_HOST": f"master.{dom}",
            "REDIS_PORT": "6379",
            "ENTITLEMENT_TTL": "900",
        },
    )
    w.lambda_fn(profile, "nodejs20.x", 1024, 10, w.day - timedelta(days=3), {"TABLE": "tenants"})
    w.lambda_fn(
        billing, "python3.12", 512, 300, w.day - timedelta(days=70), {"TABLE": "tenants"}, "app.handler"
    )
    w.table("tenants", "tenantId", r.randint(900, 3000))
    w.table("entitlements", "tenantId", r.randint(2000, 9000))
    w.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "authorizer entitlement cache",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": [n1, n2],
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": f"master.{dom}", "Port": 6379},
                    "ReaderEndpoint": {"Address": f"replica.{dom}", "Port": 6379},
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n1,
                            "CacheNodeId": "0001",
                            "PreferredAvailabilityZone": azs[0],
                            "CurrentRole": "replica",
                        },
                        {
                            "CacheClusterId": n2,
                            "CacheNodeId": "0001",
                            "PreferredAvailabilityZone": azs[1],
                            "CurrentRole": "primary",
                        },
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "07:00-08:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r7g.large",
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": w.arn("elasticache", f"replicationgroup:{rg}"),
            "ReplicationGroupCreateTime": iso(w.day - timedelta(days=500)),
            "AutoMinorVersionUpgrade": True,
            "Engine": "redis",
            "ClusterMode": "disabled",
        },
    )
    for cid, az in ((n1, azs[0]), (n2, azs[1])):
        w.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": cid,
                "CacheNodeType": "cache.r7g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": az,
                "CacheClusterCreateTime": iso(w.day - timedelta(days=500)),
                "PreferredMaintenanceWindow": window,
                "PendingModifiedValues": {},
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "private-cache",
                "CacheNodes": [
                    {
                        "CacheNodeId": "0001",
                        "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": iso(w.day - timedelta(days=500)),
                        "Endpoint": {"Address": f"{cid}.{dom.split('.', 1)[1]}", "Port": 6379},
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": az,
                    }
                ],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": "sg-" + w.hexid(17), "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": w.arn("elasticache", f"cluster:{cid}"),
            },
        )
    for when, src, stype, msg in (
        (
            promote_at - timedelta(seconds=50),
            rg,
            "replication-group",
            f"Failover to replica node {n2} completed",
        ),
        (
            promote_at,
            rg,
            "replication-group",
            f"Failover from master node {n1} to replica node {n2} completed",
        ),
        (promote_at + timedelta(minutes=2), n1, "cache-cluster", "Cache cluster patched"),
        (
            promote_at + timedelta(minutes=r.randint(3, 6)),
            n1,
            "cache-cluster",
            "Finished recovery for cache nodes 0001",
        ),
    ):
        w.events.append(
            {
                "source": "elasticache",
                "item": {"SourceIdentifier": src, "SourceType": stype, "Message": msg, "Date": iso(when)},
            }
        )

    # --- CloudTrail ------------------------------------------------------------------------
    std_ct_noise(w, start, now, ["tenants", "entitlements"], 40)
    mon = w.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration")
    for k in range(8):
        w.ct(
            start + timedelta(minutes=25 * k + r.randint(0, 20)),
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            mon,
            {"maxRecords": 100},
            None,
            read_only=True,
            agent="Datadog-AWS-Integration/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
        )
    sec = w.sso_identity(r.choice(["k.nakamura", "l.ferreira", "t.oyelaran"]))
    waf_t = start - timedelta(minutes=r.randint(-40, -10))
    w.ct(
        waf_t,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        sec,
        {
            "name": "tenant-api-acl",
            "scope": "REGIONAL",
            "id": waf_id,
            "defaultAction": {"allow": {}},
            "rules": [
                {"name": "AWS-AWSManagedRulesCommonRuleSet", "priority": 0, "overrideAction": {"none": {}}},
                {
                    "name": "per-ip-rate-limit",
                    "priority": 1,
                    "action": {"block": {}},
                    "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}},
                },
                {
                    "name": "block-legacy-paths",
                    "priority": 2,
                    "action": {"block": {}},
                    "statement": {
                        "byteMatchStatement": {"searchString": "/v0/", "positionalConstraint": "STARTS_WITH"}
                    },
                },
            ],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": "tenant-api-acl",
            },
            "lockToken": w.uid(),
        },
        {"nextLockToken": w.uid()},
        agent="console.amazonaws.com",
    )
    sched = w.role_identity("billing-usage-exporter-role", billing)
    for k in range(4):
        w.ct(
            start + timedelta(minutes=60 * k + 2),
            "apigateway.amazonaws.com",
            "GetUsage",
            sched,
            {
                "usagePlanId": w.alnum(6),
                "startDate": w.day.strftime("%Y-%m-01"),
                "endDate": w.day.strftime("%Y-%m-%d"),
            },
            None,
            read_only=True,
        )
    ci = w.role_identity("github-actions-deploy", "GitHubActions")
    w.ct(
        start + timedelta(minutes=r.randint(5, 30)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": profile,
            "publish": False,
            "s3Bucket": f"saas-artifacts-{w.account}",
            "s3Key": f"tenant-profile-api/{w.hexid(40)}.zip",
        },
        {"functionName": profile, "lastUpdateStatus": "InProgress", "version": "$LATEST"},
    )

    # --- metrics ---------------------------------------------------------------------------
    times = w.minutes(start, now)
    noise = {t: r.random() for t in times}
    dims_api = {"ApiName": api_name, "Stage": stage}
    base = r.randint(220, 380)

    def load(t: datetime) -> int:
        return int(base * (0.9 + 0.2 * noise[t]))

    half_life = r.uniform(25, 45)

    def bad_share(t: datetime) -> float:
        if t < promote_at:
            return 0.0
        mins = (t - promote_at).total_seconds() / 60
        # warm environments recycle slowly at night; new ones connect to the new primary
        return 0.16 * (0.5 ** (mins / half_life)) + 0.02

    def fails(t: datetime) -> int:
        return (
            int(load(t) * bad_share(t) * (0.8 + 0.4 * noise[t]))
            if t >= promote_at
            else (1 if noise[t] > 0.96 else 0)
        )

    w.count_series("AWS/ApiGateway", "Count", dims_api, times, lambda t: float(load(t)))
    w.rate_series("AWS/ApiGateway", "5XXError", dims_api, times, lambda t: (load(t), fails(t)))
    w.rate_series(
        "AWS/ApiGateway",
        "4XXError",
        dims_api,
        times,
        lambda t: (load(t), int(load(t) * 0.02 * (1 + noise[t]))),
    )
    w.latency_series("AWS/ApiGateway", "Latency", dims_api, times, lambda t: (load(t), 64.0, 480.0))
    ad = {"FunctionName": auth}
    w.count_series("AWS/Lambda", "Invocations", ad, times, lambda t: float(int(load(t) * 0.35) + fails(t)))
    w.count_series("AWS/Lambda", "Errors", ad, times, lambda t: float(fails(t)))
    w.count_series("AWS/Lambda", "Throttles", ad, times, lambda t: 0.0)
    w.latency_series("AWS/Lambda", "Duration", ad, times, lambda t: (int(load(t) * 0.35), 9.0, 70.0))
    pd = {"FunctionName": profile}
    w.count_series("AWS/Lambda", "Invocations", pd, times, lambda t: float(int(load(t) * 0.5)))
    w.count_series("AWS/Lambda", "Errors", pd, times, lambda t: float(noise[t] > 0.97))
    w.latency_series("AWS/Lambda", "Duration", pd, times, lambda t: (int(load(t) * 0.5), 40.0, 260.0))
    for tt in times:
        if tt.minute == 0:
            w.point("AWS/Lambda", "Invocations", {"FunctionName": billing}, tt, "Count", value=1.0)
            w.point("AWS/Lambda", "Errors", {"FunctionName": billing}, tt, "Count", value=0.0)
            w.point(
                "AWS/Lambda",
                "Duration",
                {"FunctionName": billing},
                tt,
                "Milliseconds",
                value=round(40000 + 20000 * noise[tt], 1),
            )

    def ec(node: str, metric: str, unit: str, fn: object) -> None:
        assert callable(fn)
        d = {"CacheClusterId": node, "CacheNodeId": "0001"}
        for t in times:
            v = fn(t)
            if v is not None:
                w.point("AWS/ElastiCache", metric, d, t, unit, value=round(float(v), 2))

    down = (promote_at + timedelta(minutes=1), promote_at + timedelta(minutes=3))

    def gap(t: datetime) -> bool:
        return down[0] <= t < down[1]

    ec(n1, "IsMaster", "Count", lambda t: None if gap(t) else (1 if t < promote_at else 0))
    ec(n2, "IsMaster", "Count", lambda t: 0 if t < promote_at else 1)
    ec(
        n1,
        "CurrConnections",
        "Count",
        lambda t: (
            None
            if gap(t)
            else int(60 + 10 * noise[t])
            if t < promote_at
            else int(
                60
                * (
                    1
                    - bad_share(t) * 0
                    - 0.3 * (1 - 0.5 ** ((t - promote_at).total_seconds() / 60 / half_life))
                )
                + 4
            )
        ),
    )
    ec(
        n2,
        "CurrConnections",
        "Count",
        lambda t: (
            int(4 + noise[t] * 2)
            if t < promote_at
            else int(8 + 20 * (1 - 0.5 ** ((t - promote_at).total_seconds() / 60 / half_life)))
        ),
    )
    ec(
        n1,
        "SetTypeCmds",
        "Count",
        lambda t: None if gap(t) else (int(load(t) * 0.05) if t < promote_at else int(load(t) * 0.002)),
    )
    ec(n2, "SetTypeCmds", "Count", lambda t: int(load(t) * 0.002) if t < promote_at else int(load(t) * 0.02))
    ec(n1, "GetTypeCmds", "Count", lambda t: None if gap(t) else int(load(t) * 0.3))
    ec(n2, "GetTypeCmds", "Count", lambda t: 0 if t < promote_at else int(load(t) * 0.1))
    ec(n1, "EngineCPUUtilization", "Percent", lambda t: None if gap(t) else 2.0 + noise[t])
    ec(n2, "EngineCPUUtilization", "Percent", lambda t: 1.0 + noise[t])
    ec(n1, "ReplicationLag", "Seconds", lambda t: None if t < down[1] else round(0.002 + 0.01 * noise[t], 3))
    ec(
        n2,
        "ReplicationLag",
        "Seconds",
        lambda t: round(0.002 + 0.01 * noise[t], 3) if t < promote_at else None,
    )

    # --- logs ------------------------------------------------------------------------------
    warm = [w.lambda_stream(start - timedelta(hours=r.randint(1, 5))) for _ in range(5)]
    fresh: list[str] = []
    for i, t in enumerate(times):
        after = t >= promote_at
        if after and i % 9 == 0:
            fresh.append(w.lambda_stream(t))
        for j in range(2):
            tt = t + timedelta(seconds=r.randint(0, 59))
            tenant = f"tn_{w.hexid(4)}"
            use_fresh = after and fresh and r.random() > bad_share(t) * 4
            stream = r.choice(fresh) if use_fresh else warm[(i + j) % 5]
            miss = r.random() < 0.4
            if after and not use_fresh and miss:
                lines = [
                    f"INFO\tentitlements cache miss tenant={tenant}",
                    "ERROR\tInvoke Error \t"
                    '{"errorType":"ReplyError","errorMessage":"READONLY You can\'t write against a read only replica.",'
                    '"stack":["ReplyError: READONLY You can\'t write against a read only replica.",'
                    '"    at parseError (/var/task/node_modules/redis-parser/lib/parser.js:179:12)",'
                    '"    at parseType (/var/task/node_modules/redis-parser/lib/parser.js:302:14)"],'
                    '"command":{"name":"set","args":["ent:' + tenant + '","[redacted]","EX","900"]}}',
                ]
                w.lambda_invocation(
                    f"/aws/lambda/{auth}", stream, tt, r.uniform(8, 30), 512, r.randint(95, 120), lines
                )
            elif miss:
                w.lambda_invocation(
                    f"/aws/lambda/{auth}",
                    stream,
                    tt,
                    r.uniform(30, 90),
                    512,
                    r.randint(95, 120),
                    [
                        f"INFO\tentitlements cache miss tenant={tenant}",
                        f"INFO\tentitlements loaded tenant={tenant} source=dynamodb",
                    ],
                )
            else:
                w.lambda_invocation(
                    f"/aws/lambda/{auth}", stream, tt, r.uniform(3, 12), 512, r.randint(95, 120), []
                )
    astream = w.hexid(32)
    for t in times:
        for _ in range(2):
            at = t + timedelta(seconds=r.randint(0, 59))
            bad = t >= promote_at and r.random() < bad_share(t)
            st = "500" if bad else r.choice(["200", "200", "200", "200", "304", "404"])
            w.log(
                access_group,
                astream,
                at,
                access_line(
                    w.uid(),
                    w.ip(),
                    at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                    "GET",
                    r.choice(["/v1/tenants/{tenantId}/profile", "/v1/projects", "/v1/projects/{projectId}"]),
                    st,
                    16 if bad else r.randint(80, 3000),
                    w.alnum(10),
                    "-" if bad else f"tn_{w.hexid(4)}",
                    "-" if bad else str(r.randint(20, 150)),
                    "Internal server error" if bad else "-",
                ),
            )

    # --- alarms ----------------------------------------------------------------------------
    topic = w.arn("sns", "platform-oncall")
    fire = (promote_at + timedelta(minutes=4)).replace(second=0)
    a5 = w.alarm(
        f"{api_name}-{stage}-5xx-rate",
        "AWS/ApiGateway",
        "5XXError",
        dims_api,
        "Average",
        0.02,
        evals=3,
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (0.02).",
        updated=fire,
        topic=topic,
        desc="tenant-api 5xx above 2% for 3 minutes",
    )
    w.transition(a5, fire, "OK", "ALARM", a5["StateReason"])
    ae = w.alarm(
        f"{auth}-errors",
        "AWS/Lambda",
        "Errors",
        ad,
        "Sum",
        10,
        evals=3,
        state="ALARM",
        updated=fire + timedelta(minutes=1),
        topic=topic,
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (10.0).",
    )
    w.transition(ae, fire + timedelta(minutes=1), "OK", "ALARM", ae["StateReason"])
    w.alarm(
        f"{rg}-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": n1, "CacheNodeId": "0001"},
        "Average",
        80,
        evals=5,
        updated=start - timedelta(days=20),
    )
    bx = w.alarm(
        f"{billing}-duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": billing},
        "Maximum",
        55000,
        period=300,
        evals=1,
        updated=start,
        topic=topic,
    )
    for k in range(2):
        t = start + timedelta(minutes=60 * k + 5)
        w.transition(
            bx,
            t,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [58012.4] was greater than the threshold (55000.0).",
        )
        w.transition(
            bx,
            t + timedelta(minutes=5),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (55000.0).",
        )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": None,
                "alarm_event": w.alarm_event(a5, fire, a5["StateReason"], w.day - timedelta(days=4)),
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": rg,
                    "category": "system_change",
                    "failure_mode": "cache-maintenance-failover-stale-primary-connections",
                },
                "also_accept": [n1, n2, w.arn("elasticache", f"replicationgroup:{rg}")],
                "actions": ["restart", "reconfigure"],
                "chain": [rg, auth, f"{api_name}/{stage}"],
            },
        }
    )
    return Bundle(manifest, w.records())
