"""`endpoint`: the one way routes are declared. It parses the body into a pydantic model,
authenticates (unless public), admits only the roles the route names (deny by default: a
route that names none is a customer route), maps domain errors to responses, shapes the
reply, and records what the OpenAPI document says about the route.

It is also the terms gate: a customer whose session carries a terms version other than the
one in effect gets 403 `terms_not_accepted` from every customer route but those declared
`before_terms` (the account itself, /me…, and logout). See services/terms.py for why
the gate costs no round trip."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, ChaliceViewError, Response

from chalicelib import safe_json
from chalicelib.domain.errors import (
    DomainError,
    Forbidden,
    InternalError,
    InvalidInput,
    SecondFactorRequired,
    TermsNotAccepted,
)
from chalicelib.domain.roles import CUSTOMER, EVERY_ROLE
from chalicelib.domain.terms import must_accept
from chalicelib.http.auth import Principal, authenticate
from chalicelib.http.client_address import client_address
from chalicelib.http.cors import route_cors
from chalicelib.http.responses import error_response, json_response
from chalicelib.http.validation import field_messages
from chalicelib.lazy import lazy_module, resolve
from chalicelib.logs import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

pydantic = lazy_module("pydantic")
terms = lazy_module("chalicelib.services.terms")


MAX_BODY_BYTES = 64 * 1024
MAX_BODY_DEPTH = 32  # nested arrays and objects; our bodies need 3
TOO_DEEP = f"Treść żądania jest zbyt głęboko zagnieżdżona (najwyżej {MAX_BODY_DEPTH} poziomy)."


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route."""

    summary: str
    body_ref: type[BaseModel] | str | None
    returns_ref: type[BaseModel] | str | None
    status: int
    public: bool
    errors: tuple[int, ...]
    tags: tuple[str, ...]
    query_ref: type[BaseModel] | str | None = None
    roles: frozenset[str] = frozenset()  # who may call it; empty only on public routes
    form_fields: tuple[tuple[str, str], ...] = ()  # a form body: (name, description)
    produces: str = "application/json"
    # Admits a staff session still waiting for its TOTP code (giving the code, logging out).
    before_second_factor: bool = False
    # Admits a customer who has not accepted the terms version in effect (the terms gate).
    before_terms: bool = False

    @property
    def body(self) -> type[BaseModel] | None:
        """The request body model."""
        return resolve(self.body_ref)

    @property
    def returns(self) -> type[BaseModel] | None:
        """The response body model."""
        return resolve(self.returns_ref)

    @property
    def query(self) -> type[BaseModel] | None:
        """The query parameters model."""
        return resolve(self.query_ref)


@dataclass
class Reply:
    """A reply with a status or headers other than the route's default."""

    body: BaseModel | dict[str, Any] | None
    status: int = 200
    headers: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiRequest:
    """What a view gets: the parsed body, the caller and the raw request."""

    raw: Any
    body: Any
    query: Any
    principal: Principal | None

    @functools.cached_property
    def ip(self) -> str:
        """The caller's address: the viewer's for a request CloudFront forwarded, else the
        source API Gateway saw (chalicelib/http/client_address.py)."""
        identity = (self.raw.context or {}).get("identity") or {}
        return client_address(self.raw.headers, str(identity.get("sourceIp") or "unknown"))

    @property
    def user_agent(self) -> str:
        """The caller's User-Agent, shortened."""
        return (self.raw.headers.get("user-agent") or "")[:300]

    @property
    def user(self) -> Principal:
        """The authenticated caller (routes that are not public)."""
        assert self.principal is not None
        return self.principal


def parse_body(request: Any, model: type[BaseModel]) -> BaseModel:
    """Parse the JSON body into `model`; InvalidInput with Polish field messages otherwise."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInput("Treść żądania jest za duża.")
    try:
        data = safe_json.loads(raw, max_depth=MAX_BODY_DEPTH) if raw else None
    except safe_json.TooDeep as exc:
        raise InvalidInput(TOO_DEEP) from exc
    except ValueError as exc:  # not UTF-8, not JSON, a number too long to convert
        raise InvalidInput("Treść żądania nie jest poprawnym JSON-em.") from exc
    if not isinstance(data, dict):
        raise InvalidInput("Treść żądania musi być obiektem JSON.")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInput(fields=field_messages(exc)) from exc


def parse_query(request: Any, model: type[BaseModel]) -> BaseModel:
    """Parse query parameters into `model`."""
    try:
        return model.model_validate(dict(request.query_params or {}))
    except pydantic.ValidationError as exc:
        raise InvalidInput(fields=field_messages(exc)) from exc


def _shape(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    headers: dict[str, str | list[str]] = {}
    if isinstance(result, Reply):
        status, headers, result = result.status, result.headers, result.body
    if result is None:
        return Response(body="", status_code=204 if status == 200 else status, headers=headers)
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    return json_response(result, status=status, headers=headers)


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str = "GET",
    *,
    summary: str,
    body: type[BaseModel] | str | None = None,
    query: type[BaseModel] | str | None = None,
    returns: type[BaseModel] | str | None = None,
    status: int = 200,
    public: bool = False,
    errors: Iterable[int] = (),
    tags: Iterable[str] = (),
    roles: Iterable[str] | None = None,
    content_types: Iterable[str] = (),
    form_fields: Iterable[tuple[str, str]] = (),
    produces: str = "application/json",
    before_second_factor: bool = False,
    before_terms: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a JSON route on `blueprint` (see the module docstring)."""
    if public and roles is not None:
        raise ValueError(f"{method} {path}: a public route admits everyone, roles or not")
    allowed = frozenset() if public else frozenset((CUSTOMER,) if roles is None else roles)
    if not public and (not allowed or not allowed <= frozenset(EVERY_ROLE)):
        raise ValueError(f"{method} {path}: name the roles that may call it")
    operation = Operation(
        summary=summary,
        body_ref=body,
        returns_ref=returns,
        status=status,
        public=public,
        errors=tuple(errors),
        tags=tuple(tags) or (blueprint._import_name.rsplit(".", 1)[-1],),
        query_ref=query,
        form_fields=tuple(form_fields),
        produces=produces,
        roles=allowed,
        before_second_factor=before_second_factor,
        before_terms=before_terms,
    )
    gated = CUSTOMER in allowed and not before_terms
    accepted = list(content_types) or (["application/json"] if body is not None else None)

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handler(**path_params: str) -> Response:
            request = blueprint.current_request
            try:
                # The terms in effect are fetched (if this container's copy is stale) beside
                # the session's write, not after it.
                terms_in_effect = terms.copy_reader() if gated else None
                principal = None if public else authenticate(request)
                if principal is not None and principal.role not in allowed:
                    raise Forbidden("Brak uprawnień do tej operacji.")
                if (
                    principal is not None
                    and principal.second_factor_pending
                    and not before_second_factor
                ):
                    raise SecondFactorRequired()
                if (
                    terms_in_effect is not None
                    and principal is not None
                    and principal.role == CUSTOMER
                    and must_accept(principal.terms_version, terms_in_effect())
                ):
                    raise TermsNotAccepted()
                parsed = parse_body(request, operation.body) if body is not None else None
                parsed_query = parse_query(request, operation.query) if query is not None else None
                api_request = ApiRequest(request, parsed, parsed_query, principal)
                return _shape(view(api_request, **path_params), status)
            except DomainError as exc:
                if exc.status >= 500:  # ours to look into: what caused it goes to the log
                    cause = exc.__cause__
                    logger.warning(
                        "server_side_error",
                        extra={
                            "route": path,
                            "method": method,
                            "code": exc.code,
                            "cause": f"{type(cause).__name__}: {cause}"[:300] if cause else None,
                        },
                    )
                return error_response(exc)
            except ChaliceViewError:
                raise
            except Exception:
                # The details go to the structured log, with the request id; the caller gets
                # the generic internal error, whose body names the same id.
                logger.exception("unhandled_error", extra={"route": path, "method": method})
                return error_response(InternalError())

        handler.__openapi__ = operation  # type: ignore[attr-defined]
        options: dict[str, Any] = {"methods": [method], "cors": route_cors()}
        if accepted:
            options["content_types"] = accepted
        blueprint.route(path, **options)(handler)
        return handler

    return register
