"""Wording templates: text with ``{placeholders}`` filled in when a log entry or message is made."""

from __future__ import annotations

from string import Formatter

LOG_PLACEHOLDERS: frozenset[str] = frozenset({
    "reference", "incident_type", "priority", "address", "sector", "call_sign", "station",
    "eta_min", "status", "text", "reason", "external_organisation", "request", "channel",
    "target_time", "minutes_late",
})
"""Placeholders a standard log code's wording may use."""

MESSAGE_PLACEHOLDERS: frozenset[str] = LOG_PLACEHOLDERS | frozenset({
    "required_response", "hazards", "contact", "organisation", "ack_timeout_min", "supervisor",
})
"""Placeholders a message to a resource or another organisation (MDT, SMS, e-mail, voice) may use."""


def template_placeholders(template: str) -> list[str]:
    """Names used in ``template``; raises ValueError with a fix when the braces are malformed."""
    names: list[str] = []
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        raise ValueError(
            f"the template's braces do not match ({error}); write {{name}} for a placeholder "
            "and {{ or }} for a literal brace"
        ) from None
    for _literal, name, format_spec, conversion in parsed:
        if name is None:
            continue
        if format_spec or conversion:
            raise ValueError(
                f"the placeholder {{{name}}} carries formatting (':' or '!'); write plain {{{name}}}"
            )
        names.append(name)
    return names


def check_template(template: str, allowed: frozenset[str]) -> str:
    """Refuse a template that uses a placeholder outside ``allowed``."""
    for name in template_placeholders(template):
        if name not in allowed:
            shown = "{" + name + "}" if name else "{}"
            choices = ", ".join("{" + n + "}" for n in sorted(allowed))
            raise ValueError(f"unknown placeholder {shown}; expected one of {choices}")
    return template


def check_log_template(template: str) -> str:
    return check_template(template, LOG_PLACEHOLDERS)


def check_message_template(template: str) -> str:
    return check_template(template, MESSAGE_PLACEHOLDERS)
