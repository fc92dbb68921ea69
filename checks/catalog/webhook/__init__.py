"""Live probe of the deployed Stripe webhook: it must reject unsigned and wrongly signed requests."""
