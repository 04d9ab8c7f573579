"""The Discord side of :class:`~moderation_bot.core.ports.PlatformActions`.

The dispatcher calls these to warn people, delete messages, time out or ban senders and keep the
moderators' case card up to date. Results follow one rule: ``ok=False`` (with a short ``detail``)
means Discord refused for a reason a retry will not fix (missing permission, unknown member, DMs
closed with nowhere to fall back to); a transient failure (5xx after discord.py's own retries, a
network error) raises, so the dispatcher retries later. Messages carry the idempotency key as a
nonce with ``enforce_nonce``, so Discord drops a duplicate send.

DMs closed (error 50007): the person gets a short notice in the channel where they were last seen
in the conversation (remembered by :meth:`remember`), mentioning them without repeating the
warning. That memory is in-process and bounded; when it knows nothing (after a restart, or in a
worker process that never sees messages) the notice goes to the channel the dispatcher names as
where the message was sent, provided that channel belongs to the same server. With neither, the
fallback reports ``dms_closed``.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from datetime import timedelta

import discord

from adapters.discord.catalog import Strings
from adapters.discord.convert import PLATFORM, format_ref, parse_ref
from adapters.discord.embeds import case_embed, notice_embed
from adapters.discord.views import case_view, fine_view
from moderation_bot.core.types import (
    CaseReport,
    DeliveryResult,
    IncomingMessage,
    MessageRef,
    Notice,
    UserRef,
)

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
UNKNOWN_MESSAGE = 10008
MAX_TIMEOUT_S = 28 * 24 * 3600
_NONCE_LENGTH = 25  # Discord's maximum


def nonce_for(idempotency_key: str) -> str:
    """A Discord message nonce (at most 25 characters) derived from an idempotency key."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:_NONCE_LENGTH]


class DiscordActions:
    """Performs effects through a connected discord.py client (attached by ``build_client``)."""

    def __init__(self, strings: Strings | None = None, *, moderator_locale: str = "en",
                 remembered_people: int = 50_000) -> None:
        self._client: discord.Client | None = None
        self._strings = strings or Strings.load()
        self._moderator_locale = moderator_locale
        self._limit = remembered_people
        self._last_channel: OrderedDict[tuple[str, str], int] = OrderedDict()

    @property
    def platform(self) -> str:
        return PLATFORM

    def attach(self, client: discord.Client) -> None:
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("DiscordActions is not attached to a client yet")
        return self._client

    def remember(self, message: IncomingMessage) -> None:
        """Note where the sender and recipients were last seen, for the DMs-closed fallback."""
        for person in (message.sender, *message.recipients):
            key = (message.community_id, person.id)
            self._last_channel.pop(key, None)
            self._last_channel[key] = int(message.channel_id)
        while len(self._last_channel) > self._limit:
            self._last_channel.popitem(last=False)

    # ---------------------------------------------------------------- private notices

    async def send_private(
        self, user: UserRef, notice: Notice, *, community_id: str, idempotency_key: str,
        channel_id: str | None = None, conversation_id: str | None = None,
    ) -> DeliveryResult:
        """A DM with the notice; when DMs are closed, a short mention in a server channel (see
        the module docstring). ``channel_id`` is the fallback's hint; ``conversation_id`` is not
        needed on Discord (a thread is a channel of its own)."""
        if not user.id.isdigit():
            return DeliveryResult(False, detail="not_a_discord_user")
        try:
            dm = await self.client.create_dm(discord.Object(int(user.id)))
            sent = await dm.send(
                embed=notice_embed(notice, self._strings),
                view=fine_view(notice, community_id, self._strings),
                nonce=nonce_for(idempotency_key),
            )
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                return DeliveryResult(False, detail=f"forbidden:{error.code}")
            return await self._channel_fallback(user, notice, community_id, idempotency_key,
                                                channel_id)
        except discord.NotFound:
            return DeliveryResult(False, detail="unknown_user")
        except discord.HTTPException as error:
            if error.status == 400:
                return DeliveryResult(False, detail=f"rejected:{error.code}")
            raise
        return DeliveryResult(True, ref=format_ref(sent.channel.id, sent.id))

    async def _channel_fallback(
        self, user: UserRef, notice: Notice, community_id: str, idempotency_key: str,
        hinted: str | None,
    ) -> DeliveryResult:
        # The memory knows where the person was seen most recently; the hint is the channel of
        # the message that caused the notice, possibly older.
        channel_id = self._last_channel.get((community_id, user.id))
        if channel_id is None:
            found = await self._hinted_channel(community_id, hinted)
            if isinstance(found, DeliveryResult):
                return found
            channel_id = found
        if channel_id is None:
            log.info("dm closed and no channel known", extra={"user_id": user.id})
            return DeliveryResult(False, detail="dms_closed")
        channel = self.client.get_partial_messageable(
            channel_id, guild_id=int(community_id) if community_id.isdigit() else None
        )
        target = discord.Object(int(user.id))
        try:
            sent = await channel.send(
                self._strings.text("dm_closed_fallback", notice.locale, mention=f"<@{user.id}>"),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[target], replied_user=False
                ),
                nonce=nonce_for(idempotency_key + ":channel"),
            )
        except (discord.Forbidden, discord.NotFound) as error:
            return DeliveryResult(False, detail=f"dms_closed;fallback_failed:{error.code}")
        return DeliveryResult(True, ref=format_ref(channel_id, sent.id), detail="dms_closed")

    async def _hinted_channel(
        self, community_id: str, hinted: str | None
    ) -> int | DeliveryResult | None:
        """The hinted channel's id when it is a channel of this server; ``None`` when there is no
        usable hint; a failed result when Discord will not show the channel."""
        if not (hinted and hinted.isdigit() and community_id.isdigit()):
            return None
        channel = self.client.get_channel(int(hinted))
        if channel is None:  # a worker has no cache: ask Discord which server it belongs to
            try:
                channel = await self.client.fetch_channel(int(hinted))
            except (discord.Forbidden, discord.NotFound) as error:
                return DeliveryResult(False, detail=f"dms_closed;fallback_failed:{error.code}")
        guild = getattr(channel, "guild", None)
        if guild is None or guild.id != int(community_id):
            log.info("dm closed and the hinted channel is in another server",
                     extra={"channel_id": hinted})
            return None
        return int(hinted)

    # ---------------------------------------------------------------- messages and members

    async def delete_message(self, message: MessageRef, *, idempotency_key: str) -> DeliveryResult:
        if not (message.channel_id.isdigit() and message.message_id.isdigit()):
            return DeliveryResult(False, detail="not_a_discord_message")
        channel = self.client.get_partial_messageable(
            int(message.channel_id),
            guild_id=int(message.community_id) if message.community_id.isdigit() else None,
        )
        try:
            await channel.get_partial_message(int(message.message_id)).delete()
        except discord.NotFound:
            return DeliveryResult(True, detail="already_deleted")
        except discord.Forbidden as error:
            return DeliveryResult(False, detail=f"forbidden:{error.code}")
        return DeliveryResult(True, ref=format_ref(message.channel_id, message.message_id))

    async def timeout_user(
        self, community_id: str, user: UserRef, seconds: int, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        duration = timedelta(seconds=max(1, min(int(seconds), MAX_TIMEOUT_S)))
        return await self._set_timeout(community_id, user, duration, reason)

    async def lift_timeout(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        """Remove the member's timeout (``communication_disabled_until`` set to null)."""
        return await self._set_timeout(community_id, user, None, reason)

    async def _set_timeout(
        self, community_id: str, user: UserRef, duration: timedelta | None, reason: str
    ) -> DeliveryResult:
        member = await self._member(community_id, user)
        if isinstance(member, DeliveryResult):
            return member
        try:
            await member.timeout(duration, reason=reason[:512])
        except discord.Forbidden as error:
            return DeliveryResult(False, detail=f"forbidden:{error.code}")
        except discord.NotFound:
            return DeliveryResult(False, detail="unknown_member")
        return DeliveryResult(True)

    async def ban_user(
        self, community_id: str, user: UserRef, *, reason: str, idempotency_key: str
    ) -> DeliveryResult:
        guild = await self._guild(community_id)
        if guild is None or not user.id.isdigit():
            return DeliveryResult(False, detail="unknown_guild_or_user")
        try:
            await guild.ban(discord.Object(int(user.id)), reason=reason[:512],
                            delete_message_seconds=0)
        except discord.Forbidden as error:
            return DeliveryResult(False, detail=f"forbidden:{error.code}")
        except discord.NotFound:
            return DeliveryResult(False, detail="unknown_user")
        return DeliveryResult(True)

    async def _guild(self, community_id: str) -> discord.Guild | None:
        if not community_id.isdigit():
            return None
        guild = self.client.get_guild(int(community_id))
        if guild is not None:
            return guild
        try:
            return await self.client.fetch_guild(int(community_id))
        except (discord.NotFound, discord.Forbidden):
            return None

    async def _member(self, community_id: str, user: UserRef) -> discord.Member | DeliveryResult:
        guild = await self._guild(community_id)
        if guild is None or not user.id.isdigit():
            return DeliveryResult(False, detail="unknown_guild_or_user")
        member = guild.get_member(int(user.id))
        if member is not None:
            return member
        try:
            return await guild.fetch_member(int(user.id))
        except discord.NotFound:
            return DeliveryResult(False, detail="unknown_member")
        except discord.Forbidden as error:
            return DeliveryResult(False, detail=f"forbidden:{error.code}")

    # ---------------------------------------------------------------- the case card

    async def post_case(
        self, report: CaseReport, *, channel_id: str | None, existing_ref: str | None,
        idempotency_key: str,
    ) -> DeliveryResult:
        """Edit the case card at ``existing_ref`` or post a new one to ``channel_id``."""
        locale = self._moderator_locale
        embed = case_embed(report, self._strings, locale)
        view = case_view(report, self._strings, locale)
        existing = parse_ref(existing_ref) if existing_ref else None
        if existing is not None:
            channel = self.client.get_partial_messageable(existing[0])
            try:
                await channel.get_partial_message(existing[1]).edit(embed=embed, view=view)
                return DeliveryResult(True, ref=existing_ref)
            except discord.NotFound:
                log.info("case card gone, posting a new one", extra={"case_id": report.case_id})
            except discord.Forbidden as error:
                return DeliveryResult(False, detail=f"forbidden:{error.code}")
        if channel_id is None or not channel_id.isdigit():
            return DeliveryResult(False, detail="no_moderator_channel")
        channel = self.client.get_partial_messageable(
            int(channel_id), guild_id=int(report.community_id)
            if report.community_id.isdigit() else None,
        )
        try:
            sent = await channel.send(
                embed=embed, view=view, nonce=nonce_for(idempotency_key),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden as error:
            return DeliveryResult(False, detail=f"forbidden:{error.code}")
        except discord.NotFound:
            return DeliveryResult(False, detail="unknown_moderator_channel")
        return DeliveryResult(True, ref=format_ref(channel_id, sent.id))
