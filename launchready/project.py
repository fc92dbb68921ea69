"""The project launchready works on: the directory holding `Pulumi.yaml`.

Found by walking up from the working directory (as git and pulumi do) or given with `--project-dir`.
Every relative path — stack files, rules, indexes, functions source, app dir, reports, handover, the
sandbox state — resolves here, never against where launchready is installed, so the same installed
tool judges whichever app it is run in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from launchready.config.model import NAMESPACE, ConfigError
from launchready.errors import UsageError

PROJECT_FILE = "Pulumi.yaml"
DEFAULT_STACKS_DIR = "stacks"
APP_DIR_KEY = f"{NAMESPACE}:appDir"          # project-level config (Pulumi.yaml `config:`)
MATRIX_KEY = f"{NAMESPACE}:accessMatrix"
DEFAULT_MATRIX = "launchready.access.yaml"


def _packaged_functions() -> Path:
    """The default backend shipped with launchready (`launchready.functions`)."""
    import launchready.functions as packaged
    return Path(packaged.__file__).resolve().parent


@dataclass(frozen=True)
class Project:
    root: Path
    settings: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).resolve())   # containment checks compare resolved paths

    @classmethod
    def load(cls, root: Path) -> Project:
        from launchready.config.stack_yaml import StackFileError
        from launchready.config.stack_yaml import load as load_bounded

        root = Path(root).resolve()
        path = root / PROJECT_FILE
        try:  # bounded like a stack file: a pull request controls it (duplicate keys are refused, not last-wins)
            document = load_bounded(path)[0] or {}
        except StackFileError as exc:
            raise UsageError(f"{path}: {exc}") from None
        if not isinstance(document, dict):
            raise UsageError(f"{path}: expected a mapping (name, runtime, main, stackConfigDir ...)")
        return cls(root, document)

    # -------------------------------------------------------------- resolving paths

    def resolve(self, value: str | Path, what: str) -> Path:
        """`value` (relative to the root, or absolute inside it) as an absolute path; one that escapes
        the project is a config error — a stack must not deploy another repository's files."""
        path = Path(value)
        full = (path if path.is_absolute() else self.root / path).resolve()
        if full != self.root and self.root not in full.parents:
            raise ConfigError([f"{what}: {value} is outside the project root {self.root}"])
        return full

    @overload
    def flag(self, value: Path) -> Path: ...

    @overload
    def flag(self, value: None) -> None: ...

    def flag(self, value: Path | None) -> Path | None:
        """A path given on the command line: relative ones mean relative to the project root."""
        return None if value is None else value if value.is_absolute() else self.root / value

    def display(self, path: str | Path) -> str:
        """A path as reports show it: relative to the root when inside it."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def _config_value(self, key: str) -> Any:
        config = self.settings.get("config")
        entry = config.get(key) if isinstance(config, dict) else None
        return entry.get("value", entry.get("default")) if isinstance(entry, dict) else entry

    @property
    def name(self) -> str:
        return str(self.settings.get("name") or self.root.name)

    @property
    def stacks_dir(self) -> Path:
        """Pulumi.yaml's stackConfigDir; without one, where Pulumi looks (the root) when stack files are
        there, else launchready's `stacks/`."""
        configured = self.settings.get("stackConfigDir")
        if not configured and any(self.root.glob("Pulumi.*.yaml")):
            return self.root
        return self.resolve(configured or DEFAULT_STACKS_DIR, "Pulumi.yaml stackConfigDir")

    @property
    def app_dir(self) -> Path | None:
        """The Flutter app: `launchready:appDir` in Pulumi.yaml, else the root when it holds pubspec.yaml."""
        configured = self._config_value(APP_DIR_KEY)
        if configured:
            return self.resolve(configured, f"Pulumi.yaml {APP_DIR_KEY}")
        return self.root if (self.root / "pubspec.yaml").is_file() else None

    @property
    def matrix_file(self) -> Path:
        return self.resolve(self._config_value(MATRIX_KEY) or DEFAULT_MATRIX, f"Pulumi.yaml {MATRIX_KEY}")

    @property
    def functions_dir(self) -> Path:
        """The project's own `functions/` when it has one, else the packaged default backend."""
        own = self.root / "functions"
        return own if (own / "main.py").is_file() else _packaged_functions()

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def report_path(self, stack: str) -> Path:
        return self.build_dir / "reports" / f"{stack}.json"


# ------------------------------------------------------------------ discovery

def find_root(start: Path) -> Path | None:
    """The nearest folder from `start` upwards that holds Pulumi.yaml."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def init_root(project_dir: Path | None) -> Path:
    """Where `launchready init` writes: `--project-dir`, else the working directory."""
    root = Path(project_dir).resolve() if project_dir is not None else Path.cwd().resolve()
    if not root.is_dir():
        raise UsageError(f"--project-dir: {root} is not a folder")
    return root


def discover(project_dir: Path | None = None) -> Project:
    """The project `--project-dir` names, else the one the working directory is in (walking up)."""
    if project_dir is not None:
        root = Path(project_dir).resolve()
        if not (root / PROJECT_FILE).is_file():
            raise UsageError(f"--project-dir: {root} holds no {PROJECT_FILE} "
                             "(run `launchready init` there first)")
        return Project.load(root)
    found = find_root(Path.cwd())
    if found is None:
        raise UsageError(f"no {PROJECT_FILE} in {Path.cwd()} or any parent folder: run `launchready init` "
                         "in your app repository, or pass --project-dir")
    return Project.load(found)


def stacks_folder(project: Project, stacks_dir: Path | None) -> Path:
    """`--stacks-dir` (relative to the root) or the project's stackConfigDir; must be a folder."""
    folder = project.flag(stacks_dir) or project.stacks_dir
    if not folder.is_dir():
        flag = "--stacks-dir" if stacks_dir is not None else f"{PROJECT_FILE} stackConfigDir"
        raise UsageError(f"{flag}: {folder} is not a folder (run `launchready init` to write the stack files)")
    return folder
