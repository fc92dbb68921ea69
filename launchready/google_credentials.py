"""Google credentials for the live checks that read Google APIs (Cloud Monitoring, Firebase Rules).

Whether credentials are configured is decided without touching the network, so a laptop or CI runner
without them skips those checks at once instead of probing the GCE metadata server for seconds.
"""
from __future__ import annotations

import os
from pathlib import Path

TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN"  # an explicit OAuth access token wins over ADC


def access_token(scopes: list[str]) -> str | None:
    """A bearer token from $GOOGLE_OAUTH_ACCESS_TOKEN or Application Default Credentials, or None
    when neither is configured. Raises google.auth's errors when configured credentials are broken."""
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    import google.auth
    import google.auth.transport.requests
    from google.auth import _cloud_sdk
    from google.auth.compute_engine._metadata import detect_gce_residency_linux

    configured = (os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
                  or _readable_file(Path(_cloud_sdk.get_application_default_credentials_path()))
                  or detect_gce_residency_linux())
    if not configured:
        return None
    credentials, _ = google.auth.default(scopes=scopes)
    credentials.refresh(google.auth.transport.requests.Request())
    return credentials.token


def token_or_why(scopes: list[str]) -> tuple[str | None, str]:
    """`access_token`, or None and why not (none configured, or configured but broken), for callers that
    report a missing credential rather than raise."""
    import google.auth.exceptions

    try:
        token = access_token(scopes)
    except google.auth.exceptions.GoogleAuthError as exc:
        return None, f"Google credentials are broken ({type(exc).__name__})"
    return token, "" if token else ("no Google credentials: set GOOGLE_OAUTH_ACCESS_TOKEN or run "
                                    "`gcloud auth application-default login`")


def configured_here() -> bool:
    """Whether credentials are set up for this user, decided from files and variables alone: an explicit
    token, or a readable ADC file (init's "what already runs" line; no metadata-server probe)."""
    if os.environ.get(TOKEN_ENV):
        return True
    from google.auth import _cloud_sdk

    explicit = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    return _readable_file(Path(explicit or _cloud_sdk.get_application_default_credentials_path()))


def _readable_file(path: Path) -> bool:
    """A home folder this user cannot read (run as another user) holds no credentials for it."""
    try:
        return path.is_file()
    except OSError:
        return False
