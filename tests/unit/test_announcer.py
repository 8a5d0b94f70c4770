"""What the room's screen-reader announcer says of presence changes (components/announcer.py)."""

from types import SimpleNamespace

from components.announcer import PresenceAnnouncements


class Said:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def say(self, text: str) -> None:
        self.messages.append(text)


def person(pid: str, status: str, name: str = 'Cara', role: str = 'candidate'):
    return SimpleNamespace(id=pid, name=name, role=role, status=status)


def test_comings_and_goings_of_others_are_said_once_each():
    said = Said()
    announcements = PresenceAnnouncements(said, 'me', [person('me', 'online', 'Ivan', 'interviewer')])
    for status in ('online', 'online', 'away', 'online', 'offline', 'online'):
        announcements.show(person('cara', status))
    assert said.messages == ['Cara joined as candidate.', 'Cara is away from the room.', 'Cara is back.',
                             'Cara left.', 'Cara is back.']


def test_own_changes_and_people_already_there_are_not_said():
    said = Said()
    announcements = PresenceAnnouncements(said, 'me', [person('me', 'online'), person('bob', 'online', 'Bob')])
    announcements.show(person('me', 'away'))
    announcements.show(person('me', 'online'))
    announcements.show(person('bob', 'online', 'Bob'))
    announcements.show(person('late', 'offline', 'Late'))  # someone first seen as gone: nothing to say
    assert said.messages == []
