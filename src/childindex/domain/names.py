"""The normal form of a name used for exact search keys."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


# Names repeat a great deal in a feed; the key is a pure function of the name.
@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Case-folded, accent-free, single-spaced form: ``"  Zoë  O'Brien"`` -> ``"zoe o'brien"``.

    Two names with the same key are the *same* name for exact search; no fuzziness here.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
