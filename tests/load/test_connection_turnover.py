"""Connection turnover (issue 18, the call center's load): one response in N that a server process sends says
``Connection: close``, so kept-alive connections move to the worker processes with time to spare instead of staying
where the first second put them. Checked at the ASGI boundary and against a real uvicorn server on a socket."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from nemt.http.capacity import ConnectionTurnover
from nemt.settings import Settings


async def hello(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def _closes(app, requests: int) -> list[bool]:
    async def run() -> list[bool]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return [(await client.get("/")).headers.get("connection") == "close" for _ in range(requests)]

    import anyio
    return anyio.run(run)


def test_every_nth_response_closes_its_connection():
    assert _closes(ConnectionTurnover(hello, every=3), 7) == [False, False, True, False, False, True, False]


def test_no_turnover_when_turned_off():
    assert _closes(ConnectionTurnover(hello, every=0), 5) == [False] * 5


def test_the_setting_is_read_and_defaults_to_25():
    assert Settings.from_environ({}).keepalive_requests == 25
    assert Settings.from_environ({"NEMT_KEEPALIVE_REQUESTS": "0"}).keepalive_requests == 0
    with pytest.raises(ValueError, match="NEMT_KEEPALIVE_REQUESTS must be a whole number"):
        Settings.from_environ({"NEMT_KEEPALIVE_REQUESTS": "-3"})


@pytest.fixture()
def real_server():
    """uvicorn serving ``hello`` behind turnover every 2 responses, on a free loopback port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(ConnectionTurnover(hello, every=2), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


def test_a_real_server_closes_the_connection_after_the_nth_response(real_server):
    connection = http.client.HTTPConnection("127.0.0.1", real_server, timeout=5)
    ports = []
    for _ in range(4):
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.read() == b"hello"
        ports.append(connection.sock.getsockname()[1] if connection.sock else None)
        if response.will_close:
            ports[-1] = "closed"
            connection.close()
    connection.close()
    # Responses 1 and 3 keep the connection; 2 and 4 close it; the client's 3rd request goes on a new connection.
    assert ports[1] == "closed" and ports[3] == "closed" and ports[0] != ports[2] and None not in ports
