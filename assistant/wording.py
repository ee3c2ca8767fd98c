"""Every Persian sentence a user reads, in one place: answers, abstentions, notes, page labels.

Templates use ``{name}`` slots, filled with ``str.format``. The prompt ``prompts/answer_system.md``
gets :data:`NO_ANSWER` through its ``{no_answer}`` slot, so the model is told the very sentence the
chain recognises. Patterns that *read* Persian (question words, units, measures) live in the lexicon
(``index/persian/lexicon.toml``), not here.
"""

from __future__ import annotations

# -- answers -----------------------------------------------------------------------------------------
NO_ANSWER = "پاسخ این پرسش در خبرهای موجود نیامده است."
SOURCES = "منابع:"
MAYBE_RELATED = "این بخش‌ها شاید مرتبط باشند:"
FULL_ARTICLE = "متن کامل خبر"
ALSO_IN = "همچنین در {n} رسانه"   # a story other outlets ran too (index/dedup.py)
SOURCE_LINE = "- [{n}] {title}{byline} — {url}"   # one source under SOURCES in a text reply (the OpenAI-compatible chat)

# -- notes under an answer ---------------------------------------------------------------------------
NOTE_LLM_DOWN = "پاسخ‌گوی هوشمند (مدل زبانی) در دسترس نبود؛ این پاسخ مستقیم از متن خبرها برداشته شده است."
NOTE_LLM_UNCITED = "پاسخ مدل زبانی به هیچ منبعی ارجاع نداشت و کنار گذاشته شد؛ این پاسخ مستقیم از متن خبرها است."
NOTE_INVALID_CITATIONS = "ارجاع‌های نامعتبر از پاسخ حذف شد."
NOTE_UNCITED_CLAIMS = "بخشی از این پاسخ به منبعی ارجاع ندارد؛ آن را با احتیاط بخوانید."
NOTE_PARTIAL_PERIOD = "این رقم برای {part} است، نه برای همهٔ {asked}."
NOTE_LLM_UNSUPPORTED = ("پاسخ مدل زبانی چیزی می‌گفت که منابعش برای آنچه پرسیده شده نمی‌گویند (رقمی که در منبع "
                        "نیست یا دربارهٔ چیز دیگری است)؛ کنار گذاشته شد.")

# -- why the articles do not answer (assistant/explain.py) --------------------------------------------
# {given}: what the nearest sentence gives a figure for, e.g. «صادرات تعاونی‌های گلستان»
EXPLAIN = {
    "word_given": "خبرها {given} را گفته‌اند، ولی رقمی برای «{word}» نیاورده‌اند.",
    "word": "خبرها در این باره چیزی دربارهٔ «{word}» نگفته‌اند.",
    "unit_given": "خبرها {given} را به {found} گفته‌اند، نه به {asked}.",
    "unit": "خبرها رقمی به {asked} برای آن نیاورده‌اند.",
    "percent_given": "خبرها {given} را گفته‌اند، ولی درصدی برای آن نیاورده‌اند.",
    "percent": "خبرها درصدی برای آن نیاورده‌اند.",
    "count_found": "خبرها شمار «{found}» را گفته‌اند، نه شمار «{asked}» را.",
    "count": "خبرها شمار «{asked}» را نگفته‌اند.",
    "amount": "خبرها رقمی برای آن نیاورده‌اند.",
    "period_found": "خبرها {given} را برای {found} گفته‌اند، نه برای {asked}.",
    "period_given": "خبرها {given} را گفته‌اند، ولی نگفته‌اند که مربوط به {asked} است.",
    "period": "خبرها چیزی دربارهٔ {asked} در این باره نگفته‌اند.",
    "contact": "خبرها {what} نیاورده‌اند.",
    "name": "خبرها نام این شخص را نیاورده‌اند.",
    "when": "خبرها {what} آن را نگفته‌اند.",
    "which": "خبرها فقط شمار «{asked}» را گفته‌اند، نه نام آن‌ها را.",
    "subject": "نزدیک‌ترین خبر دربارهٔ {found} است، نه {asked}.",
    "other_periods": "خبرها این را برای {asked} نگفته‌اند؛ برای دوره‌های دیگر گفته‌اند: {items}.",
}
OTHER_PERIOD_ITEM = "{period}: {figure} [{n}]"   # one item of EXPLAIN["other_periods"]
WHEN_WORDS = {"date": "تاریخ", "year": "سال", "weekday": "روز"}
CONTACT_WORDS = {"phone": "شمارهٔ تلفن یا راه تماسی", "address": "نشانی", "web": "نشانی وب‌گاه یا رایانامه‌ای",
                 "hours": "ساعت کاری", "": "راه تماسی"}
# what a figure of each measure is, before the province's name: «شمار اعضای تعاونی‌های» گلستان
MEASURE_PHRASES = {
    "exports": "صادرات تعاونی‌های", "export_countries": "شمار کشورهای مقصد صادرات تعاونی‌های",
    "members": "شمار اعضای تعاونی‌های", "jobs": "شمار شاغلان تعاونی‌های", "insured": "شمار بیمه‌شدگان",
    "loans": "تسهیلات تعاونی‌های", "credits": "اعتبارات", "investment": "سرمایه‌گذاری طرح‌های تعاونی",
    "brands": "شمار برندهای تعاونی‌های", "projects": "شمار طرح‌های تعاونی", "licenses": "شمار مجوزهای",
    "cooperatives": "شمار تعاونی‌های", "active_cooperatives": "شمار تعاونی‌های فعال",
    "exporters": "شمار تعاونی‌های صادرکنندهٔ",
}
FIGURE_OF = "رقم {what}"            # a measure with no phrase of its own: «رقم صادرات»
FIGURE_OF_WORDS = "رقم «{words}»"   # a figure known only by the words it counts

# -- answers across provinces (assistant/facts_answer.py) ---------------------------------------------
# a measure's name in a sentence about several provinces: «صادرات تعاونی‌ها در گلستان و گیلان ...»
ACROSS_MEASURES = {
    "exports": "صادرات تعاونی‌ها", "members": "اعضای تعاونی‌ها", "jobs": "اشتغال در تعاونی‌ها",
    "cooperatives": "تعاونی", "active_cooperatives": "تعاونی فعال", "exporters": "شرکت‌های تعاونی صادرکننده",
    "loans": "تسهیلات تعاونی‌ها", "credits": "اعتبارات", "investment": "سرمایه‌گذاری طرح‌های تعاونی",
}
ACROSS_HIGHEST = "در خبرهای موجود، بیشترین {measure} را {province} دارد."
ACROSS_LOWEST = "در خبرهای موجود، کمترین {measure} را {province} دارد."
ACROSS_TOTAL = "مجموع {measure} در {provinces} بر پایهٔ خبرها {total} است."
ACROSS_LIST = "{measure} در {provinces} بر پایهٔ خبرها:"
ACROSS_LINE = "• {province}: {amount}{period} [{n}]"
ACROSS_TOO_FEW = "برای مقایسهٔ {measure} میان استان‌ها رقم کافی در خبرها نیست{only}."
ACROSS_ONLY = " (فقط برای {province} رقمی آمده است)"
ACROSS_PERIODS_DIFFER = ("این ارقام به دوره‌های یکسانی مربوط نیستند (دورهٔ هر رقم کنار آن آمده است)؛ "
                         "مقایسهٔ آن‌ها تقریبی است.")
ACROSS_MISSING = "برای {provinces} رقمی از {measure} در خبرها نیامده است."
AND = " و "

# -- the chat page and the widget (ui/) ---------------------------------------------------------------
TITLE = "دستیار خبر تعاون"
EXAMPLES = [
    "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟",
    "و گلستان چطور؟",
    "چند نفر در گیلان عضو تعاونی‌ها هستند؟",
    "مدیرکل تعاون، کار و رفاه اجتماعی خراسان جنوبی کیست؟",
    "بازار صادرات تعاونی‌های گلستان شامل کدام کشورهاست؟",
]
INTRO = "پرسش خود را دربارهٔ خبرهای تعاونی‌ها بنویسید؛ هر پاسخ به خبر و بخشی که از آن آمده ارجاع می‌دهد."
CHAT_PLACEHOLDER = "پاسخ‌ها با منبع نشان داده می‌شوند."
INPUT_PLACEHOLDER = "پرسش شما…"
SEND = "بپرس"
CLEAR = "پاک کردن گفتگو"
EXAMPLES_LABEL = "نمونه‌ها"
MSG_TOO_LONG = "پرسش بیش از اندازه بلند است؛ لطفاً آن را کوتاه‌تر بنویسید (حداکثر {limit} نویسه)."
MSG_EMPTY = "لطفاً پرسشی بنویسید."
MSG_BAD_FILTER = "محدودهٔ تاریخ خوانده نشد؛ تاریخ را مانند ۱۴۰۳/۰۳/۱۲ یا ۱۲ خرداد ۱۴۰۳ بنویسید و آغاز را پیش از پایان بگذارید."
FILTERS_LABEL = "محدود کردن به تاریخ و رسانه"
FILTER_FROM = "از تاریخ (مثلاً ۱۴۰۳/۰۱/۰۱)"
FILTER_TO = "تا تاریخ"
FILTER_OUTLET = "رسانه (مثلاً ایرنا)"
MSG_FAILED = "متأسفانه در پاسخ‌گویی خطایی رخ داد. لطفاً دوباره تلاش کنید."
FEEDBACK_THANKS = "سپاس! اگر می‌خواهید، بنویسید چرا (اختیاری)."
COMMENT_PLACEHOLDER = "توضیح شما دربارهٔ این پاسخ…"
COMMENT_SEND = "ثبت توضیح"
COMMENT_THANKS = "سپاس؛ توضیح شما ثبت شد."
MSG_COMMENT_TOO_LONG = "توضیح بیش از اندازه بلند است (حداکثر {limit} نویسه)."
MSG_FEEDBACK_FAILED = "نظر شما ثبت نشد؛ لطفاً دوباره تلاش کنید."
ARTICLE_NOT_FOUND = "این خبر پیدا نشد."
NEEDS_TOKEN = "برای دیدن این صفحه نشانی را همراه با توکن دسترسی (‎?token=…‎) باز کنید."

# -- the admin page (ui/admin.html; [[key]] there) -----------------------------------------------------
ADMIN = {
    "title": "مدیریت بایگانی خبرها",
    "token_label": "توکن مدیر",
    "token_enter": "ورود",
    "token_wrong": "توکن مدیر درست نیست.",
    "upload_heading": "افزودن پرونده",
    "drop_hint": "پرونده‌های PDF، Word ‏(docx)، متن، Markdown، HTML یا JSONL را اینجا رها کنید یا برگزینید.",
    "sending": "در حال فرستادن…",
    "reading": "در حال خواندن پرونده‌ها…",
    "embedding": "در حال نمایه‌سازی: {done} از {total}",
    "writing": "در حال نوشتن در نمایه…",
    "upload_done": "{added} افزوده، {updated} به‌روز، {unchanged} بی‌تغییر، {skipped} کنار گذاشته.",
    "upload_failed": "بارگذاری انجام نشد: {error}",
    "skipped": "کنار گذاشته شد",
    "documents_heading": "خبرهای نمایه",
    "col_title": "عنوان",
    "col_source": "منبع",
    "col_date": "تاریخ",
    "col_chunks": "بخش‌ها",
    "col_added": "زمان افزودن",
    "delete": "حذف",
    "confirm_delete": "«{title}» از نمایه حذف شود؟",
    "deleted": "حذف شد: {title}",
    "no_documents": "هنوز خبری در نمایه نیست.",
    "feedback_heading": "بازخورد کاربران",
    "col_time": "زمان",
    "col_rating": "ارزیابی",
    "col_question": "پرسش",
    "col_answer": "پاسخ",
    "col_comment": "توضیح",
    "rating_up": "👍 خوب",
    "rating_down": "👎 نادرست",
    "no_feedback": "هنوز بازخوردی نرسیده است.",
    "all_ratings": "همه",
    "sources_heading": "منابع خبری دنبال‌شده",
    "source_url": "نشانی خوراک، نقشهٔ سایت یا خبر",
    "source_every": "هر چند وقت",
    "every_30m": "هر ۳۰ دقیقه",
    "every_1h": "هر ساعت",
    "every_6h": "هر ۶ ساعت",
    "every_1d": "هر روز",
    "source_add": "افزودن منبع",
    "col_name": "نام",
    "col_last_run": "آخرین بار",
    "col_counts": "نتیجه",
    "col_last_error": "آخرین خطا",
    "never_synced": "هنوز خوانده نشده",
    "source_counts": "{new} تازه، {updated} به‌روز، {unchanged} بی‌تغییر، {failed} ناموفق",
    "sync_now": "همین حالا بخوان",
    "source_remove": "حذف منبع",
    "confirm_source_remove": "منبع «{name}» دیگر دنبال نشود؟ خبرهایش در نمایه می‌مانند.",
    "sync_running": "در حال خواندن: {name}",
    "no_sources": "هنوز منبعی افزوده نشده است.",
    "refusals_heading": "پرسش‌هایی که خبرها پاسخشان را نداشتند",
    "refusals_hint": "پرسش‌های همانند با هم شمرده شده‌اند؛ پرتکرارترها نشان می‌دهند چه منبعی کم است.",
    "refusals_export": "دریافت به صورت CSV",
    "col_count": "شمار",
    "col_wordings": "گونه‌های دیگر پرسش",
    "no_refusals": "هنوز پرسش بی‌پاسخی نمانده است.",
    "refusals_off": "نگه‌داری پرسش‌های بی‌پاسخ خاموش است (ASSISTANT_RECORD_REFUSALS).",
}
