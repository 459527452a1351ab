"""Log evidence: error surges per log group, and new or surging message patterns with what they say."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from agent.analyzers import Draft, strength_from_z
from tools.logs import ZERO_COUNT_REGEX, ErrorCounts, GroupErrors, LogTemplates, Template

# What a log message says, generically.
MESSAGE_SIGNALS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"accessdenied|not authorized|unauthorized|forbidden|permission denied", re.I),
        "access_denied_logs",
    ),
    (
        re.compile(
            r"too many connections|too many clients|remaining connection slots|aborted connection|connection pool|"
            r"can'?t connect to (my)?sql|"
            r"could not connect to (the )?(database|server)|max_connections|connection.*(database|db|mysql|postgres)",
            re.I,
        ),
        "db_connection_errors",
    ),
    # A search cluster refusing writes with a block it set on its indices (the flood-stage disk
    # watermark's read_only_allow_delete, an index write block): the store protecting itself.
    (
        re.compile(r"cluster_block_exception|index read-only / allow delete|blocked by: \[forbidden/", re.I),
        "writes_blocked",
    ),
    # A database refusing new connections because every slot is taken: it is at its connection ceiling.
    (
        re.compile(r"too many connections|too many clients|remaining connection slots are reserved", re.I),
        "connections_high",
    ),
    # A database or cache refusing writes as read-only: whoever sent them is talking to a reader (a replica,
    # a reader endpoint, a demoted writer). It answered as it is meant to.
    (
        re.compile(
            r"in a read-only transaction|read[- ]only (?:replica|mode|database|server)|"
            r"readonly you can'?t write|--read-only option|is read[- ]only",
            re.I,
        ),
        "read_only_refused",
    ),
    (re.compile(r"timed? ?out|timeout|deadline exceeded", re.I), "timeout_logs"),
    # Lambda's own word that an invocation ran to the function's configured timeout and was stopped
    # ("Task timed out after 900.00 seconds"; a REPORT line's "Status: timeout"): the function's limit,
    # whatever made it take that long.
    (re.compile(r"task timed out after [\d.]+ ?s|\bstatus: ?timeout\b", re.I), "function_timed_out"),
    (
        re.compile(r"connection (refused|reset)|econnrefused|econnreset|no route to host|unreachable", re.I),
        "connection_refused_logs",
    ),
    # A cache refusing writes at its memory limit (Redis and Valkey answer "OOM command not allowed when
    # used memory > 'maxmemory'" when the eviction policy frees nothing): the cache's state, not a
    # process killed for memory.
    (
        re.compile(r"oom command not allowed|used memory > .?maxmemory", re.I),
        "cache_full_logs",
    ),
    # "oom" as a word or in OOMKilled/oom-kill, not inside names ("stockroom", "zoom"), and not a
    # cache's "OOM command not allowed".
    (
        re.compile(
            r"out ?of ?memory|\boom(?! command)(?:[-_ ]?kill(?:ed|er)?)?\b|oomkill|killed process|memoryerror|"
            r"cannot allocate memory",
            re.I,
        ),
        "oom_logs",
    ),
    (
        re.compile(
            r"throttl|rate exceeded|exceeded the rate|too many requests|toomanyrequests|slow ?down|"
            r"provisionedthroughputexceeded|requestlimitexceeded",
            re.I,
        ),
        "throttling_logs",
    ),
    (
        re.compile(
            r"no space left|disk (is )?full|enospc|storage[- ]full|storage (has been|is) exhausted|table .* is full",
            re.I,
        ),
        "disk_full_logs",
    ),
    (
        re.compile(
            r"free (ip )?addresses|insufficientfreeaddresses|no free ip|ip address(es)? (exhausted|available)",
            re.I,
        ),
        "subnet_addresses_exhausted",
    ),
    (re.compile(r"kms|disabledexception|kmsinvalidstate|key .*disabled", re.I), "kms_errors"),
    # Row or table locks held by another transaction, as the database reports them to the client that
    # waited (MySQL 1205 "Lock wait timeout exceeded", 1213 "Deadlock found"; PostgreSQL "deadlock
    # detected", "canceling statement due to lock timeout", "could not obtain lock"): decided inside the
    # database, whoever holds the lock.
    (
        re.compile(
            r"lock wait timeout|deadlock found|deadlock detected|due to lock timeout|could not obtain lock|"
            r"lock request time ?out",
            re.I,
        ),
        "db_lock_contention",
    ),
    # A server's own failure as its client prints the answer: an HTTP 5xx status in words ("500 Server
    # Error", "503 Service Unavailable", "too many 503 error responses", "status 502", "HTTP 504"). The
    # server that answered failed; what the client sent was accepted as a request. Bare numbers (an access
    # log's status column) are left alone: which side wrote the line is unknown.
    (
        re.compile(
            r"\b5\d\d (?:server error|internal server error|service unavailable|bad gateway|gateway time-?out)\b|"
            r"\b(?:server error|service unavailable|bad gateway|gateway time-?out)\W{1,3}5\d\d\b|"
            r"too many 5\d\d error responses|\b(?:status(?: ?code)?|http)[=: ]+5\d\d\b|"
            r"\b(?:answered|returned|responded(?: with)?|got|received) (?:http |status )?5\d\d\b",
            re.I,
        ),
        "remote_server_error",
    ),
    # A request, message, item or answer refused for its size, by the service whose ceiling it is: a
    # DynamoDB item over 400 KB, a workflow's state over 256 KB (States.DataLimitExceeded), a Lambda
    # response over 6 MB (the runtime API's 413), a queue's or topic's message over its maximum.
    (
        re.compile(
            r"datalimitexceeded|item size (?:to update )?has exceeded|"
            r"exceeded (?:the )?maximum allowed (?:payload |item |message )?size|payload size exceeded|"
            r"maximum allowed payload size|request entity too large|requestentitytoolarge|payload too large|"
            r"\b(?:response code|status code|status|http)[=: ]+413\b|message (?:size|length) exceeds|"
            r"must be shorter than \d+ bytes|exceeds the maximum (?:allowed )?(?:size|length)|"
            r"recordtoolarge|record (?:is )?too large",
            re.I,
        ),
        "payload_too_large",
    ),
    # EC2 and Fargate say so when they take Spot capacity back (ECS stopCode SpotInterruption, the ASG's
    # "Spot instance interruption" activity, the two-minute interruption notice).
    (
        re.compile(
            r"spot ?(task|instance)?( was)? interrupt|spotinterruption|spot instance termination|"
            r"instance-action.*(terminate|stop)|rebalance recommendation",
            re.I,
        ),
        "spot_interrupted",
    ),
]


# Which AWS API answered a call, as the SDKs print it: Java v2 "(Service: Kms, ..." and its
# "software.amazon.awssdk.services.ssm" packages, JS v3 "@aws-sdk/client-ssm" and "de_GetParametersCommand",
# boto3 "when calling the GetParameters operation", KMS's own "the rate at which you may call KMS".
_SDK_SERVICE = (
    re.compile(r"\(Service: ([A-Za-z0-9]+),"),
    re.compile(r"awssdk\.services\.([a-z0-9]+)\."),
    re.compile(r"@aws-sdk/client-([a-z0-9-]+)"),
    re.compile(r"may call ([A-Z][A-Za-z0-9]+)\b"),
)
_SDK_OPERATION = (
    re.compile(r"when calling the ([A-Z]\w+) operation"),
    re.compile(r"\bde_([A-Z]\w+?)Command"),
    re.compile(r"\b([A-Z][a-z]\w+)Command\b"),
)
# The service of an operation whose SDK did not say: the calls with account-wide request quotas that
# applications make on every request (keys, parameters, secrets, credentials, mail).
OPERATION_SERVICE = {
    **dict.fromkeys(("Decrypt", "Encrypt", "Sign", "Verify", "GenerateDataKey", "ReEncrypt"), "kms"),
    **dict.fromkeys(("GetParameter", "GetParameters", "GetParametersByPath"), "ssm"),
    "GetSecretValue": "secretsmanager",
    **dict.fromkeys(("AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"), "sts"),
    **dict.fromkeys(("SendEmail", "SendRawEmail", "SendTemplatedEmail"), "ses"),
}


@lru_cache(maxsize=64)
def has_operation(service: str, operation: str) -> bool:
    """Whether `service` (its API name: s3, sqs, kms) has an operation of that name, by botocore's own
    model of the service; False for a service botocore does not know."""
    import botocore.exceptions
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return False
    return operation in model.operation_names


def called_api(text: str) -> tuple[str | None, str | None]:
    """(service, operation) of the AWS API a logged failure came from, as far as the text says."""
    service = next((m.group(1).lower() for p in _SDK_SERVICE if (m := p.search(text))), None)
    operation = next((m.group(1) for p in _SDK_OPERATION if (m := p.search(text))), None)
    if service is None and operation is not None:
        service = OPERATION_SERVICE.get(operation)
    return service, operation


# An access log's request line ("POST /v1/login HTTP/1.1" 500): the logging server's own answer to a request
# it received, not the answer of a server it called.
ACCESS_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ HTTP/\d(?:\.\d)?"\s+5\d\d\b')


def message_signals(text: str) -> list[str]:
    found = [signal for pattern, signal in MESSAGE_SIGNALS if pattern.search(text)]
    if "writes_blocked" in found:
        # its FORBIDDEN is the block's own word, not a refused credential
        found = [s for s in found if s != "access_denied_logs"]
    if "remote_server_error" in found and ACCESS_LINE.search(text):
        found = [s for s in found if s != "remote_server_error"]
    if "cache_full_logs" in found:
        # A cache's refusal at its maxmemory, however the client library names it (redis-py raises
        # OutOfMemoryError): the cache is full, the process that logged it did not run out of memory.
        found = [s for s in found if s != "oom_logs"]
    return found


def owner_of(log_group: str) -> str:
    """The resource a log group belongs to, by the names AWS services use; else the group itself."""
    for pattern in (
        r"^/aws/lambda/([^/]+)",
        r"^/aws/rds/(?:cluster|instance)/([^/]+)/",
        r"^/aws/ecs/containerinsights/([^/]+)",  # a cluster's own performance records
        # A service's group, by its name alone or under its cluster's (/ecs/<cluster>/<service>): the
        # service wrote it, not every service of the cluster.
        r"^/(?:aws/)?ecs/(?:[^/]+/)?([^/]+)$",
        r"^/(?:aws/)?ecs/([^/]+)",
    ):
        m = re.match(pattern, log_group)
        if m:
            return m.group(1)
    return log_group


def from_error_counts(out: ErrorCounts, window_end: datetime | None = None) -> list[Draft]:
    drafts: list[Draft] = []
    for g in out.groups:
        s = g.stats
        if s.direction != "up" or s.onset is None:
            continue
        drafts.append(
            _group_errors(
                out,
                g,
                s.onset,
                f"error-like lines in {g.log_group} rose: {s.text()} ({g.total} lines)",
                strength_from_z(s.score) or 0.3,
                window_end,
            )
        )
    return drafts


def _group_errors(
    out: ErrorCounts, g: GroupErrors, onset: datetime, summary: str, strength: float, end: datetime | None
) -> Draft:
    """Error lines of one log group as evidence about the resource the group belongs to."""
    return Draft(
        kind="log_pattern",
        resource=owner_of(g.log_group),
        start=onset,
        end=end,
        summary=summary,
        signals=["log_errors_up"],
        strength=strength,
        facts={
            "log_group": g.log_group,
            "total": g.total,
            "onset": onset.isoformat(),
            "query": out.query,
            "resolution_s": out.bin_minutes * 60,
        },
    )


def from_first_errors(out: ErrorCounts, groups: set[str], window_end: datetime | None = None) -> list[Draft]:
    """Error lines in `groups` (the logs of what the alarm or question names) where the baseline had
    none at all, however few: a job that runs once a night fails once, and that one failure is the
    incident. Groups whose rise was already drafted are left alone."""
    drafts: list[Draft] = []
    for g in out.groups:
        s = g.stats
        if g.log_group not in groups or s.onset is not None or not s.peak or s.peak_at is None:
            continue
        if s.zero_share != 1.0 or not s.baseline_points:
            continue
        summary = (
            f"error-like lines in {g.log_group} appeared: {g.total} in the window, none in the "
            f"{s.baseline_points} baseline intervals before it (peak {s.peak:.0f} at {s.peak_at:%H:%M})"
        )
        drafts.append(_group_errors(out, g, s.peak_at, summary, 0.3, window_end))
    return drafts


# AWS's authorization errors say which policy decided: "... is not authorized to perform: A on resource:
# R because no resource-based policy allows A" (R's own policy: a key, bucket, queue, topic) or "because no
# identity-based policy allows A" / "... explicit deny in an identity-based policy" (the caller's role); "because
# no permissions boundary allows A" / "... in a permissions boundary" (a limit set on the caller's role).
_DENIED = re.compile(
    r"User: (arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):(?:assumed-role|role)/([\w+=,.@-]+))\S*\s+is not authorized to "
    r"perform: ([\w-]+:\w+)(?: on resource: (arn:aws[a-z-]*:[^\s\\\"']+?))?\s+"
    r"(?:because no|with an explicit deny in an?) "
    r"(resource-based policy|identity-based policy|permissions boundary|VPC endpoint policy)",
)
# The VPC endpoint the calls went through is not named in the message: only the service is. This stands
# for "the endpoint of that service the caller's VPC uses" until the topology says which one it is.
ENDPOINT_POLICY = "vpc-endpoint-policy:"


def denied_by(text: str) -> tuple[str, str, str] | None:
    """(the resource whose policy refused, the action, which policy) from an AWS access-denied message."""
    m = _DENIED.search(text)
    if not m:
        return None
    _, account, role, action, resource, which = m.groups()
    if which == "resource-based policy":
        return (resource.rstrip(".,;"), action, "resource-based") if resource else None
    if which == "VPC endpoint policy":
        # Calls from inside a VPC pass through its endpoint for the service, whose policy refused.
        return f"{ENDPOINT_POLICY}{action.split(':')[0].lower()}", action, "VPC endpoint"
    # An identity-based policy or a permissions boundary: both are the caller's role's.
    return f"arn:aws:iam::{account}:role/{role}", action, which.removesuffix(" policy")


def _attributed(t: Template, end: datetime | None, log_groups: list[str]) -> Draft | None:
    found = denied_by(t.example)
    if found is None:
        return None
    resource, action, which = found
    return Draft(
        kind="log_pattern",
        resource=resource,
        start=None,
        end=end,
        summary=f"{action} refused x{t.window_count} by the {which} policy of {resource} "
        f"(AWS's own words in {', '.join(log_groups[:2])})",
        signals=["access_denied_logs"],
        strength=0.6,
        facts={"template": t.template, "example": t.example, "log_groups": log_groups, "action": action},
    )


# Words that make a line with no specific signal an error line.
ERROR_WORDS = re.compile(r"error|exception|fail|fatal|critical|warn", re.I)


def from_templates(
    out: LogTemplates,
    log_groups: list[str],
    start: datetime | None,
    end: datetime | None,
    *,
    any_new: bool = False,
) -> list[Draft]:
    """`any_new`: a pattern absent from the baseline is new however few times it appears (the logs of
    what the alarm names, where one failed run is the incident)."""
    drafts: list[Draft] = []
    owner = owner_of(log_groups[0]) if len(log_groups) == 1 else None
    for t in out.templates:
        if any_new and t.baseline_count == 0 and t.kind == "steady":
            t = t.model_copy(update={"kind": "new"})
        if t.kind not in ("new", "surging"):
            continue
        where = owner
        writers: list[str] = []
        if t.streams and t.window_count:
            # The hosts whose streams (named by instance id) write (nearly) all of it: one host, or a
            # few of them (those launched together, say), are where it comes from.
            covered = 0
            for stream, n in t.streams:
                instance = re.search(r"\bi-[0-9a-f]{8,17}\b", stream)
                if not instance:
                    break
                writers.append(instance.group(0))
                covered += n
                if covered / t.window_count >= 0.8:
                    break
            if covered / t.window_count < 0.8:
                writers = []
            if len(writers) == 1:
                where = writers[0]  # one host writes (nearly) all of it: the pattern is that host's
        named = _attributed(t, end, log_groups)
        if named is not None:
            drafts.append(named)
        said = message_signals(t.template + " " + t.example)
        if not said and not ERROR_WORDS.search(t.template):
            continue
        if (
            not said
            and re.search(ZERO_COUNT_REGEX, t.example)
            and not ERROR_WORDS.search(re.sub(ZERO_COUNT_REGEX, "", t.example))
        ):
            # Its only word of failure is a counter reading zero ("failed": 0): a report that nothing
            # failed, not an error.
            continue
        drafts.append(
            Draft(
                kind="log_pattern",
                resource=where,
                start=None,
                end=end,
                summary=f"{t.kind} log pattern x{t.window_count} (baseline {t.baseline_count}): {t.template[:200]}",
                signals=["new_error_pattern", *said],
                strength=min(0.9, 0.35 + 0.05 * min(t.window_count, 10)),
                facts={
                    "template": t.template,
                    "example": t.example,
                    "log_groups": log_groups,
                    "kind": t.kind,
                },
            )
        )
        if len(writers) > 1:
            # A few hosts write it all (the rest of the group, if it has more, none): who they are.
            drafts[-1].facts["hosts"] = writers
    return drafts
