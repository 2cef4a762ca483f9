"""Talking to the sandbox's API over HTTP as a SALESmanago client would, for the sandbox's tests."""

import hashlib
import time

import requests


def signed(box, api_key="key-1", client_id=None, secret=None, **body):
    """``body`` with the authentication fields, signed for ``box`` (or with another secret)."""
    client_id = client_id or box.client_id
    return {
        "clientId": client_id,
        "apiKey": api_key,
        "requestTime": int(time.time() * 1000),
        "sha": hashlib.sha1(f"{api_key}{client_id}{secret or box.api_secret}".encode()).hexdigest(),
        **body,
    }


def call(box, path, body):
    response = requests.post(f"{box.url}/api/{path}", json=body, timeout=5)
    return response.status_code, response.json()


def upsert(box, email, contact=None, **extra):
    """Upsert ``email``; ``contact`` adds standard fields (``{"name": ...}``) beside the e-mail."""
    return call(box, "contact/upsert", signed(
        box, owner=box.owner, contact={"email": email, **(contact or {})}, **extra))


def failed(answer):
    """SALESmanago's failure shape, whatever the (mostly unconfirmed) words."""
    return (answer["success"] is False and isinstance(answer["message"], list)
            and all(isinstance(text, str) and text for text in answer["message"]))
