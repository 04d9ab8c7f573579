"""``moderation-bot eval``: the detector's evaluation, deciding as the policy packs do.

:mod:`classifiers.evaluate` measures the model; this module hands it the shipped policy packs
and the multilingual rules, so that its real-world section measures what ``classify`` decides.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifiers.evaluate import Decide, PackHooks
from classifiers.evaluate import main as evaluate_main
from classifiers.multilingual import MultilingualClassifier
from classifiers.onnx_model import OnnxClassifier
from classifiers.real_world import Decision
from moderation_bot.classify_text import TextChecker
from moderation_bot.core.types import CommunitySettings
from moderation_bot.policy_book import PackPolicyBook

_CHUNK = 256


def pack_hooks(policies: PackPolicyBook | None = None) -> PackHooks:
    """Decisions and flag thresholds of the shipped packs."""
    book = policies or PackPolicyBook()

    def decider(classifier: OnnxClassifier, pack: str) -> Decide:
        checker = TextChecker(MultilingualClassifier(classifier), book, pack)

        def decide(texts: Sequence[str]) -> list[Decision]:
            out: list[Decision] = []
            for start in range(0, len(texts), _CHUNK):
                for r in checker.check_batch([(t, []) for t in texts[start : start + _CHUNK]]):
                    out.append(Decision(r["flagged"], tuple(r["labels"]), r["scores"]))
            return out

        return decide

    def flag_thresholds(pack: str) -> dict[str, float]:
        resolved = book.pack(CommunitySettings("eval", "eval", policy_pack=pack))
        return dict(resolved.flag_thresholds)

    return PackHooks(decider, flag_thresholds)


def main(argv: list[str] | None = None) -> int:
    return evaluate_main(argv, pack_hooks())


if __name__ == "__main__":
    raise SystemExit(main())
