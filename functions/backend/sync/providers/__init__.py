"""Adapters by provider name: another CRM or support desk is one module plus one line here."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...settings import ConfigurationError
from ...sync.providers.hubspot import HubSpotCrm
from ...sync.providers.zendesk import ZendeskSupport

if TYPE_CHECKING:
    from ...settings import SyncSettings
    from ...sync.providers.base import HttpProvider

CRM_PROVIDERS = {"hubspot": HubSpotCrm}
SUPPORT_PROVIDERS = {"zendesk": ZendeskSupport}


def provider_for(target: str, settings: SyncSettings) -> HttpProvider:
    """The adapter for a task's target ("crm" or "support"), configured from settings."""
    registry: Mapping[str, type[HttpProvider]]
    if target == "crm":
        name, registry, base, token = (settings.crm_provider, CRM_PROVIDERS, settings.crm_api_base,
                                       settings.crm_api_token)
    elif target == "support":
        name, registry, base, token = (settings.support_provider, SUPPORT_PROVIDERS,
                                       settings.support_api_base, settings.support_api_token)
    else:
        raise ConfigurationError(f"unknown sync target {target!r}")
    if name not in registry:
        raise ConfigurationError(f"unknown {target} provider {name!r} (known: {', '.join(sorted(registry))})")
    return registry[name](base, token, settings.http_timeout_seconds)
