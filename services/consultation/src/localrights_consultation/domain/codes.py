"""One-time participation codes: made at random, kept only as a hash.

A code is 12 characters from Crockford's base32 alphabet (no I, L, O, U to misread), 60 bits
of randomness, printed as XXXX-XXXX-XXXX. Because codes are random and that long, a plain
SHA-256 is enough to store them: a slow password hash guards *low*-entropy secrets against
guessing, and guessing 2^60 values is out of reach anyway, while a fast deterministic hash
lets a submission find its code with one indexed lookup. The consultation id is hashed in,
so a code is only ever valid for the consultation it was made for.
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_LOOKALIKES = str.maketrans("OIL", "011")


def new_code() -> str:
    """A fresh random code, grouped for reading aloud and typing on a phone."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str:
    """The code as typed by a person: case, spaces and dashes do not matter; O reads as 0."""
    cleaned = code.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(_LOOKALIKES)


def code_hash(consultation_id: UUID, code: str) -> bytes:
    """What is stored and looked up for ``code`` of this consultation."""
    return hashlib.sha256(f"{consultation_id}:{normalise(code)}".encode()).digest()
