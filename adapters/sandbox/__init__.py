"""The local sandbox platform: a simulated community in the browser, and the replay's platform.

- :class:`~adapters.sandbox.actions.SandboxActions`: the :class:`PlatformActions` that record
  effects in an in-memory :class:`~adapters.sandbox.feed.SandboxFeed` (no web server needed).
- :func:`~adapters.sandbox.convert.replay_line_to_message`: a ``replay`` line to a message.
- :class:`~adapters.sandbox.web.SandboxAdapter`: the web page and JSON API (Starlette).
"""

from adapters.sandbox.actions import SandboxActions
from adapters.sandbox.convert import replay_line_to_message
from adapters.sandbox.feed import FeedEvent, SandboxFeed

__all__ = ["FeedEvent", "SandboxActions", "SandboxFeed", "replay_line_to_message"]
