"""S3: a bucket's policy and public-access settings, from `s3/Bucket`, `s3/BucketPolicy` and
`s3/BucketPublicAccessBlock` items. Objects are never in a bundle and never answered."""

from __future__ import annotations

import json
from typing import Any

from evals.bundle.shapes import to_datetime
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation


def _one(ctx: ReplayContext, type_: str, bucket: str) -> dict[str, Any] | None:
    return next((i for i in ctx.resources("s3", type_) if i["Bucket"] == bucket), None)


def _exists(ctx: ReplayContext, bucket: str) -> None:
    """A bucket exists when the bundle lists it, or holds any setting of it (created by `now`)."""
    for b in ctx.resources("s3", "Bucket"):
        if b.get("Name") == bucket:
            if b.get("CreationDate") and to_datetime(b["CreationDate"]) > ctx.now:
                break
            return
    else:
        if _one(ctx, "BucketPolicy", bucket) or _one(ctx, "BucketPublicAccessBlock", bucket):
            return
    raise AwsError("NoSuchBucket", "The specified bucket does not exist", 404)


@operation("s3", "GetBucketPolicy")
def get_bucket_policy(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _exists(ctx, params["Bucket"])
    found = _one(ctx, "BucketPolicy", params["Bucket"])
    if found is None:
        raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
    policy = found["Policy"]
    return {"Policy": policy if isinstance(policy, str) else json.dumps(policy)}


@operation("s3", "GetPublicAccessBlock")
def get_public_access_block(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _exists(ctx, params["Bucket"])
    found = _one(ctx, "BucketPublicAccessBlock", params["Bucket"])
    if found is None:
        raise AwsError(
            "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404
        )
    return {"PublicAccessBlockConfiguration": {k: v for k, v in found.items() if k != "Bucket"}}
