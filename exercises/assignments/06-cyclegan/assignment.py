"""Assignment 06-cyclegan: the cycle-consistency, identity and least-squares adversarial losses,
the discriminators' loss with detached fakes, and the generators' full objective
(Zhu et al., 2017; Mao et al., 2017; chapter 7).
"""
from ganlab_grader.build.spec import markdown, setup, solution, tests

NAME = '06-cyclegan'

CELLS = (
    setup(),
    markdown('intro'),
    markdown('part1'),
    solution('cycle_loss'),
    tests('test_cycle_loss', 2, visible=('_images', '_check_scalar', '_check_l1', 'visible1'),
          hidden=('_images', '_check_scalar', '_check_l1', 'hidden1')),
    markdown('part2'),
    solution('identity_loss'),
    tests('test_identity_loss', 1, visible=('_images', '_check_scalar', '_check_l1', 'visible2'),
          hidden=('_images', '_check_scalar', '_check_l1', 'hidden2')),
    markdown('part3'),
    solution('least_squares'),
    tests('test_d_loss', 2, visible=('_images', '_check_scalar', '_check_d_loss', 'visible3_d'),
          hidden=('_images', '_check_scalar', '_check_d_loss', 'hidden3_d')),
    tests('test_g_loss', 1, visible=('_images', '_check_scalar', '_check_g_loss', 'visible3_g'),
          hidden=('_images', '_check_scalar', '_check_g_loss', 'hidden3_g')),
    markdown('part4'),
    solution('discriminator_loss'),
    tests('test_discriminator_loss', 2, visible=('_images', '_check_scalar', '_stub_generator', '_stub_discriminator', '_ls', '_check_discriminator_loss', 'visible4'),
          hidden=('_images', '_check_scalar', '_stub_generator', '_stub_discriminator', '_ls', '_check_discriminator_loss', 'hidden4'),
          references=('cycle_loss', 'identity_loss', 'd_loss_least_squares', 'g_loss_least_squares')),
    markdown('part5'),
    solution('generator_objective'),
    tests('test_generator_objective', 2, visible=('_images', '_check_scalar', '_stub_generator', '_stub_discriminator', '_ls', '_l1', '_check_objective', 'visible5'),
          hidden=('_images', '_check_scalar', '_stub_generator', '_stub_discriminator', '_ls', '_l1', '_check_objective', 'hidden5'),
          references=('cycle_loss', 'identity_loss', 'd_loss_least_squares', 'g_loss_least_squares')),
    markdown('outro'),
)
