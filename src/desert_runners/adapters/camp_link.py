"""The station's side of the network link to the camp server: one HTTP request a batch.

Every way the link can fail becomes one clear message; the entries stay safe on the
laptop whatever happens here, and the next sync sends what the camp did not confirm.
"""

from __future__ import annotations

from typing import Any

import httpx

from desert_runners.domain.errors import UserError

TIMEOUT_SECONDS = 30.0  # a satellite link is slow; a dead one should not hang the laptop


class CampLinkError(UserError):
    pass


def sync_path(station: str) -> str:
    return f"/api/stations/{station}/sync"


def normalised(url: str) -> str:
    """The camp's address as the acknowledgements are kept under it."""
    return url.strip().rstrip("/")


def send_batch(
    url: str, token: str, station: str, body: dict[str, Any], timeout: float = TIMEOUT_SECONDS
) -> dict[str, Any]:
    """POST one batch; the camp's answer, or a CampLinkError saying what went wrong."""
    camp = normalised(url)
    try:
        response = httpx.post(
            camp + sync_path(station),
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise CampLinkError(
            f"{url!r} is not a camp address: expected http://HOST:PORT, e.g. http://10.0.0.1:8000"
        ) from None
    except httpx.HTTPError as error:
        raise CampLinkError(
            f"cannot reach the camp at {camp} ({type(error).__name__}): the entries are safe "
            "here; sync again when the link is back"
        ) from None
    answer = _json(response)
    if response.status_code in (401, 403):
        raise CampLinkError(f"the camp at {camp} refused the station: {_detail(answer, response)}")
    if response.status_code != 200 or not isinstance(answer, dict):
        raise CampLinkError(
            f"the camp at {camp} answered {response.status_code}: {_detail(answer, response)}"
        )
    return answer


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(answer: Any, response: httpx.Response) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("detail"), str):
        return str(answer["detail"])
    return response.reason_phrase or "no reason given"
