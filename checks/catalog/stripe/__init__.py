"""Live Stripe checks: the environment's webhook endpoint as Stripe has it, and the key's mode."""
