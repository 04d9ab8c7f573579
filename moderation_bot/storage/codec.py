"""JSON encoding of the small structured values kept in text columns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from moderation_bot.core.types import UserRef


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loads(text: str) -> Any:
    return json.loads(text)


def users_to_json(users: Iterable[UserRef]) -> str:
    return dumps([{"platform": u.platform, "id": u.id, "name": u.name} for u in users])


def users_from_json(text: str) -> tuple[UserRef, ...]:
    return tuple(UserRef(u["platform"], u["id"], u.get("name", "")) for u in loads(text))


def user_to_dict(user: UserRef) -> dict[str, str]:
    return {"platform": user.platform, "id": user.id, "name": user.name}


def user_from_dict(data: Mapping[str, Any]) -> UserRef:
    return UserRef(str(data["platform"]), str(data["id"]), str(data.get("name", "")))


def scores_to_json(scores: Mapping[str, float]) -> str:
    return dumps({label: round(float(score), 6) for label, score in scores.items()})
