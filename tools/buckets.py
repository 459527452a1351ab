"""S3 bucket access tool: a bucket's policy and public-access settings (never its objects); and buckets
as nodes of the resource graph, linked to the VPC endpoints their policies name."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.errors import classify
from tools.policies import Statement, network_findings, parse_policy
from tools.registry import ToolContext, tool
from tools.resource_graph import Node, cut
from tools.resource_walk import GraphWalk
from tools.result import ToolOutput

_BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


class BucketAccessInput(BaseModel):
    """Arguments of bucket_access."""

    bucket: str = Field(
        min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+$", description="the bucket's name"
    )


class BucketAccess(ToolOutput):
    bucket: str
    policy: list[Statement] = Field(description="the bucket policy's statements; empty when it has none")
    has_policy: bool
    public_access_block: dict[str, bool] | None = Field(
        description="the bucket's four settings; None: not set"
    )
    findings: list[str]

    def summary(self) -> str:
        parts = [
            f"bucket {self.bucket}: "
            + (f"policy of {len(self.policy)} statement(s)" if self.has_policy else "no bucket policy")
        ]
        parts += [s.line() for s in self.policy[:8]]
        if self.public_access_block is None:
            parts.append("no bucket-level public access block")
        else:
            on = [k for k in _BLOCKS if self.public_access_block.get(k)]
            parts.append(f"public access block: {', '.join(on) or 'all off'}")
        if self.findings:
            parts.append("attention: " + "; ".join(self.findings))
        return ". ".join(parts)


def _absent(exc: ClientError) -> bool:
    failure = classify(exc)
    return failure is not None and failure.code in (
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
    )


def read_bucket(call: Any, bucket: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(policy page, public-access page) of a bucket; None for a setting it does not have. A missing
    bucket, or a refused read, raises."""
    try:
        policy = call("s3", "GetBucketPolicy", Bucket=bucket)
    except ClientError as exc:
        if not _absent(exc):
            raise
        policy = None
    try:
        block = call("s3", "GetPublicAccessBlock", Bucket=bucket)
    except ClientError as exc:
        if not _absent(exc):
            raise
        block = None
    return policy, block


def findings_of(statements: list[Statement], block: dict[str, bool] | None) -> list[str]:
    out = network_findings(statements)
    public = [s for s in statements if s.effect == "Allow" and "*" in s.principals and not s.conditions]
    if public:
        held = block is not None and block.get("RestrictPublicBuckets")
        out.append(
            f"allows everyone {','.join(public[0].actions)}"
            + (" (RestrictPublicBuckets limits it to AWS principals of this account)" if held else "")
        )
    return out


@tool
def bucket_access(ctx: ToolContext, args: BucketAccessInput) -> BucketAccess:
    """Show who may reach an S3 bucket: its bucket policy, read as statements (effect, principals,
    actions, resources, conditions), and its public-access block settings. Objects are never listed
    or read. A Deny that holds unless a request comes through one VPC endpoint, VPC or address
    range refuses every caller on another path.

    Args:
        bucket: the bucket's name.
    """
    policy, block = read_bucket(ctx.aws.call, args.bucket)
    statements, problem = parse_policy(policy["Policy"]) if policy else ([], None)
    settings = dict(block["PublicAccessBlockConfiguration"]) if block else None
    findings = ([problem] if problem else []) + findings_of(statements, settings)
    return BucketAccess(
        bucket=args.bucket,
        policy=statements,
        has_policy=policy is not None,
        public_access_block=settings,
        findings=findings,
    )


# --- the resource graph ---------------------------------------------------------------------------


def walk_buckets(walk: GraphWalk, names: list[str]) -> None:
    """Buckets as nodes with their policy summarised; a policy naming a VPC endpoint links to it."""

    def call(service: str, op: str, **params: Any) -> dict[str, Any] | None:
        return walk.ctx.aws.call(service, op, **params)

    for name in names:
        try:
            policy, block = read_bucket(call, name)
        except ClientError as exc:
            failure = classify(exc)
            if failure is None or failure.verdict not in ("denied", "no_data"):
                raise
            walk.gaps.append(f"s3 bucket {name}: {failure.code}")
            if failure.verdict == "denied":
                walk.denied.append(exc)
            continue
        statements, problem = parse_policy(policy["Policy"]) if policy else ([], None)
        settings = dict(block["PublicAccessBlockConfiguration"]) if block else None
        found = ([problem] if problem else []) + findings_of(statements, settings)
        attrs = {
            "arn": f"arn:aws:s3:::{name}",
            "policy": cut(" | ".join(s.line() for s in statements) or "none"),
            "public_access_block": ",".join(k for k in _BLOCKS if (settings or {}).get(k)) or "none",
        }
        if found:
            attrs["warning"] = cut("; ".join(found))
        if not walk.add(Node(kind="s3_bucket", id=name, name=name, state="available", attrs=attrs)):
            return
        for s in statements:
            for _, key, values in s.network_tests():
                for v in values:
                    if key == "aws:sourcevpce" and v.startswith("vpce-"):
                        walk.want("vpc_endpoint", v)
                        walk.link(name, v, "policy_names")
                    elif key == "aws:sourcevpc" and v.startswith("vpc-"):
                        walk.want("vpc", v)
                        walk.link(name, v, "policy_names")
