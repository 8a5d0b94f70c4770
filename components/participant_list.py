"""ParticipantList: one chip per person with colour, name, role, state and typing indicator.

It takes any objects with `id`, `name`, `color`, `role`, `status` and `is_typing` attributes, so it knows
nothing of where presence comes from. Automation hooks on each chip: `data-testid="participant"`,
`data-participant-id`, `data-role` (interviewer/candidate), `data-status` (online/away/offline) and `data-typing` (true/false).

Past MAX_CHIPS people, one summary (`data-testid="participants-more"`, `data-count`, `data-online`) counts the rest.
Each chip shows the name, and after it (drawn by pairpad.css from the name's `data-details`) the role, the state and
"typing…". Follow mode: another person's chip is a toggle button (click, or Enter/Space when focused) that follows
them; the chip followed says so with `data-following="true"` and `aria-pressed`. Whom to follow is the caller's business
(`on_follow`), like the end of following that the editor reports (`set_following(None)`).

Integrity signals (`show_signals`, called on interviewers' pages only: a candidate's page never builds them): a
summary on the chip (`data-testid="participant-signals"`, e.g. "2 pastes · 1 min away") and the figures as
attributes of the chip (`data-pastes`, `data-away-seconds`, …, as the caller names them).
"""

from typing import Callable, Protocol

from nicegui import ui


class ParticipantLike(Protocol):
    id: str
    name: str
    color: str
    role: str
    status: str
    is_typing: bool


class _Chip(ui.element):
    """Two elements, however much it says: a room of many people builds one chip per person in the tab that joins
    and one in every other tab per join, and NiceGUI's cost is per element (docs/benchmarks.md, issue 17). The
    colour dot and the small words after the name (role, state, typing) are drawn by pairpad.css from the chip's
    `--chip-color` and the name's `data-details`, as text: never HTML. A chip one can follow is a native button, so
    Enter and Space click it with no key listener of ours."""

    def __init__(self, participant: ParticipantLike, *, is_self: bool, followable: bool) -> None:
        super().__init__('button' if followable else 'div')
        self.is_self = is_self
        self.classes('participant-chip inline-flex items-center gap-1 px-2 py-1 rounded-full border text-sm')
        if followable:
            self.classes('cursor-pointer')
            self._props.update({'type': 'button', 'aria-pressed': 'false', 'data-following': 'false'})
        with self:
            self.name = ui.label().classes('participant-name font-medium')
        self.signals: ui.label | None = None
        self.show(participant)

    def set_following(self, following: bool) -> None:
        self._props.update({'aria-pressed': str(following).lower(), 'data-following': str(following).lower()})
        self.update()

    def show_signals(self, summary: str, hooks: dict[str, object]) -> None:
        if self.signals is None:
            with self:
                self.signals = ui.label().classes('text-xs text-amber-700 dark:text-amber-400') \
                    .props('data-testid=participant-signals')
        self.signals.set_text(summary)
        self.signals.set_visibility(bool(summary))
        self._props.update({f'data-{name}': str(value) for name, value in hooks.items()})
        self.update()

    def show(self, p: ParticipantLike) -> None:
        shown = (p.name, p.color, p.role, p.status, p.is_typing)
        if shown == getattr(self, '_shown', None):
            return  # e.g. only the cursor moved: nothing on the chip changes, so nothing is sent to the browsers
        self._shown = shown
        self._props.update({'data-testid': 'participant', 'data-participant-id': p.id, 'data-role': p.role,
                            'data-status': p.status,
                            'data-typing': 'true' if p.is_typing else 'false'})
        self._style.update({'--chip-color': p.color, 'border-color': p.color,
                            'opacity': '0.5' if p.status == 'offline' else '1'})
        self.name._props['data-details'] = ' · '.join([p.role, p.status, *(['typing…'] if p.is_typing else [])])
        self.name.set_text(f'{p.name} (you)' if self.is_self else p.name)  # text, never HTML
        self.name.update()
        self.update()


MAX_CHIPS = 30  # past this many people a tab shows how many more there are, not a chip for each


class ParticipantList(ui.row):
    def __init__(self, *, self_id: str | None = None, on_follow: Callable[[str | None], None] | None = None) -> None:
        """`on_follow(participant_id or None)`: someone's chip was clicked to follow them, or clicked again."""
        super().__init__()
        self.classes('items-center gap-2')
        self.props('data-testid=participants')
        self.self_id = self_id
        self.on_follow = on_follow
        self.following: str | None = None
        self._chips: dict[str, _Chip] = {}
        self._signals: dict[str, tuple[str, dict[str, object]]] = {}
        self._others: dict[str, str] = {}  # participant id → status, of the people past MAX_CHIPS
        self._more: ui.label | None = None

    def set_following(self, participant_id: str | None) -> None:
        """Mark whom this tab follows (None: nobody) on the chips."""
        for chip_id in {self.following, participant_id} - {None}:
            if chip_id in self._chips:
                self._chips[chip_id].set_following(chip_id == participant_id)
        self.following = participant_id

    def _toggle_follow(self, participant_id: str) -> None:
        chosen = None if self.following == participant_id else participant_id
        self.set_following(chosen)
        if self.on_follow is not None:
            self.on_follow(chosen)

    def show(self, participant: ParticipantLike) -> None:
        """Add or refresh the chip of one participant; past MAX_CHIPS people (a room whose operator raised
        PAIRPAD_MAX_PARTICIPANTS, e.g. a workshop), count them on one summary instead: a join then changes one
        label in every tab, and a tab that joins builds at most MAX_CHIPS chips, however many people there are."""
        chip = self._chips.get(participant.id)
        if chip is None and (participant.id in self._others or
                             (len(self._chips) >= MAX_CHIPS and participant.id != self.self_id)):
            self._others[participant.id] = participant.status
            self._show_others()
        elif chip is None:
            is_self = participant.id == self.self_id
            followable = not is_self and self.on_follow is not None
            with self:
                self._chips[participant.id] = chip = _Chip(participant, is_self=is_self, followable=followable)
            if followable:
                chip.on('click', lambda pid=participant.id: self._toggle_follow(pid))
            if participant.id in self._signals:
                chip.show_signals(*self._signals[participant.id])
        else:
            chip.show(participant)

    def _show_others(self) -> None:
        online = sum(status != 'offline' for status in self._others.values())
        text = f'+{len(self._others)} more · {online} online'
        if self._more is None:
            with self:
                self._more = ui.label().classes('text-sm text-gray-600').props('data-testid=participants-more')
        if self._more.text != text:
            self._more._props.update({'data-count': str(len(self._others)), 'data-online': str(online)})
            self._more.set_text(text)

    def show_signals(self, participant_id: str, summary: str, hooks: dict[str, object]) -> None:
        """Show a participant's integrity signals on their chip (now, or when their chip appears): interviewers'
        pages only."""
        if self._signals.get(participant_id) == (summary, hooks):
            return
        self._signals[participant_id] = (summary, hooks)
        if participant_id in self._chips:
            self._chips[participant_id].show_signals(summary, hooks)
