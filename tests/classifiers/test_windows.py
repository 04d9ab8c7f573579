"""Which pieces of a message are scored: whole, sentences, clauses, and runs covering long texts."""

from __future__ import annotations

from classifiers.windows import pieces


def words(text: str) -> int:
    return len(text.split())


def test_a_short_message_is_one_piece() -> None:
    assert pieces("hey whats up", words, window_tokens=10) == ["hey whats up"]
    assert pieces("   ", words, window_tokens=10) == []


def test_sentences_and_clauses_are_scored_on_their_own() -> None:
    got = pieces("lol that was fun. send nudes, my brother is on the xbox", words, window_tokens=60)
    assert got[0] == "lol that was fun. send nudes, my brother is on the xbox"
    assert "send nudes," in got
    assert "lol that was fun." in got
    assert "my brother is on the xbox" in got


def test_line_breaks_end_sentences() -> None:
    got = pieces("hello there how are you doing today\npay tonight", words, window_tokens=60)
    assert "pay tonight" in got


def test_long_texts_are_covered_end_to_end() -> None:
    sentences = [f"sentence number {i} is here." for i in range(200)]
    text = " ".join(sentences)
    got = pieces(text, words, window_tokens=20, max_pieces=1000)
    runs = [p for p in got if words(p) > 5]
    assert " ".join(runs).split() == text.split()  # the runs tile the whole text
    assert all(s in got for s in sentences)


def test_past_the_budget_the_riskiest_sentences_are_kept() -> None:
    filler = [f"we walked the dog number {i} today." for i in range(300)]
    threat = "pay the bitcoin or the video goes to your family."
    text = " ".join(filler[:150] + [threat] + filler[150:])
    got = pieces(text, words, window_tokens=20, max_pieces=120)
    assert threat in got
    alone = [p for p in got if p in filler]
    assert len(alone) <= 61  # half the budget goes to single sentences, the riskiest first
