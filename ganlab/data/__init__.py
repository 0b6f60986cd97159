"""Data for every chapter: toy distributions, the embedded digits, downloads, domain pairs,
labelled digits for the conditional GAN."""
from .toy import gaussian_1d, uniform_noise, ring, ring_centers, grid, grid_centers, mixture
from .digits import ImageData, digits, to_unit_range
from .idx import (mnist, fashion_mnist, read_idx, cache_dir, DatasetUnavailableError,
                  IDXFormatError)
from .domains import DomainPair, unpaired_digits, invert, embolden, rotate, DOMAIN_KINDS
from .conditional import (labelled_digits, label_planes, with_label_planes, split_label_planes,
                          N_DIGIT_CLASSES)
