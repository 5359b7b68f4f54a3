"""The endpoint only serves loopback clients that are not web pages: a foreign Host, or any
Origin (a page on another loopback port too) gets 403 with a reason."""

from __future__ import annotations

import httpx

from editor_harness import auth_headers

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "security-test", "version": "1"}},
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def post(editor, **headers):
    return httpx.post(editor.url, json=INITIALIZE, timeout=10,
                      headers={**HEADERS, **auth_headers(editor.url), **headers})


def test_loopback_requests_are_served(editor):
    for host in (f"127.0.0.1:{editor.port}", f"localhost:{editor.port}"):
        for origin in ({}, {"origin": f"http://{host}"}):  # the endpoint's own origin
            response = post(editor, host=host, **origin)
            assert response.status_code == 200, response.text
            assert response.headers["mcp-session-id"]


def test_a_web_page_is_refused_even_on_loopback(editor):
    for origin in ("https://evil.example", "null", "http://127.0.0.1:8000",
                   f"http://localhost:{editor.port + 1}", f"https://127.0.0.1:{editor.port}"):
        response = post(editor, origin=origin)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/json"
        assert origin in response.json()["error"]["message"]


def test_a_foreign_host_is_refused(editor):
    response = post(editor, host=f"rebind.example:{editor.port}")
    assert response.status_code == 403
    assert "not a loopback name" in response.json()["error"]["message"]


def test_malformed_json_rpc_gets_a_client_error_not_a_crash(editor):
    response = httpx.post(editor.url, content=b"{not json", timeout=10,
                          headers={**HEADERS, **auth_headers(editor.url)})
    assert 400 <= response.status_code < 500
    # The endpoint still works afterwards.
    assert post(editor).status_code == 200
