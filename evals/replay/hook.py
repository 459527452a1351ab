"""The botocore event hooks that answer a client's calls from a bundle (as `botocore.stub.Stubber` does).

botocore still builds and validates each request (so a malformed call fails exactly as it would live);
instead of sending it, `before-call` hands back our response, which is first checked against the
operation's output shape. boto3 then parses errors into its modelled exceptions as usual.
"""

from __future__ import annotations

import uuid
from typing import Any

from botocore.awsrequest import AWSResponse

from evals.bundle.shapes import ShapeError, validate_output
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayError, ReplayRefused, ReplayUnsupported
from evals.replay.registry import handler_for, is_read_only

_PARAMS_KEY = "sleuth_replay_params"


class ReplayShapeError(ReplayError):
    """A replay handler produced a response AWS could not have sent: a bug in replay."""


def _metadata(status: int) -> dict[str, Any]:
    return {
        "RequestId": str(uuid.uuid4()),
        "HTTPStatusCode": status,
        "HTTPHeaders": {},
        "RetryAttempts": 0,
    }


class ReplayHook:
    def __init__(self, ctx: ReplayContext) -> None:
        self.ctx = ctx

    def remember_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_PARAMS_KEY] = params

    def answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        service = model.service_model.service_name
        name = model.name
        if not is_read_only(service, name):
            raise ReplayRefused(service, name)
        handler = handler_for(service, name)
        if handler is None:
            raise ReplayUnsupported(service, name)
        params = dict(context.get(_PARAMS_KEY) or {})
        self.ctx.calls[f"{service}:{name}"] += 1
        try:
            body = handler(self.ctx, params)
        except AwsError as err:
            error = {"Code": err.code, "Message": err.message}
            if err.query_code:
                error["QueryErrorCode"] = err.query_code
            parsed = {"Error": error, "ResponseMetadata": _metadata(err.status)}
            return AWSResponse(None, err.status, {}, None), parsed
        try:
            validate_output(model, body)
        except ShapeError as exc:
            raise ReplayShapeError(f"replay of {service}:{name} broke the output shape: {exc}") from exc
        body = dict(body)
        body["ResponseMetadata"] = _metadata(200)
        return AWSResponse(None, 200, {}, None), body
