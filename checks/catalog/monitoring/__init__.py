"""Live monitoring checks."""
