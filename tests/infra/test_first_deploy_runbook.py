"""The handover "first deploy" runbook is generated from the facts preflight and the policies use."""
from __future__ import annotations

from launchready.handover.generator import generate
from launchready.infra import first_deploy
from launchready.infra.first_deploy import Grant
from launchready.policy.policies import POLICIES
from tests.infra.conftest import STACKS


def runbook(config, tmp_path) -> str:
    generate(config, stacks_dir=STACKS, out_dir=tmp_path, report_path=None, plan_note="not needed here")
    return (tmp_path / "first-deploy.md").read_text()


def test_runbook_lists_roles_exceptions_waits_and_policies(configs, tmp_path):
    text = runbook(configs["prod"], tmp_path)
    for grant in (*first_deploy.PROJECT_GRANTS, *first_deploy.PARENT_GRANTS, *first_deploy.BILLING_GRANTS):
        assert f"`{grant.role}`" in text and f"`{grant.permission}`" in text
    for constraint in first_deploy.ORG_CONSTRAINTS:
        assert f"| `{constraint.constraint}` |" in text
    for wait in first_deploy.WAITS.values():
        assert f"**{wait.step}** wait {wait.duration}" in text
    assert all(f"| `{p.name}` | `{p.check_id}` |" in text for p in POLICIES)
    assert "`Dynamic URL Redirects Write`" in text and "On folder `418276105523`" in text
    assert "`protect`ed" in text
    assert "[First deploy](first-deploy.md)" in (tmp_path / "README.md").read_text()


def test_runbook_follows_the_stack_and_the_facts(configs, tmp_path, monkeypatch):
    monkeypatch.setattr(first_deploy, "PROJECT_GRANTS", (*first_deploy.PROJECT_GRANTS, Grant(
        "pubsub.topics.create", "roles/pubsub.editor", "create the dead-letter topic")))
    text = runbook(configs["dev"], tmp_path)
    assert "| `roles/pubsub.editor` | `pubsub.topics.create` | create the dead-letter topic |" in text
    assert "Dynamic URL Redirects Write" not in text          # dev has no www redirect
    assert "`protect`ed" not in text


def test_runbook_order_failures_and_rules_import(configs, tmp_path):
    from tests.infra.conftest import with_changes

    text = runbook(configs["prod"], tmp_path)
    assert all(f"| {f.symptom.replace('|', '/')} |" in text for f in first_deploy.FIRST_RUN_FAILURES)
    assert ("pulumi import --stack prod gcp:firebaserules/release:Release firestore-rules-release "
            "projects/acme-notes-prod/releases/cloud.firestore --parent "
            "'firestore=urn:pulumi:prod::launchready::launchready:gcp:Firestore::firestore' --provider "
            "'project-billed=urn:pulumi:prod::launchready::launchready:gcp:Project$pulumi:providers:gcp::project-billed'"
            ) in text
    assert "--target '**::project-project'" not in text
    drs = with_changes(configs["prod"], "org_policy", domain_restricted_sharing="project-exception")
    text = runbook(drs, tmp_path)
    steps = [text.index(s) for s in ("`pulumi up --stack prod --target '**::project-project'`",
                                     "gcloud org-policies set-policy", "3. `pulumi up --stack prod`")]
    assert steps == sorted(steps)
