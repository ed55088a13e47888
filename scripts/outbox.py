"""`make outbox`: the e-mails the local stack sent, newest first, with their links.
`make outbox` lists them; `python -m scripts.outbox 1` prints the newest in full."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from scripts.local_stack import ROOT, _port, stage_environment

LINK = re.compile(r"https?://\S+")


def main(argv: list[str] | None = None) -> None:
    """Print the outbox."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("number", nargs="?", type=int, help="show message N (1 = newest)")
    args = parser.parse_args(argv)
    from chalicelib.adapters.mailer import read_outbox

    env = stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000))
    messages = read_outbox(Path(env["LOCAL_OUTBOX_DIR"]))
    if not messages:
        print(f"Skrzynka jest pusta ({Path(env['LOCAL_OUTBOX_DIR']).relative_to(ROOT)}).")
        return
    if args.number:
        message = messages[args.number - 1]
        print(f"Do: {message['to']}\nTemat: {message['subject']}\n\n{message['text']}")
        return
    for index, message in enumerate(messages, start=1):
        print(f"{index:3}. {message['sent_at'][:19]}  {message['to']}  {message['subject']}")
        for link in LINK.findall(message["text"]):
            print(f"       {link}")


if __name__ == "__main__":
    main()
