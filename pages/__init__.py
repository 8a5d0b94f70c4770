"""One module per route group: home (create an interview), room (the interview), api (REST)."""

from . import api, home, room
from .services import Services


def register(services: Services) -> None:
    home.register(services)
    room.register(services)
    api.register(services)


__all__ = ['Services', 'register']
