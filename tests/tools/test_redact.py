"""tools/redact.py: every secret shape masked, every look-alike left alone (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.tools.test_functions import FN
from tools.functions import lambda_config
from tools.logs import logs_insights
from tools.redact import names_table, redact, redact_value, strip_environment
from tools.result import ToolStatus

# Built at run time so that no scanner mistakes this file for a leak.
AKID = "AKIA" + "IOSFODNN7" + "QWERTY2"
SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzEXAMPLEKEY9"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

SESSION = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD"
T0 = datetime(2024, 5, 1, 5, 0, tzinfo=UTC)

# (text, the secret that must not survive)
SECRETS: list[tuple[str, str]] = [
    (f"key {AKID} used", AKID[4:]),
    (f"AccessKeyId={'ASIA' + AKID[4:]}", AKID[4:]),
    (f"aws_secret_access_key={SECRET}", SECRET),
    (f"AWS_SECRET_ACCESS_KEY = {SECRET}", SECRET),
    (f'"SecretAccessKey": "{SECRET}"', SECRET),
    (f"SecretAccessKey: {SECRET}", SECRET),
    ("aws_session_token=IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD", "IQoJb3JpZ2luX2VjEHoa"),
    ('"sessionToken": "FwoGZXIvYXdzEJr//////////wEaDGh5"', "FwoGZXIvYXdzEJr"),
    ('{"SessionToken":"FQoDYXdzEPT//////////wEaDK"}', "FQoDYXdzEPT"),
    ("DB_PASSWORD=hunter2hunter2", "hunter2hunter2"),
    ("db_password: s3cr3t!", "s3cr3t!"),
    ("password=correct-horse", "correct-horse"),
    ("PASSWORD='p@ss w0rd with spaces'", "p@ss w0rd with spaces"),
    ('"password": "a quoted multi word password"', "a quoted multi word password"),
    ("passwd=letmein99", "letmein99"),
    ("pwd: qwerty12345", "qwerty12345"),
    ("MYSQL_ROOT_PASSWORD=rootpw1234", "rootpw1234"),
    ("spring.datasource.password=jdbcpass42", "jdbcpass42"),
    ("Server=db;Database=app;User Id=sa;Password=Adm1nPwd;", "Adm1nPwd"),
    ("access_token=ya29.a0AfH6SMBx7kq", "ya29.a0AfH6SMBx7kq"),
    ("refresh_token: 1//0gLx9Zt8-refresh", "1//0gLx9Zt8-refresh"),
    ("api_key=abcdef0123456789", "abcdef0123456789"),
    ("apiKey: 'ZXhhbXBsZWtleQ'", "ZXhhbXBsZWtleQ"),
    ("X-Api-Key: 9f8e7d6c5b4a39281706", "9f8e7d6c5b4a39281706"),
    ("x-api-key=live_key_77aa88bb", "live_key_77aa88bb"),
    ("client_secret=0a1b2c3d4e5f", "0a1b2c3d4e5f"),
    ("clientSecret: GOCSPX-abcdefgh", "GOCSPX-abcdefgh"),
    ("private_key=MIIEvQIBADANBgkqhkiG9w0", "MIIEvQIBADANBgkqhkiG9w0"),
    ("secret=topsecretvalue", "topsecretvalue"),
    ("app.secret-key: flaskkey123", "flaskkey123"),
    ("signing_key=sk99887766", "sk99887766"),
    ("encryption_key=00112233445566778899", "00112233445566778899"),
    ("token=abc123def456", "abc123def456"),
    ("auth_token: tok_9988776655", "tok_9988776655"),
    ("GITHUB_TOKEN=ghs_shortvalue1", "ghs_shortvalue1"),
    ("Authorization: Bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
    ("Authorization: Token 0123456789abcdef", "0123456789abcdef"),
    ("authorization: Basic dXNlcjpwYXNzd29yZDE=", "dXNlcjpwYXNzd29yZDE="),
    (
        "Authorization: AWS4-HMAC-SHA256 Credential=x/20240501/us-east-1/s3/aws4_request, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
        "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
    ),
    ('{"headers": {"authorization": "Bearer zzzzzzzzzzzz9"}}', "zzzzzzzzzzzz9"),
    ("curl -H 'Authorization: Bearer qwertyuiop123456'", "qwertyuiop123456"),
    ("sent Bearer abcdefghijkl12345 to upstream", "abcdefghijkl12345"),
    (f"token {GH}", GH),
    (
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
    ),
    ("glpat-" + "xYz123AbC456dEf789gH", "xYz123AbC456dEf789gH"),
    (f"charge with {STRIPE}", STRIPE),
    ("rk_" + "test_" + "51HabcdefGhijkLmnop", "51HabcdefGhijkLmnop"),
    ("whsec_" + "abcdefghijklmnopqrstuvwx1234", "abcdefghijklmnopqrstuvwx1234"),
    ("xoxb-" + "1234567890-0987654321-abcdefghijkl", "1234567890-0987654321"),
    (
        "https://hooks.slack.com/services/" + "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "B00000000/XXXXXXXX",
    ),
    ("AIza" + "SyA-1234567890abcdefghijklmnopqrstu", "SyA-1234567890abcdefghijklmnopqrstu"),
    (
        "SG." + "abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ),
    ("npm_" + "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"),
    ("pypi-AgEIcHlwaS5vcmc" + "x" * 60, "x" * 60),
    ("sk-ant-api03-" + "A" * 40, "A" * 40),
    ("sk-proj-" + "B1" * 20, "B1" * 20),
    ("hvs." + "CAESIJ" + "q" * 30, "q" * 30),
    ("dop_v1_" + "ab" * 32, "ab" * 32),
    ("SK" + "0123456789abcdef" * 2, "0123456789abcdef" * 2),
    (f"id_token={JWT}", JWT),
    (f"jwt {JWT} rejected", JWT),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", "b3BlbnNzaC1rZXk"),
    ("postgres://app:dbpassw0rd@db.internal:5432/app", "dbpassw0rd"),
    ("redis://:redispass99@cache:6379", "redispass99"),
    ("Cookie: session=abc123; csrftoken=xyz789", "abc123"),
    ("Set-Cookie: JSESSIONID=1A2B3C4D5E; Path=/", "1A2B3C4D5E"),
    ("sessionid=f00dfacef00dface", "f00dfacef00dface"),
    (
        "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abcdef0123456789abcdef",
        "abcdef0123456789abcdef",
    ),
    ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3Jp%2Fzz&x=1", "IQoJb3Jp%2Fzz"),
    ("https://acct.blob.core.windows.net/c/f?sv=2020&sig=AbCdEf%2B123%3D", "AbCdEf%2B123%3D"),
    ("DefaultEndpointsProtocol=https;AccountKey=abc+def/ghi==;EndpointSuffix=x", "abc+def/ghi=="),
    ("mysql --password=rootpw1 -h db", "rootpw1"),
    ("vault login --token s.abcdefgh12345", "s.abcdefgh12345"),
    ("credentials: user:pa55word", "user:pa55word"),
]

# Text that looks like a secret and must come through unchanged.
LOOKALIKES: list[str] = [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "SecretArn=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "AccessDenied: not authorized to perform secretsmanager:GetSecretValue",
    "i-0123456789abcdef0 in sg-0a1b2c3d4e5f67890 subnet-0123abcd",
    "RequestId: 4f7c8a2e-1b3d-4e5f-9a8b-7c6d5e4f3a2b",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
    'password authentication failed for user "app"',
    "token expired; refreshing",
    "TokenRefreshFailed after 3 attempts",
    "max_tokens=4096 stop_reason=end_turn",
    "token_count: 1200",
    "PasswordPolicy: MinimumPasswordLength=14",
    "AccessKeyId has no secret; rotate via IAM",
    "secret_name=prod/db",
    "password=",
    "password: ${DB_PASSWORD}",
    "api_key=<your key>",
    "GET /healthz 200 12ms",
    "10.0.1.15:3306 connection refused",
    "ERROR [main] com.example.Checkout: timeout after 30000 ms",
    "Bearer token missing",
    "basic auth disabled",
    "x-amz-request-id: 0123456789ABCDEF",
    "s3://my-bucket/key/path.json",
    "KMSKeyId=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "cpu=95.2 mem=80 p99_ms=1200",
]


@pytest.mark.parametrize(("text", "secret"), SECRETS, ids=[f"secret-{i}" for i in range(len(SECRETS))])
def test_secret_shapes_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out, out
    assert redact(out) == out  # idempotent: a second pass changes nothing


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_survive(text: str) -> None:
    assert redact(text) == text


def test_the_table_is_as_wide_as_promised() -> None:
    assert len(SECRETS) >= 60 and len(LOOKALIKES) >= 20


def test_redact_value_masks_secret_keys_and_nested_strings() -> None:
    out = redact_value({"password": "two words", "nested": [f"key {AKID}"], "count": 3, "name": "db"})
    assert out == {"password": "[REDACTED]", "nested": ["key AKIA****************"], "count": 3, "name": "db"}


def test_environment_values_are_stripped_from_describe_responses() -> None:
    fn = {"FunctionName": "f", "Environment": {"Variables": {"DB_URL": "postgres://u:p@h/db", "MODE": "x"}}}
    listed = {"Functions": [dict(fn, Environment={"Variables": {"K": "v"}})]}
    strip_environment("GetFunctionConfiguration", fn)
    strip_environment("ListFunctions", listed)
    assert fn["Environment"] == {"Variables": {"DB_URL": "[WITHHELD]", "MODE": "[WITHHELD]"}}
    assert listed["Functions"][0]["Environment"] == {"Variables": {"K": "[WITHHELD]"}}
    tasks = {
        "tasks": [{"overrides": {"containerOverrides": [{"environment": [{"name": "T", "value": "s"}]}]}}]
    }
    strip_environment("DescribeTasks", tasks)
    assert tasks["tasks"][0]["overrides"]["containerOverrides"][0]["environment"] == [
        {"name": "T", "value": "[WITHHELD]"}
    ]


def test_tool_results_are_redacted_before_anyone_reads_them(tool_ctx: Any) -> None:
    line = f"ERROR retry with aws_session_token={SESSION} key {STRIPE}"
    logs = [
        {"log_group": "/app/pay", "log_stream": "s", "timestamp": int(T0.timestamp() * 1000), "message": line}
    ]
    ctx = tool_ctx({"logs": logs})
    window = {
        "start": (T0 - timedelta(minutes=5)).isoformat(),
        "end": (T0 + timedelta(minutes=5)).isoformat(),
    }
    res = logs_insights.run(ctx, {"log_groups": ["/app/pay"], "query": "fields @message", **window})
    assert res.status is ToolStatus.OK and res.data is not None
    dumped = res.model_dump_json()
    assert SESSION not in dumped and STRIPE not in dumped and "[REDACTED]" in dumped


def test_lambda_environment_values_never_reach_a_tool(tool_ctx: Any) -> None:
    ctx = tool_ctx({"resources": [{"service": "lambda", "type": "FunctionConfiguration", "item": FN}]})
    raw = ctx.aws.call("lambda", "GetFunctionConfiguration", FunctionName="orders")
    # A table's name under a key that says so is what the code uses, not a secret.
    assert raw["Environment"]["Variables"] == {"DB_PASSWORD": "[WITHHELD]", "TABLE": "orders"}
    res = lambda_config.run(ctx, {"function": "orders"})
    assert "s3cret" not in res.model_dump_json()


def test_only_a_tables_name_or_arn_under_a_table_key_is_kept() -> None:
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-v2"
    assert names_table("ORDERS_TABLE", "orders-v2") == "orders-v2"
    assert names_table("DATA", arn) == "orders-v2"
    assert names_table("API_TOKEN", "orders-v2") is None
    # a value with what no table name holds (a space, a slash, a colon) is not a table's name
    assert names_table("TABLE_PASSWORD", "hunter2hunter2") is None
    assert names_table("TABLE", "postgres://u:p@h/db") is None
    fn = {"Environment": {"Variables": {"ORDERS_TABLE": "orders-v2", "TOKEN": "orders-v2", "T": arn}}}
    strip_environment("GetFunctionConfiguration", fn)
    assert fn["Environment"]["Variables"] == {"ORDERS_TABLE": "orders-v2", "TOKEN": "[WITHHELD]", "T": arn}
