"""Follow-up questions resolved by rules (no LLM)."""

from __future__ import annotations

from assistant.followup import is_follow_up, resolve_by_rules
from index.persian.normalize import get_normalizer


def test_follow_up_rules():
    n = get_normalizer()
    assert is_follow_up("و گیلان چطور؟", n) and is_follow_up("اسمش چیه؟", n)
    assert not is_follow_up("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟", n)
    prev = "تعداد اعضای تعاونی‌های گلستان چقدر است؟"
    assert resolve_by_rules("گیلان چی؟", [prev], n) == "تعداد اعضای تعاونیهای گیلان چقدر است؟"
    # a chain of follow-ups resolves each in turn
    assert "خراسان جنوبی" in resolve_by_rules("خراسان جنوبی چطور؟", [prev, "گیلان چی؟"], n)
    # a full question after another is left alone
    full = "صادرات تعاونی‌های کردستان چقدر بود؟"
    assert resolve_by_rules(full, [prev], n) == full
    assert resolve_by_rules("و فارس چطور؟", [], n) == "و فارس چطور؟"
