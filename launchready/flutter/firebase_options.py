"""Writes one flavor's Firebase client config into a Flutter app from a stack's `firebase_apps` output
(the apps the Pulumi program registered): `lib/firebase_options_<flavor>.dart` as `flutterfire
configure` lays it out, plus the native files it reads back (`google-services.json`, the plist).

Every value comes from Firebase's own app configs (the Firebase Management API, read by `pulumi up`
into the stack output); none is typed by hand, and a config of another project is refused."""
from __future__ import annotations

import base64
import binascii
import json
import plistlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PLATFORMS = ("android", "ios", "web")


class OptionsError(ValueError):
    """One line: what in the stack output cannot be used, and why."""


@dataclass(frozen=True)
class ClientOptions:
    """The FirebaseOptions fields of one platform."""

    api_key: str
    app_id: str
    sender_id: str
    project_id: str
    storage_bucket: str | None = None
    auth_domain: str | None = None
    ios_bundle_id: str | None = None


def _decoded(platform: str, blob: Any) -> bytes:
    try:
        return base64.b64decode(str(blob), validate=True)
    except (binascii.Error, ValueError):
        raise OptionsError(f"firebase_apps.{platform}.configFile is not base64") from None


def android(entry: dict) -> tuple[ClientOptions, bytes]:
    raw = _decoded("android", entry.get("configFile"))
    try:
        data = json.loads(raw)
        info = data["project_info"]
        client = next(c for c in data["client"]
                      if c["client_info"]["android_client_info"]["package_name"] == entry.get("packageName"))
        return ClientOptions(client["api_key"][0]["current_key"], client["client_info"]["mobilesdk_app_id"],
                             info["project_number"], info["project_id"], info.get("storage_bucket")), raw
    except (ValueError, KeyError, IndexError, TypeError, StopIteration):
        raise OptionsError("firebase_apps.android.configFile is not a google-services.json for "
                           f"{entry.get('packageName')}") from None


def ios(entry: dict) -> tuple[ClientOptions, bytes]:
    raw = _decoded("ios", entry.get("configFile"))
    try:
        data = plistlib.loads(raw)
        return ClientOptions(data["API_KEY"], data["GOOGLE_APP_ID"], data["GCM_SENDER_ID"], data["PROJECT_ID"],
                             data.get("STORAGE_BUCKET"), ios_bundle_id=data["BUNDLE_ID"]), raw
    except (plistlib.InvalidFileException, ValueError, KeyError, TypeError):
        raise OptionsError("firebase_apps.ios.configFile is not a GoogleService-Info.plist") from None


def web(entry: dict) -> ClientOptions:
    try:
        return ClientOptions(entry["apiKey"], entry["appId"], entry["messagingSenderId"], entry["projectId"],
                             entry.get("storageBucket"), auth_domain=entry.get("authDomain"))
    except (KeyError, TypeError):
        raise OptionsError("firebase_apps.web lacks apiKey, appId, messagingSenderId or projectId") from None


def _dart(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("$", "\\$") + "'"


def _block(name: str, options: ClientOptions) -> str:
    fields = {"apiKey": options.api_key, "appId": options.app_id, "messagingSenderId": options.sender_id,
              "projectId": options.project_id, "authDomain": options.auth_domain,
              "storageBucket": options.storage_bucket, "iosBundleId": options.ios_bundle_id}
    lines = "".join(f"    {k}: {_dart(v)},\n" for k, v in fields.items() if v)
    return f"  static const FirebaseOptions {name} = FirebaseOptions(\n{lines}  );\n"


def dart_file(stack: str, options: dict[str, ClientOptions]) -> str:
    cases = "".join(f"      case TargetPlatform.{'iOS' if p == 'ios' else 'android'}:\n        return {p};\n"
                    for p in ("android", "ios") if p in options)
    web_first = "    if (kIsWeb) {\n      return web;\n    }\n" if "web" in options else \
        "    if (kIsWeb) {\n      throw UnsupportedError('no web app is registered for this flavor');\n    }\n"
    return ("// Written by `launchready app-config --stack " + stack + "` from the stack's Firebase apps.\n"
            "// Firebase API keys identify the project and are public by design; rules and App Check protect it.\n"
            "import 'package:firebase_core/firebase_core.dart' show FirebaseOptions;\n"
            "import 'package:flutter/foundation.dart' show defaultTargetPlatform, kIsWeb, TargetPlatform;\n\n"
            "class DefaultFirebaseOptions {\n  static FirebaseOptions get currentPlatform {\n" + web_first +
            "    switch (defaultTargetPlatform) {\n" + cases +
            "      default:\n        throw UnsupportedError('no Firebase app is registered for this platform');\n"
            "    }\n  }\n\n" + "\n".join(_block(p, o) for p, o in sorted(options.items())) + "}\n")


def write(app_dir: Path, stack: str, flavor: str, project_id: str, apps: dict) -> list[Path]:
    """The files written, after every platform's config is checked to belong to `project_id`."""
    unknown = sorted(set(apps) - set(PLATFORMS))
    if not apps or unknown:
        raise OptionsError(f"firebase_apps has {', '.join(unknown) or 'no apps'}; expected some of "
                           f"{', '.join(PLATFORMS)}")
    options: dict[str, ClientOptions] = {}
    native: dict[Path, bytes] = {}
    for platform, entry in apps.items():
        if platform == "web":
            options["web"] = web(entry)
        else:
            options[platform], raw = android(entry) if platform == "android" else ios(entry)
            where = Path("android/app/src", flavor, "google-services.json") if platform == "android" else \
                Path("ios/flavors", flavor, "GoogleService-Info.plist")
            native[app_dir / where] = raw
    wrong = sorted({o.project_id for o in options.values()} - {project_id})
    if wrong:
        raise OptionsError(f"the stack output's apps belong to {', '.join(wrong)}, but stack {stack} is project "
                           f"{project_id}: refusing to write them into the {flavor} build")
    files = {app_dir / "lib" / f"firebase_options_{flavor}.dart": dart_file(stack, options).encode(), **native}
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return sorted(files)
