from __future__ import annotations

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class PromoCodeNotFound(NotFound):
    message = "Promo code not found"


class PromoCodeTaken(Conflict):
    message = "A promo code with this code exists already"


class PromoCodeRedeemed(Conflict):
    message = "This promo code has been redeemed: deactivate it instead of deleting it"


class PromoCodeUnknown(Unprocessable):
    message = "This promo code does not exist"


class PromoCodeInactive(Unprocessable):
    message = "This promo code is not active"


class PromoCodeNotYetValid(Unprocessable):
    message = "This promo code is not valid yet"


class PromoCodeExpired(Unprocessable):
    message = "This promo code has expired"


class PromoCodeNotForProduct(Unprocessable):
    message = "This promo code does not apply to this product (or to a session's place)"


class PromoCodeCurrencyMismatch(Unprocessable):
    message = "This promo code is in another currency than the product"


class PromoCodeFirstOrderOnly(Unprocessable):
    message = "This promo code is for a customer's first order only"


class PromoCodeCustomerLimitReached(Conflict):
    message = "You have used this promo code as often as it allows"


class PromoCodeExhausted(Conflict):
    message = "This promo code has been used up; nothing was charged. Order again without it"


class PromoValidityWindow(Unprocessable):
    message = "validFrom must be before validTo"
