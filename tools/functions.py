"""Lambda tool: a function's configuration, reserved concurrency and when it last changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.state import text_of
from tools.window import Window


class LambdaConfigInput(BaseModel):
    """Arguments of lambda_config."""

    function: str = Field(min_length=1, max_length=170, description="the function's name or ARN")
    qualifier: str | None = Field(default=None, description="a version number; None for $LATEST")
    recent_hours: float = Field(
        default=24, gt=0, le=24 * 90, description="a change within this many hours of now counts as recent"
    )


class LambdaConfig(ToolOutput):
    name: str
    arn: str
    version: str | None
    runtime: str | None
    handler: str | None
    package_type: str | None
    memory_mb: int | None
    timeout_s: int | None
    ephemeral_storage_mb: int | None
    architectures: list[str]
    state: str | None
    state_reason: str | None
    last_update_status: str | None
    last_update_reason: str | None
    last_modified: datetime | None
    changed_recently: bool
    code_sha256: str | None
    reserved_concurrency: int | None = Field(description="None: draws on the account's unreserved pool")
    env_var_names: list[str] = Field(description="environment variable names; values are withheld")
    layers: list[str]
    vpc_subnets: list[str]
    vpc_security_groups: list[str]
    role: str | None
    dead_letter_target: str | None

    def summary(self) -> str:
        reserved = (
            "unreserved concurrency"
            if self.reserved_concurrency is None
            else f"reserved concurrency {self.reserved_concurrency}"
            + (
                " (THROTTLED: 0 means every invocation is throttled)"
                if self.reserved_concurrency == 0
                else ""
            )
        )
        changed = (
            f"last modified {self.last_modified:%Y-%m-%d %H:%M}" if self.last_modified else "never modified"
        )
        recent = " (RECENT CHANGE)" if self.changed_recently else ""
        state = f"state {self.state}" + (f" ({self.state_reason})" if self.state_reason else "")
        update = f", last update {self.last_update_status}" + (
            f" ({self.last_update_reason})" if self.last_update_reason else ""
        )
        vpc = f", in VPC subnets {','.join(self.vpc_subnets)}" if self.vpc_subnets else ""
        return (
            f"{self.name} {self.runtime or self.package_type} {self.memory_mb} MB, timeout {self.timeout_s} s, "
            f"{reserved}, {state}{update}, {changed}{recent}{vpc}"
        )


def _lambda_time(value: str | None) -> datetime | None:
    """Lambda writes LastModified as "2024-05-01T05:00:00.000+0000"."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


@tool
def lambda_config(ctx: ToolContext, args: LambdaConfigInput) -> LambdaConfig:
    """Show a Lambda function's configuration (runtime, memory, timeout, state, last update status,
    VPC, layers, environment variable names) with its reserved concurrency, and whether it changed
    recently. Reserved concurrency 0 throttles every invocation.

    Args:
        function: the function's name or ARN.
        qualifier: a version number, or None for $LATEST.
        recent_hours: a change within this many hours counts as recent.
    """
    params: dict[str, Any] = {"FunctionName": args.function}
    if args.qualifier:
        params["Qualifier"] = args.qualifier
    cfg = ctx.aws.call("lambda", "GetFunctionConfiguration", **params)
    concurrency = ctx.aws.call("lambda", "GetFunctionConcurrency", FunctionName=args.function)
    modified = _lambda_time(cfg.get("LastModified"))
    vpc = cfg.get("VpcConfig") or {}
    return LambdaConfig(
        name=cfg["FunctionName"],
        arn=cfg.get("FunctionArn", ""),
        version=cfg.get("Version"),
        runtime=cfg.get("Runtime"),
        handler=cfg.get("Handler"),
        package_type=cfg.get("PackageType"),
        memory_mb=cfg.get("MemorySize"),
        timeout_s=cfg.get("Timeout"),
        ephemeral_storage_mb=(cfg.get("EphemeralStorage") or {}).get("Size"),
        architectures=cfg.get("Architectures", []),
        state=cfg.get("State"),
        state_reason=text_of(cfg.get("StateReason")) or None,
        last_update_status=cfg.get("LastUpdateStatus"),
        last_update_reason=text_of(cfg.get("LastUpdateStatusReason")) or None,
        last_modified=modified,
        changed_recently=modified is not None and ctx.now - modified <= timedelta(hours=args.recent_hours),
        code_sha256=cfg.get("CodeSha256"),
        reserved_concurrency=concurrency.get("ReservedConcurrentExecutions"),
        env_var_names=sorted((cfg.get("Environment") or {}).get("Variables", {})),
        layers=[layer.get("Arn", "") for layer in cfg.get("Layers", [])],
        vpc_subnets=vpc.get("SubnetIds", []),
        vpc_security_groups=vpc.get("SecurityGroupIds", []),
        role=cfg.get("Role"),
        dead_letter_target=(cfg.get("DeadLetterConfig") or {}).get("TargetArn"),
    )


MAX_MAPPINGS = 50  # event-source mappings listed (context budget)


class Mapping(BaseModel):
    """One Lambda event-source mapping: a poller that reads a queue or stream and invokes a function."""

    uuid: str
    function: str | None
    source: str | None = Field(description="the queue, stream or table stream ARN it reads")
    state: str | None = Field(description="Enabled, Disabled, Creating, Updating, ...")
    state_reason: str | None
    last_processing_result: str | None = Field(description="e.g. OK, PROBLEM: Function call failed")
    batch_size: int | None
    batching_window_s: int | None
    maximum_concurrency: int | None
    last_modified: datetime | None
    filters: list[str] = Field(description="filter criteria patterns: events matching none are dropped")

    def line(self) -> str:
        source = (self.source or "?").rsplit(":", 1)[-1]
        function = (self.function or "?").split(":function:")[-1]
        extra = f", filters {' | '.join(self.filters)}" if self.filters else ""
        concurrency = f", max concurrency {self.maximum_concurrency}" if self.maximum_concurrency else ""
        return (
            f"{source} -> {function} {self.state} (last result {self.last_processing_result}, "
            f"batch {self.batch_size}{concurrency}{extra})"
        )


def mapping_of(m: dict[str, Any]) -> Mapping:
    return Mapping(
        uuid=m["UUID"],
        function=m.get("FunctionArn"),
        source=m.get("EventSourceArn"),
        state=m.get("State"),
        state_reason=text_of(m.get("StateTransitionReason")) or None,
        last_processing_result=text_of(m.get("LastProcessingResult")) or None,
        batch_size=m.get("BatchSize"),
        batching_window_s=m.get("MaximumBatchingWindowInSeconds"),
        maximum_concurrency=(m.get("ScalingConfig") or {}).get("MaximumConcurrency"),
        last_modified=m.get("LastModified"),
        filters=[text_of(f.get("Pattern")) for f in (m.get("FilterCriteria") or {}).get("Filters", [])][:5],
    )


class EventSourceMappingsInput(BaseModel):
    """Arguments of event_source_mappings."""

    function: str | None = Field(default=None, max_length=170, description="the function's name or ARN")
    source_arn: str | None = Field(
        default=None, max_length=1000, description="the queue, stream or table stream ARN"
    )


class EventSourceMappings(ToolOutput):
    mappings: list[Mapping]

    def summary(self) -> str:
        if not self.mappings:
            return "no event-source mappings"
        return f"{len(self.mappings)} event-source mappings: " + "; ".join(
            m.line() for m in self.mappings[:10]
        )

    def is_empty(self) -> bool:
        return not self.mappings


@tool
def event_source_mappings(ctx: ToolContext, args: EventSourceMappingsInput) -> EventSourceMappings:
    """List the Lambda event-source mappings of a function or of a source (SQS queue, Kinesis or
    DynamoDB stream): which source feeds which function, whether the mapping is enabled, its last
    processing result, batch size, maximum concurrency and filter patterns (filtered-out events are
    dropped, never retried). Give a function, a source ARN, or both.

    Args:
        function: the function's name or ARN.
        source_arn: the queue, stream or table stream ARN.
    """
    params: dict[str, Any] = {}
    if args.function:
        params["FunctionName"] = args.function
    if args.source_arn:
        params["EventSourceArn"] = args.source_arn
    found, more = ctx.aws.collect(
        "lambda",
        "ListEventSourceMappings",
        "EventSourceMappings",
        max_items=MAX_MAPPINGS,
        in_token="Marker",
        out_token="NextMarker",
        **params,
    )
    return EventSourceMappings(mappings=[mapping_of(m) for m in found], has_more=more, total=len(found))


# --- runtime versions ------------------------------------------------------------------------------

# Lambda writes the runtime version each execution environment started on in its INIT_START line
# ("INIT_START Runtime Version: python:3.11.v39\tRuntime Version ARN: arn:aws:lambda:...::runtime:...").
# With the default runtime management mode (Auto) AWS moves functions to new runtime versions itself, and
# that line is the only record of it: there is no CloudTrail event.
RUNTIME_QUERY = (
    "filter @message like /INIT_START Runtime Version/ "
    "| parse @message /Runtime Version: (?<version>\\S+)\\s+Runtime Version ARN: (?<version_arn>\\S+)/ "
    "| stats count(*) as inits, min(@timestamp) as first, max(@timestamp) as last by version, version_arn"
)
MAX_VERSIONS = 20


class RuntimeVersionsInput(Window):
    """Arguments of runtime_versions."""

    function: str = Field(min_length=1, max_length=170, description="the function's name")
    baseline_hours: float = Field(default=24, gt=0, le=24 * 14, description="hours read before start")


class RuntimeVersion(BaseModel):
    version: str = Field(description="e.g. python:3.11.v39")
    arn: str = Field(description="the runtime version's ARN")
    inits: int = Field(description="execution environments started on it in the range read")
    first: datetime
    last: datetime


class RuntimeVersions(ToolOutput):
    function: str
    log_group: str
    versions: list[RuntimeVersion] = Field(description="oldest first seen first")
    status: str

    def summary(self) -> str:
        if not self.versions:
            return f"{self.function}: no INIT_START lines in {self.log_group} (status {self.status})"
        return f"{self.function} started on " + "; ".join(
            f"{v.version} x{v.inits} from {v.first:%m-%d %H:%M} to {v.last:%m-%d %H:%M}"
            for v in self.versions
        )

    def is_empty(self) -> bool:
        return not self.versions


@tool
def runtime_versions(ctx: ToolContext, args: RuntimeVersionsInput) -> RuntimeVersions:
    """Which Lambda runtime versions a function's execution environments started on, and when each was
    first and last seen, from its INIT_START log lines: a function moved to a new runtime version by AWS
    (runtime management mode Auto) shows only there.

    Args:
        function: the function's name.
        start: window start.
        end: window end.
        baseline_hours: hours before start also read, to know the version it ran before.
    """
    from tools.logs import insights_time, run_insights

    group = f"/aws/lambda/{args.function}"
    rows, _, status = run_insights(
        ctx, [group], RUNTIME_QUERY, args.start - timedelta(hours=args.baseline_hours), args.end, MAX_VERSIONS
    )
    versions = [
        RuntimeVersion(
            version=r.get("version", "").strip(),
            arn=r.get("version_arn", "").strip(),
            inits=int(float(r.get("inits") or 0)),
            first=insights_time(r["first"]),
            last=insights_time(r["last"]),
        )
        for r in rows
        if r.get("version_arn") and r.get("first") and r.get("last")
    ]
    versions.sort(key=lambda v: v.first)
    return RuntimeVersions(function=args.function, log_group=group, versions=versions, status=status)
