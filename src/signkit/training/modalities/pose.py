"""``model.modality: pose``: keypoint sequences, selected by articulator group; every task."""

from __future__ import annotations

import json

from signkit.errors import ConfigError
from signkit.training.registries import MODALITIES, Modality


@MODALITIES.register("pose")
class PoseModality(Modality):
    def model_defaults(self, model) -> dict:
        from signkit.models import ENCODERS
        from signkit.training.registries import registered_defaults

        return registered_defaults(ENCODERS, model.encoder)

    def check(self, task, model) -> None:
        from signkit.training.registries import get_task

        get_task(task).check_model(model.encoder, model.decoder_for(task), model.encoder_params,
                                   model.decoder_params)

    def prepare(self, samples, data):
        from signkit.pose.pose import Pose
        from signkit.training.arrays import prepare

        if samples and not isinstance(samples[0], Pose):
            raise ConfigError(f"it holds {type(samples[0]).__name__} samples, not poses: set "
                              "model.modality=video for a video model")
        prepared = prepare(list(samples), data)
        if prepared and data.dims > prepared[0].num_dims:
            raise ConfigError(f"data.dims={data.dims} but the poses have {prepared[0].num_dims} coordinates")
        return prepared

    def module(self, task, recipe, samples, prepared, vocabulary):
        from signkit.models.graph import selection_edges

        full = samples[0].layout
        if not set(prepared[0].layout.keypoints) <= set(full.keypoints):
            full = prepared[0].layout  # the preprocessing made new points (face_measures)
        keep = full.indices(recipe.data.groups)
        module = task.module(recipe, len(keep), selection_edges(full, keep).tolist(), vocabulary)
        if recipe.model.init_from:
            from signkit.training.checkpoint import load_pretrained_encoder

            load_pretrained_encoder(module.model.encoder, recipe.model.init_from, recipe, prepared[0].layout)
        return module

    def callbacks(self, recipe):
        if recipe.model.init_from and recipe.model.freeze_epochs:
            from signkit.training.module import FreezeBackbone

            return [FreezeBackbone(recipe.model.freeze_epochs)]
        return []

    def dataset(self, task, prepared, glosses, vocabulary, recipe, train, seed):
        return task.dataset(prepared, glosses, vocabulary, recipe.data, train, seed)

    def write_run_files(self, out, prepared) -> None:
        from signkit.runs import LAYOUT

        (out / LAYOUT).write_text(json.dumps(prepared.layout.to_dict()))

    def load_run(self, run_dir, recipe, vocabulary, checkpoint):
        from signkit.errors import PoseFileError
        from signkit.pose.layout import Layout
        from signkit.runs import LAYOUT
        from signkit.training.checkpoint import load_module
        from signkit.training.predict import LoadedRun
        from signkit.training.registries import get_task

        if not (run_dir / LAYOUT).is_file():
            raise PoseFileError(run_dir / LAYOUT, "missing: not a complete training run folder")
        module = load_module(get_task(recipe.task).module_class(), checkpoint)
        layout = Layout.from_dict(json.loads((run_dir / LAYOUT).read_text()))
        return LoadedRun(recipe, vocabulary, layout, run_dir, module)
