"""The colours of the two themes, by meaning rather than by hue.

Colour is never the only signal on the desk: every state that has a colour also has an icon shape
and a word. The colours here make those states quicker to see, not possible to see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supervisor_app.domain.resources import ResourceStatus


@dataclass(frozen=True)
class Theme:
    """One theme: a name the settings use, a label for menus, and its colours by role."""

    name: str
    label: str
    qss_file: str
    window: str  # the background behind everything
    surface: str  # panels, tables
    surface_alt: str  # alternate rows, headers
    border: str
    text: str
    text_muted: str
    accent: str  # focus, selection, links
    accent_text: str  # text on the accent colour
    ok: str
    warning: str
    danger: str
    info: str
    border_width: int = 1
    resource_status: dict[ResourceStatus, str] = field(default_factory=dict)

    def status_colour(self, status: ResourceStatus) -> str:
        return self.resource_status.get(status, self.text_muted)

    @property
    def tokens(self) -> dict[str, str]:
        """The values QSS files refer to as ``@name``."""
        return {
            "window": self.window,
            "surface": self.surface,
            "surface_alt": self.surface_alt,
            "border": self.border,
            "text": self.text,
            "text_muted": self.text_muted,
            "accent": self.accent,
            "accent_text": self.accent_text,
            "ok": self.ok,
            "warning": self.warning,
            "danger": self.danger,
            "info": self.info,
            "border_width": f"{self.border_width}px",
        }


_S = ResourceStatus

DARK = Theme(
    name="dark",
    label="Dark",
    qss_file="dark.qss",
    window="#14181d",
    surface="#1b2027",
    surface_alt="#222933",
    border="#2f3843",
    text="#dce3ea",
    text_muted="#8d99a6",
    accent="#4c9aff",
    accent_text="#0b1117",
    ok="#3fbf74",
    warning="#f0b429",
    danger="#f2545b",
    info="#5aa9f0",
    resource_status={
        _S.AVAILABLE: "#3fbf74",
        _S.ASSIGNED: "#f0b429",
        _S.EN_ROUTE: "#5aa9f0",
        _S.ON_SCENE: "#b18cf2",
        _S.RETURNING: "#45c4c0",
        _S.OFF_DUTY: "#7b8794",
        _S.UNAVAILABLE: "#f2545b",
    },
)

HIGH_CONTRAST = Theme(
    name="high_contrast",
    label="High contrast",
    qss_file="high_contrast.qss",
    window="#000000",
    surface="#000000",
    surface_alt="#101010",
    border="#ffffff",
    text="#ffffff",
    text_muted="#e0e0e0",
    accent="#ffd400",
    accent_text="#000000",
    ok="#00e676",
    warning="#ffd400",
    danger="#ff5c5c",
    info="#40c4ff",
    border_width=2,
    resource_status={
        _S.AVAILABLE: "#00e676",
        _S.ASSIGNED: "#ffd400",
        _S.EN_ROUTE: "#40c4ff",
        _S.ON_SCENE: "#ea80fc",
        _S.RETURNING: "#64ffda",
        _S.OFF_DUTY: "#e0e0e0",
        _S.UNAVAILABLE: "#ff5c5c",
    },
)

THEMES: dict[str, Theme] = {DARK.name: DARK, HIGH_CONTRAST.name: HIGH_CONTRAST}
