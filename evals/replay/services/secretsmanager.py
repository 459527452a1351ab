"""Secrets Manager: secret metadata, rotation and version stages, from `secretsmanager/SecretListEntry`
and `secretsmanager/SecretVersion` items. Secret values are never in a bundle and never answered."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

PAGE_DEFAULT = 100  # ListSecrets and ListSecretVersionIds return at most 100 a call
PAGE_MAX = 100

# ListSecrets filter keys: all prefix matches, case-sensitive except `description`.
_FILTER_FIELDS = {
    "name": lambda s: [s.get("Name", "")],
    "description": lambda s: [s.get("Description", "")],
    "tag-key": lambda s: [t.get("Key", "") for t in s.get("Tags", [])],
    "tag-value": lambda s: [t.get("Value", "") for t in s.get("Tags", [])],
    "primary-region": lambda s: [s.get("PrimaryRegion", "")],
    "owning-service": lambda s: [s.get("OwningService", "")],
}


def _secrets(ctx: ReplayContext) -> list[dict[str, Any]]:
    """Secrets created by now."""
    return [
        s
        for s in ctx.resources("secretsmanager", "SecretListEntry")
        if "CreatedDate" not in s or to_datetime(s["CreatedDate"]) <= ctx.now
    ]


def _not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def find_secret(ctx: ReplayContext, ref: str) -> dict[str, Any]:
    """A secret by name, full ARN, or ARN without the random 6-character suffix (as AWS accepts)."""
    for s in _secrets(ctx):
        arn = str(s.get("ARN", ""))
        if ref in (s.get("Name"), arn) or (ref.startswith("arn:") and arn.rsplit("-", 1)[0] == ref):
            return s
    raise _not_found()


def _versions(ctx: ReplayContext, secret: dict[str, Any]) -> list[dict[str, Any]]:
    """The secret's versions: `SecretVersion` items, else the stages its list entry names."""
    ids = {secret.get("ARN"), secret.get("Name")}
    items = [
        {k: v for k, v in v.items() if k != "SecretId"}
        for v in ctx.resources("secretsmanager", "SecretVersion")
        if v["SecretId"] in ids
    ]
    items = [v for v in items if "CreatedDate" not in v or to_datetime(v["CreatedDate"]) <= ctx.now]
    if items:
        return items
    return [
        {"VersionId": vid, "VersionStages": stages}
        for vid, stages in (secret.get("SecretVersionsToStages") or {}).items()
    ]


def _stages(ctx: ReplayContext, secret: dict[str, Any]) -> dict[str, list[str]]:
    return {v["VersionId"]: v["VersionStages"] for v in _versions(ctx, secret) if v.get("VersionStages")}


def _matches(secret: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for f in filters:
        key = f.get("Key")
        if key not in _FILTER_FIELDS:
            raise ReplayUnsupported("secretsmanager", "ListSecrets", f"filter key {key!r}")
        fields = _FILTER_FIELDS[key](secret)
        fold = key == "description"
        hit = False
        for value in f.get("Values", []):
            negate = value.startswith("!")
            prefix = value[1:] if negate else value
            found = any(
                (x.lower() if fold else x).startswith(prefix.lower() if fold else prefix) for x in fields
            )
            hit = hit or (found != negate)
        if not hit:
            return False
    return True


def _size(params: dict[str, Any]) -> int:
    size = params.get("MaxResults", PAGE_DEFAULT)
    if not 1 <= size <= PAGE_MAX:
        raise AwsError("InvalidParameterException", f"MaxResults must be between 1 and {PAGE_MAX}.")
    return int(size)


@operation("secretsmanager", "ListSecrets")
def list_secrets(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    found = [s for s in _secrets(ctx) if _matches(s, params.get("Filters", []))]
    if not params.get("IncludePlannedDeletion"):
        found = [s for s in found if not s.get("DeletedDate")]
    if params.get("SortOrder") or params.get("SortBy"):
        key = {
            "name": "Name",
            "last-accessed-date": "LastAccessedDate",
            "last-changed-date": "LastChangedDate",
        }
        field = key.get(params.get("SortBy", ""), "CreatedDate")
        found = sorted(found, key=lambda s: str(s.get(field, "")), reverse=params.get("SortOrder") == "desc")
    request = {k: v for k, v in params.items() if k != "NextToken"}
    page, token = ctx.page(
        found, params.get("NextToken"), _size(params), request=request, error_code="InvalidNextTokenException"
    )
    out: dict[str, Any] = {
        "SecretList": [
            to_parsed("secretsmanager", "SecretListEntry", {**s, "SecretVersionsToStages": _stages(ctx, s)})
            for s in page
        ]
    }
    if token:
        out["NextToken"] = token
    return out


@operation("secretsmanager", "DescribeSecret")
def describe_secret(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    secret = find_secret(ctx, params["SecretId"])
    entry = {k: v for k, v in secret.items() if k != "SecretVersionsToStages"}
    out = dict(to_parsed("secretsmanager", "SecretListEntry", entry))
    stages = _stages(ctx, secret)
    if stages:
        out["VersionIdsToStages"] = stages
    return out


@operation("secretsmanager", "ListSecretVersionIds")
def list_secret_version_ids(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    secret = find_secret(ctx, params["SecretId"])
    versions = _versions(ctx, secret)
    if not params.get("IncludeDeprecated"):
        versions = [v for v in versions if v.get("VersionStages")]
    request = {k: v for k, v in params.items() if k != "NextToken"}
    page, token = ctx.page(
        versions,
        params.get("NextToken"),
        _size(params),
        request=request,
        error_code="InvalidNextTokenException",
    )
    out: dict[str, Any] = {
        "Versions": [to_parsed("secretsmanager", "SecretVersionsListEntry", v) for v in page],
        "ARN": secret["ARN"],
        "Name": secret["Name"],
    }
    if token:
        out["NextToken"] = token
    return out
