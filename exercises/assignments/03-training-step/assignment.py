"""Assignment 03-training-step: Algorithm 1 of Goodfellow et al. (2014), one line at a time.

A D step, a G step and the alternating loop with k D steps per G step. Chapter 3 of the book
explains each line; ``ganlab.train.train_gan`` is the course's full training loop.
"""
from ganlab_grader.build.spec import code, markdown, setup, solution, tests

NAME = '03-training-step'

# Stubs and spies: in the read-only helpers cell, and again in every hidden part.
HELPERS = ('_StubD', '_SpyG', '_SpySGD', '_make_problem', '_optimizers', '_parameters', '_same', '_assert_parameters', '_losses_now', '_check_float', '_assert_stepped')

CELLS = (
    setup(),
    markdown('intro'),
    code('test_helpers', *HELPERS, '_stale', '_d_twice', '_assert_same_run', '_g_twice', '_check_train_step',
         comment='# Test helpers (read-only): stubs and spies for the visible tests below. Run this cell once.'),
    markdown('part1'),
    solution('d_step'),
    tests('test_d_step_loss', 2, visible=('visible_d_loss',),
          hidden=(*HELPERS, 'hidden_d_loss'), scoped=True),
    tests('test_d_step_update', 1, visible=('visible_d_update',),
          hidden=(*HELPERS, '_reference_d_step', '_reference_g_step', 'hidden_d_update'), scoped=True),
    tests('test_d_step_detach', 2, visible=('visible_d_detach',),
          hidden=(*HELPERS, 'hidden_d_detach'), scoped=True),
    tests('test_d_step_zero_grad', 2, visible=('visible_d_zero_grad',),
          hidden=(*HELPERS, '_stale', '_d_twice', '_assert_same_run', 'hidden_d_zero_grad'), scoped=True),
    markdown('part2'),
    solution('g_step'),
    tests('test_g_step', 2, visible=('visible_g_step',),
          hidden=(*HELPERS, '_reference_d_step', '_reference_g_step', 'hidden_g_step'), scoped=True),
    tests('test_g_step_zero_grad', 1, visible=('visible_g_zero_grad',),
          hidden=(*HELPERS, '_stale', '_d_twice', '_assert_same_run', '_g_twice', 'hidden_g_zero_grad'), scoped=True),
    markdown('part3'),
    solution('train_step'),
    tests('test_train_step', 2, visible=('visible_train',),
          hidden=(*HELPERS, '_check_train_step', 'hidden_train'), scoped=True),
    markdown('outro'),
)
