"""Which document of which interview a room holds: the one place a room id is built and read.

An interview has two shared documents: its code (room id: the interview id) and its interviewers' notes (room id
`<interview id>:notes`), stored side by side in the update log under a `document` column. The pages build notes
room ids here, the store splits them here, and the browser's local copy is named after the room id.
"""

CODE = 'code'
NOTES = 'notes'
_SEPARATOR = ':'


def notes_room_id(interview_id: str) -> str:
    """The room of an interview's notes."""
    return f'{interview_id}{_SEPARATOR}{NOTES}'


def split_room_id(room_id: str) -> tuple[str, str]:
    """(interview id, document) of a room id: `document` is CODE or NOTES."""
    interview_id, _, document = room_id.partition(_SEPARATOR)
    return interview_id, document or CODE
