"""The SHA-256 seal of a checkpoint, checked before any HDF5 parser sees the file.

HDF5 checksums only chunked data: its metadata and 0-d datasets carry no checksum, so a
flipped bit there can crash the HDF5 library or silently change a value.  :func:`seal`
therefore uses HDF5's *user block*, the first ``USER_BLOCK_SIZE`` bytes of the file, which
HDF5 reserves for the application (the HDF5 file proper starts after it), and writes into
it, once the HDF5 file is complete::

    minidl checkpoint\\n
    sha256 <the 64 hex digits of the SHA-256 of every byte after the user block>\\n
    bytes <the number of bytes after the user block>\\n
    NUL bytes up to USER_BLOCK_SIZE

:func:`check_seal` reads the user block back, hashes the rest of the file and compares,
all without HDF5: a bit flip anywhere (in the user block too: it must be exactly what
:func:`seal` writes), a truncation or appended bytes is one clean :class:`CheckpointError`.

The seal detects damage, not forgery: whoever can write the file can compute a new hash.
So loading still checks what the HDF5 file asks for (:mod:`minidl.hdf5_structure`).
"""
from __future__ import annotations

import hashlib
import re

from .checkpoint_format import CheckpointError

USER_BLOCK_SIZE = 512            # HDF5's smallest user block
MAGIC = b"minidl checkpoint\n"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
SEAL_LINES = re.compile(rb"minidl checkpoint\nsha256 ([0-9a-f]{64})\nbytes ([0-9]{1,20})\n")
READ_BLOCK = 1 << 20


def seal_block(digest: str, size: int) -> bytes:
    """The user block that records ``digest`` (hex) and ``size`` of the content after it."""
    text = MAGIC + f"sha256 {digest}\nbytes {size}\n".encode("ascii")
    return text.ljust(USER_BLOCK_SIZE, b"\0")


def sealed_bytes(content) -> bytes:
    """The bytes of an HDF5 file created with ``userblock_size=USER_BLOCK_SIZE``
    (``content``), with the seal written into its user block."""
    rest = memoryview(content)[USER_BLOCK_SIZE:]
    return seal_block(hashlib.sha256(rest).hexdigest(), len(rest)) + bytes(rest)


def seal(path: str) -> None:
    """Write the seal into the user block of the HDF5 file ``path``, which must have been
    created with ``userblock_size=USER_BLOCK_SIZE`` and be closed."""
    with open(path, "r+b") as file:
        file.seek(USER_BLOCK_SIZE)
        digest, size = _digest_of_rest(file)
        file.seek(0)
        file.write(seal_block(digest, size))


def check_seal(source) -> bool:
    """True when ``source`` (a path, or a binary file object read from its start) carries
    an intact seal; False for an HDF5 file that starts at byte 0 (no user block: a
    checkpoint saved before seals existed, or a foreign file).

    Raises :class:`CheckpointError` (the reason only, without the file name) for a damaged
    seal or content, and for a file that is not HDF5.
    """
    if hasattr(source, "read"):
        return _check_open_seal(source)
    with open(source, "rb") as file:
        return _check_open_seal(file)


def _check_open_seal(file) -> bool:
    """``check_seal`` of an open binary file, read from where it stands."""
    head = file.read(USER_BLOCK_SIZE)
    if head.startswith(HDF5_SIGNATURE):
        return False
    if not head.startswith(MAGIC):
        raise CheckpointError(_not_a_checkpoint(file))
    match = SEAL_LINES.match(head)
    if match is None or head != seal_block(match[1].decode(), int(match[2])):
        raise CheckpointError(f"is damaged: its first {USER_BLOCK_SIZE} bytes (the seal "
                              "that holds its SHA-256) are not what minidl writes")
    expected_digest, expected_size = match[1].decode(), int(match[2])
    digest, size = _digest_of_rest(file)
    if size != expected_size:
        state = "truncated" if size < expected_size else "longer than it was written"
        raise CheckpointError(f"is damaged: {state} ({size} bytes after the seal, "
                              f"{expected_size} when it was saved)")
    if digest != expected_digest:
        raise CheckpointError("is damaged: its content does not match the SHA-256 recorded "
                              "when it was saved (a changed byte: disk or copy error)")
    return True


def _digest_of_rest(file) -> tuple[str, int]:
    """SHA-256 (hex) and length of what remains to be read of ``file``."""
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: file.read(READ_BLOCK), b""):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def _not_a_checkpoint(file) -> str:
    """Why a file without a seal and without HDF5 at byte 0 is refused: HDF5 looks for its
    signature at 0, 512, 1024, 2048 ... (after a user block)."""
    offset = USER_BLOCK_SIZE
    while True:
        file.seek(offset)
        signature = file.read(len(HDF5_SIGNATURE))
        if len(signature) < len(HDF5_SIGNATURE):
            break
        if signature == HDF5_SIGNATURE:
            return ("is an HDF5 file but not a minidl checkpoint, or a damaged one (it does "
                    "not start with the minidl seal)")
        offset *= 2
    return ("is not an HDF5 file, so not a minidl checkpoint (or it was cut off before its "
            "header)")
