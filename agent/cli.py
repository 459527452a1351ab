"""The `sleuth` command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evals.bundle import Bundle, BundleError

app = typer.Typer(
    name="sleuth",
    help="Investigate AWS incidents: alarms and questions in, ranked evidence-backed root causes out.",
    epilog="Settings (AWS, model, delivery) are listed in the README's Settings table.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
scenarios_app = typer.Typer(
    help="Generated incidents (suites builtin and fresh), written as bundles with ground truth.",
    no_args_is_help=True,
)
bundle_app = typer.Typer(help="Incident bundles: check them.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(bundle_app, name="bundle")

console = Console()
# Everything on stderr is plain text unless a call asks for markup with escaped data: log lines, paths
# and units can hold "[/...]", which Rich would read as markup and abort on.
errors = Console(stderr=True, markup=False, soft_wrap=True)

# Terminal control characters from log lines (clear screen, cursor moves) never reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """`text` safe to print inside Rich markup: control characters dropped, brackets escaped."""
    return escape(_CONTROL.sub("", text))


BLIND = 3  # exit code: the investigation could not read the evidence it needed (never an all-clear)
CHECKPOINTS = Path.home() / ".sleuth" / "checkpoints.sqlite"
STATE_DB = Path.home() / ".sleuth" / "alarms.sqlite"
THREADS = Path.home() / ".sleuth" / "threads.json"  # how each --thread ran, for `sleuth feedback`


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"sleuth {version('sleuth')}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit"),
    ] = None,
) -> None:
    """Investigate AWS incidents: alarms and questions in, ranked evidence-backed root causes out."""


# AWS settings shared by every live command; boto3 itself reads AWS_DEFAULT_REGION (AWS_REGION is what
# the other SDKs and Lambda set, so both are honoured here).
Region = Annotated[
    str | None,
    typer.Option(
        envvar=["AWS_DEFAULT_REGION", "AWS_REGION"], metavar="REGION", help="AWS region (else the profile's)"
    ),
]
Profile = Annotated[
    str | None,
    typer.Option(envvar="AWS_PROFILE", metavar="NAME", help="AWS profile (else the default chain)"),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="print only the report and errors")]
NoColor = Annotated[
    bool,
    typer.Option(
        "--no-color", help="text report without colour (also NO_COLOR=1; never coloured unless a terminal)"
    ),
]


class Format(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"


class Brain(StrEnum):
    rules = "rules"
    claude = "claude"


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {plain(message)}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(code)


def _progress(quiet: bool) -> Any:
    if quiet:
        return lambda _msg: None
    return lambda msg: errors.print(f"[dim]…[/] {plain(msg)}", highlight=False, markup=True, soft_wrap=True)


def _info(quiet: bool, message: str) -> None:
    """A line for the person at the terminal (stderr), silenced by -q."""
    if not quiet:
        errors.print(message, highlight=False, markup=False, soft_wrap=True)


def _terminal(no_color: bool) -> tuple[int, bool]:
    """The text report's width and colour for stdout: the terminal's width (bounded by the renderer),
    colour only on a terminal and unless NO_COLOR (any value, https://no-color.org) or --no-color."""
    from agent.report.text import WIDTH

    if not sys.stdout.isatty():
        return WIDTH, False
    width = shutil.get_terminal_size((WIDTH, 24)).columns
    return width, not no_color and not os.environ.get("NO_COLOR")


def _emit(report: Any, fmt: Format, out: Path | None, quiet: bool = False, no_color: bool = False) -> None:
    from agent.report import html, markdown, text
    from tools.redact import redact_value

    if fmt is Format.json:
        body = json.dumps(redact_value(report.model_dump(mode="json")), indent=2) + "\n"
    elif fmt is Format.md:
        body = markdown.render(report)
    elif fmt is Format.html:
        body = html.render(report)
    elif out is not None:
        body = text.render(report)
    else:
        width, colour = _terminal(no_color)
        body = text.render(report, width=width, colour=colour)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        _info(quiet, f"report written to {out}")
    else:
        sys.stdout.write(body)


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _fail(f"--{name} {value!r} is not an ISO-8601 time such as 2024-05-01T14:00:00Z") from exc
    if parsed.tzinfo is None:
        raise _fail(f"--{name} {value!r} needs a time zone (add Z for UTC)")
    return parsed.astimezone(UTC)


def _brain(brain: Brain | None) -> Brain:
    import os

    if brain is not None:
        return brain
    if os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("SLEUTH_BEDROCK"):
        return Brain.claude
    return Brain.rules


@app.command(
    epilog='Examples:\n\n  sleuth investigate "why is checkout returning 5xx since 14:00?"\n\n  sleuth investigate "slow since about 11:15am" --tz Europe/Berlin --since 3h\n\n  sleuth investigate --alarm-event event.json --format html --out report.html\n\n  sleuth investigate --bundle incident.tar.gz --format json -q > report.json'
)
def investigate(
    question: Annotated[str | None, typer.Argument(help="what is wrong, in your words")] = None,
    alarm_event: Annotated[
        Path | None, typer.Option("--alarm-event", help="an EventBridge alarm state-change event (JSON file)")
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option(help="investigate this incident bundle offline instead of live AWS")
    ] = None,
    since: Annotated[str | None, typer.Option(help="window ending now, e.g. 2h, 90m")] = None,
    start: Annotated[str | None, typer.Option(help="window start, ISO-8601 with zone")] = None,
    end: Annotated[str | None, typer.Option(help="window end, ISO-8601 with zone")] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="time zone of clock times in the question (Europe/Berlin, +02:00); default: this "
            "machine's, or the bundle's trigger timezone offline",
        ),
    ] = None,
    region: Region = None,
    profile: Profile = None,
    brain: Annotated[
        Brain | None, typer.Option(help="planner: rules (default without a model key) or claude")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="report format")] = Format.text,
    out: Annotated[Path | None, typer.Option(help="write the report here instead of stdout")] = None,
    thread: Annotated[
        str | None,
        typer.Option(help="checkpoint the investigation under this id (resume with `sleuth feedback`)"),
    ] = None,
    quiet: Quiet = False,
    no_color: NoColor = False,
    fallback_rules: Annotated[
        bool,
        typer.Option(
            "--fallback-rules", help="with --brain claude: use the rules planner if no model is reachable"
        ),
    ] = False,
) -> None:
    """Investigate an incident: a question and/or an alarm event, live or against a bundle."""
    from agent.investigate import investigate as run
    from tools.aws import AwsClients, CallBudget
    from tools.window import parse_duration, parse_timezone

    if tz is not None:
        try:
            parse_timezone(tz)
        except ValueError as exc:
            raise _fail(str(exc)) from exc
    event = _read_event(alarm_event) if alarm_event else None
    chosen = _brain(brain)
    if chosen is Brain.claude:
        from agent.planners.settings import ClaudeSettings

        if not ClaudeSettings.from_env().configured():
            if not fallback_rules:
                raise _fail(
                    "--brain claude needs ANTHROPIC_API_KEY or SLEUTH_BEDROCK=true; "
                    "add --fallback-rules to use the rules planner instead"
                )
            errors.print("no model reachable: using the rules planner (--fallback-rules)", highlight=False)
            chosen = Brain.rules
    loaded = _load_bundle(bundle) if bundle else None
    if loaded is not None:
        from evals.replay import replay_session

        session, _ = replay_session(loaded)
        aws = AwsClients(session, budget=CallBudget(limit=600))
        now = loaded.manifest.now
        if question is None and event is None:
            question = loaded.manifest.trigger.question
            trig = loaded.manifest.trigger.alarm_event
            event = trig.model_dump(mode="json", by_alias=True) if trig else None
        tz = tz or loaded.manifest.trigger.timezone
    else:
        aws = _live(profile, region)
        now = datetime.now(UTC)  # the one read of the wall clock: everything downstream is given `now`
        tz = tz or _local_zone(now)
        problem = aws.preflight()
        if problem is not None:
            raise _fail(f"cannot investigate: {problem}", BLIND)
    if question is None and event is None:
        raise _fail(
            "say what is wrong (a question) or give --alarm-event FILE (or a --bundle with a trigger)"
        )
    s, e = _parse_time(start, "start"), _parse_time(end, "end")
    if since:
        try:
            s, e = now - parse_duration(since), now
        except ValueError as exc:
            raise _fail(str(exc)) from exc
    if s and e and s >= e:
        raise _fail(f"the window is empty: start {s:%Y-%m-%d %H:%M} is not before end {e:%Y-%m-%d %H:%M}")
    if thread:
        from agent.threads import ThreadRun, remember

        ran = ThreadRun(bundle=str(bundle.resolve()) if bundle else None, region=region, profile=profile)
        remember(THREADS, thread, ran)
    _info(quiet, f"planner: {chosen.value}" + (" (offline bundle)" if loaded else ""))
    try:
        report = run(
            aws,
            now=now,
            question=question,
            alarm_event=event,
            start=s,
            end=e,
            timezone=tz,
            progress=_progress(quiet),
            brain=chosen.value,
            **_checkpoint_kwargs(thread),
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    _emit(report, fmt, out, quiet, no_color)
    if report.verdict == "insufficient_data":
        errors.print(
            "could not investigate: "
            + (
                ", ".join(report.missing_permissions) + " refused"
                if report.missing_permissions
                else "see data gaps"
            ),
            highlight=False,
        )
        raise typer.Exit(BLIND)


def _live(profile: str | None, region: str | None, **kwargs: Any) -> Any:
    """Live clients, or a one-line error for a profile that does not exist."""
    from botocore.exceptions import BotoCoreError

    from tools.aws import AwsClients

    try:
        return AwsClients.live(profile=profile, region=region, **kwargs)
    except BotoCoreError as exc:
        raise _fail(f"cannot use the AWS configuration: {exc}") from exc


def _local_zone(now: datetime) -> str:
    """This machine's UTC offset now, as +HH:MM: how its user reads '11:15' in a question."""
    offset = now.astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@app.command(
    epilog="Examples:\n\n  sleuth feedback --thread inc-42 --discard security-group-rule-revoked\n\n  sleuth feedback --thread inc-42 --accept 'lambda-throttled|checkout-fn'"
)
def feedback(
    thread: Annotated[str, typer.Option(help="the investigation's --thread id")],
    accept: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="hypothesis to accept: failure mode, or mode|resource (repeatable)"),
    ] = None,
    discard: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="hypothesis to discard: failure mode, or mode|resource (repeatable)"),
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option(help="the bundle to resume against (default: the one the thread ran on)")
    ] = None,
    region: Region = None,
    profile: Profile = None,
    fmt: Annotated[Format, typer.Option("--format", help="report format")] = Format.text,
    out: Annotated[Path | None, typer.Option(help="write the report here")] = None,
    quiet: Quiet = False,
    no_color: NoColor = False,
) -> None:
    """Accept or discard hypotheses of a checkpointed investigation, and resume it the way it ran
    (the same bundle, or live with the same region and profile, unless given here)."""
    import getpass

    from agent.investigate import resume
    from agent.threads import recall
    from tools.aws import AwsClients

    verdicts = {k: "accepted" for k in accept or []} | {k: "discarded" for k in discard or []}
    if not verdicts:
        raise _fail("give --accept or --discard (a failure mode id, or mode|resource)")
    try:
        ran = recall(THREADS, thread)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if ran is not None and bundle is None and ran.bundle:
        bundle = Path(ran.bundle)
    elif ran is not None and not ran.bundle:
        region, profile = region or ran.region, profile or ran.profile
    if ran is not None:
        _info(quiet, f"resuming thread {thread} as it ran: {ran.describe()}")
    if bundle:
        from evals.replay import replay_session

        session, _ = replay_session(_load_bundle(bundle))
        aws = AwsClients(session)
    else:
        aws = _live(profile, region)
    try:
        report = resume(
            aws,
            thread_id=thread,
            feedback=verdicts,
            db_path=CHECKPOINTS,
            progress=_progress(quiet),
            by=getpass.getuser(),
            at=datetime.now(UTC),  # when the person gave the verdict, recorded in the report
        )
    except LookupError as exc:
        raise _fail(str(exc)) from exc
    _emit(report, fmt, out, quiet, no_color)


@app.command(
    epilog="Examples:\n\n  sleuth demo\n\n  sleuth demo sg-rule-revoked --seed 2 --format html --out demo.html"
)
def demo(
    scenario: Annotated[
        str | None, typer.Argument(help="scenario name (see `sleuth scenarios list`)")
    ] = None,
    seed: Annotated[int, typer.Option(help="scenario seed")] = 1,
    fmt: Annotated[Format, typer.Option("--format", help="report format")] = Format.text,
    out: Annotated[Path | None, typer.Option(help="write the report here instead of stdout")] = None,
    quiet: Quiet = False,
    no_color: NoColor = False,
) -> None:
    """Build a built-in incident (default: an Aurora bug behind an ASG replacement loop), investigate it
    offline with the rules planner, and print the report."""
    from agent.investigate import offline
    from evals.scenarios import DEFAULT_SCENARIO

    built = _build_scenario(scenario, seed)
    _info(quiet, f"scenario {scenario or DEFAULT_SCENARIO} seed {seed}: {built.manifest.title}")
    _info(quiet, "planner: rules (offline bundle)")
    report = offline(built, progress=_progress(quiet))
    _emit(report, fmt, out, quiet, no_color)


@app.command(
    "eval",
    epilog="Examples:\n\n  sleuth eval --suite builtin --seeds 1-2 --jobs 2\n\n  sleuth eval --bundles captured/ --bundles more/ --json results.json",
)
def eval_(
    suite: Annotated[
        str | None,
        typer.Option(help="builtin (written with the agent), fresh (written independently of it), or all"),
    ] = None,
    seeds: Annotated[str, typer.Option(help="seeds for the suite's generators, e.g. 1-5 or 1,3")] = "1-5",
    scenario: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="only this scenario of the suite (repeatable)")
    ] = None,
    bundles: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="DIR", help="a directory of bundles with truth (repeat: --bundles A --bundles B)"
        ),
    ] = None,
    petshop: Annotated[Path | None, typer.Option(help="the PetShop dataset directory")] = None,
    split: Annotated[str, typer.Option(help="PetShop split: train, test or all")] = "train",
    brain: Annotated[Brain, typer.Option(help="planner")] = Brain.rules,
    jobs: Annotated[int, typer.Option(help="parallel processes")] = 1,
    json_path: Annotated[Path | None, typer.Option("--json", help="write results as JSON")] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="write results as Markdown")
    ] = None,
    gate: Annotated[
        bool, typer.Option("--gate", help="exit 1 below the floors in evals/floors.json")
    ] = False,
    floors: Annotated[Path | None, typer.Option(help="floors file (default: evals/floors.json)")] = None,
    record: Annotated[
        bool, typer.Option(help="claude: record the model's HTTP exchanges (keys filtered)")
    ] = False,
    replay: Annotated[bool, typer.Option(help="claude: replay a recording; needs no key or network")] = False,
    cassette: Annotated[
        Path | None, typer.Option(help="the recording file (default under evals/recordings/)")
    ] = None,
) -> None:
    """Score the agent over incident bundles: built-in scenarios, your own bundles, PetShop."""
    import contextlib

    from evals import runner
    from evals.runner import FLOORS, run_eval

    if (record or replay) and brain is not Brain.claude:
        raise _fail("--record and --replay go with --brain claude")
    if record and replay:
        raise _fail("choose --record or --replay")
    session: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if record or replay:
        from agent.planners import Brain as LlmBrain
        from agent.planners.recording import RecordingUnavailable, recording, require_vcr
        from agent.planners.settings import ClaudeSettings

        path = cassette or Path("evals/recordings") / f"claude-{suite or 'bundles'}.yaml"
        if replay and not path.is_file():
            raise _fail(f"--replay: no recording at {path}; make one with --record (needs a model key)")
        if record and not ClaudeSettings.from_env().configured():
            raise _fail("--record calls the model: set ANTHROPIC_API_KEY, or SLEUTH_BEDROCK=1 for Bedrock")
        try:
            require_vcr()
        except RecordingUnavailable as exc:
            raise _fail(str(exc)) from exc
        session = recording(path, mode="all" if record else "none")
        jobs = 1  # the recording patches HTTP in this process only
    with session as rec:
        if rec is not None:
            runner.LLM = LlmBrain(settings=rec.settings(ClaudeSettings.from_env()))
        code = run_eval(
            suite=suite,
            seeds=seeds,
            scenarios=scenario or [],
            bundles=bundles or [],
            petshop=petshop,
            split=split,
            brain=brain.value,
            jobs=jobs,
            json_path=json_path,
            markdown_path=markdown_path,
            check_gate=gate,
            floors=floors or FLOORS,
            console=console,
        )
    raise typer.Exit(code)


@app.command(
    epilog="Examples:\n\n  sleuth capture --start 2024-05-01T13:00:00Z --end 2024-05-01T15:00:00Z --alarm checkout-5xx --out inc-42/"
)
def capture(
    start: Annotated[str, typer.Option(help="window start, ISO-8601 with zone")],
    end: Annotated[str, typer.Option(help="window end, ISO-8601 with zone")],
    out: Annotated[Path, typer.Option(help="bundle directory (or .tar.gz) to write")],
    alarm: Annotated[str | None, typer.Option(help="the alarm that fired (becomes the trigger)")] = None,
    resources: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="a name, id or ARN to include with its neighbours (repeatable)"),
    ] = None,
    title: Annotated[str | None, typer.Option(help="the bundle's title")] = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Snapshot a live incident into a bundle (read-only), to replay and score it offline later."""
    from evals.capture import capture as snapshot
    from tools.aws import CallBudget

    s, e = _parse_time(start, "start"), _parse_time(end, "end")
    if s is None or e is None or s >= e:
        raise _fail("--start must be before --end")
    aws = _live(profile, region, budget=CallBudget(limit=3000))
    _can_read(aws, "sts", "GetCallerIdentity", "capture")  # else an empty bundle for no account
    now = datetime.now(UTC)  # the capture's present; the bundle keeps it as `now`
    got = snapshot(
        aws,
        start=s,
        end=min(e, now),
        now=now,
        alarm=alarm,
        resources=resources or [],
        title=title or f"captured {s:%Y-%m-%d %H:%M}Z",
        progress=_progress(False),
    )
    try:
        path = got.bundle.write(out)
    except (BundleError, OSError) as exc:
        raise _fail(f"cannot write {out}: {exc}") from exc
    if path.is_dir():
        got.report.write(path)
    console.print(got.report.text(), highlight=False, markup=False)
    console.print(f"wrote {path}", highlight=False, markup=False)


@app.command(
    "on-alarm", epilog="Examples:\n\n  sleuth on-alarm event.json --bundle incident.tar.gz --format md"
)
def on_alarm(
    event: Annotated[Path, typer.Argument(help="an EventBridge alarm state-change event (JSON file)")],
    bundle: Annotated[
        Path | None, typer.Option(help="investigate against this bundle instead of live AWS")
    ] = None,
    state_db: Annotated[Path, typer.Option(help="SQLite file for dedupe and storm state")] = STATE_DB,
    region: Region = None,
    profile: Profile = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="print the report in this format (default: the run's JSON status)"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="write the report here (implies --format text)")] = None,
    quiet: Quiet = False,
    no_color: NoColor = False,
) -> None:
    """Run exactly what the Lambda runs for one alarm event, locally."""
    from agent.investigate import handle_request
    from agent.triggers import runner
    from agent.triggers.sqlite_store import SQLiteStore
    from tools.aws import AwsClients

    try:
        raw = event.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {event}: {exc.strerror or exc}") from exc
    import os
    import sqlite3

    from agent.triggers.delivery.config import DeliveryConfig, DeliveryConfigError
    from agent.triggers.delivery.dispatch import ReportDelivery

    clock = runner.utc_now
    if bundle:
        from evals.replay import replay_session

        loaded = _load_bundle(bundle)
        clients = AwsClients(replay_session(loaded)[0])
        clock = lambda: loaded.manifest.now  # noqa: E731 - offline, the present is the bundle's
    else:
        clients = _live(profile, region)
    printed = fmt is not None or out is not None  # then the report is not also logged as one JSON line
    try:
        config = DeliveryConfig.from_env(os.environ)
    except DeliveryConfigError as exc:
        raise _fail(f"delivery settings: {exc}") from exc
    try:
        state_db.parent.mkdir(parents=True, exist_ok=True)
        store = SQLiteStore(state_db)
    except (OSError, sqlite3.Error) as exc:
        raise _fail(f"cannot use the state database {state_db}: {exc}") from exc
    delivery = ReportDelivery(config, None if bundle else clients.session, log_report=not printed)
    reports: list[dict[str, Any]] = []

    def investigator(request: Any) -> dict[str, Any]:
        reports.append(handle_request(request))  # kept to print; the runner stores and delivers it too
        return reports[-1]

    try:
        result = runner.handle_and_drain(
            raw, investigator, store, clients=clients, bundle=bundle, deliver=delivery, clock=clock
        )
    except sqlite3.Error as exc:
        raise _fail(f"cannot use the state database {state_db}: {exc}") from exc
    status = json.dumps(result, indent=2, default=str) + "\n"
    if not printed:
        sys.stdout.write(status)
    else:
        _info(quiet, json.dumps({k: v for k, v in result.items() if k != "summary"}, default=str))
        if reports:
            from agent.report.model import Report

            _emit(Report.model_validate(reports[-1]), fmt or Format.text, out, quiet, no_color)
        else:
            _info(quiet, f"no report: the event was {result.get('status')}, not investigated")
    if result.get("status") == "unprocessed":
        raise typer.Exit(1)


@app.command(epilog="Examples:\n\n  sleuth watch --interval 60 --prefix prod-")
def watch(
    interval: Annotated[float, typer.Option(help="seconds between polls")] = 60.0,
    prefix: Annotated[str | None, typer.Option(help="only alarms whose name starts with this")] = None,
    state_db: Annotated[Path, typer.Option(help="SQLite file for dedupe and storm state")] = STATE_DB,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Poll for alarms going to ALARM and investigate each (for teams without the Lambda). Ctrl-C stops."""
    from functools import partial

    from agent.investigate import handle_request
    from agent.triggers import runner
    from agent.triggers.sqlite_store import SQLiteStore

    clients = _live(profile, region)
    _can_read(
        clients, "cloudwatch", "DescribeAlarms", "watch", MaxRecords=1
    )  # else it polls a failure forever
    state_db.parent.mkdir(parents=True, exist_ok=True)
    store = SQLiteStore(state_db)
    handle = partial(runner.on_alarm, investigator=handle_request, store=store, clients=clients)
    errors.print(f"watching alarms every {interval:.0f} s (Ctrl-C to stop)", highlight=False)
    result = runner.watch(
        clients,
        handle,
        interval_s=interval,
        name_prefix=prefix,
        after_poll=lambda: runner.run_queued(handle_request, store, clients=clients),
    )
    errors.print(
        f"stopped ({result.stopped_by}) after {result.polls} polls, {len(result.handled)} alarms handled"
    )


@app.command(
    epilog="Examples:\n\n  sleuth rerun report.json ev-12\n\n  sleuth rerun report.json ev-3 --bundle incident.tar.gz"
)
def rerun(
    report_path: Annotated[Path, typer.Argument(metavar="REPORT.json", help="a report from --format json")],
    evidence_id: Annotated[str, typer.Argument(metavar="EV-ID", help="the evidence id, e.g. ev-12")],
    bundle: Annotated[
        Path | None, typer.Option(help="re-run against this bundle instead of live AWS")
    ] = None,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Re-run one evidence item's query and say whether it still holds (exit 1 when it does not)."""
    from pydantic import ValidationError

    from agent.recheck import find, recheck
    from agent.report.model import Report
    from tools.aws import AwsClients

    try:
        report = Report.model_validate_json(report_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(f"cannot read {report_path}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise _fail(f"{report_path} is not a Sleuth JSON report ({where}: {first['msg']})") from exc
    try:
        find(report, evidence_id)
    except LookupError as exc:
        raise _fail(str(exc)) from exc
    if bundle is not None:
        from evals.replay import replay_session

        loaded = _load_bundle(bundle)
        session, _ = replay_session(loaded)
        aws, now = AwsClients(session), loaded.manifest.now
    else:
        aws = AwsClients.live(profile=profile, region=region)
        now = datetime.now(UTC)  # the present of a live re-run
    try:
        got = recheck(report, evidence_id, aws, now)
    except LookupError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"re-ran {got.call}", highlight=False, markup=False, soft_wrap=True)
    console.print(got.line(), highlight=False, markup=False, soft_wrap=True)
    if got.holds is False:
        raise typer.Exit(1)


@scenarios_app.command("list")
def scenarios_list() -> None:
    """List the generated incidents of every suite (builtin, fresh)."""
    from evals.scenarios import list_scenarios
    from evals.suites.fresh import list_incidents

    table = Table("name", "suite", "title", "what happens", box=None, show_edge=False)
    for info in list_scenarios():
        table.add_row(info.name, "builtin", info.title, info.summary)
    for incident in list_incidents():
        table.add_row(incident.name, "fresh", incident.title, incident.summary)
    console.print(table)


@scenarios_app.command("build")
def scenarios_build(
    name: Annotated[str, typer.Argument(help="scenario name (see `sleuth scenarios list`)")],
    out: Annotated[Path, typer.Option(help="directory (or .tar.gz) to write the bundle to")],
    seed: Annotated[int, typer.Option(help="seed: same name and seed, same bundle")] = 1,
) -> None:
    """Generate one scenario as an incident bundle."""
    built = _build_scenario(name, seed)
    try:
        path = built.write(out)
    except (BundleError, OSError) as exc:
        raise _fail(f"cannot write {out}: {exc}") from exc
    console.print(f"wrote {path} ({built.manifest.title})", highlight=False, markup=False)


@bundle_app.command("validate")
def bundle_validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="bundle directories or .tar.gz")],
) -> None:
    """Check bundles against format v1; name file, line and field of the first problem."""
    failed = 0
    for path in paths:
        try:
            counts = Bundle.load(path).validate()
        except BundleError as exc:
            errors.print(f"invalid: {exc}", highlight=False)
            failed += 1
            continue
        held = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no records"
        console.print(f"ok: {path} ({held})", highlight=False, markup=False)
    if failed:
        raise typer.Exit(1)


def _can_read(aws: Any, service: str, operation: str, needed_for: str, **params: Any) -> None:
    """Fail in one line, before any work, when the first call a long-running command depends on fails
    (no credentials or region, an expired token, a missing permission): such errors do not heal."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.call(service, operation, **params)
    except (BotoCoreError, ClientError) as exc:
        raise _fail(f"{needed_for} needs {service}:{operation}, which failed: {exc}") from exc


def _read_event(path: Path) -> dict[str, Any]:
    from agent.triggers.events import EventError, parse_event

    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise _fail(f"{path}: not UTF-8 (byte {exc.start + 1})") from exc
    except json.JSONDecodeError as exc:
        raise _fail(f"{path} line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise _fail(f"{path}: JSON nested too deeply") from exc
    if not isinstance(data, dict) or data.get("detail-type") != "CloudWatch Alarm State Change":
        raise _fail(
            f"{path} is not an EventBridge 'CloudWatch Alarm State Change' event (field 'detail-type')"
        )
    try:
        parse_event(data)
    except EventError as exc:
        raise _fail(f"{path}: field {exc.field}: {exc.message}") from exc
    return data


def _checkpoint_kwargs(thread: str | None) -> dict[str, Any]:
    if not thread:
        return {}
    CHECKPOINTS.parent.mkdir(parents=True, exist_ok=True)
    return {"thread_id": thread, "db_path": CHECKPOINTS}


def _load_bundle(path: Path) -> Bundle:
    try:
        return Bundle.load(path)
    except BundleError as exc:
        raise _fail(str(exc)) from exc


def _build_scenario(name: str | None, seed: int) -> Bundle:
    from evals.scenarios import DEFAULT_SCENARIO, build, list_scenarios
    from evals.suites import fresh

    chosen = name or DEFAULT_SCENARIO
    builtin = [info.name for info in list_scenarios()]
    if chosen in builtin:
        return build(chosen, seed)
    others = [incident.name for incident in fresh.list_incidents()]
    if chosen in others:
        return fresh.build(chosen, seed)
    raise _fail(f"no scenario named {chosen!r}; known: {', '.join(builtin + others)}")


if __name__ == "__main__":
    app()
