"""The desk's links to the outside: what partner systems send in, and what the desk sends out.

- ``referral_inbox``: a watched folder of JSON Lines files of referrals from partner systems.
- ``channels``: one adapter per way of reaching a resource or a partner (MDT over MQTT, e-mail
  over SMTP, SMS through an HTTP gateway, voice recorded as passed by the supervisor), behind one
  small interface, and the MQTT link that brings acknowledgements, status and positions back.

Plain Python over the services; no Qt, so the same code runs in the desk, on the command line and
as a service on a machine without a screen.
"""
