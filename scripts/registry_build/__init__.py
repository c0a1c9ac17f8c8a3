"""The build of the bundled registry from the seed data, one step per seed file.

Read ``pipeline`` first: it lists the steps in order. Each step module says in its
docstring what it reads and writes; ``decisions/`` holds the editorial decisions (one CSV
per kind of decision, one row per decision with its reason), read by ``decisions``.
"""
