"""`pairpad users create` and `pairpad users token` (`python main.py users …` in the checkout): accounts from the
shell, for the first administrator of a server installed by script and for integrations' API tokens."""

import argparse
import json
import secrets
import sys
from typing import TextIO

from sqlalchemy import Engine

from .workspace import Workspace, WorkspaceError


def parser() -> argparse.ArgumentParser:
    users = argparse.ArgumentParser(prog='pairpad users', description='Accounts of the team workspace.')
    commands = users.add_subparsers(dest='command', required=True)
    create = commands.add_parser('create', help='create an account (the first one founds the team as its admin); '
                                                'the password is read from stdin when stdin is not a terminal, '
                                                'else generated and printed once')
    create.add_argument('--email', required=True)
    create.add_argument('--name', required=True)
    create.add_argument('--admin', action='store_true', help='an administrator (invites and disables members)')
    create.add_argument('--token', action='store_true', help='also print a new API token of the account')
    create.add_argument('--json', action='store_true', help='print JSON')
    token = commands.add_parser('token', help='print a new API token of an account (for Authorization: Bearer)')
    token.add_argument('--email', required=True)
    token.add_argument('--json', action='store_true', help='print JSON')
    return users


def run(argv: list[str], engine: Engine, secret: str = '', *, stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout) -> int:
    """Run one command; the exit status (1 with one line on stderr when refused)."""
    args = parser().parse_args(argv)
    workspace = Workspace.open(engine, secret)
    try:
        result = _create(workspace, args, stdin) if args.command == 'create' else _token(workspace, args)
    except WorkspaceError as e:
        print(f'pairpad: {e}', file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result), file=stdout)
    else:
        for key, value in result.items():
            print(f'{key}: {value}', file=stdout)
    return 0


def _create(workspace: Workspace, args: argparse.Namespace, stdin: TextIO) -> dict:
    given = '' if stdin.isatty() else stdin.readline().rstrip('\n')
    password = given or secrets.token_urlsafe(12)
    member = workspace.create_member(email=args.email, name=args.name, password=password, is_admin=args.admin)
    result = {'id': member.id, 'email': member.email, 'name': member.name, 'admin': member.is_admin}
    if not given:
        result['password'] = password  # shown once: it is stored hashed
    if args.token:
        result['token'] = workspace.new_token(member)
    return result


def _token(workspace: Workspace, args: argparse.Namespace) -> dict:
    member = workspace.find(args.email)
    if member is None:
        raise WorkspaceError(f'no enabled account with the email {args.email}')
    return {'email': member.email, 'token': workspace.new_token(member)}
