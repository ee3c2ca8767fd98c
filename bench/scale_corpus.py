"""The synthetic archive of ``bench/scale.py``: the sample articles (and the news archive) multiplied with
provinces swapped, figures changed and structure varied, until it holds the chunks asked for; and the
questions asked of it. Deterministic for a seed; cached under ``bench/.cache/scale-corpus``."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.persian.dates import MONTH_NAMES  # noqa: E402
from index.persian.fold import ARABIC_DIGITS, PERSIAN_DIGITS, latin_digits  # noqa: E402

CACHE = REPO / "bench" / ".cache"
CORPUS_ROOT = CACHE / "scale-corpus"
SAMPLES = REPO / "data" / "articles"
QUESTIONS = REPO / "eval" / "dev_questions.jsonl"
GENERATOR_VERSION = "1"  # bump when the generator changes: cached corpora and indexes are then rebuilt


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_key(seed: int, chunks: int) -> str:
    return f"seed{seed}-chunks{chunks}-v{GENERATOR_VERSION}"


# ========================================================================== provinces, figures, text
_LETTER = r"[\w\u200c]"
_FA_DIGITS, _AR_DIGITS = PERSIAN_DIGITS, ARABIC_DIGITS
_MONTHS = MONTH_NAMES


def _provinces() -> list[str]:
    from index.persian.places import PROVINCES

    return list(PROVINCES)


def _province_pattern() -> tuple[re.Pattern, list[str]]:
    """Province names as the articles write them: Persian or Arabic ی/ک, spaces or ZWNJ between words;
    مرکزی only after «استان», فارس not after «خلیج». Longest names first."""
    from index.persian.places import PROVINCES

    forms: list[tuple[str, str]] = []
    for name, (variants, _english) in PROVINCES.items():
        for form in (name, *variants):
            forms.append((form, name))
    forms.sort(key=lambda f: -len(f[0]))
    alternatives = []
    for form, name in forms:
        body = "".join("[یيى]" if ch == "ی" else "[کك]" if ch == "ک" else r"[\s\u200c]*" if ch == " " else re.escape(ch)
                       for ch in form)
        if name == "مرکزی":
            body = r"(?<=استان )" + body
        elif name == "فارس":
            body = r"(?<!خلیج )(?<!خليج )" + body
        alternatives.append(f"(?P<p{len(alternatives)}>{body})")
    pattern = re.compile(rf"(?<!{_LETTER})(?:{'|'.join(alternatives)})(?!{_LETTER})")
    return pattern, [name for _form, name in forms]


class ProvinceSwapper:
    """Replaces each province named in a text by another, the same one for every mention."""

    def __init__(self) -> None:
        from index.persian.places import PROVINCES

        self.pattern, self.names = _province_pattern()
        self.provinces = _provinces()
        english = sorted(((form, name) for name, (_v, forms) in PROVINCES.items() for form in forms),
                         key=lambda f: -len(f[0]))
        self.english_pattern = re.compile(r"\b(" + "|".join(re.escape(f) for f, _n in english) + r")\b", re.IGNORECASE)
        self.english_name = {form: name for form, name in english}
        self.english_of = {name: forms[0].title() for name, (_v, forms) in PROVINCES.items()}

    def mapping(self, rng: random.Random) -> dict[str, str]:
        targets = self.provinces[:]
        rng.shuffle(targets)
        return dict(zip(self.provinces, targets))

    def swap(self, text: str, mapping: dict[str, str]) -> str:
        def repl(m: re.Match) -> str:
            group = next(i for i, g in enumerate(m.groups()) if g is not None)
            target = mapping[self.names[group]]
            if target == "مرکزی" and not text[max(0, m.start() - 6):m.start()].rstrip().endswith("استان"):
                return "استان " + target  # «مرکزی» alone is not read as a province
            return target

        def repl_english(m: re.Match) -> str:
            return self.english_of[mapping[self.english_name[m.group(0).lower()]]]

        return self.english_pattern.sub(repl_english, self.pattern.sub(repl, text))


_NUMBER = re.compile(r"[0-9۰-۹٠-٩]+(?:[/.,٫][0-9۰-۹٠-٩]+)*")


def _to_int(digits: str) -> int:
    return int(latin_digits(digits))


def _in_script(value: str, like: str) -> str:
    if any(ch in _FA_DIGITS for ch in like):
        return value.translate(str.maketrans("0123456789", _FA_DIGITS))
    if any(ch in _AR_DIGITS for ch in like):
        return value.translate(str.maketrans("0123456789", _AR_DIGITS))
    return value


def change_figures(text: str, rng: random.Random) -> str:
    """Every amount gets a new random value with as many digits, in the same digit script; the same
    figure written twice in an article gets the same new value. Years (۱۴۰۱, «سال ۹۹»), dates
    (1397/08/03) and day-of-month before a month name («۱۲ دی») are kept."""
    chosen: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        token = m.group(0)
        before = text[max(0, m.start() - 5):m.start()]
        after = text[m.end():m.end() + 12].lstrip()
        if "/" in token:
            return token
        if re.fullmatch(r"[0-9۰-۹٠-٩]{4}", token) and 1300 <= _to_int(token) <= 1499:
            return token
        if before.rstrip().endswith("سال") or after.startswith(_MONTHS):
            return token
        if token not in chosen:
            parts = re.split(r"([.,٫])", token)
            out = []
            for part in parts:
                if part in (".", ",", "٫"):
                    out.append(part)
                    continue
                n = len(part)
                low = 1 if n == 1 else 10 ** (n - 1)
                value = str(rng.randint(low, 10 ** n - 1)) if not out else str(rng.randint(0, 10 ** n - 1)).zfill(n)
                out.append(_in_script(value, part))
            chosen[token] = "".join(out)
        return chosen[token]

    return _NUMBER.sub(repl, text)


_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def vary_structure(text: str, rng: random.Random, *, p_shuffle: float = 0.7, p_drop: float = 0.12,
                   p_dup: float = 0.06) -> str:
    """Shuffle sentences within paragraphs (a block of lines without a blank line between them is one
    paragraph; so is a long line of several sentences), drop some, repeat some. The first line (often a
    headline) stays first."""
    lines = text.strip().split("\n")
    head, rest = lines[0], "\n".join(lines[1:])
    blocks = re.split(r"\n\s*\n", rest)
    out_blocks = []
    for block in blocks:
        block_lines = [line for line in block.split("\n") if line.strip()]
        if len(block_lines) > 1 and rng.random() < p_shuffle:
            rng.shuffle(block_lines)
        new_lines = []
        for line in block_lines:
            sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
            if len(sentences) > 1 and rng.random() < p_shuffle:
                rng.shuffle(sentences)
            kept = []
            for s in sentences:
                if rng.random() < p_drop:
                    continue
                kept.append(s)
                if rng.random() < p_dup:
                    kept.insert(rng.randint(0, len(kept)), s)
            if kept:
                new_lines.append(" ".join(kept))
        if new_lines:
            out_blocks.append("\n".join(new_lines))
    return head + "\n\n" + "\n\n".join(out_blocks) + "\n"


# ================================================================================= corpus generation
def _generate(out_dir: Path, seed: int, target_chunks: int) -> dict:
    """Write varied articles into ``out_dir`` until the chunker counts ``target_chunks``; runs in a child."""
    from assistant.settings import Settings
    from index.chunk import chunk_document
    from index.load import load_file
    from index.persian.normalize import get_normalizer

    settings = Settings()
    normalizer = get_normalizer()
    samples = sorted(SAMPLES.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    swapper = ProvinceSwapper()
    rng = random.Random(seed)
    out_dir.mkdir(parents=True)
    chunks = articles = 0
    per_sample = {p.stem: 0 for p in samples}
    started = time.perf_counter()
    while chunks < target_chunks:
        i = articles
        source = rng.randrange(len(texts))
        arng = random.Random(f"{seed}:{i}")
        text = vary_structure(texts[source], arng)
        text = swapper.swap(text, swapper.mapping(arng))
        text = change_figures(text, arng)
        sub = out_dir / f"{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"a{i:05d}_{samples[source].stem[:3]}.txt"
        path.write_text(text, encoding="utf-8")
        loaded = load_file(path, out_dir)
        for doc in loaded.documents:
            n = len(chunk_document(doc, normalizer, sentences_per_chunk=settings.chunk_sentences,
                                   overlap=settings.chunk_overlap, max_chars=settings.chunk_max_chars))
            chunks += n
            per_sample[samples[source].stem] += n
        articles += 1
        if articles % 500 == 0:
            _log(f"corpus: {articles} articles, {chunks} chunks")
    return {"generator_version": GENERATOR_VERSION, "seed": seed, "target_chunks": target_chunks,
            "articles": articles, "chunks_counted": chunks, "chunks_per_sample": per_sample,
            "seconds": round(time.perf_counter() - started, 1)}


def ensure_corpus(seed: int, target_chunks: int) -> tuple[Path, dict]:
    key = corpus_key(seed, target_chunks)
    final = CORPUS_ROOT / key
    manifest_path = CORPUS_ROOT / f"{key}.json"
    if final.is_dir() and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        _log(f"corpus: reusing {final.relative_to(REPO)} ({manifest['articles']} articles, "
             f"{manifest['chunks_counted']} chunks)")
        return final, {**manifest, "reused": True}
    CORPUS_ROOT.mkdir(parents=True, exist_ok=True)
    tmp = CORPUS_ROOT / f"{key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    _log(f"corpus: generating {target_chunks}+ chunks into {final.relative_to(REPO)} (seed {seed})")
    proc = subprocess.run([sys.executable, __file__, "--_generate", str(tmp), "--seed", str(seed),
                           "--chunks", str(target_chunks)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SystemExit(f"corpus generation failed (exit {proc.returncode})")
    manifest = json.loads(proc.stdout.strip().splitlines()[-1])
    tmp.rename(final)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    _log(f"corpus: {manifest['articles']} articles, {manifest['chunks_counted']} chunks in {manifest['seconds']} s")
    return final, {**manifest, "reused": False}


# ============================================================================================ questions
def make_queries(n: int, seed: int) -> list[dict]:
    """``n`` development questions with their provinces swapped at random (history swapped alike)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    swapper = ProvinceSwapper()
    rng = random.Random(f"{seed}:queries")
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        mapping = swapper.mapping(rng)
        history = [swapper.swap(h if isinstance(h, str) else h.get("content", ""), mapping)
                   for h in row.get("history") or []]
        q = swapper.swap(row["q"], mapping)
        original = [h if isinstance(h, str) else h.get("content", "") for h in row.get("history") or []]
        out.append({"id": row["id"], "q": q, "history": history, "english": q[:1].isascii(),
                    "swapped": q != row["q"] or history != original})
    return out
