"""SQLModel tables and the functions that read and write them. Knows nothing of NiceGUI or of the live engine."""

from .db import DatabaseUnavailable, create_db
from .interviews import (InterviewChange, create_interview, delete_interview, ended_before, get_interview,
                         list_team_interviews, set_interview_ended, watch_interviews)
from .account_models import Account, AccountSession, Activity, ApiToken, Invite, ServerSetting, SignInFailure, Team
from .models import CodeRun, DocSnapshot, DocUpdate, Interview, Participant
from .question_models import InterviewQuestion, QuestionRow, Scorecard, Signal, TestRunRow
from .questions import (SlugTaken, add_signal, delete_question, erase_evidence, get_question, interview_question,
                        list_questions, list_scorecards, list_signals, list_test_runs, pick_question, save_question,
                        save_scorecard, save_test_run)
from .participants import create_participant, list_participants, save_participants, token_matches
from .room_ids import notes_room_id, split_room_id
from .locks import LocalRunLock, PostgresRunLock, RoomRunLock, room_run_lock
from .runs import FAILED, RUNNING, fail_abandoned_runs, list_runs, new_run, run_output, save_run
from .update_log import HistoryEntry, SqlUpdateLog

__all__ = [
    'FAILED', 'RUNNING', 'CodeRun', 'DatabaseUnavailable', 'DocSnapshot', 'DocUpdate', 'HistoryEntry', 'Interview',
    'LocalRunLock', 'Participant', 'PostgresRunLock', 'RoomRunLock', 'SqlUpdateLog', 'create_db', 'create_interview',
    'create_participant', 'delete_interview', 'fail_abandoned_runs', 'get_interview', 'list_participants',
    'list_runs', 'new_run', 'notes_room_id', 'room_run_lock', 'run_output', 'save_participants', 'save_run',
    'set_interview_ended', 'split_room_id', 'token_matches',
    # the team workspace (store/account_models.py, store/accounts.py, store/interviews.py)
    'Account', 'AccountSession', 'Activity', 'ApiToken', 'Invite', 'InterviewChange', 'ServerSetting',
    'SignInFailure', 'Team', 'ended_before', 'list_team_interviews', 'watch_interviews',
    # interview content and evidence (store/question_models.py, store/questions.py)
    'InterviewQuestion', 'QuestionRow', 'Scorecard', 'Signal', 'SlugTaken', 'TestRunRow', 'add_signal',
    'delete_question', 'erase_evidence', 'get_question', 'interview_question', 'list_questions', 'list_scorecards',
    'list_signals', 'list_test_runs', 'pick_question', 'save_question', 'save_scorecard', 'save_test_run',
]
