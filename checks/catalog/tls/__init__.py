"""Live tls checks."""
