"""Training: one GAN loop for every chapter, plus CycleGAN and VAE loops (chapters 2-9).

``train_gan(G, D, data, config=None, **overrides) -> TrainResult`` runs the alternating
k-step algorithm of Goodfellow et al. (2014) with any loss of :mod:`ganlab.losses`, a live
progress bar, a history, snapshots for figures, exact checkpoint/resume and a divergence guard.
"""
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .loop import HISTORY_KEYS, TrainingDiverged, TrainResult, train_gan
from .cyclegan import CycleGANConfig, CycleGANResult, train_cyclegan
from .vae import VAEResult, train_vae
from .pretrained import load_or_train
from .ensemble import EnsembleResult, ModelStack, train_ensemble
from . import recipes

__all__ = ["TrainConfig", "TrainResult", "TrainingDiverged", "train_gan", "HISTORY_KEYS",
           "save_checkpoint", "load_checkpoint", "CheckpointError",
           "CycleGANConfig", "CycleGANResult", "train_cyclegan", "VAEResult", "train_vae",
           "load_or_train", "recipes", "train_ensemble", "EnsembleResult", "ModelStack"]
