"""The Firebase apps of one environment (Android, Apple, Web), registered as `flutterfire configure`
would, and their client configs as a stack output (`firebase_apps`) that `launchready app-config`
turns into the flavor's `firebase_options_<flavor>.dart` — so a build for prod can only hold prod's."""
from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp


@dataclass(frozen=True)
class AppsArgs:
    project_id: pulumi.Input[str]
    display_name: str
    android_package: str | None
    apple_bundle_id: str | None
    web: bool
    keep_on_delete: bool                    # prod: removing an app from the stack must not unregister it
    ready: list[pulumi.Resource] = field(default_factory=list)   # Firebase added to the project


class FirebaseApps(pulumi.ComponentResource):
    outputs: dict[str, pulumi.Output]

    def __init__(self, name: str, args: AppsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("launchready:firebase:Apps", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=args.ready)
        policy = "ABANDON" if args.keep_on_delete else "DELETE"
        self.outputs = {}
        if args.android_package:
            android = gcp.firebase.AndroidApp(f"{name}-android", project=args.project_id, display_name=args.display_name,
                                              package_name=args.android_package, deletion_policy=policy, opts=child)
            config = gcp.firebase.get_android_app_config_output(app_id=android.app_id, project=args.project_id)
            self.outputs["android"] = pulumi.Output.all(android.app_id, config.config_file_contents).apply(
                lambda v: {"packageName": args.android_package, "appId": v[0], "configFile": v[1]})
        if args.apple_bundle_id:
            apple = gcp.firebase.AppleApp(f"{name}-apple", project=args.project_id, display_name=args.display_name,
                                          bundle_id=args.apple_bundle_id, deletion_policy=policy, opts=child)
            config = gcp.firebase.get_apple_app_config_output(app_id=apple.app_id, project=args.project_id)
            self.outputs["ios"] = pulumi.Output.all(apple.app_id, config.config_file_contents).apply(
                lambda v: {"bundleId": args.apple_bundle_id, "appId": v[0], "configFile": v[1]})
        if args.web:
            web = gcp.firebase.WebApp(f"{name}-web", project=args.project_id, display_name=args.display_name,
                                      deletion_policy=policy, opts=child)
            config = gcp.firebase.get_web_app_config_output(web_app_id=web.app_id, project=args.project_id)
            self.outputs["web"] = pulumi.Output.all(
                web.app_id, config.api_key, config.auth_domain, config.messaging_sender_id, config.storage_bucket,
                args.project_id).apply(lambda v: {"appId": v[0], "apiKey": v[1], "authDomain": v[2],
                                                  "messagingSenderId": v[3], "storageBucket": v[4], "projectId": v[5]})
        self.register_outputs({"apps": sorted(self.outputs)})
