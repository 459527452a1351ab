"""DynamoDB replay: DescribeTable by name and ARN, cross-checked with moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from tests.conftest import make_bundle

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def _table(status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "service": "dynamodb",
        "type": "TableDescription",
        "item": {
            "TableName": "orders",
            "TableArn": TABLE_ARN,
            "TableStatus": status,
            "CreationDateTime": "2024-01-01T00:00:00Z",
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 5,
                "WriteCapacityUnits": 5,
                "NumberOfDecreasesToday": 0,
            },
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    }


def test_describe_table_by_name_and_arn(replay: Callable[..., Any]) -> None:
    session, _ = replay({"resources": [_table()]})
    ddb = session.client("dynamodb")
    table = ddb.describe_table(TableName="orders")["Table"]
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert table["CreationDateTime"].year == 2024 and table["CreationDateTime"].tzinfo is not None
    assert ddb.describe_table(TableName=TABLE_ARN)["Table"]["TableName"] == "orders"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as err:
        ddb.describe_table(TableName="Orders")  # table names are case-sensitive
    assert err.value.response["Error"]["Message"] == "Requested resource not found: Table: Orders not found"


def test_describe_table_matches_moto(moto_session: Callable[[str], Any]) -> None:
    moto = moto_session("dynamodb")
    moto.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 3},
    )
    want = moto.describe_table(TableName="orders")["Table"]
    session, _ = replay_session(
        make_bundle({"resources": [{"service": "dynamodb", "type": "TableDescription", "item": want}]})
    )
    ours = session.client("dynamodb")
    assert ours.describe_table(TableName="orders")["Table"] == want  # NumberOfDecreasesToday 0 included
    errors = []
    for client in (moto, ours):
        with pytest.raises(ClientError) as err:
            client.describe_table(TableName="missing")
        errors.append(err.value.response["Error"]["Code"])
    assert errors == ["ResourceNotFoundException", "ResourceNotFoundException"]
