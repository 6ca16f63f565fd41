"""What the connection dialog makes of a typed address, and what it shows of a saved one."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from annotator.base.errors import UserError
from annotator.core.connecting import address_and_user, check, server_of, server_url


@pytest.mark.parametrize(
    ("address", "user", "expected"),
    [
        ("db.example.org", "alice", "postgresql+psycopg://alice@db.example.org"),
        ("db.example.org:6543/team", "alice", "postgresql+psycopg://alice@db.example.org:6543/team"),
        (" [::1]:5432/team ", "", "postgresql+psycopg://[::1]:5432/team"),
        ("postgresql://bob@db/team?sslmode=require", "", "postgresql+psycopg://bob@db/team?sslmode=require"),
        ("postgres://bob@db/team", "alice", "postgresql+psycopg://alice@db/team"),
    ],
)  # fmt: skip
def test_an_address_becomes_a_url(address: str, user: str, expected: str) -> None:
    assert server_url(address, user=user) == expected


def test_the_password_is_carried_whatever_it_holds() -> None:
    password = "p@ss:word/with spaces&more?"
    url = server_url("db:5432/team", user="alice", password=password)
    assert make_url(url).password == password
    assert make_url(url).username == "alice"


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("", "type the server's address"),
        ("db:port/team", "not a port number"),
        ("sqlite:///corpus.db", "not a PostgreSQL server"),
        ("mysql://me:secret@db/team", "not a PostgreSQL server"),
        ("db/team?sslmode=require", "not a server address"),
    ],
)
def test_a_bad_address_is_said_in_plain_words(address: str, words: str) -> None:
    with pytest.raises(UserError, match=words) as caught:
        server_url(address, password="secret")
    assert "secret" not in str(caught.value)


def test_a_saved_url_fills_the_fields_without_its_password() -> None:
    url = "postgresql+psycopg://alice:secret@db.example.org:6543/team"
    assert server_of(url) == "postgresql+psycopg://alice@db.example.org:6543/team"
    assert address_and_user(url) == ("db.example.org:6543/team", "alice")
    assert address_and_user("postgresql://alice:secret@db/team?sslmode=require") == (
        "postgresql://db/team?sslmode=require",
        "alice",
    )
    for not_a_server in (None, "", "/home/alice/corpus.db", "sqlite:///corpus.db", "::"):
        assert server_of(not_a_server) is None
        assert address_and_user(not_a_server) == ("", "")


def test_a_server_nobody_listens_on_is_not_answering() -> None:
    """A port on this machine with nothing behind it: refused at once, said plainly."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = check(server_url(f"127.0.0.1:{port}/team", user="alice", password="secret"))
    assert not result.usable
    assert result.message.startswith("The server is not answering")
    assert "secret" not in result.message
