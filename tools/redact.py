"""Secrets masked before text leaves Sleuth: in tool results, reports, stores, deliveries and logs.

One table of rules, applied in order. The token shapes (AWS key ids, GitHub, GitLab, Slack, Stripe,
Google, SendGrid, npm, PyPI, OpenAI/Anthropic keys, JWTs, private keys) follow the rules published by
gitleaks (config/gitleaks.toml), reimplemented here; the `name = value` rule follows detect-secrets'
KeywordDetector: a value is masked when its key names a secret (password, token, secret, api key...),
whatever the casing or separator (`DB_PASSWORD=`, `"SecretAccessKey": "..."`, `sessionToken:`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MASK = "[REDACTED]"


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    replace: str | Callable[[re.Match[str]], str]


# Words that make a key name a secret's, alone or as a pair (camelCase, snake_case, kebab-case, dotted).
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "pass",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "signature",
        "cookie",
        "sessionid",
        "jsessionid",
        "privatekey",
        "secretkey",
        "accesskey",
        "authtoken",
        "accountkey",
        "sharedaccesskey",
        "clientsecret",
    }
)
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("account", "key"),
        ("session", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
        ("auth", "key"),
    }
)
# A key ending in one of these names something about a secret, not the secret (SecretArn, TokenCount).
_SAFE_LAST = frozenset(
    {
        "arn",
        "id",
        "ids",
        "name",
        "names",
        "count",
        "type",
        "length",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "policy",
        "limit",
        "limits",
        "url",
        "uri",
        "version",
        "tokens",
        "rotation",
        "enabled",
        "age",
        "prefix",
        "header",
        "format",
        "path",
        "file",
        "status",
        "source",
        "usage",
        "reset",
        "required",
        "manager",
    }
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:|true|false|null|none|\*+|\[(?:redacted|withheld).*|\$\{?\w+\}?|<[^>]*>|arn:.*)$"
)


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return [w.lower() for w in re.split(r"[\s_.\-]+", spaced) if w]


def secret_key(key: str) -> bool:
    """True when a key name (`DB_PASSWORD`, `sessionToken`, `X-Api-Key`) names a secret."""
    words = _words(key)
    if not words or words[-1] in _SAFE_LAST:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _assignment(m: re.Match[str]) -> str:
    key, sep, value = m.group("key"), m.group("sep"), m.group("value")
    bare = value.strip("\"'")
    if not secret_key(key) or _PLACEHOLDER.match(bare):
        return m.group(0)
    quote = value[0] if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1 else ""
    return f"{key}{sep}{quote}{MASK}{quote}"


def _keep_prefix(m: re.Match[str]) -> str:
    return m.group(1) + "*" * len(m.group(2))


_VALUE = r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;&<>)}\]]+)"""

RULES: tuple[Rule, ...] = (
    Rule(
        "private-key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", re.S
        ),
        "[REDACTED-PRIVATE-KEY]",
    ),
    Rule(
        "jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "[REDACTED-JWT]"
    ),
    Rule(
        "aws-access-key-id",
        re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9]))([A-Z0-9]{16})\b"),
        _keep_prefix,
    ),
    Rule("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255})"), MASK),
    Rule("gitlab-token", re.compile(r"\bgl(?:pat|dt|ptt|rt)-[\w-]{20,}"), MASK),
    Rule("slack-token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}"), MASK),
    Rule(
        "slack-webhook",
        re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9+/_-]{8,}"),
        r"\1[REDACTED]",
    ),
    Rule(
        "stripe-key",
        re.compile(r"\b(?:sk|rk|pk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}\b|\bwhsec_\w{20,}"),
        MASK,
    ),
    Rule("google-api-key", re.compile(r"\bAIza[\w-]{35}\b"), MASK),
    Rule("sendgrid-key", re.compile(r"\bSG\.[\w-]{16,32}\.[\w-]{16,64}"), MASK),
    Rule("npm-token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), MASK),
    Rule("pypi-token", re.compile(r"\bpypi-AgEIcHlwaS5vcmc[\w-]{50,}"), MASK),
    Rule(
        "model-api-key", re.compile(r"\bsk-(?:ant-[a-z]+\d*-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}"), MASK
    ),
    Rule("vault-token", re.compile(r"\bhv[sbr]\.[\w-]{24,}"), MASK),
    Rule("digitalocean-token", re.compile(r"\bdo[por]_v1_[a-f0-9]{64}\b"), MASK),
    Rule("shopify-token", re.compile(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"), MASK),
    Rule("twilio-key", re.compile(r"\bSK[0-9a-fA-F]{32}\b"), MASK),
    Rule("age-secret-key", re.compile(r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b"), MASK),
    Rule(
        "authorization-header",
        re.compile(r"(?i)(\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:[^\"'\n]+)"),
        r"\1[REDACTED]",
    ),
    Rule(
        "cookie-header",
        re.compile(r"(?i)(\b(?:set-)?cookie[\"']?\s*:\s*[\"']?)(?:[^\"'\n]+)"),
        r"\1[REDACTED]",
    ),
    Rule(
        "auth-scheme",
        re.compile(r"(?i)\b(bearer|basic|token|digest)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}"),
        r"\1 [REDACTED]",
    ),
    Rule(
        "signed-url",
        re.compile(
            r"(?i)([?&](?:x-amz-signature|x-amz-security-token|x-amz-credential|awsaccesskeyid|signature|sig"
            r"|x-goog-signature|x-goog-credential)=)[^&\s\"'#]+"
        ),
        r"\1[REDACTED]",
    ),
    Rule("url-credentials", re.compile(r"(?i)(://[^/\s:@]*:)([^@\s/]+)(@)"), r"\1[REDACTED]\3"),
    Rule(
        "cli-flag",
        re.compile(
            r"(?i)(--(?:password|passwd|token|secret|api-key|apikey|client-secret)(?:=|\s+))(?!\[)\S+"
        ),
        r"\1[REDACTED]",
    ),
    Rule(
        "assignment",
        re.compile(
            r"(?P<key>[A-Za-z_][\w.-]{0,60})(?P<sep>[\"']?\s*(?:=>|:=|=|:)\s*)" + _VALUE,
        ),
        _assignment,
    ),
)


@lru_cache(maxsize=1 << 15)
def redact(text: str) -> str:
    """`text` with every secret the rules know masked. (Remembered: an investigation redacts the same
    log lines, names and messages many times, and each pass runs every rule.)"""
    for rule in RULES:
        text = rule.pattern.sub(rule.replace, text)
    return text


def redact_value(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted; a dict value under a
    key that names a secret (`"password": ...`) is masked whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if isinstance(k, str) and isinstance(v, str) and secret_key(k) and not _PLACEHOLDER.match(v):
                out[k] = MASK
            else:
                out[k] = redact_value(v)
        return out
    return value


# Environment variables hold secrets by name, not by shape: their values never leave the AWS response,
# except the names of what the code is configured to call (which are no secret, and which say what is on
# its path): a queue URL or a queue or topic ARN whole, a parameter's or table's name under a key that
# says it is one (or a table's ARN), an AWS database's or cache's endpoint host, and of any other web
# URL only its host (never a user, password, path or query).
_ENV_HIDDEN = "[WITHHELD]"
_KEPT_NAME = re.compile(
    r"^(?:https://(?:sqs\.[\w-]+\.amazonaws\.com|queue\.amazonaws\.com)/\d{12}/[\w.-]+"
    r"|arn:aws[a-z-]*:(?:sqs|sns):[\w-]+:\d{12}:[\w.-]+)$"
)
# A web URL's scheme (group 1) and host (group 2), after any user:password@ (which is never kept).
WEB_URL = re.compile(
    r"^(https?|wss?|grpcs?)://(?:[^@/\s]*@)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})(?::\d+)?(?:[/?#]|$)", re.I
)
_PARAMETER = re.compile(r"^/[\w.-]+(?:/[\w.-]+)+$")
# A database's or cache's address: an AWS data-store endpoint alone (`PGHOST`, `REDIS_HOST`, with or
# without its port), or a connection URL to one of those engines (only its host is kept, never the user,
# password or database). The endpoint names the cluster, instance, proxy or cache node it reaches.
_DATA_HOST = r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:rds|cache)\.amazonaws\.com"
_BARE_ENDPOINT = re.compile(rf"^({_DATA_HOST})(?::\d+)?$", re.I)
_DATA_URL = re.compile(
    rf"^(postgres(?:ql)?|mysql|mariadb|redis|rediss|memcached)://(?:[^@/\s]*@)?({_DATA_HOST})(?::\d+)?(?:[/?#]|$)",
    re.I,
)


def data_endpoint(value: str) -> str | None:
    """The AWS data-store endpoint (a database's, proxy's or cache node's host) an environment value
    names, lower-cased; None when it names none."""
    text = value.strip()
    bare = _BARE_ENDPOINT.match(text)
    if bare:
        return bare.group(1).lower()
    url = _DATA_URL.match(text)
    return url.group(2).lower() if url else None


def names_parameter(key: str, value: str) -> bool:
    """Whether an environment value is a Parameter Store name, under a key that says it is one."""
    return bool(re.search(r"PARAM|SSM", key, re.I) and _PARAMETER.match(value))


_TABLE_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:[\w-]+:\d{12}:table/([A-Za-z0-9_.-]{3,255})$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def names_table(key: str, value: str) -> str | None:
    """The DynamoDB table an environment value hands the code: a table's ARN, or a name under a key that
    says it is a table's (ORDERS_TABLE, TABLE_NAME, DDB_TABLE); None when it names none."""
    text = value.strip()
    arn = _TABLE_ARN.match(text)
    if arn:
        return arn.group(1)
    says = re.search(r"TABLE", key, re.I) and not re.search(
        r"PASS|SECRET|TOKEN|KEY|CRED|AUTH|SALT", key, re.I
    )
    return text if says and _TABLE_NAME.match(text) else None


def _withheld(key: str, value: Any) -> str:
    text = str(value).strip()
    if _KEPT_NAME.match(text) or names_parameter(key, text) or names_table(key, text):
        return text
    host = data_endpoint(text)
    if host:
        return host
    web = WEB_URL.match(text)
    if web:
        return f"{web.group(1).lower()}://{web.group(2).lower()}/{_ENV_HIDDEN}"
    return _ENV_HIDDEN


def strip_environment(operation: str, parsed: dict[str, Any]) -> None:
    """Replace, in place, environment-variable values in a Lambda or ECS describe response."""

    def lambda_cfg(cfg: Any) -> None:
        env = cfg.get("Environment") if isinstance(cfg, dict) else None
        if isinstance(env, dict) and isinstance(env.get("Variables"), dict):
            env["Variables"] = {k: _withheld(str(k), v) for k, v in env["Variables"].items()}

    def containers(items: Any) -> None:
        for c in items if isinstance(items, list) else []:
            for e in c.get("environment", []) if isinstance(c, dict) else []:
                if isinstance(e, dict) and "value" in e:
                    e["value"] = _withheld(str(e.get("name", "")), e["value"])

    if operation in ("GetFunctionConfiguration", "GetFunction"):
        lambda_cfg(parsed.get("Configuration", parsed))
    elif operation == "ListFunctions":
        for fn in parsed.get("Functions", []):
            lambda_cfg(fn)
    elif operation == "DescribeTasks":
        for task in parsed.get("tasks", []):
            containers((task.get("overrides") or {}).get("containerOverrides"))
    elif operation == "DescribeTaskDefinition":
        containers((parsed.get("taskDefinition") or {}).get("containerDefinitions"))
