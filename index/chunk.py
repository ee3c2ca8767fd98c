"""Split a document into overlapping chunks of whole sentences, with offsets into its text."""

from __future__ import annotations

from dataclasses import dataclass

from index.load import Document
from index.persian.normalize import TextNormalizer


@dataclass(frozen=True)
class Chunk:
    """A few consecutive sentences of one document.

    ``start``/``end`` are character offsets into ``Document.text`` (``text == doc.text[start:end]``);
    ``sentences`` holds the offsets of each sentence, so an answer can quote one exactly.
    """

    chunk_id: str
    doc_id: str
    position: int
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]


def chunk_id(doc_id: str, position: int) -> str:
    """Deterministic id: the same document and position always give the same id."""
    return f"{doc_id}#{position:04d}"


def sentence_spans(text: str, normalizer: TextNormalizer) -> list[tuple[int, int]]:
    """Offsets of hazm's sentences in ``text``, in order, covering no text twice."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for paragraph_start, paragraph in _paragraphs(text):
        local = 0
        for sentence in normalizer.sentences(paragraph):
            sentence = sentence.strip()
            if not sentence:
                continue
            found = paragraph.find(sentence, local)
            if found < 0:  # the tokenizer changed the text: fall back to its first few characters
                found = paragraph.find(sentence[:12], local)
            if found < 0:
                continue
            start = paragraph_start + found
            end = start + len(sentence)
            if start < cursor:
                continue
            spans.append((start, end))
            cursor = end
            local = found + len(sentence)
        # text the tokenizer dropped at the end of a paragraph still belongs to the last sentence
        paragraph_end = paragraph_start + len(paragraph.rstrip())
        if spans and spans[-1][1] < paragraph_end and spans[-1][0] >= paragraph_start:
            spans[-1] = (spans[-1][0], paragraph_end)
            cursor = paragraph_end
    return spans


def _paragraphs(text: str):
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            yield offset + lead, line.strip()
        offset += len(line) + 1


def _split_long(span: tuple[int, int], text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than ``max_chars`` at spaces."""
    start, end = span
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append((start, cut))
        start = cut + 1 if text[cut:cut + 1] == " " else cut
    pieces.append((start, end))
    return pieces


def chunk_document(
    doc: Document,
    normalizer: TextNormalizer,
    *,
    sentences_per_chunk: int = 4,
    overlap: int = 1,
    max_chars: int = 1000,
) -> list[Chunk]:
    """Windows of ``sentences_per_chunk`` sentences that overlap by ``overlap`` sentences.

    A window closes early when it would pass ``max_chars``; a single sentence longer than that is
    cut at spaces.
    """
    if sentences_per_chunk < 1 or not 0 <= overlap < sentences_per_chunk:
        raise ValueError(
            f"chunking needs sentences_per_chunk >= 1 and 0 <= overlap < sentences_per_chunk, "
            f"got {sentences_per_chunk} and {overlap}"
        )
    spans = [piece for span in sentence_spans(doc.text, normalizer) for piece in _split_long(span, doc.text, max_chars)]
    if not spans:
        return []
    windows: list[list[tuple[int, int]]] = []
    i = 0
    while i < len(spans):
        window = [spans[i]]
        j = i + 1
        while j < len(spans) and len(window) < sentences_per_chunk and spans[j][1] - window[0][0] <= max_chars:
            window.append(spans[j])
            j += 1
        windows.append(window)
        if j >= len(spans):
            break
        i = max(i + 1, j - overlap)
    chunks = []
    for position, window in enumerate(windows):
        start, end = window[0][0], window[-1][1]
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.doc_id, position),
                doc_id=doc.doc_id,
                position=position,
                start=start,
                end=end,
                text=doc.text[start:end],
                sentences=tuple(window),
            )
        )
    return chunks
