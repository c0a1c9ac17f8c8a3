"""The public directory on the web: pages in Arabic, English and French, a JSON API, an
Atom feed of changes and a view for decision makers, over the same database, engine and
answer JSON as the bot. It imports `knowledge` and `db`, never `handlers` (nor Telegram).
"""
