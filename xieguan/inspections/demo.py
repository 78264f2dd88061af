"""Demo inspections: a few submitted 附表1 forms in 柏果镇 and one in 岩脚镇, with drawn signatures.

Each demo inspection has a fixed UUID (uuid5 of its employer), so running the seed again hits
the idempotent submission and stores nothing twice. Findings become leads as in real use.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.utils import timezone
from PIL import Image, ImageDraw

from xieguan.accounts.demo import DemoContext
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.inspections.actions import AnswerData, InspectionData, InspectionError, submit_inspection
from xieguan.inspections.models import ChecklistTemplate, Inspection

NAMESPACE = uuid.UUID("5b1f7a52-8f0e-4c1e-9a55-2f3c1a9d0c17")
# (township, assistant, how many employers, days ago, answers for items 1-7)
PLAN = [
    ("520281117", "xieguan", 0, 20, ["yes", "na", "yes", "yes", "yes", "no", "no"]),
    ("520281117", "xieguan", 1, 12, ["yes", "na", "no", "yes", "no", "yes", "no"]),
    ("520281117", "xieguan", 2, 5, ["no", "na", "yes", "yes", "yes", "no", "yes"]),
    ("520203102", "xieguan2", 0, 9, ["yes", "na", "yes", "no", "yes", "no", "no"]),
]
COMPANIONS = ["王安全", "刘主任", "陈科长", "周经理"]


def signature(seed: int) -> bytes:
    img = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(20 + i * 40, 110 - ((i * 37 + seed * 11) % 70)) for i in range(12)]
    draw.line(points, fill=(20, 20, 20, 255), width=5, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def seed(ctx: DemoContext) -> list[str]:
    template = ChecklistTemplate.active(PLAN[0][0])
    if template is None:
        return []
    made = 0
    for index, (township, username, nth, days, answers) in enumerate(PLAN):
        user = ctx.users.get(username)
        employers = list(
            Employer.objects.within(township).exclude(status=OperatingStatus.CLOSED).order_by("pk")[:3]
        )
        if user is None or len(employers) <= nth:
            continue
        employer = employers[nth]
        given = [a if not (a == "na" and employer.construction_project) else "yes" for a in answers]
        data = InspectionData(
            id=uuid.uuid5(NAMESPACE, f"{employer.pk}-{index}"),
            employer=employer,
            template=template,
            employer_name=employer.name,
            address=employer.address,
            legal_representative=employer.legal_representative,
            phone=employer.phone,
            inspected_at=timezone.now() - dt.timedelta(days=days, hours=index),
            accompanying_person=COMPANIONS[index % len(COMPANIONS)],
            answers=[
                AnswerData(n, a, "现场未见相关资料" if a == "no" and n <= 5 else "")
                for n, a in enumerate(given, start=1)
            ],
            companion_signature=signature(index),
            assistant_signature=signature(index + 5),
        )
        try:
            if submit_inspection(user, data).created:
                made += 1
        except InspectionError:
            continue  # a demo employer the ledger demo left incomplete: skip it
    total = Inspection.objects.within("520281117").count() + Inspection.objects.within("520203102").count()
    return [f"  巡查个案：柏果镇和岩脚镇共 {total} 份（本次新增 {made} 份）"]
