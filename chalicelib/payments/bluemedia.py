"""Blue Media (Autopay) online payments: the start form, the ITN notification and its
confirmation, and the browser return — following the gateway's public protocol.

- Start: fields ServiceID, OrderID, Amount ("1.20"), Description, GatewayID, Currency,
  CustomerEmail, then Hash = sha256 hex of the non-empty values sent, in that order, joined
  with "|", then "|" and the shared key. GatewayID is omitted unless a channel is chosen;
  CustomerEmail is omitted when longer than the gateway's 60 characters (a cut address
  would be a wrong one).
- ITN: POST form field `transactions` = base64 of UTF-8 XML (a "+" may arrive as a space).
  Its hash is sha256 over serviceID, then every non-empty leaf value of `transactions` in
  document order (nested elements flattened), then the key. The document is walked
  generically, so new optional fields do not break the check. An amount must be digits, a
  dot and two decimals ("123.45"); anything else rejects the notification.
- Answer: XML confirmationList with one transactionConfirmed per transaction and
  hash = sha256(serviceID|orderID1|confirmation1|…|key).
- Return: GET ServiceID, OrderID, Hash = sha256(ServiceID|OrderID|key); it only decides
  what to show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote
from xml.etree.ElementTree import Element, SubElement, tostring  # building only

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from chalicelib.clock import to_warsaw
from chalicelib.money import format_grosze
from chalicelib.payments.provider import (
    InvalidNotification,
    Notification,
    Redirect,
    StartRequest,
    Transaction,
)

MAX_NOTIFICATION_BYTES = 256 * 1024
# Levels below the root: transactionList > transactions > transaction > field (> sub-field)
# is 3-4; anything far deeper is refused before it is walked or hashed.
MAX_DEPTH = 8
START_FIELDS = (
    "ServiceID",
    "OrderID",
    "Amount",
    "Description",
    "GatewayID",
    "Currency",
    "CustomerEmail",
    "ValidityTime",  # the gateway's hash order: it follows CustomerEmail
)
CONFIRMED, NOT_CONFIRMED = "CONFIRMED", "NOTCONFIRMED"
SEPARATOR = "|"
STATUSES = frozenset({"PENDING", "SUCCESS", "FAILURE"})  # exactly as the gateway writes them
# Each read once per transaction; two of one would leave it open which one was meant.
SINGLE_FIELDS = ("orderID", "amount", "currency", "paymentStatus")
MAX_DESCRIPTION, MAX_EMAIL = 79, 60
ITN_AMOUNT = re.compile(r"[0-9]+\.[0-9]{2}")  # ASCII digits only, unlike \d
# OrderID: letters and digits, at most 32 (ours are 24); a transaction with another id is
# refused. Our answers sign `serviceID|orderID|CONFIRMED-or-NOT|…|key`, so an answer to a
# notification we rejected must never turn into the hash of a notification we would accept:
# - only ids of this form are echoed, so a sender cannot slip `|` and further "fields" in;
# - a notification is read only from leaf elements, exactly the values the hash covers
#   (mixed content is refused), so the hash of an answer could only validate a document
#   whose leaves are those ids and CONFIRMED/NOTCONFIRMED - and such a document has no
#   amount, which always holds a dot.
ORDER_ID = re.compile(r"[0-9A-Za-z]{1,32}")


def validity_time(moment: datetime) -> str:
    """The gateway's ValidityTime: Polish local time, `YYYY-MM-DD hh:mm:ss`."""
    return to_warsaw(moment).strftime("%Y-%m-%d %H:%M:%S")


def signature(values: list[str], key: str) -> str:
    """sha256 hex of the non-empty values joined with "|", then "|" and the key.

    A value holding "|" is never signed: the start form, the notification and our answers
    share this key, and a "|" inside one value would let its signature be read as the hash
    of a message with other fields (e.g. a start form's e-mail `success|a@x.pl` becoming a
    notification's paymentStatus)."""
    if any(SEPARATOR in value for value in values):
        raise ValueError("a value to be signed holds the separator")
    joined = SEPARATOR.join([*(v for v in values if v != ""), key])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def same_hash(given: str, expected: str) -> bool:
    """Compare hashes in constant time (case-insensitively)."""
    return hmac.compare_digest(given.strip().lower().encode(), expected.lower().encode())


def _too_deep(root: Element, limit: int = MAX_DEPTH) -> bool:
    """True if any element lies more than `limit` levels below `root` (walked iteratively)."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


def _leaves(element: Element) -> list[str]:
    """Every non-empty leaf text below `element`, in document order (walked iteratively)."""
    values: list[str] = []
    for node in element.iter():
        if len(node) == 0:
            text = (node.text or "").strip()
            if text:
                values.append(text)
    return values


def _has_mixed_content(element: Element) -> bool:
    """True if any element below `element` (itself included) has both children and text,
    or text after a child: text the hash (leaves only) would not cover."""
    for node in element.iter():
        if len(node) and (node.text or "").strip():
            return True
        if any((child.tail or "").strip() for child in node):
            return True
    return False


def _text(element: Element, tag: str) -> str | None:
    """The text of the direct child `tag`, only if that child is a leaf (what was hashed)."""
    found = element.find(tag)
    if found is None or len(found) or not found.text:
        return None
    return found.text.strip() or None


def _amount(raw: str | None) -> int:
    """Grosze of an ITN amount written exactly as the protocol says ("123.45")."""
    if raw is None or not ITN_AMOUNT.fullmatch(raw):
        raise ValueError("amount is not digits, a dot and two decimals")
    whole, fraction = raw.split(".")
    return int(whole) * 100 + int(fraction)


def _payment_date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


class BlueMedia:
    """The Blue Media provider for one service (ServiceID and shared key)."""

    name = "bluemedia"

    def __init__(self, service_id: str, shared_key: str, gateway_url: str) -> None:
        """A provider for `service_id` signing with `shared_key`, sending to `gateway_url`."""
        self.service_id = service_id
        self.shared_key = shared_key
        self.gateway_url = gateway_url

    def start(self, request: StartRequest) -> Redirect:
        """The signed form for the customer's browser."""
        email = request.customer_email or ""
        values = {
            "ServiceID": self.service_id,
            "OrderID": request.order_id,
            "Amount": format_grosze(request.amount),
            "Description": request.description[:MAX_DESCRIPTION],
            "GatewayID": "",
            "Currency": "PLN",
            # Left out rather than cut (a cut address is a wrong one) or signed with a "|".
            "CustomerEmail": email if len(email) <= MAX_EMAIL and SEPARATOR not in email else "",
            "ValidityTime": validity_time(request.valid_until) if request.valid_until else "",
        }
        fields = [(name, values[name]) for name in START_FIELDS if values[name] != ""]
        fields.append(("Hash", signature([value for _, value in fields], self.shared_key)))
        return Redirect(url=self.gateway_url, fields=fields)

    def decode(self, body: bytes, content_type: str) -> Element:
        """The ITN XML document of a form-encoded body (hardened parser, bounded depth)."""
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise InvalidNotification("malformed", "notification too large")
        if "application/x-www-form-urlencoded" not in content_type.lower():
            raise InvalidNotification("malformed", "not a form")
        try:
            form = parse_qs(body.decode("ascii"), strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise InvalidNotification("malformed", "not ASCII") from exc
        encoded = (form.get("transactions") or [""])[0]
        if not encoded:
            raise InvalidNotification("malformed", "no transactions field")
        try:
            raw = base64.b64decode(encoded.replace(" ", "+"), validate=True)
            document = SafeElementTree.fromstring(
                raw.decode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidNotification("malformed", "bad base64 or XML") from exc
        except (DefusedXmlException, SafeElementTree.ParseError) as exc:
            raise InvalidNotification("malformed", "unsafe or malformed XML") from exc
        if _too_deep(document):
            raise InvalidNotification("malformed", "nested too deeply")
        return document

    def parse_notification(self, body: bytes, content_type: str) -> Notification:
        """Verify the ITN's service and hash, then read its transactions."""
        document = self.decode(body, content_type)
        named = [
            order_id
            for item in document.iter("transaction")
            if (order_id := _text(item, "orderID")) and ORDER_ID.fullmatch(order_id)
        ]
        service_id = _text(document, "serviceID") or ""
        transactions = document.find("transactions")
        given = _text(document, "hash") or ""
        if transactions is None or not service_id:
            raise InvalidNotification("malformed", "incomplete notification", named)
        if _has_mixed_content(document):
            # Text beside child elements is not covered by the hash: nothing here may be read.
            raise InvalidNotification("malformed", "mixed content", named)
        if service_id != self.service_id:
            raise InvalidNotification("other_service", "another service", named)
        leaves = _leaves(transactions)
        if any(SEPARATOR in value for value in leaves):
            # A "|" inside a value makes the joined string ambiguous (see `signature`).
            raise InvalidNotification("malformed", "separator in a value", named)
        expected = signature([service_id, *leaves], self.shared_key)
        if not same_hash(given, expected):
            raise InvalidNotification("bad_hash", "bad hash", named)
        parsed = []
        for item in transactions.findall("transaction"):
            if any(len(item.findall(name)) != 1 for name in SINGLE_FIELDS):
                raise InvalidNotification("malformed", "a required field missing or twice", named)
            if not ORDER_ID.fullmatch(_text(item, "orderID") or ""):
                raise InvalidNotification("malformed", "orderID not ours", named)
            if _text(item, "paymentStatus") not in STATUSES:
                raise InvalidNotification("malformed", "unknown paymentStatus", named)
            try:
                amount = _amount(_text(item, "amount"))
            except ValueError as exc:
                raise InvalidNotification("bad_amount", str(exc), named) from exc
            parsed.append(
                Transaction(
                    order_id=_text(item, "orderID") or "",
                    remote_id=_text(item, "remoteID") or "",
                    amount=amount,
                    currency=_text(item, "currency") or "",
                    status=_text(item, "paymentStatus") or "",
                    gateway_id=_text(item, "gatewayID"),
                    payment_date=_payment_date(_text(item, "paymentDate")),
                    status_details=_text(item, "paymentStatusDetails"),
                )
            )
        if not parsed:
            raise InvalidNotification("malformed", "no transaction", named)
        return Notification(service_id=service_id, transactions=parsed)

    def acknowledge(self, confirmations: list[tuple[str, bool]]) -> bytes:
        """The signed confirmationList of this service."""
        root = Element("confirmationList")
        SubElement(root, "serviceID").text = self.service_id
        listing = SubElement(root, "transactionsConfirmations")
        values = [self.service_id]
        for order_id, confirmed in confirmations:
            entry = SubElement(listing, "transactionConfirmed")
            SubElement(entry, "orderID").text = order_id
            word = CONFIRMED if confirmed else NOT_CONFIRMED
            SubElement(entry, "confirmation").text = word
            values += [order_id, word]
        SubElement(root, "hash").text = signature(values, self.shared_key)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")

    def notification_body(self, transactions: list[dict[str, str]]) -> bytes:
        """A signed ITN as the gateway sends it (the local fake gateway and tests)."""
        root = Element("transactionList")
        SubElement(root, "serviceID").text = self.service_id
        listing = SubElement(root, "transactions")
        values = [self.service_id]
        for transaction in transactions:
            entry = SubElement(listing, "transaction")
            for name, value in transaction.items():
                SubElement(entry, name).text = value
                if value:
                    values.append(value)
        SubElement(root, "hash").text = signature(values, self.shared_key)
        xml = b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(root, encoding="utf-8")
        return b"transactions=" + quote(base64.b64encode(xml).decode("ascii"), safe="").encode()

    def return_hash(self, order_id: str) -> str:
        """The Hash of the browser return for `order_id`."""
        return signature([self.service_id, order_id], self.shared_key)

    def verify_return(self, params: dict[str, str]) -> str:
        """The order id of a browser return whose Hash holds."""
        order_id = params.get("OrderID", "")
        if params.get("ServiceID") != self.service_id or not ORDER_ID.fullmatch(order_id):
            raise InvalidNotification("other_service", "another service or not our order id")
        if not same_hash(params.get("Hash", ""), self.return_hash(order_id)):
            raise InvalidNotification("bad_hash", "bad hash")
        return order_id
