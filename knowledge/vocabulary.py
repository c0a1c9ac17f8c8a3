"""The words Rasmi recognizes in questions, in Arabic (MSA and Gulf), English and French.

Tables are written the way people type them and normalized once, at import, with the same
`normalize` the questions go through, so a table entry and a question meet in one form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.normalize import normalize, tokens
from knowledge.registry.handles import Platform
from knowledge.registry.schema import EntityKind

_SPELLING = str.maketrans({"ظ": "ض"})
_LETTER_RUN = re.compile(r"(\w)\1{2,}")


def fold_spelling(normalized: str) -> str:
    """Spelling slips too common to leave to fuzzy scores, folded for matching names only:
    ظ for ض (الرياظ), and a letter typed three times or more (التعليييم)."""
    return _LETTER_RUN.sub(r"\1", normalized.translate(_SPELLING))


def match_words(text: str, known_words: frozenset[str] = frozenset()) -> list[str]:
    """The words of `text` in the one form every table of the matcher is in: normalized,
    spelling slips folded, articles (and, with `known_words`, clitics) stripped."""
    return tokens(fold_spelling(normalize(text)), known_words)


def _norm_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(t for w in words for t in match_words(w))


def _phrases(words: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Multi-word phrases as token tuples, longest first so they win over their parts."""
    found = {tuple(match_words(w)) for w in words}
    return tuple(sorted((p for p in found if p), key=len, reverse=True))


def _by_word(kinds: dict[EntityKind, list[str]]) -> dict[str, EntityKind]:
    """A table of kinds and the words that name them, looked up by normalized word."""
    return {word: kind for kind, words in kinds.items() for word in _norm_set(words)}


def collapse_gaf(word: str) -> str:
    """Arabic spellings of foreign words disagree on ق غ ج ك (انستقرام/انستغرام/انستجرام):
    for the closed list of platform names only, they are one letter."""
    return word.translate(_GAF)


_GAF = str.maketrans({"غ": "ق", "ج": "ق", "ك": "ق"})


PLATFORM_PHRASES: dict[Platform, tuple[str, ...]] = {
    Platform.X: ("تويتر", "تويتير", "توتير", "اكس", "إكس", "twitter", "x", "tweeter"),
    Platform.INSTAGRAM: (
        "انستقرام",
        "انستغرام",
        "انستجرام",
        "انستكرام",
        "انستقرم",
        "انستا",
        "إنستغرام",
        "instagram",
        "insta",
        "ig",
    ),
    Platform.YOUTUBE: ("يوتيوب", "يوتوب", "يوتيب", "youtube", "yt"),
    Platform.TIKTOK: ("تيك توك", "تيكتوك", "تك توك", "tiktok", "tik tok"),
    Platform.SNAPCHAT: ("سناب شات", "سنابشات", "سناب", "snapchat", "snap"),
    Platform.FACEBOOK: ("فيسبوك", "فيس بوك", "فيس", "facebook", "fb"),
    Platform.LINKEDIN: ("لينكد ان", "لينكدان", "لينكدإن", "لينكد إن", "linkedin"),
    Platform.TELEGRAM: ("تلقرام", "تيليجرام", "تلغرام", "تليجرام", "تيليقرام", "telegram"),
    Platform.WHATSAPP: ("واتساب", "واتس اب", "واتس", "whatsapp"),
    Platform.THREADS: ("ثريدز", "threads"),
}
"""How people name each platform; matched after `collapse_gaf`."""

PLATFORM_WORDS: dict[tuple[str, ...], Platform] = dict(
    sorted(
        (
            (tuple(collapse_gaf(t) for t in phrase), platform)
            for platform, words in PLATFORM_PHRASES.items()
            for phrase in _phrases(words)
        ),
        key=lambda item: -len(item[0]),
    )
)
"""Platform phrases as collapsed token tuples, longest first: 'tik tok' before 'tik'."""

PLATFORM_TOKENS = _norm_set(w for words in PLATFORM_PHRASES.values() for w in words)
"""Words of platform names, known so that 'بتويتر' loses its 'ب'."""

SPOKESPERSON_WORDS = _norm_set(
    [
        "متحدث",
        "المتحدث",
        "متحدثه",
        "المتحدثة",
        "ناطق",
        "الناطق",
        "متحدثها",
        "متحدثه",
        "متحدثهم",
        "ناطقها",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "spokespeople",
        "porte-parole",
        "porte",
        "parole",
        "سبوكسمان",
        "speaks",
        "speak",
    ]
)

HELP_WORDS = _norm_set(
    [
        "مساعدة",
        "ساعدني",
        "help",
        "aide",
        "aidez",
        "/help",
        "/start",
        "كيف استخدمك",
        "تستطيع",
        "تقدر",
        "تسوي",
        "تشتغل",
        "وظيفتك",
        "how",
        "use",
        "bot",
        "work",
        "works",
        "comment",
        "marche",
        "fonctionne",
    ]
)

GREETING_WORDS = _norm_set(
    [
        "السلام",
        "سلام",
        "مرحبا",
        "مرحبتين",
        "اهلا",
        "أهلين",
        "هلا",
        "هاي",
        "صباح",
        "مساء",
        "hi",
        "hello",
        "hey",
        "salam",
        "bonjour",
        "salut",
        "bonsoir",
        "coucou",
    ]
)

LIST_WORDS = _norm_set(
    [
        "كل",
        "جميع",
        "قائمة",
        "قايمة",
        "list",
        "all",
        "every",
        "liste",
        "toutes",
        "tous",
        "lister",
    ]
)

KIND_PLURALS = _by_word(
    {
        EntityKind.MINISTRY: ["الوزارات", "وزارات", "ministries", "ministères", "ministeres"],
        EntityKind.AUTHORITY: ["الهيئات", "هيئات", "authorities", "autorités"],
        EntityKind.MUNICIPALITY: [
            "الأمانات",
            "أمانات",
            "البلديات",
            "بلديات",
            "municipalities",
            "municipalités",
            "amanat",
        ],
        EntityKind.EMIRATE: ["إمارات", "الإمارات", "emirates", "émirats", "provinces"],
        EntityKind.PLATFORM: ["المنصات", "منصات", "platforms", "plateformes", "apps"],
        EntityKind.FUND: ["الصناديق", "صناديق", "funds", "fonds"],
        EntityKind.UNIVERSITY: ["الجامعات", "جامعات", "universities", "universités"],
        EntityKind.CENTER: ["المراكز", "مراكز", "centers", "centres"],
        EntityKind.COUNCIL: ["المجالس", "مجالس", "councils", "conseils"],
        EntityKind.DIRECTORATE: ["المديريات", "مديريات", "directorates", "directions"],
        EntityKind.PROGRAMME: ["البرامج", "برامج", "programs", "programmes"],
        EntityKind.COMMISSION: ["commissions"],
    }
)
"""Plural kind words: "list all municipalities" asks for a kind, not an entity."""

TYPE_WORDS = _by_word(
    {
        EntityKind.MINISTRY: [
            "وزارة",
            "وزاره",
            "وزير",
            "وزيرة",
            "ministry",
            "ministère",
            "minister",
            "ministre",
        ],
        EntityKind.AUTHORITY: ["هيئة", "authority", "autorité", "commission"],
        EntityKind.MUNICIPALITY: ["أمانة", "بلدية", "municipality", "municipalité", "amanah"],
        EntityKind.EMIRATE: ["إمارة", "emirate", "émirat", "principality"],
        EntityKind.DIRECTORATE: ["مديرية", "إدارة", "directorate", "direction"],
        EntityKind.PLATFORM: ["منصة", "تطبيق", "platform", "plateforme", "app", "application"],
        EntityKind.FUND: ["صندوق", "fund", "fonds"],
        EntityKind.PROGRAMME: ["برنامج", "program", "programme"],
        EntityKind.CENTER: ["مركز", "center", "centre"],
        EntityKind.COUNCIL: ["مجلس", "council", "conseil"],
        EntityKind.UNIVERSITY: ["جامعة", "university", "université"],
        EntityKind.BANK: ["بنك", "bank", "banque"],
        EntityKind.COURT: ["محكمة", "ديوان", "court", "cour", "tribunal"],
        EntityKind.ORGANIZATION: ["مؤسسة", "organization", "organisation", "corporation"],
        EntityKind.INSTITUTE: ["معهد", "مجمع", "institute", "institut", "academy", "académie"],
        EntityKind.EMBASSY: ["سفارة", "embassy", "ambassade"],
        EntityKind.GOVERNORATE: ["محافظة", "governorate", "gouvernorat"],
        EntityKind.PRESIDENCY: ["رئاسة", "presidency", "présidence"],
        EntityKind.AGENCY: ["وكالة", "agency", "agence"],
    }
)
"""Words that say what kind of body a name is: dropped from the core of a name, and used
to prefer an entity of the kind the question names."""

COMPATIBLE_KINDS: dict[EntityKind, frozenset[EntityKind]] = {
    EntityKind.AUTHORITY: frozenset({EntityKind.COMMISSION, EntityKind.AGENCY}),
    EntityKind.COMMISSION: frozenset({EntityKind.AUTHORITY}),
    EntityKind.COURT: frozenset({EntityKind.OTHER}),
}

GENERIC_WORDS = _norm_set(
    [
        # Arabic
        "العامة",
        "العام",
        "الوطني",
        "الوطنية",
        "السعودي",
        "السعودية",
        "المملكة",
        "العربية",
        "منطقة",
        "مناطق",
        "شؤون",
        # English
        "general",
        "national",
        "saudi",
        "arabia",
        "arabian",
        "kingdom",
        "ksa",
        "region",
        "regions",
        "province",
        "department",
        "affairs",
        # French
        "générale",
        "général",
        "nationale",
        "saoudienne",
        "saoudien",
        "arabie",
        "royaume",
        "région",
        "régions",
    ]
)
"""Words so common in names that they say nothing about which body is meant."""

STOPWORDS = _norm_set(
    [
        "of",
        "the",
        "and",
        "for",
        "in",
        "to",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "et",
        "l",
        "d",
        "pour",
        "en",
        "au",
        "aux",
        "و",
        "في",
        "من",
        "على",
        "عن",
        "ال",
    ]
)
"""Function words that never distinguish two names."""

ACCOUNT_WORDS = _norm_set(
    [
        "حساب",
        "حسابات",
        "يوزر",
        "معرف",
        "معرفات",
        "رابط",
        "روابط",
        "لينك",
        "صفحة",
        "قناة",
        "رسمي",
        "الرسمي",
        "الرسمية",
        "موثق",
        "معتمد",
        "account",
        "accounts",
        "handle",
        "handles",
        "page",
        "profile",
        "username",
        "link",
        "official",
        "verified",
        "channel",
        "compte",
        "comptes",
        "officiel",
        "officielle",
        "profil",
        "lien",
        "chaîne",
    ]
)
"""Words that say the question is about an account: with them, a question that matches no
entity is answered 'not in the registry' rather than 'out of scope'."""

FILLER = (
    _norm_set(
        [
            # Gulf and MSA question words and politeness
            "وش",
            "ايش",
            "إيش",
            "شو",
            "شنو",
            "وين",
            "فين",
            "مين",
            "منو",
            "هل",
            "ما",
            "ماهو",
            "ماهي",
            "هو",
            "هي",
            "ابي",
            "ابغى",
            "ابغي",
            "أبغى",
            "ودي",
            "ممكن",
            "لو",
            "سمحت",
            "تكفى",
            "تكفون",
            "عطني",
            "اعطني",
            "أعطني",
            "عطوني",
            "دلني",
            "ابحث",
            "اعرف",
            "أعرف",
            "ابغا",
            "أبي",
            "يا",
            "اخوي",
            "الله",
            "يعطيك",
            "العافية",
            "هذا",
            "هذه",
            "هذي",
            "اللي",
            "الي",
            "حق",
            "حقت",
            "حقه",
            "تبع",
            "تبعت",
            "صح",
            "صحيح",
            "فعلا",
            "يتبع",
            "تابع",
            "كم",
            "ايه",
            "ليش",
            "حسب",
            "باسم",
            "عشان",
            "لاجل",
            "عن",
            "بكم",
            "طيب",
            "بعد",
            "كذلك",
            "شخصي",
            "الشخصي",
            "الخاص",
            # what makes an account genuine (ACCOUNT_WORDS are added below)
            "رسمية",
            "الموثق",
            "المعتمد",
            "الحقيقي",
            "حقيقي",
            "المعتمدة",
            "الرسميه",
            # English
            "what",
            "what's",
            "whats",
            "which",
            "who",
            "whos",
            "who's",
            "is",
            "are",
            "was",
            "a",
            "an",
            "on",
            "at",
            "please",
            "pls",
            "give",
            "me",
            "tell",
            "find",
            "show",
            "do",
            "does",
            "you",
            "know",
            "i",
            "need",
            "want",
            "looking",
            "can",
            "this",
            "that",
            "it",
            "its",
            "s",
            "links",
            "social",
            "media",
            "real",
            "genuine",
            "authentic",
            "current",
            "their",
            "his",
            "her",
            "id",
            "about",
            "also",
            "then",
            "personal",
            "own",
            # French
            "quel",
            "quelle",
            "quels",
            "quelles",
            "est",
            "ce",
            "c",
            "qui",
            "que",
            "qu",
            "sont",
            "officiels",
            "officielles",
            "vrai",
            "donne",
            "donnez",
            "moi",
            "sur",
            "s'il",
            "il",
            "vous",
            "plaît",
            "plait",
            "svp",
            "cherche",
            "je",
            "j",
            "un",
            "une",
            "actuel",
            "actuelle",
            "quoi",
            "aussi",
            "personnel",
        ]
    )
    | ACCOUNT_WORDS
)
"""Words that carry no entity: question words, politeness, 'official account'."""

VERIFY_CUES = _norm_set(
    [
        "رسمي",
        "رسميه",
        "الرسمي",
        "موثق",
        "حقيقي",
        "الصدق",
        "صدق",
        "صحيح",
        "مزيف",
        "وهمي",
        "تابع",
        "يتبع",
        "official",
        "real",
        "fake",
        "genuine",
        "legit",
        "belong",
        "belongs",
        "officiel",
        "officielle",
        "vrai",
        "faux",
    ]
)
"""Words that ask whether something is official: with them, a bare handle-like word
("is HRSD_SA real?") is checked like an @mention."""

FAKE_WORDS = _norm_set(
    [
        "وهمي",
        "وهميه",
        "مزيف",
        "مزيفه",
        "منتحل",
        "منتحله",
        "انتحال",
        "ينتحل",
        "مزور",
        "مقلد",
        "fake",
        "fakes",
        "impersonator",
        "impersonating",
        "impersonation",
        "impostor",
        "imposter",
        "faux",
        "fausse",
        "usurpation",
        "usurpateur",
        "imposteur",
    ]
)
"""Words that ask about fake accounts in general: with no body named, the answer is the
guide to checking and reporting them."""

REPORT_WORDS = _norm_set(
    [
        "ابلغ",
        "أبلغ",
        "بلغ",
        "ابلاغ",
        "بلاغ",
        "تبليغ",
        "report",
        "reporting",
        "signaler",
        "signalement",
    ]
)
"""Words that ask how to report: with an account word and no body named, the guide too."""

MINISTER_WORDS = _norm_set(["وزير", "وزيرة", "وزيرها", "وزيره", "minister", "ministre"])
"""Words that ask for a minister: the answer is the official's personal account, which is
not the body's."""

OUT_OF_SCOPE_HINTS = _norm_set(
    [
        "طقس",
        "weather",
        "météo",
        "مباراة",
        "match",
        "نكتة",
        "joke",
        "blague",
        "سعر",
        "price",
        "prix",
        "recipe",
        "وصفة",
    ]
)
"""Words of common questions Rasmi is not for, so they are not mistaken for a name."""

FRENCH_MARKERS = _norm_set(
    [
        "quel",
        "quelle",
        "compte",
        "officiel",
        "officielle",
        "ministère",
        "ministere",
        "du",
        "des",
        "est-ce",
        "porte-parole",
        "qui",
        "sur",
        "le",
        "la",
        "les",
        "bonjour",
        "salut",
        "aide",
        "santé",
        "autorité",
        "liste",
        "toutes",
        "l'éducation",
        "l'intérieur",
        "c'est",
        "vrai",
    ]
)
"""Words that tell French from English in a Latin-script question."""

ENGLISH_MARKERS = _norm_set(
    [
        "what",
        "whats",
        "which",
        "who",
        "is",
        "the",
        "of",
        "account",
        "official",
        "ministry",
        "spokesperson",
        "spokesman",
        "hello",
        "hi",
        "help",
        "list",
        "all",
        "authority",
        "handle",
    ]
)
