"""Use cases. Each takes an actor and a Session, checks permission, changes state, appends the
incident log and an audit event, all in one short transaction, and returns what changed."""
