"""How good is a generator? Mode coverage, Fréchet distance, class coverage, divergences.

* :mod:`.coverage`: modes covered, high-quality share and reverse KL on 2-D mixtures (chapter 3)
* :mod:`.frechet`: the Fréchet distance between feature sets (chapter 8)
* :mod:`.classifier`: the shipped digit classifier, its features, ``digit_fid`` and
  ``class_coverage`` (chapter 8)
* :mod:`.divergence`: KL and Jensen–Shannon divergences of 1-D distributions (chapter 2)
* :mod:`.density`: the kernel density estimate of 1-D samples, drawn in the paper's figure
"""
from .coverage import ModeCoverage, mode_coverage, assign_to_modes
from .frechet import frechet_distance, gaussian_statistics
from .classifier import (DigitClassifier, load_digit_classifier, digit_features, classify_digits,
                         digit_fid, class_coverage)
from .divergence import (kl_divergence, js_divergence, kl_divergence_samples,
                         js_divergence_samples, histogram)
from .density import density_1d

__all__ = ["ModeCoverage", "mode_coverage", "assign_to_modes", "frechet_distance",
           "gaussian_statistics", "DigitClassifier", "load_digit_classifier", "digit_features",
           "classify_digits", "digit_fid", "class_coverage", "js_divergence",
           "js_divergence_samples", "histogram", "density_1d"]
# kl_divergence and kl_divergence_samples stay importable from here, but no chapter uses them
