"""DynamoDB: table descriptions, as the bundle captured them."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation


@operation("dynamodb", "DescribeTable")
def describe_table(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    ref = params["TableName"]  # a table name or its ARN
    for table in ctx.resources("dynamodb", "TableDescription"):
        if ref in (table.get("TableName"), table.get("TableArn")):
            return {"Table": to_parsed("dynamodb", "TableDescription", table)}
    name = ref.split(":table/", 1)[1] if ":table/" in ref else ref
    raise AwsError("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")
