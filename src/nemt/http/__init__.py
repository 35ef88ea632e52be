"""What the API (``nemt.api``) and the pages (``nemt.web``) share, and the one application that serves both.

``nemt.http.deps``: the request dependencies both use (the unit of work, the acting user, the permission check).
``nemt.http.app``: the app factory, the only module that imports both ``nemt.api`` and ``nemt.web``; they import
neither each other nor it (import contract ``api-web-independent`` in ``.importlinter``).

Keep this file free of imports: ``nemt.api`` and ``nemt.web`` import ``nemt.http.deps`` through it.
"""
