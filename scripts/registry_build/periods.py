"""Step 6, editorial: the periods of accounts, where the data dates them.

The seed files rarely date an account itself; mostly they date the body (renamed on
25 Feb 2020, restructured in Nov 2024...). ``decisions/account_dates.csv`` writes the
periods that follow from such dates, each with its reason; a period for an account that
is not on record fails the build.
"""

from __future__ import annotations

from .decisions import Decisions
from .seed import Seed
from .state import State


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    for (entity_id, platform, handle), period in decisions.account_periods.items():
        account = state.entity(entity_id).account(platform, handle)
        if account is None:
            raise ValueError(f"account_dates.csv: {entity_id} has no {platform.value} @{handle}")
        account.since = period.since or account.since
        account.until = period.until or account.until
    return state
