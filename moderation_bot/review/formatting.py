"""Small display helpers used as Jinja2 filters: durations, ages and times in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def duration(seconds: float | None) -> str:
    """``3 min``, ``5 h``, ``2 days``, ``3 years``; ``unknown`` when not known."""
    if seconds is None:
        return "unknown"
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    days = seconds / 86400
    if days < 2:
        return "1 day"
    if days < 60:
        return f"{int(days)} days"
    if days < 730:
        return f"{int(days // 30)} months"
    return f"{int(days // 365)} years"


def when(moment: datetime | None) -> str:
    """An unambiguous UTC time, e.g. ``2026-11-29 10:45 UTC``."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime | None) -> str:
    """Machine-readable time for ``<time datetime=...>``."""
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "—"
    delta: timedelta = now - moment
    return duration(delta.total_seconds()) + " ago"


def label_name(label: str) -> str:
    """``image_request`` -> ``image request``."""
    return label.replace("_", " ")
