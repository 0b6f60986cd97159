"""Assignment 02-losses: the D loss and both G losses from logits, exactly and stably.

Chapters 3 (the discriminator's binary cross-entropy) and 4 (the non-saturating trick) of the
book introduce them; ``ganlab.losses`` holds the course's own versions.
"""
from ganlab_grader.build.spec import code, markdown, setup, solution, tests

NAME = '02-losses'

CELLS = (
    setup(),
    markdown('intro'),
    code('test_helpers', '_softplus', '_sigmoid', '_mean', '_check_loss', '_d_mistakes', '_as_probabilities', '_sat_mistakes', '_ns_mistakes',
         comment='# Test helpers (read-only): used by the visible tests below. Run this cell once.'),
    markdown('part1'),
    solution('d_loss'),
    tests('test_d_loss_values', 2, visible=('visible_d_values',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_d_mistakes', '_as_probabilities', 'hidden_d_values'), scoped=True),
    tests('test_d_loss_stable', 2, visible=('visible_d_stable',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_d_mistakes', '_as_probabilities', 'hidden_d_stable'), scoped=True),
    markdown('part2'),
    solution('g_loss_saturating'),
    tests('test_g_loss_saturating_values', 2, visible=('visible_sat_values',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_sat_mistakes', 'hidden_sat_values'), scoped=True),
    tests('test_g_loss_saturating_stable', 2, visible=('visible_sat_stable',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_sat_mistakes', 'hidden_sat_stable'), scoped=True),
    markdown('part3'),
    solution('g_loss_nonsaturating'),
    tests('test_g_loss_nonsaturating_values', 2, visible=('visible_ns_values',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_ns_mistakes', 'hidden_ns_values'), scoped=True),
    tests('test_g_loss_nonsaturating_stable', 2, visible=('visible_ns_stable',),
          hidden=('_softplus', '_sigmoid', '_mean', '_check_loss', '_ns_mistakes', 'hidden_ns_stable'), scoped=True),
    markdown('outro'),
)
