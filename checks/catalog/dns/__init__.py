"""Live dns checks."""
