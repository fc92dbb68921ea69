"""Decisions for the Google singletons a console-made Firebase project already has: the project,
Firebase on it, the `(default)` database, the `cloud.firestore` release, Hosting sites and their
custom domains, the Identity Platform config and the Firebase apps. Import ids are the formats each
pulumi-gcp resource documents under "Import"."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from launchready.adopt.decide import Decision, StackChanges, exists_or_unknown
from launchready.adopt.discovery import Live, Unknown
from launchready.config.model import EnvironmentConfig
from launchready.infra.plan import PlannedResource

Decider = Callable[[EnvironmentConfig, PlannedResource, Live, StackChanges], Decision]


def _adopt(resource: PlannedResource, import_id: str, detail: str) -> Decision:
    return Decision(resource.name, resource.type, "adopt", detail, import_id=import_id)


def _create(resource: PlannedResource, detail: str = "does not exist") -> Decision:
    return Decision(resource.name, resource.type, "create", detail)


def _project_hidden(live: Live, resource: PlannedResource) -> Decision | None:
    """Nothing of a project discovery cannot see can collide: its resources are created."""
    if live.project is None:
        return _create(resource, "the project does not exist yet (or is not visible): created with it")
    return exists_or_unknown(live.project, resource)


def project(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    """The GCP project itself: an existing one is used as is (`createProject: false`), never imported
    into a stack whose `destroy` could then delete it."""
    if isinstance(live.project, Unknown):
        return exists_or_unknown(live.project, resource)  # type: ignore[return-value]
    if live.project is None:
        return _create(resource, "not visible to you: free, or someone else's — Resource Manager answers 403 for "
                                 "both by design, so a taken id shows only when `pulumi up` gets 409")
    if (live.project.get("labels") or {}).get("managed-by") == "launchready":
        return Decision(resource.name, resource.type, "adopt", "made by a launchready stack (label managed-by): "
                        "the stack's state holds it, nothing to import")
    changes.values["gcp.createProject"] = False
    return Decision(resource.name, resource.type, "adopt", f"exists (parent {live.project.get('parent')}, "
                    f"{live.project.get('state', 'ACTIVE')}): used as is, `createProject: false`")


def firebase(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.firebase, resource)
    if hidden:
        return hidden
    pid = config.gcp.project_id
    return _adopt(resource, f"projects/{pid}", "Firebase is on") if live.firebase else \
        _create(resource, "Firebase is not added to the project yet")


def database(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.databases, resource)
    if hidden:
        return hidden
    name = f"projects/{config.gcp.project_id}/databases/{resource.get('name')}"
    found = next((d for d in live.databases if d.get("name") == name), None)   # type: ignore[union-attr]
    if found is None:
        return _create(resource)
    if found.get("type") not in (None, "FIRESTORE_NATIVE"):
        return Decision(resource.name, resource.type, "conflict", f"{name} is a {found.get('type')} database",
                        remediation="A database's mode cannot change: use a project whose (default) database is "
                                    "Firestore Native, or migrate the data (gcloud firestore export/import).")
    location = found.get("locationId")
    if location and location != resource.get("location_id"):
        changes.values["gcp.firestoreLocation"] = location   # a location never changes: the stack follows the data
        changes.notes.append(f"firestoreLocation: {resource.get('location_id')} -> {location} (where the data is)")
    differs = [key for key, live_key in (("point_in_time_recovery_enablement", "pointInTimeRecoveryEnablement"),
                                         ("delete_protection_state", "deleteProtectionState"))
               if found.get(live_key) and found.get(live_key) != resource.get(key)]
    return _adopt(resource, name, f"exists in {location}" + (f"; then updated: {', '.join(differs)}" if differs else ""))


def release(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.releases, resource)
    if hidden:
        return hidden
    name = f"projects/{config.gcp.project_id}/releases/{resource.get('name')}"
    found = next((r for r in live.releases if r.get("name") == name), None)   # type: ignore[union-attr]
    return _adopt(resource, name, f"releases {_last(found.get('rulesetName', ''))}; then points at the app's "
                  "rules file") if found else _create(resource)


def site(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.sites, resource)
    if hidden:
        return hidden
    site_id = resource.get("site_id")
    found = next((s for s in live.sites if _last(str(s.get("name"))) == site_id), None)   # type: ignore[union-attr]
    return _adopt(resource, f"projects/{config.gcp.project_id}/sites/{site_id}",
                  f"{found.get('type', 'site').lower().replace('_', ' ')} {found.get('defaultUrl', '')}".strip()) \
        if found else _create(resource)


def custom_domain(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.custom_domains, resource)
    if hidden:
        return hidden
    host, site_id = resource.get("custom_domain"), resource.get("site_id")
    domains: dict[str, list[dict[str, Any]]] = live.custom_domains   # type: ignore[assignment]
    for other, listed in sorted(domains.items()):
        if any(_last(str(d.get("name"))) == host for d in listed):
            if other == site_id:
                return _adopt(resource, f"projects/{config.gcp.project_id}/sites/{site_id}/customDomains/{host}",
                              "connected to this site")
            return Decision(resource.name, resource.type, "conflict", f"{host} is connected to site {other}, "
                            f"the plan connects it to {site_id}",
                            remediation=f"Disconnect {host} from site {other} in the Firebase console (Hosting), "
                                        "or serve the app from that site.")
    return _create(resource)


def auth_config(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.auth_config, resource)
    if hidden:
        return hidden
    if not live.auth_config:
        return _create(resource, "Identity Platform is not enabled yet")
    domains = set(live.auth_config.get("authorizedDomains") or []) - set(resource.get("authorized_domains") or [])   # type: ignore[union-attr]
    return _adopt(resource, f"projects/{config.gcp.project_id}/config", "Identity Platform is on"
                  + (f"; authorized domains the stack drops: {', '.join(sorted(domains))}" if domains else ""))


APP_KINDS = {"gcp:firebase/androidApp:AndroidApp": ("androidApps", "packageName", "package_name"),
             "gcp:firebase/appleApp:AppleApp": ("iosApps", "bundleId", "bundle_id"),
             "gcp:firebase/webApp:WebApp": ("webApps", "displayName", "display_name")}


def app(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    hidden = _project_hidden(live, resource) or exists_or_unknown(live.apps, resource)
    if hidden:
        return hidden
    kind, live_key, key = APP_KINDS[resource.type]
    wanted = resource.get(key)
    found = [a for a in live.apps.get(kind, []) if a.get(live_key) == wanted]   # type: ignore[union-attr]
    if not found:
        return _create(resource)
    return _adopt(resource, f"projects/{config.gcp.project_id}/{kind}/{found[0].get('appId')}",
                  f"app {found[0].get('appId')} ({wanted})")


def _last(name: str) -> str:
    return name.rsplit("/", 1)[-1]


DECIDERS: dict[str, Decider] = {
    "gcp:organizations/project:Project": project,
    "gcp:firebase/project:Project": firebase,
    "gcp:firestore/database:Database": database,
    "gcp:firebaserules/release:Release": release,
    "gcp:firebase/hostingSite:HostingSite": site,
    "gcp:firebase/hostingCustomDomain:HostingCustomDomain": custom_domain,
    "gcp:identityplatform/config:Config": auth_config,
    **{token: app for token in APP_KINDS},
}
