"""Tables and API schemas, one module per entity; importing this package registers every table."""

from app.models.access import ApiKey, AuditEvent, EnrolmentCode
from app.models.application import Application, ApplicationEvent, ApplicationGroup
from app.models.employer import Employer
from app.models.family import Family
from app.models.idempotency import IdempotencyRecord
from app.models.notification import HeldPush, Notification, OutboxEvent, PushLedger
from app.models.placement import CheckIn, Placement
from app.models.region import Pairing, Region
from app.models.seeker import Seeker
from app.models.station import ResponsiblePerson, Station
from app.models.subsidy import SubsidyRule
from app.models.transport import TransportBatch, TransportPassenger
from app.models.vacancy import Vacancy
from app.models.webhook import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiKey",
    "Application",
    "ApplicationEvent",
    "ApplicationGroup",
    "AuditEvent",
    "CheckIn",
    "Employer",
    "EnrolmentCode",
    "Family",
    "HeldPush",
    "IdempotencyRecord",
    "Notification",
    "OutboxEvent",
    "Pairing",
    "Placement",
    "PushLedger",
    "Region",
    "ResponsiblePerson",
    "Seeker",
    "Station",
    "SubsidyRule",
    "TransportBatch",
    "TransportPassenger",
    "Vacancy",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
