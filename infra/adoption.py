"""The program's side of `launchready adopt`: resources the stack's `launchready:adopt.imports` names
get Pulumi's `import_` option, so the first `pulumi up` adopts what already runs instead of creating
a duplicate (a 409, or a second SPF record). One stack transformation does it for every resource, so
each keeps the parent, provider and name the program gives it: its URN is the program's own.

Pulumi CLI 3.170+ (pulumi/pulumi#19339) imports a resource whose inputs differ from the live state
and then updates it; differences that would replace it are `adopt`'s conflicts, decided before."""
from __future__ import annotations

from collections.abc import Mapping

import pulumi


class Importer:
    """`transform` gives a custom resource its import id; `unused` lists names nothing claimed."""

    def __init__(self, imports: Mapping[str, str]):
        self.imports, self.claimed = dict(imports), set[str]()

    def transform(self, args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        import_id = self.imports.get(args.name)
        if import_id is None or not isinstance(args.resource, pulumi.CustomResource):
            return None
        self.claimed.add(args.name)
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(import_=import_id))
        return pulumi.ResourceTransformationResult(args.props, opts)

    @property
    def unused(self) -> list[str]:
        return sorted(set(self.imports) - self.claimed)


def adopt(imports: Mapping[str, str]) -> Importer:
    """Registers the import transformation for every resource made after this call."""
    importer = Importer(imports)
    if importer.imports:
        pulumi.runtime.register_stack_transformation(importer.transform)
    return importer
