"""A console-made product, seeded into the Google, Cloudflare and Stripe stand-ins: what `launchready
adopt --stack S` must discover (and leave alone) before the first `pulumi up`.

- Google: the project (ACTIVE, under a folder of an organization) with Firebase added, an Android app, a
  Firestore `(default)` database in `eur3`, a `cloud.firestore` rules release, the default Hosting site
  (site id == project id) and Identity Platform on;
- Cloudflare, in the zone: Google Workspace MX (`smtp.google.com`, priority 1), an apex SPF that also
  includes a newsletter tool (Mailchimp) and a CRM mailer (HubSpot), a `google._domainkey` DKIM key, a
  `_dmarc` policy at `p=none`, an apex A record for a landing-page host and `www` CNAME to the apex. TXT
  content is as the dashboard saves it: quoted, and the 2048-bit DKIM key split into 255-byte strings;
- Stripe: an enabled endpoint at another handler's URL for three events, with no launchready metadata.

Run standalone: `python -m launchready.sandbox.stubs.live_product [--port P]` serves all three (on P,
P+1, P+2, or free ports) and prints their URLs, tokens and ids as one JSON line.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import signal
import threading
from typing import Any

from launchready.sandbox.stubs.cloudflare_api import DNS_WRITE, CloudflareApiStub, CloudflareToken
from launchready.sandbox.stubs.firebase_admin_apis import FirebaseRoutes
from launchready.sandbox.stubs.google_admin_apis import GoogleAdminApisStub, GoogleAdminState
from launchready.sandbox.stubs.stripe_api import StripeApiStub

OLD_WEBHOOK = "https://old.example-handler.com/stripe"
OLD_EVENTS = ["checkout.session.completed", "customer.subscription.updated", "invoice.paid"]
SPF = "v=spf1 include:_spf.google.com include:servers.mcsv.net include:_spf.hubspotemail.net ~all"
LANDING_IP = "75.2.60.5"
FOLDER, ORGANIZATION = "folders/204815162342", "organizations/108151623421"
SERVICES = {"firebase.googleapis.com", "firestore.googleapis.com", "firebaserules.googleapis.com",
            "firebasehosting.googleapis.com", "identitytoolkit.googleapis.com", "cloudresourcemanager.googleapis.com"}


def dkim_key(seed: str) -> str:
    """A 2048-bit RSA public key in DKIM's `p=` form: real DER framing, a modulus derived from `seed`."""
    modulus = b"".join(hashlib.sha256(f"{seed}/{i}".encode()).digest() for i in range(8))
    modulus = bytes([modulus[0] | 0x80]) + modulus[1:]
    der = bytes.fromhex("30820122300d06092a864886f70d01010105000382010f003082010a0282010100") + modulus + \
        bytes.fromhex("0203010001")
    return base64.b64encode(der).decode()


def dashboard_txt(value: str) -> str:
    """TXT content as the Cloudflare dashboard stores it: quoted strings of at most 255 bytes."""
    return " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))


def seed_live_product(google_state: GoogleAdminState, cloudflare_stub: CloudflareApiStub,
                      stripe_stub: StripeApiStub, *, project_id: str, zone: str, zone_id: str,
                      webhook_url: str = OLD_WEBHOOK, livemode: bool = False) -> dict[str, Any]:
    """Seed the console-made product; returns the ids a test compares discovery against."""
    package = ".".join(reversed(zone.split("."))).replace("-", "_") + ".app"
    google_state.projects[project_id] = FOLDER
    google_state.parents[FOLDER] = ORGANIZATION
    google_state.services.setdefault(project_id, set()).update(SERVICES)
    google_state.firebase.add(project_id)
    google_state.apps.setdefault(project_id, []).append(
        {"platform": "android", "packageName": package, "displayName": zone.split(".")[0].title() + " Android"})
    google_state.databases.setdefault(project_id, {})["(default)"] = {"locationId": "eur3"}
    ruleset = hashlib.sha256(project_id.encode()).hexdigest()
    ruleset = f"{ruleset[:8]}-{ruleset[8:12]}-{ruleset[12:16]}-{ruleset[16:20]}-{ruleset[20:32]}"
    google_state.releases.setdefault(project_id, {})["cloud.firestore"] = ruleset
    google_state.sites.setdefault(project_id, {})[project_id] = {"type": "DEFAULT_SITE"}
    google_state.auth_configs[project_id] = {
        "authorizedDomains": ["localhost", f"{project_id}.firebaseapp.com", f"{project_id}.web.app", zone]}
    app = FirebaseRoutes(google_state).app(project_id, google_state.apps[project_id][-1])

    cloudflare_stub.zones[zone_id] = zone
    add = cloudflare_stub.add_record
    records = {
        "mx": add(zone_id, "MX", "@", "smtp.google.com", priority=1),
        "spf": add(zone_id, "TXT", "@", dashboard_txt(SPF)),
        "dkim": add(zone_id, "TXT", "google._domainkey", dashboard_txt(f"v=DKIM1; k=rsa; p={dkim_key(zone)}")),
        "dmarc": add(zone_id, "TXT", "_dmarc", dashboard_txt(f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{zone}")),
        "apex": add(zone_id, "A", "@", LANDING_IP),
        "www": add(zone_id, "CNAME", "www", zone),
    }
    endpoint = stripe_stub.add_endpoint(url=webhook_url, enabled_events=list(OLD_EVENTS), livemode=livemode,
                                        status="enabled", metadata={})
    return {"project_id": project_id, "app_id": app["appId"], "ruleset": f"projects/{project_id}/rulesets/{ruleset}",
            "zone": zone, "zone_id": zone_id, "records": {k: r["id"] for k, r in records.items()},
            "endpoint_id": endpoint["id"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="Google on P, Cloudflare on P+1, Stripe on P+2")
    parser.add_argument("--project", default="acme-prod-4821")
    parser.add_argument("--zone", default="acme-example.com")
    parser.add_argument("--zone-id", default="023e105f4ecef8ad9ca31a8372d0c353")
    args = parser.parse_args()
    state = GoogleAdminState(tokens={"live-product-google-token": "founder@acme-example.com"})
    cloudflare = CloudflareApiStub({"live-product-cloudflare-token": CloudflareToken(
        "live-product", [DNS_WRITE], [args.zone_id])}, args.port + 1 if args.port else 0)
    google, stripe = GoogleAdminApisStub(state, args.port), StripeApiStub(args.port + 2 if args.port else 0)
    seeded = seed_live_product(state, cloudflare, stripe, project_id=args.project, zone=args.zone,
                               zone_id=args.zone_id)
    for stub in (google, cloudflare, stripe):
        stub.start()
    print(json.dumps({"google": google.base_url, "cloudflare": cloudflare.base_url, "stripe": stripe.base_url,
                      "tokens": {"google": "live-product-google-token", "cloudflare": "live-product-cloudflare-token",
                                 "stripe": "sk_test_founder_local"}, **seeded}), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    for stub in (google, cloudflare, stripe):
        stub.stop()


if __name__ == "__main__":
    main()
