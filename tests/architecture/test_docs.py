"""Generated documentation stays in step with the code."""
from __future__ import annotations

from pathlib import Path

from launchready.checks.framework.registry import registry
from launchready.checks.reports.sarif import help_uri
from launchready.commands.catalog import checks_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_checks_md_is_generated_from_the_registry():
    registry.load_catalog()
    expected = checks_markdown(registry.all())
    assert (DOCS / "checks.md").read_text(encoding="utf-8") == expected, \
        "docs/checks.md is stale: run `launchready checks --format markdown > docs/checks.md`"


def test_every_sarif_help_uri_names_an_anchor_that_docs_checks_md_carries():
    registry.load_catalog()
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    for cls in registry.all():
        anchor = help_uri(cls.id).rsplit("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in text, cls.id


def test_relative_links_in_the_readme_and_docs_resolve():
    import re

    root = DOCS.parent
    broken = []
    for page in [root / "README.md", root / "CHANGELOG.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(root)} -> {target}")
    assert broken == []
