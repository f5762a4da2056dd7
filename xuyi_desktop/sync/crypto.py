"""Sealing a package to its receiver and signing it as its sender.

A fresh 256-bit AES-GCM key encrypts the payload (streamed: never whole in memory; the 16-byte tag follows
the ciphertext, as AESGCM.encrypt lays it out); that key is wrapped (AES-GCM) under a key derived
(HKDF-SHA256) from an X25519 exchange between a one-off ephemeral key and the receiver's public key. The
header (which names sender, receiver, format, the wrapped key and the SHA-256 of the ciphertext) is signed
with the sender's Ed25519 key, so a package is authenticated before anything is decrypted.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"xuyi-sync-package v1"
TAG = 16
CIPHER = "X25519-HKDF-SHA256+AES-256-GCM"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kek(shared: bytes, eph: bytes, receiver: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + eph + receiver).derive(shared)


def seal_stream(receiver: X25519PublicKey, aad: bytes) -> tuple[dict[str, str], Any]:
    """(header fields, encryptor): feed the plaintext to encryptor.update(), then write finalize() and
    encryptor.tag after the ciphertext."""
    content_key = AESGCM.generate_key(bit_length=256)
    eph = X25519PrivateKey.generate()
    eph_pub = _raw(eph.public_key())
    kek = _kek(eph.exchange(receiver), eph_pub, _raw(receiver))
    wrap_nonce, payload_nonce = os.urandom(12), os.urandom(12)
    wrapped = AESGCM(kek).encrypt(wrap_nonce, content_key, aad)
    encryptor = Cipher(algorithms.AES(content_key), modes.GCM(payload_nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    fields = {"ephemeral_key": b64(eph_pub), "wrapped_key": b64(wrapped), "wrap_nonce": b64(wrap_nonce),
              "payload_nonce": b64(payload_nonce), "cipher": CIPHER}
    return fields, encryptor


def open_stream(fields: dict[str, str], own: X25519PrivateKey, aad: bytes) -> Any:
    """A decryptor for a sealed payload: update() the ciphertext without its last TAG bytes, then
    finalize_with_tag(tag). Raises InvalidTag (or ValueError) if the content key was not sealed to us."""
    eph_pub = unb64(fields["ephemeral_key"])
    kek = _kek(own.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, _raw(own.public_key()))
    content_key = AESGCM(kek).decrypt(unb64(fields["wrap_nonce"]), unb64(fields["wrapped_key"]), aad)
    nonce = unb64(fields["payload_nonce"])
    if len(content_key) != 32 or len(nonce) != 12:
        raise ValueError("bad key or nonce length")
    decryptor = Cipher(algorithms.AES(content_key), modes.GCM(nonce)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def verify(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
        return True
    except InvalidSignature:
        return False


__all__ = ["InvalidTag", "b64", "open_stream", "seal_stream", "sign", "unb64", "verify"]
