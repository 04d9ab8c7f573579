"""Loading and checking policy packs, with errors an admin can act on.

Every problem names the file, the line (YAML line numbers are kept from the parse) and the key,
says what is wrong in plain words, and gives a hint where one helps::

    teen.yaml:9: flag_thresholds.groming: unknown label 'groming' (hint: did you mean 'grooming'?)

Nothing here raises a traceback at the user for a bad file: broken YAML, an empty or binary file,
unknown keys, wrong types, unknown labels or effects and out-of-range thresholds all come back as
:class:`PolicyProblem` values (from :func:`check_policies`) or one :class:`PolicyError` listing them
(from :func:`load_pack`).
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from policies.schema import PolicyPack, did_you_mean

BUILTIN_PACKS: tuple[str, ...] = ("default", "teen", "adult-dating")
MAX_FILE_BYTES = 1 << 20
MAX_NODES = 20_000
"""Bounds a pack's size after YAML aliases are expanded (a policy pack is a few hundred nodes)."""

_Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One thing wrong with a policy file. ``line`` is 1-based, ``None`` when no line applies."""

    file: str
    line: int | None
    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where, self.key, self.message] if self.key else [where, self.message]
        text = ": ".join(parts)
        return f"{text} (hint: {self.hint})" if self.hint else text


class PolicyError(Exception):
    """A policy pack could not be loaded; ``problems`` says every reason, one per line."""

    def __init__(self, problems: list[PolicyProblem] | tuple[PolicyProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_pack(name_or_path: str | Path) -> PolicyPack:
    """A built-in pack by name (``default``, ``teen``, ``adult-dating``) or a pack file by path.

    Raises :class:`PolicyError` when the name is unknown or the file has problems.
    """
    if isinstance(name_or_path, str) and name_or_path in BUILTIN_PACKS:
        return _load_builtin(name_or_path)
    path = Path(name_or_path)
    if isinstance(name_or_path, str) and not _looks_like_path(name_or_path):
        raise PolicyError(
            [
                PolicyProblem(
                    name_or_path,
                    None,
                    "",
                    "no built-in policy pack has this name and no such file exists",
                    did_you_mean(name_or_path, BUILTIN_PACKS),
                )
            ]
        )
    pack, problems = _check_file(path)
    if pack is None:
        raise PolicyError(problems)
    return pack


def check_policies(path: str | Path) -> list[PolicyProblem]:
    """Every problem in one pack file, or in every ``*.yaml``/``*.yml`` file of a directory."""
    path = Path(path)
    if path.is_dir():
        files = sorted({*path.glob("*.yaml"), *path.glob("*.yml")})
        if not files:
            return [
                PolicyProblem(
                    str(path),
                    None,
                    "",
                    "no policy files here",
                    "policy packs are files ending in .yaml",
                )
            ]
        return [problem for file in files for problem in _check_file(file)[1]]
    return _check_file(path)[1]


def check_text(text: str, file: str = "<text>") -> tuple[PolicyPack | None, list[PolicyProblem]]:
    """Parse and validate a pack given as text; ``file`` names it in problems."""
    parsed = _parse_yaml(text, file)
    if isinstance(parsed, list):
        return None, parsed
    data, lines = parsed
    if not isinstance(data, dict):
        return None, [
            PolicyProblem(
                file,
                1,
                "",
                "a policy pack must be a mapping of keys to values",
                "start with 'name:', 'version:', 'flag_thresholds:' ...",
            )
        ]
    try:
        return PolicyPack.model_validate(data), []
    except ValidationError as exc:
        return None, _problems(file, exc.errors(), lines)


@functools.cache
def _load_builtin(name: str) -> PolicyPack:
    resource = resources.files("policies").joinpath("packs", f"{name}.yaml")
    label = f"policies/packs/{name}.yaml"
    pack, problems = _check_bytes(resource.read_bytes(), label)
    if pack is None:
        raise PolicyError(problems)
    return pack


def _looks_like_path(value: str) -> bool:
    return (
        "/" in value or "\\" in value or value.endswith((".yaml", ".yml")) or Path(value).exists()
    )


def _check_file(path: Path) -> tuple[PolicyPack | None, list[PolicyProblem]]:
    file = str(path)
    try:
        if not path.is_file():
            why = "is a directory, not a file" if path.is_dir() else "no such file"
            return None, [PolicyProblem(file, None, "", why)]
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [
                PolicyProblem(
                    file,
                    None,
                    "",
                    "file is too large for a policy pack",
                    f"keep it under {MAX_FILE_BYTES // 1024} KiB",
                )
            ]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [
            PolicyProblem(file, None, "", f"cannot read the file ({exc.strerror or exc})")
        ]
    return _check_bytes(raw, file)


def _check_bytes(raw: bytes, file: str) -> tuple[PolicyPack | None, list[PolicyProblem]]:
    if len(raw) > MAX_FILE_BYTES:
        return None, [PolicyProblem(file, None, "", "file is too large for a policy pack")]
    if b"\x00" in raw:
        return None, [
            PolicyProblem(
                file,
                None,
                "",
                "this is a binary file, not YAML text",
                "policy packs are UTF-8 text files",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            PolicyProblem(file, line, "", "the file is not valid UTF-8 text", "save it as UTF-8")
        ]
    return check_text(text, file)


def _parse_yaml(text: str, file: str) -> tuple[Any, dict[_Path, int]] | list[PolicyProblem]:
    """The YAML data and the line of every key and list item, or the problems that stopped it."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return [
                PolicyProblem(
                    file,
                    None,
                    "",
                    "the file is empty",
                    "a pack needs name, version, flag_thresholds, risk and policies",
                )
            ]
        lines: dict[_Path, int] = {(): node.start_mark.line + 1}
        problems: list[PolicyProblem] = []
        _index(node, (), lines, problems, file, [0])
        if problems:
            return problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "cannot read this YAML"
        return [
            PolicyProblem(
                file, mark.line + 1 if mark else None, "", f"YAML error: {what}", _yaml_hint(what)
            )
        ]
    except yaml.YAMLError as exc:
        return [PolicyProblem(file, None, "", f"YAML error: {exc}")]
    except _TooBig:
        return [
            PolicyProblem(
                file,
                None,
                "",
                "the pack is too large once YAML aliases are expanded",
                "write the policies out instead of nesting aliases",
            )
        ]
    except RecursionError:
        return [PolicyProblem(file, None, "", "the YAML is nested too deeply")]
    finally:
        loader.dispose()
    return data, lines


class _TooBig(Exception):
    pass


def _index(
    node: yaml.Node,
    path: _Path,
    lines: dict[_Path, int],
    problems: list[PolicyProblem],
    file: str,
    count: list[int],
) -> None:
    """Record the line of every key and item under ``node``; report duplicate keys."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooBig
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else str(key_node.start_mark)
            )
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                problems.append(
                    PolicyProblem(
                        file,
                        line,
                        _format_path((*path, key)),
                        f"duplicate key (first at line {seen[key]})",
                        "remove one of them",
                    )
                )
            seen.setdefault(key, line)
            lines.setdefault((*path, key), line)
            _index(value_node, (*path, key), lines, problems, file, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*path, i), item.start_mark.line + 1)
            _index(item, (*path, i), lines, problems, file, count)


def _yaml_hint(what: str) -> str:
    if "'\\t'" in what or "tab" in what:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return "put a space after ':' and quote text that contains ': '"
    if "could not find expected ':'" in what or "expected <block end>" in what:
        return "check the indentation of this line and the one before"
    return "check indentation and quoting near this line"


_TYPE_HINTS = {
    "float_type": "write a number such as 0.8, without quotes",
    "bool_type": "write true or false",
    "int_type": "write a whole number",
    "string_type": "write text",
    "tuple_type": "write a list: one '- item' per line",
    "list_type": "write a list: one '- item' per line",
    "dict_type": "write a mapping: one 'key: value' per line",
    "model_type": "write a mapping: one 'key: value' per line",
    "model_attributes_type": "write a mapping: one 'key: value' per line",
    "too_short": "add at least one item",
}


def validation_problems(file: str, exc: ValidationError) -> list[PolicyProblem]:
    """Readable problems for a pydantic error on pack data that has no YAML lines."""
    return _problems(file, exc.errors(), {})


def _problems(file: str, errors: list[Any], lines: dict[_Path, int]) -> list[PolicyProblem]:
    """One problem per validation error, minus the noise a single mistake causes: a misspelt key
    is reported once (not also as the key it should have been), and a list whose items all
    failed is not also reported as empty."""
    failed_items = {  # every list that has an item with an error
        tuple(e["loc"][:i])
        for e in errors
        for i, part in enumerate(e["loc"])
        if isinstance(part, int)
    }
    misspelt: set[_Path] = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            allowed = _fields_at(loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            if close:
                misspelt.add((*loc[:-1], close[0]))
    out = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "missing" and loc in misspelt:
            continue
        if e["type"] == "too_short" and loc in failed_items:
            continue
        out.append(_problem(file, e, lines))
    return sorted(out, key=lambda p: p.line or 0)


def _problem(file: str, error: Any, lines: dict[_Path, int]) -> PolicyProblem:
    ctx = error.get("ctx") or {}
    loc: _Path = tuple(p for p in error["loc"] if p != "[key]") + tuple(ctx.get("at", ()))
    kind = error["type"]
    hint = str(ctx.get("hint", "")) or _TYPE_HINTS.get(kind, "")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
        allowed = _fields_at(loc[:-1])
        hint = did_you_mean(loc[-1], allowed) if allowed else "remove it"
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
        hint = f"add '{loc[-1]}: ...'"
    elif kind in _RANGE_ERRORS:
        hint = _range_hint(loc)
        limit = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "below the minimum",
            "greater_than": "not above",
            "less_than_equal": "above the maximum",
            "less_than": "not below",
        }[kind]
        message = f"{error.get('input')!r} is {word} {limit}"
        if loc and loc[-1] == "duration":
            message = f"{error.get('input')!r} is longer than a timeout can be"
    elif kind == "invalid_key":
        message = f"key {loc[-1]!r} is not a name"
        hint = "keys are words such as 'name' or 'policies'; quote them if needed"
        loc = (*loc[:-1], str(loc[-1]))
    elif kind in _TYPE_WORDS:
        message = f"{error.get('input')!r} is not {_TYPE_WORDS[kind]}"
    elif kind == "too_short" and loc and loc[-1] == "effects":
        hint = "add an effect such as warn_recipient or escalate"
    line = _line_for(loc, lines, missing=kind == "missing")
    return PolicyProblem(file, line, _format_path(loc), message, hint)


_TYPE_WORDS = {
    "float_type": "a number",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "string_type": "text",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_RANGE_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})
_SCORE_KEYS = frozenset(
    {
        "min_score",
        "conversation_risk_min",
        "sender_risk_min",
        "noise_floor",
        "signal_min_score",
        "distinct_signal_bonus",
        "repeat_factor",
        "disclosure_damping",
        "forget_below",
    }
)


def _range_hint(loc: _Path) -> str:
    if not loc:
        return ""
    if loc[-1] == "duration":
        return "a timeout lasts at most 28 days ('28d')"
    if loc[-1] == "campaign_size_min":
        return "a campaign is the same text in at least 2 conversations"
    if loc[-1] == "campaign_senders_min":
        return "a campaign by several accounts needs at least 2 of them"
    if loc[-1] in _SCORE_KEYS or "flag_thresholds" in loc or "weights" in loc:
        return "scores and thresholds are between 0 and 1"
    return ""


def _line_for(loc: _Path, lines: dict[_Path, int], *, missing: bool) -> int | None:
    path = loc[:-1] if missing else loc
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _format_path(loc: _Path) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _fields_at(loc: _Path) -> tuple[str, ...]:
    """The keys allowed in the mapping at ``loc`` of a pack (empty when it is not a model)."""
    tp: Any = PolicyPack
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return ()
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tuple(tp.model_fields)
    return ()


def _step(tp: Any, part: str | int) -> Any:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field else None
    origin = typing.get_origin(tp)
    if origin in (tuple, list):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


def _strip(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        else:
            return tp
