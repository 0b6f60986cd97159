"""The test helpers of assignment 04-dcgan: each function or class is copied whole into the cells
that list it (the read-only helpers cell, and again into every hidden part that needs it).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ganlab import exercise_checks as checks


def _check_normal(tensor, mean, what):
    """Mean, standard deviation 0.02 and the normal's 68 % within one standard deviation."""
    values = tensor.detach().double().flatten()
    n = values.numel()
    checks.assert_scalar_close(values.std().item(), 0.02, atol=max(0.0005, 10 * 0.02 / math.sqrt(2 * n)), rtol=0.0,
                               what=f"standard deviation of {what}: 0.02, not 0.2 and not the layer's default")
    checks.assert_scalar_close(values.mean().item(), mean, atol=max(0.001, 10 * 0.02 / math.sqrt(n)), rtol=0.0,
                               what=f"mean of {what} ({n} values)")
    inside = ((values - mean).abs() < 0.02).double().mean().item()
    checks.assert_scalar_close(inside, 0.6827, atol=max(0.02, 10 / math.sqrt(n)), rtol=0.0,
                               what=f"share of {what} within one standard deviation of the mean (normal: 68 %; "
                                    "uniform noise gives 58 %): draw with nn.init.normal_")


def _filled(net, value):
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(value)
    return net


def _layer_calls(model, x):
    """Run model(x); return (output, [(layer, input shape, output shape), ...]) in call order."""
    calls = []
    def record(layer, inputs, output):
        calls.append((layer, tuple(inputs[0].shape), tuple(output.shape)))
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    handles = [m.register_forward_hook(record) for m in leaves]
    try:
        out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    checks.assert_true(len(calls) > 0, f"{type(model).__name__} called no nn layers: build the network "
                       "as self.net = nn.Sequential(...) of modules in __init__ and call it in forward")
    for i in range(len(calls) - 1):
        checks.assert_true(calls[i + 1][1] == calls[i][2],
                           f"layer {i + 1} ({type(calls[i + 1][0]).__name__}) received shape {calls[i + 1][1]} "
                           f"but layer {i} ({type(calls[i][0]).__name__}) returned {calls[i][2]}: keep every layer "
                           "in one nn.Sequential, with no resizing or functional layers between them")
    return out, calls


def _names(calls):
    return [type(layer).__name__ for layer, _, _ in calls]


def _check_generator_guidelines(G, z, image_size):
    """Read G's layers from a forward pass and check the DCGAN guidelines, with a reason for each."""
    out, calls = _layer_calls(G, z)
    names = _names(calls)
    while names and names[0] == "Unflatten":  # reshaping z to (N, latent_dim, 1, 1) is fine
        names, calls = names[1:], calls[1:]
    for layer, name in zip((c[0] for c in calls), names):
        checks.assert_true(not isinstance(layer, nn.Linear),
                           "guideline 3: G has an nn.Linear layer. Project z with nn.ConvTranspose2d(latent_dim, C, 4, 1, 0) "
                           "applied to z as a 1x1 map, not with a fully connected layer")
        checks.assert_true("Pool" not in name and "Upsampl" not in name and not isinstance(layer, nn.Upsample),
                           f"guideline 1: G uses {name}. Upsample with learned, fractionally strided convolutions: "
                           "nn.ConvTranspose2d(c_in, c_out, 4, 2, 1) doubles the size")
        checks.assert_true(name != "Conv2d", "G uses nn.Conv2d: in the DCGAN generator every layer is an nn.ConvTranspose2d "
                           "(a transposed convolution learns its upsampling)")
        checks.assert_true(name not in ("LeakyReLU", "PReLU", "ELU", "SELU", "GELU"),
                           f"guideline 4: G uses {name}; the generator's hidden layers use plain nn.ReLU()")
        checks.assert_true(name not in ("Sigmoid", "Hardtanh"), f"G's output layer uses {name}: DCGAN's generator ends with "
                           "nn.Tanh(), so that images lie in [-1, 1] like the training data")
    for name in names:
        checks.assert_true(name in ("ConvTranspose2d", "BatchNorm2d", "ReLU", "Tanh"),
                           f"G uses {name}; a DCGAN generator is built from ConvTranspose2d, BatchNorm2d, ReLU and Tanh only")
    checks.assert_true(names[-1] == "Tanh", f"G's last layer is {names[-1]}; it must be nn.Tanh() (guideline 4)")
    checks.assert_true(len(names) < 2 or names[-2] != "BatchNorm2d", "guideline 2: batch norm on G's output layer. The output layer is "
                       "ConvTranspose2d followed directly by Tanh; normalising it would force every image to the "
                       "same mean and spread")
    n_conv = names.count("ConvTranspose2d")
    checks.assert_true(n_conv >= 2, f"G has {n_conv} transposed convolution(s); it needs hidden layers too")
    expected = ["ConvTranspose2d", "BatchNorm2d", "ReLU"] * (n_conv - 1) + ["ConvTranspose2d", "Tanh"]
    checks.assert_true(names == expected,
                       f"G's layers are {names}; guidelines 2 and 4 give {expected}: every hidden transposed "
                       "convolution is followed by BatchNorm2d then ReLU, the output one by Tanh only")
    checks.assert_true(calls[0][1][2:] == (1, 1), f"G's first layer received {calls[0][1]}: feed z as a 1x1 map, "
                       "z.view(N, latent_dim, 1, 1), so that the transposed convolutions grow it to the image")
    checks.assert_true(calls[-1][2][2:] == (image_size, image_size),
                       f"G's transposed convolutions end at {calls[-1][2][2:]}, not at {image_size}x{image_size}")
    checks.assert_true(bool(out.min() >= -1) and bool(out.max() <= 1), "G's images must lie in [-1, 1] (Tanh)")
    checks.assert_true(bool(out.min() < 0) and bool(out.max() > 0),
                       "G's images should use the whole range [-1, 1], negative values included")


def _check_logits(D, x, what):
    """With large random weights a logit leaves [0, 1]; a probability never does."""
    with torch.no_grad():
        _g = checks.rng(4300 + x.shape[0])
        for _m in D.modules():
            if isinstance(_m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                _m.weight.copy_(torch.randn(_m.weight.shape, generator=_g))
        _scores = D(x)
    checks.assert_tensor(_scores, what)
    checks.assert_true(bool((_scores < 0).any()) or bool((_scores > 1).any()),
                       f"{what}: every output lies in [0, 1], even with large random weights. D must return the raw "
                       "logit; remove the sigmoid (the loss applies it)")


def _check_discriminator_guidelines(D, x):
    """Read D's layers from a forward pass and check the DCGAN guidelines, with a reason for each."""
    _, calls = _layer_calls(D, x)
    names = _names(calls)
    while names and names[-1] == "Flatten":  # flattening the 1x1 logit map is fine
        names, calls = names[:-1], calls[:-1]
    for layer, name in zip((c[0] for c in calls), names):
        checks.assert_true(not isinstance(layer, nn.Linear),
                           "guideline 3: D has an nn.Linear layer. The last layer is a convolution, "
                           "nn.Conv2d(C, 1, 4, 1, 0), that turns the 4x4 map into one logit")
        checks.assert_true("Pool" not in name, f"guideline 1: D uses {name}. Downsample with strided convolutions, "
                           "nn.Conv2d(c_in, c_out, 4, 2, 1), so that D learns its own downsampling")
        checks.assert_true(name != "Sigmoid", "D ends with a sigmoid: return the raw logit; the loss "
                           "(binary cross-entropy with logits) applies the sigmoid itself")
        checks.assert_true(name != "ReLU", "guideline 5: D uses nn.ReLU; use nn.LeakyReLU(0.2), which keeps a "
                           "gradient for negative inputs")
        if name == "LeakyReLU":
            checks.assert_true(abs(layer.negative_slope - 0.2) < 1e-9,
                               f"guideline 5: LeakyReLU with slope {layer.negative_slope}; DCGAN uses "
                               "nn.LeakyReLU(0.2) (the default slope of nn.LeakyReLU() is 0.01)")
    for name in names:
        checks.assert_true(name in ("Conv2d", "BatchNorm2d", "LeakyReLU"),
                           f"D uses {name}; a DCGAN discriminator is built from Conv2d, BatchNorm2d and LeakyReLU only")
    checks.assert_true(len(names) < 2 or names[1] != "BatchNorm2d",
                       "guideline 2: batch norm on D's input layer. The first convolution is followed by LeakyReLU "
                       "only; batch norm there makes D judge an image by the statistics of its batch")
    n_conv = names.count("Conv2d")
    checks.assert_true(n_conv >= 3, f"D has {n_conv} convolution(s); it needs an input layer, at least one hidden "
                       "layer with batch norm, and an output layer")
    expected = (["Conv2d", "LeakyReLU"] + ["Conv2d", "BatchNorm2d", "LeakyReLU"] * (n_conv - 2) + ["Conv2d"])
    checks.assert_true(names == expected,
                       f"D's layers are {names}; the guidelines give {expected}: no batch norm on the input "
                       "layer, BatchNorm2d + LeakyReLU(0.2) after every hidden convolution, and a last "
                       "convolution that returns the logit")
    checks.assert_true(calls[-1][2][2:] == (1, 1), f"D's last convolution returns a {calls[-1][2][2:]} map; "
                       "it should return one 1x1 logit per image")
