"""The Discord adapter's configuration, filled by the composition root from settings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """How to connect and who counts as a moderator.

    ``sharded`` (or any ``shard_count``/``shard_ids``) selects ``discord.AutoShardedClient``;
    with ``shard_count=None`` Discord recommends the count. ``moderator_role_ids`` are roles that
    may use the moderators' buttons and commands in every server, besides members with Manage
    Server, Moderate Members or Administrator. ``sync_commands`` pushes the slash and context-menu
    commands to Discord at start-up (global commands; needed once per change).
    """

    token: str = field(repr=False)
    sharded: bool = False
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    moderator_role_ids: frozenset[int] = frozenset()
    sync_commands: bool = True
    members_intent: bool = True
    moderator_locale: str = "en"
    guild_ready_timeout: float = 2.0

    def __post_init__(self) -> None:
        if not self.token.strip():
            raise ValueError("the Discord bot token is empty")
        if self.shard_count is not None and self.shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        if self.shard_ids is not None and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count")
        if self.shard_ids is not None and self.shard_count is not None and any(
            not 0 <= shard < self.shard_count for shard in self.shard_ids
        ):
            raise ValueError("every shard id must be below shard_count")

    @property
    def uses_shards(self) -> bool:
        return self.sharded or self.shard_count is not None or self.shard_ids is not None
