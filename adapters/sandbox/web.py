"""The local sandbox web page and its JSON API (Starlette): ``moderation-bot run`` without tokens.

A small simulated community ("Maple Hollow") where a new user picks a persona, writes in a channel
or a private chat, and watches, live, what the bot does: the private warning and advice the
targeted person receives, removed messages, timeouts, and the moderators' case cards with their
buttons. Everything happens in this process; nothing leaves the machine.

HTTP API (all errors are ``{"error": "..."}`` with a 4xx status):

- ``GET /healthz`` -> ``{"ok": true}``
- ``GET /api/personas`` -> the community, its channels and personas
- ``POST /api/messages`` ``{"persona", "channel"? | "dm_with"?, "text", "mention"?, "reply_to"?}``
  -> the pipeline's Outcome plus ``message_id`` and ``conversation_id``
- ``GET /api/feed?after=N&wait=S`` -> ``{"events", "last_seq", "reset", "epoch"}``: events after
  sequence ``N``, waiting up to ``S`` seconds (at most 25) for one to arrive; ``epoch`` changes
  when the process restarts
- ``GET /api/cases/{id}`` -> the case (evidence text hidden)
- ``POST /api/cases/{id}/actions`` ``{"action", "persona"?}`` -> the updated case; evidence text
  only in the answer to ``reveal``, which the service audits
- ``GET /api/cases/{id}/export?persona=`` -> the evidence bundle as a download
- ``POST /api/cases/{id}/fine`` ``{"persona"}`` -> ``{"recorded": bool}``: the persona answers
  the warning they got on that case with "this was fine" (heard only from someone it warned)
- ``POST /api/reset`` (JSON) -> clears the page (not the bot's database)
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.sandbox.actions import SandboxActions
from adapters.sandbox.convert import parse_web_post, web_post_to_message
from adapters.sandbox.personas import (
    CHANNELS,
    COMMUNITY_ID,
    COMMUNITY_NAME,
    MODERATOR_CHANNEL_ID,
    PERSONAS,
    PLATFORM,
    Persona,
    default_moderator,
    find_persona,
)
from adapters.sandbox.serialize import case_json, outcome_json
from moderation_bot.core.ports import BotService
from moderation_bot.core.types import CommunitySettings, ModeratorAction, UserRef

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
MAX_FEED_WAIT_S = 25.0
MAX_REMEMBERED_MESSAGES = 5000
_MAX_CASE_ID = 2**63 - 1
_SETUP_USER = UserRef(PLATFORM, "sandbox-setup", "Sandbox setup")
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ApiError(Exception):
    """A request the sandbox refuses, with the status and one-line reason the client sees."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class _PostedMessage:
    author: Persona
    conversation_id: str


class SandboxAdapter:
    """The local sandbox platform: a web page and JSON API on top of :class:`SandboxActions`.

    The composition root builds the pipeline with ``actions`` as the sandbox's
    :class:`PlatformActions`, then calls :meth:`attach`, mounts :meth:`asgi_app` at ``/`` and
    awaits :meth:`startup` (and :meth:`shutdown` when stopping, which ends waiting feed requests).
    """

    def __init__(self, actions: SandboxActions) -> None:
        self.actions = actions
        self._service: BotService | None = None
        self._seeded = False
        self._seed_lock = asyncio.Lock()
        self._messages: OrderedDict[str, _PostedMessage] = OrderedDict()
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("adapters.sandbox", "templates"),
            autoescape=jinja2.select_autoescape(default=True),
        )

    def attach(self, service: BotService) -> None:
        """Give the adapter the pipeline to call. Settings are seeded at startup or first use."""
        self._service = service
        self._seeded = False

    async def startup(self) -> None:
        """Seed the sandbox community's settings (teen policy pack, moderators' channel)."""
        await self._ready()

    async def shutdown(self) -> None:
        """Release every request waiting on the feed, so the server can stop at once."""
        self.release_waiters()

    def release_waiters(self) -> None:
        """Synchronous :meth:`shutdown`, for a server's exit hook running in the event loop.

        The page long-polls the feed for up to 5 s; a server that drains open requests before
        it stops waits that long unless this is called when stopping begins.
        """
        self.actions.feed.close()

    def asgi_app(self) -> Starlette:
        """The page, its static files and the JSON API, to mount at ``/``."""
        routes = [
            Route("/", self._page, methods=["GET"]),
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/api/personas", self._personas, methods=["GET"]),
            Route("/api/messages", self._post_message, methods=["POST"]),
            Route("/api/feed", self._feed, methods=["GET"]),
            Route("/api/reset", self._reset, methods=["POST"]),
            Route("/api/cases/{case_id:int}", self._case, methods=["GET"]),
            Route("/api/cases/{case_id:int}/actions", self._case_action, methods=["POST"]),
            Route("/api/cases/{case_id:int}/export", self._export, methods=["GET"]),
            Route("/api/cases/{case_id:int}/fine", self._fine, methods=["POST"]),
            Route("/review-link", self._review_link, methods=["GET"]),
            Mount("/static", StaticFiles(packages=[("adapters.sandbox", "static")]),
                  name="static"),
        ]
        return Starlette(
            routes=routes,
            exception_handlers={
                ApiError: _api_error, HTTPException: _http_error, Exception: _server_error,
            },
        )

    # --- handlers ---------------------------------------------------------------------------

    async def _page(self, request: Request) -> Response:
        template = self._templates.get_template("index.html")
        html = template.render(
            community_name=COMMUNITY_NAME,
            root=request.scope.get("root_path", ""),
        )
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    async def _healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def _personas(self, request: Request) -> Response:
        return JSONResponse({
            "community": {"id": COMMUNITY_ID, "name": COMMUNITY_NAME},
            "channels": list(CHANNELS),
            "moderator_channel": MODERATOR_CHANNEL_ID,
            "personas": [persona.to_json() for persona in PERSONAS.values()],
        })

    async def _post_message(self, request: Request) -> Response:
        service = await self._ready()
        try:
            post = parse_web_post(await _json_body(request))
        except ValueError as error:
            raise ApiError(400, str(error)) from None
        reply_author = None
        if post.reply_to is not None:
            replied = self._messages.get(post.reply_to)
            if replied is None:
                raise ApiError(400, "field 'reply_to' names an unknown message")
            if replied.conversation_id != post.conversation_id:
                raise ApiError(400, "field 'reply_to' must name a message in the same chat")
            reply_author = replied.author
        message = web_post_to_message(
            post, message_id=uuid.uuid4().hex[:16], sent_at=datetime.now(UTC),
            reply_author=reply_author,
        )
        self._remember(message.message_id, _PostedMessage(post.persona, message.conversation_id))
        self.actions.record_message(message, mentions=tuple(p.id for p in post.mentions))
        outcome = await service.handle(message)
        log.info(
            "sandbox message %s: flagged=%s labels=%s effects=%d case=%s",
            message.message_id, outcome.flagged, ",".join(outcome.labels),
            len(outcome.effects), outcome.case_id,
        )
        body = outcome_json(outcome)
        body["message_id"] = message.message_id
        body["conversation_id"] = message.conversation_id
        body["recipients"] = [user.id for user in message.recipients]
        return JSONResponse(body)

    async def _feed(self, request: Request) -> Response:
        after = _int_param(request, "after", default=0, low=0, high=2**62)
        wait = _float_param(request, "wait", default=0.0, low=0.0, high=MAX_FEED_WAIT_S)
        feed = self.actions.feed
        reset = after > feed.last_seq  # the server restarted since the page last read
        events = feed.events() if reset else await feed.wait_after(after, wait)
        return JSONResponse({
            "events": [event.to_json() for event in events],
            "last_seq": feed.last_seq,
            "reset": reset,
            "epoch": feed.epoch,
        })

    async def _reset(self, request: Request) -> Response:
        _require_json(request)  # a plain cross-site form cannot send this
        self.actions.reset()
        self._messages.clear()
        log.info("sandbox page reset")
        return JSONResponse({"ok": True, "last_seq": self.actions.feed.last_seq})

    async def _case(self, request: Request) -> Response:
        service = await self._ready()
        case_id = _case_id(request)
        report = await service.case_report(PLATFORM, COMMUNITY_ID, case_id)
        if report is None:
            raise ApiError(404, "no such case in this community")
        return JSONResponse(case_json(report, with_text=False))

    async def _case_action(self, request: Request) -> Response:
        service = await self._ready()
        case_id = _case_id(request)
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "the request body must be a JSON object")
        action = _moderator_action(body.get("action"))
        moderator = _moderator(body.get("persona"))
        report = await service.resolve(
            PLATFORM, COMMUNITY_ID, case_id, action, moderator.user,
            note="from the sandbox page",
        )
        if report is None:
            raise ApiError(404, "no such case in this community")
        log.info("sandbox case %d: %s by %s", case_id, action.value, moderator.id)
        self.actions.refresh_case(report)
        self.actions.record_case_action(case_id, action.value, moderator.user)
        return JSONResponse(case_json(report, with_text=action is ModeratorAction.REVEAL))

    async def _fine(self, request: Request) -> Response:
        """"This was fine" under a private warning, pressed in a persona's inbox."""
        service = await self._ready()
        case_id = _case_id(request)
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("persona"), str):
            raise ApiError(400, "send a JSON object with the field 'persona'")
        persona = find_persona(body["persona"])
        if persona is None:
            raise ApiError(400, "field 'persona' names an unknown persona")
        recorded = await service.record_recipient_feedback(PLATFORM, COMMUNITY_ID, case_id,
                                                           persona.user)
        log.info("sandbox case %d: %s answered a warning (recorded=%s)", case_id, persona.id,
                 recorded)
        if recorded:
            self.actions.record_answer(case_id, persona.user)
        return JSONResponse({"recorded": recorded})

    async def _review_link(self, request: Request) -> Response:
        """Sign the moderator persona in to the review UI, as ``/modbot dashboard`` would."""
        service = await self._ready()
        moderator = _moderator(request.query_params.get("persona"))
        link = await service.dashboard_link(PLATFORM, COMMUNITY_ID, moderator.user)
        return RedirectResponse(link, status_code=303)

    async def _export(self, request: Request) -> Response:
        service = await self._ready()
        case_id = _case_id(request)
        moderator = _moderator(request.query_params.get("persona"))
        bundle = await service.export_case(PLATFORM, COMMUNITY_ID, case_id, moderator.user)
        if bundle is None:
            raise ApiError(404, "no such case in this community")
        log.info("sandbox case %d: evidence exported by %s", case_id, moderator.id)
        self.actions.record_case_action(case_id, "export", moderator.user)
        filename = _SAFE_FILENAME.sub("_", bundle.filename).strip("._") or f"case-{case_id}.json"
        return Response(
            bundle.content,
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Evidence-SHA256": bundle.sha256,
                "X-Content-Type-Options": "nosniff",
            },
        )

    # --- helpers ----------------------------------------------------------------------------

    async def _ready(self) -> BotService:
        service = self._service
        if service is None:
            raise ApiError(503, "the sandbox is still starting; try again in a moment")
        if not self._seeded:
            async with self._seed_lock:
                if not self._seeded:
                    await service.save_settings(
                        CommunitySettings(
                            platform=PLATFORM, community_id=COMMUNITY_ID, policy_pack="teen",
                            has_minors=True, moderator_channel_id=MODERATOR_CHANNEL_ID,
                        ),
                        changed_by=_SETUP_USER,
                    )
                    self._seeded = True
        return service

    def _remember(self, message_id: str, posted: _PostedMessage) -> None:
        self._messages[message_id] = posted
        if len(self._messages) > MAX_REMEMBERED_MESSAGES:
            self._messages.popitem(last=False)


def _require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "send the request body as application/json")


async def _json_body(request: Request) -> Any:
    """The request's JSON body. Only ``application/json`` is accepted, which also keeps plain
    cross-site forms from posting to this local API."""
    _require_json(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES // 1000} kB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES // 1000} kB")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise ApiError(400, "the request body is empty; send a JSON object")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ApiError(400, "the request body is not valid JSON in UTF-8") from None


def _case_id(request: Request) -> int:
    case_id = request.path_params["case_id"]
    if not 0 < case_id <= _MAX_CASE_ID:
        raise ApiError(404, "no such case in this community")
    return int(case_id)


def _moderator_action(value: object) -> ModeratorAction:
    names = ", ".join(action.value for action in ModeratorAction)
    if not isinstance(value, str):
        raise ApiError(400, f"field 'action' must be one of: {names}")
    try:
        return ModeratorAction(value.strip().lower())
    except ValueError:
        raise ApiError(400, f"field 'action' must be one of: {names}") from None


def _moderator(value: object) -> Persona:
    """The persona acting as moderator (the community's moderator when none is named)."""
    if value is None or value == "":
        return default_moderator()
    if not isinstance(value, str):
        raise ApiError(400, "field 'persona' must be a persona id")
    persona = find_persona(value)
    if persona is None:
        raise ApiError(400, "field 'persona' names an unknown persona")
    if not persona.is_moderator:
        raise ApiError(403, f"{persona.name} is not a moderator of {COMMUNITY_NAME}")
    return persona


def _int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, f"query parameter '{name}' must be a whole number from {low}")
    return int(raw)


def _float_param(request: Request, name: str, *, default: float, low: float, high: float) -> float:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"query parameter '{name}' must be a number") from None
    if not low <= value <= high:  # also rejects NaN
        raise ApiError(400, f"query parameter '{name}' must be between {low:g} and {high:g}")
    return value


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.message}, status_code=exc.status)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A failure inside the bot (not the request's fault): a JSON answer for the page. The
    server logs the traceback; exceptions carry ids, never message text."""
    return JSONResponse(
        {"error": "the bot could not handle this request; the server log has the details"},
        status_code=500,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
