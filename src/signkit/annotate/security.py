"""Password hashing (argon2id), random tokens, and the checks on names, passwords and glosses."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from signkit.errors import SignkitError

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("signkit-no-such-user")

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8
MAX_GLOSS_TEXT = 4000
MAX_GLOSS = 64
MAX_ID = 2**63 - 1  # the largest id a database integer column holds
MAX_BODY = 64 * 1024  # the largest legitimate request (a form, a submission) is a few kB


class InvalidInput(SignkitError):
    """Input that breaks a rule; the message says which."""


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise InvalidInput("a user name is 2 to 64 letters, digits, '.', '_' or '-'")
    return name


def check_password(password: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= 256:
        raise InvalidInput(f"a password has {MIN_PASSWORD} to 256 characters")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(session_token: str) -> str:
    """The CSRF token of a login session: bound to it, so a token planted in the browser by
    another site (or a sibling subdomain's cookie) is worth nothing without the session."""
    return hmac.new(session_token.encode(), b"signkit-csrf", hashlib.sha256).hexdigest()


def check_text(text: str, what: str) -> str:
    """Free text (notes, searches) without control characters or lone surrogates, which no
    database or page encoding can store."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput(f"{what} contains control characters")
    return text


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and secrets.compare_digest(str(a), str(b))


def normalize_glosses(text: str, required: bool = True) -> str:
    """Space-separated gloss tokens, whitespace collapsed. Any printable token is allowed (glosses
    use letters of any script, digits and marks such as ``-``, ``+``, ``?``); control characters
    and overlong input are refused. Pages escape the text when they show it."""
    if not isinstance(text, str):
        raise InvalidInput("glosses must be text")
    if len(text) > MAX_GLOSS_TEXT:
        raise InvalidInput(f"glosses are at most {MAX_GLOSS_TEXT} characters")
    tokens = text.split()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for t in tokens for ch in t):
        raise InvalidInput("glosses contain control characters")
    if any(len(t) > MAX_GLOSS for t in tokens):
        raise InvalidInput(f"a gloss is at most {MAX_GLOSS} characters")
    if required and not tokens:
        raise InvalidInput("type at least one gloss, or skip the clip with a reason")
    return " ".join(tokens)
