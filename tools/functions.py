"""Lambda tool: a function's configuration, reserved concurrency and when it last changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.state import text_of


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
