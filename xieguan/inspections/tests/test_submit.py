"""submit_inspection: atomic, idempotent by UUID, findings become leads, ledger dates follow."""

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from xieguan.employers.models import Employer
from xieguan.inspections import actions
from xieguan.inspections.models import Inspection, InspectionAnswer, InspectionPhoto, InspectionStatus
from xieguan.inspections.tests.factories import jpeg, load_templates, payload, png
from xieguan.leads.models import Lead, LeadEvent, LeadSource

pytestmark = pytest.mark.django_db


def test_submit_stores_everything(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    result = actions.submit_inspection(personas.xieguan, data)
    inspection = result.inspection
    assert result.created and result.leads == 2
    assert inspection.pk == data.id and inspection.status == InspectionStatus.SUBMITTED
    assert inspection.complete and inspection.findings_count == 2
    assert inspection.region_id == employer.region_id and inspection.submitted_at is not None
    assert str(inspection.companion_signature.name).endswith(".png") and inspection.assistant_signature
    findings = {a.item.number: a.is_finding for a in inspection.answers.select_related("item")}
    assert findings == {1: False, 2: False, 3: True, 4: False, 5: False, 6: True, 7: False}
    employer.refresh_from_db()
    assert employer.last_inspected_on == timezone.localdate(data.inspected_at)


def test_each_finding_becomes_a_lead_of_the_items_type(personas, fubiao1, employer):
    answers = {1: "no", 2: "no", 3: "no", 4: "no", 5: "no", 6: "yes", 7: "yes"}
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, answers)).inspection
    leads = Lead.objects.filter(inspection=inspection).select_related("inspection_answer__item")
    by_item = {lead.inspection_answer.item.number: lead for lead in leads if lead.inspection_answer}
    assert sorted(by_item) == [1, 2, 3, 4, 5, 6, 7]
    assert {n: by_item[n].lead_type for n in by_item} == {
        1: "illegal",
        2: "illegal",
        3: "illegal",
        4: "illegal",
        5: "illegal",
        6: "abnormal",
        7: "complaint",
    }
    lead = by_item[3]
    assert (
        lead.source == LeadSource.INSPECTION
        and lead.employer == employer
        and lead.region_id == employer.region_id
    )
    assert lead.discovered_at == inspection.inspected_at and lead.discovered_by == personas.xieguan
    assert (
        "第3项“工作场所职业病危害因素检测与评价情况”为“无”" in lead.description
        and "说明3" in lead.description
    )
    assert LeadEvent.objects.filter(lead=lead, kind="discovered").count() == 1


def test_leads_link_their_answers_where_bulk_insert_returns_no_ids(personas, fubiao1, employer, monkeypatch):
    """An older SQLite returns no ids from a bulk insert; the answers are then read back."""
    original = InspectionAnswer.objects.bulk_create

    def without_ids(rows, *args, **kwargs):
        stored = original(rows, *args, **kwargs)
        for row in rows:
            row.pk = None
        return stored

    monkeypatch.setattr(InspectionAnswer.objects, "bulk_create", without_ids)
    answers = {1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes", 6: "yes", 7: "no"}
    inspection = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, answers)).inspection
    [lead] = Lead.objects.filter(inspection=inspection).select_related("inspection_answer__item")
    answer = lead.inspection_answer
    assert answer is not None and answer.item.number == 6 and answer.inspection_id == inspection.pk


def test_no_findings_no_leads(personas, fubiao1, employer):
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    result = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, answers))
    assert result.leads == 0 and not Lead.objects.exists() and result.inspection.findings_count == 0


def test_same_uuid_twice_is_stored_once(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    first = actions.submit_inspection(personas.xieguan, data)
    again = payload(employer, fubiao1, dict.fromkeys(range(1, 8), "yes"), id=data.id)
    second = actions.submit_inspection(personas.xieguan, again)
    assert not second.created and second.inspection.pk == first.inspection.pk
    assert second.inspection.findings_count == 2  # the first result, not the second payload
    assert (
        Inspection.objects.count() == 1
        and InspectionAnswer.objects.count() == 7
        and Lead.objects.count() == 2
    )


def test_someone_elses_uuid_is_refused(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    actions.submit_inspection(personas.xieguan, data)
    with pytest.raises(actions.NotYours):
        actions.submit_inspection(personas.panzhou, payload(employer, fubiao1, id=data.id))


def test_self_check_lists_everything_missing(personas, fubiao1, employer):
    data = payload(employer, fubiao1, {1: "yes", 3: "no"}, companion_signature=None, assistant_signature=b"")
    data.accompanying_person = " "
    data.employer_name = ""
    data.phone = "12345"
    with pytest.raises(actions.SubmissionIncomplete) as refused:
        actions.submit_inspection(personas.xieguan, data)
    assert refused.value.messages == [
        "请填写用人单位名称。",
        "联系电话：电话号码无效：手机为 11 位；固定电话需带区号，如 0858-1234567。",
        "第2项“建设项目的职业病危害预评价报告、职业病防护设施设计、职业病危害控制效果评价报告完成情况”还没有选择。",
        "第4项“劳动者职业健康检查及职业健康监护档案情况”还没有选择。",
        "第5项“劳动者职业健康教育培训情况”还没有选择。",
        "第6项“工作场所异常情况”还没有选择。",
        "第7项“群众投诉举报情况”还没有选择。",
        "请填写用人单位陪同人员姓名。",
        "缺少用人单位陪同人员签字。",
        "缺少协管员签字。",
    ]
    assert not Inspection.objects.exists()


def test_future_time_is_refused(personas, fubiao1, employer):
    data = payload(employer, fubiao1, inspected_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(actions.SubmissionIncomplete) as refused:
        actions.submit_inspection(personas.xieguan, data)
    assert "巡查时间不能晚于现在。" in refused.value.messages


def test_bad_signature_image_writes_nothing(personas, fubiao1, employer):
    data = payload(employer, fubiao1, companion_signature=b"not an image at all")
    with pytest.raises(actions.InspectionError) as refused:
        actions.submit_inspection(personas.xieguan, data)
    assert refused.value.messages == ["陪同人员签字：文件不是有效的图片（内容无法识别或已损坏）。"]
    assert not Inspection.objects.exists() and not Lead.objects.exists()


def test_blank_signature_is_refused(personas, fubiao1, employer):
    data = payload(employer, fubiao1, assistant_signature=png(stroke=False))
    with pytest.raises(actions.InspectionError) as refused:
        actions.submit_inspection(personas.xieguan, data)
    assert refused.value.messages == ["协管员签字：签名是空白的，请重新签字。"]


def test_submitted_is_read_only(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    inspection = actions.submit_inspection(personas.xieguan, data).inspection
    with pytest.raises(actions.InspectionError, match="已提交"):
        actions.save_draft(personas.xieguan, data)
    with pytest.raises(actions.InspectionError, match="已提交"):
        actions.add_photo(inspection, personas.xieguan, actions.PhotoData(jpeg()))
    with pytest.raises(actions.InspectionError, match="不能删除"):
        actions.delete_draft(inspection, personas.xieguan)


def test_draft_then_submit(personas, fubiao1, employer):
    data = payload(employer, fubiao1, {1: "yes"})
    draft = actions.save_draft(personas.xieguan, data)
    assert draft.status == InspectionStatus.DRAFT and draft.answers.count() == 1
    actions.add_photo(draft, personas.xieguan, actions.PhotoData(jpeg(), latitude=None, longitude=None))
    data.answers = payload(employer, fubiao1).answers
    data.companion_signature = data.assistant_signature = None  # kept from the draft
    result = actions.submit_inspection(personas.xieguan, data)
    assert result.created and result.inspection.complete
    assert result.inspection.answers.count() == 7 and result.inspection.photos.count() == 1


def test_draft_answers_can_be_partial_and_cleared(personas, fubiao1, employer):
    data = payload(employer, fubiao1, {1: "yes", 2: "no"})
    actions.save_draft(personas.xieguan, data)
    data.answers = [actions.AnswerData(1, "", ""), actions.AnswerData(2, "no", "记一下")]
    draft = actions.save_draft(personas.xieguan, data)
    assert [(a.item.number, a.answer, a.note) for a in draft.answers.select_related("item")] == [
        (2, "no", "记一下")
    ]


def test_photos_in_the_payload_are_stamped(personas, fubiao1, employer):
    photo = actions.PhotoData(
        jpeg(exif=True), taken_at=timezone.now(), latitude=None, longitude=None, caption="车间"
    )
    inspection = actions.submit_inspection(
        personas.xieguan, payload(employer, fubiao1, photos=[photo])
    ).inspection
    stored = InspectionPhoto.objects.get(inspection=inspection)
    with stored.image.open("rb") as f:
        data = f.read()
    assert data[:3] == b"\xff\xd8\xff" and b"secret-software" not in data


def test_header_correction_goes_to_the_ledger_with_history(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    data.phone = "0858-3612345"
    data.legal_representative = "王五"
    result = actions.submit_inspection(personas.xieguan, data)
    employer.refresh_from_db()
    assert (employer.phone, employer.legal_representative, employer.version) == ("0858-3612345", "王五", 2)
    assert result.notices == ["已按现场核实结果更新台账：法定代表人、联系电话。"]
    record = Employer.history.filter(id=employer.pk).latest("history_date")
    assert record.legal_representative == "王五" and record.history_user == personas.xieguan
    assert record.history_change_reason == "巡查现场核实更正"


def test_header_correction_does_not_overwrite_a_newer_ledger(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    data.legal_representative = "王五"
    Employer.objects.filter(pk=employer.pk).update(version=2, legal_representative="赵六")
    result = actions.submit_inspection(personas.xieguan, data)
    employer.refresh_from_db()
    assert employer.legal_representative == "赵六"
    assert result.created and "已被他人修改" in result.notices[0]
    assert result.inspection.legal_representative == "王五"  # the form keeps what was written on site


def test_last_inspected_keeps_the_latest(personas, fubiao1, employer):
    recent = payload(employer, fubiao1)
    actions.submit_inspection(personas.xieguan, recent)
    older = payload(employer, fubiao1, inspected_at=timezone.now() - dt.timedelta(days=40))
    actions.submit_inspection(personas.xieguan, older)  # offline, submitted late
    employer.refresh_from_db()
    assert employer.last_inspected_on == timezone.localdate(recent.inspected_at)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_uuid_store_one(personas):
    templates = load_templates()
    from xieguan.lib.testing import EmployerFactory

    employer = EmployerFactory()
    data = payload(employer, templates["fubiao1"])
    results: list = []
    errors: list = []
    barrier = threading.Barrier(2)

    def send() -> None:
        # SQLite's in-memory test database (shared cache) answers a second writer with
        # "table is locked" at once instead of waiting; a phone would resend, so we do too.
        # On PostgreSQL both requests really race and the loser hits the primary key.
        try:
            barrier.wait()
            for _attempt in range(50):
                try:
                    results.append(actions.submit_inspection(personas.xieguan, data))
                    return
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.05)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(r.created for r in results) == [False, True]
    assert {r.inspection.pk for r in results} == {data.id}
    assert (
        Inspection.objects.count() == 1
        and InspectionAnswer.objects.count() == 7
        and Lead.objects.count() == 2
    )


@pytest.fixture
def missed_precheck(monkeypatch):
    """Call it to make the action's first look for the UUID miss what is stored (a twin or a
    draft committed between the pre-check and the insert); later looks see it. Returns the
    count of looks."""

    def install() -> dict[str, int]:
        real_stored = actions._stored
        calls = {"n": 0}

        def stale_first_look(user, pk):
            calls["n"] += 1
            return None if calls["n"] == 1 else real_stored(user, pk)

        monkeypatch.setattr(actions, "_stored", stale_first_look)
        return calls

    return install


def test_losing_the_race_returns_the_winners_result(
    personas, fubiao1, employer, monkeypatch, missed_precheck
):
    """The twin request checked before the winner committed, then hits the primary key."""
    data = payload(employer, fubiao1)
    winner = actions.submit_inspection(personas.xieguan, data)
    calls = missed_precheck()
    monkeypatch.setattr(Inspection.objects, "select_for_update", lambda: Inspection.objects.none())
    loser = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, id=data.id))
    assert calls["n"] == 2  # the pre-check, then the re-read after the primary-key violation
    assert not loser.created and loser.inspection.pk == winner.inspection.pk
    assert InspectionAnswer.objects.count() == 7 and Lead.objects.count() == 2


def test_a_draft_autosaved_meanwhile_is_submitted_over(personas, fubiao1, employer, missed_precheck):
    """The autosave of the same UUID committed between the pre-check and the insert."""
    data = payload(employer, fubiao1)
    actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}, id=data.id))
    missed_precheck()
    result = actions.submit_inspection(personas.xieguan, data)
    assert result.created and result.inspection.is_submitted and result.leads == 2
    assert Inspection.objects.count() == 1 and InspectionAnswer.objects.count() == 7
    assert Lead.objects.count() == 2


def test_a_caller_that_saw_no_inspection_meets_a_draft_or_twin_stored_since(personas, fubiao1, employer):
    """``unseen`` (the API found no inspection with this UUID when it read the employer) skips
    the pre-check; a draft autosaved or a twin submitted since is met at the insert and handled
    as after the action's own look: the draft is submitted over, the twin's result returned."""
    data = payload(employer, fubiao1)
    actions.save_draft(personas.xieguan, payload(employer, fubiao1, {1: "yes"}, id=data.id))
    data.unseen = True
    result = actions.submit_inspection(personas.xieguan, data)
    assert result.created and result.inspection.is_submitted and result.leads == 2
    assert Inspection.objects.count() == 1 and InspectionAnswer.objects.count() == 7
    again = payload(employer, fubiao1, id=data.id)
    again.unseen = True
    repeat = actions.submit_inspection(personas.xieguan, again)
    assert not repeat.created and repeat.inspection.pk == data.id
    assert InspectionAnswer.objects.count() == 7 and Lead.objects.count() == 2
    theirs = payload(employer, fubiao1, id=data.id)
    theirs.unseen = True
    with pytest.raises(actions.NotYours):  # another assistant's UUID: not found, as before
        actions.submit_inspection(personas.xieguan2, theirs)


def test_an_amendment_back_in_time_moves_last_inspected_back(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    inspection = actions.submit_inspection(personas.xieguan, data).inspection
    data.inspected_at = timezone.now() - dt.timedelta(days=40)
    actions.amend_inspection(inspection, personas.xieguan, data, "时间记错了")
    employer.refresh_from_db()
    assert employer.last_inspected_on == timezone.localdate(data.inspected_at)


def test_submission_writes_once_and_reads_nothing_back(
    personas, fubiao1, employer, django_assert_num_queries
):
    """Pre-check, items, insert, answers, 最近巡查日期, the half-year count (+ savepoint and release);
    no findings."""
    answers = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    data = payload(employer, fubiao1, answers)
    with django_assert_num_queries(8):
        result = actions.submit_inspection(personas.xieguan, data)
    assert result.created and result.inspection.complete and result.inspection.findings_count == 0
    stored = Inspection.objects.get(pk=data.id)
    assert stored.complete and stored.findings_count == 0 and stored.is_submitted
    assert [a.pk for a in result.answers or []] == list(
        InspectionAnswer.objects.filter(inspection=stored).values_list("pk", flat=True)
    )


def test_a_refused_repeat_still_gets_the_first_result(personas, fubiao1, employer):
    data = payload(employer, fubiao1)
    first = actions.submit_inspection(personas.xieguan, data)
    late = payload(
        employer, fubiao1, {1: "yes"}, id=data.id, inspected_at=timezone.now() + dt.timedelta(days=1)
    )
    again = actions.submit_inspection(personas.xieguan, late)
    assert not again.created and again.inspection.pk == first.inspection.pk


def test_a_repeat_leaves_no_stray_signature_files(personas, fubiao1, employer):
    from django.core.files.storage import default_storage

    data = payload(employer, fubiao1)
    first = actions.submit_inspection(personas.xieguan, data).inspection
    folder = str(first.companion_signature.name).rsplit("/", 1)[0]
    stored = set(default_storage.listdir(folder)[1])
    assert not actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, id=data.id)).created
    assert set(default_storage.listdir(folder)[1]) == stored and len(stored) == 2


def test_a_draft_keeps_its_employer(personas, fubiao1, employer):
    from xieguan.lib.testing import EmployerFactory

    data = payload(employer, fubiao1, {1: "yes"})
    actions.save_draft(personas.xieguan, data)
    elsewhere = EmployerFactory(name="贵州盘州另一家测试企业")
    with pytest.raises(actions.InspectionError, match="草稿的用人单位不能更换"):
        actions.submit_inspection(personas.xieguan, payload(elsewhere, fubiao1, id=data.id))
    assert Inspection.objects.get(pk=data.id).status == InspectionStatus.DRAFT


def test_the_race_loser_keeps_no_signature_file(
    personas, fubiao1, employer, monkeypatch, tmp_path, missed_precheck
):
    """A twin that loses the race at the insert had written its two signatures: they are removed
    (as a losing photo's file is), so only the winner's files stay."""
    data = payload(employer, fubiao1)
    actions.submit_inspection(personas.xieguan, data)
    signatures = sorted(p.name for p in tmp_path.rglob("*.png"))
    assert len(signatures) == 2
    missed_precheck()
    loser = actions.submit_inspection(personas.xieguan, payload(employer, fubiao1, id=data.id))
    assert not loser.created
    assert sorted(p.name for p in tmp_path.rglob("*.png")) == signatures


# --- files follow the transaction (lib/filechanges.py) ----------------------------------------


def _files(tmp_path):
    """Every stored file with its content."""
    return sorted((str(p.relative_to(tmp_path)), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file())


def _signed_draft(personas, fubiao1, employer, tmp_path):
    """A draft with both signatures and a photo; returns it and the files stored."""
    data = payload(employer, fubiao1, {1: "yes"})
    draft = actions.save_draft(personas.xieguan, data)
    actions.add_photo(draft, personas.xieguan, actions.PhotoData(jpeg()))
    stored = _files(tmp_path)
    assert len(stored) == 3
    return data, draft, stored


def _still_names_its_files(draft, stored, tmp_path):
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT
    named = [draft.companion_signature.name, draft.assistant_signature.name]
    named += [p.image.name for p in draft.photos.all()]
    assert all((tmp_path / "media" / name).is_file() for name in named)
    assert _files(tmp_path) == stored  # the old files kept as they were, the new ones removed


def test_a_failed_draft_save_keeps_the_old_signatures(personas, fubiao1, employer, tmp_path, monkeypatch):
    """New signatures replace the draft's, then a later step of the save fails: the draft and
    its files are as before (the old ones used to be deleted before the transaction ended)."""
    data, draft, stored = _signed_draft(personas, fubiao1, employer, tmp_path)

    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(actions, "_save_draft_answers", broken)
    again = payload(employer, fubiao1, {1: "no"}, id=data.id, companion_signature=png((300, 120)))
    with pytest.raises(OperationalError):
        actions.save_draft(personas.xieguan, again)
    _still_names_its_files(draft, stored, tmp_path)


def test_a_failed_submission_over_a_draft_keeps_its_files(personas, fubiao1, employer, tmp_path, monkeypatch):
    """Submitting over a draft writes new signatures and photos; the transaction then fails
    (here making the leads): the draft keeps its signatures, the new files are removed."""
    data, draft, stored = _signed_draft(personas, fubiao1, employer, tmp_path)

    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(actions, "discover_lead", broken)
    full = payload(employer, fubiao1, id=data.id, photos=[actions.PhotoData(jpeg())])
    with pytest.raises(OperationalError):
        actions.submit_inspection(personas.xieguan, full)
    _still_names_its_files(draft, stored, tmp_path)
    assert not Lead.objects.exists() and draft.answers.count() == 1


def test_replaced_and_deleted_files_go_when_the_transaction_commits(
    personas, fubiao1, employer, tmp_path, django_capture_on_commit_callbacks
):
    """A replaced signature is deleted on commit (not before); so are a deleted draft's files."""
    data, draft, _files_before = _signed_draft(personas, fubiao1, employer, tmp_path)
    old = draft.companion_signature.name
    again = payload(employer, fubiao1, {1: "no"}, id=data.id, companion_signature=png((300, 120)))
    again.assistant_signature = None  # kept
    with django_capture_on_commit_callbacks() as callbacks:
        draft = actions.save_draft(personas.xieguan, again)
    assert (tmp_path / "media" / old).is_file() and len(_files(tmp_path)) == 4  # until the commit
    for callback in callbacks:
        callback()
    assert not (tmp_path / "media" / old).is_file()
    assert (tmp_path / "media" / draft.companion_signature.name).is_file() and len(_files(tmp_path)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_draft(draft, personas.xieguan)
    assert _files(tmp_path) == [] and not Inspection.objects.exists()


def test_a_twin_autosave_that_made_the_draft_meanwhile_is_saved_over(
    personas, fubiao1, employer, monkeypatch, tmp_path
):
    """Two autosaves of a new form race: the second's look missed the draft the first had just
    made, and its insert meets the primary key. It saves over that draft (it used to answer a
    server error), and the files its failed attempt wrote are removed."""
    first = payload(employer, fubiao1, {1: "yes"})
    actions.save_draft(personas.xieguan, first)
    real = Inspection.objects.visible_to
    looks = {"n": 0}

    def missing_first(user):
        looks["n"] += 1
        return Inspection.objects.none() if looks["n"] == 1 else real(user)

    monkeypatch.setattr(Inspection.objects, "visible_to", missing_first)
    second = payload(employer, fubiao1, {1: "no", 2: "yes"}, id=first.id, companion_signature=png((300, 120)))
    draft = actions.save_draft(personas.xieguan, second)
    assert looks["n"] >= 2 and Inspection.objects.count() == 1
    assert sorted(draft.answers.values_list("item__number", "answer")) == [(1, "no"), (2, "yes")]
    named = {draft.companion_signature.name, draft.assistant_signature.name}
    stored = {str(p.relative_to(tmp_path / "media")) for p in tmp_path.rglob("*.png")}
    assert len(stored) == 4  # the first save's two, the retry's two (the first's go on commit)
    assert named <= stored


NO_FINDINGS = {1: "yes", 2: "na", 3: "yes", 4: "yes", 5: "yes", 6: "no", 7: "no"}


@pytest.mark.parametrize("answers", [NO_FINDINGS, None], ids=["no findings", "findings and leads"])
def test_a_draft_read_before_its_submission_is_neither_deleted_nor_changed(
    personas, fubiao1, employer, answers
):
    """The page (or the API) reads a draft, the phone's sync submits it, then the page's 删除草稿,
    photo upload or photo removal arrives with the draft it read: each checked that stale copy
    (still a draft). 删除草稿 deleted the submitted inspection (and the half-year it counted for
    the assistant and the employer: AssistantHalf and inspected_halves then said more than the
    inspections) or, when its findings had made leads, was refused by the database
    (ProtectedError, a 500); the others added or deleted a photo of a submitted record."""
    from xieguan.inspections import patrol

    data = payload(employer, fubiao1, answers)
    draft = actions.save_draft(personas.xieguan, data)
    photo, _created = actions.add_photo(draft, personas.xieguan, actions.PhotoData(jpeg()))
    stale = Inspection.objects.get(pk=draft.pk)
    stale_photo = InspectionPhoto.objects.select_related("inspection").get(pk=photo.pk)
    actions.submit_inspection(personas.xieguan, data)  # the phone's sync, meanwhile

    with pytest.raises(actions.InspectionError, match="不能删除"):
        actions.delete_draft(stale, personas.xieguan)
    with pytest.raises(actions.InspectionError, match="不能再添加照片"):
        actions.add_photo(stale, personas.xieguan, actions.PhotoData(jpeg()))
    with pytest.raises(actions.InspectionError, match="照片不能删除"):
        actions.delete_photo(stale_photo, personas.xieguan)

    submitted = Inspection.objects.get(pk=draft.pk)
    assert submitted.status == InspectionStatus.SUBMITTED
    files = [p.image for p in submitted.photos.all()]
    assert [f.name for f in files] == [photo.image.name]
    files += [submitted.companion_signature, submitted.assistant_signature]
    assert all(f.name and f.storage.exists(f.name) for f in files)
    assert not patrol.assistant_differences() and not patrol.employer_differences(Employer.objects.all())
