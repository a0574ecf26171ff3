"""Input limits: how big a ledger or rule file duban agrees to read."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["Limits", "DEFAULT_LIMITS"]


class Limits(BaseModel):
    """Input limits; the defaults sit far above a national ledger of a million items."""

    max_file_bytes: int = 8 * 1024**3
    max_items: int = 20_000_000
    max_depth: int = 32
    # Nodes of a YAML document after expanding aliases: stops alias bombs early.
    max_yaml_nodes: int = 500_000_000
    # Aliases may repeat a document's nodes at most this many times over.
    max_alias_expansion: int = 20


DEFAULT_LIMITS = Limits()
