"""The upload size limit, in one place: what the server accepts, what the pages say.

Alone, it is ``server.maxUploadSize`` from ``.streamlit/config.toml`` (2 GiB: a
laptop user may train on a big corpus). In class mode it is the teacher's
limit (``core.classroom`` ``Limits.upload_mb``, 20 MiB by default;
``python -m core class limits``), applied to the server itself on every page
run, so a body over the limit is refused with HTTP 413 before it is read into
memory, whoever sends it and whatever widget (or none) asked for it. The
teacher's own uploads share that server-wide limit; a bigger corpus can be
given to the CLI as a path.
"""
from __future__ import annotations

import threading

from streamlit import config

_CONFIGURED: dict[str, int] = {}
_LOCK = threading.Lock()


def configured_mb() -> int:
    """``server.maxUploadSize`` as the server was started with (config.toml or the command line)."""
    with _LOCK:
        if "mb" not in _CONFIGURED:
            _CONFIGURED["mb"] = int(config.get_option("server.maxUploadSize"))
        return _CONFIGURED["mb"]


def class_limit_mb() -> int | None:
    """The class's upload limit in MiB, or None when class mode is off (or not installed)."""
    try:
        from core.classroom import load_settings
    except ImportError:
        return None
    settings = load_settings()
    return None if settings is None else int(settings.limits.upload_mb)


def limit_mb() -> int:
    """The upload limit in MiB now: the class's in class mode, else the configured one."""
    configured = configured_mb()
    in_class = class_limit_mb()
    return configured if in_class is None else min(configured, in_class)


def apply() -> int:
    """Make the server refuse bodies over :func:`limit_mb` (Streamlit reads the option on every upload)."""
    mb = limit_mb()
    if int(config.get_option("server.maxUploadSize")) != mb:
        # An internal API (streamlit.config.set_option): the public st.set_option only takes client options.
        config.set_option("server.maxUploadSize", mb, "EmbedLab class limit")
    return mb


def limit_bytes() -> int:
    """The limit in bytes for the pages' checks and captions (never above the reader's own maximum)."""
    from core.text import MAX_UPLOAD_BYTES

    return int(min(MAX_UPLOAD_BYTES, limit_mb() * 2**20))
