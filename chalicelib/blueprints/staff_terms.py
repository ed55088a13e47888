"""Terms of service versions (role `admin`, second factor given): the list, and publishing
a version with its effective date (audited, services/terms.py). From that date customers
must accept it before anything but their account answers (the terms gate)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import ADMIN
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
terms = lazy_module("chalicelib.services.terms")
schemas = lazy_module("chalicelib.schemas.terms")


@endpoint(
    bp,
    "/staff/terms",
    summary="Wersje regulaminu (od najpóźniej obowiązującej) i wersja obowiązująca teraz",
    returns="terms:StaffTermsList",
    errors=(401, 403),
    roles=(ADMIN,),
)
def staff_terms(_: ApiRequest) -> Any:
    versions = terms.staff_list()
    return schemas.StaffTermsList.from_result(
        versions, terms.in_effect_now(list(reversed(versions)))
    )


@endpoint(
    bp,
    "/staff/terms",
    "POST",
    summary="Publikacja nowej wersji regulaminu z datą wejścia w życie",
    body="terms:TermsVersionCreate",
    returns="terms:StaffTermsVersion",
    status=201,
    errors=(400, 401, 403, 409),
    roles=(ADMIN,),
)
def publish_terms(req: ApiRequest) -> Any:
    body = req.body
    new = terms.NewVersion(
        version=body.version, title=body.title, text=body.text, effective_from=body.effective_from
    )
    return schemas.StaffTermsVersion.from_result(terms.publish(req.user.login, new))
