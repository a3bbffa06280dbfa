"""Who may call the import, template and export routes, with the checks of tests/test_auth_matrix.py.

An upload the matrix sends is empty, so a caller who is let in gets 422 (an empty file) rather than 2xx.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import test_auth_matrix as matrix
from tests.factories import World

Case, expect = matrix.Case, matrix.expect
API = "/api/v1"

IMPORT_CASES = [
    Case("POST", f"{API}/seekers/import", expect(station_a=422, station_b=422)),
    Case("POST", f"{API}/vacancies/import", expect(admin=422, employer_a=422, employer_b=422),
         label="the bureau must name the employer"),
    Case("GET", f"{API}/seekers/import/template", expect(admin=200, station_a=200, station_b=200)),
    Case("GET", f"{API}/vacancies/import/template", expect(admin=200, employer_a=200, employer_b=200)),
    Case("GET", f"{API}/stations/{{station_id}}/export.xlsx", expect(admin=200, station_a=200, station_b=404),
         lambda s, c: ({"station_id": s.station_a.id}, None)),
    Case("GET", f"{API}/employers/{{employer_id}}/applicants.xlsx",
         expect(admin=200, employer_a=200, employer_b=404), lambda s, c: ({"employer_id": s.employer_a.id}, None)),
]


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c.id)
def test_each_caller_gets_its_answer(case: Any, world: World) -> None:
    matrix.test_each_caller_gets_its_answer(case, world)
