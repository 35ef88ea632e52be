"""Use cases: each ties the domain, policy and store together inside one unit of work."""
