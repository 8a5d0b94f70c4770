"""The pages' Tailwind is compiled once (pages/styles/pairpad.css, `make bundle`) and NiceGUI's Tailwind runtime is
off, so a class name the compiled file lacks would silently style nothing: every utility class the pages and
components name must be in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / 'pages' / 'styles' / 'pairpad.css'
QUASAR = {'no-wrap'}  # Quasar's own classes, styled by Quasar's CSS
STANDALONE = {'report.py'}  # the downloadable report carries its own stylesheet


def _used_classes() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    sources = [*(ROOT / 'pages').glob('*.py'), *(ROOT / 'components').glob('*.py'), ROOT / 'main.py']
    for source in sources:
        if source.name in STANDALONE:
            continue
        text = source.read_text()
        literals = re.findall(r"""\.classes\((?:replace=)?['"]([^'"]*)['"]""", text)
        literals += re.findall(r"""class=\\?["']([^"'{}\\]*)\\?["']""", text)
        for literal in literals:
            for name in literal.split():
                used.setdefault(name, set()).add(source.name)
    return used


def _compiled_classes() -> set[str]:
    selectors = re.findall(r'\.((?:\\.|[a-zA-Z0-9_-])+)', CSS.read_text())
    return {re.sub(r'\\(.)', r'\1', selector) for selector in selectors}


def test_every_class_the_pages_use_is_compiled():
    used, compiled = _used_classes(), _compiled_classes()
    assert len(used) > 30  # the scan finds the pages' classes at all
    missing = {name: sorted(files) for name, files in used.items() if name not in compiled and name not in QUASAR}
    assert not missing, f'not in pages/styles/pairpad.css (run `make bundle`): {missing}'
