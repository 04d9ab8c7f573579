"""docker-compose.yml, the Dockerfile, .env.example and the README agree with the code.

There is no Docker engine on the build machine, so the files are checked here, not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from moderation_bot.cli import build_parser
from moderation_bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {f"MODBOT_{name.upper()}" for name in Settings.model_fields}


def cli_commands() -> set[str]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    return set(commands.choices)  # type: ignore[arg-type]


def run_roles() -> set[str]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    run = commands.choices["run"]  # type: ignore[index]
    (role,) = [a for a in run._actions if a.dest == "role"]
    return set(role.choices)  # type: ignore[arg-type]


COMPOSE_FILES = ["docker-compose.yml", "docker-compose.single.yml"]
SECRET_WORDS = ("TOKEN", "PASSWORD", "SECRET")


def _ours(service: dict[str, object]) -> bool:
    return str(service.get("image", "")).startswith("moderation-bot") or "build" in service


@pytest.mark.parametrize("filename", COMPOSE_FILES)
def test_compose_services_use_real_commands_and_settings(filename: str) -> None:
    compose = yaml.safe_load((ROOT / filename).read_text())
    assert compose["services"], "no services"
    for name, service in compose["services"].items():
        assert "healthcheck" in service, name
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose.get("volumes", {}), volume
        for variable, value in service.get("environment", {}).items():
            # Secrets, and URLs with credentials, only as ${...} from the env file.
            secret = any(word in variable for word in SECRET_WORDS) or "@" in str(value)
            assert not secret or "${" in str(value), f"{name}: {variable} is written inline"
        if not _ours(service):
            continue
        command = service["command"]
        assert command[0] == "moderation-bot" and command[1] in cli_commands(), name
        if "--role" in command:
            assert command[command.index("--role") + 1] in run_roles(), name
        for variable in service.get("environment", {}):
            assert variable in SETTING_NAMES, f"{name}: {variable} is not a setting"


def test_scale_out_compose_has_every_part() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    roles = {name: s["command"][s["command"].index("--role") + 1]
             for name, s in services.items() if _ours(s)}
    assert sorted(roles.values()) == ["gateway", "gateway", "web", "worker"]
    gateways = {services[n]["environment"]["MODBOT_GATEWAY_PLATFORMS"]
                for n, r in roles.items() if r == "gateway"}
    assert gateways == {"discord", "telegram"}
    assert {"postgres", "redis"} <= set(services)
    for name in roles:
        assert {"postgres", "redis"} <= set(services[name]["depends_on"]), name
        assert services[name]["env_file"], name
    assert "ports" not in services["worker"], "workers are scaled: no fixed host port"


def test_dockerfile_installs_every_package_without_torch() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("moderation_bot", "classifiers", "policies", "adapters"):
        assert f"COPY {package} " in dockerfile
    assert "torch" not in dockerfile.replace("no torch", "")
    (cmd,) = re.findall(r'^CMD \["moderation-bot", "(\w[\w-]*)"\]', dockerfile, re.MULTILINE)
    assert cmd in cli_commands()
    for variable in re.findall(r"(MODBOT_\w+)=", dockerfile):
        assert variable in SETTING_NAMES


def test_env_example_and_readme_name_only_real_settings() -> None:
    example = set(re.findall(r"(MODBOT_\w+)=", (ROOT / ".env.example").read_text()))
    assert example <= SETTING_NAMES
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`(MODBOT_[A-Z_]+)`", readme))
    assert documented <= SETTING_NAMES, documented - SETTING_NAMES
    assert SETTING_NAMES <= documented, f"undocumented: {SETTING_NAMES - documented}"


def test_torch_is_pinned_and_kept_out_of_the_runtime() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("torch") for dep in project["dependencies"])
    for extra in project["optional-dependencies"].values():
        for dep in extra:
            if dep.startswith("torch"):
                assert dep == "torch==2.13.0"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
