"""`pip install .` gives the product alone with a working `pairpad` command: the wheel holds every product
module and the files the pages serve (the editor bundle, the compiled styles), and nothing of tools/ or tests/."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# every package at the top of the repository but tooling and tests: a new one must reach the wheel too
PRODUCT = sorted(p.parent.name for p in ROOT.glob('*/__init__.py') if p.parent.name not in ('tools', 'tests'))


def test_the_wheel_holds_the_product_and_its_command(tmp_path: Path) -> None:
    source = tmp_path / 'source'  # a copy: setuptools builds in the tree it is given (build/, *.egg-info)
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        '.git', '.venv', 'node_modules', 'data', 'build', '*.egg-info', '__pycache__', 'results'))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--quiet',
                    '--wheel-dir', str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob('pairpad-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {'main.py', 'config.py', 'components/collab_editor/collab_editor.js',
                'components/collab_editor/dist/index.js', 'components/collab_editor/dist/editor.worker.js',
                'pages/styles/pairpad.css', 'store/migrations/script.py.mako', 'store/migrations/alembic.ini'}
    expected |= {str(p.relative_to(ROOT)) for package in PRODUCT for p in (ROOT / package).rglob('*.py')
                 if 'node_modules' not in p.parts}
    assert sorted(expected - names) == []
    assert [n for n in names if n.startswith(('tools/', 'tests/'))] == []
    assert {'accounts', 'collab', 'completion', 'pages', 'questions', 'store'} <= set(PRODUCT)
    [entry_points] = [n for n in names if n.endswith('.dist-info/entry_points.txt')]
    assert 'pairpad = main:main' in zipfile.ZipFile(wheel).read(entry_points).decode()
