"""Use cases: each opens a unit of work, calls the domain, commits once and returns a result to render."""
