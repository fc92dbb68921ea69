"""The app checks on apps shaped like real ones: every class of problem caught at its line, every
public-by-design or by-design-open pattern silent (see real_apps.py for the apps)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchready.checks.catalog.client.api import DirectCrmSupportCalls
from launchready.checks.catalog.client.credentials import ShippedCredentials
from launchready.checks.catalog.client.state import ClientWritesBackendState
from launchready.checks.catalog.rules.static import (
    RulesAlwaysTrue,
    RulesAuthOnly,
    RulesBillingSelfGrant,
    RulesWriteValidation,
)
from launchready.checks.catalog.secrets.app import AppSecretsScan, EnvFileBundled, SigningMaterialCommitted
from launchready.checks.framework import CheckContext, CheckOptions, Severity, Status
from launchready.checks.framework.registry import registry
from launchready.checks.framework.runner import run_checks, run_one
from launchready.flutter.app_scan import app_scan
from tests.checks_offline.conftest import STACKS, run_check
from tests.checks_offline.flutter_fixture import FIREBASE_KEY, STRIPE_LIVE
from tests.checks_offline.real_apps import RAPIDAPI_KEY, SHOPLY, SHOPLY_BINARY, TUTORLY, expected, write_app

APPS = {"tutorly": (TUTORLY, {}), "shoply": (SHOPLY, SHOPLY_BINARY)}


@pytest.fixture(scope="module")
def apps(tmp_path_factory) -> dict[str, Path]:
    return {name: write_app(tmp_path_factory.mktemp(name), files, binary) for name, (files, binary) in APPS.items()}


def found(result) -> set[tuple[str, int]]:
    return {(Path(f.path).name, f.line) for f in result.findings}


@pytest.mark.parametrize("check", [ClientWritesBackendState, ShippedCredentials, DirectCrmSupportCalls,
                                   SigningMaterialCommitted, EnvFileBundled])
@pytest.mark.parametrize("app", sorted(APPS))
def test_each_marked_line_is_found_and_nothing_else(apps, app: str, check) -> None:
    [result] = run_check(check, app_dir=apps[app])
    files = APPS[app][0]
    assert found(result) - {("upload-keystore.jks", None)} == expected(files, check.id), result.message
    assert result.status is (Status.FAIL if found(result) else Status.PASS)


def test_billing_writes_name_the_flow(apps) -> None:
    [result] = run_check(ClientWritesBackendState, app_dir=apps["tutorly"])
    messages = {(Path(f.path).name, f.line): f.message for f in result.findings}
    assert "'paymentStatus' to PremiumUserData via cloud_firestore .set()" in messages[("checkout_widget.dart", 5)]
    assert "'isPremium' to users via cloud_firestore .update()" in messages[("paywall_widget.dart", 7)]
    # receiptUrl is no billing word: it is state because the project's Stripe webhook writes it.
    assert "the backend writes it" in messages[("checkout_widget.dart", 12)]
    assert result.evidence["backend_written_fields"] == ["ispremium", "receipturl"]
    assert result.evidence["backend_only_collections"] == ["PremiumUserData", "lessons"]
    [rtdb] = run_check(ClientWritesBackendState, app_dir=apps["shoply"])
    messages = {f.line: f.message for f in rtdb.findings}
    assert "'status' to orders via firebase_database .update()" in messages[8]
    assert "'status' to orders via firebase_database .set()" in messages[14]


def test_zendesk_anonymous_requests_are_silent_and_say_so(apps) -> None:
    [result] = run_check(DirectCrmSupportCalls, app_dir=apps["tutorly"])
    assert result.status is Status.PASS
    assert result.evidence["not_raised"] == ["lib/backend/api_requests/api_calls.dart:22: Zendesk's anonymous "
                                             "Requests API, no credential sent"]


def test_credentials_name_service_and_origin_never_the_value(apps) -> None:
    [tutorly] = run_check(ShippedCredentials, app_dir=apps["tutorly"])
    [docuseal] = tutorly.findings
    assert "DocuSeal (api.docuseal.co)" in docuseal.message and "--dart-define DOCUSEAL_TOKEN" in docuseal.message
    [shoply] = run_check(ShippedCredentials, app_dir=apps["shoply"])
    messages = sorted(f.message for f in shoply.findings)
    assert any("RapidAPI" in m and "bundled .env value RAPIDAPI_KEY" in m for m in messages)
    assert any("SMTP password for SMTP (smtp.zoho.eu)" in m for m in messages)
    assert any("SMTP password for Gmail SMTP" in m for m in messages)
    assert any("createUserWithEmailAndPassword" in m and "a string literal" in m for m in messages)
    assert any("key= query parameter for Google APIs (maps.googleapis.com)" in m and "PLACES_KEY" in m for m in messages)
    assert shoply.severity is Severity.CRITICAL
    text = json.dumps(shoply.to_dict())
    assert "Sh0ply-Orders-2024" not in text and RAPIDAPI_KEY not in text


def test_firebase_config_is_public_by_design_under_any_name(apps) -> None:
    [tutorly] = run_check(AppSecretsScan, app_dir=apps["tutorly"])
    assert tutorly.status is Status.PASS and tutorly.evidence["public_by_design_ignored"] == 1
    [shoply] = run_check(AppSecretsScan, app_dir=apps["shoply"])
    # flavor options x2, per-flavor google-services.json and plist, web firebaseConfig: silent; a Maps key
    # in ordinary code is still reported, and so is the Stripe key in a bearer header.
    assert shoply.evidence["public_by_design_ignored"] == 5
    assert sorted(shoply.evidence["public_by_design_files"]) == [
        "android/app/src/development/google-services.json", "ios/config/production/GoogleService-Info.plist",
        "lib/firebase_options_development.dart", "lib/firebase_options_production.dart", "web/index.html"]
    assert found(shoply) == expected(SHOPLY, "secrets.app.scan")


def test_stripe_key_in_a_bearer_header_is_labelled_stripe(apps) -> None:
    [result] = run_check(AppSecretsScan, app_dir=apps["shoply"])
    [stripe] = [f for f in result.findings if f.path.endswith("refund.sh")]
    assert "Stripe live secret key (critical)" in stripe.message
    assert result.severity is Severity.CRITICAL and STRIPE_LIVE not in json.dumps(result.to_dict())


def test_signing_material(apps) -> None:
    [result] = run_check(SigningMaterialCommitted, app_dir=apps["shoply"])
    assert result.status is Status.FAIL
    paths = {Path(f.path).name for f in result.findings}
    assert "upload-keystore.jks" in paths and "debug.keystore" not in paths and "build.gradle" not in paths


def _rules_result(check, app: Path):
    options = CheckOptions(stack="dev", stacks_dir=STACKS, rules_file=app / "firestore.rules", offline=True)
    [result] = run_one(check, CheckContext(options))
    return result


def test_rules_billing_self_grant_is_named_and_blocking(apps) -> None:
    result = _rules_result(RulesBillingSelfGrant, apps["tutorly"])
    assert result.status is Status.FAIL and result.severity is Severity.CRITICAL
    assert found(result) == expected(TUTORLY, "rules.static.billing_self_grant")
    messages = sorted(f.message for f in result.findings)
    assert all("billing self-grant" in m for m in messages)
    # isPremium: the rules gate premium content on it; receiptUrl: only the Stripe webhook in functions/ writes it.
    assert "users.isPremium" in messages[0] and "users.receiptUrl (the payment backend writes it)" in messages[1]


def test_rules_by_design_openings_are_silent_with_reasons(apps) -> None:
    validation = _rules_result(RulesWriteValidation, apps["tutorly"])
    assert found(validation) == {("firestore.rules", 9)}   # the owner's own document, not notes/
    assert any("notes/{noteId}" in n and "owner-only private subtree" in n for n in validation.evidence["not_raised"])
    for check, why in ((RulesAuthOnly, "read-only shared content"), (RulesAlwaysTrue, "public read-only collection")):
        result = _rules_result(check, apps["tutorly"])
        assert result.status is Status.PASS, result.message
        assert any(why in n for n in result.evidence["not_raised"])


def test_one_pass_shared_by_all_app_checks(apps) -> None:
    ctx = CheckContext(CheckOptions(stack="dev", stacks_dir=STACKS, app_dir=apps["tutorly"], offline=True,
                                    only=("secrets.app", "client")))
    registry.load_catalog()
    results = run_checks(ctx).results
    assert len(results) >= 7 and all(r.status is not Status.ERROR for r in results)
    scan = app_scan(ctx)
    assert app_scan(ctx) is scan
    lexed = {d.rel for d in scan.dart if "tokens" in d.__dict__}
    # The l10n table holds no trigger word of any client check: read once, never tokenised.
    assert "lib/flutter_flow/internationalization.dart" not in lexed
    assert "lib/pages/checkout/checkout_widget.dart" in lexed
    assert FIREBASE_KEY  # the key sits in firebase_config.dart, read once for the secret scan
