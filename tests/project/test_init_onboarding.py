"""`init` on apps shaped like real ones: the project mapping is asked (or given), never guessed; projects
read from the app are never created; then every stack of every onboarded app plans."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from launchready import __version__
from tests.project.conftest import cli
from tests.project.foreign_app import set_secrets
from tests.project.onboarding_apps import APPS, ASKED, Expected

ENVS = ("dev", "staging", "prod")
DOMAIN = "ridgeline.app"


def _stack(root: Path, env: str) -> dict:
    return yaml.safe_load((root / "stacks" / f"Pulumi.{env}.yaml").read_text())["config"]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _assert_mapping(app: Expected) -> None:
    for env in ENVS:
        gcp = _stack(app.root, env)["launchready:gcp"]
        if env in app.projects:
            assert (gcp["projectId"], gcp["createProject"]) == (app.projects[env], False), env
        else:   # only an environment the app has no project for gets a new one
            assert gcp["createProject"] is True and gcp["projectId"] not in app.projects.values(), env
        assert gcp["firestoreLocation"] == app.location
        files = _stack(app.root, env).get("launchready:firestore", {})
        assert files == {k: v for k, v in (("rulesFile", app.rules), ("indexesFile", app.indexes)) if v}


@pytest.mark.parametrize("build", APPS, ids=lambda b: b.__name__)
def test_yes_never_guesses_and_every_stack_of_the_onboarded_app_plans(build, tmp_path, capsys, monkeypatch):
    app = build(tmp_path)
    monkeypatch.chdir(app.root)
    monkeypatch.setenv("LAUNCHREADY_PLAN_CACHE", "0")
    if "--project" in app.init_args:     # the sources do not say which environment the project is
        before = _tree(app.root)
        code, _, err = cli(capsys, "init", "--yes", "--domain", DOMAIN,
                           *(a for a in app.init_args if a not in ("--project",) and "=" not in a))
        assert code == 2 and len(err.strip().splitlines()) == 1 and "--project dev=" in err, err
        assert "never guesses" in err and "Traceback" not in err
        assert _tree(app.root) == before
    code, out, err = cli(capsys, "init", "--yes", "--domain", DOMAIN, *app.init_args)
    assert code == 0, err
    _assert_mapping(app)
    assert (app.root / "requirements.txt").read_text() == f"launchready=={__version__}\n"
    assert ".venv/" in (app.root / ".gitignore").read_text().splitlines()
    if not app.indexes:
        assert "firebase firestore:indexes > firestore.indexes.json" in out
    set_secrets(app.root)
    for env in ENVS:
        code, out, err = cli(capsys, "plan", "--stack", env, "--format", "json")
        assert code == 0, err
        types = {r["type"] for r in json.loads(out)["resources"]}
        assert ("gcp:firebaserules/ruleset:Ruleset" in types) == bool(app.rules)
        projects = [r for r in json.loads(out)["resources"] if r["type"] == "gcp:organizations/project:Project"]
        assert len(projects) == (env not in app.projects)   # an existing project is never created


@pytest.mark.parametrize("build", ASKED, ids=lambda b: b.__name__)
def test_interactive_init_lists_the_projects_and_asks_which_environment_each_is(build, tmp_path, capsys,
                                                                                monkeypatch):
    app = build(tmp_path)
    monkeypatch.chdir(app.root)
    monkeypatch.setattr("sys.stdin", io.StringIO(app.answers + "\n" * 8))   # Enter accepts the rest
    code, out, err = cli(capsys, "init", "--domain", DOMAIN, *(a for a in app.init_args if a == "--app-dir"
                                                               or "/" in a and "=" not in a))
    assert code == 0, err
    for prompt in app.asked:
        assert prompt.lower() in out.lower(), out
    _assert_mapping(app)


def test_the_quick_start_plans_before_any_secret_is_set(tmp_path, capsys, monkeypatch):
    """README quick start, literally: init, then `check --offline` and `plan` with no secret set yet —
    each missing secret is a finding (check) and a note with its command (plan), never a crash."""
    app = APPS[1](tmp_path)
    monkeypatch.chdir(app.root)
    assert cli(capsys, "init", "--yes", *app.init_args, "--domain", DOMAIN)[0] == 0
    code, out, _ = cli(capsys, "check", "--stack", "dev", "--offline", "--format", "json")
    missing = [r for r in json.loads(out)["results"] if r["id"] == "config.secrets.missing" and r["status"] == "fail"]
    assert code == 1 and missing
    assert all(r["remediation"].startswith("pulumi config set --secret launchready:") for r in missing)
    code, out, err = cli(capsys, "plan", "--stack", "dev", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["resources"] and "is not set yet (planned with a stand-in)" in err
    assert "[secret]" not in err


def _declare(root: Path, **values: object) -> None:
    for env in ENVS:
        path = root / "stacks" / f"Pulumi.{env}.yaml"
        document = yaml.safe_load(path.read_text())
        document["config"].update({f"launchready:{k}": v for k, v in values.items()})
        path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_clean_app_that_declares_its_architecture_is_ready_on_prod(tmp_path, capsys, monkeypatch):
    """The README's path for an app with no payments, no CRM and DNS elsewhere: init, declare, check."""
    app = APPS[1](tmp_path)
    monkeypatch.chdir(app.root)
    assert cli(capsys, "init", "--yes", *app.init_args, "--domain", DOMAIN, "--crm", "none", "--support", "none")[0] == 0
    _declare(app.root, payments="none")
    code, out, _ = cli(capsys, "check", "--stack", "prod", "--offline", "--format", "json")
    placeholders = [r for r in json.loads(out)["results"] if r["id"] == "config.values.placeholders"]
    assert code == 1 and placeholders[0]["status"] == "fail"     # Cloudflare's zone id and DKIM still REPLACE-ME
    _declare(app.root, payments="none", dns={"provider": "external"})
    code, out, err = cli(capsys, "check", "--stack", "prod", "--offline", "--format", "json")
    assert code == 0, out + err                                  # DNS kept elsewhere: those values deploy nothing
