"""The dataset loaders, one file each: every module here registers its loaders in
:data:`signkit.data.dataset.DATASETS` (found on the first lookup), so a new loader is one new file."""
