"""Class mode: who may sign in, as what, and the limits a teacher sets (no Streamlit here).

Alone (the default) nothing of this exists and nothing changes. A teacher
switches class mode on with ``python -m core class init``, which writes
``<runs>/.class/``::

    <runs>/.class/settings.json   class name, class code, sign-up on/off, limits, retention, what students may type
    <runs>/.class/users.json      accounts: role (teacher | student), display name, argon2id password hash
    <runs>/.class/sessions.json   sign-in sessions: sha256 of the random token -> user, expiry
    <runs>/.class/.lock           flock'ed around every read-modify-write of those files

Who owns which run and who may see it is checked in :mod:`core.jobs.access`,
which asks this package whether class mode is on (:func:`class_mode`) and who
a user is (:func:`get_user`).
"""
from core.classroom.sessions import SESSION_COOKIE, create_session, revoke_session, revoke_user_sessions, sign_in, user_for_token
from core.classroom.settings import ClassSettings, Limits, class_mode, load_settings, save_settings, update_settings
from core.classroom.users import (
    ROLES,
    User,
    add_user,
    check_username,
    get_user,
    import_roster,
    list_users,
    set_password,
    sign_up,
    teacher,
    user_by_email,
    verify_password,
)
from core.classroom.errors import ClassError

__all__ = [
    "ROLES", "SESSION_COOKIE", "ClassError", "ClassSettings", "Limits", "User", "add_user", "create_session", "check_username", "class_mode",
    "get_user", "import_roster", "list_users", "load_settings", "revoke_session", "revoke_user_sessions",
    "save_settings", "set_password", "sign_in", "sign_up", "teacher", "update_settings", "user_by_email", "user_for_token",
    "verify_password",
]
