"""``krsl20:FILE.npz`` (the K-RSL hand keypoints) and ``mp_array:FILE.npz`` (MediaPipe Holistic
sequences): labelled arrays in one file."""

from signkit.data.dataset import loader
from signkit.pose.io.arrays import read_krsl_npz, read_mediapipe_npz

loader("krsl20")(read_krsl_npz)
loader("mp_array")(read_mediapipe_npz)
