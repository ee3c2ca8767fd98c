"""How well near-duplicate stories are found (index/dedup.py), on a labelled sample, over thresholds.

The sample: the 206 real articles of ../shared/news (distinct stories, many on the same topics: cooperatives,
exports, provinces) and, for a seeded half of them, a republished copy with the small edits outlets make: another
agency's lead («به گزارش ایسنا،»), the last paragraph dropped, a sentence added, a few words changed, a new title,
or two of these at once. Labels: an article and its copy are one story; every other pair is not. Pairs of the
originals that come out similar are printed: they are real republished copies (or not) to be read by hand.

    .venv/bin/python bench/dedup.py            # the table over thresholds (precision, recall of pairs)
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.dedup import signature, similarity, stories  # noqa: E402

NEWS = REPO.parent / "shared" / "news" / "articles"
AGENCIES = ["ایسنا", "ایرنا", "تسنیم", "فارس", "مهر", "دنیای اقتصاد"]
ADDED = ["این خبر تکمیل می‌شود.", "انتهای پیام", "گزارش از خبرنگار اعزامی ما.",
         "وی در پایان از تلاش‌های همکاران خود قدردانی کرد."]


def edit(text: str, rng: random.Random) -> tuple[str, str]:
    """A republished copy of ``text`` and what was done to it."""
    lines = [x for x in text.splitlines() if x.strip()]
    kinds = rng.sample(["lead", "drop_last", "add", "words", "title"], k=rng.choice([1, 1, 2]))
    for kind in kinds:
        if kind == "lead" and len(lines) > 1:
            body = lines[1]
            if body.startswith("به گزارش"):
                body = body.split("،", 1)[-1].strip()
            lines[1] = f"به گزارش {rng.choice(AGENCIES)}، {body}"
        elif kind == "drop_last" and len(lines) > 3:
            lines = lines[:-1]
        elif kind == "add":
            lines.append(rng.choice(ADDED))
        elif kind == "words":
            words = " ".join(lines[1:]).split()
            for i in rng.sample(range(len(words)), k=min(len(words), max(1, len(words) // 20))):
                words[i] = rng.choice(["همچنین", "نیز", "اکنون", "گفتنی است", "بنابراین"])
            lines = lines[:1] + [" ".join(words)]
        elif kind == "title":
            lines[0] = f"{lines[0]} / {rng.choice(AGENCIES)}"
    return "\n".join(lines), "+".join(kinds)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    from index.persian.normalize import get_normalizer

    normalizer = get_normalizer()
    rng = random.Random(args.seed)
    originals = {f.stem: f.read_text(encoding="utf-8") for f in sorted(NEWS.glob("*.txt"))}
    copied = rng.sample(sorted(originals), k=len(originals) // 2)
    texts = dict(originals)
    kinds = {}
    for name in copied:
        texts[name + "~copy"], kinds[name + "~copy"] = edit(originals[name], rng)
    sigs = {name: signature(normalizer.canonical(text)) for name, text in texts.items()}
    names = [n for n in texts if sigs[n] is not None]
    def one_story(a: str, b: str) -> bool:
        return a.split("~")[0] == b.split("~")[0]

    pairs = [(a, b, similarity(sigs[a], sigs[b]), one_story(a, b)) for a, b in itertools.combinations(names, 2)]
    positives = sum(1 for *_, same in pairs if same)
    print(f"{len(originals)} articles, {len(copied)} edited copies; {len(pairs):,} pairs, {positives} of one story")
    print("\n| threshold | precision | recall | false pairs | missed copies |\n|---|---|---|---|---|")
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7):
        groups = stories([(n, None, None, sigs[n]) for n in names], threshold)
        found = [(a, b, same) for a, b, _s, same in pairs if groups[a] == groups[b]]
        tp = sum(1 for *_, same in found if same)
        precision = tp / len(found) if found else 1.0
        recall = tp / positives if positives else 1.0
        missed = [f"{b}({kinds[b]})" for a, b, _s, same in pairs if same and groups[a] != groups[b]]
        print(f"| {threshold:.2f} | {precision:.3f} | {recall:.3f} | {len(found) - tp} | {len(missed)} |")
    print("\nMost similar pairs of two originals (read them: a real republished copy is no false pair):")
    for a, b, s, _same in sorted((x for x in pairs if "~" not in x[0] + x[1]), key=lambda x: -x[2])[:5]:
        print(f"  {s:.2f}  {a} / {b}")
    lows = sorted((s, b, kinds[b]) for a, b, s, same in pairs if same)[:5]
    print("Least similar copies:", ", ".join(f"{s:.2f} {b} ({k})" for s, b, k in lows))


if __name__ == "__main__":
    main()
