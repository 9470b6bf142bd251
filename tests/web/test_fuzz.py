"""Fuzz the JSON API from its own OpenAPI document: never a 500, always the documented answers."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from aiceberg.web import create_app

pytestmark = pytest.mark.slow

# the app answers only at this machine's names (DNS rebinding): the fuzzer calls it as a browser here would
HOST = {"Host": "localhost"}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app("/nonexistent/aiceberg-fuzz/runs.db"),
                                        headers=HOST)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case):
    # A schema-valid body can still name an unknown GPU or country: the engine's 422 is right there.
    case.call_and_validate(headers=HOST, excluded_checks=[positive_data_acceptance])
