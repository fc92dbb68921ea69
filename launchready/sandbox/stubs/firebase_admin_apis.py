"""The Firebase side of the Google stand-in (`GoogleAdminApisStub` mounts these routes on the same server):
what `launchready adopt` reads to discover a console-made product before the first `pulumi up`.

| API | routes |
|---|---|
| Firebase Management (firebase.googleapis.com) | `GET /v1beta1/projects/{id}`, `GET .../androidApps`, `.../iosApps`, `.../webApps` (paged) |
| Firestore Admin (firestore.googleapis.com) | `GET /v1/projects/{id}/databases`, `POST ...?databaseId=` |
| Firebase Rules (firebaserules.googleapis.com) | `GET /v1/projects/{id}/releases` (paged), `POST` |
| Firebase Hosting (firebasehosting.googleapis.com) | `GET /v1beta1/projects/{id}/sites` (paged), `POST ...?siteId=`, `GET .../sites/{site}/customDomains` |
| Identity Toolkit (identitytoolkit.googleapis.com) | `GET /admin/v2/projects/{id}/config` |

As the real APIs answer: a project the caller cannot see (unknown, or the token denied that API in
`GoogleAdminState.denied`) is 403 PERMISSION_DENIED with an `ErrorInfo` naming the IAM permission the
method needs (the same answer for both, so existence never leaks); Firebase never added is 404 on
`GET /v1beta1/projects/{id}`; Identity Platform never enabled is 404 CONFIGURATION_NOT_FOUND; empty
repeated fields are omitted (proto3 JSON), so an empty list answers `{}`, not `{"apps": []}`.
Creates answer 409 ALREADY_EXISTS as the real ones do; a Hosting site id held by another project is
400 "reserved by another project" (firebase-tools#3182), not 409.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.http_stub import json_response

if TYPE_CHECKING:
    from launchready.sandbox.stubs.google_admin_apis import GoogleAdminState

STAMP = "2024-03-01T09:30:00.000000Z"   # a fixed create/update time keeps answers reproducible
APP_KINDS = {"androidApps": "android", "iosApps": "ios", "webApps": "web"}

# API name (as in GoogleAdminState.denied) -> its service host
SERVICES = {"firebase": "firebase.googleapis.com", "firestore": "firestore.googleapis.com",
            "firebaserules": "firebaserules.googleapis.com", "firebasehosting": "firebasehosting.googleapis.com",
            "identitytoolkit": "identitytoolkit.googleapis.com",
            "cloudresourcemanager": "cloudresourcemanager.googleapis.com",
            "secretmanager": "secretmanager.googleapis.com"}

_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS"}


def error(code: int, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "status": _STATUS[code]}
    if details:
        body["details"] = details
    return json_response({"error": body}, code)


def denied(api: str, permission: str, resource: str, message: str = "The caller does not have permission") -> Response:
    """403 as Google's IAM answers it: the permission the method needs is named in an ErrorInfo."""
    return error(403, message, [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
                                 "domain": SERVICES[api], "metadata": {"permission": permission, "resource": resource}}])


def project_number(project: str) -> str:
    """A stable 12-digit project number per id (the real one is assigned at creation)."""
    return str(10**11 + int(hashlib.sha256(project.encode()).hexdigest()[:12], 16) % (9 * 10**11))


def _hex(*parts: str, n: int = 16) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def page(items: list[dict[str, Any]], key: str, request: Request, limit: int) -> Response:
    """One page: `pageSize` (capped at `limit`, also the default), an opaque `pageToken`; empty lists omitted."""
    token = request.args.get("pageToken") or ""
    try:
        start = int(token[1:]) if token else 0
        size = min(int(request.args.get("pageSize") or limit), limit)
    except ValueError:
        return error(400, "Invalid page token" if token else "Invalid pageSize")
    if token and not token.startswith("p"):
        return error(400, "Invalid page token")
    size = size if size > 0 else limit
    body: dict[str, Any] = {}
    if items[start:start + size]:
        body[key] = items[start:start + size]
    if start + size < len(items):
        body["nextPageToken"] = f"p{start + size}"
    return json_response(body)


class FirebaseRoutes:
    """Route table and handlers; `state` is the shared `GoogleAdminState`."""

    def __init__(self, state: GoogleAdminState):
        self.state = state

    def routes(self) -> list[tuple[str, str, str, str, Callable[..., Response]]]:
        """(method, path pattern, API name, IAM permission, handler): the first group is always the project."""
        return [
            ("GET", r"v1beta1/projects/([^/:]+)", "firebase", "firebase.projects.get", self._project),
            ("GET", r"v1beta1/projects/([^/:]+)/(androidApps|iosApps|webApps)", "firebase", "firebase.clients.list",
             self._apps),
            ("GET", r"v1/projects/([^/:]+)/databases", "firestore", "datastore.databases.list", self._databases),
            ("POST", r"v1/projects/([^/:]+)/databases", "firestore", "datastore.databases.create",
             self._create_database),
            ("GET", r"v1/projects/([^/:]+)/releases", "firebaserules", "firebaserules.releases.list", self._releases),
            ("POST", r"v1/projects/([^/:]+)/releases", "firebaserules", "firebaserules.releases.create",
             self._create_release),
            ("GET", r"v1beta1/projects/([^/:]+)/sites", "firebasehosting", "firebasehosting.sites.list", self._sites),
            ("POST", r"v1beta1/projects/([^/:]+)/sites", "firebasehosting", "firebasehosting.sites.create",
             self._create_site),
            ("GET", r"v1beta1/projects/([^/:]+)/sites/([^/:]+)/customDomains", "firebasehosting",
             "firebasehosting.sites.get", self._custom_domains),
            ("GET", r"admin/v2/projects/([^/:]+)/config", "identitytoolkit", "firebaseauth.configs.get", self._config),
        ]

    def answer(self, request: Request, path: str, token: str) -> Response | None:
        """The response for a Firebase path, or None when the path is not one of these APIs'."""
        for method, pattern, api, permission, handler in self.routes():
            match = re.fullmatch(pattern, path)
            if not match:
                continue
            if request.method != method:
                continue
            project = match.group(1)
            if project not in self.state.projects or api in self.state.denied.get(token, set()):
                return denied(api, permission, f"projects/{project}")
            return handler(request, *match.groups())
        return None

    # -- Firebase Management
    def _project(self, request: Request, project: str) -> Response:
        if project not in self.state.firebase:
            return error(404, "Requested entity was not found.")
        body: dict[str, Any] = {"projectId": project, "projectNumber": project_number(project),
                                "displayName": project, "name": f"projects/{project}", "state": "ACTIVE",
                                "etag": "1_" + _hex(project, n=32)}
        default = [s for s, spec in self.state.sites.get(project, {}).items() if spec.get("type") == "DEFAULT_SITE"]
        if default:
            body["resources"] = {"hostingSite": default[0]}
        return json_response(body)

    def app(self, project: str, spec: dict[str, Any]) -> dict[str, Any]:
        kind = spec["platform"]
        app_id = spec.get("appId") or f"1:{project_number(project)}:{kind}:{_hex(project, kind, str(spec))}"
        body = {"name": f"projects/{project}/{kind}Apps/{app_id}", "appId": app_id,
                "displayName": spec.get("displayName", ""), "projectId": project, "state": "ACTIVE",
                "etag": "1_" + _hex(app_id, n=32)}
        body.update({k: v for k, v in spec.items() if k in ("packageName", "bundleId", "appStoreId", "teamId",
                                                              "appUrls", "webId")})
        return body

    def _apps(self, request: Request, project: str, collection: str) -> Response:
        if project not in self.state.firebase:
            return error(404, "Requested entity was not found.")
        apps = [self.app(project, a) for a in self.state.apps.get(project, []) if a["platform"] == APP_KINDS[collection]]
        return page(apps, "apps", request, 100)

    # -- Firestore Admin
    def database(self, project: str, database: str) -> dict[str, Any]:
        name = f"projects/{project}/databases/{database}"
        body: dict[str, Any] = {
            "name": name, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "createTime": STAMP, "updateTime": STAMP,
            "locationId": "eur3", "type": "FIRESTORE_NATIVE", "concurrencyMode": "OPTIMISTIC",
            "versionRetentionPeriod": "3600s", "earliestVersionTime": STAMP,
            "pointInTimeRecoveryEnablement": "POINT_IN_TIME_RECOVERY_DISABLED",
            "appEngineIntegrationMode": "DISABLED", "keyPrefix": _hex(name, n=6),
            "deleteProtectionState": "DELETE_PROTECTION_DISABLED", "etag": _hex(name, "etag", n=24)}
        body.update(self.state.databases.get(project, {}).get(database, {}))
        return body

    def _databases(self, request: Request, project: str) -> Response:
        unknown = sorted(set(request.args) - {"showDeleted"})   # the real list takes no paging parameters
        if unknown:
            return error(400, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot bind query '
                              f"parameter. Field '{unknown[0]}' could not be found in request message.")
        found = [self.database(project, d) for d in sorted(self.state.databases.get(project, {}))]
        return json_response({"databases": found} if found else {})   # not paged: the real list returns them all

    def _create_database(self, request: Request, project: str) -> Response:
        database = request.args.get("databaseId")
        if not database:
            return error(400, "database_id is required")
        if database in self.state.databases.get(project, {}):
            return error(409, "Database already exists. Please use another database_id")
        spec = request.get_json(silent=True) or {}
        self.state.databases.setdefault(project, {})[database] = {
            k: spec[k] for k in ("locationId", "type", "concurrencyMode", "deleteProtectionState") if k in spec}
        created = self.database(project, database)
        return json_response({"name": f"projects/{project}/databases/{database}/operations/{_hex(project, database)}",
                              "metadata": {"@type": "type.googleapis.com/google.firestore.admin.v1.CreateDatabaseMetadata"},
                              "done": True,
                              "response": {"@type": "type.googleapis.com/google.firestore.admin.v1.Database", **created}})

    # -- Firebase Rules
    def release(self, project: str, release: str, ruleset: str) -> dict[str, Any]:
        return {"name": f"projects/{project}/releases/{release}",
                "rulesetName": f"projects/{project}/rulesets/{ruleset}", "createTime": STAMP, "updateTime": STAMP}

    def _releases(self, request: Request, project: str) -> Response:
        found = [self.release(project, r, rs) for r, rs in sorted(self.state.releases.get(project, {}).items())]
        return page(found, "releases", request, 100)

    def _create_release(self, request: Request, project: str) -> Response:
        body = request.get_json(silent=True) or {}
        prefix = f"projects/{project}/releases/"
        name, ruleset = str(body.get("name", "")), str(body.get("rulesetName", ""))
        if not name.startswith(prefix) or not ruleset.startswith(f"projects/{project}/rulesets/"):
            return error(400, "Request contains an invalid argument.")
        release = name[len(prefix):]
        if release in self.state.releases.get(project, {}):
            return error(409, "Requested entity already exists")
        self.state.releases.setdefault(project, {})[release] = ruleset.rsplit("/", 1)[-1]
        return json_response(self.release(project, release, ruleset.rsplit("/", 1)[-1]))

    # -- Firebase Hosting
    def site(self, project: str, site: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = {"name": f"projects/{project_number(project)}/sites/{site}", "defaultUrl": f"https://{site}.web.app",
                "type": spec.get("type", "USER_SITE")}
        if spec.get("appId"):
            body["appId"] = spec["appId"]
        return body

    def _sites(self, request: Request, project: str) -> Response:
        found = [self.site(project, s, spec) for s, spec in sorted(self.state.sites.get(project, {}).items())]
        return page(found, "sites", request, 40)

    def _create_site(self, request: Request, project: str) -> Response:
        site = request.args.get("siteId", "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,61}[a-z0-9]", site):
            return error(400, f"Invalid name: `{site}` is not a valid site id")
        if site in self.state.sites.get(project, {}):
            return error(409, "Requested entity already exists")
        if any(site in sites for other, sites in self.state.sites.items() if other != project):
            return error(400, f"Invalid name: `{site}` is reserved by another project; try something like "
                              f"`{site}-{_hex(site, n=5)}` instead")
        spec = {"type": "USER_SITE", **({"appId": a} if (a := (request.get_json(silent=True) or {}).get("appId"))
                                        else {})}
        self.state.sites.setdefault(project, {})[site] = spec
        return json_response(self.site(project, site, spec))

    def _custom_domains(self, request: Request, project: str, site: str) -> Response:
        if site not in self.state.sites.get(project, {}):
            return error(404, "Requested entity was not found.")
        found = [{"name": f"projects/{project_number(project)}/sites/{site}/customDomains/{host}",
                  "createTime": STAMP, "updateTime": STAMP, "etag": _hex(site, host, n=24),
                  "hostState": "HOST_ACTIVE", "ownershipState": "OWNERSHIP_ACTIVE", "certPreference": "GROUPED",
                  **spec}
                 for host, spec in sorted(self.state.custom_domains.get(site, {}).items())]
        return page(found, "customDomains", request, 100)

    # -- Identity Toolkit (Identity Platform)
    def _config(self, request: Request, project: str) -> Response:
        if project not in self.state.auth_configs:
            return error(404, "CONFIGURATION_NOT_FOUND")
        body: dict[str, Any] = {
            "name": f"projects/{project}/config",
            "signIn": {"email": {"enabled": True, "passwordRequired": True},
                       "hashConfig": {"algorithm": "SCRYPT", "rounds": 8, "memoryCost": 14}},
            "notification": {"sendEmail": {"method": "DEFAULT"}, "defaultLocale": "en"},
            "authorizedDomains": ["localhost", f"{project}.firebaseapp.com", f"{project}.web.app"],
            "subtype": "IDENTITY_PLATFORM",
            "client": {"permissions": {}, "firebaseSubdomain": project},
            "mfa": {"state": "DISABLED"}, "multiTenant": {}, "monitoring": {"requestLogging": {}},
        }
        body.update(self.state.auth_configs[project])
        return json_response(body)
