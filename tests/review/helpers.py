"""Helpers for the review UI tests: test data, the app mounted at /review as the composition
root mounts it, and signing in and posting forms the way a browser does."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from moderation_bot.core.types import IncomingMessage, UserRef
from moderation_bot.pipeline import Pipeline
from moderation_bot.review import build_review_app, issue_signin_link
from moderation_bot.storage import Store

SECRET = b"review-tests-secret-0123456789"
THREAT = "i have your nudes. pay me $500 in gift cards tonight or i send them to your family"
_ids = itertools.count(1)


@dataclass
class Clock:
    """A clock the tests move forward; starts at the real time so it agrees with the
    pipeline's own clock about claims and reveals."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def person(name: str, platform: str = "test") -> UserRef:
    return UserRef(platform, f"id-{name}", name.capitalize())


def incoming(text: str, *, sender: str = "stranger", to: str = "teen", community: str = "c1",
             platform: str = "test") -> IncomingMessage:
    number = next(_ids)
    return IncomingMessage(
        platform=platform, community_id=community, channel_id="general",
        conversation_id="general", message_id=f"rm{number}", sender=person(sender, platform),
        text=text, sent_at=datetime.now(UTC), recipients=(person(to, platform),),
        sender_account_age_s=2 * 86400.0, sender_membership_age_s=3600.0,
    )


def store_of(service: Pipeline) -> Store:
    return service.store


def mounted(service: Pipeline, store: Store, clock: Callable[[], datetime],
            base_url: str) -> Starlette:
    review = build_review_app(service, store, secret=SECRET, base_url=base_url, clock=clock)
    return Starlette(routes=[Mount("/review", app=review)])


async def open_case(service: Pipeline, text: str = THREAT, **kwargs: str) -> int:
    outcome = await service.handle(incoming(text, **kwargs))
    await service.dispatcher.drain()
    assert outcome.case_id is not None, "the test message should open a case"
    return outcome.case_id


async def sign_in(client: httpx.AsyncClient, store: Store, *, moderator: str = "kim",
                  community: str = "c1", platform: str = "test",
                  clock: Callable[[], datetime] | None = None) -> httpx.Response:
    """Ask for a link as the bot would, open it, press "Sign in"; returns the final response."""
    link = await issue_signin_link(store, platform, community, person(moderator, platform),
                                   base_url="http://testserver/review",
                                   **({"clock": clock} if clock else {}))
    path = httpx.URL(link).path
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return await client.post(path, data={"csrf": csrf_of(page.text)})


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, "the page should carry a CSRF token"
    return match.group(1)


async def act(client: httpx.AsyncClient, case_id: int, action: str, text: str = "",
              ) -> httpx.Response:
    """Post one action from the case page's own form (with its CSRF token)."""
    page = await client.get(f"/review/cases/{case_id}")
    assert page.status_code == 200
    return await client.post(f"/review/cases/{case_id}/act",
                             data={"csrf": csrf_of(page.text), "action": action, "text": text})
