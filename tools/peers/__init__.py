"""Headless peers that speak real wire protocols: the app's NiceGUI socket (SocketPeer) and plain y-websocket
(WebsocketPeer, for the pycrdt-websocket and Node servers the benchmarks compare against)."""

from .socket_peer import JoinError, RemoteUpdate, SocketPeer
from .ws_peer import WebsocketPeer

__all__ = ['JoinError', 'RemoteUpdate', 'SocketPeer', 'WebsocketPeer']
