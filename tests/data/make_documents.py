"""Rebuild the PDF and DOCX test documents in tests/data/documents/ (they are committed; run this only
to change them).

    .venv/bin/python tests/data/make_documents.py

Needs Debian's ``chromium`` (headless --print-to-pdf), ``soffice`` (LibreOffice Writer) and ``qpdf``
(encryption), python-docx, and msoffcrypto-tool for encrypted.docx (without it that file is kept). Each good document gets a ground truth next to it, NAME.gt.txt: the
body text in reading order, one paragraph per line, table rows as cells separated by a tab.
The Persian text is the Golestan and Gilan sample articles (data/articles/000, 001) plus sentences
that carry the probes: amounts in parts, lam-alef words, Latin digits and a date, a Latin word
in brackets, ZWNJ.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "documents"
FONTS = REPO / "ui" / "static" / "fonts"
RUNNING_HEADER = "خبرنامه تعاون — گزارش استانی"

PROBES = [
    "بر اساس گزارشی که در تاریخ 1397/08/03 منتشر شد، صادرات تعاونی‌های گلستان در سال ۱۳۹۷ به ۱۲ میلیون و "
    "۳۰۰ هزار دلار رسید و مدیرکل اعلام کرد که محصولات لبنی و کشاورزی بیشترین سهم را داشته‌اند.",
    "در سالروز استقلال، ۳۵ درصد از محصولات تعاونی‌ها با برند «تعاون» (Taavon) به بازارهای منطقه‌ای رفت و "
    "۷۰۰ تن از آن به ارزش ۲٫۵ میلیون دلار به عراق صادر شد.",
    "شماره ثبت این اتحادیه 4521 و کد اقتصادی آن 10320 است؛ خبرگزاری ISNA نیز این آمار را تایید کرد.",
]
TABLE = [
    ["استان", "صادرات (میلیون دلار)", "تعداد تعاونی"],
    ["گلستان", "۲۲٫۹", "۴۲"],
    ["گیلان", "۳۴", "۲۵"],
    ["خراسان جنوبی", "۱۵", "۱۲۶"],
]


def article(prefix: str) -> list[str]:
    (path,) = (REPO / "data" / "articles").glob(prefix + "_*.txt")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and line.strip() != "Share"]


def golestan() -> dict:
    body = article("000")
    title = "صادرات ۲۲ میلیون و ۹۹۵ هزار دلاری تعاونی‌های گلستان"
    blocks = [("h1", title)] + [("p", t) for t in body[:4]] + [("p", PROBES[0])]
    blocks += [("h2", "صادرات تعاونی‌ها به تفکیک استان"), ("table", TABLE)]
    blocks += [("p", t) for t in body[4:]] + [("p", PROBES[1]), ("p", PROBES[2])]
    return {"title": title, "blocks": blocks}


def gilan() -> dict:
    body = article("001")
    title = body[1]  # «صادرات ۳۴ میلیون دلاری توسط ۲۵ شرکت تعاونی در گیلان»
    blocks = [("h1", title), ("p", body[0])] + [("p", t) for t in body[2:6]]
    blocks += [("table", TABLE)] + [("p", t) for t in body[6:]]
    return {"title": title, "blocks": blocks}


def razavi() -> dict:
    """A one-page article with Arabic ي ك and Latin digits, as a news site's page would be printed."""
    body = article("003")
    return {"title": body[0], "blocks": [("h1", body[0])] + [("p", t) for t in body[1:4]]}


def ground_truth(doc: dict) -> str:
    lines = []
    for kind, content in doc["blocks"]:
        lines += ["\t".join(row) for row in content] if kind == "table" else [content]
    return "\n".join(lines) + "\n"


def to_html(doc: dict, *, margin_boxes: bool, justify: bool, title: bool = True, webfont: bool = True) -> str:
    body = []
    for kind, content in doc["blocks"]:
        if kind == "table":
            body.append("<table>" + "".join(
                "<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{html.escape(c)}</{'th' if i == 0 else 'td'}>"
                                 for c in row) + "</tr>" for i, row in enumerate(content)) + "</table>")
        else:
            body.append(f"<{kind}>{html.escape(content)}</{kind}>")
    css = "" if not webfont else "".join(f"@font-face{{font-family:'Vazirmatn';src:url('{(FONTS / f'Vazirmatn-{w}.woff2').as_uri()}') "
                  f"format('woff2');font-weight:{n}}}" for w, n in (("Regular", 400), ("Bold", 700)))
    if margin_boxes:  # a running header and «صفحه ۱ از ۳» footer drawn by CSS paged media
        css += ("@page{size:A4;margin:22mm 18mm;@top-center{content:'%s';font-family:Vazirmatn;font-size:9pt}"
                "@bottom-center{content:'صفحه ' counter(page, persian) ' از ' counter(pages, persian);"
                "font-family:Vazirmatn;font-size:9pt}}" % RUNNING_HEADER)
    else:
        css += "@page{size:A4;margin:22mm 18mm}"
    css += (f"body{{font-family:{'Vazirmatn' if webfont else 'sans-serif'};font-size:13pt;line-height:1.9;text-align:{'justify' if justify else 'right'}}}"
            "table{border-collapse:collapse;margin:1em auto}td,th{border:1px solid #444;padding:4px 12px}")
    head = f"<title>{html.escape(doc['title'])}</title>" if title else ""
    return (f'<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">{head}<style>{css}</style>'
            "</head><body>" + "\n".join(body) + "</body></html>")


def chromium_pdf(html_text: str, pdf: Path, *, header_footer: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "article.html"
        page.write_text(html_text, encoding="utf-8")
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--allow-file-access-from-files", f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}"]
        if not header_footer:
            args.append("--no-pdf-header-footer")
        subprocess.run(args + [page.as_uri()], check=True, capture_output=True, timeout=120)


def write_docx(doc: dict, path: Path) -> None:
    """A right-to-left DOCX: w:bidi paragraphs, w:rtl runs, a bidiVisual table, a core-properties
    title, a running header and a footer with a PAGE field."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def rtl(paragraph) -> None:
        paragraph._p.get_or_add_pPr().insert(0, OxmlElement("w:bidi"))
        for run in paragraph.runs:
            props = run._r.get_or_add_rPr()
            props.append(OxmlElement("w:rtl"))
            fonts = OxmlElement("w:rFonts")
            fonts.set(qn("w:cs"), "Vazirmatn")
            props.insert(0, fonts)

    d = docx.Document()
    d.core_properties.title = doc["title"]
    d.core_properties.language = "fa-IR"
    section = d.sections[0]
    header = section.header.paragraphs[0]
    header.text = RUNNING_HEADER
    rtl(header)
    footer = section.footer.paragraphs[0]
    footer.add_run("صفحه ")
    rtl(footer)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    for kind, content in doc["blocks"]:
        if kind == "table":
            table = d.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
            for i, row in enumerate(content):
                for j, cell_text in enumerate(row):
                    cell = table.cell(i, j)
                    cell.text = cell_text
                    for p in cell.paragraphs:
                        rtl(p)
            continue
        p = d.add_heading(content, level=int(kind[1])) if kind.startswith("h") else d.add_paragraph(content)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if kind == "p" else WD_ALIGN_PARAGRAPH.RIGHT
        rtl(p)
    d.save(path)


def libreoffice_pdf(docx_file: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(docx_file)], check=True, capture_output=True, timeout=180)
        shutil.move(Path(tmp) / (docx_file.stem + ".pdf"), pdf)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    g = golestan()
    (OUT / "golestan.gt.txt").write_text(ground_truth(g), encoding="utf-8")
    # Vazirmatn, justified, a CSS running header and «صفحه N از M» footer
    chromium_pdf(to_html(g, margin_boxes=True, justify=True), OUT / "golestan_chromium.pdf", header_footer=False)
    # Chromium's own header (date, title) and footer (file URL, N/M); ragged lines
    chromium_pdf(to_html(g, margin_boxes=False, justify=False), OUT / "golestan_chromium_ragged.pdf",
                 header_footer=True)
    r = razavi()
    (OUT / "razavi.gt.txt").write_text(ground_truth(r), encoding="utf-8")
    # one page, the system's fonts, Chromium's own header (date, title) and footer (URL, 1/1)
    chromium_pdf(to_html(r, margin_boxes=False, justify=True, webfont=False), OUT / "razavi_chromium_onepage.pdf",
                 header_footer=True)
    gi = gilan()
    (OUT / "gilan.gt.txt").write_text(ground_truth(gi), encoding="utf-8")
    write_docx(gi, OUT / "gilan.docx")
    libreoffice_pdf(OUT / "gilan.docx", OUT / "gilan_libreoffice.pdf")
    # a one-page PDF encrypted with a user password (AES-256)
    with tempfile.TemporaryDirectory() as tmp:
        short = {"title": "رمز", "blocks": [("p", PROBES[0])]}
        chromium_pdf(to_html(short, margin_boxes=False, justify=True), Path(tmp) / "short.pdf", header_footer=False)
        subprocess.run(["qpdf", "--encrypt", "secret", "owner-secret", "256", "--", f"{tmp}/short.pdf",
                        str(OUT / "encrypted.pdf")], check=True)
    try:  # Word's encryption: the DOCX inside an OLE container
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        print("msoffcrypto-tool is not installed: encrypted.docx is left as it is")
    else:
        with open(OUT / "gilan.docx", "rb") as src, open(OUT / "encrypted.docx", "wb") as dst:
            OOXMLFile(src).encrypt("secret", dst)
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>8}  {p.name}")


if __name__ == "__main__":
    main()
