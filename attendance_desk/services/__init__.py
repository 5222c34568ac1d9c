"""Use cases over the database. Functions take a Database (or session) and plain values and
return frozen dataclasses, never ORM objects; errors are UserError subclasses."""
