"""Assignment 01-minimax: V(D, G) from samples, the optimal discriminator, the value at D*.

Chapter 2 of the book (the minimax game of Goodfellow et al., 2014) introduces all three.
"""
from ganlab_grader.build.spec import code, markdown, setup, solution, tests

NAME = '01-minimax'

CELLS = (
    setup(),
    markdown('intro'),
    code('test_helpers', '_normal', '_check_value', '_value_mistakes',
         comment='# Test helpers (read-only): used by the visible tests below. Run this cell once.'),
    markdown('part1'),
    solution('value_function'),
    tests('test_value_function', 4, visible=('visible1',),
          hidden=('_check_value', '_value_mistakes', 'hidden1'), scoped=True),
    markdown('part2'),
    solution('optimal_discriminator'),
    tests('test_optimal_discriminator', 3, visible=('visible2',),
          hidden=('_normal', 'hidden2'), scoped=True),
    markdown('part3'),
    solution('value_at_optimal_d'),
    tests('test_value_at_optimal_d', 3, visible=('visible3',),
          hidden=('_normal', '_check_value', '_reference_jsd', 'hidden3_2'), scoped=True,
          references=('optimal_discriminator',)),
    markdown('outro'),
)
