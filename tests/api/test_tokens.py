"""Tokens: issued and revoked by command line and admin as events, hashed, checked, used."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.test import Client

from projects.api import tokens
from projects.api.models import ApiToken, ApiTokenUse
from registry import replay
from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import World

pytestmark = pytest.mark.django_db


def _command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_issue_api_token_prints_the_token_and_nothing_else(api_world: World) -> None:
    printed = _command("issue_api_token", "--organisation", "unitree", "--name", "Robot fleet")

    token = printed.strip()
    assert printed == token + "\n"
    record = ApiToken.objects.get(token_id=tokens.token_id_of(token))
    assert (record.holder_kind, record.holder_id, record.name) == (
        "organisation",
        "unitree",
        "Robot fleet",
    )
    event = StoredEvent.objects.get(stream_type="api_token", stream_id=record.token_id)
    assert event.event_type == "ApiTokenIssued"
    assert event.data["secret_hash"] == tokens.token_hash(token)
    assert token not in str(event.data) + str(event.metadata)
    assert event.metadata["source"] == "cli"
    assert ApiClient(token).get("projects/").status_code == 200


def test_a_staff_token_is_issued_by_user_name_with_an_expiry(api_world: World) -> None:
    token = _command(
        "issue_api_token", "--user", "officer", "--name", "Scripts", "--expires", "2099-01-01"
    ).strip()

    record = ApiToken.objects.get(token_id=tokens.token_id_of(token))
    assert record.holder_id == str(User.objects.get(username="officer").pk)
    assert str(record.expires_on) == "2099-01-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "nobody", "--name", "x"], "not registered"),
        (["--organisation", "unitree", "--name", " "], "needs a name"),
        (["--organisation", "unitree", "--name", "x", "--expires", "soon"], "not a date"),
        (["--organisation", "unitree", "--name", "x", "--expires", "2001-01-01"], "expire"),
        (["--user", "nobody", "--name", "x"], "No user"),
    ],
)
def test_a_bad_issue_is_a_readable_command_error_and_writes_nothing(
    api_world: World, args: list[str], message: str
) -> None:
    before = StoredEvent.objects.count()

    with pytest.raises(CommandError, match=message):
        _command("issue_api_token", *args)

    assert StoredEvent.objects.count() == before


def test_revoke_api_token_shuts_the_token_out(api_world: World) -> None:
    client = ApiClient(api_world.unitree)
    assert client.get("projects/").status_code == 200

    _command("revoke_api_token", api_world.unitree, "--reason", "Contract ended")

    assert client.get("projects/").status_code == 401
    with pytest.raises(CommandError, match="already revoked"):
        _command("revoke_api_token", tokens.token_id_of(api_world.unitree) or "", "--reason", "x")
    with pytest.raises(CommandError, match="No token"):
        _command("revoke_api_token", "ffffffffffff", "--reason", "x")


def test_a_token_with_a_wrong_secret_is_refused(api_world: World) -> None:
    token_id = tokens.token_id_of(api_world.deepseek)
    forged = f"reg_{token_id}_{'A' * 43}"

    assert ApiClient(forged).get("projects/").status_code == 401
    assert tokens.find(forged) is None
    assert tokens.find(api_world.deepseek) is not None


def test_last_use_is_recorded_outside_the_log(api_world: World) -> None:
    token_id = tokens.token_id_of(api_world.unitree)
    events = StoredEvent.objects.count()

    ApiClient(api_world.unitree).get("sectors/")

    assert ApiTokenUse.objects.get(token_id=token_id).last_used_at is not None
    assert StoredEvent.objects.count() == events


def test_token_read_models_rebuild_from_the_log(api_world: World) -> None:
    before = replay.snapshot()

    call_command("rebuild_projections", "api_tokens", stderr=io.StringIO())

    assert replay.snapshot() == before
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 1


def test_first_api_token_issues_nothing_once_tokens_exist(api_world: World) -> None:
    before = StoredEvent.objects.count()

    printed = _command("first_api_token")

    assert "issue_api_token" in printed
    assert StoredEvent.objects.count() == before


def _admin(perms: tuple[str, ...] = ()) -> Client:
    user = User.objects.create_user("tokenkeeper", password="a-long-password", is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_issues_a_token_by_command_and_shows_it_once(api_world: World) -> None:
    admin = _admin(("add_apitoken", "view_apitoken"))

    page = admin.post(
        "/admin/api/apitoken/add/",
        {"holder_kind": "organisation", "organisation": "unitree", "name": "Dashboard"},
        secure=True,
    )

    assert page.status_code == 200
    token = page.context["issued"].token
    assert token in page.content.decode()
    assert ApiClient(token).get("projects/").status_code == 200
    record = ApiToken.objects.get(token_id=tokens.token_id_of(token))
    assert record.issued_by == str(User.objects.get(username="tokenkeeper").pk)
    listed = admin.get("/admin/api/apitoken/", secure=True).content.decode()
    assert record.token_id in listed
    assert token not in listed


def test_the_admin_shows_a_refusal_on_the_form_and_writes_nothing(api_world: World) -> None:
    admin = _admin(("add_apitoken",))
    before = StoredEvent.objects.count()

    page = admin.post(
        "/admin/api/apitoken/add/",
        {"holder_kind": "organisation", "organisation": "", "name": "Dashboard"},
        secure=True,
        headers={"Accept-Language": "zh-hant"},
    )

    assert page.status_code == 200
    assert page.context["form"].errors["organisation"]
    assert StoredEvent.objects.count() == before


def test_the_admin_revokes_a_token_with_a_reason(api_world: World) -> None:
    admin = _admin(("change_apitoken", "view_apitoken"))
    token_id = tokens.token_id_of(api_world.deepseek)

    empty = admin.post(f"/admin/api/apitoken/{token_id}/revoke/", {"reason": ""}, secure=True)
    done = admin.post(
        f"/admin/api/apitoken/{token_id}/revoke/", {"reason": "Staff left"}, secure=True
    )

    assert empty.status_code == 200
    assert done.status_code == 302
    assert ApiToken.objects.get(token_id=token_id).revoke_reason == "Staff left"
    assert ApiClient(api_world.deepseek).get("projects/").status_code == 401


def test_issuing_and_revoking_in_the_admin_need_their_permissions(api_world: World) -> None:
    admin = _admin(("view_apitoken",))
    token_id = tokens.token_id_of(api_world.deepseek)

    assert admin.get("/admin/api/apitoken/add/", secure=True).status_code == 403
    assert (
        admin.post(
            f"/admin/api/apitoken/{token_id}/revoke/", {"reason": "x"}, secure=True
        ).status_code
        == 403
    )
    assert admin.post(f"/admin/api/apitoken/{token_id}/change/", {}, secure=True).status_code in {
        302,
        403,
    }
    assert ApiToken.objects.get(token_id=token_id).revoked_at is None


@pytest.mark.parametrize(
    ("group", "status"), [("Liaison officers", 200), ("Read-only observers", 403)]
)
def test_liaison_officers_issue_partner_tokens_and_observers_do_not(
    api_world: World, group: str, status: int
) -> None:
    user = User.objects.create_user(f"u-{status}", password="a-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/api/apitoken/", secure=True).status_code == 200
    assert client.get("/admin/api/apitoken/add/", secure=True).status_code == status
