"""Citation markers: parsed in any digits, checked against the sources, shown in Persian."""

from __future__ import annotations

from assistant.cite import check_citations, to_persian_markers


def test_citation_checking():
    checked = check_citations("صادرات ۳۴ میلیون دلار بود [1]. اعضا ۲۱۰ هزار نفرند [۲، 7]. جمله بی‌منبع طولانی است.", 5)
    assert checked.cited == [1, 2] and checked.invalid == [7] and checked.uncited_claims == 1
    assert "[2]" in checked.text and "7" not in checked.text
    assert to_persian_markers("x [1, 2]") == "x [۱، ۲]"
