"""AWS shapes, taken from botocore's own service models.

A bundle stores describe-call items in the shape AWS returns them (an EC2 `Instance`, an Auto Scaling
`Activity`, a CloudWatch `MetricAlarm`). We validate those items against botocore's model of the shape,
and convert them to what a botocore client would hand back after parsing (timestamps become aware
`datetime`s, blobs become `bytes`), so replayed responses are indistinguishable from live ones.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.model import NoShapeFoundError, ServiceModel, Shape
from botocore.utils import parse_to_aware_datetime
from botocore.validate import ParamValidator, type_check


class ShapeError(ValueError):
    """An item does not match the AWS shape it claims to be."""


@cache
def _botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of a service, by its botocore name ("ec2", "elbv2", "logs", ...)."""
    try:
        return _botocore_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError as exc:
        raise ShapeError(f"unknown AWS service {service!r}") from exc


def shape(service: str, name: str) -> Shape:
    model = service_model(service)
    try:
        return model.shape_for(name)
    except NoShapeFoundError as exc:
        raise ShapeError(f"{service} has no shape named {name!r}") from exc


def has_shape(service: str, name: str) -> bool:
    try:
        shape(service, name)
    except ShapeError:
        return False
    return True


class _OutputValidator(ParamValidator):
    """Checks types and structure only. Min/max limits in botocore's models constrain requests; AWS's
    answers do not always honour them (DynamoDB reports NumberOfDecreasesToday 0 against a minimum of 1)."""

    @type_check(valid_types=(str,))
    def _validate_string(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        return None

    @type_check(valid_types=(int,))
    def _validate_integer(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        return None

    @type_check(valid_types=(int,))
    def _validate_long(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        return None

    @type_check(valid_types=(list, tuple))
    def _validate_list(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        # A long list of plain numbers or parsed timestamps (a metric series) needs no walk item by item.
        member = shape.member
        fast = _SCALARS.get(member.type_name)
        bounded = "min" in member.metadata or "max" in member.metadata
        if fast is not None and not bounded and all(type(item) in fast for item in param):
            return
        for i, item in enumerate(param):
            self._validate(item, shape.member, errors, f"{name}[{i}]")


# Exact types (a bool takes the slow path) that botocore's validator accepts for these member types.
_SCALARS: dict[str, tuple[type, ...]] = {
    "double": (float, int),
    "float": (float, int),
    "timestamp": (datetime,),
}


def validate_item(service: str, name: str, item: Any, *, label: str | None = None) -> None:
    """Raise ShapeError (naming the field) unless `item` fits `service`'s shape `name`."""
    report = _OutputValidator().validate(item, shape(service, name))
    if report.has_errors():
        text = report.generate_report().replace("Invalid parameter", "invalid field")
        raise ShapeError(f"not a valid {service} {label or name}: {text}")


def validate_output(operation_model: Any, response: dict[str, Any]) -> None:
    """Raise ShapeError unless a response fits the operation's output shape (as Stubber checks)."""
    output = operation_model.output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if output is None:
        if body:
            raise ShapeError(f"{operation_model.name} has no output, yet the response has {sorted(body)}")
        return
    try:
        report = _OutputValidator().validate(body, output)
    except ParamValidationError as exc:  # pragma: no cover - validate() reports, it does not raise
        raise ShapeError(str(exc)) from exc
    if report.has_errors():
        raise ShapeError(f"{operation_model.name} response: {report.generate_report()}")


def to_parsed(service: str, name: str, item: Any) -> Any:
    """Convert a JSON-shaped item to the Python values botocore's parser would produce."""
    return _convert(item, shape(service, name))


def _convert(value: Any, sh: Shape) -> Any:
    kind = sh.type_name
    if value is None:
        return None
    if kind == "structure":
        members = sh.members
        return {k: (_convert(v, members[k]) if k in members else v) for k, v in value.items()}
    if kind == "list":
        return [_convert(v, sh.member) for v in value]
    if kind == "map":
        return {k: _convert(v, sh.value) for k, v in value.items()}
    if kind == "timestamp":
        return to_datetime(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def to_datetime(value: Any) -> datetime:
    """An aware UTC datetime from a datetime, an ISO-8601 string or epoch seconds."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        parsed = datetime.fromtimestamp(value, UTC)
    else:
        parsed = parse_to_aware_datetime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
