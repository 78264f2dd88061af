import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from xieguan.regions.loader import RegionDataError, load_province
from xieguan.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def test_guizhou_counts_per_level(regions):
    counts = {level: Region.objects.within("52").filter(level=level).count() for level in Level}
    assert counts == {
        Level.PROVINCE: 1,
        Level.PREFECTURE: 9,
        Level.COUNTY: 88,
        Level.TOWNSHIP: 1510,
        Level.VILLAGE: 17964,
    }


def test_ancestors_are_prefixes(regions):
    village = Region.objects.get(code="520281117001")
    assert [r.code for r in village.ancestors()] == ["52", "5202", "520281", "520281117"]
    assert village.path_name() == "贵州省六盘水市盘州市柏果镇" + village.name
    assert village.parent is not None and village.parent.parent is not None
    assert village.parent.parent.name == "盘州市"


def test_command_is_idempotent_and_prints_counts(regions, capsys):
    call_command("loadregions", "--province", "52")
    out = capsys.readouterr().out
    assert "新增 0" in out and "未变 19,572" in out
    for line in ["市(州): 9", "县(区、市): 88", "乡(镇、街道): 1,510", "村(社区): 17,964"]:
        assert line in out


def test_unknown_province_is_refused():
    with pytest.raises(CommandError, match="没有省份代码 99"):
        call_command("loadregions", "--province", "99")
    assert not Region.objects.filter(code="99").exists()


def test_malformed_province_code_is_refused():
    with pytest.raises(RegionDataError, match="两位数字"):
        load_province("guizhou")


def test_corrupt_file_loads_nothing(tmp_path):
    Region.objects.filter(level=5).delete()
    path = tmp_path / "52.json.gz"
    path.write_bytes(b"\x1f\x8b this is not gzip")
    with pytest.raises(CommandError, match="已损坏"):
        call_command("loadregions", "--province", "52", "--file", str(path))
    assert not Region.objects.filter(level=5).exists()


def test_inconsistent_file_is_atomic(tmp_path, regions):
    rows = [["52", "贵州省改", None], ["5201", "贵阳市改", "52"], ["520102", "南明区", "5299"]]
    path = tmp_path / "52.json.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(json.dumps({"source": "test", "regions": rows}).encode())
    with pytest.raises(CommandError, match="上级 '5299' 不存在"):
        call_command("loadregions", "--province", "52", "--file", str(path))
    assert Region.objects.get(code="52").name == "贵州省"
    assert Region.objects.get(code="5201").name == "贵阳市"


def test_renamed_region_is_updated(tmp_path, regions):
    Region.objects.filter(code="520281117").update(name="旧名")
    result = load_province("52")
    assert result.updated == 1 and result.created == 0
    assert Region.objects.get(code="520281117").name == "柏果镇"
