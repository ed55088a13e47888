"""Domain exceptions. Each carries its HTTP status; they map to responses in one place
(`chalicelib.http.responses.error_response`)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a customer or client may see; `message` is Polish."""

    status = 400
    code = "bad_request"
    message = "Nieprawidłowe żądanie."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    """The request is well formed but its values break a rule."""

    status = 400
    code = "invalid_input"
    message = "Popraw zaznaczone pola."


class Unauthorized(DomainError):
    """No valid session."""

    status = 401
    code = "unauthorized"
    message = "Zaloguj się, aby kontynuować."


class LoginFailed(DomainError):
    """Login failed; one body for every reason."""

    status = 401
    code = "login_failed"
    message = "Nieprawidłowy login lub hasło."


class SecondFactorRequired(DomainError):
    """A staff session whose TOTP code has not been given yet."""

    status = 401
    code = "second_factor_required"
    message = "Podaj kod z aplikacji uwierzytelniającej, aby dokończyć logowanie."


class Forbidden(DomainError):
    """Authenticated but not allowed (role, CSRF)."""

    status = 403
    code = "forbidden"
    message = "Brak uprawnień do tej operacji."


class TermsNotAccepted(Forbidden):
    """A customer who has not accepted the terms version in effect (the terms gate)."""

    code = "terms_not_accepted"
    message = (
        "Obowiązuje nowa wersja regulaminu. Zapoznaj się z nią i zaakceptuj ją, "
        "aby dalej korzystać z IBOK."
    )


class SecondFactorLocked(DomainError):
    """A staff account's second factor, locked after too many failed codes until an
    operator issues a new secret."""

    status = 403
    code = "second_factor_locked"
    message = (
        "Logowanie kodem na tym koncie zostało zablokowane po zbyt wielu błędnych kodach. "
        "Skontaktuj się z administratorem, aby otrzymać nowy klucz do aplikacji."
    )


class NotFound(DomainError):
    """No such object for this customer (another customer's object included)."""

    status = 404
    code = "not_found"
    message = "Nie znaleziono."


class Conflict(DomainError):
    """The change conflicts with the current state."""

    status = 409
    code = "conflict"
    message = "Operacja koliduje z aktualnym stanem."


class PaymentInProgress(Conflict):
    """An open online payment already pays an invoice asked for; `fields.order_id` names it."""

    code = "payment_in_progress"
    message = "Ta faktura ma już rozpoczętą płatność."

    def __init__(self, order_id: str, message: str | None = None) -> None:
        super().__init__(message, fields={"order_id": order_id})
        self.order_id = order_id


class Throttled(DomainError):
    """Too many attempts; `retry_after` seconds until the next one may pass."""

    status = 429
    code = "too_many_requests"
    message = "Zbyt wiele prób. Spróbuj ponownie za chwilę."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, headers={"Retry-After": str(self.retry_after)})


class InternalError(DomainError):
    """Something on our side (a secret, a provider's configuration) failed: a clean 500 in
    the error shape, without a stack trace; the caller may try again."""

    status = 500
    code = "internal_error"
    message = "Wystąpił błąd po naszej stronie. Spróbuj ponownie później."


class QueuedWorkFailed(Exception):
    """A queued message could not be handled now. Raised from a queue consumer so that SQS
    retries the message (and in the end moves it to the dead-letter queue); it carries no
    personal data, because the Lambda runtime logs it unmasked. The cause is logged, masked,
    where it happened."""
