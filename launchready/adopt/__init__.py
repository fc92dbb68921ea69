"""`launchready adopt`: what already runs for a stack (discovery, read-only), a decision per planned
resource (create, adopt, conflict, unknown) and the stack changes that make the first `pulumi up`
import instead of collide."""
