"""Firebase Hosting: the site, the app and API hostnames as custom domains, and the release that
routes the Stripe webhook path on the API hostname to the webhook function."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp


@dataclass(frozen=True)
class HostingArgs:
    project_id: pulumi.Input[str]
    site_id: str
    hostnames: list[str]
    region: str
    webhook_path: str
    webhook_service: pulumi.Input[str] | None   # None: no webhook function (payments none, or the app's own backend)


class Hosting(pulumi.ComponentResource):
    def __init__(self, name: str, args: HostingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:firebase:Hosting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        site = gcp.firebase.HostingSite(f"{name}-site", project=args.project_id, site_id=args.site_id, opts=child)
        for host in args.hostnames:
            gcp.firebase.HostingCustomDomain(
                f"{name}-domain-{host.replace('.', '-')}", project=args.project_id, site_id=site.site_id,
                custom_domain=host, cert_preference="GROUPED", wait_dns_verification=False, opts=child)
        # The app's firebase.json must carry the same rewrite: a web deploy replaces this release.
        version = gcp.firebase.HostingVersion(
            f"{name}-version", site_id=site.site_id,
            config={"rewrites": [{"glob": args.webhook_path,
                                  "run": {"service_id": args.webhook_service, "region": args.region}}]
                    if args.webhook_service is not None else []},
            opts=child)
        gcp.firebase.HostingRelease(f"{name}-release", site_id=site.site_id, version_name=version.name,
                                    message="launchready: webhook rewrite", opts=child)
        self.register_outputs({"site_id": site.site_id, "hostnames": args.hostnames})
