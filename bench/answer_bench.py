"""Answer benchmark: how fast the engine answers and how much memory its index needs, by size.

The issue's targets, on the 2-core machine: p99 <= 5 ms on the bundled registry; on a
registry of 1M aliases, p99 <= 50 ms, index build <= 60 s and peak memory <= 1 GB. Beside
the engine, the same questions go to plain `rapidfuzz.process.extractOne` over the raw
names, the obvious implementation the index has to beat.

Each case runs in its own subprocess, so the peak resident set size it reports (VmHWM,
see `harness.peak_mb`) belongs to that case alone and not to an earlier, larger one.

    .venv/bin/python bench/answer_bench.py                 # bundled, 10k, 100k, 1M aliases
    .venv/bin/python bench/answer_bench.py --quick         # bundled and 10k only
    .venv/bin/python bench/answer_bench.py --sizes 10000,100000

See bench/README.md for what each column means.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml
from harness import (
    case_main,
    case_parser,
    failed_row,
    maybe_profiled,
    peak_mb,
    progress,
    run_in_child,
    sizes_arg,
)
from rapidfuzz import fuzz, process

from knowledge.engine import Engine
from knowledge.index import RegistryIndex, entity_names
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.schema import Entity, EntityKind, Registry
from knowledge.registry.validation import load_registry

T = TypeVar("T")

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGET_SIZE = 1_000_000
BUNDLED_P99_MS = 5.0
LARGE_P99_MS = 50.0
LARGE_BUILD_S = 60.0
LARGE_PEAK_MB = 1024.0

MIN_SAMPLES = 2000
MIN_SAMPLES_LARGE = 500
"""Timed answers per case: enough for a stable p99 (20 samples above it at 2000)."""
LARGE_FROM = 1_000_000
"""From this many aliases a case takes MIN_SAMPLES_LARGE samples, not MIN_SAMPLES."""
MIN_BASELINE_SAMPLES = 50
"""extractOne over 1M names takes about 2 s: at least this many, then the budget."""

REGISTRY_SEED = 20261127
GENERATED_PREFIX = "gen-"
"""The ids of generated entities start with it; no bundled id does."""
QUESTION_SEED = 7
TYPO_QUESTIONS = 100
VOCABULARY_SIZE = 3000
NAMES_PER_ENTITY = 3  # ar, en, fr: the bundled registry has 2.6 names per entity
QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.yaml"
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


# ------------------------------------------------------------------ synthetic registry
#
# bench/synthetic.py writes YAML text whose names end in the entity number ("وزارة الصحة
# الوطنية 123"): right for an import, but every name is then unique by a number and the
# fuzzy matcher has nothing to do. Here names are built from a few thousand invented
# words, so at 1M aliases many names share words and trigrams, as real ones do.


class Head(NamedTuple):
    """The kind word a name starts with, in the three languages, and the kind it says."""

    ar: str
    en: str
    fr: str
    kind: EntityKind


class Word(NamedTuple):
    """One invented word, in Arabic letters and in the Latin transliteration of it."""

    ar: str
    latin: str


HEADS = (
    Head("وزارة", "Ministry", "Ministère", EntityKind.MINISTRY),
    Head("هيئة", "Authority", "Autorité", EntityKind.AUTHORITY),
    Head("مركز", "Center", "Centre", EntityKind.CENTER),
    Head("أمانة", "Municipality", "Municipalité", EntityKind.MUNICIPALITY),
    Head("مجلس", "Council", "Conseil", EntityKind.COUNCIL),
    Head("صندوق", "Fund", "Fonds", EntityKind.FUND),
    Head("برنامج", "Programme", "Programme", EntityKind.PROGRAMME),
    Head("جامعة", "University", "Université", EntityKind.UNIVERSITY),
    Head("معهد", "Institute", "Institut", EntityKind.INSTITUTE),
    Head("مؤسسة", "Corporation", "Organisation", EntityKind.ORGANIZATION),
    Head("بنك", "Bank", "Banque", EntityKind.BANK),
    Head("محكمة", "Court", "Tribunal", EntityKind.COURT),
    Head("إدارة", "Directorate", "Direction", EntityKind.DIRECTORATE),
    Head("محافظة", "Governorate", "Gouvernorat", EntityKind.GOVERNORATE),
    Head("منصة", "Platform", "Plateforme", EntityKind.PLATFORM),
    Head("وكالة", "Agency", "Agence", EntityKind.AGENCY),
)
TOPICS = (  # real words, so generated names compete with the bundled ones
    ("التنمية", "Development", "le Développement"),
    ("الصحة", "Health", "la Santé"),
    ("التعليم", "Education", "l'Éducation"),
    ("النقل", "Transport", "les Transports"),
    ("الطاقة", "Energy", "l'Énergie"),
    ("المياه", "Water", "l'Eau"),
    ("الإسكان", "Housing", "le Logement"),
    ("الثقافة", "Culture", "la Culture"),
    ("السياحة", "Tourism", "le Tourisme"),
    ("البيئة", "Environment", "l'Environnement"),
    ("الزراعة", "Agriculture", "l'Agriculture"),
    ("الاستثمار", "Investment", "l'Investissement"),
)
CONSONANTS = (
    ("ب", "b"),
    ("ت", "t"),
    ("ج", "j"),
    ("ح", "h"),
    ("خ", "kh"),
    ("د", "d"),
    ("ر", "r"),
    ("ز", "z"),
    ("س", "s"),
    ("ش", "sh"),
    ("ص", "s"),
    ("ط", "t"),
    ("ع", "a"),
    ("غ", "gh"),
    ("ف", "f"),
    ("ق", "q"),
    ("ك", "k"),
    ("ل", "l"),
    ("م", "m"),
    ("ن", "n"),
    ("ه", "h"),
    ("و", "w"),
    ("ي", "y"),
)
VOWELS = (("ا", "a"), ("ي", "i"), ("و", "ou"), ("", "a"), ("", "e"))
"""Long vowels are letters in Arabic script, short ones are not written."""
ARABIC_LETTERS = "بتثجحخدذرزسشصضطعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
TEMPLATES = {
    "ar": ("{name}", "حساب {name}", "وش حساب {name} في تويتر؟", "ابي الحساب الرسمي ل{name}"),
    "en": ("{name}", "{name} official account", "what is the twitter account of {name}?"),
    "fr": ("{name}", "compte officiel de {name}", "quel est le compte X de {name} ?"),
}


def invented_word(rng: random.Random) -> Word:
    """Two or three consonant-vowel syllables and maybe a final consonant ('قارين', Qarin)."""
    arabic, latin = "", ""
    for _ in range(rng.choice((2, 2, 3))):
        consonant, vowel = rng.choice(CONSONANTS), rng.choice(VOWELS)
        arabic += consonant[0] + vowel[0]
        latin += consonant[1] + vowel[1]
    if rng.random() < 0.6:
        consonant = rng.choice(CONSONANTS)
        arabic += consonant[0]
        latin += consonant[1]
    return Word(arabic, latin.capitalize())


def vocabulary(rng: random.Random, size: int = VOCABULARY_SIZE) -> list[Word]:
    """`size` invented words, distinct in Arabic script and at least three letters long."""
    words: dict[str, Word] = {}
    while len(words) < size:
        word = invented_word(rng)
        if len(word.ar) >= 3:
            words.setdefault(word.ar, word)
    return list(words.values())


def names_for(rng: random.Random, head: Head, words: Sequence[Word]) -> dict[str, str]:
    """The entity's Arabic, English and French names: a kind word, 1-3 invented words and
    sometimes a real topic ('هيئة القارين مولاد للتنمية', 'Qarin Molad Development
    Authority', 'Autorité de Qarin Molad pour le Développement')."""
    arabic = [("ال" + w.ar) if rng.random() < 0.4 else w.ar for w in words]
    latin = " ".join(w.latin for w in words)
    topic = rng.choice(TOPICS) if rng.random() < 0.35 else None
    ar = f"{head.ar} {' '.join(arabic)}"
    en = f"{head.en} of {latin}" if rng.random() < 0.5 else f"{latin} {head.en}"
    fr = f"{head.fr} de {latin}"
    if topic is not None:
        ar += " لل" + topic[0].removeprefix("ال")
        en = f"{en} for {topic[1]}" if " of " in en else f"{latin} {topic[1]} {head.en}"
        fr += f" pour {topic[2]}"
    return {"ar": ar, "en": en, "fr": fr}


def letters_code(number: int, width: int = 5) -> str:
    """`number` in base 26 with letters: handles stay unique without trailing digits,
    which look-alike skeletons strip (so 'qarin123' and 'qarin456' would be one)."""
    code = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        code += LATIN_LETTERS[digit]
    return code


def entity_record(rng: random.Random, vocab: Sequence[Word], index: int) -> dict[str, Any]:
    """One generated entity as the dict `Entity.model_validate` reads, like db/ does:
    three names, one X account, and its own evidence records."""
    head = rng.choice(HEADS)
    words = rng.sample(vocab, rng.choices((1, 2, 3), weights=(2, 5, 3))[0])
    handle = f"{words[0].latin[:8]}_{letters_code(index)}"
    return {
        "id": f"{GENERATED_PREFIX}{index}",
        "name": names_for(rng, head, words),
        "kind": head.kind.value,
        "evidence": evidence(f"https://www.{handle.lower()}.example.gov.sa"),
        "accounts": [
            {
                "platform": "x",
                "handle": handle,
                "evidence": evidence(f"https://www.{handle.lower()}.example.gov.sa/about"),
            }
        ],
    }


def evidence(url: str) -> dict[str, Any]:
    """Confirmed by the body's own website, as the registry's confirmation rule requires."""
    source = {"kind": "official_website", "url": url}
    return {"sources": [source], "checked": "2026-11", "confidence": "confirmed"}


def generated_entities(
    count: int, words: int = VOCABULARY_SIZE, seed: int = REGISTRY_SEED
) -> Iterator[Entity]:
    """`count` validated entities named with `words` invented words; the same arguments
    always give the same entities."""
    rng = random.Random(seed)
    vocab = vocabulary(rng, words)  # first, so that registry_vocabulary() finds the same words
    for index in range(1, count + 1):
        yield Entity.model_validate(entity_record(rng, vocab, index))


def registry_vocabulary(words: int = VOCABULARY_SIZE, seed: int = REGISTRY_SEED) -> list[Word]:
    """The invented words of the registries generated with these arguments."""
    return vocabulary(random.Random(seed), words)


def bundled_registry() -> Registry:
    return load_registry(BUNDLED_REGISTRY)


def alias_total(entities: Iterable[Entity]) -> int:
    return sum(1 for entity in entities for _ in entity_names(entity))


def sized_entities(bundled: Registry, size: int, words: int = VOCABULARY_SIZE) -> Iterator[Entity]:
    """The bundled entities, then enough generated ones for `size` names in all (0: the
    bundled entities alone), one at a time, as `db/` streams them to the index."""
    yield from bundled.entities
    if size > 0:
        count = max(0, math.ceil((size - alias_total(bundled.entities)) / NAMES_PER_ENTITY))
        yield from generated_entities(count, words)


class TimedSource(Iterator[T]):
    """An iterator that counts the time spent producing its items, so that the index
    build is timed without the generation of the registry it reads."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def __next__(self) -> T:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return next(self._items)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu


# -------------------------------------------------------------------------- questions


def real_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """Every second question of each category of the labeled set (about 220): exact
    names, misspellings, dialect, abbreviations, handles, links, out-of-scope..."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_category: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_category[item["category"]].append(item["q"])
    return [q for category in sorted(by_category) for q in by_category[category][::2]]


def with_typo(rng: random.Random, name: str, can_change: Callable[[str], bool]) -> str:
    """`name` with one letter of one of its distinctive words replaced by another letter
    of the same script; an Arabic article (ال) is left alone."""
    words = name.split()
    positions = [i for i, w in enumerate(words) if can_change(w)]
    if not positions:
        return name
    at = rng.choice(positions)
    word = words[at]
    start = 2 if word.startswith("ال") and len(word) > 4 else 0
    offset = rng.randrange(start, len(word))
    old = word[offset]
    letters = ARABIC_LETTERS if "\u0600" <= old <= "\u06ff" else LATIN_LETTERS
    new = rng.choice([c for c in letters if c != old.lower()])
    new = new.upper() if old.isupper() else new
    words[at] = word[:offset] + new + word[offset + 1 :]
    return " ".join(words)


def distinctive(vocab: Sequence[Word]) -> Callable[[str], bool]:
    """For generated names: the invented words (with or without their article)."""
    known = {w.ar for w in vocab} | {w.latin for w in vocab}
    return lambda word: word.removeprefix("ال") in known or word in known


def long_word(word: str) -> bool:
    """For bundled names: any word of five letters or more ('الجوازات', 'Interior')."""
    return len(word) >= 5 and word.isalpha()


def typo_questions(
    rng: random.Random, entities: Sequence[Entity], can_change: Callable[[str], bool]
) -> list[str]:
    """A question naming each of `entities` with one letter wrong, in one of the three
    languages, so every case exercises the fuzzy path at its own size."""
    questions: list[str] = []
    for entity in entities:
        langs = [lang for lang in ("ar", "en", "fr") if getattr(entity.name, lang)]
        lang = rng.choice(langs)
        name = with_typo(rng, getattr(entity.name, lang), can_change)
        questions.append(rng.choice(TEMPLATES[lang]).format(name=name))
    return questions


def question_mix(index: RegistryIndex, size: int, words: int = VOCABULARY_SIZE) -> list[str]:
    """The real questions and the typo questions, shuffled once: any prefix (the baseline
    may stop early at 1M) is then a fair sample of the mix. Typos go into generated
    names when the registry has them, else into bundled ones."""
    rng = random.Random(QUESTION_SEED)
    ids = list(index.entities)
    generated = [i for i in ids if i.startswith(GENERATED_PREFIX)] if size > 0 else []
    chosen = rng.sample(generated or ids, min(TYPO_QUESTIONS, len(generated or ids)))
    entities = [index.entities[i] for i in chosen]
    if generated:
        typos = typo_questions(rng, entities, distinctive(registry_vocabulary(words)))
    else:
        typos = typo_questions(rng, entities, long_word)
    questions = real_questions() + typos
    rng.shuffle(questions)
    return questions


# --------------------------------------------------------------------------- child side


@dataclass(frozen=True)
class CaseSpec:
    """One measured case, sent to the child process as JSON."""

    name: str
    size: int
    """Aliases wanted in all; 0 is the bundled registry alone."""
    baseline_seconds: float
    words: int = VOCABULARY_SIZE
    """Invented words the generated names are made of."""
    profile: str | None = None
    """Write cProfile statistics of the index build and of the answers to this prefix."""

    def profile_path(self, phase: str) -> str | None:
        return f"{self.profile}-{phase}.prof" if self.profile else None


@dataclass
class Timing:
    """Latency of one method over the question mix, in milliseconds: wall-clock, and
    the CPU time of the thread, which other processes on a shared machine do not inflate."""

    samples: int = 0
    p50: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    cpu_p50: float = 0.0
    cpu_p99: float = 0.0


class Sample(NamedTuple):
    """One timed call, in nanoseconds."""

    wall: int
    cpu: int


@dataclass
class CaseResult:
    """What a child measured; `error` is set instead of numbers when the case failed."""

    name: str
    size: int = 0
    entities: int = 0
    aliases: int = 0
    questions: int = 0
    registry_s: float = 0.0
    build_s: float = 0.0
    build_cpu_s: float = 0.0
    """CPU seconds of the build: below build_s when other processes share the machine."""
    base_mb: float = 0.0
    """RSS right after the imports: the interpreter and its libraries."""
    after_index_mb: float = 0.0
    """RSS with the index built: the index is all the process holds of the registry."""
    peak_mb: float = 0.0
    """Peak RSS of the process after the engine's answers, before the baseline runs."""
    engine: Timing = field(default_factory=Timing)
    baseline: Timing = field(default_factory=Timing)
    slowest: list[tuple[str, float, float]] = field(default_factory=list)
    """The questions with the highest median CPU time: (question, median, max) in ms."""
    error: str | None = None

    @property
    def index_mb(self) -> float:
        return self.after_index_mb - self.base_mb

    def misses(self) -> list[str] | None:
        """The targets this case missed, [] when all were met, None when it has none."""
        if self.size == 0:
            return [] if self.engine.p99 <= BUNDLED_P99_MS else [f"p99 > {BUNDLED_P99_MS} ms"]
        if self.size != TARGET_SIZE:
            return None
        checks = [
            (self.engine.p99 <= LARGE_P99_MS, f"p99 > {LARGE_P99_MS:.0f} ms"),
            (self.build_s <= LARGE_BUILD_S, f"build > {LARGE_BUILD_S:.0f} s"),
            (self.peak_mb <= LARGE_PEAK_MB, f"peak > {LARGE_PEAK_MB:.0f} MB"),
        ]
        return [message for ok, message in checks if not ok]


def rss_now_mb() -> float:
    """Current RSS from /proc (Linux), unlike ru_maxrss which only ever grows."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_MB


def percentile(sorted_ms: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    rank = max(1, math.ceil(fraction * len(sorted_ms)))
    return sorted_ms[rank - 1]


def summarize(samples: Sequence[Sample]) -> Timing:
    wall = sorted(s.wall / 1e6 for s in samples)
    cpu = sorted(s.cpu / 1e6 for s in samples)
    return Timing(
        len(wall),
        percentile(wall, 0.50),
        percentile(wall, 0.99),
        wall[-1],
        percentile(cpu, 0.50),
        percentile(cpu, 0.99),
    )


def timed(action: Callable[[], object]) -> Sample:
    """Wall-clock and thread CPU time of one call."""
    cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
    action()
    return Sample(time.perf_counter_ns() - wall, time.thread_time_ns() - cpu)


def engine_samples(
    engine: Engine, questions: Sequence[str], wanted: int
) -> dict[str, list[Sample]]:
    """Each question answered and timed on its own, in passes over the whole mix, until
    at least `wanted` samples, by question."""
    by_question: dict[str, list[Sample]] = defaultdict(list)
    for _ in range(math.ceil(wanted / len(questions))):
        for question in questions:
            by_question[question].append(timed(partial(engine.answer, question)))
    return by_question


def baseline_samples(
    questions: Sequence[str], names: list[str], wanted: int, budget_s: float
) -> list[Sample]:
    """extractOne with WRatio and its default processor over all raw names, as the
    engine's questions come; it stops at `wanted` samples or when the budget is spent
    (but not before MIN_BASELINE_SAMPLES)."""
    samples: list[Sample] = []
    deadline = time.perf_counter() + budget_s
    position = 0
    while len(samples) < wanted:
        if len(samples) >= MIN_BASELINE_SAMPLES and time.perf_counter() > deadline:
            break
        question = questions[position % len(questions)]
        samples.append(timed(partial(process.extractOne, question, names, scorer=fuzz.WRatio)))
        position += 1
    return samples


def slowest(by_question: dict[str, list[Sample]], count: int = 8) -> list[tuple[str, float, float]]:
    """The questions of highest median CPU time: (question, median, max) in CPU ms."""

    def cpu_ms(samples: list[Sample]) -> list[float]:
        return [s.cpu / 1e6 for s in samples]

    ranked = sorted(by_question.items(), key=lambda item: -statistics.median(cpu_ms(item[1])))
    return [(q, statistics.median(cpu_ms(s)), max(cpu_ms(s))) for q, s in ranked[:count]]


def measure(spec: CaseSpec) -> CaseResult:
    """Runs one case in this process: registry, timed index build, warm-up, timed
    answers, then the baseline on the same questions."""
    result = CaseResult(spec.name, spec.size, base_mb=rss_now_mb())
    bundled = bundled_registry()
    source = TimedSource(sized_entities(bundled, spec.size, spec.words))

    def build() -> RegistryIndex:
        return RegistryIndex(source, bundled.non_official)

    started, cpu = time.perf_counter(), time.process_time()
    index = maybe_profiled(spec.profile_path("build"), build)
    result.build_s = time.perf_counter() - started - source.seconds
    result.build_cpu_s = time.process_time() - cpu - source.cpu_seconds
    result.registry_s = source.seconds
    gc.collect()
    result.after_index_mb = rss_now_mb()
    result.entities, result.aliases = len(index.entities), index.alias_count
    progress(
        f"{spec.name}: index of {result.aliases:,} names built in {result.build_s:.1f} s "
        f"(and {result.registry_s:.1f} s generating them)"
    )
    questions = question_mix(index, spec.size, spec.words)
    result.questions = len(questions)

    engine = Engine(index)
    for question in questions:  # warm-up: lazy tables, caches, first-call costs
        engine.answer(question)
    wanted = MIN_SAMPLES_LARGE if spec.size >= LARGE_FROM else MIN_SAMPLES
    by_question = maybe_profiled(
        spec.profile_path("answer"), lambda: engine_samples(engine, questions, wanted)
    )
    result.peak_mb = peak_mb()
    result.engine = summarize([s for samples in by_question.values() for s in samples])
    result.slowest = slowest(by_question)
    progress(f"{spec.name}: {result.engine.samples} answers timed")

    # After the peak is read: the baseline needs every raw name in memory at once.
    names = [name for entity in index.entities.values() for name in entity_names(entity)]
    result.baseline = summarize(baseline_samples(questions, names, wanted, spec.baseline_seconds))
    return result


# -------------------------------------------------------------------------- parent side


def result_from_report(data: dict[str, Any]) -> CaseResult:
    data["engine"] = Timing(**data["engine"])
    data["baseline"] = Timing(**data["baseline"])
    data["slowest"] = [tuple(row) for row in data["slowest"]]
    return CaseResult(**data)


def run_case(spec: CaseSpec) -> CaseResult:
    """Runs `spec` in a fresh interpreter; its stderr passes through for progress."""
    progress(f"running {spec.name} ...")
    reported, code = run_in_child(__file__, spec)
    if reported is not None:
        return result_from_report(reported)
    return CaseResult(spec.name, spec.size, error=f"the case exited with {code}")


def plan(args: argparse.Namespace) -> list[CaseSpec]:
    """The bundled registry, then each generated size, smallest first."""
    sizes: list[int] = [10_000] if args.quick else sorted(args.sizes)

    def prefix(key: str) -> str | None:
        return str(args.profile / key) if args.profile else None

    words = "" if args.words == VOCABULARY_SIZE else f" ({args.words:,} words)"
    cases = [CaseSpec("bundled", 0, args.baseline_seconds, profile=prefix("bundled"))]
    cases += [
        CaseSpec(
            f"{size:,} aliases{words}",
            size,
            args.baseline_seconds,
            args.words,
            prefix(str(size)),
        )
        for size in sizes
    ]
    return cases


def targets_cell(result: CaseResult) -> str:
    misses = result.misses()
    if misses is None:
        return "(no target)"
    return "met" if not misses else "**missed**: " + ", ".join(misses)


def table(results: Sequence[CaseResult]) -> str:
    """The Markdown table the issue asks for; failed cases show their reason."""
    header = (
        "| registry | aliases | index build s | engine p50 ms | engine p99 ms | peak MB "
        "| baseline p50 ms | baseline p99 ms | targets met? |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if r.error:
            lines.append(failed_row(header, r.name, r.error))
            continue
        lines.append(
            f"| {r.name} | {r.aliases:,} | {r.build_s:.2f} | {r.engine.p50:.2f} | "
            f"{r.engine.p99:.2f} | {r.peak_mb:.0f} | {r.baseline.p50:.2f} | "
            f"{r.baseline.p99:.2f} | {targets_cell(r)} |"
        )
    return "\n".join(lines)


def details_table(results: Sequence[CaseResult]) -> str:
    """Sample counts, worst cases and where the memory went, per case."""
    lines = [
        "| registry | entities | questions | engine samples | engine max ms | engine CPU p50 / "
        "p99 ms | baseline samples | baseline CPU p50 / p99 ms | index build CPU s "
        "| registry generation s | RSS base MB | index MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.error:
            continue
        lines.append(
            f"| {r.name} | {r.entities:,} | {r.questions} | {r.engine.samples:,} | "
            f"{r.engine.max:.1f} | {r.engine.cpu_p50:.2f} / {r.engine.cpu_p99:.2f} | "
            f"{r.baseline.samples:,} | {r.baseline.cpu_p50:.2f} / {r.baseline.cpu_p99:.2f} | "
            f"{r.build_cpu_s:.2f} | {r.registry_s:.1f} | "
            f"{r.base_mb:.0f} | {r.index_mb:.0f} |"
        )
    return "\n".join(lines)


def slowest_lines(results: Sequence[CaseResult]) -> str:
    lines = ["Slowest questions (median / max CPU ms):"]
    for r in results:
        if r.error:
            continue
        lines.append(f"- {r.name}:")
        lines += [f"  - {median:.1f} / {worst:.1f}  {q!r}" for q, median, worst in r.slowest]
    return "\n".join(lines)


def code_version() -> str:
    """The commit, and a digest of knowledge/**/*.py as they are on disk: timings only
    compare between runs of the same code, and the files may change during a long run."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    )
    digest = hashlib.sha256()
    for path in sorted((root / "knowledge").rglob("*.py")):
        digest.update(path.read_bytes())
    commit = done.stdout.strip() or "unknown commit"
    return f"commit {commit}, knowledge/*.py digest {digest.hexdigest()[:10]}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = case_parser(__doc__)
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=list(DEFAULT_SIZES),
        help="aliases of the generated registries (default 10000,100000,1000000)",
    )
    parser.add_argument("--quick", action="store_true", help="bundled and 10k only")
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=60.0,
        help="time budget of the extractOne baseline per case (default 60)",
    )
    parser.add_argument(
        "--words",
        type=int,
        default=VOCABULARY_SIZE,
        help=f"invented words of the generated names (default {VOCABULARY_SIZE}); a real "
        "registry's vocabulary grows with its size",
    )
    parser.add_argument("--details", action="store_true", help="print the slowest questions")
    parser.add_argument(
        "--profile", metavar="DIR", type=Path, help="write cProfile files of each case to DIR"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.case:
        case_main(args.case, CaseSpec, measure)
        return 0
    load_before, code_before = os.getloadavg()[0], code_version()
    results = [run_case(spec) for spec in plan(args)]
    code = code_version()
    changed = "" if code[-10:] == code_before[-10:] else f" (at the start: {code_before}!)"
    print(
        f"Code: {code}{changed}. Load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} CPUs.\n"
    )
    print(table(results))
    print()
    print(details_table(results))
    if args.details:
        print()
        print(slowest_lines(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
