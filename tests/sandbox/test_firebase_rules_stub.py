"""The Firebase Rules API stand-in answers exactly the calls rules.deployed.match makes, 404 otherwise."""
from __future__ import annotations

import httpx
import pytest

from launchready.checks.catalog.rules.deployed import RulesApiError, fetch_released_source
from launchready.sandbox.stubs.firebase_rules_api import FirebaseRulesApiStub

SOURCE = "rules_version = '2';\nservice cloud.firestore {}\n"


def test_the_release_names_a_ruleset_holding_the_loaded_source():
    with FirebaseRulesApiStub("acme-notes-dev", SOURCE) as stub:
        ruleset, source = fetch_released_source(stub.base_url, "acme-notes-dev", None)
        assert ruleset == stub.ruleset_name and ruleset.startswith("projects/acme-notes-dev/rulesets/")
        assert source == SOURCE
        for method, path in (("GET", "/v1/projects/other/releases/cloud.firestore"),
                             ("GET", "/v1/projects/acme-notes-dev/rulesets/unknown"),
                             ("POST", "/v1/projects/acme-notes-dev/releases/cloud.firestore")):
            assert httpx.request(method, stub.base_url + path).status_code == 404
    assert FirebaseRulesApiStub("p", SOURCE).ruleset_id != FirebaseRulesApiStub("p", SOURCE + "//\n").ruleset_id


def test_without_rules_nothing_is_released():
    with FirebaseRulesApiStub("acme-notes-dev", None) as stub:
        with pytest.raises(RulesApiError) as caught:
            fetch_released_source(stub.base_url, "acme-notes-dev", None)
    assert caught.value.status == 404
