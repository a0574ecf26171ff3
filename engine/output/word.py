"""The Word document of a notice (督办单), laid out with python-docx.

A4 portrait; Chinese text in 宋体 (SimSun; the title in 黑体 SimHei), set as
the East Asian font (``w:eastAsia``) of the document defaults, the Normal
style and every run, with Chinese (zh-CN) as the East Asian language, so that
Word and LibreOffice pick a Chinese font: LibreOffice on Linux asks
fontconfig, which maps SimSun to Noto Serif CJK SC (fonts-noto-cjk); without
zh-CN it falls back to the Japanese glyph forms. The same notice gives the
same bytes: the document properties are fixed from the notice's date and the
zip entries carry that date too.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any, Optional

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..notices import Notice
from . import notice_text as text

__all__ = ["notice_document"]

# The fonts' English names, which Word reads on every Windows and which fontconfig maps (with
# fonts-noto-cjk) to Noto Serif CJK SC and Noto Sans CJK SC for LibreOffice on Linux.
BODY_FONT = "SimSun"     # 宋体
TITLE_FONT = "SimHei"    # 黑体
LATIN_FONT = "Times New Roman"


def notice_document(notice: Notice) -> bytes:
    """The notice as the bytes of a .docx file."""
    document = Document()
    _page_setup(document)
    _default_font(document)
    _title(document, notice)
    _fields(document, notice)
    _paragraph(document, text.intro(notice), first_line_indent=True, space_after=6)
    _findings_table(document, notice)
    _signature(document, notice)
    _receipt(document, notice)
    _properties(document, notice)
    return _fixed_zip(document, notice.issued_on)


# --- page and fonts -----------------------------------------------------------------


def _page_setup(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)


def _set_fonts(r_pr: Any, east_asia: str) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    # Theme fonts would win over the names above in Word.
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)


def _default_font(document: Any) -> None:
    """宋体 10.5 pt (五号) for every paragraph, Chinese as the language (for the glyphs and line breaks)."""
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for r_pr in (defaults, style.element.get_or_add_rPr()):
        _set_fonts(r_pr, BODY_FONT)
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.15


def _run(paragraph: Any, content: str, *, size: Optional[float] = None, bold: bool = False,
         font: str = BODY_FONT, colour: Optional[str] = None) -> Any:
    run = paragraph.add_run(content)
    _set_fonts(run._element.get_or_add_rPr(), font)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _paragraph(container: Any, content: str = "", *, size: Optional[float] = None, bold: bool = False,
               font: str = BODY_FONT, align: Optional[int] = None, first_line_indent: bool = False,
               space_after: float = 0, colour: Optional[str] = None) -> Any:
    paragraph = container.add_paragraph()
    if content:
        _run(paragraph, content, size=size, bold=bold, font=font, colour=colour)
    if align is not None:
        paragraph.alignment = align
    if first_line_indent:
        paragraph.paragraph_format.first_line_indent = Pt(21)
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


# --- the parts of a notice --------------------------------------------------------------


def _title(document: Any, notice: Notice) -> None:
    _paragraph(document, notice.title, size=22, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    _paragraph(document, notice.number, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=10)


def _fields(document: Any, notice: Notice) -> None:
    for label, value in text.fields(notice):
        paragraph = _paragraph(document, space_after=2)
        _run(paragraph, f"{label}：", size=12, bold=True)
        _run(paragraph, value, size=12)
    _paragraph(document, space_after=4)


def _findings_table(document: Any, notice: Notice) -> None:
    table = document.add_table(rows=1, cols=len(text.TABLE_HEADERS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, header in zip(table.rows[0].cells, text.TABLE_HEADERS):
        _cell(cell, [header], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "D9D9D9")
    _repeat_as_header(table.rows[0])
    _cell_padding(table, top_bottom_mm=0.8)
    for finding, row in zip(notice.findings, text.rows(notice)):
        added = table.add_row()
        _keep_together(added)
        cells = added.cells
        for index, (cell, value) in enumerate(zip(cells, row)):
            lines = value if isinstance(value, list) else [value]
            if index == 3:
                fill, ink = text.SEVERITY_COLOURS[finding.severity]
                _cell(cell, lines, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, colour=ink)
                _shade(cell, fill)
            else:
                _cell(cell, lines, align=WD_ALIGN_PARAGRAPH.CENTER if index in (0, 1) else None)
    _widths(table, text.COLUMN_WIDTHS_MM)


def _cell(cell: Any, lines: list[str], *, bold: bool = False, align: Optional[int] = None,
          colour: Optional[str] = None) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        _run(paragraph, line, size=9, bold=bold or (index > 0), colour=colour)
        if align is not None:
            paragraph.alignment = align


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_padding(table: Any, top_bottom_mm: float) -> None:
    """Room above and below the text of every cell (Word's default is none), so lines do not touch the rules."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "bottom"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(top_bottom_mm / 25.4 * 1440)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def _keep_together(row: Any) -> None:
    """A row is never split over two pages: it moves whole to the next one."""
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant_split)


def _repeat_as_header(row: Any) -> None:
    """The header row repeats on every page a long table runs over."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _widths(table: Any, widths_mm: tuple[int, ...]) -> None:
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _signature(document: Any, notice: Notice) -> None:
    office, day = text.signature(notice)
    _paragraph(document, space_after=4)
    _paragraph(document, office, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, day, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=10)


def _receipt(document: Any, notice: Notice) -> None:
    """The tear-off reply slip, kept on one page: every part of it keeps with the next."""
    parts = [
        _paragraph(document, text.CUT_LINE, size=9, align=WD_ALIGN_PARAGRAPH.CENTER, colour="7F7F7F", space_after=8),
        _paragraph(document, text.RECEIPT_TITLE, size=16, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER,
                   space_after=4),
    ]
    paragraph = _paragraph(document, space_after=4)
    for index, (label, value) in enumerate(text.receipt_fields(notice)):
        _run(paragraph, ("\u3000\u3000" if index else "") + f"{label}：", size=12, bold=True)
        _run(paragraph, value or "________________", size=12)
    parts.append(paragraph)
    table = document.add_table(rows=len(text.RECEIPT_ROWS), cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row, label in zip(table.rows, text.RECEIPT_ROWS):
        row.height = Mm(text.RECEIPT_ROW_MM[label])
        _keep_together(row)
        _cell(row.cells[0], [label], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        parts.extend(cell.paragraphs[0] for cell in row.cells)
    _widths(table, (text.RECEIPT_LABEL_MM, sum(text.COLUMN_WIDTHS_MM) - text.RECEIPT_LABEL_MM))
    for paragraph in parts:
        paragraph.paragraph_format.keep_with_next = True
    _paragraph(document, text.receipt_note(notice), size=10, space_after=0).paragraph_format.space_before = Pt(4)


# --- same input, same bytes -----------------------------------------------------------------


def _properties(document: Any, notice: Notice) -> None:
    """Document properties from the notice alone (python-docx would stamp its own name and dates)."""
    day = datetime.fromisoformat(notice.issued_on)
    props = document.core_properties
    props.author = props.last_modified_by = notice.office
    props.title = f"{notice.title} {notice.number}"
    props.subject = notice.unit
    props.comments = ""
    props.keywords = "督办单"
    props.category = ""
    props.revision = 1
    props.created = props.modified = day
    props.last_printed = day
    # The template's thumbnail shows another document: leave it out.
    package = document.part.package
    for key, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[key]


def _fixed_zip(document: Any, iso_day: str) -> bytes:
    """The saved document re-packed with every entry dated ``iso_day`` (zip keeps the time of writing)."""
    saved = io.BytesIO()
    document.save(saved)
    day = datetime.fromisoformat(iso_day)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
