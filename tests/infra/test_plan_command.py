"""`launchready plan`: the offline plan as a table, JSON, or a diff between two environments."""
from __future__ import annotations

import json

from launchready.cli import main
from tests.infra.conftest import write_stack


def test_plan_json_is_sorted_and_redacted(capsys):
    assert main(["plan", "--stack", "prod", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    keys = [(r["type"], r["name"]) for r in plan["resources"]]
    assert plan["stack"] == "prod" and keys == sorted(keys) and len(keys) > 90
    endpoint = next(r for r in plan["resources"] if r["name"] == "stripe-webhook-endpoint")
    assert endpoint["inputs"]["api_key"] == "[secret]"
    assert "secure" not in json.dumps(plan) and "v1:" not in json.dumps(plan)


def test_plan_table_lists_resources_with_key_settings(capsys):
    assert main(["plan", "--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "stack dev (dev)" in out
    assert "functions-sync-worker" in out and "RETRY_POLICY_RETRY" in out
    assert "settingId=ssl" in out and "value=strict" in out
    assert "api_key=[secret]" in out


def test_plan_diff_shows_what_differs_between_environments(capsys):
    assert main(["plan", "--stack", "prod", "--diff", "dev", "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    only_prod = {r["name"] for r in diff["only_in_stack"]}
    assert {"firestore-backup-daily", "cloudflare-www-redirect"} <= only_prod
    changed = {(c["name"], k): v for c in diff["changed"] for k, v in c["settings"].items()}
    assert changed[("firestore-database", "deleteProtectionState")] == {
        "prod": "DELETE_PROTECTION_ENABLED", "dev": "DELETE_PROTECTION_DISABLED"}
    assert changed[("project-project", "projectId")] == {"prod": "acme-notes-prod", "dev": "acme-notes-dev"}
    assert not [k for k in changed if k[1] in ("secretData", "api_key")], "secrets never differ visibly"


def test_plan_usage_and_config_errors_exit_2(tmp_path, capsys):
    assert main(["plan", "--stack", "prod", "--format", "xml"]) == 2
    assert main(["plan", "--stack", "qa"]) == 2
    write_stack(tmp_path, "dev", lambda config: config["launchready:email"].update(dmarcPolicy="sometimes"))
    assert main(["plan", "--stack", "dev", "--stacks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--format: expected one of table, json" in err
    assert "no such stack 'qa'" in err
    assert "launchready:email.dmarcPolicy" in err and "Traceback" not in err
