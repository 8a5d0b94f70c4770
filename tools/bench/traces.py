"""The real editing traces of ../shared/traces, turned into one Yjs update per transaction (one keystroke, or one
multi-cursor edit), as an editor would emit them. Positions in the traces count code points; pycrdt counts UTF-8
bytes, so every position is converted through a Python mirror of the text."""

import gzip
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from pycrdt import Doc, Text

ROOT = Path(__file__).resolve().parents[2]  # the repository
TRACES_DIR = ROOT.parent / 'shared' / 'traces'
CACHE_DIR = ROOT / 'tools' / 'bench' / 'results' / 'cache'
NAMES = ('sveltecomponent', 'rustcode')


@dataclass
class Trace:
    name: str
    updates: list[bytes]
    end: str

    @property
    def size(self) -> int:
        return sum(len(u) for u in self.updates)


def traces_dir() -> Path:
    for candidate in (TRACES_DIR, Path('/work/shared/traces')):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f'no traces at {TRACES_DIR}')


def load(name: str, *, limit: int | None = None) -> Trace:
    """The trace as updates; `limit` keeps only its first transactions (the end text is then recomputed)."""
    path = traces_dir() / f'{name}.json.gz'
    cache = CACHE_DIR / f'{name}-{limit or "all"}-{int(path.stat().st_mtime)}.pickle'
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    data = json.loads(gzip.decompress(path.read_bytes()))
    txns = data['txns'][:limit] if limit else data['txns']
    trace = Trace(name, *_updates(data['startContent'], txns))
    if limit is None and trace.end != data['endContent']:
        raise AssertionError(f'{name}: replaying the patches did not give endContent')
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(trace))
    return trace


def _updates(start: str, txns: list[dict]) -> tuple[list[bytes], str]:
    doc = Doc()
    text = doc.get('code', type=Text)
    collected: list[bytes] = []
    doc.observe(lambda event: collected.append(event.update))
    mirror = start
    if start:
        text += start
    collected.clear()
    updates = []
    for txn in txns:
        with doc.transaction():
            for position, deleted, inserted in txn['patches']:
                at = len(mirror[:position].encode())
                if deleted:
                    end = at + len(mirror[position:position + deleted].encode())
                    del text[at:end]
                if inserted:
                    text.insert(at, inserted)
                mirror = mirror[:position] + inserted + mirror[position + deleted:]
        updates.extend(collected)
        collected.clear()
    if str(text) != mirror:
        raise AssertionError('pycrdt text and the mirror diverged')
    return updates, mirror


def prefix(trace: Trace, count: int) -> Trace:
    """The first `count` updates of a trace, with the text they end at."""
    if count >= len(trace.updates):
        return trace
    doc = Doc()
    for update in trace.updates[:count]:
        doc.apply_update(update)
    return Trace(trace.name, trace.updates[:count], str(doc.get('code', type=Text)))
