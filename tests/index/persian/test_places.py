"""Province names in any spelling, without false friends."""

from __future__ import annotations

from index.persian.places import find_provinces


def test_province_names():
    assert find_provinces("صادرات گیلان و خراسان رضوی") == ["گیلان", "خراسان رضوی"]
    assert find_provinces("اختیارات بانک مرکزی") == []           # not استان مرکزی
    assert find_provinces("کشورهای حاشیه خلیج فارس") == []         # not the province of Fars
    assert find_provinces("cooperatives in Isfahan") == ["اصفهان"]
