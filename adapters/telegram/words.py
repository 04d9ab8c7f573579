"""The adapter's own words (buttons, refusals, short notes), loaded from ``words.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

DEFAULT_LOCALE = "en"


class Words:
    """Short texts keyed by locale then key; unknown locales and keys fall back to English."""

    def __init__(self, catalog: Mapping[str, Mapping[str, str]]) -> None:
        if DEFAULT_LOCALE not in catalog:
            raise ValueError(f"the words catalog needs a '{DEFAULT_LOCALE}' block")
        self._catalog = MappingProxyType({
            locale: MappingProxyType({str(k): str(v) for k, v in entries.items()})
            for locale, entries in catalog.items()
        })

    @classmethod
    def load(cls, path: Path | None = None) -> Words:
        """Read the catalog shipped with the adapter (or another YAML file of the same shape)."""
        path = path or Path(__file__).with_name("words.yaml")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError(f"{path}: expected a mapping of locale -> mapping of key -> text")
        return cls(data)

    def get(self, key: str, locale: str | None = None, /, **fields: object) -> str:
        """The text for ``key`` in ``locale`` (``pt-BR`` tries ``pt-BR``, ``pt``, then English),
        with ``{placeholders}`` filled from ``fields``."""
        for candidate in _candidates(locale):
            entries = self._catalog.get(candidate)
            if entries is not None and key in entries:
                text = entries[key]
                return text.format(**fields) if fields else text
        raise KeyError(f"no words for {key!r}")


def _candidates(locale: str | None) -> list[str]:
    if not locale:
        return [DEFAULT_LOCALE]
    locale = locale.replace("_", "-")
    names = [locale, locale.lower(), locale.split("-")[0].lower(), DEFAULT_LOCALE]
    return list(dict.fromkeys(names))
