"""Signing in and out: who a request is (a session cookie, or the trusted proxy's email header), the first-run form,
the sign-in form, the password dialog, the invite page, and the two routes that set and clear the cookie.

A form is sent over the page's socket, which cannot set a cookie, so a successful sign-in navigates to
`/auth/enter?ticket=…`; that route trades the one-time ticket for the HttpOnly cookie and goes on to the dashboard.
"""

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from accounts import Member, SignIn, Workspace, WorkspaceError
from accounts.sso import TrustedProxy

COOKIE = 'pairpad_session'
COOKIE_DAYS = 30


@dataclass
class Auth:
    workspace: Workspace
    proxy: TrustedProxy

    def member(self, request: Request) -> Member | None:
        """The signed-in member of a request: the trusted proxy's email header first, else the session cookie."""
        email = self.proxy.email(_peer(request), request.headers)
        if email is not None:
            return self.workspace.sso_member(email)
        return self.workspace.member(request.cookies.get(COOKIE))

    def token_member(self, request: Request, scope: str) -> Member | None:
        return self.workspace.token_member(request.headers.get('authorization'), scope)

    def address(self, request: Request) -> str:
        return self.proxy.client_address(_peer(request), request.headers)

    def cookie(self, request: Request) -> str | None:
        return request.cookies.get(COOKIE)


def _peer(request: Request) -> str | None:
    return request.client.host if request.client else None


def register(auth: Auth) -> None:
    app.include_router(build_router(auth))


def build_router(auth: Auth) -> APIRouter:
    router = APIRouter(prefix='/auth', include_in_schema=False)

    @router.get('/enter')
    def enter(request: Request, ticket: str = '', next: str = '/') -> RedirectResponse:
        """Trade a sign-in's ticket for the session cookie, once."""
        cookie = auth.workspace.enter(ticket)
        response = RedirectResponse(_local(next) if cookie else '/', status_code=303)
        if cookie:
            response.set_cookie(COOKIE, cookie, max_age=COOKIE_DAYS * 86400, httponly=True, samesite='lax',
                                secure=_https(request, auth), path='/')
        return response

    @router.get('/sign-out')
    def sign_out(request: Request) -> RedirectResponse:
        auth.workspace.sign_out(request.cookies.get(COOKIE))
        response = RedirectResponse('/', status_code=303)
        response.delete_cookie(COOKIE, path='/')
        return response

    return router


def _local(path: str) -> str:
    """Only a path of this server: never an open redirect."""
    return path if path.startswith('/') and not path.startswith('//') and '\\' not in path else '/'


def _https(request: Request, auth: Auth) -> bool:
    if auth.proxy.trusted(_peer(request)):
        return request.headers.get('x-forwarded-proto', request.url.scheme) == 'https'
    return request.url.scheme == 'https'


def go_in(signed: SignIn, next: str = '/') -> None:
    ui.navigate.to(f'/auth/enter?ticket={quote(signed.ticket or "")}&next={quote(_local(next))}')


def _error_label(testid: str) -> ui.label:
    return ui.label('').classes('text-sm text-red-400').props(f'data-testid={testid} role=alert')


def setup_form(auth: Auth) -> None:
    """The first visit to a server without any account: this form makes the team's first administrator."""
    with ui.card().classes('mx-auto mt-8 w-96').props('data-testid=setup-form'):
        ui.label('Set up Pairpad').classes('text-lg font-semibold')
        ui.label('Create the first account: it administers this server\'s team.').classes('text-sm text-gray-600')
        name = ui.input('Your name').props('data-testid=setup-name outlined maxlength=40').classes('w-full')
        email = ui.input('Email').props('data-testid=setup-email outlined type=email').classes('w-full')
        password = ui.input('Password (at least 10 characters)', password=True) \
            .props('data-testid=setup-password outlined').classes('w-full')
        error = _error_label('setup-error')

        async def submit() -> None:
            try:
                signed = await _off_loop(auth.workspace.setup, name.value, email.value, password.value)
            except WorkspaceError as e:
                error.set_text(str(e))
                return
            go_in(signed)

        password.on('keydown.enter', submit)
        ui.button('Create account', on_click=submit).props('data-testid=setup-submit')


def sign_in_form(auth: Auth, request: Request, next: str = '/') -> None:
    address = auth.address(request)
    with ui.card().classes('mx-auto mt-8 w-96').props('data-testid=sign-in-form'):
        ui.label('Sign in').classes('text-lg font-semibold')
        email = ui.input('Email').props('data-testid=sign-in-email outlined type=email').classes('w-full')
        password = ui.input('Password', password=True).props('data-testid=sign-in-password outlined') \
            .classes('w-full')
        error = _error_label('sign-in-error')
        answered = [0]  # attempts this form has answered (data-attempts): a click while one is checked is ignored

        async def submit() -> None:
            button.disable()  # one attempt at a time from this form
            try:
                signed = await _off_loop(auth.workspace.sign_in, email.value, password.value, address)
            finally:
                button.enable()
            answered[0] += 1
            if signed.member is None:
                error.set_text(signed.error)
                error.props(f'data-locked={"true" if signed.wait > 0 else "false"} data-attempts={answered[0]}')
                return
            go_in(signed, next)

        password.on('keydown.enter', submit)
        button = ui.button('Sign in', on_click=submit).props('data-testid=sign-in-submit')


async def _off_loop(function, *args):
    """argon2 costs a good fraction of a second of CPU: run it in a thread so the rooms' event loop keeps going."""
    return await run.io_bound(function, *args)


def password_dialog(auth: Auth, member: Member, cookie: str | None) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-96').props('data-testid=password-dialog'):
        ui.label('Change your password').classes('text-lg font-semibold')
        current = ui.input('Current password', password=True).props('data-testid=password-current outlined') \
            .classes('w-full')
        new = ui.input('New password (at least 10 characters)', password=True) \
            .props('data-testid=password-new outlined').classes('w-full')
        message = _error_label('password-message')

        async def submit() -> None:
            try:
                await _off_loop(auth.workspace.change_password, member, cookie, current.value, new.value)
            except WorkspaceError as e:
                message.set_text(str(e))
                return
            current.set_value('')
            new.set_value('')
            dialog.close()
            ui.notify('Password changed; your other sessions were signed out.', type='positive')

        with ui.row():
            ui.button('Change', on_click=submit).props('data-testid=password-submit')
            ui.button('Cancel', on_click=dialog.close).props('flat')
    return dialog


def register_invite_page(auth: Auth) -> None:
    @ui.page('/invite/{token}', title='Join the team · Pairpad')
    def invite(token: str) -> None:
        pending = auth.workspace.pending_invite(token)
        with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4'):
            ui.label('Pairpad').classes('text-3xl font-bold')
            if pending is None:
                ui.label('This invite link is not valid any more: it was used, it expired, or it is incomplete. '
                         'Ask your administrator for a new one.').props('data-testid=invite-refused')
                return
            with ui.card().classes('w-96').props('data-testid=invite-form'):
                ui.label('Join the team').classes('text-lg font-semibold')
                ui.label(f'You join as {pending.email}.').classes('text-sm text-gray-600') \
                    .props('data-testid=invite-email')
                name = ui.input('Your name').props('data-testid=invite-name outlined maxlength=40').classes('w-full')
                password = ui.input('Password (at least 10 characters)', password=True) \
                    .props('data-testid=invite-password outlined').classes('w-full')
                error = _error_label('invite-error')

                async def submit() -> None:
                    try:
                        signed = await _off_loop(auth.workspace.accept_invite, token, name.value, password.value)
                    except WorkspaceError as e:
                        error.set_text(str(e))
                        return
                    go_in(signed)

                ui.button('Join', on_click=submit).props('data-testid=invite-submit')
