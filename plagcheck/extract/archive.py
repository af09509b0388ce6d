"""Zip archives from untrusted hands: the bounds checked before and while a member is decompressed.

A zip member declares its uncompressed size, and a few kilobytes can declare (or, lying, hold) a
gigabyte. Used for the zips ``submit`` unpacks and for the DOCX packages the extractor opens.
"""

from __future__ import annotations

import io
import zipfile


def member_problem(info: zipfile.ZipInfo, total_before: int, *, max_member_bytes: int, max_total_bytes: int,
                   max_ratio: float) -> str | None:
    """Why ``info`` must not be decompressed, judged by what it declares, or None.

    ``total_before`` is the declared size of the members already accepted. The reason reads after
    "the member is", e.g. "larger than 200 MiB uncompressed".
    """
    if info.file_size > max_member_bytes:
        return f"larger than {max_member_bytes // 2**20} MiB uncompressed"
    if info.compress_size and info.file_size / info.compress_size > max_ratio:
        return (f"compressed {info.file_size / info.compress_size:.0f}:1, more than {max_ratio:g}:1 "
                "(a zip bomb?)")
    if total_before + info.file_size > max_total_bytes:
        return f"beyond the {max_total_bytes // 2**20} MiB the archive may hold uncompressed in all"
    return None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool = True) -> bytes:
    """Decompress a member in 1 MiB steps, stopping as soon as it outgrows its declared size.

    ``ZipFile.read`` would not do: it decompresses up to 1 GiB in one step before it cuts the data
    to the declared size, so a member that lies about its size costs that much memory at once.
    ``keep=False`` only verifies (size and CRC) and returns nothing. Raises
    :class:`zipfile.BadZipFile` for a member larger than declared or damaged (CRC, truncated).
    """
    out = io.BytesIO()
    read = 0
    with archive.open(info) as handle:
        while chunk := handle.read(1 << 20):
            read += len(chunk)
            if read > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} holds more than the {info.file_size} bytes it declares")
            if keep:
                out.write(chunk)
    return out.getvalue()
