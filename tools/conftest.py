"""The tools' own tests follow the unit tests' rule: a record logged at ERROR or above fails the test
(tests/unit/conftest.py, with its `allow_error_log` opt-in)."""

from tests.unit.conftest import fail_on_error_log  # noqa: F401  (an autouse fixture, made active here by the import)
