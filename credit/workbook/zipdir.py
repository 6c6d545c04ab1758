"""Counts a zip's entries from its central directory without building them, so a cap holds cheaply.

`zipfile.ZipFile` builds a `ZipInfo` (and decodes a name) for every central-directory header
before anyone can ask how many there are: a 10 MB file of 114,000 empty entries cost 0.65 s of
CPU and 63 MB in the server process (a 20 MB one 1.4 s) before "too many entries" could be said,
each time it was uploaded. Here the same headers
are found exactly as `zipfile` finds them (its end-of-archive lookup, the same offsets, zip64
included) and only stepped over, stopping one past the cap. A file whose directory cannot be
found or walked counts 0 here and is refused by `zipfile` itself.
"""

from __future__ import annotations

import io
import struct
import zipfile

_CENTRAL = struct.Struct(zipfile.structCentralDir)
_HEADER = zipfile.stringCentralDir


def _directory(data: bytes) -> tuple[int, int] | None:
    """(start, size) of the central directory, located as `zipfile.ZipFile` locates it."""
    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # the same lookup ZipFile uses  # noqa: SLF001
    except (OSError, struct.error, zipfile.BadZipFile):
        return None
    if end is None:
        return None
    size, offset = end[zipfile._ECD_SIZE], end[zipfile._ECD_OFFSET]  # noqa: SLF001
    concat = end[zipfile._ECD_LOCATION] - size - offset  # noqa: SLF001
    if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # noqa: SLF001
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    start = offset + concat
    if start < 0 or size < 0:
        return None
    return start, size


def entries_up_to(data: bytes, cap: int) -> int:
    """How many entries `zipfile` would list for `data`, counted only up to `cap + 1`.

    A result above `cap` means "more than cap": refuse before calling `infolist()`.
    """
    found = _directory(data)
    if found is None:
        return 0
    start, size = found
    directory = memoryview(data)[start:start + size]
    count = total = 0
    while total < len(directory) and count <= cap:
        header = directory[total:total + _CENTRAL.size]
        if len(header) != _CENTRAL.size or bytes(header[:4]) != _HEADER:
            break  # zipfile refuses the file at this header
        fields = _CENTRAL.unpack(header)
        count += 1
        total += (_CENTRAL.size + fields[zipfile._CD_FILENAME_LENGTH]  # noqa: SLF001
                  + fields[zipfile._CD_EXTRA_FIELD_LENGTH] + fields[zipfile._CD_COMMENT_LENGTH])  # noqa: SLF001
    return count
