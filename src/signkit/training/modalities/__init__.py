"""Input modalities, registered by name (a recipe's ``model.modality``): what a sample is and how
it becomes a batch, a network and a reloadable run. ``pose`` (keypoint sequences, every task) and
``video`` (RGB clips, classification). Folds, run folders, the trainer, resume, crossval and the
reports are shared by :func:`signkit.training.run.train`. A new modality is one new file here.
"""

from signkit.training.registries import MODALITIES, Modality, get_modality

__all__ = ["MODALITIES", "Modality", "get_modality"]
