"""Keyed hashes and random secrets. Anything a client presents as proof (OTP, refresh token) is
stored only as a hash and compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet


def keyed_hash(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 over the parts, each length-prefixed so ("ab","c") and ("a","bc") differ."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        encoded = part.encode()
        mac.update(len(encoded).to_bytes(4, "big"))
        mac.update(encoded)
    return mac.hexdigest()


def derive_key(secret: str, purpose: str) -> bytes:
    """A separate key per use of the one server secret, so an OTP hash can't be replayed as a
    token hash or the other way round."""
    return hmac.new(secret.encode(), f"fitcoach:{purpose}".encode(), hashlib.sha256).digest()


def same_digest(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def random_digits(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def random_token(num_bytes: int = 32) -> str:
    return secrets.token_urlsafe(num_bytes)


def seal(secret: str, purpose: str, text: str) -> str:
    """`text` encrypted and authenticated (Fernet) under a key derived for `purpose`: for a
    secret that must wait in the database, such as an SMS with a code in the job that sends
    it."""
    return _fernet(secret, purpose).encrypt(text.encode()).decode()


def unseal(secret: str, purpose: str, sealed: str) -> str:
    return _fernet(secret, purpose).decrypt(sealed.encode()).decode()


def _fernet(secret: str, purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(secret, f"seal:{purpose}")))
