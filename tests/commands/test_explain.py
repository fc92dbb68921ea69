"""`launchready explain ID` says, for every registered check, what it protects against and why, with a
docs link that resolves inside this repository."""
from __future__ import annotations

import re

import pytest

from launchready.checks.explanations import DOC, explanations
from launchready.checks.framework.registry import registry
from launchready.cli import main
from tests.conftest import REPO_ROOT

# Phrases of implementation notes (how the code works) rather than what the check protects.
IMPLEMENTATION_NOTE = re.compile(r"does the work|subclass|one result|returns? (?:a|one|the) |the check |"
                                 r"`\w+` (?:does|picks|runs)|findings are|in-process|lazily|thread", re.I)


def _checks():
    registry.load_catalog()
    return registry.all()


def test_every_check_has_an_explanation_and_no_stale_entries():
    ids = {cls.id for cls in _checks()}
    assert sorted(ids - set(explanations())) == []
    assert sorted(set(explanations()) - ids) == []


@pytest.mark.parametrize("check_id", sorted(explanations()))
def test_explanation_says_what_it_protects_not_how_it_works(check_id):
    text = explanations()[check_id]
    assert text.startswith("Protects"), check_id
    assert len(text) >= 80 and not IMPLEMENTATION_NOTE.search(text), text


def test_explain_prints_the_explanation_and_a_link_that_resolves(capsys):
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', (REPO_ROOT / DOC).read_text(encoding="utf-8")))
    for cls in _checks():
        capsys.readouterr()
        assert main(["explain", cls.id]) == 0
        out = capsys.readouterr().out
        assert " ".join(explanations()[cls.id].split()[:6]) in " ".join(out.split())
        link = re.search(r"Docs: (\S+)", out).group(1)
        path, _, fragment = link.partition("#")
        assert (REPO_ROOT / path).is_file() and fragment in anchors, link
        assert "github.com" not in out
