"""The presence Redis primary node fails; ElastiCache fails over to the replica and chat errors for a few minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzb import (
    Kit,
    alb,
    ecs_cluster,
    ecs_service,
    iso,
    lb_dim,
    log_group,
    ms,
    reason_data,
    target_group,
    task_definition,
    tg_dim,
)

NAME = "presence-redis-primary-node-failover"
TITLE = "Chat sends and 'online' dots failing for a few minutes after lunch; chat-gateway 5xx alarm paged then cleared"
SUMMARY = (
    "The primary node of the presence Redis replication group failed; ElastiCache promoted the replica in the "
    "other AZ and recovered the old node as a replica. presence-api errored until its clients reconnected"
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "", "ap-southeast-2")
    r = k.r
    k.account = "7" + "".join(str(r.randint(0, 9)) for _ in range(11))
    day = datetime(2026, 1, 13, tzinfo=UTC) + timedelta(days=r.randint(0, 60))  # AEDT (+11:00) until April
    onset = day.replace(hour=r.choice([2, 3]), minute=r.randint(0, 50), second=r.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=r.randint(20, 40))
    now = onset + timedelta(minutes=r.randint(40, 60))
    down_min = r.randint(3, 5)  # minutes presence-api failed Redis calls
    recover = onset + timedelta(minutes=r.randint(7, 11))
    rg = "presence-redis"
    n1, n2 = f"{rg}-001", f"{rg}-002"
    az1, az2 = "ap-southeast-2a", "ap-southeast-2b"
    sfx = k.alnum(6, upper=False)
    primary_ep = f"master.{rg}.{sfx}.apse2.cache.amazonaws.com"
    reader_ep = f"replica.{rg}.{sfx}.apse2.cache.amazonaws.com"
    created = day - timedelta(days=r.randint(200, 500))
    cluster = "loopline-prod"
    vpc = "vpc-" + k.hex(17)
    subnets = [
        (az1, "subnet-" + k.hex(17)),
        (az2, "subnet-" + k.hex(17)),
        ("ap-southeast-2c", "subnet-" + k.hex(17)),
    ]
    sg_alb, sg_app, sg_cache = ("sg-" + k.hex(17) for _ in range(3))
    topic = f"arn:aws:sns:{k.region}:{k.account}:loopline-pager"

    # ---- cache resources ----------------------------------------------------------------------------
    k.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "presence, typing and unread counters for chat",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": [n1, n2],
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                    "ReaderEndpoint": {"Address": reader_ep, "Port": 6379},
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n1,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n1}.{rg}.{sfx}.apse2.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": az1,
                            "CurrentRole": "replica",
                        },
                        {
                            "CacheClusterId": n2,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n2}.{rg}.{sfx}.apse2.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": az2,
                            "CurrentRole": "primary",
                        },
                    ],
                }
            ],
            "SnapshottingClusterId": n2,
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "16:00-17:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r6g.large",
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": False,
            "AtRestEncryptionEnabled": True,
            "ARN": f"arn:aws:elasticache:{k.region}:{k.account}:replicationgroup:{rg}",
            "ReplicationGroupCreateTime": iso(created),
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for n, az in ((n1, az1), (n2, az2)):
        k.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "CacheNodeType": "cache.r6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": az,
                "CacheClusterCreateTime": iso(created),
                "PreferredMaintenanceWindow": "sun:14:00-sun:15:00",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "loopline-cache",
                "CacheNodes": [
                    {
                        "CacheNodeId": "0001",
                        "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": iso(created),
                        "Endpoint": {"Address": f"{n}.{rg}.{sfx}.apse2.cache.amazonaws.com", "Port": 6379},
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": az,
                    }
                ],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg_cache, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1 if n == n2 else 0,
                "SnapshotWindow": "16:00-17:00",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{k.region}:{k.account}:cluster:{n}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        )
    fo_t = onset + timedelta(seconds=r.randint(35, 75))
    k.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": rg,
                "SourceType": "replication-group",
                "Message": f"Failover to replica node {n2} completed",
                "Date": iso(fo_t),
            },
        }
    )
    k.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": rg,
                "SourceType": "replication-group",
                "Message": f"Failover from primary node {n1} to replica node {n2} completed",
                "Date": iso(fo_t + timedelta(seconds=r.randint(2, 9))),
            },
        }
    )
    k.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": n1,
                "SourceType": "cache-cluster",
                "Message": "Recovering cache nodes 0001",
                "Date": iso(fo_t + timedelta(seconds=r.randint(30, 90))),
            },
        }
    )
    k.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": n1,
                "SourceType": "cache-cluster",
                "Message": "Finished recovery for cache nodes 0001",
                "Date": iso(recover),
            },
        }
    )
    snap = onset - timedelta(hours=r.randint(8, 11))
    if snap > start:
        k.events.append(
            {
                "source": "elasticache",
                "item": {
                    "SourceIdentifier": n2,
                    "SourceType": "cache-cluster",
                    "Message": "Snapshot succeeded for snapshot with ID 'automatic.presence-redis-002'",
                    "Date": iso(snap),
                },
            }
        )

    # ---- app resources ------------------------------------------------------------------------------
    lb = alb(k, "chat-gateway", vpc, sg_alb, created, subnets)
    tg = target_group(k, "presence-api", vpc, lb["LoadBalancerArn"], 3000, "/health")
    k.res("elbv2", "LoadBalancer", lb)
    k.res("elbv2", "TargetGroup", tg)
    k.res("ecs", "Cluster", ecs_cluster(k, cluster, 3, 11))
    rev = r.randint(120, 260)
    deploy_t = onset - timedelta(minutes=r.randint(14, 26))
    svc = ecs_service(
        k,
        cluster,
        "presence-api",
        "presence-api",
        rev,
        6,
        created,
        deploy_t,
        [s for _, s in subnets],
        sg_app,
        tg["TargetGroupArn"],
        3000,
    )
    k.res("ecs", "Service", svc)
    k.res(
        "ecs",
        "TaskDefinition",
        task_definition(
            k,
            "presence-api",
            rev,
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/presence-api:{k.hex(7)}",
            "512",
            "1024",
            [
                ("REDIS_URL", f"redis://{primary_ep}:6379"),
                ("NODE_ENV", "production"),
                ("MESSAGES_TABLE", "chat-messages"),
            ],
            deploy_t - timedelta(minutes=2),
            "presence-api-task",
            3000,
        ),
    )
    k.res(
        "ecs",
        "Service",
        ecs_service(
            k,
            cluster,
            "chat-fanout",
            "chat-fanout",
            r.randint(30, 70),
            3,
            created,
            day - timedelta(days=5),
            [s for _, s in subnets],
            sg_app,
        ),
    )
    ws_id = k.alnum(10, upper=False)
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"wss://{ws_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": ws_id,
            "CreatedDate": iso(created),
            "Name": "loopline-chat-ws",
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "DisableExecuteApiEndpoint": False,
        },
    )
    k.res(
        "apigatewayv2",
        "ApiIntegration",
        {
            "ApiId": ws_id,
            "IntegrationId": k.alnum(7, upper=False),
            "IntegrationType": "HTTP_PROXY",
            "IntegrationMethod": "POST",
            "IntegrationUri": f"https://{lb['DNSName']}/ws/events",
            "ConnectionType": "INTERNET",
            "TimeoutInMillis": 10000,
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "chat-messages",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/chat-messages",
            "KeySchema": [
                {"AttributeName": "room_id", "KeyType": "HASH"},
                {"AttributeName": "ts_msg", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "room_id", "AttributeType": "S"},
                {"AttributeName": "ts_msg", "AttributeType": "S"},
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "CreationDateTime": iso(created),
            "ItemCount": r.randint(10**8, 4 * 10**8),
            "TableSizeBytes": r.randint(10**10, 8 * 10**10),
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        },
    )
    for g in ("/ecs/presence-api", "/ecs/chat-fanout"):
        k.res("logs", "LogGroup", log_group(k, g, created, 30))

    # ---- metrics -----------------------------------------------------------------------------------
    lbd = {"LoadBalancer": lb_dim(lb["LoadBalancerArn"])}
    tgd = {"LoadBalancer": lb_dim(lb["LoadBalancerArn"]), "TargetGroup": tg_dim(tg["TargetGroupArn"])}
    err_end = onset + timedelta(minutes=down_min)
    fivexx: dict[datetime, float] = {}
    t = start.replace(second=0)
    rps = r.uniform(900, 1500)
    while t < now:
        hour_local = (t.hour + 11) % 24 + t.minute / 60
        load = rps * (0.8 + 0.2 * min(1.0, max(0.0, (hour_local - 10) / 3)))
        reqs = k.noise(load * 60, 0.04)
        failing = onset.replace(second=0) <= t < err_end
        five = reqs * r.uniform(0.35, 0.6) if failing else float(r.choice([0, 0, 0, 1, 2]))
        if t == onset.replace(second=0):
            five *= (60 - onset.second) / 60
        fivexx[t] = float(round(five))
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": lbd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs),
            }
        )
        if fivexx[t] > 0:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": fivexx[t],
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": lbd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": fivexx[t],
                }
            )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HTTPCode_Target_2XX_Count",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs - fivexx[t] - reqs * 0.01),
            }
        )
        trt = k.noise(0.006, 0.15) + (r.uniform(0.4, 1.2) if failing else 0) + (0.0012 if t >= onset else 0)
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "TargetResponseTime",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Seconds",
                "statistic_values": {
                    "SampleCount": round(reqs),
                    "Sum": round(trt * reqs, 2),
                    "Minimum": 0.001,
                    "Maximum": round(trt * 6 + 0.04, 3),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 6.0,
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": {"ClusterName": cluster, "ServiceName": "presence-api"},
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(load / 40, 0.08), 2),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "MemoryUtilization",
                "dimensions": {"ClusterName": cluster, "ServiceName": "presence-api"},
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(47, 0.03), 2),
            }
        )
        cmds = load * 60 * 3.2
        for n in (n1, n2):
            d = {"CacheClusterId": n, "CacheNodeId": "0001"}
            was_primary = n == n1
            if n == n1 and onset.replace(second=0) <= t < recover.replace(second=0) + timedelta(minutes=1):
                continue  # the node published nothing while it was down and recovering
            primary_now = (was_primary and t < onset) or (not was_primary and t >= onset)
            conn = k.noise(612, 0.02) if primary_now else k.noise(9, 0.2)
            if n == n2 and failing:
                conn = conn * (t - onset).total_seconds() / (down_min * 60 + 1)
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "IsMaster",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": 1.0 if primary_now else 0.0,
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "CurrConnections",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(conn),
                }
            )
            newc = r.randint(0, 3)
            if n == n2 and onset <= t < err_end + timedelta(minutes=1):
                newc = r.randint(150, 400)
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "NewConnections",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(newc),
                }
            )
            ecpu = k.noise(21, 0.08) if primary_now else k.noise(3.5, 0.2)
            if n == n2 and recover <= t < recover + timedelta(minutes=3):
                ecpu += 18  # full sync to the recovered replica
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "EngineCPUUtilization",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Percent",
                    "value": round(ecpu, 2),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "CPUUtilization",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Percent",
                    "value": round(ecpu / 2 + k.noise(3, 0.2), 2),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "DatabaseMemoryUsagePercentage",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Percent",
                    "value": round(k.noise(38.5, 0.01), 2),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "SetTypeCmds",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(cmds * 0.45 * (0.5 if failing else 1)) if primary_now else 0.0,
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "GetTypeCmds",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(cmds * 0.55 * (0.5 if failing else 1)) if primary_now else 0.0,
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ElastiCache",
                    "metric": "NetworkBytesOut",
                    "dimensions": d,
                    "timestamp": iso(t),
                    "unit": "Bytes",
                    "value": round(
                        cmds * 210
                        + (4e8 if (n == n2 and recover <= t < recover + timedelta(minutes=2)) else 0)
                    )
                    if primary_now
                    else round(k.noise(2e5, 0.3)),
                }
            )
            if not primary_now:
                k.metrics.append(
                    {
                        "namespace": "AWS/ElastiCache",
                        "metric": "ReplicationLag",
                        "dimensions": d,
                        "timestamp": iso(t),
                        "unit": "Seconds",
                        "value": round(k.noise(0.02, 0.5), 3),
                    }
                )
        wsd = {"ApiId": ws_id, "Stage": "prod"}
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "MessageCount",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs * 1.8),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "IntegrationError",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(fivexx[t] * 0.6) if failing else 0.0,
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "ConnectCount",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(k.noise(load * 0.9, 0.1)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": {"TableName": "chat-messages"},
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(load * 9),
                    "Sum": round(load * 11),
                    "Minimum": 1.0,
                    "Maximum": 3.0,
                },
            }
        )
        t += timedelta(minutes=1)

    # ---- alarms ------------------------------------------------------------------------------------
    cfg = day - timedelta(days=r.randint(30, 200))
    a = k.alarm(
        "chat-gateway-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        2,
        100.0,
        "GreaterThanThreshold",
        description="presence-api 5xx via chat-gateway ALB",
        topic=topic,
        treat_missing="notBreaching",
        updated=cfg,
    )
    a["StateReason"] = (
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching]."
    )
    mins = sorted(fivexx)
    fire = clear = None
    for i in range(1, len(mins)):
        if fire is None and fivexx[mins[i]] > 100 and fivexx[mins[i - 1]] > 100:
            fire = mins[i]
        elif fire is not None and clear is None and mins[i] > fire and fivexx[mins[i]] <= 100:
            clear = mins[i]
    if fire is None or clear is None:
        raise RuntimeError("alarm never fired or never cleared")
    prev_reason = a["StateReason"]
    ft = fire + timedelta(minutes=1, seconds=r.randint(10, 40))
    p = [fivexx[fire], fivexx[fire - timedelta(minutes=1)]]
    k.transition(
        a,
        ft,
        "ALARM",
        f"Threshold Crossed: 2 datapoints [{p[0]} ({fire.strftime('%d/%m/%y %H:%M:%S')}), {p[1]} ({(fire - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold (100.0).",
        reason_data("Sum", 60, ft, p, 100.0, fire - timedelta(minutes=1)),
    )
    event = k.alarm_event(a, ft, "OK", prev_reason, cfg)
    ct_ = clear + timedelta(minutes=1, seconds=r.randint(10, 40))
    k.transition(
        a,
        ct_,
        "OK",
        f"Threshold Crossed: 1 datapoint [{fivexx[clear]} ({clear.strftime('%d/%m/%y %H:%M:%S')})] was not greater than the threshold (100.0).",
        reason_data("Sum", 60, ct_, [fivexx[clear]], 100.0, clear - timedelta(minutes=1)),
    )
    k.alarm(
        "presence-redis-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": n1, "CacheNodeId": "0001"},
        "Average",
        300,
        2,
        80.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=cfg,
    )["StateReason"] = "Threshold Crossed: 2 datapoints were not greater than the threshold (80.0)."
    mem = k.alarm(
        "presence-redis-memory",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": n1, "CacheNodeId": "0001"},
        "Average",
        300,
        1,
        85.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=cfg,
    )
    mem["StateReason"] = "Threshold Crossed: 1 datapoint was not greater than the threshold (85.0)."
    k.transition(
        mem,
        onset + timedelta(minutes=6, seconds=r.randint(0, 50)),
        "INSUFFICIENT_DATA",
        "Insufficient Data: 1 datapoint was unknown.",
    )
    back = recover.replace(second=0, minute=(recover.minute // 5) * 5) + timedelta(minutes=5)
    k.transition(
        mem,
        back + timedelta(minutes=5, seconds=r.randint(10, 50)),
        "OK",
        "Threshold Crossed: 1 datapoint ["
        + str(round(38.5 + r.uniform(-0.3, 0.3), 2))
        + " ("
        + back.strftime("%d/%m/%y %H:%M:%S")
        + ")] was not greater than the threshold (85.0).",
    )
    fan = k.alarm(
        "chat-fanout-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "chat-fanout-dlq"},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=cfg,
    )
    fan["StateValue"] = "ALARM"
    fan["StateReason"] = "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0)."
    k.metrics.extend(
        {
            "namespace": "AWS/SQS",
            "metric": "ApproximateNumberOfMessagesVisible",
            "dimensions": {"QueueName": "chat-fanout-dlq"},
            "timestamp": iso(
                start.replace(second=0, minute=(start.minute // 5) * 5) + timedelta(minutes=5 * i)
            ),
            "unit": "Count",
            "value": 3.0,
        }
        for i in range(int((now - start).total_seconds() // 300))
    )
    k.history.sort(key=lambda h: h["Timestamp"])

    # ---- logs --------------------------------------------------------------------------------------
    tasks = [k.hex(32) for _ in range(6)]
    hosts = [
        f"ip-10-{r.randint(16, 31)}-{r.randint(0, 255)}-{r.randint(2, 250)}.{k.region}.compute.internal"
        for _ in range(6)
    ]
    t = start
    while t < now:
        for tid, host in zip(tasks, hosts, strict=True):
            s = f"ecs/presence-api/{tid}"
            ts = t + timedelta(seconds=r.randint(0, 59))
            if r.random() < 0.15:
                k.log(
                    "/ecs/presence-api",
                    s,
                    ts,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(ts),
                            "pid": 1,
                            "hostname": host,
                            "msg": "request completed",
                            "req": {"method": "POST", "url": "/ws/events"},
                            "res": {"statusCode": 200},
                            "responseTime": r.randint(2, 14),
                        }
                    ),
                )
            if onset <= t < err_end:
                for _ in range(r.randint(2, 5)):
                    ts = t + timedelta(seconds=r.randint(0, 59))
                    if ts < onset:
                        continue
                    errm = r.choice(["read ECONNRESET", "connect ETIMEDOUT", "Connection is closed."])
                    k.log(
                        "/ecs/presence-api",
                        s,
                        ts,
                        json.dumps(
                            {
                                "level": 50,
                                "time": ms(ts),
                                "pid": 1,
                                "hostname": host,
                                "msg": "presence update failed",
                                "err": {
                                    "type": "Error",
                                    "message": errm,
                                    "stack": f"Error: {errm}\n    at TCP.onStreamRead (node:internal/stream_base_commons:217:20)",
                                },
                                "req": {"method": "POST", "url": "/ws/events"},
                                "res": {"statusCode": 500},
                            }
                        ),
                    )
                if r.random() < 0.4:
                    ts = t + timedelta(seconds=r.randint(0, 59))
                    if ts >= onset:
                        k.log(
                            "/ecs/presence-api",
                            s,
                            ts,
                            "[ioredis] Unhandled error event: Error: connect ETIMEDOUT\n    at Socket.<anonymous> (/app/node_modules/ioredis/built/Redis.js:170:41)",
                        )
        t += timedelta(minutes=1)
    for tid, host in zip(tasks, hosts, strict=True):
        ts = err_end - timedelta(seconds=r.randint(5, 50))
        k.log(
            "/ecs/presence-api",
            f"ecs/presence-api/{tid}",
            ts,
            json.dumps(
                {
                    "level": 30,
                    "time": ms(ts),
                    "pid": 1,
                    "hostname": host,
                    "msg": "redis ready",
                    "host": primary_ep,
                }
            ),
        )
        dt = deploy_t + timedelta(minutes=r.randint(1, 4))
        k.log(
            "/ecs/presence-api",
            f"ecs/presence-api/{tid}",
            dt,
            json.dumps(
                {
                    "level": 30,
                    "time": ms(dt),
                    "pid": 1,
                    "hostname": host,
                    "msg": "Server listening at http://0.0.0.0:3000",
                }
            ),
        )
    k.logs.sort(key=lambda e: (e["log_stream"], e["timestamp"]))

    # ---- CloudTrail --------------------------------------------------------------------------------
    ci = k.role("buildkite-deploy", "buildkite-" + str(r.randint(10000, 99999)))
    td_arn = f"arn:aws:ecs:{k.region}:{k.account}:task-definition/presence-api:{rev}"
    agent = "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.41.7"
    k.trail(
        deploy_t - timedelta(minutes=2),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "presence-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": "presence-api",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        agent=agent,
    )
    k.trail(
        deploy_t,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "presence-api", "taskDefinition": td_arn},
        {"service": {"serviceName": "presence-api", "taskDefinition": td_arn, "desiredCount": 6}},
        read_only=False,
        agent=agent,
    )
    for i in range(r.randint(6, 9)):
        k.trail(
            deploy_t + timedelta(seconds=20 + 25 * i),
            ci,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["presence-api"]},
            None,
            read_only=True,
            agent=agent,
        )
    dd = k.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    k.readonly_noise(
        start,
        now,
        dd,
        [
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("ecs.amazonaws.com", "ListClusters", None),
        ],
        20,
        "Datadog aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)",
    )
    sre = k.sso("priya.raman@loopline.chat", "SRE", k.hex(16))
    k.trail(
        onset + timedelta(minutes=r.randint(16, 25)),
        sre,
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        {"replicationGroupId": rg},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(60, 120)),
        sre,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        {
            "tableName": "chat-messages",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        read_only=False,
        agent="console.amazonaws.com",
    )

    local_onset = onset + timedelta(hours=11)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Around {local_onset.strftime('%I:%M').lstrip('0')}pm chat messages wouldn't send and everyone's online dots went grey for a few minutes, then it came back by itself. The chat-gateway 5xx alarm paged and cleared. Was it the presence-api deploy just before? Anything we need to do?",
                "alarm_event": event,
                "timezone": "Australia/Sydney",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": n1,
                    "category": "component_failure",
                    "failure_mode": "cache-primary-node-failure-failover",
                },
                "also_accept": [rg, f"arn:aws:elasticache:{k.region}:{k.account}:cluster:{n1}"],
                "actions": [],
                "chain": [n1, rg, "presence-api", "chat-gateway"],
            },
        }
    )
    return Bundle(manifest, k.records())
