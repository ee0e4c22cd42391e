"""What the demo history says: referral summaries, notes, crews' updates and results, by category.

Texts are keyed by the incident category of the pack (gas, water, power, lifts, highways, housing,
welfare, alarms, general); a category missing here falls back to the general wording.
"""

from __future__ import annotations

import random
from typing import TypeVar

from supervisor_app.demo.codes import (
    DUPLICATE,
    FALSE_ALARM,
    HOAX,
    MADE_SAFE,
    REFERRED,
    REPAIRED,
    RESOLVED_ON_SITE,
    TEST_CALL,
)

Choice = TypeVar("Choice")

GENERAL = "general"

#: One-line summaries as an operator types them; ``{floor}``, ``{n}`` and ``{street}`` are filled in.
SUMMARIES: dict[str, tuple[str, ...]] = {
    "gas": (
        "Smell of gas in stairwell, reported by resident on floor {floor}",
        "Strong gas smell outside the building near the meter box",
        "Caller reports hissing from gas pipe in kitchen, cooker turned off",
        "Gas smell in basement storage, residents concerned",
        "Carbon monoxide alarm sounding in flat on floor {floor}",
        "Gas meter damaged by contractor, smell at street level on {street}",
    ),
    "water": (
        "Water pouring through ceiling from flat above, floor {floor}",
        "Burst main in street, water running along {street}",
        "No water supply to building since this evening",
        "Leak in basement, water {n} cm deep near electrics",
        "Hydrant damaged and leaking at junction of {street}",
        "Discoloured water from all taps, several flats affected",
    ),
    "power": (
        "Power cut to whole building, lift and stair lighting out",
        "Sparking cable at street cabinet on {street}",
        "Burning smell from consumer unit in flat on floor {floor}",
        "Street lights out along {street}, pedestrians at risk",
        "Cable down across footpath after vehicle strike",
        "Repeated power trips in sheltered housing block",
    ),
    "lifts": (
        "Person trapped in lift between floors {floor} and {floor_next}",
        "Two residents trapped in lift, one elderly, alarm button used",
        "Lift stuck with doors open on floor {floor}, wheelchair user stranded",
        "Lift alarm activated, no voice contact with car",
        "Child trapped in lift with parent, lift stopped at floor {floor}",
        "Lift out of service in block with residents needing step-free access",
    ),
    "highways": (
        "Large pothole on {street}, vehicles swerving",
        "Fallen tree blocking carriageway on {street}",
        "Traffic lights failed at junction on {street}",
        "Oil spill across road surface, {n} m long",
        "Manhole cover missing on footpath near {street} {n}",
        "Ice on cycle path reported after two falls",
    ),
    "housing": (
        "Front door forced, tenant cannot secure flat on floor {floor}",
        "No heating in flat, tenant elderly and unwell",
        "Broken window in ground floor flat, glass on footpath",
        "Blocked toilet, only one in the household of {n}",
        "Smoke alarm chirping and cannot be silenced",
        "Tenant locked out, keys lost, young child inside",
    ),
    "welfare": (
        "Neighbour concerned: elderly resident not seen for {n} days",
        "Carer unable to get answer at door for morning visit",
        "Lifeline alarm raised, no response to speech call",
        "Person found confused in stairwell, lives alone",
        "Family abroad cannot reach relative since yesterday",
        "Resident reports fall, unable to get up, door locked",
    ),
    "alarms": (
        "Intruder alarm sounding at school on {street}",
        "Fire alarm panel fault at sheltered housing block",
        "Plant room alarm at pumping station, high water level",
        "Door forced alarm at depot, camera shows no one",
        "Alarm receiving centre reports panic alarm at community centre",
        "Heating plant temperature alarm at block on {street}",
    ),
    GENERAL: (
        "Caller reports dangerous structure, loose panel on balcony",
        "Abandoned vehicle blocking emergency access on {street}",
        "Graffiti with offensive wording on playground wall",
        "Unsecured building site fence blowing into road",
        "Dumped needles found near playground",
        "Report of noise from plant room, residents cannot sleep",
    ),
}

#: Summaries for the demo pack's incident types; other types use their category's summaries.
SUMMARIES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "GAS_ESCAPE_INTERNAL": (
        "Smell of gas in stairwell, reported by resident on floor {floor}",
        "Caller reports hissing from gas pipe in kitchen, cooker turned off",
        "Gas smell in basement storage, residents concerned",
    ),
    "GAS_ESCAPE_EXTERNAL": (
        "Strong gas smell in the street outside {street} {n}",
        "Contractor has struck a gas main on {street}, smell at street level",
    ),
    "CO_SUSPECTED": (
        "Carbon monoxide alarm sounding in flat on floor {floor}",
        "Family with headaches and nausea, gas water heater in use",
    ),
    "GAS_SUPPLY_LOSS": ("No gas to cooker since this afternoon, no smell", "Gas supply lost to {n} flats after works"),
    "WATER_MAIN_BURST": (
        "Burst main in street, water running along {street}",
        "Water bubbling up through road surface on {street}",
    ),
    "WATER_SUPPLY_LOSS": ("No water supply to building since this evening", "Very low water pressure in {n} flats"),
    "SEWER_FLOODING": (
        "Sewage coming up through manhole on {street}",
        "Toilets backing up on ground floor, smell in stairwell",
    ),
    "WATER_QUALITY": (
        "Discoloured water from all taps, several flats affected",
        "Water tastes of chemicals since this morning",
    ),
    "POWER_OUTAGE": (
        "Power cut to whole street, {n} buildings dark",
        "Power out to building, lift and stair lighting out",
    ),
    "DAMAGED_CABLE": (
        "Sparking cable at street cabinet on {street}",
        "Cable exposed by roadworks on {street}, no barrier",
    ),
    "STREET_LIGHTING_FAULT": (
        "Street lights out along {street}, pedestrians at risk",
        "Lights out at crossing on {street}",
    ),
    "LIFT_ENTRAPMENT": (
        "Person trapped in lift between floors {floor} and {floor_next}",
        "Two residents trapped in lift, one elderly, alarm button used",
        "Child trapped in lift with parent, lift stopped at floor {floor}",
    ),
    "LIFT_BREAKDOWN": (
        "Lift out of service, wheelchair user on floor {floor} cannot get out",
        "Lift stuck with doors open on floor {floor}, nobody inside",
    ),
    "ROAD_OBSTRUCTION": (
        "Fallen tree blocking carriageway on {street}",
        "Oil spill across road surface on {street}, {n} m long",
    ),
    "ROAD_DEFECT": (
        "Large pothole on {street}, vehicles swerving",
        "Manhole cover missing on footpath near {street} {n}",
    ),
    "ICE_AND_SNOW": ("Ice on footway on {street} after two falls", "Tram stop on {street} covered in ice, untreated"),
    "TRAFFIC_SIGNALS_FAULT": (
        "Traffic lights dark at junction on {street}",
        "Signals stuck on red on {street}, queues forming",
    ),
    "HOUSING_INSECURE": (
        "Front door forced, tenant cannot secure flat on floor {floor}",
        "Broken window in ground floor flat on {street}, glass on footpath",
    ),
    "HOUSING_WATER_LEAK": (
        "Water pouring through ceiling from flat above, floor {floor}",
        "Leak under kitchen sink, cannot find stopcock",
    ),
    "HOUSING_NO_HEATING": (
        "No heating in flat, tenant elderly and unwell",
        "No hot water or heating since yesterday, family of {n}",
    ),
    "HOUSING_ELECTRICAL": (
        "Burning smell from socket in flat on floor {floor}",
        "Water leaking into light fitting, lights flickering",
    ),
    "WELFARE_CHECK": (
        "Neighbour concerned: elderly resident not seen for {n} days",
        "Carer unable to get answer at door for evening visit",
    ),
    "TELECARE_NO_RESPONSE": (
        "Telecare pendant alarm raised, no response to speech call",
        "Fall detector activated, client not answering",
    ),
    "INTRUDER_ALARM": (
        "Intruder alarm sounding at school on {street}",
        "Door forced alarm at depot on {street}, camera shows no one",
    ),
    "PLANT_ALARM": ("Boiler plant alarm at block on {street}", "Fire alarm panel fault at sheltered housing block"),
    "MAJOR_INCIDENT": (
        "Building fire on {street}: rescue service requests rest centre for residents",
        "Evacuation of {n} flats on {street} after structural damage",
    ),
}

#: Notes the desk adds while assessing.
ASSESSMENT_NOTES: dict[str, tuple[str, ...]] = {
    "gas": (
        "Caller advised: no naked flames, do not operate switches, open windows, leave if smell strong.",
        "Caller advised to turn off the meter at the emergency control valve if safe.",
    ),
    "water": (
        "Caller advised to turn off stopcock and keep away from wet electrics.",
        "Neighbouring flats warned by caller; building manager informed.",
    ),
    "power": (
        "Caller advised not to touch the equipment and to keep others away.",
        "Network operator informed of the fault location.",
    ),
    "lifts": (
        "Voice contact with trapped persons made; they are calm and have light.",
        "Trapped persons reassured; told an engineer is on the way.",
    ),
    "highways": (
        "Police informed of the obstruction.",
        "Caller advised to stay clear of the carriageway.",
    ),
    "housing": (
        "Tenant advised on temporary measures until the operative arrives.",
        "Tenancy checked: council tenant, vulnerability flag on record.",
    ),
    "welfare": (
        "Key holder contacted; on the way with keys.",
        "Care provider contacted: last visit yesterday evening, nothing of concern noted.",
    ),
    "alarms": (
        "Key holder contacted and asked to attend.",
        "Alarm receiving centre confirms second activation in the same zone.",
    ),
    GENERAL: (
        "Caller's details checked and confirmed.",
        "Property owner contacted and informed.",
    ),
}

#: What a crew reports while on scene.
ON_SCENE_UPDATES: dict[str, tuple[str, ...]] = {
    "gas": ("Leak found on internal pipework, supply capped.", "Building ventilated, readings falling."),
    "water": ("Stopcock located and turned off, leak contained.", "Excavation needed, road closure requested."),
    "power": ("Circuit isolated, area made safe.", "Cable cordoned off, network crew requested."),
    "lifts": ("Persons released safely, lift taken out of service.", "Car lowered manually to floor level."),
    "highways": ("Area coned off, signs in place.", "Debris cleared from carriageway."),
    "housing": ("Temporary repair in place, follow-up order raised.", "Boarding up in progress."),
    "welfare": ("Resident found and well, checked over.", "Access gained with key holder."),
    "alarms": ("Premises checked, all secure.", "Panel reset, fault logged for contractor."),
    GENERAL: ("Site made safe.", "Situation assessed, work under way."),
}

#: A crew's result on clearing, and the disposition the incident is closed with.
CLEAR_RESULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "gas": (("made safe, supply capped", MADE_SAFE), ("no leak found, appliance condemned", MADE_SAFE),
            ("meter replaced, supply restored", REPAIRED)),
    "water": (("leak repaired", REPAIRED), ("supply isolated, repair booked", MADE_SAFE),
              ("main valve closed, utility crew took over", REFERRED)),
    "power": (("supply restored", REPAIRED), ("made safe, repair booked", MADE_SAFE),
              ("handed over to network operator", REFERRED)),
    "lifts": (("persons released, lift working", RESOLVED_ON_SITE),
              ("persons released, lift out of service", MADE_SAFE),
              ("reset, tested and working", REPAIRED)),
    "highways": (("obstruction cleared", RESOLVED_ON_SITE), ("made safe, permanent repair booked", MADE_SAFE),
                 ("signals reset", REPAIRED)),
    "housing": (("temporary repair done", MADE_SAFE), ("secured, follow-up order raised", MADE_SAFE),
                ("repair completed", REPAIRED)),
    "welfare": (("resident safe and well", RESOLVED_ON_SITE), ("handed over to ambulance", REFERRED),
                ("resident found with family", RESOLVED_ON_SITE)),
    "alarms": (("false alarm, premises secure", FALSE_ALARM), ("panel reset", RESOLVED_ON_SITE),
               ("handed over to key holder", RESOLVED_ON_SITE)),
    GENERAL: (("made safe", MADE_SAFE), ("resolved on site", RESOLVED_ON_SITE), ("referred to day service", REFERRED)),
}

#: Why an incident was cancelled before anyone was sent, and its disposition.
CANCELLATIONS: tuple[tuple[str, str], ...] = (
    ("duplicate of an earlier referral for the same address", DUPLICATE),
    ("duplicate: second caller about the same incident", DUPLICATE),
    ("hoax call, caller's number not answering", HOAX),
    ("test call from alarm receiving centre", TEST_CALL),
)

ADVICE_RESOLUTIONS = (
    "Resolved by advice over the phone; no attendance needed.",
    "Caller able to resolve with advice; asked to ring back if it recurs.",
    "Passed to the day service; no out-of-hours attendance needed.",
)

WITHDRAWAL_REASON = "caller rang back: no longer required"
NOT_REQUIRED_REASON = "not required, first crew has it in hand"

COMPLAINT_SUMMARIES = (
    "Complains the crew took too long to arrive",
    "Unhappy with the operator's manner on the phone",
    "Says the repair did not last and the problem came back",
    "Complains nobody called back as promised",
    "Says property was damaged during the visit",
)

QUERY_SUMMARIES = (
    "Asks for a copy of the attendance record for insurance",
    "Asks when the permanent repair will be done",
    "Asks who authorised entry to the flat",
    "Asks why the supply was cut off without notice",
)

CASE_OUTCOMES = (
    "Upheld: apology given and service reminded of the target times.",
    "Not upheld: attendance was within target; explanation sent.",
    "Partly upheld: follow-up repair booked.",
    "Answered: information sent by letter.",
)

ROUTINE_NOTES = (
    "Caller updated on progress.",
    "Caller rang back for an update; told the crew is on the way.",
    "Duty manager informed.",
)


def for_category(table: dict[str, tuple[Choice, ...]], category: str) -> tuple[Choice, ...]:
    return table.get(category) or table[GENERAL]


def incident_summary(rng: random.Random, incident_type: str, category: str, street: str) -> str:
    floor = rng.randint(1, 8)
    choices = SUMMARIES_BY_TYPE.get(incident_type) or for_category(SUMMARIES, category)
    return rng.choice(choices).format(
        floor=floor, floor_next=floor + 1, n=rng.randint(2, 40), street=street
    )
