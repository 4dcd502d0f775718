"""RTMP ingest: handshake, chunk stream, AMF0, one session per connection, and the listener."""

from vitascope.ingest.rtmp.ports import Publisher, PublishHandler, PublishRejected
from vitascope.ingest.rtmp.server import RtmpServer

__all__ = ["PublishHandler", "PublishRejected", "Publisher", "RtmpServer"]
