"""Who is in an interview and what they are doing: participants, their colour, role, online/away/offline state,
typing and last cursor. Durable in the SQLModel store, pushed to subscribers at once. No NiceGUI here."""

from .colors import PALETTE, pick_color
from .service import (
    MAX_NAME, ROLES, STATUSES, Cursor, Forbidden, InterviewFull, NotFound, ParticipantView, PresenceError,
    PresenceService, clean_name,
)

__all__ = [
    'MAX_NAME', 'PALETTE', 'ROLES', 'STATUSES', 'Cursor', 'Forbidden', 'InterviewFull', 'NotFound', 'ParticipantView',
    'PresenceError', 'PresenceService', 'clean_name', 'pick_color',
]
