"""rules.deployed.match (live): the ruleset released for Firestore in the environment's project is
the repo's rules file, read back through the Firebase Rules API (release -> ruleset -> source).

Against the real API Google credentials are needed; another base (the sandbox's stand-in, or
$LAUNCHREADY_FIREBASE_RULES_API) is read without them unless $GOOGLE_OAUTH_ACCESS_TOKEN is set."""
from __future__ import annotations

import difflib
import os

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from launchready.checks.catalog.rules._base import rules_source
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.checks.framework.context import RULES_API_ENV
from launchready.google_credentials import TOKEN_ENV, access_token

DEFAULT_API = "https://firebaserules.googleapis.com"
API_ENV = RULES_API_ENV                         # point the check at another endpoint (tests, proxies)
SCOPE = "https://www.googleapis.com/auth/firebase.readonly"
RELEASE = "cloud.firestore"                     # the (default) database's release


class RulesApiError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError) or (isinstance(exc, RulesApiError)
                                                     and exc.status is not None and (exc.status >= 500 or exc.status == 429))


def fetch_released_source(api: str, project: str, token: str | None, timeout: float = 10.0) -> tuple[str, str]:
    """(ruleset name, source of its firestore rules file) of the project's Firestore release;
    `token` None sends no Authorization header (a local stand-in)."""
    with httpx.Client(base_url=api.rstrip("/"), timeout=timeout,
                      headers={"Authorization": f"Bearer {token}"} if token else {}) as http:
        release = _get(http, f"/v1/projects/{project}/releases/{RELEASE}")
        ruleset_name = release.get("rulesetName", "")
        if not ruleset_name:
            raise RulesApiError(f"release {RELEASE} names no ruleset")
        files = _get(http, f"/v1/{ruleset_name}").get("source", {}).get("files", [])
    if not files:
        raise RulesApiError(f"ruleset {ruleset_name} has no source files")
    return ruleset_name, files[0].get("content", "")


def _get(http: httpx.Client, url: str) -> dict:
    for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_random_exponential(multiplier=0.2, max=2),
                            retry=retry_if_exception(_transient), reraise=True):
        with attempt:
            response = http.get(url)
            if response.is_error:
                detail = response.json().get("error", {}).get("message", "") if _is_json(response) else ""
                raise RulesApiError(f"{response.status_code} from {url}{': ' + detail if detail else ''}",
                                    response.status_code)
            return response.json()
    raise AssertionError("unreachable")


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")


def _normalise(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]


@register
class DeployedRulesMatch(Check):
    id = "rules.deployed.match"
    applies_to = ("firestore",)
    title = "The Firestore rules released in the project are the repo's rules file"
    severity = Severity.HIGH
    live = True
    remediation = ("Release the repo's rules (`pulumi up`, or `firebase deploy --only firestore:rules`); "
                   "never edit rules in the console.")

    def run(self, ctx):
        source = rules_source(ctx)
        if source.problem:
            return self.skipped(f"{source.problem} (see rules.static.syntax)")
        project = ctx.config.gcp.project_id
        api = (ctx.targets.firebase_rules_api_base or DEFAULT_API).rstrip("/")
        if api == DEFAULT_API:
            try:
                token = access_token([SCOPE])
            except Exception as exc:  # noqa: BLE001 - google-auth raises many types; all mean "no usable credentials"
                return self.errored(f"Google credentials are configured but unusable: {type(exc).__name__}: {exc}")
            if token is None:
                return self.skipped("no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS, run "
                                    f"`gcloud auth application-default login`, or set {TOKEN_ENV}")
        else:
            # another base (a stand-in or a proxy): only an explicit token, never a refreshed ADC one
            token = os.environ.get(TOKEN_ENV) or None
        try:
            ruleset, deployed = fetch_released_source(api, project, token)
        except RulesApiError as exc:
            if exc.status == 404:
                return self.failed(f"no Firestore ruleset is released in project {project} ({exc})",
                                   {"project": project})
            return self.errored(f"Firebase Rules API: {exc}", {"project": project})
        except httpx.HTTPError as exc:
            return self.errored(f"Firebase Rules API unreachable at {api}: {exc}", {"project": project})
        return self._compare(source, project, ruleset, deployed)

    def _compare(self, source, project: str, ruleset: str, deployed: str):
        repo, live = _normalise(source.text), _normalise(deployed)
        evidence = {"project": project, "ruleset": ruleset, "rules_file": source.display}
        if repo == live:
            return self.passed(f"{ruleset} matches {source.display}", evidence)
        first = next((i for i, (a, b) in enumerate(zip(repo, live, strict=False)) if a != b), min(len(repo), len(live)))
        diff = list(difflib.unified_diff(live, repo, "deployed", source.display, lineterm="", n=1))
        evidence["diff"] = diff[:60]
        return self.failed(f"the released ruleset {ruleset} differs from {source.display} from line {first + 1}",
                           evidence, findings=[Finding(source.display, first + 1,
                                                       f"deployed: {live[first] if first < len(live) else '<end>'!r}")])
