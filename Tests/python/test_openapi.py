"""Every service's openapi.yaml is a valid OpenAPI 3 document."""
import glob
import os

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SPECS = sorted(glob.glob(os.path.join(ROOT, "Services", "*", "openapi.yaml")))


def test_there_are_specs():
    assert SPECS


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.split(os.sep)[-2])
def test_spec_is_valid(path):
    spec = yaml.safe_load(open(path))
    validate(spec)
    assert spec["paths"]["/health"]["get"]["security"] == []
