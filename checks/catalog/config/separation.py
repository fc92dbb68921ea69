"""No two stacks share a GCP project, a hostname or a secret: environments must be isolated."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from launchready.checks.catalog.config._base import StackFile, is_secure, stack_files
from launchready.checks.framework import Severity, register
from launchready.checks.framework.base import Check
from launchready.config.model import ConfigError, EnvironmentConfig

Place = tuple[StackFile, tuple[str, ...], str]   # stack file, key path in it, what to call the value


class SeparationCheck(Check):
    """Collect (value -> places) over all loaded stacks; a value seen in two stacks is a finding."""

    severity = Severity.CRITICAL
    subject: str

    def values(self, cfg: EnvironmentConfig, raw: StackFile) -> Iterable[tuple[str, tuple[str, ...], str]]:
        """(comparable value, key path in the file, what to call it in messages)."""
        raise NotImplementedError

    def run(self, ctx):
        loaded = {n: c for n, c in ctx.all_stacks.items() if not isinstance(c, ConfigError)}
        if len(loaded) < 2:
            return self.skipped(f"fewer than two stacks load in {ctx.options.stacks_dir}: nothing to compare")
        files, _ = stack_files(ctx.options.stacks_dir, sorted(loaded))
        seen: dict[str, dict[str, list[Place]]] = defaultdict(lambda: defaultdict(list))
        for raw in files:
            for value, keys, label in self.values(loaded[raw.name], raw):
                seen[value][raw.name].append((raw, keys, label))
        findings, shared = [], []
        for by_stack in seen.values():
            if len(by_stack) < 2:
                continue
            stacks = sorted(by_stack)
            label = next(iter(by_stack.values()))[0][2]
            shared.append(f"{label} shared by {', '.join(stacks)}")
            for name in stacks:
                for raw, keys, _ in by_stack[name]:
                    findings.append(raw.finding(f"{label}: also used by {', '.join(s for s in stacks if s != name)}", *keys))
        evidence = {"stacks": sorted(loaded)}
        if not shared:
            return self.passed(f"no two stacks share a {self.subject}", evidence)
        return self.failed(f"{len(shared)} {self.subject}(s) shared between stacks: " + "; ".join(shared),
                           evidence, findings=findings)


@register
class SharedProjectIds(SeparationCheck):
    id = "config.separation.project_ids"
    title = "Each stack has its own GCP project"
    subject = "GCP project id"
    remediation = "Give every stack its own `launchready:gcp.projectId` (and matching `gcp:project`), e.g. <app>-dev, <app>-prod."

    def values(self, cfg, raw):
        yield cfg.gcp.project_id, ("launchready:gcp", "projectId"), f"GCP project {cfg.gcp.project_id!r}"
        provider = raw.values.get("gcp:project")
        if isinstance(provider, str) and provider != cfg.gcp.project_id:
            yield provider, ("gcp:project",), f"GCP project {provider!r}"


@register
class SharedHostnames(SeparationCheck):
    id = "config.separation.hostnames"
    title = "Each stack has its own hostnames"
    subject = "hostname"
    remediation = ("Give each environment its own hosts, e.g. dev.<zone>/api.dev.<zone> for dev and "
                   "<zone>/api.<zone> for prod; sharing one sends one environment's traffic and mail to another.")

    def values(self, cfg, raw):
        keyed = [(cfg.domain.app_host, "appHost"), (cfg.domain.api_host, "apiHost"), (cfg.domain.mail_domain, "mailDomain")]
        if cfg.domain.www_redirect:
            keyed.append((f"www.{cfg.domain.zone}", "wwwRedirect"))
        for host, key in dict(keyed).items():  # one place per host within a stack
            yield host, ("launchready:domain", key), f"hostname {host!r}"


@register
class SharedSecrets(SeparationCheck):
    """Equal ciphertexts mean a value was copied between stack files (each stack has its own salt);
    equal plain texts mean one credential serves two environments. Values are compared, never shown."""

    id = "config.separation.secrets"
    title = "No two stacks share a secret"
    subject = "secret"
    remediation = ("Create a separate credential per environment (Stripe test keys for dev/staging, live for "
                   "prod; one CRM/support token each) and set it with `pulumi config set --secret ... --stack <stack>`.")

    def values(self, cfg, raw):
        for keys, value in raw.leaves():
            if is_secure(value):
                yield "secure:" + value["secure"], keys, f"the ciphertext of {keys[0]}"
        for name, secret in cfg.secrets().items():
            plain = secret.reveal_plaintext()
            if plain:
                digest = hashlib.sha256(plain.encode()).hexdigest()
                yield "plain:" + digest, (f"launchready:{name}",), f"the plain-text value of launchready:{name}"
