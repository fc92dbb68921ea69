"""Pulumi ComponentResources, one per concern of an environment (see `environment.deploy`)."""
