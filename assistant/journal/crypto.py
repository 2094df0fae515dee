"""Cryptographic primitives for the journal vault (format version 1).

Key hierarchy, per profile:

    passphrase --Argon2id(salt, m>=64 MiB, t>=3, p=4)--> KEK (256 bit)
    recovery key (160 random bits) --HKDF-SHA256(salt)--> recovery KEK
    KEK / recovery KEK --AES-256-GCM--> wraps the random 256-bit data key
    data key --AES-256-GCM, fresh 96-bit nonce per record--> every sealed record

Associated data binds each record to its place: format version, vault id, profile id, record
kind, record id and record version, so a record that is moved, swapped, truncated, extended or
replayed under another id fails to open. The wrap of the data key additionally binds the KDF
parameters and salt, so no header byte can change without the unlock failing.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from assistant.errors import VaultError

FORMAT_VERSION = 1
KDF_MIN_MEMORY_KIB = 64 * 1024
KDF_MIN_ITERATIONS = 3
# "Absurdly high" parameters are refused too: a tampered header must not be able to make an
# unlock allocate gigabytes or spin for minutes.
KDF_MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB: a tampered header cannot make an unlock run for minutes
KDF_MAX_ITERATIONS = 10
KDF_LANES = 4
# One Argon2id derivation at a time per process: two concurrent derive() calls from different
# threads were seen to hang forever with cryptography 50.0.2, and each takes >= 64 MiB anyway.
_KDF_LOCK = threading.Lock()
NONCE_LEN = 12
KEY_LEN = 32


class Tampered(VaultError):
    """A record failed authentication: tampered, moved, replayed or from another vault."""


def check_kdf_params(memory_kib: int, iterations: int, lanes: int) -> None:
    if memory_kib < KDF_MIN_MEMORY_KIB or iterations < KDF_MIN_ITERATIONS:
        raise VaultError(
            f"refusing to open: the vault's key-derivation settings ({memory_kib} KiB, "
            f"{iterations} passes) are below the safe floor (64 MiB, 3 passes)"
        )
    if memory_kib > KDF_MAX_MEMORY_KIB or iterations > KDF_MAX_ITERATIONS or not 1 <= lanes <= 16:
        raise VaultError("refusing to open: the vault's key-derivation settings are implausibly high")


def derive_kek(passphrase: str, salt: bytes, memory_kib: int, iterations: int, lanes: int) -> bytes:
    check_kdf_params(memory_kib, iterations, lanes)
    try:
        kdf = Argon2id(salt=salt, length=KEY_LEN, iterations=iterations, lanes=lanes, memory_cost=memory_kib)
    except (TypeError, ValueError) as exc:  # e.g. a salt shorter than 8 bytes: a damaged header
        raise VaultError("refusing to open: the vault's key-derivation salt is damaged") from exc
    with _KDF_LOCK:
        return kdf.derive(passphrase.encode("utf-8"))


def new_recovery_key() -> str:
    """160 random bits as 8 groups of 4 base32 characters: easy to print and type."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


def recovery_kek(recovery_key: str, salt: bytes) -> bytes:
    cleaned = recovery_key.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(cleaned)
    except (ValueError, base64.binascii.Error) as exc:  # type: ignore[attr-defined]
        raise VaultError("that recovery key is not in the right format") from exc
    if len(raw) != 20:
        raise VaultError("that recovery key is not in the right format")
    # The recovery key has full entropy, so a fast KDF is enough.
    return HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=salt, info=b"hearth-recovery-v1").derive(raw)


def aad(*parts: object) -> bytes:
    return b"hearth|" + b"|".join(str(p).encode("utf-8") for p in (FORMAT_VERSION, *parts))


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, blob: bytes, associated: bytes) -> bytes:
    if not isinstance(blob, bytes | bytearray | memoryview) or len(blob) < NONCE_LEN + 16:
        raise Tampered("a stored record is damaged or was tampered with")
    blob = bytes(blob)
    try:
        return AESGCM(key).decrypt(blob[:NONCE_LEN], blob[NONCE_LEN:], associated)
    except InvalidTag as exc:
        raise Tampered("a stored record is damaged or was tampered with") from exc


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def try_unwrap(kek: bytes, wrapped: bytes, associated: bytes) -> bytes | None:
    try:
        return open_sealed(kek, wrapped, associated)
    except Tampered:
        return None
