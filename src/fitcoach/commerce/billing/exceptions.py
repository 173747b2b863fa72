"""Why a subscription change or renewal is refused: each names the rule it broke."""

from __future__ import annotations

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class SubscriptionNotFound(NotFound):
    message = "Subscription not found"


class SubscriptionNotChangeable(Conflict):
    message = "Only an active paid subscription can be changed"


class ChangePending(Conflict):
    message = (
        "This subscription already has a change under way (scheduled, or an upgrade awaiting "
        "authentication); withdraw it (or resume a pause) before another"
    )


class EffectiveDateInPast(Unprocessable):
    message = "effectiveDate must be today or later in your time zone"


class EffectiveDateAfterPeriodEnd(Unprocessable):
    message = "effectiveDate must fall within the current period"


class TargetProductRequired(Unprocessable):
    message = "targetProductId is required to upgrade or downgrade"


class SameProduct(Conflict):
    message = "The subscription is already on this product"


class CurrencyMismatch(Conflict):
    message = "The target product is sold in another currency than the current one"


class NotAnUpgrade(Conflict):
    message = "The target product costs less per day than the current one: downgrade instead"


class NotADowngrade(Conflict):
    message = "The target product costs more per day than the current one: upgrade instead"


class PaymentMethodRequired(Unprocessable):
    message = "No saved payment method: send paymentMethodId"


class PauseDaysRequired(Unprocessable):
    message = "pauseDays is required to pause"


class PauseLengthOutOfRange(Unprocessable):
    message = "The pause is shorter or longer than the business allows"


class PauseNoticeTooShort(Unprocessable):
    message = "The pause starts too soon: it must be requested further ahead"


class PauseLimitReached(Conflict):
    message = "This subscription has used every pause allowed this year"


class NothingToResume(Conflict):
    message = "This subscription has no pause to resume from"


class NothingToWithdraw(Conflict):
    message = (
        "This subscription has no scheduled downgrade, upgrade or cancel, nor an upgrade "
        "awaiting authentication, to withdraw"
    )


class AlreadyCanceled(Conflict):
    message = "This subscription is already canceled"


class EffectiveDateRequired(Unprocessable):
    message = "effectiveDate is required to pause: the day the pause starts"


class SavedMethodRequired(Unprocessable):
    message = (
        "A scheduled upgrade is charged on its day with one of your saved payment methods: "
        "save one first (or leave paymentMethodId out for the newest), or upgrade today"
    )


class CancelDateNotAllowed(Unprocessable):
    message = (
        "A cancel takes effect at the period end, or now with immediately=true: leave "
        "effectiveDate out"
    )


class PeriodEndsToday(Conflict):
    message = "The current period ends today: change the subscription after it renews"


class ChangeNotFound(NotFound):
    message = "Subscription change not found"


class ChangeNotAwaitingAuthentication(Conflict):
    message = (
        "This change awaits no authentication: it was withdrawn, its payment failed or its "
        "period ended, or it is not an upgrade"
    )


class UpgradeExpired(Conflict):
    message = (
        "The period this upgrade was priced for has ended, so it can no longer be completed: "
        "upgrade again"
    )
