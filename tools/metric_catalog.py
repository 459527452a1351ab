"""Which CloudWatch metrics matter for each kind of resource (namespace knowledge), as data.

Each entry: the namespace, the dimension the resource id fills, and the (metric, statistic) pairs an
SRE looks at first. Statistics are the ones whose excursions mean something for that metric (e.g.
Minimum of a credit balance, Maximum of a connection count, Sum of an error count).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

ResourceKind = Literal[
    "alb",
    "target_group",
    "ec2",
    "asg",
    "rds_instance",
    "rds_cluster",
    "lambda",
    "ecs_service",
    "dynamodb_table",
    "dynamodb_index",
    "ebs_volume",
    "nat_gateway",
    "api_gateway",
    "sqs_queue",
    "elasticache_cluster",
    "rds_proxy",
]


class KeyMetric(BaseModel):
    namespace: str
    metric: str
    stat: str
    unit_hint: str = ""


class KindMetrics(BaseModel):
    dimension: str
    metrics: list[KeyMetric]
    extra_dimension: str | None = None  # e.g. a target group's metrics also need its LoadBalancer
    # The dimension of the parts some services publish a resource's metrics by, instead of (or as
    # well as) the resource alone: an ElastiCache cluster's nodes (CacheNodeId).
    part_dimension: str | None = None


def _m(namespace: str, *pairs: tuple[str, str]) -> list[KeyMetric]:
    return [KeyMetric(namespace=namespace, metric=m, stat=s) for m, s in pairs]


CATALOG: dict[str, KindMetrics] = {
    "alb": KindMetrics(
        dimension="LoadBalancer",
        metrics=_m(
            "AWS/ApplicationELB",
            ("RequestCount", "Sum"),
            ("HTTPCode_Target_5XX_Count", "Sum"),
            ("HTTPCode_ELB_5XX_Count", "Sum"),
            ("HTTPCode_Target_4XX_Count", "Sum"),
            ("TargetResponseTime", "p99"),
            ("RejectedConnectionCount", "Sum"),
            ("TargetConnectionErrorCount", "Sum"),
        ),
    ),
    "target_group": KindMetrics(
        dimension="TargetGroup",
        extra_dimension="LoadBalancer",
        metrics=_m(
            "AWS/ApplicationELB",
            ("UnHealthyHostCount", "Maximum"),
            ("HealthyHostCount", "Minimum"),
            ("HTTPCode_Target_5XX_Count", "Sum"),
            ("TargetResponseTime", "p99"),
        ),
    ),
    "ec2": KindMetrics(
        dimension="InstanceId",
        metrics=_m(
            "AWS/EC2",
            ("CPUUtilization", "Average"),
            ("StatusCheckFailed", "Maximum"),
            ("StatusCheckFailed_System", "Maximum"),
            ("StatusCheckFailed_AttachedEBS", "Maximum"),
            ("CPUCreditBalance", "Minimum"),
            ("CPUSurplusCreditsCharged", "Sum"),
            ("NetworkIn", "Sum"),
            ("NetworkOut", "Sum"),
            ("EBSIOBalance%", "Minimum"),
            ("EBSByteBalance%", "Minimum"),
        )
        + _m(
            "CWAgent",
            ("mem_used_percent", "Maximum"),
            ("disk_used_percent", "Maximum"),
            # ENA's allowance counters (ethtool), as the agent publishes them
            ("ethtool_bw_out_allowance_exceeded", "Sum"),
            ("ethtool_bw_in_allowance_exceeded", "Sum"),
            ("ethtool_pps_allowance_exceeded", "Sum"),
            ("ethtool_conntrack_allowance_exceeded", "Sum"),
            # packets to link-local services (the VPC's DNS resolver, instance metadata, time sync)
            ("ethtool_linklocal_allowance_exceeded", "Sum"),
        ),
    ),
    "asg": KindMetrics(
        dimension="AutoScalingGroupName",
        metrics=_m(
            "AWS/AutoScaling",
            ("GroupInServiceInstances", "Minimum"),
            ("GroupDesiredCapacity", "Maximum"),
            ("GroupPendingInstances", "Maximum"),
            ("GroupTerminatingInstances", "Maximum"),
        )
        + _m("AWS/EC2", ("CPUUtilization", "Average"), ("StatusCheckFailed", "Maximum")),
    ),
    "rds_instance": KindMetrics(
        dimension="DBInstanceIdentifier",
        metrics=_m(
            "AWS/RDS",
            ("CPUUtilization", "Average"),
            ("DatabaseConnections", "Maximum"),
            ("FreeableMemory", "Minimum"),
            ("FreeStorageSpace", "Minimum"),
            ("ReadLatency", "Average"),
            ("WriteLatency", "Average"),
            ("DiskQueueDepth", "Average"),
            # Instance classes with burst EBS bandwidth: the instance's own I/O and byte credits.
            ("EBSIOBalance%", "Minimum"),
            ("EBSByteBalance%", "Minimum"),
            ("AbortedClients", "Sum"),
            ("Deadlocks", "Sum"),
            ("BurstBalance", "Minimum"),
            ("CPUCreditBalance", "Minimum"),
            ("ReplicaLag", "Maximum"),
        ),
    ),
    "rds_cluster": KindMetrics(
        dimension="DBClusterIdentifier",
        metrics=_m(
            "AWS/RDS",
            ("CPUUtilization", "Average"),
            ("DatabaseConnections", "Maximum"),
            ("AuroraReplicaLagMaximum", "Maximum"),
            ("Deadlocks", "Sum"),
            ("CommitLatency", "Average"),
            ("SelectLatency", "Average"),
        ),
    ),
    "lambda": KindMetrics(
        dimension="FunctionName",
        metrics=_m(
            "AWS/Lambda",
            ("Invocations", "Sum"),
            ("Errors", "Sum"),
            ("Throttles", "Sum"),
            ("Duration", "p99"),
            ("ConcurrentExecutions", "Maximum"),
            ("AsyncEventsDropped", "Sum"),
        ),
    ),
    "ecs_service": KindMetrics(
        dimension="ServiceName",
        extra_dimension="ClusterName",
        metrics=_m("AWS/ECS", ("CPUUtilization", "Average"), ("MemoryUtilization", "Maximum"))
        + _m("ECS/ContainerInsights", ("RunningTaskCount", "Minimum")),
    ),
    "dynamodb_table": KindMetrics(
        dimension="TableName",
        metrics=_m(
            "AWS/DynamoDB",
            ("ConsumedReadCapacityUnits", "Sum"),
            ("ConsumedWriteCapacityUnits", "Sum"),
            ("ReadThrottleEvents", "Sum"),
            ("WriteThrottleEvents", "Sum"),
        ),
    ),
    # A global secondary index publishes its own capacity and throttles, by table and index name.
    "dynamodb_index": KindMetrics(
        dimension="GlobalSecondaryIndexName",
        extra_dimension="TableName",
        metrics=_m(
            "AWS/DynamoDB",
            ("ConsumedWriteCapacityUnits", "Sum"),
            ("WriteThrottleEvents", "Sum"),
            ("ReadThrottleEvents", "Sum"),
        ),
    ),
    "ebs_volume": KindMetrics(
        dimension="VolumeId",
        metrics=_m(
            "AWS/EBS",
            ("VolumeQueueLength", "Average"),
            ("BurstBalance", "Minimum"),
            ("VolumeReadOps", "Sum"),
            ("VolumeWriteOps", "Sum"),
            ("VolumeThroughputPercentage", "Average"),
            ("VolumeStalledIOCheck", "Maximum"),
        ),
    ),
    "nat_gateway": KindMetrics(
        dimension="NatGatewayId",
        metrics=_m(
            "AWS/NATGateway",
            ("ErrorPortAllocation", "Sum"),
            ("PacketsDropCount", "Sum"),
            ("ActiveConnectionCount", "Maximum"),
            ("ConnectionAttemptCount", "Sum"),
        ),
    ),
    "api_gateway": KindMetrics(
        dimension="ApiName",
        metrics=_m(
            "AWS/ApiGateway", ("Count", "Sum"), ("5XXError", "Sum"), ("4XXError", "Sum"), ("Latency", "p99")
        ),
    ),
    "sqs_queue": KindMetrics(
        dimension="QueueName",
        metrics=_m(
            "AWS/SQS",
            ("ApproximateAgeOfOldestMessage", "Maximum"),
            ("ApproximateNumberOfMessagesVisible", "Maximum"),
            ("NumberOfMessagesSent", "Sum"),
            ("NumberOfMessagesDeleted", "Sum"),
        ),
    ),
    # An RDS Proxy: the connections its callers hold and it holds to the database, how long a caller
    # waits to borrow one (its pool at the ceiling), and how long the database then takes.
    "rds_proxy": KindMetrics(
        dimension="ProxyName",
        metrics=_m(
            "AWS/RDS",
            ("ClientConnections", "Maximum"),
            ("DatabaseConnections", "Maximum"),
            ("DatabaseConnectionsBorrowLatency", "Average"),
            ("QueryDatabaseResponseLatency", "Average"),
        ),
    ),
    # One cache node's cluster (a replication group's members each have their own CacheClusterId).
    "elasticache_cluster": KindMetrics(
        dimension="CacheClusterId",
        part_dimension="CacheNodeId",
        metrics=_m(
            "AWS/ElastiCache",
            ("EngineCPUUtilization", "Average"),
            ("CurrConnections", "Maximum"),
            ("Evictions", "Sum"),
            ("DatabaseMemoryUsagePercentage", "Average"),
            # How long its reads and writes take (microseconds): what its callers get from it.
            ("GetTypeCmdsLatency", "Average"),
            ("SetTypeCmdsLatency", "Average"),
            # Packets the node's network allowance queued or dropped (its instance type's ceiling).
            ("NetworkBandwidthOutAllowanceExceeded", "Sum"),
            ("NetworkBandwidthInAllowanceExceeded", "Sum"),
            ("NetworkPacketsPerSecondAllowanceExceeded", "Sum"),
            ("NetworkConntrackAllowanceExceeded", "Sum"),
        ),
    ),
}
