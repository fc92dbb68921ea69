"""`launchready preflight` against local stand-ins of Resource Manager, Org Policy, Cloud Billing,
Service Usage, OAuth token info and Cloudflare's token API, for an app that is not the example
(Tidepool, its own org, folder, billing account and zone; `www` redirect on)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from launchready.cli import main
from launchready.infra.first_deploy import BOOTSTRAP_APIS, PARENT_GRANTS, PROJECT_GRANTS
from launchready.runtime.processes import free_port
from launchready.sandbox.stubs.cloudflare_api import CloudflareApiStub, CloudflareToken
from launchready.sandbox.stubs.google_admin_apis import GoogleAdminApisStub, GoogleAdminState
from launchready.sandbox.stubs.stripe_api import StripeApiStub
from tests.infra.conftest import write_stack

TOKEN = "ya29.a0-tidepool-deployer"
CF_TOKEN = "cf-tidepool-deploy-7f3a"
PROJECT, QUOTA, FOLDER, ORG = "tidepool-prod-7731", "tidepool-admin", "folders/880021", "organizations/4410"
BILLING = "0B7C1D-22EE4F-9A0B11"
ZONE_ID = "9c0e1b2a3d4f5e6a7b8c9d0e1f2a3b4c"
DEPLOY_PERMISSIONS = ["DNS Write", "Zone Settings Write", "Dynamic URL Redirects Write", "API Tokens Read"]
STRIPE_ACCOUNT = "acct_1TidepoolProd9"
OUR_WEBHOOK = "https://api.tidepool.app/stripe_webhook"


FAKE_PULUMI = """#!{python}
import json, os, sys
args = sys.argv[1:]                      # config get <key> --stack <stack>
if args[:2] != ["config", "get"]:
    sys.exit(2)
path, key = {secrets!r}, args[2]
stack = json.load(open(path)) if os.path.exists(path) else {{}}
env = {{"cloudflare:apiToken": "CLOUDFLARE_API_TOKEN", "launchready:stripeSecretKey": "STRIPE_SECRET_KEY"}}
value = stack.get(key, os.environ.get(env.get(key, ""), ""))
if not value:
    print("error: configuration key '%s' not found for stack 'prod'" % key, file=sys.stderr)
    sys.exit(255)
print(value)
"""


def _edit(config: dict) -> None:
    config["launchready:gcp"].update(projectId=PROJECT, folderId=FOLDER.split("/")[1], billingAccount=BILLING,
                                     region="europe-west3", firestoreLocation="eur3")
    config["launchready:domain"].update(zone="tidepool.app", cloudflareZoneId=ZONE_ID, appHost="tidepool.app",
                                        apiHost="api.tidepool.app", mailDomain="tidepool.app", wwwRedirect=True)
    config["launchready:orgPolicy"] = {"resourceLocations": ["in:eu-locations"]}   # what the org enforces


def prepared_state() -> GoogleAdminState:
    return GoogleAdminState(
        tokens={TOKEN: "rosa@tidepool.app"},
        projects={QUOTA: ORG}, parents={FOLDER: ORG},
        permissions={FOLDER: {g.permission for g in PARENT_GRANTS},
                     f"billingAccounts/{BILLING}": {"billing.resourceAssociations.create", "billing.budgets.create"}},
        policies={ORG: {"iam.disableServiceAccountKeyCreation": {"rules": [{"enforce": True}]},
                        "gcp.resourceLocations": {"rules": [{"values": {"allowedValues": ["in:eu-locations"]}}]},
                        "iam.allowedPolicyMemberDomains": {"rules": [{"values": {"allowedValues": ["C03xk2q9z"]}}]}},
                  FOLDER: {"iam.allowedPolicyMemberDomains": {"rules": [{"allowAll": True}]}}},
        billing_accounts={BILLING: True},
        services={QUOTA: {*BOOTSTRAP_APIS, "compute.googleapis.com", "firebase.googleapis.com"}})


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The prepared environment: stand-ins up, credentials and a quota project in the ADC file."""
    stacks = tmp_path / "stacks"
    write_stack(stacks, "prod", _edit)
    adc = tmp_path / "adc.json"
    adc.write_text(json.dumps({"type": "authorized_user", "client_id": "x.apps.googleusercontent.com",
                               "refresh_token": "unused-offline", "quota_project_id": QUOTA}))
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("GOOGLE_CLOUD_QUOTA_PROJECT", QUOTA)    # what the provider reads (not the ADC file's)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", CF_TOKEN)
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_" + "t" * 24)   # prod runs in live mode
    # the Pulumi CLI: `pulumi config get` answers from the stack, here the same values as the variables
    # (a test that wants the stack to differ writes stack-secrets.json)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(FAKE_PULUMI.format(python=sys.executable, secrets=str(tmp_path / "stack-secrets.json")))
    (bin_dir / "pulumi").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    state = prepared_state()
    tokens = {CF_TOKEN: CloudflareToken("tok-41c2", list(DEPLOY_PERMISSIONS), [ZONE_ID])}
    with GoogleAdminApisStub(state) as google, CloudflareApiStub(tokens) as cloudflare, \
            StripeApiStub(account_id=STRIPE_ACCOUNT, display_name="Tidepool") as stripe_api:
        yield {"stacks": stacks, "state": state, "google": google, "cloudflare": cloudflare, "adc": adc,
               "cf_tokens": tokens, "stripe": stripe_api}


def preflight(env, capsys, *, google_url: str | None = None, cloudflare_url: str | None = None,
              stripe_url: str | None = None, fmt: str = "json") -> tuple[int, dict]:
    google = google_url or env["google"].base_url
    args = ["preflight", "--stack", "prod", "--stacks-dir", str(env["stacks"]), "--format", fmt,
            "--resource-manager-api-base", google, "--org-policy-api-base", google, "--billing-api-base", google,
            "--service-usage-api-base", google, "--oauth-api-base", env["google"].base_url,
            "--cloudflare-api-base", cloudflare_url or env["cloudflare"].base_url,
            "--stripe-api-base", stripe_url or env["stripe"].base_url]
    code = main(args)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, json.loads(out.out) if fmt == "json" else {"text": out.out, "err": out.err}


def by_id(report: dict) -> dict[str, dict]:
    return {f["id"]: f for f in report["findings"]}


def test_prepared_environment_passes(env, capsys):
    code, report = preflight(env, capsys)
    assert code == 0 and report["ready"] is True
    found = by_id(report)
    # a project id to create cannot be told free from someone else's (403 for both): the one warning
    assert {f["id"] for f in report["findings"] if f["status"] != "pass"} == {"google.project"}, report
    assert found["google.credentials"]["message"] == "deploying as user:rosa@tidepool.app"
    assert found["stripe.account"]["message"] == f"the key opens Stripe account {STRIPE_ACCOUNT} (Tidepool) (live mode)"
    assert found["stripe.account.shared"]["message"] == \
        f"account {STRIPE_ACCOUNT} (Tidepool) delivers to no other launchready environment"
    assert found["google.project"]["message"].startswith(f"project id {PROJECT} is not visible to you: free, or taken")
    assert f"409 when `pulumi up` creates it in {FOLDER}" in found["google.project"]["message"]
    assert "allows what the plan needs" in found["google.org_policy.gcp.resourceLocations"]["message"]
    assert "not restricted" in found["google.org_policy.iam.allowedPolicyMemberDomains"]["message"]
    # every Google call carried the quota project, as user credentials must
    assert {quota for _, path, quota in env["google"].requests if path != "/tokeninfo"} == {QUOTA}


def test_domain_restricted_sharing_without_exception_blocks(env, capsys):
    del env["state"].policies[FOLDER]
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.org_policy.iam.allowedPolicyMemberDomains"]
    assert code == 1 and finding["status"] == "fail"
    assert "allUsers may not hold roles on stripe-webhook, request-support" in finding["message"]
    assert "allowAll: true" in finding["remediation"]


def test_locations_outside_the_allowed_group_block(env, capsys):
    env["state"].policies[ORG]["gcp.resourceLocations"] = {"rules": [{"values": {"allowedValues": ["in:us-locations"]}}]}
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.org_policy.gcp.resourceLocations"]
    assert code == 1 and finding["message"].startswith(
        f"gcp.resourceLocations on {FOLDER} blocks the plan: locations eur3, europe-west3 are not allowed (the "
        "functions, bucket, Firestore database and (user-managed) secret replicas are created in the stack's region")


def test_user_credentials_without_quota_project_block(env, capsys, monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_QUOTA_PROJECT")
    env["adc"].write_text(json.dumps({"type": "authorized_user", "client_id": "x", "refresh_token": "unused"}))
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.quota_project"]
    assert code == 1 and finding["status"] == "fail" and "requires a quota project" in finding["message"]
    assert "set-quota-project" in finding["remediation"]


def test_quota_project_missing_bootstrap_apis_blocks(env, capsys):
    env["state"].services[QUOTA] -= {"orgpolicy.googleapis.com", "cloudbilling.googleapis.com"}
    code, report = preflight(env, capsys)
    assert code == 1
    assert by_id(report)["google.bootstrap_apis"]["remediation"] == (
        f"gcloud services enable cloudbilling.googleapis.com orgpolicy.googleapis.com --project {QUOTA}")


def test_cloudflare_token_without_redirect_permission_blocks(env, capsys):
    env["cf_tokens"][CF_TOKEN].permissions.remove("Dynamic URL Redirects Write")
    code, report = preflight(env, capsys)
    finding = by_id(report)["cloudflare.permissions"]
    assert code == 1 and finding["message"] == f"the token lacks Dynamic URL Redirects Write on zone tidepool.app ({ZONE_ID})"
    assert "Single Redirect" in finding["remediation"]


def test_cloudflare_token_for_another_zone_blocks(env, capsys):
    env["cf_tokens"][CF_TOKEN].zones[:] = ["0" * 32]
    code, report = preflight(env, capsys)
    assert code == 1 and "lacks Zone Settings Write, DNS Write, Dynamic URL Redirects Write on" in by_id(report)["cloudflare.permissions"]["message"]


def test_token_that_cannot_read_itself_is_a_warning(env, capsys):
    env["cf_tokens"][CF_TOKEN].permissions.remove("API Tokens Read")
    code, report = preflight(env, capsys)
    assert code == 0 and by_id(report)["cloudflare.permissions"]["status"] == "warn"


def test_missing_deployer_permission_on_the_folder_blocks(env, capsys):
    env["state"].permissions[FOLDER] = set()
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.permissions"]
    assert code == 1 and finding["message"] == \
        f"user:rosa@tidepool.app lacks resourcemanager.projects.create on {FOLDER}"
    assert finding["remediation"].startswith(f"Grant roles/resourcemanager.projectCreator on {FOLDER} to user:rosa@")


def test_existing_project_is_tested_for_every_permission_the_plan_needs(env, capsys):
    state = env["state"]
    state.projects[PROJECT] = FOLDER
    state.project_billing[PROJECT] = BILLING
    state.permissions[f"projects/{PROJECT}"] = {g.permission for g in PROJECT_GRANTS} - {"run.services.setIamPolicy"}
    write_stack(env["stacks"], "prod", lambda c: (_edit(c), c["launchready:gcp"].update(createProject=False)))
    code, report = preflight(env, capsys, fmt="text")
    assert code == 1
    assert f"FAIL google.permissions: user:rosa@tidepool.app lacks run.services.setIamPolicy on projects/{PROJECT}" \
        in report["text"]
    assert "fix: Grant roles/run.admin" in report["text"] and "not ready: 1 blocking finding(s)" in report["text"]
    state.permissions[f"projects/{PROJECT}"].add("run.services.setIamPolicy")
    code, report = preflight(env, capsys)
    assert code == 0 and by_id(report)["google.project"]["message"].startswith("project exists")


def test_a_console_made_project_the_stack_would_create_points_at_adopt(env, capsys):
    """createProject: true on an id that exists: the first `up` would 409. A project a launchready stack
    made (its managed-by label) is that stack's own, updated as before."""
    state = env["state"]
    state.projects[PROJECT] = FOLDER
    state.project_billing[PROJECT] = BILLING
    state.permissions[f"projects/{PROJECT}"] = {g.permission for g in PROJECT_GRANTS}
    code, report = preflight(env, capsys)
    project = by_id(report)["google.project"]
    assert code == 1 and project["status"] == "fail" and "already exists" in project["message"]
    assert project["remediation"].startswith("Run `launchready adopt --stack prod --write`")
    state.labels[PROJECT] = {"managed-by": "launchready", "environment": "prod"}
    code, report = preflight(env, capsys)
    assert code == 0 and by_id(report)["google.project"]["message"].startswith("project exists")


def test_test_mode_stripe_key_for_a_live_stack_blocks(env, capsys, monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "rk_test_" + "t" * 24)
    code, report = preflight(env, capsys)
    finding = by_id(report)["stripe.key_mode"]
    assert code == 1 and finding["message"] == "the Stripe key is a test-mode key but the stack runs in live mode"
    assert "t" * 24 not in json.dumps(report)


def test_closed_billing_account_blocks(env, capsys):
    env["state"].billing_accounts[BILLING] = False
    code, report = preflight(env, capsys)
    assert code == 1 and by_id(report)["google.billing"]["message"] == f"billing account {BILLING} is closed"


def test_unreachable_apis_are_one_error_each(env, capsys):
    dead = f"http://127.0.0.1:{free_port()}"
    code, report = preflight(env, capsys, google_url=dead, cloudflare_url=dead, stripe_url=dead)
    errors = [f for f in report["findings"] if f["status"] == "error"]
    assert code == 1
    assert [f["id"] for f in errors] == ["google.bootstrap_apis", "google.project", "google.billing",
                                         "google.org_policy.iam.allowedPolicyMemberDomains", "cloudflare.token",
                                         "stripe.account"]
    assert all("unreachable (ConnectError)" in f["message"] for f in errors), errors


def test_missing_credentials_and_bad_format(env, capsys, monkeypatch):
    monkeypatch.delenv("GOOGLE_OAUTH_ACCESS_TOKEN")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(Path(env["adc"]).with_name("absent.json")))
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    code, report = preflight(env, capsys)
    assert code == 1 and [(f["id"], f["status"]) for f in report["findings"]] == [
        ("google.credentials", "fail"), ("cloudflare.token", "fail"), ("stripe.key_mode", "warn"),
        ("preflight.secrets", "warn")]
    assert main(["preflight", "--stack", "prod", "--stacks-dir", str(env["stacks"]), "--format", "xml"]) == 2
    assert capsys.readouterr().err.strip() == "launchready: --format: expected one of text, json, got 'xml'"


def test_an_expired_token_is_one_clear_failure(env, capsys, monkeypatch):
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.expired")
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.credentials"]
    assert code == 1 and finding == {"id": "google.credentials", "status": "fail",
                                     "message": "the access token is not valid (Invalid Value)",
                                     "remediation": "Refresh the credentials (`gcloud auth application-default login`)."}


def _managed(stripe_api: StripeApiStub, url: str, stack: str) -> None:
    endpoint = stripe_api.add_endpoint(url=url, enabled_events=["invoice.paid"], livemode=True)
    endpoint.update(metadata={"managed_by": "launchready"}, description=f"Tidepool: launchready stack {stack}")


def test_an_account_already_serving_another_environment_blocks(env, capsys):
    _managed(env["stripe"], OUR_WEBHOOK, "prod")
    _managed(env["stripe"], "https://api.staging.tidepool.app/stripe_webhook", "staging")
    code, report = preflight(env, capsys)
    finding = by_id(report)["stripe.account.shared"]
    assert code == 1 and finding["status"] == "fail"
    assert finding["message"].startswith(f"account {STRIPE_ACCOUNT} (Tidepool) already delivers to another "
                                         "launchready environment (https://api.staging.tidepool.app/stripe_webhook)")
    assert "Sandboxes" in finding["remediation"] and "--stack prod" in finding["remediation"]


def test_this_stacks_own_endpoint_and_a_hand_made_one_on_its_url(env, capsys):
    _managed(env["stripe"], OUR_WEBHOOK, "prod")
    code, report = preflight(env, capsys)
    assert code == 0 and by_id(report)["stripe.account.shared"]["message"].endswith(
        "(this stack's endpoint already exists)")
    manual = env["stripe"].add_endpoint(url=OUR_WEBHOOK, enabled_events=["*"], livemode=True)
    code, report = preflight(env, capsys)
    finding = by_id(report)["stripe.account.shared"]
    assert code == 0 and finding["status"] == "warn" and finding["message"].startswith(
        f"endpoint(s) {manual['id']} not created by launchready already deliver to {OUR_WEBHOOK}")


def test_test_mode_endpoints_of_the_account_are_not_the_live_stacks_business(env, capsys):
    endpoint = env["stripe"].add_endpoint(url="https://api.dev.tidepool.app/stripe_webhook",
                                          enabled_events=["invoice.paid"], livemode=False)
    endpoint["metadata"] = {"managed_by": "launchready"}
    code, report = preflight(env, capsys)
    assert code == 0 and by_id(report)["stripe.account.shared"]["status"] == "pass"


def test_a_restricted_key_without_account_access_is_a_warning(env, capsys, monkeypatch):
    key = "rk_live_" + "r" * 24
    monkeypatch.setenv("STRIPE_SECRET_KEY", key)
    env["stripe"].restricted_denied.add("/v1/account")
    code, report = preflight(env, capsys)
    finding = by_id(report)["stripe.account"]
    assert code == 0 and finding["status"] == "warn" and "required permissions" in finding["message"]
    assert key not in json.dumps(report)


def _stack_set(env, **org_policy) -> None:
    """What `pulumi config set --path launchready:orgPolicy.<key> <value>` does to the stack file."""
    import yaml

    path = env["stacks"] / "Pulumi.prod.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"].setdefault("launchready:orgPolicy", {}).update(org_policy)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_drs_and_eu_org_remediations_can_be_carried_out_in_order(env, capsys):
    """An org with domain restricted sharing (no exception anywhere) and `in:eu-locations`, and a stack that
    declares neither: each remediation is doable when it is given, and preflight then passes."""
    del env["state"].policies[FOLDER]
    _stack_set(env, resourceLocations=[], secretReplication="automatic")
    code, report = preflight(env, capsys)
    found = by_id(report)
    locations, sharing = found["google.org_policy.gcp.resourceLocations"], found[
        "google.org_policy.iam.allowedPolicyMemberDomains"]
    assert code == 1 and locations["status"] == sharing["status"] == "fail"
    assert "does not allow `global`" in locations["message"]
    assert "secretReplication user-managed" in locations["remediation"]
    assert "domainRestrictedSharing project-exception" in sharing["remediation"]
    # 1. secrets in the region; 2. the constraint declared (the remediation names the exact value)
    _stack_set(env, secretReplication="user-managed")
    code, report = preflight(env, capsys)
    locations = by_id(report)["google.org_policy.gcp.resourceLocations"]
    assert code == 1 and locations["remediation"] == \
        "Declare it: `pulumi config set --path launchready:orgPolicy.resourceLocations[0] in:eu-locations`."
    _stack_set(env, resourceLocations=["in:eu-locations"])
    # 3. the two-step route for DRS: before the project exists it is a warning with both steps, not a dead end
    _stack_set(env, domainRestrictedSharing="project-exception")
    code, report = preflight(env, capsys)
    sharing = by_id(report)["google.org_policy.iam.allowedPolicyMemberDomains"]
    assert code == 0 and sharing["status"] == "warn", report
    assert sharing["remediation"].startswith("Step 1: `pulumi up --stack prod --target '**::project-project'`")
    # step 1 ran: the project exists (made by the stack: its label), the exception is not there yet -> the command
    state = env["state"]
    state.projects[PROJECT] = FOLDER
    state.labels[PROJECT] = {"managed-by": "launchready", "environment": "prod"}
    state.project_billing[PROJECT] = BILLING
    state.permissions[f"projects/{PROJECT}"] = {g.permission for g in PROJECT_GRANTS}
    code, report = preflight(env, capsys)
    sharing = by_id(report)["google.org_policy.iam.allowedPolicyMemberDomains"]
    assert code == 1 and "gcloud org-policies set-policy drs.yaml" in sharing["remediation"]
    assert f"name: projects/{PROJECT}/policies/iam.allowedPolicyMemberDomains" in sharing["remediation"]
    # step 2 done by the org-policy admin -> ready for the full `pulumi up`
    state.policies[f"projects/{PROJECT}"] = {"iam.allowedPolicyMemberDomains": {"rules": [{"allowAll": True}]}}
    code, report = preflight(env, capsys)
    assert code == 0 and {f["status"] for f in report["findings"]} == {"pass"}, report


def test_an_account_owned_cloudflare_token_is_verified_under_its_account(env, capsys):
    """Account-owned tokens are rejected by /user/tokens/verify; preflight finds the zone's account and
    verifies and reads the token there."""
    env["cf_tokens"][CF_TOKEN].account = "a7c1" * 8
    code, report = preflight(env, capsys)
    found = by_id(report)
    assert code == 0 and found["cloudflare.token"]["status"] == "pass", report
    assert found["cloudflare.permissions"]["status"] == "pass"
    env["cf_tokens"][CF_TOKEN].zones[:] = ["0" * 32]      # not even the zone: the user-token answer stands
    code, report = preflight(env, capsys)
    assert code == 1 and "Cloudflare rejected the token" in by_id(report)["cloudflare.token"]["message"]


def test_preflight_tests_the_stacks_secrets_not_the_variables(env, capsys, tmp_path):
    """`pulumi up` uses the stack's cloudflare:apiToken and stripeSecretKey; a stale variable must not
    make preflight pass (or fail) for a token the deploy will not use."""
    (tmp_path / "stack-secrets.json").write_text(json.dumps({"cloudflare:apiToken": "cf-stale-from-last-year"}))
    code, report = preflight(env, capsys)
    found = by_id(report)
    assert code == 1 and found["cloudflare.token"]["message"].startswith("Cloudflare rejected the token")
    assert found["preflight.secrets"]["status"] == "pass"
    assert "cf-stale-from-last-year" not in json.dumps(report)
    assert os.environ["CLOUDFLARE_API_TOKEN"] == CF_TOKEN         # the variables are left as they were


def test_a_quota_project_only_in_the_adc_file_is_a_warning_with_the_export(env, capsys, monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_QUOTA_PROJECT")
    code, report = preflight(env, capsys)
    finding = by_id(report)["google.quota_project"]
    assert code == 0 and finding["status"] == "warn" and "terraform-provider-google#24500" in finding["message"]
    assert finding["remediation"] == f"export GOOGLE_CLOUD_QUOTA_PROJECT={QUOTA}"


def test_a_hand_made_redirect_ruleset_blocks_the_www_redirect(env, capsys):
    """One dynamic-redirect entry point per zone: the program's www rule cannot be created beside one."""
    assert by_id(preflight(env, capsys)[1])["cloudflare.redirect_rules"]["status"] == "pass"
    phase = (ZONE_ID, "http_request_dynamic_redirect")
    env["cloudflare"].entrypoints[phase] = {"id": "rs-77", "name": "default", "phase": phase[1], "rules": [
        {"id": "r1", "description": "old blog -> /journal", "expression": '(http.request.uri.path eq "/blog")'}]}
    code, report = preflight(env, capsys)
    finding = by_id(report)["cloudflare.redirect_rules"]
    assert code == 1 and "already has redirect rules (1: old blog -> /journal) in ruleset rs-77" in finding["message"]
    assert "wwwRedirect: false" in finding["remediation"]
    env["cloudflare"].entrypoints[phase]["name"] = "launchready redirects"      # a re-run: ours
    assert by_id(preflight(env, capsys)[1])["cloudflare.redirect_rules"]["status"] == "pass"
