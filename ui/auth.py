"""Sign-in for class mode: who is using this browser, kept across a refresh and a second tab.

Alone (no class set up) nothing here draws anything and :func:`user` is None,
which ``core`` ignores. In class mode (``python -m core class init``):

- :func:`gate` (called by app.py before routing) shows the sign-in page and
  stops the script until someone signs in, with a password (``core.classroom``
  checks it: argon2id), by signing up with the class code, or through the
  school's identity provider when ``st.login`` is configured (``[auth]`` in
  secrets.toml; the e-mail is mapped onto an account);
- the session token lives in ``st.session_state`` and in a cookie
  (``embedlab_session``; SameSite=Strict, ``Secure`` on https), which a new
  tab or a refresh sends: ``st.context.cookies`` reads it. Streamlit has no
  API to write a cookie from a script, so it is set by a two-line script in
  ``st.html(..., unsafe_allow_javascript=True)``; the server keeps only the
  token's SHA-256, with an expiry, so signing out (or a password reset)
  revokes it whatever the browser still holds;
- :func:`user` is what pages pass to core as ``user=``.
"""
from __future__ import annotations

import streamlit as st

from ui.i18n import t

_TOKEN = "_auth_token"


def settings():
    """The class's settings, or None alone."""
    from core.classroom import load_settings

    return load_settings()


def _token() -> str | None:
    from core.classroom import SESSION_COOKIE

    token = st.session_state.get(_TOKEN)
    if token:
        return token
    try:
        return st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (a bare script run)
        return None


def user():
    """The signed-in ``core.classroom.User`` in class mode; None alone (and before sign-in)."""
    if settings() is None:
        return None
    from core.classroom import user_for_token

    token = _token()
    found = user_for_token(token)
    if found is not None:
        st.session_state[_TOKEN] = token
    else:
        st.session_state.pop(_TOKEN, None)
    return found


def is_teacher(person=None) -> bool:
    """True for the signed-in teacher (never alone: there is no teacher's page then)."""
    person = user() if person is None else person
    return bool(person is not None and person.is_teacher)


def _write_cookie(token: str | None, hours: float) -> None:
    """Make the browser's session cookie match this session: ``token`` (set) or none (cleared).

    ``st.context.cookies`` is what the browser sent when this tab connected, so
    until the tab reconnects this writes the cookie on every run: a few bytes,
    and a sign-in whose first write was lost (a quick click away) still sticks.
    """
    from core.classroom import SESSION_COOKIE

    try:
        sent = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (a bare script run)
        sent = None
    if (token or None) == (sent or None):
        return
    secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https:") else ""
    value, age = (token, int(hours * 3600)) if token else ("", 0)
    # The token is URL-safe base64: nothing in it can end the string or the script.
    st.sidebar.html(f"<script>document.cookie = '{SESSION_COOKIE}={value}; Max-Age={age}; Path=/; "
                    f"SameSite=Strict{secure}';</script>", unsafe_allow_javascript=True)


def _signed_in(person, token: str) -> None:
    st.session_state[_TOKEN] = token
    st.rerun()


def sign_out() -> None:
    """Revoke this browser's session (every tab of it) and forget the cookie."""
    from core.classroom import revoke_session

    revoke_session(_token())
    st.session_state.pop(_TOKEN, None)
    st.session_state["_auth_signed_out"] = True


def _school_sign_in():
    """The account of a school sign-in (``st.login``), or None when none is configured or signed in."""
    from core.classroom import create_session, user_by_email

    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001 - no [auth] configured
        return None
    if not info.get("is_logged_in"):
        return None
    person = user_by_email(info.get("email") or "")
    if person is None:
        st.error(t("classroom.error.no_email_account", email=str(info.get("email") or "?")))
        return None
    _signed_in(person, create_session(person))


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _client() -> str:
    """The browser's address as the server sees it ("" when Streamlit cannot tell, as on localhost)."""
    try:
        return str(st.context.ip_address or "")
    except Exception:  # noqa: BLE001 - no browser context (a bare script run)
        return ""


def sign_in_page(config) -> None:
    """The sign-in form (and sign-up with the class code when it is open)."""
    from core.classroom import sign_in, sign_up
    from ui.errors import message
    from ui.runs import escape_markdown

    st.title(t("classroom.sign_in.title"))
    st.write(t("classroom.sign_in.intro", name=escape_markdown(config.name)))
    if st.session_state.pop("_auth_signed_out", False):
        st.info(t("classroom.signed_out"))
    if _oidc_configured():
        _school_sign_in()
        if st.button(t("classroom.sign_in.school"), icon=":material/school:", key="auth_school"):
            st.login()
    tabs = st.tabs([t("classroom.sign_in.tab")] + ([t("classroom.sign_up.tab")] if config.signup_open else []))
    with tabs[0]:
        with st.form("auth_sign_in"):
            name = st.text_input(t("classroom.sign_in.username"), key="auth_name", max_chars=64)
            password = st.text_input(t("classroom.sign_in.password"), type="password", key="auth_password",
                                     max_chars=256)
            if st.form_submit_button(t("classroom.sign_in.submit"), type="primary"):
                try:
                    person, token = sign_in(name, password, client=_client())
                except ValueError as err:
                    st.error(message(err))
                else:
                    _signed_in(person, token)
        if not config.signup_open:
            st.caption(t("classroom.sign_in.no_signup"))
    if config.signup_open:
        with tabs[1], st.form("auth_sign_up"):
            code = st.text_input(t("classroom.sign_up.code"), key="auth_code", max_chars=64)
            name = st.text_input(t("classroom.sign_in.username"), key="auth_new_name", max_chars=32,
                                 help=t("classroom.sign_up.username_help"))
            display = st.text_input(t("classroom.sign_up.display"), key="auth_display", max_chars=80)
            password = st.text_input(t("classroom.sign_in.password"), type="password", key="auth_new_password",
                                     max_chars=256)
            again = st.text_input(t("classroom.sign_up.password_again"), type="password", key="auth_again",
                                  max_chars=256)
            if st.form_submit_button(t("classroom.sign_up.submit"), type="primary"):
                if password != again:
                    st.error(t("classroom.error.passwords_differ"))
                else:
                    try:
                        sign_up(name, password, code, display=display, client=_client())
                        person, token = sign_in(name, password, client=_client())
                    except ValueError as err:
                        st.error(message(err))
                    else:
                        _signed_in(person, token)


def gate():
    """In class mode: the signed-in user, or the sign-in page and ``st.stop()``. Alone: None, nothing drawn.

    Also draws who is signed in, with a sign-out button, in the sidebar.
    """
    config = settings()
    if config is None:
        return None
    person = user()
    _write_cookie(st.session_state.get(_TOKEN) if person is not None else None, config.session_hours)
    if person is None:
        sign_in_page(config)
        st.stop()
    from ui.runs import escape_markdown

    _clean_once()
    st.sidebar.markdown(t("classroom.signed_in", name=escape_markdown(person.label),
                          role=t(f"classroom.role.{person.role}")))
    st.sidebar.button(t("classroom.sign_out"), on_click=sign_out, key="auth_sign_out", icon=":material/logout:")
    return person


@st.cache_resource(show_spinner=False)
def _clean_at_start(root: str):
    """Retention once per app process (``core.classroom.retention``), as ``python -m core class clean`` does."""
    from core.classroom.retention import clean

    return clean(root)


def _clean_once() -> None:
    from core.jobs import runs_root

    try:
        _clean_at_start(str(runs_root()))
    except (OSError, ValueError):
        pass  # a clean that fails must not keep the class from working; the teacher's page can run it again
