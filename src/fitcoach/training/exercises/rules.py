"""Our own rules about exercises: the vocabularies, how a name tells the movement pattern, which of
the intake's health flags rule a movement out, and which equipment a customer's answer covers.

The contraindication rules are deliberately conservative: an exercise is flagged when it loads
the spine heavily, is high-impact or explosive, is done lying on the back or inverted, or holds
the breath against a heavy load, for the health flags where those are the usual cautions. A
coach can always edit an exercise's list."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from enum import StrEnum


class MovementPattern(StrEnum):
    squat = "squat"
    hinge = "hinge"
    lunge = "lunge"
    push = "push"
    pull = "pull"
    carry = "carry"
    core = "core"
    cardio = "cardio"
    isolation = "isolation"
    mobility = "mobility"


class HealthFlag(StrEnum):
    """The intake's health flags (questionnaire version 1)."""

    heart_condition = "heart_condition"
    pregnancy = "pregnancy"
    recent_surgery = "recent_surgery"
    uncontrolled_blood_pressure = "uncontrolled_blood_pressure"
    joint_or_back_pain = "joint_or_back_pain"
    diabetes = "diabetes"


class Equipment(StrEnum):
    none = "none"
    dumbbells = "dumbbells"
    barbell = "barbell"
    bench = "bench"
    pull_up_bar = "pull_up_bar"
    kettlebell = "kettlebell"
    mat = "mat"
    bands = "bands"
    swiss_ball = "swiss_ball"
    machines = "machines"


EQUIPMENT_KEYS = {
    "none (bodyweight exercise)": Equipment.none,
    "Dumbbell": Equipment.dumbbells,
    "Barbell": Equipment.barbell,
    "SZ-Bar": Equipment.barbell,
    "Bench": Equipment.bench,
    "Incline bench": Equipment.bench,
    "Pull-up bar": Equipment.pull_up_bar,
    "Kettlebell": Equipment.kettlebell,
    "Gym mat": Equipment.mat,
    "Resistance band": Equipment.bands,
    "Swiss Ball": Equipment.swiss_ball,
}

# Checked in order: the first pattern whose words appear in the name wins, so "split squat" is a
# lunge before it is a squat and "romanian deadlift" a hinge.
_NAME_PATTERNS: tuple[tuple[MovementPattern, tuple[str, ...]], ...] = (
    (MovementPattern.carry, ("carry", "farmer", "suitcase walk")),
    (MovementPattern.lunge, ("lunge", "split squat", "step up", "step-up", "bulgarian")),
    (
        MovementPattern.hinge,
        (
            "deadlift",
            "rdl",
            "good morning",
            "hip thrust",
            "swing",
            "bridge",
            "hyperextension",
            "back extension",
            "clean",
            "snatch",
        ),
    ),
    (MovementPattern.squat, ("squat", "leg press", "thruster", "wall sit")),
    (MovementPattern.pull, ("row", "pull", "chin", "lat ", "face pull", "shrug")),
    (MovementPattern.push, ("press", "push", "bench", "dip", "fly", "flye", "supino")),
    (MovementPattern.mobility, ("stretch", "mobility", "yoga", "rotation")),
)
_CATEGORY_PATTERNS = {"abs": MovementPattern.core, "cardio": MovementPattern.cardio}


def _words(name: str) -> str:
    return " " + re.sub(r"[^a-z0-9-]+", " ", name.lower()) + " "


def movement_pattern_of(name: str, category: str) -> MovementPattern:
    if category in _CATEGORY_PATTERNS:
        return _CATEGORY_PATTERNS[category]
    words = _words(name)
    for pattern, needles in _NAME_PATTERNS:
        if any(needle in words for needle in needles):
            return pattern
    return MovementPattern.isolation


_IMPACT = ("jump", "burpee", "sprint", "hop", "skip", "box ", "plyo", "bound", "mountain climber")
_SUPINE_OR_FLEXION = (
    "crunch",
    "sit-up",
    "sit up",
    "situp",
    "v-up",
    "leg raise",
    "jackknife",
    "toe touch",
    "bench press",
    "lying",
)
_INVERTED = ("decline", "handstand", "headstand", "inverted")
_OVERHEAD = ("overhead", "military", "shoulder press", "push press", "snatch", "jerk")
_HEAVY_SPINAL = (
    "deadlift",
    "good morning",
    "clean",
    "snatch",
    "back squat",
    "barbell squat",
    "front squat",
    "swing",
)


def _has(words: str, needles: Iterable[str]) -> bool:
    return any(needle in words for needle in needles)


def contraindications_for(
    name: str, pattern: MovementPattern, equipment: Collection[str]
) -> tuple[str, ...]:
    """The health flags for which this exercise is unsafe without a coach's say-so."""
    words = _words(name)
    impact = _has(words, _IMPACT)
    heavy = _has(words, _HEAVY_SPINAL) or (
        Equipment.barbell in equipment and pattern in (MovementPattern.squat, MovementPattern.hinge)
    )
    breath_holding = heavy or (_has(words, _OVERHEAD) and Equipment.barbell in equipment)
    flags: list[HealthFlag] = []
    if impact or breath_holding:
        flags.append(HealthFlag.heart_condition)
    if impact or heavy or _has(words, _SUPINE_OR_FLEXION):
        flags.append(HealthFlag.pregnancy)
    if impact or heavy:
        flags.append(HealthFlag.recent_surgery)
    if breath_holding or _has(words, _INVERTED) or _has(words, _OVERHEAD):
        flags.append(HealthFlag.uncontrolled_blood_pressure)
    if impact or heavy or _has(words, ("crunch", "sit-up", "sit up", "situp", "v-up")):
        flags.append(HealthFlag.joint_or_back_pain)
    return tuple(flag.value for flag in flags)


_CUES = {
    MovementPattern.squat: "Feet about shoulder-width apart, brace your trunk, sit the hips down "
    "and back until the thighs are about parallel, knees tracking over the toes, then stand up "
    "through the whole foot.",
    MovementPattern.hinge: "Soft knees, push the hips back with a neutral spine until you feel "
    "the hamstrings stretch, then drive the hips forward and squeeze the glutes at the top.",
    MovementPattern.lunge: "Step into a split stance, lower the back knee towards the floor with "
    "the front knee over the foot and the trunk upright, then push back up through the front "
    "heel.",
    MovementPattern.push: "Set the shoulder blades, keep the wrists over the elbows and press "
    "the load away under control; lower it slowly to the start.",
    MovementPattern.pull: "Start with long arms, draw the shoulder blades back and down, pull "
    "the elbows towards the body and lower slowly.",
    MovementPattern.carry: "Stand tall with the load at your sides, brace and walk with short, "
    "even steps without leaning.",
    MovementPattern.core: "Brace as if to take a punch, keep the lower back from arching, move "
    "slowly and breathe out on the effort.",
    MovementPattern.cardio: "Warm up for a few minutes, keep a pace you can sustain for the set "
    "time and cool down at the end.",
    MovementPattern.isolation: "Keep the rest of the body still, move only the working joint "
    "through its full range, and control the way down.",
    MovementPattern.mobility: "Move slowly into the position, breathe, and stop short of pain.",
}


def instructions_for(pattern: MovementPattern, equipment: Collection[str]) -> str:
    needs = [item for item in equipment if item != Equipment.none]
    kit = f" You need: {', '.join(needs)}." if needs else ""
    return _CUES[pattern] + kit + " Stop if you feel sharp pain or dizziness."


# What each answer to the intake's "what equipment do you have?" lets a customer use; the
# floor, a mat and their own body are always there.
_ALWAYS = frozenset({Equipment.none, Equipment.mat})
_COVERED_BY_ANSWER: dict[str, frozenset[Equipment]] = {
    "none": frozenset(),
    "dumbbells": frozenset({Equipment.dumbbells, Equipment.bench}),
    "barbell": frozenset({Equipment.barbell, Equipment.bench}),
    "machines": frozenset({Equipment.machines}),
    "bands": frozenset({Equipment.bands}),
    "full_gym": frozenset(Equipment),
}


def fits_equipment(needed: Collection[str], answers: Collection[str] | None) -> bool:
    """Whether everything `needed` is covered; no answer at all restricts nothing."""
    if not answers:
        return True
    available = set(_ALWAYS)
    for answer in answers:
        available |= _COVERED_BY_ANSWER.get(answer, frozenset())
    return all(item in available for item in needed)
