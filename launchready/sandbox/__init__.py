"""Local stand-ins for each cloud service (docs/architecture.md; docs/sandbox.md lists them), all on 127.0.0.1."""
