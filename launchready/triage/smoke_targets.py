"""Where `smoke` drives one running environment: the same public APIs for the sandbox and a deployed
stack — Identity Toolkit sign-ups with the Web API key, Firestore's REST API with a user's ID token
(the rules decide), signed deliveries to the webhook, and the `request_support` function.

A deployed stack's come from its outputs (`webhook_url`, `function_urls`, `firebase_apps`), the webhook
signing secret from Secret Manager (or $STRIPE_WEBHOOK_SECRET), and API bases from the same
`LAUNCHREADY_<NAME>_API_BASE` variables as `preflight` and `adopt`.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from launchready.config.model import EnvironmentConfig
from launchready.errors import UsageError
from launchready.google_credentials import token_or_why
from launchready.infra.components.secrets import STRIPE_WEBHOOK_SECRET
from launchready.preflight.model import ApiError, Client, Endpoints, Unreachable

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
API_KEY_ENV = "LAUNCHREADY_FIREBASE_API_KEY"
SUPPORT_FUNCTION = "request-support"


@dataclass(frozen=True)
class SmokeTargets:
    project: str
    identity_toolkit: str          # Identity Toolkit base URL
    api_key: str                   # a Firebase Web API key of the project (public: it ships in the app)
    documents: str                 # Firestore REST documents URL (rules apply to a user's ID token)
    webhook_url: str
    webhook_secret: str
    request_support_url: str
    admin_token: str | None        # OAuth token: mark a test user's email verified
    sign_up_url: str | None = None  # the sandbox's on_user_created: the sign-up event delivered again
    deployed: bool = True          # sync tasks run on the platform (Eventarc), not in this process
    app_origin: str | None = None  # sent as Referer, as the web app's own calls are (referrer-restricted keys)


def sandbox_targets(state: dict[str, Any]) -> SmokeTargets:
    targets, project = state["targets"], state["targets"]["firestore_project"]
    return SmokeTargets(
        project, targets["identity_toolkit_api_base"], targets["web_api_key"],
        f"http://{targets['firestore_emulator_host']}/v1/projects/{project}/databases/(default)/documents",
        targets["webhook_url"], state["local"]["stripe_webhook_secret"], targets["request_support_url"],
        admin_token="owner", sign_up_url=targets["on_user_created_url"], deployed=False)


def deployed_targets(config: EnvironmentConfig, outputs: dict[str, Any]) -> SmokeTargets:
    """The deployed stack's targets; UsageError naming every piece that is missing."""
    endpoints, project = Endpoints.resolve(), str(outputs.get("project_id") or config.gcp.project_id)
    token, why = token_or_why(SCOPES)
    support_url = (outputs.get("function_urls") or {}).get(SUPPORT_FUNCTION)
    api_key = os.environ.get(API_KEY_ENV) or web_api_key(outputs.get("firebase_apps") or {})
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET") or (_signing_secret(endpoints, project, token) if token else None)
    missing = [what for what, value in (
        (f"the `function_urls.{SUPPORT_FUNCTION}` stack output (run `pulumi up --stack {config.stack}`)", support_url),
        (f"a Firebase Web API key: the `firebase_apps` output (set launchready:firebaseApps.web: true) or ${API_KEY_ENV}",
         api_key),
        (f"the webhook signing secret: $STRIPE_WEBHOOK_SECRET, or Google credentials that may read Secret Manager "
         f"({why})", secret)) if not value]
    if missing:
        raise UsageError(f"smoke --stack {config.stack}: missing " + "; ".join(missing))
    from launchready.redact import remember

    remember(str(secret))
    return SmokeTargets(project, endpoints.identity_toolkit, str(api_key),
                        f"{endpoints.firestore}/v1/projects/{project}/databases/(default)/documents",
                        str(outputs.get("webhook_url") or config.webhook_url), str(secret), str(support_url),
                        admin_token=token, app_origin=f"https://{config.domain.app_host}/")


def web_api_key(apps: dict[str, Any]) -> str | None:
    """The web app's apiKey, else the Android app's (google-services.json's `current_key`)."""
    if isinstance(apps.get("web"), dict) and apps["web"].get("apiKey"):
        return str(apps["web"]["apiKey"])
    try:
        android = json.loads((apps.get("android") or {}).get("configFile") or "{}")
        return str(android["client"][0]["api_key"][0]["current_key"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _signing_secret(endpoints: Endpoints, project: str, token: str) -> str | None:
    """The latest version of the stack's webhook signing secret (permission secretmanager.versions.access)."""
    url = (f"{endpoints.secret_manager}/v1/projects/{project}/secrets/{STRIPE_WEBHOOK_SECRET}"
           "/versions/latest:access")
    with Client({"Authorization": f"Bearer {token}", "x-goog-user-project": project}) as client:
        try:
            data = client.call("GET", url)
        except (ApiError, Unreachable) as exc:
            raise UsageError(f"smoke: cannot read the webhook signing secret {STRIPE_WEBHOOK_SECRET} of "
                             f"{project}: {exc} (or set $STRIPE_WEBHOOK_SECRET)") from None
    try:
        return base64.b64decode(data["payload"]["data"]).decode()
    except (KeyError, TypeError, ValueError):
        raise UsageError(f"smoke: Secret Manager's answer for {STRIPE_WEBHOOK_SECRET} holds no payload") from None
