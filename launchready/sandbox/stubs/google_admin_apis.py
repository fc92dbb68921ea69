"""Local stand-ins for the Google APIs a deployer meets before the first `pulumi up`: Cloud Resource
Manager (projects, folders, testIamPermissions), Org Policy (getEffectivePolicy), Cloud Billing
(accounts, project billing info, testIamPermissions), Service Usage (enabled services, paged), the
OAuth token-info endpoint and Secret Manager's `versions/latest:access`. One server answers all six (their paths do not overlap), so one URL can
stand in for every `--*-api-base` of `launchready preflight`. The same server mounts the Firebase
discovery routes of `launchready adopt` (Firebase Management, Firestore Admin, Firebase Rules, Firebase
Hosting, Identity Toolkit: `firebase_admin_apis.py`) and Resource Manager's `POST /v3/projects`.

Responses follow the real APIs' shapes: `{"error": {"code", "message", "status"}}` on failure,
`testIamPermissions` returns only the granted subset (and `{}` for none), effective org policies are
inherited down project -> folder -> organization. `GET /v3/projects/{id}` answers 403 both for an id
nobody holds and for one someone else holds (`taken`): the real API hides existence behind 403
(googleapis/google-api-go-client#173); only `POST /v3/projects` tells, with 409. Every request is
recorded in `requests` as (method, path, x-goog-user-project); `calls` gives (method, path).
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from launchready.sandbox.stubs.firebase_admin_apis import FirebaseRoutes, denied, project_number
from launchready.sandbox.stubs.http_stub import StubServer, json_response

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def google_error(code: int, message: str) -> Response:
    return json_response({"error": {"code": code, "message": message, "status": _STATUS[code]}}, code)


@dataclass
class GoogleAdminState:
    """What the stand-in environment holds; tests build prepared or broken ones from this."""

    tokens: dict[str, str] = field(default_factory=dict)                  # access token -> email
    projects: dict[str, str] = field(default_factory=dict)                # project id -> parent ("folders/1")
    parents: dict[str, str] = field(default_factory=dict)                 # "folders/1" -> "organizations/2"
    permissions: dict[str, set[str]] = field(default_factory=dict)        # "projects/x" | "folders/1" | "billingAccounts/A"
    policies: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # resource -> constraint -> spec
    billing_accounts: dict[str, bool] = field(default_factory=dict)       # id -> open
    project_billing: dict[str, str] = field(default_factory=dict)         # project id -> billing account id
    services: dict[str, set[str]] = field(default_factory=dict)           # project id -> enabled services
    labels: dict[str, dict[str, str]] = field(default_factory=dict)       # project id -> its labels
    # -- what `launchready adopt` discovers (firebase_admin_apis.py renders the full resources)
    taken: set[str] = field(default_factory=set)      # project ids held by someone else (GET 403, create 409)
    denied: dict[str, set[str]] = field(default_factory=dict)  # token -> APIs it may not call (firebase_admin_apis.SERVICES)
    firebase: set[str] = field(default_factory=set)   # projects with Firebase added
    apps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)   # project -> [{"platform": "android",
    #                                                   "packageName"|"bundleId", "displayName", "appId"?}]
    databases: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # project -> db id -> overrides
    releases: dict[str, dict[str, str]] = field(default_factory=dict)    # project -> release id -> ruleset id
    sites: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # project -> site id -> {"type", "appId"}
    custom_domains: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # site -> host -> overrides
    auth_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # project -> overrides (Identity Platform on)
    # -- what `launchready smoke` reads from a deployed stack: Secret Manager, latest version only
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)      # project -> secret id -> value


class GoogleAdminApisStub(StubServer):
    PAGE = 50

    def __init__(self, state: GoogleAdminState, port: int = 0):
        super().__init__(port)
        self.state = state
        self.requests: list[tuple[str, str, str | None]] = []   # (method, path, x-goog-user-project)
        self.firebase_routes = FirebaseRoutes(state)

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request so far, e.g. to show discovery sent only GETs."""
        return [(method, path) for method, path, _ in self.requests]

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.path, request.headers.get("x-goog-user-project")))
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        path = request.path.strip("/")
        if path == "tokeninfo":
            email = self.state.tokens.get(request.args.get("access_token", ""))
            if email is None:
                return json_response({"error": "invalid_token", "error_description": "Invalid Value"}, 400)
            return json_response({"email": email, "email_verified": "true", "expires_in": "3599",
                                  "scope": "https://www.googleapis.com/auth/cloud-platform"})
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self.state.tokens:
            return google_error(401, "Request had invalid authentication credentials.")
        if path == "v3/projects" and request.method == "POST":
            return self._create_project(request, header[7:])
        firebase = self.firebase_routes.answer(request, path, header[7:])
        if firebase is not None:
            return firebase
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match:
                return handler(request, *match.groups())
        return google_error(404, f"Method not found: {request.method} /{path}")

    def _routes(self):
        return (
            (r"v3/(projects|folders|organizations)/([^/:]+):testIamPermissions", self._test_iam),
            (r"v1/(billingAccounts)/([^/:]+):testIamPermissions", self._test_iam),
            (r"v3/projects/([^/:]+)", self._project),
            (r"v2/((?:projects|folders|organizations)/[^/]+)/policies/([^/:]+):getEffectivePolicy", self._policy),
            (r"v1/billingAccounts/([^/:]+)", self._billing_account),
            (r"v1/projects/([^/]+)/billingInfo", self._billing_info),
            (r"v1/projects/([^/]+)/services", self._services),
            (r"v1/projects/([^/]+)/secrets/([^/]+)/versions/([^/:]+):access", self._secret_version),
        )

    def _exists(self, resource: str) -> bool:
        kind, _, rid = resource.partition("/")
        if kind == "projects":
            return rid in self.state.projects
        if kind == "billingAccounts":
            return rid in self.state.billing_accounts
        return resource in self.state.parents or resource in self.state.parents.values() \
            or resource in self.state.projects.values()

    def _test_iam(self, request: Request, kind: str, rid: str) -> Response:
        resource = f"{kind}/{rid}"
        if request.method != "POST":
            return google_error(404, "Method not found")
        if not self._exists(resource):
            return google_error(403, f"The caller does not have permission on {resource}")
        asked = (request.get_json(silent=True) or {}).get("permissions") or []
        granted = [p for p in asked if p in self.state.permissions.get(resource, set())]
        return json_response({"permissions": granted} if granted else {})

    def _project(self, request: Request, project: str) -> Response:
        if "cloudresourcemanager" in self.state.denied.get(request.headers.get("Authorization", "")[7:], set()):
            return denied("cloudresourcemanager", "resourcemanager.projects.get", f"projects/{project}",
                          f"Permission 'resourcemanager.projects.get' denied on resource "
                          f"'//cloudresourcemanager.googleapis.com/projects/{project}' (or it may not exist).")
        if project not in self.state.projects:  # the real API hides missing (and others') projects behind 403
            return google_error(403, f"Permission denied on resource project {project}.")
        return json_response({"name": f"projects/{project_number(project)}", "projectId": project,
                              "parent": self.state.projects[project], "state": "ACTIVE", "displayName": project,
                              "labels": self.state.labels.get(project, {})})

    def _create_project(self, request: Request, token: str) -> Response:
        body = request.get_json(silent=True) or {}
        project, parent = str(body.get("projectId", "")), str(body.get("parent", ""))
        if "cloudresourcemanager" in self.state.denied.get(token, set()):
            return denied("cloudresourcemanager", "resourcemanager.projects.create", parent or "projects/-")
        if not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", project):
            return google_error(400, "Request contains an invalid argument.")
        if project in self.state.projects or project in self.state.taken:
            return json_response({"error": {"code": 409, "message": "Requested entity already exists",
                                            "status": "ALREADY_EXISTS"}}, 409)
        self.state.projects[project] = parent
        return json_response({"name": f"operations/cp.{project_number(project)}{len(self.state.projects)}"})

    def _chain(self, resource: str) -> list[str]:
        """The resource and its ancestors, nearest first (effective policy inheritance)."""
        kind, _, rid = resource.partition("/")
        chain = [resource]
        current = self.state.projects.get(rid) if kind == "projects" else resource
        if kind == "projects" and current:
            chain.append(current)
        while current in self.state.parents:
            current = self.state.parents[current]
            chain.append(current)
        return chain

    def _policy(self, request: Request, resource: str, constraint: str) -> Response:
        if resource.startswith("projects/") and not self._exists(resource):
            return google_error(403, f"Permission denied on resource {resource}.")
        body: dict[str, Any] = {"name": f"{resource}/policies/{constraint}"}
        for ancestor in self._chain(resource):
            spec = self.state.policies.get(ancestor, {}).get(constraint)
            if spec is not None:
                body["spec"] = spec
                break
        return json_response(body)

    def _billing_account(self, request: Request, account: str) -> Response:
        if account not in self.state.billing_accounts:
            return google_error(403, f"The caller does not have permission on billingAccounts/{account}")
        return json_response({"name": f"billingAccounts/{account}", "open": self.state.billing_accounts[account],
                              "displayName": "Billing", "masterBillingAccount": ""})

    def _billing_info(self, request: Request, project: str) -> Response:
        if project not in self.state.projects:
            return google_error(403, f"The caller does not have permission on projects/{project}")
        account = self.state.project_billing.get(project, "")
        return json_response({"name": f"projects/{project}/billingInfo", "projectId": project,
                              "billingAccountName": f"billingAccounts/{account}" if account else "",
                              "billingEnabled": bool(account)})

    def _services(self, request: Request, project: str) -> Response:
        if project not in self.state.projects:
            return google_error(403, f"Permission denied to list services for consumer container [projects/{project}]")
        enabled = sorted(self.state.services.get(project, set()))  # the stand-in holds only enabled ones
        start = int(request.args.get("pageToken") or 0)
        size = min(int(request.args.get("pageSize") or self.PAGE), self.PAGE)
        page = [{"name": f"projects/{project}/services/{s}", "config": {"name": s}, "state": "ENABLED"}
                for s in enabled[start:start + size]]
        body: dict[str, Any] = {"services": page}
        if start + size < len(enabled):
            body["nextPageToken"] = str(start + size)
        return json_response(body)

    def _secret_version(self, request: Request, project: str, secret: str, version: str) -> Response:
        """`accessSecretVersion`: the payload base64-encoded; only `latest` exists here."""
        name = f"projects/{project}/secrets/{secret}"
        if "secretmanager" in self.state.denied.get(request.headers.get("Authorization", "")[7:], set()):
            return denied("secretmanager", "secretmanager.versions.access", f"{name}/versions/{version}")
        value = self.state.secrets.get(project, {}).get(secret)
        if value is None or version not in ("latest", "1"):
            return google_error(404, f"Secret [{name}] not found or has no versions.")
        return json_response({"name": f"projects/{project_number(project)}/secrets/{secret}/versions/1",
                              "payload": {"data": base64.b64encode(value.encode()).decode()}})
