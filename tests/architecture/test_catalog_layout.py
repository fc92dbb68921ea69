"""The catalog's file names are its check ids: `area.topic.rule` lives in `catalog/<area>/<topic>.py`,
and the catalog holds nothing but registered checks and their areas' bases."""
from __future__ import annotations

import importlib
import pkgutil

from launchready.checks.framework.registry import registry

CATALOG = "launchready.checks.catalog"


def test_every_check_id_lives_in_the_file_named_for_its_topic():
    registry.load_catalog()
    misplaced = []
    for cls in registry.all():
        area, topic = cls.id.split(".")[:2]
        if cls.__module__ != f"{CATALOG}.{area}.{topic}":
            misplaced.append(f"{cls.id} is in {cls.__module__}")
    assert misplaced == []


def test_every_catalog_module_registers_a_check_or_is_an_area_base():
    registry.load_catalog()
    defining = {cls.__module__ for cls in registry.all()}
    package = importlib.import_module(CATALOG)
    strays = [info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{CATALOG}.")
              if not info.ispkg and not info.name.endswith("._base") and info.name not in defining]
    assert strays == []
