r"""Shipped pretrained weights, each checked against a SHA-256 manifest (chapters 5–9).

``ganlab/weights/manifest.json`` lists every weight file that ships with the package::

    {"digit_classifier": {"file": "digit_classifier.pt", "sha256": "…",
                          "model": "ganlab.metrics.classifier:DigitClassifier", "kwargs": {},
                          "chapter": 8, "script": "scripts/train_classifier.py", …}}

:func:`load` rebuilds the model from ``model`` (``"module:Class"``) and ``kwargs``, verifies
the file's SHA-256, and loads the state_dict strictly: a wrong key or shape is an error, not a
silently half-loaded model. To ship new weights, save a state_dict into ``ganlab/weights/`` and
record it::

    python -m ganlab.pretrained --add dcgan_digits ganlab/weights/dcgan_digits.pt \
        --model ganlab.models:DCGANGenerator --kwargs '{"image_size": 16}' \
        --chapter 5 --script scripts/train_dcgan_digits.py

or call :func:`write_manifest_entry` from the training script. ``python -m ganlab.pretrained``
lists what is available and verifies every checksum.

The chapters use them through :func:`load_or_train`: the shipped weights when they are there,
training otherwise (a flag such as ``TRAIN_FROM_SCRATCH = True`` asks for training)::

    G = load_or_train("dcgan_digits", lambda: train_gan(G, D, data).generator,
                      retrain=TRAIN_FROM_SCRATCH)
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import tempfile
from pathlib import Path

import torch

__all__ = ["PretrainedError", "WEIGHTS_DIR", "MANIFEST", "load", "load_or_train", "available",
           "register", "entry", "sha256_of", "write_manifest_entry", "verify", "matches_shipped"]

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MANIFEST = WEIGHTS_DIR / "manifest.json"
_REQUIRED_KEYS = ("file", "sha256", "model")
_registered: dict[str, dict] = {}


class PretrainedError(RuntimeError):
    """A shipped weight file is missing, corrupt, unreadable or does not fit its model.

    First used in chapter 1, through :func:`load_or_train`.
    """


def sha256_of(path) -> str:
    """Hex SHA-256 digest of a file, read in 1 MiB blocks.

    First used in chapter 1, through :func:`load` (which checks it).
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(manifest: Path = MANIFEST) -> dict:
    if not manifest.exists():
        return {}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PretrainedError(f"{manifest} is not valid JSON ({error}); reinstall ganlab") from None


def available() -> list[str]:
    """Names that :func:`load` accepts: the shipped manifest plus :func:`register`-ed entries.

    First used in chapter 7.
    """
    return sorted(set(_read_manifest()) | set(_registered))


def entry(name: str) -> dict:
    """The manifest entry of ``name`` (a copy), with ``path`` resolved to an absolute path.

    First used in chapter 5.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    source = _registered if name in _registered else _read_manifest()
    if name not in source:
        raise PretrainedError(f"no pretrained weights called {name!r}; available: "
                              f"{', '.join(available()) or 'none'}")
    record = dict(source[name])
    missing = [key for key in _REQUIRED_KEYS if key not in record]
    if missing:
        raise PretrainedError(f"the manifest entry {name!r} lacks {missing}; re-add it with "
                              "ganlab.pretrained.write_manifest_entry")
    base = Path(record.get("directory", WEIGHTS_DIR))
    record["path"] = str(Path(record["file"]) if Path(record["file"]).is_absolute()
                         else base / record["file"])
    return record


def register(name: str, file, model: str, sha256: str | None = None, kwargs: dict | None = None,
             **metadata) -> dict:
    """Make weights outside the package loadable by :func:`load` for this session.

    ``model`` is an import path ``"package.module:Class"``; ``sha256`` defaults to the digest
    of the file as it is now (so later changes are still detected). Nothing is written to
    disk; use :func:`write_manifest_entry` to ship weights.
    First used in chapter 1, through :func:`load` (which reads what it registers).
    """
    path = Path(file).resolve()
    if not path.exists():
        raise PretrainedError(f"cannot register {name!r}: {path} does not exist")
    _import_model(model)  # fail now, not at load time
    record = {"file": str(path), "sha256": sha256 or sha256_of(path), "model": model,
              "kwargs": dict(kwargs or {}), **metadata}
    _registered[name] = record
    return dict(record)


def matches_shipped(name: str, model: torch.nn.Module) -> bool:
    """Would saving ``model`` reproduce the shipped file of ``name`` byte for byte?

    The ``--check`` of every training script in ``scripts/`` (retrain, then compare): the
    state dict is saved to a temporary file and its SHA-256 compared with the manifest's.
    Another torch version or CPU may round differently, so ``False`` is not always a bug.
    Used by the scripts that make the shipped weights.
    """
    expected = entry(name)["sha256"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.pt"
        torch.save(model.state_dict(), path)
        return sha256_of(path) == expected


def _import_model(spec: str):
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise PretrainedError(f"model must be written 'package.module:Class', got {spec!r}")
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise PretrainedError(f"cannot import the model class {spec!r}: {error}") from None


def _retrain_hint(record: dict) -> str:
    script = record.get("command") or record.get("script")
    return f"reinstall ganlab or retrain with {script}" if script else "reinstall ganlab"


def verify(name: str, path=None) -> str:
    """Check that the weight file of ``name`` exists and matches its SHA-256; return its path.

    First used in chapter 1, through :func:`load`.
    """
    record = entry(name)
    path = Path(path) if path is not None else Path(record["path"])
    if not path.is_file():
        raise PretrainedError(f"the weights of {name!r} are missing: {path} does not exist; "
                              f"{_retrain_hint(record)}")
    if sha256_of(path) != record["sha256"]:
        raise PretrainedError(f"checksum mismatch for {name!r} ({path}): the file is corrupt or "
                              f"was changed; {_retrain_hint(record)}")
    return str(path)


def load(name: str, map_location="cpu", *, path=None, check_hash: bool = True) -> torch.nn.Module:
    """The model ``name`` with its shipped weights, in eval mode (chapter 1).

    Rebuilds ``model(**kwargs)`` from the manifest, verifies the file's SHA-256 (skip only
    with ``check_hash=False``, e.g. while developing), loads the state_dict onto
    ``map_location`` and insists every key and shape fits. ``path`` points at another copy of
    the file, checked against the same manifest entry. Every failure raises
    :class:`PretrainedError` with what went wrong and what to do.
    """
    record = entry(name)
    if check_hash:
        path = verify(name, path)
    else:
        path = str(path if path is not None else record["path"])
        if not Path(path).is_file():
            raise PretrainedError(f"the weights of {name!r} are missing: {path} does not exist")
    model_class = _import_model(record["model"])
    try:
        model = model_class(**record.get("kwargs", {}))
    except TypeError as error:
        raise PretrainedError(f"cannot build {record['model']} with kwargs "
                              f"{record.get('kwargs', {})}: {error}") from None
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # truncated zip, pickle error, wrong format: all one answer
        raise PretrainedError(f"cannot read the weights of {name!r} from {path} ({type(error).__name__}: "
                              f"{error}); {_retrain_hint(record)}") from None
    if not isinstance(state, dict):
        raise PretrainedError(f"{path} holds a {type(state).__name__}, not a state_dict; save "
                              "weights with torch.save(model.state_dict(), path)")
    _check_fits(name, model, state)
    model.load_state_dict(state)
    return model.to(map_location).eval()


def load_or_train(name: str, train_fn, *, retrain: bool = False) -> torch.nn.Module:
    """The shipped pretrained model ``name`` (eval mode), or ``train_fn()`` when asked or needed.

    With ``retrain=True`` it calls ``train_fn()`` and returns what it returns (the trained
    model). Otherwise it returns :func:`load` ``(name)``; if those weights are missing or broken
    it says so in one sentence and trains instead. First used in chapter 1.
    """
    if not callable(train_fn):
        raise TypeError(f"train_fn must be a function that trains and returns the model, "
                        f"got {type(train_fn).__name__}")
    if not retrain:
        try:
            return load(name)
        except PretrainedError as error:
            print(f"No usable pretrained weights for {name!r} ({error}), so training from "
                  "scratch instead.")
    return train_fn()


def _check_fits(name: str, model: torch.nn.Module, state: dict) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong_shapes = [f"{key}: file {tuple(state[key].shape)} vs model {tuple(expected[key].shape)}"
                    for key in sorted(set(expected) & set(state))
                    if getattr(state[key], "shape", None) != expected[key].shape]
    problems = []
    if missing:
        problems.append(f"missing keys {missing[:5]}{' …' if len(missing) > 5 else ''}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected[:5]}{' …' if len(unexpected) > 5 else ''}")
    if wrong_shapes:
        problems.append("wrong shapes " + "; ".join(wrong_shapes[:5]))
    if problems:
        raise PretrainedError(f"the weights of {name!r} do not fit {type(model).__name__}: "
                              + ", ".join(problems) + ". Are the manifest's kwargs right?")


def write_manifest_entry(name: str, file, model: str, kwargs: dict | None = None, *,
                         chapter: int | None = None, script: str | None = None,
                         command: str | None = None, manifest=MANIFEST, **metadata) -> dict:
    """Record shipped weights in ``manifest.json``, computing their SHA-256 (for training scripts).

    ``file`` must lie in the manifest's folder (``ganlab/weights/``); ``model`` is
    ``"package.module:Class"`` and ``kwargs`` its constructor arguments. The state_dict is
    loaded once to check it fits the model. ``metadata`` (e.g. ``test_accuracy=0.98``) is
    stored as is. Returns the entry written; other entries are kept.
    Used by the scripts that make the shipped weights.
    """
    manifest = Path(manifest)
    path = Path(file).resolve()
    if path.parent != manifest.resolve().parent:
        raise PretrainedError(f"{path} must be saved in {manifest.parent} to ship with ganlab")
    model_class = _import_model(model)
    state = torch.load(path, map_location="cpu", weights_only=True)
    _check_fits(name, model_class(**(kwargs or {})), state)
    record = {"file": path.name, "sha256": sha256_of(path), "bytes": path.stat().st_size,
              "model": model, "kwargs": dict(kwargs or {}), "chapter": chapter,
              "script": script, "command": command, "torch": torch.__version__, **metadata}
    record = {key: value for key, value in record.items() if value is not None}
    entries = _read_manifest(manifest)
    entries[name] = record
    manifest.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ganlab.pretrained",
                                     description="List, verify or add shipped weights.")
    parser.add_argument("--add", nargs=2, metavar=("NAME", "FILE"),
                        help="record FILE (saved in ganlab/weights/) under NAME")
    parser.add_argument("--model", help="model class, 'package.module:Class'")
    parser.add_argument("--kwargs", default="{}", help="constructor kwargs as JSON")
    parser.add_argument("--chapter", type=int)
    parser.add_argument("--script", help="the script that reproduces the weights")
    parser.add_argument("--command", help="the exact command that reproduces the weights")
    arguments = parser.parse_args(argv)
    if arguments.add:
        if not arguments.model:
            parser.error("--add needs --model package.module:Class")
        record = write_manifest_entry(arguments.add[0], arguments.add[1], arguments.model,
                                      json.loads(arguments.kwargs), chapter=arguments.chapter,
                                      script=arguments.script, command=arguments.command)
        print(f"added {arguments.add[0]}: sha256 {record['sha256']}")
        return 0
    status = 0
    for name in available():
        try:
            verify(name)
            print(f"ok       {name}")
        except PretrainedError as error:
            print(f"FAILED   {name}: {error}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(_main())
