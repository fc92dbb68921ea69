"""Every remediation is copy-pasteable: a stack config key it names carries the `launchready:` prefix
(the way it is written in Pulumi.<stack>.yaml and `pulumi config set`)."""
from __future__ import annotations

import re

from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from launchready.checks.framework.registry import registry
from launchready.config.model import EnvironmentConfig


def config_key_paths() -> set[str]:
    """`section.field` for every nested setting of the environment model (e.g. email.dmarcPolicy)."""
    paths = set()
    for name, field in EnvironmentConfig.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            paths |= {f"{to_camel(name)}.{to_camel(sub)}" for sub in model.model_fields}
    return paths


def unprefixed(text: str, paths: set[str]) -> list[str]:
    pattern = re.compile(r"(?<![\w.:-])(" + "|".join(map(re.escape, sorted(paths, key=len, reverse=True))) + r")\b")
    return [m.group(1) for m in pattern.finditer(text)]


def test_the_detector_sees_a_bare_key_and_accepts_a_prefixed_one() -> None:
    paths = config_key_paths()
    assert "email.dmarcPolicy" in paths and "tls.hstsMaxAge" in paths
    assert unprefixed("Set `email.dmarcPolicy: reject`", paths) == ["email.dmarcPolicy"]
    assert unprefixed("Set `launchready:email.dmarcPolicy: reject`", paths) == []
    assert unprefixed("call stripe.Webhook.construct_event", paths) == []


def test_every_check_remediation_prefixes_config_keys() -> None:
    registry.load_catalog()
    paths = config_key_paths()
    bare = {cls.id: unprefixed(cls.remediation, paths) for cls in registry.all()}
    assert {k: v for k, v in bare.items() if v} == {}
