""""This was fine" on the sandbox page's API, against the working fake BotService: the warning
names its case, the teen who got it answers, the page and the moderators' card show it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.sandbox.actions import SandboxActions
from adapters.sandbox.web import SandboxAdapter
from moderation_bot.core.types import CaseStatus
from tests.fakes.fake_service import FakeBotService

GROOMING = "how old are you? this is our secret"


@pytest.fixture
def service() -> FakeBotService:
    return FakeBotService(SandboxActions())


@pytest.fixture
async def client(service: FakeBotService) -> AsyncIterator[httpx.AsyncClient]:
    assert isinstance(service.actions, SandboxActions)
    adapter = SandboxAdapter(service.actions)
    adapter.attach(service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=adapter.asgi_app()),
                                 base_url="http://sandbox") as client:
        yield client


async def _events(client: httpx.AsyncClient, kind: str) -> list[dict[str, Any]]:
    body = (await client.get("/api/feed", params={"after": 0})).json()
    return [event["data"] for event in body["events"] if event["kind"] == kind]


async def test_the_teen_warned_says_it_was_fine(client: httpx.AsyncClient,
                                                service: FakeBotService) -> None:
    outcome = (await client.post("/api/messages", json={
        "persona": "jordan", "dm_with": "sam", "text": GROOMING})).json()
    case_id = outcome["case_id"]
    [notice] = await _events(client, "private_notice")
    assert notice["user"]["id"] == "sam" and notice["notice"]["case_id"] == case_id

    answer = await client.post(f"/api/cases/{case_id}/fine", json={"persona": "sam"})
    assert answer.status_code == 200 and answer.json() == {"recorded": True}
    assert await _events(client, "recipient_feedback") == [
        {"case_id": case_id, "user": {"id": "sam", "name": "Sam"}}]
    cards = await _events(client, "case")
    assert cards[-1]["case"]["said_fine"] == [{"id": "sam", "name": "Sam"}]
    assert service.cases[case_id].status is CaseStatus.OPEN

    again = await client.post(f"/api/cases/{case_id}/fine", json={"persona": "sam"})
    assert again.json() == {"recorded": True}
    assert service.recipient_feedback == [(case_id, "sam", "fine")]


async def test_someone_not_warned_is_not_heard(client: httpx.AsyncClient,
                                               service: FakeBotService) -> None:
    outcome = (await client.post("/api/messages", json={
        "persona": "jordan", "dm_with": "sam", "text": GROOMING})).json()
    case_id = outcome["case_id"]
    for persona in ("jordan", "kim"):
        answer = await client.post(f"/api/cases/{case_id}/fine", json={"persona": persona})
        assert answer.json() == {"recorded": False}
    unknown_case = await client.post(f"/api/cases/{case_id + 1}/fine", json={"persona": "sam"})
    assert unknown_case.json() == {"recorded": False}
    assert await _events(client, "recipient_feedback") == []
    assert service.recipient_feedback == []


@pytest.mark.parametrize("body,status", [
    ({"persona": "nobody"}, 400), ({}, 400), ({"persona": 3}, 400), ([], 400)])
async def test_bad_requests_are_refused(client: httpx.AsyncClient, body: Any,
                                        status: int) -> None:
    response = await client.post("/api/cases/1/fine", json=body)
    assert response.status_code == status and response.json()["error"]


async def test_a_plain_form_cannot_answer_for_someone(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/cases/1/fine", data={"persona": "sam"})
    assert response.status_code == 415
