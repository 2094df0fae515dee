"""Cryptographic primitives for the journal vault (sealed-record formats 1 and 2).

Key hierarchy, per profile:

    passphrase --Argon2id(salt, m>=64 MiB, t>=3, p=4)--> KEK (256 bit)
    recovery key (160 random bits) --HKDF-SHA256(salt)--> recovery KEK
    KEK / recovery KEK --AES-256-GCM--> wraps the random 256-bit data key
    data key --AES-256-GCM, fresh 96-bit nonce per record--> every sealed record

Associated data binds each record to its place: format version, vault id, profile id, record
kind, record id and record version, so a record that is moved, swapped, truncated, extended or
replayed under another id fails to open. The wrap of the data key additionally binds the KDF
parameters and salt, so no header byte can change without the unlock failing.

Format 2 (written from now on) also binds the clear metadata stored beside each record (an
entry's created/updated timestamps and sealed size, a profile's name and creation time, a space's
creation time), so changing any of it makes the record fail to open. Format-1 records (written
before) keep opening and stay format 1 until they are rewritten.

Telling the formats apart. A format-1 blob is nonce || ciphertext+tag, and the nonce is random,
so a one-byte version prefix would be ambiguous (1 in 256 format-1 blobs would start with it).
A format-2 blob therefore starts with an 8-byte header: the version byte 0x02 followed by the
7-byte magic b"HEARTH\0". A random format-1 nonce begins with those 8 bytes with probability
2**-64 per blob, and even then nothing is misread: if the format-2 reading fails we try
format 1. Neither reading can accept the other's blob, because each format's associated data
begins with its own version number (and format 2 takes the nonce from after the header), so
this fallback opens nothing a tamperer could forge; it only keeps that unlucky blob readable.
(A version column per row was the alternative; the prefix keeps a blob self-describing, also
inside exported backups, and needs no second place that could disagree with the blob.)
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from assistant.errors import VaultError

FORMAT_VERSION = 2  # the sealed-record format written from now on
BLOB_MAGIC = b"HEARTH\x00"
V2_HEADER = bytes([2]) + BLOB_MAGIC
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
TAG_LEN = 16
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


def derive_kek(passphrase: str, salt: bytes, memory_kib: int, iterations: int, lanes: int) -> bytearray:
    """The KEK, in a bytearray the caller wipes (see wipe()) as soon as the wrap is made or opened.
    The passphrase (a str) and its UTF-8 encoding are immutable and cannot be wiped; callers
    never store them, so they go when the request that carried them ends."""
    check_kdf_params(memory_kib, iterations, lanes)
    try:
        kdf = Argon2id(salt=salt, length=KEY_LEN, iterations=iterations, lanes=lanes, memory_cost=memory_kib)
    except (TypeError, ValueError) as exc:  # e.g. a salt shorter than 8 bytes: a damaged header
        raise VaultError("refusing to open: the vault's key-derivation salt is damaged") from exc
    kek = bytearray(KEY_LEN)  # derive_into: the KEK never exists as an immutable bytes copy
    with _KDF_LOCK:
        kdf.derive_into(passphrase.encode("utf-8"), kek)
    return kek


def wipe(buf: bytearray | None) -> None:
    """Overwrite a key buffer with zeros. Best effort: AESGCM copies the key into OpenSSL's own
    context (freed, not ours to wipe), and an immutable bytes copy handed to it cannot be wiped;
    what we can wipe is every buffer we own."""
    if buf is not None:
        buf[:] = bytes(len(buf))


def new_recovery_key() -> str:
    """160 random bits as 8 groups of 4 base32 characters: easy to print and type."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 32, 4))


def recovery_kek(recovery_key: str, salt: bytes) -> bytearray:
    cleaned = recovery_key.replace("-", "").replace(" ", "").upper()
    try:
        raw = base64.b32decode(cleaned)
    except (ValueError, base64.binascii.Error) as exc:  # type: ignore[attr-defined]
        raise VaultError("that recovery key is not in the right format") from exc
    if len(raw) != 20:
        raise VaultError("that recovery key is not in the right format")
    # The recovery key has full entropy, so a fast KDF is enough.
    kek = bytearray(KEY_LEN)
    HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=salt, info=b"hearth-recovery-v1").derive_into(raw, kek)
    return kek


class Place(NamedTuple):
    """Where a sealed record belongs. `parts` are format 1's whole associated data (kept exactly,
    so format-1 records still open); `meta` is the clear metadata stored beside the record,
    which format 2 authenticates as well."""

    parts: tuple[object, ...]
    meta: tuple[object, ...] = ()


def place(*parts: object, meta: tuple[object, ...] = ()) -> Place:
    return Place(parts, meta)


def aad(*parts: object) -> bytes:
    """Format 1's associated data, unchanged: used only to open format-1 records."""
    return b"hearth|" + b"|".join(str(p).encode("utf-8") for p in (1, *parts))


def aad_v2(where: Place) -> bytes:
    # A JSON array of strings, not "|".join: with free-text metadata (timestamps an attacker can
    # rewrite) a joined string is ambiguous ("a|b", "c" == "a", "b|c"), an array is not.
    fields = [str(p) for p in (*where.parts, *where.meta)]
    return b"hearth|2|" + json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def sealed_len(plaintext_len: int) -> int:
    """The size of a format-2 blob: known before sealing, so the size can be sealed in too."""
    return len(V2_HEADER) + NONCE_LEN + plaintext_len + TAG_LEN


def seal(key: bytes | bytearray, plaintext: bytes, where: Place) -> bytes:
    """A format-2 blob: V2_HEADER || nonce || AES-256-GCM(plaintext, aad_v2(where))."""
    nonce = os.urandom(NONCE_LEN)
    return V2_HEADER + nonce + AESGCM(key).encrypt(nonce, plaintext, aad_v2(where))


def blob_version(blob: bytes) -> int:
    if len(blob) > len(V2_HEADER) and blob[1 : len(V2_HEADER)] == BLOB_MAGIC:
        return blob[0]
    return 1


def _decrypt(key: bytes | bytearray, body: bytes, associated: bytes) -> bytes | None:
    if len(body) < NONCE_LEN + TAG_LEN:
        return None
    try:
        return AESGCM(key).decrypt(body[:NONCE_LEN], body[NONCE_LEN:], associated)
    except InvalidTag:
        return None


def open_sealed(key: bytes | bytearray, blob: bytes, where: Place) -> bytes:
    """Open a blob of either format (see the module docstring for how they are told apart)."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise Tampered("a stored record is damaged or was tampered with")
    blob = bytes(blob)
    version = blob_version(blob)
    plaintext = _decrypt(key, blob[len(V2_HEADER) :], aad_v2(where)) if version == 2 else None
    if plaintext is None:
        plaintext = _decrypt(key, blob, aad(*where.parts))
    if plaintext is None:
        # An unknown version byte is damage too: a vault holding records of a newer format is
        # refused as a whole before any record is read (its schema version is newer).
        raise Tampered("a stored record is damaged or was tampered with")
    return plaintext


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def try_unwrap(kek: bytes | bytearray, wrapped: bytes, where: Place) -> bytes | None:
    try:
        return open_sealed(kek, wrapped, where)
    except Tampered:
        return None
