"""The Lambda's investigation store: one DynamoDB table, claims made atomic by conditional writes.

Table: partition key `pk` (string), TTL attribute `expires_at`. Items:
- `inv#<dedupe key>`: the latest investigation for that key (id, status, started_at, alarms set, result).
- `window#<epoch start>`: how many investigations started in that cap window.
- `unprocessed#<time>#<digest>`: an event that could not be used, kept whole.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from botocore.exceptions import ClientError

from agent.triggers.dedupe import (
    Claim,
    DedupePolicy,
    Investigation,
    Status,
    Unprocessed,
    investigation_id,
    raw_text,
)

KEEP = timedelta(days=2)  # items outlive every window that reads them; TTL then removes them
_ATTEMPTS = 5  # a claim loses a race at most a few times: each loss means another worker just won


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float | int) -> dict[str, str]:
    return {"N": str(Decimal(str(value)))}


class DynamoDBStore:
    """Investigation store in a DynamoDB table, shared by concurrent Lambda invocations."""

    def __init__(self, client: Any, table: str, policy: DedupePolicy | None = None) -> None:
        self.client = client
        self.table = table
        self.policy = policy or DedupePolicy()

    def claim(
        self, key: str, alarm: str, at: datetime, payload: str = "", arrived: datetime | None = None
    ) -> Claim:
        cutoff = _n((at - timedelta(minutes=self.policy.dedupe_minutes)).timestamp())
        pk = _s(f"inv#{key}")
        inv = investigation_id(key, at)
        for _ in range(_ATTEMPTS):
            try:
                # The same key at the same moment is the same investigation, even with a dedupe window of 0.
                item = self.client.update_item(
                    TableName=self.table,
                    Key={"pk": pk},
                    UpdateExpression="ADD alarms :alarm",
                    ConditionExpression="attribute_exists(pk) AND (started_at > :cutoff OR #id = :inv)",
                    ExpressionAttributeNames={"#id": "id"},
                    ExpressionAttributeValues={":alarm": {"SS": [alarm]}, ":cutoff": cutoff, ":inv": _s(inv)},
                    ReturnValues="ALL_NEW",
                )["Attributes"]
                return Claim("joined", item["id"]["S"], key, len(item["alarms"]["SS"]))
            except ClientError as exc:
                if not _conditional_failed(exc):
                    raise
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item={
                        "pk": pk,
                        "id": _s(inv),
                        "key": _s(key),
                        "status": _s("pending"),
                        "started_at": _n(at.timestamp()),
                        "alarms": {"SS": [alarm]},
                        "payload": _s(payload),
                        "arrived_at": _n((arrived or at).timestamp()),
                        "expires_at": _n(int((max(at, arrived or at) + KEEP).timestamp())),
                    },
                    ConditionExpression="attribute_not_exists(pk) OR (started_at <= :cutoff AND #id <> :inv)",
                    ExpressionAttributeNames={"#id": "id"},
                    ExpressionAttributeValues={":cutoff": cutoff, ":inv": _s(inv)},
                )
            except ClientError as exc:
                if _conditional_failed(exc):
                    continue  # another worker started this key a moment ago: join it
                raise
            status: Status = "running" if self._take_slot(arrived or at) else "queued"
            self.client.update_item(
                TableName=self.table,
                Key={"pk": pk},
                UpdateExpression="SET #status = :status",
                ConditionExpression="#id = :id",
                ExpressionAttributeNames={"#status": "status", "#id": "id"},
                ExpressionAttributeValues={":status": _s(status), ":id": _s(inv)},
            )
            return Claim("started" if status == "running" else "queued", inv, key, 1)
        raise RuntimeError(f"could not claim {key!r} after {_ATTEMPTS} attempts")

    def _take_slot(self, at: datetime) -> bool:
        if self.policy.cap == 0:
            return False  # the condition below lets the first start of a window through
        window = self.policy.window_of(at)
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"pk": _s(f"window#{window}")},
                UpdateExpression="ADD started :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(started) OR started < :cap",
                ExpressionAttributeValues={
                    ":one": _n(1),
                    ":cap": _n(self.policy.cap),
                    ":expires": _n(int((at + KEEP).timestamp())),
                },
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def _release_slot(self, at: datetime) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"pk": _s(f"window#{self.policy.window_of(at)}")},
            UpdateExpression="ADD started :minus_one",
            ExpressionAttributeValues={":minus_one": _n(-1)},
        )

    def take_queued(self, at: datetime) -> Investigation | None:
        for inv in (i for i in self.investigations() if i.status == "queued"):
            if not self._take_slot(at):
                return None
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key={"pk": _s(f"inv#{inv.key}")},
                    UpdateExpression="SET #status = :running",
                    ConditionExpression="#id = :id AND #status = :queued",
                    ExpressionAttributeNames={"#status": "status", "#id": "id"},
                    ExpressionAttributeValues={
                        ":running": _s("running"),
                        ":queued": _s("queued"),
                        ":id": _s(inv.id),
                    },
                )
            except ClientError as exc:
                if not _conditional_failed(exc):
                    raise
                self._release_slot(at)  # another worker took this one first: give the slot back
                continue
            inv.status = "running"
            return inv
        return None

    def finish(self, claim: Claim, status: Status, result: dict[str, Any]) -> None:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"pk": _s(f"inv#{claim.key}")},
                UpdateExpression="SET #status = :status, #result = :result",
                ConditionExpression="#id = :id",
                ExpressionAttributeNames={"#status": "status", "#result": "result", "#id": "id"},
                ExpressionAttributeValues={
                    ":status": _s(status),
                    ":result": _s(json.dumps(result, default=str)),
                    ":id": _s(claim.investigation_id),
                },
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            # A later investigation of this key replaced the item; this result has been delivered already.

    def record_unprocessed(self, raw: Any, error: str, at: datetime) -> None:
        text = raw_text(raw)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.client.put_item(
            TableName=self.table,
            Item={
                "pk": _s(f"unprocessed#{at.astimezone(UTC).isoformat()}#{digest}"),
                "at": _n(at.timestamp()),
                "error": _s(error),
                "raw": _s(text),
                "expires_at": _n(int((at + KEEP).timestamp())),
            },
        )

    def _scan(self, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "begins_with(pk, :prefix)",
            "ExpressionAttributeValues": {":prefix": _s(prefix)},
        }
        while True:
            page = self.client.scan(**params)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def investigations(self) -> list[Investigation]:
        found = [
            Investigation(
                id=item["id"]["S"],
                key=item["key"]["S"],
                status=cast(Status, item["status"]["S"]),
                started_at=datetime.fromtimestamp(float(item["started_at"]["N"]), UTC),
                alarms=sorted(item["alarms"]["SS"]),
                result=json.loads(item["result"]["S"]) if "result" in item else {},
                payload=item.get("payload", {}).get("S", ""),
                arrived_at=datetime.fromtimestamp(float(item["arrived_at"]["N"]), UTC)
                if "arrived_at" in item
                else None,
            )
            for item in self._scan("inv#")
        ]
        return sorted(found, key=lambda i: (i.started_at, i.id))

    def unprocessed(self) -> list[Unprocessed]:
        found = [
            Unprocessed(
                at=datetime.fromtimestamp(float(item["at"]["N"]), UTC),
                error=item["error"]["S"],
                raw=item["raw"]["S"],
            )
            for item in self._scan("unprocessed#")
        ]
        return sorted(found, key=lambda u: u.at)


def create_table(client: Any, table: str) -> None:
    """Create the store's table as deploy/template.yaml does (for local runs and tests)."""
    client.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
