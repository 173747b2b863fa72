"""The ids a path carries, camelCase in the URL template like every name on the wire
(`/users/{userId}`), snake_case in Python."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path

UserIdPath = Annotated[uuid.UUID, Path(alias="userId", description="The user's id")]
PlanIdPath = Annotated[uuid.UUID, Path(alias="planId", description="The plan's id")]
ProductIdPath = Annotated[uuid.UUID, Path(alias="productId", description="The product's id")]
ReviewIdPath = Annotated[uuid.UUID, Path(alias="reviewId", description="The review's id")]
CustomerIdPath = Annotated[
    uuid.UUID, Path(alias="customerId", description="The customer's user id")
]
NotificationIdPath = Annotated[
    uuid.UUID, Path(alias="notificationId", description="The notification's id")
]
DeviceIdPath = Annotated[uuid.UUID, Path(alias="deviceId", description="The device's id")]
CoachIdPath = Annotated[uuid.UUID, Path(alias="coachId", description="The coach's user id")]
ExerciseIdPath = Annotated[uuid.UUID, Path(alias="exerciseId", description="The exercise's id")]
ItemIdPath = Annotated[uuid.UUID, Path(alias="itemId", description="The plan item's id")]
HabitIdPath = Annotated[uuid.UUID, Path(alias="habitId", description="The habit's id")]
SubstitutionIdPath = Annotated[
    uuid.UUID, Path(alias="substitutionId", description="The substitution's id")
]
JobIdPath = Annotated[uuid.UUID, Path(alias="jobId", description="The job's id")]
ApiKeyIdPath = Annotated[uuid.UUID, Path(alias="apiKeyId", description="The API key's id")]
AutomationIdPath = Annotated[
    uuid.UUID, Path(alias="automationId", description="The automation's id")
]
OrderIdPath = Annotated[uuid.UUID, Path(alias="orderId", description="The order's id")]
SubscriptionIdPath = Annotated[
    uuid.UUID, Path(alias="subscriptionId", description="The subscription's id")
]
ChangeIdPath = Annotated[
    uuid.UUID, Path(alias="changeId", description="The subscription change's id")
]
InvoiceIdPath = Annotated[uuid.UUID, Path(alias="invoiceId", description="The invoice's id")]
PaymentMethodIdPath = Annotated[
    uuid.UUID, Path(alias="paymentMethodId", description="The saved payment method's id")
]
PromoCodeIdPath = Annotated[uuid.UUID, Path(alias="promoCodeId", description="The promo code's id")]
ThreadIdPath = Annotated[uuid.UUID, Path(alias="threadId", description="The thread's id")]
MessageIdPath = Annotated[uuid.UUID, Path(alias="messageId", description="The message's id")]
AttachmentIdPath = Annotated[
    uuid.UUID, Path(alias="attachmentId", description="The attachment's id")
]
SessionIdPath = Annotated[uuid.UUID, Path(alias="sessionId", description="The session's id")]
CommunityIdPath = Annotated[uuid.UUID, Path(alias="communityId", description="The community's id")]
PostIdPath = Annotated[uuid.UUID, Path(alias="postId", description="The community post's id")]
WebhookIdPath = Annotated[
    uuid.UUID, Path(alias="webhookId", description="The webhook endpoint's id")
]
DeliveryIdPath = Annotated[
    uuid.UUID, Path(alias="deliveryId", description="The webhook delivery's id")
]
TaskIdPath = Annotated[uuid.UUID, Path(alias="taskId", description="The coach task's id")]
ExportIdPath = Annotated[uuid.UUID, Path(alias="exportId", description="The export's id")]
