"""Video -> pose: PyAV decoding, MediaPipe Holistic estimation, resumable parallel batches.

MediaPipe and Ray are optional (``signkit[extract]``, ``signkit[ray]``); importing this package
does not need them.
"""

from signkit.extract.holistic import HolisticEstimator, extract_video
from signkit.extract.runner import ExtractionInterrupted, run_extraction
from signkit.extract.video import Crop, read_frames

__all__ = ["Crop", "ExtractionInterrupted", "HolisticEstimator", "extract_video", "read_frames",
           "run_extraction"]
