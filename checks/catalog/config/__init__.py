"""config.*: every stack, side by side: complete, separated, in the right Stripe mode, no plain secrets."""
