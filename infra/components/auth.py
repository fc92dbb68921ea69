"""Identity Platform: email/password sign-in, sign-up request logging, authorized domains."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp


@dataclass(frozen=True)
class AuthArgs:
    project_id: pulumi.Input[str]
    app_hostnames: list[str]
    # Firebase's default list has `localhost` (what `flutter run -d chrome` signs in from); setting the
    # list replaces the default, so keep it where developers run the app against this environment.
    allow_localhost: bool = False


class Auth(pulumi.ComponentResource):
    def __init__(self, name: str, args: AuthArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Auth", name, None, opts)
        domains = pulumi.Output.from_input(args.project_id).apply(
            lambda project: authorized_domains(project, args.app_hostnames, args.allow_localhost))
        # Email verification: the app sends the verification mail; Firestore rules and the support
        # endpoint accept only tokens with `email_verified`. Request logging feeds the sign-up trigger.
        self.config = gcp.identityplatform.Config(
            f"{name}-config", project=args.project_id, authorized_domains=domains,
            sign_in={"allow_duplicate_emails": False, "email": {"enabled": True, "password_required": True}},
            monitoring={"request_logging": {"enabled": True}},
            opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"authorized_domains": domains})


def authorized_domains(project_id: str, app_hostnames: list[str], allow_localhost: bool = False) -> list[str]:
    """The app's own hostnames plus the project's default Firebase domains (and `localhost` in dev)."""
    return [*app_hostnames, f"{project_id}.firebaseapp.com", f"{project_id}.web.app",
            *(["localhost"] if allow_localhost else [])]
