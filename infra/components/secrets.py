"""Secret Manager: one secret per credential; values only ever flow from Pulumi secrets.

Access is granted per secret by the component that needs it (see functions.py), never project-wide.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

STRIPE_SECRET_KEY = "stripe-secret-key"
STRIPE_WEBHOOK_SECRET = "stripe-webhook-secret"   # written by the Stripe webhook component
STRIPE_WEBHOOK_SECRET_NEXT = "stripe-webhook-secret-next"   # the second endpoint's, during an upgrade only
CRM_API_TOKEN = "crm-api-token"
SUPPORT_API_TOKEN = "support-api-token"
SECRET_IDS: tuple[str, ...] = (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, CRM_API_TOKEN, SUPPORT_API_TOKEN)


@dataclass(frozen=True)
class SecretsArgs:
    project_id: pulumi.Input[str]
    values: dict[str, pulumi.Output[str]]   # secret id -> Pulumi secret; ids absent here get no version
    labels: dict[str, str] = field(default_factory=dict)
    optional_ids: tuple[str, ...] = ()       # secrets this stack needs besides SECRET_IDS (e.g. an upgrade's)
    unused_ids: tuple[str, ...] = ()         # SECRET_IDS of services the app does not use (none created)
    # user-managed replicas (launchready:orgPolicy.secretReplication); None = automatic, stored in `global`,
    # which an org's gcp.resourceLocations constraint often forbids
    replicas: tuple[str, ...] | None = None


class Secrets(pulumi.ComponentResource):
    secrets: dict[str, gcp.secretmanager.Secret]
    versions: dict[str, gcp.secretmanager.SecretVersion]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Secrets", name, None, opts)
        self.secrets, self.versions = {}, {}
        for secret_id in (i for i in (*SECRET_IDS, *args.optional_ids) if i not in args.unused_ids):
            secret = gcp.secretmanager.Secret(
                f"{name}-{secret_id}", project=args.project_id, secret_id=secret_id, labels=args.labels,
                replication=replication(args.replicas), opts=pulumi.ResourceOptions(parent=self))
            self.secrets[secret_id] = secret
            if secret_id in args.values:
                # typed as Input[str]: Output.secret(Output[str]) makes mypy solve U from both Input arms (Never)
                value: pulumi.Input[str] = args.values[secret_id]
                self.versions[secret_id] = gcp.secretmanager.SecretVersion(
                    f"{name}-{secret_id}-version", secret=secret.id,
                    secret_data=pulumi.Output.secret(value),
                    opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"secret_ids": list(self.secrets)})


def replication(replicas: tuple[str, ...] | None) -> dict:
    """Secret Manager replication: automatic, or user-managed in the given locations."""
    if replicas is None:
        return {"auto": {}}
    return {"user_managed": {"replicas": [{"location": location} for location in replicas]}}
