"""Live, read-only Cloudflare probe: the deploy token is active and holds the permission groups the
plan's Cloudflare resources need on the stack's zone (`infra.first_deploy.cloudflare_permissions`)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from launchready.config.model import EnvironmentConfig
from launchready.infra.components.cloudflare import REDIRECT_PHASE, REDIRECT_RULESET_NAME
from launchready.infra.first_deploy import cloudflare_permissions
from launchready.preflight.model import ApiError, Client, Endpoints, Finding, Unreachable

TOKEN_ENV = "CLOUDFLARE_API_TOKEN"   # what the Pulumi Cloudflare provider reads too
READ_TOKENS = "API Tokens Read"


def _covers_zone(resources: dict[str, Any], zone_id: str) -> bool:
    """A policy's resources name the zone, every zone, or an account whose nested map does."""
    for key, value in resources.items():
        if key in (f"com.cloudflare.api.account.zone.{zone_id}", "com.cloudflare.api.account.zone.*"):
            return True
        if isinstance(value, dict) and _covers_zone(value, zone_id):
            return True
    return False


def granted(policies: list[dict[str, Any]], zone_id: str) -> set[str]:
    """Permission group names allowed (and not denied) on the zone."""
    allow: set[str] = set()
    deny: set[str] = set()
    for policy in policies:
        if not _covers_zone(policy.get("resources") or {}, zone_id):
            continue
        names = {g.get("name") for g in policy.get("permission_groups") or []}
        (deny if policy.get("effect") == "deny" else allow).update(names)
    return allow - deny


def probe(config: EnvironmentConfig, endpoints: Endpoints) -> Iterator[Finding]:
    token = os.environ.get(TOKEN_ENV)
    if not token:
        yield Finding("cloudflare.token", "fail", f"${TOKEN_ENV} is not set",
                      f"Export the deploy token as {TOKEN_ENV} (the Pulumi Cloudflare provider reads it too).")
        return
    zone_id = config.domain.cloudflare_zone_id
    assert zone_id is not None, "probed only for dns.provider: cloudflare, which the config model requires it for"
    try:
        with Client({"Authorization": f"Bearer {token}"}) as client:
            base, verified = _verified(client, f"{endpoints.cloudflare}/client/v4", zone_id)
            if verified.get("status") != "active":
                yield Finding("cloudflare.token", "fail", f"the Cloudflare token is {verified.get('status')}",
                              "Create a new API token (see the README's Cloudflare token permissions).")
                return
            yield Finding("cloudflare.token", "pass", f"Cloudflare token {verified.get('id')} is active")
            details = client.call("GET", f"{base}/{verified.get('id')}").get("result") or {}
    except Unreachable as exc:
        yield Finding("cloudflare.token", "error", f"Cloudflare API: {exc}",
                      "Check network access to api.cloudflare.com (or --cloudflare-api-base).")
        return
    except ApiError as exc:
        if exc.status == 403:
            yield Finding("cloudflare.permissions", "warn", f"the token may not read its own permissions "
                          f"({exc.message}), so they were not checked",
                          f"Add `{READ_TOKENS}` to the token, or compare it by hand with the README's list.")
        else:
            yield Finding("cloudflare.token", "fail", f"Cloudflare rejected the token ({exc.message})",
                          "Create a new API token (see the README's Cloudflare token permissions).")
        return
    yield _judge(details.get("policies") or [], config)
    if config.domain.www_redirect:
        yield _redirect_entrypoint(token, endpoints, config)


def _redirect_entrypoint(token: str, endpoints: Endpoints, config: EnvironmentConfig) -> Finding:
    """Cloudflare keeps one entry-point ruleset per zone and phase: one made by hand (dashboard Redirect
    Rules) makes the program's `www` redirect ruleset fail to create."""
    zone_id = config.domain.cloudflare_zone_id
    url = f"{endpoints.cloudflare}/client/v4/zones/{zone_id}/rulesets/phases/{REDIRECT_PHASE}/entrypoint"
    try:
        with Client({"Authorization": f"Bearer {token}"}) as client:
            ruleset = client.call("GET", url).get("result") or {}
    except ApiError as exc:
        if exc.status == 404:
            return Finding("cloudflare.redirect_rules", "pass", f"zone {config.domain.zone} has no redirect rules "
                           "yet: the program creates the www -> apex rule")
        return Finding("cloudflare.redirect_rules", "warn", f"cannot read the zone's redirect rules ({exc.message})",
                       "Check Rules -> Redirect Rules in the dashboard: existing rules block the program's.")
    except Unreachable as exc:
        return Finding("cloudflare.redirect_rules", "error", f"Cloudflare API: {exc}",
                       "Check network access to api.cloudflare.com (or --cloudflare-api-base).")
    if ruleset.get("name") == REDIRECT_RULESET_NAME:
        return Finding("cloudflare.redirect_rules", "pass", "the zone's redirect rules are the program's own")
    rules = [str(r.get("description") or r.get("expression") or r.get("id")) for r in ruleset.get("rules") or []]
    return Finding("cloudflare.redirect_rules", "fail", f"zone {config.domain.zone} already has redirect rules "
                   f"({len(rules)}: {'; '.join(rules[:3]) or 'none'}) in ruleset {ruleset.get('id')}: Cloudflare "
                   "allows one per zone, so the program's www -> apex ruleset cannot be created",
                   "Either delete them (dashboard: Rules -> Redirect Rules) after moving what you need elsewhere, "
                   "or set `launchready:domain.wwwRedirect: false` and keep the www rule among your own.")


def _verified(client: Client, api: str, zone_id: str) -> tuple[str, dict[str, Any]]:
    """(the token's own API path, its verify result): a user token under /user/tokens; an account-owned
    token (which /user/tokens/verify rejects) under /accounts/{account}/tokens, the zone's account."""
    try:
        return f"{api}/user/tokens", client.call("GET", f"{api}/user/tokens/verify").get("result") or {}
    except ApiError as exc:
        if exc.status != 401:
            raise
        try:
            account = (client.call("GET", f"{api}/zones/{zone_id}").get("result") or {}).get("account") or {}
        except ApiError:
            raise exc from None
        if not account.get("id"):
            raise exc
        base = f"{api}/accounts/{account['id']}/tokens"
        return base, client.call("GET", f"{base}/verify").get("result") or {}


def _judge(policies: list[dict[str, Any]], config: EnvironmentConfig) -> Finding:
    zone_id = config.domain.cloudflare_zone_id
    assert zone_id is not None, "judged only for dns.provider: cloudflare, which the config model requires it for"
    needed = cloudflare_permissions(config.domain.www_redirect)
    missing = [name for name in needed if name not in granted(policies, zone_id)]
    if missing:
        return Finding("cloudflare.permissions", "fail",
                       f"the token lacks {', '.join(missing)} on zone {config.domain.zone} ({zone_id})",
                       "Edit the token: add " + "; ".join(f"`{m}` for {needed[m]}" for m in missing) + ".")
    return Finding("cloudflare.permissions", "pass",
                   f"the token holds {', '.join(needed)} on zone {config.domain.zone}")
