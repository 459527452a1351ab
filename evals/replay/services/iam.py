"""IAM: roles and their inline and attached policies, as the bundle captured them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

LIST_DEFAULT = 100  # IAM list calls return 100 items unless MaxItems says otherwise


def _policy_text(document: dict[str, Any] | str) -> str:
    """A policy document as IAM sends it: URL-encoded JSON (botocore decodes it back to a dict)."""
    if isinstance(document, dict):
        return quote(json.dumps(document), safe="")
    return document if document.lstrip().startswith("%") else quote(document, safe="")


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()  # IAM names are unique regardless of case


def _role(ctx: ReplayContext, name: str) -> dict[str, Any] | None:
    """The role, or an empty stand-in when the bundle holds only its policies; None if unknown."""
    for role in ctx.resources("iam", "Role"):
        if _same(role["RoleName"], name):
            return role
    for kind in ("RoleInlinePolicy", "RoleAttachedPolicy"):
        if any(_same(p["RoleName"], name) for p in ctx.resources("iam", kind)):
            return {}
    return None


def _require_role(ctx: ReplayContext, name: str) -> dict[str, Any]:
    role = _role(ctx, name)
    if role is None:
        raise AwsError("NoSuchEntity", f"The role with name {name} cannot be found.", 404)
    return role


def _page(ctx: ReplayContext, params: dict[str, Any], key: str, items: list[Any]) -> dict[str, Any]:
    request = {k: v for k, v in params.items() if k not in ("Marker", "MaxItems")}
    page, marker = ctx.page(
        items,
        params.get("Marker"),
        params.get("MaxItems", LIST_DEFAULT),
        request=request,
        error_code="InvalidInput",
    )
    out: dict[str, Any] = {key: page, "IsTruncated": marker is not None}
    if marker:
        out["Marker"] = marker
    return out


@operation("iam", "GetRole")
def get_role(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    role = _require_role(ctx, params["RoleName"])
    if not role:
        # The role exists (its policies are here) but the bundle lacks its description: do not guess.
        raise ReplayUnsupported(
            "iam", "GetRole", f"the bundle has policies of {params['RoleName']} but not the role"
        )
    item = dict(role)
    if "AssumeRolePolicyDocument" in item:
        item["AssumeRolePolicyDocument"] = _policy_text(item["AssumeRolePolicyDocument"])
    return {"Role": to_parsed("iam", "Role", item)}


@operation("iam", "GetInstanceProfile")
def get_instance_profile(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["InstanceProfileName"]
    profiles = ctx.resources("iam", "InstanceProfile")
    for profile in profiles:
        if _same(profile["InstanceProfileName"], name):
            return {"InstanceProfile": to_parsed("iam", "InstanceProfile", profile)}
    if not profiles:
        # The bundle captured no instance profiles: whether this one exists, and with which role, it
        # cannot say.
        raise ReplayUnsupported("iam", "GetInstanceProfile", "the bundle holds no instance profiles")
    raise AwsError("NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)


@operation("iam", "GetRolePolicy")
def get_role_policy(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    role_name, policy_name = params["RoleName"], params["PolicyName"]
    _require_role(ctx, role_name)
    for policy in ctx.resources("iam", "RoleInlinePolicy"):
        if _same(policy["RoleName"], role_name) and _same(policy["PolicyName"], policy_name):
            return {
                "RoleName": policy["RoleName"],
                "PolicyName": policy["PolicyName"],
                "PolicyDocument": _policy_text(policy["PolicyDocument"]),
            }
    raise AwsError("NoSuchEntity", f"The role policy with name {policy_name} cannot be found.", 404)


@operation("iam", "ListRolePolicies")
def list_role_policies(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    role_name = params["RoleName"]
    _require_role(ctx, role_name)
    names = [
        p["PolicyName"] for p in ctx.resources("iam", "RoleInlinePolicy") if _same(p["RoleName"], role_name)
    ]
    return _page(ctx, params, "PolicyNames", names)


def _policy_path(arn: str) -> str:
    """arn:aws:iam::aws:policy/service-role/Name -> /service-role/"""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    parts = resource.split("/")[1:-1]
    return "/" + "".join(f"{p}/" for p in parts)


@operation("iam", "ListAttachedRolePolicies")
def list_attached_role_policies(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    role_name = params["RoleName"]
    _require_role(ctx, role_name)
    prefix = params.get("PathPrefix", "/")
    attached = [
        {"PolicyName": p["PolicyName"], "PolicyArn": p["PolicyArn"]}
        for p in ctx.resources("iam", "RoleAttachedPolicy")
        if _same(p["RoleName"], role_name) and _policy_path(p["PolicyArn"]).startswith(prefix)
    ]
    return _page(ctx, params, "AttachedPolicies", attached)
