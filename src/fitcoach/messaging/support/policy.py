"""The support policy as the settings store it (a JSON object) and back."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

from fitcoach.messaging.support.hours import WEEKDAYS, Priority, SupportPolicy, Targets


def policy_to_json(policy: SupportPolicy) -> str:
    return json.dumps(
        {
            "timeZone": policy.time_zone,
            "workingHours": {
                WEEKDAYS[day]: {
                    "start": start.isoformat("minutes"),
                    "end": end.isoformat("minutes"),
                }
                for day, (start, end) in sorted(policy.hours.items())
            },
            "holidays": sorted(one.isoformat() for one in policy.holidays),
            "targets": {
                priority.value: {
                    "firstResponseMinutes": targets.first_response_minutes,
                    "resolutionMinutes": targets.resolution_minutes,
                }
                for priority, targets in policy.targets.items()
            },
        },
        sort_keys=True,
    )


def policy_from_json(stored: str) -> SupportPolicy:
    values: dict[str, Any] = json.loads(stored)
    return SupportPolicy(
        time_zone=values["timeZone"],
        hours={
            WEEKDAYS.index(day): (
                time.fromisoformat(span["start"]),
                time.fromisoformat(span["end"]),
            )
            for day, span in values["workingHours"].items()
        },
        holidays=frozenset(date.fromisoformat(one) for one in values["holidays"]),
        targets={
            Priority(priority): Targets(one["firstResponseMinutes"], one["resolutionMinutes"])
            for priority, one in values["targets"].items()
        },
    )
