"""`launchready adopt` against stand-ins seeded as a live, console-made product (issue #21): discovery is
read-only, every existing resource is imported by the next plan, the SPF record is merged, the apex and
the Stripe endpoint are reported, unknown APIs never let `--write` write a half-decided stack."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

from launchready.cli import main
from launchready.sandbox.stubs.cloudflare_api import DNS_READ, CloudflareApiStub, CloudflareToken
from launchready.sandbox.stubs.google_admin_apis import GoogleAdminApisStub, GoogleAdminState
from launchready.sandbox.stubs.live_product import LANDING_IP, OLD_WEBHOOK, seed_live_product
from launchready.sandbox.stubs.stripe_api import StripeApiStub
from tests.infra.conftest import write_stack

PROJECT, ZONE, ZONE_ID = "kelp-journal-prod", "kelpjournal.io", "9d1e3b7c5a2f4e6d8c0b1a2f3e4d5c6b"
TOKEN, CF_TOKEN, STRIPE_KEY = "ya29.kelp-founder", "cf-kelp-dns-read", "sk_live_" + "k" * 24
APIS = ("resource_manager", "firebase", "firestore", "firebase_rules", "hosting", "identity_toolkit")


def _edit(config: dict) -> None:
    """A founder's app, not the example: its own names, hosts, package and a web-only landing page."""
    config["launchready:app"] = {"name": "Kelp Journal", "supportEmail": f"help@{ZONE}"}
    config["launchready:gcp"].update(projectId=PROJECT, createProject=True, folderId="204815162342")
    config["launchready:domain"].update(zone=ZONE, cloudflareZoneId=ZONE_ID, appHost=ZONE, apiHost=f"api.{ZONE}",
                                        mailDomain=ZONE, wwwRedirect=True)
    config["launchready:email"].update(spfIncludes=["_spf.google.com", "sendgrid.net"], dmarcRua=f"mailto:dmarc@{ZONE}")
    config["launchready:firebaseApps"] = {"androidPackage": "io.kelpjournal.app"}


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A project folder with the founder's stack, and the three stand-ins seeded as their live product."""
    root = tmp_path / "kelp"
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: kelp-journal\nruntime: python\nstackConfigDir: stacks\n")
    write_stack(root / "stacks", "prod", _edit)
    (root / "firestore.rules").write_text("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/"
                                          "documents {\n    match /journals/{uid}/{doc=**} {\n      allow read, write: "
                                          "if request.auth.uid == uid;\n    }\n  }\n}\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GOOGLE_CLOUD_QUOTA_PROJECT", "kelp-admin")   # user credentials bill a quota project
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", CF_TOKEN)
    monkeypatch.setenv("STRIPE_SECRET_KEY", STRIPE_KEY)
    monkeypatch.setenv("PATH", str(tmp_path / "no-pulumi-cli"))   # no Pulumi CLI: the variables are the credentials
    state = GoogleAdminState(tokens={TOKEN: f"founder@{ZONE}"})
    with GoogleAdminApisStub(state) as google, \
            CloudflareApiStub({CF_TOKEN: CloudflareToken("kelp", [DNS_READ], [ZONE_ID])}) as cloudflare, \
            StripeApiStub(account_id="acct_1KelpJournal", display_name="Kelp Journal") as stripe_api:
        seeded = seed_live_product(state, cloudflare, stripe_api, project_id=PROJECT, zone=ZONE, zone_id=ZONE_ID,
                                   livemode=True)
        for api in APIS:
            monkeypatch.setenv(f"LAUNCHREADY_{api.upper()}_API_BASE", google.base_url)
        monkeypatch.setenv("LAUNCHREADY_CLOUDFLARE_API_BASE", cloudflare.base_url)
        monkeypatch.setenv("LAUNCHREADY_STRIPE_API_BASE", stripe_api.base_url)
        yield {"root": root, "state": state, "google": google, "cloudflare": cloudflare, "stripe": stripe_api,
               "seeded": seeded, "stack": root / "stacks" / "Pulumi.prod.yaml"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def adopt(capsys, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, "adopt", "--stack", "prod", "--format", "json", *extra)
    return code, json.loads(out), err


def by_name(report: dict) -> dict[str, dict]:
    return {d["name"]: d for d in report["decisions"]}


def non_get(live) -> list[tuple[str, str]]:
    """Every request any stand-in saw that was not a GET."""
    return [(m, p) for m, p in [*live["google"].calls, *live["cloudflare"].requests, *live["stripe"].requests]
            if m != "GET"]


def test_a_live_product_is_adopted_and_the_next_plan_imports_everything_that_existed(live, capsys):
    seeded, records = live["seeded"], live["seeded"]["records"]
    code, report, err = adopt(capsys, "--write")
    decisions = by_name(report)
    assert code == 1, err   # the apex conflict remains for the founder to resolve
    assert non_get(live) == []   # discovery (and --write) sent nothing but GETs to any API
    assert {quota for _, _, quota in live["google"].requests} == {"kelp-admin"}   # Firebase APIs need one

    apex = decisions[f"cloudflare-a-{ZONE.replace('.', '-')}"]
    assert apex["action"] == "conflict" and LANDING_IP in apex["detail"]
    assert f"appHost: app.{ZONE}" in apex["remediation"]
    stripe = decisions["stripe-webhook-endpoint"]
    assert stripe["action"] == "cutover" and seeded["endpoint_id"] in stripe["detail"] and OLD_WEBHOOK in stripe["detail"]
    assert "--cut-over" in stripe["remediation"]
    assert decisions["project-project"]["action"] == "adopt"
    assert report["unknown"] == [], report["unknown"]

    stack = yaml.safe_load(live["stack"].read_text())["config"]
    assert stack["launchready:gcp"]["createProject"] is False
    assert stack["launchready:adopt"]["stripeCutover"] == {"from": [seeded["endpoint_id"]]}
    assert stack["launchready:email"]["spfIncludes"] == ["_spf.google.com", "sendgrid.net", "servers.mcsv.net",
                                                         "_spf.hubspotemail.net"]
    assert stack["launchready:stripeSecretKey"] == yaml.safe_load(
        (Path(__file__).parents[2] / "stacks" / "Pulumi.prod.yaml").read_text())["config"]["launchready:stripeSecretKey"]

    code, out, _ = run(capsys, "plan", "--stack", "prod", "--format", "json")
    assert code == 0
    planned = json.loads(out)["resources"]
    imports = {r["name"]: r["import"] for r in planned if "import" in r}
    zone = ZONE.replace(".", "-")
    assert imports == {
        "project-firebase": f"projects/{PROJECT}",
        "firestore-database": f"projects/{PROJECT}/databases/(default)",
        "firestore-rules-release": f"projects/{PROJECT}/releases/cloud.firestore",
        "hosting-site": f"projects/{PROJECT}/sites/{PROJECT}",
        "auth-config": f"projects/{PROJECT}/config",
        "apps-android": f"projects/{PROJECT}/androidApps/{seeded['app_id']}",
        f"cloudflare-txt-spf-{zone}": f"{ZONE_ID}/{records['spf']}",
        f"cloudflare-txt-dkim-google-_domainkey-{zone}": f"{ZONE_ID}/{records['dkim']}",
        f"cloudflare-txt-dmarc-_dmarc-{zone}": f"{ZONE_ID}/{records['dmarc']}",
        f"cloudflare-cname-www-{zone}": f"{ZONE_ID}/{records['www']}",
        **{r["name"]: f"{ZONE_ID}/{records['mx']}" for r in planned if r["name"].startswith(f"cloudflare-mx-{zone}")},
    }
    spf = [r for r in planned if r["type"] == "cloudflare:index/dnsRecord:DnsRecord" and r["inputs"]["name"] == ZONE
           and str(r["inputs"].get("content", "")).startswith("v=spf1")]
    assert len(spf) == 1 and "include:servers.mcsv.net include:_spf.hubspotemail.net" in spf[0]["inputs"]["content"]
    assert not [r for r in planned if r["type"] == "gcp:organizations/project:Project"]   # used as is, never created
    endpoint = next(r for r in planned if r["type"] == "pulumi-python:dynamic:Resource")
    assert endpoint["inputs"]["disabled"] is True   # the old handler keeps delivering until the cut-over

    code, report, _ = adopt(capsys)   # once written, a second run decides the same: nothing new to create
    again = by_name(report)
    assert {n for n, d in again.items() if d["action"] == "adopt" and d.get("import_id")} == set(imports)
    assert non_get(live) == []


def test_an_api_the_credentials_cannot_read_is_unknown_and_write_refuses(live, capsys):
    live["state"].denied[TOKEN] = {"firestore"}
    before = live["stack"].read_text()
    code, report, err = adopt(capsys, "--write")
    database = by_name(report)["firestore-database"]
    assert code == 1 and database["action"] == "unknown" and "datastore.databases.list" in database["detail"]
    assert by_name(report)["firestore-rules-release"]["action"] == "adopt"   # the rest still decided
    assert "not written: 1 resource(s) undecided" in err and live["stack"].read_text() == before
    code, report, _ = adopt(capsys, "--write", "--allow-unknown")
    written = yaml.safe_load(live["stack"].read_text())["config"]["launchready:adopt"]["imports"]
    assert "firestore-database" not in written and "firestore-rules-release" in written


def test_missing_credentials_name_the_variable_and_a_fresh_world_is_all_create(live, capsys, monkeypatch):
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    code, report, _ = adopt(capsys)
    dns = [d for d in report["decisions"] if d["type"] == "cloudflare:index/dnsRecord:DnsRecord"]
    assert code == 1 and dns and {d["action"] for d in dns} == {"unknown"}
    assert all("set $CLOUDFLARE_API_TOKEN" in d["detail"] for d in dns)
    assert by_name(report)["firestore-database"]["action"] == "adopt"   # Google still decided
    # a new id in an empty world: nothing to import, the project is created (and said so honestly)
    write_stack(live["root"] / "stacks", "prod", lambda c: (_edit(c), c["launchready:gcp"].update(projectId="kelp-journal-new")))
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", CF_TOKEN)
    live["cloudflare"].zones.pop(ZONE_ID, None)
    live["cloudflare"].records.clear()
    live["stripe"].endpoints.clear()
    code, report, _ = adopt(capsys)
    assert code == 0 and report["imports"] == {} and {d["action"] for d in report["decisions"]} == {"create"}
    assert "Resource Manager answers 403 for both" in by_name(report)["project-project"]["detail"]


def _add(live, type_: str, name: str, content: str, **fields) -> None:
    live["cloudflare"].add_record(ZONE_ID, type_, name, content, **fields)


def test_mail_of_another_provider_and_an_spf_over_the_lookup_limit_are_conflicts(live, capsys):
    cf = live["cloudflare"]
    mx = next(r for r in cf.records[ZONE_ID] if r["type"] == "MX")
    mx["content"] = "mx1.privateemail.com"   # the domain's mail is elsewhere: adding Google's MX would split it
    spf = next(r for r in cf.records[ZONE_ID] if r["type"] == "TXT" and "spf1" in r["content"])
    spf["content"] = ("v=spf1 include:_spf.google.com include:mailgun.org include:spf.protection.outlook.com "
                      "include:amazonses.com include:_spf.hubspotemail.net a mx ~all")
    code, report, _ = adopt(capsys)
    decisions = by_name(report)
    zone = ZONE.replace(".", "-")
    mx_decision = next(d for n, d in decisions.items() if n.startswith(f"cloudflare-mx-{zone}"))
    assert code == 1 and mx_decision["action"] == "conflict" and "mx1.privateemail.com" in mx_decision["detail"]
    spf_decision = decisions[f"cloudflare-txt-spf-{zone}"]
    assert spf_decision["action"] == "conflict" and "14/10 DNS lookups" in spf_decision["detail"]


def test_a_zone_with_its_own_redirect_rules_is_a_conflict_not_an_overwrite(live, capsys):
    live["cloudflare"].entrypoints[(ZONE_ID, "http_request_dynamic_redirect")] = {
        "id": "rs-landing", "name": "landing redirects", "kind": "zone", "phase": "http_request_dynamic_redirect",
        "rules": []}
    code, report, _ = adopt(capsys)
    redirect = by_name(report)["cloudflare-www-redirect"]
    assert redirect["action"] == "conflict" and "'landing redirects'" in redirect["detail"]
    assert "wwwRedirect: false" in redirect["remediation"]


class _Webhook(BaseHTTPRequestHandler):
    status = 400

    def do_POST(self):   # noqa: N802 - the handler API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/stripe_webhook"
    server.shutdown()


def test_cut_over_disables_the_old_endpoint_before_enabling_the_new_one(live, capsys, webhook):
    stripe_api, old = live["stripe"], live["seeded"]["endpoint_id"]
    adopt(capsys, "--write")
    config = yaml.safe_load(live["stack"].read_text())["config"]
    url = f"https://{config['launchready:domain']['apiHost']}/stripe_webhook"
    new = stripe_api.add_endpoint(url=url, enabled_events=["invoice.paid"], livemode=True, status="disabled",
                                  metadata={"managed_by": "launchready"})   # what `pulumi up` made
    _Webhook.status = 200   # the function does not reject an unsigned delivery: not switching
    code, _, err = run(capsys, "adopt", "--stack", "prod", "--cut-over", "--verify-url", webhook)
    assert code == 2 and "answered 200" in err
    assert stripe_api.endpoints[old]["status"] == "enabled" and stripe_api.endpoints[new["id"]]["status"] == "disabled"
    _Webhook.status = 400
    stripe_api.requests.clear()
    code, out, _ = run(capsys, "adopt", "--stack", "prod", "--cut-over", "--verify-url", webhook)
    assert code == 0 and f"disabled {old}" in out and f"enabled {new['id']}" in out
    posts = [p for m, p in stripe_api.requests if m == "POST"]
    assert posts == [f"/v1/webhook_endpoints/{old}", f"/v1/webhook_endpoints/{new['id']}"]   # old off first
    assert stripe_api.endpoints[old]["status"] == "disabled" and stripe_api.endpoints[new["id"]]["status"] == "enabled"
    assert "stripeCutover" not in yaml.safe_load(live["stack"].read_text())["config"]["launchready:adopt"]


def test_init_reports_what_already_runs_when_credentials_are_there(live, capsys, monkeypatch):
    from launchready.commands.init import _what_runs

    _what_runs(live["root"])
    out = capsys.readouterr().out
    assert out.startswith("exists  prod: the project, Firebase, Identity Platform, 1 database, 1 rules release, "
                          "1 Hosting site, 6 DNS records, 1 Stripe endpoint — run `launchready adopt --stack prod")
    assert non_get(live) == []
    for name in ("GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDFLARE_API_TOKEN", "STRIPE_SECRET_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(live["root"] / "no-adc.json"))
    _what_runs(live["root"])
    assert "no cloud credentials here, so what already runs was not looked up" in capsys.readouterr().out


def test_write_edits_the_stack_file_in_place_keeping_comments_quotes_and_secrets():
    """What `--write` changes is the only difference: a founder's comments and style survive."""
    from launchready.adopt.stack_file import edited

    indented = ('# Kelp Journal prod: edited by hand, keep these notes\nencryptionsalt: v1:abc\nconfig:\n'
                '  launchready:gcp:\n    projectId: kelp-journal-prod  # console-made in 2024\n'
                '    createProject: true\n    folderId: "204815162342"\n  launchready:email:\n'
                '    spfIncludes:\n      - _spf.google.com\n    spfAll: "-all"\n'
                '  launchready:stripeSecretKey:\n    secure: v1:Zm9v:YmFy\n')
    new = edited(indented, {"gcp.createProject": False, "email.spfIncludes": ["_spf.google.com", "servers.mcsv.net"],
                            "adopt.imports": {"firestore-database": f"projects/{PROJECT}/databases/(default)"}})
    assert new.startswith("# Kelp Journal prod: edited by hand, keep these notes\nencryptionsalt: v1:abc\n")
    assert "projectId: kelp-journal-prod  # console-made in 2024\n    createProject: false\n" in new
    assert 'folderId: "204815162342"' in new and 'spfAll: "-all"' in new and "secure: v1:Zm9v:YmFy" in new
    assert "    spfIncludes:\n      - _spf.google.com\n      - servers.mcsv.net\n" in new
    assert new.endswith(f"  launchready:adopt:\n    imports:\n      firestore-database: projects/{PROJECT}/databases/"
                        "(default)\n")
    flush = "config:\n  launchready:email:\n    spfIncludes:\n    - _spf.google.com\n"   # PyYAML's (init's) style
    assert edited(flush, {"email.spfIncludes": ["_spf.google.com", "sendgrid.net"]}) == \
        "config:\n  launchready:email:\n    spfIncludes:\n    - _spf.google.com\n    - sendgrid.net\n"
    assert edited(flush, {"adopt.stripeCutover": None}) == flush   # removing what is not there changes nothing


def test_the_gate_blocks_imports_the_program_no_longer_makes(live, capsys):
    """A stale name imports nothing: `pulumi up` would create a duplicate beside the live record."""
    adopt(capsys, "--write")

    def gate() -> dict:
        code, out, _ = run(capsys, "check", "--stack", "prod", "--offline", "--only", "infra.plan.imports",
                           "--format", "json", "--allow-skips")
        [result] = [r for r in json.loads(out)["results"] if r["id"] == "infra.plan.imports"]
        return result

    conflict = gate()   # the apex A record collides: `pulumi up` would add a second A beside the landing page's
    assert conflict["status"] == "fail" and f"cloudflare-a-{ZONE.replace('.', '-')}: {ZONE} already has A " \
        f"{LANDING_IP}" in conflict["message"]
    # the founder serves the app from app.<zone> and keeps the landing page: adopt again, and the gate passes
    document = yaml.safe_load(live["stack"].read_text())
    document["config"]["launchready:domain"]["appHost"] = f"app.{ZONE}"
    live["stack"].write_text(yaml.safe_dump(document, sort_keys=False))
    code, report, _ = adopt(capsys, "--write")
    assert code == 0 and "conflicts" not in yaml.safe_load(live["stack"].read_text())["config"]["launchready:adopt"]
    assert gate()["status"] == "pass"
    document = yaml.safe_load(live["stack"].read_text())
    document["config"]["launchready:adopt"]["imports"]["cloudflare-mx-kelpjournal-io-0001"] = f"{ZONE_ID}/gone"
    live["stack"].write_text(yaml.safe_dump(document, sort_keys=False))
    result = gate()
    assert result["status"] == "fail" and "cloudflare-mx-kelpjournal-io-0001" in result["message"]


def test_imports_keep_the_programs_urn_parent_and_provider(live, capsys):
    """`import_` through the stack transformation changes nothing else about a resource: the URN (so no
    replace later), its parent component and its explicit provider are the program's own."""
    from launchready.config.model import load_stack
    from launchready.infra.plan import build_plan
    from launchready.project import discover

    project = discover(live["root"])
    adopt(capsys, "--write")
    adopted = load_stack(live["root"] / "stacks", "prod")
    fresh = adopted.model_copy(update={"adopt": type(adopted.adopt)()})
    with_imports, without = build_plan(adopted, project), build_plan(fresh, project)
    imported = [r for r in with_imports.resources if r.import_id]
    assert len(imported) == len(adopted.adopt.imports) == 11
    for resource in imported:
        twin = without.named(resource.name)
        assert (resource.urn, resource.parent, resource.provider) == (twin.urn, twin.parent, twin.provider)
        assert twin.import_id is None


@pytest.mark.parametrize("said,status", [("v3.160.0", "fail"), ("v3.211.1", "pass"), ("", "warn")])
def test_preflight_wants_a_pulumi_cli_that_imports_and_updates(live, capsys, monkeypatch, tmp_path, said, status):
    adopt(capsys, "--write")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(f"#!/bin/sh\n[ \"$1\" = version ] && echo '{said}' && exit 0\nexit 255\n")
    (bin_dir / "pulumi").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    code, out, _ = run(capsys, "preflight", "--stack", "prod", "--format", "json")
    [finding] = [f for f in json.loads(out)["findings"] if f["id"] == "pulumi.cli"]
    assert finding["status"] == status, finding
    if status == "fail":
        assert code == 1 and "3.160.0" in finding["message"] and "3.200.0 or later" in finding["message"]


def test_the_text_output_is_a_table_of_decisions_with_the_stack_changes(live, capsys):
    code, out, _ = run(capsys, "adopt", "--stack", "prod")
    assert code == 1 and out.startswith("launchready adopt — stack prod: ")
    zone = ZONE.replace(".", "-")
    row = next(line for line in out.splitlines() if f"cloudflare-a-{zone} " in line)
    assert "CONFLICT" in row and f"{ZONE} already has A {LANDING_IP}" in row
    assert "cut-over" in out and "more" in out and "launchready's own resources" in out
    assert "stack: spfIncludes += servers.mcsv.net, _spf.hubspotemail.net (from the live SPF record)" in out
