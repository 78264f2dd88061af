import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from xieguan.personnel import actions
from xieguan.personnel.models import TrainingKind
from xieguan.personnel.rules import default_term_end
from xieguan.personnel.tests.factories import AssistantFactory, TrainingSessionFactory, passed_pre_job


@pytest.fixture
def world(personas):
    """盘州市: an appointed assistant with the xieguan account, a candidate, a business session and
    an assessment; 六枝特区: an appointed assistant with the xieguan2 account."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    appointed = AssistantFactory.create(
        name="王芳", eligible=True, user=personas.xieguan, id_number="520203198803121235"
    )
    passed_pre_job(appointed)
    actions.appoint_assistant(
        appointed, start=start, end=default_term_end(start), document_no="1号", by=personas.panzhou
    )
    candidate = AssistantFactory.create(name="李强", township_id="520281105")
    other = AssistantFactory.create(
        name="杨明", eligible=True, user=personas.xieguan2, township_id="520203102"
    )
    passed_pre_job(other, region_id="520203", created_by=personas.liuzhi)
    actions.appoint_assistant(
        other, start=start, end=default_term_end(start), document_no="2号", by=personas.liuzhi
    )
    session = TrainingSessionFactory.create(kind=TrainingKind.BUSINESS, created_by=personas.panzhou)
    actions.save_training_session(session, [appointed, candidate])
    other_session = TrainingSessionFactory.create(region_id="520203", created_by=personas.liuzhi)
    actions.save_training_session(other_session, [other])
    assessment = actions.start_assessment(appointed, today.year)
    other_assessment = actions.start_assessment(other, today.year)
    return {
        "appointed": appointed,
        "candidate": candidate,
        "other": other,
        "session": session,
        "other_session": other_session,
        "assessment": assessment,
        "other_assessment": other_assessment,
        "score": Decimal(80),
    }
