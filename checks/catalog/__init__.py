"""The readiness checks, one package per area (`<area>/<topic>.py`); importing registers them."""
