"""Protection of sensitive personal data at rest: ID and mobile numbers.

Values are encrypted with Fernet so a copy of the database file does not reveal them, and a keyed
hash (HMAC-SHA256) finds the same person registered twice without decrypting anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from app.settings import Settings, get_settings


class SecretKeyMissing(RuntimeError):
    pass


def _key_file(settings: Settings) -> Path:
    return settings.var_dir / "secret.key"


def load_secret_key(settings: Settings) -> bytes:
    if settings.secret_key:
        key = settings.secret_key.encode()
    elif settings.is_sqlite and settings.allow_generated_secret:
        path = _key_file(settings)
        if path.exists():
            key = path.read_bytes().strip()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Fernet.generate_key()
            # Created with owner-only permissions before anything is written into it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
    else:
        raise SecretKeyMissing(
            "JOBMATCH_SECRET_KEY is required with PostgreSQL; generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
        )
    try:
        Fernet(key)
    except ValueError as exc:
        raise SecretKeyMissing("JOBMATCH_SECRET_KEY must be a Fernet key (32 url-safe base64 bytes)") from exc
    return key


class Vault:
    """Encrypts, decrypts and fingerprints sensitive values with one key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        # A separate subkey so the fingerprint never equals anything derived for encryption.
        self._hash_key = hashlib.sha256(b"jobmatch-fingerprint:" + base64.urlsafe_b64decode(key)).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyMissing("stored personal data cannot be decrypted with the configured key") from exc

    def fingerprint(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


@lru_cache
def _vault_for(key: bytes) -> Vault:
    return Vault(key)


def get_vault(settings: Settings | None = None) -> Vault:
    return _vault_for(load_secret_key(settings or get_settings()))
