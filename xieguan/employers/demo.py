"""Demo ledger: 柏果镇 (盘州市, a coal area) and a few employers in 六枝特区岩脚镇.

Names, people, phone numbers and credit codes are made up (the codes carry valid check
digits computed here). Some employers are unregistered on purpose (missing phone, legal
representative or worker counts), so the registration rate and the work list have
something true to show. Idempotent: an employer already in the ledger is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone
from stdnum.cn import uscc

from xieguan.accounts.demo import DemoContext
from xieguan.employers.actions import create_employer, update_employer
from xieguan.employers.codelists import ensure_code_lists
from xieguan.employers.models import Employer, HazardCategory, HazardFactor, IndustryCode, OperatingStatus
from xieguan.lib.text import name_key
from xieguan.regions.models import Region

BAIGUO = "520281117"
YANJIAO = "520203102"

COAL = ("coal", "06", {"dust": ["煤尘", "矽尘"], "physical": ["噪声"], "chemical": ["一氧化碳", "硫化氢"]})
WASHING = ("coal", "06", {"dust": ["煤尘"], "physical": ["噪声"]})
QUARRY = ("noncoal_mining", "10", {"dust": ["矽尘"], "physical": ["噪声", "振动"]})
METAL_MINE = ("noncoal_mining", "09", {"dust": ["矽尘"], "physical": ["噪声"], "chemical": ["铅及其化合物"]})
CEMENT = ("building_materials", "30", {"dust": ["水泥粉尘", "石灰石粉尘"], "physical": ["噪声", "高温"]})
BRICK = (
    "building_materials",
    "30",
    {"dust": ["矽尘"], "physical": ["噪声", "高温"], "chemical": ["一氧化碳"]},
)
CONCRETE = ("building_materials", "30", {"dust": ["水泥粉尘"], "physical": ["噪声"]})
FERROALLOY = (
    "metallurgy",
    "31",
    {"dust": ["矽尘"], "chemical": ["锰及其无机化合物"], "physical": ["高温", "噪声"]},
)
CHEMICAL = ("chemical", "26", {"chemical": ["一氧化碳", "氨", "硫化氢"], "physical": ["高温"]})
REPAIR = ("other", "34", {"dust": ["电焊烟尘"], "chemical": ["锰及其无机化合物"], "physical": ["噪声"]})
FURNITURE = ("other", "21", {"dust": ["木粉尘"], "chemical": ["甲醛", "苯", "甲苯"]})
PRINTING = ("other", "23", {"chemical": ["甲苯", "二甲苯"], "physical": ["噪声"]})
POWER = ("other", "44", {"dust": ["煤尘"], "physical": ["噪声", "高温"]})
CLINIC = ("other", None, {"radioactive": ["X射线装置(含CT机)产生的电离辐射"], "biological": []})
BUILDING = ("other", "47", {"dust": ["水泥粉尘", "电焊烟尘"], "physical": ["噪声", "高温"]})

# name, village suffix (3 digits), kind, legal representative, phone, workers, exposed,
# serious, declared days ago (None: never), extra (status, construction, radiation, missing)
BAIGUO_EMPLOYERS: list[tuple[Any, ...]] = [
    ("盘州市柏果镇红旗煤矿", "010", COAL, "陈志刚", "0858-3621108", 320, 210, True, 200, {}),
    ("贵州盘州洒米田煤业有限公司", "014", COAL, "刘建华", "13908581126", 460, 300, True, 120, {}),
    ("盘州市柏果镇竹烟屯煤矿", "015", COAL, "王德明", "0858-3621452", 280, 190, True, 500, {}),
    ("盘州市柏果镇清水河煤矿", "016", COAL, "李光荣", "13985816620", 240, 160, True, 90, {}),
    ("盘州市锅厂河煤业有限公司", "017", COAL, "张运海", "", 350, 230, True, 300, {}),
    ("盘州市柏果镇煤炭沟煤矿", "232", COAL, "", "13765804417", 180, 120, False, 420, {"status": "suspended"}),
    (
        "盘州市柏果镇鸡场河煤矿",
        "028",
        COAL,
        "罗文学",
        "0858-3622270",
        210,
        150,
        True,
        30,
        {"construction": True},
    ),
    ("盘州市柏果镇马过河煤矿", "022", COAL, "赵启富", "18285830912", None, None, False, None, {}),
    ("贵州柏果洗选煤有限公司", "001", WASHING, "周晓东", "0858-3620081", 85, 60, False, 150, {}),
    ("盘州市柏果镇铜厂沟石场", "205", QUARRY, "杨光明", "15885871203", 26, 20, False, 400, {}),
    ("盘州市柏果镇半坡砂石厂", "019", QUARRY, "邓永平", "", 18, 14, False, None, {}),
    ("盘州市柏果镇岩头寨采石场", "233", QUARRY, "黄发贵", "13595852274", 22, 18, False, 100, {}),
    ("盘州市深沟铅锌矿业有限公司", "231", METAL_MINE, "徐开元", "0858-3623315", 64, 45, True, 250, {}),
    ("盘州柏果水泥有限公司", "023", CEMENT, "吴建国", "0858-3625501", 310, 140, True, 60, {}),
    ("盘州市柏果镇联强页岩砖厂", "011", BRICK, "孙世荣", "13639688815", 42, 35, False, 380, {}),
    ("盘州市柏果镇迭脉新型建材厂", "008", BRICK, "胡永祥", "18798465520", 38, 30, False, 45, {}),
    ("盘州市清坪商品混凝土有限公司", "207", CONCRETE, "朱海军", "0858-3626018", 55, 30, False, 210, {}),
    ("盘州市柏果镇土城石灰厂", "025", CEMENT, "高明辉", "", None, None, False, None, {}),
    ("盘州市比中铁合金有限公司", "024", FERROALLOY, "林正华", "0858-3627742", 120, 80, True, 140, {}),
    ("盘州市云中化工有限公司", "002", CHEMICAL, "何家旺", "13885850136", 96, 52, True, 320, {}),
    ("盘州市柏果镇矿山机械修理厂", "009", REPAIR, "郭鹏", "15286380418", 16, 12, False, 20, {}),
    ("盘州市柏果镇红卫木制家具厂", "009", FURNITURE, "马春燕", "", 12, 10, False, None, {}),
    ("盘州市柏果镇云尚印刷厂", "003", PRINTING, "梁晓丽", "13608581950", 9, 6, False, 500, {}),
    ("盘州市柏果煤矸石发电有限公司", "037", POWER, "宋国强", "0858-3628805", 180, 90, False, 75, {}),
    (
        "盘州市柏果镇中心卫生院",
        "001",
        CLINIC,
        "韩玉梅",
        "0858-3620120",
        68,
        4,
        False,
        160,
        {"radiation": True},
    ),
    (
        "盘州市柏果镇东升建筑工程有限公司",
        "023",
        BUILDING,
        "唐永强",
        "13984471125",
        75,
        50,
        False,
        None,
        {"construction": True},
    ),
    ("盘州市柏果镇核桃石材加工厂", "034", QUARRY, "冯大勇", "17708581132", 14, 10, False, 210, {}),
    (
        "盘州市柏果镇煤坡洗煤厂",
        "035",
        WASHING,
        "曹德林",
        "13595861480",
        40,
        28,
        False,
        600,
        {"status": "closed", "reason": "2024 年已关停拆除"},
    ),
    ("盘州市柏果镇老屋基砖厂", "013", BRICK, "彭加富", "15185831726", 20, None, False, None, {}),
    ("盘州市柏果镇茨菇煤矿", "040", COAL, "曾庆云", "0858-3629163", 260, 175, True, 10, {}),
    ("盘州市柏果镇落嘎采石场", "020", QUARRY, "", "", 15, 12, False, None, {}),
    ("盘州市柏果镇民主村机砖厂", "220", BRICK, "袁忠", "18908584471", 24, 20, False, 330, {}),
    ("盘州市柏果镇包家汽车修理厂", "032", REPAIR, "蒋文涛", "13518581245", 8, 6, False, None, {}),
]

YANJIAO_EMPLOYERS: list[tuple[Any, ...]] = [
    ("六枝特区岩脚镇新寨煤矿", "205", COAL, "谢永忠", "0858-5321106", 230, 160, True, 180, {}),
    ("六枝特区岩脚镇龙泉砂石厂", "202", QUARRY, "潘学军", "13885832247", 20, 16, False, 90, {}),
    ("六枝特区岩脚镇页岩砖厂", "203", BRICK, "田茂林", "", 30, 24, False, None, {}),
    ("六枝特区岩脚镇卫生院", "001", CLINIC, "董丽", "0858-5320120", 45, 3, False, 260, {"radiation": True}),
    (
        "六枝特区岩脚酒业有限公司",
        "002",
        ("other", "15", {"physical": ["高温", "噪声"]}),
        "罗成",
        "13678581180",
        60,
        20,
        False,
        30,
        {},
    ),
]


def demo_credit_code(name: str, county: str) -> str:
    """A made-up but well-formed credit code: 91 + county + 9 characters from the name + check."""
    digest = hashlib.sha256(name.encode()).hexdigest().upper()
    body = "".join(ch for ch in digest if ch in "0123456789ABCDEFGHJKLMNPQRTUWXY")[:9]
    stem = f"91{county}{body}"
    return stem + uscc.calc_check_digit(stem)


def seed(ctx: DemoContext) -> list[str]:
    ensure_code_lists()
    categories = {c.code: c for c in HazardCategory.objects.all()}
    factors = {(f.category_id, f.name): f for f in HazardFactor.objects.all()}
    codes = {c.code: c for c in IndustryCode.objects.all()}
    today = timezone.localdate()
    created = 0
    for township, rows, username in (
        (BAIGUO, BAIGUO_EMPLOYERS, "xieguan"),
        (YANJIAO, YANJIAO_EMPLOYERS, "xieguan2"),
    ):
        user = ctx.users[username]
        villages = {r.code: r for r in Region.objects.filter(parent_id=township)}
        for index, row in enumerate(rows):
            name, village, kind, legal, phone, workers, exposed, serious, declared, extra = row
            if Employer.objects.filter(township_id=township, name_key=name_key(name)).exists():
                continue
            industry, code, hazards = kind
            region = villages.get(f"{township}{village}") or Region.objects.get(code=township)
            data = {
                "name": name,
                # Every third employer has no credit code on file (common in village ledgers).
                "credit_code": None if index % 3 == 2 else demo_credit_code(name, township[:6]),
                "region": region,
                "address": f"{region.name.removesuffix('居民委员会').removesuffix('村民委员会')}",
                "legal_representative": legal,
                "phone": phone,
                "industry": industry,
                "industry_code": codes.get(code) if code else None,
                "hazard_categories": [categories[c] for c in hazards],
                "hazard_factors": [factors[(c, n)] for c, names in hazards.items() for n in names],
                "radiation_work": bool(extra.get("radiation")),
                "construction_project": bool(extra.get("construction")),
                "workers": workers,
                "exposed_workers": exposed,
                "status": extra.get("status", OperatingStatus.OPERATING),
                "closed_reason": extra.get("reason", ""),
                "serious_hazard": serious,
                "declaration_date": today - dt.timedelta(days=declared) if declared is not None else None,
                "declaration_receipt": f"GZ{township[:6]}{index + 1:04d}" if declared is not None else "",
            }
            if index % 4 == 1:
                data["address"] = ""  # an unregistered one: address not yet collected
            create_employer(data, by=user, reason="演示数据")
            created += 1
    # One employer with a second version, so the history on its page shows a change.
    first = Employer.objects.filter(township_id=BAIGUO, name_key=name_key(BAIGUO_EMPLOYERS[0][0])).first()
    if first is not None and first.version == 1:
        update_employer(
            first,
            {"workers": 350, "exposed_workers": 230},
            by=ctx.users["panzhou"],
            expected_version=1,
            reason="演示数据：年度核对人数",
        )
    total = Employer.objects.within(BAIGUO).count() + Employer.objects.within(YANJIAO).count()
    return [f"  用人单位台账：柏果镇和岩脚镇共 {total} 家（本次新增 {created} 家）"]
