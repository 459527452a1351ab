"""Shared fixtures: bundle factories and a local moto server over real HTTP."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from evals.bundle import Bundle, Manifest
from evals.replay import ReplayContext, replay_session

# Data beside the checkout (large or held-out sets, such as PetShop); tests that need it skip without it.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# Third-party fixtures vendored with the tests (each folder names its source and licence).
DATA = Path(__file__).resolve().parent / "data"

BASE_MANIFEST: dict[str, Any] = {
    "format": "sleuth-bundle/1",
    "title": "test incident",
    "account_id": "123456789012",
    "region": "us-east-1",
    "start": "2024-05-01T00:00:00Z",
    "end": "2024-05-01T06:00:00Z",
    "now": "2024-05-01T06:00:00Z",
}


def make_bundle(records: dict[str, list[Any]] | None = None, **manifest: Any) -> Bundle:
    """An in-memory bundle with the test manifest, overridden by `manifest` keys."""
    return Bundle(Manifest.model_validate({**BASE_MANIFEST, **manifest}), records or {})


@pytest.fixture(scope="session", autouse=True)
def _bundle_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One cache of generated bundles for the whole test session, shared by the xdist workers and the
    processes the eval runner spawns (they inherit the environment): a fresh incident or scenario built
    by one test is loaded, not built again, by the next (see evals.runner.BUNDLE_CACHE_ENV)."""
    from evals.runner import BUNDLE_CACHE_ENV

    root = tmp_path_factory.getbasetemp()
    # Under xdist each worker has its own base directory, inside one they share (xdist may be off).
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    previous = os.environ.get(BUNDLE_CACHE_ENV)
    os.environ[BUNDLE_CACHE_ENV] = str(shared / "bundle-cache")
    yield
    if previous is None:
        os.environ.pop(BUNDLE_CACHE_ENV, None)
    else:
        os.environ[BUNDLE_CACHE_ENV] = previous


@pytest.fixture
def replay() -> Callable[..., tuple[boto3.Session, ReplayContext]]:
    """`replay(records, **manifest)` -> (boto3 session answering from that bundle, its replay context)."""

    def build(
        records: dict[str, list[Any]] | None = None, **manifest: Any
    ) -> tuple[boto3.Session, ReplayContext]:
        return replay_session(make_bundle(records, **manifest))

    return build


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_endpoint(_moto_server: str) -> str:
    """URL of a local moto server, reset to an empty account for this test."""
    req = urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    return _moto_server


@pytest.fixture
def moto_session(moto_endpoint: str) -> Callable[[str], Any]:
    """`moto_session(service)` -> a real boto3 client talking HTTP to the local moto server."""
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=moto_endpoint)

    return client


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())
