"""KMS: key metadata and aliases, as the bundle captured them (aliases come from kms/AliasListEntry items)."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

ALIAS_PAGE_DEFAULT = 50
ALIAS_PAGE_MAX = 100  # ListAliases accepts a Limit up to 1000 but returns at most 100


def _keys(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Keys created by now."""
    return [
        k
        for k in ctx.resources("kms", "KeyMetadata")
        if "CreationDate" not in k or to_datetime(k["CreationDate"]) <= ctx.now
    ]


def _alias_arn(ctx: ReplayContext, name: str) -> str:
    return f"arn:aws:kms:{ctx.region}:{ctx.account_id}:{name}"


def _find_key(ctx: ReplayContext, ref: str) -> dict[str, Any]:
    """A key by id, key ARN, alias name or alias ARN; NotFoundException as KMS words it."""
    if ref.startswith("alias/") or ":alias/" in ref:
        name = ref if ref.startswith("alias/") else ref.split(":", 5)[5]
        arn = _alias_arn(ctx, name) if ref.startswith("alias/") else ref
        targets = [
            a.get("TargetKeyId")
            for a in ctx.resources("kms", "AliasListEntry")
            if a.get("AliasArn", _alias_arn(ctx, a["AliasName"])) == arn
        ]
        keys = [k for k in _keys(ctx) if k["KeyId"] in targets]
        if not keys:
            raise AwsError("NotFoundException", f"Alias {arn} is not found.")
        return keys[0]
    for key in _keys(ctx):
        if ref in (key["KeyId"], key.get("Arn")):
            return key
    arn = ref if ref.startswith("arn:") else f"arn:aws:kms:{ctx.region}:{ctx.account_id}:key/{ref}"
    raise AwsError("NotFoundException", f"Key '{arn}' does not exist")


@operation("kms", "DescribeKey")
def describe_key(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"KeyMetadata": to_parsed("kms", "KeyMetadata", _find_key(ctx, params["KeyId"]))}


@operation("kms", "ListAliases")
def list_aliases(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    aliases = ctx.resources("kms", "AliasListEntry")
    if "KeyId" in params:
        key = _find_key(ctx, params["KeyId"])
        aliases = [a for a in aliases if a.get("TargetKeyId") == key["KeyId"]]
    size = min(params.get("Limit", ALIAS_PAGE_DEFAULT), ALIAS_PAGE_MAX)
    request = {k: v for k, v in params.items() if k not in ("Marker", "Limit")}
    page, marker = ctx.page(
        aliases, params.get("Marker"), size, request=request, error_code="InvalidMarkerException"
    )
    out: dict[str, Any] = {
        "Aliases": [to_parsed("kms", "AliasListEntry", a) for a in page],
        "Truncated": marker is not None,
    }
    if marker:
        out["NextMarker"] = marker
    return out
