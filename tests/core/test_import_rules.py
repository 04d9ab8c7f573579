"""The package boundaries of DESIGN.md, enforced on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_SDKS = ("discord", "telegram")


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_every_package_has_sources() -> None:
    for package in ("moderation_bot", "classifiers", "policies", "adapters"):
        assert sources(package), package


@pytest.mark.parametrize("package", ["classifiers", "policies", "adapters"])
def test_outer_packages_import_only_the_core(package: str) -> None:
    offenders = []
    for path in sources(package):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "moderation_bot" and not (name == "moderation_bot.core"
                                                or name.startswith("moderation_bot.core.")):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            if top in {"classifiers", "policies", "adapters"} - {package}:
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_platform_sdks_only_inside_their_adapter() -> None:
    offenders = []
    for package in ("moderation_bot", "classifiers", "policies", "adapters"):
        for path in sources(package):
            relative = path.relative_to(ROOT)
            for name in imports_of(path):
                top = name.split(".")[0]
                if top in PLATFORM_SDKS and relative.parts[:2] != ("adapters", top):
                    offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_only_the_composition_root_imports_adapters() -> None:
    allowed = {"app.py", "cli.py"}
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources("moderation_bot")
        for name in imports_of(path)
        if name.split(".")[0] == "adapters" and path.name not in allowed
    ]
    assert offenders == []


def test_core_imports_nothing_of_the_project_outside_core() -> None:
    for path in sources("moderation_bot/core"):
        for name in imports_of(path):
            assert name.split(".")[0] != "moderation_bot" or name.startswith("moderation_bot.core")
