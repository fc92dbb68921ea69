"""The sandbox's stand-in for Cloud Scheduler: POST the `sweep` function every `--interval` seconds.

    python -m launchready.sandbox.sweeper --url http://127.0.0.1:P/ --interval 60

One line per run on stdout (the sandbox's log file): the sweep's summary, or why it failed. A failed
run is retried at the next tick, as Scheduler's own retry would.
"""
from __future__ import annotations

import argparse
import json
import time

import httpx

DEFAULT_INTERVAL_SECONDS = 60.0


def tick(url: str, http: httpx.Client) -> str:
    try:
        answer = http.post(url)
    except httpx.HTTPError as exc:
        return f"sweep failed: {type(exc).__name__}"
    return f"sweep {answer.status_code}: {json.dumps(answer.json()) if answer.status_code == 200 else answer.text[:200]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS)
    args = parser.parse_args(argv)
    with httpx.Client(timeout=max(30.0, args.interval)) as http:
        while True:
            time.sleep(args.interval)
            print(time.strftime("%H:%M:%S"), tick(args.url, http), flush=True)


if __name__ == "__main__":
    main()
