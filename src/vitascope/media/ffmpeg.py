"""Where the ffmpeg binary comes from."""

from __future__ import annotations

import functools
import os


@functools.cache
def ffmpeg_exe() -> str:
    """``VITASCOPE_FFMPEG`` if set, else the static ffmpeg shipped by the imageio-ffmpeg wheel."""
    configured = os.environ.get("VITASCOPE_FFMPEG")
    if configured:
        return configured
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())
