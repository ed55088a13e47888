"""Blue Media (Autopay) online payments: the start form, the ITN notification and its
confirmation, and the browser return — following the gateway's public protocol.

- Start: fields ServiceID, OrderID, Amount ("1.20"), Description, GatewayID, Currency,
  CustomerEmail, then Hash = sha256 hex of the non-empty values sent, in that order, joined
  with "|", then "|" and the shared key. GatewayID is omitted unless a channel is chosen.
- ITN: POST form field `transactions` = base64 of UTF-8 XML (a "+" may arrive as a space).
  Its hash is sha256 over serviceID, then every non-empty leaf value of `transactions` in
  document order (nested elements flattened), then the key. The document is walked
  generically, so new optional fields do not break the check.
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
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote
from xml.etree.ElementTree import Element, SubElement, tostring  # building only

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from chalicelib.money import format_grosze, parse_grosze
from chalicelib.payments.provider import (
    InvalidNotification,
    Notification,
    Redirect,
    StartRequest,
    Transaction,
)

MAX_NOTIFICATION_BYTES = 256 * 1024
START_FIELDS = (
    "ServiceID",
    "OrderID",
    "Amount",
    "Description",
    "GatewayID",
    "Currency",
    "CustomerEmail",
)
CONFIRMED, NOT_CONFIRMED = "CONFIRMED", "NOTCONFIRMED"


def signature(values: list[str], key: str) -> str:
    """sha256 hex of the non-empty values joined with "|", then "|" and the key."""
    joined = "|".join([*(v for v in values if v != ""), key])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def same_hash(given: str, expected: str) -> bool:
    """Compare hashes in constant time (case-insensitively)."""
    return hmac.compare_digest(given.strip().lower().encode(), expected.lower().encode())


def _leaves(element: Element) -> list[str]:
    """Every non-empty leaf text below `element`, in document order."""
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return [text] if text else []
    values: list[str] = []
    for child in children:
        values.extend(_leaves(child))
    return values


def _text(element: Element, tag: str) -> str | None:
    found = element.find(tag)
    return found.text.strip() if found is not None and found.text else None


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
        self.service_id = service_id
        self.shared_key = shared_key
        self.gateway_url = gateway_url

    def start(self, request: StartRequest) -> Redirect:
        """The signed form for the customer's browser."""
        values = {
            "ServiceID": self.service_id,
            "OrderID": request.order_id,
            "Amount": format_grosze(request.amount),
            "Description": request.description[:79],
            "GatewayID": "",
            "Currency": "PLN",
            "CustomerEmail": (request.customer_email or "")[:60],
        }
        fields = [(name, values[name]) for name in START_FIELDS if values[name] != ""]
        fields.append(("Hash", signature([value for _, value in fields], self.shared_key)))
        return Redirect(url=self.gateway_url, fields=fields)

    def decode(self, body: bytes, content_type: str) -> Element:
        """The ITN XML document of a form-encoded body (hardened parser)."""
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise InvalidNotification("notification too large")
        if "application/x-www-form-urlencoded" not in content_type.lower():
            raise InvalidNotification("not a form")
        try:
            form = parse_qs(body.decode("ascii"), strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise InvalidNotification("not ASCII") from exc
        encoded = (form.get("transactions") or [""])[0]
        if not encoded:
            raise InvalidNotification("no transactions field")
        try:
            raw = base64.b64decode(encoded.replace(" ", "+"), validate=True)
            return SafeElementTree.fromstring(
                raw.decode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise InvalidNotification("bad base64 or XML") from exc
        except (DefusedXmlException, SafeElementTree.ParseError) as exc:
            raise InvalidNotification("unsafe or malformed XML") from exc

    def parse_notification(self, body: bytes, content_type: str) -> Notification:
        """Verify the ITN's service and hash, then read its transactions."""
        document = self.decode(body, content_type)
        service_id = _text(document, "serviceID") or ""
        transactions = document.find("transactions")
        given = _text(document, "hash") or ""
        if transactions is None or not service_id:
            raise InvalidNotification("incomplete notification")
        if service_id != self.service_id:
            raise InvalidNotification("another service")
        expected = signature([service_id, *_leaves(transactions)], self.shared_key)
        if not same_hash(given, expected):
            raise InvalidNotification("bad hash")
        parsed = []
        for item in transactions.findall("transaction"):
            try:
                amount = parse_grosze(_text(item, "amount") or "")
            except ValueError as exc:
                raise InvalidNotification("bad amount") from exc
            parsed.append(
                Transaction(
                    order_id=_text(item, "orderID") or "",
                    remote_id=_text(item, "remoteID") or "",
                    amount=amount,
                    currency=_text(item, "currency") or "",
                    status=(_text(item, "paymentStatus") or "").upper(),
                    gateway_id=_text(item, "gatewayID"),
                    payment_date=_payment_date(_text(item, "paymentDate")),
                    status_details=_text(item, "paymentStatusDetails"),
                )
            )
        if not parsed:
            raise InvalidNotification("no transaction")
        return Notification(service_id=service_id, transactions=parsed)

    def order_ids(self, body: bytes, content_type: str) -> list[str]:
        """The order ids of a notification that cannot be trusted (to answer NOTCONFIRMED)."""
        try:
            document = self.decode(body, content_type)
        except InvalidNotification:
            return []
        return [
            _text(item, "orderID") or ""
            for item in document.iter("transaction")
            if _text(item, "orderID")
        ]

    def acknowledge(self, service_id: str, confirmations: list[tuple[str, bool]]) -> bytes:
        """The signed confirmationList."""
        root = Element("confirmationList")
        SubElement(root, "serviceID").text = service_id
        listing = SubElement(root, "transactionsConfirmations")
        values = [service_id]
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
        if params.get("ServiceID") != self.service_id or not order_id:
            raise InvalidNotification("another service")
        if not same_hash(params.get("Hash", ""), self.return_hash(order_id)):
            raise InvalidNotification("bad hash")
        return order_id
