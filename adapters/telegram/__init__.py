"""Telegram adapter: protects groups, escalates to a moderators' chat with inline buttons,
answers forwarded messages in private, and checks Telegram Business chats with the owner's consent.

Only this package imports python-telegram-bot; ``convert`` is the one place its objects become
core values. Entry points: ``TelegramConfig`` and ``TelegramAdapter`` (``app``).
"""

from adapters.telegram.app import TelegramAdapter, TelegramStartError, build_application, make_bot
from adapters.telegram.config import TelegramConfig

__all__ = [
    "TelegramAdapter", "TelegramConfig", "TelegramStartError", "build_application", "make_bot",
]
