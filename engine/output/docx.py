"""Word (.docx): notices (督办单) as offices exchange them; a binary format with only the ``notice`` view.

The layout is in :mod:`.word`, imported on first use: python-docx (and lxml)
would otherwise add a tenth of a second to every start of duban.
"""

from __future__ import annotations

from ..notices import Notice

__all__ = ["notice"]


def notice(notice: Notice) -> bytes:
    """The notice as the bytes of a .docx file (A4, Chinese fonts, same input → same bytes)."""
    from .word import notice_document

    return notice_document(notice)
