"""The app's own flavors, compared with each other: the prod build's Firebase project is not a dev or
staging one, and each flavor's configs name one project. Needs no stack, so `launchready scan` judges it
before any environment is configured (client.config.firebase_project then checks each stack's project).
"""
from __future__ import annotations

from launchready.checks.catalog.secrets import app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.flutter.app_config import AppConfigError, firebase_clients


@register
class FlavorsSeparated(Check):
    id = "client.flavors.separate"
    title = "The app's prod flavor talks to its own Firebase project, and each flavor to one project"
    severity = Severity.HIGH
    stackless = True
    remediation = ("Regenerate the flavor's config for its own project (`flutterfire configure --project=<prod-project> "
                   "--out=lib/firebase_options_<flavor>.dart`, and that project's google-services.json / "
                   "GoogleService-Info.plist in the flavor's folder).")

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the app's Firebase config was not read")
        if unusable:
            return unusable
        try:
            clients = firebase_clients(ctx.app_dir)
        except AppConfigError as exc:
            return self.skipped("the app's Firebase config cannot be read: " + str(exc).replace(str(ctx.project.root) + "/", ""))
        by_env: dict[str, set[str]] = {}
        for client in clients:
            if client.environment:
                by_env.setdefault(client.environment, set()).update({client.project_id, *client.other_projects})
        evidence = {"projects": {env: sorted(projects) for env, projects in sorted(by_env.items())}}
        if not by_env:
            names = sorted({c.project_id for c in clients})
            return self.passed(f"no flavors: every build uses {', '.join(names) or 'no Firebase config'}", evidence)
        shared = by_env.get("prod", set()) & set().union(*(p for env, p in by_env.items() if env != "prod"))
        findings = [Finding(ctx.project.display(c.source), c.line, self._why(c, by_env, shared)) for c in clients
                    if c.environment and (len(by_env[c.environment]) > 1 or (c.environment == "prod"
                                                                               and {c.project_id, *c.other_projects} & shared))]
        if not findings:
            return self.passed(f"each flavor has its own project: {', '.join(f'{e} {sorted(p)[0]}' for e, p in sorted(by_env.items()))}",
                               evidence)
        return self.failed(f"{len(findings)} Firebase config(s) mix environments' projects", evidence, findings=findings)

    @staticmethod
    def _why(client, by_env: dict[str, set[str]], shared: set[str]) -> str:
        mine = sorted({client.project_id, *client.other_projects})
        if client.environment == "prod" and set(mine) & shared:
            return f"the {client.flavor} build ({client.platform}) uses {', '.join(sorted(set(mine) & shared))}, also used by another flavor"
        return f"the {client.flavor} flavor names several projects ({', '.join(sorted(by_env[client.environment]))}); this {client.platform} config: {', '.join(mine)}"
