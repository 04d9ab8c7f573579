"""A safety bot for Discord and Telegram that protects people from sextortion and grooming."""

__version__ = "0.1.0"
