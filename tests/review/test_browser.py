"""The review UI in a real browser: Debian's Chromium, headless, driven by Playwright.

The sandbox and the review UI are served by uvicorn on 127.0.0.1 as ``moderation-bot run``
serves them. A message in the sandbox becomes a case; the moderator signs in with the link the
bot hands out, claims the case, reveals the evidence and dismisses it; the audit trail shows each
step. Screenshots of the queue and of a case page (desktop and phone) are saved under the test's
tmp dir and copied to ``artifacts/review-ui/``.

Skipped, with the reason, when the ``playwright`` package is missing or Chromium is not at
/usr/bin/chromium (``scripts/ensure-chromium.sh`` installs it). Never ``playwright install``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from classifiers.baseline import BaselineClassifier
from moderation_bot.app import open_service
from moderation_bot.pipeline import Pipeline
from moderation_bot.review import build_review_app, issue_signin_link
from moderation_bot.settings import Settings
from tests.review.helpers import SECRET, THREAT, store_of

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("MODBOT_TEST_ARTIFACTS", ROOT / "artifacts")) / "review-ui"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the 'playwright' Python package is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"Chromium not found at {CHROMIUM}; run scripts/ensure-chromium.sh"),
]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Pipeline]]:
    """The sandbox at / and the review UI at /review, served by uvicorn on a free port."""
    from adapters.sandbox.actions import SandboxActions
    from adapters.sandbox.web import SandboxAdapter

    actions = SandboxActions()
    sandbox = SandboxAdapter(actions)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'browser.sqlite3'}", _env_file=None)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    async with open_service(settings, {actions.platform: actions},
                            classifier=BaselineClassifier()) as pipeline:
        sandbox.attach(pipeline)
        review = build_review_app(pipeline, store_of(pipeline), secret=SECRET,
                                  base_url=f"{base}/review")
        app = Starlette(routes=[Mount("/review", app=review), Mount("/", app=sandbox.asgi_app())])
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False,
                                               lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        try:
            yield base, pipeline
        finally:
            sandbox.release_waiters()
            server.should_exit = True
            await task
            sock.close()


async def _controls_without_labels(page: Any) -> list[str]:
    return await page.evaluate("""() => Array.from(
        document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
        .map(el => el.outerHTML)""")


async def _wider_than_the_screen(page: Any) -> list[str]:
    """Elements sticking out past the right edge (outside scrollable table wrappers)."""
    return await page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(el => !el.closest('.table-wrap, .chart-wrap'))
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .map(el => el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 40))""")


def _keep(path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)


async def _sandbox_case(base: str, pipeline: Pipeline, text: str) -> tuple[int, str]:
    """Jordan writes ``text`` to Sam in the sandbox; returns the case it opened and a moderator's
    sign-in link to the review UI."""
    async with httpx.AsyncClient(base_url=base) as api:
        posted = await api.post("/api/messages", json={
            "persona": "jordan", "dm_with": "sam", "text": text})
        assert posted.status_code == 200, posted.text
        case_id = posted.json()["case_id"]
        assert case_id is not None
    await pipeline.dispatcher.drain()
    moderator = next(p for p in _personas() if p.is_moderator)
    link = await issue_signin_link(store_of(pipeline), "sandbox", "maple-hollow",
                                   moderator.user, base_url=f"{base}/review")
    return case_id, link


async def test_a_moderator_signs_in_claims_reveals_and_dismisses(
        served: tuple[str, Pipeline], tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    base, pipeline = served
    case_id, link = await _sandbox_case(base, pipeline, THREAT + " <script>alert('x')</script>")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))

            await page.goto(f"{base}/review/")
            signin_heading = page.get_by_role("heading", name="Sign in to review cases")
            await expect(signin_heading).to_be_visible()

            await page.goto(link)
            shot = tmp_path / "signin.png"
            await page.screenshot(path=str(shot))
            _keep(shot)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", level=1, name="Case queue")).to_be_visible()
            assert await _controls_without_labels(page) == []
            shot = tmp_path / "queue.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)
            await page.keyboard.press("Tab")  # the first stop skips the header
            assert await page.evaluate("() => document.activeElement.textContent") == (
                "Skip to main content")
            await page.keyboard.press("Enter")
            assert await page.evaluate("() => document.activeElement.id") == "main"

            await page.get_by_role("link", name=f"Case {case_id}").click()
            await expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case_id}")
            await expect(page.get_by_text("gift cards")).to_have_count(0)
            await page.get_by_role("button", name="Claim this case").click()
            await expect(page.get_by_role("status")).to_contain_text("You hold this case")
            await page.get_by_role("button", name="Reveal evidence text").click()
            await expect(page.locator("blockquote.message")).to_contain_text("gift cards")
            await expect(page.locator("blockquote.message")).to_contain_text("<script>")
            assert await _controls_without_labels(page) == []
            shot = tmp_path / "case.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)

            async with page.expect_navigation():
                await page.get_by_role("button", name="Open printable export").click()
            await expect(page.get_by_role("heading", level=1)).to_contain_text("Evidence export")
            await expect(page.locator("blockquote.message")).to_contain_text("gift cards")
            shot = tmp_path / "export.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)
            await page.go_back()

            await page.get_by_label("Reason (optional, kept in the audit trail)").fill(
                "a test message in the sandbox")
            await page.get_by_role("button", name="Dismiss as false positive").click()
            await expect(page.get_by_role("status")).to_contain_text("Dismissed")
            steps = await page.locator("ol.audit li .action").all_inner_texts()
            assert steps == ["opened", "claim", "revealed", "exported", "dismiss"]
            await expect(page.locator("ol.audit")).to_contain_text("Kim")

            await page.get_by_role("link", name="Statistics").click()
            await expect(page.locator("svg.chart")).to_have_count(3)
            shot = tmp_path / "stats.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)

            await page.set_viewport_size({"width": 390, "height": 844})
            await page.goto(f"{base}/review/cases/{case_id}")
            shot = tmp_path / "case-phone.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)
            assert await _wider_than_the_screen(page) == []
            await page.goto(f"{base}/review/?status=all")
            shot = tmp_path / "queue-phone.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)
            assert await _wider_than_the_screen(page) == []
            assert dialogs == []  # the script in the message never ran
        finally:
            await browser.close()


def _personas() -> list[Any]:
    from adapters.sandbox.personas import PERSONAS

    return list(PERSONAS.values())


async def test_a_warned_teen_says_it_was_fine_and_the_moderator_sees_it(
        served: tuple[str, Pipeline], tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    base, pipeline = served
    case_id, link = await _sandbox_case(base, pipeline, THREAT)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.goto(f"{base}/")
            inbox = page.get_by_role("article", name="Sam's private messages")
            await inbox.get_by_role("button", name="This was fine").click()
            await expect(inbox).to_contain_text("Thanks for telling us. If anything changes, "
                                                "the advice above is still here.")
            await expect(inbox.get_by_role("button", name="This was fine")).to_have_count(0)
            await pipeline.dispatcher.drain()
            await expect(page.locator("#cases")).to_contain_text(
                "Sam (their word, not a decision)")
            shot = tmp_path / "sandbox-fine.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)

            await page.goto(link)
            await page.get_by_role("button", name="Sign in").click()
            await page.goto(f"{base}/review/cases/{case_id}")
            answers = page.locator("#answers")
            await expect(answers).to_contain_text("Sam said the warning was fine.")
            await expect(answers).to_contain_text("not a decision")
            steps = await page.locator("ol.audit li .action").all_inner_texts()
            assert steps == ["opened", "recipient said fine"]
            await expect(page.locator("ol.audit")).to_contain_text("Sam")
            await expect(page.locator("#summary")).to_contain_text("open")

            report = await pipeline.case_report("sandbox", "maple-hollow", case_id)
            assert report is not None
            await page.get_by_role("link", name="Statistics").click()
            row = page.locator("tr", has=page.get_by_text(report.policies[0], exact=True))
            await expect(row.locator("td").last).to_have_text("1")  # said "fine"
            shot = tmp_path / "stats-fine.png"
            await page.screenshot(path=str(shot), full_page=True)
            _keep(shot)
        finally:
            await browser.close()
