"""Keys that expire and are revoked, and console sessions that never hold the key."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from zhili.api.auth import create_key, hash_key


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_revoked_key_is_401_at_its_next_request(world):
    client, keys, store = world
    assert client.get("/v1/subjects", headers=auth(keys["reviewer"])).status_code == 200
    key_id = store.find_key(hash_key(keys["reviewer"])).id
    assert store.revoke_key(key_id, dt.datetime.now(dt.UTC))
    refused = client.get("/v1/subjects", headers=auth(keys["reviewer"]))
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/subjects", headers=auth(keys["admin"])).status_code == 200


def test_an_expired_key_is_401_from_its_expiry_on(world, clock):
    client, _, store = world
    _, key = create_key(store, "admin", expires=clock.now + dt.timedelta(hours=1))
    assert client.get("/v1/subjects", headers=auth(key)).status_code == 200
    clock.now += dt.timedelta(hours=1)
    assert client.get("/v1/subjects", headers=auth(key)).status_code == 401


def test_last_use_is_recorded(world, clock):
    client, keys, store = world
    client.get("/v1/subjects", headers=auth(keys["merchant"]))
    assert store.find_key(hash_key(keys["merchant"])).last_used == clock.now


def test_the_console_signs_in_by_form_only_and_its_cookie_is_not_the_key(world):
    client, keys, store = world
    by_url = client.get("/login", params={"key": keys["admin"]}, follow_redirects=False)
    assert by_url.status_code == 200 and "zhili_session" not in by_url.cookies
    assert client.get("/subjects", follow_redirects=False).status_code == 303
    signed = client.post("/login", data={"key": keys["admin"]}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.cookies["zhili_session"]
    assert keys["admin"] not in cookie and hash_key(keys["admin"]) not in cookie
    assert client.get("/subjects").status_code == 200
    # Revoking the key ends its sessions at once.
    store.revoke_key(store.find_key(hash_key(keys["admin"])).id, dt.datetime.now(dt.UTC))
    after = client.get("/subjects", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"] == "/login"
    refused = client.post("/login", data={"key": keys["admin"]}, follow_redirects=False)
    assert refused.status_code == 401


def test_signing_out_ends_the_session(world):
    client, keys, _ = world
    client.post("/login", data={"key": keys["merchant"]}, follow_redirects=False)
    token = client.cookies["zhili_session"]
    assert client.get("/subjects/c1").status_code == 200
    client.get("/logout", follow_redirects=False)
    client.cookies.set("zhili_session", token)  # a copy of the old cookie no longer works
    assert client.get("/subjects/c1", follow_redirects=False).status_code == 303


def test_keys_create_list_and_revoke_on_the_command_line(tmp_path):
    from zhili.cli import app

    db = f"sqlite:///{tmp_path / 'keys.db'}"
    runner = CliRunner()
    made = runner.invoke(app, ["keys", "create", "--role", "merchant", "--subject", "c1",
                               "--expires", "90d", "--db", db])
    assert made.exit_code == 0, made.output
    key = made.stdout.splitlines()[0]
    listed = runner.invoke(app, ["keys", "list", "--db", db])
    assert listed.exit_code == 0 and "merchant" in listed.stdout and "有效" in listed.stdout
    assert key not in listed.stdout and hash_key(key) not in listed.stdout
    from zhili.store import open_store

    store = open_store(db)
    (stored,) = store.list_keys()
    store.close()
    assert stored.role == "merchant" and stored.expires is not None
    revoked = runner.invoke(app, ["keys", "revoke", stored.id, "--db", db])
    assert revoked.exit_code == 0, revoked.output
    assert "吊销" in runner.invoke(app, ["keys", "list", "--db", db]).stdout
    for bad in (["keys", "revoke", "key_nothing", "--db", db],
                ["keys", "create", "--role", "admin", "--expires", "2020-01-01", "--db", db],
                ["keys", "create", "--role", "admin", "--expires", "soon", "--db", db]):
        result = runner.invoke(app, bad)
        assert result.exit_code != 0 and "Traceback" not in result.output
