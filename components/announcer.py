"""Announcer: what a screen reader says about the room besides the code, through one `aria-live="polite"` region.

Polite: it waits for the reader to finish what it is saying, never interrupts typing. Each message is a new line
of the region (the reader says only what was added), and only the last few are kept. The region is visually
hidden (`sr-only`): sighted people see the same facts on the chips and the console.

Automation hook: `data-testid="announcer"`; each message is a child with `data-testid="announcement"`.

`PresenceAnnouncements` turns presence changes (objects with `id`, `name`, `role`, `status`) into messages:
someone joins, leaves, goes away or comes back. Knowing who was there before is its business; where presence
comes from is the caller's, as for the participant chips.
"""

from typing import Iterable, Protocol

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

KEPT = 5  # messages kept in the region: enough for a reader that comes back to it, not a history


class Announcer(ui.element):
    def __init__(self) -> None:
        super().__init__('div')
        self.classes('sr-only')
        self.props('aria-live=polite aria-atomic=false aria-relevant=additions data-testid=announcer')
        self._messages: list[TextElement] = []

    def say(self, text: str) -> None:
        """Add one message (plain text, never HTML)."""
        with self:
            self._messages.append(TextElement(tag='div', text=text).props('data-testid=announcement'))
        while len(self._messages) > KEPT:
            self.remove(self._messages.pop(0))


class PersonLike(Protocol):
    id: str
    name: str
    role: str
    status: str


class PresenceAnnouncements:
    """Says when someone else joins, leaves, goes away or comes back; never this tab's own person."""

    def __init__(self, announcer: Announcer, self_id: str, present: Iterable[PersonLike]) -> None:
        """:param present: the participants already there when the page was built (not announced)"""
        self.announcer = announcer
        self.self_id = self_id
        self._status = {p.id: p.status for p in present}

    def show(self, person: PersonLike) -> None:
        before = self._status.get(person.id)
        self._status[person.id] = person.status
        if person.id == self.self_id or before == person.status:
            return
        text = message(person, before)
        if text:
            self.announcer.say(text)


def message(person: PersonLike, before: str | None) -> str | None:
    """What to say of a status change (`before` None: a person not seen yet)."""
    if before is None:
        return f'{person.name} joined as {person.role}.' if person.status != 'offline' else None
    if person.status == 'offline':
        return f'{person.name} left.'
    if person.status == 'away':
        return f'{person.name} is away from the room.'
    return f'{person.name} is back.'
