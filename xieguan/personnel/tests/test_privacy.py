"""ID numbers: validated on entry; full only to the county admin who manages the assistant —
in every page, export and API response, for every role."""

from io import BytesIO

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xieguan.lib.validators import mask_id_number
from xieguan.personnel.models import Assistant
from xieguan.personnel.privacy import id_number_for, manages

pytestmark = pytest.mark.django_db

FULL = "520203198803121235"
MASKED = "5202**********1235"

PAGES = [
    ("personnel:list", None),
    ("personnel:detail", "appointed"),
    ("personnel:aftermath", "appointed"),
    ("personnel:assessment", "assessment"),
    ("personnel:edit", "appointed"),
    ("personnel:training_detail", "session"),
    ("personnel:renew", "appointed"),
]


def test_mask_format():
    assert mask_id_number(FULL) == MASKED


@given(st.text(alphabet="0123456789X", min_size=9, max_size=18))
def test_mask_keeps_four_and_four(value):
    masked = mask_id_number(value)
    assert len(masked) == len(value) and masked[:4] == value[:4] and masked[-4:] == value[-4:]
    assert set(masked[4:-4]) <= {"*"}


def test_only_the_managing_county_admin(personas, world):
    a = world["appointed"]
    assert manages(personas.panzhou, a)
    for name in ["sheng", "lps", "jiandu", "xieguan", "liuzhi", "jiandu2", "xieguan2"]:
        assert not manages(getattr(personas, name), a), name
        assert id_number_for(getattr(personas, name), a) == MASKED
    personas.panzhou.is_active = False
    assert id_number_for(personas.panzhou, a) == MASKED


@pytest.mark.parametrize(("name", "key"), PAGES)
@pytest.mark.parametrize("persona", ["panzhou", "sheng", "lps"])
def test_pages(client_for, world, name, key, persona):
    response = client_for(persona).get(reverse(name, args=[world[key].pk]) if key else reverse(name))
    if response.status_code == 403:  # the edit pages are the county's own
        assert persona != "panzhou"
        return
    body = response.content.decode()
    if persona == "panzhou":
        assert FULL in body or name not in {"personnel:list", "personnel:detail", "personnel:edit"}
    else:
        assert FULL not in body
        if name in {"personnel:list", "personnel:detail"}:
            assert MASKED in body


def test_the_assistant_sees_their_own_number_masked(client_for, world):
    body = client_for("xieguan").get(reverse("personnel:me")).content.decode()
    assert MASKED in body and FULL not in body


@pytest.mark.parametrize("persona", ["panzhou", "sheng", "lps"])
def test_export(client_for, world, persona):
    response = client_for(persona).get(reverse("personnel:export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    numbers = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "王芳"}
    assert numbers == ({FULL} if persona == "panzhou" else {MASKED})


@pytest.mark.parametrize("persona", ["panzhou", "sheng", "lps"])
def test_api(client_for, world, persona):
    client = client_for(persona)
    listed = {a["name"]: a["id_number"] for a in client.get("/api/v1/personnel/assistants").json()}
    detail = client.get(f"/api/v1/personnel/assistants/{world['appointed'].pk}").json()
    expected = FULL if persona == "panzhou" else MASKED
    assert listed["王芳"] == expected and detail["id_number"] == expected
    if persona != "panzhou":
        assert all("*" in number for number in listed.values())


def test_liuzhi_sees_own_county_in_full_and_never_panzhous(client_for, world):
    client = client_for("liuzhi")
    listed = {a["name"]: a["id_number"] for a in client.get("/api/v1/personnel/assistants").json()}
    assert set(listed) == {"杨明"} and "*" not in listed["杨明"]
    assert client.get(f"/api/v1/personnel/assistants/{world['appointed'].pk}").status_code == 404


def test_new_assistant_rejects_a_bad_id_number(client_for, personas):
    data = {
        "name": "张三",
        "gender": "male",
        "id_number": "520203198803121234",
        "phone": "13908581234",
        "education": "senior",
        "origin": "village_doctor",
        "township": "520281117",
    }
    client = client_for("panzhou")
    response = client.post(reverse("personnel:new"), data)
    assert response.status_code == 200 and "身份证号校验位不对" in response.content.decode()
    response = client.post(reverse("personnel:new"), {**data, "id_number": "52020319880312"})
    assert "身份证号应为 18 位" in response.content.decode()
    assert not Assistant.objects.exists()
    response = client.post(
        reverse("personnel:new"), {**data, "id_number": "５２０２０３１９８８０３１２１２３５"}
    )
    assert response.status_code == 302
    assert Assistant.objects.get().id_number == FULL
    response = client.post(reverse("personnel:new"), {**data, "name": "重复", "id_number": FULL})
    assert "已登记为协管员" in response.content.decode()
    assert Assistant.objects.count() == 1


def test_new_assistant_township_must_be_in_the_county(client_for, personas):
    response = client_for("panzhou").post(
        reverse("personnel:new"),
        {
            "name": "张三",
            "gender": "male",
            "id_number": FULL,
            "phone": "13908581234",
            "education": "senior",
            "origin": "village_doctor",
            "township": "520203102",
        },
    )
    assert response.status_code == 200 and not Assistant.objects.exists()
