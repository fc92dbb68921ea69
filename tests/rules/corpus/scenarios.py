"""Case records (without verdicts) for the corpus: realistic apps plus the expression probes."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from probes import PROBES, Geo, Ref, utc

from launchready.rules.testing.values import encode_value

DB = "projects/demo-corpus/databases/(default)/documents"


def rest(value: Any) -> dict[str, Any]:
    """A Python value as Firestore REST `Value` JSON (int vs float kept apart), references and
    geo points included."""
    if isinstance(value, Ref):
        return {"referenceValue": f"{DB}/{value.path}"}
    if isinstance(value, Geo):
        return {"geoPointValue": {"latitude": value.lat, "longitude": value.lng}}
    if isinstance(value, dict):
        return {"mapValue": {"fields": fields(value)}}
    if isinstance(value, list):
        return {"arrayValue": {"values": [rest(v) for v in value]}}
    if isinstance(value, datetime):   # whole seconds, as the corpus always wrote them
        return {"timestampValue": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return encode_value(value)


def fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: rest(v) for k, v in data.items()}


def actor(uid: str | None, **claims: Any) -> dict | None:
    return None if uid is None else {"uid": uid, "claims": claims}


class Builder:
    def __init__(self, rules: str, base_tags: tuple[str, ...], seed: dict[str, dict] | None = None):
        self.rules, self.base_tags, self.seed = rules, base_tags, seed or {}
        self.records: list[dict] = []

    def add(self, description: str, tags: tuple[str, ...], op: str, path: str | None = None, who=None,
            data: dict | None = None, mode: str | None = None, mask: list[str] | None = None,
            query: dict | None = None, writes: list[dict] | None = None, stamps: list[str] | None = None,
            seed: dict | None = None) -> None:
        stem = self.rules.rsplit(".", 1)[0]
        record: dict[str, Any] = {
            "id": f"{stem}/{len(self.records) + 1:03d}", "rules": self.rules, "description": description,
            "constructs": sorted(set(self.base_tags + tags + (f"op-{op}",)
                                     + (("unauthenticated",) if who is None else ()))),
            "seed": {p: fields(d) for p, d in (self.seed if seed is None else seed).items()},
            "actor": who, "operation": op,
        }
        if path is not None:
            record["path"] = path
        if data is not None:
            record["data"] = fields(data)
        if op == "update":
            record["update_mode"] = mode or "merge"
            if record["update_mode"] == "merge":
                record["update_mask"] = mask if mask is not None else sorted(data or {})
        if stamps:
            record["server_timestamp_fields"] = stamps
        if query is not None:
            record["query"] = {**query, "where": [{**w, "value": rest(w["value"])} for w in query.get("where", [])]}
        if writes is not None:
            record["writes"] = writes
        self.records.append(record)


def write(op: str, path: str, data: dict | None = None, mode: str | None = None, mask: list[str] | None = None,
          stamps: list[str] | None = None) -> dict:
    out: dict[str, Any] = {"operation": op, "path": path}
    if data is not None:
        out["data"] = fields(data)
    if op == "update":
        out["update_mode"] = mode or "merge"
        if out["update_mode"] == "merge":
            out["update_mask"] = mask if mask is not None else sorted(data or {})
    if stamps:
        out["server_timestamp_fields"] = stamps
    return out


ALICE, BOB, CAROL = actor("alice"), actor("bob"), actor("carol")
STAFF = actor("sam", staff=True)
NOT_STAFF = actor("nina", staff=False)

WS = {"ownerId": "alice", "name": "Acme Rockets", "plan": "trial", "members": {"alice": "admin", "bob": "member"},
      "stripeCustomerId": "cus_123", "createdAt": utc(2024, 1, 2)}
TEAMSPACE_SEED = {
    "users/alice": {"displayName": "Alice", "email": "alice@rockets.io"},
    "workspaces/ws1": WS,
    "workspaces/ws1/projects/p1": {"title": "Launch", "createdBy": "alice", "archived": False},
    "workspaces/ws1/projects/p1/tasks/t1": {"status": "todo", "createdBy": "bob", "assigneeId": None},
    "workspaces/ws1/invoices/inv1": {"amountCents": 4900, "currency": "usd"},
    "workspaces/ws1/projects/p1/tasks/t1/comments/c1": {"authorId": "bob", "body": "on it"},
    "memberships/m1": {"uid": "bob", "wsId": "ws1"},
}


def teamspace() -> list[dict]:
    b = Builder("teamspace.rules", ("rules-v2", "saas-model", "nested-match"), TEAMSPACE_SEED)
    ws, proj, task = "workspaces/ws1", "workspaces/ws1/projects/p1", "workspaces/ws1/projects/p1/tasks/t1"
    for who, name in ((ALICE, "owner"), (BOB, "member"), (CAROL, "outsider"), (STAFF, "staff"),
                      (NOT_STAFF, "claim false"), (None, "anon")):
        tags = ("get-lookup", "auth-uid", "map-in") + (("auth-claims",) if who in (STAFF, NOT_STAFF) else ())
        b.add(f"{name} gets the workspace", tags + ("function-params", "let"), "get", ws, who)
        b.add(f"{name} reads a project", tags, "get", proj, who)
        b.add(f"{name} reads a task", tags, "get", task, who)
        b.add(f"{name} reads an invoice", tags + ("map-get",), "get", "workspaces/ws1/invoices/inv1", who)
        b.add(f"{name} reads a missing invoice", tags + ("resource-null",), "get", "workspaces/ws1/invoices/nope", who)
        b.add(f"{name} writes an invoice", tags + ("read-write-alias",), "update", "workspaces/ws1/invoices/inv1",
              who, {"amountCents": 1})
        b.add(f"{name} reads a profile", ("auth-uid",), "get", "users/alice", who)
        b.add(f"{name} lists workspaces it owns", ("list-query", "list-query-filter", "resource-data"), "list",
              "workspaces", who, query={"where": [{"field": "ownerId", "op": "==", "value": (who or {}).get("uid", "x")}]})
        b.add(f"{name} lists tasks", ("list-query",), "list", f"{proj}/tasks", who)
        b.add(f"{name} deletes a task it may not own", ("resource-data",), "delete", task, who)
        b.add(f"{name} renames the workspace", ("diff-affectedKeys", "keys-hasAny"), "update", ws, who,
              {"name": "New name"})
        b.add(f"{name} reads a comment (collection group rule)", ("recursive-wildcard", "resource-data"), "get",
              f"{task}/comments/c1", who)
        b.add(f"{name} lists comments as a collection group", ("collection-group", "list-query"), "list",
              "comments", who, query={"collection_group": True})
        b.add(f"{name} lists own comments as a group", ("collection-group", "list-query-filter"), "list",
              "comments", who, query={"collection_group": True,
                                      "where": [{"field": "authorId", "op": "==", "value": (who or {}).get("uid", "x")}]})
    profile = {"displayName": "Carol", "email": "carol@rockets.io"}
    for desc, who, path, data in [
        ("own profile", CAROL, "users/carol", profile),
        ("someone else's profile", CAROL, "users/dave", profile),
        ("profile with an extra field", CAROL, "users/carol", {**profile, "role": "admin"}),
        ("profile missing email", CAROL, "users/carol", {"displayName": "Carol"}),
        ("empty display name", CAROL, "users/carol", {**profile, "displayName": ""}),
        ("display name of 51 chars", CAROL, "users/carol", {**profile, "displayName": "x" * 51}),
        ("display name of 50 chars", CAROL, "users/carol", {**profile, "displayName": "x" * 50}),
        ("display name a number", CAROL, "users/carol", {**profile, "displayName": 7}),
        ("bad email", CAROL, "users/carol", {**profile, "email": "carol-at-rockets"}),
        ("uppercase TLD email", CAROL, "users/carol", {**profile, "email": "carol@rockets.IO"}),
        ("with photo", CAROL, "users/carol", {**profile, "photoUrl": "https://cdn.rockets.io/c.png"}),
        ("anonymous", None, "users/carol", profile),
    ]:
        b.add(f"create {desc}", ("keys-hasAll", "keys-hasOnly", "string-size", "string-matches", "type-check",
                                 "request-resource-data"), "create", path, who, data)
    b.add("create profile with a server timestamp", ("server-timestamp", "keys-hasOnly"), "create", "users/carol",
          CAROL, profile, stamps=["createdAt"])
    for desc, data, mode, mask in [
        ("display name (merge)", {"displayName": "Al"}, "merge", None),
        ("photo https (merge)", {"photoUrl": "https://x.io/a.png"}, "merge", None),
        ("photo http (merge)", {"photoUrl": "http://x.io/a.png"}, "merge", None),
        ("email (merge)", {"email": "evil@x.io"}, "merge", None),
        ("delete email via mask", {}, "merge", ["email"]),
        ("whole doc set, same email", {"displayName": "Al", "email": "alice@rockets.io"}, "set", None),
        ("whole doc set, dropping email", {"displayName": "Al"}, "set", None),
    ]:
        b.add(f"owner updates {desc}", ("diff-affectedKeys", "keys-hasOnly", "string-matches", "map-in"), "update",
              "users/alice", ALICE, data, mode, mask)
    b.add("other user updates alice's profile", ("auth-uid",), "update", "users/alice", BOB, {"displayName": "B"})
    b.add("owner deletes profile", ("deny-default",), "delete", "users/alice", ALICE)
    new_ws = {"ownerId": "carol", "name": "Carol Co", "plan": "free", "members": {"carol": "admin"}}
    for desc, who, data in [
        ("valid", CAROL, new_ws),
        ("paid plan", CAROL, {**new_ws, "plan": "pro"}),
        ("for someone else", CAROL, {**new_ws, "ownerId": "dave"}),
        ("two members", CAROL, {**new_ws, "members": {"carol": "admin", "dave": "member"}}),
        ("as member not admin", CAROL, {**new_ws, "members": {"carol": "member"}}),
        ("anonymous", None, new_ws),
    ]:
        b.add(f"create workspace {desc}", ("map-size", "map-get", "list-in"), "create", "workspaces/ws2", who, data)
    for desc, who, data in [
        ("admin renames", ALICE, {"name": "Rockets"}),
        ("admin changes plan", ALICE, {"plan": "pro"}),
        ("admin changes stripe id", ALICE, {"stripeCustomerId": "cus_x"}),
        ("member renames", BOB, {"name": "Bob's"}),
        ("admin adds member", ALICE, {"members": {"alice": "admin", "bob": "member", "carol": "member"}}),
    ]:
        b.add(f"workspace: {desc}", ("diff-affectedKeys", "keys-hasAny", "get-lookup", "let"), "update",
              "workspaces/ws1", who, data)
    b.add("owner deletes workspace", ("resource-data",), "delete", "workspaces/ws1", ALICE)
    b.add("member deletes workspace", ("resource-data",), "delete", "workspaces/ws1", BOB)
    b.add("owner deletes a missing workspace", ("resource-null", "missing-field-error"), "delete", "workspaces/zz", ALICE)
    project = {"title": "Beta", "createdBy": "bob"}
    b.add("member creates project with server time", ("server-timestamp", "request-time"), "create",
          f"{ws}/projects/p2", BOB, project, stamps=["createdAt"])
    b.add("member creates project with client time", ("request-time",), "create", f"{ws}/projects/p2", BOB,
          {**project, "createdAt": utc(2024, 5, 1)})
    b.add("member creates project for someone else", ("auth-uid",), "create", f"{ws}/projects/p2", BOB,
          {**project, "createdBy": "alice"}, stamps=["createdAt"])
    b.add("outsider creates project", ("get-lookup",), "create", f"{ws}/projects/p2", CAROL,
          {**project, "createdBy": "carol"}, stamps=["createdAt"])
    b.add("project title not a string", ("type-check",), "create", f"{ws}/projects/p2", BOB,
          {**project, "title": 3}, stamps=["createdAt"])
    for desc, data in [("archive", {"archived": True}), ("archive with string", {"archived": "yes"}),
                       ("rename and touch", {"title": "X", "updatedAt": utc(2024, 6, 1)}),
                       ("change creator", {"createdBy": "bob"})]:
        b.add(f"member updates project: {desc}", ("diff-changedKeys", "map-get", "type-check"), "update", proj,
              BOB, data)
    b.add("member deletes project", ("get-lookup",), "delete", proj, BOB)
    b.add("admin deletes project", ("get-lookup",), "delete", proj, ALICE)
    task_new = {"status": "todo", "createdBy": "bob", "assigneeId": "alice"}
    for desc, data in [("valid", task_new), ("bad status", {**task_new, "status": "blocked"}),
                       ("unassigned", {**task_new, "assigneeId": None}),
                       ("assigned to outsider", {**task_new, "assigneeId": "carol"}),
                       ("estimate 8", {**task_new, "estimateHours": 8}),
                       ("estimate 8.5", {**task_new, "estimateHours": 8.5}),
                       ("estimate 101", {**task_new, "estimateHours": 101}),
                       ("estimate string", {**task_new, "estimateHours": "8"}),
                       ("no assignee field", {"status": "todo", "createdBy": "bob"})]:
        b.add(f"member creates task: {desc}", ("list-in", "map-in", "map-get", "numbers", "granular-methods",
                                                "missing-field-error"), "create", f"{proj}/tasks/t2", BOB, data)
    b.add("member moves task to doing", ("granular-methods",), "update", task, BOB, {"status": "doing"})
    b.add("member deletes own task", ("resource-data",), "delete", task, BOB)
    b.add("admin deletes bob's task", ("resource-data",), "delete", task, ALICE)
    b.add("bob comments", ("recursive-wildcard",), "create", f"{task}/comments/c2", BOB,
          {"authorId": "bob", "body": "done"})
    b.add("comment too long", ("recursive-wildcard", "string-size"), "create", f"{task}/comments/c2", BOB,
          {"authorId": "bob", "body": "x" * 2001})
    b.add("comment at top level (zero segments)", ("zero-segment", "recursive-wildcard"), "create", "comments/c9",
          BOB, {"authorId": "bob", "body": "top"})
    b.add("comment forged author", ("recursive-wildcard",), "create", f"{task}/comments/c2", BOB,
          {"authorId": "alice", "body": "x"})
    b.add("delete own comment", ("recursive-wildcard", "granular-methods"), "delete", f"{task}/comments/c1", BOB)
    b.add("delete other's comment", ("recursive-wildcard",), "delete", f"{task}/comments/c1", ALICE)
    ws3 = {"ownerId": "carol", "name": "C", "plan": "free", "members": {"carol": "admin"}}
    b.add("batch: workspace and membership together", ("getAfter", "existsAfter", "op-batch"), "batch",
          writes=[write("create", "workspaces/ws3", ws3), write("create", "memberships/m3", {"uid": "carol", "wsId": "ws3"})],
          who=CAROL)
    b.add("membership alone (workspace not created)", ("getAfter", "existsAfter"), "create", "memberships/m3",
          CAROL, {"uid": "carol", "wsId": "ws3"})
    b.add("batch: membership for someone else's workspace", ("getAfter", "op-batch"), "batch", who=CAROL,
          writes=[write("create", "memberships/m4", {"uid": "carol", "wsId": "ws1"})])
    b.add("batch: one good write, one bad", ("op-batch",), "batch", who=BOB,
          writes=[write("update", task, {"status": "done"}), write("update", "workspaces/ws1/invoices/inv1",
                                                                     {"amountCents": 0})])
    b.add("batch: two good writes", ("op-batch",), "batch", who=BOB,
          writes=[write("update", task, {"status": "done"}), write("create", f"{proj}/tasks/t3",
                                                                     {"status": "todo", "createdBy": "bob", "assigneeId": None})])
    b.add("read own membership", ("resource-data",), "get", "memberships/m1", BOB)
    b.add("read someone's membership", ("resource-data",), "get", "memberships/m1", ALICE)
    b.add("list own memberships", ("list-query-filter",), "list", "memberships", BOB,
          query={"where": [{"field": "uid", "op": "==", "value": "bob"}]})
    b.add("list memberships filtered by workspace only", ("list-query-filter",), "list", "memberships", BOB,
          query={"where": [{"field": "wsId", "op": "==", "value": "ws1"}]})
    b.add("list own memberships with limit and order", ("list-query-filter", "request-query"), "list",
          "memberships", BOB, query={"where": [{"field": "uid", "op": "==", "value": "bob"}], "limit": 10,
                                     "order_by": [{"field": "wsId", "direction": "desc"}]})
    b.add("list memberships with an in filter", ("list-query-filter",), "list", "memberships", BOB,
          query={"where": [{"field": "uid", "op": "in", "value": ["bob"]}]})
    b.add("undeclared collection", ("deny-default",), "get", "billing/acct1", ALICE)
    b.add("user with a profile asks to join", ("exists-lookup",), "create", f"{ws}/invites/alice", ALICE, {"note": "hi"})
    b.add("user without a profile asks to join", ("exists-lookup",), "create", f"{ws}/invites/carol", CAROL, {"note": "hi"})
    b.add("anonymous asks to join", ("exists-lookup", "missing-field-error"), "create", f"{ws}/invites/x", None, {"note": "hi"})
    return b.records


FF_SEED = {
    "users/u1": {"display_name": "Uma", "email": "uma@chat.app", "created_time": utc(2024, 2, 1)},
    "users/u2": {"display_name": "Ved", "email": "ved@chat.app"},
    "chats/ch1": {"users": [Ref("users/u1"), Ref("users/u2")], "last_message": "hi"},
    "chat_messages/m1": {"user": Ref("users/u1"), "chat": Ref("chats/ch1"), "text": "hi"},
    "posts/pub": {"visibility": "public", "authorUid": "u2", "title": "Hello"},
    "posts/priv": {"visibility": "private", "authorUid": "u2", "title": "Draft"},
    "app_config/main": {"maintenance": False},
    "users/u1/reactions/r1": {"emoji": "+1"},
}


def flutterflow() -> list[dict]:
    b = Builder("flutterflow_chat.rules", ("rules-v2", "saas-model"), FF_SEED)
    u1, u2, u3 = actor("u1"), actor("u2"), actor("u3")
    admin, role_admin = actor("u9", admin=True), actor("u8", role="admin")
    for who, name in ((u1, "chat member"), (u2, "other member"), (u3, "stranger"), (None, "anon"),
                      (admin, "admin claim"), (role_admin, "role claim")):
        b.add(f"{name} reads a user", ("read-write-alias",), "get", "users/u1", who)
        b.add(f"{name} reads a chat", ("path-compare", "list-in", "resource-data"), "get", "chats/ch1", who)
        b.add(f"{name} lists chats", ("list-query", "path-compare"), "list", "chats", who)
        b.add(f"{name} reads a message", (), "get", "chat_messages/m1", who)
        b.add(f"{name} deletes a message", ("path-compare", "granular-methods"), "delete", "chat_messages/m1", who)
        b.add(f"{name} reads public post", ("resource-data",), "get", "posts/pub", who)
        b.add(f"{name} reads private post", ("resource-data", "short-circuit"), "get", "posts/priv", who)
        b.add(f"{name} lists public posts", ("list-query-filter",), "list", "posts", who,
              query={"where": [{"field": "visibility", "op": "==", "value": "public"}]})
        b.add(f"{name} lists posts unfiltered", ("list-query",), "list", "posts", who)
        b.add(f"{name} deletes a post", ("auth-claims", "missing-field-error"), "delete", "posts/pub", who)
        b.add(f"{name} writes app config", ("auth-claims", "map-get"), "update", "app_config/main", who,
              {"maintenance": True})
        b.add(f"{name} reads app config", (), "get", "app_config/main", who)
        b.add(f"{name} lists reactions group", ("collection-group",), "list", "reactions", who,
              query={"collection_group": True})
        b.add(f"{name} updates user u1", ("read-write-alias", "overlapping-match"), "update", "users/u1", who,
              {"display_name": "X"})
    b.add("u3 creates own user", ("auth-uid",), "create", "users/u3", u3, {"email": "u3@chat.app"})
    b.add("u3 creates u4's user", ("auth-uid",), "create", "users/u4", u3, {"email": "u4@chat.app"})
    b.add("u1 deletes own user (write vs delete)", ("read-write-alias", "overlapping-match"), "delete", "users/u1", u1)
    b.add("u1 creates chat including self", ("path-compare", "list-in"), "create", "chats/ch2", u1,
          {"users": [Ref("users/u1"), Ref("users/u3")]})
    b.add("u1 creates chat without self", ("path-compare", "list-in"), "create", "chats/ch2", u1,
          {"users": [Ref("users/u2"), Ref("users/u3")]})
    b.add("u1 creates chat with string ids", ("path-compare",), "create", "chats/ch2", u1,
          {"users": ["users/u1"]})
    b.add("u1 sends message as self", ("path-compare",), "create", "chat_messages/m2", u1,
          {"user": Ref("users/u1"), "text": "yo"})
    b.add("u1 sends message as u2", ("path-compare",), "create", "chat_messages/m2", u1,
          {"user": Ref("users/u2"), "text": "yo"})
    b.add("u2 writes post with server time", ("server-timestamp", "request-time"), "create", "posts/p3", u2,
          {"authorUid": "u2", "visibility": "public"}, stamps=["created_time"])
    b.add("u2 writes post with own time", ("request-time",), "create", "posts/p3", u2,
          {"authorUid": "u2", "visibility": "public", "created_time": utc(2030, 1, 1)})
    b.add("u2 edits own post", ("resource-data",), "update", "posts/pub", u2, {"title": "Hi"})
    b.add("u2 transfers own post", ("resource-data",), "update", "posts/pub", u2, {"authorUid": "u1"})
    b.add("u1 edits u2's post", ("resource-data",), "update", "posts/pub", u1, {"title": "Hi"})
    b.add("list own posts", ("list-query-filter",), "list", "posts", u2,
          query={"where": [{"field": "authorUid", "op": "==", "value": "u2"}]})
    b.add("list others' posts by author", ("list-query-filter",), "list", "posts", u1,
          query={"where": [{"field": "authorUid", "op": "==", "value": "u2"}]})
    b.add("list public posts with limit", ("list-query-filter", "request-query"), "list", "posts", u1,
          query={"where": [{"field": "visibility", "op": "==", "value": "public"}], "limit": 5})
    b.add("list reactions under a user", ("list-query", "recursive-wildcard"), "list", "users/u1/reactions", u1)
    b.add("get a reaction", ("recursive-wildcard",), "get", "users/u1/reactions/r1", u1)
    return b.records


V1_SEED = {
    "shops/s1": {"owner": "olga", "name": "Olga's"},
    "shops/s1/items/i1": {"price": 5},
    "shops/s1/items/i1/variants/v1": {"size": "M"},
    "public/news": {"title": "Open"},
    "logs/l1": {"level": "info"},
    "misc/m1": {"x": 1},
}


def legacy_v1() -> list[dict]:
    b = Builder("legacy_v1.rules", ("rules-v1",), V1_SEED)
    olga, pete, support, sneaky = actor("olga"), actor("pete"), actor("sue", support=True), actor("sid", support="yes")
    for who, name in ((olga, "owner"), (pete, "other"), (None, "anon"), (support, "support"), (sneaky, "support string")):
        b.add(f"{name} reads shop", ("nested-match",), "get", "shops/s1", who)
        b.add(f"{name} reads item", ("recursive-wildcard", "nested-match"), "get", "shops/s1/items/i1", who)
        b.add(f"{name} reads variant", ("recursive-wildcard",), "get", "shops/s1/items/i1/variants/v1", who)
        b.add(f"{name} writes item", ("recursive-wildcard", "get-lookup"), "update", "shops/s1/items/i1", who, {"price": 6})
        b.add(f"{name} updates shop", ("resource-data",), "update", "shops/s1", who, {"name": "X"})
        b.add(f"{name} creates shop", ("resource-null", "missing-field-error"), "create", "shops/s2", who,
              {"owner": (who or {}).get("uid", "")})
        b.add(f"{name} reads misc (catch-all)", ("recursive-wildcard", "auth-claims"), "get", "misc/m1", who)
        b.add(f"{name} lists misc", ("recursive-wildcard", "list-query"), "list", "misc", who)
        b.add(f"{name} reads public", ("test-mode",), "get", "public/news", who)
        b.add(f"{name} lists items", ("recursive-wildcard", "list-query"), "list", "shops/s1/items", who)
        b.add(f"{name} creates public doc before 2099", ("test-mode", "request-time", "timestamp-date"), "create",
              "public/p2", who, {"title": "x"})
        b.add(f"{name} logs info", ("list-in", "type-check"), "create", "logs/l2", who,
              {"level": "info", "at": utc(2024, 1, 1)})
    b.add("owner logs debug", ("list-in",), "create", "logs/l2", olga, {"level": "debug", "at": utc(2024, 1, 1)})
    b.add("owner logs with string time", ("type-check",), "create", "logs/l2", olga, {"level": "info", "at": "now"})
    b.add("owner creates item subdoc (zero-segment in v1 does not apply)", ("zero-segment", "recursive-wildcard"),
          "create", "shops/s1/items/i2", olga, {"price": 1})
    b.add("owner deletes logs", ("deny-default",), "delete", "logs/l1", olga)
    return b.records


def probe_cases() -> list[dict]:
    b = Builder("value_probes.rules", ("rules-v2", "request-resource-data"), {})
    for name, tags, cond, values in PROBES:
        for value in values:
            b.add(f"{cond} with v = {value!r}"[:160], tags, "create", f"probe_{name}/doc", actor("pat"), {"v": value})
    return b.records




def queries() -> list[dict]:
    b = Builder("queries.rules", ("rules-v2", "list-query"), {"feed/f1": {"t": 1}, "scores/s1": {"score": 50}})
    u = actor("quinn")
    for limit in (None, 5, 20, 21):
        q = {} if limit is None else {"limit": limit}
        b.add(f"feed with limit {limit}", ("request-query",), "list", "feed", u, query=q)
        b.add(f"feed_nolimit with limit {limit}", ("request-query",), "list", "feed_nolimit", u, query=q)
    for where in ([], [{"field": "score", "op": ">", "value": 10}], [{"field": "score", "op": ">", "value": 20}],
                  [{"field": "score", "op": ">=", "value": 10}], [{"field": "score", "op": "==", "value": 11}],
                  [{"field": "score", "op": "in", "value": [11, 12]}], [{"field": "score", "op": "in", "value": [11, 2]}]):
        b.add(f"scores where {where}", ("list-query-filter",), "list", "scores", u, query={"where": where})
    b.add("own org docs", ("auth-uid",), "list", "orgs/quinn/docs", u)
    b.add("other org docs", ("auth-uid",), "list", "orgs/rita/docs", u)
    b.add("org docs as a group", ("collection-group",), "list", "docs", u, query={"collection_group": True})
    for claims in ({}, {"email": "q@corp.io"}, {"email": "q@corp.io", "email_verified": True},
                   {"email": "q@home.io", "email_verified": True}, {"email_verified": True}):
        b.add(f"org doc get with claims {claims}", ("auth-claims", "missing-field-error", "string-matches"), "get",
              "orgs/quinn/docs/d1", actor("quinn", **claims))
    b.add("byname no filter", ("resource-name",), "list", "byname", u)
    b.add("byname name filter", ("resource-name", "list-query-filter"), "list", "byname", u,
          query={"where": [{"field": "__name__", "op": "==", "value": Ref("byname/x")}]})
    b.add("nullres list", ("resource-null",), "list", "nullres", u)
    b.add("token sub and aud", ("auth-claims",), "get", "tokens/t1", u)
    b.add("token firebase provider", ("auth-claims",), "get", "feed/f1", u)
    b.add("token firebase provider overridden", ("auth-claims",), "get", "feed/f1",
          actor("quinn", firebase={"sign_in_provider": "google.com"}))
    b.add("tags list without filter", ("list-query",), "list", "tokens", u)
    b.add("tags array-contains a", ("list-query-filter",), "list", "tokens", u,
          query={"where": [{"field": "tags", "op": "array-contains", "value": "a"}]})
    b.add("tags == ['a']", ("list-query-filter",), "list", "tokens", u,
          query={"where": [{"field": "tags", "op": "==", "value": ["a"]}]})
    for where in ([{"field": "active", "op": "==", "value": True}, {"field": "region", "op": "==", "value": "eu"}],
                  [{"field": "active", "op": "==", "value": True}, {"field": "region", "op": "in", "value": ["eu", "us"]}],
                  [{"field": "active", "op": "==", "value": True}, {"field": "region", "op": "in", "value": ["eu", "apac"]}],
                  [{"field": "active", "op": "==", "value": True}],
                  [{"field": "active", "op": "==", "value": False}, {"field": "region", "op": "==", "value": "eu"}]):
        b.add(f"flags where {where}", ("list-query-filter",), "list", "flags", u, query={"where": where})
    return b.records


def list_wildcards() -> list[dict]:
    b = Builder("list_wildcards.rules", ("rules-v2", "list-query", "recursive-wildcard"), {})
    for path, group in [("t1", 0), ("t2", 0), ("t3", 0), ("t4", 0), ("t5", 0), ("t6", 0), ("t7", 0), ("t8", 0),
                        ("t8/x/sub", 0), ("t9", 0), ("t10", 0), ("t11", 0), ("t12", 0), ("g1", 1), ("g2", 1),
                        ("a/b/g1", 0), ("a/b/g2", 0)]:
        tags = ("collection-group",) if group else ("resource-name",) if path in ("t9", "t10", "t11") else ()
        b.add(f"list {path} ({'group' if group else 'collection'})", tags, "list", path, actor("u"),
              query={"collection_group": bool(group)})
    return b.records


def document_id() -> list[dict]:
    """List queries pinned by document id (`where(FieldPath.documentId(), ...)`: `__name__`)."""
    b = Builder("document_id.rules", ("rules-v2", "list-query", "list-query-filter", "resource-name"),
                {"user_profiles/maya": {"display_name": "Maya"}, "user_profiles/omar": {"display_name": "Omar"},
                 "user_profiles/maya/saved_trips/t1": {"owner_uid": "maya"},
                 "user_profiles/maya/saved_trips/t2": {"owner_uid": "omar"},
                 "orgs/o1/receipts/r1": {"payer_uid": "maya"}, "orgs/o1/receipts/r2": {"payer_uid": "omar"}})
    maya = actor("maya")
    def name(op, *paths):
        return {"where": [{"field": "__name__", "op": op,
                                              "value": [Ref(p) for p in paths] if op in ("in", "not-in") else Ref(paths[0])}]}
    for description, path, query in [
            ("own profile by id", "user_profiles", name("==", "user_profiles/maya")),
            ("another profile by id", "user_profiles", name("==", "user_profiles/omar")),
            ("own profile by id, in", "user_profiles", name("in", "user_profiles/maya")),
            ("own and another profile, in", "user_profiles", name("in", "user_profiles/maya", "user_profiles/omar")),
            ("profiles from own id on", "user_profiles", name(">=", "user_profiles/maya")),
            ("profiles but another", "user_profiles", name("!=", "user_profiles/omar")),
            ("a profile not stored (another id)", "user_profiles", name("==", "user_profiles/maya2")),
            ("own saved trip by id", "user_profiles/maya/saved_trips", name("==", "user_profiles/maya/saved_trips/t1")),
            ("own path, trip owned by another", "user_profiles/maya/saved_trips",
             name("==", "user_profiles/maya/saved_trips/t2")),
            ("own saved trip not stored", "user_profiles/maya/saved_trips", name("==", "user_profiles/maya/saved_trips/t9"))]:
        b.add(description, ("auth-uid",), "list", path, maya, query=query)
    for receipt in ("r1", "r2"):
        b.add(f"receipt {receipt} by id across the group", ("collection-group",), "list", "receipts", maya,
              query={"collection_group": True, **name("==", f"orgs/o1/receipts/{receipt}")})
    return b.records


def all_cases() -> list[dict]:
    return (teamspace() + flutterflow() + legacy_v1() + queries() + list_wildcards() + probe_cases()
            + document_id())
