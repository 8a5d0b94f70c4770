"""SQLModel tables and the functions that read and write them. Knows nothing of NiceGUI or of the live engine."""

from .db import create_db
from .interviews import create_interview, delete_interview, get_interview, set_interview_ended
from .models import CodeRun, DocSnapshot, DocUpdate, Interview, Participant
from .participants import create_participant, list_participants, save_participants, token_matches
from .runs import list_runs, new_run, run_output, save_run
from .update_log import HistoryEntry, SqlUpdateLog

__all__ = [
    'CodeRun', 'DocSnapshot', 'DocUpdate', 'HistoryEntry', 'Interview', 'Participant', 'SqlUpdateLog', 'create_db', 'create_interview',
    'create_participant', 'delete_interview', 'get_interview', 'list_participants', 'save_participants', 'set_interview_ended', 'token_matches',
    'list_runs', 'new_run', 'run_output', 'save_run',
]
