r"""MNIST and Fashion-MNIST: the IDX file format, checked downloads and a local cache.

The two data sets are distributed as four gzipped IDX files each (LeCun et al. 1998; Xiao,
Rasul and Vollgraf 2017). They are *optional* in the course: every chapter runs on the
embedded :func:`ganlab.data.digits`, and MNIST is offered for learners with a GPU (chapter 5).

Downloads go to a cache folder (``$GANLAB_CACHE``, else the user's cache folder), every file
is checked against its published SHA-256 before it is kept, and several mirrors are tried
in turn. The mirror list :data:`MIRRORS` and the checksum table :data:`SHA256` are plain
module-level dictionaries, and :func:`mnist` / :func:`fashion_mnist` also accept
``mirrors=`` and ``checksums=`` arguments, so a test or an instructor can serve the files
from anywhere.

Checksums (all verified against at least three independent public sources that pin them:
torchvision-style download scripts, TFDS-style manifests and Nix/Julia package recipes;
the MD5 sums match those published by the data sets' authors):

* MNIST, as served by the mirrors below (identical to the original ``yann.lecun.com`` files);
* Fashion-MNIST, as published in ``zalandoresearch/fashion-mnist`` (``data/fashion``).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

from .digits import ImageData

__all__ = ["mnist", "fashion_mnist", "read_idx", "cache_dir", "DatasetUnavailableError",
           "IDXFormatError", "MIRRORS", "SHA256", "FILES"]

#: The two files (images, labels) of each split.
FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: Base URLs tried in order for each data set; a file's URL is ``base + file name``.
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ],
    "fashion_mnist": [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ],
}

#: Published SHA-256 of every gzipped file (see the module docstring for their provenance).
SHA256: dict[str, dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz":
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz":
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz":
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz":
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte.gz":
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz":
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz":
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz":
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}

_DISPLAY_NAMES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
_SPLITS = ("train", "test", "all")
_TIMEOUT_S = 30
_OFFLINE_HINT = ("If this machine is offline, use ganlab.data.digits() instead: it is "
                 "embedded in the package and needs no download.")

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DatasetUnavailableError(RuntimeError):
    """A data set could not be downloaded or found in the cache (chapter 5)."""


class IDXFormatError(ValueError):
    """A file is not a valid IDX file, or it is truncated (chapter 5)."""


def cache_dir() -> Path:
    """The folder where downloads are kept (chapter 5).

    ``$GANLAB_CACHE`` if set; otherwise the platform's user cache folder:
    ``%LOCALAPPDATA%\\ganlab\\Cache`` on Windows, ``~/Library/Caches/ganlab`` on macOS,
    ``$XDG_CACHE_HOME/ganlab`` (default ``~/.cache/ganlab``) elsewhere.
    """
    override = os.environ.get("GANLAB_CACHE")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "ganlab" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ganlab"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ganlab"


def read_idx(path) -> torch.Tensor:
    r"""Read an IDX file (gzipped or raw) into a tensor (chapter 5).

    An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian 32-bit sizes :math:`d_1, \dots, d_{ndim}`, then :math:`\prod_i d_i` values
    of the given type, big-endian. Type ``0x08`` (unsigned byte, the MNIST images and
    labels) becomes ``torch.uint8``; the other IDX types (int8, int16, int32, float32,
    float64) are read too. Raises :class:`IDXFormatError`, naming the file, when the file
    is not IDX, is corrupt, or is shorter than its header promises.
    """
    import numpy as np  # a dependency of ganlab; kept out of the import of ganlab.data

    path = Path(path)
    with open(path, "rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    try:
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            data = handle.read()
    except (EOFError, OSError, zlib.error) as error:
        raise IDXFormatError(f"{path} is a corrupt or truncated gzip file ({error}); delete it "
                             "and download it again.") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IDXFormatError(f"{path} is not an IDX file: it must start with two zero bytes, "
                             f"found {data[:4]!r}.")
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_DTYPES:
        raise IDXFormatError(f"{path} has the unknown IDX type code 0x{type_code:02X}; "
                             f"known codes: {', '.join(f'0x{c:02X}' for c in _IDX_DTYPES)}.")
    if ndim == 0:
        raise IDXFormatError(f"{path} declares 0 dimensions; an IDX file needs at least one.")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXFormatError(f"{path} is truncated: its header declares {ndim} dimensions but "
                             f"the file has only {len(data)} bytes.")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = np.dtype(_IDX_DTYPES[type_code])
    expected = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
    found = len(data) - header_size
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise IDXFormatError(f"{path} is {problem}: shape {shape} needs {expected} bytes of "
                             f"data, found {found}. Delete it and download it again.")
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return torch.from_numpy(array.astype(dtype.newbyteorder("=")))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(name: str, file_name: str, target: Path, mirrors: list[str],
              expected_sha256: str) -> None:
    """Fetch ``file_name`` from the first mirror that serves it intact; keep it at ``target``.

    The bytes go to a temporary file in the cache folder, which replaces ``target`` only
    once its SHA-256 matches: an interrupted or corrupt download never looks cached.
    """
    import http.client
    from urllib import request  # urllib.request.urlopen is looked up here, so tests can patch it

    # URLError, timeouts and refused connections are all OSErrors; ValueError is a bad URL.
    download_errors = (OSError, http.client.HTTPException, ValueError)
    display = _DISPLAY_NAMES.get(name, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    failures, corrupt = [], False
    for base in mirrors:
        url = base + file_name
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=file_name,
                                             suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out, \
                    request.urlopen(url, timeout=_TIMEOUT_S) as response:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
        except download_errors as error:
            os.unlink(temporary)
            failures.append(f"{url}: {getattr(error, 'reason', error)}")
            continue
        actual = _sha256(Path(temporary))
        if actual != expected_sha256:
            os.unlink(temporary)
            corrupt = True
            failures.append(f"{url}: SHA-256 {actual} differs from the published "
                            f"{expected_sha256}")
            continue
        os.replace(temporary, target)
        return
    tried = "\n  ".join(failures) or "no mirror is configured"
    if corrupt:
        raise DatasetUnavailableError(
            f"The download of {display} file {file_name} is corrupt (its checksum does not "
            f"match) and was deleted. Retry later, or use ganlab.data.digits(), which needs no "
            f"download.\n  {tried}")
    raise DatasetUnavailableError(
        f"Could not download {display} file {file_name} from any mirror. {_OFFLINE_HINT}"
        f"\n  {tried}")


def _cached_file(name: str, file_name: str, root: Path, download: bool,
                 mirrors: list[str], checksums: dict[str, str]) -> Path:
    target = root / name / file_name
    if target.exists():
        return target
    if not download:
        raise DatasetUnavailableError(
            f"{_DISPLAY_NAMES.get(name, name)} file {file_name} is not in the cache {root} and "
            f"download=False. Call with download=True on a machine with internet, or use "
            f"ganlab.data.digits(), which needs no download.")
    if file_name not in checksums:
        raise DatasetUnavailableError(f"No SHA-256 is known for {file_name}; refusing to "
                                      "download an unchecked file.")
    _download(name, file_name, target, mirrors, checksums[file_name])
    return target


def _load_split(name: str, split: str, root: Path, download: bool, mirrors, checksums):
    images_file, labels_file = FILES[split]
    paths = [_cached_file(name, file, root, download, mirrors, checksums)
             for file in (images_file, labels_file)]
    images, labels = (read_idx(path) for path in paths)
    if images.dim() != 3 or labels.dim() != 1 or len(images) != len(labels):
        raise IDXFormatError(f"{paths[0]} and {paths[1]} do not fit together: images of shape "
                             f"{tuple(images.shape)} (expected (N, H, W)) and labels of shape "
                             f"{tuple(labels.shape)} (expected (N,)).")
    return images, labels


def load_idx_dataset(name: str, split: str = "train", image_size: int = 28, root=None,
                     download: bool = True, *, mirrors: list[str] | None = None,
                     checksums: dict[str, str] | None = None) -> ImageData:
    r"""Load an MNIST-style data set as ``ImageData`` in :math:`[-1, 1]` (chapter 5).

    ``name`` is a key of :data:`MIRRORS` (``"mnist"``, ``"fashion_mnist"``) or any name for
    which ``mirrors`` and ``checksums`` are given. Pixels :math:`p \in \{0..255\}` become
    :math:`2p/255 - 1`, resized bilinearly (with antialiasing) when ``image_size`` is not
    the stored size.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 4:
        raise ValueError(f"image_size must be an int of at least 4, got {image_size!r}")
    if mirrors is None and name not in MIRRORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(MIRRORS)} or pass "
                         "mirrors= and checksums=")
    mirrors = list(MIRRORS.get(name, []) if mirrors is None else mirrors)
    checksums = dict(SHA256.get(name, {}) if checksums is None else checksums)
    root = cache_dir() if root is None else Path(root).expanduser()
    parts = [_load_split(name, part, root, download, mirrors, checksums)
             for part in (("train", "test") if split == "all" else (split,))]
    images = torch.cat([images for images, _ in parts]).unsqueeze(1).float() / 255.0
    labels = torch.cat([labels for _, labels in parts]).long()
    if images.shape[-1] != image_size or images.shape[-2] != image_size:
        images = F.interpolate(images, size=(image_size, image_size), mode="bilinear",
                               align_corners=False, antialias=image_size < images.shape[-1])
    return ImageData(images.clamp(0, 1) * 2 - 1, labels)


def mnist(split: str = "train", image_size: int = 28, root=None, download: bool = True,
          **sources) -> ImageData:
    r"""MNIST handwritten digits, ``(N, 1, image_size, image_size)`` in :math:`[-1, 1]` (chapter 5).

    ``split``: ``"train"`` (60,000), ``"test"`` (10,000) or ``"all"``. Files are cached in
    ``root`` (default :func:`cache_dir`) and checked against :data:`SHA256`; with
    ``download=False`` only the cache is used. Raises :class:`DatasetUnavailableError` with
    advice when the files cannot be had (offline: use :func:`ganlab.data.digits`).
    ``mirrors=`` / ``checksums=`` override the tables.
    """
    return load_idx_dataset("mnist", split, image_size, root, download, **sources)


def fashion_mnist(split: str = "train", image_size: int = 28, root=None, download: bool = True,
                  **sources) -> ImageData:
    r"""Fashion-MNIST (Zalando), the same format and sizes as :func:`mnist` (chapter 5).

    Labels: 0 T-shirt, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot.
    """
    return load_idx_dataset("fashion_mnist", split, image_size, root, download, **sources)
