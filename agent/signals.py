"""The vocabulary of signals: what analyzers observe and what the failure-mode catalog matches on.

A signal is a generic observation about one resource ("its CPU is saturated", "a security-group rule
was revoked on it", "its targets fail health checks"). Analyzers attach signals to evidence; catalog
entries say which signals (on the suspect and on its neighbours) indicate a failure mode. Nothing here
names a scenario: signals describe what any AWS incident can show.
"""

from __future__ import annotations

SIGNALS: dict[str, str] = {
    # symptoms seen in metrics
    "error_rate_up": "5xx responses, function errors or faults rose above baseline",
    "client_errors_up": "4xx responses rose (refused, not found, throttled): the callers' failure when they say so",
    "latency_up": "response time or duration rose above baseline",
    "requests_blocked": "a firewall (WAF web ACL) blocked more requests than it normally does",
    "traffic_up": "request volume rose well above baseline",
    "flow_stopped": "traffic or work that stopped arriving, when the asker reports that it stopped",
    "traffic_down": "request volume fell well below baseline",
    "cpu_high": "CPU utilisation saturated or far above baseline",
    "memory_high": "memory use near its ceiling",
    "disk_full": "a filesystem or storage nearly full",
    "connections_high": "database connections rose to a ceiling",
    "connections_aborted": "aborted client connections to a database rose",
    "throttled": "requests throttled (Lambda, DynamoDB, API)",
    "invoked_async": "a function's callers invoke it asynchronously: Lambda's event queue retries what a throttle turns away, for up to the function's maximum event age",
    "ebs_balance_exhausted": "an instance's EBS burst balance (EBSIOBalance%, EBSByteBalance%) ran out: its I/O and bandwidth to its volumes are held to the instance type's baseline",
    "credits_exhausted": "CPU credits, burst balance, EBS IO balance or EFS burst credits ran out",
    "io_saturated": "storage queue length or throughput at its ceiling",
    "unhealthy_hosts": "load-balancer targets reported unhealthy",
    "unhealthy_alone": "a target fails its group's health checks while most of its peers pass them",
    "status_check_failed": "EC2 status checks failed",
    "attached_ebs_impaired": "only an instance's attached-EBS status check failed: its system and instance checks pass",
    "port_allocation_errors": "NAT gateway could not allocate source ports",
    "packets_dropped": "a NAT gateway or endpoint dropped packets: a transient issue with it or its zone (a port shortage also drops them, and says so in ErrorPortAllocation)",
    "network_allowance_exceeded": "an instance or cache node met its network allowance (bandwidth, packets per second or tracked connections): packets queued or dropped",
    "route_blackhole": "a route points at a target that no longer exists (deleted NAT gateway, detached gateway): its traffic is dropped",
    "capacity_below_desired": "fewer in-service instances or tasks than desired",
    "queue_backlog": "messages piling up in a queue",
    "cache_event": "ElastiCache reported a failover, node replacement, reboot or maintenance on the cache",
    "replica_lag": "a read replica fell behind its source (ReplicaLag, AuroraReplicaLag)",
    "metric_blip": "a short excursion that returned to baseline by itself",
    "alarm_breached": "the fired alarm's own metric met its own threshold for its datapoints in the window",
    "subnet_addresses_exhausted": "a launch failed because a subnet had no free IP addresses left",
    "recurring_alarm": "the fired alarm went off at about the same time of day on earlier days too",
    # logs
    "log_errors_up": "error-like log lines surged above baseline",
    "new_error_pattern": "an error message pattern not seen in the baseline appeared",
    "access_denied_logs": "AccessDenied / not authorized errors in logs",
    "timeout_logs": "timeouts in logs",
    "integration_timeout": "API Gateway's latency reached its integration timeout (29 s for REST APIs, 30 s for HTTP APIs)",
    "quota_consumer_started": "work started (a task, workflow or bulk job) shortly before an account-wide API quota throttled its callers",
    "runtime_updated": "a function's execution environments began starting on a Lambda runtime version it had not run before (INIT_START lines)",
    "function_timed_out": "Lambda stopped invocations at the function's configured timeout ('Task timed out after')",
    "connection_refused_logs": "connections refused or reset in logs",
    "db_connection_errors": "applications failing to connect to a database (too many connections, aborted)",
    "oom_logs": "out-of-memory kills in logs",
    "cache_full_logs": "a cache refused writes at its memory limit (Redis/Valkey 'OOM command not allowed')",
    "throttling_logs": "throttling / rate exceeded errors in logs",
    "disk_full_logs": "no space left on device in logs",
    "kms_errors": "KMS key disabled / access errors",
    "writes_blocked": "a store blocked writes to protect itself (an OpenSearch domain's ClusterIndexWritesBlocked, cluster_block_exception): its disk at the flood-stage watermark or its memory under pressure",
    "read_only_refused": "a database or cache refused writes as read-only: the writer is talking to a reader (a replica, a reader endpoint, a demoted primary)",
    "db_lock_contention": "a database made clients wait for locks another transaction holds (lock wait timeouts, deadlocks)",
    "errors_with_traffic": "errors rose only as much as the extra requests bring at the usual error rate",
    "calls_refused": "routine calls to it (assuming a role, using a key) were refused",
    "tunnel_down": "a VPN tunnel went down (TunnelState fell)",
    "bandwidth_at_limit": "a VPN tunnel's traffic rose and held flat at its peak: the tunnel is full",
    "payload_too_large": "a request, message, item or answer was refused for its size (over the size ceiling of the service that refused it)",
    "remote_server_error": "a called server answered with its own failure (an HTTP 5xx status)",
    # traces
    "trace_faults": "traces fault with this resource as the deepest failing entity",
    "trace_fault_concentrated": "faults concentrate on one host, AZ or revision",
    "remote_slow": "calls to a remote (third-party) endpoint slowed or failed",
    "degraded_origin": "this service degraded while nothing it calls did: the degradation starts here",
    # changes
    "change": "someone changed this resource (CloudTrail write)",
    "change_security_group": "a security-group rule was revoked or changed",
    "change_network_acl": "a network ACL entry was changed",
    "change_iam_policy": "an IAM policy or role permission was changed",
    "change_kms_key": "a KMS key was disabled, scheduled for deletion or its policy changed",
    "change_config": "configuration changed (parameter, environment, function or DB settings)",
    "change_image": "an image was pushed to a repository under a tag: what tasks that run that tag start with next",
    "change_deploy": "new code or a new task definition / deployment was rolled out",
    "change_capacity": "capacity or concurrency settings were lowered or changed",
    "change_network_placement": "a function, task or instance was moved to other subnets or security groups",
    "change_alarm": "an alarm's definition was changed",
    "change_instance_state": "instances were stopped, started or modified by someone",
    "change_other": "a setting outside the known kinds was updated, replaced or removed (any service)",
    "change_housekeeping": "only record-keeping settings changed (backup retention, deletion protection, ...)",
    "change_failed": "a change attempt failed (error code in CloudTrail)",
    # state and platform events
    "asg_replacement_loop": "an Auto Scaling group kept terminating and launching instances",
    "asg_no_scaling": "an Auto Scaling group did not scale while load rose",
    "targets_unhealthy": "target groups report unhealthy targets now",
    "db_event": "the database reported failover, restart, maintenance or errors",
    "db_engine_known_issue": "the database engine version has documented bugs relevant here",
    "health_event": "AWS Health reports an issue for this service, resource or AZ",
    "scheduled_scaling": "a scheduled scaling action fired and set this resource's capacity",
    "scaling_blocked": "scaling wanted to add capacity and did not (already at the maximum, or refused)",
    "target_not_running": "a registered target is stopped or terminated (ELB: unused, Target.InvalidState)",
    "spot_interrupted": "EC2 or Fargate reclaimed Spot capacity (interruption notices, stopped tasks or instances)",
    "ecs_tasks_stopped": "ECS tasks stopped (OOM, essential container exit, health checks)",
    "deployment_failed": "a deployment failed or was rolled back (CodeDeploy, ECS circuit breaker)",
    "lambda_concurrency_limited": "a function's reserved concurrency is low relative to demand",
    "instance_start_failed": "an instance failed to start and returned to stopped",
    "flow_log_rejects": "VPC flow logs show rejected traffic",
    "nacl_denies": "a network ACL rule denies traffic on the path",
    "sg_missing_rule": "a security group lacks a rule the traffic needs",
    "alarm_too_sensitive": "an alarm fires on short, self-healing excursions",
    "alarm_threshold_not_met": "a scaling alarm's threshold/evaluation periods were never met",
    "missing_telemetry": "telemetry that would settle the question is missing",
    "instances_launched": "a group launched instances (what it launches from reaches them)",
}


def check(names: list[str]) -> list[str]:
    """Return names unchanged, or raise naming the ones not in the vocabulary."""
    unknown = [n for n in names if n not in SIGNALS]
    if unknown:
        raise ValueError(f"unknown signals {unknown}; see agent/signals.py")
    return names
