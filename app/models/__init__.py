"""Tables and API schemas, one module per entity; importing this package registers every table."""

from app.models.access import ApiKey, AuditEvent, EnrolmentCode
from app.models.employer import Employer
from app.models.family import Family
from app.models.notification import HeldPush, Notification, OutboxEvent, PushLedger
from app.models.region import Pairing, Region
from app.models.seeker import Seeker
from app.models.station import ResponsiblePerson, Station
from app.models.vacancy import Vacancy
from app.models.webhook import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Employer",
    "EnrolmentCode",
    "Family",
    "HeldPush",
    "Notification",
    "OutboxEvent",
    "PushLedger",
    "Pairing",
    "Region",
    "ResponsiblePerson",
    "Seeker",
    "Station",
    "Vacancy",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
