"""Live stripe checks."""
