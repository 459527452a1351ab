"""Bundles are input from anyone: bounded, typed, and every refusal one line naming file and line."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from evals.bundle import Bundle, BundleError
from evals.bundle.bundle import Limits
from tests.conftest import BASE_MANIFEST, make_bundle

METRIC = {"namespace": "App", "metric": "Errors", "timestamp": "2024-05-01T01:00:00Z", "value": 1}


def _dir_bundle(tmp_path: Path, **files: bytes) -> Path:
    root = tmp_path / "b"
    root.mkdir()
    (root / "manifest.json").write_text(json.dumps(BASE_MANIFEST))
    for name, body in files.items():
        (root / name.replace("_jsonl", ".jsonl")).write_bytes(body)
    return root


def _tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_non_utf8_names_file_and_line(tmp_path: Path) -> None:
    body = json.dumps(METRIC).encode() + b"\n" + b'{"namespace": "\xff\xfe"}\n'
    with pytest.raises(BundleError, match=r"metrics\.jsonl line 2: not UTF-8 \(byte 0xff"):
        Bundle.load(_dir_bundle(tmp_path, metrics_jsonl=body))


@pytest.mark.parametrize("kind", ["resources", "events"])
def test_deep_json_is_refused_not_a_recursion_error(tmp_path: Path, kind: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(BundleError, match=rf"{kind}\.jsonl line 1: JSON nested deeper than 64"):
        Bundle.load(_dir_bundle(tmp_path, **{f"{kind}_jsonl": deep + b"\n"}))


def test_deep_manifest_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "manifest.json").write_text('{"title": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(BundleError, match="manifest.json: JSON nested deeper"):
        Bundle.load(root)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "true", '"5"'])
def test_metric_values_are_finite_numbers(tmp_path: Path, value: str) -> None:
    line = json.dumps(METRIC).replace('"value": 1', f'"value": {value}')
    with pytest.raises(BundleError, match=r"metrics\.jsonl line 1: field 'value'"):
        Bundle.load(_dir_bundle(tmp_path, metrics_jsonl=line.encode() + b"\n"))


def test_a_directory_or_device_where_a_file_belongs_is_an_error(tmp_path: Path) -> None:
    root = _dir_bundle(tmp_path)
    (root / "logs.jsonl").mkdir()
    with pytest.raises(BundleError, match=r"logs\.jsonl: a directory"):
        Bundle.load(root)
    (root / "logs.jsonl").rmdir()
    (root / "logs.jsonl").symlink_to("/dev/zero")
    with pytest.raises(BundleError, match=r"logs\.jsonl: not a regular file"):
        Bundle.load(root)


def test_a_long_line_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    root = _dir_bundle(tmp_path, logs_jsonl=b"x" * 5000 + b"\n")
    with pytest.raises(BundleError, match=r"logs\.jsonl line 1: a line longer than 1024 bytes"):
        Bundle.load(root, limits=Limits(max_line_bytes=1024))


def test_a_compressed_giant_is_refused_without_unpacking(tmp_path: Path) -> None:
    # 1 GiB of one line, a megabyte compressed: its header says how big it is, so nothing is written.
    archive = tmp_path / "bomb.tar.gz"
    with gzip.open(archive, "wb", compresslevel=1) as gz, tarfile.open(fileobj=gz, mode="w|") as tar:
        manifest = json.dumps(BASE_MANIFEST).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo("logs.jsonl")
        info.size = 64 * 1024**2
        tar.addfile(info, io.BytesIO(b"a" * info.size))
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sleuth-bundle-*"))
    with pytest.raises(BundleError, match="more than 1048576 bytes uncompressed"):
        Bundle.load(archive, limits=Limits(max_bytes=1024**2))
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("sleuth-bundle-*")) == before


def test_an_archive_of_many_files_is_refused_fast_in_one_line(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "many.tar.gz", [(f"f{i}", b"") for i in range(20_000)])
    started = time.perf_counter()
    with pytest.raises(BundleError) as caught:
        Bundle.load(archive)
    assert time.perf_counter() - started < 5
    assert "more than 64 archive members" in str(caught.value) and len(str(caught.value)) < 300


def test_limits_come_from_the_environment() -> None:
    assert Limits.from_env({"SLEUTH_BUNDLE_MAX_MEMBERS": "5"}).max_members == 5
    with pytest.raises(BundleError, match="SLEUTH_BUNDLE_MAX_BYTES='lots' is not a whole number"):
        Limits.from_env({"SLEUTH_BUNDLE_MAX_BYTES": "lots"})


def test_sigterm_while_unpacking_leaves_no_scratch(tmp_path: Path) -> None:
    archive = tmp_path / "slow.tar.gz"
    manifest = json.dumps(BASE_MANIFEST).encode()
    with gzip.open(archive, "wb", compresslevel=1) as gz, tarfile.open(fileobj=gz, mode="w|") as tar:
        for name, size in (("manifest.json", len(manifest)), ("logs.jsonl", 400 * 1024**2)):
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BytesIO(manifest if name == "manifest.json" else bytes(size)))
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    code = (
        "import sys; from evals.bundle import Bundle\n"
        "print('go', flush=True)\n"
        "Bundle.load(sys.argv[1], validate=False)\n"
        "import time; time.sleep(30)\n"
    )
    env = {**os.environ, "TMPDIR": str(scratch_root)}
    with subprocess.Popen(
        [sys.executable, "-c", code, str(archive)], stdout=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"go"
        deadline = time.time() + 20
        while not list(scratch_root.glob("sleuth-bundle-*/logs.jsonl")) and time.time() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM  # stopped while unpacking, not after
    assert list(scratch_root.glob("sleuth-bundle-*")) == []


def test_in_memory_bundles_are_unaffected() -> None:
    assert make_bundle({"metrics": [METRIC]}).validate() == {"metrics": 1}
