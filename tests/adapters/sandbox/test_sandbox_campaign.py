"""A campaign sent by two personas, through the real pipeline (SQLite, keyword baseline, the
sandbox's policy pack): the moderators' one card lists both senders, and confirming acts on
both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from adapters.sandbox.actions import SandboxActions
from adapters.sandbox.web import SandboxAdapter
from moderation_bot.app import open_service
from moderation_bot.settings import Settings

THREAT = "i have your nudes. pay 300 in gift cards tonight or i send them to all your followers"


async def test_the_card_of_a_campaign_lists_every_sender(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/modbot.sqlite3",
                        classifier="baseline", _env_file=None)  # type: ignore[call-arg]
    actions = SandboxActions()
    async with open_service(settings, {actions.platform: actions}) as pipeline:
        adapter = SandboxAdapter(actions)
        adapter.attach(pipeline)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=adapter.asgi_app()),
                                     base_url="http://sandbox") as client:
            case_ids = set()
            for persona in ("jordan", "alex"):
                outcome = (await client.post("/api/messages", json={
                    "persona": persona, "channel": "general", "text": THREAT,
                    "mention": "sam"})).json()
                case_ids.add(outcome["case_id"])
                await pipeline.dispatcher.drain()
            (case_id,) = case_ids
            card = (await _events(client, "case"))[-1]["case"]
            assert card["case_id"] == case_id
            assert [(s["id"], s["name"]) for s in card["senders"]] == [
                ("jordan", "Jordan"), ("alex", "Alex")]
            jordan, alex = (s["account_age_s"] for s in card["senders"])
            assert jordan < alex  # each sender with their own account age
            assert card["sender"]["id"] == "jordan"

            confirmed = await client.post(f"/api/cases/{case_id}/actions",
                                          json={"action": "confirm_ban", "persona": "kim"})
            assert confirmed.status_code == 200
            assert [s["id"] for s in confirmed.json()["senders"]] == ["jordan", "alex"]
            await pipeline.dispatcher.drain()
            banned = {e["user"]["id"] for e in await _events(client, "ban")}
            assert banned == {"jordan", "alex"}


async def _events(client: httpx.AsyncClient, kind: str) -> list[dict[str, Any]]:
    body = (await client.get("/api/feed", params={"after": 0})).json()
    return [event["data"] for event in body["events"] if event["kind"] == kind]
