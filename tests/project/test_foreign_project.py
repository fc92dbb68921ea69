"""A foreign app from nothing to init -> check --offline -> plan -> handover: every report names only
that app's files, paths resolve against its root (from a subdirectory, or with --project-dir from anywhere)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.project.conftest import INIT, cli
from tests.project.foreign_app import PROJECTS, RULES, WEAK_LINE, build_app

REPO = Path(__file__).resolve().parents[2]


def _report(path: Path) -> dict:
    return json.loads(path.read_text())


def _results(report: dict) -> dict[str, list[dict]]:
    by_id: dict[str, list[dict]] = {}
    for result in report["results"]:
        by_id.setdefault(result["id"], []).append(result)
    return by_id


def test_init_check_plan_handover_on_a_foreign_app(project, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(project / "lib")      # a subdirectory: the root is found walking up
    code, _, err = cli(capsys, "check", "--stack", "prod", "--offline", "--format", "json",
                       "--output", "build/reports/prod.json")
    assert code == 1, err                    # the weak invoices rule blocks
    report_file = project / "build" / "reports" / "prod.json"
    text = report_file.read_text()
    assert str(project) not in text and str(REPO) not in text and "acme" not in text.lower()
    results = _results(_report(report_file))
    auth_only = results["rules.static.auth_only"][0]
    assert auth_only["status"] == "fail"
    assert {(f["path"], f["line"]) for f in auth_only["findings"]} == {("firebase/firestore.rules", WEAK_LINE)}
    assert results["client.config.firebase_project"][0]["status"] == "pass"
    assert all(r["status"] == "pass" for r in results["config.example.copied"])
    assert all(r["status"] == "pass" for r in results["config.values.placeholders"])
    assert results["rules.behaviour.app"][0]["status"] == "pass"     # init's seeded rows hold
    not_ok = {i for i, rs in results.items() for r in rs if r["status"] in ("fail", "error")}
    # any signed-in user may write invoices: also a billing self-grant
    assert not_ok <= {"rules.static.auth_only", "rules.static.delete_any_user", "rules.static.write_validation",
                      "rules.static.billing_self_grant"}
    [grant] = results["rules.static.billing_self_grant"][0]["findings"]
    assert (grant["line"], "invoices, a billing record" in grant["message"]) == (WEAK_LINE, True)

    monkeypatch.chdir(tmp_path)              # anywhere: --project-dir
    code, out, err = cli(capsys, "--project-dir", str(project), "plan", "--stack", "prod", "--format", "json")
    assert code == 0, err
    plan = json.loads(out)
    ruleset = next(r for r in plan["resources"] if r["type"] == "gcp:firebaserules/ruleset:Ruleset")
    assert ruleset["inputs"]["source"]["files"][0]["content"] == RULES
    # the project exists (read from the app): nothing creates it, everything is placed in it
    assert not [r for r in plan["resources"] if r["type"] == "gcp:organizations/project:Project"]
    assert {r["inputs"]["project"] for r in plan["resources"] if isinstance(r["inputs"].get("project"), str)
            and r["type"].startswith("gcp:")} == {PROJECTS["prod"]}

    code, out, err = cli(capsys, "--project-dir", str(project), "handover", "--stack", "prod")
    assert code == 0, err
    docs = project / "build" / "handover"
    combined = "".join(p.read_text() for p in docs.glob("*.md"))
    assert "acme" not in combined.lower() and str(project) not in combined
    assert "`invoices`" in (docs / "data-model.md").read_text() and "firebase/firestore.rules" in combined
    assert "photo_url" not in combined


def test_prod_flavor_pointing_at_dev_blocks(tmp_path, capsys, monkeypatch):
    root = build_app(tmp_path / "app", prod_project=PROJECTS["dev"])
    monkeypatch.chdir(root)
    code, _, err = cli(capsys, *INIT)    # the sources disagree: init refuses to guess
    assert code == 2 and f"{PROJECTS['dev']} (" in err and "is named for dev and prod" in err and "--project" in err
    assert cli(capsys, *INIT, "--project", f"prod={PROJECTS['prod']}")[0] == 0
    # prod is the project .firebaserc names; the production flavor's build still says dev
    from tests.project.foreign_app import set_secrets
    set_secrets(root)
    code, out, err = cli(capsys, "check", "--stack", "prod", "--offline", "--only", "client.config", "--format", "json")
    assert code == 1, err
    [result] = json.loads(out)["results"]
    assert result["status"] == "fail" and result["blocking"]
    assert {f["path"] for f in result["findings"]} == {"lib/firebase_options_production.dart",
                                                       "android/app/src/production/google-services.json"}
    code, out, _ = cli(capsys, "check", "--stack", "staging", "--offline", "--only", "client.config", "--format", "json")
    assert code == 0 and json.loads(out)["results"][0]["status"] == "pass"


def test_stack_without_app_config_warns(project, capsys, monkeypatch):
    for path in [*project.glob("lib/firebase_options_*.dart"), *project.rglob("google-services.json"),
                 *project.rglob("GoogleService-Info.plist")]:
        path.unlink()
    monkeypatch.chdir(project)
    code, out, _ = cli(capsys, "check", "--stack", "dev", "--offline", "--only", "client.config", "--format", "json")
    [result] = json.loads(out)["results"]
    assert code == 0 and result["status"] == "warn" and "no Firebase client config for dev" in result["message"]


def test_stacks_copied_from_the_example_are_reported(project, capsys, monkeypatch):
    for stack in ("dev", "staging", "prod"):
        example = (REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text()
        own = example.replace("acme-notes-", "tidal-planner-").replace("acmenotes.com", "tidalplanner.io")
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(own)
    monkeypatch.chdir(project)
    code, out, _ = cli(capsys, "check", "--stack", "prod", "--offline", "--only", "config.example", "--format", "json")
    assert code == 1
    results = json.loads(out)["results"]
    assert all(r["status"] == "fail" for r in results) and len(results) == 1   # the checked stack only
    assert results[0]["evidence"]["stack"] == "prod"
    messages = {f["message"].split(" is ")[0] for r in results for f in r["findings"]}
    assert {"billingAccount", "cloudflareZoneId", "DKIM key", "`secure:` ciphertext", "encryptionsalt"} <= messages


def test_placeholders_left_by_init_block(app_repo, capsys, monkeypatch):
    from tests.project.foreign_app import set_secrets
    monkeypatch.chdir(app_repo)
    assert cli(capsys, "init", "--yes", "--domain", "tidalplanner.io")[0] == 0
    set_secrets(app_repo)
    code, out, _ = cli(capsys, "check", "--stack", "dev", "--offline", "--only", "config.values", "--format", "json")
    assert code == 1
    dev = next(r for r in json.loads(out)["results"] if r["evidence"]["stack"] == "dev")
    assert dev["status"] == "fail" and dev["blocking"]
    assert {f["message"] for f in dev["findings"]} == {"launchready:domain.cloudflareZoneId is a placeholder",
                                                       "launchready:email.dkim.0.value is a placeholder"}
    assert all(f["path"] == "stacks/Pulumi.dev.yaml" and f["line"] for f in dev["findings"])


def test_outside_any_project_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "check", "--stack", "dev", "--offline")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "launchready init" in err and "--project-dir" in err
    code, _, err = cli(capsys, "--project-dir", str(tmp_path), "plan", "--stack", "dev")
    assert code == 2 and "holds no Pulumi.yaml" in err


def test_config_paths_escaping_the_root_are_refused(project, capsys, monkeypatch):
    outside = project.parent / "elsewhere.rules"
    shutil.copy(project / "firebase" / "firestore.rules", outside)
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("rulesFile: firebase/firestore.rules", "rulesFile: ../elsewhere.rules"))
    monkeypatch.chdir(project)
    code, _, err = cli(capsys, "plan", "--stack", "dev")
    assert code == 2 and "../elsewhere.rules is outside the project root" in err
    code, _, err = cli(capsys, "check", "--stack", "dev", "--offline")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "outside the project root" in err


def test_firebaserc_alias_for_the_environment_must_reach_its_project(project, capsys, monkeypatch):
    (project / ".firebaserc").write_text(json.dumps({"projects": {"default": PROJECTS["dev"],
                                                                  "production": PROJECTS["staging"]}}))
    monkeypatch.chdir(project)
    code, out, _ = cli(capsys, "check", "--stack", "prod", "--offline", "--only", "client.config", "--format", "json")
    [result] = json.loads(out)["results"]
    assert code == 1 and result["status"] == "fail"
    assert [(f["path"], f["message"]) for f in result["findings"]] == [
        (".firebaserc", f"alias production points at {PROJECTS['staging']}, not {PROJECTS['prod']}")]
