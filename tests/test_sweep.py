"""The website sweep against sites on 127.0.0.1 (tests/site_server.py), never the
internet: footers in the forms real sites write, and sites that fail in the ways real
ones do. The review file it writes imports into the registry."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_server import SiteServer

from bot.cli import main
from bot.sweep import USER_AGENT, SweepOptions, entities_to_sweep, sweep_registry
from knowledge.registry.handles import Platform
from knowledge.registry.schema import Registry
from knowledge.registry.sweep import (
    EntitySweep,
    Finding,
    compare,
    handle_owners,
    read_page,
    review_registry,
    settle_shared_links,
)
from knowledge.registry.validation import load_registry

FOOTER = """<!doctype html><html><body>
<nav><a href="/moh/contact-us">Contact us</a> <a href="/moh/about">About</a></nav>
<footer>
  <a href="https://twitter.com/SaudiMOH"><i class="fa fa-twitter"></i></a>
  <a href="https://mobile.twitter.com/SaudiMOH/status/1730000000000000000">latest</a>
  <a href="https://x.com/intent/follow?screen_name=SaudiMOH_EN">Follow us in English</a>
  <a href="https://twitter.com/intent/tweet?text=Stay%20safe&via=SaudiMOH">Tweet</a>
  <a href="https://twitter.com/share?url=https%3A%2F%2Fwww.moh.gov.sa">Share</a>
  <a href="https://www.facebook.com/sharer/sharer.php?u=https://www.moh.gov.sa">Share</a>
  <a href="//m.facebook.com/Saudi.MOH/">Facebook</a>
  <a href="https://www.instagram.com/p/CxYz123/">a post</a>
  <a href='https://www.youtube.com/@SaudiMOH?sub_confirmation=1'>YouTube</a>
  <a href="https://x.com/SaudiMOH_old">our old account</a>
  <a href="https://www.threads.net/@moe_sa">the Ministry of Education</a>
  <a href="mailto:info@moh.gov.sa">Mail</a> <a href="javascript:void(0)">menu</a>
</footer></body></html>"""

CONTACT = """<html><body><h1>Contact</h1>
<a href="https://instagram.com/saudimoh/?hl=ar">Instagram</a>
<a href="https://t.me/s/SaudiMOHchannel">Telegram</a>
</body></html>"""


def registry_text(base: str) -> str:
    def evidence(confidence: str = "unconfirmed") -> str:
        url = "https://news.example/item" if confidence == "confirmed" else None
        source = f'{{kind: news, url: "{url}"}}' if url else "{kind: dataset, note: seed}"
        return f"{{sources: [{source}], checked: 2026-01, confidence: {confidence}}}"

    def entity(slug: str, path: str, accounts: str = "") -> str:
        return f"""  - id: {slug}
    name: {{en: {slug.upper()}}}
    kind: ministry
    website: {base}{path}
    evidence: {evidence()}
    accounts:
{accounts or f"      - {{platform: x, handle: {slug.replace('-', '_')}, evidence: {evidence()}}}"}
"""

    moh_accounts = f"""      - {{platform: x, handle: SaudiMOH, evidence: {evidence("confirmed")}}}
      - {{platform: x, handle: SaudiMOH_old, status: former, until: 2024-05, \
evidence: {evidence()}}}
      - {{platform: instagram, handle: saudimoh, evidence: {evidence()}}}
      - {{platform: tiktok, handle: saudimoh, evidence: {evidence()}}}"""
    mewa_accounts = f"""      - {{platform: x, handle: MEWA_KSA, evidence: {evidence()}}}"""
    moe_accounts = f"""      - {{platform: threads, handle: moe_sa, evidence: {evidence()}}}"""
    return (
        "entities:\n"
        + entity("moh", "/moh/", moh_accounts)
        + entity("mewa", "/mewa/", mewa_accounts)
        + entity("moe", "/moe/", moe_accounts)
        + entity("moved", "/moved/")
        + entity("gone", "/gone/")
        + entity("slow", "/slow/")
        + entity("junk", "/junk/")
        + entity("legacy", "/legacy/")
        + entity("private", "/private/")
    )


@pytest.fixture
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.page(
            "/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        )
        server.page("/moh/", FOOTER, etag='"moh-v1"')
        server.page("/moh/contact-us", CONTACT, etag='"moh-contact-v1"')
        server.page(
            "/mewa/",
            '<a href="https://mobile.twitter.com/MEWA_KSA?lang=ar">X</a>'
            '<a href="https://www.instagram.com/mewa_ksa/?hl=ar">Instagram</a>',
        )
        server.page("/moe/", "<p>No links at all.</p>")
        server.redirect("/moved/", "/moved/ar/home")
        server.redirect("/moved/ar/home", "/moved/ar/home/")  # a second hop
        server.page("/moved/ar/home/", '<a href="https://twitter.com/moved">X</a>')
        # /gone/ is not served: 404.
        server.page("/slow/", '<a href="https://twitter.com/slow">X</a>', delay=3.0)
        # 5 MB of random bytes, with a marked section html.parser cannot read ("<![A")
        # and a link after it, within the 3 MB the sweep reads.
        junk = random.Random(7).randbytes(5 * 1024 * 1024)
        server.raw(
            "/junk/",
            b'<a href="https://x.com/junk">X</a><![A junk'
            + junk[:1_000_000]
            + b'<a href="https://www.instagram.com/junk_ig">IG</a>'
            + junk[1_000_000:],
        )
        legacy = '<p>وزارة</p><a href="https://twitter.com/legacy">تويتر</a>'
        server.raw(
            "/legacy/",
            legacy.encode("windows-1256"),
            content_type="text/html; charset=windows-1256",
        )
        server.page("/private/", '<a href="https://twitter.com/private">X</a>')
        yield server


@pytest.fixture
def registry_file(sites: SiteServer, tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(registry_text(sites.base + ""), encoding="utf-8")
    return path


def options(tmp_path: Path, **overrides: object) -> SweepOptions:
    values: dict[str, object] = {
        "concurrency": 4,
        "delay": 0.0,
        "timeout": 1.0,
        "deadline": 5.0,
        "cache_dir": tmp_path / "cache",
    }
    values.update(overrides)
    return SweepOptions(**values)  # type: ignore[arg-type]


def run_sweep(registry_file: Path, opts: SweepOptions) -> dict[str, EntitySweep]:
    registry = load_registry(registry_file)
    sweeps = asyncio.run(sweep_registry(registry, entities_to_sweep(registry), opts))
    return {s.entity_id: s for s in sweeps}


def handles(findings: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.platform.value, f.handle) for f in findings]


def test_a_footer_is_read_for_every_account_and_share_links_are_left_out() -> None:
    page = read_page(FOOTER, "https://www.moh.gov.sa/ar/")
    assert [(p.platform, p.handle) for p in page.profiles] == [
        (Platform.X, "SaudiMOH"),  # twitter.com, and the post on mobile.twitter.com
        (Platform.X, "SaudiMOH_EN"),  # the intent/follow link's screen_name
        (Platform.FACEBOOK, "Saudi.MOH"),  # protocol-relative, mobile host
        (Platform.YOUTUBE, "SaudiMOH"),
        (Platform.X, "SaudiMOH_old"),
        (Platform.THREADS, "moe_sa"),
    ]
    assert page.contact == "https://www.moh.gov.sa/moh/contact-us"


def test_each_site_is_reported_in_its_category(
    sites: SiteServer, registry_file: Path, tmp_path: Path
) -> None:
    found = run_sweep(registry_file, options(tmp_path))
    moh = found["moh"]
    assert moh.unreachable is None
    assert moh.pages == [sites.url("/moh/"), sites.url("/moh/contact-us")]
    assert [(f.platform.value, f.handle, f.page) for f in moh.confirmed] == [
        ("x", "SaudiMOH", sites.url("/moh/")),
        ("instagram", "saudimoh", sites.url("/moh/contact-us")),
    ]
    assert handles(moh.missing) == [("tiktok", "saudimoh")]
    assert [(f.handle, f.registry_handle, f.owner) for f in moh.mismatch] == [
        ("SaudiMOH_EN", "SaudiMOH", None),
        ("SaudiMOH_old", "SaudiMOH", "former"),
    ]
    assert [(f.platform.value, f.handle, f.owner) for f in moh.new] == [
        ("facebook", "Saudi.MOH", None),
        ("youtube", "SaudiMOH", None),
        ("threads", "moe_sa", "entity:moe"),
        ("telegram", "SaudiMOHchannel", None),
    ]
    assert handles(found["mewa"].confirmed) == [("x", "MEWA_KSA")]
    assert handles(found["mewa"].new) == [("instagram", "mewa_ksa")]
    assert handles(found["moe"].missing) == [("threads", "moe_sa")]
    assert found["moved"].pages == [sites.url("/moved/ar/home/")]
    assert handles(found["moved"].confirmed) == [("x", "moved")]
    assert found["gone"].unreachable == "HTTP 404"
    assert found["slow"].unreachable is not None and "timed out" in found["slow"].unreachable
    assert handles(found["junk"].confirmed) == [("x", "junk")]
    assert handles(found["junk"].new) == [("instagram", "junk_ig")]
    assert found["junk"].notes == [f"{sites.url('/junk/')}: only the first bytes were read"]
    assert handles(found["legacy"].confirmed) == [("x", "legacy")]
    assert found["private"].unreachable == "robots.txt disallows /private/"
    assert not sites.requested("/private/")
    # One robots.txt for the one host, and every request says who it is.
    assert len(sites.requested("/robots.txt")) == 1
    assert {r.headers["User-Agent"] for r in sites.requests} == {USER_AGENT}


def test_the_cache_asks_if_modified_and_gives_the_same_result(
    sites: SiteServer, registry_file: Path, tmp_path: Path
) -> None:
    first = run_sweep(registry_file, options(tmp_path))
    second = run_sweep(registry_file, options(tmp_path))
    revisits = sites.requested("/moh/")
    assert [r.headers.get("If-None-Match") for r in revisits] == [None, '"moh-v1"']
    assert second["moh"].as_dict() == first["moh"].as_dict()


def test_the_per_host_delay_spaces_the_requests(
    sites: SiteServer, registry_file: Path, tmp_path: Path
) -> None:
    registry = load_registry(registry_file)
    chosen = entities_to_sweep(registry, ["moh", "mewa", "moe"])
    started = asyncio.run(_timed(registry, chosen, options(tmp_path, delay=0.2, cache_dir=None)))
    # robots.txt, then moh, mewa, moe home pages and moh's contact page: five requests
    # to one host, four pauses between them.
    assert started >= 0.8


async def _timed(registry: object, chosen: list, opts: SweepOptions) -> float:  # type: ignore[type-arg]
    loop = asyncio.get_running_loop()
    begin = loop.time()
    await sweep_registry(registry, chosen, opts)  # type: ignore[arg-type]
    return loop.time() - begin


def test_review_proposes_only_what_the_site_supports(
    sites: SiteServer, registry_file: Path, tmp_path: Path
) -> None:
    registry = load_registry(registry_file)
    found = list(run_sweep(registry_file, options(tmp_path)).values())
    today = dt.date(2026, 12, 3)
    review = {e.id: e for e in review_registry(registry, found, today).entities}
    moh = {(a.platform.value, a.handle): a for a in review["moh"].accounts}
    instagram = moh[("instagram", "saudimoh")].evidence
    assert instagram.confirmed and instagram.checked == "2026-12-03"
    assert instagram.strongest is not None
    assert instagram.strongest.url == sites.url("/moh/contact-us")
    assert instagram.strongest.note == (
        f"linked from {sites.url('/moh/contact-us')}, 2026-12-03 (rasmi registry sweep)"
    )
    assert ("facebook", "Saudi.MOH") in moh and ("telegram", "SaudiMOHchannel") in moh
    assert ("threads", "moe_sa") not in moh  # the Ministry of Education's account
    assert ("x", "SaudiMOH_EN") not in moh  # a mismatch is for a maintainer to judge
    assert moh[("tiktok", "saudimoh")] == next(
        a for a in registry.entities[0].accounts if a.platform is Platform.TIKTOK
    )
    assert review["gone"] == next(e for e in registry.entities if e.id == "gone")


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)


def test_sweep_cli_review_file_imports(
    sites: SiteServer,
    registry_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_env: None,
) -> None:
    assert main(["registry", "import", str(registry_file)]) == 0
    review = tmp_path / "review.yaml"
    args = ["registry", "sweep", "--delay", "0", "--timeout", "1", "--no-cache"]
    capsys.readouterr()
    assert main([*args, "--entity", "moh", "--entity", "gone", "-o", str(review)]) == 0
    out = capsys.readouterr().out
    assert "unreachable: HTTP 404" in out
    assert "confirmed  x @SaudiMOH" in out
    assert review.read_text(encoding="utf-8").startswith("# Review file written by")
    assert "#   moh: mismatch: x @SaudiMOH_EN (registry: @SaudiMOH)" in review.read_text()
    assert main(["registry", "import", "--json", str(review)]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    summary = sorted((c["kind"], c["entity_id"], c["subject"]) for c in changes)
    assert [kind for kind, _, _ in summary].count("account_added") == 3
    assert {entity for _, entity, _ in summary} == {"moh"}
    assert main(["registry", "import", "--json", str(review)]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


def test_sweep_cli_json_and_an_unknown_entity(
    sites: SiteServer, registry_file: Path, capsys: pytest.CaptureFixture[str], cli_env: None
) -> None:
    args = ["registry", "sweep", str(registry_file), "--delay", "0", "--no-cache"]
    assert main([*args, "--entity", "nope"]) == 2
    assert "no entity has the id nope" in capsys.readouterr().err
    assert main([*args, "--entity", "mewa", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {
        "sites": 1,
        "reached": 1,
        "unreachable": 0,
        "confirmed": 1,
        "new": 1,
        "missing": 0,
        "mismatch": 0,
    }


def test_sites_sharing_a_host_wait_their_turn_outside_the_deadline(
    sites: SiteServer, registry_file: Path, tmp_path: Path
) -> None:
    """Nine sites on one host, 0.1 s apart: the last waits over a second for its turn,
    which must not count against a request's 0.5 s deadline; the slow page does."""
    found = run_sweep(
        registry_file, options(tmp_path, delay=0.1, timeout=5.0, deadline=0.5, cache_dir=None)
    )
    assert found["slow"].unreachable == "no whole answer within 0.5 s"
    reached = {s.entity_id for s in found.values() if s.unreachable is None}
    assert reached == {"moh", "mewa", "moe", "moved", "junk", "legacy"}


def test_a_link_on_several_sites_is_proposed_for_none() -> None:
    def sweep(entity_id: str, *links: tuple[Platform, str]) -> EntitySweep:
        found = EntitySweep(entity_id, f"https://{entity_id}.gov.sa/")
        found.new = [Finding(p, h, found.website) for p, h in links]
        return found

    vision = (Platform.X, "SaudiVision2030")
    sweeps = [
        sweep("moh", vision, (Platform.INSTAGRAM, "saudimoh")),
        sweep("mewa", (Platform.X, "saudivision2030")),  # the same handle, other case
    ]
    settle_shared_links(sweeps)
    assert [(f.handle, f.owner) for s in sweeps for f in s.new] == [
        ("SaudiVision2030", "linked by 2 sites"),
        ("saudimoh", None),
        ("saudivision2030", "linked by 2 sites"),
    ]


def test_a_spokespersons_account_on_the_site_is_not_proposed_as_the_bodys() -> None:
    evidence = {"sources": [{"kind": "dataset", "note": "seed"}], "checked": "2026-01",
                "confidence": "unconfirmed"}  # fmt: skip
    registry = Registry.model_validate(
        {
            "entities": [
                {
                    "id": "mewa",
                    "name": {"en": "MEWA"},
                    "kind": "ministry",
                    "website": "https://www.mewa.gov.sa/",
                    "evidence": evidence,
                    "spokespeople": [
                        {
                            "name": {"en": "A Speaker"},
                            "accounts": [{"platform": "x", "handle": "mewa_speaker"}],
                            "evidence": evidence,
                        }
                    ],
                }
            ]
        }
    )
    page = read_page('<a href="https://x.com/mewa_speaker">', "https://www.mewa.gov.sa/")
    found = EntitySweep("mewa", "https://www.mewa.gov.sa/")
    compare(registry.entities[0], page.profiles, handle_owners(registry), found)
    assert [(f.handle, f.owner) for f in found.new] == [("mewa_speaker", "spokesperson:mewa")]
    review = review_registry(registry, [found], dt.date(2026, 12, 3))
    assert review.entities[0].accounts == []
