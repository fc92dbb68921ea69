"""The reusable Action and the example workflow: lint clean (actionlint + shellcheck) and work in a
generated app repository that is not this one (the Action's shell steps run locally, as a runner would)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.foundation.action_runner import run_action
from tests.foundation.gate_fixtures import app_project
from tests.foundation.test_ci_reports import github_problems, sarif_schema

REPO = Path(__file__).resolve().parents[2]
ACTIONLINT = Path(sys.executable).parent / "actionlint"
BASH = shutil.which("bash") or "/bin/bash"
ACTION_FILES = ["action.yml", "pyproject.toml", "constraints.txt", "action"]


def app_repository(root: Path) -> Path:
    """A FlutterFlow-style app repo: Flutter app under app/, Pulumi project under deploy/ with its stacks
    in deploy/stacks, the launchready action vendored under .github/actions/ as users pin it."""
    project = app_project(root / "deploy")
    (project / "Pulumi.yaml").write_text("name: fernhill-tutors\nruntime:\n  name: python\nmain: infra/\n"
                                         "stackConfigDir: 'stacks'  # quoted, with a comment\n")
    (project / "firestore.rules").write_text("rules_version = '2';\nservice cloud.firestore {\n"
                                             "  match /databases/{database}/documents {\n"
                                             "    match /{document=**} { allow read, write: if false; }\n  }\n}\n")
    app = project / "app"
    (app / "lib" / "backend" / "api_requests").mkdir(parents=True)
    (app / "pubspec.yaml").write_text("name: fernhill_tutors\nflutter:\n  assets:\n    - assets/images/\n")
    (app / "lib" / "main.dart").write_text("import 'package:flutter/material.dart';\nvoid main() => runApp(const App());\n")
    (app / "lib" / "backend" / "api_requests" / "api_calls.dart").write_text(
        "import 'package:http/http.dart' as http;\n"
        "Future<http.Response> lessons() => http.get(Uri.parse('https://api.fernhill-tutors.io/lessons'));\n")
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = (REPO / "examples" / "github-workflow.yml").read_text()
    text = text.replace("launchready/launchready@v0", "./.github/actions/launchready")
    text = text.replace("PROJECT_DIR: .  ", "PROJECT_DIR: deploy").replace('APP_DIR: ""  ', "APP_DIR: app ")
    (workflows / "launchready.yml").write_text(text)
    vendored = root / ".github" / "actions" / "launchready"
    vendored.mkdir(parents=True)
    for name in ACTION_FILES:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, vendored / name)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def lint(repo: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ACTIONLINT), "-shellcheck", shutil.which("shellcheck") or "", *files],
                          cwd=repo, capture_output=True, text=True, timeout=120)


def test_the_example_workflow_lints_clean_in_an_app_repository(tmp_path) -> None:
    repo = app_repository(tmp_path)
    proc = lint(repo, ".github/workflows/launchready.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (repo / ".github/workflows/launchready.yml").read_text()
    assert "|| true" not in text and "make venv" not in text  # failures are not swallowed; no repo-only targets


def test_actionlint_catches_a_wrong_input_name(tmp_path) -> None:
    repo = app_repository(tmp_path)
    path = repo / ".github/workflows/launchready.yml"
    path.write_text(path.read_text().replace("app-dir: ${{ env.APP_DIR }}", "appdir: ${{ env.APP_DIR }}", 1))
    proc = lint(repo, ".github/workflows/launchready.yml")
    assert proc.returncode == 1 and "appdir" in proc.stdout


def test_the_action_shell_steps_pass_shellcheck() -> None:
    scripts = sorted(str(p) for p in (REPO / "action").glob("*.sh"))
    proc = subprocess.run(["shellcheck", "-S", "style", *scripts], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    for step in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]:
        if "run" in step:
            check = subprocess.run(["shellcheck", "-s", "bash", "-"], input=step["run"], capture_output=True, text=True)
            assert check.returncode == 0, (step, check.stdout)


def test_the_deploy_job_is_two_phase_with_per_environment_secrets() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "github-workflow.yml").read_text())
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"] == "${{ matrix.stack }}"
    secrets = next(s for s in deploy["steps"] if (s.get("name") or "").startswith("Stack secrets"))
    assert "launchready:stripeSecretKey" in secrets["run"]   # the stack's key (one per environment), as `up` uses
    names = [s.get("name") or s.get("id") or s["uses"] for s in deploy["steps"]]
    order = ["Offline gate", "Preflight", "pulumi preview", "Live gate against the running", "pulumi up", "Live gate after"]
    positions = [next(i for i, n in enumerate(names) if n.startswith(o)) for o in order]
    assert positions == sorted(positions)
    before = next(s for s in deploy["steps"] if (s.get("name") or "").startswith("Live gate against"))
    assert before["if"] == "steps.state.outputs.first == 'false'"  # the first deploy has nothing live yet
    for step in deploy["steps"]:
        if "pulumi preview" in (step.get("name") or "") or (step.get("name") or "") == "pulumi up":
            assert '--policy-pack "$PACK"' in step["run"]


@pytest.fixture
def action_env(tmp_path):
    """A runner temp folder whose launchready virtualenv is already restored (this test venv)."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (temp / "launchready-venv").symlink_to(Path(sys.executable).parent.parent)
    return temp


def test_the_action_runs_the_gate_in_a_generated_app_repository(tmp_path, action_env) -> None:
    repo = app_repository(tmp_path / "repo")
    run = run_action(repo / ".github/actions/launchready", {
        "stack": "prod", "project-dir": "deploy", "app-dir": "app", "format": "sarif,junit,json",
        "args": "--only secrets.app,client,config.stacks", "emulator": "auto",
    }, workdir=repo, temp=action_env, env={"CI": "true"})
    assert "launchready check — stack prod" in run.log
    report = json.loads(Path(run.outputs["check"]["json"]).read_text())
    assert report["stack"] == "prod" and report["strict"] is True
    assert {r["id"].split(".")[0] for r in report["results"]} == {"secrets", "client", "config"}
    assert run.outputs["check"]["exit-code"] == ("0" if report["ready"] else "1")
    assert run.exit_code == int(run.outputs["check"]["exit-code"])  # the Verdict step fails a NOT READY gate
    assert "emulator needed: false" in run.log  # rules found, emulator already on this machine
    summary = (action_env / "step-summary.md").read_text()
    assert summary.startswith("## launchready — stack `prod`")
    sarif = json.loads(Path(run.outputs["check"]["sarif"]).read_text())
    jsonschema.validate(sarif, sarif_schema())
    assert github_problems(sarif) == []
    [upload] = [u for u in run.used if u["uses"].startswith("github/codeql-action/upload-sarif")]
    assert upload["with"]["sarif_file"] == run.outputs["check"]["sarif"]
    assert (repo / "deploy/launchready-reports/prod.xml").is_file()


def test_a_usage_error_fails_the_action_at_the_check_step(tmp_path, action_env) -> None:
    repo = app_repository(tmp_path / "repo")
    run = run_action(repo / ".github/actions/launchready", {"stack": "prod", "project-dir": "deploy",
                                                            "strict": "sometimes"},
                     workdir=repo, temp=action_env, env={})
    assert run.exit_code == 2 and "strict: expected auto, true or false" in run.log
    assert not [u for u in run.used if "upload-sarif" in u["uses"]]


def test_emulator_detection(tmp_path) -> None:
    script = REPO / "action" / "emulator.sh"
    empty = tmp_path / "plain"
    empty.mkdir()
    for project, choice, expected in [(empty, "auto", "needed: false (no Firestore rules"),
                                      (empty, "install", "needed: true"), (empty, "skip", "needed: false")]:
        proc = subprocess.run([BASH, str(script), "detect"], env={"PATH": "/usr/bin:/bin", "EMULATOR": choice,
                                                                    "PROJECT_DIR": str(project)},
                              capture_output=True, text=True)
        assert proc.returncode == 0 and expected in proc.stdout, proc.stdout + proc.stderr
    (empty / "firestore.rules").write_text("rules_version = '2';\n")
    tools = tmp_path / "bin"  # the usual tools, but no java
    tools.mkdir()
    for tool in ("find", "grep", "dpkg", "id"):
        (tools / tool).symlink_to(shutil.which(tool))
    no_java = subprocess.run([BASH, str(script), "detect"], env={"PATH": str(tools), "EMULATOR": "auto",
                                                                "PROJECT_DIR": str(empty)}, capture_output=True, text=True)
    assert "needed: true (Firestore rules/functions found and no emulator" in no_java.stdout, no_java.stderr


DECOY_PULUMI = ("name: fernhill-tutors\n"
                "description: |\n"
                "  Fernhill's backend. Stacks for the preview environments:\n"
                "  stackConfigDir: decoy\n"
                "runtime:\n  name: python\nmain: infra/\n"
                "stackConfigDir: stacks\n")


def decoy_repository(root: Path) -> Path:
    """The Action's app repository with a hostile Pulumi.yaml: `stackConfigDir: decoy` inside the
    description block (what a line-based reader finds first), clean stacks under decoy/, and the real
    prod stack carrying a live Stripe key in plain text."""
    repo = app_repository(root)
    project = repo / "deploy"
    (project / "Pulumi.yaml").write_text(DECOY_PULUMI)
    shutil.copytree(project / "stacks", project / "decoy")
    prod = project / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(prod.read_text())
    doc["config"]["launchready:stripeSecretKey"] = "sk_live_" + "51Fernhill0Decoy1Test2Key3Value4Abc"
    prod.write_text(yaml.safe_dump(doc, sort_keys=False))
    return repo


def test_the_action_and_the_cli_agree_on_a_hostile_pulumi_yaml(tmp_path, action_env) -> None:
    repo = decoy_repository(tmp_path / "repo")
    project = repo / "deploy"
    described = subprocess.run([sys.executable, "-m", "launchready.cli", "--project-dir", str(project), "project",
                                "--format", "json"], capture_output=True, text=True, timeout=120)
    assert json.loads(described.stdout)["stacks_dir"] == str((project / "stacks").resolve()), described.stderr
    only = "config.secrets"
    cli = subprocess.run([sys.executable, "-m", "launchready.cli", "--project-dir", str(project), "check", "--stack",
                          "prod", "--offline", "--only", only, "--format", "json"],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "true"})
    assert cli.returncode == 1, cli.stderr
    run = run_action(repo / ".github/actions/launchready", {
        "stack": "prod", "project-dir": "deploy", "app-dir": "app", "format": "json", "args": f"--only {only}",
        "emulator": "skip"}, workdir=repo, temp=action_env, env={"CI": "true"})
    assert f"stacks: dev, prod in {(project / 'stacks').resolve()}" in run.log
    assert run.outputs["check"]["exit-code"] == "1" and run.exit_code == 1
    action_report = json.loads(Path(run.outputs["check"]["json"]).read_text())
    cli_report = json.loads(cli.stdout)
    assert ([(r["id"], r["subject"], r["status"]) for r in action_report["results"]]
            == [(r["id"], r["subject"], r["status"]) for r in cli_report["results"]])


def test_a_pulumi_yaml_with_two_stack_folders_stops_the_action(tmp_path, action_env) -> None:
    repo = decoy_repository(tmp_path / "repo")
    (repo / "deploy" / "Pulumi.yaml").write_text("name: fernhill-tutors\nstackConfigDir: decoy\nruntime: python\n"
                                                 "stackConfigDir: stacks\n")
    run = run_action(repo / ".github/actions/launchready", {"stack": "prod", "project-dir": "deploy",
                                                            "emulator": "skip"},
                     workdir=repo, temp=action_env, env={"CI": "true"})
    assert run.exit_code == 2 and "stackConfigDir: duplicate key (line 4; first at line 2)" in run.log
    assert not [u for u in run.used if "upload-sarif" in u["uses"]]


SOON = (date.today() + timedelta(days=30)).isoformat()
REASON = "Fernhill only uses the Realtime Database for lesson bookings"
LEVER_ATTACKS = {
    "no blocking severities": ({"launchready:blockingSeverities": []}, None, "1",
                               "blockingSeverities [] drops critical, high: refused"),
    "rules not applicable": ({"launchready:notApplicable": {"rules": {"reason": REASON, "owner": "@fernhill/backend",
                                                                      "expires": SOON}}},
                             None, "1", "notApplicable: rules: refused"),
    "waiver until 2999": ({}, "waivers:\n  - check: secrets.app.scan\n    reason: abc\n    owner: x\n"
                              "    expires: 2999-01-01\n", "2", "expires: 2999-01-01 is more than 90 days away"),
    "duplicate waivers key": ({}, "waivers: []\nwaivers:\n  - check: secrets.app.scan\n", "2",
                              "waivers: duplicate key (line 2; first at line 1)"),
}


@pytest.mark.parametrize("attack", sorted(LEVER_ATTACKS))
def test_no_trust_lever_in_the_pull_request_turns_the_action_green(tmp_path, action_env, attack) -> None:
    stack_levers, waivers, code, reported = LEVER_ATTACKS[attack]
    repo = app_repository(tmp_path / "repo")
    project = repo / "deploy"
    (project / "firestore.rules").write_text("rules_version = '2';\nservice cloud.firestore {\n"
                                             "  match /databases/{database}/documents {\n"
                                             "    match /{document=**} { allow read, write: if true; }\n  }\n}\n")
    (project / "firestore.indexes.json").write_text('{"indexes": []}\n')
    (project / "app" / "lib" / "backend" / "api_requests" / "stripe_calls.dart").write_text(
        "const stripeKey = '" + "sk_live_" + "51FernhillActionKey0123456789abcdefXY" + "';\n")
    prod = project / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(prod.read_text())
    doc["config"].update(stack_levers)
    prod.write_text(yaml.safe_dump(doc, sort_keys=False))
    if waivers:
        (project / "launchready.yaml").write_text(waivers)
    run = run_action(repo / ".github/actions/launchready", {
        "stack": "prod", "project-dir": "deploy", "app-dir": "app", "format": "json", "emulator": "skip",
        "args": "--only secrets.app.scan,rules.static.always_true,config.trust"}, workdir=repo, temp=action_env,
        env={"CI": "true", "LAUNCHREADY_PLAN_CACHE": "0"})
    assert run.exit_code == int(code) and run.outputs["check"].get("exit-code", code) == code, run.log
    assert reported in run.log
    if code == "1":
        assert "NOT READY" in run.log
        assert "trust levers used" in run.log.split("launchready check — stack prod", 1)[1].splitlines()[1]
