"""Onboarding: the versioned questionnaire, customers' intake answers and consent, and the
profile and recommendations those answers produce."""
