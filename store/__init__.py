"""SQLModel tables and the functions that read and write them. Knows nothing of NiceGUI or of the live engine."""

from .db import create_db
from .interviews import create_interview, delete_interview, get_interview, set_interview_ended
from .models import CodeRun, DocSnapshot, DocUpdate, Interview, Participant
from .participants import create_participant, list_participants, save_participants, token_matches
from .room_ids import notes_room_id, split_room_id
from .runs import list_runs, new_run, run_output, save_run
from .update_log import HistoryEntry, SqlUpdateLog

__all__ = [
    'CodeRun', 'DocSnapshot', 'DocUpdate', 'HistoryEntry', 'Interview', 'Participant', 'SqlUpdateLog', 'create_db',
    'create_interview', 'create_participant', 'delete_interview', 'get_interview', 'list_participants', 'list_runs',
    'new_run', 'notes_room_id', 'run_output', 'save_participants', 'save_run', 'set_interview_ended',
    'split_room_id', 'token_matches',
]
