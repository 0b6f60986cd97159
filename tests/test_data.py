"""ganlab.data: the embedded digits, toy distributions, IDX downloads and domain pairs."""
import gzip
import hashlib
import math
import struct
import urllib.error
import urllib.request

import pytest
import torch

from ganlab import data
from ganlab.data import (DatasetUnavailableError, IDXFormatError, digits, embolden, grid,
                         grid_centers, invert, mnist, read_idx, ring, ring_centers, rotate,
                         unpaired_digits)
from ganlab.data import idx as idx_module


# ----------------------------------------------------------------------------- digits
@pytest.mark.parametrize("split, size", [("train", 1438), ("test", 359), ("all", 1797)])
def test_digit_split_sizes_and_shapes(split, size):
    images = digits(image_size=16, split=split)
    assert images.images.shape == (size, 1, 16, 16)
    assert images.labels.shape == (size,) and images.labels.dtype == torch.long
    assert len(images) == size


def test_digits_span_minus_one_to_one():
    images = digits(image_size=8, split="all").images
    assert images.min().item() == -1.0 and images.max().item() == 1.0
    resized = digits(image_size=32).images
    assert resized.min() >= -1 and resized.max() <= 1 and resized.shape[-1] == 32


def test_train_and_test_are_disjoint_and_cover_all():
    # compared by index: the data set itself holds a few identical images
    from ganlab.data.digits import _split_index
    everything = digits(8, "all")
    train_index = _split_index(everything.labels, "train")
    test_index = _split_index(everything.labels, "test")
    assert not set(train_index.tolist()) & set(test_index.tolist())
    assert set(train_index.tolist()) | set(test_index.tolist()) == set(range(len(everything)))
    assert torch.equal(digits(8, "train").images, everything.images[train_index])
    assert torch.equal(digits(8, "test").labels, everything.labels[test_index])


def test_test_split_is_stratified():
    everything = digits(8, "all").labels.bincount(minlength=10).float()
    test = digits(8, "test").labels.bincount(minlength=10).float()
    assert torch.allclose(test / everything, torch.full((10,), 0.2), atol=0.01)


def test_digits_are_deterministic_whatever_the_global_seed():
    torch.manual_seed(1)
    first = digits(16, "test")
    torch.manual_seed(2)
    second = digits(16, "test")
    assert torch.equal(first.images, second.images) and torch.equal(first.labels, second.labels)


@pytest.mark.parametrize("bad", [7, 0, 16.0, True, "16"])
def test_digits_reject_bad_image_size(bad):
    with pytest.raises(ValueError, match="image_size"):
        digits(image_size=bad)


def test_digits_reject_unknown_split():
    with pytest.raises(ValueError, match="split"):
        digits(split="validation")


def test_image_data_subset_and_to():
    images = digits(8, "test")
    part = images.subset(torch.arange(5)).to("cpu")
    assert len(part) == 5 and torch.equal(part.labels, images.labels[:5])
    assert data.to_unit_range(torch.tensor([-1.0, 0.0, 1.0, 3.0])).tolist() == [0, 0.5, 1, 1]


# ----------------------------------------------------------------------------- toy data
def test_toy_shapes():
    rng = torch.Generator().manual_seed(0)
    assert data.gaussian_1d(10, rng=rng).shape == (10, 1)
    assert data.uniform_noise(10, dim=3, rng=rng).shape == (10, 3)
    assert ring(10, rng=rng).shape == (10, 2)
    assert grid(10, rng=rng).shape == (10, 2)


def test_ring_centres_lie_on_the_circle_evenly_spaced():
    centres = ring_centers(8, radius=2.0)
    assert centres.shape == (8, 2)
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0))
    angles = torch.atan2(centres[:, 1], centres[:, 0]).remainder(2 * math.pi).sort().values
    assert torch.allclose(angles.diff(), torch.full((7,), 2 * math.pi / 8), atol=1e-5)


def test_grid_centres():
    centres = grid_centers(5, spacing=2.0)
    assert centres.shape == (25, 2)
    assert set(centres[:, 0].tolist()) == {-4.0, -2.0, 0.0, 2.0, 4.0}
    assert len({tuple(c) for c in centres.tolist()}) == 25


@pytest.mark.parametrize("sample, centres, std", [
    (lambda g: ring(2000, rng=g), ring_centers(), 0.01),
    (lambda g: grid(2000, rng=g), grid_centers(), 0.05),
])
def test_samples_lie_near_their_centres_and_cover_them(sample, centres, std):
    points = sample(torch.Generator().manual_seed(3))
    distance, nearest = torch.cdist(points, centres).min(dim=1)
    assert distance.max() < 5 * std            # 5 sigma in 2-D: p ~ 4e-6 per point
    assert nearest.unique().numel() == len(centres)


def test_gaussian_moments():
    draws = data.gaussian_1d(20000, mean=4.0, std=0.5, rng=torch.Generator().manual_seed(0))
    assert draws.mean().item() == pytest.approx(4.0, abs=0.02)
    assert draws.std().item() == pytest.approx(0.5, abs=0.02)
    noise = data.uniform_noise(20000, low=-1, high=1, rng=torch.Generator().manual_seed(0))
    assert noise.min() >= -1 and noise.max() < 1


def test_toy_sampling_is_reproducible_with_a_seed():
    first = ring(50, rng=torch.Generator().manual_seed(5))
    second = ring(50, rng=torch.Generator().manual_seed(5))
    third = ring(50, rng=torch.Generator().manual_seed(6))
    assert torch.equal(first, second) and not torch.equal(first, third)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_toy_rejects_bad_sample_counts(n):
    with pytest.raises(ValueError, match="positive int"):
        ring(n)


# ----------------------------------------------------------------------------- IDX files
def _idx_bytes(array: torch.Tensor, type_code: int = 0x08, fmt: str = "B") -> bytes:
    header = struct.pack(">BBBB", 0, 0, type_code, array.dim())
    header += struct.pack(f">{array.dim()}I", *array.shape)
    return header + struct.pack(f">{array.numel()}{fmt}", *array.flatten().tolist())


def _fake_mnist(n: int, seed: int):
    rng = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 28, 28), generator=rng, dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,), generator=rng, dtype=torch.uint8)
    return images, labels


@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_round_trips_ubyte_images_and_labels(tmp_path, compress):
    images, labels = _fake_mnist(6, seed=0)
    for name, array in [("images", images), ("labels", labels)]:
        raw = _idx_bytes(array)
        path = tmp_path / name
        path.write_bytes(gzip.compress(raw) if compress else raw)
        decoded = read_idx(path)
        assert decoded.dtype == torch.uint8 and torch.equal(decoded, array)


def test_read_idx_big_endian_types(tmp_path):
    values = torch.tensor([[1, -2, 70000], [3, 4, -5]], dtype=torch.int32)
    path = tmp_path / "ints.idx"
    path.write_bytes(_idx_bytes(values, type_code=0x0C, fmt="i"))
    assert torch.equal(read_idx(path), values)


@pytest.mark.parametrize("compress", [True, False])
def test_truncated_idx_file_gives_a_clear_error(tmp_path, compress):
    raw = _idx_bytes(_fake_mnist(4, seed=1)[0])[:-100]
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    with pytest.raises(IDXFormatError, match=r"short-idx3-ubyte is truncated"):
        read_idx(path)


def test_truncated_gzip_stream_gives_a_clear_error(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(_idx_bytes(_fake_mnist(4, seed=1)[0]))[:200])
    with pytest.raises(IDXFormatError, match="cut.gz is a corrupt or truncated gzip"):
        read_idx(path)


@pytest.mark.parametrize("payload, message", [
    (b"\x01\x02\x08\x01\x00\x00\x00\x01\x05", "two zero bytes"),
    (b"\x00\x00\x42\x01\x00\x00\x00\x01\x05", "unknown IDX type code 0x42"),
    (b"\x00\x00\x08\x03\x00\x00", "header declares 3 dimensions"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "longer than its header"),
])
def test_malformed_idx_headers(tmp_path, payload, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(payload)
    with pytest.raises(IDXFormatError, match=message):
        read_idx(path)


# ----------------------------------------------------------------------------- downloads
@pytest.fixture
def served(tmp_path, monkeypatch):
    """Four fake MNIST files behind a file:// mirror, their checksums, and an empty cache."""
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    mirror.mkdir()
    monkeypatch.setenv("GANLAB_CACHE", str(cache))
    checksums = {}
    for split, n, seed in [("train", 12, 0), ("test", 5, 1)]:
        images, labels = _fake_mnist(n, seed)
        for file_name, array in zip(idx_module.FILES[split], (images, labels)):
            blob = gzip.compress(_idx_bytes(array))
            (mirror / file_name).write_bytes(blob)
            checksums[file_name] = hashlib.sha256(blob).hexdigest()
    return {"mirrors": [mirror.as_uri() + "/"], "checksums": checksums, "cache": cache,
            "mirror": mirror}


def test_download_verifies_caches_and_scales(served):
    train = mnist("train", mirrors=served["mirrors"], checksums=served["checksums"])
    assert train.images.shape == (12, 1, 28, 28) and train.labels.shape == (12,)
    assert train.images.min() >= -1 and train.images.max() <= 1
    expected_images, expected_labels = _fake_mnist(12, seed=0)
    assert torch.allclose(train.images[:, 0], expected_images.float() / 255 * 2 - 1)
    assert torch.equal(train.labels, expected_labels.long())
    cached = sorted(p.name for p in (served["cache"] / "mnist").iterdir())
    assert cached == sorted(idx_module.FILES["train"])      # no leftover .part files


def test_resized_and_all_splits(served):
    both = mnist("all", image_size=14, mirrors=served["mirrors"], checksums=served["checksums"])
    assert both.images.shape == (17, 1, 14, 14)
    assert both.images.min() >= -1 and both.images.max() <= 1


def test_a_cached_file_is_used_without_download(served, monkeypatch):
    mnist("test", mirrors=served["mirrors"], checksums=served["checksums"])

    def no_network(*args, **kwargs):
        raise AssertionError("urlopen called although the files are cached")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    again = mnist("test", mirrors=served["mirrors"], checksums=served["checksums"])
    assert len(again) == 5
    offline_ok = mnist("test", download=False, checksums={})
    assert torch.equal(offline_ok.labels, again.labels)


def test_checksum_mismatch_is_reported_and_leaves_nothing_in_the_cache(served):
    wrong = dict(served["checksums"], **{idx_module.FILES["test"][0]: "0" * 64})
    with pytest.raises(DatasetUnavailableError, match=r"corrupt.*digits\(\)") as error:
        mnist("test", mirrors=served["mirrors"], checksums=wrong)
    assert "t10k-images-idx3-ubyte.gz" in str(error.value)
    folder = served["cache"] / "mnist"
    assert not any(folder.iterdir())


def test_a_bad_first_mirror_falls_back_to_the_next(served, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for file_name in idx_module.FILES["test"]:
        (broken / file_name).write_bytes(b"not the file")
    test = mnist("test", mirrors=[broken.as_uri() + "/"] + served["mirrors"],
                 checksums=served["checksums"])
    assert len(test) == 5


def test_offline_download_suggests_digits(served, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetUnavailableError, match=r"offline.*ganlab\.data\.digits\(\)"):
        mnist("train")                       # the real mirrors, the real checksums
    assert not any((served["cache"] / "mnist").iterdir())


def test_timeout_is_reported_like_offline(served, monkeypatch):
    def slow(*args, **kwargs):
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", slow)
    with pytest.raises(DatasetUnavailableError, match="digits"):
        data.fashion_mnist("test")


def test_download_false_without_cache_is_a_clear_error(served):
    with pytest.raises(DatasetUnavailableError, match=r"download=False.*digits\(\)"):
        mnist("train", download=False)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLAB_CACHE", str(tmp_path / "here"))
    assert data.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("GANLAB_CACHE")
    assert data.cache_dir().name == "ganlab"


def test_real_checksum_table_is_complete_and_well_formed():
    for name in ("mnist", "fashion_mnist"):
        table = idx_module.SHA256[name]
        assert set(table) == {f for files in idx_module.FILES.values() for f in files}
        assert all(len(value) == 64 and int(value, 16) >= 0 for value in table.values())
        assert idx_module.MIRRORS[name]


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "val"}, "split"), ({"image_size": 2}, "image_size")])
def test_mnist_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mnist(**kwargs)


# ----------------------------------------------------------------------------- domain pairs
@pytest.mark.parametrize("kind", ["invert", "bold", "rotate"])
def test_domain_pairs_are_disjoint_halves(kind):
    pair = unpaired_digits(kind, image_size=16, split="train")
    assert pair.kind == kind and len(pair.names) == 2
    assert pair.a.images.shape[1:] == pair.b.images.shape[1:] == (1, 16, 16)
    assert len(pair.a) + len(pair.b) == 1438 and abs(len(pair.a) - len(pair.b)) <= 10
    assert pair.b.images.min() >= -1 and pair.b.images.max() <= 1
    # each class split in two halves: counts differ by at most one per class
    difference = pair.a.labels.bincount(minlength=10) - pair.b.labels.bincount(minlength=10)
    assert difference.abs().max() <= 1


def test_domain_halves_share_no_source_image():
    from ganlab.data.domains import _halves
    labels = digits(16, "train").labels
    first, second = _halves(labels)
    assert not set(first.tolist()) & set(second.tolist())
    assert len(first) + len(second) == len(labels)
    plain = unpaired_digits("invert")
    source = digits(16, "train")
    assert torch.equal(plain.a.images, source.images[first])
    assert torch.equal(plain.b.images, -source.images[second])


def test_domain_pairs_are_deterministic():
    torch.manual_seed(0)
    first = unpaired_digits("bold", split="test")
    torch.manual_seed(1)
    second = unpaired_digits("bold", split="test")
    assert torch.equal(first.a.images, second.a.images)
    assert torch.equal(first.b.labels, second.b.labels)


def test_transforms():
    image = -torch.ones(1, 1, 5, 5)
    image[0, 0, 2, 2] = 1.0
    assert torch.equal(invert(image), -image)
    bold = embolden(image)
    assert bold[0, 0, 1:4, 1:4].eq(1).all() and bold.eq(1).sum() == 9
    assert embolden(image, width=5).eq(1).all()
    corner = -torch.ones(1, 1, 3, 3)
    corner[0, 0, 0, 2] = 1.0                      # top right
    assert rotate(corner)[0, 0, 0, 0] == 1.0      # counter-clockwise: to the top left
    assert torch.equal(rotate(rotate(corner), 2), rotate(corner, 3))


def test_bold_domain_has_more_ink():
    pair = unpaired_digits("bold")
    assert (pair.b.images > 0).float().mean() > 1.3 * (pair.a.images > 0).float().mean()


@pytest.mark.parametrize("call, message", [
    (lambda: unpaired_digits("zebra"), "unknown domain kind"),
    (lambda: embolden(torch.zeros(1, 1, 4, 4), width=2), "odd"),
    (lambda: invert(torch.zeros(4, 4)), r"\(N, C, H, W\)"),
])
def test_domain_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
