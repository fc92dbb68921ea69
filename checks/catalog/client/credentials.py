"""Credentials the app sends from the device: every user who installs it can extract them.

Any API, not only known ones: an `Authorization` / `x-api-key` / token header, a `key=`/`token=` query
parameter or `queryParameters` entry, SMTP credentials (`mailer`'s `SmtpServer(username:, password:)`,
`gmail(user, pass)`), and account passwords passed to FirebaseAuth sign-up/sign-in; reported when the
value ships with the build (see `values.py`). The service is named from the URL the call uses. A Firebase
Storage download URL's `token=` is the public link Storage hands out by design, not a credential.
"""
from __future__ import annotations

import bisect
import re
from urllib.parse import urlsplit

from launchready.checks.catalog.client import ClientCodeCheck
from launchready.checks.framework import Finding, Severity, register
from launchready.flutter.dart import balanced_end, split_top_level, statement_start
from launchready.flutter.values import origin
from launchready.secrets.judgement import expired_jwt

HEADER_KEY = (r"(?i:authorization|x-[\w-]*(?:key|token|secret|auth)[\w-]*|[\w-]*api[-_]?key|(?:x-)?auth[-_]?token|"
              r"access[-_]?token|private[-_]?token|token|secret|client[-_]?secret)")
HEADER_ENTRY = re.compile(rf"""(['"])({HEADER_KEY})\1\s*:\s*""")
HEADER_ASSIGN = re.compile(rf"""headers\s*\[\s*(['"])({HEADER_KEY})\1\s*\]\s*=\s*""")
QUERY_ENTRY = re.compile(r"""(['"])((?i:api[-_]?key|apikey|key|token|access[-_]?token|secret|client[-_]?secret))\1\s*:\s*""")
QUERY_IN_URL = re.compile(r"[?&]((?i:api[-_]?key|apikey|key|token|access_token|secret|client_secret))=([^&'\"\s]+)")
SMTP_SERVER = re.compile(r"\bSmtpServer\s*\(")
SMTP_HELPER = re.compile(r"\b(gmail|hotmail|yahoo|yandex|mailgun|qq|zoho)\s*\(")
AUTH_PASSWORD = re.compile(r"\b(createUserWithEmailAndPassword|signInWithEmailAndPassword)\s*\(")
URL = re.compile(r"""https?://[^\s'"$/]+""")
STORAGE_DOWNLOAD_URL = re.compile(r"firebasestorage\.googleapis\.com|firebasestorage\.app|[?&]alt=media")
SERVICES = {"docuseal": "DocuSeal", "rapidapi": "RapidAPI", "openai": "OpenAI", "stripe": "Stripe",
            "hubapi": "HubSpot", "hubspot": "HubSpot", "zendesk": "Zendesk", "intercom": "Intercom",
            "sendgrid": "SendGrid", "mailgun": "Mailgun", "twilio": "Twilio", "anthropic": "Anthropic",
            "googleapis": "Google APIs", "airtable": "Airtable", "notion": "Notion", "github": "GitHub",
            "revenuecat": "RevenueCat", "onesignal": "OneSignal", "algolia": "Algolia", "supabase": "Supabase"}
# Literal words, searched as plain substrings (case variants spelled out).
TRIGGER = (
    "Authorization", "authorization", "AUTHORIZATION", "apiKey", "ApiKey", "api_key", "api-key", "Api-Key", "API-Key",
    "API_KEY", "apikey", "APIKEY", "token", "Token", "TOKEN", "secret", "Secret", "SECRET", "SmtpServer", "gmail(",
    "hotmail(", "yahoo(", "yandex(", "mailgun(", "qq(", "zoho(", "AndPassword(", "?key=", "&key=")


def _urls(dart) -> tuple[list[int], list[str]]:
    """Offsets and texts of the file's URLs, found once per file: searching each candidate's statement
    again was quadratic on a file that is one long statement."""
    if "urls" not in dart.facts:
        matches = list(URL.finditer(dart.code))
        dart.facts["urls"] = ([m.start() for m in matches], [m.group() for m in matches])
    return dart.facts["urls"]


def _value_end(code: str, start: int) -> int:
    """End of the expression starting at `start` (the next depth-0 `,`, `}`, `)` or `;`)."""
    depth = 0
    for i in range(start, min(len(code), start + 400)):
        char = code[i]
        if char in "([{":
            depth += 1
        elif char in ")]}" and depth == 0 or char in ",;" and depth == 0:
            return i
        elif char in ")]}":
            depth -= 1
    return min(len(code), start + 400)


def _service(dart, offset: int) -> str:
    """The API a call at `offset` talks to: the URL in its statement, else the nearest one before it."""
    start = statement_start(dart.tokens, offset)
    end = dart.code.find(";", offset)
    starts, found = _urls(dart)
    first = bisect.bisect_left(starts, start)
    urls = found[first:first + 1] if first < len(starts) and starts[first] < (end if end > 0 else len(dart.code)) else []
    if not urls:
        last = bisect.bisect_left(starts, offset) - 1
        urls = found[last:last + 1] if last >= 0 and starts[last] >= offset - 3000 else []
    if not urls:
        return "an HTTP API"
    host = urlsplit(urls[0]).hostname or urls[0]
    named = next((label for word, label in SERVICES.items() if word in host), None)
    return f"{named} ({host})" if named else host


@register
class ShippedCredentials(ClientCodeCheck):
    id = "client.credentials.shipped"
    title = "The app sends no credential it carries (API tokens, SMTP, account passwords)"
    severity = Severity.CRITICAL
    remediation = ("Rotate each credential found, then move the call behind a backend function that holds it "
                   "in Secret Manager. `--dart-define` and bundled `.env` values are compiled into the app and "
                   "are as public as literals. Send mail from the backend; create accounts with user input.")
    what = "shipped credential(s)"
    trigger = TRIGGER

    def findings_in(self, dart, app):
        return [*self._headers(dart, app), *self._queries(dart, app), *self._smtp(dart, app),
                *self._passwords(dart, app)]

    def _report(self, dart, app, at: int, expr: str, what: str, service: str, min_length: int = 12) -> list[Finding]:
        found = origin(app, dart, expr, min_length)
        if found is None:
            return []
        if found.kind == "literal" and expired_jwt(expr.encode("utf-8", "replace")):
            self.not_raised.append(f"{dart.rel}:{dart.line(at)}: {what} is a JWT whose `exp` has passed")
            return []
        return [Finding(str(dart.path), dart.line(at), f"{what} for {service} comes from {found.describe()}")]

    def _headers(self, dart, app) -> list[Finding]:
        findings = []
        for pattern in (HEADER_ENTRY, HEADER_ASSIGN):
            for entry in pattern.finditer(dart.code):
                expr = dart.code[entry.end():_value_end(dart.code, entry.end())]
                findings += self._report(dart, app, entry.start(2), expr, f"the {entry.group(2)} header",
                                         _service(dart, entry.start()))
        return findings

    def _queries(self, dart, app) -> list[Finding]:
        findings = []
        for literal in dart.tokens.strings if QUERY_IN_URL.search(dart.code) else ():
            value = dart.tokens.value(literal)
            if STORAGE_DOWNLOAD_URL.search(value):
                continue
            for query in QUERY_IN_URL.finditer(value):
                raw = query.group(2)
                expr = raw.lstrip("$").strip("{}") if raw.startswith("$") else f"'{raw}'"
                findings += self._report(dart, app, literal.start, expr, f"the {query.group(1)}= query parameter",
                                         _service(dart, literal.start))
        for entry in QUERY_ENTRY.finditer(dart.code):
            if "queryParameters" in dart.code[max(0, entry.start() - 200):entry.start()]:
                expr = dart.code[entry.end():_value_end(dart.code, entry.end())]
                findings += self._report(dart, app, entry.start(2), expr, f"the {entry.group(2)} query parameter",
                                         _service(dart, entry.start()))
        return findings

    def _args(self, dart, call) -> tuple[list[str], int]:
        open_at = call.end() - 1
        return split_top_level(dart.code[open_at + 1:balanced_end(dart.tokens, open_at) - 1]), open_at + 1

    def _smtp(self, dart, app) -> list[Finding]:
        findings = []
        for call in SMTP_SERVER.finditer(dart.code):
            args, _ = self._args(dart, call)
            host = args[0].strip().strip("'\"") if args and ":" not in args[0] else "server"
            for arg in args:   # the password is the credential; a username alone is not reported
                name, _, expr = arg.partition(":")
                if name.strip() == "password" and expr:
                    at = dart.code.find(arg.strip(), call.end())
                    findings += self._report(dart, app, at, expr, "the SMTP password", f"SMTP ({host})",
                                             min_length=4)
        for call in SMTP_HELPER.finditer(dart.code):
            args, _ = self._args(dart, call)
            if len(args) >= 2:
                at = dart.code.find(args[1].strip(), call.end())
                findings += self._report(dart, app, at, args[1], "the SMTP password",
                                         f"{call.group(1).title()} SMTP", min_length=4)
        return findings

    def _passwords(self, dart, app) -> list[Finding]:
        findings = []
        for call in AUTH_PASSWORD.finditer(dart.code):
            args, _ = self._args(dart, call)
            for arg in args:
                name, _, expr = arg.partition(":")
                if name.strip() == "password" and expr:
                    at = dart.code.find(arg.strip(), call.end())
                    findings += self._report(dart, app, at, expr, f"the account password passed to {call.group(1)}",
                                             "Firebase Auth", min_length=4)
        return findings
