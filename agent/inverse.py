"""The call that undoes a change, built from its CloudTrail record.

A rollback is only useful with the real identifiers in it: the role and policy that were detached, the
instance that was stopped. Values come from the record's request parameters and are shell-quoted; what the
record cannot know (a previous value it did not carry) stays a visible `<placeholder>`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from agent.analyzers.changes import base_action, request_params

Params = dict[str, Any]


def _q(value: Any) -> str:
    return shlex.quote(str(value))


def _first(params: Params, *keys: str) -> Any:
    for key in keys:
        value = params.get(key)
        if isinstance(value, str | int) and str(value):
            return value
    return None


def _instances(params: Params) -> list[str]:
    items = (params.get("instancesSet") or {}).get("items") or []
    return [str(i["instanceId"]) for i in items if isinstance(i, dict) and i.get("instanceId")]


def _role_policy(p: Params) -> str | None:
    role, arn = _first(p, "roleName"), _first(p, "policyArn")
    if role and arn:
        return f"aws iam attach-role-policy --role-name {_q(role)} --policy-arn {_q(arn)}"
    return None


def _start(p: Params) -> str | None:
    ids = _instances(p)
    return f"aws ec2 start-instances --instance-ids {' '.join(_q(i) for i in ids)}" if ids else None


def _enable_key(p: Params) -> str | None:
    key = _first(p, "keyId")
    return f"aws kms enable-key --key-id {_q(key)}" if key else None


def _cancel_deletion(p: Params) -> str | None:
    key = _first(p, "keyId")
    return f"aws kms cancel-key-deletion --key-id {_q(key)}" if key else None


def _concurrency(p: Params) -> str | None:
    fn = _first(p, "functionName")
    if not fn:
        return None
    return (
        f"aws lambda put-function-concurrency --function-name {_q(fn)} "
        "--reserved-concurrent-executions <previous-value>  "
        f"# or: aws lambda delete-function-concurrency --function-name {_q(fn)}"
    )


def _table(p: Params) -> str | None:
    table = _first(p, "tableName")
    if not table:
        return None
    return (
        f"aws dynamodb update-table --table-name {_q(table)} "
        "--provisioned-throughput ReadCapacityUnits=<previous>,WriteCapacityUnits=<previous>"
    )


def _register(p: Params) -> str | None:
    group = _first(p, "targetGroupArn")
    targets = [t.get("id") for t in p.get("targets") or [] if isinstance(t, dict) and t.get("id")]
    if group and targets:
        return f"aws elbv2 register-targets --target-group-arn {_q(group)} --targets " + " ".join(
            f"Id={_q(t)}" for t in targets
        )
    return None


_INVERSES: dict[str, Callable[[Params], str | None]] = {
    "DetachRolePolicy": _role_policy,
    "StopInstances": _start,
    "DisableKey": _enable_key,
    "ScheduleKeyDeletion": _cancel_deletion,
    "PutFunctionConcurrency": _concurrency,
    "UpdateTable": _table,
    "DeregisterTargets": _register,
}


def inverse_command(facts: dict[str, Any]) -> str:
    """A command that undoes the change in `facts` (a change evidence's facts), or the CloudTrail lookup
    that shows exactly what it changed, when no inverse can be built from the record alone."""
    action = base_action(str(facts.get("action", "")))
    params = request_params(str(facts.get("params") or "{}"))
    build = _INVERSES.get(action)
    built = build(params) if build else None
    if built:
        return built
    event = facts.get("event_id")
    lookup = (
        f"aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={_q(event)}"
        if event
        else "aws cloudtrail lookup-events"
    )
    return f"{lookup}  # shows the {action or 'change'} request; re-apply its previous value"
