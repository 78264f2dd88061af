from typing import Any

import pytest

from xieguan.inspections.tests.factories import load_templates
from xieguan.lib.testing import OTHER_TOWNSHIP, EmployerFactory


@pytest.fixture
def templates(db: Any) -> dict[str, Any]:
    return load_templates()


@pytest.fixture
def fubiao1(templates: dict[str, Any]) -> Any:
    return templates["fubiao1"]


@pytest.fixture
def employer(personas: Any) -> Any:
    """A registered employer in 柏果镇 (xieguan's township), no construction project, no radiation."""
    return EmployerFactory(name="贵州盘州测试煤矿有限公司")


@pytest.fixture
def other_employer(personas: Any) -> Any:
    """An employer in 岩脚镇, another county."""
    return EmployerFactory(
        name="六枝特区测试建材厂", region_id=OTHER_TOWNSHIP + "001", address="六枝特区岩脚镇"
    )
