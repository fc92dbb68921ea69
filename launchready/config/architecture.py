"""What the app is built from, as the gate and the program need it: which services it uses.

The stack declares it (`launchready:payments`, `database`, `crm.provider`, `support.provider`,
`dns.provider`, `backend`); `backend` is inferred when unset. A check names the features it judges
(`Check.applies_to`); a feature the app does not use makes the check not applicable, with the reason.
See docs/architecture-applicability.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from launchready.config.model import NAMESPACE, NONE, EnvironmentConfig

# feature -> (the declaration that turns it off, as the user writes it)
FEATURES: dict[str, str] = {
    "stripe": f"{NAMESPACE}:payments: none",
    "firestore": f"{NAMESPACE}:database: rtdb",
    "crm": f"{NAMESPACE}:crm.provider: none",
    "support": f"{NAMESPACE}:support.provider: none",
    "cloudflare": f"{NAMESPACE}:dns.provider: external",
    "launchready_backend": f"{NAMESPACE}:backend: own",
}


@dataclass(frozen=True)
class Architecture:
    uses: frozenset[str]
    backend_inferred: bool = False

    @classmethod
    def of(cls, config: EnvironmentConfig, project_root: Path | None = None) -> Architecture:
        """`project_root`: the user's repository (Project.root), where an own functions/ would be."""
        backend = config.backend or infer_backend(config, project_root)
        uses = {
            "stripe": config.payments == "stripe",
            "firestore": config.database in ("firestore", "both"),
            "crm": config.crm.provider != NONE,
            "support": config.support.provider != NONE,
            "cloudflare": config.dns.provider == "cloudflare",
            "launchready_backend": backend == "launchready",
        }
        return cls(frozenset(k for k, used in uses.items() if used), backend_inferred=config.backend is None)

    def unused(self, features: Iterable[str]) -> str | None:
        """Why a check of these features does not apply (the first unused one), or None."""
        for feature in features:
            if feature not in FEATURES:
                raise KeyError(f"unknown architecture feature {feature!r} (one of {', '.join(FEATURES)})")
            if feature not in self.uses:
                inferred = " (inferred: no functions/ and no service that needs the packaged backend)" \
                    if feature == "launchready_backend" and self.backend_inferred else ""
                return f"the app does not use it ({FEATURES[feature]}{inferred})"
        return None


def infer_backend(config: EnvironmentConfig, project_root: Path | None) -> str:
    """`launchready` when the project has its own functions/main.py or uses a service only the packaged
    backend wires (Stripe webhooks, CRM or support sync); otherwise `own`."""
    own_functions = project_root is not None and (Path(project_root) / "functions" / "main.py").is_file()
    wired = config.payments == "stripe" or config.crm.provider != NONE or config.support.provider != NONE
    return "launchready" if own_functions or wired else "own"
