"""Who may do what with a run: owners, visibility, and what a job config may point at.

Every read or change in :mod:`core.jobs` (status, metrics, config, summary,
artifact folders, cancel, delete, list, resume) and in the upload store takes
the acting ``user`` and asks this module. Alone (no class set up: see
:mod:`core.classroom`) everyone may do everything and nothing is recorded, as
before. In class mode:

- ``user`` is a :class:`core.classroom.User`, a user name, or :data:`SHELL`
  (the person at the server's shell, who acts as the teacher: the CLI passes
  it). ``None`` is refused with :class:`SignInRequired` (fail closed), except
  inside a job's own process, which acts for the run's owner (:func:`acting_for`).
- a run records ``owner`` (a user name) and ``visibility`` (``"private"`` or
  ``"class"``) in config.json; a run without an owner (started from the shell,
  or before class mode) belongs to the teacher.
- reading someone else's private run, or changing someone else's run, raises
  :class:`AccessError` ("this run belongs to someone else"); the teacher may
  do everything; a run shared with the class may be read by everyone.
- a student's job config may only point at the student's own uploads,
  shipped data (``data/``, ``models/``, samples, named datasets) and runs the
  student may read; typed folder paths and hub ids as models only when the
  teacher allows them (:func:`check_config`).

Nothing here launches anything, so the local queue and another executor share it.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from core.jobs import store

SHELL = "@shell"  # the acting user of the CLI: the teacher, who owns the server
VISIBILITIES = ("private", "class")
MODEL_KEYS = ("model", "tokenizer_from")  # config keys that name a model (a listed one, else a folder or hub id)
PROJECT = Path(__file__).resolve().parents[2]

_job_owner: str | None = None  # set while a job function runs in this process: it acts for the run's owner


class AccessError(ValueError):
    """Refused: the acting user may not do this. ``key``/``fields`` give the translated message."""

    def __init__(self, message: str, key: str = "classroom.error.not_yours", **fields):
        super().__init__(message)
        self.key = key
        self.fields = fields


class SignInRequired(AccessError):
    """Class mode is on and no user was given: nobody is served anonymously."""

    def __init__(self):
        super().__init__("sign in first: this EmbedLab runs in class mode.", key="classroom.error.sign_in")


@dataclass(frozen=True)
class Actor:
    """The acting person, resolved: ``name`` ("" alone) and ``role`` ("alone", "teacher" or "student")."""

    name: str
    role: str

    @property
    def is_teacher(self) -> bool:
        """True for the teacher, and for everyone when there is no class (alone)."""
        return self.role in ("teacher", "alone")

    @property
    def in_class(self) -> bool:
        return self.role != "alone"


ALONE = Actor("", "alone")


@contextlib.contextmanager
def acting_for(owner: str | None):
    """While the block runs, calls without a user act for ``owner`` (a job running for its run's owner)."""
    global _job_owner
    previous, _job_owner = _job_owner, (owner or SHELL)
    try:
        yield
    finally:
        _job_owner = previous


def actor(user=None, runs_root=None) -> Actor:
    """Resolve ``user`` to an :class:`Actor` (see the module docstring).

    Raises :class:`SignInRequired` for ``None`` in class mode and
    :class:`AccessError` for a user name that has no account.
    """
    from core.classroom import User, get_user, load_settings, teacher

    root = store.runs_root(runs_root)
    if load_settings(root) is None:
        return ALONE
    if isinstance(user, Actor):
        return user
    if user is None:
        if _job_owner is None:
            raise SignInRequired()
        user = _job_owner
    if user == SHELL:
        head = teacher(root)
        return Actor(head.name if head else "teacher", "teacher")
    name = user.name if isinstance(user, User) else str(user)
    record = get_user(name, root)
    if record is None:
        raise AccessError(f"there is no account {name[:40]!r} in this class.", key="classroom.error.no_account",
                          name=name[:40])
    return Actor(record.name, record.role)


# ------------------------------------------------------------------ runs

def owner_of(meta: dict) -> str:
    """The user name that owns a run's config.json ``meta`` ("" = the teacher: shell or pre-class runs)."""
    return str((meta or {}).get("owner") or "")


def visibility_of(meta: dict) -> str:
    return "class" if (meta or {}).get("visibility") == "class" else "private"


def owns(who: Actor, meta: dict) -> bool:
    owner = owner_of(meta)
    return who.name == owner if owner else who.is_teacher


def can_read(who: Actor, meta: dict) -> bool:
    """May ``who`` see the run: alone, the teacher, its owner, or anyone once it is shared with the class."""
    return who.is_teacher or owns(who, meta) or visibility_of(meta) == "class"


def can_modify(who: Actor, meta: dict) -> bool:
    """May ``who`` cancel, delete or share the run: alone, the teacher, or its owner."""
    return who.is_teacher or owns(who, meta)


def check_read(who: Actor, run_id: str, meta: dict) -> None:
    if not can_read(who, meta):
        raise AccessError(f"run {run_id}: this run belongs to someone else; you can open your own runs and the "
                          "ones shared with the class.", run=run_id)


def check_modify(who: Actor, run_id: str, meta: dict) -> None:
    if not can_modify(who, meta):
        if can_read(who, meta):
            raise AccessError(f"run {run_id} is shared with the class, but it belongs to someone else: only its "
                              "owner or the teacher can change it.", key="classroom.error.shared_not_yours", run=run_id)
        check_read(who, run_id, meta)


def ownership_fields(who: Actor) -> dict:
    """What a new run's config.json records: nothing alone; ``owner`` and ``visibility`` in class mode."""
    return {"owner": who.name, "visibility": "private"} if who.in_class else {}


def run_meta(run_id: str, root: Path) -> dict:
    """config.json of ``run_id`` ({} when missing), without any check."""
    return store.read_json(store.run_dir(run_id, root) / "config.json", {}) or {}


# ------------------------------------------------------------------ uploads and job configs

def upload_dir(who: Actor, runs_root=None) -> Path:
    """Where ``who``'s uploads are stored: ``.uploads/`` alone, ``.uploads/<user>/`` in class mode (created)."""
    folder = store.special_dir("uploads", runs_root)
    if who.in_class:
        folder = folder / (who.name or "teacher")
        folder.mkdir(exist_ok=True)
    return folder


def shipped_roots(root: Path) -> list[Path]:
    """Folders any signed-in person may read files from: shipped data and models, and EmbedLab's caches."""
    from core.numba_cache import cache_root

    return [PROJECT / "data", PROJECT / "models", cache_root(), root / ".cache"]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def _looks_like_path(value: str) -> bool:
    if not value or len(value) > 4096 or (":" in value.split("/")[0] and not value.startswith("/")):
        return False  # "sample:sentiment", "dataset:msra_ner", "C:..." are not server paths
    return (os.path.isabs(value) or value.startswith(("~", "./", "../")) or os.sep in value
            or "/" in value or Path(value).exists())


def path_readable(who: Actor, value: str, root: Path) -> bool:
    """May ``who`` make a job or a preview read the file or folder ``value`` on the server?

    Yes alone and for the teacher. A student: their own uploads, shipped data
    and caches, the folders of runs they may read, and someone else's upload
    only when it is the corpus of a run shared with the class.
    """
    if who.is_teacher:
        return True
    path = Path(value).expanduser().resolve()
    uploads = store.special_dir("uploads", root).resolve()
    if _inside(path, upload_dir(who, root)):
        return True
    if any(_inside(path, folder) for folder in shipped_roots(root)):
        return True
    run_id = _run_of(path, root)
    if run_id:
        return can_read(who, run_meta(run_id, root))
    if _inside(path, uploads):
        return _shared_upload(who, str(path), root)
    return False


def _run_of(path: Path, root: Path) -> str:
    """The id of the run whose folder holds ``path`` ("" when it is in none)."""
    top = root.resolve()
    if not _inside(path, top) or path == top:
        return ""
    run_id = path.relative_to(top).parts[0]
    if store.RUN_ID.fullmatch(run_id) and ".." not in run_id and (top / run_id / "config.json").is_file():
        return run_id
    return ""


def _shared_upload(who: Actor, path: str, root: Path) -> bool:
    """Is ``path`` (someone else's upload) the input of a run shared with the class?"""
    for entry in os.scandir(root):
        if not entry.is_dir() or not store.RUN_ID.fullmatch(entry.name):
            continue
        meta = store.read_json(Path(entry.path) / "config.json")
        if isinstance(meta, dict) and visibility_of(meta) == "class" and path in _strings(meta.get("config")):
            return True
    return False


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value, str(Path(value).expanduser().resolve()) if _looks_like_path(value) else value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def check_path(who: Actor, value: str, root: Path, what: str = "file") -> None:
    """Raise :class:`AccessError` unless ``who`` may read ``value`` (see :func:`path_readable`)."""
    if not path_readable(who, value, root):
        from core.classroom import load_settings

        run_id = _run_of(Path(value).expanduser().resolve(), root)
        if run_id:
            check_read(who, run_id, run_meta(run_id, root))  # says: this run belongs to someone else

        settings = load_settings(root)
        if settings is not None and settings.allow_paths and not _inside(
                Path(value).expanduser().resolve(), root.resolve()):
            return
        raise AccessError(f"{what} {Path(value).name!r}: in class mode a run can only read your own uploads, the "
                          "shipped data and runs you may open; upload the file instead.",
                          key="classroom.error.path", name=Path(value).name)


def _check_model(who: Actor, value: str, root: Path) -> None:
    """A model a student's job names: a listed one (shipped, or a pretraining run they may read), else only a
    folder or hub id the teacher allows (``core.models.check_typed_model``)."""
    from core.models import check_typed_model, list_models

    if value and value not in {m.name for m in list_models(root, user=who)}:
        check_typed_model(value, who, root)


def check_config(who: Actor, config, root: Path) -> None:
    """Refuse a student's job config that points at files or runs the student may not read.

    Walks every string in ``config`` (nested dicts and lists too, so new fields
    are covered): a value under a model key must be a listed model; a run id
    must be a run the student may read; a server path must pass
    :func:`check_path`. Alone and for the teacher nothing is refused.
    """
    if who.is_teacher:
        return
    for key, value in _walk(config):
        if not isinstance(value, str) or not value or key == "name" or key.endswith("_name"):
            continue  # display names (a file's name as the user knows it) are never read as paths
        if key in MODEL_KEYS:
            _check_model(who, value, root)
        elif store.RUN_ID.fullmatch(value) and ".." not in value and (root / value / "config.json").is_file():
            check_read(who, value, run_meta(value, root))
        elif _looks_like_path(value):
            check_path(who, value, root, key or "file")


def _walk(value, key: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v, key)
    else:
        yield key, value
