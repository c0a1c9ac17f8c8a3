"""`rasmi web`: the directory served by uvicorn."""

from __future__ import annotations

import uvicorn

from web.app import create_app
from web.config import WebConfig


def serve(config: WebConfig, host: str, port: int) -> int:
    # No access log: a reverse proxy in front keeps one, and a line written per request
    # here would slow every request.
    uvicorn.run(create_app(config), host=host, port=port, proxy_headers=False, access_log=False)
    return 0
