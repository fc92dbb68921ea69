"""Live email checks."""
