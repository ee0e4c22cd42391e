"""Pure domain rules of the desk: no Qt, no database.

Entities' rules live here (state machines, validated values, permission table) so that a rule
can be tested in microseconds and any front end or service can rely on the same answer.
"""
