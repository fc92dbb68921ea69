"""Read-only discovery of what already runs where a stack deploys: one GET (or a few pages) per API,
each through the documented REST endpoint, with base URLs redirectable like preflight's
(`--<name>-api-base` or `LAUNCHREADY_<NAME>_API_BASE`).

An API that cannot be asked (no credentials, a permission missing, unreachable) makes its part
`Unknown` with the reason and the permission named; the rest is still discovered."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from launchready.config.model import EnvironmentConfig
from launchready.google_credentials import token_or_why
from launchready.preflight.cloudflare import TOKEN_ENV as CLOUDFLARE_TOKEN_ENV
from launchready.preflight.model import ApiError, Client, Endpoints, Unreachable
from launchready.preflight.stripe_account import KEY_ENV as STRIPE_KEY_ENV

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
MAX_PAGES = 20            # per list: 2,000 items (a zone with more records is split over several runs' worth)
PAGE = 100


@dataclass(frozen=True)
class Unknown:
    """Why one API's resources could not be decided."""

    api: str
    reason: str

    def __str__(self) -> str:
        return f"{self.api}: {self.reason}"


@dataclass
class Live:
    """What discovery saw. `None` for a singleton means "does not exist" (or, for the project, is not
    visible); an `Unknown` means the API could not say."""

    project: dict[str, Any] | None | Unknown = None
    firebase: dict[str, Any] | None | Unknown = None
    apps: dict[str, list[dict[str, Any]]] | Unknown = field(default_factory=dict)   # androidApps/iosApps/webApps
    databases: list[dict[str, Any]] | Unknown = field(default_factory=list)
    releases: list[dict[str, Any]] | Unknown = field(default_factory=list)
    sites: list[dict[str, Any]] | Unknown = field(default_factory=list)
    custom_domains: dict[str, list[dict[str, Any]]] | Unknown = field(default_factory=dict)  # site -> domains
    auth_config: dict[str, Any] | None | Unknown = None
    dns_records: list[dict[str, Any]] | Unknown = field(default_factory=list)
    rulesets: list[dict[str, Any]] | Unknown = field(default_factory=list)
    stripe_endpoints: list[dict[str, Any]] | Unknown = field(default_factory=list)

    @property
    def unknowns(self) -> list[Unknown]:
        return [value for value in vars(self).values() if isinstance(value, Unknown)]


class _Asker:
    """GETs through one client; an error becomes an Unknown for that API."""

    def __init__(self, client: Client, api: str):
        self.client, self.api = client, api

    def get(self, url: str, **params: Any) -> dict[str, Any]:
        return self.client.call("GET", url, params=params or None)

    def pages(self, url: str, key: str) -> list[dict[str, Any]]:
        """Google's `pageToken`/`nextPageToken` paging."""
        found: list[dict[str, Any]] = []
        token = None
        for _ in range(MAX_PAGES):
            page = self.get(url, pageSize=PAGE, **({"pageToken": token} if token else {}))
            found += [item for item in page.get(key) or [] if isinstance(item, dict)]
            token = page.get("nextPageToken")
            if not token:
                break
        return found


def unknown(api: str, exc: Exception) -> Unknown:
    if isinstance(exc, ApiError):
        if exc.status == 401:
            return Unknown(api, f"the credentials were rejected ({exc.message})")
        if exc.status == 403:
            return Unknown(api, f"permission {exc.permission} missing" if exc.permission
                           else f"permission denied ({exc.message})")
        return Unknown(api, f"HTTP {exc.status}: {exc.message}")
    return Unknown(api, str(exc))


def _ask(api: str, what, *, missing: Any = None) -> Any:
    """`what()`'s answer; `missing` for a 404 (the thing does not exist); an Unknown otherwise."""
    try:
        return what()
    except ApiError as exc:
        if exc.status == 404:
            return missing
        return unknown(api, exc)
    except Unreachable as exc:
        return unknown(api, exc)


def discover(config: EnvironmentConfig, endpoints: Endpoints) -> Live:
    """Everything the stack's plan could collide with, read-only."""
    live = Live()
    _google(config, endpoints, live)
    if config.dns.provider == "cloudflare" and config.domain.cloudflare_zone_id:
        _cloudflare(config.domain.cloudflare_zone_id, endpoints, live)
    if config.payments == "stripe":
        _stripe(endpoints, live)
    return live


# ------------------------------------------------------------------ Google

def _google(config: EnvironmentConfig, api: Endpoints, live: Live) -> None:
    names = ("project", "firebase", "apps", "databases", "releases", "sites", "custom_domains", "auth_config")
    token, why = token_or_why(SCOPES)
    if not token:
        for name in names:
            setattr(live, name, Unknown("Google", why))
        return
    from launchready.preflight.google import quota_project

    pid = config.gcp.project_id
    headers = {"Authorization": f"Bearer {token}"}
    quota = quota_project()   # user credentials: Firebase and Identity Toolkit calls need a quota project
    if quota:
        headers["x-goog-user-project"] = quota
    with Client(headers) as client:
        rm = _Asker(client, "Cloud Resource Manager")
        live.project = _ask(rm.api, lambda: rm.get(f"{api.resource_manager}/v3/projects/{pid}"))
        if isinstance(live.project, Unknown) and "permission" in live.project.reason and config.gcp.create_project:
            live.project = None   # 403: the id is free or someone else's (by design the API does not say)
        if live.project is None:
            return                # nothing of a project we cannot see can collide: every part is created
        _firebase(client, api, pid, live)


def _firebase(client: Client, api: Endpoints, pid: str, live: Live) -> None:
    firebase = _Asker(client, "Firebase Management")
    live.firebase = _ask(firebase.api, lambda: firebase.get(f"{api.firebase}/v1beta1/projects/{pid}"))
    live.apps = _ask(firebase.api, lambda: {kind: firebase.pages(f"{api.firebase}/v1beta1/projects/{pid}/{kind}", "apps")
                                            for kind in ("androidApps", "iosApps", "webApps")}, missing={})
    firestore = _Asker(client, "Firestore Admin")
    live.databases = _ask(firestore.api, lambda: _databases(firestore, f"{api.firestore}/v1/projects/{pid}/databases"),
                          missing=[])
    rules = _Asker(client, "Firebase Rules")
    live.releases = _ask(rules.api, lambda: rules.pages(f"{api.firebase_rules}/v1/projects/{pid}/releases",
                                                        "releases"), missing=[])
    hosting = _Asker(client, "Firebase Hosting")
    live.sites = _ask(hosting.api, lambda: hosting.pages(f"{api.hosting}/v1beta1/projects/{pid}/sites", "sites"),
                      missing=[])
    if isinstance(live.sites, list):
        live.custom_domains = _ask(hosting.api, lambda: {
            _last(site["name"]): hosting.pages(f"{api.hosting}/v1beta1/projects/{pid}/sites/{_last(site['name'])}"
                                               "/customDomains", "customDomains")
            for site in live.sites if isinstance(site.get("name"), str)}, missing={})
    identity = _Asker(client, "Identity Toolkit")
    live.auth_config = _ask(identity.api, lambda: identity.get(f"{api.identity_toolkit}/admin/v2/projects/{pid}/config"))


def _databases(firestore: _Asker, url: str) -> list[dict[str, Any]] | Unknown:
    """Firestore Admin lists every database at once (no paging parameters: it answers 400 to them); a
    region it cannot reach is listed in `unreachable`, and then what is there is not known."""
    answer = firestore.get(url)
    if answer.get("unreachable"):
        return Unknown(firestore.api, f"locations unreachable: {', '.join(map(str, answer['unreachable']))}")
    return [d for d in answer.get("databases") or [] if isinstance(d, dict)]


def _last(name: str) -> str:
    return name.rsplit("/", 1)[-1]


# ------------------------------------------------------------------ Cloudflare and Stripe

def _cloudflare(zone_id: str, api: Endpoints, live: Live) -> None:
    token = os.environ.get(CLOUDFLARE_TOKEN_ENV)
    if not token:
        reason = f"no Cloudflare token: set ${CLOUDFLARE_TOKEN_ENV} (DNS Read on the zone)"
        live.dns_records = live.rulesets = Unknown("Cloudflare", reason)
        return
    with Client({"Authorization": f"Bearer {token}"}) as client:
        base = f"{api.cloudflare}/client/v4/zones/{zone_id}"
        live.dns_records = _ask("Cloudflare DNS", lambda: _cloudflare_pages(client, f"{base}/dns_records"), missing=[])
        live.rulesets = _ask("Cloudflare Rulesets",
                             lambda: client.call("GET", f"{base}/rulesets").get("result") or [], missing=[])


def _cloudflare_pages(client: Client, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        answer = client.call("GET", url, params={"page": page, "per_page": PAGE})
        found += [r for r in answer.get("result") or [] if isinstance(r, dict)]
        info = answer.get("result_info") or {}
        if page >= int(info.get("total_pages") or 1):
            break
    return found


def _stripe(api: Endpoints, live: Live) -> None:
    from launchready.preflight.stripe_account import webhook_endpoints

    key = os.environ.get(STRIPE_KEY_ENV)
    if not key:
        live.stripe_endpoints = Unknown("Stripe", f"no Stripe key: set ${STRIPE_KEY_ENV} "
                                                  "(read access to Webhook Endpoints)")
        return
    with Client({"Authorization": f"Bearer {key}"}) as client:
        live.stripe_endpoints = _ask("Stripe", lambda: webhook_endpoints(client, api.stripe), missing=[])


def existing(live: Live) -> list[str]:
    """What discovery found, in a few words each (for init's summary)."""
    found = [label for label, present in (
        ("the project", isinstance(live.project, dict)), ("Firebase", isinstance(live.firebase, dict)),
        ("Identity Platform", isinstance(live.auth_config, dict))) if present]
    for label, items in (("database", live.databases), ("rules release", live.releases), ("Hosting site", live.sites),
                         ("DNS record", live.dns_records), ("Stripe endpoint", live.stripe_endpoints)):
        if isinstance(items, list) and items:
            found.append(f"{len(items)} {label}{'s' if len(items) > 1 else ''}")
    return found
