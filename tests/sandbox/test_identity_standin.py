"""The Identity Toolkit stand-in and smoke's client of it, in-process: the real API's shapes and errors
(wrong Web API key, taken email, weak password), the admin email verification that only a new sign-in
carries, self-deletion, the sign-up trigger, and the web/Android apiKey the stack outputs hold."""
from __future__ import annotations

import json
import threading

import httpx
import pytest
from werkzeug.wrappers import Request

from launchready.rules.testing.tokens import token_claims
from launchready.sandbox.stubs.auth_api import AuthApiStub
from launchready.sandbox.stubs.http_stub import StubServer, json_response
from launchready.triage.identity import AuthError, IdentityToolkit
from launchready.triage.smoke_targets import web_api_key

KEY = "local-web-api-key-test"


class Trigger(StubServer):
    """Records the CloudEvents the sign-up trigger receives."""

    def __init__(self):
        super().__init__()
        self.events: list[dict] = []
        self.got = threading.Event()

    def wsgi(self, environ, start_response):
        self.events.append(Request(environ).get_json(force=True))
        self.got.set()
        return json_response({})(environ, start_response)


@pytest.fixture
def toolkit():
    with Trigger() as trigger, AuthApiStub(project="acme-dev", api_key=KEY, on_user_created=trigger.base_url) as stub, \
            httpx.Client(timeout=10) as http:
        yield IdentityToolkit(http, stub.base_url, KEY, "acme-dev", "owner"), stub, trigger


def test_sign_up_verify_sign_in_and_delete(toolkit):
    auth, stub, trigger = toolkit
    user = auth.sign_up("smoke")
    first = token_claims(user.id_token)
    assert first["sub"] == user.uid and first["aud"] == "acme-dev" and first["email_verified"] is False
    assert trigger.got.wait(5)
    assert trigger.events[0]["type"] == "google.firebase.auth.user.v1.created"
    assert trigger.events[0]["data"] == {"uid": user.uid, "email": user.email}
    verified = auth.verify_email(user)
    assert token_claims(verified.id_token)["email_verified"] is True and verified.uid == user.uid
    auth.delete(verified)
    assert stub.users == {}
    with pytest.raises(AuthError, match="USER_NOT_FOUND"):
        auth.delete(verified)


def test_the_real_apis_refusals_are_auth_errors(toolkit):
    auth, stub, _ = toolkit
    with pytest.raises(AuthError, match="API key not valid"):
        IdentityToolkit(auth.http, auth.base, "AIzaWrong", "acme-dev", "owner").sign_up()
    user = auth.sign_up()
    answer = auth.http.post(f"{auth.base}/v1/accounts:signUp", params={"key": KEY},
                            json={"email": user.email, "password": "long-enough"})
    assert answer.status_code == 400 and answer.json()["error"]["message"] == "EMAIL_EXISTS"
    weak = auth.http.post(f"{auth.base}/v1/accounts:signUp", params={"key": KEY}, json={"email": "a@b.example",
                                                                                          "password": "123"})
    assert weak.json()["error"]["message"].startswith("WEAK_PASSWORD")
    with pytest.raises(AuthError, match="Google credentials"):
        IdentityToolkit(auth.http, auth.base, KEY, "acme-dev", None).verify_email(user)
    with pytest.raises(AuthError, match="unreachable"):
        IdentityToolkit(auth.http, "http://127.0.0.1:9", KEY, "acme-dev", "owner").sign_up()


def test_the_web_api_key_comes_from_the_web_app_else_the_android_config():
    android = {"configFile": json.dumps({"client": [{"api_key": [{"current_key": "AIzaAndroid"}]}]})}
    assert web_api_key({"web": {"apiKey": "AIzaWeb"}, "android": android}) == "AIzaWeb"
    assert web_api_key({"android": android}) == "AIzaAndroid"
    assert web_api_key({"android": {"configFile": "not json"}}) is None and web_api_key({}) is None


def test_a_key_restricted_to_the_apps_origin_needs_it_as_referer():
    with AuthApiStub(api_key=KEY, referrers=("https://app.acme.example/",)) as stub, httpx.Client(timeout=10) as http:
        with pytest.raises(AuthError, match="referer <empty> are blocked"):
            IdentityToolkit(http, stub.base_url, KEY, "demo-test", "owner").sign_up()
        user = IdentityToolkit(http, stub.base_url, KEY, "demo-test", "owner", "https://app.acme.example/").sign_up()
        assert user.uid in stub.users
