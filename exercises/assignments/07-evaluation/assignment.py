"""Assignment 07-evaluation: the Fréchet distance between feature sets and mode coverage on the
2-D benchmarks, from their definitions (chapter 8, Evaluating and stabilising GANs).

The conventions are those of ``ganlab.metrics.frechet`` (unbiased covariance, float64, the
trace of the matrix square root through a symmetric eigendecomposition) and
``ganlab.metrics.coverage`` (nearest centre, high quality within ``threshold`` standard
deviations inclusive, a mode covered with at least ``min_count`` high-quality samples, reverse
KL of the high-quality histogram against the uniform one, ``nan`` without high-quality
samples). The hidden tests compare with ``ganlab.metrics`` itself, and check it against their
own arithmetic first (so a learner cell that replaces ``ganlab.metrics`` gains nothing).
"""
from ganlab_grader.build.spec import code, markdown, setup, solution, tests

NAME = '07-evaluation'

# The tests' own helpers: in the read-only helpers cell, and again in every hidden part.
HELPERS = ('_number', '_check_number', '_check_tensor', '_statistics', '_sqrtm', '_frechet', '_frechet_mistakes', 'FRECHET_NAN', '_distances', '_coverage', '_kl_mistakes')

CELLS = (
    setup(),
    markdown('intro'),
    code('test_helpers', *HELPERS,
         comment='# Test helpers (read-only): used by the visible tests below. Run this cell once.'),
    markdown('part1'),
    solution('gaussian_statistics'),
    tests('test_gaussian_statistics', 2, visible=('_check_statistics', 'visible1'),
          hidden=(*HELPERS, '_check_statistics', '_course_frechet', 'hidden1'), scoped=True),
    markdown('part2'),
    solution('sqrtm_psd'),
    tests('test_sqrtm_psd', 2, visible=('_check_sqrtm', 'visible2a'),
          hidden=(*HELPERS, '_check_sqrtm', '_course_frechet', 'hidden2a'), scoped=True),
    solution('frechet_distance'),
    tests('test_frechet_distance', 3, visible=('visible2b',),
          hidden=(*HELPERS, '_course_frechet', 'hidden2b'), scoped=True,
          references=('gaussian_statistics', 'sqrtm_psd')),
    markdown('part3'),
    solution('assign_to_modes'),
    tests('test_assign_to_modes', 2, visible=('_check_assign', 'visible3a'),
          hidden=(*HELPERS, '_check_assign', '_benchmark_samples', '_data', '_course_coverage', 'hidden3a'), scoped=True),
    solution('mode_coverage'),
    tests('test_mode_coverage', 2, visible=('_call_coverage', '_check_modes', '_check_kl', 'visible3b'),
          hidden=(*HELPERS, '_benchmark_samples', '_call_coverage', '_check_modes', '_check_kl', '_data', '_course_coverage', 'hidden3b'), scoped=True,
          references=('assign_to_modes',)),
    tests('test_mode_coverage_reverse_kl', 1, visible=('_call_coverage', '_check_modes', '_check_kl', 'visible3c'),
          hidden=(*HELPERS, '_benchmark_samples', '_call_coverage', '_check_modes', '_check_kl', '_data', '_course_coverage', 'hidden3c'), scoped=True,
          references=('assign_to_modes',)),
    markdown('outro'),
)
