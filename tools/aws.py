"""The one place AWS clients are made: read-only guard, call budget and retries.

Every client passes through `AwsClients.client`, which (1) refuses, before anything is built or sent,
any operation outside the read allow-list, (2) charges each attempt to the investigation's call budget,
and (3) leaves retrying to `AwsClients.call` (tenacity, throttling and transient errors only), so
botocore's own retries are off and every attempt is counted once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from tools.errors import DENIED, BudgetExhausted, ReadOnlyViolation, classify, is_retryable
from tools.readonly import is_allowed
from tools.redact import strip_environment


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff for throttling and transient failures."""

    attempts: int = 5
    initial_s: float = 0.5
    max_wait_s: float = 10.0


@dataclass
class CallBudget:
    """How many AWS calls (attempts) one investigation may make."""

    limit: int = 400
    used: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, service: str, operation: str) -> None:
        with self._lock:
            if self.used >= self.limit:
                raise BudgetExhausted(
                    f"AWS call budget of {self.limit} spent; {service}:{operation} not sent"
                )
            self.used += 1
            key = f"{service}:{operation}"
            self.by_operation[key] = self.by_operation.get(key, 0) + 1

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


# The IAM action prefix where it differs from the service's signing name.
_IAM_PREFIX = {"monitoring": "cloudwatch"}


@dataclass
class CallLedger:
    """Which AWS operations answered and which were refused, as IAM actions ("cloudwatch:GetMetricData").

    An investigation that could not read its evidence must say so, and name the permission to grant,
    rather than mistake silence for health.
    """

    answered: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # IAM action -> error code
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, model: Any, http_response: Any = None, parsed: Any = None, **_: Any) -> None:
        prefix = model.service_model.signing_name or model.service_model.service_name
        # API Gateway's IAM actions are HTTP verbs on resource paths (apigateway:GET), not operation names.
        verb = model.http.get("method", "GET") if prefix == "apigateway" else model.name
        action = f"{_IAM_PREFIX.get(prefix, prefix)}:{verb}"
        status = getattr(http_response, "status_code", 200)
        code = str(((parsed or {}).get("Error") or {}).get("Code", "")) if isinstance(parsed, dict) else ""
        if isinstance(parsed, dict):
            strip_environment(model.name, parsed)
        with self._lock:
            if isinstance(status, int) and status < 300:
                self.answered.add(action)
            elif code in DENIED or status == 403:
                self.refused[action] = code if code in DENIED else "AccessDenied"

    def read(self, *actions: str) -> bool:
        """True when any of `actions` answered at least once."""
        return any(a in self.answered for a in actions)


_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
    user_agent_extra="sleuth",
)


class AwsClients:
    """Read-only, budgeted, retrying clients from one boto3 session (live or replayed)."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        budget: CallBudget | None = None,
        retry: RetryPolicy | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self.session = session
        self.budget = budget or CallBudget()
        self.retry = retry or RetryPolicy()
        self.endpoint_url = endpoint_url
        self.region = session.region_name
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.ledger = CallLedger()

    @classmethod
    def live(cls, *, profile: str | None = None, region: str | None = None, **kwargs: Any) -> AwsClients:
        """Clients for a real account from the standard AWS configuration (profile, env, SSO, role)."""
        return cls(boto3.Session(profile_name=profile, region_name=region), **kwargs)

    def preflight(self) -> str | None:
        """Why these clients cannot investigate at all (no region, no or bad credentials), in one line;
        None when they can. One `sts:GetCallerIdentity` call, which no IAM policy can deny."""
        if not self.region:
            return "no AWS region: set AWS_REGION or pass --region"
        try:
            self.call("sts", "GetCallerIdentity")
        except Exception as exc:  # noqa: BLE001 - every failure here is the one-line answer
            failure = classify(exc)
            code, message = (failure.code, failure.message) if failure else (type(exc).__name__, str(exc))
            if code == "NoCredentialsError":
                return "no AWS credentials found: set AWS_PROFILE, pass --profile, or configure credentials"
            return f"AWS refused the credentials ({code}: {message[:200]})"
        return None

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                client = self.session.client(service, config=_CONFIG, endpoint_url=self.endpoint_url)
                events = client.meta.events
                events.register_first("before-parameter-build", self._guard, unique_id="sleuth-guard")
                events.register_first("before-call", self._charge, unique_id="sleuth-budget")
                events.register_last("after-call", self.ledger.record, unique_id="sleuth-ledger")
                self._clients[service] = client
            return self._clients[service]

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Call `operation` (its AWS name, e.g. "DescribeAlarms"), retrying throttling and transient errors."""
        client = self.client(service)
        method = getattr(client, xform_name(operation))
        retrying = Retrying(
            retry=retry_if_exception(is_retryable),
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_random_exponential(multiplier=self.retry.initial_s, max=self.retry.max_wait_s),
            reraise=True,
        )
        result: dict[str, Any] = retrying(method, **params)
        return result

    def collect(
        self,
        service: str,
        operation: str,
        key: str,
        *,
        max_items: int,
        in_token: str = "NextToken",
        out_token: str = "NextToken",
        **params: Any,
    ) -> tuple[list[Any], bool]:
        """Page through `operation` gathering `key` items until `max_items`; return (items, more exist)."""
        items: list[Any] = []
        token: str | None = None
        while True:
            page = self.call(service, operation, **params, **({in_token: token} if token else {}))
            items.extend(page.get(key, []))
            token = page.get(out_token)
            if len(items) >= max_items:
                return items[:max_items], bool(token) or len(items) > max_items
            if not token:
                return items, False

    @staticmethod
    def _guard(model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        if not is_allowed(service, model.name):
            raise ReadOnlyViolation(f"{service}:{model.name} is not on Sleuth's read allow-list; not sent")

    def _charge(self, model: Any, **_: Any) -> None:
        self.budget.charge(model.service_model.service_name, model.name)
