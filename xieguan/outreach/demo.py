"""Demo publicity events: two in 柏果镇 (520281117), recorded by the demo assistant."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from xieguan.accounts.demo import DemoContext
from xieguan.employers.models import Employer
from xieguan.outreach.models import PublicityEvent, PublicityKind, PublicityPhoto

TOWNSHIP = "520281117"
FONT = Path(__file__).resolve().parent.parent / "documents" / "fonts" / "wqy-microhei.ttc"


def _photo(caption: str) -> ContentFile[bytes]:
    image = Image.new("RGB", (800, 600), (46, 110, 160))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 44)
    draw.rectangle((40, 220, 760, 380), fill=(255, 255, 255))
    draw.text((400, 300), caption, fill=(30, 30, 30), font=font, anchor="mm")
    out = BytesIO()
    image.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="demo-publicity.jpg")


def seed(ctx: DemoContext) -> list[str]:
    assistant = ctx.users["xieguan"]
    today = timezone.localdate()
    this_year = today.year
    events = [
        (
            dt.date(this_year, 4, 25),
            PublicityKind.LAW,
            "《职业病防治法》宣传周集中宣传",
            "柏果镇政府广场",
            120,
            "发放宣传册 300 份，现场解答群众咨询。",
        ),
        (
            dt.date(this_year, 3, 12),
            PublicityKind.GUIDANCE,
            "煤矿企业职业健康检查与监护档案指导",
            "柏果镇辖区煤矿",
            35,
            "指导企业按规定组织接触粉尘劳动者职业健康检查并建立监护档案。",
        ),
    ]
    made = 0
    for held_on, kind, topic, location, audience, description in events:
        event, created = PublicityEvent.objects.get_or_create(
            region_id=TOWNSHIP,
            held_on__year=this_year,
            topic=topic,
            defaults={
                "held_on": min(held_on, today),
                "kind": kind,
                "location": location,
                "audience": audience,
                "description": description,
                "recorded_by": assistant,
            },
        )
        if created:
            made += 1
            event.employers.set(Employer.objects.operating().filter(township_id=TOWNSHIP)[:3])
            PublicityPhoto.objects.create(event=event, image=_photo(topic[:12]))
    return [f"  宣传活动：柏果镇 {len(events)} 次（新增 {made}）"]
