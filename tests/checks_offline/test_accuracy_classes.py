"""Issue 23's classes, one test each, on apps shaped like the repositories they came from (accuracy_apps.py):
every false-alarm class silenced or lowered, every missed problem caught."""
from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks.catalog.client.credentials import ShippedCredentials
from launchready.checks.catalog.client.state import ClientWritesBackendState
from launchready.checks.catalog.rules.static import (
    RulesAlwaysTrue,
    RulesAuthOnly,
    RulesBillingSelfGrant,
    RulesFieldSpelling,
    RulesWriteValidation,
)
from launchready.checks.catalog.secrets.app import AppSecretsScan, EnvFileBundled, SigningMaterialCommitted
from launchready.checks.framework import CheckContext, CheckOptions, Severity, Status
from launchready.checks.framework.runner import run_one
from launchready.project import Project
from launchready.rules.analysis import audits
from launchready.rules.analysis.intent import Intent, assumed_intent
from launchready.rules.analysis.model import parse_rules
from launchready.rules.testing.access_file import load_access_matrix, render, seed_rows
from tests.checks_offline.accuracy_apps import CADENCE, FIELDNOTE, GIGBOARD, STUDIOHUB
from tests.checks_offline.conftest import STACKS, run_check
from tests.checks_offline.real_apps import expected, write_app


@pytest.fixture(scope="module")
def fieldnote(tmp_path_factory) -> Path:
    return write_app(tmp_path_factory.mktemp("fieldnote"), FIELDNOTE)


@pytest.fixture(scope="module")
def secrets_hits(fieldnote) -> dict[tuple[str, int], str]:
    [result] = run_check(AppSecretsScan, app_dir=fieldnote)
    return {(Path(f.path).name, f.line): f.message for f in result.findings}


def test_maps_keys_in_native_projects_are_restrict_advice(fieldnote, secrets_hits) -> None:
    for where in (("AndroidManifest.xml", 4), ("AppDelegate.swift", 9), ("Info.plist", 4)):
        assert secrets_hits[where].startswith("Google/Firebase API key (info): ships by design"), secrets_hits


def test_google_key_in_a_markdown_note_is_not_blocking(secrets_hits) -> None:
    assert "(info)" in secrets_hits[("SETUP_NOTES.md", 2)]


def test_expired_jwt_is_low(secrets_hits) -> None:
    assert secrets_hits[("api_calls.dart", 13)].startswith("hard-coded bearer token (low): a JWT that expired on 2020")


def test_unexpired_jwt_still_counts(secrets_hits) -> None:
    assert "(critical)" in secrets_hits[("api_calls.dart", 29)]


def test_placeholders_docs_values_and_pem_templates_are_silent(fieldnote, secrets_hits) -> None:
    assert ("SETUP_NOTES.md", 3) not in secrets_hits   # sk_live_xxxx…
    assert not {line for name, line in secrets_hits if name == "api_calls.dart"} & {4, 5}
    [result] = run_check(AppSecretsScan, app_dir=fieldnote)
    assert result.evidence["placeholders_silenced"] == 4   # + `Bearer YOUR_ACCESS_TOKEN_…` in api_docs.dart


def test_the_scan_blocks_only_on_what_is_a_leak(fieldnote) -> None:
    [result] = run_check(AppSecretsScan, app_dir=fieldnote)
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL   # the live JWT only
    assert sorted(secrets_severity(result)) == ["critical", "info", "info", "info", "info", "low"]


def secrets_severity(result) -> list[str]:
    return [f.message.split("(")[1].split(")")[0] for f in result.findings]


def test_maps_keys_alone_are_an_info_result(tmp_path) -> None:
    app = write_app(tmp_path, {k: v for k, v in FIELDNOTE.items() if k.endswith(("AndroidManifest.xml", ".swift"))})
    [result] = run_check(AppSecretsScan, app_dir=app)
    assert (result.status, result.severity) == (Status.WARN, Severity.INFO)
    assert "Maps/Places APIs" in result.remediation


def test_provisioning_profile_is_not_signing_material(fieldnote) -> None:
    [result] = run_check(SigningMaterialCommitted, app_dir=fieldnote)
    assert result.status is Status.PASS, result.findings


def test_shipped_credentials_follow_getters_parameters_and_define_defaults(fieldnote) -> None:
    [result] = run_check(ShippedCredentials, app_dir=fieldnote)
    found = {(Path(f.path).name, f.line) for f in result.findings}
    assert found == expected(FIELDNOTE, ShippedCredentials.id), result.findings
    messages = " ".join(f.message for f in result.findings)
    assert "the defaultValue of String.fromEnvironment('MAPBOX_TOKEN')" in messages
    assert "OpenAI (api.openai.com)" in messages


def test_storage_download_token_and_sample_values_are_silent(fieldnote) -> None:
    [result] = run_check(ShippedCredentials, app_dir=fieldnote)
    assert not [f for f in result.findings if Path(f.path).name == "app_state.dart"]
    assert not [f for f in result.findings if Path(f.path).name == "api_calls.dart" and f.line in (12, 13)]


# -- rules: intent-aware audits ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gigboard(tmp_path_factory) -> Path:
    return write_app(tmp_path_factory.mktemp("gigboard"), GIGBOARD)


def rules_result(check, app: Path):
    options = CheckOptions(stack="dev", stacks_dir=STACKS, rules_file=app / "firebase" / "firestore.rules",
                           app_dir=app, offline=True)
    [result] = run_one(check, CheckContext(options, project=Project(app)))
    return result


def lines_of(result) -> set[int]:
    return {f.line for f in result.findings}


def marked(check_id: str) -> set[int]:
    return {line for name, line in expected(GIGBOARD, check_id) if name == "firestore.rules"}


def test_negated_sign_in_check_is_open_to_everyone(gigboard) -> None:
    result = rules_result(RulesAlwaysTrue, gigboard)
    assert lines_of(result) == marked(RulesAlwaysTrue.id)
    [users] = [f.message for f in result.findings if f.line == 8]
    assert "holds for a signed-out caller: get/list" in users


def test_declared_public_collections_and_sinks_are_noted_not_raised(gigboard) -> None:
    always, validation = rules_result(RulesAlwaysTrue, gigboard), rules_result(RulesWriteValidation, gigboard)
    noted = " ".join(always.evidence["not_raised"] + validation.evidence["not_raised"])
    for collection in ("gigs", "leads"):
        assert f"declared intended in launchready.access.yaml ({collection})" in noted
    assert 22 not in lines_of(validation) and 25 in lines_of(validation)


def test_declared_public_read_of_private_fields_is_still_raised(gigboard) -> None:
    result = rules_result(RulesAlwaysTrue, gigboard)
    [applicants] = [f.message for f in result.findings if f.line == 18]
    assert "declared public in launchready.access.yaml, but applicants documents hold email, uid" in applicants


def test_undeclared_open_rule_says_restrict_or_declare(gigboard) -> None:
    result = rules_result(RulesAlwaysTrue, gigboard)
    [logs] = [f.message for f in result.findings if f.line == 25]
    assert logs.endswith("restrict it, or declare it intended in launchready.access.yaml")
    assert "declare it intended in launchready.access.yaml" in result.remediation


def test_declared_member_content_is_not_auth_only(gigboard) -> None:
    result = rules_result(RulesAuthOnly, gigboard)
    assert result.status is Status.PASS and any("(forum_posts)" in n for n in result.evidence["not_raised"])


def test_undeclared_member_content_is_auth_only(gigboard, tmp_path) -> None:
    app = write_app(tmp_path, {**GIGBOARD, "launchready.access.yaml": "version: 1\nrows: []\n"})
    assert lines_of(rules_result(RulesAuthOnly, app)) == {28}


def test_field_spelling_differs_from_what_the_app_stores(gigboard) -> None:
    result = rules_result(RulesFieldSpelling, gigboard)
    assert lines_of(result) == marked(RulesFieldSpelling.id)
    assert "`verificationStatus` but the app stores `verification_status`" in result.findings[0].message


def test_profile_fields_a_webhook_copies_are_not_billing_state(gigboard) -> None:
    messages = " ".join(f.message for f in rules_result(RulesBillingSelfGrant, gigboard).findings)
    assert "users.subscription_status" in messages
    assert "first_name" not in messages and "description" not in messages


def test_init_assumes_only_sinks_and_catalogues_never_an_open_user_collection(tmp_path) -> None:
    rules = parse_rules(GIGBOARD["firebase/firestore.rules"])
    public, sinks = assumed_intent(rules)
    assert (public, sinks) == (set(), {"leads", "crash_logs"})
    rows = seed_rows(["applicants", "crash_logs", "gigs", "leads", "users"], frozenset(public), frozenset(sinks))
    matrix = tmp_path / "launchready.access.yaml"
    matrix.write_text(render(rows))
    intent = Intent.from_matrix(load_access_matrix(matrix))
    assert {i.line for i in audits.always_true(rules, intent=intent)} == {8, 13, 18}   # users, gigs, applicants


# -- monorepos ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def studiohub(tmp_path_factory) -> Path:
    return write_app(tmp_path_factory.mktemp("studiohub"), STUDIOHUB)


def monorepo_result(check, root: Path):
    ctx = CheckContext(CheckOptions(stack="dev", stacks_dir=STACKS, offline=True), project=Project(root))
    assert ctx.app_dir == root   # no pubspec.yaml at the root: its Flutter apps make it the app dir
    [result] = run_one(check, ctx)
    return result


def test_env_bundled_by_an_app_one_folder_down_is_found(studiohub) -> None:
    result = monorepo_result(EnvFileBundled, studiohub)
    assert [(f.path, f.line, f.message) for f in result.findings] == [
        ("mobile/pubspec.yaml", 13, "mobile/.env is bundled as an asset (entry `.env`)")]   # project-relative


def test_each_app_judges_what_it_ships(studiohub) -> None:
    result = monorepo_result(AppSecretsScan, studiohub)
    messages = {f.path: f.message for f in result.findings}
    assert messages["mobile/.env"] == "Stripe live secret key (critical); ships inside the app, so every user can extract it"
    assert messages["admin_app/.env.example"] == "Stripe test secret key (high)"   # not an asset of its app


def test_client_checks_read_every_app_and_name_its_path(studiohub) -> None:
    for check in (ClientWritesBackendState, ShippedCredentials):
        result = monorepo_result(check, studiohub)
        found = {f.path for f in result.findings}
        want = {rel for rel, text in STUDIOHUB.items() if f"FIND:{check.id}" in text}
        assert found == want, result.findings


# -- client state by data flow ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cadence_findings(tmp_path_factory) -> dict[tuple[str, int], str]:
    app = write_app(tmp_path_factory.mktemp("cadence"), CADENCE)
    [result] = run_check(ClientWritesBackendState, app_dir=app)
    assert {(Path(f.path).name, f.line) for f in result.findings} == expected(CADENCE, ClientWritesBackendState.id)
    return {(Path(f.path).name, f.line): f.message for f in result.findings}


def test_revenuecat_result_through_a_helper_and_a_constant_key(cadence_findings) -> None:
    message = cadence_findings[("paywall_widget.dart", 8)]
    assert "'has_pro_access' to users via cloud_firestore .update() in a helper" in message
    assert "from RevenueCat's client-side CustomerInfo (line 5)" in message
    assert "the app gates on it at lib/home/home_widget.dart:4" in message


def test_trial_deadline_from_the_device_clock(cadence_findings) -> None:
    assert "from the device clock" in cadence_findings[("paywall_widget.dart", 16)]


def test_misspelled_connect_flag_set_after_a_client_side_check(cadence_findings) -> None:
    message = cadence_findings[("connect_widget.dart", 11)]
    assert "'stripChargesEnabled' to sellers" in message and "a client-side Stripe Connect status check" in message


def test_paid_order_created_after_a_client_side_payment_sheet(cadence_findings) -> None:
    assert "from a client-side Stripe PaymentSheet (line 5)" in cadence_findings[("checkout_widget.dart", 10)]


def test_access_list_joined_after_a_pin_compared_on_the_device(cadence_findings) -> None:
    message = cadence_findings[("join_class_widget.dart", 7)]
    assert "a comparison made on the device with `join_pin`" in message
    assert "firestore.rules:8: the app can grant itself this state" in message   # the rules gate on it


def test_ungated_copies_profile_fields_and_name_overlap_are_silent(cadence_findings) -> None:
    # rc_badge_label / display_name (lines 9-10) come from CustomerInfo but gate nothing; projects.summary
    # shares a name with what the webhook writes to invoice_copies.
    assert not {key for key in cadence_findings if key in (("paywall_widget.dart", 9), ("paywall_widget.dart", 10))
                or key[0] == "project_widget.dart"}


def test_a_display_only_purchase_log_is_silent(tmp_path) -> None:
    [result] = run_check(ClientWritesBackendState, app_dir=write_app(tmp_path, CADENCE))
    assert not [f for f in result.findings if Path(f.path).name == "purchase_log_widget.dart"]
    assert any("'status' in purchase_history, a display-only log" in n for n in result.evidence["not_raised"])
