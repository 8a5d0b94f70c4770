"""Code completion for the editor: Python from jedi in a worker process (completion/service.py). JavaScript and
TypeScript need nothing from the server: Monaco's own TypeScript worker answers them in the browser."""

from .service import KINDS, Answer, CompletionService

__all__ = ['KINDS', 'Answer', 'CompletionService']
