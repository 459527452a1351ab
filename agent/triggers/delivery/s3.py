"""S3: the report stored as HTML (to read) and JSON (to process), keyed by date, alarm and investigation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config

from agent.report import html, view
from agent.report.model import Report

HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/json"
# S3's "safe" key characters; anything else in an alarm name becomes '-' so keys need no URL escaping.
_UNSAFE = re.compile(r"[^A-Za-z0-9!_.*'()-]+")
_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class StoredReport:
    html_key: str
    json_key: str
    html_url: str
    json_url: str
    link: str  # what people are sent: a presigned URL of the HTML when configured, else its object URL


def client(session: boto3.Session, endpoint_url: str | None = None) -> Any:
    """An S3 client for delivery: SigV4, which presigned links need in every region (SigV2 is retired)."""
    return session.client("s3", endpoint_url=endpoint_url, config=Config(signature_version="s3v4"))


def segment(value: str, limit: int = 200) -> str:
    """One key segment from free text: safe characters only, never empty, '.' or '..'."""
    clean = _UNSAFE.sub("-", value).strip("-")[:limit].strip("-")
    return clean if clean.strip(".") else "unnamed"


def keys(prefix: str, at: datetime, alarm: str | None, investigation_id: str) -> tuple[str, str]:
    """`<prefix>YYYY/MM/DD/<alarm>/<investigation id>/report.{html,json}`, the date in UTC."""
    base = f"{prefix}{view.utc(at):%Y/%m/%d}/{segment(alarm or 'no-alarm')}/{segment(investigation_id)}"
    return f"{base}/report.html", f"{base}/report.json"


def object_url(client: Any, bucket: str, key: str) -> str:
    """The object's HTTPS URL: virtual-hosted on AWS endpoints, path-style elsewhere (local endpoints, or
    bucket names with dots, which break the TLS wildcard certificate)."""
    endpoint = client.meta.endpoint_url.rstrip("/")
    parts = urlsplit(endpoint)
    path = quote(key, safe="/!_.*'()-~")
    host = parts.hostname or ""
    aws = host.startswith("s3.") and (host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn"))
    if aws and _DNS_BUCKET.match(bucket):
        return f"{parts.scheme}://{bucket}.{parts.netloc}/{path}"
    return f"{endpoint}/{bucket}/{path}"


def store(
    client: Any,
    bucket: str,
    report: Report,
    *,
    prefix: str,
    at: datetime,
    investigation_id: str,
    presign_seconds: int = 0,
) -> StoredReport:
    """Put both objects (the renderers redact; the JSON is the redacted report) and return their URLs."""
    html_key, json_key = keys(prefix, at, report.alarm, investigation_id)
    body = html.render(report).encode("utf-8")
    data = view.prepare(report).model_dump_json(indent=2).encode("utf-8")
    client.put_object(Bucket=bucket, Key=html_key, Body=body, ContentType=HTML_TYPE)
    client.put_object(Bucket=bucket, Key=json_key, Body=data, ContentType=JSON_TYPE)
    html_url = object_url(client, bucket, html_key)
    link = html_url
    if presign_seconds:
        # Signing is local: no call to AWS, and the link works only while the signing credentials do.
        link = client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": html_key}, ExpiresIn=presign_seconds
        )
    return StoredReport(html_key, json_key, html_url, object_url(client, bucket, json_key), link)
