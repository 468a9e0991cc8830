"""HWP 5 and HWPX documents written from their published structures, for the Hangul parser tests.

HWP 5: an OLE compound file (written here: 512-byte sectors, a mini stream for streams under 4 KiB)
holding FileHeader, DocInfo and BodyText/SectionN record streams (raw deflate when compressed).
HWPX: a zip with mimetype, version.xml, Contents/content.hpf and Contents/sectionN.xml (OWPML).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

# --- OLE compound file ----------------------------------------------------------------------------

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_FREE, _END, _FATSECT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _sectors(length: int, size: int) -> int:
    return -(-length // size)


def compound_file(streams: dict[str, bytes], *, directory_last: bool = False) -> bytes:
    """A version-3 compound file with the given streams ("Storage/Stream" paths). The directory comes
    right after the FAT, or with ``directory_last`` after every stream (as in many large files)."""
    # Directory tree: storages and streams under the root, as entries [name, type, children, data].
    root: list = ["Root Entry", 5, [], b""]
    for path, data in streams.items():
        node = root
        *storages, leaf = path.split("/")
        for name in storages:
            found = next((c for c in node[2] if c[0] == name and c[1] == 1), None)
            if found is None:
                found = [name, 1, [], b""]
                node[2].append(found)
            node = found
        node[2].append([leaf, 2, [], data])
    entries: list[list] = []

    def collect(node: list) -> None:
        entries.append(node)
        for child in node[2]:
            collect(child)

    collect(root)
    index = {id(node): number for number, node in enumerate(entries)}

    small = [node for node in entries if node[1] == 2 and len(node[3]) < _CUTOFF]
    big = [node for node in entries if node[1] == 2 and len(node[3]) >= _CUTOFF]
    mini_stream = b""
    mini_fat: list[int] = []
    starts: dict[int, int] = {}
    for node in small:
        count = _sectors(len(node[3]), _MINI)
        starts[id(node)] = len(mini_fat) if count else _END
        mini_fat += [len(mini_fat) + i + 1 for i in range(count)]
        if count:
            mini_fat[-1] = _END
        mini_stream += _pad(node[3], _MINI)

    dir_count = _sectors(len(entries) * 128, _SECTOR)
    minifat_count = _sectors(len(mini_fat) * 4, _SECTOR)
    ministream_count = _sectors(len(mini_stream), _SECTOR)
    big_counts = [_sectors(len(node[3]), _SECTOR) for node in big]
    others = dir_count + minifat_count + ministream_count + sum(big_counts)
    fat_count = 1
    while fat_count * 128 < others + fat_count:
        fat_count += 1

    fat = [_FATSECT] * fat_count
    placed: list[str | int] = []  # what each chain holds, in file order: a part's name or a big stream's id

    def chain(count: int, part: str | int) -> int:
        if not count:
            return _END
        start = len(fat)
        fat.extend(start + i + 1 for i in range(count))
        fat[-1] = _END
        placed.append(part)
        return start

    dir_start = chain(dir_count, "directory") if not directory_last else _END
    minifat_start = chain(minifat_count, "minifat")
    ministream_start = chain(ministream_count, "ministream")
    for node, count in zip(big, big_counts, strict=True):
        starts[id(node)] = chain(count, id(node))
    if directory_last:
        dir_start = chain(dir_count, "directory")
    fat += [_FREE] * (fat_count * 128 - len(fat))

    def entry(node: list | None) -> bytes:
        if node is None:
            return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 1, _NONE, _NONE, _NONE, b"", 0, 0, 0, 0, 0)
        name = node[0].encode("utf-16-le") + b"\0\0"
        children = sorted(node[2], key=lambda c: (len(c[0]), c[0].upper()))
        child = index[id(children[0])] if children else _NONE
        if node[1] == 5:
            start, size = (ministream_start if mini_stream else _END), len(mini_stream)
        elif node[1] == 1:
            start, size = 0, 0
        else:
            start, size = starts[id(node)], len(node[3])
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            node[1],
            1,
            _NONE,
            siblings.get(id(node), _NONE),
            child,
            b"",
            0,
            0,
            0,
            start,
            size,
        )

    siblings: dict[int, int] = {}
    for node in entries:
        ordered = sorted(node[2], key=lambda c: (len(c[0]), c[0].upper()))
        for left, right in zip(ordered, ordered[1:], strict=False):
            siblings[id(left)] = index[id(right)]

    directory = b"".join(entry(node) for node in entries)
    directory += entry(None) * (dir_count * 4 - len(entries))
    difat = [number for number in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        fat_count,
        dir_start,
        0,
        _CUTOFF,
        minifat_start if mini_fat else _END,
        minifat_count,
        _END,
        0,
        *difat,
    )
    contents: dict[str | int, bytes] = {
        "directory": directory,
        "minifat": b"".join(struct.pack("<I", value) for value in mini_fat),
        "ministream": mini_stream,
        **{id(node): node[3] for node in big},
    }
    body = b"".join(struct.pack("<I", value) for value in fat)
    body += b"".join(_pad(contents[part], _SECTOR) for part in placed)
    return header + body


# --- HWP 5 records --------------------------------------------------------------------------------

PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 0x42, 0x43, 0x47, 0x48, 0x4D


def record(tag: int, level: int, data: bytes) -> bytes:
    if len(data) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(data)) + data
    return struct.pack("<I", tag | level << 10 | len(data) << 20) + data


def _text_units(text: str) -> bytes:
    return text.replace("\t", "\x09" + "\0" * 7).encode("utf-16-le")


def paragraph(text: str, level: int = 0) -> bytes:
    units = _text_units(text) + b"\x0d\x00"
    header = struct.pack("<IIHBBHHHIH", len(units) // 2, 0, 0, 0, 0, 1, 0, 1, 0, 0)
    return record(PARA_HEADER, level, header) + record(PARA_TEXT, level + 1, units)


Cell = tuple[str, int, int, int, int]  # text, row, col, row span, col span


def _control_paragraph(before: str, ctrl_id: bytes, after: str, level: int) -> bytes:
    """A paragraph whose text holds ``before``, one extended control (8 WCHARs) and ``after``."""
    code = 0x0B if ctrl_id in (b"tbl ", b"gso ") else 0x11 if ctrl_id in (b"fn  ", b"en  ") else 0x10
    control = struct.pack("<H4s8sH", code, ctrl_id[::-1], b"", code)
    units = _text_units(before) + control + _text_units(after) + b"\x0d\x00"
    header = struct.pack("<IIHBBHHHIH", len(units) // 2, 1 << code, 0, 0, 0, 1, 0, 1, 0, 0)
    return (
        record(PARA_HEADER, level, header)
        + record(PARA_TEXT, level + 1, units)
        + record(CTRL_HEADER, level + 1, ctrl_id[::-1] + b"\0" * 40)
    )


def _list(paragraphs: Sequence[str], level: int, extra: bytes = b"") -> bytes:
    out = record(LIST_HEADER, level, struct.pack("<hHI", len(paragraphs), 0, 0) + extra)
    return out + b"".join(paragraph(text, level) for text in paragraphs)


def note_paragraph(
    before: str, ctrl_id: bytes, inner: Sequence[str], after: str = "", level: int = 0
) -> bytes:
    """A paragraph with a footnote ("fn  "), header ("head") or text box ("gso ") holding ``inner``."""
    out = _control_paragraph(before, ctrl_id, after, level)
    if ctrl_id == b"gso ":  # a text box nests its list under the shape component record
        return out + record(0x4C, level + 2, b"$rec"[::-1] * 2) + _list(inner, level + 3)
    return out + _list(inner, level + 2)


def table_paragraph(
    before: str, cells: Sequence[Cell], rows: int, cols: int, level: int = 0, caption: str = ""
) -> bytes:
    """A paragraph holding ``before`` and then a table control, with an optional caption list."""
    out = _control_paragraph(before, b"tbl ", "", level)
    if caption:
        out += _list([caption], level + 2)
    table = struct.pack("<IHHH8s", 0, rows, cols, 0, b"") + struct.pack(f"<{rows}H", *[1] * rows) + b"\0\0"
    out += record(TABLE, level + 2, table)
    for text, row, col, row_span, col_span in cells:
        # list header: paragraphs, (unused), properties - 8 bytes in files - then the cell attributes
        attributes = struct.pack("<HHHHII8sH", col, row, col_span, row_span, 1000, 500, b"", 1)
        out += _list(text.split("\n"), level + 2, attributes)
    return out


def hwp_document(sections: Sequence[bytes], *, compressed: bool = True, flags: int = 0) -> bytes:
    """An HWP 5.0.3.0 file with the given section record streams."""
    header = struct.pack("<32sII", b"HWP Document File", 0x05000300, flags | int(compressed)).ljust(
        256, b"\0"
    )

    def pack(stream: bytes) -> bytes:
        if not compressed:
            return stream
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        return deflater.compress(stream) + deflater.flush()

    streams = {"FileHeader": header, "DocInfo": pack(record(0x10, 0, b"\0" * 26))}
    for number, section in enumerate(sections):
        streams[f"BodyText/Section{number}"] = pack(section)
    return compound_file(streams)


# --- HWPX -----------------------------------------------------------------------------------------

_HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
_HS = "http://www.hancom.co.kr/hwpml/2011/section"


def hwpx_paragraph(text: str) -> str:
    return f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:t>{escape(text)}</hp:t></hp:run></hp:p>'


def hwpx_table(cells: Sequence[Cell], rows: int, cols: int, before: str = "") -> str:
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell[1], []).append(cell)
    body = []
    for row in sorted(by_row):
        tcs = "".join(
            '<hp:tc><hp:subList vertAlign="CENTER">'
            + "".join(hwpx_paragraph(line) for line in text.split("\n"))
            + f'</hp:subList><hp:cellAddr colAddr="{col}" rowAddr="{r}"/>'
            f'<hp:cellSpan colSpan="{col_span}" rowSpan="{row_span}"/><hp:cellSz width="1000" height="500"/></hp:tc>'
            for text, r, col, row_span, col_span in by_row[row]
        )
        body.append(f"<hp:tr>{tcs}</hp:tr>")
    table = f'<hp:tbl rowCnt="{rows}" colCnt="{cols}">{"".join(body)}</hp:tbl>'
    return f"<hp:p><hp:run><hp:t>{escape(before)}</hp:t>{table}</hp:run></hp:p>"


def hwpx_document(sections: Sequence[str]) -> bytes:
    """An HWPX package whose sections hold the given paragraph XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip")
        archive.writestr(
            "version.xml",
            '<?xml version="1.0"?><hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" major="5" minor="1"/>',
        )
        items = "".join(
            f'<opf:item id="section{n}" href="Contents/section{n}.xml" media-type="application/xml"/>'
            for n in range(len(sections))
        )
        spine = "".join(f'<opf:itemref idref="section{n}"/>' for n in range(len(sections)))
        archive.writestr(
            "Contents/content.hpf",
            '<?xml version="1.0"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
            f"<opf:manifest>{items}</opf:manifest><opf:spine>{spine}</opf:spine></opf:package>",
        )
        for number, section in enumerate(sections):
            archive.writestr(
                f"Contents/section{number}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="{_HS}" xmlns:hp="{_HP}">{section}</hs:sec>',
            )
    return out.getvalue()
