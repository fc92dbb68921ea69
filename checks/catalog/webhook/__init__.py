"""Live webhook checks."""
