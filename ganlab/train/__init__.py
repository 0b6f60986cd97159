"""Training: one loop core and a small step per model: GAN, CycleGAN, VAE, many seeds (ch. 2-9).

``train_gan(G, D, data, config=None, **overrides) -> TrainResult`` runs the alternating
k-step algorithm of Goodfellow et al. (2014) (:class:`GANStep`, in :mod:`ganlab.train.gan`)
with any loss of :mod:`ganlab.losses`. ``train_cyclegan``, ``train_vae`` and
``train_ensemble`` run their own steps through the same loop (:func:`ganlab.train.loop.run`),
so all of them get a live progress bar, a history, snapshots for figures, exact
checkpoint/resume, the learning-rate schedule, mixed precision and the divergence guard.
"""
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .loop import TrainingDiverged
from .gan import HISTORY_KEYS, GANStep, TrainResult, train_gan
from .cyclegan import CycleGANConfig, CycleGANResult, train_cyclegan
from .vae import VAEConfig, VAEResult, train_vae
from .ensemble import EnsembleResult, ModelStack, train_ensemble
from . import recipes
from ..pretrained import load_or_train  # the chapters import it from here too

__all__ = ["TrainConfig", "TrainResult", "TrainingDiverged", "train_gan", "GANStep",
           "HISTORY_KEYS", "save_checkpoint", "load_checkpoint", "CheckpointError",
           "CycleGANConfig", "CycleGANResult", "train_cyclegan", "VAEConfig", "VAEResult",
           "train_vae", "recipes", "load_or_train", "train_ensemble", "EnsembleResult",
           "ModelStack"]
