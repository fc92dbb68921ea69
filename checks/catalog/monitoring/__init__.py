"""Live Cloud Monitoring checks: the planned alert policies and notification channels exist."""
