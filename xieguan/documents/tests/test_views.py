import pytest

pytestmark = pytest.mark.django_db


def test_blank_forms_page_lists_fubiao1(client_for):
    response = client_for("xieguan").get("/documents/")
    assert response.status_code == 200
    assert "附表1 职业健康监督协管巡查个案信息表" in response.content.decode()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_blank_fubiao1_downloads(client_for, fmt, content_type):
    response = client_for("panzhou").get(f"/documents/blank/fubiao1.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_unknown_blank_is_404(client_for):
    client = client_for("xieguan")
    assert client.get("/documents/blank/nope.pdf").status_code == 404
    assert client.get("/documents/blank/fubiao1.odt").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/documents/blank/fubiao1.pdf")
    assert response.status_code == 302 and "/login/" in response["Location"]
