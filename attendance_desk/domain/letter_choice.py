"""Which half-termly letter a family gets, as the policies decide it.

Both policies send a letter to every family each half term. Families already working with the
school (an open case at Listen and Understand or later) get the adapted letter, which gives the
figures without asking anything new of them; a pupil whose attendance has clearly improved
(the `improved` concern) gets the improvement letter; everyone else gets the standard one.
"""

from __future__ import annotations

from attendance_desk.domain.pathway import Stage

HALF_TERMLY = "half_termly"
HALF_TERMLY_ADAPTED = "half_termly_adapted"
IMPROVEMENT = "improvement"
VARIANTS = (HALF_TERMLY, HALF_TERMLY_ADAPTED, IMPROVEMENT)

# An open case at one of these stages means the family already works with the school.
WORKING_WITH_SCHOOL = frozenset(
    {
        Stage.LISTEN_AND_UNDERSTAND,
        Stage.SUPPORT_TIER_1,
        Stage.SUPPORT_TIER_2,
        Stage.SUPPORT_TIER_3,
        Stage.FORMALISE,
        Stage.ENFORCE,
    }
)
IMPROVED_RULE = "improved"


def half_termly_variant(stage: str, concerns: tuple[str, ...] | frozenset[str]) -> str:
    """The template id for one pupil's half-termly letter.

    `stage` is the open case's stage on the date ("" without an open case); `concerns` the
    concern rules raised for the pupil on that date."""
    if stage and stage != Stage.CLOSED.value and Stage(stage) in WORKING_WITH_SCHOOL:
        return HALF_TERMLY_ADAPTED
    if IMPROVED_RULE in concerns:
        return IMPROVEMENT
    return HALF_TERMLY
