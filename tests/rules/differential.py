"""Random (seeded, grammar-based) rules and requests for the differential test: the built-in
engine and the emulator must agree on every one.

A generated ruleset has one collection per condition (`match /c<i>/{id}`), each granting the
methods it tests; requests create, update, get, delete or list in those collections with random
documents, actors and claims, so one emulator rules load serves many cases.
"""
from __future__ import annotations

import random
from datetime import UTC
from typing import Any

FIELDS = {"n": "int", "x": "float", "s": "string", "tags": "list", "meta": "map", "flag": "bool", "owner": "string",
          "at": "timestamp"}
STRINGS = ["", "a", "ab", "abc", "alice", "Bob", "x-1", "é", "team@corp.io"]
WORDS = ["a", "b", "c", "alice", "bob", "x"]


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # -- data ----------------------------------------------------------------------------------
    def value(self, kind: str, depth: int = 0) -> Any:
        r = self.r
        if r.random() < 0.08:   # wrong type now and then
            kind = r.choice(["int", "string", "bool", "null", "float"])
        if kind == "int":
            return r.choice([0, 1, 2, 5, 10, -3, 100, 9223372036854775807])
        if kind == "float":
            return r.choice([0.0, 0.5, 1.0, 2.5, -1.5, 10.0])
        if kind == "string":
            return r.choice(STRINGS)
        if kind == "bool":
            return r.random() < 0.5
        if kind == "null":
            return None
        if kind == "list":
            return [r.choice(WORDS) for _ in range(r.randint(0, 3))]
        if kind == "timestamp":
            from datetime import datetime
            return datetime(r.choice([2001, 2020, 2024, 2099]), r.randint(1, 12), r.randint(1, 28), tzinfo=UTC)
        if kind == "map" and depth < 2:
            return {k: self.value(v, depth + 1) for k, v in r.sample(sorted(FIELDS.items()), r.randint(0, 3))
                    if v != "map"}
        return {}

    def document(self) -> dict[str, Any]:
        return {k: self.value(v) for k, v in FIELDS.items() if self.r.random() < 0.75}

    def actor(self) -> dict | None:
        r = self.r
        if r.random() < 0.2:
            return None
        claims = {}
        if r.random() < 0.4:
            claims["role"] = r.choice(["admin", "member", "viewer"])
        if r.random() < 0.3:
            claims["level"] = r.choice([1, 5, 10])
        return {"uid": r.choice(["alice", "bob", "carol"]), "claims": claims}

    # -- expressions ---------------------------------------------------------------------------
    def field(self, doc: str) -> tuple[str, str]:
        name, kind = self.r.choice(sorted(FIELDS.items()))
        return f"{doc}.{name}", kind

    def int_expr(self, doc: str, depth: int) -> str:
        r = self.r
        choice = r.randint(0, 6 if depth < 3 else 2)
        if choice == 0:
            return str(r.choice([0, 1, 2, 3, 5, 10, -1]))
        if choice == 1:
            return f"{doc}.n"
        if choice == 2:
            return f"{doc}.{r.choice(['s', 'owner'])}.size()"
        if choice == 3:
            return f"{doc}.tags.size()"
        if choice == 4:
            return f"({self.int_expr(doc, depth + 1)} {r.choice(['+', '-', '*', '/', '%'])} {self.int_expr(doc, depth + 1)})"
        if choice == 5:
            return f"{doc}.get('n', {r.choice([0, 7])})"
        return f"math.abs({self.int_expr(doc, depth + 1)})"

    def str_expr(self, doc: str) -> str:
        r = self.r
        return r.choice([f"{doc}.s", f"{doc}.owner", repr(r.choice(STRINGS)), "request.auth.uid",
                         f"{doc}.s.lower()", f"{doc}.meta.get('s', 'none')", "request.auth.token.role",
                         f"{doc}.s + 'x'"])

    def bool_expr(self, doc: str, depth: int = 0) -> str:
        r = self.r
        leaf = depth >= 3 or r.random() < 0.35
        if not leaf:
            kind = r.choice(["&&", "||", "!", "?:"])
            if kind == "!":
                return f"!({self.bool_expr(doc, depth + 1)})"
            if kind == "?:":
                return f"({self.bool_expr(doc, depth + 1)} ? {self.bool_expr(doc, depth + 1)} : {self.bool_expr(doc, depth + 1)})"
            return f"({self.bool_expr(doc, depth + 1)} {kind} {self.bool_expr(doc, depth + 1)})"
        return self.atom(doc)

    def atom(self, doc: str) -> str:
        r = self.r
        choice = r.randint(0, 13)
        if choice == 0:
            return f"{self.int_expr(doc, 1)} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {self.int_expr(doc, 1)}"
        if choice == 1:
            return f"{self.str_expr(doc)} {r.choice(['==', '!=', '<'])} {self.str_expr(doc)}"
        if choice == 2:
            return f"{self.str_expr(doc)} in {doc}.tags"
        if choice == 3:
            name, _ = self.field(doc)
            return f"{name} is {r.choice(['int', 'float', 'number', 'string', 'list', 'map', 'bool', 'timestamp'])}"
        if choice == 4:
            words = ", ".join(repr(w) for w in r.sample(WORDS, r.randint(0, 3)))
            return f"{doc}.tags.{r.choice(['hasAny', 'hasAll', 'hasOnly'])}([{words}])"
        if choice == 5:
            return f"{doc}.s.matches('{r.choice(['a.*', '[a-z]+', '.*@.*', 'ab?c?', ''])}')"
        if choice == 6:
            return f"'{r.choice(list(FIELDS))}' in {doc}"
        if choice == 7:
            keys = ", ".join(repr(k) for k in r.sample(sorted(FIELDS), r.randint(1, 4)))
            return f"{doc}.keys().{r.choice(['hasAll', 'hasOnly', 'hasAny'])}([{keys}])"
        if choice == 8:
            return "request.auth != null" if r.random() < 0.5 else "request.auth == null"
        if choice == 9:
            return f"{doc}.owner == request.auth.uid"
        if choice == 10:
            return f"{doc}.flag{r.choice(['', ' == true', ' != false'])}"
        if choice == 11:
            return f"{doc}.at {r.choice(['<', '>'])} request.time"
        if choice == 12:
            return f"request.auth.token.{r.choice(['role', 'level'])} {r.choice(['==', '!='])} " \
                   f"{r.choice(['1', '5', repr('admin'), repr('member')])}"
        return f"{doc}.x {r.choice(['<', '>', '=='])} {r.choice(['0', '1', '0.5', '2.5'])}"

    def condition(self, method: str) -> str:
        if method == "create":
            return self.bool_expr("request.resource.data")
        if method == "update" and self.r.random() < 0.5:
            return (f"{self.bool_expr('request.resource.data')} && "
                    f"request.resource.data.diff(resource.data).affectedKeys().hasOnly({sorted(self.r.sample(sorted(FIELDS), 3))})")
        return self.bool_expr("resource.data")


def ruleset(seed: int, collections: int = 12) -> tuple[str, list[tuple[str, str]]]:
    """Rules source and, per collection, the method it grants."""
    gen = Gen(seed)
    blocks, granted = [], []
    for i in range(collections):
        method = gen.r.choice(["create", "update", "get", "delete", "list"])
        cond = gen.condition(method)
        blocks.append(f"    match /c{i}/{{id}} {{\n      allow {method}: if {cond};\n    }}")
        granted.append((f"c{i}", method))
    source = ("rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
              + "\n".join(blocks) + "\n  }\n}\n")
    return source, granted


def cases(seed: int, granted: list[tuple[str, str]], per_collection: int, rules_name: str) -> list[dict]:
    """Case records (without verdicts) for a generated ruleset."""
    from scenarios import fields  # the corpus builder's REST encoder

    gen = Gen(seed * 7919 + 1)
    out = []
    for collection, method in granted:
        for k in range(per_collection):
            existing = gen.document()
            record: dict[str, Any] = {"id": f"{rules_name}/{collection}-{k}", "rules": rules_name,
                                      "description": f"differential seed {seed}", "constructs": ["differential"],
                                      "actor": gen.actor(), "operation": method,
                                      "seed": {f"{collection}/d": fields(existing)}}
            if method == "list":
                record["path"] = collection
                where = []
                for name in gen.r.sample(["n", "s", "owner", "flag"], gen.r.randint(0, 2)):
                    kind = FIELDS[name]
                    op = gen.r.choice(["==", "==", ">", "<", "!="]) if kind == "int" else "=="
                    where.append({"field": name, "op": op, "value": gen.value(kind)})
                record["query"] = {"where": [{**w, "value": fields({"v": w["value"]})["v"]} for w in where]}
            else:
                record["path"] = f"{collection}/d" if method != "create" else f"{collection}/new"
            if method in ("create", "update"):
                record["data"] = fields(gen.document())
            if method == "update":
                record["update_mode"] = "set" if gen.r.random() < 0.3 else "merge"
                if record["update_mode"] == "merge":
                    record["update_mask"] = sorted(gen.r.sample(sorted(FIELDS), gen.r.randint(1, 3)))
                    data = {k: v for k, v in record["data"].items() if k in record["update_mask"]}
                    record["data"] = data
            out.append(record)
    return out


SEGMENTS = ["a", "b", "c"]


def match_ruleset(seed: int) -> str:
    """Random match structure: rules_version 1 or 2, nested blocks, single and recursive wildcards,
    overlapping matches, read/write aliases and granular methods, conditions on the bound names."""
    r = random.Random(seed)
    version = r.choice(["rules_version = '2';\n", "rules_version = '1';\n", ""])
    names = iter(f"w{i}" for i in range(100))

    def block(depth: int, bound: list[str]) -> str:
        segs, local = [], list(bound)
        for _ in range(r.randint(1, 2)):
            kind = r.random()
            if kind < 0.4:
                segs.append(r.choice(SEGMENTS))
            elif kind < 0.8 or not version.startswith("rules_version = '2'") and False:
                name = next(names)
                segs.append("{" + name + "}")
                local.append(name)
            else:
                name = next(names)
                segs.append("{" + name + "=**}")
                local.append(name)
                break   # a recursive wildcard ends the path
        methods = ", ".join(r.sample(["read", "write", "get", "list", "create", "update", "delete"], r.randint(1, 2)))
        cond = r.choice(["true", "false", "request.auth != null", "request.auth.uid == 'u1'"]
                        + [f"{n} == 'a'" for n in local if n] + [f"string({n}).size() > 3" for n in local])
        body = f"allow {methods}: if {cond};"
        children = "".join(block(depth + 1, local) for _ in range(r.randint(0, 2) if depth < 2 else 0))
        if any("=**" in x for x in segs):
            children = ""
        pad = "  " * (depth + 2)
        return f"\n{pad}match /{'/'.join(segs)} {{\n{pad}  {body}{children}\n{pad}}}"

    blocks = "".join(block(0, []) for _ in range(4))
    return f"{version}service cloud.firestore {{\n  match /databases/{{database}}/documents {{{blocks}\n  }}\n}}\n"


def match_cases(seed: int, rules_name: str, count: int = 24) -> list[dict]:
    r = random.Random(seed * 31 + 7)
    out = []
    for k in range(count):
        depth = r.choice([1, 2, 3]) * 2
        parts = [r.choice(SEGMENTS + ["x"]) for _ in range(depth)]
        op = r.choice(["get", "create", "update", "delete", "list"])
        record: dict[str, Any] = {"id": f"{rules_name}/m{k}", "rules": rules_name,
                                  "description": f"match differential seed {seed}", "constructs": ["differential"],
                                  "actor": r.choice([None, {"uid": "u1", "claims": {}}, {"uid": "u2", "claims": {}}]),
                                  "operation": op, "seed": {}}
        if op == "list":
            record["path"] = "/".join(parts[:-1])
            record["query"] = {"collection_group": r.random() < 0.3}
            if record["query"]["collection_group"]:
                record["path"] = parts[-2]
        else:
            record["path"] = "/".join(parts)
        if op in ("update", "delete", "get"):
            record["seed"] = {"/".join(parts): {"f": {"integerValue": "1"}}}
        if op in ("create", "update"):
            record["data"] = {"f": {"integerValue": "2"}}
            if op == "update":
                record["update_mode"] = "set"
        out.append(record)
    return out


def run_matches(decider: Any, seeds: list[int]) -> tuple[int, list[dict]]:
    """The differential test for path matching (versions, wildcards, overlaps, method aliases)."""
    compared, disagreements = 0, []
    for seed in seeds:
        name = f"differential_match_{seed}.rules"
        source = match_ruleset(seed)
        n, bad = compare(decider, source, name, match_cases(seed, name))
        compared, disagreements = compared + n, disagreements + bad
    return compared, disagreements


def compare(decider: Any, source: str, name: str, records: list[dict]) -> tuple[int, list[dict]]:
    """Decide records on the emulator and the built-in engine: how many compared, which disagree
    (as corpus records carrying the emulator's verdict and the rules source)."""
    from launchready.rules.engine import RulesEngine, parse_case

    decider.load_rules(source)
    engine = RulesEngine.from_source(source, name)
    compared, disagreements = 0, []
    for record in records:
        result = decider.decide(record)
        if result.verdict is None:
            continue   # the emulator refused the request itself (e.g. an invalid query)
        compared += 1
        case = parse_case(record)
        builtin = engine.decide(case.request, case.seed).verdict
        if builtin != result.verdict:
            disagreements.append({**record, "verdict": result.verdict, "builtin": builtin,
                                  "emulator_detail": result.detail, "rules_source": source})
    return compared, disagreements


def run(decider: Any, seeds: list[int], collections: int = 12, per_collection: int = 3) -> tuple[int, list[dict]]:
    """The differential test for conditions: random expressions over typed, sometimes missing or
    mistyped fields, claims and list-query filters."""
    compared, disagreements = 0, []
    for seed in seeds:
        source, granted = ruleset(seed, collections)
        name = f"differential_{seed}.rules"
        n, bad = compare(decider, source, name, cases(seed, granted, per_collection, name))
        compared, disagreements = compared + n, disagreements + bad
    return compared, disagreements


def save_regressions(disagreements: list[dict], corpus: Any) -> int:
    """Keep each disagreement as a regression case: its generated rules file beside the corpus and
    its record (verdict stripped: build_corpus.py re-decides it on the emulator) in regressions.json."""
    import json

    path = corpus / "regressions.json"
    kept = json.loads(path.read_text())["cases"] if path.exists() else []
    known = {r["id"] for r in kept}
    for bad in disagreements:
        (corpus / bad["rules"]).write_text(bad["rules_source"], encoding="utf-8")
        record = {k: v for k, v in bad.items() if k not in ("verdict", "builtin", "emulator_detail", "rules_source")}
        record["constructs"] = sorted(set(record["constructs"]) | {"regression"})
        if record["id"] not in known:
            kept.append(record)
    path.write_text(json.dumps({"cases": kept}, indent=1) + "\n", encoding="utf-8")
    return len(kept)


if __name__ == "__main__":   # explore more seeds: python tests/rules/differential.py FIRST COUNT
    import json
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "corpus"))
    from launchready.rules.engine.emulator import EmulatorDecider

    first, count = int(sys.argv[1]), int(sys.argv[2])
    with tempfile.TemporaryDirectory() as log_dir:
        decider = EmulatorDecider.start(Path(log_dir))
        try:
            n, bad = run(decider, list(range(first, first + count)))
            n2, bad2 = run_matches(decider, list(range(first, first + count)))
            n, bad = n + n2, bad + bad2
        finally:
            decider.close()
    print(f"{n} compared, {len(bad)} disagreements")
    if bad:
        print("regression cases kept:", save_regressions(bad, Path(__file__).parent / "corpus"))
    for b in bad:
        print(json.dumps({k: v for k, v in b.items() if k != "rules_source"}))
        print(b["rules_source"].split(f"match /{b['path'].split('/')[0]}/", 1)[1].split("}", 2)[1][:400])
