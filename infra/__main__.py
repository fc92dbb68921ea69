"""Pulumi entry point (`main: infra/` in Pulumi.yaml): one isolated environment per stack."""
from launchready.infra.components.environment import deploy

deploy()
