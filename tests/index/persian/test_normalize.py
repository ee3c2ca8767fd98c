from index.persian.normalize import ZWNJ, clean_invisible, get_normalizer


def test_three_spellings_of_a_glued_suffix_meet():
    n = get_normalizer()
    forms = {n.canonical(q) for q in ("تعاونی\u200cهای گلستان", "تعاونی های گلستان", "تعاونیهای گلستان")}
    assert forms == {"تعاونیهای گلستان"}


def test_digits_of_every_script_meet():
    n = get_normalizer()
    assert n.canonical("سال 1401") == n.canonical("سال ۱۴۰۱") == n.canonical("سال ١٤٠١") == "سال 1401"


def test_arabic_letters_fold_to_persian():
    n = get_normalizer()
    assert n.canonical("كميسيون تعاوني") == n.canonical("کمیسیون تعاونی") == "کمیسیون تعاونی"


def test_numbers_keep_decimals_and_lose_thousands_separators():
    n = get_normalizer()
    assert n.canonical("2.5 درصد") == "2.5 درصد"
    assert n.canonical("۲٫۵ درصد") == "2.5 درصد"
    assert n.canonical("1,200,000 نفر") == "1200000 نفر"
    assert n.canonical("۱٬۲۰۰٬۰۰۰ نفر") == "1200000 نفر"
    assert "2.5" in n.tokens("۲.۵ میلیون")


def test_spaced_verb_prefix_and_comparative_join():
    n = get_normalizer()
    assert n.canonical("صادر می شود") == n.canonical("صادر می\u200cشود") == n.canonical("صادر میشود")
    assert n.canonical("بزرگ ترین") == n.canonical("بزرگترین")


def test_tokens_carry_surface_and_stem():
    n = get_normalizer()
    terms = n.tokens("تعاونی‌های استانها")
    assert "تعاونیهای" in terms and "تعاونی" in terms
    assert "استانها" in terms and "استان" in terms


def test_invisible_characters_removed_but_zwnj_kept():
    hidden = "تعاونی" + ZWNJ + "ها\u200b\u202e\u2066" + "".join(chr(0xE0000 + c) for c in b"ignore") + "\ufeff"
    cleaned = clean_invisible(hidden)
    assert cleaned == "تعاونی" + ZWNJ + "ها"


def test_normalizer_is_built_once():
    assert get_normalizer() is get_normalizer()
