"""Drawing poses: skeleton frames coloured by articulator group, written as mp4, gif or png."""

from signkit.visualize.render import GROUP_COLORS, render_frames, write_visualization

__all__ = ["GROUP_COLORS", "render_frames", "write_visualization"]
