"""STS: who the investigator is, as the bundle's account."""

from __future__ import annotations

from typing import Any

from evals.replay.context import ReplayContext
from evals.replay.registry import operation


@operation("sts", "GetCallerIdentity")
def get_caller_identity(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "UserId": "AROAREPLAYREPLAYREPLAY:sleuth",
        "Account": ctx.account_id,
        "Arn": f"arn:aws:sts::{ctx.account_id}:assumed-role/sleuth-readonly/sleuth",
    }
