"""`python -m store` (make migrate): upgrade the schema of the database at DATABASE_URL to this build's and say the
revision it is at; a database that cannot be reached is one line on stderr and exit status 1."""

import logging
import sys

from config import Settings

from .db import DatabaseUnavailable, create_db
from .migrate import current

logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
try:
    engine = create_db(Settings.from_env().database_url)  # upgrades
except DatabaseUnavailable as error:
    sys.exit(f'pairpad: {error}')
print(f'{engine.url.render_as_string(hide_password=True)} is at revision {current(engine)}')
