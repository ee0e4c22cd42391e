"""Finnish-looking people for the demo: callers' names, mobile numbers and the desk's colleagues."""

from __future__ import annotations

import random
from dataclasses import dataclass

from supervisor_app.domain.people import Role

FIRST_NAMES = (
    "Aino", "Aleksi", "Anna", "Antti", "Eero", "Eetu", "Elina", "Emma", "Hanna", "Heikki",
    "Helena", "Ilkka", "Jaana", "Janne", "Johanna", "Juha", "Jukka", "Kaisa", "Kari", "Katja",
    "Lauri", "Leena", "Liisa", "Marja", "Markku", "Matti", "Mika", "Minna", "Niko", "Noora",
    "Oona", "Outi", "Pekka", "Petri", "Pirjo", "Raija", "Riikka", "Sami", "Sanna", "Seppo",
    "Sofia", "Tapio", "Teemu", "Tiina", "Timo", "Tuula", "Veera", "Ville", "Aila", "Onni",
)

SURNAMES = (
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen",
    "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen",
    "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen",
    "Leppänen", "Hiltunen", "Väisänen", "Kallio", "Miettinen", "Leinonen", "Pelkonen",
)

MOBILE_PREFIXES = ("040", "041", "044", "045", "050", "046")
LANDLINE_PREFIX = "09"


def caller_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def phone_number(rng: random.Random) -> str:
    """A Finnish number as people write it: ``040 123 4567`` (mobile) or ``09 123 4567``."""
    if rng.random() < 0.85:
        return f"{rng.choice(MOBILE_PREFIXES)} {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
    return f"{LANDLINE_PREFIX} {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    desk: str


_S, _O, _M, _L, _A = Role.SUPERVISOR, Role.OPERATOR, Role.DUTY_MANAGER, Role.SHIFT_LEAD, Role.ADMINISTRATOR

#: The accounts a demonstration signs in with.
DEMO_ACCOUNTS: tuple[DemoUser, ...] = (
    DemoUser("demo.supervisor", "Demo Supervisor", (_S, _O), "desk-1"),
    DemoUser("demo.operator", "Demo Operator", (_O,), "desk-2"),
    DemoUser("demo.manager", "Demo Duty Manager", (_M,), "desk-5"),
    DemoUser("demo.lead", "Demo Shift Lead", (_L,), "desk-3"),
    DemoUser("demo.admin", "Demo Administrator", (_A,), "desk-5"),
)

#: Colleagues whose names fill the history: four watches and a second duty manager.
COLLEAGUES: tuple[DemoUser, ...] = (
    DemoUser("sari.lehtonen", "Sari Lehtonen", (_L, _S), "desk-3"),
    DemoUser("mikko.korhonen", "Mikko Korhonen", (_S, _O), "desk-1"),
    DemoUser("aino.virtanen", "Aino Virtanen", (_O,), "desk-2"),
    DemoUser("juha.makinen", "Juha Mäkinen", (_L, _S), "desk-3"),
    DemoUser("laura.nieminen", "Laura Nieminen", (_S, _O), "desk-1"),
    DemoUser("eetu.heikkinen", "Eetu Heikkinen", (_O,), "desk-2"),
    DemoUser("paivi.laine", "Päivi Laine", (_L, _S), "desk-3"),
    DemoUser("antti.koskinen", "Antti Koskinen", (_S, _O), "desk-1"),
    DemoUser("emma.jarvinen", "Emma Järvinen", (_O,), "desk-4"),
    DemoUser("riitta.salonen", "Riitta Salonen", (_M,), "desk-5"),
)

ALL_USERS: tuple[DemoUser, ...] = DEMO_ACCOUNTS + COLLEAGUES
USERS_BY_NAME: dict[str, DemoUser] = {user.username: user for user in ALL_USERS}


@dataclass(frozen=True)
class Watch:
    """The people on one shift: who leads it, who deploys and who takes referrals."""

    lead: str
    supervisor: str
    operators: tuple[str, ...]


#: Watches rotate through day and night shifts (see ``watch_for_shift``).
WATCHES: tuple[Watch, ...] = (
    Watch("demo.lead", "demo.supervisor", ("demo.operator", "emma.jarvinen")),
    Watch("sari.lehtonen", "mikko.korhonen", ("aino.virtanen",)),
    Watch("juha.makinen", "laura.nieminen", ("eetu.heikkinen", "emma.jarvinen")),
    Watch("paivi.laine", "antti.koskinen", ("aino.virtanen", "demo.operator")),
)

DUTY_MANAGERS = ("demo.manager", "riitta.salonen")


def watch_for_shift(shift_day_ordinal: int, is_night: bool) -> Watch:
    """Four watches in turn: each works a day shift, and a night shift two days later."""
    return WATCHES[(shift_day_ordinal + (2 if is_night else 0)) % len(WATCHES)]
