"""Core types and ports: the only part of ``moderation_bot`` that other packages may import."""
