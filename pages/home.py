"""`/`: create an interview (title, starting language) and go to its room through the interviewer link."""

from nicegui import ui

from languages import DEFAULT as DEFAULT_LANGUAGE, select_options

from .services import Services, new_interview, room_path


def register(services: Services) -> None:
    @ui.page('/', title='Pairpad')
    def home() -> None:
        with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4'):
            ui.label('Pairpad').classes('text-3xl font-bold')
            ui.label('A shared code editor for live interviews. Create a room and send its link.')
            title = ui.input('Interview title', placeholder='e.g. Backend engineer — pairing') \
                .props('data-testid=title-input outlined').classes('w-full')
            language = ui.select(select_options(), value=DEFAULT_LANGUAGE.id, label='Starting language') \
                .props('data-testid=language-input outlined').classes('w-full')

            def create() -> None:
                try:
                    interview = new_interview(services, title.value or '', language.value)
                except ValueError as e:
                    ui.notify(str(e), type='negative')
                    return
                ui.navigate.to(room_path(interview, 'interviewer'))  # the creator is an interviewer

            title.on('keydown.enter', create)
            ui.button('Create interview', on_click=create).props('data-testid=create-interview')
