"""Hostile stack files: every one is exit 2 with one line naming file, key and problem (never exit 3).

Run through the CLI's `main()` against another app's stacks (Larkspur Journal: stacks `staging` and
`production`, not the bundled example).
"""
from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from launchready.cli import main
from launchready.config.model import ConfigError, load_stack
from launchready.files import FileProblem, read_capped
from launchready.project import Project

DATA = Path(__file__).parent / "data" / "larkspur"


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    target = tmp_path / "stacks"
    shutil.copytree(DATA, target)
    return target


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def replace(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, old
    path.write_bytes(data.replace(old, new, 1))


def one_error(stacks: Path, stack: str = "production") -> str:
    for argv in (["plan", "--stack", stack, "--format", "json"], ["check", "--stack", stack, "--offline"]):
        code, _, err = run(*argv, "--stacks-dir", str(stacks))
        assert code == 2, err
        assert "Traceback" not in err and "internal error" not in err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("launchready: ") for line in lines)
    assert str(stacks / f"Pulumi.{stack}.yaml") in lines[0]
    return err


PROD = "Pulumi.production.yaml"
ALIAS_BOMB = b"config:\n  a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
    b"  %c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(9))


@pytest.mark.parametrize("old,new,expected", [
    (b"name: Larkspur Journal", b"name: Larkspur \xff Journal", "line 9: not UTF-8 (byte 0xff"),
    (b"  launchready:owners:", b"  launchready:owners:\n    deep: " + b"[" * 1000 + b"]" * 1000 + b"\n  x-y:", "nest"),
    (b"    region: us-central1\n", b"    region: us-central1\n    region: us-east1\n",
     "config.launchready:gcp.region: duplicate key (line 15; first at line 14)"),
    (b"  launchready:caaIssuers: [letsencrypt.org]",
     b"  launchready:caaIssuers: [" + b"a.io," * 100_000 + b"x.org]", "more than 100,000 values"),
    (b"appHost: my.larkspur.app", "appHost: 🚀.larkspur.app".encode(),
     "launchready:domain.appHost: not a valid hostname: IDNA refuses it"),
    (b"apiHost: backend.larkspur.app", b"apiHost: -backend.larkspur.app", "launchready:domain.apiHost: not a valid hostname"),
    (b'apiVersion: "2024-09-30.acacia"', b"apiVersion: 2024-06-20",
     'launchready:stripe.apiVersion: Input should be a valid string (YAML reads an unquoted 2024-06-20 as a date: '
     'quote it, e.g. "2024-06-20")'),
    (b"apiVersion: \"2024-09-30.acacia\"", b"apiVersion: 2024-13-45", "a value YAML cannot convert"),
    (b"appHost: my.larkspur.app", b"appHost: on", "reads unquoted yes/no/on/off/true/false as a boolean"),
    (b"provider: postmark", b"provider: 0123", "reading 0123 as octal 83: quote the value"),
    (b"cloudflareZoneId:", b"cloudflareZoneID:", "cloudflareZoneID: unknown key (did you mean `cloudflareZoneId`?)"),
    (b"  launchready:caaIssuers:", b"  launchready:caaIssuer:", "launchready:caaIssuer: unknown key (did you mean "
                                                                "`caaIssuers`?)"),
])
def test_bad_stack_file_is_one_clear_config_error(stacks, old, new, expected):
    replace(stacks / PROD, old, new)
    err = one_error(stacks)
    assert expected in err


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../dev/zero"])
def test_config_file_outside_the_project_is_one_config_error(stacks, path):
    replace(stacks / PROD, b"rulesFile: firestore.rules", b"rulesFile: " + path.encode())
    for argv in (["plan", "--stack", "production"], ["check", "--stack", "production", "--offline"]):
        code, _, err = run(*argv, "--stacks-dir", str(stacks))
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert f"launchready:firestore.rulesFile: {path} is outside the project root" in err


@pytest.mark.parametrize("content,expected", [
    (ALIAS_BOMB, "expands to more than 100,000 values"),
    (b"config:\n" + b"  # padding\n" * 100_000, "larger than 1,000,000 bytes: refused"),
    (b"config: [1, 2", "not valid YAML (line 2, column 1)"),
    (b"config:\n  launchready:x: &a [*a]\n", "Pulumi.production.yaml"),
    (b"- just\n- a list\n", "expected a top-level `config:` mapping"),
    (b"config:\n  launchready:app: !!python/object/apply:os.system [id]\n", "not valid YAML"),
])
def test_whole_file_problems(stacks, content, expected):
    (stacks / PROD).write_bytes(content)
    assert expected in one_error(stacks)


def test_problem_lists_are_capped(stacks):
    owners = "".join(f"      - {n}\n" for n in range(45))
    replace(stacks / PROD, b"  launchready:owners:\n", b"  launchready:alerts:\n    emails: [1, 2]\n  launchready:ownerz:\n")
    replace(stacks / PROD, b"  launchready:caaIssuers: [letsencrypt.org]",
            b"  launchready:caaIssuers:\n" + owners.replace("      - ", "    - h").encode())
    with pytest.raises(ConfigError) as caught:
        load_stack(stacks, "production")
    assert len(caught.value.problems) == 21 and caught.value.problems[-1].endswith("more problem(s)")


def test_unicode_hostname_is_converted_to_its_ascii_form(stacks):
    replace(stacks / PROD, b"appHost: my.larkspur.app", "appHost: bücher.larkspur.app".encode())
    assert load_stack(stacks, "production").domain.app_host == "xn--bcher-kva.larkspur.app"


def _failing(stacks: Path) -> tuple[int, list[dict]]:
    code, out, err = run("check", "--stack", "production", "--offline", "--only", "config", "--format", "json",
                         "--stacks-dir", str(stacks))
    assert code in (0, 1), err
    return code, [r for r in json.loads(out)["results"] if r["status"] in ("fail", "error")]


def test_broken_sibling_stack_is_one_finding(stacks):
    _, before = _failing(stacks)
    (stacks / "Pulumi.staging.yaml").write_bytes(b"config: [\xff")
    code, after = _failing(stacks)
    assert code == 1
    seen = {(r["id"], r["message"]) for r in before}
    added = [r for r in after if (r["id"], r["message"]) not in seen]
    assert [r["id"] for r in added] == ["config.stacks.load"], added
    assert "Pulumi.staging.yaml" in json.dumps(added) and "not UTF-8" in json.dumps(added)


def test_indexes_file_that_is_not_json_is_a_config_error(stacks, tmp_path):
    replace(stacks / PROD, b"rulesFile: firestore.rules", b"rulesFile: firestore.rules\n    indexesFile: README.md")
    code, _, err = run("plan", "--stack", "production", "--stacks-dir", str(stacks))
    assert code == 2
    assert "launchready:firestore.indexesFile: 'README.md' is not a Firestore indexes JSON file" in err


def test_project_files_refuse_symlinks_out_devices_and_big_files(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: larkspur\nruntime: python\n")
    (root / "rules").symlink_to("/etc/passwd")
    (root / "zero").symlink_to("/dev/zero")
    (root / "big.rules").write_bytes(b"x" * 2_000)
    project = Project.load(root)
    for name in ("rules", "zero"):
        with pytest.raises(ConfigError, match="outside the project root"):
            project.resolve(name, "launchready:firestore.rulesFile")
    with pytest.raises(FileProblem, match="not a regular file"):
        read_capped(Path("/dev/zero"))
    with pytest.raises(FileProblem, match="larger than 1,000 bytes"):
        read_capped(project.resolve("big.rules", "rulesFile"), max_bytes=1_000)
    assert read_capped(project.resolve("big.rules", "rulesFile")) == "x" * 2_000
