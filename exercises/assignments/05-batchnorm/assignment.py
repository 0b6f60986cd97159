"""Assignment 05-batchnorm: batch normalisation from the formula, running statistics, train and
eval modes, checked against torch.nn.BatchNorm1d/2d (Ioffe & Szegedy, 2015; chapter 6).
"""
from ganlab_grader.build.spec import markdown, setup, solution, tests

NAME = '05-batchnorm'

CELLS = (
    setup(),
    markdown('intro'),
    markdown('part1'),
    solution('batch_statistics'),
    tests('test_batch_statistics', 2, visible=('_expected_statistics', '_check_statistics', 'visible1'),
          hidden=('_expected_statistics', '_check_statistics', 'hidden1')),
    markdown('part2'),
    solution('normalize'),
    tests('test_normalize', 2, visible=('_check_normalize', 'visible2'),
          hidden=('_check_normalize', 'hidden2')),
    markdown('part34'),
    solution('batch_norm'),
    tests('test_training_mode', 3, visible=('_torch_batchnorm', '_make_pair', '_batch', '_check_training', 'visible3'),
          hidden=('_torch_batchnorm', '_make_pair', '_batch', '_check_training', 'hidden3'),
          references=('batch_statistics', 'normalize')),
    tests('test_evaluation_mode', 3, visible=('_torch_batchnorm', '_make_pair', '_batch', '_check_evaluation', 'visible4'),
          hidden=('_torch_batchnorm', '_make_pair', '_batch', '_check_evaluation', 'hidden4'),
          references=('batch_statistics', 'normalize')),
    markdown('outro'),
)
