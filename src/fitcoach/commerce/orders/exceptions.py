from __future__ import annotations

from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class OrderNotFound(NotFound):
    message = "Order not found"


class ProductNotForSale(Conflict):
    message = "This product is not published, so it cannot be bought"


class AddonNotOfProduct(Unprocessable):
    message = "Every add-on must be one of the product's add-ons"


class OrderNotPayable(Conflict):
    message = "This order can no longer be paid"


class OnlyTheBuyerPays(Forbidden):
    message = "Only the customer who placed the order can pay for it"


class OrderNotPaid(Conflict):
    message = "This order has not been paid"


class OrderPaysSubscriptionChange(Conflict):
    message = (
        "This order pays a subscription change: confirm it with "
        "POST /subscriptions/{subscriptionId}/changes/{changeId}/confirm"
    )
