"""Demo data of the board: profiles for the demo reviewers, so conflicts and the
assignment have something to work on."""

from sqlalchemy import select

from icm_recruit.auth.models import User
from icm_recruit.board.models import BoardMember
from icm_recruit.extensions import db

DEMO_PROFILES = {
    "chair@demo.icm-recruit.org": (
        "University College London", "GB", "memory, hippocampus, sleep, consolidation",
        "Systems neuroscience of memory: hippocampal replay during sleep.",
        [{"name": "University of Oxford", "end_year": 2019}]),
    "reviewer1@demo.icm-recruit.org": (
        "Université de Lyon", "FR", "synapse, plasticity, glia, astrocytes",
        "Cellular mechanisms of synaptic plasticity and their control by glia.", []),
    "reviewer2@demo.icm-recruit.org": (
        "Università di Milano", "IT", "dopamine, reward, striatum, parkinson",
        "Basal ganglia circuits in motivation and movement disorders.", []),
    "reviewer3@demo.icm-recruit.org": (
        "RIKEN Center for Brain Science", "JP", "vision, attention, cortex, primate",
        "Visual attention in the primate cortex, with imaging and electrophysiology.",
        [{"name": "Max Planck Institute", "end_year": 2016}]),
}


def seed_board() -> list[str]:
    """Give each demo reviewer a board profile (created once, never overwritten)."""
    created = 0
    for email, (affiliation, country, keywords, statement, past) in DEMO_PROFILES.items():
        user = User.by_email(email)
        if user is None or db.session.scalar(
                select(BoardMember.id).where(BoardMember.user_id == user.id)):
            continue
        db.session.add(BoardMember(
            user_id=user.id, affiliation=affiliation, country=country,
            expertise_keywords=keywords, expertise_statement=statement,
            past_affiliations=past, default_max_load=4))
        created += 1
    db.session.commit()
    return [f"Board: {created} demo member profiles created"] if created else []
