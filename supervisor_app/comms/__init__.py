"""The desk's links to the outside: what partner systems send in, and (later) what the desk sends out.

So far: the referral inbox (``referral_inbox``), a watched folder of JSON Lines files from partner
systems. Plain Python and the services underneath; no Qt, so the same code runs in the desk, on
the command line and as a service on a machine without a screen.
"""
