"""`launchready init` in a foreign Flutter app: what it reads, what it writes, what it refuses."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.project.conftest import INIT, ZONE_ID, cli
from tests.project.foreign_app import PROJECTS, set_secrets


def _stack(root: Path, env: str) -> dict:
    return yaml.safe_load((root / "stacks" / f"Pulumi.{env}.yaml").read_text())


def test_init_yes_domain_needs_no_prompt_and_reads_the_app(app_repo, capsys, monkeypatch):
    monkeypatch.chdir(app_repo)
    monkeypatch.setattr("sys.stdin", None)   # any prompt would crash: `--yes --domain` must not ask
    code, out, err = cli(capsys, "init", "--yes", "--domain", "tidalplanner.io")
    assert code == 0, err
    for env in ("dev", "staging", "prod"):
        doc = _stack(app_repo, env)
        assert "encryptionsalt" not in doc
        assert "secure:" not in (app_repo / "stacks" / f"Pulumi.{env}.yaml").read_text()
        cfg = doc["config"]
        assert cfg["launchready:gcp"]["projectId"] == PROJECTS[env] == cfg["gcp:project"]
        assert cfg["launchready:firestore"] == {"rulesFile": "firebase/firestore.rules",
                                                "indexesFile": "firebase/firestore.indexes.json"}
        assert cfg["launchready:app"]["name"].startswith("Tidal Planner")
        assert f"pulumi config set --secret launchready:stripeSecretKey <value> --stack {env}" in out
        assert f"pulumi config set --secret cloudflare:apiToken <value> --stack {env}" in out
    assert _stack(app_repo, "prod")["config"]["launchready:domain"]["appHost"] == "tidalplanner.io"
    assert _stack(app_repo, "staging")["config"]["launchready:domain"]["apiHost"] == "api.staging.tidalplanner.io"
    project = yaml.safe_load((app_repo / "Pulumi.yaml").read_text())
    assert project["main"] == "deploy/" and project["stackConfigDir"] == "stacks"
    assert "deploy()" in (app_repo / "deploy" / "__main__.py").read_text()
    matrix = yaml.safe_load((app_repo / "launchready.access.yaml").read_text())
    assert {row["path"].split("/")[0] for row in matrix["rows"]} == {"boards", "invoices"}
    assert "REPLACE-ME" in out   # no zone id / DKIM key given: init says what is left


def test_init_is_idempotent_and_never_overwrites_without_force(app_repo, capsys, monkeypatch):
    monkeypatch.chdir(app_repo)
    assert cli(capsys, *INIT)[0] == 0
    before = {p: p.read_bytes() for p in app_repo.rglob("*") if p.is_file()}
    code, out, _ = cli(capsys, *INIT)
    assert code == 0 and "nothing to write" in out
    assert {p: p.read_bytes() for p in app_repo.rglob("*") if p.is_file()} == before
    code, out, _ = cli(capsys, *[a if a != "tidalplanner.io" else "other.dev" for a in INIT])
    assert code == 0 and "kept" in out and "--force" in out
    assert {p: p.read_bytes() for p in app_repo.rglob("*") if p.is_file()} == before
    code, out, _ = cli(capsys, *[a if a != "tidalplanner.io" else "other.dev" for a in INIT], "--force")
    assert code == 0 and _stack(app_repo, "prod")["config"]["launchready:domain"]["zone"] == "other.dev"


@pytest.mark.parametrize("path, content, problem", [
    (".firebaserc", '{"projects": {"default": "x"', "not valid JSON (line 1"),
    ("firebase.json", '{"firestore": ["rules"]}', "firestore"),
    ("lib/firebase_options_production.dart", "class DefaultFirebaseOptions {}\n", "no `FirebaseOptions(...)`"),
    ("ios/config/staging/GoogleService-Info.plist", "<plist><dict><key>PROJECT_ID</key>", "not a valid property list"),
    ("android/app/src/production/google-services.json", '{"client": []}', "project_info.project_id"),
])
def test_an_unreadable_source_is_one_line_and_the_others_still_count(app_repo, capsys, monkeypatch, path, content,
                                                                     problem):
    """A malformed file never stops init: it says what it could not read, and the project mapping comes
    from the sources that could be read (every environment here is named twice)."""
    (app_repo / path).write_text(content)
    monkeypatch.chdir(app_repo)
    code, out, err = cli(capsys, *INIT)
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith("unread")]
    assert line.startswith(f"unread  {path}: ") and problem in line, line
    for env in ("dev", "staging", "prod"):
        gcp = _stack(app_repo, env)["config"]["launchready:gcp"]
        assert (gcp["projectId"], gcp["createProject"]) == (PROJECTS[env], False)


def test_yes_without_domain_is_a_usage_error(app_repo, capsys, monkeypatch):
    monkeypatch.chdir(app_repo)
    code, _, err = cli(capsys, "init", "--yes")
    assert code == 2 and "--domain is required with --yes" in err
    assert not (app_repo / "Pulumi.yaml").exists()


def test_init_without_firebase_files_derives_project_ids_from_the_name(tmp_path, capsys, monkeypatch):
    (tmp_path / "pubspec.yaml").write_text("name: harbor_log\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "init", "--yes", "--domain", "harborlog.app", "--cloudflare-zone-id", ZONE_ID)
    assert code == 0, err
    assert [_stack(tmp_path, e)["config"]["launchready:gcp"]["projectId"] for e in ("dev", "staging", "prod")] == \
        ["harbor-log-dev", "harbor-log-staging", "harbor-log-prod"]
    assert json.loads(json.dumps(yaml.safe_load((tmp_path / "launchready.access.yaml").read_text())))["rows"] == []


def test_interactive_init_asks_which_environment_each_project_is_and_validates_each_answer(app_repo, capsys,
                                                                                          monkeypatch):
    """Without --yes: the projects found are listed with their sources and each one's environment is
    asked (the sources' word is the default); a bad domain, project id or email is re-asked at once."""
    import io
    (app_repo / "lib" / "firebase_options_production.dart").unlink()
    shutil.rmtree(app_repo / "android" / "app" / "src" / "production")
    (app_repo / ".firebaserc").write_text(json.dumps({"projects": {"default": PROJECTS["dev"],
                                                                   "staging": PROJECTS["staging"]}}))
    answers = ["localhost", "tidalplanner.io",          # domain: re-asked
               "", "",                                   # dev and staging as the sources say
               "Tidal_Live", "tidal-planner-live-9",     # the new prod project: re-asked
               "captain", "captain@tidalplanner.io"]     # owner: re-asked
    monkeypatch.chdir(app_repo)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    code, out, err = cli(capsys, "init")
    assert code == 0, err
    assert f"{PROJECTS['dev']} (.firebaserc alias \"default\"; lib/firebase_options_development.dart" in out
    assert f"Which environment is {PROJECTS['dev']}? (dev, staging, prod or none) [dev]" in out
    assert f"Which environment is {PROJECTS['staging']}? (staging, prod or none) [staging]" in out
    assert "project id for prod (a new project launchready creates) [tidal-planner-prod-3021]" in out
    assert "App name" not in out                          # pubspec.yaml says it
    assert [line for line in err.splitlines() if "try again" in line] == [
        "  'localhost': expected a fully qualified hostname (e.g. app.example.com); try again",
        "  'Tidal_Live': a project id is 6-30 characters of a-z, 0-9 and -, starting with a letter; try again",
        "  'captain': expected an email address; try again"]
    prod = _stack(app_repo, "prod")["config"]
    assert (prod["launchready:gcp"]["projectId"], prod["launchready:gcp"]["createProject"]) == \
        ("tidal-planner-live-9", True)
    assert prod["launchready:owners"]["dns"] == "captain@tidalplanner.io"
    assert _stack(app_repo, "staging")["config"]["launchready:gcp"]["createProject"] is False


def test_answers_a_stack_cannot_hold_are_refused_before_writing(app_repo, capsys, monkeypatch):
    monkeypatch.chdir(app_repo)
    code, _, err = cli(capsys, "init", "--yes", "--domain", "localhost")
    assert code == 2 and "expected a fully qualified hostname" in err and len(err.strip().splitlines()) == 1
    assert not (app_repo / "Pulumi.yaml").exists()


CATALOGUE_RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /breeds/{breedId} {
      allow read: if true;
      allow write: if false;
    }
    match /bookings/{bookingId} {
      allow read, write: if request.auth != null;
    }
  }
}
"""


def test_the_seeded_matrix_keeps_the_reads_of_public_content_and_holds_on_the_rules(app_repo, capsys, monkeypatch):
    """A catalogue the rules open on purpose (read-only, nobody's data — as the static audits judge
    it) is seeded without `anonymous get/list: deny` rows, which would fail on rules that are right;
    its writes, and every other collection's anonymous access, are still pinned to deny."""
    (app_repo / "firebase" / "firestore.rules").write_text(CATALOGUE_RULES)
    monkeypatch.chdir(app_repo)
    code, out, err = cli(capsys, *INIT)
    assert code == 0, err
    assert "assumed public read-only content: breeds" in out   # declared for the static audits, and said so
    set_secrets(app_repo)
    rows = yaml.safe_load((app_repo / "launchready.access.yaml").read_text())["rows"]
    assert {(r["op"], r["path"].split("/")[0], r["expect"]) for r in rows} == {
        ("get", "breeds", "allow"), ("create", "breeds", "deny"), ("get", "bookings", "deny"),
        ("list", "bookings", "deny"), ("create", "bookings", "deny")}
    code, out, _ = cli(capsys, "check", "--stack", "dev", "--offline", "--only", "rules.behaviour.app", "--format", "json")
    assert json.loads(out)["results"][0]["status"] == "pass"


def test_force_keeps_the_salt_and_every_secret_and_a_rerun_changes_nothing(project, capsys, monkeypatch):
    """`project` ran init and set the secrets; changing an answer with --force keeps what Pulumi wrote."""
    monkeypatch.chdir(project)
    stacks = {env: project / "stacks" / f"Pulumi.{env}.yaml" for env in ("dev", "staging", "prod")}
    secured = {env: {k: v for k, v in _stack(project, env).items() if k != "config"} |
               {k: v for k, v in _stack(project, env)["config"].items() if isinstance(v, dict) and "secure" in v}
               for env in stacks}
    assert all(len(kept) == 5 for kept in secured.values())          # the salt and four ciphertexts
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    code, out, _ = cli(capsys, *INIT)
    assert code == 0 and "nothing to write" in out                    # secrets set: still init's own files
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    code, out, err = cli(capsys, *[a if a != "tidalplanner.io" else "tidal.app" for a in INIT], "--force")
    assert code == 0, err
    for env in stacks:
        doc = _stack(project, env)
        assert doc["config"]["launchready:domain"]["zone"] == "tidal.app"
        assert {k: v for k, v in doc.items() if k != "config"} | \
            {k: v for k, v in doc["config"].items() if isinstance(v, dict) and "secure" in v} == secured[env]


def test_force_never_overwrites_a_stack_it_cannot_read(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    broken = project / "stacks" / "Pulumi.prod.yaml"
    broken.write_text(broken.read_text() + "  launchready:extra: [unclosed\n")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    code, _, err = cli(capsys, *INIT, "--domain", "tidal.app", "--force")
    assert code == 2 and "stacks/Pulumi.prod.yaml" in err and "would lose its secrets" in err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("folder", ["stacks", "deploy"])
def test_a_linked_folder_that_leaves_the_repository_is_one_line_and_nothing_written(app_repo, tmp_path, capsys,
                                                                                    monkeypatch, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app_repo / folder).symlink_to(elsewhere)
    monkeypatch.chdir(app_repo)
    code, _, err = cli(capsys, *INIT)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{folder} is a link to {elsewhere}, outside the repository" in err
    assert list(elsewhere.iterdir()) == [] and not (app_repo / "Pulumi.yaml").exists()


def test_gitignore_and_requirements_are_appended_to_once(app_repo, capsys, monkeypatch):
    from launchready import __version__
    (app_repo / ".gitignore").write_text("build/\n.dart_tool/")
    (app_repo / "requirements.txt").write_text("# tooling\npre-commit==3.7.0\nlaunchready==0.0.1\n")
    monkeypatch.chdir(app_repo)
    assert cli(capsys, *INIT, "--force")[0] == 0
    assert cli(capsys, *INIT)[0] == 0
    assert (app_repo / ".gitignore").read_text() == "build/\n.dart_tool/\n# Pulumi's virtualenv (launchready init)\n.venv/\n"
    assert (app_repo / "requirements.txt").read_text() == f"# tooling\npre-commit==3.7.0\nlaunchready=={__version__}\n"


def test_a_monorepo_app_with_its_own_firebase_files(tmp_path, capsys, monkeypatch):
    """apps/shop_app holds .firebaserc, firebase.json and its rules: read there, paths from the root."""
    app = tmp_path / "apps" / "shop_app"
    (app / "firebase").mkdir(parents=True)
    (app / "pubspec.yaml").write_text("name: shop_app\ndependencies:\n  flutter:\n    sdk: flutter\n")
    (app / ".firebaserc").write_text(json.dumps({"projects": {"staging": "shopfront-qa-2", "production": "shopfront-9"}}))
    (app / "firebase.json").write_text(json.dumps({"firestore": {"rules": "firebase/firestore.rules",
                                                                 "location": "asia-northeast1"}}))
    (app / "firebase" / "firestore.rules").write_text(CATALOGUE_RULES)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "init", "--yes", "--domain", "shopfront.jp", "--app-dir", "apps/shop_app")
    assert code == 0, err
    prod, dev = _stack(tmp_path, "prod")["config"], _stack(tmp_path, "dev")["config"]
    assert prod["launchready:gcp"] | {"region": None} == {"projectId": "shopfront-9", "createProject": False,
                                                         "region": None, "firestoreLocation": "asia-northeast1"}
    assert prod["launchready:firestore"] == {"rulesFile": "apps/shop_app/firebase/firestore.rules"}
    assert (dev["launchready:gcp"]["projectId"], dev["launchready:gcp"]["createProject"]) == ("shop-app-dev", True)


def test_keep_secrets_keeps_nested_ciphertexts_where_they_were():
    from launchready.scaffold import keep_secrets
    new = {"config": {"launchready:stripe": {"mode": "live"}, "launchready:crm": {"provider": "hubspot"}}}
    old = {"encryptionsalt": "v1:s4lt", "secretsprovider": "gcpkms://projects/p/keys/k",
           "config": {"launchready:stripe": {"mode": "test", "restrictedKey": {"secure": "v1:AAA"}},
                      "launchready:crm": "hubspot-legacy", "launchready:oldToken": {"secure": "v1:BBB"},
                      "launchready:hooks": [{"secret": {"secure": "v1:CCC"}}]}}
    assert keep_secrets(new, old) == {
        "encryptionsalt": "v1:s4lt", "secretsprovider": "gcpkms://projects/p/keys/k",
        "config": {"launchready:stripe": {"mode": "live", "restrictedKey": {"secure": "v1:AAA"}},
                   "launchready:crm": {"provider": "hubspot"}, "launchready:oldToken": {"secure": "v1:BBB"},
                   "launchready:hooks": [{"secret": {"secure": "v1:CCC"}}]}}


def test_a_rerun_keeps_the_mapping_an_earlier_init_made(tmp_path, capsys, monkeypatch):
    """One project, mapped once with --project: `init --yes --force` later (a new domain) keeps it
    instead of refusing or guessing; --project still changes it."""
    (tmp_path / "pubspec.yaml").write_text("name: kiln_log\ndependencies:\n  flutter:\n    sdk: flutter\n")
    (tmp_path / ".firebaserc").write_text(json.dumps({"projects": {"default": "kiln-log-77"}}))
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "init", "--yes", "--domain", "kilnlog.com")[0] == 2
    assert cli(capsys, "init", "--yes", "--domain", "kilnlog.com", "--project", "prod=kiln-log-77")[0] == 0
    code, out, err = cli(capsys, "init", "--yes", "--domain", "kiln.studio", "--force")
    assert code == 0, err
    assert "an earlier init mapped in stacks/ (prod=kiln-log-77)" in out
    prod = _stack(tmp_path, "prod")["config"]
    assert (prod["launchready:gcp"]["projectId"], prod["launchready:domain"]["zone"]) == ("kiln-log-77", "kiln.studio")
    assert cli(capsys, "init", "--yes", "--domain", "kiln.studio", "--force", "--project", "dev=kiln-log-77")[0] == 0
    assert _stack(tmp_path, "dev")["config"]["launchready:gcp"] == {
        "projectId": "kiln-log-77", "createProject": False, "region": "europe-west1", "firestoreLocation": "eur3"}
