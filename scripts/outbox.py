"""`make outbox`: the e-mails the local stack sent, newest first, with their links.
`make outbox` lists them; `python -m scripts.outbox 1` prints the newest in full;
`make -s token PAGE=aktywacja` prints the one-time token of the newest link to that page
(waiting a few seconds for it), so a terminal-only walk-through can go on with curl."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from scripts.local_stack import ROOT, _port, stage_environment

LINK = re.compile(r"https?://\S+")
TOKEN_WAIT_SECONDS = 15.0


def token_of(messages: list[dict[str, Any]], page: str) -> str | None:
    """The token of the newest link to `page` (`…/<page>#token=<token>`), if any."""
    pattern = re.compile(rf"/{re.escape(page)}#token=([A-Za-z0-9_-]+)")
    for message in messages:
        found = pattern.search(message["text"])
        if found:
            return found.group(1)
    return None


def _wait_for_token(folder: Path, page: str) -> str | None:
    from chalicelib.adapters.mailer import read_outbox

    deadline = time.monotonic() + TOKEN_WAIT_SECONDS
    while True:
        # Some mail is sent after the answer (through a queue): wait a moment for it.
        token = token_of(read_outbox(folder), page)
        if token or time.monotonic() > deadline:
            return token
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """Print the outbox, one message, or one token."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("number", nargs="?", type=int, help="show message N (1 = newest)")
    parser.add_argument("--token", metavar="PAGE", help="print the token of a link to PAGE")
    args = parser.parse_args(argv)
    from chalicelib.adapters.mailer import read_outbox

    env = stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000))
    folder = Path(env["LOCAL_OUTBOX_DIR"])
    if args.token:
        token = _wait_for_token(folder, args.token)
        if token is None:
            print(f"W skrzynce nie ma linku do strony {args.token}.", file=sys.stderr)
            return 1
        print(token)
        return 0
    messages = read_outbox(folder)
    if not messages:
        print(f"Skrzynka jest pusta ({folder.relative_to(ROOT)}).")
        return 0
    if args.number:
        message = messages[args.number - 1]
        print(f"Do: {message['to']}\nTemat: {message['subject']}\n\n{message['text']}")
        return 0
    for index, message in enumerate(messages, start=1):
        print(f"{index:3}. {message['sent_at'][:19]}  {message['to']}  {message['subject']}")
        for link in LINK.findall(message["text"]):
            print(f"       {link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
