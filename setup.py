"""Packaging: the repository keeps its top-level folders; installed, they live under one namespace.

`launchready` (the application layer) plus the design card's folders mapped below it, so a user's own
`checks`, `infra` or `backend` packages never collide with ours.
"""
from setuptools import find_packages, setup

FOLDERS = {
    "launchready": "launchready",
    "launchready.checks": "checks",
    "launchready.infra": "infra",
    "launchready.sandbox": "sandbox",
    "launchready.handover": "handover",
    "launchready.functions": "functions",  # the deployable Cloud Functions source, shipped whole
}

packages = [sub for name, folder in FOLDERS.items()
            for sub in [name, *(f"{name}.{found}" for found in find_packages(folder))]]
setup(packages=packages, package_dir=FOLDERS)
