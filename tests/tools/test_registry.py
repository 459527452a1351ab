"""Tool wrapping: validation errors, AWS failures and replay gaps become statuses, never exceptions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.aws import AwsClients, CallBudget
from tools.errors import OperationUnsupported
from tools.registry import REGISTRY, Tool, ToolContext, schemas, tool
from tools.result import ToolOutput, ToolStatus


class EchoInput(BaseModel):
    """Arguments of the test tool."""

    word: str = Field(description="what to say back", min_length=1)
    times: int = Field(default=1, ge=1, le=3, description="how often (at most 3: context budget)")


class Echo(ToolOutput):
    words: list[str]

    def summary(self) -> str:
        return f"said {len(self.words)} words"

    def is_empty(self) -> bool:
        return not self.words


def make_tool(behaviour: Any) -> Tool[EchoInput, Echo]:
    def echo(ctx: ToolContext, args: EchoInput) -> Echo:
        """Say a word back."""
        return behaviour(ctx, args)

    return Tool("echo", "Say a word back.", EchoInput, Echo, echo)


@pytest.fixture
def ctx() -> ToolContext:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    return ToolContext(
        aws=AwsClients(session, budget=CallBudget(limit=5)), now=datetime(2024, 5, 1, tzinfo=UTC)
    )


def test_ok_and_no_data(ctx: ToolContext) -> None:
    t = make_tool(lambda c, a: Echo(words=[a.word] * a.times))
    res = t.run(ctx, {"word": "hi", "times": 2})
    assert (res.status, res.summary, res.params) == (
        ToolStatus.OK,
        "said 2 words",
        {"word": "hi", "times": 2},
    )
    assert res.data is not None
    assert res.data.words == ["hi", "hi"]
    empty = make_tool(lambda c, a: Echo(words=[])).run(ctx, {"word": "hi"})
    assert empty.status is ToolStatus.NO_DATA


def test_bad_arguments_are_a_usage_error(ctx: ToolContext) -> None:
    res = make_tool(lambda c, a: Echo(words=[])).run(ctx, {"word": "", "times": 9})
    assert res.status is ToolStatus.ERROR
    assert res.error_code == "usage"
    assert "word" in res.summary
    assert "times" in res.summary


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (
            ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Op"),
            ToolStatus.DENIED,
            None,
        ),
        (
            ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}, "Op"),
            ToolStatus.NO_DATA,
            None,
        ),
        (
            OperationUnsupported("replay does not support s3:ListBuckets"),
            ToolStatus.UNSUPPORTED,
            "unsupported",
        ),
        (ZeroDivisionError("division by zero"), ToolStatus.ERROR, "internal"),
    ],
)
def test_failures_become_statuses(
    ctx: ToolContext, error: Exception, status: ToolStatus, code: str | None
) -> None:
    def fail(c: ToolContext, a: EchoInput) -> Echo:
        raise error

    res = make_tool(fail).run(ctx, {"word": "x"})
    assert res.status is status
    assert res.data is None
    if code:
        assert res.error_code == code


def test_registration_needs_a_docstring_and_two_parameters() -> None:
    def undocumented(ctx: ToolContext, args: EchoInput) -> Echo:
        return Echo(words=[])

    with pytest.raises(TypeError, match="needs a docstring"):
        tool(undocumented)
    assert "undocumented" not in REGISTRY


def test_schema_carries_descriptions() -> None:
    schema = make_tool(lambda c, a: Echo(words=[])).schema()
    assert schema["name"] == "echo"
    props = schema["input_schema"]["properties"]
    assert props["word"]["description"] == "what to say back"
    assert props["times"]["maximum"] == 3
    assert all("description" in s and "input_schema" in s for s in schemas())


def test_a_summary_that_cannot_be_said_keeps_the_answer(ctx: ToolContext) -> None:
    """The graph never sees a raw exception, and a failure to put an answer in words does not lose it."""

    class Unsayable(Echo):
        def summary(self) -> str:
            raise TypeError("unsupported format string passed to NoneType.__format__")

    res = make_tool(lambda c, a: Unsayable(words=["hi"])).run(ctx, {"word": "hi"})
    assert res.status is ToolStatus.OK and res.data is not None and res.data.words == ["hi"]
    assert "its summary failed (TypeError" in res.summary
