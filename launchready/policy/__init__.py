"""The launch policies (CrossGuard pack and offline checks share `checks.policy.policies`)."""
