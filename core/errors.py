"""Errors a user can fix, said in both languages: the English message for the CLI and logs, a locale key for pages.

    raise UserError("the uploaded file is empty.", "errors.upload_empty")
    raise UserError(f"only {n} examples: ...", "errors.too_few_to_split", n=n, share="15%")

``ui.errors.message`` shows ``t(key, **fields)`` in the page's language (as it does for the
class-mode refusals ``core.jobs.AccessError`` / ``LimitError``); anything else sees a
``ValueError`` with the English text. Keys live in ``locales/common.json`` (en and zh).
"""
from __future__ import annotations


class UserError(ValueError):
    """Bad input, with ``key``/``fields`` naming its translated message."""

    def __init__(self, message: str, key: str, **fields):
        super().__init__(message)
        self.key = key
        self.fields = fields
