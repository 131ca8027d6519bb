"""The pretraining strategies' LightningModules (torch), one file each: ``NAME.py`` is ``task: NAME``
and holds ``STRATEGY``, its module (see :mod:`signkit.training.tasks.pretraining`)."""
