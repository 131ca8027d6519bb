"""signkit: sign language processing from video to evaluated recognizers and corpora."""

from signkit.errors import SignkitError
from signkit.pose import Layout, Pose

__all__ = ["Layout", "Pose", "SignkitError"]
__version__ = "0.1.0"
