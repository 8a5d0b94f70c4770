"""The live engine: one Room per interview holding a pycrdt Doc and its awareness, the Yjs sync protocol,
message limits and the registry that loads and evicts rooms. It knows nothing of NiceGUI or SQL: peers are
reached through a send callback and durable state through the Persistence interface."""

from .document import LANGUAGES, initial_update, read_code
from .errors import NotSynced, ProtocolError, RateLimited, RoomClosed
from .limits import Limits
from .persistence import MemoryPersistence, PendingUpdate, Persistence
from .registry import RoomRegistry
from .room import Room

__all__ = [
    'LANGUAGES', 'Limits', 'MemoryPersistence', 'NotSynced', 'PendingUpdate', 'Persistence', 'ProtocolError',
    'RateLimited', 'Room', 'RoomClosed', 'RoomRegistry', 'initial_update', 'read_code',
]
