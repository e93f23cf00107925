"""Pulumi's passphrase secrets provider, for the example secrets in the committed stack files.

`pulumi config set --secret` stores `v1:<nonce>:<ciphertext>` (AES-256-GCM) under a
key derived with PBKDF2-SHA256 (1,000,000 rounds) from the passphrase and the stack
file's `encryptionsalt`. Mocks cannot decrypt, so the tests and the benchmark do it
here (through `tools.stack_files`) with the example passphrase docs/high-availability.md documents,
and hand the program plain values exactly as `pulumi.Config.get_object` would. Needs
`cryptography` (requirements-dev.txt); the offline renderer redacts instead and never
imports this module.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tools.stack_files import EXAMPLE_PASSPHRASE

_ROUNDS = 1_000_000


@functools.cache
def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, _ROUNDS, dklen=32)


def _split(value: str) -> tuple[bytes, bytes]:
    version, nonce, ciphertext = value.split(":")
    assert version == "v1", value
    return base64.b64decode(nonce), base64.b64decode(ciphertext)


def encrypt(plaintext: str, key: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def decrypt(value: str, key: bytes) -> str:
    nonce, sealed = _split(value)
    return AESGCM(key).decrypt(nonce, sealed, None).decode()


def passphrase_key(encryption_salt: str, passphrase: str = EXAMPLE_PASSPHRASE) -> bytes:
    """The stack's key; checks it against the salt's sealed 'pulumi' as the CLI does."""
    _, salt, check = encryption_salt.split(":", 2)
    key = _key(passphrase, base64.b64decode(salt))
    if decrypt(check, key) != "pulumi":
        raise ValueError("wrong passphrase for this stack")
    return key
