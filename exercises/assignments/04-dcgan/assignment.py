"""Assignment 04-dcgan: a DCGAN generator and discriminator that follow the five guidelines,
and the DCGAN weight initialisation (Radford et al., 2016; chapter 5).
"""
from ganlab_grader.build.spec import markdown, setup, solution, tests

NAME = '04-dcgan'

CELLS = (
    setup(),
    markdown('intro'),
    markdown('part1'),
    solution('dcgan_init'),
    tests('test_init', 2, visible=('_check_normal', '_filled', 'visible_init'),
          hidden=('_check_normal', '_filled', 'hidden_init')),
    markdown('part2'),
    solution('generator'),
    tests('test_generator_shapes', 2, visible=('visible_g_shapes',),
          hidden=('hidden_g_shapes',)),
    tests('test_generator_guidelines', 2, visible=('_layer_calls', '_names', '_check_generator_guidelines', 'visible_g_rules'),
          hidden=('_layer_calls', '_names', '_check_generator_guidelines', 'hidden_g_rules')),
    markdown('part3'),
    solution('discriminator'),
    tests('test_discriminator_shapes', 2, visible=('_check_logits', 'visible_d_shapes'),
          hidden=('_check_logits', 'hidden_d_shapes')),
    tests('test_discriminator_guidelines', 2, visible=('_layer_calls', '_names', '_check_discriminator_guidelines', 'visible_d_rules'),
          hidden=('_layer_calls', '_names', '_check_discriminator_guidelines', 'hidden_d_rules')),
    markdown('outro'),
)
