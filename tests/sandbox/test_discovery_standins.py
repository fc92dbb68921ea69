"""The stand-ins `launchready adopt` discovers against (#21) answer with the real APIs' shapes: GETs of a
console-made product (live_product.py), 403 naming the IAM permission per denied API, 404 where the real
API says not found, pagination, 409 (or Cloudflare's 81058/81053/81054) on creates, and a request log."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from launchready.sandbox.stubs.cloudflare_api import DNS_READ, DNS_WRITE, CloudflareApiStub, CloudflareToken
from launchready.sandbox.stubs.google_admin_apis import GoogleAdminApisStub, GoogleAdminState
from launchready.sandbox.stubs.live_product import LANDING_IP, OLD_EVENTS, OLD_WEBHOOK, SPF, seed_live_product
from launchready.sandbox.stubs.stripe_api import StripeApiStub
from tests.sandbox.conftest import REPO

PROJECT, ZONE, ZONE_ID = "acme-prod-4821", "acme-example.com", "023e105f4ecef8ad9ca31a8372d0c353"
GOOGLE = {"Authorization": "Bearer founder"}
CLOUDFLARE = {"Authorization": "Bearer cf-dns"}
STRIPE = {"Authorization": "Bearer sk_test_founder"}


@dataclass
class Env:
    state: GoogleAdminState
    google: GoogleAdminApisStub
    cloudflare: CloudflareApiStub
    stripe: StripeApiStub
    seeded: dict

    def g(self, method: str, path: str, headers: dict[str, str] | None = None, **kw) -> httpx.Response:
        return httpx.request(method, self.google.base_url + path, headers=headers or GOOGLE, **kw)

    def cf(self, method: str, path: str, headers: dict[str, str] | None = None, **kw) -> httpx.Response:
        return httpx.request(method, f"{self.cloudflare.base_url}/client/v4/zones/{ZONE_ID}{path}",
                             headers=headers or CLOUDFLARE, **kw)


@pytest.fixture
def env() -> Iterator[Env]:
    state = GoogleAdminState(tokens={"founder": "founder@acme-example.com", "narrow": "ci@acme-example.com"},
                             projects={"bare-gcp-project": "folders/1"}, taken={"someone-elses-id"})
    cloudflare = CloudflareApiStub({"cf-dns": CloudflareToken("t1", [DNS_WRITE], [ZONE_ID]),
                                    "cf-read": CloudflareToken("t2", [DNS_READ]),
                                    "cf-none": CloudflareToken("t3", ["Zone Read"]),
                                    "cf-other": CloudflareToken("t4", [DNS_WRITE], ["f" * 32])})
    stripe = StripeApiStub()
    seeded = seed_live_product(state, cloudflare, stripe, project_id=PROJECT, zone=ZONE, zone_id=ZONE_ID)
    google = GoogleAdminApisStub(state)
    for stub in (google, cloudflare, stripe):
        stub.poll_interval = 0.02     # stop() returns in a poll interval: keeps the 25 tests fast
    with google, cloudflare, stripe:
        yield Env(state, google, cloudflare, stripe, seeded)


def _permission(response: httpx.Response) -> str:
    (info,) = response.json()["error"]["details"]
    assert info["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" and info["reason"] == "IAM_PERMISSION_DENIED"
    return info["metadata"]["permission"]


# -- Google: Firebase Management
def test_firebase_project_and_apps(env):
    project = env.g("GET", f"/v1beta1/projects/{PROJECT}").json()
    assert project["projectId"] == PROJECT and project["name"] == f"projects/{PROJECT}"
    assert project["state"] == "ACTIVE" and project["resources"]["hostingSite"] == PROJECT
    assert project["projectNumber"].isdigit() and len(project["projectNumber"]) == 12
    (app,) = env.g("GET", f"/v1beta1/projects/{PROJECT}/androidApps").json()["apps"]
    assert app["appId"] == env.seeded["app_id"] and app["appId"].startswith(f"1:{project['projectNumber']}:android:")
    assert app["name"] == f"projects/{PROJECT}/androidApps/{app['appId']}"
    assert app["packageName"] == "com.acme_example.app" and app["state"] == "ACTIVE"
    assert app["projectId"] == PROJECT
    for kind in ("iosApps", "webApps"):   # proto3 JSON omits an empty list
        assert env.g("GET", f"/v1beta1/projects/{PROJECT}/{kind}").json() == {}


def test_firebase_not_added_is_404_and_an_unknown_project_403(env):
    missing = env.g("GET", "/v1beta1/projects/bare-gcp-project")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
    for project in ("no-such-project", "someone-elses-id"):
        hidden = env.g("GET", f"/v1beta1/projects/{project}")
        assert hidden.status_code == 403 and hidden.json()["error"]["status"] == "PERMISSION_DENIED"
        assert _permission(hidden) == "firebase.projects.get"


def test_apps_are_paged(env):
    env.state.apps[PROJECT] += [{"platform": "ios", "bundleId": f"com.acme.ios{i}", "displayName": f"iOS {i}"}
                                for i in range(3)]
    seen, token = [], None
    while True:
        body = env.g("GET", f"/v1beta1/projects/{PROJECT}/iosApps",
                     params={"pageSize": 2, **({"pageToken": token} if token else {})}).json()
        assert len(body["apps"]) <= 2
        seen += [a["bundleId"] for a in body["apps"]]
        token = body.get("nextPageToken")
        if not token:
            break
    assert seen == ["com.acme.ios0", "com.acme.ios1", "com.acme.ios2"]
    assert env.g("GET", f"/v1beta1/projects/{PROJECT}/iosApps", params={"pageToken": "junk"}).status_code == 400


# -- Google: Firestore, Rules, Hosting, Identity Toolkit
def test_firestore_databases_and_create(env):
    (db,) = env.g("GET", f"/v1/projects/{PROJECT}/databases").json()["databases"]
    assert db["name"] == f"projects/{PROJECT}/databases/(default)" and db["locationId"] == "eur3"
    assert {k: db[k] for k in ("type", "concurrencyMode", "pointInTimeRecoveryEnablement", "deleteProtectionState",
                               "appEngineIntegrationMode")} == {
        "type": "FIRESTORE_NATIVE", "concurrencyMode": "OPTIMISTIC",
        "pointInTimeRecoveryEnablement": "POINT_IN_TIME_RECOVERY_DISABLED",
        "deleteProtectionState": "DELETE_PROTECTION_DISABLED", "appEngineIntegrationMode": "DISABLED"}
    assert db["uid"] and db["etag"]
    taken = env.g("POST", f"/v1/projects/{PROJECT}/databases", params={"databaseId": "(default)"},
                  json={"locationId": "nam5", "type": "FIRESTORE_NATIVE"})
    assert taken.status_code == 409 and taken.json()["error"] == {
        "code": 409, "message": "Database already exists. Please use another database_id", "status": "ALREADY_EXISTS"}
    created = env.g("POST", "/v1/projects/bare-gcp-project/databases", params={"databaseId": "(default)"},
                    json={"locationId": "nam5", "type": "FIRESTORE_NATIVE"}).json()
    assert created["done"] and created["response"]["locationId"] == "nam5"
    assert created["name"].startswith("projects/bare-gcp-project/databases/(default)/operations/")
    assert env.g("GET", "/v1/projects/bare-gcp-project/databases").json()["databases"][0]["locationId"] == "nam5"
    assert env.g("GET", "/v1/projects/no-such-project/databases").status_code == 403


def test_rules_releases_paged_and_create(env):
    (release,) = env.g("GET", f"/v1/projects/{PROJECT}/releases").json()["releases"]
    assert release["name"] == f"projects/{PROJECT}/releases/cloud.firestore"
    assert release["rulesetName"] == env.seeded["ruleset"] and release["createTime"] and release["updateTime"]
    ruleset = env.seeded["ruleset"]
    again = env.g("POST", f"/v1/projects/{PROJECT}/releases",
                  json={"name": f"projects/{PROJECT}/releases/cloud.firestore", "rulesetName": ruleset})
    assert again.status_code == 409 and again.json()["error"]["status"] == "ALREADY_EXISTS"
    made = env.g("POST", f"/v1/projects/{PROJECT}/releases",
                 json={"name": f"projects/{PROJECT}/releases/firebase.storage/b", "rulesetName": ruleset})
    assert made.status_code == 200
    first = env.g("GET", f"/v1/projects/{PROJECT}/releases", params={"pageSize": 1}).json()
    assert len(first["releases"]) == 1 and first["nextPageToken"]
    rest = env.g("GET", f"/v1/projects/{PROJECT}/releases", params={"pageToken": first["nextPageToken"]}).json()
    assert len(rest["releases"]) == 1 and "nextPageToken" not in rest


def test_hosting_sites_custom_domains_and_create(env):
    env.state.custom_domains[PROJECT] = {ZONE: {}, f"www.{ZONE}": {"hostState": "HOST_MISMATCH"}}
    (site,) = env.g("GET", f"/v1beta1/projects/{PROJECT}/sites").json()["sites"]
    assert site["name"].endswith(f"/sites/{PROJECT}") and site["defaultUrl"] == f"https://{PROJECT}.web.app"
    assert site["type"] == "DEFAULT_SITE"
    domains = env.g("GET", f"/v1beta1/projects/{PROJECT}/sites/{PROJECT}/customDomains").json()["customDomains"]
    assert [d["name"].rsplit("/", 1)[-1] for d in domains] == [ZONE, f"www.{ZONE}"]
    assert [(d["hostState"], d["ownershipState"]) for d in domains] == [
        ("HOST_ACTIVE", "OWNERSHIP_ACTIVE"), ("HOST_MISMATCH", "OWNERSHIP_ACTIVE")]
    assert env.g("GET", f"/v1beta1/projects/{PROJECT}/sites/nope/customDomains").status_code == 404
    mine = env.g("POST", f"/v1beta1/projects/{PROJECT}/sites", params={"siteId": PROJECT})
    assert mine.status_code == 409 and mine.json()["error"]["status"] == "ALREADY_EXISTS"
    theirs = env.g("POST", "/v1beta1/projects/bare-gcp-project/sites", params={"siteId": PROJECT})
    assert theirs.status_code == 400 and "is reserved by another project" in theirs.json()["error"]["message"]
    made = env.g("POST", f"/v1beta1/projects/{PROJECT}/sites", params={"siteId": "acme-admin"}).json()
    assert made["type"] == "USER_SITE" and made["defaultUrl"] == "https://acme-admin.web.app"


def test_identity_platform_config_or_configuration_not_found(env):
    config = env.g("GET", f"/admin/v2/projects/{PROJECT}/config").json()
    assert config["name"] == f"projects/{PROJECT}/config" and config["subtype"] == "IDENTITY_PLATFORM"
    assert config["signIn"]["email"] == {"enabled": True, "passwordRequired": True}
    assert ZONE in config["authorizedDomains"]
    off = env.g("GET", "/admin/v2/projects/bare-gcp-project/config")
    assert off.status_code == 404 and off.json()["error"] == {
        "code": 404, "message": "CONFIGURATION_NOT_FOUND", "status": "NOT_FOUND"}


DENIED = [
    ("firebase", "GET", f"/v1beta1/projects/{PROJECT}", "firebase.projects.get"),
    ("firebase", "GET", f"/v1beta1/projects/{PROJECT}/androidApps", "firebase.clients.list"),
    ("firestore", "GET", f"/v1/projects/{PROJECT}/databases", "datastore.databases.list"),
    ("firebaserules", "GET", f"/v1/projects/{PROJECT}/releases", "firebaserules.releases.list"),
    ("firebasehosting", "GET", f"/v1beta1/projects/{PROJECT}/sites", "firebasehosting.sites.list"),
    ("firebasehosting", "GET", f"/v1beta1/projects/{PROJECT}/sites/{PROJECT}/customDomains",
     "firebasehosting.sites.get"),
    ("identitytoolkit", "GET", f"/admin/v2/projects/{PROJECT}/config", "firebaseauth.configs.get"),
    ("cloudresourcemanager", "GET", f"/v3/projects/{PROJECT}", "resourcemanager.projects.get"),
]


@pytest.mark.parametrize(("api", "method", "path", "permission"), DENIED, ids=[d[3] for d in DENIED])
def test_a_token_denied_one_api_gets_403_naming_the_permission(env, api, method, path, permission):
    env.state.denied["narrow"] = {api}
    narrow = {"Authorization": "Bearer narrow"}
    refused = env.g(method, path, narrow)
    assert refused.status_code == 403 and refused.json()["error"]["status"] == "PERMISSION_DENIED"
    assert _permission(refused) == permission
    assert env.g(method, path).status_code == 200          # the founder's token still reads it
    others = [p for a, m, p, _ in DENIED if a != api]
    assert all(env.g("GET", p, narrow).status_code == 200 for p in others)


def test_resource_manager_hides_taken_ids_until_create(env):
    free, taken = env.g("GET", "/v3/projects/free-id-123"), env.g("GET", "/v3/projects/someone-elses-id")
    assert free.status_code == taken.status_code == 403
    assert env.g("GET", f"/v3/projects/{PROJECT}").json()["parent"] == "folders/204815162342"
    for project in ("someone-elses-id", PROJECT):
        clash = env.g("POST", "/v3/projects", json={"projectId": project, "parent": "folders/1"})
        assert clash.status_code == 409 and clash.json()["error"] == {
            "code": 409, "message": "Requested entity already exists", "status": "ALREADY_EXISTS"}
    made = env.g("POST", "/v3/projects", json={"projectId": "free-id-123", "parent": "folders/1"})
    assert made.status_code == 200 and made.json()["name"].startswith("operations/cp.")
    assert env.g("GET", "/v3/projects/free-id-123").json()["state"] == "ACTIVE"


def test_google_records_each_request_and_needs_a_token(env):
    for path in (f"/v3/projects/{PROJECT}", f"/v1beta1/projects/{PROJECT}", f"/v1/projects/{PROJECT}/databases",
                 f"/admin/v2/projects/{PROJECT}/config"):
        env.g("GET", path)
    assert {method for method, _ in env.google.calls} == {"GET"}
    env.g("POST", f"/v1beta1/projects/{PROJECT}/sites", params={"siteId": PROJECT})
    assert env.google.calls[-1] == ("POST", f"/v1beta1/projects/{PROJECT}/sites")
    assert httpx.get(f"{env.google.base_url}/v1beta1/projects/{PROJECT}").status_code == 401


# -- Cloudflare
def test_dns_records_of_the_live_product(env):
    body = env.cf("GET", "/dns_records").json()
    assert body["success"] and body["result_info"] == {"page": 1, "per_page": 100, "count": 6, "total_count": 6,
                                                       "total_pages": 1}
    by_id = {r["id"]: r for r in body["result"]}
    records = {k: by_id[i] for k, i in env.seeded["records"].items()}
    for record in records.values():
        assert {"id", "zone_id", "zone_name", "name", "type", "content", "proxied", "ttl", "comment",
                "created_on", "modified_on"} <= record.keys() and record["zone_name"] == ZONE
    assert (records["mx"]["name"], records["mx"]["content"], records["mx"]["priority"]) == (ZONE, "smtp.google.com", 1)
    assert records["spf"]["content"] == f'"{SPF}"'            # as the dashboard stores TXT: quoted
    dkim = records["dkim"]
    assert dkim["name"] == f"google._domainkey.{ZONE}" and dkim["content"].startswith('"v=DKIM1; k=rsa; p=MII')
    strings = [s.strip('"') for s in dkim["content"].split('" "')]
    assert len(strings) == 2 and all(len(s) <= 255 for s in strings)
    assert base64.b64decode("".join(strings).split("p=", 1)[1])[:2] == b"\x30\x82"
    assert records["dmarc"]["content"].startswith('"v=DMARC1; p=none; rua=mailto:')
    assert (records["apex"]["type"], records["apex"]["content"]) == ("A", LANDING_IP)
    assert (records["www"]["type"], records["www"]["name"], records["www"]["content"]) == ("CNAME", f"www.{ZONE}", ZONE)


def test_dns_records_filter_and_page(env):
    txt = env.cf("GET", "/dns_records", params={"type": "TXT"}).json()["result"]
    assert sorted(r["name"] for r in txt) == sorted([ZONE, f"google._domainkey.{ZONE}", f"_dmarc.{ZONE}"])
    apex = env.cf("GET", "/dns_records", params={"name": ZONE}).json()["result"]
    assert sorted(r["type"] for r in apex) == ["A", "MX", "TXT"]
    pages = [env.cf("GET", "/dns_records", params={"per_page": 4, "page": p}).json() for p in (1, 2)]
    assert [p["result_info"]["count"] for p in pages] == [4, 2] and pages[0]["result_info"]["total_pages"] == 2
    assert env.cf("GET", "/dns_records", params={"per_page": 5_000_001}).status_code == 400


def test_dns_record_creates_answer_as_cloudflare(env):
    same = env.cf("POST", "/dns_records", json={"type": "TXT", "name": ZONE, "content": SPF, "ttl": 1})
    assert same.status_code == 400 and same.json()["errors"] == [
        {"code": 81058, "message": "An identical record already exists."}]
    cname = env.cf("POST", "/dns_records", json={"type": "CNAME", "name": "@", "content": "x.web.app"})
    assert cname.json()["errors"][0]["code"] == 81053
    a_on_cname = env.cf("POST", "/dns_records", json={"type": "A", "name": "www", "content": "199.36.158.100"})
    assert a_on_cname.json()["errors"][0]["code"] == 81054
    made = env.cf("POST", "/dns_records", json={"type": "TXT", "name": ZONE, "content": "google-site-verification=x"})
    assert made.status_code == 200 and made.json()["result"]["name"] == ZONE
    assert env.cf("GET", "/dns_records").json()["result_info"]["total_count"] == 7


def test_dns_patch_and_delete_exist_and_are_logged(env):
    apex = env.seeded["records"]["apex"]
    assert env.cf("PATCH", f"/dns_records/{apex}", json={"content": "199.36.158.100"}).json()["result"][
        "content"] == "199.36.158.100"
    assert env.cf("DELETE", f"/dns_records/{apex}").json()["result"] == {"id": apex}
    assert env.cf("DELETE", f"/dns_records/{apex}").json()["errors"][0]["code"] == 81044
    assert [m for m, _ in env.cloudflare.requests] == ["PATCH", "DELETE", "DELETE"]
    assert env.cloudflare.requests[0][1] == f"/client/v4/zones/{ZONE_ID}/dns_records/{apex}"


def test_dns_permissions(env):
    assert env.cf("GET", "/dns_records", {"Authorization": "Bearer cf-read"}).status_code == 200
    read_only = env.cf("POST", "/dns_records", {"Authorization": "Bearer cf-read"},
                       json={"type": "A", "name": "x", "content": "192.0.2.1"})
    assert read_only.status_code == 403 and read_only.json()["errors"][0]["code"] == 10000
    assert env.cf("GET", "/dns_records", {"Authorization": "Bearer cf-none"}).status_code == 403
    assert env.cf("GET", "/dns_records", {"Authorization": "Bearer cf-other"}).json()["errors"][0]["code"] == 9109


def test_rulesets_list_without_rules(env):
    env.cloudflare.entrypoints[(ZONE_ID, "http_request_dynamic_redirect")] = {
        "id": "rs-1", "name": "default", "phase": "http_request_dynamic_redirect", "rules": [{"id": "r1"}]}
    env.cloudflare.managed_rulesets[ZONE_ID] = [{"id": "efb7b8c9", "name": "Cloudflare Managed Ruleset",
                                                  "phase": "http_request_firewall_managed"}]
    listed = env.cf("GET", "/rulesets").json()["result"]
    assert [(r["id"], r["kind"]) for r in listed] == [("rs-1", "zone"), ("efb7b8c9", "managed")]
    assert all("rules" not in r and r["version"] and r["last_updated"] for r in listed)
    assert env.cf("GET", "/rulesets/phases/http_request_dynamic_redirect/entrypoint").json()["result"]["rules"]


# -- Stripe
def test_stripe_lists_the_other_handlers_endpoint_and_allows_a_second_at_the_same_url(env):
    (endpoint,) = httpx.get(env.stripe.base_url + "/v1/webhook_endpoints", headers=STRIPE).json()["data"]
    assert (endpoint["id"], endpoint["url"], endpoint["status"], endpoint["metadata"]) == (
        env.seeded["endpoint_id"], OLD_WEBHOOK, "enabled", {})
    assert endpoint["enabled_events"] == OLD_EVENTS and "secret" not in endpoint
    form = {"url": OLD_WEBHOOK, "enabled_events[0]": "invoice.paid"}
    assert httpx.post(env.stripe.base_url + "/v1/webhook_endpoints", headers=STRIPE, data=form).status_code == 200
    assert env.stripe.requests == [("GET", "/v1/webhook_endpoints"), ("POST", "/v1/webhook_endpoints")]


def test_live_product_runs_standalone():
    proc = subprocess.Popen([sys.executable, "-m", "launchready.sandbox.stubs.live_product"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        auth = {"Authorization": f"Bearer {info['tokens']['google']}"}
        assert httpx.get(f"{info['google']}/v1beta1/projects/{info['project_id']}", headers=auth).status_code == 200
        records = httpx.get(f"{info['cloudflare']}/client/v4/zones/{info['zone_id']}/dns_records",
                            headers={"Authorization": f"Bearer {info['tokens']['cloudflare']}"}).json()
        assert records["result_info"]["total_count"] == 6
        assert httpx.get(f"{info['stripe']}/v1/webhook_endpoints",
                         headers={"Authorization": f"Bearer {info['tokens']['stripe']}"}).json()["data"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_the_database_list_takes_no_paging_parameters_as_the_real_api():
    """firestore.projects.databases.list has only `showDeleted`: Google answers 400 to any other parameter."""
    state = GoogleAdminState(tokens={"t": "a@b.c"}, projects={"p-1": "folders/1"},
                             databases={"p-1": {"(default)": {"locationId": "nam5"}}})
    with GoogleAdminApisStub(state) as stub:
        headers = {"Authorization": "Bearer t"}
        ok = httpx.get(f"{stub.base_url}/v1/projects/p-1/databases", headers=headers)
        paged = httpx.get(f"{stub.base_url}/v1/projects/p-1/databases", params={"pageSize": 100}, headers=headers)
    assert ok.status_code == 200 and ok.json()["databases"][0]["locationId"] == "nam5"
    assert paged.status_code == 400 and 'Unknown name "pageSize"' in paged.json()["error"]["message"]
