"""The collect stage's one exception type.

The CLI maps it to exit code 2 and prints its message as is, so every message is a single line that
names the file (and, when there is one, the resource and attribute) and says what to do about it.
"""

from __future__ import annotations


class CollectError(Exception):
    """A source cannot be read or makes no sense; the message is one user-actionable line."""

    def __init__(self, message: str) -> None:
        # A message that spans lines breaks "one clear line on stderr" (SPEC §2): fold it here, once.
        super().__init__(" ".join(message.split()))


__all__ = ["CollectError"]
