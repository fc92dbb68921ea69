"""Firestore: the database, the repo's security rules released, composite indexes, backups."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from launchready.functions.backend.retention import KEEP_DAYS, TTL_FIELD

BACKUP_RETENTION = "1209600s"  # 14 days of daily backups
TTL_COLLECTIONS = tuple(KEEP_DAYS)   # stripe_events, sync_tasks


@dataclass(frozen=True)
class FirestoreArgs:
    project_id: pulumi.Input[str]
    location: str
    delete_protection: bool
    point_in_time_recovery: bool
    backups: bool
    rules_source: str | None   # None: no rules file in the app, so no ruleset is released
    indexes: list[dict[str, Any]]


class Firestore(pulumi.ComponentResource):
    database: gcp.firestore.Database

    def __init__(self, name: str, args: FirestoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:gcp:Firestore", name, None, opts)
        pulumi.ResourceOptions(parent=self)
        self.database = gcp.firestore.Database(
            f"{name}-database", project=args.project_id, name="(default)", location_id=args.location,
            type="FIRESTORE_NATIVE", concurrency_mode="OPTIMISTIC",
            delete_protection_state="DELETE_PROTECTION_ENABLED" if args.delete_protection
            else "DELETE_PROTECTION_DISABLED",
            point_in_time_recovery_enablement="POINT_IN_TIME_RECOVERY_ENABLED" if args.point_in_time_recovery
            else "POINT_IN_TIME_RECOVERY_DISABLED",
            deletion_policy="ABANDON" if args.delete_protection else "DELETE",
            opts=pulumi.ResourceOptions(parent=self, protect=args.delete_protection))
        after_db = pulumi.ResourceOptions(parent=self, depends_on=[self.database])
        if args.rules_source is not None:
            self._release_rules(name, args, after_db)
        for spec in args.indexes:
            gcp.firestore.Index(
                f"{name}-index-{index_key(spec)}", project=args.project_id, database=self.database.name,
                collection=spec["collectionGroup"], query_scope=spec.get("queryScope", "COLLECTION"),
                fields=[{"field_path": f["fieldPath"], **_order(f)} for f in spec["fields"]], opts=after_db)
        # Finished records carry `expire_at` (functions/backend/retention.py); Firestore deletes them after it.
        for collection in TTL_COLLECTIONS:
            gcp.firestore.Field(f"{name}-ttl-{collection}", project=args.project_id, database=self.database.name,
                                collection=collection, field=TTL_FIELD, ttl_config={}, opts=after_db)
        if args.backups:
            gcp.firestore.BackupSchedule(
                f"{name}-backup-daily", project=args.project_id, database=self.database.name,
                retention=BACKUP_RETENTION, daily_recurrence=gcp.firestore.BackupScheduleDailyRecurrenceArgs(),
                opts=after_db)
        self.register_outputs({"database": self.database.name})

    def _release_rules(self, name: str, args: FirestoreArgs, after_db: pulumi.ResourceOptions) -> None:
        ruleset = gcp.firebaserules.Ruleset(
            f"{name}-rules", project=args.project_id,
            source={"files": [{"name": "firestore.rules", "content": args.rules_source}]}, opts=after_db)
        gcp.firebaserules.Release(
            f"{name}-rules-release", project=args.project_id, name="cloud.firestore",
            ruleset_name=pulumi.Output.all(args.project_id, ruleset.name).apply(
                lambda parts: f"projects/{parts[0]}/rulesets/{parts[1]}"),
            # A new ruleset replaces the release (ruleset_name is ForceNew) and the name is fixed, so the
            # old release must go first: create-before-delete fails with "already exists".
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ruleset], delete_before_replace=True))


def index_key(spec: dict[str, Any]) -> str:
    """`sync_tasks-status-next_attempt_at`: stable and unique per composite index."""
    return "-".join([spec["collectionGroup"], *(f["fieldPath"].replace(".", "_") for f in spec["fields"])])


def _order(field: dict[str, Any]) -> dict[str, str]:
    if "order" in field:
        return {"order": field["order"]}
    return {"array_config": field["arrayConfig"]} if "arrayConfig" in field else {}
