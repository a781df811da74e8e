"""What the fine-tune page calls things: a data source by the name the user knows, errors with the uploads' own names."""
from __future__ import annotations

from pathlib import Path

from core.sources import parse_source
from ui.errors import bad_input
from ui.i18n import lang, t, t_or


def help_text(name: str) -> str:
    """The tooltip of the fine-tune page's field ``name``."""
    return t(f"finetune.help.{name}")


def source_label(source: str, train_name: str = "") -> str:
    """What a data source is called on the page: the upload's own name, a sample's or dataset's title."""
    from core.finetune.data import display_name

    parsed = parse_source(source)
    if train_name:
        return train_name
    if parsed.kind == "sample":
        return t_or(f"finetune.sample_title.{parsed.name}", display_name(source))
    if parsed.kind == "dataset":
        try:
            from core import datasets

            ds = datasets.get(parsed.name)
            return ds.title_zh if lang() == "zh" else ds.title_en
        except (ImportError, ValueError):
            pass
    return display_name(source)


def _user_names(message: str, names: dict) -> str:
    """An error about a stored upload names the file the user chose, not its content hash."""
    for stored, original in names.items():
        message = message.replace(str(stored), original).replace(Path(stored).name, original)
    return message


def bad(err: Exception | str, names: dict) -> str:
    """``bad_input`` of ``err`` for st.error: translated when it names a message, else its words with the
    uploads' own names (put in before ``ui.errors`` escapes them and takes server paths out)."""
    if isinstance(err, Exception) and getattr(err, "key", None):
        return bad_input(err)
    return bad_input(_user_names(str(err), names))
