"""`rasmi web`: the directory served by uvicorn."""

from __future__ import annotations

import uvicorn

from web.app import create_app
from web.config import WebConfig


def serve(config: WebConfig, host: str, port: int) -> int:
    uvicorn.run(create_app(config), host=host, port=port, proxy_headers=False, log_level="info")
    return 0
