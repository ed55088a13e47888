"""Runtime configuration, read from environment variables set per stage."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _str(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class Settings:
    """Everything the Lambdas read from their environment (see README, Configuration)."""

    stage: str
    region: str
    aws_endpoint: str | None
    accounts_table: str
    billing_table: str
    service_table: str
    audit_table: str
    data_bucket: str
    mail_sender: str
    mail_sender_name: str
    public_url: str
    cors_origin: str
    pepper_parameter: str
    bcrypt_cost: int
    password_min_length: int
    session_idle_minutes: int
    staff_session_idle_minutes: int
    announcement_copy_seconds: int
    terms_copy_seconds: int
    session_absolute_hours: int
    activation_days: int
    reset_minutes: int
    email_change_hours: int
    login_window_seconds: int
    login_max_failures_per_login_source: int
    login_max_failures_per_source: int
    login_max_failures_per_login: int
    login_slowdown_seconds: int
    device_trust_days: int
    login_history_days: int
    register_window_seconds: int
    register_max_per_source: int
    register_max_failed_proofs_per_customer: int
    reset_max_per_source: int
    reset_queue: str
    import_queue: str
    ticket_upload_queue: str
    job_queue: str  # the scheduled jobs' fan-out (docs/jobs.md)
    job_items_per_message: int  # customers per queued message
    job_work_batch_size: int  # messages per invocation of the `job_work` consumer
    job_work_concurrency: int  # the consumer's reserved concurrency (config.json)
    job_send_rate: int  # items a second, all consumers together (SES/SNS quota share)
    termination_days: int  # §7: from the notice to the closing of the account
    ticket_reopen_days: int
    tickets_per_customer_per_day: int
    staff_digest_email: str
    download_link_seconds: int
    reading_window: str
    invoice_reminder_days: int  # the reminder before the due date: this many days before
    reading_unusual_multiple: int
    reading_max_daily_litres: int
    bluemedia_gateway_url: str
    bluemedia_service_parameter: str
    bluemedia_key_parameter: str
    edge_secret_parameter: str | None  # CloudFront's origin secret; None where no edge is
    payment_min_grosze: int
    payment_max_grosze: int
    payment_return_url: str
    payment_hold_minutes: int
    local_outbox_dir: str | None
    mail_configuration_set: str
    mail_events_topic: str
    sms_sender_id: str
    sms_type: str
    notification_retention_days: int
    unsubscribe_link_days: int

    @property
    def is_local(self) -> bool:
        """True on the local stage (moto server, outbox, local pages)."""
        return self.stage == "local"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once per container; `get_settings.cache_clear()` in tests."""
    stage = _str("STAGE", "local")
    return Settings(
        stage=stage,
        region=_str("AWS_DEFAULT_REGION", "eu-central-1"),
        aws_endpoint=os.environ.get("AWS_ENDPOINT_URL") or None,
        accounts_table=_str("ACCOUNTS_TABLE", f"ibok-{stage}-accounts"),
        billing_table=_str("BILLING_TABLE", f"ibok-{stage}-billing"),
        service_table=_str("SERVICE_TABLE", f"ibok-{stage}-service"),
        audit_table=_str("AUDIT_TABLE", f"ibok-{stage}-audit"),
        data_bucket=_str("DATA_BUCKET", f"ibok-{stage}-data"),
        mail_sender=_str("MAIL_SENDER", "ibok@wodociagi.example"),
        mail_sender_name=_str("MAIL_SENDER_NAME", "IBOK Wodociągi"),
        public_url=_str("PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/"),
        cors_origin=_str("CORS_ORIGIN", "http://127.0.0.1:8000"),
        pepper_parameter=_str("PEPPER_PARAMETER", f"/ibok/{stage}/password-pepper"),
        bcrypt_cost=_int("BCRYPT_COST", 12),
        password_min_length=_int("PASSWORD_MIN_LENGTH", 12),
        session_idle_minutes=_int("SESSION_IDLE_MINUTES", 30),
        staff_session_idle_minutes=_int("STAFF_SESSION_IDLE_MINUTES", 15),
        announcement_copy_seconds=_int("ANNOUNCEMENT_COPY_SECONDS", 60),
        terms_copy_seconds=_int("TERMS_COPY_SECONDS", 60),
        session_absolute_hours=_int("SESSION_ABSOLUTE_HOURS", 12),
        activation_days=_int("ACTIVATION_DAYS", 7),
        reset_minutes=_int("RESET_MINUTES", 30),
        email_change_hours=_int("EMAIL_CHANGE_HOURS", 24),
        login_window_seconds=_int("LOGIN_WINDOW_SECONDS", 900),
        login_max_failures_per_login_source=_int("LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE", 5),
        login_max_failures_per_source=_int("LOGIN_MAX_FAILURES_PER_SOURCE", 30),
        login_max_failures_per_login=_int("LOGIN_MAX_FAILURES_PER_LOGIN", 10),
        login_slowdown_seconds=_int("LOGIN_SLOWDOWN_SECONDS", 30),
        device_trust_days=_int("DEVICE_TRUST_DAYS", 180),
        login_history_days=_int("LOGIN_HISTORY_DAYS", 180),
        register_window_seconds=_int("REGISTER_WINDOW_SECONDS", 3600),
        register_max_per_source=_int("REGISTER_MAX_PER_SOURCE", 20),
        register_max_failed_proofs_per_customer=_int("REGISTER_MAX_FAILED_PROOFS_PER_CUSTOMER", 5),
        reset_max_per_source=_int("RESET_MAX_PER_SOURCE", 20),
        reset_queue=_str("RESET_QUEUE", f"ibok-{stage}-reset-mail"),
        import_queue=_str("IMPORT_QUEUE", f"ibok-{stage}-imports.fifo"),
        ticket_upload_queue=_str("TICKET_UPLOAD_QUEUE", f"ibok-{stage}-ticket-uploads"),
        job_queue=_str("JOB_QUEUE", f"ibok-{stage}-job-work"),
        job_items_per_message=_int("JOB_ITEMS_PER_MESSAGE", 100),
        job_work_batch_size=_int("JOB_WORK_BATCH_SIZE", 1),
        job_work_concurrency=_int("JOB_WORK_CONCURRENCY", 2),
        job_send_rate=_int("JOB_SEND_RATE", 10),
        termination_days=_int("TERMINATION_DAYS", 14),
        ticket_reopen_days=_int("TICKET_REOPEN_DAYS", 14),
        tickets_per_customer_per_day=_int("TICKETS_PER_CUSTOMER_PER_DAY", 10),
        staff_digest_email=_str("STAFF_DIGEST_EMAIL", "bok@wodociagi.example"),
        download_link_seconds=_int("DOWNLOAD_LINK_SECONDS", 300),
        reading_window=_str("READING_WINDOW", ""),
        invoice_reminder_days=_int("INVOICE_REMINDER_DAYS", 3),
        reading_unusual_multiple=_int("READING_UNUSUAL_MULTIPLE", 3),
        reading_max_daily_litres=_int("READING_MAX_DAILY_LITRES", 5000),
        bluemedia_gateway_url=_str(
            "BLUEMEDIA_GATEWAY_URL", "http://127.0.0.1:8000/_local/bluemedia/payment"
        ),
        bluemedia_service_parameter=_str(
            "BLUEMEDIA_SERVICE_PARAMETER", f"/ibok/{stage}/bluemedia-service-id"
        ),
        bluemedia_key_parameter=_str("BLUEMEDIA_KEY_PARAMETER", f"/ibok/{stage}/bluemedia-key"),
        edge_secret_parameter=os.environ.get("EDGE_SECRET_PARAMETER") or None,
        payment_min_grosze=_int("PAYMENT_MIN_GROSZE", 1000),
        payment_max_grosze=_int("PAYMENT_MAX_GROSZE", 10_000_000),
        payment_return_url=_str("PAYMENT_RETURN_URL", ""),
        payment_hold_minutes=_int("PAYMENT_HOLD_MINUTES", 60),
        local_outbox_dir=os.environ.get("LOCAL_OUTBOX_DIR") or None,
        mail_configuration_set=_str("MAIL_CONFIGURATION_SET", f"ibok-{stage}-mail"),
        mail_events_topic=_str("MAIL_EVENTS_TOPIC", f"ibok-{stage}-mail-events"),
        sms_sender_id=_str("SMS_SENDER_ID", "WODOCIAGI"),
        sms_type=_str("SMS_TYPE", "Transactional"),
        notification_retention_days=_int("NOTIFICATION_RETENTION_DAYS", 365),
        unsubscribe_link_days=_int("UNSUBSCRIBE_LINK_DAYS", 90),
    )
