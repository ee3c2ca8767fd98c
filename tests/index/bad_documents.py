"""Hostile PDF and DOCX files, built in a test's tmp_path (small on disk, huge when inflated)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path


def raw_pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n (object 1 the catalog) serialized as a PDF with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _page(contents: bytes, resources: bytes = b"") -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %s /Resources << %s >> >>"
            % (contents, resources)]


def scanned_pdf(path: Path) -> Path:
    """One A4 page that is only a grey picture (what a scanner writes): no text layer at all."""
    width, height = 300, 420
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(height) for x in range(width))
    image = _stream(zlib.compress(pixels), b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace "
                                           b"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode " % (width, height))
    draw = _stream(b"q 595 0 0 842 0 0 cm /Scan Do Q")
    path.write_bytes(raw_pdf(_page(b"4 0 R", b"/XObject << /Scan 5 0 R >>") + [draw, image]))
    return path


def pdf_bomb(path: Path, gib: float = 1.0) -> Path:
    """One page whose content stream inflates to ``gib`` GiB under two FlateDecode layers (a few kB on disk).

    The inner layer repeats one deflate block ended by a full flush (which resets the compressor, so
    every block is the same bytes): building it takes well under a second."""
    block = b"0 0 m 1 1 l S\n" * (1 << 16)                 # drawing operators: valid, no text
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = int(gib * (1 << 30)) // len(block)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    inner = b"\x78\xda" + deflated * count + compressor.flush() + checksum.to_bytes(4, "big")
    bomb = _stream(zlib.compress(inner, 9), b"/Filter [/FlateDecode /FlateDecode] ")
    path.write_bytes(raw_pdf(_page(b"4 0 R") + [bomb]))
    return path


def docx_bomb(path: Path, good_docx: Path, mb: int = 64) -> Path:
    """A valid DOCX whose word/document.xml inflates to ``mb`` MB of spaces inside <w:body>."""
    with zipfile.ZipFile(good_docx) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info.filename))
        head, tail = src.read("word/document.xml").split(b"<w:body>", 1)
        with dst.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(head + b"<w:body>")
            spaces = b" " * (1 << 20)
            for _ in range(mb):
                out.write(spaces)
            out.write(tail)
    return path


def lying_docx(path: Path, good_docx: Path, mb: int = 20) -> Path:
    """A DOCX whose word/document.xml declares 1,000 bytes in its ZIP headers but inflates to ``mb`` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(good_docx) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (mb << 20), 1)
            dst.writestr(info.filename, data)
    raw = bytearray(buffer.getvalue())
    name = b"word/document.xml"
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = 0
        while (pos := raw.find(signature, pos)) >= 0:
            length = struct.unpack_from("<H", raw, pos + name_len_at)[0]
            if raw[pos + name_at:pos + name_at + length] == name:
                struct.pack_into("<I", raw, pos + size_at, 1000)
            pos += 4
    path.write_bytes(bytes(raw))
    return path


def page_tree_bomb(path: Path, depth: int = 30) -> Path:
    """A page tree in which every node lists its child twice: 2**depth pages declared by ~depth objects."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for node in range(2, depth + 2):  # node k has Kids [k+1 k+1]; the last one is a page
        parent = b"/Parent %d 0 R" % (node - 1) if node > 2 else b""
        objects.append(b"<< /Type /Pages %s /Kids [%d 0 R %d 0 R] /Count %d >>"
                       % (parent, node + 1, node + 1, 2 ** (depth + 2 - node)))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % (depth + 1))
    path.write_bytes(raw_pdf(objects))
    return path
