"""SQLAlchemy tables, one module per aggregate; importing this package registers them all."""

from fitcoach.models.analytics import FinanceExport
from fitcoach.models.audit import AuditEntry
from fitcoach.models.auth import AuthSession, LoginSource, OtpCode, RefreshToken
from fitcoach.models.automation import Automation, AutomationRun, CoachTask, CustomerTag
from fitcoach.models.catalog import (
    CoachRatingTotals,
    Product,
    ProductAddon,
    ProductGoal,
    ProductReview,
)
from fitcoach.models.commerce import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    Payment,
    PaymentCustomer,
    PaymentMethod,
    PaymentWebhookEvent,
    PromoCode,
    PromoRedemption,
    Refund,
)
from fitcoach.models.community import (
    Community,
    CommunityComment,
    CommunityMember,
    CommunityPost,
    CommunityReaction,
    CommunityReport,
)
from fitcoach.models.customer import CoachAssignment, CustomerProfile, CustomerRiskFlag
from fitcoach.models.idempotency import IdempotencyKey
from fitcoach.models.identity import (
    EmailVerificationCode,
    MfaChallenge,
    MfaRecoveryCode,
    MfaTotp,
    UserIdentity,
)
from fitcoach.models.integrations import (
    ApiKey,
    WearableConnection,
    WearableDelivery,
    WearableMetric,
)
from fitcoach.models.messaging import Attachment, Message, MessageThread, ThreadParticipant
from fitcoach.models.notification import (
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from fitcoach.models.onboarding import OnboardingIntake, Questionnaire
from fitcoach.models.plan import Plan, PlanItem
from fitcoach.models.scheduling import (
    CalendarFeedToken,
    CoachAvailability,
    EntitlementEntry,
    ScheduledSession,
    SessionBooking,
    WaitlistEntry,
)
from fitcoach.models.setting import Setting
from fitcoach.models.stream import StreamEvent, StreamTicket
from fitcoach.models.subscription import Subscription, SubscriptionChange
from fitcoach.models.support import SupportAgent, SupportReply, SupportTicket
from fitcoach.models.training import (
    BadgeDefinition,
    CustomerBadge,
    Exercise,
    ExerciseTag,
    Habit,
    ItemLog,
    ItemSubstitution,
    PlanAssignment,
    PlanSchedule,
    ProgressEntry,
    Streak,
    StreakFreezeGrant,
    TrainingDay,
)
from fitcoach.models.user import Actor, User, UserRole
from fitcoach.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookSubscription
from fitcoach.models.worker import Job, OutboxEvent, ProcessedEvent, WorkerHeartbeat

__all__ = [
    "Actor",
    "ApiKey",
    "Attachment",
    "AuditEntry",
    "AuthSession",
    "Automation",
    "AutomationRun",
    "BadgeDefinition",
    "CalendarFeedToken",
    "CoachAssignment",
    "CoachAvailability",
    "CoachRatingTotals",
    "CoachTask",
    "Community",
    "CommunityComment",
    "CommunityMember",
    "CommunityPost",
    "CommunityReaction",
    "CommunityReport",
    "CustomerBadge",
    "CustomerProfile",
    "CustomerRiskFlag",
    "CustomerTag",
    "Delivery",
    "Device",
    "EmailVerificationCode",
    "EntitlementEntry",
    "Exercise",
    "ExerciseTag",
    "FinanceExport",
    "Habit",
    "IdempotencyKey",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "ItemLog",
    "ItemSubstitution",
    "Job",
    "LoginSource",
    "Message",
    "MessageThread",
    "MfaChallenge",
    "MfaRecoveryCode",
    "MfaTotp",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "OnboardingIntake",
    "Order",
    "OtpCode",
    "OutboxEvent",
    "Payment",
    "PaymentCustomer",
    "PaymentMethod",
    "PaymentWebhookEvent",
    "Plan",
    "PlanAssignment",
    "PlanItem",
    "PlanSchedule",
    "ProcessedEvent",
    "Product",
    "ProductAddon",
    "ProductGoal",
    "ProductReview",
    "ProgressEntry",
    "PromoCode",
    "PromoRedemption",
    "Questionnaire",
    "RefreshToken",
    "Refund",
    "ScheduledSession",
    "SessionBooking",
    "Setting",
    "Streak",
    "StreakFreezeGrant",
    "StreamEvent",
    "StreamTicket",
    "Subscription",
    "SubscriptionChange",
    "SupportAgent",
    "SupportReply",
    "SupportTicket",
    "ThreadParticipant",
    "TrainingDay",
    "User",
    "UserIdentity",
    "UserRole",
    "WaitlistEntry",
    "WearableConnection",
    "WearableDelivery",
    "WearableMetric",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSubscription",
    "WorkerHeartbeat",
]
