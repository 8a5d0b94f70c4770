"""The layout of an interview's shared document, in one place for the server and (by convention) the browser:
`Text('code')` holds the code, `Map('meta')` holds `language` and `ended` (the interview is over: read-only). The browser component uses the same names."""

from pycrdt import Doc, Map, Text

CODE = 'code'
META = 'meta'

LANGUAGES: dict[str, str] = {
    'python': 'Python',
    'javascript': 'JavaScript',
    'typescript': 'TypeScript',
    'java': 'Java',
    'cpp': 'C++',
    'go': 'Go',
    'rust': 'Rust',
    'sql': 'SQL',
    'plaintext': 'Plain text',
}

EXTENSIONS: dict[str, str] = {
    'python': 'py', 'javascript': 'js', 'typescript': 'ts', 'java': 'java', 'cpp': 'cpp', 'go': 'go', 'rust': 'rs',
    'sql': 'sql', 'plaintext': 'txt',
}

TEMPLATES: dict[str, str] = {
    'python': 'def solve():\n    pass\n\n\nif __name__ == "__main__":\n    print(solve())\n',
    'javascript': 'function solve() {\n}\n\nconsole.log(solve());\n',
    'typescript': 'function solve(): void {\n}\n\nconsole.log(solve());\n',
    'java': 'public class Main {\n    public static void main(String[] args) {\n    }\n}\n',
    'cpp': '#include <iostream>\n\nint main() {\n    return 0;\n}\n',
    'go': 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println()\n}\n',
    'rust': 'fn main() {\n}\n',
    'sql': 'SELECT 1;\n',
    'plaintext': '',
}


def initial_update(language: str, code: str | None = None) -> bytes:
    """The first update of a new interview: language and starting code, written once by the server.

    Clients never seed content themselves: two clients seeding the same template would each insert it,
    and the CRDT would rightly keep both copies.
    """
    if language not in LANGUAGES:
        raise ValueError(f'unknown language {language!r}; expected one of {", ".join(LANGUAGES)}')
    doc = Doc()
    text = doc.get(CODE, type=Text)
    meta = doc.get(META, type=Map)
    with doc.transaction(origin='server'):
        meta['language'] = language
        text += TEMPLATES[language] if code is None else code
    return doc.get_update()


def read_code(doc: Doc) -> str:
    return str(doc.get(CODE, type=Text))


def read_language(doc: Doc) -> str | None:
    value = doc.get(META, type=Map).get('language')
    return value if isinstance(value, str) else None


def read_ended(doc: Doc) -> bool:
    return doc.get(META, type=Map).get('ended') is True


def set_ended(doc: Doc, ended: bool) -> None:
    doc.get(META, type=Map)['ended'] = ended
