"""What the app says it intends, read from its access matrix (`launchready.access.yaml`).

An `expect: allow` row is a declaration: `who: anonymous, op: get|list` declares a collection public to
everyone, `who: other` (any signed-in user) public to members; an allowed `create` by either declares
that create (a write-only sink for leads, error logs, feedback; community posts). The static audits judge an open
statement against these declarations instead of raising it: declared openness is intended — except a
public read of documents that hold emails, uids or payment fields, which is still a finding.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from launchready.rules.testing.access_file import AccessMatrix

READS = frozenset({"get", "list"})
# Normalised (lower-case, no separators) names of fields that make a document someone's private data.
# Owner references (`ownerId`, `authorId`) are how public content shows authorship, so only a user's own
# id held as data (`uid`, `user_id`) counts, as on a user or applicant record.
SENSITIVE = re.compile(r"email|phone|^uid$|^useruid$|^userid$|customerid|stripe|payment|"
                       r"card(?:number|last4|brand)|iban|billing|address|birth|ssn|password")


def normalise(name: str) -> str:
    """`verification_status`, `verificationStatus`, `Verification-Status` -> verificationstatus."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Intent:
    public_read: frozenset[str] = frozenset()     # anyone, signed out too
    member_read: frozenset[str] = frozenset()     # any signed-in user
    public_sink: frozenset[str] = frozenset()     # anyone may create (a lead / error-log sink, a guestbook)
    member_sink: frozenset[str] = frozenset()     # any signed-in user may create
    fields: dict[str, frozenset[str]] = field(default_factory=dict)   # collection -> fields its documents hold
    source: str = "launchready.access.yaml"

    @classmethod
    def from_matrix(cls, matrix: AccessMatrix, source: str = "launchready.access.yaml") -> Intent:
        allowed: dict[tuple[str, str], set[str]] = {}
        fields: dict[str, set[str]] = {}
        for row in matrix.rows:
            collection = _collection(row.path, row.op)
            fields.setdefault(collection, set()).update(row.data or {})
            if row.expect == "allow" and row.who in ("anonymous", "other"):
                kind = "read" if row.op in READS else row.op
                allowed.setdefault((row.who, kind), set()).add(collection)
        for path, doc in matrix.seed.items():
            fields.setdefault(_collection(path, "get"), set()).update(doc)
        public_read = frozenset(allowed.get(("anonymous", "read"), ()))
        member_read = public_read | allowed.get(("other", "read"), set())
        public_sink = frozenset(allowed.get(("anonymous", "create"), set()))
        member_sink = public_sink | allowed.get(("other", "create"), set())
        return cls(public_read, frozenset(member_read), public_sink, frozenset(member_sink),
                   {c: frozenset(f) for c, f in fields.items()}, source)

    def with_fields(self, more: dict[str, set[str]]) -> Intent:
        """The same declarations, knowing more about what each collection's documents hold."""
        merged = {c: frozenset(self.fields.get(c, frozenset()) | set(more.get(c, ())))
                  for c in set(self.fields) | set(more)}
        return replace(self, fields=merged)

    def declared(self, collection: str, operations: Iterable[str], signed_in: bool) -> bool:
        """Whether granting `operations` on `collection` (to everyone, or to every signed-in user when
        `signed_in`) is what the app declared."""
        reads, sinks = (self.member_read, self.member_sink) if signed_in else (self.public_read, self.public_sink)
        return all(collection in (reads if op in READS else sinks if op == "create" else ()) for op in operations)

    def sensitive(self, collection: str, more: Iterable[str] = ()) -> list[str]:
        """Fields of the collection's documents that are someone's private data."""
        names = set(self.fields.get(collection, ())) | set(more)
        return sorted(n for n in names if SENSITIVE.search(normalise(n)))


def _collection(path: str, op: str) -> str:
    """The collection id a row's path names (`posts/p1/comments/c1` -> comments; for list, the path's last)."""
    segments = path.strip("/").split("/")
    return segments[-1] if op == "list" or len(segments) % 2 else segments[-2]


NO_INTENT = Intent()


SINK_NAMES = re.compile(r"(?i)lead|waitlist|wait_list|newsletter|feedback|crash|error|_?logs?$|analytics|survey|"
                        r"inquir|enquir|signup|sign_up|report")


def assumed_intent(rules) -> tuple[set[str], set[str]]:
    """What `init` may declare on the app's behalf: (public reads, create-only sinks). A public read is
    read-only content nobody owns (the audits' `public_collections`) that the rules engine lets a signed-out
    caller get; a sink is a collection named like one (leads, feedback, crash logs) that a signed-out caller
    may create in but nobody reads. Everything else stays for the team to declare."""
    from launchready.rules.analysis.anonymous import anonymous_grants
    from launchready.rules.analysis.audits import collection_id, public_collections

    anonymous, granted = anonymous_grants(rules), {}   # type: dict[int, set[str]], dict[str, set[str]]
    for allow in rules.allows():
        collection = collection_id(allow.match)
        if collection is not None:
            granted.setdefault(collection, set()).update(anonymous.get(allow.line, ()))
    public = {c for c in public_collections(rules) if "get" in granted.get(c, ())}
    sinks = {c for c, ops in granted.items() if ops == {"create"} and SINK_NAMES.search(c)}
    return public, sinks
