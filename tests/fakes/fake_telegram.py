"""A fake Telegram Bot API server for tests: aiohttp on 127.0.0.1, no network.

It speaks the wire format python-telegram-bot uses (form-encoded or multipart POSTs to
``/bot<token>/<method>``, JSON-encoded non-string fields, ``{"ok": ..., "result": ...}`` replies),
so a real ``Application`` (polling or webhook) runs unmodified against it.

What it offers a test:

- ``push_update(raw)`` queues an update for ``getUpdates`` (long poll, woken at once; polls
  themselves are not recorded as calls);
- builders for realistic payloads (``group_message``, ``private_message``, ``callback_query``,
  ``business_connection``, ``business_message``...), accepted by ``Update.de_json``;
- ``calls`` records every API call with its decoded parameters; ``wait_for(method, after=n)``
  waits on a condition, never a sleep;
- ``fail_next(method, code, ...)`` makes the next call(s) of a method fail (429 with
  ``retry_after``, 400, 403, 500);
- chat members and admins (``set_member``; restrict/ban calls update them), private chats
  users have started (DMs to anyone else get Telegram's 403), business connections; a reply
  (``reply_parameters``) to a pushed message carries it as ``reply_to_message``, as Telegram does;
- ``stop()`` releases pending long polls, and ``start()`` again on the same port models an outage.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

JSON = dict[str, Any]

BOT_ID = 999_000
BOT_USERNAME = "modbot_test_bot"


@dataclass
class Call:
    """One API call the bot made."""

    method: str
    params: JSON
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    """The HTTP status the fake answered with (429, 403... for failures it produced)."""

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None
    times: int


GROUP_DEFAULT_PERMISSIONS: JSON = {
    "can_send_messages": True, "can_send_audios": True, "can_send_documents": True,
    "can_send_photos": True, "can_send_videos": True, "can_send_video_notes": True,
    "can_send_voice_notes": True, "can_send_polls": False, "can_send_other_messages": True,
    "can_add_web_page_previews": True, "can_change_info": False, "can_invite_users": True,
    "can_pin_messages": False, "can_manage_topics": False,
}
"""A group's default member permissions as ``getChat`` reports them (polls turned off)."""


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def user(user_id: int, first_name: str = "User", *, username: str | None = None,
         language_code: str | None = "en", is_bot: bool = False) -> JSON:
    """A Telegram ``User`` payload."""
    data: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def group_chat(chat_id: int = -100123, title: str = "Test group", *, forum: bool = False) -> JSON:
    data: JSON = {"id": chat_id, "type": "supergroup", "title": title}
    if forum:
        data["is_forum"] = True
    return data


def private_chat(of_user: JSON) -> JSON:
    return {"id": of_user["id"], "type": "private", "first_name": of_user["first_name"]}


class FakeTelegram:
    """The fake server. Use ``async with FakeTelegram() as fake:`` or ``start()``/``stop()``."""

    def __init__(self, token: str = "123456:TEST-token", *, port: int = 0) -> None:
        self.token = token
        self.port = port
        self.bot_user = user(BOT_ID, "Modbot", username=BOT_USERNAME, language_code=None,
                             is_bot=True)
        self.calls: list[Call] = []
        self.webhook: JSON | None = None
        self.started_private_chats: set[int] = set()
        self.business_connections: dict[str, JSON] = {}
        self.group_permissions: JSON | None = dict(GROUP_DEFAULT_PERMISSIONS)
        """What ``getChat`` says members of a group may do (``None``: the field is left out)."""
        self._members: dict[tuple[int, int], JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._failures: dict[str, list[_Failure]] = {}
        self._changed: asyncio.Condition | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        """Serve on 127.0.0.1 (the same port again after a ``stop()``: an outage ends)."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        if self.port == 0:
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once so shutdown is quick."""
        self._closing = True
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    # -- test controls ---------------------------------------------------------------------

    def push_update(self, update: JSON) -> JSON:
        """Queue an update (``update_id`` added when missing) and wake pending long polls."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        for kind in ("message", "edited_message", "business_message"):
            msg = update.get(kind)
            if isinstance(msg, dict) and isinstance(msg.get("chat"), dict):
                self._messages[(msg["chat"].get("id"), msg.get("message_id"))] = msg
        if self._changed is not None:
            asyncio.get_running_loop().create_task(self._notify())
        return update

    def fail_next(self, method: str, code: int = 429, description: str = "", *,
                  retry_after: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``code``."""
        if not description:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                400: "Bad Request: message can't be deleted",
                403: "Forbidden: bot was kicked from the group chat",
            }.get(code, "Internal Server Error")
        if code == 429 and retry_after is None:
            retry_after = 1
        self._failures.setdefault(method, []).append(_Failure(code, description, retry_after,
                                                              times))

    def set_member(self, chat_id: int, member: JSON, status: str = "member") -> None:
        """Record someone's status in a chat (``creator``, ``administrator``, ``member``...)."""
        self._members[(chat_id, member["id"])] = _chat_member(member, status)

    def status_of(self, chat_id: int, user_id: int) -> str:
        """Someone's status in a chat as the fake knows it (``left`` when unknown)."""
        return str(self._members.get((chat_id, user_id), {}).get("status", "left"))

    def start_private_chat(self, user_id: int) -> None:
        """The user has pressed Start in a private chat with the bot, so it may DM them."""
        self.started_private_chats.add(user_id)

    def calls_to(self, method: str, *, after: int = 0, ok: bool | None = None) -> list[Call]:
        """Calls of ``method`` from index ``after``; ``ok=True`` keeps the ones that succeeded."""
        return [c for c in self.calls[after:]
                if c.method == method and (ok is None or c.ok == ok)]

    async def wait_for(self, method: str, *, after: int = 0, timeout: float = 5.0,
                       where: Callable[[Call], bool] | None = None) -> Call:
        """The first call of ``method`` at index >= ``after`` (matching ``where``), waiting
        on the server's condition until it arrives or ``timeout`` seconds pass."""
        assert self._changed is not None, "start() the fake first"

        def found() -> Call | None:
            for call in self.calls[after:]:
                if call.method == method and (where is None or where(call)):
                    return call
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
        result = found()
        assert result is not None
        return result

    # -- payload builders ------------------------------------------------------------------

    def message(self, text: str | None, *, sender: JSON, chat: JSON, message_id: int | None = None,
                reply_to: JSON | None = None, entities: list[JSON] | None = None,
                thread_id: int | None = None, **extra: Any) -> JSON:
        """A ``Message`` payload; the date is now."""
        data: JSON = {
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
        }
        if text is not None:
            data["text"] = text
        if reply_to is not None:
            data["reply_to_message"] = reply_to
        if entities:
            data["entities"] = entities
        if thread_id is not None:
            data["message_thread_id"] = thread_id
            data["is_topic_message"] = True
        data.update(extra)
        return data

    def group_message(self, text: str | None, *, sender: JSON, chat: JSON | None = None,
                      **kwargs: Any) -> JSON:
        """An update carrying a group message."""
        return {"message": self.message(text, sender=sender, chat=chat or group_chat(), **kwargs)}

    def edited_group_message(self, original: JSON, new_text: str) -> JSON:
        msg = dict(original["message"])
        msg["text"] = new_text
        msg["edit_date"] = int(time.time()) + 1
        return {"edited_message": msg}

    def private_message(self, text: str | None, *, sender: JSON, **kwargs: Any) -> JSON:
        return {"message": self.message(text, sender=sender, chat=private_chat(sender), **kwargs)}

    def command(self, command_text: str, *, sender: JSON, chat: JSON) -> JSON:
        """A message starting with a bot command (``/name args``)."""
        name = command_text.split()[0]
        return {"message": self.message(
            command_text, sender=sender, chat=chat,
            entities=[{"type": "bot_command", "offset": 0, "length": len(name)}])}

    def forwarded_private_message(self, text: str, *, sender: JSON,
                                  original_sender: JSON | None = None,
                                  hidden_name: str | None = None) -> JSON:
        """A message the user forwards to the bot from another chat."""
        if original_sender is not None:
            origin: JSON = {"type": "user", "date": int(time.time()) - 60,
                            "sender_user": original_sender}
        else:
            origin = {"type": "hidden_user", "date": int(time.time()) - 60,
                      "sender_user_name": hidden_name or "Hidden"}
        return self.private_message(text, sender=sender, forward_origin=origin)

    def callback_query(self, data: str, *, presser: JSON, message: JSON,
                       query_id: str | None = None) -> JSON:
        """A button press on ``message`` (a message payload the bot sent)."""
        return {"callback_query": {
            "id": query_id or f"cq{next(self._update_ids)}",
            "from": presser,
            "chat_instance": "ci-1",
            "message": message,
            "data": data,
        }}

    def business_connection(self, connection_id: str, owner: JSON, *,
                            enabled: bool = True) -> JSON:
        """The owner connects (or disconnects) the bot to their business account."""
        connection = {
            "id": connection_id,
            "user": owner,
            "user_chat_id": owner["id"],
            "date": int(time.time()),
            "is_enabled": enabled,
            "rights": {"can_reply": False},
        }
        self.business_connections[connection_id] = connection
        return {"business_connection": connection}

    def business_message(self, connection_id: str, text: str, *, sender: JSON,
                         owner: JSON) -> JSON:
        """A private message in the owner's chat with ``sender`` (either side)."""
        other = sender if sender["id"] != owner["id"] else None
        chat = private_chat(other or owner)
        msg = self.message(text, sender=sender, chat=chat, business_connection_id=connection_id)
        return {"business_message": msg}

    def sent_message(self, call: Call) -> JSON:
        """The message payload the fake returned for a sendMessage/editMessageText call."""
        return call.params["_result"]

    # -- the API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params: JSON = {}
        files: dict[str, bytes] = {}
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = _decode(str(value))
        call = Call(method, params, files)
        failure = self._take_failure(method)
        if failure is not None:
            call.status = failure.code
            self.calls.append(call)
            await self._notify()
            return _error(failure.code, failure.description, failure.retry_after)
        if method == "getUpdates":
            return await self._get_updates(params)
        self.calls.append(call)
        try:
            result = self._result(method, params)
        except _ApiError as exc:
            call.status = exc.code
            await self._notify()
            return _error(exc.code, exc.description)
        params["_result"] = result
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    async def _get_updates(self, params: JSON) -> web.Response:
        assert self._changed is not None
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u.get("update_id", 0) >= offset]
        async with self._changed:
            while not self._updates and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    break
        return web.json_response({"ok": True, "result": self._updates[:limit]})

    def _result(self, method: str, p: JSON) -> Any:
        if method == "getMe":
            return {**self.bot_user, "can_join_groups": True,
                    "can_read_all_group_messages": True, "supports_inline_queries": False}
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "setWebhook":
            self.webhook = {k: v for k, v in p.items() if not k.startswith("_")}
            return True
        if method in ("sendMessage", "sendDocument"):
            return self._send(p)
        if method == "editMessageText":
            msg = self._message_result(int(p["chat_id"]), int(p["message_id"]))
            msg["text"] = p.get("text", "")
            msg["edit_date"] = int(time.time())
            if "reply_markup" in p:
                msg["reply_markup"] = p["reply_markup"]
            return msg
        if method == "editMessageReplyMarkup":
            msg = self._message_result(int(p["chat_id"]), int(p["message_id"]))
            if "reply_markup" in p:
                msg["reply_markup"] = p["reply_markup"]
            return msg
        if method in ("restrictChatMember", "banChatMember"):
            key = (int(p["chat_id"]), int(p["user_id"]))
            known = self._members.get(key, {}).get("user") or user(int(p["user_id"]))
            status = "kicked"
            if method == "restrictChatMember":
                # Rights that let the member write again end the restriction, as Telegram does
                # when they equal the chat's defaults.
                lifted = (p.get("permissions") or {}).get("can_send_messages") is True
                status = "member" if lifted else "restricted"
            self._members[key] = _chat_member(known, status)
            return True
        if method == "getChatMember":
            key = (int(p["chat_id"]), int(p["user_id"]))
            if key in self._members:
                return self._members[key]
            return _chat_member(user(int(p["user_id"])), "left")
        if method == "getChatAdministrators":
            chat_id = int(p["chat_id"])
            return [m for (c, _), m in self._members.items()
                    if c == chat_id and m["status"] in ("creator", "administrator")]
        if method == "getBusinessConnection":
            connection = self.business_connections.get(str(p["business_connection_id"]))
            if connection is None:
                raise _ApiError(400, "Bad Request: business connection not found")
            return connection
        if method == "getChat":
            chat_id = int(p["chat_id"])
            chat: JSON = {
                "id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False}}
            if chat_id < 0 and self.group_permissions is not None:
                chat["permissions"] = self.group_permissions
            return chat
        return True

    def _send(self, p: JSON) -> JSON:
        chat_id = int(p["chat_id"])
        if chat_id > 0 and chat_id not in self.started_private_chats:
            raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        msg = self._message_result(chat_id, next(self._message_ids))
        if "text" in p:
            msg["text"] = p["text"]
        if "caption" in p:
            msg["caption"] = p["caption"]
        if "reply_markup" in p:
            msg["reply_markup"] = p["reply_markup"]
        if "message_thread_id" in p:
            msg["message_thread_id"] = p["message_thread_id"]
        replied = p.get("reply_parameters")
        if isinstance(replied, dict):
            original = self._messages.get((int(replied.get("chat_id", chat_id)),
                                           int(replied["message_id"])))
            if original is not None:
                msg["reply_to_message"] = original
        return msg

    def _message_result(self, chat_id: int, message_id: int) -> JSON:
        chat: JSON = ({"id": chat_id, "type": "private", "first_name": "User"} if chat_id > 0
                      else group_chat(chat_id))
        return {"message_id": message_id, "date": int(time.time()), "chat": chat,
                "from": self.bot_user}


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: JSON = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
)


_RESTRICTED_RIGHTS = (
    "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
    "can_send_polls", "can_send_other_messages", "can_add_web_page_previews", "can_manage_topics",
    "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_edit_tag", "can_react_to_messages",
)


def _chat_member(member: JSON, status: str) -> JSON:
    data: JSON = {"user": member, "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update({right: right not in ("can_be_edited", "is_anonymous")
                     for right in _ADMIN_RIGHTS})
    elif status == "restricted":
        data.update({"is_member": True, "until_date": 0})
        data.update({right: False for right in _RESTRICTED_RIGHTS})
    elif status == "kicked":
        data["until_date"] = 0
    return data
