from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backcare import policy
from backcare.policy import Action


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the top navigation may offer this person."""
    user = request.user
    return {
        "nav": {
            "staff": policy.can(user, Action.STAFF_HOME),
            "client": policy.can(user, Action.CLIENT_HOME),
            "clients": policy.can(user, Action.CLIENT_LIST),
            "places": policy.can(user, Action.PLACES_VIEW),
            "audit": policy.can(user, Action.AUDIT_VIEW),
            "analytics": policy.can(user, Action.ANALYTICS_VIEW),
            "waitlist": policy.can(user, Action.WAITLIST_MANAGE),
            "alerts": policy.can(user, Action.ALERT_LIST),
            "calendar_feed": policy.can(user, Action.CALENDAR_FEED_MANAGE),
            "admin": policy.can(user, Action.ADMIN),
        }
    }
