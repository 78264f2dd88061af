import pytest

from xieguan.employers.codelists import ensure_code_lists


@pytest.fixture(autouse=True)
def code_lists(db):
    """Hazard categories, named factors and GB/T 4754 codes (the suite runs without migrations)."""
    ensure_code_lists()
