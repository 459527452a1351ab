"""What replay raises, and how a handler reports an AWS error."""

from __future__ import annotations

from tools.errors import OperationUnsupported


class ReplayError(Exception):
    """Base for replay's own failures (as opposed to AWS errors it replays)."""


class ReplayUnsupported(ReplayError, OperationUnsupported):
    """The bundle replay does not implement this operation (or this part of a request)."""

    def __init__(self, service: str, operation: str, detail: str | None = None) -> None:
        self.service = service
        self.operation = operation
        msg = f"replay does not support {service}:{operation}"
        super().__init__(f"{msg} ({detail})" if detail else msg)


class ReplayRefused(ReplayError):
    """A mutating operation: replay is read-only, like the investigator itself."""

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        super().__init__(f"replay refuses {service}:{operation}: it would change the account (read-only)")


class AwsError(Exception):
    """Raised by a handler to answer as AWS would: boto3 then raises the modelled ClientError."""

    def __init__(self, code: str, message: str, status: int = 400, *, query_code: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # JSON services that were Query services (SQS) answer the old code and name the modelled
        # error in `x-amzn-query-error`; botocore keeps that as QueryErrorCode and raises by it.
        self.query_code = query_code
