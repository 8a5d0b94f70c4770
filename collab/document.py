"""The layout of an interview's shared document: `Text('code')` holds the code, `Text('stdin')` what the Run button
gives the program on its standard input (one box shared by the room, so it syncs, persists and replays like the
code), `Map('meta')` holds `language` and `ended` (the interview is over: read-only). The browser component uses
the same names.

The languages themselves (labels, extensions, templates) are the `languages` table; `LANGUAGES` here is that same
table, re-exported for the modules that know it by this name.
"""

from pycrdt import Doc, Map, Text

from languages import LANGUAGES, get_language

CODE = 'code'
STDIN = 'stdin'
META = 'meta'


def initial_update(language: str, code: str | None = None) -> bytes:
    """The first update of a new interview: language and starting code, written once by the server.

    Clients never seed content themselves: two clients seeding the same template would each insert it,
    and the CRDT would rightly keep both copies.
    """
    template = get_language(language).template
    doc = Doc()
    text = doc.get(CODE, type=Text)
    meta = doc.get(META, type=Map)
    with doc.transaction(origin='server'):
        meta['language'] = language
        text += template if code is None else code
    return doc.get_update()


def read_code(doc: Doc) -> str:
    return str(doc.get(CODE, type=Text))


def read_stdin(doc: Doc) -> str:
    return str(doc.get(STDIN, type=Text))


def set_ended(doc: Doc, ended: bool) -> None:
    doc.get(META, type=Map)['ended'] = ended


def replace_code(doc: Doc, code: str) -> None:
    """The whole code becomes `code` (a question's starter): inside the caller's transaction."""
    text = doc.get(CODE, type=Text)
    del text[:]
    text += code


__all__ = ['CODE', 'LANGUAGES', 'META', 'STDIN', 'initial_update', 'read_code', 'read_stdin', 'replace_code', 'set_ended']
