"""The moderators' review web UI: queue, case pages, evidence export and statistics.

``build_review_app`` gives the ASGI app the composition root mounts at ``/review``;
``issue_signin_link`` gives a moderator a one-time sign-in link for one community.
"""

from moderation_bot.review.app import build_review_app
from moderation_bot.review.signin import issue_signin_link

__all__ = ["build_review_app", "issue_signin_link"]
