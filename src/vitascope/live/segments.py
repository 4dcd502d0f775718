"""The segment index of a live rendition, and the playlists rendered from it (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Segment length and live playlist window per latency mode: shorter segments and a shorter window
# put players closer to the live edge at the cost of more requests.
SEGMENT_SECONDS = {"standard": 2.0, "reduced": 1.0, "low": 1.0}
LIVE_WINDOW = {"standard": 6, "reduced": 4, "low": 4}


@dataclass(frozen=True)
class Segment:
    """One finished segment: ``{index}.ts`` lasting ``duration`` seconds."""

    index: int
    duration: float
    discontinuity: bool = False


@dataclass
class RenditionIndex:
    """The segments of one rendition of a live recording, in order."""

    name: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def next_index(self) -> int:
        return self.segments[-1].index + 1 if self.segments else 0

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)

    def add(self, duration: float, *, discontinuity: bool = False) -> Segment:
        """Record the next finished segment."""
        segment = Segment(self.next_index, duration, discontinuity)
        self.segments.append(segment)
        return segment

    def playlist(self, *, ended: bool) -> str:
        """The whole recording: an EVENT playlist while live, a VOD one (with ENDLIST) when ended."""
        return render_playlist(self.segments, ended=ended, playlist_type="VOD" if ended else "EVENT")


def parse_segment_csv(text: str) -> list[tuple[str, float]]:
    """Complete lines of ffmpeg's CSV segment list: ``name,start,end`` → (name, duration)."""
    found: list[tuple[str, float]] = []
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break  # ffmpeg is still writing this line
        parts = line.strip().split(",")
        if len(parts) != 3:
            continue
        try:
            found.append((parts[0], max(0.0, float(parts[2]) - float(parts[1]))))
        except ValueError:
            continue
    return found


def render_playlist(
    segments: list[Segment], *, ended: bool, playlist_type: str | None = None, window: int | None = None
) -> str:
    """An HLS media playlist; ``window`` keeps only the newest segments (a live sliding window)."""
    shown = segments[-window:] if window else segments
    target = max([1, *(math.ceil(s.duration) for s in shown)])
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}"]
    lines.append(f"#EXT-X-MEDIA-SEQUENCE:{shown[0].index if shown else 0}")
    discontinuities = sum(1 for s in segments[: len(segments) - len(shown)] if s.discontinuity)
    if discontinuities:
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuities}")
    if playlist_type:
        lines.append(f"#EXT-X-PLAYLIST-TYPE:{playlist_type}")
    lines.append("#EXT-X-INDEPENDENT-SEGMENTS")
    for segment in shown:
        if segment.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [f"#EXTINF:{segment.duration:.6f},", f"{segment.index}.ts"]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def parse_playlist(text: str) -> list[Segment]:
    """Read back a playlist written by :func:`render_playlist` (used after a restart)."""
    segments: list[Segment] = []
    duration: float | None = None
    discontinuity = False
    for line in text.splitlines():
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",")[0])
        elif line.startswith("#EXT-X-DISCONTINUITY") and not line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE"):
            discontinuity = True
        elif line and not line.startswith("#") and duration is not None:
            segments.append(Segment(int(line.split(".")[0]), duration, discontinuity))
            duration, discontinuity = None, False
    return segments
