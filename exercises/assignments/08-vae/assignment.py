"""Assignment 08-vae: the reparameterisation trick, the KL term and the negative ELBO of a VAE
(Kingma & Welling, 2014; chapter 9, Autoencoders and VAEs).

The conventions are those of ``ganlab.models.VAE``: ``reparameterize(mu, logvar, generator)``
draws ``eps = torch.randn(mu.shape, generator=generator)``; the loss is the reconstruction
``||x - x_hat(z)||^2 / (2 s^2)`` summed over pixels plus the closed-form KL summed over the
latent dimensions, each averaged over the batch. The hidden tests compare with
``ganlab.models.VAE`` itself (same generator seed, same weights), after checking it against
their own arithmetic.
"""
from ganlab_grader.build.spec import code, markdown, setup, solution, tests

NAME = '08-vae'

CELLS = (
    setup('from ganlab.models import VAE'),
    markdown('intro'),
    code('test_helpers', '_check_tensor', '_eps', '_kl', '_stub_vae', '_images',
         comment='# Test helpers (read-only): used by the visible tests below. Run this cell once.'),
    markdown('part1'),
    solution('reparameterize'),
    tests('test_reparameterize', 3, visible=('_check_reparameterize', '_check_unseeded', 'visible1'),
          hidden=('_check_tensor', '_eps', '_kl', '_stub_vae', '_images', '_check_reparameterize', '_check_unseeded', 'hidden1'), scoped=True),
    markdown('part2'),
    solution('kl_divergence'),
    tests('test_kl_divergence', 3, visible=('_check_kl', 'visible2'),
          hidden=('_check_tensor', '_eps', '_kl', '_stub_vae', '_images', '_check_kl', 'hidden2'), scoped=True),
    markdown('part3'),
    solution('negative_elbo'),
    tests('test_negative_elbo', 4, visible=('_scalar', '_check_elbo', 'visible3'),
          hidden=('_check_tensor', '_eps', '_kl', '_stub_vae', '_images', '_scalar', '_check_elbo', 'hidden3'), scoped=True,
          references=('reparameterize', 'kl_divergence')),
    markdown('outro'),
)
