"""Training tasks, registered by name (a recipe's ``task``): what differs between learning one
gloss per sample (``classify``), a gloss sequence per sample (``ctc``) and a label per frame
(``tag``): the targets, the vocabulary, the tensors and their batches, the LightningModule and
how a trained run is scored. Encoders, recipes, run folders, resume, crossval and DDP are shared.
A new task is one new file here.
"""

from signkit.training.registries import TASKS, Task, get_task

__all__ = ["TASKS", "Task", "get_task"]
