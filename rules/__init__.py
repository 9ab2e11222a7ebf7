"""Pure decisions for tactful.

Nothing here performs I/O, reads a clock or imports SQLAlchemy, Flask or an HTTP
client: every function takes the data and the time it needs as arguments. The
``scheduler`` package applies these decisions; a test enforces the boundary.
"""
