"""Live TLS checks for each app hostname: certificate trust, name, expiry, protocol versions."""
