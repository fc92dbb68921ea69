"""Live, read-only Google Cloud probes: who is deploying, which project pays for their API quota,
whether the billing account, the project's parent and the org policies let the plan through, and
which of the deployer's permissions are missing (testIamPermissions). The facts they compare
against are `infra.first_deploy`'s, the same ones the runbook prints.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from launchready.config.model import EnvironmentConfig
from launchready.google_credentials import access_token
from launchready.infra.components.functions import FUNCTIONS
from launchready.infra.first_deploy import (
    BILLING_GRANTS,
    BLOCKING_CONSTRAINTS,
    BOOTSTRAP_APIS,
    ORG_CONSTRAINTS,
    PARENT_GRANTS,
    PROJECT_GRANTS,
    Grant,
    OrgConstraint,
)
from launchready.policy.fresh_project_data import in_group
from launchready.preflight.model import ApiError, Client, Endpoints, Finding, Unreachable

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
QUOTA_ENV = "GOOGLE_CLOUD_QUOTA_PROJECT"



def _adc_file() -> Path | None:
    if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return Path(os.environ["GOOGLE_APPLICATION_CREDENTIALS"])
    from google.auth import _cloud_sdk
    return Path(_cloud_sdk.get_application_default_credentials_path())


def quota_project() -> str | None:
    """$GOOGLE_CLOUD_QUOTA_PROJECT, else `quota_project_id` of the ADC file (read, never refreshed)."""
    if os.environ.get(QUOTA_ENV):
        return os.environ[QUOTA_ENV]
    path = _adc_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
    except (OSError, ValueError):
        return None
    return data.get("quota_project_id") if isinstance(data, dict) else None


class GoogleProbes:
    """Runs every Google probe for one stack; `findings()` yields them in a fixed order."""

    def __init__(self, config: EnvironmentConfig, endpoints: Endpoints):
        self.config, self.api = config, endpoints
        self._stack = config.stack or config.environment
        self.project_exists = False   # project_state() sets it
        self.project = config.gcp.project_id
        self.token: str | None = None
        self.identity = ""
        self.quota = quota_project()
        self._http: Client | None = None

    # ------------------------------------------------------------------ plumbing
    def _client(self) -> Client:
        """One client (one connection pool) for the run, made once the token is known."""
        if self._http is None:
            headers = {"Authorization": f"Bearer {self.token}"}
            if self.quota:
                headers["x-goog-user-project"] = self.quota
            self._http = Client(headers)
        return self._http

    def _ask(self, finding_id: str, label: str, method: str, url: str, **kwargs: Any) -> dict[str, Any] | Finding:
        """The API's answer, or a Finding saying in one line why there is none."""
        try:
            return self._client().call(method, url, **kwargs)
        except Unreachable as exc:
            return Finding(finding_id, "error", f"{label} API: {exc}",
                           f"Check network access to {url.split('/v')[0]} (or the --*-api-base flag).")
        except ApiError as exc:
            if exc.status < 500:  # the caller knows what a refusal means for its probe
                raise
            return Finding(finding_id, "error", f"{label} API answered {exc}", "Retry later; see status.cloud.google.com.")

    @property
    def parent(self) -> str | None:
        gcp = self.config.gcp
        return f"folders/{gcp.folder_id}" if gcp.folder_id else f"organizations/{gcp.org_id}" if gcp.org_id else None

    # ------------------------------------------------------------------ probes
    def findings(self) -> Iterator[Finding]:
        try:
            yield from self._probes()
        finally:
            if self._http is not None:
                self._http.__exit__()

    def _probes(self) -> Iterator[Finding]:
        identity = self.credentials()
        yield identity
        if identity.status != "pass":
            return
        yield self.quota_project()
        if self.quota:
            yield self.bootstrap_apis()
        exists = self.project_state()
        yield exists
        project_exists = self.project_exists
        yield from self.billing(project_exists)
        if exists.status != "error":  # the same API: one unreachable error is enough
            yield self.permissions(project_exists)
        yield from self.org_policies(project_exists)

    def credentials(self) -> Finding:
        import google.auth.exceptions

        try:
            self.token = access_token(SCOPES)
        except google.auth.exceptions.GoogleAuthError as exc:
            return Finding("google.credentials", "fail", f"Google credentials are configured but broken "
                           f"({type(exc).__name__})", "Run `gcloud auth application-default login` again.")
        if self.token is None:
            return Finding("google.credentials", "fail", "no Google credentials",
                           "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
                           "(CI: Workload Identity Federation).")
        try:
            info = self._ask("google.credentials", "OAuth token info", "GET", f"{self.api.oauth}/tokeninfo",
                             params={"access_token": self.token})
        except ApiError as exc:
            return Finding("google.credentials", "fail", f"the access token is not valid ({exc.message})",
                           "Refresh the credentials (`gcloud auth application-default login`).")
        if isinstance(info, Finding):
            return info
        email = str(info.get("email") or "unknown identity")
        kind = "serviceAccount" if email.endswith(".gserviceaccount.com") else "user"
        self.identity = f"{kind}:{email}"
        return Finding("google.credentials", "pass", f"deploying as {self.identity}")

    def quota_project(self) -> Finding:
        if self.quota and not os.environ.get(QUOTA_ENV):
            return Finding("google.quota_project", "warn", f"quota project {self.quota} comes from the ADC file, "
                           "which the Pulumi gcp provider does not read (terraform-provider-google#24500): `pulumi up` "
                           "sends it only when it is exported", f"export {QUOTA_ENV}={self.quota}")
        if self.quota:
            return Finding("google.quota_project", "pass", f"API quota is billed to project {self.quota}")
        if self.identity.startswith("serviceAccount:"):
            return Finding("google.quota_project", "pass", "a service account bills quota to its own project")
        return Finding("google.quota_project", "fail",
                       "user credentials without a quota project: Firebase and Identity Platform calls fail with "
                       "`API requires a quota project`",
                       "Run `gcloud auth application-default set-quota-project <project with billing>` "
                       f"(or set {QUOTA_ENV}).")

    def bootstrap_apis(self) -> Finding:
        enabled: set[str] = set()
        token: str | None = None
        try:
            while True:
                page = self._ask("google.bootstrap_apis", "Service Usage", "GET",
                                 f"{self.api.service_usage}/v1/projects/{self.quota}/services",
                                 params={"filter": "state:ENABLED", "pageSize": 200, **({"pageToken": token} if token else {})})
                if isinstance(page, Finding):
                    return page
                enabled |= {s.get("config", {}).get("name") or s.get("name", "").rsplit("/", 1)[-1]
                            for s in page.get("services", [])}
                token = page.get("nextPageToken")
                if not token:
                    break
        except ApiError as exc:
            return Finding("google.bootstrap_apis", "fail", f"cannot list the APIs of quota project {self.quota} "
                           f"({exc.message})", f"Grant serviceusage.services.list on {self.quota} or pick another "
                           "quota project.")
        missing = [api for api in BOOTSTRAP_APIS if api not in enabled]
        if missing:
            return Finding("google.bootstrap_apis", "fail", f"quota project {self.quota} lacks {', '.join(missing)}",
                           f"gcloud services enable {' '.join(missing)} --project {self.quota}")
        return Finding("google.bootstrap_apis", "pass", f"bootstrap APIs are on in {self.quota}")

    def project_state(self) -> Finding:
        gcp = self.config.gcp
        try:
            answer = self._ask("google.project", "Cloud Resource Manager", "GET",
                               f"{self.api.resource_manager}/v3/projects/{self.project}")
        except ApiError:
            answer = None
        if isinstance(answer, Finding):
            return answer
        if answer is not None:
            self.project_exists = True
            ours = (answer.get("labels") or {}).get("managed-by") == "launchready"   # made by a launchready stack
            if gcp.create_project and not ours:   # console-made: the first `up` would fail creating it (409)
                return Finding("google.project", "fail", f"project {self.project} already exists (parent "
                               f"{answer.get('parent')}) but the stack creates it (createProject: true): the first "
                               "`pulumi up` fails with 409", f"Run `launchready adopt --stack {self._stack} --write` "
                               "(uses it as is and imports what it already holds).")
            return Finding("google.project", "pass", f"project exists ({self.project}, parent {answer.get('parent')}): "
                           "this run updates it")
        if not gcp.create_project:
            return Finding("google.project", "fail", f"project {self.project} does not exist or is not visible, "
                           "and the stack adopts an existing one (createProject: false)",
                           "Create the project, grant the deployer access, or set `launchready:gcp.createProject: true`.")
        if self.parent is None:
            return Finding("google.project", "fail", f"project {self.project} is to be created but the stack names "
                           "no folder or organization", "Set `launchready:gcp.folderId` (or orgId).")
        return Finding("google.project", "warn", f"project id {self.project} is not visible to you: free, or taken by "
                       "someone else — Resource Manager answers 403 for both by design (googleapis/google-api-go-client"
                       f"#173), so a taken id shows only as 409 when `pulumi up` creates it in {self.parent}",
                       "Project ids are global and stay reserved for 30 days after deletion: an id with a random suffix "
                       f"(`{self.project[:24]}-{_suffix(self.project)}`) avoids collisions.")

    def billing(self, project_exists: bool) -> Iterator[Finding]:
        account = self.config.gcp.billing_account
        if not account:
            yield Finding("google.billing", "warn" if project_exists else "fail", "the stack names no billing account",
                          "Set `launchready:gcp.billingAccount` (Cloud Functions, Secret Manager and Eventarc need billing).")
            return
        try:
            info = self._ask("google.billing", "Cloud Billing", "GET", f"{self.api.billing}/v1/billingAccounts/{account}")
            if isinstance(info, Finding):
                yield info
                return
            granted = self._test("google.billing", "Cloud Billing",
                                 f"{self.api.billing}/v1/billingAccounts/{account}:testIamPermissions", BILLING_GRANTS)
        except ApiError as exc:
            yield Finding("google.billing", "fail", f"billing account {account} is not reachable ({exc.message})",
                          f"Have a billing admin grant {self.identity or 'the deployer'} roles/billing.user on {account}.")
            return
        if isinstance(granted, Finding):
            yield granted
        elif not info.get("open", False):
            yield Finding("google.billing", "fail", f"billing account {account} is closed",
                          "Reopen it or set another `launchready:gcp.billingAccount`.")
        elif granted:
            yield self._missing("google.billing", f"billingAccounts/{account}", granted)
        else:
            yield Finding("google.billing", "pass", f"billing account {account} is open and may be linked")

    def _test(self, finding_id: str, label: str, url: str, grants: tuple[Grant, ...]) -> list[Grant] | Finding:
        """The grants whose permission testIamPermissions does not return."""
        answer = self._ask(finding_id, label, "POST", url, json={"permissions": [g.permission for g in grants]})
        if isinstance(answer, Finding):
            return answer
        have = set(answer.get("permissions", []))
        return [g for g in grants if g.permission not in have]

    def _missing(self, finding_id: str, resource: str, missing: list[Grant]) -> Finding:
        roles = sorted({g.role for g in missing})
        return Finding(finding_id, "fail", f"{self.identity} lacks {', '.join(g.permission for g in missing)} "
                       f"on {resource}",
                       f"Grant {', '.join(roles)} on {resource} to {self.identity} "
                       f"(needed to: {'; '.join(g.why for g in missing)}).")

    def permissions(self, project_exists: bool) -> Finding:
        resource = f"projects/{self.project}" if project_exists else self.parent
        grants = PROJECT_GRANTS if project_exists else PARENT_GRANTS
        if resource is None:
            return Finding("google.permissions", "fail", "no resource to test the deployer's permissions on",
                           "Set `launchready:gcp.folderId` or orgId.")
        try:
            missing = self._test("google.permissions", "Cloud Resource Manager",
                                 f"{self.api.resource_manager}/v3/{resource}:testIamPermissions", grants)
        except ApiError as exc:
            return Finding("google.permissions", "fail", f"cannot test permissions on {resource} ({exc.message})",
                           f"Grant {self.identity} at least roles/browser on {resource}.")
        if isinstance(missing, Finding):
            return missing
        if missing:
            return self._missing("google.permissions", resource, missing)
        what = "every permission the plan needs" if project_exists else \
            "may create the project (and will own it)"
        return Finding("google.permissions", "pass", f"{self.identity} has {what} on {resource}")

    def org_policies(self, project_exists: bool) -> Iterator[Finding]:
        resource = f"projects/{self.project}" if project_exists else self.parent
        if resource is None:
            return
        for constraint in ORG_CONSTRAINTS:
            finding_id = f"google.org_policy.{constraint.constraint}"
            try:
                answer = self._ask(finding_id, "Org Policy", "GET", f"{self.api.org_policy}/v2/{resource}/policies/"
                                   f"{constraint.constraint}:getEffectivePolicy")
            except ApiError as exc:
                yield Finding(finding_id, "warn", f"cannot read the effective {constraint.constraint} policy on "
                              f"{resource} ({exc.message})", "Grant roles/orgpolicy.policyViewer to check it.")
                continue
            if isinstance(answer, Finding):
                yield answer
                if answer.status == "error":
                    return  # unreachable: one error for the API, not one per constraint
                continue
            yield self._judge(constraint, resource, answer.get("spec") or {})

    def _judge(self, constraint: OrgConstraint, resource: str, spec: dict[str, Any]) -> Finding:
        finding_id, name = f"google.org_policy.{constraint.constraint}", constraint.constraint
        rules = spec.get("rules") or []
        if not rules or any(r.get("allowAll") for r in rules) or all(r.get("enforce") is False for r in rules):
            return Finding(finding_id, "pass", f"{name} is not restricted on {resource}")
        if name not in BLOCKING_CONSTRAINTS:
            return Finding(finding_id, "pass", f"{name} is enforced on {resource}; the plan needs nothing from it "
                           f"({constraint.needed_because})")
        if name == "iam.allowedPolicyMemberDomains":
            return self._sharing(finding_id, resource, rules)
        return self._locations(finding_id, resource, rules, constraint)

    def _sharing(self, finding_id: str, resource: str, rules: list[dict[str, Any]]) -> Finding:
        """Domain restricted sharing: the stack's chosen route (orgPolicy.domainRestrictedSharing) tested."""
        public = ", ".join(s.name for s in FUNCTIONS if s.public)
        route = self.config.org_policy.domain_restricted_sharing
        blocked = f"iam.allowedPolicyMemberDomains on {resource} blocks the plan: allUsers may not hold roles on {public}"
        step1 = f"pulumi up --stack {self.config.stack or self.config.environment} --target '**::project-project'"
        if route != "project-exception":
            return Finding(finding_id, "fail", f"{blocked} ({route!r} declared in {_ORG_KEY}.domainRestrictedSharing)",
                           f"Either have an org-policy admin set `allowAll: true` for it on {resource} now, or run "
                           f"`pulumi config set --path {_ORG_KEY}.domainRestrictedSharing project-exception` and deploy "
                           f"in two steps: `{step1}`, then the project-level exception, then `pulumi up`.")
        exception = (f"printf 'name: projects/{self.project}/policies/iam.allowedPolicyMemberDomains\\nspec:\\n  "
                     f"rules:\\n  - allowAll: true\\n' > drs.yaml && gcloud org-policies set-policy drs.yaml")
        if resource != f"projects/{self.project}":
            return Finding(finding_id, "warn", f"{blocked}; the stack deploys in two steps (project-exception): the "
                           "exception can only be set once the project exists",
                           f"Step 1: `{step1}`; step 2 (an org-policy admin): `{exception}`; then `pulumi up`.")
        return Finding(finding_id, "fail", blocked, f"An org-policy admin runs `{exception}`; then `pulumi up`.")

    def _locations(self, finding_id: str, resource: str, rules: list[dict[str, Any]],
                   constraint: OrgConstraint) -> Finding:
        """gcp.resourceLocations: declared in the stack (so the offline simulation checks it) and met by the
        stack's region, Firestore location and secret replication."""
        name, org = constraint.constraint, self.config.org_policy
        if any(r.get("denyAll") for r in rules):
            return Finding(finding_id, "fail", f"{name} on {resource} blocks the plan: every value is denied",
                           f"Org-policy exception: {constraint.exception}.")
        allowed = [v for r in rules for v in (r.get("values") or {}).get("allowedValues", [])]
        denied = [v for r in rules for v in (r.get("values") or {}).get("deniedValues", [])]
        locations = sorted({self.config.gcp.region, self.config.gcp.firestore_location,
                            *(["global"] if org.secret_replication == "automatic" else [])})
        outside = [loc for loc in locations if (allowed and not any(_in(loc, v) for v in allowed))
                   or any(_in(loc, v) for v in denied)]
        if "global" in outside:
            return Finding(finding_id, "fail", f"{name} on {resource} does not allow `global`, where automatically "
                           "replicated secrets live", f"`pulumi config set --path {_ORG_KEY}.secretReplication "
                           "user-managed` (replicas in the stack's region), or have `global` allowed.")
        if outside:
            return Finding(finding_id, "fail", f"{name} on {resource} blocks the plan: locations {', '.join(outside)} "
                           f"are not allowed ({constraint.needed_because})",
                           f"Org-policy exception: {constraint.exception}.")
        if allowed and sorted(org.resource_locations) != sorted(allowed):
            commands = "; ".join(f"`pulumi config set --path {_ORG_KEY}.resourceLocations[{i}] {v}`"
                                 for i, v in enumerate(allowed))
            return Finding(finding_id, "fail", f"{name} on {resource} allows only {', '.join(allowed)}, but the stack "
                           f"declares {', '.join(org.resource_locations) or 'no location constraint'} "
                           f"({_ORG_KEY}.resourceLocations), so `check --offline` cannot simulate it",
                           f"Declare it: {commands}.")
        return Finding(finding_id, "pass", f"{name} on {resource} allows what the plan needs")


_ORG_KEY = "launchready:orgPolicy"


def _in(location: str, value: str) -> bool:
    return in_group(location, value.removeprefix("is:"))


def _suffix(project_id: str) -> str:
    """Four stable characters from the id (a suggestion, the same on every run)."""
    import hashlib
    return hashlib.sha256(project_id.encode()).hexdigest()[:4]
