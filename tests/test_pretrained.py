"""ganlab.pretrained: shipped weights are checked before they are used."""
import json
import shutil

import pytest
import torch

from ganlab import pretrained
from ganlab.metrics.classifier import DigitClassifier
from ganlab.pretrained import PretrainedError


@pytest.fixture(autouse=True)
def forget_registrations():
    yield
    pretrained._registered.clear()


def test_every_manifest_entry_is_complete_and_its_file_matches():
    manifest = json.loads(pretrained.MANIFEST.read_text())
    assert "digit_classifier" in manifest
    for name, record in manifest.items():
        for key in ("file", "sha256", "model", "kwargs", "chapter", "script"):
            assert key in record, f"{name} lacks {key}"
        path = pretrained.WEIGHTS_DIR / record["file"]
        assert pretrained.sha256_of(path) == record["sha256"]
        assert path.stat().st_size < 2_000_000, f"{name} is too big to ship"


def test_load_returns_the_model_in_eval_mode():
    model = pretrained.load("digit_classifier")
    assert isinstance(model, DigitClassifier) and not model.training
    assert model(torch.zeros(2, 1, 16, 16)).shape == (2, 10)
    assert "digit_classifier" in pretrained.available()


def test_unknown_name_lists_what_is_available():
    with pytest.raises(PretrainedError, match="digit_classifier"):
        pretrained.load("no_such_model")


def test_corrupted_copy_fails_the_checksum(tmp_path):
    copy = tmp_path / "digit_classifier.pt"
    data = bytearray(pretrained.WEIGHTS_DIR.joinpath("digit_classifier.pt").read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(PretrainedError, match="corrupt or was changed.*retrain with"):
        pretrained.load("digit_classifier", path=copy)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(PretrainedError, match="missing"):
        pretrained.load("digit_classifier", path=tmp_path / "nothing.pt")


def test_truncated_file_cannot_be_read(tmp_path):
    truncated = tmp_path / "truncated.pt"
    original = pretrained.WEIGHTS_DIR.joinpath("digit_classifier.pt").read_bytes()
    truncated.write_bytes(original[: len(original) // 3])
    with pytest.raises(PretrainedError, match="corrupt"):
        pretrained.load("digit_classifier", path=truncated)
    # Registered with its own checksum, the file passes the hash but cannot be unpickled.
    pretrained.register("truncated", truncated, "ganlab.metrics.classifier:DigitClassifier")
    with pytest.raises(PretrainedError, match="cannot read"):
        pretrained.load("truncated")


def test_wrong_shapes_and_keys_are_reported(tmp_path):
    narrow = tmp_path / "narrow.pt"
    torch.save(DigitClassifier(width=8).state_dict(), narrow)
    pretrained.register("narrow", narrow, "ganlab.metrics.classifier:DigitClassifier")
    with pytest.raises(PretrainedError, match="wrong shapes.*body.0.weight"):
        pretrained.load("narrow")
    pretrained.register("narrow_ok", narrow, "ganlab.metrics.classifier:DigitClassifier",
                        kwargs={"width": 8})
    assert pretrained.load("narrow_ok").width == 8
    extra = tmp_path / "extra.pt"
    state = DigitClassifier().state_dict()
    state["surprise"] = torch.zeros(1)
    del state["head.bias"]
    torch.save(state, extra)
    pretrained.register("extra", extra, "ganlab.metrics.classifier:DigitClassifier")
    with pytest.raises(PretrainedError, match=r"missing keys \['head.bias'\].*unexpected keys"):
        pretrained.load("extra")


def test_write_manifest_entry_records_the_checksum(tmp_path):
    manifest = tmp_path / "manifest.json"
    shutil.copy(pretrained.MANIFEST, manifest)
    weights = tmp_path / "tiny.pt"
    torch.save(DigitClassifier(width=4, feature_dim=8).state_dict(), weights)
    record = pretrained.write_manifest_entry(
        "tiny", weights, "ganlab.metrics.classifier:DigitClassifier",
        {"width": 4, "feature_dim": 8}, chapter=8, script="scripts/train_classifier.py",
        manifest=manifest)
    entries = json.loads(manifest.read_text())
    shipped = set(json.loads(pretrained.MANIFEST.read_text()))
    assert set(entries) == shipped | {"tiny"}  # added, every other entry kept
    assert entries["tiny"]["sha256"] == pretrained.sha256_of(weights) == record["sha256"]
    with pytest.raises(PretrainedError, match="do not fit"):
        pretrained.write_manifest_entry("tiny", weights, "ganlab.metrics.classifier:DigitClassifier",
                                        {}, manifest=manifest)


def test_matches_shipped_compares_the_saved_bytes(tmp_path):
    torch.manual_seed(0)
    model = DigitClassifier(width=4, feature_dim=8)
    weights = tmp_path / "tiny.pt"
    torch.save(model.state_dict(), weights)
    pretrained.register("tiny", weights, "ganlab.metrics.classifier:DigitClassifier",
                        kwargs={"width": 4, "feature_dim": 8})
    assert pretrained.matches_shipped("tiny", model)
    with torch.no_grad():
        next(model.parameters())[0].flatten()[0] += 1e-6
    assert not pretrained.matches_shipped("tiny", model)
