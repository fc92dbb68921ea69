"""Live HTTP checks for each app hostname: redirect to HTTPS, HSTS."""
