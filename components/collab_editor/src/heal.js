// The idle check of the tab's document against the server's (anti-entropy). A tab whose document differs from
// the server's for any reason (a lost message, content a remote transaction unblocked in the tab, a bug) would
// otherwise stay different until it reconnects. While idle it sends its state vector and a digest of what it
// deleted (a delete moves no clock, so the state vector alone misses it); the server answers only when something
// differs (collab/room.py, Room.check), so an idle, equal tab costs one small message per interval.
import * as Y from 'yjs';

function merged(items) {
  const out = [];
  for (const { clock, len } of [...items].sort((a, b) => a.clock - b.clock)) {
    if (len <= 0) continue;
    const last = out[out.length - 1];
    if (last && clock <= last.clock + last.len) last.len = Math.max(last.len, clock + len - last.clock);
    else out.push({ clock, len });
  }
  return out;
}

function fnv1a(text) {
  let value = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  return value.toString(16).padStart(8, '0');
}

/** The digest collab/protocol.py's delete_set_digest computes: the same text, the same hash. */
export function deleteSetDigest(doc) {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  let text = '';
  for (const client of [...ds.clients.keys()].sort((a, b) => a - b)) {
    const ranges = merged(ds.clients.get(client));
    if (ranges.length) text += `${client}:${ranges.map((r) => `${r.clock}+${r.len}`).join(',')};`;
  }
  return fnv1a(text);
}
