"""`init` on hostile repositories (tests/project/init_corpus.py): exit 0 or 2, never a traceback, never
a hang, never a partial write, never a byte outside the repository.

All cases run in one driver process (tests/project/init_driver.py) that forks a child per repository
with a timeout, as an unprivileged user when the tests run as root — so read-only and unreadable
files mean what they mean for a real user.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.project.init_corpus import READS, WRITES
from tests.project.onboarding_apps import parcel_pal

DRIVER = Path(__file__).with_name("init_driver.py")
TIMEOUT_S = 30
NOBODY = 65534
ARGS = ["init", "--yes", "--domain", "parcelpal.app"]
FORCE_CASE = "force-over-unreadable-stack"


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under `folder` (links not followed): type, mode and content or link target."""
    seen: dict[str, object] = {}
    for here, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(here) / name
            info = path.lstat()
            rel = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[rel] = ("file", info.st_mode, path.read_bytes())
            else:
                seen[rel] = ("other", info.st_mode)
    return seen


def _chown_tree(folder: Path, uid: int) -> None:
    os.lchown(folder, uid, uid)
    for here, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            os.lchown(Path(here) / name, uid, uid)


def _force_case(root: Path, outside: Path) -> None:
    """A project init already wrote, whose prod stack someone broke: --force would lose its secrets."""
    subprocess.run([sys.executable, "-m", "launchready", *ARGS], cwd=root, check=True, capture_output=True,
                   timeout=120)
    (root / "stacks" / "Pulumi.prod.yaml").write_text("encryptionsalt: v1:abc\nconfig:\n  a: [\n")


@pytest.fixture(scope="module")
def corpus():
    """{name: (kind, repository, outside, before, after_repo, after_outside, result)} for every case."""
    uid = NOBODY if os.geteuid() == 0 else -1
    base = Path(tempfile.mkdtemp(prefix="launchready-init-corpus-", dir="/tmp"))
    os.chmod(base, 0o755)
    cases, prepared = [], {}
    kinds = {**{n: ("reads", m) for n, m in READS.items()}, **{n: ("writes", m) for n, m in WRITES.items()},
             FORCE_CASE: ("writes", _force_case)}
    try:
        for name, (kind, mutate) in kinds.items():
            folder = base / name
            root = parcel_pal(folder).root
            outside = folder / "outside"
            outside.mkdir()
            (outside / "victim.txt").write_text("not init's to touch\n")
            mutate(root, outside)
            if uid >= 0:
                _chown_tree(folder, uid)
            prepared[name] = (kind, root, outside, snapshot(root), snapshot(outside))
            args = ARGS + (["--force"] if name == FORCE_CASE else [])
            cases.append({"name": name, "cwd": str(root), "args": args})
        (base / "cases.json").write_text(json.dumps(cases))
        logs = base / "logs"
        logs.mkdir(mode=0o777)
        os.chmod(logs, 0o777)
        subprocess.run([sys.executable, str(DRIVER), str(logs / "results.json"), str(TIMEOUT_S), str(uid),
                        str(base / "cases.json")], check=True, timeout=TIMEOUT_S * len(cases) + 120)
        results = json.loads((logs / "results.json").read_text())
        yield {name: (*prepared[name], snapshot(prepared[name][1]), snapshot(prepared[name][2]), results[name])
               for name in prepared}
    finally:
        for here, dirs, _ in os.walk(base):
            for name in dirs:
                path = Path(here) / name
                if not path.is_symlink():
                    os.chmod(path, 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_the_corpus_is_large_and_covers_both_kinds():
    assert len(READS) + len(WRITES) + 1 >= 50 and len(WRITES) >= 10


@pytest.mark.parametrize("name", [*READS, *WRITES, FORCE_CASE])
def test_hostile_repository(corpus, name):
    kind, root, outside, before, outside_before, after, outside_after, result = corpus[name]
    assert not result["hung"], f"{name}: no answer within {TIMEOUT_S} s"
    assert "Traceback" not in result["stderr"] and "internal error" not in result["stderr"], result["stderr"]
    assert outside_after == outside_before, f"{name}: wrote outside the repository"
    assert not [p for p in after if p.endswith(".tmp")], f"{name}: temp files left behind"
    if kind == "writes":
        assert result["code"] == 2, (result["code"], result["stdout"], result["stderr"])
        assert len(result["stderr"].strip().splitlines()) == 1, result["stderr"]
        assert after == before, f"{name}: exit 2 but the repository changed"
    else:
        assert result["code"] == 0, (result["code"], result["stderr"])
        assert (root / "Pulumi.yaml").is_file() and (root / "stacks" / "Pulumi.prod.yaml").is_file()
        if name.endswith("-link-out"):   # a file linked out of the repository is not read, and says so
            assert "a link out of the repository" in result["stdout"], result["stdout"]
