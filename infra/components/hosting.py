"""Firebase Hosting: the app's site with its hostname, and the API hostname's own site whose release
routes the Stripe webhook path to the webhook function.

The web app's site gets no release from the program: a Pulumi-owned version has no files, so releasing
one there (on any rewrite change) would blank the web app. The app deploys its files and its own
rewrites with `firebase deploy --only hosting`; the API site has nothing but the rewrite."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp


@dataclass(frozen=True)
class HostingArgs:
    project_id: pulumi.Input[str]
    site_id: str
    api_site_id: str
    app_host: str
    api_host: str
    region: str
    webhook_path: str
    webhook_service: pulumi.Input[str] | None   # None: no webhook function (payments none, or the app's own backend)


class Hosting(pulumi.ComponentResource):
    def __init__(self, name: str, args: HostingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:firebase:Hosting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        site = gcp.firebase.HostingSite(f"{name}-site", project=args.project_id, site_id=args.site_id, opts=child)
        api = site if args.api_host == args.app_host else gcp.firebase.HostingSite(
            f"{name}-api-site", project=args.project_id, site_id=args.api_site_id, opts=child)
        for host, target in sorted({args.app_host: site, args.api_host: api}.items()):
            gcp.firebase.HostingCustomDomain(
                f"{name}-domain-{host.replace('.', '-')}", project=args.project_id, site_id=target.site_id,
                custom_domain=host, cert_preference="GROUPED", wait_dns_verification=False, opts=child)
        version = gcp.firebase.HostingVersion(
            f"{name}-version", site_id=api.site_id,
            config={"rewrites": [{"glob": args.webhook_path,
                                  "run": {"service_id": args.webhook_service, "region": args.region}}]
                    if args.webhook_service is not None else []},
            opts=child)
        gcp.firebase.HostingRelease(f"{name}-release", site_id=api.site_id, version_name=version.name,
                                    message="launchready: webhook rewrite", opts=child)
        self.register_outputs({"site_id": site.site_id, "api_site_id": api.site_id,
                               "hostnames": sorted({args.app_host, args.api_host})})
