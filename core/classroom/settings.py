"""The class's settings (``<runs>/.class/settings.json``): limits, retention, sign-up, what students may type.

Defaults fit 30 students on one 2-core server (one CPU job slot): each
student may have 2 runs queued or running, so one student's ten clicks never
fill the queue, and the whole class at most 40 (about an hour of small
word2vec runs at 1-2 minutes each); an upload may be 20 MiB (a long novel is
1-5 MiB) and a student's uploads and runs together 500 MiB (15 GB for a class
of 30 at the limit, which a class server's disk holds).
Finished runs and uploads of students are deleted after 30 days.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields, replace

from core.classroom import state

SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Limits:
    """Per-person limits the teacher sets; the teacher's own runs are not limited."""

    active_runs: int = 2  # Runs one student may have queued or running at once.
    queue_total: int = 40  # Runs the whole class may have queued or running at once.
    upload_mb: int = 20  # Largest single upload, in MiB.
    disk_mb: int = 500  # Disk one student's uploads and runs may use together, in MiB.
    retention_days: int = 30  # Students' finished runs and uploads older than this are deleted (0 = keep forever).

    def __post_init__(self):
        bounds = {"active_runs": (1, 100), "queue_total": (1, 10_000), "upload_mb": (1, 2048),
                  "disk_mb": (1, 1_000_000), "retention_days": (0, 3650)}
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"the limit {name} must be a whole number from {low} to {high}, not {value!r}.")


@dataclass(frozen=True)
class ClassSettings:
    """What ``python -m core class init`` writes and the teacher's page edits."""

    name: str = "EmbedLab class"  # The class's name, shown on the sign-in page.
    code: str = ""  # The class code a student types to sign up (empty = no sign-up; the teacher adds everyone).
    signup: bool = True  # Students may create their own account with the class code.
    allow_paths: bool = False  # Students may type a folder or file path on the server (a model folder, a corpus).
    allow_hub: bool = False  # Students may type a Hugging Face hub id (only works on a server that is online).
    session_hours: int = 168  # How long a sign-in lasts on one browser (a week), unless the student signs out.
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self):
        if not isinstance(self.limits, Limits):
            object.__setattr__(self, "limits", Limits(**dict(self.limits or {})))
        if not 1 <= int(self.session_hours) <= 24 * 365:
            raise ValueError("session_hours must be from 1 to 8760.")
        if self.code and len(self.code) < 4:
            raise ValueError("the class code must have at least 4 characters.")

    @property
    def signup_open(self) -> bool:
        """Whether a student can sign up now (sign-up on and a class code set)."""
        return bool(self.signup and self.code)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ClassSettings":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        limits = values.pop("limits", None) or {}
        limit_names = {f.name for f in fields(Limits)}
        return cls(**values, limits=Limits(**{k: v for k, v in limits.items() if k in limit_names}))


def new_class_code() -> str:
    """A class code that is easy to read aloud: 8 characters without look-alikes (0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


_cache: dict[str, tuple[int, ClassSettings | None]] = {}


def load_settings(runs_root=None) -> ClassSettings | None:
    """The class's settings, or None when class mode is off (no ``.class/settings.json``).

    Read once per change of the file (cheap to call on every page run).
    """
    key = str(state.class_dir(runs_root))
    stamp = state.mtime(runs_root, SETTINGS_FILE)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    data = state.read(runs_root, SETTINGS_FILE, None) if stamp else None
    settings = ClassSettings.from_dict(data) if isinstance(data, dict) else None
    _cache[key] = (stamp, settings)
    return settings


def class_mode(runs_root=None) -> bool:
    """True when the teacher has set up a class on this runs directory (``python -m core class init``)."""
    return load_settings(runs_root) is not None


def save_settings(settings: ClassSettings, runs_root=None) -> ClassSettings:
    """Write the settings (switching class mode on if it was off)."""
    with state.locked(runs_root):
        state.write(runs_root, SETTINGS_FILE, settings.to_dict())
    return settings


def update_settings(runs_root=None, **changes) -> ClassSettings:
    """Change some settings (``limits`` may be a dict of some limits); validates before writing.

    Raises ``ValueError`` when class mode is off or a value is out of range.
    """
    current = load_settings(runs_root)
    if current is None:
        raise ValueError("class mode is off here; start a class with `python -m core class init`.")
    limit_changes = changes.pop("limits", None) or {}
    unknown = set(changes) - {f.name for f in fields(ClassSettings)} - {"limits"}
    if unknown:
        raise ValueError(f"unknown class settings: {', '.join(sorted(unknown))}.")
    bad_limits = set(limit_changes) - {f.name for f in fields(Limits)}
    if bad_limits:
        raise ValueError(f"unknown limits: {', '.join(sorted(bad_limits))}; known: "
                         f"{', '.join(f.name for f in fields(Limits))}.")
    new = replace(current, **changes, limits=replace(current.limits, **limit_changes))
    return save_settings(new, runs_root)
