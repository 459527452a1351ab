"""Offline replay of AWS behind boto3: clients answer from an incident bundle.

    session = boto3.Session(region_name=bundle.manifest.region)
    ctx = attach(session, bundle)
    session.client("logs").start_query(...)   # answered from the bundle, never sent

Every client created from the session afterwards answers from the bundle. Requests are validated by
botocore as usual; responses are validated against the operation's output shape; operations replay
does not implement raise `ReplayUnsupported`; mutating operations raise `ReplayRefused`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
import botocore.client
import botocore.loaders
import botocore.session

from evals.bundle import Bundle
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError, ReplayError, ReplayRefused, ReplayUnsupported
from evals.replay.hook import ReplayHook, ReplayShapeError
from evals.replay.registry import supported

__all__ = [
    "AwsError",
    "ReplayContext",
    "ReplayError",
    "ReplayRefused",
    "ReplayShapeError",
    "ReplayUnsupported",
    "attach",
    "replay_session",
    "supported",
]


def attach(session: boto3.Session, bundle: Bundle) -> ReplayContext:
    """Make every client later created from `session` answer from `bundle`. Returns the replay state."""
    if getattr(session, "_sleuth_replay", None) is not None:
        raise ReplayError("this session is already attached to a bundle; make a new boto3.Session")
    ctx = ReplayContext(bundle)
    session._sleuth_replay = ctx
    hook = ReplayHook(ctx)
    events = session.events
    events.register_first("before-parameter-build", hook.remember_params, unique_id="sleuth-replay-params")
    # Last, so that every other before-call handler (such as a call budget) still runs before replay answers.
    events.register_last("before-call", hook.answer, unique_id="sleuth-replay-call")
    return ctx


@cache
def _loader() -> botocore.loaders.Loader:
    # botocore's service models are read-only data; one loader (and its cache) serves every replay
    # session of the process, instead of each session decoding the same model files again.
    return botocore.loaders.create_loader()


@cache
def _share_models() -> None:
    """Let every replay session of the process share botocore's service models and client classes.

    botocore builds a new `ServiceModel` (whose shapes it then resolves again) and a new client class
    (one method per operation) for every client of every session: a fifth of an offline investigation,
    which makes a session per bundle and a client per service. Both are read-only once built, and
    replay sessions differ only in the handlers `attach` registers on the session (which each client
    still copies), so a process-wide memo serves them all. Clients whose session does not use the
    replay loader (live ones) build their own, as botocore does.
    """
    creator = botocore.client.ClientCreator
    load, make = getattr(creator, "_load_service_model", None), getattr(creator, "_create_client_class", None)
    if load is None or make is None:  # another botocore: correct without the memo, only slower
        return
    models: dict[tuple[str, str | None], Any] = {}
    classes: dict[tuple[str, int], type] = {}

    def load_service_model(self: Any, service_name: str, api_version: str | None = None) -> Any:
        if self._loader is not _loader():
            return load(self, service_name, api_version)
        key = (service_name, api_version)
        if key not in models:
            models[key] = load(self, service_name, api_version)
        return models[key]

    def create_client_class(self: Any, service_name: str, service_model: Any) -> type:
        if self._loader is not _loader():
            return make(self, service_name, service_model)
        key = (service_name, id(service_model))  # the shared model: kept alive by `models`
        if key not in classes:
            classes[key] = make(self, service_name, service_model)
        return classes[key]

    creator._load_service_model = load_service_model
    creator._create_client_class = create_client_class


def replay_session(bundle: Bundle) -> tuple[boto3.Session, ReplayContext]:
    """A fresh boto3 session in the bundle's region, attached to the bundle, needing no credentials."""
    _share_models()
    core = botocore.session.get_session()
    core.register_component("data_loader", _loader())
    session = boto3.Session(
        botocore_session=core,
        region_name=bundle.manifest.region,
        aws_access_key_id="replay",
        aws_secret_access_key="replay",
    )
    return session, attach(session, bundle)
