"""The ways the recommended resources of an incident would drive, for the map to draw.

Run on a reader thread: the recommendation (``services.recommendations``), then for each proposed
resource the fastest route over the pack's street network (``StreetNetwork.route``), which takes
exactly the time the recommendation's arrival estimate gives. Without a network, or for a resource
off it, the line is straight and says the time is a straight-line estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.recommendations import recommend_for_incident


@dataclass(frozen=True)
class MapRoute:
    resource_id: int
    call_sign: str
    points: tuple[tuple[float, float], ...]
    by_road: bool
    text: str

    def as_page_data(self) -> dict[str, object]:
        return {"id": self.resource_id, "points": [list(p) for p in self.points], "byRoad": self.by_road,
                "text": self.text}


@dataclass(frozen=True)
class IncidentRoutes:
    incident_id: int
    reference: str
    routes: tuple[MapRoute, ...]


def recommended_routes(session: Session, actor: Actor, incident_id: int, pack: OrganisationPack) -> IncidentRoutes:
    found = recommend_for_incident(session, actor, incident_id, pack)
    network = pack.street_network()
    routes = []
    for proposed in found.recommendation.proposed:
        ranked = proposed.ranked
        candidate = ranked.candidate
        if candidate.position is None:
            continue
        road = network.route(candidate.position, found.point) if network is not None else []
        by_road = ranked.method == "road" and len(road) >= 2
        points = road if by_road else [candidate.position, found.point]
        how = "by road" if by_road else "straight-line estimate"
        routes.append(MapRoute(
            candidate.resource_id,
            candidate.call_sign,
            tuple((point.lat, point.lon) for point in points),
            by_road,
            f"{candidate.call_sign} \u00b7 {ranked.eta_minutes} min {how}",
        ))
    return IncidentRoutes(incident_id, found.reference, tuple(routes))
