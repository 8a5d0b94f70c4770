"""collab.fanout.Fanout: at once after a quiet spell, then gathered and merged per interval; one call for the tabs
that get the same messages; a peer's own messages in order with the broadcasts. Time is a ManualClock."""

import pytest
from pycrdt import Doc, Text

from collab import protocol
from collab.fanout import Fanout
from tests.clock import ManualClock


def fanout(**options) -> tuple[Fanout, ManualClock, list[tuple[list[str], list[bytes]]]]:
    clock = ManualClock()
    sent: list[tuple[list[str], list[bytes]]] = []
    return Fanout(lambda peers, messages: sent.append((sorted(peers), messages)), clock=clock, **options), clock, sent


def typed(*chunks: str) -> list[bytes]:
    author = Doc()
    text = author.get('code', type=Text)
    updates = []
    for chunk in chunks:
        before = author.get_state()
        text += chunk
        updates.append(author.get_update(before))
    return updates


def test_sends_at_once_then_gathers_and_merges_within_the_interval():
    channel, clock, sent = fanout(interval=0.05)
    updates = typed('one ', 'two ', 'three')
    members = ('a', 'b', 'c')
    channel.deliver(protocol.update(updates[0]), members, exclude='a', update=updates[0])  # after a quiet spell
    clock.run_due()
    assert sent == [(['b', 'c'], [protocol.update(updates[0])])]  # at once, to everyone but its sender
    channel.deliver(protocol.update(updates[1]), members, exclude='a', update=updates[1])
    channel.deliver(b'\x01awareness', members, exclude='b')  # b's cursor
    channel.deliver(protocol.update(updates[2]), members, exclude='a', update=updates[2])
    clock.advance(0.01)
    assert sent[1:] == [(['a'], [b'\x01awareness'])]  # a got nothing lately: at once; b and c wait
    clock.advance(0.015)
    assert len(sent) == 2  # still inside their interval (due at 0.05; from 0.0375 on a round takes them)
    clock.advance(0.03)
    assert len(sent) == 4
    (to_b, for_b), (to_c, for_c) = sorted(sent[2:])
    assert to_b == ['b'] and len(for_b) == 1  # not its own cursor
    assert to_c == ['c'] and for_c[1] == b'\x01awareness'  # updates first, merged into one
    for merged in (for_b[0], for_c[0]):
        reader = Doc()
        reader.apply_update(updates[0])
        reader.apply_update(protocol.parse(merged).payload)
        assert str(reader.get('code', type=Text)) == 'one two three'


def test_a_reply_to_a_keystroke_is_not_held_back_by_it():
    """One person types, the other's cursor moves in reply: neither waits for the other's interval."""
    channel, clock, sent = fanout(interval=0.05)
    members = ('typist', 'watcher')
    for i, update in enumerate(typed(*'abcd')):
        channel.deliver(protocol.update(update), members, exclude='typist', update=update)
        clock.run_due()
        channel.deliver(b'\x01watcher cursor', members, exclude='watcher')
        clock.run_due()
        assert len(sent) == 2 * i + 2  # both went out at once
        clock.advance(0.06)


def test_many_authors_in_one_interval_make_one_send_for_everybody():
    names = [f't{i}' for i in range(20)]
    channel, clock, sent = fanout(interval=0.05, frames_per_s=200)
    members = tuple(names)
    first = typed('x')[0]
    channel.deliver(protocol.update(first), members, exclude='t0', update=first)
    clock.run_due()
    assert len(sent) == 1
    for name in names:  # everybody types within the interval
        update = typed(name)[0]
        channel.deliver(protocol.update(update), members, exclude=name, update=update)
    clock.advance(0.02)
    assert len(sent) == 2  # t0 had nothing lately: at once
    clock.advance(0.05)
    assert len(sent) == 2  # 20 tabs at 200 frames/s: every 0.1 s, longer than the 0.05 s interval
    clock.advance(0.04)
    assert len(sent) == 3 and sent[2][0] == sorted(names[1:])  # one set for all: own updates echoed


def test_a_tab_that_joins_gets_what_was_broadcast_after_it_joined():
    channel, clock, sent = fanout(interval=0.05)
    first, second = typed('one', 'two')
    channel.deliver(protocol.update(first), ('a', 'b'), exclude='a', update=first)
    clock.run_due()
    channel.deliver(protocol.update(second), ('a', 'b', 'c'), exclude='a', update=second)  # c joined meanwhile
    clock.run_due()
    assert sent == [(['b'], [protocol.update(first)]), (['c'], [protocol.update(second)])]
    clock.advance(0.07)
    assert sent[2] == (['b'], [protocol.update(second)])
    channel.deliver(b'\x01cursor', ('a', 'c'), exclude='c')  # b left
    clock.run_due()
    assert sent[3] == (['a'], [b'\x01cursor']) and 'b' not in channel._cursor


def test_a_message_for_one_peer_goes_at_once_after_what_it_was_due():
    """The handshake travels the same queue as the broadcasts: nothing overtakes what was sent to it before."""
    channel, clock, sent = fanout(interval=0.05)
    first, second = typed('one', 'two')
    channel.deliver(protocol.update(first), ('a', 'b'), exclude='a', update=first)
    clock.run_due()
    channel.deliver(protocol.update(second), ('a', 'b'), exclude='a', update=second)  # b must wait its interval
    channel.unicast('b', b'\x00\x00handshake')  # ... but a message for b alone goes now, after the update
    clock.run_due()
    assert sent[1:] == [(['b'], [protocol.update(second), b'\x00\x00handshake'])]
    channel.unicast('c', b'\x00\x00hello c')  # a newcomer before any broadcast names it
    clock.run_due()
    assert sent[2:] == [(['c'], [b'\x00\x00hello c'])]
    channel.leave('c')
    channel.unicast('a', b'\x00\x00only a')
    channel.deliver(b'\x01cursor of b', ('a', 'b'), exclude='b')
    clock.advance(0.1)
    assert sent[3:] == [(['a'], [b'\x00\x00only a', b'\x01cursor of b'])]  # b is not sent its own cursor or a's
    assert 'c' not in channel._cursor


@pytest.mark.allow_error_log('fan-out to 1 peers failed')
def test_a_failing_transport_call_does_not_stop_the_others(caplog):
    clock = ManualClock()
    sent = []

    def transport(peers, messages):
        if peers == ['bad']:
            raise RuntimeError('gone')
        sent.append(peers)
    channel = Fanout(transport, clock=clock, interval=0.05)
    channel.unicast('bad', b'x')
    channel.unicast('good', b'y')
    clock.run_due()
    assert sent == [['good']]
    assert 'fan-out to 1 peers failed' in caplog.text
