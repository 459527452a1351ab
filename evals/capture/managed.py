"""Describers for managed services around an incident: Secrets Manager secrets (metadata and version
stages, never values), and the neighbours each one names."""

from __future__ import annotations

import re

from evals.bundle.shapes import shape
from evals.capture.inventory import Inventory
from evals.capture.reader import Reader

SOURCE = "resources"
MAX_VERSIONS = 100  # secret versions kept per secret (one page)

_ENTRY_FIELDS = frozenset(shape("secretsmanager", "SecretListEntry").members)
_RDS_ARN = re.compile(r"arn:aws[a-z-]*:rds:[\w-]+:\d{12}:(db|cluster):(.+)")


def secrets(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """Secrets by name or ARN, with their versions' stages, their rotation function and their database."""
    for ref in refs:
        found = reader.call(SOURCE, "secretsmanager", "DescribeSecret", ref, SecretId=ref)
        if not found:
            continue
        # DescribeSecret's answer is a SecretListEntry but for the name of the stage map
        entry = {k: v for k, v in found.items() if k in _ENTRY_FIELDS}
        if found.get("VersionIdsToStages"):
            entry["SecretVersionsToStages"] = found["VersionIdsToStages"]
        if not inv.add("secretsmanager", "SecretListEntry", entry):
            continue
        inv.names.add(found["Name"])
        versions, _ = reader.pages(
            SOURCE,
            "secretsmanager",
            "ListSecretVersionIds",
            "Versions",
            max_items=MAX_VERSIONS,
            target=ref,
            SecretId=found["ARN"],
            IncludeDeprecated=True,
            MaxResults=MAX_VERSIONS,
        )
        for v in versions:
            inv.add("secretsmanager", "SecretVersion", {"SecretId": found["ARN"], **v})
        rotator = str(found.get("RotationLambdaARN") or "")
        if ":function:" in rotator:
            inv.want("lambda", [rotator.split(":function:")[1].split(":")[0]])
        for tag in found.get("Tags", []):
            db = _RDS_ARN.fullmatch(str(tag.get("Value", "")))
            if db and str(tag.get("Key", "")).startswith("aws:rds:"):
                inv.want("rds_instance" if db.group(1) == "db" else "rds_cluster", [db.group(2)])
