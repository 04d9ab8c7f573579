"""The sandbox web app over HTTP (ASGI, in process) against the working fake BotService."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.sandbox.actions import SandboxActions
from adapters.sandbox.web import SandboxAdapter
from moderation_bot.core.types import CaseStatus, IncomingMessage, Outcome
from tests.fakes.fake_service import FakeBotService

GROOMING = "how old are you? this is our secret"
IMAGE_REQUEST = "come on, send me a pic"
SEXTORTION = "pay me or everyone sees it"


@pytest.fixture
def actions() -> SandboxActions:
    return SandboxActions()


@pytest.fixture
def service(actions: SandboxActions) -> FakeBotService:
    return FakeBotService(actions)


@pytest.fixture
def adapter(actions: SandboxActions, service: FakeBotService) -> SandboxAdapter:
    adapter = SandboxAdapter(actions)
    adapter.attach(service)
    return adapter


@pytest.fixture
async def client(adapter: SandboxAdapter) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=adapter.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def post(client: httpx.AsyncClient, **payload: Any) -> httpx.Response:
    return await client.post("/api/messages", json=payload)


async def feed(client: httpx.AsyncClient, after: int = 0) -> dict[str, Any]:
    response = await client.get("/api/feed", params={"after": after})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [event["kind"] for event in events]


# --- basics ---------------------------------------------------------------------------------

async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


async def test_the_page_and_its_static_files_are_served_locally(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "Maple Hollow" in page.text
    assert "nothing" in page.text and "leaves this machine" in page.text
    assert "https://" not in page.text and "http://" not in page.text, "no CDN"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for path in ("/static/sandbox.js", "/static/sandbox.css"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "://" not in response.text.replace('"http:"', "").replace('"https:"', ""), path


async def test_personas_describe_the_community(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/personas")).json()
    assert body["community"]["name"] == "Maple Hollow"
    personas = {p["id"]: p for p in body["personas"]}
    assert set(personas) == {"alex", "sam", "jordan", "kim"}
    assert personas["sam"]["is_minor"] and personas["kim"]["is_moderator"]
    assert personas["jordan"]["account_age_s"] < 3 * 86400
    assert personas["jordan"]["membership_age_s"] < personas["alex"]["membership_age_s"]


async def test_startup_seeds_the_sandbox_community_settings(
    adapter: SandboxAdapter, service: FakeBotService
) -> None:
    await adapter.startup()
    settings = await service.get_settings("sandbox", "maple-hollow")
    assert settings.policy_pack == "teen"
    assert settings.has_minors is True
    assert settings.moderator_channel_id == "moderators"
    await adapter.startup()
    assert len(service.settings_changes) == 1


async def test_first_request_seeds_settings_when_startup_was_not_called(
    client: httpx.AsyncClient, service: FakeBotService
) -> None:
    assert (await post(client, persona="alex", channel="general", text="hello")).status_code == 200
    assert service.settings[("sandbox", "maple-hollow")].policy_pack == "teen"


async def test_without_a_service_the_api_answers_503(actions: SandboxActions) -> None:
    app = SandboxAdapter(actions).asgi_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        response = await post(client, persona="alex", text="hello")
    assert response.status_code == 503
    assert "starting" in response.json()["error"]


# --- the flow -------------------------------------------------------------------------------

async def test_a_harmless_message_is_shown_and_not_flagged(client: httpx.AsyncClient) -> None:
    response = await post(client, persona="alex", channel="general", text="anyone up for games?")
    assert response.status_code == 200
    outcome = response.json()
    assert outcome["flagged"] is False and outcome["effects"] == [] and outcome["case_id"] is None
    assert outcome["conversation_id"] == "general" and outcome["recipients"] == []

    events = (await feed(client))["events"]
    assert kinds(events) == ["message"]
    assert events[0]["data"]["message_id"] == outcome["message_id"]
    assert events[0]["data"]["sender"]["id"] == "alex"


async def test_a_grooming_message_warns_the_teen_and_opens_one_case(
    client: httpx.AsyncClient,
) -> None:
    outcome = (await post(client, persona="jordan", dm_with="sam", text=GROOMING)).json()
    assert outcome["flagged"] is True
    assert outcome["labels"] == ["grooming"]
    assert outcome["scores"]["grooming"] == pytest.approx(0.9)
    assert {(e["kind"], e["policy"]) for e in outcome["effects"]} == {
        ("warn_recipient", "fake.grooming"), ("escalate", "fake.grooming")}
    assert outcome["case_id"] == 1
    assert outcome["conversation_id"] == "dm:jordan:sam"

    events = (await feed(client))["events"]
    assert kinds(events) == ["message", "private_notice", "case"]
    notice = events[1]["data"]
    assert notice["user"]["id"] == "sam"
    assert notice["notice"]["headline"] and notice["notice"]["advice"]
    card = events[2]["data"]
    assert card["channel_id"] == "moderators"
    assert card["case"]["sender"]["id"] == "jordan"
    assert card["case"]["sender_account_age_s"] < 3 * 86400
    assert [r["id"] for r in card["case"]["recipients"]] == ["sam"]
    assert GROOMING not in repr(card), "evidence text stays out of the feed"


async def test_new_evidence_updates_the_same_case_card(client: httpx.AsyncClient) -> None:
    first = (await post(client, persona="jordan", dm_with="sam", text=GROOMING)).json()
    seen = (await feed(client))["last_seq"]
    second = (await post(client, persona="jordan", dm_with="sam", text=IMAGE_REQUEST)).json()
    assert second["case_id"] == first["case_id"]

    cards = [e for e in (await feed(client))["events"] if e["kind"] == "case"]
    assert len(cards) == 1
    assert cards[0]["seq"] > seen
    assert len(cards[0]["data"]["case"]["evidence"]) == 2
    assert set(cards[0]["data"]["case"]["labels"]) == {"grooming", "image_request"}


async def test_sextortion_removes_the_message_and_times_the_sender_out(
    client: httpx.AsyncClient,
) -> None:
    outcome = (await post(client, persona="jordan", channel="general", text=SEXTORTION,
                          mention="sam")).json()
    assert outcome["recipients"] == ["sam"]
    events = (await feed(client))["events"]
    assert set(kinds(events)) >= {"message", "private_notice", "message_removed", "timeout", "case"}
    removed = next(e for e in events if e["kind"] == "message_removed")
    assert removed["data"]["message"]["message_id"] == outcome["message_id"]
    message = next(e for e in events if e["kind"] == "message")
    assert message["data"]["mentions"] == ["sam"]
    timeout = next(e for e in events if e["kind"] == "timeout")
    assert timeout["data"]["user"]["id"] == "jordan" and timeout["data"]["seconds"] > 0


async def test_a_reply_targets_the_author_of_the_message(client: httpx.AsyncClient) -> None:
    first = (await post(client, persona="sam", channel="general", text="hi everyone")).json()
    reply = (await post(client, persona="jordan", channel="general", text=GROOMING,
                        reply_to=first["message_id"])).json()
    assert reply["recipients"] == ["sam"]
    events = (await feed(client))["events"]
    assert any(e["kind"] == "private_notice" and e["data"]["user"]["id"] == "sam" for e in events)


async def test_a_reply_to_an_unknown_or_other_chat_message_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await post(client, persona="jordan", text="hi", reply_to="nope")
    assert response.status_code == 400 and "unknown message" in response.json()["error"]
    private = (await post(client, persona="jordan", dm_with="sam", text="hi")).json()
    response = await post(client, persona="alex", channel="general", text="hi",
                          reply_to=private["message_id"])
    assert response.status_code == 400 and "same chat" in response.json()["error"]


async def test_a_victim_disclosure_gets_support_not_punishment(client: httpx.AsyncClient) -> None:
    outcome = (await post(client, persona="sam", dm_with="kim",
                          text="someone is blackmailing me and i'm scared")).json()
    assert [e["kind"] for e in outcome["effects"]] == ["support_victim"]
    events = (await feed(client))["events"]
    assert kinds(events) == ["message", "private_notice"]
    assert events[1]["data"]["user"]["id"] == "sam"


# --- the feed -------------------------------------------------------------------------------

async def test_the_feed_returns_only_newer_events(client: httpx.AsyncClient) -> None:
    await post(client, persona="alex", text="one")
    last = (await feed(client))["last_seq"]
    await post(client, persona="alex", text="two")
    body = await feed(client, after=last)
    assert [e["data"]["text"] for e in body["events"]] == ["two"]
    assert body["reset"] is False


async def test_a_feed_reader_waits_for_the_next_event(client: httpx.AsyncClient) -> None:
    waiting = asyncio.create_task(client.get("/api/feed", params={"after": 0, "wait": 20}))
    await asyncio.sleep(0.05)
    await post(client, persona="alex", text="hello")
    body = (await waiting).json()
    assert kinds(body["events"])[0] == "message"


async def test_shutdown_releases_feed_readers(
    client: httpx.AsyncClient, adapter: SandboxAdapter
) -> None:
    waiting = asyncio.create_task(client.get("/api/feed", params={"after": 0, "wait": 25}))
    await asyncio.sleep(0.05)
    await adapter.shutdown()
    body = (await waiting).json()
    assert body["events"] == []


async def test_a_reader_from_before_a_restart_gets_everything_and_a_reset_flag(
    client: httpx.AsyncClient,
) -> None:
    await post(client, persona="alex", text="hello")
    body = await feed(client, after=999)
    assert body["reset"] is True
    assert kinds(body["events"]) == ["message"]


@pytest.mark.parametrize("query", [
    "after=-1", "after=abc", "after=1e3", "after=%E2%91%A0", "wait=-1", "wait=99", "wait=nan",
    "wait=abc",
])
async def test_bad_feed_parameters_are_a_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/api/feed?{query}")
    assert response.status_code == 400
    assert "error" in response.json()


async def test_reset_clears_the_page(client: httpx.AsyncClient) -> None:
    await post(client, persona="jordan", dm_with="sam", text=GROOMING)
    response = await client.post("/api/reset", json={})
    assert response.status_code == 200
    assert kinds((await feed(client))["events"]) == ["reset"]
    # old messages can no longer be replied to
    response = await post(client, persona="alex", text="hi", reply_to="anything")
    assert response.status_code == 400


async def test_reset_needs_a_json_request(client: httpx.AsyncClient) -> None:
    await post(client, persona="alex", text="hello")
    response = await client.post("/api/reset", content=b"x=1",
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert kinds((await feed(client))["events"]) == ["message"]


async def test_the_feed_names_its_epoch_so_a_page_notices_a_restart(
    client: httpx.AsyncClient, actions: SandboxActions
) -> None:
    first = await feed(client)
    await post(client, persona="alex", text="hello")
    assert (await feed(client))["epoch"] == first["epoch"] == actions.feed.epoch
    assert SandboxActions().feed.epoch != actions.feed.epoch


# --- moderators -----------------------------------------------------------------------------

async def open_case(client: httpx.AsyncClient) -> int:
    outcome = (await post(client, persona="jordan", dm_with="sam", text=GROOMING)).json()
    return int(outcome["case_id"])


async def act(client: httpx.AsyncClient, case_id: int, action: str,
              persona: str | None = "kim") -> httpx.Response:
    payload: dict[str, Any] = {"action": action}
    if persona is not None:
        payload["persona"] = persona
    return await client.post(f"/api/cases/{case_id}/actions", json=payload)


async def test_reveal_is_audited_and_the_only_answer_with_evidence_text(
    client: httpx.AsyncClient, service: FakeBotService,
) -> None:
    case_id = await open_case(client)
    claimed = (await act(client, case_id, "claim")).json()
    assert all("text" not in item for item in claimed["evidence"])

    response = await act(client, case_id, "reveal")
    assert response.status_code == 200
    report = response.json()
    assert report["revealed"] is True
    assert [item["text"] for item in report["evidence"]] == [GROOMING]
    assert [(a.action, a.actor.id) for a in service.audit] == [("claim", "kim"), ("reveal", "kim")]
    assert GROOMING not in repr((await feed(client))["events"][-1])


async def test_claim_updates_the_card_in_place(client: httpx.AsyncClient) -> None:
    case_id = await open_case(client)
    report = (await act(client, case_id, "claim")).json()
    assert report["claimed_by"] == "Kim"
    events = (await feed(client))["events"]
    cards = [e for e in events if e["kind"] == "case"]
    assert len(cards) == 1 and cards[0]["data"]["case"]["claimed_by"] == "Kim"
    assert events[-1]["kind"] == "case_action"
    assert events[-1]["data"] == {"case_id": case_id, "action": "claim",
                                  "moderator": {"id": "kim", "name": "Kim"}}


async def test_confirm_timeout_times_the_sender_out(
    client: httpx.AsyncClient, service: FakeBotService
) -> None:
    case_id = await open_case(client)
    report = (await act(client, case_id, "confirm_timeout", persona=None)).json()
    assert report["status"] == "confirmed"
    assert service.cases[case_id].status is CaseStatus.CONFIRMED
    assert any(e["kind"] == "timeout" for e in (await feed(client))["events"])


async def test_confirm_ban_and_dismiss(client: httpx.AsyncClient, service: FakeBotService) -> None:
    case_id = await open_case(client)
    assert (await act(client, case_id, "dismiss")).json()["status"] == "dismissed"
    assert service.feedback == [(case_id, "dismissed")]
    assert (await act(client, case_id, "reopen")).json()["status"] == "open"
    assert (await act(client, case_id, "CONFIRM_BAN")).json()["status"] == "confirmed"
    assert any(e["kind"] == "ban" for e in (await feed(client))["events"])


async def test_only_moderators_may_act_on_cases(client: httpx.AsyncClient) -> None:
    case_id = await open_case(client)
    response = await act(client, case_id, "reveal", persona="sam")
    assert response.status_code == 403
    assert "not a moderator" in response.json()["error"]
    response = await client.get(f"/api/cases/{case_id}/export", params={"persona": "jordan"})
    assert response.status_code == 403


@pytest.mark.parametrize(("payload", "status"), [
    ({"action": "explode", "persona": "kim"}, 400),
    ({"action": 3, "persona": "kim"}, 400),
    ({"persona": "kim"}, 400),
    ({"action": "claim", "persona": "ghost"}, 400),
    ({"action": "claim", "persona": 5}, 400),
    (["claim"], 400),
])
async def test_bad_case_actions_are_refused(
    client: httpx.AsyncClient, payload: object, status: int
) -> None:
    case_id = await open_case(client)
    response = await client.post(f"/api/cases/{case_id}/actions", json=payload)
    assert response.status_code == status
    assert response.json()["error"]


@pytest.mark.parametrize("path", [
    "/api/cases/99/actions", "/api/cases/0/actions", "/api/cases/99999999999999999999999/actions",
    "/api/cases/abc/actions",
])
async def test_unknown_cases_are_a_json_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path, json={"action": "claim", "persona": "kim"})
    assert response.status_code == 404
    assert response.json()["error"]


async def test_get_case_hides_the_evidence_text(client: httpx.AsyncClient) -> None:
    case_id = await open_case(client)
    response = await client.get(f"/api/cases/{case_id}")
    assert response.status_code == 200
    assert response.json()["case_id"] == case_id
    assert GROOMING not in response.text
    assert (await client.get("/api/cases/42")).status_code == 404


async def test_export_downloads_the_bundle_and_is_audited(
    client: httpx.AsyncClient, service: FakeBotService
) -> None:
    case_id = await open_case(client)
    response = await client.get(f"/api/cases/{case_id}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="case-{case_id}-evidence.json"')
    assert response.headers["x-evidence-sha256"] == hashlib.sha256(response.content).hexdigest()
    assert response.json()["case_id"] == case_id
    assert [(a.action, a.actor.id) for a in service.audit] == [("export", "kim")]
    assert (await client.get("/api/cases/77/export")).status_code == 404


# --- bad input: always a clear 4xx, never a 500 ---------------------------------------------

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("body", "headers", "status"), [
    (b"{not json", JSON, 400),
    (b"", JSON, 400),
    (b"   ", JSON, 400),
    (b"\xff\xfe\x00binary\x80", JSON, 400),
    (b'{"persona": "alex", "text": "caf\xe9"}', JSON, 400),
    (b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    (b'"just a string"', JSON, 400),
    (b"null", JSON, 400),
    (b'{"persona": "alex", "text": "hi"}', {"content-type": "text/plain"}, 415),
    (b'{"persona": "alex", "text": "hi"}', {}, 415),
    (b'{"persona": "nobody", "text": "hi"}', JSON, 400),
    (b'{"persona": "alex", "text": ""}', JSON, 400),
    (b'{"persona": "alex", "text": "\\u0000\\u0001"}', JSON, 400),
    (b'{"persona": "alex", "text": "' + b"a" * 100_001 + b'"}', JSON, 400),
    (b'{"persona": "alex", "text": "' + b"a" * 1_000_001 + b'"}', JSON, 413),
])
async def test_bad_message_posts_get_a_clear_4xx(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    response = await client.post("/api/messages", content=body, headers=headers)
    assert response.status_code == status
    error = response.json()["error"]
    assert isinstance(error, str) and error and "\n" not in error


async def test_a_huge_body_without_content_length_is_refused(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"a" * 50_000

    response = await client.post("/api/messages", content=chunks(), headers=JSON)
    assert response.status_code == 413


async def test_hostile_unicode_is_accepted_as_text(client: httpx.AsyncClient) -> None:
    text = "h\u200be\u202el\u0301lo 👋🏽 \U0001d4bd"
    response = await post(client, persona="alex", text=text)
    assert response.status_code == 200
    assert (await feed(client))["events"][0]["data"]["text"] == text


async def test_unknown_routes_and_methods_are_json_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing")
    assert response.status_code == 404 and response.json()["error"]
    response = await client.get("/api/messages")
    assert response.status_code == 405 and response.json()["error"]


async def test_message_text_never_reaches_the_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await post(client, persona="jordan", dm_with="sam", text=GROOMING)
    await post(client, persona="jordan", channel="general", text=SEXTORTION, mention="sam")
    case_id = 1
    await act(client, case_id, "reveal")
    await client.get(f"/api/cases/{case_id}/export")
    assert caplog.records, "the adapter logs ids and outcomes"
    assert GROOMING not in caplog.text and SEXTORTION not in caplog.text


async def test_the_page_works_when_mounted_under_a_prefix(adapter: SandboxAdapter) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    parent = Starlette(routes=[Mount("/sandbox", app=adapter.asgi_app())])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent),
                                 base_url="http://sandbox") as client:
        page = await client.get("/sandbox/")
        assert page.status_code == 200
        assert 'href="/sandbox/static/sandbox.css"' in page.text
        assert 'data-root="/sandbox"' in page.text
        assert (await client.get("/sandbox/static/sandbox.js")).status_code == 200
        assert (await client.get("/sandbox/healthz")).json() == {"ok": True}


class BrokenService(FakeBotService):
    async def handle(self, message: IncomingMessage) -> Outcome:
        raise RuntimeError("storage unavailable")


async def test_a_failure_inside_the_bot_is_a_json_500(actions: SandboxActions) -> None:
    adapter = SandboxAdapter(actions)
    adapter.attach(BrokenService(actions))
    transport = httpx.ASGITransport(app=adapter.asgi_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        response = await post(client, persona="alex", text="hello")
    assert response.status_code == 500
    assert "could not handle" in response.json()["error"]
