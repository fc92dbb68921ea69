"""Live http checks."""
