"""Demo tasks: 盘州市 (county admin ``panzhou``) gives 柏果镇 two tasks, one of them overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xieguan.accounts.demo import DemoContext
from xieguan.regions.models import Region
from xieguan.tasks.actions import assign_task
from xieguan.tasks.models import Task

TASKS = [
    # title, description, due in days from today (negative: overdue), answer required
    (
        "排查辖区内新开工建设项目",
        "请摸排本乡镇今年新开工的建设项目，逐一核实是否开展职业病危害预评价，"
        "并将项目名称、建设单位、联系人填入附件表格后上传。",
        14,
        True,
    ),
    (
        "报送上半年巡查工作小结",
        "请简要总结上半年巡查情况（巡查单位数、发现问题、报告线索），并附巡查现场照片 1-3 张。",
        -5,
        True,
    ),
]


def seed(ctx: DemoContext) -> list[str]:
    issuer = ctx.users["panzhou"]
    township = Region.objects.get(code="520281117")  # 柏果镇
    today = timezone.localdate()
    created = 0
    for title, description, due_in, required in TASKS:
        if Task.objects.filter(created_by=issuer, title=title).exists():
            continue
        task = assign_task(
            by=issuer,
            title=title,
            description=description,
            due_on=today + dt.timedelta(days=due_in),
            answer_required=required,
            regions=[township],
        )
        if due_in < 0:  # an overdue task was issued weeks ago
            Task.objects.filter(pk=task.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
        created += 1
    return [f"  交办任务：盘州市 → 柏果镇 {len(TASKS)} 项（新建 {created}，其中 1 项已逾期）"]
