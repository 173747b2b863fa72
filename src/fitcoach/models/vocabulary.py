"""Closed vocabularies shared by onboarding (what customers answer) and the catalog (what
programs are for and unsuitable for), so both speak of goals and risks with the same keys."""

from enum import StrEnum


class Goal(StrEnum):
    lose_weight = "lose_weight"
    build_muscle = "build_muscle"
    improve_endurance = "improve_endurance"
    general_fitness = "general_fitness"
    flexibility_mobility = "flexibility_mobility"
    sports_performance = "sports_performance"
    healthy_eating = "healthy_eating"


class RiskFlag(StrEnum):
    """Derived from a customer's health flags; a program lists those it is unsuitable for."""

    cardiac_condition = "cardiac_condition"
    pregnancy = "pregnancy"
    recent_surgery = "recent_surgery"
    uncontrolled_blood_pressure = "uncontrolled_blood_pressure"
    joint_or_back_pain = "joint_or_back_pain"
    diabetes = "diabetes"
    needs_medical_clearance = "needs_medical_clearance"
    needs_coach_review = "needs_coach_review"


class Level(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"
