"""SQLModel tables and the functions that read and write them. Knows nothing of NiceGUI or of the live engine."""

from .db import create_db
from .interviews import create_interview, delete_interview, get_interview, set_interview_ended
from .models import DocSnapshot, DocUpdate, Interview, Participant
from .participants import create_participant, list_participants, save_participants, token_matches
from .update_log import SqlUpdateLog

__all__ = [
    'DocSnapshot', 'DocUpdate', 'Interview', 'Participant', 'SqlUpdateLog', 'create_db', 'create_interview',
    'create_participant', 'delete_interview', 'get_interview', 'list_participants', 'save_participants', 'set_interview_ended', 'token_matches',
]
