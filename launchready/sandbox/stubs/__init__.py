"""Local HTTP stand-ins for third-party APIs (Stripe, CRM, support desk), for tests and the sandbox."""
