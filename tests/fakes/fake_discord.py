"""A local fake of Discord's gateway and REST API, good enough to run the real discord.py client.

Why: discord.py's own test helpers cannot deliver button clicks or slash commands, and mocks of
discord.py would only test our guesses about it. This fake speaks the wire protocol instead, so the
unmodified client logs in, keeps its cache, routes interactions, honours rate limits and resumes
dropped sessions exactly as it does against Discord.

One aiohttp server serves both: the websocket gateway at ``/`` and REST under ``/api/v10``. Point
the library at it with :meth:`FakeDiscord.patch_library` (``Route.BASE`` and ``DEFAULT_GATEWAY``).
Every REST call is recorded as a :class:`Call`; tests wait for calls with :meth:`wait_for` instead
of sleeping. Payloads follow Discord's documented shapes closely enough for discord.py's parsers.

Knobs the tests use: :meth:`fail_next` (429 with ``Via`` + ``retry_after``, 403 50007, ...),
``closed_dms`` (users whose DMs refuse the bot), :meth:`drop_connections` with a resume gate (events
sent while the client is away are replayed on RESUME), and ``shards`` for ``GET /gateway/bot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

DISCORD_EPOCH_MS = 1420070400000
JSON = dict[str, Any]

ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
MODERATE_MEMBERS = 1 << 40
BAN_MEMBERS = 1 << 2
# view channels, send messages, read message history, add reactions
BASIC_MEMBER = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 6)


def snowflake_at(when: datetime, seq: int = 0) -> int:
    """A snowflake whose timestamp is ``when`` (so account ages come out as intended)."""
    ms = int(when.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (seq & 0x3FFFFF)


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


@dataclass
class Call:
    """One REST request the client made."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: JSON
    headers: dict[str, str]
    remaining: int


@dataclass
class _Session:
    session_id: str
    shard: tuple[int, int]
    seq: int = 0
    log: list[JSON] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None


class FakeDiscord:
    """A fake Discord: one bot application, a few guilds, members, channels and messages."""

    def __init__(self, *, token: str = "fake-token", shards: int = 1) -> None:
        self.token = token
        self.shards = shards
        self._ids = itertools.count(1)
        self.now = datetime.now(UTC)
        self.app_id = self.new_id()
        self.bot_user = self._user(self.app_id, "ModBot", bot=True)
        self.users: dict[int, JSON] = {}
        self.guilds: dict[int, JSON] = {}
        self.members: dict[int, dict[int, JSON]] = {}
        self.channels: dict[int, JSON] = {}
        self.messages: dict[int, dict[int, JSON]] = {}
        self.dm_channels: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.bans: dict[int, set[int]] = {}
        self.commands: list[JSON] = []
        self.interactions: dict[str, JSON] = {}
        self.calls: list[Call] = []
        self.identifies = 0
        self.resumes = 0
        self._failures: list[_Failure] = []
        self._sessions: dict[str, _Session] = {}
        self._resume_gate = asyncio.Event()
        self._resume_gate.set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._resume_gate.set()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def patch_library(self, monkeypatch: Any) -> None:
        """Point discord.py at this server (class attributes, so use pytest's monkeypatch)."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.rest_base)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url)
        )

    # ------------------------------------------------------------------ world building

    def new_id(self, when: datetime | None = None) -> int:
        return snowflake_at(when or datetime.now(UTC), next(self._ids))

    def _user(self, user_id: int, name: str, *, bot: bool = False) -> JSON:
        return {
            "id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "public_flags": 0,
        }

    def add_guild(self, name: str = "Test Server", *, owner_id: int | None = None) -> int:
        guild_id = self.new_id()
        everyone = {
            "id": str(guild_id), "name": "@everyone", "color": 0, "hoist": False, "position": 0,
            "permissions": str(BASIC_MEMBER), "managed": False, "mentionable": False, "flags": 0,
        }
        self.guilds[guild_id] = {
            "id": str(guild_id), "name": name, "owner_id": str(owner_id or self.app_id),
            "roles": [everyone], "channels": [], "emojis": [], "stickers": [], "features": [],
            "member_count": 0, "large": False, "unavailable": False, "threads": [],
            "voice_states": [], "presences": [], "joined_at": iso(self.now),
            "preferred_locale": "en-US", "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
            "nsfw_level": 0, "premium_tier": 0, "system_channel_flags": 0, "afk_timeout": 300,
            "icon": None, "splash": None, "banner": None, "description": None,
        }
        self.members[guild_id] = {}
        self.bans[guild_id] = set()
        bot_role = self.add_role(guild_id, "ModBot", ADMINISTRATOR)
        self._add_member_payload(guild_id, self.bot_user, [bot_role], self.now)
        return guild_id

    def add_role(self, guild_id: int, name: str, permissions: int) -> int:
        role_id = self.new_id()
        roles = self.guilds[guild_id]["roles"]
        roles.append({
            "id": str(role_id), "name": name, "color": 0, "hoist": False,
            "position": len(roles), "permissions": str(permissions), "managed": False,
            "mentionable": False, "flags": 0,
        })
        return role_id

    def add_channel(self, guild_id: int, name: str = "general") -> int:
        channel_id = self.new_id()
        payload = {
            "id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": name,
            "position": len(self.guilds[guild_id]["channels"]), "permission_overwrites": [],
            "nsfw": False, "parent_id": None, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0, "flags": 0,
        }
        self.guilds[guild_id]["channels"].append(payload)
        self.channels[channel_id] = payload
        self.messages[channel_id] = {}
        return channel_id

    async def add_thread(self, parent_id: int, name: str = "thread") -> int:
        """A public thread under ``parent_id``, announced with THREAD_CREATE."""
        parent = self.channels[parent_id]
        thread_id = self.new_id()
        payload = {
            "id": str(thread_id), "type": 11, "guild_id": parent["guild_id"],
            "parent_id": str(parent_id), "name": name, "owner_id": str(self.app_id),
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                "archive_timestamp": iso(self.now), "locked": False},
            "message_count": 0, "member_count": 0, "rate_limit_per_user": 0, "flags": 0,
            "last_message_id": None,
        }
        self.channels[thread_id] = payload
        self.messages[thread_id] = {}
        self.guilds[int(parent["guild_id"])]["threads"].append(payload)
        await self.dispatch("THREAD_CREATE", {**payload, "newly_created": True})
        return thread_id

    def add_member(
        self, guild_id: int, name: str, *, roles: Iterable[int] = (),
        account_age: timedelta = timedelta(days=400), member_for: timedelta = timedelta(days=30),
        bot: bool = False,
    ) -> int:
        """Add a person whose snowflake encodes ``account_age``, who joined ``member_for`` ago."""
        user_id = self.new_id(self.now - account_age)
        user = self._user(user_id, name, bot=bot)
        self._add_member_payload(guild_id, user, list(roles), self.now - member_for)
        return user_id

    def _add_member_payload(
        self, guild_id: int, user: JSON, roles: list[int], joined: datetime
    ) -> None:
        self.users[int(user["id"])] = user
        self.members[guild_id][int(user["id"])] = {
            "user": user, "roles": [str(r) for r in roles], "joined_at": iso(joined),
            "deaf": False, "mute": False, "flags": 0, "nick": None, "avatar": None,
            "communication_disabled_until": None, "pending": False,
        }
        self.guilds[guild_id]["member_count"] = len(self.members[guild_id])

    def member(self, guild_id: int, user_id: int) -> JSON:
        return self.members[guild_id][user_id]

    def permissions_of(self, guild_id: int, user_id: int) -> int:
        guild = self.guilds[guild_id]
        if guild["owner_id"] == str(user_id):
            return (1 << 53) - 1
        member_roles = set(self.members[guild_id][user_id]["roles"]) | {str(guild_id)}
        value = 0
        for role in guild["roles"]:
            if role["id"] in member_roles:
                value |= int(role["permissions"])
        return value

    def _guild_create(self, guild_id: int) -> JSON:
        payload = dict(self.guilds[guild_id])
        payload["members"] = list(self.members[guild_id].values())
        return payload

    def _shard_of(self, guild_id: int | None, count: int) -> int:
        return 0 if guild_id is None else (guild_id >> 22) % count

    # ------------------------------------------------------------------ events from people

    def _message_payload(
        self, channel_id: int, author_id: int, content: str, *, message_id: int | None = None,
        mentions: Iterable[int] = (), reply_to: int | None = None, extra: JSON | None = None,
    ) -> JSON:
        channel = self.channels.get(channel_id)
        guild_id = int(channel["guild_id"]) if channel and channel.get("guild_id") else None
        author = self.users.get(author_id) or self.bot_user
        payload: JSON = {
            "id": str(message_id or self.new_id()), "channel_id": str(channel_id),
            "author": author, "content": content, "timestamp": iso(datetime.now(UTC)),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0,
            "flags": 0, "components": [],
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            member = self.members[guild_id].get(author_id)
            if member is not None:
                payload["member"] = {k: v for k, v in member.items() if k != "user"}
            for uid in mentions:
                mentioned = dict(self.users[uid])
                m = self.members[guild_id].get(uid)
                if m is not None:
                    mentioned["member"] = {k: v for k, v in m.items() if k != "user"}
                payload["mentions"].append(mentioned)
        if reply_to is not None:
            payload["type"] = 19
            payload["message_reference"] = {
                "type": 0, "message_id": str(reply_to), "channel_id": str(channel_id),
                **({"guild_id": str(guild_id)} if guild_id else {}),
            }
            payload["referenced_message"] = self.messages.get(channel_id, {}).get(reply_to)
        if extra:
            payload.update(extra)
        return payload

    async def user_says(
        self, channel_id: int, author_id: int, content: str, *, mentions: Iterable[int] = (),
        reply_to: int | None = None,
    ) -> JSON:
        """A member posts a message: stored and dispatched as MESSAGE_CREATE."""
        payload = self._message_payload(
            channel_id, author_id, content, mentions=mentions, reply_to=reply_to
        )
        self.messages.setdefault(channel_id, {})[int(payload["id"])] = payload
        await self.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def user_edits(self, message: JSON, content: str) -> JSON:
        payload = dict(message, content=content, edited_timestamp=iso(datetime.now(UTC)))
        self.messages[int(payload["channel_id"])][int(payload["id"])] = payload
        await self.dispatch("MESSAGE_UPDATE", payload)
        return payload

    def _interaction(
        self, kind: int, *, guild_id: int | None, channel_id: int, user_id: int, data: JSON,
        message: JSON | None = None, locale: str = "en-US", context: int = 0,
    ) -> JSON:
        interaction_id = self.new_id()
        token = f"itok-{interaction_id}"
        payload: JSON = {
            "id": str(interaction_id), "application_id": str(self.app_id), "type": kind,
            "token": token, "version": 1, "data": data, "locale": locale,
            "entitlements": [], "attachment_size_limit": 8 * 1024 * 1024, "context": context,
            "app_permissions": str(ADMINISTRATOR),
        }
        if guild_id is not None:
            channel = self.channels[channel_id]
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["channel_id"] = str(channel_id)
            payload["channel"] = channel
            member = dict(self.members[guild_id][user_id])
            member["permissions"] = str(self.permissions_of(guild_id, user_id))
            payload["member"] = member
            payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        else:
            payload["channel_id"] = str(channel_id)
            payload["channel"] = {"id": str(channel_id), "type": 1, "recipients": []}
            payload["user"] = self.users[user_id]
            payload["authorizing_integration_owners"] = {"1": str(user_id)}
        if message is not None:
            payload["message"] = message
        self.interactions[token] = payload
        return payload

    async def click_button(self, message: JSON, custom_id: str, user_id: int) -> JSON:
        """A person clicks a button on ``message`` (a payload the bot posted)."""
        channel_id = int(message["channel_id"])
        guild_id = int(message["guild_id"]) if message.get("guild_id") else None
        current = self.messages.get(channel_id, {}).get(int(message["id"]), message)
        payload = self._interaction(
            3, guild_id=guild_id, channel_id=channel_id, user_id=user_id,
            data={"custom_id": custom_id, "component_type": 2}, message=current,
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def slash(
        self, guild_id: int, channel_id: int, user_id: int, name: str,
        subcommand: str | None = None, options: Iterable[JSON] = (), resolved: JSON | None = None,
    ) -> JSON:
        """A person runs ``/name [subcommand] options``."""
        opts = list(options)
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data: JSON = {"id": str(self._command_id(name)), "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        payload = self._interaction(
            2, guild_id=guild_id, channel_id=channel_id, user_id=user_id, data=data
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def message_command(
        self, name: str, target: JSON, user_id: int, *, guild_id: int | None = None,
        context: int = 0,
    ) -> JSON:
        """A person right-clicks ``target`` and picks the app's message command ``name``."""
        data: JSON = {
            "id": str(self._command_id(name)), "name": name, "type": 3,
            "target_id": target["id"], "resolved": {"messages": {target["id"]: target}},
        }
        payload = self._interaction(
            2, guild_id=guild_id, channel_id=int(target["channel_id"]), user_id=user_id,
            data=data, context=context,
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def _command_id(self, name: str) -> int:
        for command in self.commands:
            if command["name"] == name:
                return int(command["id"])
        return self.new_id()

    # ------------------------------------------------------------------ failures and outages

    def fail_next(
        self, method: str, path_pattern: str, *, status: int, body: JSON | None = None,
        headers: dict[str, str] | None = None, times: int = 1,
    ) -> None:
        """The next ``times`` matching requests get this error instead of being served."""
        self._failures.append(_Failure(
            method.upper(), re.compile(path_pattern), status, body or {}, headers or {}, times,
        ))

    def rate_limit_next(self, method: str, path_pattern: str, retry_after: float = 0.05) -> None:
        """A 429 the way Discord sends it (with ``Via``, so clients know it is not Cloudflare)."""
        self.fail_next(
            method, path_pattern, status=429,
            body={"message": "You are being rate limited.", "retry_after": retry_after,
                  "global": False, "code": 0},
            headers={"Via": "1.1 google", "Retry-After": str(retry_after),
                     "X-RateLimit-Scope": "user"},
        )

    async def drop_connections(self, *, hold_resume: bool = True, code: int = 4000) -> None:
        """Close every gateway socket. With ``hold_resume`` a RESUME waits for
        :meth:`release_resume`, so events dispatched meanwhile are certainly replayed."""
        if hold_resume:
            self._resume_gate.clear()
        for session in self._sessions.values():
            ws, session.ws = session.ws, None
            if ws is not None:
                await ws.close(code=code)

    def release_resume(self) -> None:
        self._resume_gate.set()

    # ------------------------------------------------------------------ waiting

    async def wait_for(
        self, method: str, path_pattern: str, *, after: int = 0,
        where: Callable[[Call], bool] | None = None, timeout: float = 5.0,
    ) -> Call:
        """The first call at index >= ``after`` matching method, path regex and ``where``."""
        pattern = re.compile(path_pattern)

        def find() -> Call | None:
            for call in self.calls[after:]:
                if call.method == method.upper() and pattern.search(call.path) and (
                    where is None or where(call)
                ):
                    return call
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
        found = find()
        assert found is not None
        return found

    def find_calls(self, method: str, path_pattern: str, *, after: int = 0) -> list[Call]:
        pattern = re.compile(path_pattern)
        return [c for c in self.calls[after:]
                if c.method == method.upper() and pattern.search(c.path)]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds: re-checked after every REST call and gateway event,
        and every few milliseconds for state the fake cannot see (e.g. the service's)."""

        async def poll() -> None:
            while not predicate():
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.01)

        await asyncio.wait_for(poll(), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ gateway

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to the session of the shard that owns the guild (logged for replay)."""
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        for session in self._sessions.values():
            if self._shard_of(guild_id, session.shard[1]) != session.shard[0]:
                continue
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.log.append(frame)
            if session.ws is not None and not session.ws.closed:
                try:
                    await session.ws.send_str(json.dumps(frame))
                except ConnectionError:
                    session.ws = None
        await self._notify()

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: _Session | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000},
                                          "s": None, "t": None}))
            async for msg in ws:
                if msg.type.name != "TEXT":
                    continue
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d") or {}
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    session = await self._identify(ws, d)
                elif op == 6:
                    session = await self._resume(ws, d)
                elif op == 8:
                    await self._members_chunk(ws, session, d)
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: JSON) -> _Session:
        if d.get("token") != self.token:
            await ws.close(code=4004)
            raise ConnectionResetError("bad token")
        self.identifies += 1
        shard_id, count = d.get("shard") or [0, 1]
        session = _Session(session_id=f"sess-{self.new_id()}", shard=(shard_id, count))
        self._sessions[session.session_id] = session
        guild_ids = [g for g in self.guilds if self._shard_of(g, count) == shard_id]
        session.ws = ws
        await self._send_dispatch(session, "READY", {
            "v": 10, "user": self.bot_user, "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url, "shard": [shard_id, count],
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [], "relationships": [],
        })
        for guild_id in guild_ids:
            await self._send_dispatch(session, "GUILD_CREATE", self._guild_create(guild_id))
        return session

    async def _send_dispatch(self, session: _Session, event: str, data: JSON) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.log.append(frame)
        assert session.ws is not None
        await session.ws.send_str(json.dumps(frame))

    async def _resume(self, ws: web.WebSocketResponse, d: JSON) -> _Session | None:
        await self._resume_gate.wait()
        session = self._sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        self.resumes += 1
        last = int(d.get("seq") or 0)
        session.ws = ws
        for frame in session.log:
            if frame["s"] > last:
                await ws.send_str(json.dumps(frame))
        session.seq += 1
        resumed = {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}
        session.log.append(resumed)
        await ws.send_str(json.dumps(resumed))
        await self._notify()
        return session

    async def _members_chunk(
        self, ws: web.WebSocketResponse, session: _Session | None, d: JSON
    ) -> None:
        if session is None:
            return
        guild_id = int(d["guild_id"])
        await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", {
            "guild_id": str(guild_id), "members": list(self.members[guild_id].values()),
            "chunk_index": 0, "chunk_count": 1, "nonce": d.get("nonce"),
        })

    # ------------------------------------------------------------------ REST

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        files: list[tuple[str, bytes]] = []
        body: Any = None
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files.append((part.filename or "", bytes(data)))  # type: ignore[union-attr]
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        call = Call(request.method, path, dict(request.query), body, dict(request.headers), files)
        try:
            failure = self._take_failure(request.method, path)
            if failure is not None:
                call.status = failure.status
                return self._json(failure.body, failure.status, failure.headers)
            if request.headers.get("Authorization") not in (f"Bot {self.token}", None) and not (
                path.startswith("/interactions") or path.startswith("/webhooks")
            ):
                call.status = 401
                return self._json({"message": "401: Unauthorized", "code": 0}, 401)
            status, result = await self._serve(request.method, path, body, files)
            call.status = status
            return self._json(result, status)
        finally:
            self.calls.append(call)  # recorded once answered, so its status is final
            await self._notify()

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.pattern.search(path) and failure.remaining:
                failure.remaining -= 1
                return failure
        return None

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # discord.py compares the Content-Type literally: no "; charset=utf-8".
        if status == 204:
            return web.Response(status=204, headers=headers)
        return web.Response(
            status=status, body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    async def _serve(self, method: str, path: str, body: Any, files: list[tuple[str, bytes]]
                     ) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        route = (method, *self._shape(parts))
        handler = _ROUTES.get(route)
        if handler is None:
            return 404, {"message": f"Unknown route {method} {path}", "code": 0}
        return await handler(self, parts, body or {}, files)

    @staticmethod
    def _shape(parts: list[str]) -> tuple[str, ...]:
        """The route's shape: ids become ``{}`` so one table entry matches every id."""
        return tuple("{}" if p.isdigit() or p.startswith("itok-") else p for p in parts)

    # -- handlers (parts is the path split on "/")

    async def _get_me(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        return 200, self.bot_user

    async def _get_application(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        return 200, {
            "id": str(self.app_id), "name": "ModBot", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
            "owner": self._user(self.new_id(), "owner"), "flags": 0, "team": None,
        }

    async def _get_gateway_bot(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url, "shards": self.shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                    "max_concurrency": 1},
        }

    async def _get_gateway(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _post_message(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        channel_id = int(parts[1])
        if channel_id in self.dm_channels.values():
            recipient = next(u for u, c in self.dm_channels.items() if c == channel_id)
            if recipient in self.closed_dms:
                return 403, {"message": "Cannot send messages to this user", "code": 50007}
        elif channel_id not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        payload = self._bot_message(channel_id, body, files)
        self.messages.setdefault(channel_id, {})[int(payload["id"])] = payload
        await self.dispatch("MESSAGE_CREATE", payload)
        return 200, payload

    def _bot_message(self, channel_id: int, body: JSON, files: Any, *,
                     message_id: int | None = None) -> JSON:
        extra: JSON = {
            "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "attachments": [
                {"id": str(self.new_id()), "filename": name, "size": len(data),
                 "url": f"http://127.0.0.1:{self.port}/files/{name}",
                 "proxy_url": f"http://127.0.0.1:{self.port}/files/{name}"}
                for name, data in files
            ],
            "flags": body.get("flags") or 0,
        }
        if "nonce" in body:
            extra["nonce"] = body["nonce"]
        payload = self._message_payload(
            channel_id, self.app_id, body.get("content") or "", message_id=message_id, extra=extra
        )
        return payload

    async def _patch_message(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        channel_id, message_id = int(parts[1]), int(parts[3])
        existing = self.messages.get(channel_id, {}).get(message_id)
        if existing is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, await self._edit_stored(existing, body)

    async def _edit_stored(self, existing: JSON, body: JSON) -> JSON:
        updated = dict(existing)
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                updated[key] = body[key] if body[key] is not None else existing.get(key)
        updated["edited_timestamp"] = iso(datetime.now(UTC))
        self.messages[int(existing["channel_id"])][int(existing["id"])] = updated
        await self.dispatch("MESSAGE_UPDATE", updated)
        return updated

    async def _get_channel(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        channel = self.channels.get(int(parts[1]))
        if channel is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        return 200, channel

    async def _get_message(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        message = self.messages.get(int(parts[1]), {}).get(int(parts[3]))
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, message

    async def _delete_message(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        channel_id, message_id = int(parts[1]), int(parts[3])
        message = self.messages.get(channel_id, {}).pop(message_id, None)
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        event: JSON = {"id": str(message_id), "channel_id": str(channel_id)}
        if message.get("guild_id"):
            event["guild_id"] = message["guild_id"]
        await self.dispatch("MESSAGE_DELETE", event)
        return 204, None

    async def _create_dm(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        user_id = int(body["recipient_id"])
        if user_id not in self.users:
            return 400, {"message": "Invalid Recipient(s)", "code": 50033}
        channel_id = self.dm_channels.setdefault(user_id, self.new_id())
        self.messages.setdefault(channel_id, {})
        return 200, {"id": str(channel_id), "type": 1, "recipients": [self.users[user_id]],
                     "last_message_id": None, "flags": 0}

    async def _get_member(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        member = self.members.get(int(parts[1]), {}).get(int(parts[3]))
        if member is None:
            return 404, {"message": "Unknown Member", "code": 10007}
        return 200, member

    async def _patch_member(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        guild_id, user_id = int(parts[1]), int(parts[3])
        member = self.members.get(guild_id, {}).get(user_id)
        if member is None:
            return 404, {"message": "Unknown Member", "code": 10007}
        if "communication_disabled_until" in body:
            member["communication_disabled_until"] = body["communication_disabled_until"]
        await self.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(guild_id), **member})
        return 200, member

    async def _put_ban(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        guild_id, user_id = int(parts[1]), int(parts[3])
        self.bans.setdefault(guild_id, set()).add(user_id)
        self.members.get(guild_id, {}).pop(user_id, None)
        return 204, None

    async def _put_commands(self, parts: list[str], body: Any, files: Any) -> tuple[int, Any]:
        self.commands = []
        for command in body or []:
            self.commands.append({
                "description": "", **command, "id": str(self.new_id()),
                "application_id": str(self.app_id),
                "version": str(self.new_id()), "default_member_permissions":
                    command.get("default_member_permissions"),
            })
        return 200, self.commands

    async def _get_commands(self, parts: list[str], body: Any, files: Any) -> tuple[int, Any]:
        return 200, self.commands

    async def _interaction_callback(self, parts: list[str], body: JSON, files: Any
                                    ) -> tuple[int, Any]:
        token = parts[2]
        interaction = self.interactions.get(token)
        if interaction is None:
            return 404, {"message": "Unknown interaction", "code": 10062}
        kind = body.get("type")
        data = body.get("data") or {}
        message_id = None
        if kind == 7 and interaction.get("message"):  # update the clicked message
            stored = self.messages[int(interaction["channel_id"])].get(
                int(interaction["message"]["id"]))
            if stored is not None:
                await self._edit_stored(stored, data)
            message_id = interaction["message"]["id"]
        elif kind in (4, 5):
            message = self._bot_message(int(interaction["channel_id"]), data, files)
            interaction["original"] = message
            message_id = message["id"]
        elif kind == 6 and interaction.get("message"):
            interaction["original"] = interaction["message"]
        return 200, {
            "interaction": {"id": interaction["id"], "type": interaction["type"],
                            "response_message_id": message_id,
                            "response_message_loading": kind == 5,
                            "response_message_ephemeral": bool((data.get("flags") or 0) & 64)},
            "resource": None,
        }

    async def _followup(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        interaction = self.interactions.get(parts[2])
        if interaction is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        message = self._bot_message(int(interaction["channel_id"]), body, files)
        interaction.setdefault("followups", []).append(message)
        return 200, message

    async def _edit_original(self, parts: list[str], body: JSON, files: Any) -> tuple[int, Any]:
        interaction = self.interactions.get(parts[2])
        if interaction is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        original = interaction.get("original") or interaction.get("message")
        if original is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        stored = self.messages.get(int(original["channel_id"]), {}).get(int(original["id"]))
        if stored is not None:
            updated = await self._edit_stored(stored, body)
        else:
            updated = dict(original, **{k: v for k, v in body.items()
                                         if k in ("content", "embeds", "components")})
        interaction["original"] = updated
        return 200, updated


_Handler = Callable[[FakeDiscord, list[str], Any, Any], Any]
_ROUTES: dict[tuple[str, ...], _Handler] = {
    ("GET", "users", "@me"): FakeDiscord._get_me,
    ("GET", "oauth2", "applications", "@me"): FakeDiscord._get_application,
    ("GET", "gateway", "bot"): FakeDiscord._get_gateway_bot,
    ("GET", "gateway"): FakeDiscord._get_gateway,
    ("POST", "channels", "{}", "messages"): FakeDiscord._post_message,
    ("GET", "channels", "{}"): FakeDiscord._get_channel,
    ("GET", "channels", "{}", "messages", "{}"): FakeDiscord._get_message,
    ("PATCH", "channels", "{}", "messages", "{}"): FakeDiscord._patch_message,
    ("DELETE", "channels", "{}", "messages", "{}"): FakeDiscord._delete_message,
    ("POST", "users", "@me", "channels"): FakeDiscord._create_dm,
    ("GET", "guilds", "{}", "members", "{}"): FakeDiscord._get_member,
    ("PATCH", "guilds", "{}", "members", "{}"): FakeDiscord._patch_member,
    ("PUT", "guilds", "{}", "bans", "{}"): FakeDiscord._put_ban,
    ("PUT", "applications", "{}", "commands"): FakeDiscord._put_commands,
    ("GET", "applications", "{}", "commands"): FakeDiscord._get_commands,
    ("POST", "interactions", "{}", "{}", "callback"): FakeDiscord._interaction_callback,
    ("POST", "webhooks", "{}", "{}"): FakeDiscord._followup,
    ("PATCH", "webhooks", "{}", "{}", "messages", "@original"): FakeDiscord._edit_original,
}

