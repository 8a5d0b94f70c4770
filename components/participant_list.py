"""ParticipantList: one chip per person with colour, name, role, state and typing indicator.

It takes any objects with `id`, `name`, `color`, `role`, `status` and `is_typing` attributes, so it knows
nothing of where presence comes from. Automation hooks on each chip: `data-testid="participant"`,
`data-participant-id`, `data-role` (interviewer/candidate), `data-status` (online/away/offline) and `data-typing` (true/false).
"""

from typing import Protocol

from nicegui import ui


class ParticipantLike(Protocol):
    id: str
    name: str
    color: str
    role: str
    status: str
    is_typing: bool


class _Chip(ui.row):
    def __init__(self, participant: ParticipantLike, *, is_self: bool) -> None:
        super().__init__(wrap=False)
        self.classes('items-center gap-1 px-2 py-1 rounded-full border text-sm')
        with self:
            self.dot = ui.element('span').classes('inline-block w-3 h-3 rounded-full')
            self.name = ui.label().classes('font-medium')
            if is_self:
                ui.label('(you)').classes('text-gray-500')
            self.role = ui.label().classes('text-xs uppercase text-gray-500')
            self.state = ui.label().classes('text-xs')
            self.typing = ui.label('typing…').classes('text-xs italic text-gray-600')
        self.show(participant)

    def show(self, p: ParticipantLike) -> None:
        shown = (p.name, p.color, p.role, p.status, p.is_typing)
        if shown == getattr(self, '_shown', None):
            return  # e.g. only the cursor moved: nothing on the chip changes, so nothing is sent to the browsers
        self._shown = shown
        self._props.update({'data-testid': 'participant', 'data-participant-id': p.id, 'data-role': p.role,
                            'data-status': p.status,
                            'data-typing': 'true' if p.is_typing else 'false'})
        self.style(f'border-color: {p.color}; opacity: {0.5 if p.status == "offline" else 1}')
        self.dot.style(f'background-color: {p.color}')
        self.name.set_text(p.name)  # text, never HTML
        self.role.set_text(p.role)
        self.state.set_text(p.status)
        self.typing.set_visibility(p.is_typing)
        self.update()


class ParticipantList(ui.row):
    def __init__(self, *, self_id: str | None = None) -> None:
        super().__init__()
        self.classes('items-center gap-2')
        self.props('data-testid=participants')
        self.self_id = self_id
        self._chips: dict[str, _Chip] = {}

    def show(self, participant: ParticipantLike) -> None:
        """Add or refresh the chip of one participant."""
        chip = self._chips.get(participant.id)
        if chip is None:
            with self:
                self._chips[participant.id] = _Chip(participant, is_self=participant.id == self.self_id)
        else:
            chip.show(participant)
