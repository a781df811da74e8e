"""The one error type of class mode's accounts: a ``ValueError`` whose words a page can translate.

``key`` names a message in ``locales/classroom.json`` and ``fields`` fill it
in; ``str(err)`` is the English sentence the CLI prints. ``core.jobs``'s
``AccessError`` and ``LimitError`` carry ``key``/``fields`` the same way.
"""
from __future__ import annotations


class ClassError(ValueError):
    def __init__(self, message: str, key: str, **fields):
        super().__init__(message)
        self.key = key
        self.fields = fields
