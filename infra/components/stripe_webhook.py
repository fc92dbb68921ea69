"""The Stripe webhook endpoint as a Pulumi dynamic resource over the `stripe` SDK.

The endpoint points at the webhook URL with exactly `HANDLED_EVENTS` and a pinned API version; the
signing secret Stripe returns on create goes straight into Secret Manager as a secret version, so
nobody ever copies it by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_gcp as gcp
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

if TYPE_CHECKING:
    from launchready.config.model import EnvironmentConfig

DEFAULT_API_BASE = "https://api.stripe.com"
TIMEOUT_SECONDS = 20
MAX_RETRIES = 2                       # the SDK retries with exponential backoff and jitter
UPDATABLE = ("url", "enabled_events", "description", "metadata")
REPLACING = ("api_version", "livemode")  # Stripe cannot change an endpoint's version or mode in place


def _client(props: dict[str, Any]):
    import stripe

    return stripe.StripeClient(
        props["api_key"], stripe_version=props["api_version"],
        base_addresses={"api": props.get("api_base") or DEFAULT_API_BASE},
        max_network_retries=MAX_RETRIES, http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS))


def _livemode(api_key: str) -> bool:
    return "_live_" in api_key


def _params(props: dict[str, Any]) -> dict[str, Any]:
    return {"url": props["url"], "enabled_events": list(props["enabled_events"]),
            "description": props.get("description") or "", "metadata": dict(props.get("metadata") or {})}


def _outputs(props: dict[str, Any], endpoint: Any, secret: str) -> dict[str, Any]:
    return {**props, "secret": secret, "status": endpoint["status"], "livemode": endpoint["livemode"],
            "enabled_events": list(endpoint["enabled_events"]), "url": endpoint["url"]}


class WebhookEndpointProvider(ResourceProvider):
    """create/update/delete/diff/read of one `webhook_endpoint` (inputs: api_key, url,
    enabled_events, api_version, description, metadata, optional api_base)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        endpoint = client.v1.webhook_endpoints.create(params={**_params(props), "api_version": props["api_version"]})
        secret = endpoint["secret"]   # shown on create only
        if props.get("disabled"):   # a cut-over pending (launchready adopt): the old endpoint still delivers
            endpoint = client.v1.webhook_endpoints.update(endpoint["id"], params={"disabled": True})
        return CreateResult(endpoint["id"], _outputs(props, endpoint, secret))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in (*UPDATABLE, "api_version", "api_base")
                   if _normal(olds.get(k)) != _normal(news.get(k))]
        replaces = [k for k in ("api_version",) if k in changed]
        if _livemode(olds.get("api_key", "")) != _livemode(news.get("api_key", "")):
            replaces.append("api_key")
        if olds.get("api_key") != news.get("api_key"):
            changed.append("api_key")
        if bool(olds.get("disabled")) != bool(news.get("disabled")):
            changed.append("disabled")
        elif olds.get("status") == "disabled" and not news.get("disabled"):  # Stripe or someone disabled it
            changed.append("status")
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False,
                          stables=[] if replaces else ["secret", "livemode"])

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # `disabled: false` on every update (the program wants the endpoint delivering, whatever disabled it),
        # unless a cut-over is pending (`launchready adopt`): then the old endpoint delivers until it is done.
        endpoint = _client(news).v1.webhook_endpoints.update(
            id, params={**_params(news), "disabled": bool(news.get("disabled"))})
        return UpdateResult(_outputs(news, endpoint, olds["secret"]))

    def delete(self, id: str, props: dict[str, Any]) -> None:
        import stripe

        try:
            _client(props).v1.webhook_endpoints.delete(id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:  # already gone is what delete wants
                raise

    def read(self, id: str, props: dict[str, Any]) -> ReadResult:
        import stripe

        try:
            endpoint = _client(props).v1.webhook_endpoints.retrieve(id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return ReadResult(None, {})
            raise
        return ReadResult(id, _outputs(props, endpoint, props.get("secret", "")))


def _normal(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return sorted(value)
    return value or None


class WebhookEndpoint(Resource):
    """`secret` (the signing secret) and `api_key` stay secret in state."""

    secret: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["secret", "api_key"]))
        super().__init__(WebhookEndpointProvider(), name, {"secret": None, "status": None, "livemode": None, **props}, opts)


@dataclass(frozen=True)
class StripeWebhookArgs:
    api_key: pulumi.Input[str]
    url: str
    enabled_events: list[str]
    api_version: str
    description: str
    signing_secret: gcp.secretmanager.Secret   # where the signing secret is stored
    disabled: bool = False   # a cut-over from an endpoint already delivering is pending (launchready adopt)
    # Never `protect`ed, not even in prod: an API-version upgrade replaces the endpoint (Stripe cannot change
    # an endpoint's version in place), which a protected resource refuses (launchready.policy: prod_protected).


class StripeWebhook(pulumi.ComponentResource):
    signing_secret_version: gcp.secretmanager.SecretVersion

    def __init__(self, name: str, args: StripeWebhookArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:stripe:WebhookEndpoint", name, None, opts)
        endpoint = WebhookEndpoint(f"{name}-endpoint", {
            "api_key": pulumi.Output.secret(args.api_key), "url": args.url,
            "enabled_events": list(args.enabled_events), "api_version": args.api_version,
            "description": args.description, "metadata": {"managed_by": "launchready"},
            **({"disabled": True} if args.disabled else {}),
        }, opts=pulumi.ResourceOptions(parent=self))
        # typed as Input[str]: Output.secret(Output[str]) makes mypy solve U from both Input arms (Never)
        signing_secret: pulumi.Input[str] = endpoint.secret
        self.signing_secret_version = gcp.secretmanager.SecretVersion(
            f"{name}-signing-secret", secret=args.signing_secret.id,
            secret_data=pulumi.Output.secret(signing_secret), opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"endpoint_id": endpoint.id, "url": args.url})


def overlap_secret_ids(config: EnvironmentConfig) -> tuple[str, ...]:
    """Secrets an API-version upgrade in progress needs (the second endpoint's signing secret)."""
    from launchready.infra.components.secrets import STRIPE_WEBHOOK_SECRET_NEXT

    assert config.stripe is not None, "called only for payments: stripe, which the config model requires it for"
    return (STRIPE_WEBHOOK_SECRET_NEXT,) if config.stripe.next_api_version else ()


def stripe_endpoints(config: EnvironmentConfig, api_key: pulumi.Input[str],
                     secrets: dict[str, gcp.secretmanager.Secret], *,
                     provider: pulumi.ProviderResource | None = None,
                     ) -> tuple[dict[str, gcp.secretmanager.SecretVersion], dict[str, str]]:
    """The pinned endpoint, plus — while `stripe.nextApiVersion` is set — a second endpoint on the same
    URL pinned to the next version (the upgrade's dual run). Returns each endpoint's signing-secret
    version by secret id (the function pins them) and the webhook function's extra secret env
    (`STRIPE_WEBHOOK_SECRET_NEXT`), so it verifies deliveries from either endpoint."""
    from launchready.functions.backend.events import endpoint_events
    from launchready.infra.components.secrets import STRIPE_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRET_NEXT

    assert config.stripe is not None, "called only for payments: stripe, which the config model requires it for"
    description = f"{config.app.name}: launchready stack {config.stack or config.environment}"
    versions = [("stripe-webhook", config.stripe.api_version, STRIPE_WEBHOOK_SECRET, "")]
    if config.stripe.next_api_version:
        versions.append(("stripe-webhook-next", config.stripe.next_api_version, STRIPE_WEBHOOK_SECRET_NEXT,
                         f" (upgrade to {config.stripe.next_api_version})"))
    opts = pulumi.ResourceOptions(providers=[provider] if provider else None)
    signing = {secret_id: StripeWebhook(name, StripeWebhookArgs(
        api_key=api_key, url=config.webhook_url, enabled_events=endpoint_events(version), api_version=version,
        description=description + note, signing_secret=secrets[secret_id],
        disabled=config.adopt.stripe_cutover is not None),
        opts=opts).signing_secret_version
        for name, version, secret_id, note in versions}
    extra = {"STRIPE_WEBHOOK_SECRET_NEXT": STRIPE_WEBHOOK_SECRET_NEXT} if config.stripe.next_api_version else {}
    return signing, extra
