"""An AWS-initiated Redis failover leaves a fleet pinned to the old primary's node endpoint (READONLY)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzr import Ctx, Rec, iso, ms, pick_day

NAME = "session-writes-readonly-after-failover"
TITLE = "session-api 5XX alarm overnight; logins and token refresh failing, health checks green"
SUMMARY = (
    "ElastiCache detected a degraded host under the sessions Redis primary and failed over to the replica; "
    "session-api was configured with the old primary's node endpoint, reconnected to it as a replica and "
    "every session write has failed with READONLY since."
)

REGION = "eu-central-1"


def build(seed: int) -> Bundle:
    day = pick_day(random.Random(seed * 5 + 2))
    start = day + timedelta(minutes=(seed * 17) % 45)
    c = Ctx(seed, REGION, start, start)
    rng = c.rng
    onset_min = rng.randint(195, 230)
    onset = start + timedelta(minutes=onset_min, seconds=rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(36, 52))
    c.now = now
    recovered = onset + timedelta(minutes=rng.randint(9, 14))

    def mins(t: datetime) -> float:
        return (t - start).total_seconds() / 60

    def traffic(t: datetime) -> float:
        return (0.7 + 0.35 * mins(t) / 300) * rng.uniform(0.94, 1.06)

    def phase(t: datetime) -> str:
        if t < onset - timedelta(seconds=50):
            return "ok"
        if t < recovered - timedelta(seconds=110):
            return "failover"
        return "readonly"

    rg = "sessions-redis"
    sfx = c.hexid(6)
    nodes = [f"{rg}-001", f"{rg}-002"]
    node_host = {n: f"{n}.{sfx}.0001.euc1.cache.amazonaws.com" for n in nodes}
    primary_host = f"{rg}.{sfx}.ng.0001.euc1.cache.amazonaws.com"
    vpc, subnets, sg = c.network(rng.randint(100, 140))

    # --- cache ----------------------------------------------------------------------------------------
    c.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "player sessions and refresh tokens",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": primary_host, "Port": 6379},
                    "ReaderEndpoint": {
                        "Address": f"{rg}-ro.{sfx}.ng.0001.euc1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {"Address": node_host[n], "Port": 6379},
                            "PreferredAvailabilityZone": f"{REGION}{'ab'[i]}",
                            "CurrentRole": "replica" if i == 0 else "primary",
                        }
                        for i, n in enumerate(nodes)
                    ],
                }
            ],
            "SnapshottingClusterId": nodes[0],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "22:00-23:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r7g.large",
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": False,
            "AtRestEncryptionEnabled": True,
            "ARN": f"arn:aws:elasticache:{REGION}:{c.account}:replicationgroup:{rg}",
            "ReplicationGroupCreateTime": iso(start - timedelta(days=rng.randint(300, 900))),
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for i, n in enumerate(nodes):
        node_created = (
            recovered - timedelta(minutes=3) if i == 0 else start - timedelta(days=rng.randint(40, 120))
        )
        c.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "CacheNodeType": "cache.r7g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": f"{REGION}{'ab'[i]}",
                "CacheClusterCreateTime": iso(start - timedelta(days=400)),
                "PreferredMaintenanceWindow": "thu:01:00-thu:02:00",
                "PendingModifiedValues": {},
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "sessions-cache",
                "CacheNodes": [
                    {
                        "CacheNodeId": "0001",
                        "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": iso(node_created),
                        "Endpoint": {"Address": node_host[n], "Port": 6379},
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": f"{REGION}{'ab'[i]}",
                    }
                ],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1 if i == 0 else 0,
                "SnapshotWindow": "22:00-23:00",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{REGION}:{c.account}:cluster:{n}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        )
    for at, src, stype, msg in (
        (onset - timedelta(seconds=20), nodes[0], "cache-cluster", "Recovering cache nodes 0001"),
        (
            onset + timedelta(seconds=rng.randint(25, 50)),
            rg,
            "replication-group",
            f"Failover from master node {nodes[0]} to replica node {nodes[1]} completed",
        ),
        (recovered - timedelta(minutes=2), nodes[0], "cache-cluster", "Cache node 0001 restarted"),
        (recovered, nodes[0], "cache-cluster", "Finished recovery for cache nodes 0001"),
    ):
        c.events.append(
            {
                "source": "elasticache",
                "item": {"SourceIdentifier": src, "SourceType": stype, "Message": msg, "Date": iso(at)},
            }
        )

    # --- fleet ----------------------------------------------------------------------------------------
    c.res(
        "ssm",
        "Parameter",
        {
            "Name": "/session-api/prod/REDIS_HOST",
            "Type": "String",
            "Value": node_host[nodes[0]],
            "Version": 3,
            "LastModifiedDate": iso(start - timedelta(days=rng.randint(200, 400))),
            "ARN": f"arn:aws:ssm:{REGION}:{c.account}:parameter/session-api/prod/REDIS_HOST",
            "DataType": "text",
        },
    )
    c.res(
        "ssm",
        "Parameter",
        {
            "Name": "/matchmaker/prod/REDIS_HOST",
            "Type": "String",
            "Value": primary_host,
            "Version": 1,
            "LastModifiedDate": iso(start - timedelta(days=rng.randint(30, 90))),
            "ARN": f"arn:aws:ssm:{REGION}:{c.account}:parameter/matchmaker/prod/REDIS_HOST",
            "DataType": "text",
        },
    )
    ids = [f"i-0{c.hexid(16)}" for _ in range(3)]
    ips = [
        f"10.{rng.randint(100, 140)}.{32 * k + rng.randint(1, 30)}.{rng.randint(4, 250)}" for k in range(3)
    ]
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{c.account}:targetgroup/session-api-prod/{c.hexid(16)}"
    lb_id = c.hexid(16)
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{c.account}:loadbalancer/app/session-api-prod/{lb_id}"
    for k, iid in enumerate(ids):
        az = f"{REGION}{'abc'[k]}"
        c.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": f"ami-0{c.hexid(16)}",
                "InstanceType": "m7g.large",
                "LaunchTime": iso(start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 23))),
                "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
                "PrivateIpAddress": ips[k],
                "PrivateDnsName": f"ip-{ips[k].replace('.', '-')}.{REGION}.compute.internal",
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": subnets[k],
                "VpcId": vpc,
                "Architecture": "arm64",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{c.account}:instance-profile/session-api",
                    "Id": "AIPA" + c.hexid(17).upper(),
                },
                "SecurityGroups": [{"GroupName": "session-api", "GroupId": f"sg-0{c.hexid(16)}"}],
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": "session-api-prod"},
                    {"Key": "Name", "Value": "session-api"},
                ],
            },
        )
        c.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        c.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": iid, "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
    c.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": "session-api-prod",
            "LaunchTemplate": {
                "LaunchTemplateId": f"lt-0{c.hexid(16)}",
                "LaunchTemplateName": "session-api",
                "Version": "$Latest",
            },
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": [f"{REGION}{x}" for x in "abc"],
            "TargetGroupARNs": [tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 120,
            "Instances": [
                {
                    "InstanceId": iid,
                    "AvailabilityZone": f"{REGION}{'abc'[k]}",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "InstanceType": "m7g.large",
                }
                for k, iid in enumerate(ids)
            ],
            "CreatedTime": iso(start - timedelta(days=500)),
            "VPCZoneIdentifier": ",".join(subnets),
        },
    )
    c.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"internal-session-api-prod-{rng.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CreatedTime": iso(start - timedelta(days=500)),
            "LoadBalancerName": "session-api-prod",
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{REGION}{'abc'[k]}", "SubnetId": subnets[k]} for k in range(3)
            ],
            "IpAddressType": "ipv4",
        },
    )
    c.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "session-api-prod",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "instance",
        },
    )
    c.log_group("/prod/session-api", 30)
    c.log_group("/prod/matchmaker", 30)

    # --- metrics --------------------------------------------------------------------------------------
    lbdims = {"LoadBalancer": f"app/session-api-prod/{lb_id}"}
    req = c.series("AWS/ApplicationELB", "RequestCount", lbdims, "Count", lambda t: 2600 * traffic(t))

    def t5xx(t: datetime) -> float | None:
        p = phase(t)
        if p == "ok":
            return float(rng.choice([1, 2, 3, 4, 6])) if rng.random() < 0.5 else None
        if p == "failover":
            return req[t] * rng.uniform(0.5, 0.7)
        return req[t] * rng.uniform(0.27, 0.33)

    five = c.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbdims, "Count", t5xx)
    c.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbdims,
        "Count",
        lambda t: 1.0 if rng.random() < 0.1 else None,
    )
    c.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbdims,
        "Seconds",
        lambda t: rng.uniform(0.012, 0.02) if phase(t) != "failover" else rng.uniform(0.9, 2.4),
    )
    c.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {**lbdims, "TargetGroup": f"targetgroup/session-api-prod/{tg_arn.rsplit('/', 1)[1]}"},
        "Count",
        lambda t: 3.0,
    )

    def node_metrics(i: int, n: str) -> None:
        dims = {"CacheClusterId": n, "CacheNodeId": "0001"}

        def is_primary(t: datetime) -> bool:
            return (i == 0) == (phase(t) == "ok")

        def alive(t: datetime) -> bool:
            return not (i == 0 and onset - timedelta(seconds=50) <= t < recovered - timedelta(minutes=2))

        c.series(
            "AWS/ElastiCache",
            "IsMaster",
            dims,
            "Count",
            lambda t: (1.0 if is_primary(t) else 0.0) if alive(t) else None,
        )
        c.series(
            "AWS/ElastiCache",
            "SetTypeCmds",
            dims,
            "Count",
            lambda t: (
                ((21000 if phase(t) == "ok" else 2400) * traffic(t) if is_primary(t) else 0.0)
                if alive(t)
                else None
            ),
        )
        c.series(
            "AWS/ElastiCache",
            "GetTypeCmds",
            dims,
            "Count",
            lambda t: (
                (
                    (30000 * traffic(t) if i == 0 else 6000 * traffic(t))
                    if phase(t) == "ok"
                    else (31000 * traffic(t) if i == 0 else 5200 * traffic(t))
                )
                if alive(t)
                else None
            ),
        )
        c.series(
            "AWS/ElastiCache",
            "CurrConnections",
            dims,
            "Count",
            lambda t: float(rng.randint(160, 175) if i == 0 else rng.randint(40, 46)) if alive(t) else None,
        )
        c.series(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            dims,
            "Percent",
            lambda t: rng.uniform(6, 12) if alive(t) else None,
        )
        c.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            dims,
            "Percent",
            lambda t: (
                (41.0 + mins(t) * 0.004 if (i == 1 or phase(t) == "ok") else 36.0 + rng.uniform(0, 1))
                if alive(t)
                else None
            ),
        )
        c.series(
            "AWS/ElastiCache",
            "ReplicationLag",
            dims,
            "Seconds",
            lambda t: (0.0 if rng.random() < 0.8 else 1.0) if (alive(t) and not is_primary(t)) else None,
        )

    for i, n in enumerate(nodes):
        node_metrics(i, n)

    # --- logs -----------------------------------------------------------------------------------------
    routes = [
        ("POST", "/v2/session/refresh", True),
        ("POST", "/v2/session", True),
        ("GET", "/v2/session/me", False),
    ]
    for t in c.minutes(60):
        for k, iid in enumerate(ids):
            if rng.random() < 0.5:
                continue
            at = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            method, path, writes = rng.choice(routes)
            host = f"ip-{ips[k].replace('.', '-')}"
            p = phase(at)
            base = {"level": 30, "time": ms(at), "pid": 1, "hostname": host, "reqId": f"req-{c.hexid(6)}"}
            if p == "ok" or not writes:
                if p == "failover":
                    line = {
                        **base,
                        "level": 50,
                        "err": {"type": "Error", "message": "Connection is closed."},
                        "msg": "redis command failed",
                    }
                else:
                    line = {
                        **base,
                        "req": {"method": method, "url": path},
                        "res": {"statusCode": 200},
                        "responseTime": round(rng.uniform(3, 14), 1),
                        "msg": "request completed",
                    }
                c.log("/prod/session-api", f"session-api/{iid}", at, json.dumps(line, separators=(",", ":")))
                continue
            if p == "failover":
                err: Rec = {
                    "type": "Error",
                    "message": f"connect ETIMEDOUT {node_host[nodes[0]]}:6379",
                    "code": "ETIMEDOUT",
                }
            else:
                err = {
                    "type": "ReplyError",
                    "message": "READONLY You can't write against a read only replica.",
                    "stack": "ReplyError: READONLY You can't write against a read only replica.\n"
                    "    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n"
                    "    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                    "command": {"name": "set", "args": ["sess:<redacted>", "<redacted>", "EX", "3600"]},
                }
            c.log(
                "/prod/session-api",
                f"session-api/{iid}",
                at,
                json.dumps(
                    {**base, "level": 50, "err": err, "msg": "session write failed"}, separators=(",", ":")
                ),
            )
            c.log(
                "/prod/session-api",
                f"session-api/{iid}",
                at + timedelta(milliseconds=3),
                json.dumps(
                    {
                        **base,
                        "req": {"method": method, "url": path},
                        "res": {"statusCode": 500},
                        "responseTime": round(rng.uniform(2, 9), 1),
                        "msg": "request errored",
                    },
                    separators=(",", ":"),
                ),
            )
    for k, iid in enumerate(ids):
        host = f"ip-{ips[k].replace('.', '-')}"
        for at, msg in (
            (onset - timedelta(seconds=45 - k), "redis connection lost, reconnecting"),
            (recovered - timedelta(minutes=2) + timedelta(seconds=5 + 7 * k), "redis ready"),
        ):
            line = {
                "level": 40 if "lost" in msg else 30,
                "time": ms(at),
                "pid": 1,
                "hostname": host,
                "redis": {"host": node_host[nodes[0]], "port": 6379},
                "msg": msg,
            }
            c.log("/prod/session-api", f"session-api/{iid}", at, json.dumps(line, separators=(",", ":")))
    mm = [f"i-0{c.hexid(16)}" for _ in range(2)]
    for t in c.minutes(120):
        for iid in mm:
            at = t + timedelta(seconds=rng.randint(0, 100))
            c.log(
                "/prod/matchmaker",
                iid,
                at,
                f"{iso(at)} INFO  [pool-2] c.g.m.Matcher - matched {rng.randint(40, 220)} lobbies, queue depth {rng.randint(0, 60)}",
            )
    for k, iid in enumerate(mm):
        at = onset + timedelta(seconds=12 + 9 * k)
        c.log(
            "/prod/matchmaker",
            iid,
            at,
            f"{iso(at)} WARN  [lettuce-nioEventLoop-4-1] i.l.c.p.CommandHandler - Connection reset by peer; reconnecting to {primary_host}:6379",
        )
        at2 = onset + timedelta(seconds=40 + 9 * k)
        c.log(
            "/prod/matchmaker",
            iid,
            at2,
            f"{iso(at2)} INFO  [lettuce-eventExecutorLoop-1-3] i.l.c.p.ReconnectionHandler - Reconnected to {primary_host}/<unresolved>:6379",
        )

    # --- alarms ---------------------------------------------------------------------------------------
    page = f"arn:aws:sns:{REGION}:{c.account}:identity-oncall"
    five_full = {t: five.get(t, 0.0) for t in c.minutes()}
    c.alarm(
        "session-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbdims,
        five_full,
        50.0,
        "GreaterThanThreshold",
        "Sum",
        60,
        3,
        missing="notBreaching",
        description="session-api targets returning 5XX",
        topic=page,
    )
    lat = {m_t: 0.0 for m_t in c.minutes()}
    c.alarm(
        "session-api-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {**lbdims, "TargetGroup": f"targetgroup/session-api-prod/{tg_arn.rsplit('/', 1)[1]}"},
        lat,
        0.0,
        "GreaterThanThreshold",
        "Maximum",
        60,
        2,
        description="session-api has unhealthy targets",
        topic=page,
    )
    cpu = {t: rng.uniform(6, 12) for t in c.minutes()}
    c.alarm(
        "sessions-redis-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": nodes[1], "CacheNodeId": "0001"},
        cpu,
        80.0,
        "GreaterThanThreshold",
        "Average",
        60,
        5,
        description="sessions redis CPU",
        topic=page,
    )
    depth = c.series(
        "Matchmaker",
        "QueueDepth",
        {"Region": "eu"},
        "Count",
        lambda t: rng.uniform(76, 95) if rng.random() < 0.07 else rng.uniform(8, 40),
        step=300,
    )
    c.alarm(
        "matchmaker-queue-depth",
        "Matchmaker",
        "QueueDepth",
        {"Region": "eu"},
        depth,
        75.0,
        "GreaterThanThreshold",
        "Maximum",
        300,
        1,
        description="matchmaking queue backing up",
        topic=f"arn:aws:sns:{REGION}:{c.account}:matchmaking-slack",
    )

    # --- cloudtrail -----------------------------------------------------------------------------------
    cd = c.role_identity("codedeploy-pipeline", "codepipeline")
    c.ct(
        onset - timedelta(minutes=rng.randint(30, 55)),
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        cd,
        {
            "applicationName": "profile-svc",
            "deploymentGroupName": "profile-svc-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"game-releases-{c.account}",
                    "key": f"profile-svc/{c.hexid(12)}.zip",
                    "bundleType": "zip",
                },
            },
        },
        {"deploymentId": f"d-{c.hexid(9).upper()}"},
        agent="codepipeline.amazonaws.com",
        ip="codepipeline.amazonaws.com",
    )
    sso = c.role_identity("AWSReservedSSO_PlatformAdmin_9d3e2f1a0b4c5d66", "n.petrov")
    c.ct(
        start + timedelta(minutes=rng.randint(30, 90)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        sso,
        {
            "groupId": sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "10.250.4.0/24", "description": "bastion"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": c.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupId": sg,
                        "securityGroupRuleId": f"sgr-0{c.hexid(16)}",
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 6379,
                        "toPort": 6379,
                        "cidrIpv4": "10.250.4.0/24",
                        "description": "bastion",
                    }
                ]
            },
        },
        ip=f"91.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0",
    )
    c.ct(
        onset - timedelta(minutes=rng.randint(60, 100)),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        c.role_identity("terraform-apply", "terraform"),
        {"autoScalingGroupName": "matchmaker-prod", "maxSize": 6},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
    )
    c.readonly_noise(
        [
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("elasticache.amazonaws.com", "DescribeEvents", {"duration": 60}),
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
        rng.randint(34, 46),
    )
    for _ in range(rng.randint(8, 14)):
        at = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds())))
        c.ct(
            at,
            "ssm.amazonaws.com",
            "GetParameters",
            c.role_identity("session-api", rng.choice(ids)),
            {
                "names": ["/session-api/prod/REDIS_HOST", "/session-api/prod/JWT_ISSUER"],
                "withDecryption": False,
            },
            None,
            read_only=True,
            agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.1.102-111.182.amzn2023.aarch64 lang/js md/nodejs#20.17.0 api/ssm#3.637.0",
        )

    manifest: Rec = {
        "title": TITLE,
        "trigger": {"question": None, "alarm_event": c.alarm_event("session-api-5xx")},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": rg,
                "category": "system_change",
                "failure_mode": "redis-failover-client-pinned-to-node-endpoint",
                "event_id": None,
            },
            "also_accept": [
                f"arn:aws:elasticache:{REGION}:{c.account}:replicationgroup:{rg}",
                nodes[0],
                node_host[nodes[0]],
            ],
            "actions": ["reconfigure", "restart"],
            "chain": [rg, nodes[0], "/session-api/prod/REDIS_HOST", "session-api-prod", "session-api-5xx"],
        },
    }
    return c.bundle(manifest)
