"""Deterministic synthetic content for benchmarking newsarchive.

    python bench/corpus.py --articles 10000 --out bench/work/corpus-10000 [--seed 1]

Writes a content tree in the newsarchive format: articles (Markdown with YAML front
matter) with their images, an about page, and the topic and outlet registries.

Article i is drawn from its own RNG seeded by (seed, i), so a corpus of N + 1 articles
is the corpus of N plus one more article: the benchmark relies on that to "add one".
Output depends only on --seed, --articles and the Python version (the `random` module's
algorithms), never on the hash seed or the clock. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import time
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 12, 31)
ZIPF_S = 1.1
TAG_AUTHORITY = "newsarchive.example"

# --- Vocabulary -------------------------------------------------------------------------


def _words(block: str) -> list[str]:
    """Word lists are written as blocks of text, which reads better than a long literal."""
    return block.split()


# Roughly most to least frequent, so Zipf weights over this order read like prose.
ENGLISH_WORDS = _words("""
the of and to in a that said for on was with as by at from is it has its an were
be have after not which their but are had this government would officials two new
minister also been more they over year will against about people who president could
country last one talks security first state told week military forces other foreign
agreement since three city border under public during while than report between
international economic national plan political council month several police
local leaders support court group region water prices election opposition
parliament statement meeting ministry agency spokesman deal crisis power oil energy
trade sanctions aid health schools hospital villages farmers workers students women
children families refugees camps observers analysts diplomats envoy delegation summit
negotiations ceasefire protest strike march vote ballot budget deficit growth inflation
currency bank loans debt investors markets exports imports pipeline gas field port
harbour airport railway road bridge dam river drought flood rain storm earthquake
fire smoke heat season harvest wheat rice cotton coffee sugar fishing boats coast
island mountain valley desert province capital district quarter street square
mosque church museum library theatre festival film music novel poet painter archive
newspaper radio television channel reporter editor photographer journalist interview
decision ruling judge lawyer trial verdict appeal prison release arrest charges
investigation inquiry commission panel committee board union company firm factory
mine plant project contract tender bid offer proposal reform law bill decree
constitution referendum campaign candidate party coalition cabinet mayor governor
general commander soldiers troops convoy checkpoint base airstrike drone missile
rocket shelling attack blast explosion victims wounded dead survivors rescue teams
volunteers donors pledge fund programme scheme initiative network system service
quickly slowly sharply widely openly publicly privately formally reportedly again
already still never often rarely early late recent previous current future regional
northern southern eastern western central rural urban coastal remote large small
major minor key senior junior former acting interim official unofficial independent
joint bilateral multilateral humanitarian medical legal financial social cultural
historic modern ancient annual monthly weekly daily overnight nearby distant
announced confirmed denied rejected accepted welcomed condemned criticised praised
warned urged called demanded promised pledged signed approved blocked delayed
suspended resumed launched opened closed visited met held hosted attended left
returned arrived fled crossed reached raised cut increased reduced doubled halved
""")

ARABIC_WORDS = _words("""
في من على إلى مع عن بعد قبل خلال أن هذا التي الذي كان قال أعلن أكد يوم الحكومة
وزير الخارجية مجلس الأمن الرئيس اجتماع اتفاق المفاوضات السلام الاقتصاد النفط
الأسعار الشعب المدينة العاصمة البرلمان قرار الدولي الأمم المتحدة الأحد الاثنين
السوري الإيراني اللبناني العراقي الجديد الوطني العام الماضي المقبل الصحة التعليم
المياه الطاقة الانتخابات المعارضة الحدود اللاجئين المساعدات الإنسانية المحكمة
الصحفي الجريدة الإذاعة التلفزيون الميناء المطار الجسر النهر الصحراء القرية
""")

PERSIAN_WORDS = _words("""
در از به با که این را است بود گفت اعلام کرد روز سال دولت وزیر امور خارجه مجلس
رئیس جمهوری نشست توافق مذاکرات صلح اقتصاد نفت قیمت مردم شهر پایتخت گذشته آینده
جدید ملی بهداشت آموزش آب انرژی انتخابات مرز پناهجویان کمک بشردوستانه تهران
روزنامه خبرنگار دادگاه بندر فرودگاه رودخانه کویر روستا
""")

SURNAMES = _words("""
Haddad Okafor Lindqvist Moreau Tanaka Rahimi Kovač Núñez Brennan Asante Petrov
Sørensen Mendes Karimi Nakamura Oyelaran Dubois Schäfer Alvarez Mansour Farouk
Hosseini Novak Walsh Castillo Adeyemi Öztürk Ferreira Kowalski Nasser
""")

GIVEN_NAMES = _words("""
Jane Omar Leila Tomás Ingrid Kwame Yusuf Zoë Farid Amélie Hiroshi Nadia Sean
Chiara Dmitri Fatima Joaquín Maren Reza Aisha Lars Noor Mateus Sinéad Karim
""")

PLACES = [
    "Syria", "Iran", "Lebanon", "Iraq", "Yemen", "Egypt", "Jordan", "Turkey", "Kenya",
    "Nigeria", "Chile", "Peru", "Brazil", "India", "Pakistan", "Afghanistan", "Ukraine",
    "Georgia", "Norway", "Indonesia", "Québec", "Bogotá", "São Paulo", "Côte d'Ivoire",
    "Reykjavík", "Zürich", "Kraków", "Gdańsk", "Málaga", "Tromsø", "Tehran", "Beirut",
    "Geneva", "Brussels", "Nairobi", "Jakarta", "Ankara", "Cairo", "Baghdad", "Manila",
]

# Hand-picked topics first: they get the top Zipf ranks, so the popular ones read real.
CORE_TOPICS = [
    "Syria", "US foreign policy", "Économie", "سوريا", "Iran nuclear deal", "Climate change",
    "Elections", "Human rights", "Press freedom", "Migration", "Refugees", "Oil and gas",
    "Public health", "Education", "Trade", "Sanctions", "Diplomacy", "Defence", "Terrorism",
    "Cybersecurity", "Technology", "Science", "Space", "Culture", "Sport", "Football",
    "Cinema", "Literature", "Religion", "Agriculture", "Water", "Energy", "Nuclear power",
    "Labour", "Housing", "Transport", "Aviation", "Shipping", "Banking", "Inflation",
    "Currency", "Tourism", "Wildlife", "Oceans", "Earthquakes", "Floods", "Drought",
    "Pandemic", "Vaccines", "Courts", "Corruption", "Protests", "Civil society",
    "Women\u2019s rights", "Children", "Société", "Santé publique", "Politique étrangère",
    "Médias", "Umwelt", "Wirtschaft", "Política", "Educação", "إيران", "لبنان", "العراق",
    "فلسطين", "اليمن", "الاقتصاد", "حقوق الإنسان", "الانتخابات", "ایران", "اقتصاد ایران",
]
TOPIC_THEMES = [
    "politics", "economy", "elections", "energy", "health", "trade", "security",
    "culture", "environment", "media", "courts", "education",
]
TOPIC_COUNT = 300

# (name, country, language): fictional outlets, so no real one is quoted saying anything.
OUTLETS = [
    ("Persian Gulf Review", "IR", "en"), ("The Harbour Courier", "GB", "en"),
    ("Nile Evening Post", "EG", "en"), ("Le Quotidien du Matin", "FR", "fr"),
    ("Beirut Morning Star", "LB", "en"), ("Gulf Tribune Online", "AE", "en"),
    ("Tehran Evening Ledger", "IR", "fa"), ("Der Abendbote", "DE", "de"),
    ("O Correio Austral", "BR", "pt"), ("Diario del Río", "AR", "es"),
    ("Zürcher Wochenblatt", "CH", "de"), ("L\u2019Écho de Montréal", "CA", "fr"),
    ("Damascus Dispatch", "SY", "en"), ("Baghdad Bulletin", "IQ", "en"),
    ("Anatolia Daily Report", "TR", "en"), ("Nairobi Observer", "KE", "en"),
    ("Lagos Chronicle", "NG", "en"), ("Jakarta Weekly Review", "ID", "en"),
    ("Manila Harbour News", "PH", "en"), ("Kyiv Evening Times", "UA", "en"),
    ("The Andean Mirror", "PE", "en"), ("Santiago Sentinel", "CL", "en"),
    ("Delhi Ledger", "IN", "en"), ("Karachi Courier", "PK", "en"),
    ("Kabul Monitor", "AF", "en"), ("Tbilisi Herald", "GE", "en"),
    ("Nordic Wire", "NO", "en"), ("Reykjavík Review", "IS", "en"),
    ("Geneva Diplomatic Letter", "CH", "en"), ("Brussels Briefing", "BE", "en"),
    ("Amman Gazette", "JO", "en"), ("Sanaa Observer", "YE", "en"),
    ("الصحيفة اليومية", "LB", "ar"), ("صدای شهر", "IR", "fa"),
    ("Gdańsk Maritime News", "PL", "en"), ("Málaga Coastal Times", "ES", "en"),
    ("The Desert Telegraph", "JO", "en"), ("Levant Weekly", "LB", "en"),
    ("Caspian Business Daily", "AZ", "en"), ("Atlas Mountain Post", "MA", "en"),
]

TITLE_ADJECTIVES = _words("""
dissent senior foreign rival interim joint humanitarian regional former opposition
independent emergency military civilian local western eastern coastal rural urban
""")
TITLE_NOUNS = _words("""
diplomats envoys talks sanctions strikes reforms protesters farmers refugees judges
reporters budget ceasefire pipeline elections observers donors workers students inquiry
""")

CREDITS = ["AFP photo", "Reuters", "AP photo", "Handout", "File photo", "Staff photo"]
TIME_OFFSETS = ["+00:00", "+01:00", "+02:00", "-05:00", "+03:30", "+04:30", "+05:45", "-03:00"]
QUOTES = [("\u2018", "\u2019"), ("\u201c", "\u201d")]  # curly single and double


def ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of a text, accents folded: 'Québec' -> ['quebec']."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words, word = [], []
    for ch in folded.lower() + " ":
        if ch.isalnum():
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    return words


def _build_topics() -> list[str]:
    names = list(CORE_TOPICS)
    seen = {tuple(ascii_words(n)) or (n,) for n in names}
    for theme in TOPIC_THEMES:
        for place in PLACES:
            name = f"{place} {theme}"
            key = tuple(ascii_words(name))
            if len(names) < TOPIC_COUNT and key not in seen:
                seen.add(key)
                names.append(name)
    return names


TOPICS = _build_topics()
assert len(TOPICS) == TOPIC_COUNT and len(OUTLETS) == 40


def zipf_cumulative(n: int, s: float = ZIPF_S) -> list[float]:
    """Cumulative weights 1/k^s for ranks 1..n, for `random.choices(cum_weights=...)`."""
    return list(accumulate(1.0 / k**s for k in range(1, n + 1)))


TOPIC_CUM = zipf_cumulative(len(TOPICS))
OUTLET_CUM = zipf_cumulative(len(OUTLETS))
ENGLISH_CUM = zipf_cumulative(len(ENGLISH_WORDS), 1.0)
ARABIC_CUM = zipf_cumulative(len(ARABIC_WORDS), 1.0)
PERSIAN_CUM = zipf_cumulative(len(PERSIAN_WORDS), 1.0)


# Web domains for the .test homepages; Arabic-script names fall back to their position.
OUTLET_DOMAINS = {
    name: "-".join(ascii_words(name)) or f"outlet-{n}" for n, (name, _, _) in enumerate(OUTLETS, 1)
}


# --- Model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    src: str  # "" when the photo was not kept, only its caption
    caption: str
    credit: str
    alt: str
    width: int
    height: int
    colors: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Article:
    index: int
    title: str
    date: str  # as written in front matter: YYYY-MM-DD or with time and offset
    day: date
    outlet: str
    topics: tuple[str, ...]
    source_url: str
    byline: str
    language: str  # "" for English
    images: tuple[Image, ...]
    body: str

    @property
    def ident(self) -> str:
        return f"tag:{TAG_AUTHORITY},{self.day.isoformat()}:{self.index:08d}"

    @property
    def slug(self) -> str:
        words = ascii_words(self.title)[:5] or ["article"]
        return "-".join(words) + f"-{self.index:08d}"

    @property
    def folder(self) -> str:
        return f"articles/{self.day.year:04d}/{self.day.month:02d}"

    @property
    def relpath(self) -> str:
        return f"{self.folder}/{self.slug}.md"


class Lang:
    """The word source for one article's language."""

    def __init__(self, code: str):
        self.code = code
        self.words, self.cum = {
            "": (ENGLISH_WORDS, ENGLISH_CUM),
            "ar": (ARABIC_WORDS, ARABIC_CUM),
            "fa": (PERSIAN_WORDS, PERSIAN_CUM),
        }[code]

    def pick(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


# --- Text -------------------------------------------------------------------------------


def english_title(rng: random.Random) -> str:
    subject = rng.choice([*SURNAMES, *PLACES, "Minister", "Parliament", "Court", "Envoy"])
    verb = rng.choice(["meets", "rejects", "urges", "warns", "signs", "denies", "backs",
                       "blames", "visits", "condemns", "welcomes", "delays", "questions"])
    noun = rng.choice(TITLE_NOUNS)
    adjective = rng.choice(TITLE_ADJECTIVES)
    if rng.random() < 0.15:  # scare quotes, as outlets write them
        left, right = rng.choice(QUOTES)
        adjective = f"{left}{adjective}{right}"
    words = [subject, verb, adjective, noun]
    if rng.random() < 0.6:
        words += [rng.choice(["on", "over", "in", "after", "amid"]), rng.choice(PLACES)]
    title = " ".join(words)
    if rng.random() < 0.03:  # a straight double quote, to exercise escaping
        title += f' as report called "{rng.choice(["baseless", "flawed", "timely"])}"'
    if rng.random() < 0.08:
        title = rng.choice(["Analysis", "Update", "Opinion"]) + ": " + title
    return title[0].upper() + title[1:]


def rtl_title(rng: random.Random, lang: Lang) -> str:
    # Uniform over content words: Zipf picks would fill a headline with prepositions.
    return " ".join(rng.choice(lang.words[18:]) for _ in range(rng.randint(5, 9)))


def sentence(rng: random.Random, lang: Lang, n: int) -> list[str]:
    """n words; English sentences start with a capital and sometimes name a place."""
    words = lang.pick(rng, n)
    if not lang.code:
        if n > 6 and rng.random() < 0.3:
            words[rng.randrange(2, n)] = rng.choice(SURNAMES)
        words[0] = words[0][0].upper() + words[0][1:]
        if n > 10 and rng.random() < 0.4:
            words[rng.randrange(3, n - 3)] += ","
    words[-1] += "."
    return words


def add_inline_markup(rng: random.Random, words: list[str]) -> None:
    """Wrap a few runs of words in bold, italic or a link, in place; word count unchanged."""
    for _ in range(rng.randint(1, 3)):
        length = rng.randint(1, 3)
        start = rng.randrange(0, len(words) - length)
        end = start + length - 1
        if any(ch in w for w in words[start:end + 1] for ch in "*_[]"):
            continue  # already marked up: no nested or crossing runs
        # Keep end punctuation outside the markup, as a writer would.
        tail = words[end][-1] if words[end][-1] in ".," else ""
        if tail:
            words[end] = words[end][:-1]
        opening, closing = rng.choice([("**", "**"), ("_", "_"), ("[", "]")])
        if opening == "[":
            section = rng.choice(["news", "report", "data"])
            closing += f"(https://example.test/{section}/{rng.randrange(1000)})"
        # Two statements, not one tuple assignment: start and end may be the same word.
        words[start] = opening + words[start]
        words[end] = words[end] + closing + tail


def paragraph(rng: random.Random, lang: Lang, budget: int, markup: bool) -> str:
    """A paragraph of exactly `budget` words, in sentences of 8-22 words."""
    words: list[str] = []
    while budget > 0:
        n = budget if budget < 12 else rng.randint(8, min(22, budget - 4))
        words += sentence(rng, lang, n)
        budget -= n
    if markup and len(words) > 8:
        add_inline_markup(rng, words)
    return " ".join(words)


def bullet_list(rng: random.Random, lang: Lang) -> str:
    numbered = rng.random() < 0.4
    items = []
    for i in range(rng.randint(3, 5)):
        marker = f"{i + 1}." if numbered else "-"
        items.append(f"{marker} " + " ".join(sentence(rng, lang, rng.randint(3, 8))))
    return "\n".join(items)


def table(rng: random.Random, lang: Lang) -> str:
    header = " | ".join(w.capitalize() for w in lang.pick(rng, 3))
    rows = [f"| {header} |", "| --- | ---: | ---: |"]
    for _ in range(rng.randint(2, 4)):
        label = lang.pick(rng, 1)[0]
        rows.append(f"| {label} | {rng.randint(10, 9999):,} | {rng.uniform(-20, 20):+.1f}% |")
    return "\n".join(rows)


def count_words(text: str) -> int:
    """Whitespace-separated tokens that contain a letter: how the corpus sizes bodies."""
    return sum(1 for token in text.split() if any(ch.isalpha() for ch in token))


def body(rng: random.Random, lang: Lang, figures: int) -> str:
    """600-900 words: paragraphs, sometimes a list, a table, a footnote, figure 2."""
    target = rng.randint(600, 900)
    extras: list[str] = []
    if rng.random() < 0.25:
        extras.append(bullet_list(rng, lang))
    if rng.random() < 0.1:
        extras.append(table(rng, lang))
    if figures >= 2:
        extras.append("[[figure 2]]")
    footnote = ""
    if rng.random() < 0.15:
        footnote = "[^1]: " + " ".join(sentence(rng, lang, rng.randint(6, 14)))
    budget = target - sum(map(count_words, extras)) - count_words(footnote)
    count = rng.randint(5, 9)
    shares = _split(rng, budget, count)
    blocks = [paragraph(rng, lang, share, markup=rng.random() < 0.5) for share in shares]
    if footnote:
        k = rng.randrange(count)
        blocks[k] = blocks[k] + "[^1]"
    for extra in extras:  # never before the first paragraph: that one is the summary
        blocks.insert(rng.randint(1, len(blocks)), extra)
    if footnote:
        blocks.append(footnote)
    return "\n\n".join(blocks) + "\n"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split total into `parts` positive shares of similar size."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    shares = [max(20, int(total * w / sum(weights))) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


# --- Articles ---------------------------------------------------------------------------


def article_rng(seed: int, index: int) -> random.Random:
    # A str seed is hashed with SHA-512 by `random`: stable across runs and hash seeds.
    return random.Random(f"newsarchive-corpus:{seed}:{index}")


def pick_topics(rng: random.Random) -> tuple[str, ...]:
    wanted = rng.choices([1, 2, 3, 4], weights=[30, 35, 22, 13])[0]
    chosen: list[str] = []
    while len(chosen) < wanted:
        topic = rng.choices(TOPICS, cum_weights=TOPIC_CUM)[0]
        if topic not in chosen:
            chosen.append(topic)
    return tuple(chosen)


def pick_date(rng: random.Random) -> tuple[date, str]:
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    if rng.random() < 0.5:
        return day, day.isoformat()
    clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    return day, f"{day.isoformat()}T{clock}{rng.choice(TIME_OFFSETS)}"


def make_image(rng: random.Random, index: int, number: int, lang: Lang, outlet: str) -> Image:
    kept = rng.random() < 0.7
    caption = " ".join(sentence(rng, lang, rng.randint(6, 14)))
    alt = " ".join(lang.pick(rng, rng.randint(2, 5))) if rng.random() < 0.6 else ""
    credit = rng.choice([*CREDITS, f"{outlet} photo"])
    colors = tuple((rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(3))
    return Image(
        src=f"images/{index:08d}-{number}.png" if kept else "",
        caption=caption,
        credit=credit,
        alt=alt,
        width=rng.randint(48, 96),
        height=rng.randint(32, 64),
        colors=colors,
    )


def make_article(seed: int, index: int) -> Article:
    rng = article_rng(seed, index)
    roll = rng.random()
    code = "" if roll >= 0.05 else ("fa" if roll < 0.015 else "ar")
    lang = Lang(code)
    title = rtl_title(rng, lang) if code else english_title(rng)
    day, written = pick_date(rng)
    outlet = rng.choices([o[0] for o in OUTLETS], cum_weights=OUTLET_CUM)[0]
    topics = pick_topics(rng)
    byline = f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}" if rng.random() < 0.5 else ""
    images = tuple(make_image(rng, index, n, lang, outlet) for n in range(1, rng.randint(1, 2) + 1))
    first_word = (ascii_words(title) or ["story"])[0]
    url = (f"https://www.{OUTLET_DOMAINS[outlet]}.test/{day:%Y/%m/%d}/"
           f"{rng.randrange(100000, 999999)}/{first_word}")
    return Article(index, title, written, day, outlet, topics, url, byline, code, images,
                   body(rng, lang, len(images)))


def q(text: str) -> str:
    """A YAML (and TOML) double-quoted string: JSON's escaping is valid in both."""
    return json.dumps(text, ensure_ascii=False)


def front_matter(a: Article) -> str:
    lines = [
        "---",
        f"title: {q(a.title)}",
        f"date: {a.date}",
        f"outlet: {q(a.outlet)}",
        "topics: [" + ", ".join(map(q, a.topics)) + "]",
        f"source_url: {q(a.source_url)}",
    ]
    if a.byline:
        lines.append(f"byline: {q(a.byline)}")
    if a.language:
        lines.append(f"language: {q(a.language)}")
    lines.append(f"id: {q(a.ident)}")
    lines.append("images:")
    for img in a.images:
        fields = [("src", img.src), ("caption", img.caption), ("credit", img.credit), ("alt", img.alt)]
        present = [(k, v) for k, v in fields if v]
        for n, (key, value) in enumerate(present):
            lines.append(f"  {'-' if n == 0 else ' '} {key}: {q(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def render_article(a: Article) -> str:
    return front_matter(a) + "\n" + a.body


# --- Files ------------------------------------------------------------------------------


def png_bytes(width: int, height: int, colors: tuple[tuple[int, int, int], ...]) -> bytes:
    """A valid RGB PNG: a horizontal gradient crossed by bands of a second gradient."""
    (r1, g1, b1), (r2, g2, b2), (r3, g3, b3) = colors

    def row(a: tuple[int, int, int], b: tuple[int, int, int]) -> bytes:
        span = max(1, width - 1)
        return b"\x00" + bytes(
            round(a[c] + (b[c] - a[c]) * x / span) for x in range(width) for c in range(3)
        )

    plain, banded = row((r1, g1, b1), (r2, g2, b2)), row((r3, g3, b3), (r1, g1, b1))
    band = max(2, height // 5)
    raw = b"".join(banded if (y // band) % 2 else plain for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def write_article(root: Path, seed: int, index: int) -> Path:
    """Write article `index` and its images under root; returns the Markdown file's path."""
    article = make_article(seed, index)
    path = root / article.relpath
    write_text(path, render_article(article))
    for img in article.images:
        if img.src:
            target = path.parent / img.src
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png_bytes(img.width, img.height, img.colors))
    return path


def topics_toml() -> str:
    rng = random.Random("newsarchive-corpus:topics")
    blocks = []
    for name in TOPICS:
        text = " ".join(sentence(rng, Lang(""), rng.randint(6, 12)))
        description = f"Coverage of {name}. {text}"
        blocks.append(f"[[topic]]\nname = {q(name)}\ndescription = {q(description)}\n")
    return "\n".join(blocks)


def outlets_toml() -> str:
    rng = random.Random("newsarchive-corpus:outlets")
    blocks = []
    for name, country, language in OUTLETS:
        text = " ".join(sentence(rng, Lang(""), rng.randint(8, 16)))
        blocks.append(
            f"[[outlet]]\nname = {q(name)}\nhomepage = {q(f'https://www.{OUTLET_DOMAINS[name]}.test/')}\n"
            f"country = {q(country)}\nlanguage = {q(language)}\ndescription = {q(text)}\n"
        )
    return "\n".join(blocks)


def about_page() -> str:
    rng = random.Random("newsarchive-corpus:about")
    text = " ".join(sentence(rng, Lang(""), 14) + sentence(rng, Lang(""), 18))
    return f'---\ntitle: "About"\n---\n\nA synthetic archive for benchmarks. {text}\n'


def generate(root: Path, articles: int, seed: int) -> None:
    write_text(root / "topics.toml", topics_toml())
    write_text(root / "outlets.toml", outlets_toml())
    write_text(root / "pages" / "about.md", about_page())
    for index in range(1, articles + 1):
        write_article(root, seed, index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many articles")
    parser.add_argument("--out", type=Path, required=True, help="content folder to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be >= 0")
    started = time.perf_counter()
    generate(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles to {args.out} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
