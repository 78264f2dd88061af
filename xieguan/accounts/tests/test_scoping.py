import pytest
from django.http import Http404

from xieguan.accounts.models import User
from xieguan.employers.models import Employer
from xieguan.lib.scoping import get_visible_or_404, region_in_scope
from xieguan.lib.testing import EmployerFactory
from xieguan.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def employers(personas):
    return {
        "baiguo": EmployerFactory(region_id="520281117001"),
        "other_township": EmployerFactory(region_id="520281104001"),
        "liuzhi": EmployerFactory(region_id="520203102001"),
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("sheng", {"baiguo", "other_township", "liuzhi"}),
        ("lps", {"baiguo", "other_township", "liuzhi"}),
        ("panzhou", {"baiguo", "other_township"}),
        ("jiandu", {"baiguo", "other_township"}),
        ("xieguan", {"baiguo"}),
        ("liuzhi", {"liuzhi"}),
        ("xieguan2", {"liuzhi"}),
    ],
)
def test_visible_to_is_the_users_subtree(personas, employers, persona, visible):
    user = getattr(personas, persona)
    seen = set(Employer.objects.visible_to(user).values_list("pk", flat=True))
    assert seen == {employers[key].pk for key in visible}


def test_anonymous_and_inactive_users_see_nothing(personas, employers):
    from django.contrib.auth.models import AnonymousUser

    assert not Employer.objects.visible_to(AnonymousUser()).exists()
    assert not Employer.objects.visible_to(None).exists()
    personas.sheng.is_active = False
    assert not Employer.objects.visible_to(personas.sheng).exists()


@pytest.mark.parametrize(
    ("persona", "code", "visible"),
    [
        ("panzhou", "520281", {"baiguo", "other_township"}),  # the user's own scope
        ("panzhou", "520281117", {"baiguo"}),  # a subtree inside the scope
        ("xieguan", "520281", {"baiguo"}),  # a subtree above the scope: the scope
        ("xieguan", "52", {"baiguo"}),
        ("panzhou", "520203", set()),  # another county: nothing
        ("xieguan", "520281104", set()),  # a sibling township: nothing
        ("sheng", "520203102", {"liuzhi"}),
    ],
)
def test_visible_within_is_visible_to_and_within_as_one(personas, employers, persona, code, visible):
    user = getattr(personas, persona)
    both = Employer.objects.visible_to(user).within(code)
    one = Employer.objects.visible_within(user, code)
    assert set(one.values_list("pk", flat=True)) == set(both.values_list("pk", flat=True))
    assert set(one.values_list("pk", flat=True)) == {employers[key].pk for key in visible}
    if visible:
        assert str(one.query).count("LIKE") == 1  # one prefix condition, not two


@pytest.mark.parametrize("code", ["", None])
def test_visible_within_an_empty_code_is_the_whole_scope(personas, employers, code):
    """A list whose region filter is left blank asks with an empty code: visible_to(user)."""
    one = Employer.objects.visible_within(personas.panzhou, code)
    assert set(one) == set(Employer.objects.visible_to(personas.panzhou))
    assert set(one) == {employers["baiguo"], employers["other_township"]}
    assert str(one.query).count("LIKE") == 1
    assert not Employer.objects.visible_within(None, code).exists()


def test_visible_within_gives_nothing_to_anonymous_and_inactive_users(personas, employers):
    from django.contrib.auth.models import AnonymousUser

    assert not Employer.objects.visible_within(AnonymousUser(), "52").exists()
    personas.sheng.is_active = False
    assert not Employer.objects.visible_within(personas.sheng, "52").exists()


def test_get_visible_or_404(personas, employers):
    found = get_visible_or_404(Employer, personas.xieguan, pk=employers["baiguo"].pk)
    assert found == employers["baiguo"]
    with pytest.raises(Http404):
        get_visible_or_404(Employer, personas.xieguan, pk=employers["liuzhi"].pk)
    with pytest.raises(Http404):
        get_visible_or_404(Employer, personas.xieguan, pk="not-a-number")


def test_prefix_lookup_compares_the_foreign_key_column():
    sql = str(Employer.objects.within("5202").query)
    assert '"employers_employer"."region_id"' in sql.split("WHERE")[1]
    assert "regions_region" not in sql  # no join: the code is the foreign key's value


def test_regions_and_users_are_scoped_the_same_way(personas):
    assert set(Region.objects.visible_to(personas.xieguan).values_list("level", flat=True)) == {4, 5}
    names = set(User.objects.visible_to(personas.panzhou).values_list("username", flat=True))
    assert names == {"panzhou", "jiandu", "xieguan"}


def test_region_in_scope(personas):
    assert region_in_scope(personas.panzhou, "520281117001")
    assert not region_in_scope(personas.panzhou, "520203102")
    assert not region_in_scope(personas.panzhou, None)
