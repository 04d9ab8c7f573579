"""The dataset builder on a tiny made-up corpus folder: readers, group splits, outputs."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers import dataset as ds


def _tiny_corpora(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "PROVENANCE.md").write_text("tiny test corpora\n", encoding="utf-8")
    chat = {
        f"conv{i}": {
            "messages": [
                [{"text": f"hello number {i}", "sender": "a"}],
                [{"text": "see you at practice", "sender": "b"}],
            ]
        }
        for i in range(20)
    }
    (root / "chitchat").mkdir()
    (root / "chitchat" / "dataset.json").write_text(json.dumps(chat), encoding="utf-8")
    (root / "sms-spam-collection").mkdir()
    (root / "sms-spam-collection" / "SMSSpamCollection").write_text(
        "Label\tSMS\nham\tare we still on for lunch\nspam\tWIN a prize now\nbroken line\n",
        encoding="utf-8",
    )
    (root / "conda-dota2").mkdir()
    (root / "conda-dota2" / "CONDA_train.csv").write_text(
        "Id,matchId,conversationId,utterance,intentClass\n1,7,1,gg ez,O\n2,8,2,mid missing,O\n",
        encoding="utf-8",
    )
    (root / "phishing-non-sextortion").mkdir()
    (root / "phishing-non-sextortion" / "bodies.jsonl").write_text(
        json.dumps({"file": "a.eml", "subject": "Invoice", "body": "Pay the invoice today " * 5})
        + "\nnot json\n",
        encoding="utf-8",
    )
    pj = root / "perverted-justice"
    (pj / "predators").mkdir(parents=True)
    (pj / "officers").mkdir()
    (pj / "predators" / "predator_x.txt").write_text(
        "hi\nsend me a pic of you in your bra\ndont tell your mom we talk\nhow old are you\n",
        encoding="utf-8",
    )
    (pj / "officers" / "officer_x.txt").write_text("hi\nim at school\n", encoding="utf-8")
    return root


def test_build_reads_every_source_and_splits_by_group(tmp_path: Path) -> None:
    examples = ds.build(_tiny_corpora(tmp_path / "data"))
    sources = {e.source for e in examples}
    assert {
        "chitchat",
        "sms_ham",
        "sms_spam",
        "game_chat",
        "phishing",
        "pj_image_request",
        "pj_grooming",
        "pj_offender_neg",
        "pj_decoy",
        "synthetic",
    } <= sources
    for group in {e.group for e in examples}:
        assert len({e.split for e in examples if e.group == group}) == 1, group
    assert all(e.synthetic == (e.source.startswith("synthetic")) for e in examples)
    assert not any(e.text == "how old are you" for e in examples)  # ambiguous: left out


def test_main_writes_versioned_splits_and_manifest(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = _tiny_corpora(tmp_path / "data")
    assert ds.main(["--data-dir", str(data), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out" / ds.VERSION
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["sha256"]) == {"train", "dev", "test"}
    assert len(ds.load_split(out, "train")) == manifest["counts"]["train"]
    assert "TOTAL" in capsys.readouterr().out


def test_missing_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    assert ds.main(["--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
