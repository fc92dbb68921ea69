"""Decisions for the zone's records: merge, not duplicate.

- one SPF record per name: the live one is adopted and the stack's takes the union of both records'
  `include:`s and other mechanisms (counted against SPF's 10-lookup limit);
- MX and DKIM of the same mail provider are adopted, the stack following the live values (the keys
  and hosts the provider really uses); MX of another provider is a conflict (mail would split);
- an apex or API-host A/CNAME that Firebase Hosting would need is a conflict with a remediation;
- nothing the plan does not name is touched: other records stay as they are."""
from __future__ import annotations

from typing import Any

from launchready.adopt.decide import Decision, StackChanges, exists_or_unknown
from launchready.adopt.discovery import Live
from launchready.config.model import EnvironmentConfig
from launchready.infra.components.cloudflare import REDIRECT_PHASE, REDIRECT_RULESET_NAME
from launchready.infra.dns_records import SPF_LOOKUP_LIMIT, single_valued_role, spf_lookup_estimate
from launchready.infra.plan import PlannedResource

ADDRESS_TYPES = ("A", "AAAA", "CNAME")
LOOKUP_MECHANISMS = ("a", "mx", "exists:", "ptr", "include:")


def txt(value: Any) -> str:
    """A TXT value as one string: Cloudflare may return it quoted or split into quoted strings."""
    text = str(value or "").strip()
    if text.startswith('"') and text.endswith('"'):
        return "".join(text[1:-1].split('" "'))
    return text


def _content(record: dict[str, Any]) -> str:
    if record.get("type") == "CAA":
        data = record.get("data") or {}
        return f'{data.get("flags", 0)} {data.get("tag")} "{data.get("value")}"'
    content = str(record.get("content") or "")
    return txt(content) if record.get("type") == "TXT" else content.rstrip(".").lower() \
        if record.get("type") in ("CNAME", "MX") else content


def _same(planned: dict[str, Any], found: dict[str, Any]) -> bool:
    return _content(planned) == _content(found) and (planned.get("type") != "MX" or
                                                     int(planned.get("priority") or 0) == int(found.get("priority") or 0))


def record(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    unknown = exists_or_unknown(live.dns_records, resource)
    if unknown:
        return unknown
    planned = {k: resource.get(k) for k in ("name", "type", "content", "priority", "data")}
    name, rtype = str(planned["name"]).lower(), planned["type"]
    at_name = [r for r in live.dns_records if str(r.get("name", "")).lower() == name]   # type: ignore[union-attr]
    zone = config.domain.cloudflare_zone_id
    exact = next((r for r in at_name if r.get("type") == rtype and _same(planned, r)), None)
    if exact:
        return Decision(resource.name, resource.type, "adopt", "an identical record exists",
                        import_id=f"{zone}/{exact['id']}")
    blocking = [r for r in at_name if r.get("type") == "CNAME" or (rtype in ADDRESS_TYPES and r.get("type") in ADDRESS_TYPES)]
    if blocking:
        return _address_conflict(config, resource, name, blocking)
    same_type = [r for r in at_name if r.get("type") == rtype]
    role = single_valued_role(str(rtype), _content(planned))
    if role and same_type:
        found = [r for r in same_type if single_valued_role("TXT", _content(r)) == role]
        if found:
            return ROLES[role](config, resource, found, changes)
    if rtype == "MX" and same_type:
        return _mx(config, resource, same_type, changes)
    return Decision(resource.name, resource.type, "create",
                    "does not exist" + (f" (beside {len(same_type)} other {rtype} record(s))" if same_type else ""))


def _adopt(config: EnvironmentConfig, resource: PlannedResource, found: dict[str, Any], detail: str) -> Decision:
    return Decision(resource.name, resource.type, "adopt", detail,
                    import_id=f"{config.domain.cloudflare_zone_id}/{found['id']}")


def _address_conflict(config: EnvironmentConfig, resource: PlannedResource, name: str,
                      blocking: list[dict[str, Any]]) -> Decision:
    what = ", ".join(f"{r.get('type')} {_content(r)}" for r in blocking)
    d = config.domain
    if resource.get("type") == "CNAME" or name not in (d.app_host, d.api_host):
        fix = (f"Point {name} where the stack says ({resource.get('type')} {resource.get('content')}) or drop the "
               "stack's record (e.g. `wwwRedirect: false`), then run `launchready adopt` again.")
    else:
        apex = " (the apex: your landing page?)" if name == d.zone else ""
        fix = (f"Firebase Hosting needs {name}{apex}. Either serve the app from another host "
               f"(`launchready:domain.appHost: app.{d.zone}`) and keep what {name} serves, or move that site onto "
               f"Firebase Hosting and delete the record in Cloudflare yourself before `pulumi up`.")
    return Decision(resource.name, resource.type, "conflict", f"{name} already has {what}", remediation=fix)


# ------------------------------------------------------------------ single-valued TXT roles

def parse_spf(value: str) -> tuple[list[str], list[str], list[str]]:
    """(includes, other mechanisms, modifiers) of an SPF record; `all` is the stack's to set."""
    includes, mechanisms, modifiers = [], [], []
    for term in value.split()[1:]:
        bare = term.lstrip("+-~?")
        if bare.startswith("include:"):
            includes.append(bare[len("include:"):])
        elif bare == "all":
            continue
        elif "=" in term:
            modifiers.append(term)
        else:
            mechanisms.append(term)
    return includes, mechanisms, modifiers


def _spf(config: EnvironmentConfig, resource: PlannedResource, found: list[dict[str, Any]],
         changes: StackChanges) -> Decision:
    if len(found) > 1:
        return Decision(resource.name, resource.type, "conflict", f"{len(found)} SPF records already (a permerror: "
                        "receivers ignore both)", remediation="Merge them into one in Cloudflare, then run "
                        "`launchready adopt` again.")
    includes, mechanisms, modifiers = parse_spf(_content(found[0]))
    if modifiers:
        return Decision(resource.name, resource.type, "conflict", f"the live SPF uses {' '.join(modifiers)}",
                        remediation="A `redirect=` SPF cannot be merged: list its includes in "
                                    "`launchready:email.spfIncludes` and remove the modifier by hand.")
    email = config.email
    union = [*email.spf_includes, *(i for i in includes if i not in email.spf_includes)]
    extra = [*email.spf_mechanisms, *(m for m in mechanisms if m not in email.spf_mechanisms)]
    lookups, unverified = spf_lookup_estimate(union)
    lookups += sum(1 for m in extra if m.lstrip("+-~?").startswith(LOOKUP_MECHANISMS))
    kept = [i for i in includes if i not in email.spf_includes]
    detail = (f"one SPF record with the stack's and the live record's includes ({', '.join(union)}); "
              f"{lookups}/{SPF_LOOKUP_LIMIT} DNS lookups" + (f" (unverified: {', '.join(unverified)})" if unverified else ""))
    if lookups > SPF_LOOKUP_LIMIT:
        return Decision(resource.name, resource.type, "conflict", detail, remediation="Drop senders you no longer use, "
                        "or flatten an include to its ip4:/ip6: ranges, to stay within 10 lookups.")
    if union != list(email.spf_includes):
        changes.values["email.spfIncludes"] = union
        changes.notes.append(f"spfIncludes += {', '.join(kept)} (from the live SPF record)")
    if extra != list(email.spf_mechanisms):
        changes.values["email.spfMechanisms"] = extra
    return _adopt(config, resource, found[0], detail)


def _dkim(config: EnvironmentConfig, resource: PlannedResource, found: list[dict[str, Any]],
          changes: StackChanges) -> Decision:
    """The live key is the one the mail provider signs with: the stack takes it over."""
    selector = str(resource.get("name")).split("._domainkey.", 1)[0]
    live_value = _content(found[0])
    keys = changes.values.get("email.dkim") or [k.model_dump(by_alias=True) for k in config.email.dkim]
    for key in keys:
        if key["selector"] == selector and txt(key["value"]) != live_value:
            key["value"] = live_value
            changes.values["email.dkim"] = keys
            changes.notes.append(f"dkim {selector}: the stack takes the live key")
    return _adopt(config, resource, found[0], f"selector {selector}: the live key is kept")


def _replace_value(config: EnvironmentConfig, resource: PlannedResource, found: list[dict[str, Any]],
                   changes: StackChanges) -> Decision:
    before = _content(found[0])
    after = _content({"type": "TXT", "content": resource.get("content")})
    return _adopt(config, resource, found[0], "exists" + (f"; then updated: {before!r} -> {after!r}" if before != after else ""))


ROLES = {"spf": _spf, "dkim": _dkim, "dmarc": _replace_value, "hosting-verify": _replace_value}


# ------------------------------------------------------------------ MX

def _family(host: str) -> str:
    """`aspmx.l.google.com` -> `google.com`: who runs the mail server (the last two labels)."""
    return ".".join(host.rstrip(".").lower().split(".")[-2:])


def _mx(config: EnvironmentConfig, resource: PlannedResource, found: list[dict[str, Any]],
        changes: StackChanges) -> Decision:
    live_hosts = sorted({_content(r) for r in found})
    stack_hosts = sorted({mx.host for mx in config.email.mx})
    if {_family(h) for h in live_hosts} == {_family(h) for h in stack_hosts}:
        changes.values["email.mx"] = [{"host": _content(r), "priority": int(r.get("priority") or 0)}
                                      for r in sorted(found, key=lambda r: (int(r.get("priority") or 0), _content(r)))]
        changes.notes.append(f"mx: the stack takes the live {', '.join(live_hosts)} (same provider)")
        return Decision(resource.name, resource.type, "adopt", f"the live MX ({', '.join(live_hosts)}) are the same "
                        "provider's: the stack takes them, each imported")
    return Decision(resource.name, resource.type, "conflict",
                    f"mail for {resource.get('name')} goes to {', '.join(live_hosts)}; the stack adds "
                    f"{', '.join(stack_hosts)} ({config.email.provider}): mail would split between them",
                    remediation="Set `launchready:email.provider`/`mx` to the provider you use; to move mail, switch "
                                "the MX in Cloudflare first, then run `launchready adopt` again.")


# ------------------------------------------------------------------ the www redirect ruleset

def ruleset(config: EnvironmentConfig, resource: PlannedResource, live: Live, changes: StackChanges) -> Decision:
    unknown = exists_or_unknown(live.rulesets, resource)
    if unknown:
        return unknown
    phase = resource.get("phase") or REDIRECT_PHASE
    entry = next((r for r in live.rulesets if r.get("kind") == "zone" and r.get("phase") == phase), None)   # type: ignore[union-attr]
    if entry is None:
        return Decision(resource.name, resource.type, "create", f"the zone has no {phase} rules yet")
    if entry.get("name") == REDIRECT_RULESET_NAME:
        return Decision(resource.name, resource.type, "adopt", "launchready's redirect ruleset",
                        import_id=f"zones/{config.domain.cloudflare_zone_id}/{entry['id']}")
    return Decision(resource.name, resource.type, "conflict",
                    f"the zone's {phase} rules ({entry.get('name')!r}) exist: a zone has one ruleset per phase, and "
                    "the stack's would replace those rules",
                    remediation="Add a www -> apex rule to that ruleset in Cloudflare (Rules → Redirect Rules) and set "
                                "`launchready:domain.wwwRedirect: false`.")


DECIDERS = {"cloudflare:index/dnsRecord:DnsRecord": record, "cloudflare:index/ruleset:Ruleset": ruleset}
