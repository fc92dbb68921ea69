"""Cloudflare: the zone's TLS posture, every DNS record from `desired_records`, www -> apex."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_cloudflare as cloudflare

from launchready.infra.dns_records import DnsRecordSpec

AUTO_TTL = 1  # Cloudflare's "automatic" TTL, required for proxied records
REDIRECT_PHASE = "http_request_dynamic_redirect"
REDIRECT_RULESET_NAME = "launchready redirects"   # preflight tells the zone's own entry point from ours by it


@dataclass(frozen=True)
class CloudflareArgs:
    zone_id: str
    zone: str
    records: list[DnsRecordSpec]
    ssl_mode: str
    min_tls_version: str
    tls13: bool
    always_use_https: bool
    hsts_max_age: int
    hsts_include_subdomains: bool
    www_redirect: bool
    protect: bool = False     # prod: a `pulumi destroy` must not take the live domain's records down


class CloudflareZone(pulumi.ComponentResource):
    def __init__(self, name: str, args: CloudflareArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:cloudflare:Zone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for setting_id, value in zone_settings(args).items():
            cloudflare.ZoneSetting(f"{name}-setting-{setting_id}", zone_id=args.zone_id, setting_id=setting_id,
                                   value=value, opts=child)
        for spec in args.records:
            # Aliases carry records named by the old content-hash scheme over without a replace.
            aliases = [pulumi.Alias(name=f"{name}-{spec.legacy_key}")] if spec.legacy_key != spec.key else []
            protect = args.protect and not spec.named_by_content   # a protected create+delete cannot happen
            cloudflare.DnsRecord(f"{name}-{spec.key}", zone_id=args.zone_id, **record_args(spec),
                                 opts=pulumi.ResourceOptions(parent=self, protect=protect, aliases=aliases))
        if args.www_redirect:
            cloudflare.Ruleset(
                f"{name}-www-redirect", zone_id=args.zone_id, kind="zone", phase=REDIRECT_PHASE,
                name=REDIRECT_RULESET_NAME, description="www -> apex, path and query kept",
                rules=[{
                    "ref": "www_to_apex", "description": f"www.{args.zone} -> {args.zone}", "enabled": True,
                    "expression": f'(http.host eq "www.{args.zone}")', "action": "redirect",
                    "action_parameters": {"from_value": {
                        "status_code": 301, "preserve_query_string": True,
                        "target_url": {"expression": f'concat("https://{args.zone}", http.request.uri.path)'}}},
                }], opts=child)
        self.register_outputs({"records": len(args.records)})


def zone_settings(args: CloudflareArgs) -> dict[str, object]:
    """Cloudflare setting id -> value (the API's own names and shapes)."""
    return {
        "ssl": args.ssl_mode,
        "min_tls_version": args.min_tls_version,
        "tls_1_3": "on" if args.tls13 else "off",
        "always_use_https": "on" if args.always_use_https else "off",
        "security_header": {"strict_transport_security": {
            "enabled": args.hsts_max_age > 0, "max_age": args.hsts_max_age,
            "include_subdomains": args.hsts_include_subdomains, "nosniff": True, "preload": False}},
    }


def record_args(spec: DnsRecordSpec) -> dict[str, object]:
    """DnsRecord arguments for one record; CAA carries structured `data` instead of `content`."""
    args: dict[str, object] = {"name": spec.name, "type": spec.type, "proxied": spec.proxied,
                               "ttl": AUTO_TTL if spec.proxied else spec.ttl, "comment": spec.purpose[:100]}
    if spec.type == "CAA":
        flags, tag, value = spec.content.split(" ", 2)
        args["data"] = {"flags": int(flags), "tag": tag, "value": value.strip('"')}
    else:
        args["content"] = txt_content(spec.content) if spec.type == "TXT" else spec.content
    if spec.priority is not None:
        args["priority"] = spec.priority
    return args


TXT_STRING_MAX = 255   # one character-string of a TXT record (RFC 1035 3.3.14)


def txt_content(value: str) -> str:
    """A TXT value as Cloudflare stores it: longer than 255 characters, it is split into quoted
    strings of at most 255. Sent unsplit, Cloudflare splits it itself and every `up` shows a diff
    (pulumi-cloudflare / terraform-provider-cloudflare #6238)."""
    if len(value) <= TXT_STRING_MAX or value.startswith('"'):
        return value
    return " ".join(f'"{value[i:i + TXT_STRING_MAX]}"' for i in range(0, len(value), TXT_STRING_MAX))
