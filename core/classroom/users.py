"""Local accounts: a teacher and students, passwords hashed with argon2id (argon2-cffi).

A user record in ``users.json``::

    "alice": {"display": "Alice Wang", "role": "student", "password": "$argon2id$v=19$...",
              "created": "2026-12-01T09:00:00+00:00", "source": "roster" | "signup" | "init" | "oidc" | "cli",
              "email": ""}

The user name (``alice``) is what owns runs; it is lower-case letters, digits
and ``. _ -`` so it can never become a path. The display name is shown
literally (escaped) wherever a page shows it. Passwords use argon2-cffi's
``PasswordHasher`` defaults (argon2id, RFC 9106 low-memory profile: 64 MiB,
3 passes; about 0.2 s on a 2-core server), rehashed on sign-in when the
defaults change.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from core.classroom import state, throttle
from core.classroom.errors import ClassError

USERS_FILE = "users.json"
ROLES = ("teacher", "student")
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")
MIN_PASSWORD = 6


@dataclass(frozen=True)
class User:
    """Who is acting: ``name`` (the account), ``role`` ("teacher" or "student"), ``display`` (shown)."""

    name: str
    role: str
    display: str = ""
    email: str = ""

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def label(self) -> str:
        """``display`` when set, else the user name."""
        return self.display or self.name


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def check_username(name: str) -> str:
    """``name`` lower-cased if it is a valid user name, else ``ValueError`` saying what is allowed."""
    text = str(name or "").strip().lower()
    if not USERNAME.fullmatch(text) or ".." in text:
        raise ClassError(f"{str(name)[:40]!r} is not a valid user name: use 1-32 lower-case letters, digits, "
                         "'.', '_' or '-', starting with a letter or digit.", "classroom.error.bad_name",
                         name=str(name)[:40])
    return text


def _check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ClassError(f"the password must have at least {MIN_PASSWORD} characters.",
                         "classroom.error.short_password", n=MIN_PASSWORD)
    if len(password) > 256:
        raise ClassError("the password must have at most 256 characters.", "classroom.error.long_password", n=256)
    return password


def _records(runs_root) -> dict:
    data = state.read(runs_root, USERS_FILE, {}) or {}
    return data.get("users", {}) if isinstance(data, dict) else {}


def _user(name: str, record: dict) -> User:
    return User(name=name, role=record.get("role", "student"), display=str(record.get("display") or ""),
                email=str(record.get("email") or ""))


_cache: dict[str, tuple[int, dict]] = {}


def _cached_records(runs_root) -> dict:
    key = str(state.class_dir(runs_root))
    stamp = state.mtime(runs_root, USERS_FILE)
    cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _records(runs_root))
        _cache[key] = cached
    return cached[1]


def get_user(name: str, runs_root=None) -> User | None:
    """The account ``name`` (case-insensitive), or None when there is none."""
    try:
        name = check_username(name)
    except ValueError:
        return None
    record = _cached_records(runs_root).get(name)
    return _user(name, record) if record else None


def user_by_email(email: str, runs_root=None) -> User | None:
    """The account whose e-mail is ``email`` (case-insensitive): how a school sign-in (``st.login``) maps on a user."""
    wanted = str(email or "").strip().lower()
    if not wanted:
        return None
    return next((u for u in list_users(runs_root) if u.email.strip().lower() == wanted), None)


def list_users(runs_root=None) -> list[User]:
    """Every account, the teacher first, then students by name."""
    users = [_user(name, rec) for name, rec in _cached_records(runs_root).items()]
    return sorted(users, key=lambda u: (u.role != "teacher", u.name))


def teacher(runs_root=None) -> User | None:
    """The (first) teacher account: the owner of runs started from the shell."""
    return next((u for u in list_users(runs_root) if u.is_teacher), None)


def _write_user(runs_root, name: str, record: dict, *, replace_existing: bool) -> None:
    from core.jobs.store import now_iso

    with state.locked(runs_root):
        data = state.read(runs_root, USERS_FILE, {}) or {}
        users = data.setdefault("users", {})
        if name in users and not replace_existing:
            raise ClassError(f"there is already an account {name!r}; pick another user name.",
                             "classroom.error.taken", name=name)
        users[name] = {**users.get(name, {}), "created": users.get(name, {}).get("created") or now_iso(), **record}
        state.write(runs_root, USERS_FILE, data)


def add_user(name: str, password: str | None, *, role: str = "student", display: str = "", email: str = "",
             source: str = "cli", runs_root=None, replace_existing: bool = False) -> User:
    """Create the account ``name`` with ``password`` (None: an account that signs in through OIDC only).

    Raises ``ValueError`` for a bad name, a short password, an unknown role or
    (unless ``replace_existing``) a name already taken.
    """
    name = check_username(name)
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}.")
    record = {"role": role, "display": " ".join(str(display or "").split())[:80], "email": str(email or "")[:200],
              "source": source, "password": _hasher().hash(_check_password(password)) if password is not None else ""}
    _write_user(runs_root, name, record, replace_existing=replace_existing)
    return get_user(name, runs_root)


def set_password(name: str, password: str, runs_root=None) -> None:
    """Reset ``name``'s password (the teacher's reset) and sign that person out everywhere."""
    from core.classroom.sessions import revoke_user_sessions

    name = check_username(name)
    hashed = _hasher().hash(_check_password(password))
    with state.locked(runs_root):
        data = state.read(runs_root, USERS_FILE, {}) or {}
        if name not in data.get("users", {}):
            raise ValueError(f"there is no account {name!r}.")
        data["users"][name]["password"] = hashed
        state.write(runs_root, USERS_FILE, data)
    revoke_user_sessions(name, runs_root)
    throttle.forget_name(name, runs_root)  # the new password is not kept waiting by the old wrong ones


def verify_password(name: str, password: str, runs_root=None) -> User | None:
    """The user if ``password`` is ``name``'s password, else None (same answer for an unknown name)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        name = check_username(name)
    except ValueError:
        return None
    record = _records(runs_root).get(name)
    stored = (record or {}).get("password") or ""
    if not stored:
        hasher.hash(str(password or "x"))  # the same work as a real check: no timing hint that the name is unknown
        return None
    try:
        hasher.verify(stored, str(password or ""))
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(stored):
        set_password_hash = hasher.hash(password)
        with state.locked(runs_root):
            data = state.read(runs_root, USERS_FILE, {}) or {}
            if name in data.get("users", {}):
                data["users"][name]["password"] = set_password_hash
                state.write(runs_root, USERS_FILE, data)
    return _user(name, record)


def sign_up(name: str, password: str, code: str, *, display: str = "", runs_root=None, client: str = "") -> User:
    """A student creates an account with the class code. Raises ``ValueError`` when sign-up is closed,
    the code is wrong, or the name is taken; after a few wrong codes from one address (``client``), the
    attempt waits as a sign-in does (``core.classroom.throttle``)."""
    import hmac

    from core.classroom.settings import load_settings

    settings = load_settings(runs_root)
    if settings is None or not settings.signup_open:
        raise ClassError("sign-up is closed in this class; ask your teacher for an account.",
                         "classroom.error.signup_closed")
    key = throttle.door("sign_up", "", client)  # the code is one for everybody: counted per address
    throttle.check(key, runs_root)
    if not hmac.compare_digest(str(code or "").strip().lower().encode(), settings.code.lower().encode()):
        throttle.failed(key, runs_root)
        raise ClassError("that is not this class's code; ask your teacher for it.", "classroom.error.bad_code")
    throttle.succeeded(key, runs_root)
    return add_user(name, password, role="student", display=display, source="signup", runs_root=runs_root)


def import_roster(path: str | Path, runs_root=None) -> list[tuple[User, str]]:
    """Add the students of a roster file; returns ``[(user, password), ...]`` for the new accounts.

    The roster is CSV with a header: ``username`` (required), ``name`` (display
    name), ``password`` (optional: a random 10-character one is made and
    returned, to hand out), ``email``. Existing accounts are left as they are.
    Raises ``ValueError`` naming the line of a bad row (nothing is added then).
    """
    import secrets

    from core.text.reader import decode_file

    text = decode_file(path)[0]  # the one reader: a roster saved by Excel as GBK or UTF-16 reads as well
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "username" not in {k.strip().lower() for k in rows[0]}:
        raise ValueError("the roster needs a header line with a 'username' column (and optionally name, password, "
                         "email).")
    existing = {u.name for u in list_users(runs_root)}
    planned = []
    for line, row in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            name = check_username(row.get("username", ""))
            if name in existing or name in {p[0] for p in planned}:
                continue
            password = row.get("password") or secrets.token_urlsafe(8)[:10]
            _check_password(password)
        except ValueError as err:
            raise ValueError(f"roster line {line}: {err}") from None
        planned.append((name, password, row.get("name", ""), row.get("email", "")))
    return [(add_user(name, password, display=display, email=email, source="roster", runs_root=runs_root), password)
            for name, password, display, email in planned]
