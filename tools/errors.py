"""How AWS failures map onto a tool result: retry it, report it as denied / no data, or as an error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    ReadTimeoutError,
)

THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServiceError",
        "InternalServiceException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceException",
    }
)
DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthFailure",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "OptInRequired",
        "SubscriptionRequiredException",  # AWS Health needs Business or Enterprise support
    }
)
NOT_FOUND = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NotFoundException",
        "NotFound",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "NoSuchBucket",
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
        "StateMachineDoesNotExist",
        "ExecutionDoesNotExist",
        "NoSuchHostedZone",
    }
)

Verdict = Literal["retry", "denied", "no_data", "error"]


class OperationUnsupported(RuntimeError):
    """The backend (a replayed bundle) cannot answer this operation; the data is missing, not empty."""


class ReadOnlyViolation(RuntimeError):
    """A tool tried an AWS operation outside the read allow-list; it was stopped before being sent."""


class BudgetExhausted(RuntimeError):
    """The investigation's AWS call budget is spent."""


@dataclass(frozen=True)
class Failure:
    verdict: Verdict
    code: str
    message: str


def classify(exc: BaseException) -> Failure | None:
    """What a failure means for a tool, or None when it is not an AWS failure we understand."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "Unknown"))
        message = str(err.get("Message", "")) or code
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in THROTTLING or code in TRANSIENT or (isinstance(status, int) and status >= 500):
            return Failure("retry", code, message)
        if code in DENIED or status == 403:
            # 403 is a refusal whatever the body says (some endpoints answer it in another protocol).
            return Failure("denied", code if code in DENIED else "AccessDenied", message)
        if code in NOT_FOUND or code.endswith(("NotFound", "NotFoundException", "NotFoundFault")):
            return Failure("no_data", code, message)
        return Failure("error", code, message)
    if isinstance(
        exc, ConnectTimeoutError | ReadTimeoutError | EndpointConnectionError | ConnectionClosedError
    ):
        return Failure("retry", type(exc).__name__, str(exc))
    if isinstance(exc, NoCredentialsError | NoRegionError):
        return Failure(
            "denied", type(exc).__name__, f"{exc} (set AWS_PROFILE / AWS_REGION or pass --profile/--region)"
        )
    if isinstance(exc, ParamValidationError):
        return Failure("error", "ParamValidationError", str(exc))
    if isinstance(exc, BotoCoreError):
        return Failure("error", type(exc).__name__, str(exc))
    return None


def is_retryable(exc: BaseException) -> bool:
    failure = classify(exc)
    return failure is not None and failure.verdict == "retry"
