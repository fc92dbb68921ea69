"""config.* over stack sets that break separation, Stripe mode, secrecy, ownership and loading."""
from __future__ import annotations

import json
from pathlib import Path

from launchready.checks.catalog.config.prod import ProdOwnership
from launchready.checks.catalog.config.secrets import PlaintextSecrets
from launchready.checks.catalog.config.separation import SharedHostnames, SharedProjectIds, SharedSecrets
from launchready.checks.catalog.config.stacks import StackProviders, StacksLoad
from launchready.checks.catalog.config.stripe import StripeModeFitsEnvironment
from launchready.checks.framework import Severity, Status
from tests.checks_offline.conftest import edit, line_in, run_check
from tests.checks_offline.flutter_fixture import STRIPE_LIVE, STRIPE_TEST, fake

EXAMPLE_CHECKS = (StacksLoad, StackProviders, SharedProjectIds, SharedHostnames, SharedSecrets,
                  StripeModeFitsEnvironment, PlaintextSecrets, ProdOwnership)


def where(result) -> set[tuple[str, int | None]]:
    return {(Path(f.path).name, f.line) for f in result.findings}


def by_stack(results) -> dict[str, object]:
    return {r.evidence["stack"]: r for r in results}


def per_stack(check, stacks_dir: Path) -> dict[str, object]:
    """A run per stack: each reports only its own stack (issue 26: no other stacks' findings)."""
    results = {name: run_check(check, stacks_dir, stack=name) for name in ("dev", "staging", "prod")}
    assert all({r.evidence.get("stack") for r in rs} == {name} for name, rs in results.items())
    return {name: rs[0] for name, rs in results.items()}


def test_example_stacks_pass_every_config_check() -> None:
    for check in EXAMPLE_CHECKS:
        for result in run_check(check):
            assert result.status is Status.PASS, (check.id, result.message, result.findings)


def test_shared_project_id(stacks_dir: Path) -> None:
    edit(stacks_dir, "staging", "    projectId: acme-notes-staging", "    projectId: acme-notes-prod")
    [result] = run_check(SharedProjectIds, stacks_dir)
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL
    assert "'acme-notes-prod' shared by prod, staging" in result.message
    assert where(result) == {("Pulumi.prod.yaml", line_in(stacks_dir, "prod", "projectId:")),
                             ("Pulumi.staging.yaml", line_in(stacks_dir, "staging", "projectId:"))}


def test_shared_hostname(stacks_dir: Path) -> None:
    edit(stacks_dir, "dev", "apiHost: api.dev.acmenotes.com", "apiHost: api.acmenotes.com")
    [result] = run_check(SharedHostnames, stacks_dir)
    assert result.status is Status.FAIL
    assert where(result) == {("Pulumi.dev.yaml", line_in(stacks_dir, "dev", "apiHost:")),
                             ("Pulumi.prod.yaml", line_in(stacks_dir, "prod", "apiHost:"))}


def test_shared_ciphertext_any_namespace(stacks_dir: Path) -> None:
    prod = (stacks_dir / "Pulumi.prod.yaml").read_text()
    token = prod.split("cloudflare:apiToken:\n    secure: ")[1].split("\n")[0]
    dev = (stacks_dir / "Pulumi.dev.yaml").read_text()
    old = dev.split("cloudflare:apiToken:\n    secure: ")[1].split("\n")[0]
    edit(stacks_dir, "dev", old, token)
    [result] = run_check(SharedSecrets, stacks_dir)
    assert result.status is Status.FAIL
    assert "the ciphertext of cloudflare:apiToken shared by dev, prod" in result.message
    assert token not in json.dumps(result.to_dict())
    assert where(result) == {("Pulumi.dev.yaml", line_in(stacks_dir, "dev", "cloudflare:apiToken")),
                             ("Pulumi.prod.yaml", line_in(stacks_dir, "prod", "cloudflare:apiToken"))}


def test_shared_plaintext_secret_is_compared_not_shown(stacks_dir: Path) -> None:
    for stack in ("dev", "staging"):
        text = (stacks_dir / f"Pulumi.{stack}.yaml").read_text()
        old = text.split("launchready:crmApiToken:\n    secure: ")[1].split("\n")[0]
        edit(stacks_dir, stack, f"launchready:crmApiToken:\n    secure: {old}", "launchready:crmApiToken: same-token-1")
    [result] = run_check(SharedSecrets, stacks_dir)
    assert result.status is Status.FAIL and "plain-text value of launchready:crmApiToken" in result.message
    assert "same-token-1" not in json.dumps(result.to_dict())


def test_stripe_mode_per_environment(stacks_dir: Path) -> None:
    edit(stacks_dir, "staging", "    mode: test", "    mode: live")
    edit(stacks_dir, "prod", "    mode: live", "    mode: test")
    results = per_stack(StripeModeFitsEnvironment, stacks_dir)
    assert results["dev"].status is Status.PASS
    assert results["staging"].status is Status.FAIL and results["staging"].severity is Severity.CRITICAL
    assert results["prod"].status is Status.FAIL and results["prod"].severity is Severity.HIGH
    assert where(results["prod"]) == {("Pulumi.prod.yaml", line_in(stacks_dir, "prod", "    mode: test"))}


def test_plaintext_secrets_are_critical_and_never_printed(stacks_dir: Path) -> None:
    dev = (stacks_dir / "Pulumi.dev.yaml").read_text()
    cipher = dev.split("launchready:stripeSecretKey:\n    secure: ")[1].split("\n")[0]
    edit(stacks_dir, "dev", f"launchready:stripeSecretKey:\n    secure: {cipher}", f"launchready:stripeSecretKey: {STRIPE_TEST}")
    cf = dev.split("cloudflare:apiToken:\n    secure: ")[1].split("\n")[0]
    edit(stacks_dir, "dev", f"cloudflare:apiToken:\n    secure: {cf}", "cloudflare:apiToken: plainCloudflareToken123")
    edit(stacks_dir, "dev", "# The ciphertexts", f"# old key {STRIPE_LIVE}\n# The ciphertexts")
    results = per_stack(PlaintextSecrets, stacks_dir)
    dev_result = results["dev"]
    assert dev_result.status is Status.FAIL and dev_result.severity is Severity.CRITICAL
    assert where(dev_result) == {("Pulumi.dev.yaml", line_in(stacks_dir, "dev", "# old key")),
                                 ("Pulumi.dev.yaml", line_in(stacks_dir, "dev", "cloudflare:apiToken")),
                                 ("Pulumi.dev.yaml", line_in(stacks_dir, "dev", "launchready:stripeSecretKey"))}
    assert results["prod"].status is Status.PASS
    text = json.dumps(dev_result.to_dict())
    assert STRIPE_TEST not in text and STRIPE_LIVE not in text and "plainCloudflareToken123" not in text
    # The plain test key in dev also trips the provider check (not secure) but fits dev's test mode.
    assert per_stack(StackProviders, stacks_dir)["dev"].status is Status.FAIL
    assert per_stack(StripeModeFitsEnvironment, stacks_dir)["dev"].status is Status.PASS


def test_plain_secret_field_without_a_known_shape(stacks_dir: Path) -> None:
    text = (stacks_dir / "Pulumi.staging.yaml").read_text()
    cipher = text.split("launchready:supportApiToken:\n    secure: ")[1].split("\n")[0]
    edit(stacks_dir, "staging", f"launchready:supportApiToken:\n    secure: {cipher}", "launchready:supportApiToken: hunter2")
    result = per_stack(PlaintextSecrets, stacks_dir)["staging"]
    assert result.status is Status.FAIL
    assert [(f.line, f.message) for f in result.findings] == [
        (line_in(stacks_dir, "staging", "supportApiToken"),
         "launchready:supportApiToken is stored in plain text, not as a `secure:` value")]
    assert "hunter2" not in json.dumps(result.to_dict())


def test_live_key_in_a_test_mode_stack(stacks_dir: Path) -> None:
    dev = (stacks_dir / "Pulumi.dev.yaml").read_text()
    cipher = dev.split("launchready:stripeSecretKey:\n    secure: ")[1].split("\n")[0]
    edit(stacks_dir, "dev", f"launchready:stripeSecretKey:\n    secure: {cipher}",
         f"launchready:stripeSecretKey: {fake('rk_', 'live_', 'x' * 20)}")
    result = per_stack(StripeModeFitsEnvironment, stacks_dir)["dev"]
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL
    assert [f.message for f in result.findings] == [
        "launchready:stripeSecretKey is a live-mode key but the stack is in test mode"]


def test_prod_needs_alert_recipients_and_owners(stacks_dir: Path) -> None:
    edit(stacks_dir, "prod", "  launchready:alerts:\n    emails:\n      - oncall@acmenotes.com\n",
         "  launchready:alerts:\n    emails: []\n")
    edit(stacks_dir, "prod", "    dns: lee@acmenotes.com\n", "")
    [result] = run_check(ProdOwnership, stacks_dir, stack="prod")
    assert result.status is Status.FAIL and result.evidence["stack"] == "prod"
    messages = {f.message: f.line for f in result.findings}
    assert messages == {"no alert recipient: launchready:alerts.emails is empty": line_in(stacks_dir, "prod", "emails: []"),
                        "no owner email for dns": line_in(stacks_dir, "prod", "launchready:owners")}


def test_provider_project_pointing_elsewhere(stacks_dir: Path) -> None:
    edit(stacks_dir, "staging", "gcp:project: acme-notes-staging", "gcp:project: acme-notes-prod")
    results = per_stack(StackProviders, stacks_dir)
    assert results["staging"].status is Status.FAIL
    assert where(results["staging"]) == {("Pulumi.staging.yaml", line_in(stacks_dir, "staging", "gcp:project:"))}
    [shared] = run_check(SharedProjectIds, stacks_dir)
    assert shared.status is Status.FAIL and ("Pulumi.staging.yaml", line_in(stacks_dir, "staging", "gcp:project:")) in where(shared)


def test_broken_stacks_are_findings_with_lines(stacks_dir: Path) -> None:
    edit(stacks_dir, "staging", "    projectId: acme-notes-staging\n", "")
    edit(stacks_dir, "staging", "        priority: 1", "        priority: -1")
    (stacks_dir / "Pulumi.qa.yaml").write_text("config:\n  launchready:environment: [dev\n")
    results = by_stack(run_check(StacksLoad, stacks_dir))
    assert results["dev"].status is Status.PASS and results["prod"].status is Status.PASS
    staging = results["staging"]
    assert staging.status is Status.FAIL
    assert {(f.message.split(":")[1].strip(), f.line) for f in staging.findings} == {
        ("gcp.projectId", line_in(stacks_dir, "staging", "launchready:gcp:")),
        ("email.mx[0].priority", line_in(stacks_dir, "staging", "priority: -1"))}
    qa = results["qa"]
    assert qa.status is Status.FAIL and [f.line for f in qa.findings] == [3]
    # The broken stacks drop out of comparisons instead of crashing them.
    [separation] = run_check(SharedHostnames, stacks_dir)
    assert separation.status is Status.PASS and separation.evidence["stacks"] == ["dev", "prod"]
