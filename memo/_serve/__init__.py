"""``memo serve``: the web page (``app.py``), its template and static files (package data)."""
